"""A fake feed host: real HTTP on 127.0.0.1 (a free port), one fault per route.

    /rss            a normal Chinese RSS 2.0 feed (records the request headers)
    /slow           200, then one byte every 0.5 s until the client hangs up
                    or the server stops
    /500            500 Internal Server Error
    /malformed      200 with a body that is not a feed
    /big            200 with a body of `big_bytes`, streamed without Content-Length
    /big-declared   the same body, announced by Content-Length
    /loop           302 -> /loop2 -> /loop -> ... forever
    /moved          301 -> /rss
    /etag           a feed with ETag and Last-Modified; a matching conditional
                    request gets 304 (counted in `conditional`, and `not_modified`)
    /delay/NAME     a feed after `delay_s` (counts requests in flight)

`add(path, body, delay_s=..., headers=...)` serves any other body (the benchmarks
use it; `gzip_bomb` makes a body for Content-Encoding: gzip or deflate).
Use as a context manager; `stop()` ends trickles within half a second.
"""

from __future__ import annotations

import sys
import threading
import zlib
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>机器之心</title><link>https://www.jiqizhixin.com/</link>
<item><title>阿里发布通义千问 Qwen4</title><link>https://www.jiqizhixin.com/articles/1?utm_source=rss</link>
<description>&lt;p&gt;阿里巴巴今日发布新一代大模型。&lt;/p&gt;</description>
<pubDate>Mon, 02 Feb 2026 09:00:00 +0800</pubDate></item>
<item><title>字节跳动开源豆包视频模型</title><link>/articles/2</link>
<pubDate>Mon, 02 Feb 2026 11:00:00 +0800</pubDate></item>
</channel></rss>
"""
ETAG = '"v1-feed"'
LAST_MODIFIED = formatdate(1_770_000_000, usegmt=True)


@dataclass
class Route:
    body: bytes
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class FeedServer:
    """A threaded HTTP server for feed fetch tests; see the module docstring for routes."""

    def __init__(self, *, big_bytes: int = 200_000, delay_s: float = 0.3) -> None:
        self.big_bytes = big_bytes
        self.delay_s = delay_s
        self.routes: dict[str, Route] = {}
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.requests: dict[str, int] = {}
        self.headers: dict[str, dict[str, str]] = {}
        self.conditional = 0
        self.not_modified = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.trickles_running = 0
        self.trickle_started = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._serve, name="feed-server", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def add(
        self,
        path: str,
        body: bytes,
        *,
        delay_s: float = 0.0,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> str:
        """Serve `body` at `path` (with extra `headers`); returns its full URL."""
        self.routes[path] = Route(body=body, status=status, delay_s=delay_s, headers=headers or {})
        return self.url + path

    def _serve(self) -> None:
        self._httpd.serve_forever(poll_interval=0.05)  # a short poll: stop() returns quickly

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def count(self, path: str) -> None:
        with self.lock:
            self.requests[path] = self.requests.get(path, 0) + 1


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # the default 5 drops connections when many feeds arrive at once
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up (at its size cap, its deadline) is expected, not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        fake = server

    return Handler


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # A response goes out in one write: headers and body are buffered (up to 1 MB) and
    # flushed once the handler returns. Written apart with Nagle's algorithm on, the body
    # of every response on a reused connection waited for the client's delayed ACK of the
    # headers (+40 ms, on the fake's side only); Nagle stays off for the bigger bodies.
    wbufsize = 1 << 20
    disable_nagle_algorithm = True
    fake: FeedServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read results, not logs
        return

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.fake.count(path)
        if path in self.fake.routes:
            self.fake.headers[path] = dict(self.headers.items())
            self._route(self.fake.routes[path])
            return
        handler = _FIXED.get(path)
        if handler is None and path.startswith("/delay/"):
            handler = _Handler._delayed
        if handler is None:
            self._send(404, b"not found", "text/plain")
            return
        handler(self)

    # -- helpers ------------------------------------------------------------

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, status: int, location: str) -> None:
        self._send(status, b"", "text/plain", {"Location": location})

    def _route(self, route: Route) -> None:
        if route.delay_s and self.fake.stopping.wait(route.delay_s):
            return
        self._send(route.status, route.body, route.content_type, route.headers)

    # -- routes -------------------------------------------------------------

    def _rss(self) -> None:
        self.fake.headers["/rss"] = dict(self.headers.items())
        self._send(200, RSS.encode("utf-8"), "application/rss+xml; charset=utf-8")

    def _slow(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Connection", "close")
        self.end_headers()
        with self.fake.lock:
            self.fake.trickles_running += 1
        self.fake.trickle_started.set()
        try:
            while not self.fake.stopping.is_set():
                self.wfile.write(b" ")
                self.wfile.flush()
                self.fake.stopping.wait(0.5)
        except OSError:
            pass  # the client hung up: exactly what a deadline should do
        finally:
            with self.fake.lock:
                self.fake.trickles_running -= 1
        self.close_connection = True

    def _error(self) -> None:
        self._send(500, b"<html>oops</html>", "text/html")

    def _malformed(self) -> None:
        self._send(200, b"<html><body>\x00\xff this is <b>not a feed", "application/rss+xml")

    def _big(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Connection", "close")
        self.end_headers()
        chunk = b"<!-- padding -->" * 1024
        sent = 0
        try:
            while sent < self.fake.big_bytes and not self.fake.stopping.is_set():
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass  # the client stopped reading at its cap
        self.close_connection = True

    def _big_declared(self) -> None:
        self._send(200, b"x" * self.fake.big_bytes, "application/rss+xml")

    def _etag(self) -> None:
        etag = self.headers.get("If-None-Match")
        since = self.headers.get("If-Modified-Since")
        headers = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED}
        if etag or since:
            with self.fake.lock:
                self.fake.conditional += 1
        if etag == ETAG or (etag is None and since == LAST_MODIFIED):
            with self.fake.lock:
                self.fake.not_modified += 1
            self.send_response(304)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            return
        self._send(200, RSS.encode("utf-8"), "application/rss+xml; charset=utf-8", headers)

    def _delayed(self) -> None:
        with self.fake.lock:
            self.fake.in_flight += 1
            self.fake.max_in_flight = max(self.fake.max_in_flight, self.fake.in_flight)
        stopped = self.fake.stopping.wait(self.fake.delay_s)
        # Leave the count before answering: the client may start its next request at once.
        with self.fake.lock:
            self.fake.in_flight -= 1
        if not stopped:
            self._send(200, RSS.encode("utf-8"), "application/rss+xml; charset=utf-8")


_FIXED = {
    "/rss": _Handler._rss,
    "/slow": _Handler._slow,
    "/500": _Handler._error,
    "/malformed": _Handler._malformed,
    "/big": _Handler._big,
    "/big-declared": _Handler._big_declared,
    "/loop": lambda h: h._redirect(302, "/loop2"),
    "/loop2": lambda h: h._redirect(302, "/loop"),
    "/moved": lambda h: h._redirect(301, "/rss"),
    "/etag": _Handler._etag,
}


def gzip_bomb(decoded_bytes: int, coding: str = "gzip") -> bytes:
    """A body that is `decoded_bytes` of the same byte once decoded, about 1/1000 of it
    on the wire: gzip, zlib-wrapped "deflate", or "raw-deflate" (what many servers send
    as deflate)."""
    wbits = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS, "raw-deflate": -zlib.MAX_WBITS}
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits[coding])
    block = b"<" * (1 << 20)
    parts = [packer.compress(block) for _ in range(decoded_bytes >> 20)]
    parts.append(packer.compress(block[: decoded_bytes & ((1 << 20) - 1)]))
    parts.append(packer.flush())
    return b"".join(parts)
