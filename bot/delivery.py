"""Fan-out of a digest to push targets: rate limits, retries and a ledger in Redis.

One `Job` per target (a Telegram chat, a Feishu chat, a Feishu webhook). Its parts
go out in order; each part is claimed in the ledger (`Store.ledger_try_claim`, keyed by
date, target and part) before it is sent and marked sent after, so that a repeated
push, a crash and restart, or two instances at once never send a part twice and
never skip one:

- a part marked sent is skipped;
- a part claimed by another live owner is left to it, and so is the rest of that
  target (parts must arrive in order);
- a claim whose owner died expires after `claim_ttl_s` and a later push retries it.

`send(i, part)` raises `RetryLater` (waited out and retried), `TransientDelivery`
(retried with exponential backoff and jitter) or `TargetGone` (reported; the rest
of that target is skipped). Attempts are bounded; one failing target never stops
the others. On cancellation a part already on the wire is given a short grace to
finish and be recorded; parts not yet started are released for the next push.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, Literal

from pipeline.errors import DeliveryError, RetryLater, TargetGone, TransientDelivery
from pipeline.store import Store

log = logging.getLogger(__name__)

Outcome = Literal["sent", "skipped", "busy", "failed", "gone"]


class RateLimiter:
    """A token bucket shared by many senders: at most `rate` grants per second on average.

    With `burst=1` grants are spaced at least 1/rate apart, which is what a server
    that counts requests in a sliding one-second window wants to see.
    """

    def __init__(self, rate: float, burst: int = 1) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self.burst = max(1, burst)
        self._next = 0.0  # monotonic time at which the bucket is full enough for one grant
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Wait for one token. Waiters are served first come, first served."""
        async with self._lock:
            now = time.monotonic()
            # The bucket may hold up to `burst` tokens: never let _next lag further behind.
            self._next = max(self._next, now - (self.burst - 1) * self.interval)
            wait = self._next - now
            self._next += self.interval
            if wait > 0:
                await asyncio.sleep(wait)


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


@dataclass
class Job:
    """One push target and the parts it should get, in order.

    `target` is the ledger id (`telegram:123`, `feishu:oc_x`, `feishu-hook:<sha1>`).
    `limiter` is anything with `async acquire()` (e.g. `RateLimiter`), shared by
    jobs that share a quota; `pace_s` is the pause between two parts of this target.
    """

    target: str
    parts: list[Any]
    send: Callable[[int, Any], Awaitable[None]]
    pace_s: float = 0.0
    limiter: Any = None
    on_done: Callable[[], Awaitable[None]] | None = None  # called once every part is sent

    @cached_property
    def form(self) -> str:
        """This rendering of the digest: its part count and a hash of its parts.

        Ledger parts are keyed by form, so a chat that switched from brief to full
        after getting the brief one is not sent the full one's tail without its head.
        """
        text = json.dumps(self.parts, ensure_ascii=False, sort_keys=True, default=str)
        return f"{len(self.parts)}-{hashlib.sha1(text.encode()).hexdigest()[:8]}"

    def key(self, i: int) -> str:
        """The ledger part of part `i`: `FORM/i`."""
        return f"{self.form}/{i}"


@dataclass
class PushReport:
    """What a push did. Counts of parts except `failed`/`gone`/`busy_targets` (targets)."""

    targets: int = 0
    sent: int = 0  # parts sent by this push
    skipped: int = 0  # parts already sent earlier
    busy: int = 0  # parts left to another live push (or to a crashed one until its claim expires)
    failed: int = 0  # targets not reached after retries: a later push finishes them
    gone: int = 0  # targets that refuse for good
    rate_limited: int = 0  # rate-limit answers received (Telegram 429, Feishu 11232)
    elapsed_s: float = 0.0
    errors: dict[str, str] = field(default_factory=dict)  # target -> one line

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
    policy: RetryPolicy
    grace_s: float
    sent_before: set[str]
    sent_forms: dict[str, dict[str, int]]
    report: PushReport


async def deliver(
    store: Store,
    day: str,
    jobs: Sequence[Job],
    *,
    owner: str | None = None,
    concurrency: int = 8,
    claim_ttl_s: float = 600.0,
    policy: RetryPolicy | None = None,
    grace_s: float = 5.0,  # under serve's 9 s stop deadline, so a part on the wire is recorded
    channel: str | None = None,
) -> PushReport:
    """Send every job's parts at most once each; return (and, given `channel`, store) a report."""
    started = time.monotonic()
    ledger = await store.ledger_state(day)
    sent_before = {key for key, value in ledger.items() if value.startswith("sent:")}
    run = _Run(
        store=store,
        day=day,
        owner=owner or new_owner(),
        claim_ttl_s=claim_ttl_s,
        policy=policy or RetryPolicy(),
        grace_s=grace_s,
        sent_before=sent_before,
        sent_forms=_sent_forms(sent_before),
        report=PushReport(targets=len(jobs)),
    )
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(job: Job) -> None:
        async with gate:
            await _deliver_job(run, job)

    # A TaskGroup, not gather: cancelled, it still waits for every worker, so parts
    # on the wire are recorded before the caller closes the connection they use.
    async with asyncio.TaskGroup() as group:
        for job in jobs:
            group.create_task(one(job))
    run.report.elapsed_s = round(time.monotonic() - started, 3)
    # a minute tick with no chat due must not overwrite the morning's summary in /stats
    if channel and jobs:
        log.info("push %s %s: %s", channel, day, run.report.summary())
        await store.set_last_push(channel, {"date": day, "at": time.time(), **run.report.to_dict()})
    return run.report


async def _deliver_job(run: _Run, job: Job) -> None:
    """All parts of one target, in order; stops at the first part it cannot send."""
    if _has_another_form(run, job):
        run.report.skipped += len(job.parts)
        return
    paced = False
    for i, part in enumerate(job.parts):
        outcome = await _deliver_part(run, job, i, part, paced)
        if outcome == "skipped":
            run.report.skipped += 1
            continue
        if outcome == "sent":
            run.report.sent += 1
            paced = True
            continue
        if outcome == "busy":
            run.report.busy += len(job.parts) - i
        return
    if job.on_done is not None:
        await _call_on_done(job)


def _has_another_form(run: _Run, job: Job) -> bool:
    """True when the target already got the whole day's digest in another form.

    Each target gets each date's digest once: a chat that got the brief digest at
    08:00 and then asked for the full one gets no second one that day.
    """
    forms = run.sent_forms.get(job.target, {})
    return any(form != job.form and n == _parts_of(form) for form, n in forms.items())


def _sent_forms(sent: set[str]) -> dict[str, dict[str, int]]:
    """target -> {form: parts sent}, read once per push from the ledger."""
    out: dict[str, dict[str, int]] = {}
    for key in sent:
        target, _, part = key.partition("|")
        form = part.rsplit("/", 1)[0]
        counts = out.setdefault(target, {})
        counts[form] = counts.get(form, 0) + 1
    return out


def _parts_of(form: str) -> int:
    head = form.split("-", 1)[0]
    return int(head) if head.isdigit() else -1


async def _call_on_done(job: Job) -> None:
    try:
        await job.on_done()  # type: ignore[misc]
    except Exception as exc:  # a bookkeeping hook must not fail a delivered push
        log.warning("push %s: after-delivery hook failed: %s", job.target, exc)


async def _deliver_part(run: _Run, job: Job, i: int, part: Any, paced: bool) -> Outcome:
    if f"{job.target}|{job.key(i)}" in run.sent_before:
        return "skipped"
    claim = await _claim(run, job.target, job.key(i))
    if claim != "claimed":
        return "skipped" if claim == "sent" else "busy"
    if paced and job.pace_s > 0:
        await _sleep_or_release(run, job.target, job.key(i), job.pace_s)
    try:
        return await _attempts(run, job, i, part)
    except TargetGone as exc:
        await run.store.ledger_release(run.day, job.target, job.key(i), run.owner)
        _fail(run, job.target, "gone", exc)
        return "gone"
    except (RetryLater, TransientDelivery) as exc:
        await run.store.ledger_release(run.day, job.target, job.key(i), run.owner)
        _fail(run, job.target, "failed", exc)
        return "failed"
    except DeliveryError as exc:  # refused in a way that retrying will not change
        await run.store.ledger_release(run.day, job.target, job.key(i), run.owner)
        _fail(run, job.target, "failed", exc)
        return "failed"
    except Exception as exc:  # a bug in one sender must not stop the other targets
        log.exception("push %s: unexpected error in part %d", job.target, i)
        await run.store.ledger_release(run.day, job.target, job.key(i), run.owner)
        _fail(run, job.target, "failed", exc)
        return "failed"


async def _claim(run: _Run, target: str, key: str) -> str:
    """`Store.ledger_try_claim`; a claim won just as the push is cancelled is given back."""
    task = asyncio.ensure_future(
        run.store.ledger_try_claim(run.day, target, key, run.owner, run.claim_ttl_s)
    )
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait({task}, timeout=run.grace_s)
        won = task.done() and not task.cancelled() and task.exception() is None
        if won and task.result() == "claimed":
            await asyncio.shield(run.store.ledger_release(run.day, target, key, run.owner))
        raise


def _fail(run: _Run, target: str, kind: Literal["gone", "failed"], exc: Exception) -> None:
    if kind == "gone":
        run.report.gone += 1
    else:
        run.report.failed += 1
    run.report.errors[target] = str(exc) or type(exc).__name__
    log.warning("push %s: %s: %s", target, kind, run.report.errors[target])


async def _attempts(run: _Run, job: Job, i: int, part: Any) -> Outcome:
    """Try one claimed part until it is sent or the retry policy is spent (raises)."""
    policy = run.policy
    for attempt in range(1, policy.max_attempts + 1):
        last = attempt == policy.max_attempts
        if job.limiter is not None:
            await _limiter_or_release(run, job, i)
        try:
            await _attempt(run, job, i, part)
            return "sent"
        except RetryLater as exc:
            run.report.rate_limited += 1
            if last or exc.retry_after > policy.max_wait_s:
                raise
            await _sleep_or_release(run, job.target, job.key(i), exc.retry_after)
        except TransientDelivery:
            if last:
                raise
            await _sleep_or_release(run, job.target, job.key(i), policy.backoff(attempt))
    raise TransientDelivery("no attempt made")  # only when max_attempts < 1


async def _attempt(run: _Run, job: Job, i: int, part: Any) -> None:
    """Send one part and record it; if cancelled meanwhile, let it finish within the grace."""
    went_out = False

    async def send_and_record() -> None:
        nonlocal went_out
        await job.send(i, part)
        went_out = True
        await run.store.ledger_done(run.day, job.target, job.key(i), run.owner)

    task = asyncio.ensure_future(send_and_record())
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        # The request may already be at the server: finish it and record the truth,
        # rather than leave a claim that a later push cannot judge.
        await asyncio.wait({task}, timeout=run.grace_s)
        await asyncio.shield(_settle(run, job.target, job.key(i), task, went_out))
        raise


async def _settle(
    run: _Run, target: str, key: str, task: asyncio.Future[None], went_out: bool
) -> None:
    """After a cancelled attempt: record a part that went out, give back one that did not."""
    if not task.done():
        task.cancel()  # unknown outcome: the claim stays until it expires
    elif went_out:
        if task.cancelled() or task.exception() is not None:
            await run.store.ledger_done(run.day, target, key, run.owner)
    elif task.cancelled() or task.exception() is not None:
        await run.store.ledger_release(run.day, target, key, run.owner)


async def _sleep_or_release(run: _Run, target: str, key: str, seconds: float) -> None:
    """Sleep holding a claim; a push cancelled meanwhile gives the part back."""
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        await asyncio.shield(run.store.ledger_release(run.day, target, key, run.owner))
        raise


async def _limiter_or_release(run: _Run, job: Job, i: int) -> None:
    try:
        await job.limiter.acquire()
    except asyncio.CancelledError:
        await asyncio.shield(run.store.ledger_release(run.day, job.target, job.key(i), run.owner))
        raise
