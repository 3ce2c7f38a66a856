"""bot.delivery against a real Redis: the ledger, retries, faults and concurrency."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

from bot.delivery import Job, RateLimiter, RetryPolicy, deliver
from pipeline.errors import RetryLater, TargetGone, TransientDelivery
from pipeline.store import Store, Target

pytestmark = pytest.mark.cluster_too

DAY = "2026-02-03"
FAST = RetryPolicy(max_attempts=4, backoff_base_s=0.001, backoff_max_s=0.01, max_wait_s=1.0)


class Inbox:
    """Records what each target received; faults are scripted per (target, part)."""

    def __init__(self) -> None:
        self.got: Counter[tuple[str, Any]] = Counter()
        self.faults: dict[tuple[str, int], list[Exception]] = {}
        self.gate: asyncio.Event | None = None  # when set, sends wait for it

    def job(self, target: str, parts: list[Any], **kw: Any) -> Job:
        async def send(i: int, part: Any) -> None:
            if self.gate is not None:
                await self.gate.wait()
            queued = self.faults.get((target, i))
            if queued:
                raise queued.pop(0)
            self.got[(target, part)] += 1

        return Job(Target(*target.split(":", 1)), parts, send, **kw)


def parts_of(n: int) -> list[str]:
    return [f"第{i}部分" for i in range(n)]


async def test_every_part_once_and_a_repeat_sends_nothing(store: Store) -> None:
    inbox = Inbox()
    jobs = [inbox.job(f"telegram:{c}", parts_of(3)) for c in range(20)]
    first = await deliver(store, DAY, jobs, owner="a", policy=FAST, channel="telegram")
    assert (first.sent, first.skipped, first.ok) == (60, 0, True)
    again = await deliver(store, DAY, jobs, owner="b", policy=FAST)
    assert (again.sent, again.skipped) == (0, 60)
    assert set(inbox.got.values()) == {1} and len(inbox.got) == 60
    last = await store.get_last_push("telegram")
    assert last is not None and last["sent"] == 60 and last["date"] == DAY


async def test_faults_are_retried_gone_is_reported_and_others_continue(store: Store) -> None:
    inbox = Inbox()
    inbox.faults[("t:1", 0)] = [RetryLater("429", 0.01), RetryLater("429", 0.01)]
    inbox.faults[("t:2", 1)] = [TransientDelivery("502"), TransientDelivery("timeout")]
    inbox.faults[("t:3", 1)] = [TargetGone("403 blocked")]
    inbox.faults[("t:4", 0)] = [TransientDelivery("down")] * 4
    jobs = [inbox.job(f"t:{c}", parts_of(3)) for c in range(6)]
    report = await deliver(store, DAY, jobs, owner="a", policy=FAST)
    assert report.rate_limited == 2
    assert (report.gone, report.failed, report.ok) == (1, 1, False)
    assert set(report.errors) == {"t:3", "t:4"} and "blocked" in report.errors["t:3"]
    # t:3 got its first part only; t:4 nothing; everyone else everything.
    assert [p for (t, p) in inbox.got if t == "t:3"] == ["第0部分"]
    assert not [p for (t, p) in inbox.got if t == "t:4"]
    for c in (0, 1, 2, 5):
        assert sum(1 for (t, _) in inbox.got if t == f"t:{c}") == 3
    # The unreachable target is finished by a later push, without resending anything.
    rerun = await deliver(store, DAY, [inbox.job("t:4", parts_of(3))], owner="b", policy=FAST)
    assert (rerun.sent, rerun.ok) == (3, True)
    assert set(inbox.got.values()) == {1}


async def test_retry_after_beyond_the_limit_is_not_waited_out(store: Store) -> None:
    inbox = Inbox()
    inbox.faults[("t:1", 0)] = [RetryLater("flood wait", 3600)]
    report = await deliver(store, DAY, [inbox.job("t:1", parts_of(2))], owner="a", policy=FAST)
    assert (report.failed, report.rate_limited, report.sent) == (1, 1, 0)


async def test_two_pushes_at_once_send_one_copy(store: Store) -> None:
    inbox = Inbox()
    jobs = [inbox.job(f"t:{c}", parts_of(3), pace_s=0.001) for c in range(30)]
    a, b = await asyncio.gather(
        deliver(store, DAY, jobs, owner="a", policy=FAST, concurrency=10),
        deliver(store, DAY, jobs, owner="b", policy=FAST, concurrency=10),
    )
    assert a.sent + b.sent == 90
    assert set(inbox.got.values()) == {1} and len(inbox.got) == 90


async def test_cancelled_push_then_rerun_completes_without_duplicates(store: Store) -> None:
    inbox = Inbox()
    jobs = [inbox.job(f"t:{c}", parts_of(3), pace_s=0.01) for c in range(12)]
    task = asyncio.create_task(deliver(store, DAY, jobs, owner="a", policy=FAST, concurrency=4))
    while sum(inbox.got.values()) < 10:
        await asyncio.sleep(0.005)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sum(inbox.got.values()) < 36
    rerun = await deliver(store, DAY, jobs, owner="b", policy=FAST)
    assert rerun.busy == 0 and rerun.ok
    assert set(inbox.got.values()) == {1} and len(inbox.got) == 36


async def test_claim_of_a_crashed_owner_is_left_until_it_expires(store: Store) -> None:
    inbox = Inbox()
    job = inbox.job("t:1", parts_of(2))
    assert await store.ledger_claim(job.key(DAY, 0), "dead", ttl_s=600) == "claimed"
    report = await deliver(store, DAY, [job], owner="a", policy=FAST)
    # not delivered yet: `aidaily push` exits 1 and the schedule tries again later
    assert (report.sent, report.busy, report.ok) == (0, 2, False)
    # The claim is old by the time a push with a shorter claim TTL looks at it.
    later = await deliver(store, DAY, [job], owner="b", policy=FAST, claim_ttl_s=0.0)
    assert later.sent == 2 and set(inbox.got.values()) == {1}


async def test_on_done_runs_only_for_a_complete_target(store: Store) -> None:
    inbox = Inbox()
    inbox.faults[("t:2", 1)] = [TargetGone("403")]
    done: list[str] = []

    def hook(t: str) -> Any:
        async def on_done() -> None:
            done.append(t)

        return on_done

    jobs = [inbox.job(f"t:{c}", parts_of(2), on_done=hook(f"t:{c}")) for c in (1, 2)]
    await deliver(store, DAY, jobs, owner="a", policy=FAST)
    assert done == ["t:1"]


async def test_shared_limiter_holds_the_rate(store: Store) -> None:
    inbox = Inbox()
    limiter = RateLimiter(rate=200)
    jobs = [inbox.job(f"t:{c}", parts_of(2), limiter=limiter) for c in range(20)]
    report = await deliver(store, DAY, jobs, owner="a", policy=FAST, concurrency=20)
    # 40 grants spaced 1/200 s apart take at least 39/200 s.
    assert report.sent == 40 and report.elapsed_s >= 39 / 200


async def test_a_slow_live_pusher_keeps_its_claims_by_its_heartbeat(store: Store) -> None:
    """Claims older than the TTL stay with their owner while it beats: no second copy."""
    inbox = Inbox()
    inbox.gate = asyncio.Event()
    jobs = [inbox.job(f"t:{c}", parts_of(2)) for c in range(4)]
    # a TTL of 1 s (beats every 1/3 s) leaves room for a loaded machine's late wake-ups
    slow = asyncio.create_task(deliver(store, DAY, jobs, owner="a", policy=FAST, claim_ttl_s=1.0))
    await asyncio.sleep(2.5)  # every first part is claimed by "a" and stuck on the wire
    other = await deliver(store, DAY, jobs, owner="b", policy=FAST, claim_ttl_s=1.0)
    inbox.gate.set()
    first = await slow
    assert other.sent == 0 and other.busy == 8
    assert first.sent == 8 and set(inbox.got.values()) == {1}
