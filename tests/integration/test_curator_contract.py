"""One contract, two curators: the same assertions over HeuristicCurator and LLMCurator.

The LLM curator talks to the fake OpenAI server through the real client; the
day has Chinese and English news, a story reported twice, an entry with no
excerpt, and an injection attempt.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from pipeline.config import Settings
from pipeline.curate.base import Curator
from pipeline.curate.heuristic import HeuristicCurator
from pipeline.curate.llm import LLMCurator
from pipeline.models import CATEGORIES, Candidate
from pipeline.store import Store
from tests.fakes.news_day import DAY, candidate, cross_language_pair, entry, shortlist, small_day
from tests.fakes.openai_server import FakeOpenAI

PREFIX = "2月3日消息，"
URLISH = re.compile(r"https?://|www\.|\.example\.com|\.com\b", re.I)
CJK = re.compile(r"[\u4e00-\u9fff]")


def day() -> list[Candidate]:
    bare = entry("mit", "international", "Anthropic ships Claude update", "", 700)
    return [*small_day(), *cross_language_pair(), candidate(bare)]


@pytest.fixture(params=["heuristic", "llm"])
async def make_curator(
    request: pytest.FixtureRequest, make_settings: Callable[..., Settings], store: Store
) -> AsyncIterator[Callable[[], Curator]]:
    if request.param == "heuristic":
        settings = make_settings({})
        yield lambda: HeuristicCurator(settings)
        return
    with FakeOpenAI() as fake:
        llm: dict[str, Any] = {
            "base_url": fake.base_url,
            "model": "gpt-fake",
            "batch_size": 5,
            "max_retries": 0,
        }
        settings = make_settings({"llm": llm}, {"OPENAI_API_KEY": "sk-test"})
        yield lambda: LLMCurator(settings, store)


async def test_every_candidate_gets_a_valid_judgement(make_curator: Callable[[], Curator]) -> None:
    cands = day()
    verdicts = await make_curator().judge(cands, DAY)

    assert set(verdicts.judgements) == {c.id for c in cands}
    for c in cands:
        j = verdicts.judgements[c.id]
        assert j.importance in ("high", "medium", "low") and j.region in (
            "domestic",
            "international",
        )
        assert j.category in CATEGORIES and j.reason.strip()
        assert len(j.tags) <= 4 and all(t.strip() for t in j.tags)
        assert j.summary.strip()
        # a Chinese entry: "M月D日消息，" and a Chinese sentence, from both curators
        if c.lead.lang == "zh":
            assert j.summary.startswith(PREFIX) and CJK.search(j.summary[len(PREFIX) :]), j.summary
        for text in (j.reason, j.summary, *j.tags):
            assert not URLISH.search(text), text
        assert 0 <= j.score.total < 10


async def test_same_story_groups_only_name_candidates_of_the_day(
    make_curator: Callable[[], Curator],
) -> None:
    cands = day()
    verdicts = await make_curator().judge(cands, DAY)
    ids = {c.id for c in cands}
    for group in verdicts.same_story:
        assert len(group) >= 2 and set(group) <= ids


async def test_judging_twice_gives_the_same_verdicts(make_curator: Callable[[], Curator]) -> None:
    cands = day()
    first = await make_curator().judge(cands, DAY)
    second = await make_curator().judge(cands, DAY)
    assert first.judgements == second.judgements and first.same_story == second.same_story


async def test_conclude_orders_only_the_shortlisted_items(
    make_curator: Callable[[], Curator],
) -> None:
    cands = day()
    curator = make_curator()
    verdicts = await curator.judge(cands, DAY)
    sections = shortlist(cands, verdicts.judgements)

    conclusion = await curator.conclude(sections, DAY)

    ids = sorted(it.id for it in [*sections.domestic, *sections.international])
    assert conclusion.order is None or sorted(conclusion.order) == ids
    assert all(
        isinstance(h, str) and h.strip() and not URLISH.search(h) for h in conclusion.highlights
    )
    stats = curator.stats()
    assert stats.kind == curator.kind and stats.fallbacks <= len(cands)
