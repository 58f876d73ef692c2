"""The entry point: `morphsweep.Client()`."""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Literal
from urllib.parse import quote

import httpx

from . import models
from ._events import ReconnectPolicy
from ._transport import RetryPolicy, Transport
from ._version import __version__
from .evidence import Evidence
from .run import Retrain, Run
from .sweep import Sweep, SweepStatus

DEFAULT_URL = "http://127.0.0.1:3000"


class Client:
    """A MorphSweep server. `url` and `token` default to MORPHSWEEP_URL and MORPHSWEEP_TOKEN.

    Every failed call raises MorphSweepError (status, code, message, details). Transient failures
    (connection refused or reset, timeouts, 429/502/503/504 with their Retry-After) are retried with
    exponential backoff per `retry`, but only where repeating cannot act twice: requests that never
    left, GETs, sweep and retrain creation (they carry an idempotency key) and model uploads (stored
    under their content's hash).

    `timeout` is per request in seconds. `http_client` replaces the httpx.Client the calls go
    through (proxies, certificates, event hooks); it keeps its own timeout and is not closed here.
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy = RetryPolicy(),
        reconnect: ReconnectPolicy = ReconnectPolicy(),
        http_client: httpx.Client | None = None,
    ) -> None:
        self.url = (url or os.environ.get("MORPHSWEEP_URL") or DEFAULT_URL).rstrip("/")
        resolved_token = token if token is not None else os.environ.get("MORPHSWEEP_TOKEN")
        self._reconnect = reconnect
        self._transport = Transport(
            self.url,
            resolved_token or None,
            timeout_s=timeout,
            retry=retry,
            user_agent=f"morphsweep-python/{__version__}",
            http=http_client,
        )

    def __repr__(self) -> str:
        return f"Client({self.url!r})"

    def __enter__(self) -> Client:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._transport.close()

    def health(self) -> models.Health:
        """Liveness, and whether calls need a token (no token needed for this one)."""
        return models.Health.model_validate_json(self._transport.request("GET", "/api/health").content)

    def create_sweep(self, config: models.SweepConfig | Mapping[str, Any], *, idempotency_key: str | None = None) -> Sweep:
        """Starts a sweep from a config (a dict as in docs/api.md, or a models.SweepConfig).

        The request carries an Idempotency-Key (a fresh UUID unless given), so the retry of a call
        whose answer was lost returns the sweep it started instead of starting another. The server
        validates the config and lists every problem at once (422 `validation_failed`).
        """
        body = config.model_dump(mode="json", by_alias=True, exclude_unset=True) if isinstance(config, models.SweepConfig) else dict(config)
        key = idempotency_key if idempotency_key is not None else str(uuid.uuid4())
        response = self._transport.request("POST", "/api/sweeps", json=body, headers={"idempotency-key": key})
        created = models.CreateSweepResponse.model_validate_json(response.content)
        return Sweep(self._transport, created.sweep_id, created=created.created, reconnect=self._reconnect)

    def sweep(self, sweep_id: str) -> Sweep:
        return Sweep(self._transport, sweep_id, reconnect=self._reconnect)

    def sweeps(
        self,
        *,
        status: SweepStatus | Iterable[SweepStatus] | None = None,
        tag: str | None = None,
        page_size: int = 50,
    ) -> Iterator[Sweep]:
        """Sweeps newest first, optionally only those in `status` (one or several) or carrying `tag`.
        Lazy: a page of `page_size` is fetched when the previous one is used up. Each Sweep's
        `summary` is its row of the page."""
        params: dict[str, str | int] = {"limit": page_size}
        if status is not None:
            params["status"] = status if isinstance(status, str) else ",".join(status)
        if tag is not None:
            params["tag"] = tag
        while True:
            page = models.SweepPage.model_validate_json(self._transport.request("GET", "/api/sweeps", params=params).content)
            for summary in page.items:
                yield Sweep(self._transport, summary.id, summary=summary, reconnect=self._reconnect)
            if page.next_cursor is None:
                return
            params["cursor"] = page.next_cursor

    def run(self, run_id: str) -> Run:
        return Run(self._transport, run_id)

    def retrain(self, retrain_id: str) -> Retrain:
        """The handle of an existing retrain (start one with Run.retrain)."""
        return Retrain(self._transport, retrain_id)

    def evidence(self, evidence_id: str) -> Evidence:
        """The handle of an existing evidence run (start one with Run.evidence)."""
        return Evidence(self._transport, evidence_id)

    def upload_model(
        self,
        model: str | os.PathLike[str] | Mapping[str, Any],
        *,
        weights: bytes | Literal[False] | None = None,
    ) -> models.UserModel:
        """Stores your own network for sweeps: a TF.js Layers model.json (what `model.save()` or
        `tensorflowjs_converter --input_format keras` writes), as a path or as the parsed dict.

        From a path, the weight files its `weightsManifest` names are read from beside it and sent
        concatenated in manifest order; pass `weights` (those bytes) for a dict, or `weights=False`
        to send the topology alone (runs then start from fresh weights). Returns the stored model:
        put `model_id` in a sweep config as `"network": {"model": model_id}`; `created` is False when
        the same content was stored before, `warnings` name layers the regularizer cannot reach.

        A model MorphSweep cannot sweep is refused before anything is stored with 422
        `invalid_model`, every problem at once in `.problems` ({layer, className, message}).
        Retried like a GET: the id is the content's hash, so a repeat stores nothing twice.
        """
        if isinstance(model, Mapping):
            model_json = dict(model)
            weight_data = weights or None
        else:
            path = Path(model)
            model_json = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(model_json, dict):
                raise ValueError(f"{path} holds {type(model_json).__name__}, not a model.json object")
            weight_data = (_manifest_weights(path, model_json) if weights is None else weights) or None
        body: dict[str, Any] = {"modelJson": model_json}
        if weight_data is not None:
            body["weights"] = base64.b64encode(weight_data).decode("ascii")
        response = self._transport.request("POST", "/api/models", json=body, idempotent=True)
        return models.UserModel.model_validate_json(response.content)

    def model(self, model_id: str) -> models.UserModel:
        """A stored model's id, summary, size and creation time; 404 `model_not_found`."""
        response = self._transport.request("GET", f"/api/models/{quote(model_id, safe='')}")
        return models.UserModel.model_validate_json(response.content)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Any API call, for endpoints this client does not wrap yet: the decoded JSON answer (None
        for an empty one), with the same auth, errors and retries as the rest. `path` starts with
        /api/; quote ids with urllib.parse.quote."""
        response = self._transport.request(method, path, params=params, json=json, content=content, headers=headers)
        return response.json() if response.content else None


def _manifest_weights(model_path: Path, model_json: Mapping[str, Any]) -> bytes | None:
    """The weight files a model.json's manifest names, read from its directory in manifest order
    (None without a manifest). A missing file raises FileNotFoundError saying what to do."""
    manifest = model_json.get("weightsManifest")
    if not manifest:
        return None
    if not isinstance(manifest, list) or not all(isinstance(group, dict) and isinstance(group.get("paths"), list) for group in manifest):
        raise ValueError(f"{model_path}: weightsManifest must be a list of {{paths: [...], weights: [...]}} groups, as TF.js writes it")
    chunks: list[bytes] = []
    for group in manifest:
        for name in group["paths"]:
            file = model_path.parent / name
            if not file.is_file():
                raise FileNotFoundError(
                    f"{model_path} names the weight file {name!r}, which is not at {file}; put it beside model.json, "
                    "pass its bytes as weights=..., or weights=False to upload the topology alone"
                )
            chunks.append(file.read_bytes())
    return b"".join(chunks)
