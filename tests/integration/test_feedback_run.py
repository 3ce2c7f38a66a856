"""A run reads the team's votes of the 30 days before it: bounded, visible, and off when asked.

The demo day through `run` twice: with no votes, then after the team disliked
one source and liked another on the days before. Every score moves by at most
0.05, the disliked source's stories carry a `feedback` part of -0.05 and say why
in /why; with `digest.feedback: false` the same votes change nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from pipeline.config import Settings, load_settings
from pipeline.feedback import MAX_NUDGE, MIN_VOTES
from pipeline.models import Digest
from pipeline.render import render_text_why
from pipeline.run import run
from pipeline.store import Ballot, Store
from tests.conftest import EXAMPLES
from tests.fakes.news_day import DAY

pytestmark = pytest.mark.integration


@pytest.fixture
def settings() -> Settings:
    return load_settings(str(EXAMPLES / "demo.yaml"), {})


async def vote_on(store: Store, feed: str, vote: str, voters: int) -> None:
    day = (DAY - timedelta(days=3)).isoformat()
    for i in range(voters):
        await store.cast_vote(
            Ballot(day=day, user=f"telegram:{i}", item=f"old-{feed}-{i}", feed=feed,
                   category=f"未用分类-{feed}", vote=vote)  # type: ignore[arg-type]
        )  # fmt: skip


def scores(digest: Digest) -> dict[str, float]:
    return {it.id: it.score.total for it in digest.items}


async def test_votes_nudge_the_next_run_within_the_bound(settings: Settings, store: Store) -> None:
    before = (await run(settings, DAY, store)).digest
    feeds = list(dict.fromkeys(it.feed for it in before.items))
    disliked, liked = feeds[0], feeds[1]
    await vote_on(store, disliked, "down", MIN_VOTES * 4)
    await vote_on(store, liked, "up", MIN_VOTES * 4)

    after = (await run(settings, DAY, store)).digest

    old = scores(before)
    for it in after.items:
        if it.id in old:
            assert abs(it.score.total - old[it.id]) <= MAX_NUDGE + 1e-9
        if it.feed == disliked:
            assert it.score.parts["feedback"] == pytest.approx(-MAX_NUDGE, abs=1e-3) or (
                it.score.total == 0.0
            )
            name = it.feedback[0].name
            assert f"团队近30天对 {name} 的好评率 0%" in render_text_why(after, it)
        elif it.feed == liked:
            assert it.score.parts["feedback"] > 0
        else:
            assert "feedback" not in it.score.parts and it.feedback == []
    assert any(it.feed == disliked for it in after.items)


async def test_feedback_off_ignores_the_votes(settings: Settings, store: Store) -> None:
    off = settings.model_copy(deep=True)
    off.digest.feedback = False
    before = (await run(off, DAY, store)).digest
    await vote_on(store, before.items[0].feed, "down", MIN_VOTES * 4)
    after = (await run(off, DAY, store)).digest
    assert scores(after) == scores(before)
    assert all("feedback" not in it.score.parts for it in after.items)
