"""HTTP under the client: bearer auth, the error envelope, and retries of transient failures.

A request is retried only when repeating it cannot do anything twice: a connection that never opened
(the request was not sent), or an idempotent request (GET, a POST carrying an Idempotency-Key, or one
the caller marks idempotent) that met a reset connection, a timeout, or a 429/502/503/504 answer. Waits grow exponentially with jitter;
a Retry-After header, when sent, sets the wait instead.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import httpx
import pydantic

from .errors import MorphSweepError
from .models import ErrorEnvelope

logger = logging.getLogger("morphsweep")

TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# The request never reached the server: repeating it is safe whatever it does.
NOT_SENT_ERRORS: tuple[type[Exception], ...] = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# The request may have been received: repeat only what is idempotent.
MAYBE_SENT_ERRORS: tuple[type[Exception], ...] = (
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
    httpx.ReadTimeout,
    httpx.WriteTimeout,
)


@dataclass(frozen=True)
class RetryPolicy:
    """How transient failures are retried. `attempts` counts every try, the first included."""

    attempts: int = 5
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    #: A longer Retry-After than this is cut to it, so one answer cannot stall a notebook for an hour.
    max_retry_after_s: float = 60.0

    def delay_s(self, retry_index: int, retry_after_s: float | None) -> float:
        if retry_after_s is not None:
            return min(max(retry_after_s, 0.0), self.max_retry_after_s)
        # "Full jitter" between half and all of the exponential step spreads clients that failed together.
        step = min(self.max_delay_s, self.base_delay_s * 2.0**retry_index)
        return step * random.uniform(0.5, 1.0)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    if value is None:
        return None
    value = value.strip()
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return (when - datetime.now(timezone.utc)).total_seconds()


def error_from_response(response: httpx.Response) -> MorphSweepError:
    """The envelope's error, or `http_error` with the start of the body for an answer without one."""
    try:
        envelope = ErrorEnvelope.model_validate_json(response.content)
    except pydantic.ValidationError:
        text = response.text.strip()[:500]
        return MorphSweepError(response.status_code, "http_error", text or response.reason_phrase)
    error = envelope.error
    return MorphSweepError(response.status_code, error.code, error.message, error.details)


def is_idempotent(method: str, headers: Mapping[str, str]) -> bool:
    return method.upper() in IDEMPOTENT_METHODS or any(name.lower() == "idempotency-key" for name in headers)


class Transport:
    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        timeout_s: float,
        retry: RetryPolicy,
        user_agent: str,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.retry = retry
        self._sleep = sleep
        headers = {"accept": "application/json", "user-agent": user_agent}
        if token:
            headers["authorization"] = f"Bearer {token}"
        self._owns_http = http is None
        self._http = http or httpx.Client(timeout=timeout_s)
        self._headers = headers

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def _merged_headers(self, headers: Mapping[str, str] | None) -> dict[str, str]:
        return {**self._headers, **(headers or {})}

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """A 2xx or 304 answer; anything else raises MorphSweepError after the retries it allows.

        `idempotent=True` marks a request that is safe to repeat although its method and headers do
        not say so (a content-addressed upload); None decides by method and Idempotency-Key."""
        merged = self._merged_headers(headers)
        if idempotent is None:
            idempotent = is_idempotent(method, merged)
        url = self.base_url + path
        for attempt in range(1, self.retry.attempts + 1):
            last_attempt = attempt == self.retry.attempts
            try:
                response = self._http.request(method, url, params=params, json=json, content=content, headers=merged)
            except NOT_SENT_ERRORS + MAYBE_SENT_ERRORS as error:
                retryable = isinstance(error, NOT_SENT_ERRORS) or idempotent
                if not retryable or last_attempt:
                    raise MorphSweepError(
                        None,
                        "connection_failed",
                        f"{method} {url} failed after {attempt} attempt(s): {error!r}; check that the server "
                        f"runs at {self.base_url} (MORPHSWEEP_URL)"
                        + ("" if retryable else "; not retried because repeating it could act twice"),
                    ) from error
                self._wait(attempt, None, f"{method} {path}: {error!r}")
                continue
            if response.is_success or response.status_code == 304:
                return response
            if response.status_code in TRANSIENT_STATUSES and idempotent and not last_attempt:
                self._wait(attempt, parse_retry_after(response.headers.get("retry-after")), f"{method} {path}: HTTP {response.status_code}")
                continue
            raise error_from_response(response)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _wait(self, attempt: int, retry_after_s: float | None, why: str) -> None:
        delay_s = self.retry.delay_s(attempt - 1, retry_after_s)
        logger.info("retrying in %.2f s (attempt %d of %d failed): %s", delay_s, attempt, self.retry.attempts, why)
        self._sleep(delay_s)

    @contextmanager
    def stream(self, path: str, *, headers: Mapping[str, str] | None = None, read_timeout_s: float) -> Iterator[httpx.Response]:
        """An open streaming GET (no retries here: the event reader reconnects on its own terms)."""
        timeout = httpx.Timeout(self._http.timeout.connect, read=read_timeout_s)
        with self._http.stream("GET", self.base_url + path, headers=self._merged_headers(headers), timeout=timeout) as response:
            if not response.is_success:
                response.read()
                raise error_from_response(response)
            yield response
