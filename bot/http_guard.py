"""What `aidaily serve` accepts from the network before a handler does any work.

The HTTP server faces the internet (Feishu and Telegram call it), so every
limit below holds before a byte is parsed or a token is checked twice:

    MAX_CONNECTIONS    512   open connections; one more is answered 503 and closed
    LIMIT_CONCURRENCY  256   requests in flight (uvicorn's limit_concurrency): 503 past it
    HEADER_TIMEOUT_S   10    from a connection's start (or its previous response) to
                             the end of the request headers; then 408 and closed
                             (closed without a word if it never sent a byte)
    KEEP_ALIVE_S       5     an idle keep-alive connection is closed
    BODY_TIMEOUT_S     10    to receive a whole request body; then 408
    MAX_BODY           1 MB  request body; 413 past it (webhook bodies are a few KB)
    MAX_JSON_DEPTH     32    nesting of a JSON body; 400 past it (and for `[` x 100000)

uvicorn has no header or body read timeout and no connection cap of its own
(`limit_concurrency` answers 503 but keeps the socket), so a slow-drip client
could hold a connection and its buffers for ever. `guarded_protocol` is
uvicorn's httptools protocol with the header timer and the connection cap; the
body timer is `read_body`'s. Each refusal is counted in
`aidaily_http_refused_total{reason}`; a client that hangs up mid-body is
routine (DEBUG), everything else is one WARNING line.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

from starlette.requests import ClientDisconnect, Request
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger(__name__)

MAX_CONNECTIONS = 512
LIMIT_CONCURRENCY = 256
HEADER_TIMEOUT_S = 10.0
KEEP_ALIVE_S = 5
BODY_TIMEOUT_S = 10.0
MAX_BODY = 1_000_000
MAX_JSON_DEPTH = 32


class Refused(Exception):
    """A request turned away before any work: `status` for the answer, `reason` for the metric."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


class ClientGone(Refused):
    """The client hung up before its body was in: nobody is left to answer."""

    def __init__(self) -> None:
        super().__init__(400, "client_disconnect", "client disconnected before the body was read")


async def read_body(
    request: Request, *, limit: int = MAX_BODY, timeout_s: float | None = None
) -> bytes:
    """The request body: at most `limit` bytes within `timeout_s` (default BODY_TIMEOUT_S),
    else Refused (413, 408); ClientGone when the client hangs up first."""
    timeout_s = BODY_TIMEOUT_S if timeout_s is None else timeout_s
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise Refused(413, "too_large", f"request body over {limit} bytes")
    chunks, size = [], 0
    try:
        async with asyncio.timeout(timeout_s):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise Refused(413, "too_large", f"request body over {limit} bytes")
                chunks.append(chunk)
    except TimeoutError:
        raise Refused(
            408, "body_timeout", f"request body not received within {timeout_s:g} s"
        ) from None
    except ClientDisconnect:
        raise ClientGone() from None
    return b"".join(chunks)


def secret_matches(given: str | None, expected: str | None) -> bool:
    """A shared secret from a request header, compared in constant time; none configured: no."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def deeper_than(data: Any, limit: int) -> bool:
    """Whether parsed JSON nests more than `limit` arrays/objects deep; iterative, stops early."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False


def load_object(body: bytes, *, max_depth: int = MAX_JSON_DEPTH) -> dict[str, Any]:
    """A JSON object from an untrusted body, or Refused(400) saying what is wrong with it.

    `[` x 100000 makes json.loads give up with a RecursionError within its first
    thousand levels (cheap, and caught); what it does parse is then held to
    `max_depth`, so the models and handlers after it never recurse deeply either.
    """
    try:
        data = json.loads(body)
    except RecursionError:
        raise Refused(400, "malformed", f"JSON nested deeper than {max_depth} levels") from None
    except (ValueError, UnicodeDecodeError):
        raise Refused(400, "malformed", "body is not JSON") from None
    if not isinstance(data, dict):
        raise Refused(400, "malformed", "body is not a JSON object")
    if deeper_than(data, max_depth):
        raise Refused(400, "malformed", f"JSON nested deeper than {max_depth} levels")
    return data


class GuardedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol with a connection cap and a header read timeout.

    Configured by subclassing (`guarded_protocol`): uvicorn builds one per connection.
    """

    max_connections = MAX_CONNECTIONS
    header_timeout_s = HEADER_TIMEOUT_S
    _header_timer: asyncio.TimerHandle | None = None
    _mid_request = False  # some of a request's head has arrived

    def refused(self, reason: str) -> None:
        """Count a connection turned away (set by `guarded_protocol`)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            self.refused("too_many_connections")
            transport.write(_response(503, "too many connections"))
            transport.close()
            return
        self._arm(mid_request=False)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm(mid_request=True)  # each request on a keep-alive connection: the same time

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self, *, mid_request: bool) -> None:
        self._disarm()
        self._mid_request = mid_request
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._headers_late)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request is being answered: its body has read_body's timer
        self.refused("header_timeout")
        if self._mid_request:  # a connection that never said anything just goes
            self.transport.write(_response(408, "request headers too slow"))
        self.transport.close()


def guarded_protocol(
    on_refused: Callable[[str], None],
    *,
    max_connections: int | None = None,
    header_timeout_s: float | None = None,
) -> type[GuardedHttpTools]:
    """`GuardedHttpTools` with its limits (defaults: MAX_CONNECTIONS, HEADER_TIMEOUT_S, read
    now) and `on_refused(reason)` counting each connection turned away
    ("too_many_connections", "header_timeout")."""

    class Configured(GuardedHttpTools):
        def refused(self, reason: str) -> None:
            on_refused(reason)

    Configured.max_connections = MAX_CONNECTIONS if max_connections is None else max_connections
    Configured.header_timeout_s = HEADER_TIMEOUT_S if header_timeout_s is None else header_timeout_s
    return Configured


def _response(status: int, text: str) -> bytes:
    reason = {408: "Request Timeout", 503: "Service Unavailable"}[status]
    body = text.encode()
    head = f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain\r\ncontent-length: {len(body)}"
    return head.encode() + b"\r\nconnection: close\r\n\r\n" + body
