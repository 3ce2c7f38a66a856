"""The interactive Telegram bot: python-telegram-bot's Application in, `Commands` out.

The Application (long polling, or webhook updates fed in by `handle_webhook`)
passes every command to `bot.commands.Commands` and sends the rendered answer in
HTML parse mode, link previews off, replying in groups, through PTB's
`AIORateLimiter` (30/s overall, 20/min per group, RetryAfter retried twice).
`ChatSender` sends one chat its parts, following a migration and falling back to
plain text once, with outcomes from `bot.telegram.errors.classify`. The push is
in `bot.telegram.push`.

Buttons (`bot.buttons`): a digest or a why is sent with its inline keyboard on
the last part. A tap (callback query) is answered with `answerCallbackQuery` as
soon as its answer is known — a toast for votes and refusals — and then a view
switch edits the tapped message in place (`editMessageText`; when the new view
needs several messages, the tapped one becomes the first and the rest follow,
the keyboard on the last), while why and more are sent as new messages.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Sequence
from typing import Any

from telegram import (
    Bot,
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
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
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.buttons import (
    INVALID,
    Button,
    Keyboard,
    Press,
    Tap,
    check,
    from_start,
    keyboard,
    run,
    split_for_edit,
    start_payload,
    tap,
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
from bot.telegram.errors import (
    NOT_EDITABLE,
    NOT_MODIFIED,
    PLAIN,
    Migrated,
    classify,
    edit_refusal,
    html_to_plain,
)
from pipeline.config import Settings
from pipeline.errors import DeliveryError, TargetGone
from pipeline.render import telegram_plain
from pipeline.store import Store

log = logging.getLogger(__name__)

CHANNEL = "telegram"
SORRY = "出错了，请稍后再试"
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
RENDER_CACHE = 256  # digest renderings kept (views x items of the last digests)
TelegramApp = Application[Any, Any, Any, Any, Any, Any]
UPDATES = ["message", "callback_query"]  # what we ask Telegram for (polling and webhook)
Markup = InlineKeyboardMarkup | None


def markup(rows: Keyboard, link_to: str | None = None) -> Markup:
    """`bot.buttons` rows as an inline keyboard; None when there are no buttons.

    With `link_to` (the bot's username), each button is a link that opens a private
    chat with the bot and presses it there (`/start w_2026-02-03_15`): for a channel
    post, where one reader's press must not change the post for everyone.
    """
    if not rows:
        return None

    def button(b: Button) -> InlineKeyboardButton:
        if link_to is None:
            return InlineKeyboardButton(b.label, callback_data=b.data)
        return InlineKeyboardButton(
            b.label, url=f"https://t.me/{link_to}?start={start_payload(b.data)}"
        )

    return InlineKeyboardMarkup([[button(b) for b in row] for row in rows])


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

    async def send(self, i: int, text: str, buttons: Markup = None) -> None:
        """Send part `i`; raises RetryLater, TargetGone, TransientDelivery or DeliveryError."""
        html = True
        for _ in range(3):  # at most one migration and one plain-text retry
            try:
                await self._send_once(i, text if html else html_to_plain(text), html, buttons)
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

    async def _send_once(self, i: int, text: str, html: bool, buttons: Markup) -> None:
        reply = None
        if self.reply_to is not None and i == 0:
            reply = ReplyParameters(message_id=self.reply_to, allow_sending_without_reply=True)
        await self.bot.send_message(
            chat_id=self.chat_id,
            text=text,
            parse_mode=ParseMode.HTML if html else None,
            link_preview_options=NO_PREVIEW,
            reply_parameters=reply,
            reply_markup=buttons,
            allow_paid_broadcast=True if self.paid_broadcast else None,
        )


# -- the interactive bot ----------------------------------------------------------


class TelegramBot:
    """The handlers: a command in, `Commands.handle`, the answer out."""

    def __init__(self, settings: Settings, store: Store, commands: Commands | None = None) -> None:
        self.settings = settings
        self.store = store
        self.commands = commands or Commands(store, settings)
        self._rendered: dict[tuple[Any, ...], tuple[list[str], Markup]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A known command (PTB has already checked any @BotName in it)."""
        message = update.effective_message
        if message is None or not message.text or update.effective_chat is None:
            return
        ctx = await self.chat_context(update, context.bot)
        pressed = _start_press(message.text) if ctx.chat_type == "private" else None
        if pressed is not None:  # a button of a channel post, opened here as a link
            result = await tap(self.commands, ctx, pressed)
            if result.reply is not None:
                await self.answer(context.bot, update, *self.rendered(result.reply))
            else:
                await self.answer(context.bot, update, telegram_plain(result.toast or ""))
            return
        reply = await self.commands.handle(ctx, message.text)
        await self.answer(context.bot, update, *self.rendered(reply))

    async def on_tap(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button pressed: answered once (a toast or nothing), then the edit or the new message.

        A view switch, or a why of a digest item, is answered before its command runs;
        a vote, or a why of any other number, once its command ran (a toast may say why not). What follows the answer runs as a task of its own, so
        that edits waiting on the rate limiter do not hold up the answers to other taps.
        """
        query = update.callback_query
        if query is None:
            return
        if update.effective_chat is None:  # a button under an inline message: none of ours
            await _answer_query(query, INVALID)
            return
        try:
            await self._press(update, context, query)
        except Exception as exc:  # answered all the same: a spinner must not hang for 15 s
            log.warning(
                "telegram callback %s failed: %s: %s",
                query.id,
                type(exc).__name__,
                exc,
                exc_info=log.isEnabledFor(logging.DEBUG),
            )
            await _answer_query(query, SORRY)  # refused by Telegram if answered already

    async def _press(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery
    ) -> None:
        ctx = await self.chat_context(update, context.bot)
        press = await check(self.commands, ctx, query.data or "")
        if isinstance(press, Tap):
            await _answer_query(query, press.toast)
        elif press.kind.mode == "edit":
            await _answer_query(query, None)
            self._later(context, update, self._switch(context.bot, update, ctx, press))
        elif press.sure:  # a why of one of the digest's items: nothing to wait for
            await _answer_query(query, None)
            self._later(context, update, self._send(context.bot, update, ctx, press))
        else:
            result = await run(self.commands, ctx, press)
            await _answer_query(query, result.toast if result.mode == "toast" else None)
            if result.mode != "toast" and result.reply is not None:
                self._later(
                    context, update, self.answer(context.bot, update, *self.rendered(result.reply))
                )

    async def _send(self, bot: Bot, update: Update, ctx: ChatContext, press: Press) -> None:
        """A press answered already: run its command and send what it says."""
        result = await run(self.commands, ctx, press)
        if result.reply is not None and result.mode != "toast":
            await self.answer(bot, update, *self.rendered(result.reply))

    async def _switch(self, bot: Bot, update: Update, ctx: ChatContext, press: Press) -> None:
        """A view switch: run its command, then edit the tapped message (once per view)."""
        result = await run(self.commands, ctx, press)
        message = update.callback_query.message if update.callback_query else None
        if result.mode == "toast" or result.reply is None:
            return  # the digest went between check and run: the press was answered already
        if not isinstance(message, Message):  # too old for Telegram to tell us: send anew
            await self.answer(bot, update, *self.rendered(result.reply))
            return
        shown = await self.store.swap_tapped(
            CHANNEL, ctx.chat_id, str(message.message_id), press.data
        )
        if shown != press.data:  # the same data again: a double tap, already shown
            await self.edit(bot, update, message.message_id, result.reply)

    def _later(
        self, context: ContextTypes.DEFAULT_TYPE, update: Update, coro: Coroutine[Any, Any, None]
    ) -> None:
        """Run `coro` as a task PTB awaits on stop and whose errors reach `on_error`."""
        task = context.application.create_task(coro, update=update)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled():
            task.exception()  # already logged by on_error (PTB hands it there): retrieved

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait (bounded) for the edits and messages that follow answered taps."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    async def edit(self, bot: Bot, update: Update, message_id: int, reply: Reply) -> None:
        """The tapped message becomes the reply's first part; the rest follow as new messages."""
        chat = update.effective_chat
        assert chat is not None
        parts, buttons = self.rendered(reply)
        first, rest = split_for_edit(parts)
        try:
            await bot.edit_message_text(
                first,
                chat_id=chat.id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                reply_markup=None if rest else buttons,
            )
        except TelegramError as exc:
            refusal = edit_refusal(exc)
            if refusal == NOT_MODIFIED:
                log.debug("telegram chat %s: message %s already shows it", chat.id, message_id)
            elif refusal == NOT_EDITABLE:
                log.info("telegram chat %s: cannot edit %s; sending anew", chat.id, message_id)
                await self.answer(bot, update, parts, buttons)
                return
            else:
                raise
        if rest:
            await self.answer(bot, update, rest, buttons, first_index=1)

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
        """The reply's HTML parts (`reply_to_telegram`)."""
        return self.rendered(reply)[0]

    def rendered(self, reply: Reply) -> tuple[list[str], Markup]:
        """Parts and keyboard, remembering digest renderings: a burst of /today renders once."""
        if reply.digest is None:  # text, or a list (/more, /search, /week: its items' why)
            return reply_to_telegram(reply), markup(keyboard(reply))
        d = reply.digest
        # A why's notes (its votes) are part of it: a vote shows in the next /why at once.
        key = (d.date, d.generated_at, reply.view, reply.why.n if reply.why else None, reply.notes)
        done = self._rendered.get(key)
        if done is None:
            if len(self._rendered) >= RENDER_CACHE:
                self._rendered.clear()  # a new day's digest: the old renderings are done with
            done = self._rendered[key] = (reply_to_telegram(reply), markup(keyboard(reply)))
        return done

    async def answer(
        self,
        bot: Bot,
        update: Update,
        parts: Sequence[str],
        buttons: Markup = None,
        *,
        first_index: int = 0,
    ) -> None:
        """Send the answer's parts in order, the keyboard on the last; a chat that is gone is
        unsubscribed quietly."""
        chat, message = update.effective_chat, update.effective_message
        assert chat is not None
        reply_to = message.message_id if message is not None and chat.type != "private" else None
        sender = ChatSender(bot, self.store, chat.id, reply_to=reply_to)
        last = len(parts) - 1
        try:
            for i, part in enumerate(parts):
                await sender.send(first_index + i, part, buttons if i == last else None)
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


async def _answer_query(query: CallbackQuery, toast: str | None) -> None:
    """answerCallbackQuery, once per query: the toast, or nothing (the spinner stops)."""
    try:
        await query.answer(text=toast)
    except TelegramError as exc:  # too old (over ~15 s), or already answered
        log.info("telegram callback %s: not answered: %s", query.id, exc)


def _start_press(text: str) -> str | None:
    """The press a `/start <payload>` carries (a channel post's link button), if any."""
    name, args = parse_command(text)
    return from_start(args[0]) if name == "start" and len(args) == 1 else None


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
    app.add_handler(CallbackQueryHandler(handlers.on_tap))
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
            allowed_updates=UPDATES,
        )
        return
    assert app.updater is not None
    await app.updater.start_polling(timeout=int(poll_timeout), allowed_updates=UPDATES)


async def stop_telegram(app: TelegramApp) -> None:
    """Stop polling and the handlers; answers in flight finish first."""
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    handlers = app.bot_data.get("aidaily")
    if isinstance(handlers, TelegramBot):
        await handlers.drain()  # edits and sends after taps answered just before the stop
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
