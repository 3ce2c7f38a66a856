"""The store on a real redis-server: what is written is what is read, nothing half-written."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster

from pipeline.errors import StoreError
from pipeline.models import Digest, Entry, Sections, Window
from pipeline.store import FeedState, Form, LedgerKey, Store, Target, WaitingCluster, open_store
from tests.factories import make_digest, make_pool
from tests.fakes.redis_process import RedisProcess
from tests.redis_cluster import client_for

pytestmark = pytest.mark.cluster_too

T0 = datetime(2026, 2, 3, 0, 0, tzinfo=UTC)


def digest_of(day: str) -> Digest:
    end = datetime.fromisoformat(f"{day}T08:00:00+08:00")
    return Digest(
        date=day,
        timezone="Asia/Shanghai",
        window=Window(start=end - timedelta(hours=24), end=end),
        generated_at=end,
        raw_count=0,
        candidate_count=0,
        sections=Sections(),
        summary="今日从0条原始信息中未筛选出符合条件的AI动态。",
    )


def entry(n: int, dated: bool = True) -> Entry:
    return Entry(
        id=f"e{n}",
        feed="kr36",
        source="36氪",
        region="domestic",
        title=f"标题 {n}",
        link=f"https://36kr.com/p/{n}",
        published_at=T0,
        dated=dated,
        lang="zh",
    )


async def test_digest_round_trip_and_latest(store: Store) -> None:
    await store.save_digest(digest_of("2026-02-02"), [entry(1)])
    await store.save_digest(digest_of("2026-02-03"), [entry(2), entry(3)])
    assert (await store.get_digest("2026-02-02")) == digest_of("2026-02-02")
    assert await store.list_dates() == ["2026-02-03", "2026-02-02"]
    latest = await store.latest_digest()
    assert latest is not None and latest.date == "2026-02-03"
    assert [e.id for e in await store.get_raw_entries("2026-02-03")] == ["e2", "e3"]
    assert await store.get_digest("2020-01-01") is None


@pytest.mark.parametrize("count", [0, 1, 7, 9])
async def test_raw_entries_written_in_chunks_are_the_days_json_array(
    store: Store, monkeypatch: pytest.MonkeyPatch, count: int
) -> None:
    """A big day's raw entries are written a chunk at a time and renamed into place: the
    stored bytes are the one JSON array, with its expiry, and no staged copy is left."""
    from pipeline import store as store_module

    monkeypatch.setattr(store_module, "RAW_CHUNK", 3)
    entries = [entry(n, dated=n % 2 == 0) for n in range(count)]
    await store.save_digest(digest_of("2026-02-03"), entries, keep_days=5)
    key = store.k.raw("2026-02-03")
    assert await store.r.get(key) == store_module._ENTRIES.dump_json(entries)
    assert await store.get_raw_entries("2026-02-03") == entries
    assert 5 * 86400 < await store.r.ttl(key) <= 6 * 86400
    assert [k async for k in store.r.scan_iter(match="*staged*")] == []


async def test_replayed_past_days_do_not_prune_each_other(store: Store) -> None:
    """Two past report dates built today both stay: age counts from the newest digest."""
    await store.save_digest(digest_of("2026-02-02"), [])
    await store.save_digest(digest_of("2026-02-03"), [])
    assert await store.prune(keep_days=90, today=date(2026, 11, 29), keep="2026-02-03") == 0
    assert await store.list_dates() == ["2026-02-03", "2026-02-02"]


async def test_prune_drops_digests_only_past_keep_digests_days(store: Store) -> None:
    for day in ("2026-01-01", "2026-02-01", "2026-02-03"):
        await store.save_digest(digest_of(day), [])
    assert await store.prune(keep_days=10, today=date(2026, 2, 3)) == 0
    assert len(await store.list_dates()) == 3
    dropped = await store.prune(keep_days=10, today=date(2026, 2, 3), keep_digests_days=10)
    assert dropped == 1
    assert await store.list_dates() == ["2026-02-03", "2026-02-01"]
    assert await store.get_digest("2026-01-01") is None


async def test_the_pool_is_stored_with_its_digest_and_goes_with_it(store: Store) -> None:
    digest = make_digest(3, 2)
    pool = make_pool(digest, per_section=4)
    await store.save_digest(digest, [], pool=pool)
    await store.save_digest(digest_of("2026-01-01"), [])

    got = await store.get_pool(digest.date)
    assert got == pool and [it.n for it in got] == list(range(6, 14))
    assert {it.section for it in got[:4]} == {"domestic"} and got[0].cutoff == digest.items[
        2
    ].score.total
    assert await store.get_pool("2026-01-01") == [] and await store.get_pool("2020-01-01") == []

    # rebuilt without one (e.g. an older run), the day has no pool: never yesterday's leftovers
    await store.save_digest(digest, [])
    assert await store.get_pool(digest.date) == []

    await store.save_digest(digest, [], pool=pool)
    await store.save_digest(digest_of("2026-06-01"), [])
    await store.prune(keep_days=10, today=date(2026, 6, 1), keep_digests_days=30)
    assert await store.get_digest(digest.date) is None and await store.get_pool(digest.date) == []


async def test_feed_state_keeps_validators_and_entries(store: Store) -> None:
    state = FeedState(
        etag='"abc"',
        last_modified="Mon, 02 Feb 2026 10:00:00 GMT",
        entries=[entry(1)],
        fetched_at=T0,
    )
    await store.set_feed_state("kr36", state)
    back = (await store.get_feed_states(["kr36"]))["kr36"]
    assert back is not None
    assert (back.etag, back.last_modified, back.fetched_at) == (state.etag, state.last_modified, T0)
    assert back.entries == [entry(1)]
    assert (await store.get_feed_states(["other"]))["other"] is None


async def test_feed_states_are_read_at_once_and_a_broken_one_is_none(store: Store) -> None:
    """A run reads every feed's state in one go; one it cannot read starts that feed afresh."""
    await store.set_feed_state("kr36", FeedState(etag='"a"', fetched_at=T0))
    await store.set_feed_state("wired", FeedState(etag='"b"', fetched_at=T0))
    await store.r.set(store.k.feed_state("broken"), "{not json")
    states = await store.get_feed_states(["wired", "none", "broken", "kr36"])
    assert list(states) == ["wired", "none", "broken", "kr36"]
    assert states["none"] is None and states["broken"] is None
    assert states["kr36"] is not None and states["kr36"].etag == '"a"'
    assert states["wired"] is not None and states["wired"].etag == '"b"'


async def test_first_seen_is_remembered(store: Store) -> None:
    first = await store.first_seen("kr36", ["a", "b"], T0)
    later = await store.first_seen("kr36", ["a", "c"], T0 + timedelta(hours=5))
    assert first == {"a": T0, "b": T0}
    assert later == {"a": T0, "c": T0 + timedelta(hours=5)}


KEY = LedgerKey("2026-02-03", Target("telegram", "1"), Form.of(["第0部分"]), 0)


async def test_ledger_claim_is_exclusive_until_released_or_expired(store: Store) -> None:
    assert await store.ledger_claim(KEY, "worker-a", ttl_s=60) == "claimed"
    assert await store.ledger_claim(KEY, "worker-b", ttl_s=60) == "busy"
    await store.ledger_release(KEY, "worker-b")  # not the owner: no effect
    assert await store.ledger_claim(KEY, "worker-b", ttl_s=60) == "busy"
    # an expired claim (a crashed worker) can be taken over
    assert await store.ledger_claim(KEY, "worker-b", ttl_s=0) == "claimed"
    await store.ledger_sent(KEY, info="a note")
    assert await store.ledger_claim(KEY, "worker-c", ttl_s=0) == "sent"
    [entry] = await store.ledger_entries(KEY.day, KEY.target)
    assert (entry.key, entry.state, entry.info) == (KEY, "sent", "a note")


async def test_a_claim_lives_while_its_owner_beats_and_frees_soon_after(store: Store) -> None:
    assert await store.ledger_claim(KEY, "pusher-a", ttl_s=0.3) == "claimed"
    for _ in range(3):  # 0.45 s in all: older than the TTL, but the owner is alive
        await asyncio.sleep(0.15)
        await store.ledger_heartbeat(KEY.day, "pusher-a")
        assert await store.ledger_claim(KEY, "pusher-b", ttl_s=0.3) == "busy"
    await asyncio.sleep(0.35)  # the owner was killed: no more beats
    assert await store.ledger_claim(KEY, "pusher-b", ttl_s=0.3) == "claimed"


async def test_a_send_redis_cannot_take_is_kept_and_written_later(
    store: Store, redis_kind: str
) -> None:
    nowhere = "redis://127.0.0.1:9/0"  # nothing listens there: Redis is away
    other = Store(aioredis.from_url(nowhere, socket_connect_timeout=0.2), nowhere, store.k)
    await other.ledger_sent(KEY)  # does not raise
    assert other.ledger_unrecorded() == 1
    assert await other.ledger_claim(KEY, "pusher-b", ttl_s=0) == "sent"  # known in memory
    with pytest.raises(StoreError):
        await other.ledger_flush()
    await other.r.aclose()
    other.r = client_for(store.url, redis_kind)  # Redis is back
    await other.ledger_flush()
    assert other.ledger_unrecorded() == 0
    await other.close()
    assert [e.state for e in await store.ledger_entries(KEY.day)] == ["sent"]


async def test_what_this_process_sent_is_known_part_by_part(store: Store) -> None:
    """Sends known in memory answer "sent" for exactly those parts: not a neighbouring
    part, not another chat's, not another rendering's, not another day's."""
    nowhere = "redis://127.0.0.1:9/0"  # Redis away: only memory can answer "sent"
    other = Store(aioredis.from_url(nowhere, socket_connect_timeout=0.2), nowhere, store.k)
    sent = [replace(KEY, part=1), replace(KEY, part=40)]  # far parts of one rendering
    for key in sent:
        await other.ledger_sent(key)
    neighbours = [
        replace(KEY, part=0),
        replace(KEY, part=2),
        replace(KEY, target=Target("telegram", "other-chat")),
        replace(KEY, part=1, form=Form(KEY.form.parts, "ffffffff")),
        replace(KEY, part=1, day="2026-01-01"),
    ]
    assert [await other.ledger_claim(k, "pusher-b", ttl_s=0) for k in sent] == ["sent", "sent"]
    for key in neighbours:  # not known here: the claim asks Redis, which is away
        with pytest.raises(StoreError):
            await other.ledger_claim(key, "pusher-b", ttl_s=0)
    await other.close()


async def test_locks_have_an_owner(store: Store) -> None:
    assert await store.acquire_lock("daily", "a", ttl_s=30)
    assert not await store.acquire_lock("daily", "b", ttl_s=30)
    assert not await store.release_lock("daily", "b")
    assert await store.extend_lock("daily", "a", ttl_s=30)
    assert await store.release_lock("daily", "a")
    assert await store.acquire_lock("daily", "b", ttl_s=30)


async def test_events_are_answered_once(store: Store) -> None:
    assert await store.first_event("feishu", "ev-1")
    assert not await store.first_event("feishu", "ev-1")


async def test_a_message_remembers_the_button_it_shows_so_a_double_tap_is_seen(
    store: Store,
) -> None:
    assert await store.swap_tapped("telegram", "7", "42", "b:2026-02-03") is None
    assert await store.swap_tapped("telegram", "7", "42", "b:2026-02-03") == "b:2026-02-03"
    assert await store.swap_tapped("telegram", "7", "42", "c:2026-02-03") == "b:2026-02-03"
    assert await store.swap_tapped("telegram", "7", "43", "c:2026-02-03") is None  # per message
    assert await store.swap_tapped("feishu", "7", "42", "c:2026-02-03") is None  # per channel


async def test_a_press_pins_the_chat_to_its_digest_only_when_it_is_stored(store: Store) -> None:
    await store.save_digest(digest_of("2026-02-03"), [])
    assert not await store.pin_shown("telegram", "9", "2026-01-01")
    assert await store.get_shown("telegram", "9") is None  # nothing left behind
    assert await store.pin_shown("telegram", "9", "2026-02-03")
    assert await store.get_shown("telegram", "9") == "2026-02-03"
    assert not await store.pin_shown("telegram", "9", "2025-12-31")
    assert await store.get_shown("telegram", "9") == "2026-02-03"  # what it was shown stays


async def test_digest_keys_share_a_cluster_slot(store: Store) -> None:
    """The digest and its raw entries are written in one transaction: one hash slot."""
    from redis.crc import key_slot

    assert key_slot(store.k.digest("2026-02-03").encode()) == key_slot(
        store.k.raw("2026-02-03").encode()
    )


async def test_unreachable_redis_is_one_line_naming_the_url() -> None:
    with pytest.raises(StoreError) as info:
        await open_store("redis://127.0.0.1:1/0")
    assert "redis://127.0.0.1:1/0" in str(info.value)
    assert "\n" not in str(info.value)


async def test_embedded_redis_persists_under_the_data_dir(tmp_path: Path) -> None:
    store = await open_store(None, str(tmp_path / "data"))
    try:
        await store.save_digest(digest_of("2026-02-03"), [])
        assert await store.latest_date() == "2026-02-03"
    finally:
        await store.close()
    assert (tmp_path / "data" / "aidaily.rdb").exists() or any((tmp_path / "data").iterdir())
    again = await open_store(None, str(tmp_path / "data"))
    try:
        assert await again.latest_date() == "2026-02-03"
    finally:
        await again.close()


async def _config_set(store: Store, redis_kind: str, name: str, value: str) -> None:
    """CONFIG SET on the node, or on every master of the cluster."""
    if redis_kind == "cluster":
        await store.r.config_set(name, value, target_nodes=RedisCluster.PRIMARIES)
    else:
        await store.r.config_set(name, value)


async def test_a_failed_transaction_leaves_nothing_half_written(
    store: Store, redis_kind: str
) -> None:
    """A digest that cannot be serialised into Redis leaves neither key behind."""
    try:
        await _config_set(store, redis_kind, "maxmemory", "1mb")
        await _config_set(store, redis_kind, "maxmemory-policy", "noeviction")
        big = [entry(i) for i in range(20000)]
        with pytest.raises(StoreError):
            await store.save_digest(digest_of("2026-02-04"), big)
        assert await store.get_digest("2026-02-04") is None
        assert await store.list_dates() == []
    finally:
        await _config_set(store, redis_kind, "maxmemory", "0")


async def test_a_digest_rewritten_elsewhere_is_seen_at_once(
    store: Store, redis_url: str, redis_kind: str
) -> None:
    """The parsed-digest cache never hides a digest another process stored since."""
    await store.save_digest(digest_of("2026-02-03"), [])
    first = await store.get_digest("2026-02-03")
    assert first is not None and await store.get_digest("2026-02-03") is first  # parsed once
    other = Store(client_for(redis_url, redis_kind), redis_url, store.k)
    try:
        changed = digest_of("2026-02-03").model_copy(update={"raw_count": 7})
        await other.save_digest(changed, [])
    finally:
        await other.r.aclose()
    again = await store.get_digest("2026-02-03")
    assert again is not None and again.raw_count == 7


async def test_a_full_redis_is_said_to_be_out_of_memory(tmp_path: Path) -> None:
    redis = RedisProcess(tmp_path)
    redis.start()
    store = await open_store(redis.url)
    try:
        await store.r.config_set("maxmemory", 1)  # every write is refused with OOM
        with pytest.raises(StoreError, match="Redis is out of memory"):
            await store.save_digest(make_digest(), [])
    finally:
        await store.close()
        redis.stop()


async def test_a_burst_past_the_pool_waits_its_turn(
    store: Store, redis_url: str, redis_kind: str
) -> None:
    """2,000 reads at once through the store aidaily opens, far past its 64 connections a
    node: they wait for one, none fails (redis-py's cluster client alone refuses them)."""
    opened = await open_store(redis_url, cluster=redis_kind == "cluster")
    try:
        await opened.set_shown("telegram", "1", "2026-02-03")
        shown, votes = await asyncio.gather(
            asyncio.gather(*(opened.get_shown("telegram", "1") for _ in range(2000))),
            asyncio.gather(*(opened.day_votes("2026-02-03") for _ in range(2000))),  # pipelines
        )
    finally:
        await opened.close()
    assert shown == ["2026-02-03"] * 2000
    assert votes == [{}] * 2000


async def test_a_cluster_caller_waits_no_longer_than_the_pool_timeout(
    redis_cluster_url: str,
) -> None:
    """With every connection busy past `timeout`, the wait ends as the single node's pool
    ends it: a StoreError naming the cause, not a hang."""
    client = WaitingCluster.from_url(redis_cluster_url, max_connections=1, timeout=0.2)
    store = Store(client, redis_cluster_url)
    busy, done = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with client.permit():
            busy.set()
            await done.wait()

    holder = asyncio.create_task(hold())
    try:
        await busy.wait()
        with pytest.raises(StoreError, match=r"no cluster connection free within 0\.2 s"):
            await store.get_shown("telegram", "1")
        done.set()
        await holder
        assert await store.get_shown("telegram", "1") is None  # free again: answered
    finally:
        done.set()
        await client.aclose()
