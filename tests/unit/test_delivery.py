"""bot.delivery pieces that need no Redis: the limiter, the backoff, the report."""

from __future__ import annotations

import asyncio
import time

from bot.delivery import PushReport, RateLimiter, RetryPolicy


async def test_limiter_spaces_grants_and_serves_everyone() -> None:
    limiter = RateLimiter(rate=100)
    stamps: list[float] = []

    async def take() -> None:
        await limiter.acquire()
        stamps.append(time.monotonic())

    await asyncio.gather(*(take() for _ in range(11)))
    stamps.sort()
    assert len(stamps) == 11
    assert stamps[-1] - stamps[0] >= 10 / 100 * 0.95
    # No bunching: at 100/s a 30 ms window holds 3 or 4 grants; 5 leaves room for a
    # late wake-up on a loaded machine (a stamp is when the waiter ran, not its grant).
    assert max(sum(1 for t in stamps if s <= t < s + 0.03) for s in stamps) <= 5


async def test_limiter_burst_lets_a_few_through_at_once() -> None:
    limiter = RateLimiter(rate=1, burst=3)
    await asyncio.sleep(0)  # the bucket starts full
    started = time.monotonic()
    for _ in range(3):
        await limiter.acquire()
    assert time.monotonic() - started < 0.9  # a fourth grant would wait a whole second


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(backoff_base_s=1, backoff_max_s=8)
    assert 0.5 <= policy.backoff(1) <= 1
    assert 2 <= policy.backoff(3) <= 4
    assert 4 <= policy.backoff(10) <= 8


def test_report_ok_merge_and_summary() -> None:
    tg = PushReport(
        targets=3, sent=6, gone=1, rate_limited=2, elapsed_s=3.0, errors={"telegram:1": "blocked"}
    )
    fs = PushReport(targets=1, failed=1, elapsed_s=5.0, errors={"feishu:oc_1": "timeout"})
    assert tg.ok and not fs.ok
    both = tg.merge(fs)
    assert (both.targets, both.sent, both.failed, both.gone, both.elapsed_s) == (4, 6, 1, 1, 5.0)
    assert not both.ok and set(both.errors) == {"telegram:1", "feishu:oc_1"}
    line = tg.summary()
    assert "sent 6" in line and "429s 2" in line and "\n" not in line
    assert tg.to_dict()["ok"] is True
