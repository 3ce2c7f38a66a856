"""The Telegram push: one `Job` per due subscriber, the digest in the form it chose.

It does not use PTB's `AIORateLimiter`: the push needs to see every 429 for its
report and its give-up rule, so it takes one shared `bot.delivery.RateLimiter`
(29/s, just under Telegram's 30) plus a per-chat pace (1 s in private chats, 3 s
in groups). A group that becomes a supergroup mid-push is followed to its new
id, and what it already got is recorded under that id too. The last part of a
pushed digest carries its buttons (`bot.buttons.keyboard`), as a requested one does
(not in a Telegram channel: one reader's tap would change the post for all).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from telegram import Bot
from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from bot.buttons import keyboard
from bot.channel import Renders, is_due, shown_after_push
from bot.commands import Reply
from bot.delivery import Job, RateLimiter
from bot.telegram.bot import CHANNEL, ChatSender, Markup, file_url, markup
from bot.telegram.errors import classify
from pipeline.config import Settings
from pipeline.errors import DeliveryError
from pipeline.models import Digest, Subscriber
from pipeline.render import Listing, View, render_telegram, render_telegram_listing
from pipeline.store import Store, Target

PUSH_RATE = 29.0  # messages per second over all chats (Telegram allows about 30)
PRIVATE_PACE_S = 1.05  # Telegram: about one message per second to one chat
GROUP_PACE_S = 3.1  # Telegram: 20 messages per minute to one group
PUSH_CONCURRENCY = 64  # chats worked at once: enough to keep the limiter busy despite the pacing


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


class TelegramChannel:
    """Telegram as a `bot.channel.Channel`: subscribers from the store, one shared rate limit."""

    name = CHANNEL
    concurrency = PUSH_CONCURRENCY

    def __init__(
        self, settings: Settings, store: Store, bot: Bot, limiter: RateLimiter | None = None
    ) -> None:
        self.settings = settings
        self.store = store
        self.bot = bot
        self.limiter = limiter or RateLimiter(PUSH_RATE)

    def target(self, chat_id: str) -> Target:
        return Target(CHANNEL, chat_id)

    async def send_part(self, chat_id: str, day: str, i: int, part: Any) -> None:
        await ChatSender(self.bot, self.store, int(chat_id)).send(i, part)

    async def jobs(self, digest: Digest, due_at: str | None) -> list[Job]:
        """One Job per active subscriber due at `due_at`, with the digest in the form it chose."""
        renders = await Renders.load(self.store, self.settings, CHANNEL, digest, with_keyboard)
        jobs = []
        for sub in await self.store.list_subscribers(CHANNEL):
            if not is_due(self.settings, sub, due_at):
                continue
            parts, buttons = renders.parts(sub.chat_id, sub)
            if sub.type == "channel":  # a reader's tap would change the post for every reader
                buttons = None
            jobs.append(self._job(sub, parts, buttons, digest.date))
        return jobs

    async def listing_jobs(self, listing: Listing, day: str) -> list[Job]:
        """Every active subscriber, the list answer (the weekly) in one rendering, with
        a why button per story (none in channels, as for the daily)."""
        parts = render_telegram_listing(listing)
        buttons = markup(keyboard(Reply(listing=listing)))
        jobs = []
        for sub in await self.store.list_subscribers(CHANNEL):
            mine = None if sub.type == "channel" else buttons
            jobs.append(replace(self._job(sub, parts, mine, day), on_done=None))
        return jobs

    def _job(self, sub: Subscriber, parts: list[str], buttons: Markup, day: str) -> Job:
        sender = ChatSender(self.bot, self.store, int(sub.chat_id))
        origin = sender.chat_id
        last = len(parts) - 1

        async def send(i: int, part: str) -> None:
            await sender.send(i, part, buttons if i == last else None)
            if sender.chat_id != origin:
                # The group migrated: a later push of this day knows it by its new id,
                # so record what it already has under that id too (idempotent).
                moved = self.target(str(sender.chat_id))
                for j in range(i + 1):
                    key = replace(job.key(day, j), target=moved)
                    await self.store.ledger_sent(key, info=f"migrated from {origin}")

        async def shown() -> None:
            await shown_after_push(self.store, CHANNEL, str(sender.chat_id), day)

        pace = PRIVATE_PACE_S if sub.type in ("private", "channel") else GROUP_PACE_S
        job = Job(
            self.target(sub.chat_id),
            parts,
            send,
            pace_s=pace,
            limiter=self.limiter,
            on_done=shown,
        )
        return job


def with_keyboard(digest: Digest, view: View) -> tuple[list[str], Markup]:
    """A view's messages, and the keyboard that goes under the last."""
    return render_telegram(digest, view), markup(keyboard(Reply(digest=digest, view=view)))


@asynccontextmanager
async def telegram_channel(settings: Settings, store: Store) -> AsyncIterator[TelegramChannel]:
    """The Telegram channel, on a push Bot that is closed afterwards."""
    async with push_bot(settings) as bot:
        yield TelegramChannel(settings, store, bot)
