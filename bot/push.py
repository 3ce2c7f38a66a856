"""The push: a stored digest to every due Telegram subscriber and every Feishu target.

`aidaily push` and the schedule of `aidaily serve` both call `push`. Each channel
is one `bot.delivery.deliver` call (its own summary in `Store.set_last_push`);
the channels run side by side and their reports are merged.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Literal

from bot.delivery import PushReport, deliver, new_owner
from pipeline.config import Settings
from pipeline.errors import AidailyError, DeliveryError
from pipeline.models import Digest
from pipeline.store import Store

log = logging.getLogger(__name__)

ChannelChoice = Literal["all", "telegram", "feishu"]
FEISHU_CONCURRENCY = 32  # the shared app limiter, not this, keeps Feishu's 50/s


async def push(
    settings: Settings,
    store: Store,
    day: str,
    *,
    channel: ChannelChoice = "all",
    due_at: str | None = None,
) -> PushReport:
    """Deliver the digest of `day`; `due_at` (HH:MM) limits it to the chats due then.

    `report.ok` is False when some target could not be reached after retries
    (exit code 1: running it again later finishes the job).
    """
    digest = await store.get_digest(day)
    if digest is None:
        raise AidailyError(f"no digest stored for {day}; run `aidaily run --date {day}` first")
    owner = new_owner()
    # A TaskGroup: a cancelled push waits for both channels to record what they sent.
    async with asyncio.TaskGroup() as group:
        pushes = []
        if channel in ("all", "telegram") and settings.telegram_enabled:
            pushes.append(group.create_task(_push_telegram(settings, store, digest, due_at, owner)))
        if channel in ("all", "feishu") and settings.feishu_enabled:
            pushes.append(group.create_task(_push_feishu(settings, store, digest, due_at, owner)))
    report = PushReport()
    for one in pushes:
        report = report.merge(one.result())
    return report


async def _push_telegram(
    settings: Settings, store: Store, digest: Digest, due_at: str | None, owner: str
) -> PushReport:
    from bot.telegram.bot import PUSH_CONCURRENCY, push_bot, telegram_jobs

    try:
        async with push_bot(settings) as bot:
            jobs = await telegram_jobs(settings, store, digest, due_at, bot=bot)
            return await deliver(
                store,
                digest.date,
                jobs,
                owner=owner,
                concurrency=PUSH_CONCURRENCY,
                channel="telegram",
            )
    except DeliveryError as exc:
        return await _channel_down(store, digest.date, "telegram", exc)


async def _push_feishu(
    settings: Settings, store: Store, digest: Digest, due_at: str | None, owner: str
) -> PushReport:
    """Feishu chats due at `due_at` (their /settings time), webhooks at `digest.time`."""
    from bot.feishu.client import feishu_jobs

    try:
        jobs = await feishu_jobs(settings, store, digest, due_at=due_at)
        if not jobs:
            return PushReport()
        return await deliver(
            store, digest.date, jobs, owner=owner, concurrency=FEISHU_CONCURRENCY, channel="feishu"
        )
    except DeliveryError as exc:
        return await _channel_down(store, digest.date, "feishu", exc)


async def _channel_down(store: Store, day: str, channel: str, exc: DeliveryError) -> PushReport:
    """A channel that cannot start (bad token, API unreachable): one failed target, reported."""
    report = PushReport(targets=1, failed=1, errors={channel: str(exc)})
    log.warning("push %s %s: %s", channel, day, exc)
    await store.set_last_push(channel, {"date": day, **report.to_dict()})
    return report
