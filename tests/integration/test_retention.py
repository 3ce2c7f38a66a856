"""The archive is data (issue 10): digests are kept forever unless `store.keep_digests_days`
says otherwise, `store.keep_days` bounds raw entries, feed state and caches, and every
deletion is logged with its date.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest

from pipeline.store import FeedState, Store
from tests.integration.test_store import digest_of, entry

pytestmark = pytest.mark.integration

DEMO_DAY = "2026-02-03"
TODAY = date(2026, 12, 2)
DAY_S = 86_400


async def test_a_new_day_does_not_delete_the_demo_digest(store: Store) -> None:
    """The reproduction: the demo day, then today's (empty) digest, with keep_days 90."""
    await store.save_digest(digest_of(DEMO_DAY), [entry(1)])
    await store.save_digest(digest_of(TODAY.isoformat()), [])
    assert await store.prune(90, TODAY, keep=TODAY.isoformat()) == 0
    assert await store.list_dates() == [TODAY.isoformat(), DEMO_DAY]
    assert await store.get_digest(DEMO_DAY) == digest_of(DEMO_DAY)
    assert await store.r.ttl(store.k.digest(DEMO_DAY)) == -1  # no expiry either


async def test_raw_entries_past_keep_days_go_and_each_deletion_is_logged(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    await store.save_digest(digest_of(DEMO_DAY), [entry(1)])
    await store.save_digest(digest_of(TODAY.isoformat()), [entry(2)])
    assert 0 < await store.r.ttl(store.k.raw(TODAY.isoformat())) <= 91 * DAY_S
    with caplog.at_level(logging.INFO, logger="pipeline.store"):
        await store.prune(90, TODAY)
        await store.prune(90, TODAY)  # nothing left to delete: nothing logged twice
    assert await store.get_raw_entries(DEMO_DAY) == []
    assert [e.id for e in await store.get_raw_entries(TODAY.isoformat())] == ["e2"]
    assert await store.get_digest(DEMO_DAY) is not None
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [f"store: deleted the raw entries of {DEMO_DAY} (store.keep_days)"]


async def test_keep_digests_days_deletes_older_digests_each_logged_with_its_date(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    for day in ("2026-01-01", "2026-01-02", DEMO_DAY):
        await store.save_digest(digest_of(day), [])
    with caplog.at_level(logging.INFO, logger="pipeline.store"):
        dropped = await store.prune(90, date(2026, 2, 3), keep_digests_days=30)
    assert dropped == 2
    assert await store.list_dates() == [DEMO_DAY]
    deleted = [r for r in caplog.records if "deleted the digest" in r.getMessage()]
    assert [r.levelno for r in deleted] == [logging.WARNING] * 2
    assert ["2026-01-01" in deleted[0].getMessage(), "2026-01-02" in deleted[1].getMessage()] == [
        True,
        True,
    ]


async def test_the_digest_being_kept_is_never_deleted(store: Store) -> None:
    await store.save_digest(digest_of(DEMO_DAY), [])
    await store.save_digest(digest_of(TODAY.isoformat()), [])
    assert await store.prune(90, TODAY, keep=DEMO_DAY, keep_digests_days=1) == 0


async def test_digests_stored_with_a_ttl_by_an_older_version_lose_it(store: Store) -> None:
    await store.save_digest(digest_of(DEMO_DAY), [])
    await store.r.expire(store.k.digest(DEMO_DAY), 91 * DAY_S)
    await store.prune(90, date(2026, 2, 3))
    assert await store.r.ttl(store.k.digest(DEMO_DAY)) == -1


async def test_feed_state_and_caches_live_no_longer_than_keep_days(store: Store) -> None:
    now = datetime(2026, 2, 3, tzinfo=UTC)
    await store.set_feed_state("kr36", FeedState(entries=[entry(1)], fetched_at=now), keep_days=3)
    await store.first_seen("kr36", ["e1"], now, keep_days=3)
    await store.llm_cache_set({store.k.llm("m", "v1", "h"): "{}"}, keep_days=3)
    for key in (store.k.feed_state("kr36"), store.k.feed_seen("kr36"), store.k.llm("m", "v1", "h")):
        assert 0 < await store.r.ttl(key) <= 3 * DAY_S, key
