"""The Feishu push: one `Job` per app-bot chat and one per custom-bot webhook.

Chats are the configured `feishu.chats` plus those that subscribed with /start,
minus those that said /stop; each gets the digest in the form it chose, at its
own push time, its buttons under the last card (`bot.feishu.buttons`). Webhooks
get the full digest at `digest.time`, without buttons (a custom bot's card cannot
call the app back). The app's limits
(50/s and 1000/min) are one shared `WindowLimiter`; each chat is paced at 4/s.
Every app message carries `message_uuid(date, target, part)`: Feishu drops a
repeat of it within an hour, so a part resent after a crash is not shown twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from bot.channel import Renders, is_due, shown_after_push
from bot.commands import Reply
from bot.delivery import Job
from bot.feishu.buttons import digest_cards, reply_cards
from bot.feishu.client import FeishuApp, message_uuid
from bot.feishu.webhook import WebhookSender, WindowLimiter
from pipeline.config import Settings
from pipeline.models import Digest, Subscriber
from pipeline.render import Listing, View, render_feishu, render_feishu_listing
from pipeline.store import Store, Target

CHANNEL = "feishu"
# Feishu's documented limits for the app bot: 50/s and 1000/min per app for
# sending messages, 5/s into one chat (shared by the bots in it).
APP_LIMITS = [(50, 1.0), (1000, 60.0)]
CHAT_PACE_S = 0.25
PUSH_CONCURRENCY = 32  # the shared app limiter, not this, keeps Feishu's 50/s


class FeishuChannel:
    """Feishu as a `bot.channel.Channel`: app-bot chats, and webhooks (no chat of their own)."""

    name = CHANNEL
    concurrency = PUSH_CONCURRENCY

    def __init__(
        self,
        settings: Settings,
        store: Store,
        app: FeishuApp | None = None,
        *,
        hook_backoff_s: float = 1.0,
    ) -> None:
        self.settings = settings
        self.store = store
        self.app = app
        if app is None and settings.feishu_app_enabled:
            self.app = FeishuApp(settings.feishu)
        self.hook_backoff_s = hook_backoff_s
        self.limiter = WindowLimiter(APP_LIMITS)

    def target(self, chat_id: str) -> Target:
        return Target(CHANNEL, chat_id)

    async def send_part(self, chat_id: str, day: str, i: int, part: Any) -> None:
        assert self.app is not None, "Feishu chats need the app bot (FEISHU_APP_ID)"
        await self.app.send_card(chat_id, part, message_uuid(day, str(self.target(chat_id)), i))

    async def jobs(self, digest: Digest, due_at: str | None) -> list[Job]:
        """One Job per chat due at `due_at`; webhooks when `due_at` is `digest.time` (or None)."""
        jobs: list[Job] = []
        if self.app is not None:
            renders = await Renders.load(self.store, self.settings, CHANNEL, digest, digest_cards)
            for chat, sub in await self._chats(due_at):
                jobs.append(self._chat_job(chat, renders.parts(chat, sub), digest.date))
        if due_at is None or due_at == self.settings.digest.time:
            cards = render_feishu(digest, View(), for_webhook=True)
            for hook in self.settings.feishu.webhooks:
                sender = WebhookSender(hook, backoff_s=self.hook_backoff_s)
                jobs.append(Job(sender.target, cards, sender.send, limiter=sender.limiter))
        return jobs

    async def listing_jobs(self, listing: Listing, day: str) -> list[Job]:
        """Every chat and webhook of the daily push, the list answer (the weekly) as cards."""
        jobs: list[Job] = []
        if self.app is not None:
            cards = reply_cards(Reply(listing=listing))  # with a why button per story
            for chat, _ in await self._chats(None):
                jobs.append(replace(self._chat_job(chat, cards, day), on_done=None))
        hook_cards = render_feishu_listing(listing, for_webhook=True)
        for hook in self.settings.feishu.webhooks:
            sender = WebhookSender(hook, backoff_s=self.hook_backoff_s)
            jobs.append(Job(sender.target, hook_cards, sender.send, limiter=sender.limiter))
        return jobs

    def _chat_job(self, chat: str, cards: list[Any], day: str) -> Job:
        async def send(i: int, card: Any) -> None:
            await self.send_part(chat, day, i, card)

        async def shown() -> None:
            await shown_after_push(self.store, CHANNEL, chat, day)

        return Job(
            self.target(chat),
            cards,
            send,
            pace_s=CHAT_PACE_S,
            limiter=self.limiter,
            on_done=shown,
        )

    async def _chats(self, due_at: str | None) -> list[tuple[str, Subscriber | None]]:
        """Configured chats plus chats that subscribed with /start, minus those that said /stop."""
        subs = {s.chat_id: s for s in await self.store.list_subscribers(CHANNEL, active_only=False)}
        configured = self.settings.feishu.chats
        wanted = dict.fromkeys([*configured, *(c for c, s in subs.items() if s.active)])
        out: list[tuple[str, Subscriber | None]] = []
        for chat in wanted:
            sub = subs.get(chat)
            if (sub is None or sub.active) and is_due(self.settings, sub, due_at):
                out.append((chat, sub))
        return out


@asynccontextmanager
async def feishu_channel(settings: Settings, store: Store) -> AsyncIterator[FeishuChannel]:
    """The Feishu channel (its lark-oapi client needs no closing)."""
    yield FeishuChannel(settings, store)


async def feishu_jobs(
    settings: Settings,
    store: Store,
    digest: Digest,
    *,
    due_at: str | None = None,
    app: FeishuApp | None = None,
    hook_backoff_s: float = 1.0,
) -> list[Job]:
    """`FeishuChannel(...).jobs(digest, due_at)`, for callers that want the jobs only."""
    channel = FeishuChannel(settings, store, app, hook_backoff_s=hook_backoff_s)
    return await channel.jobs(digest, due_at)
