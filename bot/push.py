"""The push: a stored digest to every due chat of every channel that is on.

`aidaily push` and the schedule of `aidaily serve` both call `push`. Each channel
(`CHANNELS`: its name, whether settings turn it on, how to open it) is one
`bot.delivery.deliver` call with its own summary in `Store.set_last_push`; the
channels run side by side and their reports are merged. A new channel is one
entry here and one `bot.channel.Channel` implementation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Literal

from bot.channel import Channel
from bot.delivery import CLAIM_TTL_S, PushReport, deliver, new_owner
from pipeline.config import Settings
from pipeline.errors import AidailyError, DeliveryError, StoreError
from pipeline.models import Digest
from pipeline.store import Store

log = logging.getLogger(__name__)

ChannelChoice = Literal["all", "telegram", "feishu"]
BUSY_MARGIN_S = 5.0  # past claim_ttl_s: a dead pusher's claims are surely free by then
Opener = Callable[[Settings, Store], AbstractAsyncContextManager[Channel]]


def _open_telegram(settings: Settings, store: Store) -> AbstractAsyncContextManager[Channel]:
    from bot.telegram.push import telegram_channel  # PTB is imported only when Telegram is on

    return telegram_channel(settings, store)


def _open_feishu(settings: Settings, store: Store) -> AbstractAsyncContextManager[Channel]:
    from bot.feishu.push import feishu_channel  # lark-oapi is imported only when Feishu is on

    return feishu_channel(settings, store)


@dataclass(frozen=True)
class ChannelSpec:
    """A channel as the push and the schedule know it."""

    name: str
    enabled: Callable[[Settings], bool]
    open: Opener


CHANNELS: tuple[ChannelSpec, ...] = (
    ChannelSpec("telegram", lambda s: s.telegram_enabled, _open_telegram),
    ChannelSpec("feishu", lambda s: s.feishu_enabled, _open_feishu),
)

CHANNEL_NAMES = tuple(spec.name for spec in CHANNELS)


def enabled_channels(settings: Settings) -> tuple[str, ...]:
    """The names of the channels these settings turn on, in push order."""
    return tuple(spec.name for spec in CHANNELS if spec.enabled(settings))


async def push(
    settings: Settings,
    store: Store,
    day: str,
    *,
    channel: ChannelChoice = "all",
    due_at: str | None = None,
    claim_ttl_s: float = CLAIM_TTL_S,
) -> PushReport:
    """Deliver the digest of `day`; `due_at` (HH:MM) limits it to the chats due then.

    Parts a crashed push left claimed are waited for (they free within
    `claim_ttl_s`), so a push right after a crash finishes the job.
    `report.ok` is False when some target could not be reached after retries
    (exit code 1: running it again later finishes the job).
    """
    digest = await store.get_digest(day)
    if digest is None:
        raise AidailyError(f"no digest stored for {day}; run `aidaily run --date {day}` first")
    owner = new_owner()
    return await each_channel(
        settings,
        channel,
        lambda spec: _push_channel(spec, settings, store, digest, due_at, owner, claim_ttl_s),
    )


async def each_channel(
    settings: Settings,
    channel: ChannelChoice,
    push_one: Callable[[ChannelSpec], Coroutine[Any, Any, PushReport]],
) -> PushReport:
    """Run `push_one` for every enabled channel `channel` names, at once; one merged report.

    A TaskGroup: a cancelled push waits for every channel to record what it sent.
    """
    specs = [s for s in CHANNELS if channel in ("all", s.name) and s.enabled(settings)]
    async with asyncio.TaskGroup() as group:
        pushes = [group.create_task(push_one(spec)) for spec in specs]
    report = PushReport()
    for one in pushes:
        report = report.merge(one.result())
    return report


async def _push_channel(
    spec: ChannelSpec,
    settings: Settings,
    store: Store,
    digest: Digest,
    due_at: str | None,
    owner: str,
    claim_ttl_s: float,
) -> PushReport:
    try:
        async with spec.open(settings, store) as channel:
            jobs = await channel.jobs(digest, due_at)
            if not jobs:
                return PushReport()
            return await deliver(
                store,
                digest.date,
                jobs,
                owner=owner,
                concurrency=channel.concurrency,
                claim_ttl_s=claim_ttl_s,
                busy_wait_s=claim_ttl_s + BUSY_MARGIN_S,
                channel=spec.name,
            )
    except DeliveryError as exc:
        return await _channel_down(store, digest.date, spec.name, exc)


async def _channel_down(store: Store, day: str, channel: str, exc: DeliveryError) -> PushReport:
    """A channel that cannot start (bad token, API unreachable): one failed target, reported."""
    report = PushReport(targets=1, failed=1, errors={channel: str(exc)})
    log.warning("push %s %s: %s", channel, day, exc)
    with contextlib.suppress(StoreError):  # Redis away: the store has said so once
        await store.set_last_push(channel, {"date": day, **report.to_dict()})
    return report
