"""What a parse worker does with one fetched body: parse it (`parse.parse_feed`) and read
each entry's notes for clustering (`dedupe.notes_of`), while other feeds are still on the
wire, so that the main process has less to do after the last fetch.

A module of its own so that a worker process, which imports it to run the job, loads
only parsing and clustering (preloaded by its forkserver), never the run's Redis store.
"""

from __future__ import annotations

from datetime import datetime

from pipeline import facts, kinds
from pipeline.config import FeedSettings
from pipeline.dedupe import Notes, notes_of
from pipeline.parse import ParsedFeed, parse_feed


def parse_noted(
    body: bytes, feed: FeedSettings, *, content_type: str | None, location: str, now: datetime
) -> tuple[ParsedFeed, list[Notes]]:
    """`parse_feed` of a body, and the notes of each of its entries, in the same order."""
    parsed = parse_feed(body, feed, content_type=content_type, location=location, now=now)
    notes = [notes_of(e) for e in parsed.entries]
    # The names and kinds read on the way are cached by text; the next feed's texts are
    # other texts, so a worker keeps none (else up to 65,536 of each, all run long).
    facts.forget()
    kinds.forget()
    return parsed, notes
