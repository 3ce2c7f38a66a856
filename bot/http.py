"""The HTTP side of `aidaily serve`: health, metrics, the digest API, web pages, RSS, webhooks.

Starlette on uvicorn, because both are already dependencies and are thin: the
app is a list of plain async handlers that run in the same asyncio loop as the
Telegram Application and the AsyncIOScheduler (`uvicorn.Server.serve()` is a
coroutine we can start and stop ourselves), so one process shares one Store and
one Metrics. aiohttp would bring a second HTTP stack and its own runner for no gain.

    GET  /healthz               200 {"redis": "ok", "last_run": …}; 503 when Redis is down
    GET  /metrics               Prometheus text
    GET  /api/digests/latest    the digest JSON (README, "The digest JSON")
    GET  /api/digests/{date}    same, 400 on a bad date, 404 when none is stored
    GET  /api/search?q=WORD     the archive's items holding WORD, newest first (ten); 400 on a bad q
    GET  /search?q=WORD         the same as a page (the search box on every page)
    GET  /                      the latest digest as a page
    GET  /d/{date}              that date's page
    GET  /archive               every stored date
    GET  /feed.xml              RSS 2.0, one item per digest date
    POST /feishu/events         FeishuEvents.handle_http (feishu.events: http)
    POST /feishu/card           the same, for Feishu's card callback URL (button presses)
    POST /telegram/webhook      bot.telegram.bot.handle_webhook (telegram.mode: webhook)

An internal failure answers 503 with a fixed text and a request id, never its detail
(which may name hosts or credentials); the log line with the detail has the same id.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from bot import http_guard
from bot.archive import SEARCH_PROBLEM_ZH
from bot.metrics import CONTENT_TYPE, Metrics
from bot.push import CHANNEL_NAMES
from pipeline.config import Settings
from pipeline.errors import StoreError
from pipeline.models import Digest, iso_date
from pipeline.render import html as web
from pipeline.render import render_json
from pipeline.search import QUERY_PROBLEM_EN, Query, parse_query
from pipeline.store import Store

log = logging.getLogger(__name__)

REDIS_PROBE_S = 2.0
RSS_DAYS = 30
RENDER_CACHE_SIZE = 32  # a few days' JSON and pages, with and without the "not built yet" note
# Readers may keep a digest a minute; a rebuilt one is then seen within a minute, and a
# conditional GET (ETag) costs one Redis read and no rendering.
CACHE_CONTROL = "public, max-age=60"
JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
RSS_TYPE = "application/rss+xml; charset=utf-8"

Clock = Callable[[], datetime]

SEARCH_RESULTS = 10
MAX_SHOWN = 100  # characters of a bad query echoed back in the search box


@dataclass(frozen=True)
class Rendered:
    """A response body made once: its bytes, media type, ETag, and what it was made from."""

    body: bytes
    media_type: str
    etag: str
    sources: tuple[Any, ...]  # kept alive so an id() in the cache key cannot be reused

    @classmethod
    def of(cls, text: str | bytes, media_type: str, sources: tuple[Any, ...]) -> Rendered:
        body = text.encode() if isinstance(text, str) else text
        return cls(body, media_type, f'"{hashlib.sha1(body).hexdigest()[:20]}"', sources)

    def response(self, request: Request) -> Response:
        """200 with the body, or 304 when the client already holds this ETag."""
        headers = {"ETag": self.etag, "Cache-Control": CACHE_CONTROL}
        if _etag_matches(request.headers.get("if-none-match"), self.etag):
            return Response(status_code=304, headers=headers)
        return Response(self.body, media_type=self.media_type, headers=headers)


class RenderCache:
    """The last few rendered bodies, keyed by the digest objects they were made from.

    `Store.get_digest` returns the same Digest object while the stored bytes are
    unchanged and a new one as soon as they change (another process saving the
    same date included), so a key holding `id(digest)` can never serve an old
    rendering of a rebuilt digest; the entry holds the digest itself, so the id
    stays unique while the entry lives.
    """

    def __init__(self, size: int = RENDER_CACHE_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Rendered] = OrderedDict()

    def get(self, key: Hashable, make: Callable[[], Rendered]) -> Rendered:
        """The cached rendering for `key`, or `make()`'s, remembered (least recently used goes)."""
        hit = self._entries.get(key)
        if hit is not None:
            self._entries.move_to_end(key)
            return hit
        made = make()
        self._entries[key] = made
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return made


class BadDate(ValueError):
    """A date in a path that is not YYYY-MM-DD."""


def parse_day(text: str) -> str:
    """The date as YYYY-MM-DD, or BadDate with a message that says what works."""
    day = iso_date(text)
    if day is None:
        raise BadDate(f"bad date {text[:40]!r}: expected YYYY-MM-DD, e.g. 2026-02-03")
    return day.isoformat()


class Server:
    """The handlers, bound to one settings, store and metrics."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        metrics: Metrics | None = None,
        telegram_app: Any = None,
        feishu_events: Any = None,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.metrics = metrics or Metrics()
        self.telegram_app = telegram_app  # set only in webhook mode
        self.feishu_events = feishu_events  # set only when feishu.events is http
        self.now = clock or (lambda: datetime.now(UTC))
        self.cache = RenderCache()
        self._feed: tuple[Hashable, Rendered] | None = None
        self._latest: str | None = None  # the newest date seen: one Redis round trip while it is

    # -- health and metrics ---------------------------------------------------

    async def healthz(self, request: Request) -> Response:
        redis_ok, error = await self._probe()
        if not redis_ok:
            return _internal_error(request, error, logging.INFO)
        last = await self._last_run()
        today = self.settings.today(self.now()).isoformat()
        failed_today = bool(last and last.get("date") == today and last.get("ok") is False)
        # README, "Deployment": 200 whenever Redis answers. A failed run is reported in the body
        # ("degraded"), not as a 503: restarting the container would not fix a feed.
        body: dict[str, Any] = {
            "status": "degraded" if failed_today else "ok",
            "redis": "ok",
            "today": today,
            "last_run": last,
            "last_run_age_s": self._age(last),
        }
        if failed_today:
            body["error"] = f"today's run failed: {last.get('error') if last else ''}"
        return JSONResponse(body)

    async def _probe(self) -> tuple[bool, str]:
        try:
            await asyncio.wait_for(self.store.ping(), REDIS_PROBE_S)
        except TimeoutError:
            self.metrics.redis_up.set(0)
            return False, f"no answer from Redis at {self.store.url} within {REDIS_PROBE_S:.0f} s"
        except StoreError as exc:
            self.metrics.redis_up.set(0)
            return False, str(exc)
        self.metrics.redis_up.set(1)
        return True, ""

    async def _last_run(self) -> dict[str, Any] | None:
        try:
            return await self.store.get_last_run()
        except (StoreError, ValueError):
            return None

    def _age(self, last: dict[str, Any] | None) -> float | None:
        stamp = (last or {}).get("finished_at") or (last or {}).get("started_at")
        if not stamp:
            return None
        try:
            when = datetime.fromisoformat(str(stamp))
        except ValueError:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return round((self.now() - when).total_seconds(), 1)

    async def metrics_text(self, request: Request) -> Response:
        await self._probe()
        for channel in CHANNEL_NAMES:
            try:
                self.metrics.subscribers.labels(channel=channel).set(
                    await self.store.count_subscribers(channel)
                )
            except StoreError:
                break  # Redis is down: the redis_up gauge already says so
        return Response(self.metrics.render(), media_type=CONTENT_TYPE)

    # -- the digest API ---------------------------------------------------------

    async def api_latest(self, request: Request) -> Response:
        digest = await self.store.latest_digest_hinted(self._latest)
        self._latest = digest.date if digest is not None else None
        if digest is None:
            return _json_error(
                404, "no digest is stored yet: run `aidaily run` or wait for the daily run"
            )
        return self._json(digest).response(request)

    async def api_day(self, request: Request) -> Response:
        try:
            day = parse_day(request.path_params["day"])
        except BadDate as exc:
            return _json_error(400, str(exc))
        digest = await self.store.get_digest(day)
        if digest is None:
            return _json_error(404, f"no digest stored for {day}")
        return self._json(digest).response(request)

    def _json(self, digest: Digest) -> Rendered:
        return self.cache.get(
            ("json", id(digest)),
            lambda: Rendered.of(render_json(digest), JSON_TYPE, (digest,)),
        )

    # -- search -----------------------------------------------------------------

    async def api_search(self, request: Request) -> Response:
        query = parse_query(request.query_params.get("q", ""))
        if not isinstance(query, Query):
            return _json_error(400, QUERY_PROBLEM_EN[query])
        hits = await self.store.search(query, SEARCH_RESULTS)
        items = [
            {"date": day, "url": f"/d/{day}#item-{item.n}", **item.model_dump(mode="json")}
            for day, item in hits
        ]
        return JSONResponse({"query": query.text, "count": len(items), "items": items})

    async def page_search(self, request: Request) -> Response:
        text = request.query_params.get("q", "")
        query = parse_query(text)
        if not isinstance(query, Query):
            said = "请输入要搜索的词。" if query == "empty" else SEARCH_PROBLEM_ZH[query]
            page = web.render_message("搜索词有误", said, text[:MAX_SHOWN])
            return HTMLResponse(page, status_code=400)
        hits = await self.store.search(query, SEARCH_RESULTS)
        return HTMLResponse(web.render_search(query.text, hits, self.settings.timezone))

    # -- web pages ----------------------------------------------------------------

    async def page_latest(self, request: Request) -> Response:
        # One index read serves both the choice of digest and the page's links to other days.
        dates = await self.store.list_dates()
        digest = await self._newest(dates)
        if digest is None:
            return HTMLResponse(
                web.render_message("AI每日动态", "还没有日报：每日定时任务生成后会显示在这里。")
            )
        today = self.settings.today(self.now()).isoformat()
        note = None if digest.date == today else f"今日日报尚未生成，以下为 {digest.date} 的日报"
        return self._page(digest, dates, note).response(request)

    async def _newest(self, dates: list[str]) -> Digest | None:
        """The newest digest that is still stored and readable (as `Store.latest_digest`)."""
        for day in dates[:10]:
            digest = await self.store.get_digest(day)
            if digest is not None:
                return digest
        return None

    async def page_day(self, request: Request) -> Response:
        try:
            day = parse_day(request.path_params["day"])
        except BadDate as exc:
            return HTMLResponse(web.render_message("日期有误", str(exc)), status_code=400)
        digest = await self.store.get_digest(day)
        if digest is None:
            return HTMLResponse(
                web.render_message("没有这一天的日报", f"{day} 没有存档的日报。"), status_code=404
            )
        return self._page(digest, await self.store.list_dates(), None).response(request)

    def _page(self, digest: Digest, dates: list[str], note: str | None) -> Rendered:
        # The page shows the digest, the note and links to the days before and after:
        # exactly what the key holds, so a new day in the archive changes the page.
        around = web.neighbours(digest.date, dates)
        return self.cache.get(
            ("page", id(digest), note, around),
            lambda: Rendered.of(web.render_page(digest, dates, note), HTML_TYPE, (digest,)),
        )

    async def archive(self, request: Request) -> Response:
        return HTMLResponse(web.render_archive(await self.store.list_dates()))

    async def feed(self, request: Request) -> Response:
        digests = []
        for day in await self.store.list_dates(limit=RSS_DAYS):
            digest = await self.store.get_digest(day)
            if digest is not None:
                digests.append(digest)
        base = str(request.base_url)
        # Keyed by date and build time, not object identity: with more days stored than
        # the store's parse cache holds, the 30 digests are new objects on every read.
        # A rebuilt digest always has a new `generated_at` (run() stamps it), and one
        # slot is enough: feed readers poll, and they all ask for the same thing.
        key = (base, *((d.date, d.generated_at) for d in digests))
        if self._feed is None or self._feed[0] != key:
            self._feed = (key, Rendered.of(web.render_rss(digests, base), RSS_TYPE, ()))
        return self._feed[1].response(request)

    # -- webhooks -------------------------------------------------------------------

    async def feishu(self, request: Request) -> Response:
        if self.feishu_events is None:
            return _json_error(
                404,
                "Feishu events over HTTP are off (feishu.events is not http, or no app credentials)",
            )
        try:
            body = await http_guard.read_body(request)
        except http_guard.Refused as exc:
            return self.refused(request, exc)
        status, answer = await self.feishu_events.handle_http(body, dict(request.headers))
        if status >= 400:
            self.metrics.http_refused.labels(reason="rejected").inc()
        return JSONResponse(answer, status_code=status)

    async def telegram(self, request: Request) -> Response:
        if self.telegram_app is None:
            return _json_error(
                404, "the Telegram webhook is off (telegram.mode is not webhook, or no token)"
            )
        secret = request.headers.get("x-telegram-bot-api-secret-token")
        if not http_guard.secret_matches(secret, self.settings.telegram.webhook_secret):
            self.metrics.http_refused.labels(reason="rejected").inc()
            return Response(status_code=403)  # before the body is read: it is a stranger's
        try:
            body = await http_guard.read_body(request)
        except http_guard.Refused as exc:
            return self.refused(request, exc)
        from bot.telegram.bot import (
            handle_webhook,  # wiring: bot/telegram/bot.py owns the update handling
        )

        status = await handle_webhook(
            self.telegram_app, body, secret, self.settings.telegram.webhook_secret
        )
        if status >= 400:
            self.metrics.http_refused.labels(reason="rejected").inc()
        return Response(status_code=status)

    def refused(self, request: Request, exc: http_guard.Refused) -> Response:
        """Count and log (one line) a request turned away by `bot.http_guard`; answer it."""
        self.metrics.http_refused.labels(reason=exc.reason).inc()
        # A client hanging up mid-body is routine on the internet, not an error of ours.
        level = logging.DEBUG if isinstance(exc, http_guard.ClientGone) else logging.WARNING
        log.log(
            level, "HTTP %s %s refused (%d): %s", request.method, request.url.path, exc.status, exc
        )
        answer = _json_error(exc.status, str(exc))
        # The rest of the body is still on the wire: this connection cannot carry another request.
        answer.headers["Connection"] = "close"
        return answer

    def routes(self) -> list[Route]:
        return [
            Route("/healthz", self.healthz, methods=["GET", "HEAD"]),
            Route("/metrics", self.metrics_text, methods=["GET"]),
            Route("/api/digests/latest", self.api_latest, methods=["GET"]),
            Route("/api/digests/{day}", self.api_day, methods=["GET"]),
            Route("/api/search", self.api_search, methods=["GET"]),
            Route("/search", self.page_search, methods=["GET", "HEAD"]),
            Route("/", self.page_latest, methods=["GET", "HEAD"]),
            Route("/d/{day}", self.page_day, methods=["GET", "HEAD"]),
            Route("/archive", self.archive, methods=["GET", "HEAD"]),
            Route("/feed.xml", self.feed, methods=["GET", "HEAD"]),
            Route("/feishu/events", self.feishu, methods=["POST"]),
            Route("/feishu/card", self.feishu, methods=["POST"]),
            Route("/telegram/webhook", self.telegram, methods=["POST"]),
        ]


def create_app(settings: Settings, store: Store, **kwargs: Any) -> Starlette:
    """The ASGI app of the service (kwargs: metrics, telegram_app, feishu_events, clock)."""
    server = Server(settings, store, **kwargs)
    app = Starlette(routes=server.routes(), exception_handlers={StoreError: _store_down})
    app.state.server = server
    return app


async def _store_down(request: Request, exc: Exception) -> Response:
    return _internal_error(request, str(exc))


# What a client reads when something inside failed: never the detail (it may name hosts,
# URLs or credentials), only an id to quote; the log line with the detail carries it too.
UNAVAILABLE = "service temporarily unavailable"


def _internal_error(request: Request, detail: str, level: int = logging.WARNING) -> JSONResponse:
    request_id = uuid.uuid4().hex[:12]
    log.log(
        level, "HTTP %s %s: %s [request %s]", request.method, request.url.path, detail, request_id
    )
    body = {"status": "fail", "error": UNAVAILABLE, "request_id": request_id}
    return JSONResponse(body, status_code=503, headers={"X-Request-Id": request_id})


def _etag_matches(header: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names this ETag (weak comparison, as RFC 9110 asks)."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


def _json_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
