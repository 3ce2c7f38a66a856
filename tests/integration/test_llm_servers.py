"""What real OpenAI-compatible servers do, replayed by the fake through the real `openai` client.

Each test replays one thing seen against llama.cpp's `llama-server` and
llama-cpp-python's server (issue 9, "Real servers"): unbounded answers, a 500
for json_schema, a context overflow, a check that did not check, requests and
retries that were not counted. Plus the three editorial promises of the LLM
path: facts are checked, one story is one item across batches, and the model
reads the article, not only the feed's teaser.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pipeline import dedupe
from pipeline.config import Settings
from pipeline.curate.base import Verdicts
from pipeline.curate.llm import LLMCurator, check, cost_line
from pipeline.models import Candidate
from pipeline.store import Store
from tests.fakes.feed_server import FeedServer
from tests.fakes.news_day import DAY, candidate, cross_language_pair, entry, small_day
from tests.fakes.openai_server import FakeOpenAI

PREFIX = "2月3日消息，"


@pytest.fixture
def llm() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def settings_for(
    llm: FakeOpenAI, make_settings: Callable[..., Settings]
) -> Callable[..., Settings]:
    def make(feeds: list[dict[str, Any]] | None = None, **cfg: Any) -> Settings:
        base = {
            "base_url": llm.base_url,
            "model": "gpt-fake",
            "batch_size": 4,
            "concurrency": 2,
            "timeout_s": 2,
            "max_retries": 1,
            "deadline_s": 20,
        }
        data: dict[str, Any] = {"llm": {**base, **cfg}}
        if feeds:
            data["feeds"] = feeds
        return make_settings(data, {"OPENAI_API_KEY": "sk-test"})

    return make


async def judge(
    settings: Settings, store: Store, cands: list[Candidate] | None = None
) -> tuple[Verdicts, LLMCurator]:
    curator = LLMCurator(settings, store)
    return await curator.judge(cands if cands is not None else small_day(), DAY), curator


def _unbounded(node: Any, path: str = "$") -> list[str]:
    """Every array without maxItems and every string without maxLength (or an enum)."""
    if not isinstance(node, dict):
        return []
    found: list[str] = []
    if node.get("type") == "array" and "maxItems" not in node:
        found.append(path)
    if node.get("type") == "string" and "maxLength" not in node and "enum" not in node:
        found.append(path)
    for key, child in node.items():
        if isinstance(child, dict):
            found += _unbounded(child, f"{path}.{key}")
    return found


# -- 1. bounded answers, a low temperature ---------------------------------------------------


async def test_every_schema_bounds_every_array_and_string_and_a_low_temperature_is_sent(
    llm: FakeOpenAI, settings_for, store: Store
) -> None:
    cands = small_day()
    verdicts, curator = await judge(settings_for(), store, cands)
    from tests.fakes.news_day import shortlist

    await curator.conclude(shortlist(cands, verdicts.judgements), DAY)

    names = {r["response_format"]["json_schema"]["name"] for r in llm.requests}
    assert names == {"groups", "judgements", "conclusion"}
    for r in llm.requests:
        schema = r["response_format"]["json_schema"]["schema"]
        assert _unbounded(schema) == [], r["response_format"]["json_schema"]["name"]
        assert r["temperature"] == 0.2
    item = llm.requests[1]["response_format"]["json_schema"]["schema"]["properties"]["items"]
    tags, peers = item["items"]["properties"]["tags"], item["items"]["properties"]["same_story"]
    assert (tags["minItems"], tags["maxItems"], peers["maxItems"]) == (2, 4, 4)

    await judge(settings_for(temperature=0.7), store, [cands[0], cands[3]])
    assert llm.requests[-1]["temperature"] == 0.7


# -- 2. json_schema refused, whatever the status ----------------------------------------------


@pytest.mark.parametrize(("mode", "status"), [("no_schema", 400), ("no_schema_500", 500)])
async def test_a_refused_json_schema_is_said_once_and_the_run_asks_in_object_mode(
    mode: str, status: int, llm: FakeOpenAI, settings_for, store: Store
) -> None:
    llm.mode = mode
    cands = small_day()
    verdicts, curator = await judge(settings_for(concurrency=1), store, cands)

    assert all(j.by == "llm" for j in verdicts.judgements.values())
    (line,) = curator.stats().errors
    assert f"HTTP {status}" in line and "json_schema is not supported" in line  # the server's words
    assert "set llm.json_mode: object" in line and "this run asked in object mode" in line
    formats = [r["response_format"]["type"] for r in llm.requests]
    assert formats[0] == "json_schema" and set(formats[1:]) == {"json_object"}
    assert curator.stats().http_requests == len(llm.requests)  # a 500 here is not retried 3×


# -- 3. context overflow: split and ask again; batches sized to llm.context_tokens ---------------


async def test_a_context_overflow_splits_the_batch_instead_of_failing_the_run(
    llm: FakeOpenAI, settings_for, store: Store
) -> None:
    cands = small_day(injection=False)
    await judge(settings_for(batch_size=2), store, cands)
    pairs = [r for r in llm.requests if r["response_format"]["json_schema"]["name"] == "judgements"]
    fits_two = max(sum(len(m["content"]) // 3 for m in r["messages"]) for r in pairs)
    await store.r.flushdb()
    llm.reset()
    llm.context_tokens = fits_two  # two entries fit the server's context, four do not

    verdicts, curator = await judge(settings_for(batch_size=4, concurrency=1), store, cands)

    assert all(j.by == "llm" for j in verdicts.judgements.values())
    (line,) = curator.stats().errors
    assert "did not fit the server's context" in line and "exceeds the available context" in line
    assert "llm.context_tokens" in line


async def test_batches_and_max_tokens_are_sized_to_the_context(
    llm: FakeOpenAI, settings_for, store: Store
) -> None:
    llm.context_tokens = 2048
    verdicts, curator = await judge(settings_for(context_tokens=2048, batch_size=20), store)

    assert all(j.by == "llm" for j in verdicts.judgements.values())
    assert curator.stats().errors == []  # no request overflowed: the batches were made to fit
    judged = [
        r for r in llm.requests if r["response_format"]["json_schema"]["name"] == "judgements"
    ]
    assert len(judged) > 2 and all(r["max_tokens"] <= 2048 for r in llm.requests)


# -- 4. `aidaily check` checks with the configured mode ----------------------------------------


async def test_check_asks_in_the_configured_json_mode(llm: FakeOpenAI, settings_for) -> None:
    llm.mode = "no_schema_500"
    _, ok, line = await check(settings_for())
    assert not ok and "json_schema" in line and "set llm.json_mode: object" in line
    assert llm.requests[-1]["response_format"]["type"] == "json_schema"

    _, ok, line = await check(settings_for(json_mode="object"))
    assert ok and line.startswith("ok — gpt-fake") and "json_mode object" in line
    assert llm.requests[-1]["response_format"]["type"] == "json_object"


# -- 5. requests, retries and cancelled calls are counted and said ------------------------------


async def test_a_timeout_says_how_many_times_it_was_tried(
    llm: FakeOpenAI, settings_for, store: Store
) -> None:
    llm.mode, llm.hang_s = "hang", 3
    _, curator = await judge(
        settings_for(timeout_s=0.2, max_retries=2, concurrency=4), store, small_day()[:2]
    )
    stats = curator.stats()
    assert any("within 0.2 s (llm.timeout_s), tried 3 times" in e for e in stats.errors)
    assert stats.http_requests == llm.calls == 3 * stats.llm_calls


async def test_calls_cut_at_the_deadline_are_counted_toward_the_budget(
    llm: FakeOpenAI, settings_for, store: Store
) -> None:
    llm.mode, llm.hang_s = "hang", 3
    _, curator = await judge(settings_for(timeout_s=30, deadline_s=0.6), store)
    stats = curator.stats()
    assert any("llm.deadline_s" in e for e in stats.errors)
    line = next(e for e in stats.errors if "cancelled in flight" in e)
    assert "estimated" in line and "llm.max_tokens_per_day" in line
    assert await store.llm_tokens_used(DAY.isoformat()) > 0  # nobody reported them; we estimated


# -- the fact check ------------------------------------------------------------------------------


async def test_a_summary_with_a_wrong_amount_and_company_is_replaced_and_counted(
    llm: FakeOpenAI, settings_for, store: Store
) -> None:
    llm.mode = "wrong_facts"  # every summary adds "谷歌为其投资999亿美元"
    cands = small_day(injection=False)
    verdicts, curator = await judge(settings_for(), store, cands)

    heuristic = await curator.heuristic.judge(cands, DAY)
    for c in cands:
        j = verdicts.judgements[c.id]
        assert "999" not in j.summary and "谷歌" not in j.summary
        assert j.summary == heuristic.judgements[c.id].summary
        assert j.by == "llm"  # its labels stay the model's; only the text is the heuristic's
    stats = curator.stats()
    assert stats.fact_check_failures == len(cands)
    assert any(f"{len(cands)} summaries failed the fact check" in e for e in stats.errors)
    assert f"{len(cands)} summaries failed the fact check" in cost_line(stats)


async def test_a_translated_amount_passes_the_fact_check(
    llm: FakeOpenAI, settings_for, store: Store
) -> None:
    verdicts, curator = await judge(settings_for(), store)
    assert curator.stats().fact_check_failures == 0
    assert all(j.summary.startswith(PREFIX) for j in verdicts.judgements.values())


# -- one story, one item, across batches ----------------------------------------------------------


async def test_reports_of_one_story_in_different_batches_end_as_one_item(
    llm: FakeOpenAI, settings_for, store: Store
) -> None:
    zh, en = cross_language_pair()
    fillers = small_day(injection=False)[:6]
    cands = [zh, *fillers, en]  # batches of 2 in this order would never hold both

    verdicts, _ = await judge(settings_for(batch_size=2), store, cands)

    assert sorted([zh.id, en.id]) in verdicts.same_story
    merged = dedupe.merge(cands, verdicts.same_story)
    assert len(merged) == len(cands) - 1
    story = next(c for c in merged if zh.id in {e.id for e in c.entries})
    assert {e.id for e in story.entries} == {zh.id, en.id}
    judged = [
        r["messages"][1]["content"]
        for r in llm.requests
        if r["response_format"]["json_schema"]["name"] == "judgements"
    ]
    # batches keep a same-story group together, so the model sees both reports side by side
    assert any("GPT-6 Turbo模型" in b and "GPT-6 Turbo for developers" in b for b in judged)


# -- the article, not the teaser ------------------------------------------------------------------

ARTICLE = """<html><head><title>{title}</title></head><body>
<nav>Home | News | Login</nav>
<article><h1>{title}</h1>
<p>{body}</p>
<p>合并后实体估值高达1.25万亿美元，新公司将在轨道上建设数据中心，为Grok模型提供算力。</p>
<p>马斯克表示，太空数据中心将在五年内投入使用，首批卫星计划于明年发射。</p>
</article><footer>Copyright 2026 · Privacy · Cookies</footer></body></html>"""


def _article_day(server: FeedServer) -> tuple[list[Candidate], list[dict[str, Any]]]:
    lead = entry("kr36", "domestic", "xAI并入SpaceX：马斯克打造太空AI巨头", "xAI与SpaceX合并。", 1)
    body = "据报道，xAI正式并入SpaceX，双方于本周完成合并手续。" * 3
    html = ARTICLE.format(title=lead.title, body=body).encode()
    lead = lead.model_copy(update={"link": server.add("/p/1", html)})
    other = entry("tc", "international", "Waymo raises $16 billion", "Waymo raised money.", 2)
    other = other.model_copy(update={"link": server.add("/p/2", b"<html></html>", status=404)})
    feeds = [
        {"id": "kr36", "name": "36氪", "url": server.url + "/feed.xml", "region": "domestic"},
        {
            "id": "tc",
            "name": "TechCrunch",
            "url": server.url + "/tc.xml",
            "region": "international",
        },
    ]
    return [candidate(lead), candidate(other)], feeds


async def test_the_model_reads_the_article_and_its_facts_pass_the_check(
    llm: FakeOpenAI, settings_for, store: Store
) -> None:
    with FeedServer() as server:
        cands, feeds = _article_day(server)
        verdicts, curator = await judge(settings_for(feeds), store, cands)

        sent = next(
            json.loads(r["messages"][1]["content"].split("<data>")[1].split("</data>")[0])
            for r in llm.requests
            if r["response_format"]["json_schema"]["name"] == "judgements"
        )
        by_title = {e["title"]: e for e in sent["entries"]}
        article = by_title[cands[0].lead.title]["article"]
        assert "1.25万亿美元" in article and len(article) <= 1500
        assert "Copyright" not in article and "Login" not in article  # the main text only
        assert "article" not in by_title[cands[1].lead.title]  # a 404 page: the excerpt only
        assert curator.stats().articles == 1
        assert server.requests["/p/1"] == 1

        # a second run over the same day reads the article from the cache, not the site
        await store.r.delete(*[k async for k in store.r.scan_iter("aidaily-test:llm:*")])
        await judge(settings_for(feeds), store, cands)
        assert server.requests["/p/1"] == 1
    assert all(j.by == "llm" for j in verdicts.judgements.values())


async def test_fetch_articles_false_fetches_nothing(
    llm: FakeOpenAI, settings_for, store: Store
) -> None:
    with FeedServer() as server:
        cands, feeds = _article_day(server)
        _, curator = await judge(settings_for(feeds, fetch_articles=False), store, cands)
        assert server.requests == {} and curator.stats().articles == 0


async def test_an_article_number_in_a_summary_passes_the_fact_check(
    llm: FakeOpenAI, settings_for, store: Store
) -> None:
    """The fake copies the article's first amount into its summary when it got the article."""
    with FeedServer() as server:
        cands, feeds = _article_day(server)
        verdicts, curator = await judge(settings_for(feeds), store, cands)
        assert "1.25万亿美元" in verdicts.judgements[cands[0].id].summary
        assert curator.stats().fact_check_failures == 0
