"""The daily schedule: build the digest at `digest.time`, push it, and serve per-chat push times.

Two APScheduler 3.x jobs on an `AsyncIOScheduler` in the service's loop:

- `daily`: a `CronTrigger` at `digest.time` in `timezone` (APScheduler turns
  the wall-clock time into the right instant on both sides of a DST change);
- `tick`: every `TICK_S` (10 s), the same catch-up (a service started after the
  push time with today's work undone does it at once; a failed run is retried every
  `RETRY_S`, a push that left targets unreached every `PUSH_RETRY_S`) plus the
  chats whose `/settings time` is another minute of the day.

Both call the functions the CLI calls: `pipeline.run.run`, then `bot.push.push`.
With `digest.weekly` set ("sun 20:00"), the tick also pushes /week's digest once a
week (`bot.weekly.push_week`), from that time until WEEKLY_CATCHUP_S after it
(a service down at 20:00 and back by the morning still sends it); a marker
`weekly:DATE` and the lock of the same name keep it to once, and its ledger key
(`week-DATE`) keeps every target to one copy.

Doing it once per day, whatever restarts or runs beside us:
- a marker `run:DATE` (Store.set_marker) says the scheduled build is done: no rebuild;
- a marker `push:DATE` (or `push:DATE:HH:MM`) says a push finished without failures;
- while one instance builds and pushes, it holds the Redis lock `daily:DATE`
  (owner token, expiry, extended while it works: `Store.acquire_lock` and friends).
  APScheduler's own job stores are not used for this: its docs say they cannot
  be shared between schedulers;
- and below all that, the delivery ledger never sends a part twice.

Two or more `serve` on one Redis: one builds and pushes, the others' ticks find
the lock held ("busy"). While it pushes, the holder keeps the lock with a
`PUSH_LOCK_TTL_S` (30 s) expiry, as long as the ledger's claims live; if it dies,
both free within 30 s, and another instance's next tick (every `TICK_S`) takes
the lock and pushes the rest: the parts already sent are skipped, the dead
one's claims are waited out. So the rest of a push resumes within a minute.
The clock is a `now()` callable so tests can drive the day without waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.delivery import PushReport
from bot.logs import event
from bot.metrics import Metrics
from pipeline.config import Settings
from pipeline.errors import AidailyError, RunError, StoreError
from pipeline.models import Digest
from pipeline.store import Store

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
RunFn = Callable[..., Awaitable[Any]]
PushFn = Callable[..., Awaitable[Any]]
WeeklyFn = Callable[..., Awaitable[Any]]

LOCK_TTL_S = 60.0  # a crashed builder frees the day within a minute; kept every third of it
# While pushing, the lock lives as long as a delivery claim (bot.delivery.CLAIM_TTL_S):
# an instance that dies mid-push is replaced within PUSH_LOCK_TTL_S + TICK_S.
PUSH_LOCK_TTL_S = 30.0
TICK_S = 10  # how often every instance looks for due work (and for a push to take over)
PUSH_RETRY_S = 60.0  # a push that left some target unreached is tried again this often
RETRY_S = 15 * 60  # a failed run (no feed reachable) is tried again this often, all day
MARKER_TTL = timedelta(days=3)
SUBSCRIBER_TIMES_TTL_S = 300.0  # per-chat times are re-read this often (catch-up covers the gap)
DAILY_MISFIRE_S = 15 * 60  # the tick's catch-up covers anything later than this
WEEKLY_CATCHUP_S = 12 * 3600  # a weekly push missed by longer than this waits for next week
WEEKLY_MARKER_TTL = timedelta(days=8)
STARTUP_OUTCOME = {
    "early": "before today's push time, nothing due",
    "done": "today's digest was built and pushed already",
    "pushed": "caught up: today's digest built and pushed",
    "busy": "another instance holds today's run",
    "run-failed": "today's run failed; retrying later",
    "push-incomplete": "some targets not reached; retrying later",
}


def new_owner() -> str:
    """A lock owner token unique to this process."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _default_run() -> RunFn:
    from pipeline.run import run

    return run


def _default_push() -> PushFn:
    from bot.push import push  # wiring: bot/push.py (Telegram engineer) owns delivery to channels

    return push


def _default_weekly() -> WeeklyFn:
    from bot.weekly import push_week

    return push_week


class DailyScheduler:
    """Builds and pushes each day's digest once, across restarts and instances."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        metrics: Metrics | None = None,
        now: Clock | None = None,
        run_fn: RunFn | None = None,
        push_fn: PushFn | None = None,
        weekly_fn: WeeklyFn | None = None,
        owner: str | None = None,
        lock_ttl_s: float = LOCK_TTL_S,
        push_lock_ttl_s: float = PUSH_LOCK_TTL_S,
    ) -> None:
        self.settings = settings
        self.store = store
        self.metrics = metrics or Metrics()
        self.now = now or (lambda: datetime.now(UTC))
        self.run_fn = run_fn
        self.push_fn = push_fn
        self.weekly_fn = weekly_fn
        self.owner = owner or new_owner()
        self.lock_ttl_s = lock_ttl_s
        self.push_lock_ttl_s = push_lock_ttl_s
        self.aps: AsyncIOScheduler | None = None
        self._stopping = False
        self._jobs: set[asyncio.Task[Any]] = set()
        self._guard = asyncio.Lock()  # one daily/tick pass at a time in this process
        self._failed_at: dict[str, datetime] = {}  # day -> when its last run failed (self.now)
        self._unfinished_at: dict[str, datetime] = {}  # day -> when its push was left incomplete
        self._done_times: set[str] = set()  # "DATE HH:MM" pushes finished in this process
        self._times: tuple[float, set[str]] = (-1e9, set())
        self._first_tick = True

    # -- life cycle -----------------------------------------------------------------

    def daily_trigger(self) -> CronTrigger:
        """The cron trigger of the daily job: `digest.time` in the configured timezone."""
        hour, minute = self.settings.digest.time.split(":")
        return CronTrigger(hour=int(hour), minute=int(minute), timezone=self.settings.tz)

    def start(self) -> None:
        """Add the jobs to an AsyncIOScheduler in the running loop; catch up at once."""
        aps = AsyncIOScheduler(
            timezone=self.settings.tz, job_defaults={"coalesce": True, "max_instances": 1}
        )
        aps.add_job(self._job, self.daily_trigger(), id="daily", misfire_grace_time=DAILY_MISFIRE_S)
        aps.add_job(
            self._job,
            CronTrigger(second=f"*/{TICK_S}", timezone=self.settings.tz),
            id="tick",
            misfire_grace_time=30,
            next_run_time=datetime.now(self.settings.tz),  # the start-up catch-up
        )
        aps.start()
        self.aps = aps
        job = aps.get_job("daily")
        log.info(
            "schedule: daily run and push at %s %s; next %s",
            self.settings.digest.time,
            self.settings.timezone,
            job.next_run_time if job else "?",
        )
        if self.settings.digest.weekly:
            log.info(
                "schedule: weekly push (/week) at %s %s",
                self.settings.digest.weekly,
                self.settings.timezone,
            )

    async def stop(self, timeout: float = 8.0) -> None:
        """Take no more work; cancel the job in flight (delivery finishes the part on the wire)."""
        self._stopping = True
        if self.aps is not None and self.aps.running:
            self.aps.shutdown(wait=False)
            await asyncio.sleep(0)  # AsyncIOScheduler completes its shutdown on the loop
        jobs = [t for t in self._jobs if not t.done()]
        for task in jobs:
            task.cancel()
        if jobs:
            _, pending = await asyncio.wait(jobs, timeout=timeout)
            if pending:
                log.warning("schedule: %d job(s) did not stop within %.0f s", len(pending), timeout)

    async def _job(self) -> None:
        """What both APScheduler jobs run: a tick, tracked so that `stop` can cancel it."""
        if self._stopping:
            return
        task = asyncio.current_task()
        if task is not None:
            self._jobs.add(task)
        try:
            outcome = await self.tick()
            if self._first_tick:
                self._first_tick = False
                log.info("schedule: start-up check: %s", STARTUP_OUTCOME.get(outcome, outcome))
        except asyncio.CancelledError:
            if not self._stopping:
                raise
            # Cancelled by stop(): the delivery ledger has recorded or handed back every
            # part, so this is a clean end, not an error for APScheduler to log.
            log.info("schedule: job in flight stopped for shutdown")
        except StoreError as exc:  # Redis away: the store logs the outage once, not every minute
            log.debug("schedule: tick skipped: %s", exc)
        except Exception:  # a bug in one tick must not stop tomorrow's
            log.exception("schedule: tick failed")
        finally:
            if task is not None:
                self._jobs.discard(task)

    # -- the work -----------------------------------------------------------------------

    async def tick(self) -> str:
        """Do whatever is due now: today's build and push, per-chat push times, the weekly."""
        if self._guard.locked():
            return "busy"
        async with self._guard:
            now = self.now().astimezone(self.settings.tz)
            outcome = await self._today(now)
            if self.settings.digest.weekly_at is not None:
                await self.weekly(now)
            return outcome

    async def _today(self, now: datetime) -> str:
        day = now.date()
        # instants, not wall clocks: in a DST gap the clock skips the cut-off, and two
        # datetimes with the same tzinfo compare by wall clock, so compare them in UTC
        if now.astimezone(UTC) < self.settings.window(day)[1].astimezone(UTC):
            return "early"
        outcome = await self.daily(day)
        # one unreachable target must not hold back the chats that chose their own time
        if outcome in ("pushed", "done", "push-incomplete"):
            await self.push_chat_times(day, now)
        return outcome

    def weekly_due(self, now: datetime) -> date | None:
        """The date of the weekly push due at `now` (its time passed less than
        WEEKLY_CATCHUP_S ago), or None."""
        when = self.settings.digest.weekly_at
        if when is None:
            return None
        weekday, at = when
        local = now.astimezone(self.settings.tz)
        day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
        due = datetime.combine(day, at, tzinfo=self.settings.tz)
        late = (now.astimezone(UTC) - due.astimezone(UTC)).total_seconds()
        return day if 0 <= late < WEEKLY_CATCHUP_S else None

    async def weekly(self, now: datetime) -> str:
        """Push the week's digest when it is due and not pushed yet (once, across instances)."""
        day = self.weekly_due(now)
        if day is None:
            return "not-due"
        name = f"weekly:{day.isoformat()}"
        if await self.store.get_marker(name):
            return "done"
        if not await self.store.acquire_lock(name, self.owner, self.push_lock_ttl_s):
            return "busy"
        keeper = asyncio.create_task(self._keep_lock(_Held(name, self.push_lock_ttl_s)))
        try:
            push_week = self.weekly_fn or _default_weekly()
            try:
                report = await push_week(self.settings, self.store, day)
            except AidailyError as exc:
                log.warning("weekly push %s: %s", day, exc)
                return "push-incomplete"
            if report.ok:
                await self.store.set_marker(name, self.owner, WEEKLY_MARKER_TTL)
            event(
                log,
                f"weekly push {day}: {_summary(report)}",
                kind="weekly",
                date=day.isoformat(),
                ok=bool(report.ok),
                sent=report.sent,
                failed=report.failed,
            )
            return "pushed" if report.ok else "push-incomplete"
        finally:
            keeper.cancel()
            await asyncio.shield(self.store.release_lock(name, self.owner))

    async def daily(self, day: date) -> str:
        """Build (unless built) and push (unless pushed) the digest of `day`, under the day's lock."""
        day_s = day.isoformat()
        if await self.store.get_marker(f"push:{day_s}"):
            return "done"
        unfinished = self._unfinished_at.get(day_s)
        if unfinished is not None and (self.now() - unfinished).total_seconds() < PUSH_RETRY_S:
            return "push-incomplete"  # not every tick: each retry reads every subscriber
        lock = _Held(f"daily:{day_s}", self.lock_ttl_s)
        if not await self.store.acquire_lock(lock.name, self.owner, lock.ttl_s):
            return "busy"
        keeper = asyncio.create_task(self._keep_lock(lock))
        try:
            digest = await self._build(day)
            if digest is None:
                return "run-failed"
            await self._for_push(lock)
            ok = await self._push(day_s, self.settings.digest.time, self._channels())
            if ok:
                await self.store.set_marker(f"push:{day_s}", self.owner, MARKER_TTL)
                return "pushed"
            self._unfinished_at[day_s] = self.now()
            return "push-incomplete"
        finally:
            keeper.cancel()
            await asyncio.shield(self.store.release_lock(lock.name, self.owner))

    async def push_chat_times(self, day: date, now: datetime) -> None:
        """Push to chats whose own push time has come (each time once a day; late ones catch up)."""
        channels = self._channels()
        if not channels:
            return
        day_s, hhmm = day.isoformat(), now.strftime("%H:%M")
        for due in sorted(await self._chat_times()):
            if (
                due > hhmm
                or due == self.settings.digest.time
                or f"{day_s} {due}" in self._done_times
            ):
                continue
            name = f"push:{day_s}:{due}"
            if await self.store.get_marker(name):
                self._done_times.add(f"{day_s} {due}")
                continue
            lock = _Held(name, self.push_lock_ttl_s)
            if not await self.store.acquire_lock(name, self.owner, lock.ttl_s):
                continue
            keeper = asyncio.create_task(self._keep_lock(lock))
            try:
                if await self._push(day_s, due, channels):
                    await self.store.set_marker(name, self.owner, MARKER_TTL)
                    self._done_times.add(f"{day_s} {due}")
            finally:
                keeper.cancel()
                await asyncio.shield(self.store.release_lock(name, self.owner))

    # -- steps ----------------------------------------------------------------------------

    async def _build(self, day: date) -> Digest | None:
        """Today's digest: the one built already, or a new run (None when it failed)."""
        day_s = day.isoformat()
        stored = await self.store.get_digest(day_s)
        if stored is not None and (
            await self.store.get_marker(f"run:{day_s}") or self._complete(stored, day)
        ):
            return stored
        failed = self._failed_at.get(day_s)
        if failed is not None and (self.now() - failed).total_seconds() < RETRY_S:
            return None
        run = self.run_fn or _default_run()
        started = time.monotonic()
        try:
            result = await run(self.settings, day, self.store)
        except (
            Exception
        ) as exc:  # RunError, or a bug: recorded, retried later, never fatal to the service
            await self._run_failed(day_s, exc)
            return None
        self._failed_at.pop(day_s, None)
        await self.store.set_marker(f"run:{day_s}", self.owner, MARKER_TTL)
        digest: Digest = result.digest
        self.metrics.record_run(digest, time.time())
        event(
            log,
            f"run {day_s}: ok, {len(digest.items)} items from {digest.raw_count} entries",
            kind="run",
            date=day_s,
            ok=True,
            items=len(digest.items),
            raw=digest.raw_count,
            feeds_failed=sum(1 for f in digest.feeds if not f.ok),
            elapsed_s=round(time.monotonic() - started, 1),
        )
        return digest

    def _complete(self, digest: Digest, day: date) -> bool:
        """A digest stored by hand (`aidaily run`) after the cut-off is as good as our own."""
        return digest.generated_at.astimezone(UTC) >= self.settings.window(day)[1].astimezone(UTC)

    async def _run_failed(self, day_s: str, exc: Exception) -> None:
        self._failed_at[day_s] = self.now()
        self.metrics.record_failed_run()
        if not isinstance(exc, RunError):  # run() records its own RunError; record the rest here
            if not isinstance(exc, AidailyError):
                log.error("run %s: unexpected error", day_s, exc_info=exc)
            info = {
                "date": day_s,
                "ok": False,
                "error": f"{type(exc).__name__}: {exc}",
                "started_at": datetime.now(UTC).isoformat(),
            }
            await self.store.set_last_run(info)
        event(
            log,
            f"run {day_s}: failed: {exc}; retrying in {RETRY_S // 60} min",
            logging.WARNING,
            kind="run",
            date=day_s,
            ok=False,
        )

    async def _push(self, day_s: str, due_at: str, channels: tuple[str, ...]) -> bool:
        """Push one day's digest on each channel (one call each, for per-channel figures)."""
        push = self.push_fn or _default_push()
        ok = True
        for channel in channels:
            try:
                report = await push(
                    self.settings, self.store, day_s, channel=channel, due_at=due_at
                )
            except AidailyError as exc:
                log.warning("push %s %s %s: %s", channel, day_s, due_at, exc)
                ok = False
                continue
            self.metrics.record_push(channel, report)
            ok = ok and bool(report.ok)
            event(
                log,
                f"push {channel} {day_s} {due_at}: {_summary(report)}",
                kind="push",
                channel=channel,
                date=day_s,
                due_at=due_at,
                ok=bool(report.ok),
                sent=report.sent,
                failed=report.failed,
            )
        return ok

    def _channels(self) -> tuple[str, ...]:
        from bot.push import enabled_channels

        return enabled_channels(self.settings)

    async def _chat_times(self) -> set[str]:
        """Distinct push times that chats chose with /settings, re-read every few minutes."""
        read_at, times = self._times
        if time.monotonic() - read_at < SUBSCRIBER_TIMES_TTL_S:
            return times
        times = set()
        for channel in self._channels():
            subs = await self.store.list_subscribers(channel)
            times |= {s.settings.push_time for s in subs if s.settings.push_time}
        self._times = (time.monotonic(), times)
        return times

    async def _for_push(self, lock: _Held) -> None:
        """From here on the lock lives only as long as a delivery claim, so that a dead
        pusher is replaced within a minute (the build before may block for longer)."""
        lock.ttl_s = min(lock.ttl_s, self.push_lock_ttl_s)
        lock.beat.set()  # the keeper shortens the expiry now, not a beat later

    async def _keep_lock(self, lock: _Held) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lock.beat.wait(), lock.ttl_s / 3)
            lock.beat.clear()
            try:
                kept = await self.store.extend_lock(lock.name, self.owner, lock.ttl_s)
            except StoreError:  # Redis away (the store says so once): try again next beat
                continue
            if not kept:
                log.warning(
                    "schedule: lost the lock %s; the delivery ledger still prevents doubles",
                    lock.name,
                )
                return


@dataclass
class _Held:
    """A lock this instance holds: its name and the expiry its keeper renews it with."""

    name: str
    ttl_s: float
    beat: asyncio.Event = field(default_factory=asyncio.Event)  # renew now


def _summary(report: PushReport) -> str:
    return report.summary()
