"""A run stores the day's judged pool: every news story it left out, with both curators.

The demo day through `run`, once with the heuristic curator and once with the LLM
curator talking to the fake OpenAI server: what the run returns is what the store
gives back, numbered after the digest, below its section's line unless the per-feed
cap kept it out, and never a story of the digest.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pipeline.config import Settings, load_settings
from pipeline.run import run
from pipeline.store import Store
from tests.conftest import EXAMPLES
from tests.fakes.news_day import DAY
from tests.fakes.openai_server import FakeOpenAI


@pytest.fixture(params=["heuristic", "llm"])
def settings(request: pytest.FixtureRequest) -> Iterator[Settings]:
    if request.param == "heuristic":
        yield load_settings(str(EXAMPLES / "demo.yaml"), {})
        return
    with FakeOpenAI() as fake:
        env = {
            "OPENAI_API_KEY": "sk-test",
            "OPENAI_BASE_URL": fake.base_url,
            "OPENAI_MODEL": "gpt-fake",
        }
        yield load_settings(str(EXAMPLES / "demo.yaml"), env)


async def test_the_run_stores_every_news_story_it_left_out(
    settings: Settings, store: Store
) -> None:
    result = await run(settings, DAY, store)
    digest, pool = result.digest, result.pool

    assert pool and await store.get_pool(digest.date) == pool
    last = len(digest.items)
    assert [it.n for it in pool] == list(range(last + 1, last + len(pool) + 1))
    sections = [it.section for it in pool]
    assert sections == sorted(sections, key=("domestic", "international").index)
    assert not {it.id for it in pool} & {it.id for it in digest.items}
    raw: dict[str, set[str]] = {}  # an original and its repost elsewhere share a link
    for e in result.raw:
        raw.setdefault(e.link, set()).add(e.source)
    for it in pool:
        picks = digest.sections.of(it.section)
        assert it.cutoff == min(p.score.total for p in picks)
        assert it.capped or it.score.total <= it.cutoff
        assert it.source in raw[it.link]  # the entry's own link and source
    for section in ("domestic", "international"):
        scores = [it.score.total for it in pool if it.section == section and not it.capped]
        assert scores == sorted(scores, reverse=True)
    assert len(digest.items) + len(pool) <= digest.candidate_count
    if digest.curator.kind == "heuristic":  # the demo's essays and reviews are not news
        assert len(digest.items) + len(pool) < digest.candidate_count


def test_show_why_answers_for_a_left_out_number_too() -> None:
    import argparse

    from bot.cli import UsageError, _render_show
    from pipeline.config import parse_settings
    from tests.factories import make_digest, make_pool

    digest = make_digest()
    pool = make_pool(digest, per_section=2)
    args = argparse.Namespace(why=pool[0].n, format="text", section="all", brief=False)

    out = _render_show(parse_settings({}, {}), digest, args, pool)

    assert "未入选：得分" in out and pool[0].link in out
    args.why = 99
    with pytest.raises(UsageError, match=r"it has items 1–27 \(left out: 28–31\)"):
        _render_show(parse_settings({}, {}), digest, args, pool)
