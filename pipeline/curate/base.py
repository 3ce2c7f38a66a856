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
from typing import Protocol

from pipeline.models import Candidate, CuratorStats, Judgement, Sections

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


class Curator(Protocol):
    kind: str

    async def judge(self, candidates: Sequence[Candidate], day: date) -> Verdicts:
        """A judgement for every candidate, in any order; must not raise for one bad entry."""
        ...

    async def conclude(self, sections: Sections, day: date) -> Conclusion:
        """Final order and highlights over the selected items."""
        ...

    def stats(self) -> CuratorStats:
        """What this curator did in this run (calls, tokens, cache hits, fallbacks)."""
        ...
