"""The one protocol every curator implements.

A run asks its curator twice: `judge` every candidate (importance, category,
reason, tags, summary, region, score), then, once the quotas are filled,
`conclude` over the shortlisted items (final order within each section and the
day's highlights). A curator never supplies a link, a source or an id that
reaches a user: `run.py` builds items from the fetched entries and only copies
the text fields of a `Judgement`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, TypeVar

from pipeline.models import Candidate, CuratorStats, Entry, Judgement, Sections

T = TypeVar("T")

# Writes a judgement's words (reason, tags, summary) for the candidate it judges.
Words = Callable[[Candidate, Judgement], Judgement]


@dataclass
class Verdicts:
    """`judgements[candidate.id]` for every candidate; `same_story` groups to merge.

    `words`, when set, says the judgements were made without their words (reason, tags,
    summary) and writes them for a story that is shown: the run calls it on every item
    and pool story it builds (`select.select`, `select.pool`), and on nothing else.
    """

    judgements: dict[str, Judgement]
    same_story: list[list[str]] = field(default_factory=list)
    words: Words | None = None


@dataclass
class Conclusion:
    """`order`: item ids, best first (None keeps the score order); `highlights`: 重点关注 phrases."""

    order: list[str] | None = None
    highlights: list[str] = field(default_factory=list)


class EntryReads:
    """What was read of each entry where it was parsed (a parse worker, while other feeds
    were still on the wire), found again by the entry object itself: the same text in two
    feeds may read differently (its source, its region). Holds the entries it was given."""

    def __init__(self) -> None:
        self._entries: list[Entry] = []
        self._reads: list[object] = []
        self._by_id: dict[int, int] | None = None  # made on the first `get`
        self._shared: dict[object, object] = {}

    def add(self, entries: Sequence[Entry], reads: Sequence[object]) -> None:
        """`reads[i]` was read of `entries[i]`."""
        if len(entries) != len(reads):
            raise ValueError(f"{len(reads)} reads of {len(entries)} entries")
        self._entries += entries
        self._reads += reads
        self._by_id = None

    def get(self, entry: Entry) -> object | None:
        """What was read of this entry object, or None. (The index by object is made when
        first asked, after clustering: while a big day is clustered, reads take two
        pointers an entry, not a dict entry.)"""
        if self._by_id is None:
            self._by_id = {id(e): k for k, e in enumerate(self._entries)}
        k = self._by_id.get(id(entry))
        return self._reads[k] if k is not None and self._entries[k] is entry else None

    def shared(self, value: T) -> T:
        """One copy of an equal value across all entries (reads come unpickled feed by feed)."""
        return self._shared.setdefault(value, value)  # type: ignore[return-value]

    def __len__(self) -> int:
        return len(self._entries)


class Curator(Protocol):
    kind: str
    # Not None: a run that parses in worker processes reads each entry there with it (a
    # module-level function, so that a job names it rather than pickling a curator; what it
    # returns is hashable, `EntryReads.shared`) and hands what it read to `judge`.
    entry_reader: Callable[[Entry], object] | None

    async def judge(
        self, candidates: Sequence[Candidate], day: date, *, read: EntryReads | None = None
    ) -> Verdicts:
        """A judgement for every candidate, in any order; must not raise for one bad entry.
        `read`: what `entry_reader` gave for the entries, when the run read them."""
        ...

    async def conclude(self, sections: Sections, day: date) -> Conclusion:
        """Final order and highlights over the selected items."""
        ...

    def stats(self) -> CuratorStats:
        """What this curator did in this run (calls, tokens, cache hits, fallbacks)."""
        ...
