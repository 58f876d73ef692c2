"""A TCP proxy in front of the real server that fails chosen connections the way networks do.

Each accepted connection takes the next action of the plan (then `forward` once the plan is used up):
  forward           pipe bytes both ways until either side closes
  reset             read the request, then reset the connection (nothing reached the server)
  swallow           forward the request, read the server's whole answer, reset the client: the server
                    acted, the client never heard (a timeout on a flaky link)
  respond:<bytes>   read the request and answer with these bytes instead of the server
  cut:<n>           forward, but reset both sides once n bytes of the answer went through
"""

from __future__ import annotations

import socket
import struct
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit


def _read_request(connection: socket.socket) -> bytes:
    """One HTTP/1.1 request (headers and a Content-Length body), or what came before EOF."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _request_line(request: bytes) -> str:
    return request.split(b"\r\n", 1)[0].decode("latin-1")


def _reset(connection: socket.socket) -> None:
    """Close with RST instead of FIN: the peer sees 'connection reset by peer'."""
    try:
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    connection.close()


def _with_connection_close(request: bytes) -> bytes:
    head, _, body = request.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body


@dataclass
class FaultProxy:
    upstream: str
    plan: list[str] = field(default_factory=list)
    #: (action, first request line) per accepted connection, in order.
    log: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        parts = urlsplit(self.upstream)
        self._upstream_address = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept_loop, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def close(self) -> None:
        self._closed = True
        self._listener.close()

    def _next_action(self) -> str:
        with self._lock:
            return self.plan.pop(0) if self.plan else "forward"

    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client, self._next_action()), daemon=True).start()

    def _serve(self, client: socket.socket, action: str) -> None:
        if action == "forward" or action.startswith("cut:"):
            self._pipe(client, action)
            return
        request = _read_request(client)
        with self._lock:
            self.log.append((action, _request_line(request)))
        if action == "reset":
            _reset(client)
        elif action == "swallow":
            with socket.create_connection(self._upstream_address) as upstream:
                upstream.sendall(_with_connection_close(request))
                while upstream.recv(65536):
                    pass
            _reset(client)
        elif action.startswith("respond:"):
            client.sendall(action.removeprefix("respond:").encode("latin-1"))
            client.close()
        else:
            raise ValueError(f"unknown proxy action {action!r}")

    def _pipe(self, client: socket.socket, action: str) -> None:
        limit = int(action.removeprefix("cut:")) if action.startswith("cut:") else None
        upstream = socket.create_connection(self._upstream_address)
        first = client.recv(65536)
        with self._lock:
            self.log.append((action, _request_line(first)))
        upstream.sendall(first)

        def client_to_upstream() -> None:
            try:
                while chunk := client.recv(65536):
                    upstream.sendall(chunk)
            except OSError:
                pass
            try:
                upstream.shutdown(socket.SHUT_WR)
            except OSError:
                pass

        # A thread blocked in recv() on the client socket would keep close() from resetting it, so a
        # connection to be cut reads only its first request (a GET fits in one recv).
        if limit is None:
            threading.Thread(target=client_to_upstream, daemon=True).start()
        sent = 0
        try:
            while chunk := upstream.recv(65536):
                if limit is not None and sent + len(chunk) >= limit:
                    client.sendall(chunk[: max(limit - sent, 0)])
                    _reset(client)
                    _reset(upstream)
                    return
                client.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass
        client.close()
        upstream.close()
