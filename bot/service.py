"""`aidaily serve`: the schedule, the Telegram bot, the Feishu bot and the HTTP server in one loop.

Start order: store → HTTP server (so /healthz answers while the rest starts) →
Telegram → Feishu → scheduler (whose first tick is the start-up catch-up).

Stop (SIGTERM or SIGINT), within `STOP_DEADLINE_S` (under Docker's and
systemd's 10 s): first stop taking work — the HTTP listener, Telegram polling,
the Feishu long connection and the scheduler's triggers, all at once — then the
push in flight is cancelled: `bot.delivery` lets a part already on the wire
finish and be recorded, and hands every part not yet sent back to the ledger,
so the next start sends exactly what is missing. The store closes last.
A channel without credentials is off and says so once, here.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import socket
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import uvicorn

from bot import http_guard
from bot.commands import Commands
from bot.http import create_app
from bot.metrics import Metrics
from bot.schedule import DailyScheduler
from pipeline.config import Settings
from pipeline.errors import AidailyError, ConfigError
from pipeline.store import Store, connect

if TYPE_CHECKING:  # imported when a channel is on, in the methods that start it
    from bot.feishu.events import FeishuEvents
    from bot.telegram.bot import TelegramApp

log = logging.getLogger(__name__)

STOP_DEADLINE_S = 9.0
HTTP_GRACE_S = 3.0
TELEGRAM_RETRY_MAX_S = 300.0


class _Uvicorn(uvicorn.Server):
    """uvicorn.Server without its own signal handling: `serve` owns SIGTERM/SIGINT.

    uvicorn's `capture_signals` would replace our handlers and re-raise the signal
    after its own shutdown, killing the process before the bots and the push stop.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, or a one-line error naming the setting to change."""
    try:
        family, kind, proto, _, _ = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        # proto must be IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted
        # connections only then, and without it every answer waits ~40 ms (Nagle
        # against delayed ACK): 220 req/s instead of 900 in bench/server.py.
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise ConfigError(
            f"server: cannot listen on {host}:{port}: {exc.strerror or exc}"
        ) from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        why = exc.strerror or str(exc)
        raise ConfigError(
            f"server: cannot listen on {host}:{port}: {why} (set server.port or AIDAILY_HTTP_PORT)"
        ) from None
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def http_config(app: Any, metrics: Metrics) -> uvicorn.Config:
    """uvicorn as `serve` runs it: our logging, no server header, and the input guards."""
    refused = metrics.http_refused
    return uvicorn.Config(
        app,
        lifespan="off",
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=int(HTTP_GRACE_S),
        server_header=False,
        # Slow-drip and connection floods: bot/http_guard.py (README, "Deployment").
        http=http_guard.guarded_protocol(lambda reason: refused.labels(reason=reason).inc()),
        limit_concurrency=http_guard.LIMIT_CONCURRENCY,
        timeout_keep_alive=http_guard.KEEP_ALIVE_S,
    )


class Service:
    """Everything `aidaily serve` runs, started and stopped together."""

    def __init__(
        self, settings: Settings, store: Store, *, metrics: Metrics | None = None, **schedule: Any
    ) -> None:
        self.settings = settings
        self.store = store
        self.metrics = metrics or Metrics()
        self.scheduler = DailyScheduler(settings, store, metrics=self.metrics, **schedule)
        self.commands = Commands(store, settings, self.metrics)  # one for every channel
        self.telegram_app: TelegramApp | None = None
        self.feishu_events: FeishuEvents | None = None
        self.http: _Uvicorn | None = None
        self.port: int | None = None
        self.http_task: asyncio.Task[Any] | None = (
            None  # its end while running means the server died
        )
        self._tasks: list[asyncio.Task[Any]] = []  # start-up helpers (Telegram's retrying start)

    async def start(self, sock: socket.socket | None = None) -> None:
        """Bring up HTTP (on `sock` when already bound), the bots and the schedule; say once
        which channel is off and why."""
        self._announce_channels()
        self.feishu_events = self._feishu_events()
        webhook = self.settings.telegram_enabled and self.settings.telegram.mode == "webhook"
        if self.settings.telegram_enabled:
            self.telegram_app = self._telegram_app()
        await self._start_http(self.telegram_app if webhook else None, sock)
        if self.telegram_app is not None:
            self._tasks.append(asyncio.create_task(self._start_telegram(webhook)))
        self._start_feishu_ws()
        self.scheduler.start()

    async def stop(self) -> None:
        """Stop taking work, let what is on the wire finish, hand back the rest; bounded."""
        try:
            await asyncio.wait_for(self._stop(), STOP_DEADLINE_S)
        except TimeoutError:
            log.error(
                "serve: shutdown took over %.0f s; exiting anyway (unsent parts are re-sent on start)",
                STOP_DEADLINE_S,
            )
        log.info("serve: stopped")

    async def _stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self.http is not None:
            self.http.should_exit = True
        await asyncio.gather(
            self._stop_telegram(),
            asyncio.to_thread(self._stop_feishu_ws),
            self.scheduler.stop(timeout=STOP_DEADLINE_S - 2),
            return_exceptions=True,
        )
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.http_task is not None:
            await asyncio.gather(self.http_task, return_exceptions=True)

    # -- HTTP --------------------------------------------------------------------------

    async def _start_http(
        self, telegram_app: TelegramApp | None, sock: socket.socket | None = None
    ) -> None:
        app = create_app(
            self.settings,
            self.store,
            metrics=self.metrics,
            telegram_app=telegram_app,
            feishu_events=self.feishu_events if self.settings.feishu.events == "http" else None,
        )
        sock = sock or bind(self.settings.server.host, self.settings.server.port)
        self.port = sock.getsockname()[1]
        self.http = _Uvicorn(http_config(app, self.metrics))
        task = asyncio.create_task(self.http.serve(sockets=[sock]))
        self.http_task = task
        while not self.http.started and not task.done():
            await asyncio.sleep(0.01)
        if task.done():
            task.result()  # surfaces the reason uvicorn could not start
        log.info("http: listening on http://%s:%d", self.settings.server.host, self.port)

    # -- Telegram ----------------------------------------------------------------------

    def _telegram_app(self) -> TelegramApp:
        from bot.telegram.bot import (
            build_application,  # wiring: bot/telegram/bot.py owns the handlers
        )

        return build_application(self.settings, self.store, self.commands)

    async def _start_telegram(self, webhook: bool) -> None:
        """Start polling or the webhook, with retries: a network blip at start must not
        leave the bot off all day; a refused token is said once and left off."""
        from telegram.error import InvalidToken, TelegramError

        from bot.telegram.bot import start_telegram  # wiring: bot/telegram/bot.py

        app, delay = self.telegram_app, 5.0
        assert app is not None
        while True:
            try:
                await start_telegram(app, self.settings)
                break
            except InvalidToken:
                log.error(
                    "telegram: the bot token was refused; Telegram stays off (check TELEGRAM_BOT_TOKEN)"
                )
                return
            except (TelegramError, OSError) as exc:
                log.warning("telegram: cannot start (%s); retrying in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, TELEGRAM_RETRY_MAX_S)
        how = f"webhook {self.settings.telegram.webhook_url}" if webhook else "polling"
        log.info("telegram: @%s on %s", app.bot.username, how)

    async def _stop_telegram(self) -> None:
        if self.telegram_app is None:
            return
        from bot.telegram.bot import stop_telegram

        await stop_telegram(self.telegram_app)

    # -- Feishu --------------------------------------------------------------------------

    def _feishu_events(self) -> FeishuEvents | None:
        if not self.settings.feishu_app_enabled:
            return None
        from bot.feishu.events import FeishuEvents  # wiring: bot/feishu/events.py owns the events

        return FeishuEvents(self.settings, self.store, commands=self.commands)

    def _start_feishu_ws(self) -> None:
        if self.feishu_events is None or self.settings.feishu.events != "ws":
            return
        # lark's ws client blocks: start_ws runs it in a thread of its own and
        # answers messages on this loop.
        self.feishu_events.start_ws(asyncio.get_running_loop())
        log.info("feishu: receiving events over the long connection")

    def _stop_feishu_ws(self) -> None:
        if self.feishu_events is not None and self.settings.feishu.events == "ws":
            self.feishu_events.stop_ws(timeout=STOP_DEADLINE_S / 2)

    def _announce_channels(self) -> None:
        s = self.settings
        if not s.telegram_enabled:
            log.info("telegram: off (TELEGRAM_BOT_TOKEN is not set)")
        if not s.feishu_app_enabled and not s.feishu.webhooks:
            log.info(
                "feishu: off (FEISHU_APP_ID/FEISHU_APP_SECRET and FEISHU_WEBHOOK_URL are not set)"
            )
        elif not s.feishu_app_enabled:
            log.info(
                "feishu: webhooks only (FEISHU_APP_ID/FEISHU_APP_SECRET not set: no chats, no commands)"
            )
        if not s.llm_enabled:
            log.info(
                "llm: off (OPENAI_API_KEY is not set): the heuristic curator builds the digest"
            )


async def serve(settings: Settings) -> None:
    """Run the service until SIGTERM or SIGINT, then stop within 10 s."""
    # The port first: a port in use is one line and exit 2, before anything starts or logs.
    sock = bind(settings.server.host, settings.server.port)
    try:
        store = await connect(settings.redis)
    except BaseException:
        sock.close()
        raise
    service = Service(settings, store)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, _on_signal, stop, sig)
    try:
        await service.start(sock)
        # What is alive now (modules, settings, handlers, clients) lives as long as the
        # process: out of the collector's sight, a full collection walks only what requests
        # leave, and a burst of commands is not stalled by one walking ~100,000 objects.
        gc.freeze()
        log.info("serve: running (store %s)", store.url)
        await _until(stop, service.http_task)
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        await service.stop()
        await store.close()


def _on_signal(stop: asyncio.Event, sig: signal.Signals) -> None:
    log.info("serve: %s received, stopping", sig.name)
    stop.set()


async def _until(stop: asyncio.Event, http: asyncio.Task[Any] | None) -> None:
    """Wait for a stop signal; the HTTP server dying is an error, not a quiet stop."""
    waiter = asyncio.create_task(stop.wait())
    watched = {waiter} | ({http} if http else set())
    done, _ = await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    if http is not None and http in done and not stop.is_set():
        exc = http.exception()
        raise AidailyError(
            f"serve: the HTTP server stopped unexpectedly: {exc or 'no error given'}"
        )
