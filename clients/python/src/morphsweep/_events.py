"""The sweep's server-sent event stream, reconnected until the sweep ends.

The server reads its stream from the store and sends every run again on each connection, so a
reconnect needs no Last-Event-ID: the first events after it restate the whole sweep.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import httpx_sse

from ._transport import TRANSIENT_STATUSES, Transport
from .errors import MorphSweepError
from .models import ProgressEvent, RunEvent

logger = logging.getLogger("morphsweep")

#: What the stream yields: a run changed (status, step, costs, accuracy), or the counts did. The
#: last event of a finished sweep is a ProgressEvent whose status is completed, failed or cancelled.
SweepEvent = RunEvent | ProgressEvent

TERMINAL_SWEEP_STATUSES = frozenset({"completed", "failed", "cancelled"})


@dataclass(frozen=True)
class ReconnectPolicy:
    #: The server keeps an idle stream alive with a comment every 15 s; silence this long means it is gone.
    read_timeout_s: float = 45.0
    #: Waits between tries start at the server's `retry:` hint (or this) and double up to max_delay_s.
    initial_delay_s: float = 1.0
    max_delay_s: float = 10.0
    #: Give up when no connection succeeded for this long.
    give_up_after_s: float = 300.0


def sweep_events(
    transport: Transport,
    sweep_id: str,
    policy: ReconnectPolicy = ReconnectPolicy(),
    sleep: Callable[[float], None] = time.sleep,
    timeout_s: float | None = None,
) -> Iterator[SweepEvent]:
    """Events of one sweep until its `end` event; 4xx answers (unknown sweep, bad token) raise at once,
    and TimeoutError does once `timeout_s` passed without the end."""
    deadline = None if timeout_s is None else time.monotonic() + timeout_s

    def check_deadline() -> float:
        """Seconds left for the next read (the policy's read timeout when there is no deadline)."""
        if deadline is None:
            return policy.read_timeout_s
        left_s = deadline - time.monotonic()
        if left_s <= 0:
            raise TimeoutError(f"sweep {sweep_id} did not finish within {timeout_s} s (it goes on running)")
        return min(policy.read_timeout_s, left_s)

    path = f"/api/sweeps/{quote(sweep_id, safe='')}/events"
    headers = {"accept": "text/event-stream", "cache-control": "no-store"}
    first_delay_s = policy.initial_delay_s
    delay_s = first_delay_s
    failing_since: float | None = None
    while True:
        try:
            with transport.stream(path, headers=headers, read_timeout_s=check_deadline()) as response:
                for message in httpx_sse.EventSource(response).iter_sse():
                    # Only a stream that delivers counts as recovered (not one that opens and closes at once).
                    failing_since = None
                    if message.retry is not None:
                        first_delay_s = max(message.retry / 1000, 0.05)
                    if message.event == "run":
                        yield RunEvent.model_validate_json(message.data)
                    elif message.event in ("progress", "end"):
                        yield ProgressEvent.model_validate_json(message.data)
                        if message.event == "end":
                            return
                    # Other event names are newer than this client: skipped.
                    check_deadline()
            reason = "the server closed the stream before the sweep ended"
        except MorphSweepError as error:
            if error.status not in TRANSIENT_STATUSES:
                raise
            reason = str(error)
        except (httpx.TransportError, httpx_sse.SSEError) as error:
            reason = repr(error)
        check_deadline()
        now = time.monotonic()
        if failing_since is None:
            failing_since, delay_s = now, first_delay_s
        elif now - failing_since > policy.give_up_after_s:
            raise MorphSweepError(
                None,
                "event_stream_lost",
                f"the event stream of sweep {sweep_id} could not be reopened for {policy.give_up_after_s:.0f} s "
                f"({reason}); the sweep itself goes on: call wait() again once the server is back",
            )
        logger.warning("event stream of sweep %s interrupted (%s); reconnecting in %.1f s", sweep_id, reason, delay_s)
        sleep(min(delay_s, check_deadline()))
        delay_s = min(delay_s * 2, policy.max_delay_s)
