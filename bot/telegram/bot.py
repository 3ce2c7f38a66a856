"""The interactive Telegram bot: python-telegram-bot's Application in, `Commands` out.

The Application (long polling, or webhook updates fed in by `handle_webhook`)
passes every command to `bot.commands.Commands` and sends the rendered answer in
HTML parse mode, link previews off, replying in groups, through PTB's
`AIORateLimiter` (30/s overall, 20/min per group, RetryAfter retried twice).
`ChatSender` sends one chat its parts, following a migration and falling back to
plain text once, with outcomes from `bot.telegram.errors.classify`. The push is
in `bot.telegram.push`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.commands import (
    BOT_COMMANDS,
    HANDLERS,
    ChatContext,
    Commands,
    Reply,
    parse_command,
    reply_to_telegram,
)
from bot.http_guard import Refused, load_object, secret_matches
from bot.telegram.errors import PLAIN, Migrated, classify, html_to_plain
from pipeline.config import Settings
from pipeline.errors import DeliveryError, TargetGone
from pipeline.store import Store

log = logging.getLogger(__name__)

CHANNEL = "telegram"
SORRY = "出错了，请稍后再试"
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
RENDER_CACHE = 256  # digest renderings kept (views x items of the last digests)
TelegramApp = Application[Any, Any, Any, Any, Any, Any]


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


def file_url(base_url: str) -> str:
    """The file API base for a `…/bot` API base: `…/file/bot`."""
    return (
        base_url[: -len("bot")] + "file/bot"
        if base_url.endswith("bot")
        else base_url.rstrip("/") + "/file/"
    )


class ChatSender:
    """Sends HTML parts to one chat: follows a migration, falls back to plain text once."""

    __slots__ = ("bot", "chat_id", "paid_broadcast", "reply_to", "store", "subscriber")

    def __init__(
        self,
        bot: Bot,
        store: Store,
        chat_id: int | str,
        *,
        reply_to: int | None = None,
        paid_broadcast: bool = False,
        subscriber: bool = True,
    ) -> None:
        """`chat_id` is a number, or a channel's "@username"; `paid_broadcast` sends with
        `allow_paid_broadcast` (Stars); `subscriber=False` (a configured channel) is
        reported when gone, never unsubscribed."""
        self.bot = bot
        self.store = store
        self.chat_id = chat_id
        self.reply_to = reply_to
        self.paid_broadcast = paid_broadcast
        self.subscriber = subscriber

    async def send(
        self, i: int, text: str, reply_markup: InlineKeyboardMarkup | None = None
    ) -> None:
        """Send part `i` (with `reply_markup`, e.g. the digest's buttons); raises RetryLater,
        TargetGone, TransientDelivery or DeliveryError."""
        html = True
        for _ in range(3):  # at most one migration and one plain-text retry
            try:
                body = text if html else html_to_plain(text)
                await self._send_once(i, body, html, reply_markup)
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
                if isinstance(outcome, TargetGone) and self.subscriber:
                    await mark_inactive(self.store, self.chat_id)
                raise outcome  # type: ignore[misc]
        raise DeliveryError(
            f"telegram chat {self.chat_id}: part {i} refused after a migration and plain text"
        )

    async def _send_once(
        self, i: int, text: str, html: bool, reply_markup: InlineKeyboardMarkup | None
    ) -> Message:
        reply = None
        if self.reply_to is not None and i == 0:
            reply = ReplyParameters(message_id=self.reply_to, allow_sending_without_reply=True)
        return await self.bot.send_message(
            chat_id=self.chat_id,
            text=text,
            parse_mode=ParseMode.HTML if html else None,
            link_preview_options=NO_PREVIEW,
            reply_parameters=reply,
            reply_markup=reply_markup,
            allow_paid_broadcast=True if self.paid_broadcast else None,
        )


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


def webhook_update(body: bytes, bot: Any) -> Update:
    """The Update a webhook body carries, or Refused(400) naming what is wrong with it."""
    data = load_object(body)
    if not isinstance(data.get("update_id"), int):
        raise Refused(400, "malformed", "not an update: no integer update_id")
    try:
        # python-telegram-bot trusts the Bot API's types: a string where an object belongs
        # ({"message": 5}) fails inside de_json with whatever error that field meets.
        update = Update.de_json(data, bot)
    except (AttributeError, TypeError, KeyError, ValueError) as exc:
        raise Refused(400, "malformed", f"not an update: {type(exc).__name__}") from None
    if update is None:
        raise Refused(400, "malformed", "not an update")
    return update


async def handle_webhook(
    app: TelegramApp, body: bytes, secret_header: str | None, expected: str | None
) -> int:
    """One webhook request (POST /telegram/webhook): its HTTP status.

    403 unless `X-Telegram-Bot-Api-Secret-Token` equals TELEGRAM_WEBHOOK_SECRET
    (no secret configured: every request is refused); 400 for a body that is not
    an update; else 200 once the update is queued (or handled, if the app is not running).
    """
    if not secret_matches(secret_header, expected):
        return 403
    try:
        update = webhook_update(body, app.bot)
    except Refused as exc:
        log.warning("telegram webhook: refused (400): %s", exc)
        return 400
    if app.running:
        await app.update_queue.put(update)
    else:
        await app.process_update(update)
    return 200
