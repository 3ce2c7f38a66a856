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
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

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
    # `concurrency` lanes, each a client with one connection, rather than one client with a
    # pool of `concurrency`: httpcore's pool does work quadratic in its connections on every
    # request (encode/httpcore#1035, #928: each idle connection polled and counted), which
    # was half of the main process's CPU over 1,000 feeds. A feed waits for a free lane.
    lanes: asyncio.Queue[httpx.AsyncClient] = asyncio.Queue()
    async with contextlib.AsyncExitStack() as stack:
        tls = httpx.create_ssl_context()  # one for all lanes: each loads the CA bundle
        for _ in range(max(1, min(cfg.concurrency, len(feeds)))):
            lanes.put_nowait(await stack.enter_async_context(_client(cfg, tls)))

        async def one(feed: FeedSettings) -> FetchResult:
            client = await lanes.get()
            try:
                return await fetch_one(client, feed, cfg, states.get(feed.id))
            finally:
                lanes.put_nowait(client)

        tasks = [asyncio.ensure_future(one(f)) for f in feeds]
        try:
            for next_done in asyncio.as_completed(tasks):
                yield await next_done
        finally:
            for task in tasks:  # the caller stopped early: do not leave fetches running
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


def _client(cfg: FetchSettings, tls: ssl.SSLContext) -> httpx.AsyncClient:
    """One lane of `fetch_each`: a client that keeps one connection alive."""
    return httpx.AsyncClient(
        # Only the codings `Inflater` can undo within the size cap.
        headers={
            "User-Agent": cfg.user_agent,
            "Accept": ACCEPT,
            "Accept-Encoding": ACCEPT_ENCODING,
        },
        timeout=httpx.Timeout(cfg.timeout_s),
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        verify=tls,
        follow_redirects=True,
        max_redirects=cfg.max_redirects,
    )


async def fetch_one(
    client: httpx.AsyncClient, feed: FeedSettings, cfg: FetchSettings, state: FeedState | None
) -> FetchResult:
    """Fetch one feed within its deadline; never raises (except on cancellation)."""
    started = time.monotonic()
    try:
        async with asyncio.timeout(cfg.timeout_s):
            if feed.url.lower().startswith("file://"):
                got = await asyncio.to_thread(_read_file, feed.url, cfg.max_bytes)
            else:
                got = await _get(client, feed.url, cfg.max_bytes, state)
        return _judge(feed, got, state, _ms(started))
    except FetchError as exc:
        status = getattr(exc, "status", None)
        return _failed(feed, str(exc), _ms(started), status=status, kind=_kind(exc))
    except (TimeoutError, httpx.TimeoutException):
        why = f"timed out after {cfg.timeout_s:g} s"
        return _failed(feed, why, _ms(started), kind="timeout")
    except httpx.TooManyRedirects:
        why = f"too many redirects (more than {cfg.max_redirects}; a redirect loop?)"
        return _failed(feed, why, _ms(started), kind="redirects")
    except Exception as exc:  # one bad feed must never stop the others
        kind: FeedErrorKind = "network" if isinstance(exc, httpx.TransportError) else "other"
        return _failed(feed, _describe(exc), _ms(started), kind=kind)


async def _get(
    client: httpx.AsyncClient, url: str, max_bytes: int, state: FeedState | None
) -> _Got:
    headers = _conditional_headers(state)
    async with client.stream("GET", url, headers=headers) as resp:
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise FetchTooLarge(f"body over {max_bytes} bytes")
        body = b""
        # Read only 2xx bodies: an error page or a 304 has nothing we want.
        if 200 <= resp.status_code < 300:
            body = await _read_body(resp, max_bytes)
        return _Got(
            status=resp.status_code,
            reason=resp.reason_phrase,
            body=body,
            content_type=resp.headers.get("content-type"),
            final_url=str(resp.url),
            etag=resp.headers.get("etag"),
            last_modified=resp.headers.get("last-modified"),
        )


async def _read_body(resp: httpx.Response, max_bytes: int) -> bytes:
    """The decoded body, decoded here rather than by httpx: it would inflate a whole
    network chunk at once, where `Inflater` stops at `max_bytes` of decoded bytes."""
    inflater = Inflater(resp.headers.get("content-encoding"), max_bytes)
    async for raw in resp.aiter_raw():
        inflater.feed(raw)
    return inflater.finish()


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
    """A one-line reason for an unexpected failure: what kind, and what it said."""
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {_one_line(str(exc)) or 'connection failed'}"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"invalid URL: {_one_line(str(exc))}"
    text = _one_line(str(exc))
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
