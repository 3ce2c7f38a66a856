"""Fetch feeds over HTTP(S) and file://, bounded in time, size and concurrency.

`fetch_all` never raises for a feed: every outcome is a `FetchResult`, and a
failure carries a one-line `error` a person can act on ("HTTP 500 Internal
Server Error", "timed out after 15 s", "body over 5000000 bytes").

Limits, all from `FetchSettings`:

- `timeout_s` is a deadline for the WHOLE request (connect, redirects, headers
  and body), so a server trickling one byte a second cannot hold the run.
- `max_bytes` caps the DECODED body while it streams (`pipeline.inflate`): a
  larger body, or a gzip bomb of any ratio, is cut off there and the feed
  reported failed; memory never holds more than the cap per feed.
- `max_redirects`: a redirect loop is a failed feed, not a hang.
- `concurrency` feeds are in flight at once; the deadline starts when a feed's
  turn comes, not while it waits.

Conditional GET: the ETag and Last-Modified of the previous fetch (`FeedState`)
are sent back; a 304 is `ok=True, not_modified=True` with no body.

HTTP is aiohttp: one `ClientSession` per `fetch_each`, its C parser ~1/4 of
httpx's CPU per request (bench/fetch_cost.py). Certificates are checked against
$SSL_CERT_FILE / $SSL_CERT_DIR or certifi's bundle, and HTTP_PROXY / HTTPS_PROXY /
ALL_PROXY / NO_PROXY are honoured (HTTP proxies), both as httpx did before.
"""

from __future__ import annotations

import asyncio
import functools
import os
import ssl
import time
import urllib.request
from collections import Counter
from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aiohttp
import certifi
from aiohttp.connector import Connection

from pipeline.config import FeedSettings, FetchSettings
from pipeline.errors import (
    FeedErrorKind,
    FetchError,
    FetchHTTPError,
    FetchTimeout,
    FetchTooLarge,
)
from pipeline.inflate import ACCEPT_ENCODING, Inflater
from pipeline.store import FeedState

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
# A response header line or field may be this long (aiohttp's default is 8 KB; httpx
# took up to 100 KB of headers): a long Set-Cookie or CSP must not fail a feed.
MAX_HEADER_BYTES = 64 * 1024


@dataclass
class FetchResult:
    """What fetching one feed gave: a body, a 304, or a one-line error."""

    feed: FeedSettings
    ok: bool
    status: int | None
    body: bytes | None
    content_type: str | None
    final_url: str
    etag: str | None
    last_modified: str | None
    not_modified: bool
    error: str | None
    elapsed_ms: int
    error_kind: FeedErrorKind | None = None


@dataclass
class _Got:
    """A completed response, before its status is judged."""

    status: int | None
    reason: str
    body: bytes | None
    content_type: str | None
    final_url: str
    etag: str | None
    last_modified: str | None


async def fetch_all(
    feeds: Sequence[FeedSettings],
    cfg: FetchSettings,
    states: Mapping[str, FeedState | None],
) -> list[FetchResult]:
    """Fetch every feed, at most `cfg.concurrency` at once; results in the order of `feeds`."""
    done = {id(r.feed): r async for r in fetch_each(feeds, cfg, states)}
    return [done[id(f)] for f in feeds]


async def fetch_each(
    feeds: Sequence[FeedSettings],
    cfg: FetchSettings,
    states: Mapping[str, FeedState | None],
) -> AsyncGenerator[FetchResult, None]:
    """Like `fetch_all`, but yields each result as soon as it is in, so a caller can
    parse one feed while the others are still on the wire. A caller that may stop
    early should wrap it in `contextlib.aclosing` so the other fetches are cancelled."""
    turns = asyncio.Semaphore(cfg.concurrency)  # taken before a feed's deadline starts
    left = Counter(_origin(f.url) for f in feeds)  # feeds not yet started, per host
    proxies = _env_proxies()
    async with _session(cfg) as session:

        async def one(feed: FeedSettings) -> FetchResult:
            async with turns:
                origin = _origin(feed.url)
                left[origin] -= 1
                how = _Options(
                    proxy=_proxy_for(feed.url, proxies),
                    # The host's last feed of this fetch: its connection is closed, not kept
                    # idle, so open sockets stay near `concurrency` however many hosts
                    # there are (aiohttp's pool has no cap on idle connections).
                    close=left[origin] == 0,
                )
                return await fetch_one(session, feed, cfg, states.get(feed.id), how)

        tasks = [asyncio.ensure_future(one(f)) for f in feeds]
        try:
            for next_done in asyncio.as_completed(tasks):
                yield await next_done
        finally:
            for task in tasks:  # the caller stopped early: do not leave fetches running
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


def _session(cfg: FetchSettings) -> aiohttp.ClientSession:
    """One session for a whole `fetch_each`: a pool of `concurrency` connections."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=cfg.concurrency, ssl=_tls_context()),
        # Only the codings `Inflater` can undo within the size cap.
        headers={
            "User-Agent": cfg.user_agent,
            "Accept": ACCEPT,
            "Accept-Encoding": ACCEPT_ENCODING,
        },
        # No deadline of aiohttp's own: `fetch_one`'s covers the whole request.
        timeout=aiohttp.ClientTimeout(),
        auto_decompress=False,  # `Inflater` decodes, under `max_bytes` of decoded bytes
        request_class=_ClosingRequest,
        max_line_size=MAX_HEADER_BYTES,
        max_field_size=MAX_HEADER_BYTES,
    )


class _ClosingRequest(aiohttp.ClientRequest):
    """A request that says "Connection: close" closes its connection once answered
    (RFC 9112 9.6). aiohttp would pool it all the same (only a `force_close` connector
    closes), and the next request or redirect hop would meet a server hanging up."""

    async def send(self, conn: Connection) -> aiohttp.ClientResponse:
        if conn.protocol is not None and self.headers.get("Connection", "").lower() == "close":
            conn.protocol.force_close()
        return await super().send(conn)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The CA certificates httpx trusted before us: $SSL_CERT_FILE or $SSL_CERT_DIR when
    set, else certifi's bundle. Built once: loading the bundle takes ~20 ms."""
    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    if os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    return ssl.create_default_context(cafile=certifi.where())


def _env_proxies() -> dict[str, str]:
    """HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY (either case), read once per fetch.
    aiohttp's own `trust_env` would read them per request, in a thread."""
    return urllib.request.getproxies_environment()


def _proxy_for(url: str, proxies: Mapping[str, str]) -> str | None:
    """The proxy for `url`, as httpx picked it: by scheme, else ALL_PROXY, unless NO_PROXY
    names the host. Only HTTP proxies (aiohttp speaks no SOCKS)."""
    if not proxies:
        return None
    parts = urlsplit(url)
    proxy = proxies.get(parts.scheme.lower()) or proxies.get("all")
    if not proxy or not proxy.lower().startswith(("http://", "https://")):
        return None
    if urllib.request.proxy_bypass(parts.netloc.rpartition("@")[2]):  # reads NO_PROXY
        return None
    return proxy


def _origin(url: str) -> str:
    """host:port of a URL, lower case: what a kept-alive connection is for."""
    return url.split("/", 3)[2].rpartition("@")[2].lower() if "://" in url else url


@dataclass(frozen=True)
class _Options:
    """How `fetch_each` wants one feed fetched: through which proxy, and whether to close."""

    proxy: str | None = None
    close: bool = False


async def fetch_one(
    session: aiohttp.ClientSession,
    feed: FeedSettings,
    cfg: FetchSettings,
    state: FeedState | None,
    how: _Options = _Options(),
) -> FetchResult:
    """Fetch one feed within its deadline; never raises (except on cancellation)."""
    started = time.monotonic()
    try:
        async with asyncio.timeout(cfg.timeout_s):
            if feed.url.lower().startswith("file://"):
                got = await asyncio.to_thread(_read_file, feed.url, cfg.max_bytes)
            else:
                got = await _get(session, feed.url, cfg, state, how)
        return _judge(feed, got, state, _ms(started))
    except FetchError as exc:
        status = getattr(exc, "status", None)
        return _failed(feed, str(exc), _ms(started), status=status, kind=_kind(exc))
    except TimeoutError:  # aiohttp's own timeouts are TimeoutErrors too
        why = f"timed out after {cfg.timeout_s:g} s"
        return _failed(feed, why, _ms(started), kind="timeout")
    except aiohttp.TooManyRedirects:
        why = f"too many redirects (more than {cfg.max_redirects}; a redirect loop?)"
        return _failed(feed, why, _ms(started), kind="redirects")
    except Exception as exc:  # one bad feed must never stop the others
        kind: FeedErrorKind = "network" if isinstance(exc, aiohttp.ClientError) else "other"
        return _failed(feed, _describe(exc), _ms(started), kind=kind)


async def _get(
    session: aiohttp.ClientSession,
    url: str,
    cfg: FetchSettings,
    state: FeedState | None,
    how: _Options,
) -> _Got:
    headers = _conditional_headers(state)
    if how.close:
        headers["Connection"] = "close"
    async with session.get(
        url,
        headers=headers,
        proxy=how.proxy,
        # aiohttp fails AT its Nth redirect; `max_redirects: N` follows N (as httpx did).
        max_redirects=cfg.max_redirects + 1,
    ) as resp:
        declared = resp.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cfg.max_bytes:
            raise FetchTooLarge(f"body over {cfg.max_bytes} bytes")
        body = b""
        # Read only 2xx bodies: an error page or a 304 has nothing we want.
        if 200 <= resp.status < 300:
            body = await _read_body(resp, cfg.max_bytes)
        return _Got(
            status=resp.status,
            reason=resp.reason or "",
            body=body,
            content_type=_header(resp, "Content-Type"),
            final_url=str(resp.url),
            etag=_header(resp, "ETag"),
            last_modified=_header(resp, "Last-Modified"),
        )


async def _read_body(resp: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """The decoded body, decoded here rather than by aiohttp: it would inflate a whole
    network chunk at once, where `Inflater` stops at `max_bytes` of decoded bytes."""
    inflater = Inflater(resp.headers.get("Content-Encoding"), max_bytes)
    async for raw in resp.content.iter_any():
        inflater.feed(raw)
    return inflater.finish()


def _header(resp: aiohttp.ClientResponse, name: str) -> str | None:
    """A response header; a repeated one joined with ", " (as RFC 9110 and httpx do)."""
    values = resp.headers.getall(name, ())
    return ", ".join(values) if values else None


def _conditional_headers(state: FeedState | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if state and state.etag:
        headers["If-None-Match"] = state.etag
    if state and state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def _read_file(url: str, max_bytes: int) -> _Got:
    """Read a file:// feed (in a worker thread) under the same size cap as HTTP."""
    parts = urlsplit(url)
    path = Path(unquote(parts.path))
    try:
        with path.open("rb") as fh:
            body = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise FetchError(f"file not found: {path}") from None
    except IsADirectoryError:
        raise FetchError(f"not a file: {path}") from None
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(body) > max_bytes:
        raise FetchTooLarge(f"body over {max_bytes} bytes")
    return _Got(None, "", body, None, url, None, None)


def _judge(feed: FeedSettings, got: _Got, state: FeedState | None, elapsed_ms: int) -> FetchResult:
    """The one place a status code becomes a result: 2xx body, 304 not modified, else failed."""
    status = got.status
    if status is not None and status >= 300 and status != 304:
        why = f"HTTP {status} {got.reason}".strip()
        return _failed(feed, why, elapsed_ms, status=status, final_url=got.final_url, kind="http")
    not_modified = status == 304
    return FetchResult(
        feed=feed,
        ok=True,
        status=status,
        body=None if not_modified else got.body,
        content_type=got.content_type,
        final_url=got.final_url,
        etag=got.etag or (state.etag if not_modified and state else None),
        last_modified=got.last_modified
        or (state.last_modified if not_modified and state else None),
        not_modified=not_modified,
        error=None,
        elapsed_ms=elapsed_ms,
    )


def _failed(
    feed: FeedSettings,
    error: str,
    elapsed_ms: int,
    *,
    status: int | None = None,
    final_url: str | None = None,
    kind: FeedErrorKind = "other",
) -> FetchResult:
    return FetchResult(
        feed=feed,
        ok=False,
        status=status,
        body=None,
        content_type=None,
        final_url=final_url or feed.url,
        etag=None,
        last_modified=None,
        not_modified=False,
        error=_one_line(error),
        elapsed_ms=elapsed_ms,
        error_kind=kind,
    )


def _kind(exc: FetchError) -> FeedErrorKind:
    if isinstance(exc, FetchTimeout):
        return "timeout"
    if isinstance(exc, FetchTooLarge):
        return "too_large"
    return "http" if isinstance(exc, FetchHTTPError) else "other"


def _describe(exc: BaseException) -> str:
    """A one-line reason for an unexpected failure: what kind, and what it said (never the
    URL, which aiohttp's own texts carry and may hold a token)."""
    if isinstance(exc, aiohttp.ClientConnectorError):  # refused, DNS, TLS, proxy
        return f"cannot connect: {_one_line(str(exc.os_error)) or 'connection failed'}"
    if isinstance(exc, aiohttp.NonHttpUrlClientError):
        where = "a redirect" if isinstance(exc, aiohttp.RedirectClientError) else "the URL"
        return f"invalid URL: {where} is not http:// or https://"
    if isinstance(exc, aiohttp.InvalidURL):  # unparsable, or no host in it
        why = exc.description or (exc.__cause__ and str(exc.__cause__)) or "no host in it"
        return f"invalid URL: {_one_line(why)}"
    if isinstance(exc, aiohttp.ClientResponseError):  # a response aiohttp could not parse
        text = _one_line(exc.message).removesuffix(" ^")  # its parser's caret under the fault
    else:
        text = _one_line(str(exc))
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
