"""The heuristic curator: categories from keywords, reasons from facts only, summaries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from pipeline.config import Settings
from pipeline.curate import heuristic
from pipeline.curate.heuristic import HIGH, MEDIUM, HeuristicCurator, importance_of
from pipeline.ids import entry_id
from pipeline.models import Candidate, Entry, Item, Mention, ScoreParts, Sections

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


# What the scorer says of itself: none of it belongs in a reader's reason (it is in /why's
# score parts).
SCORER_WORDS = (
    "权重",
    "命中关键词",
    "AI 相关",
    "AI相关",
    "截止前",
    "来自",
    "涉及：",
    "得分",
    "score",
)


def test_reason_says_who_did_what_how_big_and_how_many_outlets(
    curator: HeuristicCurator,
) -> None:
    lead = entry("逐际动力完成2亿美元B轮融资，估值超10亿美元", weight=1.2, hours_before_cutoff=1)
    others = [
        entry("逐际动力获2亿美元融资", feed="jiqizhixin", source="机器之心"),
        entry("逐际动力融资2亿美元", feed="qbitai", source="量子位"),
    ]

    j = curator.judge_one(story(lead, *others), DAY)

    assert j.reason.startswith("3家媒体报道；逐际动力融资2亿美元")
    assert "大额融资" in j.reason
    assert not [w for w in SCORER_WORDS if w in j.reason]
    assert not any(part in j.reason for part in j.score.parts)
    # The signals stay where /why shows them, with the editor's "major" among them.
    assert {"category", "amount", "sources", "feed", "recency", "major"} <= set(j.score.parts)
    assert j.importance == "high"


@pytest.mark.parametrize(
    ("title", "summary", "lang"),
    [
        ("寒武纪业绩预告：预计2025年实现上市以来首次年度盈利", "", "zh"),
        ("中科曙光：scaleX万卡超集群已进入重大工程应用阶段", "相关项目将于近期上线试运行。", "zh"),
        ("Oracle Plans to Raise Up to $20 Billion to Fund AI Data Centers", "", "en"),
        ("Coalition urges federal agencies to suspend Grok over nonconsensual images", "", "en"),
        ("SoftBank Shares Swing as Investors Weigh OpenAI Exposure", "", "en"),
        ("今天天气不错", "", "zh"),
    ],
)
def test_no_reason_carries_the_scorers_words(
    curator: HeuristicCurator, title: str, summary: str, lang: str
) -> None:
    j = curator.judge_one(
        story(entry(title, summary, lang=lang, weight=1.2, hours_before_cutoff=0)), DAY
    )

    assert not [w for w in SCORER_WORDS if w in j.reason], j.reason
    assert not [p for p in j.score.parts if p in j.reason.lower()], j.reason
    assert j.reason.endswith("。")


def test_a_lone_plain_story_says_nothing_it_cannot_back(curator: HeuristicCurator) -> None:
    j = curator.judge_one(story(entry("今天天气不错", hours_before_cutoff=23)), DAY)

    assert j.category == "其他"
    assert j.reason == "据36氪报道。"
    assert j.importance == "low"
    assert "sources" not in j.score.parts and "feed" not in j.score.parts
    assert j.tags == []  # nothing to tag: no company, no topic; never a filler word


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
    assert high.score.parts["relevance"] > 0 and "relevance" not in low.score.parts
    assert {"OpenAI", "大模型"} <= set(high.tags)


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


def test_an_english_story_is_shown_by_its_headline_after_a_chinese_lead_from_its_facts(
    curator: HeuristicCurator,
) -> None:
    def shown(title: str, summary: str = "") -> str:
        e = entry(title, summary, feed="bloomberg", source="Bloomberg", lang="en")
        return curator.judge_one(story(e), DAY).summary

    # Never a sentence of the body (a teaser, an opinion): the headline, and what it says.
    assert (
        shown(
            "Waymo Raises $16 Billion From Alphabet, Others to Expand Service",
            "Robotaxis need more than money to expand. They need trust.",
        )
        == "Waymo 融资 160亿美元：Waymo Raises $16 Billion From Alphabet, Others to Expand Service"
    )
    assert shown("Anthropic in Talks to Raise Funds at $350 Billion Valuation") == (
        "Anthropic 拟融资 估值3500亿美元：Anthropic in Talks to Raise Funds at $350 Billion Valuation"
    )
    # Too little to say in Chinese without inventing: the headline alone.
    assert shown("Inside a quiet week", "Nothing much happened.") == "Inside a quiet week"


def test_region_is_the_lead_feeds_region(curator: HeuristicCurator) -> None:
    e = entry("Google unveils Gemini 3 Pro", feed="bloomberg", source="Bloomberg", lang="en")

    assert curator.judge_one(story(e), DAY).region == "international"


@pytest.mark.parametrize(
    "title",
    [
        "逐际动力完成2亿美元B轮融资",
        "欧盟就人工智能法案征求意见",
        "OpenAI launches a Codex app for macOS",
        "今天天气不错",
        "8点1氪｜xAI并入SpaceX；Waymo完成160亿美元融资；寒武纪预计首次盈利",
    ],
)
def test_reason_never_starts_with_the_category_which_renderers_add(
    curator: HeuristicCurator, title: str
) -> None:
    lang = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in title) else "en"
    j = curator.judge_one(story(entry(title, lang=lang)), DAY)

    assert not j.reason.startswith(j.category)
    assert not j.reason.startswith("其他")


@pytest.mark.parametrize(
    ("title", "names"),
    [
        ("马斯克宣布将xAI并入SpaceX，合并后估值1.25万亿美元", "马斯克、xAI、SpaceX"),
        ("OpenAI发布独立的macOS应用", "OpenAI"),
        ("谷歌DeepMind发布新一代世界模型", "谷歌、DeepMind"),
    ],
)
def test_a_chinese_report_about_foreign_companies_only_goes_to_international(
    curator: HeuristicCurator, title: str, names: str
) -> None:
    j = curator.judge_one(story(entry(title, feed="jiqizhixin", source="机器之心")), DAY)

    assert j.region == "international"
    assert set(names.split("、")) & set(j.tags)


def test_an_english_report_about_a_chinese_company_goes_to_domestic(
    curator: HeuristicCurator,
) -> None:
    e = entry(
        "Alibaba's Qwen App to Spend $420 Million on Lunar New Year Giveaways",
        feed="bloomberg",
        source="Bloomberg Technology",
        lang="en",
    )

    j = curator.judge_one(story(e), DAY)

    assert j.region == "domestic"
    assert j.summary.startswith("千问 投入 4.2亿美元：")


@pytest.mark.parametrize(
    ("title", "summary", "lang", "feed_region"),
    [
        ("英伟达H20芯片对华出货恢复", "", "zh", "domestic"),  # foreign name, tied to China
        ("上海辛米尔完成亿元融资，AI已服务苹果、比亚迪", "", "zh", "domestic"),  # mixed
        ("OpenAI发布GPT-5.3", "国内用户暂时无法使用。", "zh", "domestic"),  # summary ties it
        ("Transformer作者新公司发布首个开源模型", "", "zh", "domestic"),  # nobody known
        ("Alibaba and OpenAI sign a cloud deal", "", "en", "international"),  # mixed
        ("China's EV makers post weak January sales", "", "en", "international"),  # no company
    ],
)
def test_mixed_or_unknown_subjects_stay_in_the_feeds_region(
    curator: HeuristicCurator, title: str, summary: str, lang: str, feed_region: str
) -> None:
    j = curator.judge_one(story(entry(title, summary, lang=lang)), DAY)

    assert j.region == feed_region
    assert "归入" not in j.reason


@pytest.mark.parametrize(
    "title",
    [
        "8点1氪｜xAI并入SpaceX，合并估值1.25万亿美元；Waymo完成160亿美元融资；寒武纪扭亏",
        "今日早间要闻：马斯克宣布xAI并入SpaceX",
        "36氪早报｜OpenAI发布macOS版Codex应用",
        "AI科技评论周报：具身智能开源潮来袭",
        "一周AI要闻：OpenAI、谷歌密集发布新模型",
        "This Week in AI: OpenAI ships a Codex app",
    ],
)
def test_roundups_are_penalised_and_say_so(curator: HeuristicCurator, title: str) -> None:
    lang = "en" if title.isascii() else "zh"
    roundup = curator.judge_one(story(entry(title, lang=lang, hours_before_cutoff=1)), DAY)
    single = curator.judge_one(
        story(entry("马斯克宣布xAI并入SpaceX，合并估值1.25万亿美元", hours_before_cutoff=1)), DAY
    )

    assert roundup.score.parts["roundup"] < 0
    assert "汇总类稿件" in roundup.reason
    assert not roundup.news
    assert roundup.importance != "high"
    assert roundup.score.total < single.score.total
    assert "roundup" not in single.score.parts


def test_a_newspaper_named_daily_is_not_a_roundup(curator: HeuristicCurator) -> None:
    j = curator.judge_one(story(entry("人民日报：人工智能赋能千行百业")), DAY)

    assert "roundup" not in j.score.parts


def test_share_price_moves_are_penalised_as_market_news(curator: HeuristicCurator) -> None:
    def judge(title: str) -> Any:
        e = entry(title, feed="bloomberg", source="Bloomberg", lang="en")
        return curator.judge_one(story(e), DAY)

    market = judge("SoftBank Shares Swing as Investors Weigh OpenAI Exposure")
    news = judge("OpenAI shares details of its new reasoning model")

    assert market.score.parts["market"] < 0 and "股价行情" in market.reason
    assert not market.news  # it may corroborate a story, never be an item of its own
    assert "market" not in news.score.parts and news.news


def test_big_ai_events_outrank_ai_adjacent_business_news(curator: HeuristicCurator) -> None:
    """Big funding, policy, safety and research papers beat share moves and product tweaks."""

    def judge(title: str, summary: str = "", *, feed: str = "techcrunch", link: str = "") -> Any:
        e = entry(title, summary, feed=feed, source="TechCrunch AI", lang="en")
        if link:
            e = e.model_copy(update={"link": link})
        return curator.judge_one(story(e), DAY).score.total

    waymo = judge("Waymo raises $16B at a $126B valuation as robotaxi race heats up")
    policy = judge("EU opens consultation on draft guidelines under the AI Act")
    safety = judge("Coalition urges agencies to suspend Grok over nonconsensual images")
    paper = judge(
        "Thinking in Latent Space: Extending Chain-of-Thought to Multimodal Reasoning",
        "arXiv:2602.00415v1 Announce Type: new Abstract: We propose a method.",
        feed="arxiv",
        link="https://arxiv.org/abs/2602.00415",
    )
    shares = judge("SoftBank Shares Swing as Investors Weigh OpenAI Exposure")
    glasses = judge("Meta's AI glasses app lets you edit Ray-Ban photos with your voice")

    assert min(waymo, policy, safety, paper) > max(shares, glasses)


def test_an_arxiv_paper_is_marked_and_summarised_without_the_feed_boilerplate(
    curator: HeuristicCurator,
) -> None:
    e = entry(
        "PolarMem: A Training-Free Graph Memory for Multimodal Agents",
        "arXiv:2602.00574v1 Announce Type: new Abstract: We present PolarMem. It is fast.",
        feed="arxiv",
        source="arXiv AI",
        lang="en",
    ).model_copy(update={"link": "https://arxiv.org/abs/2602.00574"})

    j = curator.judge_one(story(e), DAY)

    # A paper is research, not the day's news: it may corroborate a story, never lead one.
    assert j.score.parts["paper"] > 0 and not j.news and "研究论文" in j.reason
    assert j.summary == "研究论文：PolarMem: A Training-Free Graph Memory for Multimodal Agents"


def test_a_feed_about_ai_vouches_for_entries_without_an_ai_word(
    curator: HeuristicCurator,
) -> None:
    e = entry(
        "Data Act: Commission seeks feedback on draft guidelines on reasonable compensation",
        feed="eu_ai",
        source="EU AI Policy",
        lang="en",
    )
    plain = entry(
        "Data Act: Commission seeks feedback on draft guidelines on reasonable compensation",
        feed="bloomberg",
        source="Bloomberg Technology",
        lang="en",
    )

    j, k = curator.judge_one(story(e), DAY), curator.judge_one(story(plain), DAY)

    assert j.score.parts["relevance"] > 0 and "relevance" not in k.score.parts
    assert j.reason.startswith("欧盟委员会就数据法案征求意见")
    assert j.category == "重大政策与法规" and j.score.parts["topic"] > 0


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


def _item(n: int, title: str, importance: str, total: float, *, outlets: int = 1) -> Item:
    also = [
        Mention(source=f"源{k}", feed=f"f{k}", link=f"https://e.com/{n}/{k}", title=title)
        for k in range(outlets - 1)
    ]
    return Item(
        n=n, id=f"id{n}", title=title, summary="…", importance=importance, category="其他",
        reason="…", source="36氪", feed="kr36", link=f"https://36kr.com/p/{n}",
        published_at=CUTOFF, score=ScoreParts(total=total), also_reported_by=also,
    )  # fmt: skip


async def test_conclude_names_the_three_most_important_stories_in_chinese(
    curator: HeuristicCurator,
) -> None:
    sections = Sections(
        domestic=[
            _item(1, "36氪获悉｜中科曙光scaleX万卡超集群进入重大工程应用阶段", "high", 0.8),
            _item(2, "腾讯元宝接入微信", "medium", 0.9),
            _item(3, "开源炸场！优必选Thinker再次狂揽9项全球第一！", "high", 0.9, outlets=3),
        ],
        international=[
            _item(
                4, "Elon Musk's SpaceX acquires xAI in $1.25 trillion deal", "high", 0.7, outlets=5
            ),
            _item(5, "Waymo raises $16 billion", "high", 0.6),
            _item(6, "Inside a quiet week", "high", 0.99),  # nothing to say in Chinese
        ],
    )

    conclusion = await curator.conclude(sections, DAY)

    assert conclusion.order is None
    # Across both sections, by outlets and by the size of a big deal; each in Chinese: a
    # Chinese report's own words, or the lead-in built from an English headline's facts.
    assert conclusion.highlights == [
        "SpaceX 收购xAI 1.25万亿美元",
        "Waymo 融资 160亿美元",
        "开源炸场！优必选Thinker再次狂揽9项全球第一",
    ]


async def test_conclude_names_medium_items_when_the_day_has_no_high_one(
    curator: HeuristicCurator,
) -> None:
    sections = Sections(domestic=[_item(1, "腾讯元宝接入微信", "medium", 0.5)])

    assert (await curator.conclude(sections, DAY)).highlights == ["腾讯元宝接入微信"]


async def test_judge_keeps_going_when_one_candidate_cannot_be_judged(
    curator: HeuristicCurator, monkeypatch: pytest.MonkeyPatch
) -> None:
    good, bad = story(entry("华为发布昇腾950芯片")), story(entry("腾讯元宝接入微信"))
    expected = curator.judge_one(good, DAY)
    real = heuristic._verdict

    def flaky(window: Any, lead: Entry, *args: Any, **kwargs: Any) -> Any:
        if lead.id == bad.lead.id:
            raise ValueError("odd entry")
        return real(window, lead, *args, **kwargs)

    monkeypatch.setattr(heuristic, "_verdict", flaky)
    verdicts = await curator.judge([good, bad], DAY)

    assert verdicts.judgements[bad.id].importance == "low"
    assert verdicts.judgements[bad.id].summary == bad.lead.title  # shown plainly, not lost
    assert verdicts.judgements[good.id] == expected
    assert curator.stats().errors == [f"heuristic: candidate {bad.id}: odd entry"]


def _judge_day(curator: HeuristicCurator, stories: list[Candidate]) -> dict[str, Any]:
    import asyncio

    return asyncio.run(curator.judge(stories, DAY)).judgements


def test_a_rich_day_keeps_fire_for_its_heaviest_third(curator: HeuristicCurator) -> None:
    # 20 domestic and 20 international fundings of ¥5亿 to ¥24亿, each major on its own.
    stories = [
        story(entry(f"智算公司{chr(0x4E00 + i)}完成{5 + i}亿元融资，加码AI算力"))
        for i in range(20)
    ] + [
        story(entry(f"AI startup Nova{i} raises ${100 + 10 * i} million for agents", lang="en",
                    feed="tc", source="TechCrunch"))
        for i in range(20)
    ]  # fmt: skip
    judged = _judge_day(curator, stories)

    high = [c for c in stories if judged[c.id].importance == "high"]
    assert len(high) == 9  # a third of the 27 items the digest shows
    assert sum(judged[c.id].region == "domestic" for c in high) <= 5
    assert sum(judged[c.id].region == "international" for c in high) <= 5
    # The biggest deals are the ones kept: ¥24亿 is 🔥, ¥5亿 is not.
    assert judged[stories[19].id].importance == "high"
    assert judged[stories[0].id].importance == "medium"
    # Only the importance moves: the score, and so the selection, is the judge's own.
    assert all(judged[c.id].score == curator.judge_one(c, DAY).score for c in stories)


def test_the_weakest_of_a_section_are_low_unless_another_outlet_reported_them(
    curator: HeuristicCurator,
) -> None:
    stories = [
        story(entry(f"小米发布第{i}代AI大模型产品", hours_before_cutoff=20 - i / 2))
        for i in range(18)
    ]
    echoed = entry("某科技公司发布AI智能体平台", hours_before_cutoff=23)
    stories.append(story(echoed, entry("某科技公司发布AI智能体平台", feed="qbit", source="量子位")))
    leader = story(
        entry("谷歌DeepMind发布新一代世界模型", "可生成可交互3D环境。", hours_before_cutoff=23)
    )
    stories.append(leader)
    judged = _judge_day(curator, stories)

    ranked = sorted(stories[:18], key=lambda c: -judged[c.id].score.total)
    assert judged[ranked[0].id].importance != "low"
    assert judged[ranked[-1].id].importance == "low"  # minor: the bottom of its section
    assert judged[stories[-2].id].importance != "low"  # two outlets: never minor
    # A leading lab's launch weighs more than a lone report: never minor either.
    assert rank_of(judged, stories, leader) >= 15 and judged[leader.id].importance != "low"


def rank_of(judged: dict[str, Any], stories: list[Candidate], cand: Candidate) -> int:
    ranked = sorted(stories, key=lambda c: -judged[c.id].score.total)
    return ranked.index(cand)


@pytest.mark.parametrize(
    ("title", "category"),
    [
        # 研究 is a research keyword, but the event is a launch.
        ("月之暗面Kimi上线深度研究智能体，开放企业版API", "重大产品发布"),
        # No category keyword in the title, but ¥30亿 spent on a campaign is business.
        ("千问APP投入30亿元启动“春节请客计划”，阿里史上最大春节投入", "重大商业动态"),
        ("三星一季度营业利润创历史新高，AI存储需求强劲", "重大商业动态"),
        # A regulator's act is policy whatever its verb.
        ("工信部发布《人形机器人标准化体系建设指南》", "重大政策与法规"),
    ],
)
def test_the_category_follows_what_happened(
    curator: HeuristicCurator, title: str, category: str
) -> None:
    assert curator.judge_one(story(entry(title)), DAY).category == category


def test_reasons_differ_by_what_the_facts_say(curator: HeuristicCurator) -> None:
    titles = [
        "DeepSeek开源新一代推理大模型",
        "某初创公司开源多智能体框架",
        "OpenAI发布新一代编程智能体",
        "智元机器人完成15亿元新一轮融资，腾讯、红杉中国参投",
        "星海图完成8亿元B轮融资",
        "寒武纪预计实现10年来首次年度盈利",
    ]
    reasons = [curator.judge_one(story(entry(t)), DAY).reason for t in titles]
    why = [r.rstrip("。").rsplit("，", 1)[-1] for r in reasons]

    assert len(set(why)) == len(why), reasons  # no stock clause repeated across kinds
    assert "腾讯" in reasons[3]  # a named investor is said
    assert "入局" not in reasons[4]  # … and never invented when none is named


def _labelled_entries() -> list[Entry]:
    """Every entry of the labelled days (bench/days), as an Entry: ~1,000 real-world texts."""
    from bench.days import build
    from bench.editorial import DAYS

    out: list[Entry] = []
    feeds = {f.id: f for f in build.FEEDS}
    for path in sorted(DAYS.glob("day_*.py")):
        day: build.DayData = __import__(f"bench.days.{path.stem}", fromlist=["DAY"]).DAY
        for k, e in enumerate(day.entries):
            feed = feeds[e.feed]
            link = f"https://{e.feed}.example.com/{day.date}/{k}"
            out.append(
                Entry(
                    id=entry_id(link), feed=e.feed, source=feed.name,
                    region=feed.region, weight=feed.weight,  # type: ignore[arg-type]
                    title=e.title, summary=e.summary, link=link,
                    published_at=CUTOFF - timedelta(hours=k % 30), dated=True,
                    lang="zh" if any("\u4e00" <= c <= "\u9fff" for c in e.title) else "en",
                )
            )  # fmt: skip
    return out


def test_a_lead_read_ahead_judges_a_story_as_its_text_does_at_any_number_of_outlets(
    curator: HeuristicCurator,
) -> None:
    """A big day's leads are read in the parse workers (`read_lead`) and judged from that
    after clustering: the same score, parts, importance, region, category and weight as
    judging the story's text, whatever the number of outlets that reported it."""
    import pickle

    from pipeline.curate import heuristic
    from pipeline.facts import facts_of, story_weight, weighed

    window = curator.settings.window(DAY)
    entries = _labelled_entries()
    assert len(entries) >= 500
    majors = 0
    for e in entries:
        read = pickle.loads(pickle.dumps(heuristic.read_lead(e)))  # as it comes from a worker
        for outlets in range(1, 7):
            direct = heuristic._verdict(window, e, outlets, DAY, worded=False)
            assert heuristic._read_verdict(read, window, e, outlets) == direct, (e.title, outlets)
            assert weighed(outlets, read.extras) == story_weight(facts_of(e), outlets)
            majors += "major" in direct.parts
    assert majors > 0  # the days have major stories: the outlet-dependent part was tested


async def test_a_big_day_judged_from_its_leads_read_ahead_gives_the_same_verdicts(
    make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.curate import heuristic
    from pipeline.curate.base import EntryReads

    settings = make_settings({"timezone": "Asia/Shanghai"})
    entries = _labelled_entries()
    cands = [story(e, *entries[k + 1 : k + 1 + k % 3]) for k, e in enumerate(entries)]
    monkeypatch.setattr(heuristic, "POOL_MIN_CANDIDATES", 10**9)  # judged in this process
    plain = await HeuristicCurator(settings).judge(cands, DAY)

    read = EntryReads()
    read.add(entries[:-50], [read.shared(heuristic.read_lead(e)) for e in entries[:-50]])
    ahead = HeuristicCurator(settings, defer_words=True)
    read_here: list[str] = []  # the leads judged from their text
    real = heuristic._verdict

    def reading(window: Any, lead: Entry, *args: Any, **kwargs: Any) -> Any:
        read_here.append(lead.id)
        return real(window, lead, *args, **kwargs)

    monkeypatch.setattr(heuristic, "_verdict", reading)
    verdicts = await ahead.judge(cands, DAY, read=read)
    judged = set(read_here)

    assert len(read_here) == len(judged) == 50  # only the stories whose lead was not read ahead
    assert verdicts.words is not None
    for c in cands:
        got, want = verdicts.judgements[c.id], plain.judgements[c.id]
        if c.id not in judged:
            assert got.reason == got.summary == "" and got.tags == []  # words come when shown
            got = verdicts.words(c, got)
        assert got == want, c.lead.title


def test_the_gist_of_an_entry_is_what_its_facts_say() -> None:
    """A lead read ahead takes only the `Gist` of its facts (what its score needs); on every
    labelled day's text it is exactly what the entry's full `Facts` say."""
    from pipeline.facts import Gist, facts_from, gist_of

    fields = [f for f in Gist.__dataclass_fields__]
    seen = {"event": 0, "money": 0, "subject": 0, "record": 0}
    for e in _labelled_entries():
        gist, facts = gist_of(e.title, e.summary), facts_from(e.title, e.summary)
        assert [getattr(gist, f) for f in fields] == [getattr(facts, f) for f in fields], e.title
        assert (gist.kind, gist.leader, gist.regulator, gist.official) == (
            facts.kind, facts.leader, facts.regulator, facts.official
        )  # fmt: skip
        for name in seen:
            seen[name] += bool(getattr(gist, name))
    assert all(count >= 5 for count in seen.values()), seen  # each field was really compared
