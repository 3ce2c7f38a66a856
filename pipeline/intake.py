"""What a parse worker does with one fetched body: parse it (`parse.parse_feed`), read
each entry's notes for clustering (`dedupe.notes_of`) and what the curator will want of it
(its `entry_reader`), while other feeds are still on the wire, so that the main process
has less to do after the last fetch.

A module of its own so that a worker process, which imports it to run the job, loads
only parsing and clustering (preloaded by its forkserver), never the run's Redis store.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from pipeline import facts, kinds
from pipeline.config import FeedSettings
from pipeline.dedupe import PackedNotes, notes_of, pack
from pipeline.models import Entry
from pipeline.parse import ParsedFeed, parse_feed


class Noted(NamedTuple):
    """A parsed feed, and what was read of each of its entries (in the same order)."""

    parsed: ParsedFeed
    # For `dedupe.cluster`, as `dedupe.pack` packs them; None for an entry outside the window.
    notes: list[PackedNotes | None] | None = None
    reads: list[object] | None = None  # for the curator's `judge` (None: not read)


def parse_noted(
    body: bytes,
    feed: FeedSettings,
    *,
    content_type: str | None,
    location: str,
    now: datetime,
    reader: Callable[[Entry], object] | None = None,
    window: tuple[datetime, datetime] | None = None,
) -> Noted:
    """`parse_feed` of a body, the notes of each of its entries and, with a `reader`,
    what it reads of each. With a `window` (start, end], a dated entry outside it is
    neither noted nor read (None): the run drops it before clustering. A feed lists its
    last 10-50 items whatever their age, and a quiet one's are mostly days old; an undated
    entry is dated later (by when it was first seen), so it is always read."""
    parsed = parse_feed(body, feed, content_type=content_type, location=location, now=now)
    entries = parsed.entries
    if window is not None:
        start, end = window
        wanted = [not e.dated or in_window(e, start, end) for e in entries]
    else:
        wanted = [True] * len(entries)
    notes = [pack(notes_of(e)) if w else None for e, w in zip(entries, wanted, strict=True)]
    reads = (
        None
        if reader is None
        else [_read(reader, e) if w else None for e, w in zip(entries, wanted, strict=True)]
    )
    # The names and kinds read on the way are cached by text; the next feed's texts are
    # other texts, so a worker keeps none (else up to 65,536 of each, all run long).
    facts.forget()
    kinds.forget()
    return Noted(parsed, notes, reads)


def in_window(entry: Entry, start: datetime, end: datetime) -> bool:
    """Whether an entry's time falls in the day's window (start, end], in UTC as entries'
    times are: the one rule of both the workers (which leave the rest unread) and the run
    (which drops the rest before clustering)."""
    return start < entry.published_at <= end


def _read(reader: Callable[[Entry], object], entry: Entry) -> object:
    """What `reader` reads of an entry; None when it fails on this one (an odd text must not
    fail its feed: the curator then judges the entry's story from its text, where one
    story that cannot be judged is shown plainly and reported)."""
    try:
        return reader(entry)
    except Exception:
        return None
