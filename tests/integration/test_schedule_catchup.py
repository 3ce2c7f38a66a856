"""The schedule after crashes and failures, driven by an injected clock against a real Redis."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.delivery import Job, PushReport, RetryPolicy, deliver
from pipeline.config import Settings
from pipeline.models import ChatSettings, Subscriber
from pipeline.store import Store, Target, open_store
from tests.fakes.redis_process import RedisProcess
from tests.integration.test_schedule import SHANGHAI, TG, Clock, Pushes, scheduler

TARGET = Target("telegram", "1")
PARTS = ["第0部分", "第1部分"]

SINCE = datetime(2026, 1, 1, tzinfo=UTC)
FEISHU = {"FEISHU_APP_ID": "cli_x", "FEISHU_APP_SECRET": "secret"}


async def subscribe(store: Store, channel: str, chat: str, push_time: str | None) -> None:
    sub = Subscriber(
        channel=channel, chat_id=chat, since=SINCE, settings=ChatSettings(push_time=push_time)
    )
    await store.save_subscriber(sub)


async def test_a_feishu_chat_with_its_own_time_is_pushed(
    store: Store, make_settings: Callable[..., Settings]
) -> None:
    await subscribe(store, "feishu", "oc_team", "09:30")
    clock = Clock(datetime(2026, 2, 3, 8, 0, tzinfo=SHANGHAI))
    pushes = Pushes()
    s = scheduler(store, make_settings({}, {**TG, **FEISHU}), clock, pushes=pushes)

    await s.tick()  # 08:00: feishu due_at=08:00 (oc_team is not due then)
    clock.set(datetime(2026, 2, 3, 9, 31, tzinfo=SHANGHAI))
    await s.tick()
    clock.set(datetime(2026, 2, 3, 23, 59, tzinfo=SHANGHAI))
    await s.tick()

    assert ("2026-02-03", "feishu", "09:30") in pushes.calls


class OneTargetFails(Pushes):
    """The 08:00 Telegram push has one group that refuses every part (e.g. no right to post)."""

    async def __call__(
        self, settings: Settings, store: Store, day: str, *, channel: str, due_at: str | None
    ) -> PushReport:
        self.calls.append((day, channel, due_at))
        if due_at == settings.digest.time:
            return PushReport(targets=2, sent=3, failed=1, errors={"telegram:-100": "400"})
        return PushReport(targets=1, sent=1)


async def test_one_failing_target_does_not_stop_other_chats_push_times(
    store: Store, make_settings: Callable[..., Settings]
) -> None:
    await subscribe(store, "telegram", "1", None)
    await subscribe(store, "telegram", "2", "09:30")
    clock = Clock(datetime(2026, 2, 3, 8, 0, tzinfo=SHANGHAI))
    pushes = OneTargetFails()
    s = scheduler(store, make_settings({}, TG), clock, pushes=pushes)

    for hhmm in ((8, 0), (9, 31), (12, 0), (23, 59)):
        clock.set(datetime(2026, 2, 3, *hhmm, tzinfo=SHANGHAI))
        await s.tick()

    assert ("2026-02-03", "telegram", "09:30") in pushes.calls


class CrashLeftoverPush:
    """A real `deliver` to one chat whose part 0 still carries the claim of a killed instance."""

    def __init__(self) -> None:
        self.got: list[int] = []

    @staticmethod
    async def nothing(i: int, part: Any) -> None:
        pass

    async def __call__(
        self, settings: Settings, store: Store, day: str, *, channel: str, due_at: str | None
    ) -> PushReport:
        async def send(i: int, part: Any) -> None:
            self.got.append(i)

        job = Job(TARGET, PARTS, send)
        return await deliver(store, day, [job], policy=RetryPolicy(max_attempts=1), claim_ttl_s=0.3)


async def test_after_a_crash_the_chat_still_gets_its_digest_that_day(
    store: Store, make_settings: Callable[..., Settings]
) -> None:
    # serve was SIGKILLed (or stopped past its deadline) while part 0 was on the wire and
    # restarted at once: the claim of the dead owner is still live.
    leftover = Job(TARGET, PARTS, CrashLeftoverPush.nothing).key("2026-02-03", 0)
    await store.ledger_claim(leftover, "old-host:1:dead", 0.3)
    clock = Clock(datetime(2026, 2, 3, 8, 1, tzinfo=SHANGHAI))
    pushes = CrashLeftoverPush()
    s = scheduler(store, make_settings({}, TG), clock, pushes=pushes)

    first = await s.tick()
    await asyncio.sleep(0.4)  # the dead owner's claim (TTL 0.3 s here, 30 s in production) expires
    for minute in (2, 3, 30):
        clock.set(datetime(2026, 2, 3, 8, minute, tzinfo=SHANGHAI))
        await s.tick()

    assert first != "pushed" or pushes.got == [0, 1]
    assert pushes.got == [0, 1]


async def test_a_redis_outage_is_one_warning_not_a_traceback_per_tick(
    tmp_path: Path, make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture
) -> None:
    redis = RedisProcess(tmp_path)
    redis.start()
    store = await open_store(redis.url)
    try:
        clock = Clock(datetime(2026, 2, 3, 8, 1, tzinfo=SHANGHAI))
        s = scheduler(store, make_settings({}, TG), clock, pushes=Pushes())
        await store.ping()
        redis.stop()  # Redis goes away between two ticks …
        caplog.set_level(logging.DEBUG)
        for minute in (2, 3, 4):
            clock.set(datetime(2026, 2, 3, 8, minute, tzinfo=SHANGHAI))
            await s._job()  # what APScheduler runs every minute
        problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert [(r.name, r.levelname) for r in problems] == [("pipeline.store", "WARNING")]
        assert not any(r.exc_info for r in caplog.records)
    finally:
        await store.close()
        redis.stop()
