"""The heuristic curator: categories from keywords, reasons from fired signals only, summaries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from pipeline.config import Settings
from pipeline.curate.heuristic import HIGH, MEDIUM, HeuristicCurator, importance_of
from pipeline.ids import entry_id
from pipeline.models import Candidate, Entry, Item, ScoreParts, Sections

DAY = date(2026, 2, 3)
CUTOFF = datetime(2026, 2, 3, 0, 0, tzinfo=UTC)  # 08:00 Asia/Shanghai


def entry(
    title: str,
    summary: str = "",
    *,
    feed: str = "kr36",
    source: str = "36氪",
    weight: float = 1.0,
    lang: str = "zh",
    hours_before_cutoff: float = 12,
) -> Entry:
    link = f"https://{feed}.example.com/{entry_id(title)}"
    return Entry(
        id=entry_id(link),
        feed=feed,
        source=source,
        region="domestic" if lang == "zh" else "international",
        weight=weight,
        title=title,
        summary=summary,
        link=link,
        published_at=CUTOFF - timedelta(hours=hours_before_cutoff),
        lang=lang,
    )


def story(lead: Entry, *others: Entry) -> Candidate:
    return Candidate(id=lead.id, lead=lead, others=list(others))


@pytest.fixture
def curator(make_settings: Callable[..., Settings]) -> HeuristicCurator:
    return HeuristicCurator(make_settings({"timezone": "Asia/Shanghai"}))


@pytest.mark.parametrize(
    ("title", "category"),
    [
        ("逐际动力完成2亿美元B轮融资，估值超10亿美元", "重大商业动态"),
        ("优必选宣布开源具身智能大模型Thinker", "重大产品发布"),
        ("清华团队论文刷新多模态推理SOTA", "重大学术突破"),
        ("欧盟就人工智能法案高风险条款征求意见", "重大政策与法规"),
        ("AI深度伪造视频引发隐私争议", "安全与伦理"),
        ("华为云AI医疗专区助力基层医疗", "行业应用"),
        ("大模型从业者的一天", "其他"),
    ],
)
def test_category_follows_keywords_in_chinese(
    curator: HeuristicCurator, title: str, category: str
) -> None:
    assert curator.judge_one(story(entry(title)), DAY).category == category


@pytest.mark.parametrize(
    ("title", "category"),
    [
        ("Waymo raises $16 billion at a $126 billion valuation", "重大商业动态"),
        ("OpenAI launches a Codex app for macOS", "重大产品发布"),
        ("New paper sets a benchmark record for LLM reasoning", "重大学术突破"),
        ("EU opens consultation on the AI Act guidelines", "重大政策与法规"),
        ("Authors file lawsuit over AI training on pirated books", "安全与伦理"),
    ],
)
def test_category_follows_keywords_in_english(
    curator: HeuristicCurator, title: str, category: str
) -> None:
    e = entry(title, feed="techcrunch", source="TechCrunch AI", lang="en")
    assert curator.judge_one(story(e), DAY).category == category


def test_reason_names_only_the_signals_that_fired(curator: HeuristicCurator) -> None:
    lead = entry("逐际动力完成2亿美元B轮融资，估值超10亿美元", weight=1.2, hours_before_cutoff=1)
    others = [
        entry("逐际动力获2亿美元融资", feed="jiqizhixin", source="机器之心"),
        entry("逐际动力融资2亿美元", feed="qbitai", source="量子位"),
    ]

    j = curator.judge_one(story(lead, *others), DAY)

    assert j.reason.startswith("重大商业动态：3 家来源报道（36氪、机器之心、量子位）")
    assert "命中关键词：融资、估值" in j.reason
    assert "来自 36氪（权重 1.2）" in j.reason
    assert "截止前 1 小时内发布" in j.reason
    assert "涉及" not in j.reason  # no well-known name in it
    assert "AI 相关" not in j.reason  # no AI word in it either
    assert set(j.score.parts) == {"category", "sources", "feed", "recency"}


def test_a_lone_plain_story_says_nothing_it_cannot_back(curator: HeuristicCurator) -> None:
    j = curator.judge_one(story(entry("今天天气不错", hours_before_cutoff=23)), DAY)

    assert j.category == "其他"
    assert j.reason == "其他：来自 36氪"
    assert j.importance == "low"
    assert "sources" not in j.score.parts and "feed" not in j.score.parts
    assert 2 <= len(j.tags) <= 4


def test_ai_news_from_big_names_with_sources_is_high_and_non_ai_news_is_low(
    curator: HeuristicCurator,
) -> None:
    big = story(
        entry("OpenAI发布GPT-5.3大模型", hours_before_cutoff=2),
        entry("OpenAI推出GPT-5.3", feed="qbitai", source="量子位"),
    )
    plain = story(entry("京瓷完成32亿美元回购", hours_before_cutoff=2))

    high, low = curator.judge_one(big, DAY), curator.judge_one(plain, DAY)

    assert high.importance == "high" and high.score.total >= HIGH
    assert low.importance == "low" and low.score.total < MEDIUM
    assert high.score.parts["ai"] > 0 and "ai" not in low.score.parts
    assert {"OpenAI", "GPT"} <= set(high.tags)


def test_score_total_is_the_sum_of_its_parts_within_0_and_1(curator: HeuristicCurator) -> None:
    lead = entry(
        "OpenAI、谷歌与英伟达联合发布开源大模型，融资并购论文监管安全医疗",
        weight=3,
        hours_before_cutoff=0,
    )
    others = [entry(f"报道{i}", feed=f"f{i}", source=f"源{i}") for i in range(6)]

    j = curator.judge_one(story(lead, *others), DAY)

    assert 0 <= j.score.total <= 1
    assert j.score.total == pytest.approx(min(1.0, sum(j.score.parts.values())), abs=1e-3)


@pytest.mark.parametrize(
    ("total", "importance"),
    [
        (0.0, "low"),
        (MEDIUM - 0.001, "low"),
        (MEDIUM, "medium"),
        (HIGH - 0.001, "medium"),
        (HIGH, "high"),
        (1.0, "high"),
    ],
)
def test_importance_thresholds(total: float, importance: str) -> None:
    assert importance_of(total) == importance


def test_chinese_summary_is_dated_first_sentence_without_a_doubled_lead(
    curator: HeuristicCurator,
) -> None:
    e = entry(
        "逐际动力完成2亿美元B轮融资",
        "2月2日消息，36氪获悉，深圳具身智能机器人公司逐际动力宣布完成2亿美元B轮融资。资金将用于研发",
    )

    assert (
        curator.judge_one(story(e), DAY).summary
        == "2月3日消息，深圳具身智能机器人公司逐际动力宣布完成2亿美元B轮融资。"
    )


def test_chinese_summary_falls_back_to_the_title_and_always_ends_with_a_full_stop(
    curator: HeuristicCurator,
) -> None:
    e = entry("36氪获悉｜华为云智慧医疗专区开放公测！")

    assert curator.judge_one(story(e), DAY).summary == "2月3日消息，华为云智慧医疗专区开放公测。"


def test_english_summary_is_the_entrys_own_first_sentence(curator: HeuristicCurator) -> None:
    e = entry(
        "OpenAI accuses xAI of destroying evidence",
        "OpenAI said in a U.S. court filing on Monday that xAI destroyed evidence. The case continues.",
        feed="bloomberg",
        source="Bloomberg",
        lang="en",
    )
    bare = entry("Google unveils Gemini 3 Pro", feed="bloomberg", source="Bloomberg", lang="en")

    assert curator.judge_one(story(e), DAY).summary == (
        "OpenAI said in a U.S. court filing on Monday that xAI destroyed evidence."
    )
    assert curator.judge_one(story(bare), DAY).summary == "Google unveils Gemini 3 Pro"


def test_region_is_the_lead_feeds_region(curator: HeuristicCurator) -> None:
    e = entry("Google unveils Gemini 3 Pro", feed="bloomberg", source="Bloomberg", lang="en")

    assert curator.judge_one(story(e), DAY).region == "international"


def test_same_input_same_judgement(
    curator: HeuristicCurator, make_settings: Callable[..., Settings]
) -> None:
    cand = story(entry("优必选宣布开源具身智能大模型Thinker", "优必选今日宣布开源Thinker。"))
    other = HeuristicCurator(make_settings({"timezone": "Asia/Shanghai"}))

    assert (
        curator.judge_one(cand, DAY) == other.judge_one(cand, DAY) == curator.judge_one(cand, DAY)
    )


async def test_judge_returns_a_verdict_for_every_candidate_and_stats_say_heuristic(
    curator: HeuristicCurator,
) -> None:
    cands = [story(entry(t)) for t in ("华为发布昇腾950芯片", "腾讯元宝接入微信", "今天天气不错")]

    verdicts = await curator.judge(cands, DAY)

    assert set(verdicts.judgements) == {c.id for c in cands}
    assert verdicts.same_story == []
    stats = curator.stats()
    assert stats.kind == "heuristic" and stats.llm_calls == 0 and stats.errors == []


def _item(n: int, title: str, importance: str, total: float) -> Item:
    return Item(
        n=n, id=f"id{n}", title=title, summary="…", importance=importance, category="其他",
        reason="…", source="36氪", feed="kr36", link=f"https://36kr.com/p/{n}",
        published_at=CUTOFF, score=ScoreParts(total=total),
    )  # fmt: skip


async def test_conclude_highlights_up_to_three_high_items_by_score(
    curator: HeuristicCurator,
) -> None:
    sections = Sections(
        domestic=[
            _item(1, "36氪获悉｜中科曙光scaleX万卡超集群进入重大工程应用阶段", "high", 0.8),
            _item(2, "腾讯元宝接入微信", "medium", 0.9),
            _item(3, "开源炸场！优必选Thinker再次狂揽9项全球第一！", "high", 0.7),
        ],
        international=[
            _item(4, "SpaceX acquires xAI.", "high", 0.95),
            _item(5, "Waymo raises $16 billion", "high", 0.6),
        ],
    )

    conclusion = await curator.conclude(sections, DAY)

    assert conclusion.order is None
    assert conclusion.highlights == [
        "SpaceX acquires xAI",
        "中科曙光scaleX万卡超集群进入重大工程应用阶段",
        "开源炸场！优必选Thinker再次狂揽9项全球第一",
    ]


async def test_conclude_without_high_items_has_no_highlights(curator: HeuristicCurator) -> None:
    sections = Sections(domestic=[_item(1, "腾讯元宝接入微信", "medium", 0.5)])

    assert (await curator.conclude(sections, DAY)).highlights == []


async def test_judge_keeps_going_when_one_candidate_cannot_be_judged(
    curator: HeuristicCurator, monkeypatch: pytest.MonkeyPatch
) -> None:
    good, bad = story(entry("华为发布昇腾950芯片")), story(entry("腾讯元宝接入微信"))
    real = curator.judge_one

    def flaky(cand: Candidate, day: date) -> Any:
        if cand.id == bad.id:
            raise ValueError("odd entry")
        return real(cand, day)

    monkeypatch.setattr(curator, "judge_one", flaky)
    verdicts = await curator.judge([good, bad], DAY)

    assert verdicts.judgements[bad.id].importance == "low"
    assert verdicts.judgements[good.id] == real(good, DAY)
    assert curator.stats().errors == [f"heuristic: candidate {bad.id}: odd entry"]
