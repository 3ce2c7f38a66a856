"""The Telegram push: one `Job` per due subscriber, the digest in the form it chose,
and one per channel of `telegram.channels`.

It does not use PTB's `AIORateLimiter`: the push needs to see every 429 for its
report and its give-up rule, so it takes one shared `bot.delivery.RateLimiter`
(29/s, just under Telegram's 30; 1,000/s with `telegram.paid_broadcast`, whose
sends carry `allow_paid_broadcast` and cost Stars) plus a per-chat pace (1 s in
private chats, 3 s in groups). A group that becomes a supergroup mid-push is
followed to its new id, and what it already got is recorded under that id too.

A configured channel ("@name" or a -100… id) gets the full digest at
`digest.time`, once a day through the same ledger (its target is
`telegram:<as configured>`). It has no /settings and no /why, so no shown-digest
bookkeeping; one that refuses for good is reported and skipped, never
unsubscribed (it is not a subscriber).

The last part of a pushed digest carries its buttons (`bot.buttons.keyboard`), as
a requested one does. In a configured channel they are links instead
(`https://t.me/<bot>?start=w_2026-02-03_15`): one reader's press opens a private
chat with the bot and is answered there, and the post stays the same for all.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from telegram import Bot
from telegram.error import TelegramError

from bot.buttons import keyboard
from bot.channel import Renders, is_due, shown_after_push
from bot.commands import Reply
from bot.delivery import Job, RateLimiter
from bot.telegram.bot import CHANNEL, NO_PREVIEW, ChatSender, Markup, file_url, markup
from bot.telegram.errors import classify
from bot.telegram.request import PushRequest
from pipeline.config import Settings
from pipeline.errors import DeliveryError
from pipeline.models import Digest, Subscriber
from pipeline.render import Listing, View, render_telegram, render_telegram_listing
from pipeline.store import Form, Store, Target

PUSH_RATE = 29.0  # messages per second over all chats (Telegram allows about 30)
PAID_PUSH_RATE = 1000.0  # with allow_paid_broadcast: Telegram's documented ceiling
PRIVATE_PACE_S = 1.05  # Telegram: about one message per second to one chat
GROUP_PACE_S = 3.1  # Telegram: 20 messages per minute to one group
PUSH_CONCURRENCY = 64  # chats worked at once: enough to keep the limiter busy despite the pacing
# Each chat is paced ~1 s between parts, so 1,000 msg/s needs well over 1,000 chats in flight.
PAID_PUSH_CONCURRENCY = 2048
PUSH_POOL = 64  # HTTP connections to the Bot API
PAID_PUSH_POOL = 256


def push_rate(settings: Settings) -> float:
    """Messages per second over all chats: Telegram's free limit, or the paid ceiling."""
    return PAID_PUSH_RATE if settings.telegram.paid_broadcast else PUSH_RATE


@asynccontextmanager
async def push_bot(settings: Settings, pool: int | None = None) -> AsyncIterator[Bot]:
    """A Bot for pushing, on `telegram.base_url`, with a connection pool for parallel sends."""
    if pool is None:
        pool = PAID_PUSH_POOL if settings.telegram.paid_broadcast else PUSH_POOL
    if not settings.telegram.token:
        raise DeliveryError("telegram: TELEGRAM_BOT_TOKEN is not set")
    request = PushRequest(pool, connect_timeout=10, read_timeout=20, write_timeout=20)
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


class TelegramChannel:
    """Telegram as a `bot.channel.Channel`: subscribers from the store, configured channels,
    one shared rate limit."""

    name = CHANNEL

    def __init__(
        self, settings: Settings, store: Store, bot: Bot, limiter: RateLimiter | None = None
    ) -> None:
        self.settings = settings
        self.store = store
        self.bot = bot
        self.paid = settings.telegram.paid_broadcast
        self.limiter = limiter or RateLimiter(push_rate(settings))
        self.concurrency = PAID_PUSH_CONCURRENCY if self.paid else PUSH_CONCURRENCY

    def target(self, chat_id: str) -> Target:
        return Target(CHANNEL, chat_id)

    def _sender(self, chat_id: str, *, subscriber: bool = True) -> ChatSender:
        return _PushSender(
            self.bot, self.store, _chat(chat_id), paid_broadcast=self.paid, subscriber=subscriber
        )

    async def send_part(self, chat_id: str, day: str, i: int, part: Any) -> None:
        await self._sender(chat_id).send(i, part)

    async def jobs(self, digest: Digest, due_at: str | None) -> list[Job]:
        """One Job per active subscriber due at `due_at`, with the digest in the form and
        view it chose; at `digest.time` (or with no `due_at`) one per configured channel too."""
        # one rendering (and one ledger form) per distinct view, not per chat
        renders = await Renders.load(self.store, self.settings, CHANNEL, digest, with_keyboard)
        forms: dict[int, Form] = {}

        def rendered(chat_id: str, sub: Subscriber | None) -> tuple[list[str], Markup, Form]:
            parts, buttons = renders.parts(chat_id, sub)
            form = forms.get(id(parts))  # the cache keeps each view's parts alive
            if form is None:
                form = forms[id(parts)] = Form.of(parts)
            return parts, buttons, form

        jobs = []
        if is_due(self.settings, None, due_at):
            # a channel has no /settings: the default (full) digest, as anyone opening it expects
            parts, _, form = rendered("", None)
            # its buttons are links that press them in a private chat with the bot
            view = renders.view("", None)
            links = markup(keyboard(Reply(digest=digest, view=view)), self.bot.username)
            jobs += [
                self._channel_job(name, parts, links, form)
                for name in self.settings.telegram.channels
            ]
        async for chunk in self.store.iter_subscribers(CHANNEL):
            for sub in chunk:
                if is_due(self.settings, sub, due_at):
                    parts, buttons, form = rendered(sub.chat_id, sub)
                    if sub.type == "channel":  # a reader's tap would change the post for all
                        buttons = None
                    jobs.append(self._job(sub, parts, buttons, form, digest.date))
        return jobs

    async def listing_jobs(self, listing: Listing, day: str) -> list[Job]:
        """Every active subscriber, the list answer (the weekly) in one rendering, with
        a why button per story (none in channels, as for the daily)."""
        parts = render_telegram_listing(listing)
        form = Form.of(parts)
        buttons = markup(keyboard(Reply(listing=listing)))
        jobs = []
        async for chunk in self.store.iter_subscribers(CHANNEL):
            for sub in chunk:
                mine = None if sub.type == "channel" else buttons
                jobs.append(replace(self._job(sub, parts, mine, form, day), on_done=None))
        return jobs

    def _channel_job(self, name: str, parts: list[str], buttons: Markup, form: Form) -> Job:
        sender = self._sender(name, subscriber=False)
        last = len(parts) - 1

        async def send(i: int, part: str) -> None:
            await sender.send(i, part, buttons if i == last else None)

        return Job(
            self.target(name),
            parts,
            send,
            pace_s=GROUP_PACE_S,
            limiter=self.limiter,
            known_form=form,
        )

    def _job(self, sub: Subscriber, parts: list[str], buttons: Markup, form: Form, day: str) -> Job:
        chat = _SubscriberChat(self, _chat(sub.chat_id), day, buttons, len(parts) - 1)
        pace = PRIVATE_PACE_S if sub.type in ("private", "channel") else GROUP_PACE_S
        job = Job(
            self.target(sub.chat_id),
            parts,
            chat,
            pace_s=pace,
            limiter=self.limiter,
            on_done=chat.shown,
            known_form=form,
        )
        chat.job = job
        return job


def _chat(chat_id: str) -> int | str:
    """A chat as the Bot API takes it: a number, or a channel's "@username"."""
    return chat_id if chat_id.startswith("@") else int(chat_id)


def with_keyboard(digest: Digest, view: View) -> tuple[list[str], Markup]:
    """A view's messages, and the keyboard that goes under the last."""
    return render_telegram(digest, view), markup(keyboard(Reply(digest=digest, view=view)))


class _PushSender(ChatSender):
    """`ChatSender` for the push: sendMessage through `PushRequest.call`, the answer unparsed.

    The same parameters and the same errors as `Bot.send_message`, without building a
    `Message` per answer (bot/telegram/request.py says what that saves); a part's text
    and keyboard are encoded once per push, not once per chat (`_body`).
    """

    __slots__ = ()

    async def _send_once(self, i: int, text: str, html: bool, buttons: Markup) -> None:
        bot = self.bot
        request = bot.request
        if not isinstance(request, PushRequest) or self.reply_to is not None:
            await super()._send_once(i, text, html, buttons)
            return
        body = _body(self.chat_id, text, html, buttons, self.paid_broadcast)
        await request.call(f"{bot.base_url}/sendMessage", body)


_NO_PREVIEW = NO_PREVIEW.to_dict()
# (text, keyboard, the JSON body after its chat_id) by the identity of the text and the
# keyboard, which a push shares across every chat of a view; held, so an id is never reused
_BODIES: dict[tuple[int, bool, int, bool], tuple[str, Markup, bytes]] = {}


def _body(chat_id: int | str, text: str, html: bool, buttons: Markup, paid: bool) -> bytes:
    """sendMessage's JSON body: what `Bot.send_message` would send, the part after the
    chat id encoded once for as long as its text and keyboard live."""
    key = (id(text), html, id(buttons), paid)
    held = _BODIES.get(key)
    if held is None or held[0] is not text or held[1] is not buttons:
        if len(_BODIES) >= 1024:  # parts of pushes gone by
            _BODIES.clear()
        rest = {
            "text": text,
            "parse_mode": "HTML" if html else None,
            "link_preview_options": _NO_PREVIEW,
            "reply_markup": buttons.to_dict() if buttons is not None else None,
            "allow_paid_broadcast": True if paid else None,
        }
        encoded = json.dumps({k: v for k, v in rest.items() if v is not None}, ensure_ascii=False)
        held = _BODIES[key] = (text, buttons, encoded.encode())
    return b'{"chat_id":%s,%s' % (json.dumps(chat_id).encode(), held[2][1:])


class _SubscriberChat(_PushSender):
    """One subscriber's sends in a push: its sender and what the push must remember of it,
    in one slotted object (a push to 100,000 chats holds one per chat)."""

    __slots__ = ("buttons", "channel", "day", "job", "last", "origin")

    def __init__(
        self, channel: TelegramChannel, chat_id: int | str, day: str, buttons: Markup, last: int
    ) -> None:
        super().__init__(channel.bot, channel.store, chat_id, paid_broadcast=channel.paid)
        self.channel, self.day = channel, day
        self.buttons, self.last = buttons, last  # the keyboard goes under the last part
        self.origin = chat_id
        self.job: Job | None = None

    async def send_part(self, i: int, part: str) -> None:
        await self.send(i, part, self.buttons if i == self.last else None)
        if self.chat_id != self.origin and self.job is not None:
            # The group migrated: a later push of this day knows it by its new id,
            # so record what it already has under that id too (idempotent).
            moved = self.channel.target(str(self.chat_id))
            for j in range(i + 1):
                key = replace(self.job.key(self.day, j), target=moved)
                info = f"migrated from {self.origin}"
                await self.channel.store.ledger_sent(key, info=info)

    # The chat is its job's `send` itself: a bound method per chat would be another
    # 64 bytes for each of 100,000 subscribers (bench/push_cost.py)
    __call__ = send_part

    async def shown(self) -> None:
        """After the push, /why N and /brief in this chat mean this digest."""
        await shown_after_push(self.channel.store, CHANNEL, str(self.chat_id), self.day)


@asynccontextmanager
async def telegram_channel(settings: Settings, store: Store) -> AsyncIterator[TelegramChannel]:
    """The Telegram channel, on a push Bot that is closed afterwards."""
    async with push_bot(settings) as bot:
        yield TelegramChannel(settings, store, bot)
