"""Issue 9's editorial targets for the heuristic curator, one test per target and labelled
day: the real pipeline (`pipeline.run.run`, as `aidaily run`) over each day's feeds on the
test redis-server, scored by bench/editorial.py against the day's labels.

    .venv/bin/python -m bench.editorial --show      # the same figures, with every item
"""

from __future__ import annotations

import asyncio
import shutil
from typing import Any

import pytest

from bench.editorial import Day, Score, all_days, run_day, score

pytestmark = pytest.mark.integration

DAYS = {d.date.isoformat(): d for d in all_days()}


@pytest.fixture(scope="module")
def scores(redis_server: Any) -> dict[str, Score]:
    """Every day run once (about 2 s each), scored for every test below."""
    url = f"redis://{redis_server.host}:{redis_server.port}/0"

    def one(day: Day) -> Score:
        digest, raw = asyncio.run(run_day(day, url))
        return score(digest, raw, day, "heuristic")

    return {name: one(day) for name, day in DAYS.items()}


@pytest.fixture(params=sorted(DAYS))
def day(request: pytest.FixtureRequest, scores: dict[str, Score]) -> Score:
    return scores[request.param]


def test_every_entry_of_the_day_is_labelled(day: Score) -> None:
    assert day.unlabelled == [], "labels are stale: label these entries in the day's file"


def test_must_recall_is_at_least_0_9(day: Score) -> None:
    assert day.must_recall >= 0.9, f"must stories left out: {day.must_missed}"


def test_no_non_news_leads_an_item(day: Score) -> None:
    assert day.nonnews == [], "items led by opinion, reviews, promotions, lists, roundups …"


def test_no_story_is_shown_twice(day: Score) -> None:
    assert day.twice == [], "the same story appears as more than one item"


def test_no_reason_speaks_the_scorers_words(day: Score) -> None:
    assert day.scorer_terms == [], "reasons with 权重 / 命中关键词 / AI 相关 / 截止前 / score names"


def test_filler_tags_are_at_most_5_percent(day: Score) -> None:
    assert day.filler_share <= 0.05, f"filler tags: {sorted(set(day.filler))}"


def test_zhongdian_guanzhu_names_two_of_the_three_major_stories(day: Score) -> None:
    assert len(day.major_named) >= 2, f"重点关注 was: {day.highlights}"


async def test_the_bench_scores_the_llm_curator_when_given_a_server(redis_url: str) -> None:
    """`--llm-base-url` runs the same day through the LLM curator (here the fake server):
    the digest is the LLM's, and it is scored against the same labels."""
    from bench.editorial import LLMOptions
    from tests.fakes.openai_server import FakeOpenAI

    day = DAYS["2026-03-12"]
    with FakeOpenAI() as fake:
        opts = LLMOptions(fake.base_url, "gpt-fake", "sk-test")
        digest, raw = await run_day(day, redis_url, opts)
    assert digest.curator.kind == "llm" and digest.curator.llm_calls > 0
    s = score(digest, raw, day, "llm")
    assert s.curator == "llm" and s.items > 0 and s.unlabelled == []
    assert s.llm_calls == digest.curator.llm_calls


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to export the baseline tree")
def test_the_baseline_runs_another_revisions_curator_over_the_same_day() -> None:
    """`--baseline REF` is how BENCHMARKS.md gets its 'before' figures."""
    from bench.editorial import baseline_scores

    [s] = baseline_scores("HEAD", [DAYS["2026-03-17"]])
    assert s.curator == "heuristic@HEAD" and s.day == "2026-03-17"
    assert s.items > 0 and s.unlabelled == []
