"""The team's votes nudge a source's or category's scores: at most ±0.05, visibly, only with enough votes."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from pipeline import feedback
from pipeline.config import DigestSettings
from pipeline.models import Tally
from pipeline.render import render_text_why
from pipeline.render.view import SCORE_PARTS, score_parts_line
from pipeline.select import select
from pipeline.store import Tallies
from tests.factories import make_digest
from tests.unit.test_select import NAMES, cand, judged


def tallies(feeds: dict[str, tuple[int, int]], categories: dict[str, tuple[int, int]]) -> Tallies:
    return Tallies(
        feeds={k: Tally(up=u, down=d) for k, (u, d) in feeds.items()},
        categories={k: Tally(up=u, down=d) for k, (u, d) in categories.items()},
    )


def test_the_window_is_the_30_days_before_the_run() -> None:
    days = feedback.window(date(2026, 3, 1))
    assert len(days) == 30
    assert days[0] == "2026-02-28" and days[-1] == "2026-01-30"
    assert "2026-03-01" not in days  # a rebuilt day does not read its own votes


def test_a_disliked_source_drops_and_a_liked_one_rises_by_at_most_005() -> None:
    liked, disliked, quiet = cand("kr36", "a"), cand("qbitai", "b"), cand("jiqizhixin", "c")
    before = {c.id: judged(c, 0.6) for c in (liked, disliked, quiet)}
    votes = tallies({"kr36": (40, 0), "qbitai": (0, 300)}, {})

    after = feedback.nudged([liked, disliked, quiet], before, votes, NAMES)

    assert after[liked.id].score.total == 0.65
    assert after[disliked.id].score.total == 0.55
    assert after[quiet.id] is before[quiet.id]  # no votes: untouched, no part
    assert after[liked.id].score.parts["feedback"] == 0.05
    assert after[disliked.id].score.parts["feedback"] == -0.05
    assert "feedback" not in after[quiet.id].score.parts
    assert before[liked.id].score.total == 0.6  # the curator's judgement is not changed
    [approval] = after[liked.id].feedback
    assert (approval.of, approval.name, approval.up, approval.down) == ("source", "36氪", 40, 0)


def test_every_story_of_a_voted_source_is_nudged_and_carries_its_own_approvals() -> None:
    stories = [cand("kr36", t) for t in ("a", "b", "c")]
    before = {c.id: judged(c, 0.6) for c in stories}
    after = feedback.nudged(stories, before, tallies({"kr36": (40, 0)}, {}), NAMES)
    assert [after[c.id].score.total for c in stories] == [0.65, 0.65, 0.65]
    first, second = (after[c.id].feedback for c in stories[:2])
    assert first == second and first is not second  # one story's list is not another's


def test_too_few_votes_anywhere_leave_every_judgement_as_it_was() -> None:
    stories = [cand("kr36", "a"), cand("qbitai", "b")]
    before = {c.id: judged(c, 0.6) for c in stories}
    votes = tallies({"kr36": (feedback.MIN_VOTES - 1, 0)}, {"重大产品发布": (0, 1)})
    after = feedback.nudged(stories, before, votes, NAMES)
    assert after == before and all(after[k] is before[k] for k in before)


def test_source_and_category_are_averaged_so_one_item_never_moves_more_than_005() -> None:
    c = cand("kr36", "a")
    votes = tallies({"kr36": (10, 0)}, {"重大产品发布": (0, 10)})
    after = feedback.nudged([c], {c.id: judged(c, 0.6)}, votes, NAMES)
    assert after[c.id].score.total == 0.6  # loved source, hated category: they cancel
    assert [a.of for a in after[c.id].feedback] == ["source", "category"]


def test_too_few_votes_say_nothing() -> None:
    c = cand("kr36", "a")
    few = feedback.MIN_VOTES - 1
    votes = tallies({"kr36": (few, 0)}, {"重大产品发布": (0, few)})
    after = feedback.nudged([c], {c.id: judged(c, 0.6)}, votes, NAMES)
    assert after[c.id].score.total == 0.6 and after[c.id].feedback == []


@given(
    st.floats(0, 1),
    st.integers(0, 10_000),
    st.integers(0, 10_000),
    st.integers(0, 10_000),
    st.integers(0, 10_000),
)
def test_the_nudge_is_bounded_whatever_the_votes(
    total: float, su: int, sd: int, cu: int, cd: int
) -> None:
    c = cand("kr36", "a")
    before = judged(c, round(total, 3))
    votes = tallies({"kr36": (su, sd)}, {"重大产品发布": (cu, cd)})
    after = feedback.nudged([c], {c.id: before}, votes, NAMES)[c.id]
    assert abs(after.score.total - before.score.total) <= feedback.MAX_NUDGE + 1e-9
    assert 0.0 <= after.score.total <= 1.0


def test_ranking_changes_only_within_the_bound() -> None:
    # Two stories 0.04 apart: the team's taste can swap them; 0.2 apart it cannot.
    close_hi, close_lo = cand("qbitai", "hi"), cand("kr36", "lo")
    far_hi, far_lo = cand("qbitai", "far-hi"), cand("kr36", "far-lo")
    judgements = {
        close_hi.id: judged(close_hi, 0.70),
        close_lo.id: judged(close_lo, 0.66),
        far_hi.id: judged(far_hi, 0.50),
        far_lo.id: judged(far_lo, 0.30),
    }
    cands = [close_hi, close_lo, far_hi, far_lo]
    votes = tallies({"kr36": (50, 0), "qbitai": (0, 50)}, {})

    plain = select(cands, judgements, DigestSettings(domestic=4))
    nudged = select(
        cands, feedback.nudged(cands, judgements, votes, NAMES), DigestSettings(domestic=4)
    )

    assert [it.id for it in plain.domestic] == [close_hi.id, close_lo.id, far_hi.id, far_lo.id]
    assert [it.id for it in nudged.domestic] == [close_lo.id, close_hi.id, far_hi.id, far_lo.id]


def test_why_shows_the_nudge_as_its_own_part_and_the_approval_behind_it() -> None:
    c = cand("kr36", "a")
    votes = tallies({"kr36": (9, 2)}, {})
    j = feedback.nudged([c], {c.id: judged(c, 0.6)}, votes, NAMES)[c.id]
    digest = make_digest()
    item = digest.items[0].model_copy(update={"score": j.score, "feedback": j.feedback})

    why = render_text_why(digest, item)

    assert "团队近30天对 36氪 的好评率 82%（👍9 👎2）" in why
    assert "评分 +0.03" in why
    assert SCORE_PARTS["feedback"] == "团队反馈"
    assert "团队反馈 0.03" in score_parts_line(item)
