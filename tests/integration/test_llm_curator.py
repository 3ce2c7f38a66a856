"""The LLM curator against a real local OpenAI-compatible server, through the real `openai` client.

Every fault ends the same way for the run: a judgement for every candidate,
links untouched (a Judgement has none), and a `curator` block that says what
happened in one line per problem.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pipeline.config import Settings, load_settings
from pipeline.curate.base import Verdicts
from pipeline.curate.llm import LLMCurator, check, cost_line
from pipeline.models import CATEGORIES, Candidate, Judgement
from pipeline.run import run
from pipeline.store import Store
from tests.conftest import EXAMPLES
from tests.fakes.news_day import DAY, INJECTION_TITLE, cross_language_pair, shortlist, small_day
from tests.fakes.openai_server import FakeOpenAI

PREFIX = "2月3日消息，"
URLISH = re.compile(r"https?://|www\.|\.example\.com", re.I)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def llm_settings(
    fake: FakeOpenAI, make_settings: Callable[..., Settings]
) -> Callable[..., Settings]:
    def make(**llm: Any) -> Settings:
        key = llm.pop("key", "sk-test")
        cfg = {
            "base_url": fake.base_url,
            "model": "gpt-fake",
            "batch_size": 4,
            "concurrency": 2,
            "timeout_s": 2,
            "max_retries": 1,
            "deadline_s": 20,
            **llm,
        }
        return make_settings({"llm": cfg}, {"OPENAI_API_KEY": key})

    return make


async def judge(
    settings: Settings, store: Store, cands: list[Candidate] | None = None
) -> tuple[Verdicts, LLMCurator]:
    curator = LLMCurator(settings, store)
    verdicts = await curator.judge(cands if cands is not None else small_day(), DAY)
    return verdicts, curator


def by_title(cands: list[Candidate], verdicts: Verdicts) -> dict[str, Judgement]:
    return {c.lead.title: verdicts.judgements[c.id] for c in cands}


# -- the happy path ---------------------------------------------------------------------


async def test_every_candidate_is_judged_by_the_model_in_batches(
    fake: FakeOpenAI, llm_settings, store: Store
) -> None:
    cands = small_day()
    verdicts, curator = await judge(llm_settings(), store, cands)

    assert set(verdicts.judgements) == {c.id for c in cands}
    assert all(j.by == "llm" for j in verdicts.judgements.values())
    assert all(
        j.summary.startswith(PREFIX) and j.category in CATEGORIES
        for j in verdicts.judgements.values()
    )
    stats = curator.stats()
    # one same-story call over the titles, 10 clean entries in batches of 4 (3 calls),
    # and the quarantined injection entry alone (1 call)
    assert (stats.llm_calls, fake.calls, stats.http_requests) == (5, 5, 5)
    assert (stats.prompt_tokens, stats.completion_tokens) == (
        fake.prompt_tokens,
        fake.completion_tokens,
    )
    assert (
        stats.fallbacks == 0
        and stats.errors == []
        and stats.kind == "llm"
        and stats.model == "gpt-fake"
    )
    assert (
        await store.llm_tokens_used(DAY.isoformat()) == fake.prompt_tokens + fake.completion_tokens
    )


async def test_calls_run_concurrently_but_never_beyond_the_limit(
    fake: FakeOpenAI, llm_settings, store: Store
) -> None:
    fake.latency_s = 0.2
    await judge(llm_settings(batch_size=1, concurrency=3), store)
    assert fake.calls == 1 + 11 and fake.max_inflight == 3  # the same-story call, then 11 batches


async def test_english_news_gets_a_chinese_summary_and_a_region_by_subject(
    llm_settings, store: Store
) -> None:
    cands = small_day()
    verdicts, _ = await judge(llm_settings(), store, cands)
    waymo = by_title(cands, verdicts)["Waymo raises $16 billion at a $126 billion valuation"]
    assert waymo.summary.startswith(PREFIX) and re.search(
        r"[\u4e00-\u9fff]", waymo.summary[len(PREFIX) :]
    )
    assert (
        waymo.importance == "high"
        and waymo.category == "重大商业动态"
        and waymo.region == "international"
    )
    assert 2 <= len(waymo.tags) <= 4


async def test_score_is_the_model_label_plus_objective_signals(llm_settings, store: Store) -> None:
    cands = small_day(injection=False)
    verdicts, _ = await judge(llm_settings(), store, cands)
    j = by_title(cands, verdicts)
    corroborated = j["中科曙光发布scaleX万卡超集群，进入国家级重大工程应用"]  # high, two sources
    single = j["逐际动力完成2亿美元B轮融资"]  # high, one source
    assert corroborated.score.parts["importance"] == single.score.parts["importance"]
    assert corroborated.score.total > single.score.total
    assert corroborated.score.total == pytest.approx(
        sum(corroborated.score.parts.values()), abs=1e-3
    )


async def test_chinese_and_english_reports_of_one_story_are_grouped(
    llm_settings, store: Store
) -> None:
    cands = cross_language_pair() + small_day(injection=False)[:2]
    verdicts, _ = await judge(llm_settings(), store, cands)
    assert verdicts.same_story == [sorted([cands[0].id, cands[1].id])]


async def test_object_json_mode_sends_json_object(
    fake: FakeOpenAI, llm_settings, store: Store
) -> None:
    verdicts, curator = await judge(llm_settings(json_mode="object"), store)
    assert {r["response_format"]["type"] for r in fake.requests} == {"json_object"}
    assert all(j.by == "llm" for j in verdicts.judgements.values()) and not curator.stats().errors


# -- cache and budget -------------------------------------------------------------------


async def test_rerun_of_the_same_day_makes_no_model_call(
    fake: FakeOpenAI, llm_settings, store: Store
) -> None:
    cands = small_day() + cross_language_pair()
    first, _ = await judge(llm_settings(), store, cands)
    calls = fake.calls

    second, curator = await judge(llm_settings(), store, cands)

    assert calls > 0 and fake.calls == calls
    stats = curator.stats()
    # every entry, and the same-story groups of the day's titles
    assert (stats.llm_calls, stats.cache_hits, stats.fallbacks) == (0, len(cands) + 1, 0)
    assert second.judgements == first.judgements
    assert second.same_story == first.same_story != []


async def test_a_changed_entry_is_the_only_one_asked_again(
    fake: FakeOpenAI, llm_settings, store: Store
) -> None:
    cands = small_day(injection=False)
    await judge(llm_settings(), store, cands)
    fake.reset()
    changed = cands[3].model_copy(deep=True)
    changed.lead.summary = "智谱更新了活动安排。"
    _, curator = await judge(llm_settings(), store, [*cands[:3], changed, *cands[4:]])
    # the titles changed, so the same-story call is made again; one entry is judged again
    judged = [r for r in fake.requests if "report_date" in r["messages"][1]["content"]]
    assert fake.calls == 2 and len(judged) == 1
    assert len(judged[0]["messages"][1]["content"].split('"id"')) == 2
    assert curator.stats().cache_hits == len(cands) - 1


async def test_another_model_or_prompt_version_does_not_reuse_the_cache(
    fake: FakeOpenAI, llm_settings, store: Store
) -> None:
    fake.models = ("gpt-fake", "gpt-other")
    await judge(llm_settings(), store)
    _, curator = await judge(llm_settings(model="gpt-other"), store)
    assert curator.stats().cache_hits == 0 and curator.stats().llm_calls > 0


async def test_past_the_daily_token_budget_the_heuristic_takes_over(
    fake: FakeOpenAI, llm_settings, store: Store
) -> None:
    await store.llm_tokens_add(DAY.isoformat(), 1_000)
    cands = small_day()
    verdicts, curator = await judge(llm_settings(max_tokens_per_day=1_500), store, cands)
    assert fake.calls == 0
    assert all(j.by == "heuristic" for j in verdicts.judgements.values())
    stats = curator.stats()
    assert stats.fallbacks == len(cands) and "llm.max_tokens_per_day" in stats.errors[0]


# -- faults -----------------------------------------------------------------------------


FAULTS = [
    ("401", "401 Unauthorized", "OPENAI_API_KEY"),
    ("429", "429 rate-limited", "llm.concurrency"),
    ("500", "HTTP 500", "after 1 retries"),
    ("empty", "answer was empty", "heuristic used"),
    ("truncated", "cut off at the token limit", "heuristic used"),
    ("invalid", "not a JSON object", "heuristic used"),
]


@pytest.mark.parametrize(("mode", "what", "hint"), FAULTS, ids=[f[0] for f in FAULTS])
async def test_a_fault_leaves_a_full_set_of_heuristic_judgements_and_one_line(
    mode: str, what: str, hint: str, fake: FakeOpenAI, llm_settings, store: Store
) -> None:
    fake.mode = mode
    cands = small_day()
    verdicts, curator = await judge(llm_settings(), store, cands)

    assert set(verdicts.judgements) == {c.id for c in cands}
    assert all(j.by == "heuristic" for j in verdicts.judgements.values())
    stats = curator.stats()
    assert stats.fallbacks == len(cands)
    assert len(stats.errors) == 1 and what in stats.errors[0] and hint in stats.errors[0]
    assert "Traceback" not in stats.errors[0] and "\n" not in stats.errors[0]


@pytest.mark.parametrize("mode", ["401"])
async def test_a_fatal_error_stops_further_calls(
    mode: str, fake: FakeOpenAI, llm_settings, store: Store
) -> None:
    fake.mode = mode
    _, curator = await judge(llm_settings(concurrency=1), store)
    assert fake.calls == 1 and curator.stats().llm_calls == 1


async def test_wrong_model_name_is_one_clear_line(
    fake: FakeOpenAI, llm_settings, store: Store
) -> None:
    verdicts, curator = await judge(llm_settings(model="gpt-nope", concurrency=1), store)
    assert all(j.by == "heuristic" for j in verdicts.judgements.values())
    (line,) = curator.stats().errors
    assert "model 'gpt-nope' not found" in line and "OPENAI_MODEL" in line and fake.calls == 1


async def test_unreachable_endpoint_is_one_clear_line(
    make_settings: Callable[..., Settings], store: Store
) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    settings = make_settings(
        {"llm": {"base_url": url, "model": "m", "max_retries": 0}}, {"OPENAI_API_KEY": "k"}
    )
    verdicts, curator = await judge(settings, store)
    assert all(j.by == "heuristic" for j in verdicts.judgements.values())
    (line,) = curator.stats().errors
    # said once, though all three batches (concurrency 4) hit it at the same time
    assert line.startswith(f"LLM: cannot reach {url}") and line.endswith("OPENAI_BASE_URL")


async def test_a_hanging_server_is_cut_by_the_call_timeout(
    fake: FakeOpenAI, llm_settings, store: Store
) -> None:
    fake.mode = "hang"
    started = time.monotonic()
    verdicts, curator = await judge(
        llm_settings(timeout_s=0.3, max_retries=0, concurrency=4), store
    )
    assert time.monotonic() - started < 3
    assert all(j.by == "heuristic" for j in verdicts.judgements.values())
    assert "within 0.3 s" in curator.stats().errors[0]


async def test_the_run_deadline_bounds_every_call(
    fake: FakeOpenAI, llm_settings, store: Store
) -> None:
    fake.mode = "hang"
    started = time.monotonic()
    verdicts, curator = await judge(llm_settings(timeout_s=30, deadline_s=0.5), store)
    assert time.monotonic() - started < 3
    assert all(j.by == "heuristic" for j in verdicts.judgements.values())
    assert any("llm.deadline_s" in e for e in curator.stats().errors)


async def test_sdk_retries_ride_out_a_few_500s(
    fake: FakeOpenAI, llm_settings, store: Store
) -> None:
    fake.mode, fake.fail_first = "flaky", 1
    verdicts, curator = await judge(llm_settings(concurrency=1, max_retries=2), store)
    assert all(j.by == "llm" for j in verdicts.judgements.values())
    stats = curator.stats()
    assert fake.calls == stats.http_requests == stats.llm_calls + 1 and not stats.errors
    assert f"{stats.llm_calls} calls ({fake.calls} requests, 1 retried)" in cost_line(stats)


async def test_prose_around_the_json_is_tolerated(
    fake: FakeOpenAI, llm_settings, store: Store
) -> None:
    fake.mode = "prose"
    verdicts, curator = await judge(llm_settings(), store)
    assert all(j.by == "llm" for j in verdicts.judgements.values()) and not curator.stats().errors


# -- trust rules ------------------------------------------------------------------------


async def test_hallucinated_ids_are_dropped_and_skipped_entries_fall_back(
    fake: FakeOpenAI, llm_settings, store: Store
) -> None:
    fake.mode = "hallucinate"  # every third id skipped; e999, a URL id and a duplicate of e1 added
    cands = small_day(injection=False)
    verdicts, curator = await judge(llm_settings(batch_size=3), store, cands)

    assert set(verdicts.judgements) == {c.id for c in cands}
    by = [verdicts.judgements[c.id].by for c in cands]
    assert by == ["llm", "llm", "heuristic"] * 3 + ["llm"]
    assert all(
        "重复的条目" not in j.summary for j in verdicts.judgements.values()
    )  # the first answer per id wins
    assert curator.stats().fallbacks == 3 and "skipped or garbled" in curator.stats().errors[0]


async def test_links_and_sources_in_model_output_never_reach_a_judgement(
    fake: FakeOpenAI, llm_settings, store: Store
) -> None:
    fake.mode = "swap_links"
    verdicts, _ = await judge(llm_settings(), store)
    for j in verdicts.judgements.values():
        assert j.by == "llm"
        assert not any(URLISH.search(text) for text in (j.reason, j.summary, *j.tags)), j
        assert "伪造来源" not in j.model_dump_json()
        assert "原文" not in j.summary and not j.reason.endswith("详见")


async def test_garbled_items_are_fixed_or_fall_back(
    fake: FakeOpenAI, llm_settings, store: Store
) -> None:
    fake.mode = "garble"  # item i gets variant i % 5 (see the fake)
    cands = small_day(injection=False)[:5]
    verdicts, _ = await judge(llm_settings(batch_size=5), store, cands)
    bad_category, markup, urgent, english, bad_region = (verdicts.judgements[c.id] for c in cands)

    assert (
        bad_category.by == "llm" and bad_category.category == "其他" and len(bad_category.tags) == 4
    )
    assert markup.by == "llm" and "<" not in markup.reason and "alert" not in markup.reason
    assert len(markup.reason) <= 200 and markup.summary.startswith(
        PREFIX
    )  # the fake dropped the prefix
    assert urgent.by == english.by == bad_region.by == "heuristic"


async def test_an_injection_cannot_lift_itself_or_sink_the_others(
    fake: FakeOpenAI, llm_settings, store: Store
) -> None:
    clean = small_day(injection=False)
    with_evil = small_day()
    baseline, _ = await judge(llm_settings(), store, clean)
    await store.r.flushdb()

    verdicts, _ = await judge(llm_settings(), store, with_evil)

    evil = next(c for c in with_evil if c.lead.title == INJECTION_TITLE)
    j = verdicts.judgements[evil.id]
    assert j.by == "llm" and j.importance == "medium"  # the gullible model said high
    top = max(verdicts.judgements.values(), key=lambda x: x.score.total)
    assert j.score.total < top.score.total and top.importance == "high"
    assert {k: v for k, v in verdicts.judgements.items() if k != evil.id} == baseline.judgements
    assert all(evil.id not in group for group in verdicts.same_story)
    quarantined = [r for r in fake.requests if "Ignore previous" in r["messages"][1]["content"]]
    assert len(quarantined) == 1 and quarantined[0]["messages"][1]["content"].count('"id"') == 1


# -- conclude ---------------------------------------------------------------------------


async def test_conclude_orders_within_tiers_and_names_highlights(
    fake: FakeOpenAI, llm_settings, store: Store
) -> None:
    cands = small_day()
    verdicts, curator = await judge(llm_settings(), store, cands)
    sections = shortlist(cands, verdicts.judgements)
    calls = fake.calls

    conclusion = await curator.conclude(sections, DAY)

    assert fake.calls == calls + 1
    assert conclusion.order is not None and sorted(conclusion.order) == sorted(
        it.id for it in sections.domestic + sections.international
    )
    tiers = {"high": 0, "medium": 1, "low": 2}
    dom = [
        next(it for it in sections.domestic if it.id == i)
        for i in conclusion.order[: len(sections.domestic)]
    ]
    assert [tiers[it.importance] for it in dom] == sorted(tiers[it.importance] for it in dom)
    assert 1 <= len(conclusion.highlights) <= 5 and all(len(h) <= 24 for h in conclusion.highlights)
    evil_request = fake.requests[-1]["messages"][1]["content"]
    assert "Ignore previous" not in evil_request  # suspects are not shown to the ranking call

    again = await LLMCurator(llm_settings(), store).conclude(sections, DAY)
    assert fake.calls == calls + 1 and again == conclusion


async def test_conclude_failure_keeps_score_order_and_heuristic_highlights(
    fake: FakeOpenAI, llm_settings, store: Store
) -> None:
    cands = small_day(injection=False)
    verdicts, curator = await judge(llm_settings(), store, cands)
    fake.mode = "invalid"
    conclusion = await curator.conclude(shortlist(cands, verdicts.judgements), DAY)
    expected = await curator.heuristic.conclude(shortlist(cands, verdicts.judgements), DAY)
    assert conclusion.order is None and conclusion.highlights == expected.highlights
    assert "the final ranking" in curator.stats().errors[-1]


# -- check and cost line ----------------------------------------------------------------


async def test_check_says_ok_or_why_not(fake: FakeOpenAI, llm_settings, make_settings) -> None:
    name, ok, line = await check(llm_settings())
    assert (name, ok) == ("llm", True) and line.startswith("ok — gpt-fake")

    _, ok, line = await check(llm_settings(key="sk-wrong"))
    assert not ok and line == f"401 Unauthorized from {fake.base_url} — check OPENAI_API_KEY"

    _, ok, line = await check(llm_settings(model="gpt-nope"))
    assert not ok and "model 'gpt-nope' not found" in line

    _, ok, line = await check(make_settings({}))
    assert ok and line.startswith("off:")


async def test_cost_line_sums_up_the_run(llm_settings, store: Store) -> None:
    _, curator = await judge(llm_settings(), store)
    line = cost_line(curator.stats())
    assert (
        line.startswith("curator: llm gpt-fake — 5 calls, ")
        and "0 cache hits, 0 heuristic fallbacks" in line
    )
    assert "\n" not in line


# -- a whole run over the demo day ------------------------------------------------------


@pytest.mark.parametrize("mode", ["ok", "swap_links", "500"])
async def test_a_full_run_keeps_every_link_and_source_the_entrys_own(
    mode: str, fake: FakeOpenAI, store: Store
) -> None:
    fake.mode = mode
    env = {
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": fake.base_url,
        "OPENAI_MODEL": "gpt-fake",
    }
    settings = load_settings(str(EXAMPLES / "demo.yaml"), env)
    assert settings.llm is not None
    settings.llm.max_retries = 0  # the 500s are not retried: keeps the test short

    result = await run(settings, DAY, store)

    digest = result.digest
    # An original and its repost in another feed share a link: either may be the entry.
    raw: dict[str, set[tuple[str, str]]] = {}
    for e in result.raw:
        raw.setdefault(e.link, set()).add((e.source, e.feed))
    assert len(digest.items) == 27 and digest.curator.kind == "llm" and digest.curator.llm_calls > 0
    for it in digest.items:
        own = raw[it.link]  # KeyError: a link that no fetched entry has
        assert (it.source, it.feed) in own
        assert not URLISH.search(it.reason + it.summary), it
    planted = [it for it in digest.items if "妙笔星球" in it.title]  # the demo's injection entry
    assert all(it.importance != "high" and it.n not in (1, 15) for it in planted)
    if mode == "500":
        assert digest.curator.fallbacks == digest.candidate_count and digest.curator.errors
    else:
        assert digest.curator.fallbacks == 0 and not digest.curator.errors
        assert all(it.summary.startswith(PREFIX) for it in digest.items)


async def test_a_rerun_of_the_demo_day_costs_nothing(fake: FakeOpenAI, store: Store) -> None:
    env = {
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": fake.base_url,
        "OPENAI_MODEL": "gpt-fake",
    }
    settings = load_settings(str(EXAMPLES / "demo.yaml"), env)
    first = (await run(settings, DAY, store)).digest
    calls = fake.calls

    second = (await run(settings, DAY, store)).digest

    assert fake.calls == calls and second.curator.llm_calls == 0
    assert (
        second.curator.cache_hits > second.candidate_count
    )  # every story (before merging) and the conclusion
    assert [(it.id, it.summary, it.score) for it in second.items] == [
        (it.id, it.summary, it.score) for it in first.items
    ]
    assert second.summary == first.summary
