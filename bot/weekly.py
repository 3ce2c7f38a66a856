"""The weekly push (`digest.weekly`): /week's digest to every target of the daily push, once.

The same targets as the morning push (every subscribed Telegram chat, every Feishu
chat and webhook), whatever their own push time or form, through the same delivery
ledger under the week's own key (`week_key`): a repeat, a restart or a second
instance never sends it twice, and it never counts as a day's digest. The scheduler
(bot/schedule.py) calls `push_week` at the configured weekday and time.
"""

from __future__ import annotations

import logging
from datetime import date

from bot import archive
from bot.delivery import CLAIM_TTL_S, PushReport, deliver, new_owner
from bot.push import BUSY_MARGIN_S, ChannelChoice, ChannelSpec, each_channel
from pipeline.config import Settings
from pipeline.errors import DeliveryError
from pipeline.render import Listing
from pipeline.store import Store

log = logging.getLogger(__name__)


def week_key(end: date) -> str:
    """The ledger's "day" of the weekly edition that ends on `end` (never a digest date)."""
    return f"week-{end.isoformat()}"


async def push_week(
    settings: Settings,
    store: Store,
    end: date,
    *,
    channel: ChannelChoice = "all",
    claim_ttl_s: float = CLAIM_TTL_S,
) -> PushReport:
    """Deliver the week up to `end` (/week's ten stories) to every target, at most once each."""
    listing = await archive.week(store, end)
    if isinstance(listing, str):  # no daily stored that week: nothing worth a message
        log.info("weekly push %s: nothing to send: %s", end, listing)
        return PushReport()
    owner = new_owner()
    report = await each_channel(
        settings,
        channel,
        lambda spec: _push_channel(spec, settings, store, listing, end, owner, claim_ttl_s),
    )
    log.info("weekly push %s: %s", end, report.summary())
    return report


async def _push_channel(
    spec: ChannelSpec,
    settings: Settings,
    store: Store,
    listing: Listing,
    end: date,
    owner: str,
    claim_ttl_s: float,
) -> PushReport:
    key = week_key(end)
    try:
        async with spec.open(settings, store) as channel:
            jobs = await channel.listing_jobs(listing, key)
            # channel=None: the weekly's figures must not replace the morning's in /stats
            return await deliver(
                store,
                key,
                jobs,
                owner=owner,
                concurrency=channel.concurrency,
                claim_ttl_s=claim_ttl_s,
                busy_wait_s=claim_ttl_s + BUSY_MARGIN_S,
            )
    except DeliveryError as exc:
        log.warning("weekly push %s %s: %s", spec.name, end, exc)
        return PushReport(targets=1, failed=1, errors={spec.name: str(exc)})
