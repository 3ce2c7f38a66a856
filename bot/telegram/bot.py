"""Telegram: the python-telegram-bot Application that answers commands, and the push.

The interactive bot is an `Application` (long polling, or webhook updates fed in
by `handle_webhook`) whose handlers pass every command to `bot.commands.Commands`
and send the rendered answer in HTML parse mode, link previews off, replying in
groups. The morning push builds one `bot.delivery.Job` per due subscriber.

python-telegram-bot's errors become delivery outcomes in one function,
`classify`: RetryAfter → RetryLater, Forbidden / "chat not found" → TargetGone
(the chat is marked inactive), ChatMigrated → the subscriber moves to its new id
and the part is resent there, any other BadRequest → that part is resent once as
plain text, network errors and timeouts → TransientDelivery.

Rate limits: the interactive bot uses PTB's `AIORateLimiter` (30/s overall,
20/min per group, RetryAfter retried twice). The push does not: it needs to see
every 429 for its report and its give-up rule, so it takes one shared
`bot.delivery.RateLimiter` (29/s, just under Telegram's 30) plus a per-chat pace
(1 s in private chats, 3 s in groups).
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from html import unescape
from typing import Any

from telegram import Bot, BotCommand, LinkPreviewOptions, Message, ReplyParameters, Update
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.commands import (
    BOT_COMMANDS,
    HANDLERS,
    ChatContext,
    Commands,
    Reply,
    parse_command,
    reply_to_telegram,
)
from bot.delivery import Job, RateLimiter
from pipeline.config import Settings
from pipeline.errors import DeliveryError, RetryLater, TargetGone, TransientDelivery
from pipeline.models import Digest, Subscriber
from pipeline.render import View, render_telegram
from pipeline.store import Store

log = logging.getLogger(__name__)

# Opt in to PTB 22's time periods as timedelta (the next major version's default):
# otherwise every RetryAfter warns, from inside PTB, that its int form is deprecated.
os.environ.setdefault("PTB_TIMEDELTA", "true")

CHANNEL = "telegram"
SORRY = "出错了，请稍后再试"
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
PUSH_RATE = 29.0  # messages per second over all chats (Telegram allows about 30)
PRIVATE_PACE_S = 1.05  # Telegram: about one message per second to one chat
GROUP_PACE_S = 3.1  # Telegram: 20 messages per minute to one group
PUSH_CONCURRENCY = 64  # chats worked at once: enough to keep the limiter busy despite the pacing
RENDER_CACHE = 256  # digest renderings kept (views x items of the last digests)
TelegramApp = Application[Any, Any, Any, Any, Any, Any]


# -- errors: the one mapping ------------------------------------------------------


@dataclass(frozen=True)
class Migrated:
    """The group became a supergroup: resend to `new_chat_id`."""

    new_chat_id: int


PLAIN = "plain"  # resend the part as plain text


def classify(exc: TelegramError, *, html: bool = True) -> DeliveryError | Migrated | str:
    """What a python-telegram-bot error means for delivery. The only place that decides it."""
    if isinstance(exc, RetryAfter):
        seconds = retry_after_seconds(exc)
        return RetryLater(f"telegram: flood control, retry after {seconds:g}s", seconds)
    if isinstance(exc, ChatMigrated):
        return Migrated(int(exc.new_chat_id))
    if isinstance(exc, Forbidden):
        return TargetGone(f"telegram: {exc.message}")
    if isinstance(exc, BadRequest):
        if "chat not found" in exc.message.lower():
            return TargetGone(f"telegram: {exc.message}")
        if html:
            return PLAIN
        return DeliveryError(f"telegram: {exc.message}")
    if isinstance(exc, InvalidToken):
        return DeliveryError("telegram: the bot token was rejected; check TELEGRAM_BOT_TOKEN")
    if isinstance(exc, TimedOut | NetworkError):
        return TransientDelivery(f"telegram: {exc.message or type(exc).__name__}")
    return TransientDelivery(f"telegram: {type(exc).__name__}: {exc.message}")


def retry_after_seconds(exc: RetryAfter) -> float:
    """`RetryAfter.retry_after` in seconds, whether PTB gives an int or a timedelta."""
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def html_to_plain(text: str) -> str:
    """What an HTML message says, without its markup (for the plain-text fallback)."""
    return unescape(re.sub(r"<[^<>]+>", "", text))


# -- subscriber bookkeeping ---------------------------------------------------------


async def mark_inactive(store: Store, chat_id: int | str) -> None:
    """A chat that blocked the bot or is gone gets no more pushes."""
    sub = await store.get_subscriber(CHANNEL, str(chat_id))
    if sub is not None and sub.active:
        sub.active = False
        await store.save_subscriber(sub)
        log.info("telegram chat %s is gone or blocked the bot; unsubscribed", chat_id)


async def move_subscriber(store: Store, old: int | str, new: int | str) -> None:
    """A group that became a supergroup keeps its subscription under the new id."""
    sub = await store.get_subscriber(CHANNEL, str(old))
    if sub is not None:
        await store.delete_subscriber(CHANNEL, str(old))
        sub.chat_id, sub.type = str(new), "supergroup"
        await store.save_subscriber(sub)
    shown = await store.get_shown(CHANNEL, str(old))
    if shown:
        await store.set_shown(CHANNEL, str(new), shown)
    log.info("telegram chat %s migrated to %s", old, new)


class ChatSender:
    """Sends HTML parts to one chat: follows a migration, falls back to plain text once."""

    def __init__(
        self, bot: Bot, store: Store, chat_id: int, *, reply_to: int | None = None
    ) -> None:
        self.bot = bot
        self.store = store
        self.chat_id = chat_id
        self.reply_to = reply_to

    async def send(self, i: int, text: str) -> None:
        """Send part `i`; raises RetryLater, TargetGone, TransientDelivery or DeliveryError."""
        html = True
        for _ in range(3):  # at most one migration and one plain-text retry
            try:
                await self._send_once(i, text if html else html_to_plain(text), html)
                return
            except TelegramError as exc:
                outcome = classify(exc, html=html)
            if isinstance(outcome, Migrated):
                await move_subscriber(self.store, self.chat_id, outcome.new_chat_id)
                self.chat_id = outcome.new_chat_id
            elif outcome == PLAIN:
                log.warning(
                    "telegram chat %s: part %d refused as HTML; sending it as plain text",
                    self.chat_id,
                    i,
                )
                html = False
            else:
                if isinstance(outcome, TargetGone):
                    await mark_inactive(self.store, self.chat_id)
                raise outcome  # type: ignore[misc]
        raise DeliveryError(
            f"telegram chat {self.chat_id}: part {i} refused after a migration and plain text"
        )

    async def _send_once(self, i: int, text: str, html: bool) -> Message:
        reply = None
        if self.reply_to is not None and i == 0:
            reply = ReplyParameters(message_id=self.reply_to, allow_sending_without_reply=True)
        return await self.bot.send_message(
            chat_id=self.chat_id,
            text=text,
            parse_mode=ParseMode.HTML if html else None,
            link_preview_options=NO_PREVIEW,
            reply_parameters=reply,
        )


# -- the push ---------------------------------------------------------------------


def file_url(base_url: str) -> str:
    """The file API base for a `…/bot` API base: `…/file/bot`."""
    return (
        base_url[: -len("bot")] + "file/bot"
        if base_url.endswith("bot")
        else base_url.rstrip("/") + "/file/"
    )


@asynccontextmanager
async def push_bot(settings: Settings, pool: int = PUSH_CONCURRENCY) -> AsyncIterator[Bot]:
    """A Bot for pushing, on `telegram.base_url`, with a connection pool for parallel sends."""
    if not settings.telegram.token:
        raise DeliveryError("telegram: TELEGRAM_BOT_TOKEN is not set")
    request = HTTPXRequest(
        connection_pool_size=pool,
        connect_timeout=10,
        read_timeout=20,
        write_timeout=20,
        pool_timeout=30,
    )
    bot = Bot(
        settings.telegram.token,
        base_url=settings.telegram.base_url,
        base_file_url=file_url(settings.telegram.base_url),
        request=request,
    )
    try:
        try:
            await bot.initialize()  # getMe: fails here, once, on a bad token or an unreachable API
        except TelegramError as exc:
            outcome = classify(exc)
            raise (
                outcome if isinstance(outcome, DeliveryError) else DeliveryError(str(exc))
            ) from None
        yield bot
    finally:
        await bot.shutdown()


def is_due(settings: Settings, sub: Subscriber, due_at: str | None) -> bool:
    """Whether `sub` is pushed at `due_at` (HH:MM local); None means every subscriber."""
    return due_at is None or (sub.settings.push_time or settings.digest.time) == due_at


def chat_view(settings: Settings, sub: Subscriber) -> View:
    """The View a subscriber asked for with /settings: brief or full, which sections."""
    sections = set(sub.settings.sections)
    section: Any = "all" if len(sections) != 1 else next(iter(sections))
    return View(
        section=section, brief=sub.settings.mode == "brief", brief_count=settings.digest.brief
    )


async def telegram_jobs(
    settings: Settings,
    store: Store,
    digest: Digest,
    due_at: str | None = None,
    *,
    bot: Bot,
    limiter: RateLimiter | None = None,
) -> list[Job]:
    """One Job per active subscriber due at `due_at`, with the digest in the form it chose."""
    limiter = limiter or RateLimiter(PUSH_RATE)
    rendered: dict[View, list[str]] = {}
    jobs = []
    for sub in await store.list_subscribers(CHANNEL):
        if not is_due(settings, sub, due_at):
            continue
        view = chat_view(settings, sub)
        if view not in rendered:
            rendered[view] = render_telegram(digest, view)
        jobs.append(_job(bot, store, sub, rendered[view], digest.date, limiter))
    return jobs


def _job(
    bot: Bot, store: Store, sub: Subscriber, parts: list[str], day: str, limiter: RateLimiter
) -> Job:
    sender = ChatSender(bot, store, int(sub.chat_id))
    origin = sender.chat_id

    async def send(i: int, part: str) -> None:
        await sender.send(i, part)
        if sender.chat_id != origin:
            # The group migrated: a later push of this day knows it by its new id,
            # so record what it already has under that id too (idempotent).
            for j in range(i + 1):
                await store.ledger_done(
                    day, f"{CHANNEL}:{sender.chat_id}", job.key(j), f"migrated from {origin}"
                )

    async def shown() -> None:
        await store.set_shown(CHANNEL, str(sender.chat_id), day)

    pace = PRIVATE_PACE_S if sub.type in ("private", "channel") else GROUP_PACE_S
    job = Job(
        target=f"{CHANNEL}:{sub.chat_id}",
        parts=parts,
        send=send,
        pace_s=pace,
        limiter=limiter,
        on_done=shown,
    )
    return job


# -- the interactive bot ----------------------------------------------------------


class TelegramBot:
    """The handlers: a command in, `Commands.handle`, the answer out."""

    def __init__(self, settings: Settings, store: Store, commands: Commands | None = None) -> None:
        self.settings = settings
        self.store = store
        self.commands = commands or Commands(store, settings)
        self._rendered: dict[tuple[Any, ...], list[str]] = {}

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A known command (PTB has already checked any @BotName in it)."""
        message = update.effective_message
        if message is None or not message.text or update.effective_chat is None:
            return
        ctx = await self.chat_context(update, context.bot)
        reply = await self.commands.handle(ctx, message.text)
        await self.answer(context.bot, update, self.render(reply))

    async def on_other_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An unknown command gets the help, when it is meant for us."""
        message = update.effective_message
        if message is None or not message.text or update.effective_chat is None:
            return
        if not addressed_to_us(message.text, update.effective_chat.type, context.bot.username):
            return
        await self.on_command(update, context)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """One log line, and an apology in the chat; never lets the app crash."""
        exc = context.error
        update_id = update.update_id if isinstance(update, Update) else None
        log.warning(
            "telegram update %s failed: %s: %s",
            update_id,
            type(exc).__name__,
            exc,
            exc_info=log.isEnabledFor(logging.DEBUG),
        )
        if (
            not isinstance(update, Update)
            or update.effective_chat is None
            or isinstance(exc, Forbidden)
        ):
            return
        try:
            await context.bot.send_message(chat_id=update.effective_chat.id, text=SORRY)
        except TelegramError as again:
            log.warning(
                "telegram chat %s: could not send the apology either: %s",
                update.effective_chat.id,
                again,
            )

    def render(self, reply: Reply) -> list[str]:
        """`reply_to_telegram`, remembering digest renderings: a burst of /today renders once."""
        if reply.digest is None:
            return reply_to_telegram(reply)
        d = reply.digest
        key = (d.date, d.generated_at, reply.view, reply.why.n if reply.why else None)
        parts = self._rendered.get(key)
        if parts is None:
            if len(self._rendered) >= RENDER_CACHE:
                self._rendered.clear()  # a new day's digest: the old renderings are done with
            parts = self._rendered[key] = reply_to_telegram(reply)
        return parts

    async def answer(self, bot: Bot, update: Update, parts: Sequence[str]) -> None:
        """Send the answer's parts in order; a chat that is gone is unsubscribed quietly."""
        chat, message = update.effective_chat, update.effective_message
        assert chat is not None
        reply_to = message.message_id if message is not None and chat.type != "private" else None
        sender = ChatSender(bot, self.store, chat.id, reply_to=reply_to)
        try:
            for i, part in enumerate(parts):
                await sender.send(i, part)
        except TargetGone as exc:
            log.info("telegram chat %s: answer not delivered: %s", chat.id, exc)

    async def chat_context(self, update: Update, bot: Bot) -> ChatContext:
        """Who asks, from where, and whether they may change this chat's settings."""
        chat, user, message = update.effective_chat, update.effective_user, update.effective_message
        assert chat is not None
        title = chat.title or chat.full_name or chat.username or ""
        ctx = ChatContext(
            channel=CHANNEL,
            chat_id=str(chat.id),
            chat_type=chat.type,
            title=title,
            user_id=str(user.id) if user else None,
            is_admin=bool(user and user.id in self.settings.telegram.admins),
        )
        if chat.type != "private" and message is not None and _changes_settings(message.text or ""):
            ctx.can_change_settings = await self.group_admin(bot, update)
        return ctx

    async def group_admin(self, bot: Bot, update: Update) -> bool:
        """Whether the sender administers the group (anonymous admins post as the chat)."""
        chat, user, message = update.effective_chat, update.effective_user, update.effective_message
        if chat is None or user is None:
            return False
        if (
            message is not None
            and message.sender_chat is not None
            and message.sender_chat.id == chat.id
        ):
            return True
        try:
            member = await bot.get_chat_member(chat.id, user.id)
        except TelegramError as exc:
            log.warning(
                "telegram chat %s: cannot check whether %s is an admin: %s", chat.id, user.id, exc
            )
            return False
        return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


def _changes_settings(text: str) -> bool:
    name, args = parse_command(text)
    return name == "settings" and bool(args)


def addressed_to_us(text: str, chat_type: str, username: str | None) -> bool:
    """In private chats every command is ours; in groups only `/cmd@OurBot`."""
    head = text.split(maxsplit=1)[0] if text.strip() else ""
    if "@" in head:
        return bool(username) and head.split("@", 1)[1].lower() == str(username).lower()
    return chat_type == "private"


def build_application(
    settings: Settings,
    store: Store,
    commands: Commands | None = None,
    *,
    concurrent_updates: int = 64,
) -> TelegramApp:
    """The python-telegram-bot Application on `telegram.base_url`, with every command wired.

    `concurrent_updates=1` handles updates strictly in order (tests rely on it).
    """
    if not settings.telegram.token:
        raise DeliveryError("telegram: TELEGRAM_BOT_TOKEN is not set")
    base = settings.telegram.base_url
    app = (
        ApplicationBuilder()
        .token(settings.telegram.token)
        .base_url(base)
        .base_file_url(file_url(base))
        .rate_limiter(AIORateLimiter(max_retries=2))
        .concurrent_updates(concurrent_updates if concurrent_updates > 1 else False)
        .connection_pool_size(64)
        .build()
    )
    handlers = TelegramBot(settings, store, commands)
    app.bot_data["aidaily"] = handlers
    only_messages = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler(sorted(HANDLERS), handlers.on_command, filters=only_messages))
    app.add_handler(MessageHandler(filters.COMMAND & only_messages, handlers.on_other_command))
    app.add_error_handler(handlers.on_error)
    return app


async def start_telegram(app: TelegramApp, settings: Settings, *, poll_timeout: float = 10) -> None:
    """Initialise, register the commands, start; then poll or set the webhook (telegram.mode)."""
    await app.initialize()
    await app.bot.set_my_commands([BotCommand(name, text) for name, text in BOT_COMMANDS])
    await app.start()
    if settings.telegram.mode == "webhook":
        await app.bot.set_webhook(
            url=str(settings.telegram.webhook_url),
            secret_token=settings.telegram.webhook_secret,
            allowed_updates=["message"],
        )
        return
    assert app.updater is not None
    await app.updater.start_polling(timeout=int(poll_timeout), allowed_updates=["message"])


async def stop_telegram(app: TelegramApp) -> None:
    """Stop polling and the handlers; answers in flight finish first."""
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()


async def handle_webhook(
    app: TelegramApp, body: bytes, secret_header: str | None, expected: str | None
) -> int:
    """One webhook request (POST /telegram/webhook): its HTTP status.

    403 unless `X-Telegram-Bot-Api-Secret-Token` equals TELEGRAM_WEBHOOK_SECRET
    (no secret configured: every request is refused); 400 for a body that is not
    an update; else 200 once the update is queued (or handled, if the app is not running).
    """
    if (
        not expected
        or secret_header is None
        or not hmac.compare_digest(secret_header.encode(), expected.encode())
    ):
        return 403
    try:
        data = json.loads(body)
        update = Update.de_json(data, app.bot) if isinstance(data, dict) else None
    except (ValueError, TypeError, KeyError) as exc:
        log.warning("telegram webhook: not an update: %s", exc)
        return 400
    if update is None:
        return 400
    if app.running:
        await app.update_queue.put(update)
    else:
        await app.process_update(update)
    return 200
