"""The daily schedule, driven by a controllable clock against a real Redis.

The clock is injected (`now=`), so "08:00 tomorrow" is an assignment, not a wait.
Builds are counted by a run function that stores a factory digest; pushes either
by a recording push function or by the real `bot.push.push` against the fake
Telegram server, where the ledger's promise (each chat gets each part once) is
counted on the receiving side.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.delivery import PushReport
from bot.metrics import Metrics
from bot.schedule import RETRY_S, DailyScheduler
from pipeline.config import Settings
from pipeline.errors import RunError
from pipeline.models import ChatSettings, Subscriber
from pipeline.store import Store
from tests.factories import make_digest

pytestmark = [pytest.mark.integration, pytest.mark.cluster_too]

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.t = start

    def __call__(self) -> datetime:
        return self.t

    def set(self, moment: datetime) -> None:
        self.t = moment


class Runs:
    """A run function: stores a small digest of `day`, generated at the clock's time."""

    def __init__(self, clock: Clock, fail: int = 0) -> None:
        self.clock = clock
        self.days: list[date] = []
        self.fail = fail

    async def __call__(self, settings: Settings, day: date, store: Store) -> Any:
        self.days.append(day)
        if self.fail > 0:
            self.fail -= 1
            raise RunError(
                "no feed could be fetched (kr36: timeout); the previous digest is unchanged"
            )
        digest = make_digest(
            2, 1, date=day.isoformat(), timezone=settings.timezone, generated_at=self.clock()
        )
        await store.save_digest(digest, [])
        return type("RunResult", (), {"digest": digest, "raw": []})()


class Pushes:
    """A push function that records (day, channel, due_at) and reports success."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str | None]] = []

    async def __call__(
        self, settings: Settings, store: Store, day: str, *, channel: str, due_at: str | None
    ) -> PushReport:
        self.calls.append((day, channel, due_at))
        return PushReport(targets=1, sent=1)


TG = {"TELEGRAM_BOT_TOKEN": "123456:TEST-token"}


def scheduler(
    store: Store,
    settings: Settings,
    clock: Clock,
    runs: Runs | None = None,
    pushes: Any = None,
    **kw: Any,
) -> DailyScheduler:
    return DailyScheduler(
        settings,
        store,
        metrics=Metrics(),
        now=clock,
        run_fn=runs or Runs(clock),
        push_fn=pushes or Pushes(),
        **kw,
    )


# -- the trigger: local wall-clock time, across zones and DST -----------------------------


def test_the_daily_trigger_fires_at_local_push_time_in_shanghai(
    make_settings: Callable[..., Settings],
) -> None:
    s = DailyScheduler(make_settings({"digest": {"time": "07:30"}}), store=None)  # type: ignore[arg-type]
    trigger = s.daily_trigger()

    fire = trigger.get_next_fire_time(None, datetime(2026, 2, 3, 0, 0, tzinfo=UTC))

    assert fire is not None
    assert fire.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") == "2026-02-04 07:30"
    assert fire.astimezone(UTC).strftime("%H:%M") == "23:30"  # the evening before, in UTC


def test_the_daily_trigger_follows_new_york_across_the_dst_change(
    make_settings: Callable[..., Settings],
) -> None:
    s = DailyScheduler(make_settings({"timezone": "America/New_York"}), store=None)  # type: ignore[arg-type]
    trigger = s.daily_trigger()
    fires = []
    moment = datetime(2026, 3, 6, 14, 0, tzinfo=UTC)  # DST starts on Sunday 2026-03-08
    for _ in range(3):
        moment = trigger.get_next_fire_time(None, moment + timedelta(seconds=1))
        fires.append(moment)

    assert [f.astimezone(NEW_YORK).strftime("%m-%d %H:%M") for f in fires] == [
        "03-07 08:00",
        "03-08 08:00",
        "03-09 08:00",
    ]
    assert [f.astimezone(UTC).strftime("%H:%M") for f in fires] == ["13:00", "12:00", "12:00"]


# -- the tick: what is due now ----------------------------------------------------------------


async def test_nothing_before_the_push_time_then_one_build_and_push_at_it(
    store: Store, make_settings: Callable[..., Settings]
) -> None:
    clock = Clock(datetime(2026, 2, 3, 7, 59, tzinfo=SHANGHAI))
    runs, pushes = Runs(clock), Pushes()
    s = scheduler(store, make_settings({}, TG), clock, runs, pushes)

    early = await s.tick()
    clock.set(datetime(2026, 2, 3, 8, 0, tzinfo=SHANGHAI))
    on_time = await s.tick()
    clock.set(datetime(2026, 2, 3, 8, 1, tzinfo=SHANGHAI))
    after = await s.tick()

    assert (early, on_time, after) == ("early", "pushed", "done")
    assert runs.days == [date(2026, 2, 3)]
    assert pushes.calls == [("2026-02-03", "telegram", "08:00")]


async def test_in_new_york_the_run_follows_local_time_after_dst_starts(
    store: Store, make_settings: Callable[..., Settings]
) -> None:
    clock = Clock(datetime(2026, 3, 8, 7, 59, tzinfo=NEW_YORK))  # EDT since 02:00 today
    runs = Runs(clock)
    s = scheduler(store, make_settings({"timezone": "America/New_York"}, TG), clock, runs)

    assert await s.tick() == "early"
    clock.set(datetime(2026, 3, 8, 12, 0, tzinfo=UTC))  # 08:00 EDT (it would be 07:00 EST)
    assert await s.tick() == "pushed"
    assert runs.days == [date(2026, 3, 8)]


async def test_a_push_time_in_the_dst_gap_waits_for_the_real_cut_off(
    store: Store, make_settings: Callable[..., Settings]
) -> None:
    """02:30 does not exist in New York on 8 March: the window ends at 03:30 EDT (07:30 UTC).
    At 03:00 EDT the wall clock already reads past "02:30", but the day is not over yet."""
    clock = Clock(datetime(2026, 3, 8, 7, 0, tzinfo=UTC))  # 03:00 EDT
    runs = Runs(clock)
    settings = make_settings({"timezone": "America/New_York", "digest": {"time": "02:30"}}, TG)
    s = scheduler(store, settings, clock, runs)

    assert await s.tick() == "early"
    clock.set(datetime(2026, 3, 8, 7, 30, tzinfo=UTC))
    assert await s.tick() == "pushed"
    assert runs.days == [date(2026, 3, 8)]


async def test_started_after_downtime_it_builds_and_pushes_at_once(
    store: Store, make_settings: Callable[..., Settings]
) -> None:
    clock = Clock(datetime(2026, 2, 3, 11, 30, tzinfo=SHANGHAI))  # down from 07:00 to 11:30
    runs, pushes = Runs(clock), Pushes()
    s = scheduler(store, make_settings({}, TG), clock, runs, pushes)

    assert await s.tick() == "pushed"
    assert runs.days == [date(2026, 2, 3)] and len(pushes.calls) == 1


async def test_a_restart_the_same_day_builds_and_pushes_nothing_again(
    store: Store, make_settings: Callable[..., Settings]
) -> None:
    clock = Clock(datetime(2026, 2, 3, 8, 0, tzinfo=SHANGHAI))
    runs, pushes = Runs(clock), Pushes()
    await scheduler(store, make_settings({}, TG), clock, runs, pushes).tick()

    clock.set(datetime(2026, 2, 3, 9, 15, tzinfo=SHANGHAI))
    restarted = scheduler(
        store, make_settings({}, TG), clock, runs, pushes
    )  # a new process: no memory
    outcome = await restarted.tick()

    assert outcome == "done"
    assert len(runs.days) == 1 and len(pushes.calls) == 1


async def test_a_digest_built_by_hand_after_the_cutoff_is_pushed_not_rebuilt(
    store: Store, make_settings: Callable[..., Settings]
) -> None:
    clock = Clock(datetime(2026, 2, 3, 9, 0, tzinfo=SHANGHAI))
    settings = make_settings({}, TG)
    by_hand = make_digest(2, 1, generated_at=datetime(2026, 2, 3, 8, 40, tzinfo=SHANGHAI))
    await store.save_digest(by_hand, [])
    runs, pushes = Runs(clock), Pushes()

    assert await scheduler(store, settings, clock, runs, pushes).tick() == "pushed"
    assert runs.days == [] and pushes.calls == [("2026-02-03", "telegram", "08:00")]


async def test_a_failed_run_is_unhealthy_and_retried_later(
    store: Store, make_settings: Callable[..., Settings]
) -> None:
    clock = Clock(datetime(2026, 2, 3, 8, 0, tzinfo=SHANGHAI))
    runs, pushes = Runs(clock, fail=1), Pushes()
    s = scheduler(store, make_settings({}, TG), clock, runs, pushes)

    first = await s.tick()
    clock.set(clock() + timedelta(minutes=1))
    too_soon = await s.tick()
    clock.set(clock() + timedelta(seconds=RETRY_S))
    retried = await s.tick()

    assert (first, too_soon, retried) == ("run-failed", "run-failed", "pushed")
    assert len(runs.days) == 2  # not once a minute in between
    assert len(pushes.calls) == 1


async def test_chats_with_their_own_time_are_pushed_then_once(
    store: Store, make_settings: Callable[..., Settings]
) -> None:
    since = datetime(2026, 1, 1, tzinfo=UTC)
    for chat, when in (("1", None), ("2", "09:30"), ("3", "07:15")):
        sub = Subscriber(
            channel="telegram", chat_id=chat, since=since, settings=ChatSettings(push_time=when)
        )
        await store.save_subscriber(sub)
    clock = Clock(datetime(2026, 2, 3, 8, 0, tzinfo=SHANGHAI))
    pushes = Pushes()
    s = scheduler(store, make_settings({}, TG), clock, pushes=pushes)

    await s.tick()  # 08:00: the default time, and 07:15 (its digest did not exist before 08:00)
    at_0800 = list(pushes.calls)
    clock.set(datetime(2026, 2, 3, 9, 29, tzinfo=SHANGHAI))
    await s.tick()
    clock.set(datetime(2026, 2, 3, 9, 31, tzinfo=SHANGHAI))  # the 09:30 tick was missed: caught up
    await s.tick()
    await s.tick()

    assert at_0800 == [("2026-02-03", "telegram", "08:00"), ("2026-02-03", "telegram", "07:15")]
    assert pushes.calls[2:] == [("2026-02-03", "telegram", "09:30")]


async def test_feishu_and_telegram_are_pushed_separately_and_counted(
    store: Store, make_settings: Callable[..., Settings]
) -> None:
    env = {**TG, "FEISHU_WEBHOOK_URL": "https://open.feishu.cn/open-apis/bot/v2/hook/x"}
    clock = Clock(datetime(2026, 2, 3, 8, 0, tzinfo=SHANGHAI))
    pushes = Pushes()
    s = scheduler(store, make_settings({}, env), clock, pushes=pushes)

    await s.tick()

    assert [c[1] for c in pushes.calls] == ["telegram", "feishu"]
    text = s.metrics.render().decode()
    assert 'aidaily_messages_sent_total{channel="feishu"} 1.0' in text
    assert 'aidaily_runs_total{outcome="ok"} 1.0' in text


# -- two instances, one Redis, the real push ---------------------------------------------------------


async def test_two_schedulers_on_one_redis_build_once_and_push_each_chat_once(
    store: Store, make_settings: Callable[..., Settings]
) -> None:
    from bot.push import push
    from tests.fakes.telegram_server import FakeTelegram

    since = datetime(2026, 1, 1, tzinfo=UTC)
    chats = [1001, 1002, 1003, 1004]
    for chat in chats:
        await store.save_subscriber(Subscriber(channel="telegram", chat_id=str(chat), since=since))
    clock = Clock(datetime(2026, 2, 3, 8, 0, tzinfo=SHANGHAI))
    runs = Runs(clock)
    async with FakeTelegram() as tg:
        settings = make_settings(
            {"telegram": {"base_url": tg.base_url}}, {"TELEGRAM_BOT_TOKEN": tg.token}
        )
        a = scheduler(store, settings, clock, runs, push)
        b = scheduler(store, settings, clock, runs, push)

        first = await asyncio.gather(a.tick(), b.tick())
        clock.set(datetime(2026, 2, 3, 8, 5, tzinfo=SHANGHAI))
        second = await asyncio.gather(a.tick(), b.tick())

    assert sorted(first) == ["busy", "pushed"] and second == ["done", "done"]
    assert len(runs.days) == 1
    assert tg.duplicates == 0
    per_chat = {chat: len(tg.to(chat)) for chat in chats}
    assert set(per_chat.values()) == {per_chat[chats[0]]} and per_chat[chats[0]] >= 1
    ledger = await store.ledger_entries("2026-02-03")
    assert len(ledger) == sum(per_chat.values()) and all(e.state == "sent" for e in ledger)


async def test_a_lock_left_by_a_crashed_instance_expires_and_another_finishes_the_day(
    store: Store, make_settings: Callable[..., Settings]
) -> None:
    clock = Clock(datetime(2026, 2, 3, 8, 0, tzinfo=SHANGHAI))
    await store.acquire_lock("daily:2026-02-03", "crashed-host:1:dead", ttl_s=0.2)
    runs, pushes = Runs(clock), Pushes()
    s = scheduler(store, make_settings({}, TG), clock, runs, pushes)

    blocked = await s.tick()
    await asyncio.sleep(0.3)  # the crashed owner's lock expiry; there is no event to wait on
    clock.set(datetime(2026, 2, 3, 8, 1, tzinfo=SHANGHAI))
    taken_over = await s.tick()

    assert (blocked, taken_over) == ("busy", "pushed")
    assert len(runs.days) == 1 and len(pushes.calls) == 1


async def test_start_registers_both_jobs_and_stop_ends_them(
    store: Store, make_settings: Callable[..., Settings]
) -> None:
    clock = Clock(datetime(2026, 2, 3, 7, 0, tzinfo=SHANGHAI))
    s = scheduler(store, make_settings({"digest": {"time": "06:45"}}), clock)

    s.start()
    assert s.aps is not None
    daily = s.aps.get_job("daily")
    assert daily is not None and daily.next_run_time.strftime("%H:%M") == "06:45"
    assert s.aps.get_job("tick") is not None
    await s.stop(timeout=2)

    assert not s.aps.running
