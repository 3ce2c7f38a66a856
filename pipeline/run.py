"""One run: feeds in, a stored digest out. The CLI and the scheduler both call `run`.

Linear on purpose: fetch → parse → window → cluster → judge → select →
conclude → pool → store. A feed that fails is recorded in the digest's `feeds` list and
never fails the run; only "no feed could be fetched" does (RunError), and then
the previous digest stays as it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NoReturn

from pipeline import dedupe, facts, feedback, kinds, select, workers
from pipeline.config import FeedSettings, Settings
from pipeline.curate.base import Curator, EntryReads
from pipeline.errors import RunError
from pipeline.fetch import FetchResult, fetch_each
from pipeline.intake import Noted, in_window, parse_noted
from pipeline.models import Candidate, Digest, Entry, FeedStatus, Judgement, PoolItem, Window
from pipeline.parse import parse_feed
from pipeline.store import FeedState, Store

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
# A parse gives the feed's entries and, from a worker, each entry's notes for `dedupe.cluster`
# and what the curator reads of it (`Curator.entry_reader`).
Parse = Callable[[FetchResult, datetime], Awaitable[Noted]]

# Parsing is CPU-bound (~0.05 ms an entry by `pipeline.fastfeed`, ~0.2 ms when a feed needs
# feedparser, which is pure Python; reading an entry for the curator ~0.15 ms more): with
# many feeds it is done in worker processes (`pipeline.workers`), so that both cores parse
# while the event loop keeps fetching; a curator that reads nothing in advance (the LLM
# curator) borrows the same workers to judge. Below POOL_MIN_FEEDS feeds (tests, a small
# config) starting workers costs more than it saves.
POOL_MIN_FEEDS = 16
STORE_WRITES = 4


@dataclass
class RunResult:
    digest: Digest
    raw: list[Entry]
    pool: list[PoolItem] = field(default_factory=list)


@dataclass
class _FeedOutcome:
    status: FeedStatus
    entries: list[Entry]
    # The entries' notes, when a worker read them (None for an entry outside the window).
    notes: list[dedupe.Notes | None] | None = None


def make_curator(settings: Settings, store: Store) -> Curator:
    """The LLM curator when an LLM is configured with a key, else the heuristic one."""
    if settings.llm_enabled:
        from pipeline.curate.llm import LLMCurator

        return LLMCurator(settings, store)
    from pipeline.curate.heuristic import HeuristicCurator

    return HeuristicCurator(settings, defer_words=True)  # a run writes words only where shown


async def run(
    settings: Settings,
    day: date,
    store: Store,
    *,
    curator: Curator | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Build, store and return the digest of `day`."""
    # `serve` sets what it holds for good aside from the collector before its daily run;
    # gc can only unfreeze everything, so that is set aside again after, without the run's
    frozen_before = gc.get_freeze_count() > 0
    try:
        return await _run(settings, day, store, curator=curator, progress=progress)
    finally:
        await workers.settled()  # its forkserver, stopped after the last feed: gone too
        gc.unfreeze()  # what `_keep` set aside: collected as usual again
        if frozen_before:
            gc.collect()  # the run's own cycles first: they must not be set aside for good
            gc.freeze()


def _keep() -> None:
    """What this process holds now is held until the run ends (the day's entries, their
    notes, stories, judgements): Python's cycle collector may skip it from now on.

    A run makes millions of objects and keeps most of them to its end; every full
    collection walked all of them again, ~25% of the main process's CPU and ~50% of
    clustering's (200 x 100: 1.2-1.5 s, 0.7 s with the entries set aside). Objects set
    aside are still freed when nothing refers to them; only cycles among them wait for
    the end of the run (`gc.unfreeze`).
    """
    gc.freeze()


@contextlib.contextmanager
def _kept() -> Iterator[None]:
    """A step whose results the run keeps (clustering, judging): no cycle collection while
    it runs, which would walk the many objects it makes (the step makes no cycles worth
    collecting mid-way; 100,000 entries: 1.3 s of clustering's 6 s and 1.8 s of the
    judging's 4.3 s in this process); what is held before it and what it made are set
    aside (`_keep`)."""
    _keep()
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        _keep()
        if enabled:
            gc.enable()


async def _run(
    settings: Settings,
    day: date,
    store: Store,
    *,
    curator: Curator | None,
    progress: Progress | None,
) -> RunResult:
    say = progress or (lambda _msg: None)
    started = datetime.now(UTC)
    start, end = settings.window(day)
    if not settings.feeds:
        raise RunError("no feeds configured: add at least one entry under `feeds:` in the config")

    curator = curator or make_curator(settings, store)
    say(f"fetching {len(settings.feeds)} feeds")
    states = await store.get_feed_states([f.id for f in settings.feeds])
    read = EntryReads()  # what the parse workers read of each entry for the curator
    async with contextlib.AsyncExitStack() as parsing:
        parse = await parsing.enter_async_context(
            _workers(len(settings.feeds), curator.entry_reader, (start, end))
        )
        outcomes = await _fetch_and_take(
            settings, states, store, parse, started, _seen_at(started, start, end), read, say
        )
        if curator.entry_reader is not None:
            # The curator judges from what the workers read (a story whose lead they did not
            # read, it judges itself): they are let go now, and their memory with them,
            # rather than kept idle through clustering, the day's peak.
            await parsing.aclose()
        if not any(o.status.ok for o in outcomes):
            await _fail(store, day, started, outcomes)

        raw, noted = _in_window(outcomes, start, end)
        say(f"grouping {len(raw)} entries into stories")
        with _kept():
            candidates = dedupe.cluster(raw, notes=noted)
        del noted
        if len(read):
            # Clustering read the facts of many entries again; judging takes them from what
            # the workers read instead: not kept through judging (~25 MB of a big day).
            facts.forget()

        say(f"curating {len(candidates)} stories ({curator.kind})")
        with _kept():  # the heuristic borrows the workers, if still open, for a big day
            verdicts = await curator.judge(candidates, day, read=read if len(read) else None)
        del read
    candidates = dedupe.merge(candidates, verdicts.same_story)
    judgements = await _with_votes(settings, store, day, candidates, verdicts.judgements)
    ranked = select.rank(candidates, judgements)
    sections = select.select(candidates, judgements, settings.digest, verdicts.words, ranked=ranked)
    conclusion = await curator.conclude(sections, day)
    sections = select.reorder(sections, conclusion.order)

    digest = Digest(
        date=day.isoformat(),
        timezone=settings.timezone,
        window=Window(start=start, end=end),
        generated_at=datetime.now(settings.tz).replace(microsecond=0),
        raw_count=len(raw),
        candidate_count=len(candidates),
        sections=sections,
        summary=select.day_summary(len(raw), sections, conclusion.highlights),
        feeds=[o.status for o in outcomes],
        curator=curator.stats(),
    )
    # Every news story judged but left out, numbered after the digest's items (/more).
    pool = select.pool(candidates, judgements, sections, words=verdicts.words, ranked=ranked)
    # The day's stories and judgements are in the digest and the pool now: let them go
    # before the stored JSON is built (60,000 of each are ~100 MB of a 100,000-entry run).
    del candidates, verdicts, judgements, ranked
    say("storing")
    keep = settings.store
    await store.save_digest(digest, raw, keep_days=keep.keep_days, pool=pool)
    await store.ensure_search_index()  # an archive stored before the index: filed once
    await store.prune(keep.keep_days, settings.today(), digest.date, keep.keep_digests_days)
    await store.set_last_run(_run_summary(digest, started))
    log.info("%s", run_line(digest))
    facts.forget()  # what this day's texts said: the next run reads other texts
    kinds.forget()
    return RunResult(digest=digest, raw=raw, pool=pool)


async def _with_votes(
    settings: Settings,
    store: Store,
    day: date,
    candidates: Sequence[Candidate],
    judgements: Mapping[str, Judgement],
) -> Mapping[str, Judgement]:
    """The judgements nudged by the team's votes of the last 30 days (`digest.feedback`)."""
    if not settings.digest.feedback:
        return judgements
    tallies = await store.vote_tallies(feedback.window(day))
    names = {f.id: f.name for f in settings.feeds}
    return feedback.nudged(candidates, judgements, tallies, names)


async def _fail(
    store: Store, day: date, started: datetime, outcomes: list[_FeedOutcome]
) -> NoReturn:
    """No feed could be fetched: record it and stop; the previous digest stays."""
    reasons = "; ".join(f"{o.status.id}: {o.status.error}" for o in outcomes[:3])
    error = f"no feed could be fetched ({reasons}); the previous digest is unchanged"
    await store.set_last_run(
        {"date": day.isoformat(), "ok": False, "error": error, "started_at": started.isoformat()}
    )
    raise RunError(error)


def _seen_at(now: datetime, start: datetime, end: datetime) -> datetime:
    """When an undated entry seen for the first time now counts as published.

    The daily run starts just after the cut-off: an entry first seen then belongs to
    the day that just closed, not to tomorrow's window. Otherwise (a replay of an old
    day, a run before the cut-off) it is simply now.
    """
    return end if end <= now < end + (end - start) else now


def _in_window(
    outcomes: list[_FeedOutcome], start: datetime, end: datetime
) -> tuple[list[Entry], list[dedupe.Notes | None]]:
    """The day's entries, and the notes the parse workers read of each (None where they
    read none: a small run, a feed kept from its last fetch), for `dedupe.cluster`; each
    feed's count in the window goes to its status. The notes are taken, not kept."""
    raw: list[Entry] = []
    noted: list[dedupe.Notes | None] = []
    # Entries' times are UTC: compared with UTC bounds, not the zone's (~20x cheaper).
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    for o in outcomes:
        notes: Sequence[dedupe.Notes | None] = o.notes or [None] * len(o.entries)
        before = len(raw)
        for entry, note in zip(o.entries, notes, strict=True):
            if in_window(entry, start, end):
                raw.append(entry)
                noted.append(note)
        o.status.in_window = len(raw) - before
        o.notes = None
    return raw, noted


async def _fetch_and_take(
    settings: Settings,
    states: dict[str, FeedState | None],
    store: Store,
    parse: Parse,
    now: datetime,
    seen_at: datetime,
    read: EntryReads,
    say: Progress,
) -> list[_FeedOutcome]:
    """Parse each feed as soon as it arrives, while the slower ones are still on the wire."""
    order = {f.id: i for i, f in enumerate(settings.feeds)}
    # Feeds are taken concurrently (their parses overlap in the workers), but only a few
    # write to Redis at once: a caller's connection pool may refuse past its size.
    writes = asyncio.Semaphore(STORE_WRITES)
    intake = _Intake(store, now, seen_at, writes, settings.store.keep_days, read)
    takes: list[asyncio.Task[_FeedOutcome]] = []
    try:
        fetched = fetch_each(settings.feeds, settings.fetch, states)
        async with contextlib.aclosing(fetched) as results:
            async for result in results:
                take = intake.take(result, states.get(result.feed.id), parse)
                takes.append(asyncio.create_task(take))
        # Every feed is in; what is left is parsing (CPU-bound on a big day: seconds).
        if pending := sum(1 for task in takes if not task.done()):
            say(f"parsing the last {pending} feeds")
        outcomes = await asyncio.gather(*takes)
    finally:  # on a failure (Redis down), the other feeds' work is moot: stop it
        for task in takes:
            task.cancel()
        await asyncio.gather(*takes, return_exceptions=True)
    return sorted(outcomes, key=lambda o: order[o.status.id])


@contextlib.asynccontextmanager
async def _workers(
    feeds: int, reader: Callable[[Entry], object] | None, window: tuple[datetime, datetime]
) -> AsyncIterator[Parse]:
    """How this run parses a body: in the run's worker pool for many feeds, else inline.
    The pool stays open until judging is done, so the curator can borrow it. A big run
    also reads each entry of the day's `window` with the curator's `reader` as it parses
    it (a small run does not: the curator reads what it needs itself)."""
    if feeds < POOL_MIN_FEEDS or not workers.available():
        yield _parse_inline
        return
    utc = (window[0].astimezone(UTC), window[1].astimezone(UTC))  # as entries' times are
    async with workers.pool() as pool:
        yield functools.partial(_parse_in, pool, reader, utc, asyncio.Lock())


async def _parse_in(
    pool: workers.Pool,
    reader: Callable[[Entry], object] | None,
    window: tuple[datetime, datetime],
    here: asyncio.Lock,
    result: FetchResult,
    now: datetime,
) -> Noted:
    job = functools.partial(parse_noted, **_parse_args(result, now), reader=reader, window=window)
    if not pool.ready:
        # The workers are still starting (~0.4 s, seconds on a busy machine): do their job
        # here rather than wait, notes and reads included (clustering and judging would
        # otherwise read those entries again, after the last fetch, in this process alone).
        # One feed at a time, the event loop turning in between: the first round's feeds
        # all parsed here back to back held the loop ~0.5 s, past the workers' start.
        async with here:
            if not pool.ready:
                return job()
    try:
        return await pool.run(job)
    except BrokenProcessPool:  # a worker died (killed, out of memory): parse here
        log.warning("parse worker lost; parsing %s in the main process", result.feed.id)
        return job()


async def _parse_inline(result: FetchResult, now: datetime) -> Noted:
    # A small run: `dedupe.cluster` reads the entries' notes itself, in this process.
    return Noted(parse_feed(**_parse_args(result, now)))


def _parse_args(result: FetchResult, now: datetime) -> dict[str, Any]:
    """The arguments of `parse_feed` (and of `parse_noted`) for a fetched body."""
    return {
        "body": result.body or b"",
        "feed": result.feed,
        "content_type": result.content_type,
        "location": result.final_url,
        "now": now,
    }


@dataclass
class _Intake:
    """Turns fetch results into entries and statuses, and remembers each feed's state."""

    store: Store
    now: datetime
    seen_at: datetime  # what "first seen" records for an undated entry (see _seen_at)
    writes: asyncio.Semaphore
    keep_days: int  # store.keep_days: how long feed state and first-seen times are kept
    read: EntryReads  # what the workers read of each entry for the curator
    # The workers' notes, kept until the last feed is in: one copy of what they share.
    shared: dedupe.Shared = field(default_factory=dedupe.Shared)

    async def take(
        self, result: FetchResult, state: FeedState | None, parse: Parse
    ) -> _FeedOutcome:
        """The outcome of one feed: its entries (parsed, or kept on a 304) and its status."""
        feed = result.feed
        status = FeedStatus(
            id=feed.id,
            name=feed.name,
            ok=result.ok,
            error=result.error,
            error_kind=result.error_kind,
            elapsed_ms=result.elapsed_ms,
        )
        if not result.ok:
            return _FeedOutcome(status, [])
        if result.not_modified:
            entries = _relabel(state.entries if state else [], feed)
            status.not_modified, status.entries = True, len(entries)
            return _FeedOutcome(status, entries)
        parsed, notes, reads = await parse(result, self.now)
        if parsed.error and not parsed.entries:
            status.ok, status.error, status.error_kind = False, parsed.error, "not_a_feed"
            return _FeedOutcome(status, [])
        unpacked = (
            None if notes is None else [None if n is None else self.shared.unpack(n) for n in notes]
        )
        entries = await self._remember(result, parsed.entries)
        if reads is not None:  # each entry's, in order (an undated one is a dated copy)
            self.read.add(entries, [self.read.shared(r) for r in reads])
        status.entries = len(entries)
        _keep()
        return _FeedOutcome(status, entries, unpacked)

    async def _remember(self, result: FetchResult, entries: list[Entry]) -> list[Entry]:
        """Date the undated entries and store the feed's state for the next conditional GET."""
        feed, now = result.feed.id, self.now
        async with self.writes:
            entries = await _date_undated(entries, feed, self.store, self.seen_at, self.keep_days)
            # The entries are kept for a 304, which only a feed that gave a validator can
            # answer (it is asked with it next time); one that gave none is asked afresh, and
            # a copy of what it said (~1 KB an entry, every run) would never be read.
            validated = bool(result.etag or result.last_modified)
            state = FeedState(
                etag=result.etag,
                last_modified=result.last_modified,
                entries=entries if validated else [],
                fetched_at=now,
            )
            await self.store.set_feed_state(feed, state, self.keep_days)
        return entries


async def _date_undated(
    entries: list[Entry], feed: str, store: Store, now: datetime, keep_days: int
) -> list[Entry]:
    """An entry with no date is dated by the first time we saw it (remembered in Redis)."""
    undated = [e.id for e in entries if not e.dated]
    if not undated:
        return entries
    seen = await store.first_seen(feed, undated, now, keep_days)
    return [
        e if e.dated else e.model_copy(update={"published_at": seen.get(e.id, now)})
        for e in entries
    ]


def _relabel(entries: Sequence[Entry], feed: FeedSettings) -> list[Entry]:
    """Entries kept from the last 200 follow the feed's current name, region and weight."""
    update = {"source": feed.name, "region": feed.region, "weight": feed.weight}
    return [e.model_copy(update=update) for e in entries]


def _run_summary(digest: Digest, started: datetime) -> dict[str, object]:
    return {
        "date": digest.date,
        "ok": True,
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "raw": digest.raw_count,
        "items": len(digest.items),
        "feeds_ok": sum(1 for f in digest.feeds if f.ok),
        "feeds": len(digest.feeds),
        "curator": digest.curator.kind,
    }


def run_line(digest: Digest) -> str:
    """The one-line summary of a run, for logs and the terminal."""
    failed = [f"{f.id} ({f.error})" for f in digest.feeds if not f.ok]
    ok = len(digest.feeds) - len(failed)
    text = (
        f"digest {digest.date}: {len(digest.sections.domestic)} domestic + "
        f"{len(digest.sections.international)} international items from {digest.raw_count} entries; "
        f"feeds {ok}/{len(digest.feeds)} ok"
    )
    return text + (f"; failed: {', '.join(failed)}" if failed else "")
