"""The Channel protocol, and the per-chat rules every channel shares.

A channel (Telegram, Feishu) turns a stored digest into push `Job`s for the chats
due now; `bot.push` runs each channel's jobs through `bot.delivery.deliver`.
What a chat asked for (`chat_view`), when it is due (`is_due`) and what it was
shown after a push (`shown_after_push`) are decided here once, for every channel.
"""

from __future__ import annotations

from typing import Any, Protocol

from bot.delivery import Job
from pipeline.config import Settings
from pipeline.models import Digest, Subscriber
from pipeline.render import Listing, View
from pipeline.store import Store, Target


class Channel(Protocol):
    """One chat platform, as the push sees it."""

    name: str  # "telegram" | "feishu": the store's channel name and the metric label
    concurrency: int  # targets worked at once

    def target(self, chat_id: str) -> Target:
        """The ledger target of one chat."""
        ...

    async def send_part(self, chat_id: str, day: str, i: int, part: Any) -> None:
        """Send part `i` of `day`'s digest to a chat; raises the `DeliveryError` kinds."""
        ...

    async def jobs(self, digest: Digest, due_at: str | None) -> list[Job]:
        """One Job per target due at `due_at` (HH:MM; None: every target)."""
        ...

    async def listing_jobs(self, listing: Listing, day: str) -> list[Job]:
        """One Job per target of the daily push, whatever its time or form, with a list
        answer (the weekly push); `day` is its ledger key. Nothing counts as shown."""
        ...


def push_time(settings: Settings, sub: Subscriber | None) -> str:
    """When a chat is pushed (HH:MM local): its /settings time, else `digest.time`."""
    return (sub.settings.push_time if sub else None) or settings.digest.time


def is_due(settings: Settings, sub: Subscriber | None, due_at: str | None) -> bool:
    """Whether a chat is pushed at `due_at`; None means every chat."""
    return due_at is None or push_time(settings, sub) == due_at


def chat_view(settings: Settings, sub: Subscriber | None) -> View:
    """The View a chat asked for with /settings: brief or full, which sections."""
    if sub is None:
        return View(brief_count=settings.digest.brief)
    sections = set(sub.settings.sections)
    if len(sections) == 1:
        only = next(iter(sections))
        return View(
            section=only, brief=sub.settings.mode == "brief", brief_count=settings.digest.brief
        )
    return View(brief=sub.settings.mode == "brief", brief_count=settings.digest.brief)


async def shown_after_push(store: Store, channel: str, chat_id: str, day: str) -> None:
    """After a push, /why N, /brief and /intl in that chat mean the digest just sent."""
    await store.set_shown(channel, chat_id, day)
