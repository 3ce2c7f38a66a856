"""`pipeline.batch.Coalescer` on a real Redis: many callers' commands in few round trips,
each caller with its own reply or its own error."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from pipeline.batch import Coalescer
from pipeline.store import Store


class _Counting:
    """The store's client, counting the pipelines (round trips) asked of it."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.pipelines = 0

    def pipeline(self, transaction: Any = None, shard_hint: Any = None) -> Any:
        self.pipelines += 1
        return self.client.pipeline(transaction=transaction)


async def test_a_thousand_callers_share_a_few_round_trips(store: Store) -> None:
    client = _Counting(store.r)
    batched = Coalescer(lambda: client)
    key = store.k.ledger("2026-02-03") + ":coalesced"

    async def one(i: int) -> Any:
        return await batched.execute("HSET", key, f"f{i}", str(i))

    replies = await asyncio.gather(*(one(i) for i in range(1000)))
    assert replies == [1] * 1000  # each its own reply: one new field each
    assert client.pipelines <= 20  # 1,000 commands, not 1,000 round trips
    stored = await store.r.hgetall(key)
    assert len(stored) == 1000 and stored[b"f999"] == b"999"


async def test_a_lone_command_goes_at_once_and_errors_stay_with_their_caller(store: Store) -> None:
    batched = Coalescer(lambda: store.r)
    key = store.k.ledger("2026-02-03") + ":mixed"
    assert await batched.execute("SET", key, "1") is True  # the reply redis-py gives for SET
    good, bad, after = await asyncio.gather(
        batched.execute("INCR", key),
        batched.execute("HSET", key, "f", "v"),  # wrong type: this caller's error only
        batched.execute("INCR", key),
        return_exceptions=True,
    )
    assert good == 2 and after == 3
    assert isinstance(bad, ResponseError) and "WRONGTYPE" in str(bad)


async def test_a_cancelled_caller_leaves_the_others_their_replies(store: Store) -> None:
    batched = Coalescer(lambda: store.r, in_flight=1)
    key = store.k.ledger("2026-02-03") + ":cancel"
    first = asyncio.ensure_future(batched.execute("INCR", key))
    queued = [asyncio.ensure_future(batched.execute("INCR", key)) for _ in range(5)]
    queued[2].cancel()
    results = await asyncio.gather(first, *queued, return_exceptions=True)
    assert isinstance(results[3], asyncio.CancelledError)
    assert sorted(r for r in results if isinstance(r, int)) == [1, 2, 3, 4, 5]


async def test_a_lost_connection_fails_every_caller_in_the_round_trip() -> None:
    from redis.asyncio import Redis

    dead = Redis(host="127.0.0.1", port=1, socket_connect_timeout=1)  # nothing listens on 1
    batched = Coalescer(lambda: dead)
    try:
        results = await asyncio.gather(
            *(batched.execute("GET", f"k{i}") for i in range(10)), return_exceptions=True
        )
    finally:
        await dead.aclose()
    assert all(isinstance(r, RedisConnectionError) for r in results)


@pytest.mark.parametrize("state", ["claimed", "sent"])
async def test_ledger_claims_and_records_go_through_it(store: Store, state: str) -> None:
    """The store's ledger, batched: 500 targets claimed and recorded at once."""
    from pipeline.store import Form, LedgerKey, Target

    keys = [
        LedgerKey("2026-02-03", Target("telegram", str(i)), Form(1, "ab"), 0) for i in range(500)
    ]
    claims = await asyncio.gather(*(store.ledger_claim(k, "me", 30) for k in keys))
    assert set(claims) == {"claimed"}
    if state == "sent":
        await asyncio.gather(*(store.ledger_sent(k) for k in keys))
    again = await asyncio.gather(*(store.ledger_claim(k, "other", 30) for k in keys))
    assert set(again) == {"busy" if state == "claimed" else "sent"}
    entries = await store.ledger_entries("2026-02-03")
    assert len(entries) == 500 and {e.state for e in entries} == {
        "claim" if state == "claimed" else "sent"
    }
