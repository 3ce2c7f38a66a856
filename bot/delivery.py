"""Fan-out of a digest to push targets: rate limits, retries and a ledger in Redis.

One `Job` per target (a Telegram chat, a Feishu chat, a Feishu webhook). Its parts
go out in order; each part is claimed in the ledger (`Store.ledger_claim`, a typed
`LedgerKey`: date, target, form, part) before it is sent and recorded sent after:

- a part recorded sent is never sent again. A send Redis cannot take is kept in
  memory by the store and written when Redis is back; this process knows it at once;
- a part claimed by another live owner is left to it, and so is the rest of that
  target (parts must arrive in order). A pusher beats every `claim_ttl_s / 3`
  seconds while it works; a killed one's claims are free `claim_ttl_s` (30 s) later;
- while Redis is away, claims are retried (one WARNING per outage, from the store)
  for up to `outage_wait_s`, then the target is left for the next push.

So after `kill -9` the only parts that can reach a chat twice are those on the
wire at that instant: at most `concurrency`. Feishu app messages carry a `uuid`
(date, target, part) that Feishu itself deduplicates for an hour.

`send(i, part)` raises `RetryLater` (waited out and retried), `TransientDelivery`
(retried with exponential backoff and jitter) or `TargetGone` (reported; the rest
of that target is skipped). Attempts are bounded; one failing target never stops
the others. On cancellation a part already on the wire is given a short grace to
finish and be recorded; parts not yet started are released for the next push.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

from pipeline.errors import DeliveryError, RetryLater, StoreError, TargetGone, TransientDelivery
from pipeline.store import Form, LedgerKey, Store, Target

log = logging.getLogger(__name__)

Outcome = Literal["sent", "skipped", "busy", "failed", "gone"]
CLAIM_TTL_S = 30.0  # a dead pusher's claims are free this long after its last heartbeat
MIN_BEAT_S = 0.05  # the shortest pause between two heartbeats
OUTAGE_WAIT_S = 120.0  # how long a push waits for Redis to come back before leaving a target
BUSY_POLL_S = 2.0  # how often parts held by another owner are looked at again


class Limiter(Protocol):
    """Anything that paces sends: `RateLimiter`, Feishu's `WindowLimiter`."""

    async def acquire(self) -> None: ...


class RateLimiter:
    """A token bucket shared by many senders: at most `rate` grants per second on average.

    With `burst=1` grants are spaced at least 1/rate apart, which is what a server
    that counts requests in a sliding one-second window wants to see.

    Each waiter takes the next slot when it asks (first come, first served) and sleeps
    until its slot on its own: a waiter woken late does not push every later grant
    back, which at 1,000 grants a second (a timer's oversleep being ~0.1–1 ms each)
    held a paid broadcast to ~70% of its rate.
    """

    def __init__(self, rate: float, burst: int = 1) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self.burst = max(1, burst)
        self._next = 0.0  # monotonic time of the next free slot

    async def acquire(self) -> None:
        """Wait for one token."""
        now = time.monotonic()
        # The bucket may hold up to `burst` tokens: never let _next lag further behind.
        slot = max(self._next, now - (self.burst - 1) * self.interval)
        self._next = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)


@dataclass
class RetryPolicy:
    """How hard one part is tried before the push gives up on its target (for now)."""

    max_attempts: int = 5
    backoff_base_s: float = 0.5
    backoff_max_s: float = 20.0
    max_wait_s: float = 60.0  # a RetryLater asking for longer than this is not waited out

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter (attempt counts from 1)."""
        ceiling = min(self.backoff_max_s, self.backoff_base_s * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)


@dataclass(slots=True)
class Job:
    """One push target and the parts it should get, in order.

    `limiter` is shared by jobs that share a quota; `pace_s` is the pause between
    two parts of this target.
    """

    target: Target
    parts: list[Any]
    send: Callable[[int, Any], Awaitable[None]]
    pace_s: float = 0.0
    limiter: Limiter | None = None
    on_done: Callable[[], Awaitable[None]] | None = None  # called once every part is sent
    # Form.of(parts), when the caller knows it: many targets share one rendering, and
    # hashing it once per target is a measurable share of a large push
    known_form: Form | None = None
    # this rendering of the digest (its part count and a hash of its parts)
    form: Form = field(init=False)

    def __post_init__(self) -> None:
        self.form = self.known_form or Form.of(self.parts)

    def key(self, day: str, i: int) -> LedgerKey:
        """The ledger key of part `i` on `day`."""
        return LedgerKey(day, self.target, self.form, i)


@dataclass
class PushReport:
    """What a push did. Counts of parts except `failed`/`gone`/`busy_targets` (targets)."""

    targets: int = 0
    sent: int = 0  # parts sent by this push
    skipped: int = 0  # parts already sent earlier
    busy: int = 0  # parts left to another live push (or a crashed one's, for claim_ttl_s)
    failed: int = 0  # targets not reached after retries: a later push finishes them
    gone: int = 0  # targets that refuse for good
    rate_limited: int = 0  # rate-limit answers received (Telegram 429, Feishu 11232)
    elapsed_s: float = 0.0
    errors: dict[str, str] = field(default_factory=dict)  # target name -> one line

    @property
    def ok(self) -> bool:
        """True when every target got its parts or refused for good (exit code 0).

        A part left to another push (`busy`) is not delivered yet: its claim may be a
        crashed push's, which a later push must finish once the claim expires.
        """
        return self.failed == 0 and self.busy == 0

    def merge(self, other: PushReport) -> PushReport:
        """The sum of two reports (e.g. Telegram and Feishu); elapsed is the longer one."""
        return PushReport(
            targets=self.targets + other.targets,
            sent=self.sent + other.sent,
            skipped=self.skipped + other.skipped,
            busy=self.busy + other.busy,
            failed=self.failed + other.failed,
            gone=self.gone + other.gone,
            rate_limited=self.rate_limited + other.rate_limited,
            elapsed_s=max(self.elapsed_s, other.elapsed_s),
            errors={**self.errors, **other.errors},
        )

    def summary(self) -> str:
        """One line for the log and the terminal."""
        return (
            f"{self.targets} targets: sent {self.sent}, skipped {self.skipped} (already sent), "
            f"busy {self.busy}, failed {self.failed}, blocked/gone {self.gone}, "
            f"429s {self.rate_limited}, elapsed {self.elapsed_s:.1f}s"
        )

    def line(self) -> str:
        """The summary line (what `aidaily push` prints)."""
        return self.summary()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


def new_owner() -> str:
    """A ledger owner id unique to this process and push."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class _Run:
    store: Store
    day: str
    owner: str
    claim_ttl_s: float
    outage_wait_s: float
    policy: RetryPolicy
    grace_s: float
    sent_before: set[LedgerKey]
    sent_forms: dict[Target, Counter[Form]]
    report: PushReport


async def deliver(
    store: Store,
    day: str,
    jobs: Sequence[Job],
    *,
    owner: str | None = None,
    concurrency: int = 8,
    claim_ttl_s: float = CLAIM_TTL_S,
    outage_wait_s: float = OUTAGE_WAIT_S,
    busy_wait_s: float = 0.0,
    policy: RetryPolicy | None = None,
    grace_s: float = 5.0,  # under serve's 9 s stop deadline, so a part on the wire is recorded
    channel: str | None = None,
) -> PushReport:
    """Send every job's parts at most once each; return (and, given `channel`, store) a report.

    Parts another owner holds are retried for up to `busy_wait_s` (a crashed
    pusher's claims free within `claim_ttl_s`); what is still busy then is reported.
    """
    started = time.monotonic()
    sent_before = {e.key for e in await store.ledger_entries(day) if e.state == "sent"}
    run = _Run(
        store=store,
        day=day,
        owner=owner or new_owner(),
        claim_ttl_s=claim_ttl_s,
        outage_wait_s=outage_wait_s,
        policy=policy or RetryPolicy(),
        grace_s=grace_s,
        sent_before=sent_before,
        sent_forms=_sent_forms(sent_before),
        report=PushReport(targets=len(jobs)),
    )
    workers = max(1, concurrency)
    async with _heartbeat(run):
        # made as the workers take them: a (job, 0) per target held at once is ~6 MB
        # for 100,000 chats
        busy = await _pass(run, workers, ((job, 0) for job in jobs), len(jobs))
        deadline = time.monotonic() + busy_wait_s
        while busy and time.monotonic() < deadline:
            # Claims of a pusher that died free within claim_ttl_s: wait for them here
            # rather than leave those chats to a later push.
            await asyncio.sleep(min(BUSY_POLL_S, max(0.0, deadline - time.monotonic())))
            busy = await _pass(run, workers, busy, len(busy))
    run.report.busy = sum(len(job.parts) - i for job, i in busy)
    run.report.elapsed_s = round(time.monotonic() - started, 3)
    # a minute tick with no chat due must not overwrite the morning's summary in /stats
    if channel and jobs:
        log.info("push %s %s: %s", channel, day, run.report.summary())
        summary = {"date": day, "at": time.time(), **run.report.to_dict()}
        with contextlib.suppress(StoreError):  # Redis away: the store has said so once
            await store.set_last_push(channel, summary)
    return run.report


async def _pass(
    run: _Run, workers: int, work: Iterable[tuple[Job, int]], count: int
) -> list[tuple[Job, int]]:
    """Deliver each of the `count` (job, first part); return those left busy, with the
    part they stopped at."""

    # `concurrency` workers take the targets in turn: never one task per target, which
    # for 100,000 chats would cost hundreds of MB and a slow loop (bench/push_cost.py).
    queue = iter(work)
    busy: list[tuple[Job, int]] = []

    async def worker() -> None:
        for job, start in queue:
            _stop_if_cancelled()
            if (i := await _deliver_job(run, job, start)) is not None:
                busy.append((job, i))

    # A TaskGroup, not gather: cancelled, it still waits for every worker, so parts
    # on the wire are recorded before the caller closes the connection they use.
    async with asyncio.TaskGroup() as group:
        for _ in range(min(workers, count)):
            group.create_task(worker())
    return busy


@contextlib.asynccontextmanager
async def _heartbeat(run: _Run) -> AsyncIterator[None]:
    """Beat for this owner while the push works, so its claims stay live; end it after."""

    # A third of the TTL, but never a busy loop (a push with claim_ttl_s=0 takes over
    # every claim at once and needs no beat at all).
    every = max(run.claim_ttl_s / 3, MIN_BEAT_S)

    async def beat() -> None:
        while True:
            await asyncio.sleep(every)
            with contextlib.suppress(StoreError):
                await run.store.ledger_heartbeat(run.day, run.owner)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        await asyncio.wait({task})  # gone before the push returns, even when cancelled
        with contextlib.suppress(StoreError):
            await asyncio.shield(run.store.ledger_heartbeat(run.day, run.owner, end=True))


async def _deliver_job(run: _Run, job: Job, start: int = 0) -> int | None:
    """Parts `start`… of one target, in order; stops at the first part it cannot send.

    Returns the index of a part left busy (claimed by another owner), else None.
    """
    if start == 0 and _has_another_form(run, job):
        run.report.skipped += len(job.parts)
        return None
    paced = False
    for i in range(start, len(job.parts)):
        _stop_if_cancelled()
        outcome = await _deliver_part(run, job, i, job.parts[i], paced)
        if outcome == "skipped":
            run.report.skipped += 1
            continue
        if outcome == "sent":
            run.report.sent += 1
            paced = True
            continue
        return i if outcome == "busy" else None
    if job.on_done is not None:
        await _call_on_done(job)
    return None


def _stop_if_cancelled() -> None:
    """Raise CancelledError if this task was cancelled and something below swallowed it.

    On Python 3.11 a cancellation that lands as an awaited Redis or HTTP call
    completes can be lost inside the client libraries (asyncio.wait_for, gh-86296);
    a push worker would then go on through every remaining target after a stop
    (seen with 100,000 chats: bench/push_cost.py). The request stays counted in
    `Task.cancelling()`, so between parts, where nothing is claimed, we honour it.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def _has_another_form(run: _Run, job: Job) -> bool:
    """True when the target already got the whole day's digest in another form.

    Each target gets each date's digest once: a chat that got the brief digest at
    08:00 and then asked for the full one gets no second one that day.
    """
    forms = run.sent_forms.get(job.target, Counter())
    return any(form != job.form and n == form.parts for form, n in forms.items())


def _sent_forms(sent: set[LedgerKey]) -> dict[Target, Counter[Form]]:
    """target -> {form: parts sent}, read once per push from the ledger."""
    out: dict[Target, Counter[Form]] = {}
    for key in sent:
        out.setdefault(key.target, Counter())[key.form] += 1
    return out


async def _call_on_done(job: Job) -> None:
    assert job.on_done is not None
    try:
        await job.on_done()
    except StoreError as exc:  # Redis away: the store has said so once
        log.debug("push %s: after-delivery hook: %s", job.target, exc)
    except Exception as exc:  # a bookkeeping hook must not fail a delivered push
        log.warning("push %s: after-delivery hook failed: %s", job.target, exc)


async def _deliver_part(run: _Run, job: Job, i: int, part: Any, paced: bool) -> Outcome:
    key = job.key(run.day, i)
    if key in run.sent_before:
        return "skipped"
    try:
        claim = await _claim(run, key)
    except StoreError as exc:  # Redis stayed away longer than outage_wait_s
        _fail(run, job.target, "failed", exc)
        return "failed"
    if claim != "claimed":
        return "skipped" if claim == "sent" else "busy"
    if paced and job.pace_s > 0:
        await _sleep_or_release(run, key, job.pace_s)
    try:
        return await _attempts(run, job, key, part)
    except TargetGone as exc:
        await run.store.ledger_release(key, run.owner)
        _fail(run, job.target, "gone", exc)
        return "gone"
    except (DeliveryError, StoreError) as exc:  # retries spent, or refused for good
        await run.store.ledger_release(key, run.owner)
        _fail(run, job.target, "failed", exc)
        return "failed"
    except Exception as exc:  # a bug in one sender must not stop the other targets
        log.exception("push %s: unexpected error in part %d", job.target, i)
        await run.store.ledger_release(key, run.owner)
        _fail(run, job.target, "failed", exc)
        return "failed"


async def _claim(run: _Run, key: LedgerKey) -> str:
    """`Store.ledger_claim`, waiting out a Redis outage; a claim won as the push is cancelled
    is given back."""
    deadline, delay = time.monotonic() + run.outage_wait_s, 0.5
    while True:
        try:
            return await _claim_once(run, key)
        except StoreError:
            if time.monotonic() >= deadline:
                raise
            # the store logs the outage once; every waiting target retries on its own
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


async def _claim_once(run: _Run, key: LedgerKey) -> str:
    task = asyncio.ensure_future(run.store.ledger_claim(key, run.owner, run.claim_ttl_s))
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait({task}, timeout=run.grace_s)
        won = task.done() and not task.cancelled() and task.exception() is None
        if won and task.result() == "claimed":
            await asyncio.shield(run.store.ledger_release(key, run.owner))
        raise


def _fail(run: _Run, target: Target, kind: Literal["gone", "failed"], exc: Exception) -> None:
    if kind == "gone":
        run.report.gone += 1
    else:
        run.report.failed += 1
    name = str(target)
    run.report.errors[name] = str(exc) or type(exc).__name__
    log.warning("push %s: %s: %s", name, kind, run.report.errors[name])


async def _attempts(run: _Run, job: Job, key: LedgerKey, part: Any) -> Outcome:
    """Try one claimed part until it is sent or the retry policy is spent (raises)."""
    policy = run.policy
    for attempt in range(1, policy.max_attempts + 1):
        last = attempt == policy.max_attempts
        if job.limiter is not None:
            await _limiter_or_release(run, job.limiter, key)
        try:
            await _attempt(run, job, key, part)
            return "sent"
        except RetryLater as exc:
            run.report.rate_limited += 1
            if last or exc.retry_after > policy.max_wait_s:
                raise
            await _sleep_or_release(run, key, exc.retry_after)
        except TransientDelivery:
            if last:
                raise
            await _sleep_or_release(run, key, policy.backoff(attempt))
    raise TransientDelivery("no attempt made")  # only when max_attempts < 1


async def _attempt(run: _Run, job: Job, key: LedgerKey, part: Any) -> None:
    """Send one part and record it; if cancelled meanwhile, let it finish within the grace."""
    went_out = False

    async def send_and_record() -> None:
        nonlocal went_out
        await job.send(key.part, part)
        went_out = True
        await run.store.ledger_sent(key)  # never raises: kept in memory while Redis is away

    task = asyncio.ensure_future(send_and_record())
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        # The request may already be at the server: finish it and record the truth,
        # rather than leave a claim that a later push cannot judge.
        await asyncio.wait({task}, timeout=run.grace_s)
        await asyncio.shield(_settle(run, key, task, went_out))
        raise


async def _settle(run: _Run, key: LedgerKey, task: asyncio.Future[None], went_out: bool) -> None:
    """After a cancelled attempt: record a part that went out, give back one that did not."""
    if not task.done():
        task.cancel()  # unknown outcome: the claim stays until it ages out (claim_ttl_s)
    elif went_out:
        if task.cancelled() or task.exception() is not None:
            await run.store.ledger_sent(key)
    elif task.cancelled() or task.exception() is not None:
        await run.store.ledger_release(key, run.owner)


async def _sleep_or_release(run: _Run, key: LedgerKey, seconds: float) -> None:
    """Sleep holding a claim; a push cancelled meanwhile gives the part back."""
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        await asyncio.shield(run.store.ledger_release(key, run.owner))
        raise


async def _limiter_or_release(run: _Run, limiter: Limiter, key: LedgerKey) -> None:
    try:
        await limiter.acquire()
    except asyncio.CancelledError:
        await asyncio.shield(run.store.ledger_release(key, run.owner))
        raise
