"""The team's 👍/👎, fed back into the ranking: boundedly and visibly (`digest.feedback`).

Before selecting, a run reads the votes on the digests of the 30 days before its
date, counted per source (feed) and per category. A source or category with at
least `MIN_VOTES` votes has an approval (👍 share); it nudges each candidate of
that source or category by `MAX_NUDGE * (2 * approval - 1)`, and the two
nudges are averaged, so one item moves by at most ±`MAX_NUDGE` however the team
votes. The nudge is a score part of its own (`feedback`), and the approvals
behind it travel with the item, so `/why` says "团队近30天对 36氪 的好评率 82%".
Votes are plain store data here: this module knows nothing of chats.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Literal

from pipeline.models import Approval, Candidate, Judgement, Tally
from pipeline.store import Tallies

WINDOW_DAYS = 30
MIN_VOTES = 5  # fewer votes than this on a source or category say nothing yet
MAX_NUDGE = 0.05
PART = "feedback"  # the score part's name (its label: render.view.SCORE_PARTS)


def window(day: date) -> list[str]:
    """The digest dates whose votes a run of `day` reads: the 30 days before it."""
    return [(day - timedelta(days=i)).isoformat() for i in range(1, WINDOW_DAYS + 1)]


def approvals(
    feed: str, category: str, tallies: Tallies, names: Mapping[str, str]
) -> list[Approval]:
    """The approvals that speak for a story of `feed` in `category` (enough votes only)."""
    sides: list[tuple[Literal["source", "category"], str, Tally | None]] = [
        ("source", names.get(feed, feed), tallies.feeds.get(feed)),
        ("category", category, tallies.categories.get(category)),
    ]
    return [
        Approval(of=of, name=name, up=tally.up, down=tally.down)
        for of, name, tally in sides
        if tally is not None and tally.total >= MIN_VOTES
    ]


def nudge_of(found: Sequence[Approval]) -> float:
    """How far these approvals move a score: the mean of each one's lean, times MAX_NUDGE."""
    if not found:
        return 0.0
    lean = sum(2 * a.rate - 1 for a in found) / len(found)
    return MAX_NUDGE * lean


def nudged(
    candidates: Sequence[Candidate],
    judgements: Mapping[str, Judgement],
    tallies: Tallies,
    names: Mapping[str, str],
) -> dict[str, Judgement]:
    """The judgements with the team's votes applied (new copies; the others as they were).

    `names` maps a feed id to its source name (how /why names it).
    """
    out = dict(judgements)
    counted = (*tallies.feeds.values(), *tallies.categories.values())
    if not any(t.total >= MIN_VOTES for t in counted):  # no votes say anything yet
        return out
    # A big day has tens of thousands of stories but a few dozen feeds and categories.
    known: dict[tuple[str, str], list[Approval]] = {}
    for cand in candidates:
        judgement = judgements.get(cand.id)
        if judgement is None:
            continue
        side = (cand.lead.feed, judgement.category)
        found = known.get(side)
        if found is None:
            found = known[side] = approvals(*side, tallies, names)
        if found:
            out[cand.id] = _apply(judgement, list(found))
    return out


def _apply(judgement: Judgement, found: list[Approval]) -> Judgement:
    score = judgement.score
    total = round(min(1.0, max(0.0, score.total + nudge_of(found))), 3)
    parts = {**score.parts, PART: round(total - score.total, 3)}
    return judgement.model_copy(
        update={
            "score": score.model_copy(update={"total": total, "parts": parts}),
            "feedback": found,
        }
    )
