"""The Channel protocol, and the per-chat rules every channel shares.

A channel (Telegram, Feishu) turns a stored digest into push `Job`s for the chats
due now; `bot.push` runs each channel's jobs through `bot.delivery.deliver`.
What a chat asked for (`chat_view`: its /settings and its /follow and /mute),
when it is due (`is_due`) and what it was shown after a push (`shown_after_push`)
are decided here once, for every channel. A push renders once per distinct view
(`Renders`): chats with no interests and the same settings share one render.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from bot.delivery import Job
from bot.interests import interest_view
from pipeline.config import Settings
from pipeline.models import Digest, Interests, PoolItem, Subscriber
from pipeline.render import Listing, View
from pipeline.store import Store, Target

Parts = TypeVar("Parts")


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


def chat_view(
    settings: Settings,
    sub: Subscriber | None,
    interests: Interests | None = None,
    digest: Digest | None = None,
    pool: Sequence[PoolItem] = (),
) -> View:
    """The View a chat asked for: /settings (brief or full, which sections), then its
    /follow and /mute over `digest` (and the day's judged `pool`)."""
    view = _settings_view(settings, sub)
    if digest is None:
        return view
    return interest_view(view, digest, interests, pool)


def _settings_view(settings: Settings, sub: Subscriber | None) -> View:
    if sub is None:
        return View(brief_count=settings.digest.brief)
    sections = set(sub.settings.sections)
    if len(sections) == 1:
        only = next(iter(sections))
        return View(
            section=only, brief=sub.settings.mode == "brief", brief_count=settings.digest.brief
        )
    return View(brief=sub.settings.mode == "brief", brief_count=settings.digest.brief)


async def with_interests(
    store: Store, channel: str, chat_id: str, digest: Digest, view: View
) -> View:
    """A command's `view` as this chat sees it (/today, /brief, /cn, /intl, /date, taps)."""
    return await view_with(store, digest, view, await store.get_interests(channel, chat_id))


async def view_with(store: Store, digest: Digest, view: View, interests: Interests) -> View:
    """`with_interests` for interests already read: the pool is read when they follow any."""
    if interests.empty:
        return view
    pool = await store.get_pool(digest.date) if interests.follows else []
    return interest_view(view, digest, interests, pool)


@dataclass
class Renders(Generic[Parts]):
    """A push's views, decided once per chat and rendered once per distinct view.

    Interests are read for every chat of the channel in one pass (`load`), the pool
    only when some chat follows something: 100,000 chats with no interests cost one
    render per /settings form, not 100,000.
    """

    settings: Settings
    digest: Digest
    render: Callable[[Digest, View], Parts]
    interests: dict[str, Interests] = field(default_factory=dict)
    pool: Sequence[PoolItem] = ()
    _cache: dict[View, Parts] = field(default_factory=dict, init=False)

    @classmethod
    async def load(
        cls,
        store: Store,
        settings: Settings,
        channel: str,
        digest: Digest,
        render: Callable[[Digest, View], Parts],
    ) -> Renders[Parts]:
        interests = await store.all_interests(channel)
        follows = any(i.follows for i in interests.values())
        pool = await store.get_pool(digest.date) if follows else []
        return cls(settings, digest, render, interests, pool)

    def view(self, chat_id: str, sub: Subscriber | None) -> View:
        return chat_view(self.settings, sub, self.interests.get(chat_id), self.digest, self.pool)

    def parts(self, chat_id: str, sub: Subscriber | None) -> Parts:
        """What this chat is sent: its view's render, shared with every chat of that view."""
        view = self.view(chat_id, sub)
        if view not in self._cache:
            self._cache[view] = self.render(self.digest, view)
        return self._cache[view]

    @property
    def distinct(self) -> int:
        """How many renders were made."""
        return len(self._cache)


async def shown_after_push(store: Store, channel: str, chat_id: str, day: str) -> None:
    """After a push, /why N, /brief and /intl in that chat mean the digest just sent."""
    await store.set_shown(channel, chat_id, day)
