"""Clustering: the same link once, the same story across sources once, different stories apart."""

from __future__ import annotations

import pickle
import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.dedupe import (
    COMMON_FEATURE_DF,
    Shared,
    cluster,
    merge,
    note_key,
    notes_of,
    pack,
    story_key,
    title_features,
    title_key,
)
from pipeline.ids import canonical_url, entry_id, short_hash
from pipeline.models import Entry

T0 = datetime(2026, 2, 3, 0, 0, tzinfo=UTC)
FEEDS = {
    "kr36": ("36氪", 1.0),
    "jiqizhixin": ("机器之心", 1.0),
    "qbitai": ("量子位", 1.2),
    "bloomberg": ("Bloomberg Technology", 1.0),
    "techcrunch": ("TechCrunch AI", 1.0),
}


def entry(
    title: str, feed: str = "kr36", *, link: str | None = None, minutes: int = 0, summary: str = ""
) -> Entry:
    source, weight = FEEDS[feed]
    link = link or f"https://{feed}.example.com/p/{short_hash(feed, title)}"
    canonical = canonical_url(link) or link
    return Entry(
        id=entry_id(canonical),
        feed=feed,
        source=source,
        region="domestic" if feed in ("kr36", "jiqizhixin", "qbitai") else "international",
        weight=weight,
        title=title,
        summary=summary,
        link=link,
        published_at=T0 - timedelta(minutes=minutes),
        lang="en" if feed in ("bloomberg", "techcrunch") else "zh",
    )


def test_same_story_from_two_chinese_outlets_is_one_candidate_with_the_other_in_others() -> None:
    kr = entry("逐际动力完成2亿美元B轮融资，京东、上汽集团参投", "kr36", minutes=30)
    jq = entry("具身智能公司逐际动力宣布获2亿美元B轮融资", "jiqizhixin", minutes=10)
    other = entry("华为发布昇腾950芯片", "kr36")

    candidates = cluster([kr, jq, other])

    assert len(candidates) == 2
    story = next(c for c in candidates if c.lead.title.startswith(("逐际", "具身")))
    assert {story.lead.id, *(e.id for e in story.others)} == {kr.id, jq.id}
    assert story.source_count == 2


def test_lead_is_the_heaviest_feed_then_the_earliest() -> None:
    kr = entry("智谱完成新一轮30亿元融资", "kr36", minutes=60)
    qb = entry("智谱AI获30亿元融资，国资领投", "qbitai", minutes=5)  # weight 1.2 wins
    jq = entry("智谱完成30亿元融资", "jiqizhixin", minutes=90)

    (story,) = cluster([kr, qb, jq])

    assert story.lead.id == qb.id
    assert story.id == qb.id
    assert [e.id for e in story.others] == [jq.id, kr.id]  # same weight: earliest first


def test_two_different_openai_stories_stay_apart() -> None:
    a = entry("OpenAI发布GPT-5.3模型", "kr36")
    b = entry("OpenAI发布Codex macOS应用", "jiqizhixin")
    c = entry("OpenAI launches Codex app for macOS", "bloomberg")
    d = entry("OpenAI raises $40 billion at $300 billion valuation", "techcrunch")

    stories = cluster([a, b, c, d])

    # b and c are one story told in two languages; a and d share only "OpenAI" with it.
    assert sorted(len(s.entries) for s in stories) == [1, 1, 2]
    assert any({e.id for e in s.entries} == {b.id, c.id} for s in stories)


def test_same_subject_same_predicate_but_different_company_stays_apart() -> None:
    a = entry("寒武纪预计首次年度盈利", "kr36")
    b = entry("摩尔线程预计首次年度盈利", "jiqizhixin")
    c = entry("Meta acquires AI chip startup Rivos", "bloomberg")
    d = entry("Meta acquires voice AI startup PlayAI", "techcrunch")

    assert len(cluster([a, b, c, d])) == 4


def test_english_story_reworded_by_two_outlets_is_merged() -> None:
    a = entry("SpaceX acquires xAI in deal valuing combined company at $1.25 trillion", "bloomberg")
    b = entry("Elon Musk merges xAI into SpaceX, creating $1.25 trillion company", "techcrunch")

    (story,) = cluster([a, b])

    assert story.source_count == 2


def test_feed_labels_and_full_width_characters_do_not_hide_a_duplicate() -> None:
    a = entry("36氪获悉｜鹿明机器人２０２６年将建成超100万小时UMI数据采集产能", "kr36")
    b = entry("鹿明机器人2026年将建成超100万小时ＵＭＩ数据采集产能", "jiqizhixin")

    assert len(cluster([a, b])) == 1


def test_a_chinese_and_an_english_report_naming_the_same_two_names_are_one_story() -> None:
    zh = entry("马斯克宣布将xAI并入SpaceX，合并后估值1.25万亿美元", "jiqizhixin")
    en = entry("Elon Musk Said to Be Merging SpaceX and xAI", "bloomberg")
    other = entry("OpenAI Accuses Musk's xAI of Destroying Evidence in Court Fight", "techcrunch")

    stories = cluster([zh, en, other])

    assert len(stories) == 2
    merged = next(c for c in stories if c.source_count == 2)
    assert {e.id for e in merged.entries} == {zh.id, en.id}


def test_one_name_and_the_same_amount_make_one_story_in_any_script() -> None:
    zh = entry("Waymo完成160亿美元融资，估值1260亿美元", "kr36")
    en = entry("Waymo Raises $16 Billion From Alphabet, Others to Expand Service", "bloomberg")
    en2 = entry("Waymo raises $16B at a $126B valuation as robotaxi race heats up", "techcrunch")

    (story,) = cluster([zh, en, en2])

    assert story.source_count == 3


def test_across_scripts_one_shared_name_or_different_amounts_keep_stories_apart() -> None:
    a = entry("OpenAI推出macOS版Codex应用", "jiqizhixin")
    b = entry("OpenAI Accuses Musk's xAI of Destroying Evidence", "bloomberg")
    c = entry("Anthropic完成100亿美元融资", "kr36")
    d = entry("Anthropic in talks to raise funds at $350 billion valuation", "techcrunch")

    assert len(cluster([a, b, c, d])) == 4


def test_a_roundup_is_not_merged_into_the_stories_it_lists() -> None:
    roundup = entry("8点1氪｜xAI并入SpaceX，合并估值1.25万亿美元；Waymo完成160亿美元融资", "kr36")
    merger = entry(
        "SpaceX acquires xAI in deal valuing combined company at $1.25 trillion", "bloomberg"
    )
    waymo = entry("Waymo raises $16B at a $126B valuation", "techcrunch")

    assert len(cluster([roundup, merger, waymo])) == 3


def test_a_story_joins_only_one_report_in_the_other_script() -> None:
    # Two different English stories each share two names with the Chinese title;
    # the Chinese title joins the closer one and does not chain the three together.
    zh = entry("xAI并入SpaceX，OpenAI称将继续起诉", "kr36")
    a = entry("SpaceX acquires xAI to build data centers in space", "bloomberg")
    b = entry("OpenAI Accuses Musk's xAI of Destroying Evidence in Court Fight", "techcrunch")

    stories = cluster([zh, a, b])

    assert len(stories) == 2
    assert max(c.source_count for c in stories) == 2


def test_same_url_with_tracking_parameters_is_one_entry() -> None:
    a = entry(
        "智元机器人发布灵犀X2", "kr36", link="https://36kr.com/p/1?utm_source=rss&utm_medium=feed"
    )
    b = entry("智元机器人发布灵犀X2", "kr36", link="https://36kr.com/p/1?f=rss", minutes=5)

    (story,) = cluster([a, b])

    assert story.others == []  # a copy in the same feed is not another source
    assert story.lead.published_at == T0 - timedelta(minutes=5)  # the earliest copy leads


def test_same_url_in_another_feed_counts_as_another_source() -> None:
    a = entry("智元机器人发布灵犀X2", "kr36", link="https://36kr.com/p/1")
    b = entry("智元发布灵犀X2机器人", "jiqizhixin", link="https://36kr.com/p/1?utm_campaign=x")

    (story,) = cluster([a, b])

    assert story.source_count == 2


def test_cluster_of_nothing_is_nothing() -> None:
    assert cluster([]) == []


def test_titles_without_features_are_kept_apart() -> None:
    a = entry("！！！", "kr36")
    b = entry("……", "jiqizhixin")

    assert len(cluster([a, b])) == 2
    assert title_features("！！！").weights == {}


def test_merge_joins_named_candidates_and_ignores_unknown_ids() -> None:
    a, b, c = (
        entry("华为发布昇腾950芯片", "kr36", minutes=30),
        entry("Atlas 950超节点亮相全联接大会", "qbitai", minutes=10),
        entry("腾讯元宝接入微信", "jiqizhixin"),
    )
    candidates = sorted(cluster([a, b, c]), key=lambda x: x.lead.title)
    assert len(candidates) == 3
    ids = {x.lead.title: x.id for x in candidates}

    merged = merge(
        candidates, [[ids["华为发布昇腾950芯片"], ids["Atlas 950超节点亮相全联接大会"], "nope"]]
    )

    assert len(merged) == 2
    story = next(x for x in merged if x.source_count == 2)
    assert story.lead.id == b.id  # qbitai weighs 1.2
    assert [e.id for e in story.others] == [a.id]


def test_merge_with_overlapping_groups_is_transitive_and_keeps_entries_once() -> None:
    es = [
        entry(t, f)
        for t, f in (
            ("腾讯元宝接入微信", "kr36"),
            ("华为发布昇腾950芯片", "jiqizhixin"),
            ("小米发布MiMo大模型", "qbitai"),
        )
    ]
    candidates = cluster(es)
    ids = [c.id for c in candidates]

    merged = merge(candidates, [[ids[0], ids[1]], [ids[1], ids[2]], [ids[0], ids[0]]])

    assert len(merged) == 1
    assert sorted(e.id for e in merged[0].entries) == sorted(e.id for e in es)


def test_merge_without_groups_returns_the_candidates_unchanged() -> None:
    candidates = cluster([entry("腾讯元宝接入微信"), entry("华为发布昇腾950芯片", "qbitai")])

    assert merge(candidates, []) == candidates
    assert merge(candidates, [["unknown", "also-unknown"]]) == candidates


TITLES = [
    "逐际动力完成2亿美元B轮融资，京东、上汽集团参投",
    "具身智能公司逐际动力宣布获2亿美元B轮融资",
    "OpenAI发布GPT-5.3模型",
    "OpenAI发布Codex macOS应用",
    "OpenAI推出Codex桌面版应用，支持macOS",
    "Waymo raises $16 billion from Alphabet, others to expand service",
    "Waymo raises $16B at $126B valuation",
    "Google unveils Gemini 3 Pro",
    "寒武纪预计首次年度盈利",
]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(TITLES), st.sampled_from(sorted(FEEDS))), max_size=12),
    st.randoms(),
)
def test_clustering_is_a_partition_and_ignores_input_order(
    pairs: list[tuple[str, str]], rnd: random.Random
) -> None:
    entries = [entry(t, f, minutes=i) for i, (t, f) in enumerate(pairs)]
    shuffled = list(entries)
    rnd.shuffle(shuffled)

    first, second = cluster(entries), cluster(shuffled)

    assert first == second
    kept = [e.id + e.feed for c in first for e in c.entries]
    assert len(kept) == len(set(kept))  # no entry twice
    assert {e.id + e.feed for e in entries} == set(kept)  # every (link, feed) kept once
    assert all(c.id == c.lead.id for c in first)


CAMBRICON_A = (
    "寒武纪业绩预告：预计2025年实现上市以来首次年度盈利",
    "寒武纪发布2025年业绩预告，预计营收同比增长4至5倍并实现年度盈利，这是公司成立近10年来首次盈利。",
)
CAMBRICON_B = (
    "寒武纪要赚钱了：预计年度首次盈利，营收暴涨4到5倍",
    "寒武纪发布业绩预告，预计2025年营收同比增长4至5倍并实现首次年度盈利。",
)
GROK_A = (
    "Grok's Deepfake Problem Has Reached Washington",
    "Advocacy groups want federal agencies to stop using xAI's chatbot after it churned out "
    "sexualized images of real people. The government's AI procurement rules may not be up to the job.",
)
GROK_B = (
    "Coalition urges federal agencies to suspend Grok over nonconsensual sexual images",
    "A coalition of nonprofits is asking the US government to stop using xAI’s Grok in federal "
    "agencies after the chatbot generated large volumes of nonconsensual sexual imagery.",
)


def test_titles_too_far_apart_are_one_story_when_their_summaries_say_so() -> None:
    jq = entry(CAMBRICON_A[0], "jiqizhixin", summary=CAMBRICON_A[1])
    qb = entry(CAMBRICON_B[0], "qbitai", summary=CAMBRICON_B[1])
    wired = entry(GROK_A[0], "bloomberg", summary=GROK_A[1])
    tc = entry(GROK_B[0], "techcrunch", summary=GROK_B[1])

    stories = cluster([jq, qb, wired, tc])

    assert sorted({e.id for e in s.entries} for s in stories) == sorted(
        [{jq.id, qb.id}, {wired.id, tc.id}]
    )
    # The titles alone keep the Grok pair apart: the summaries made the difference. The
    # Cambricon pair is one story by its facts too (one company's earnings, once a day).
    bare = [e.model_copy(update={"summary": ""}) for e in (jq, qb, wired, tc)]
    assert sorted({e.id for e in s.entries} for s in cluster(bare)) == sorted(
        [{jq.id, qb.id}, {wired.id}, {tc.id}]
    )


def test_summaries_do_not_join_titles_whose_only_names_are_the_days_common_ones() -> None:
    # Two titles about Grok, loosely alike (they share "deepfake images"), with summaries
    # alike enough to join them through a name both titles give. On a day when Grok is in
    # more titles than COMMON_FEATURE_DF, that name tells nothing: two stories.
    wired = entry("Grok deepfake images alarm advocacy groups", "bloomberg", summary=GROK_A[1])
    tc = entry(
        "Coalition urges federal agencies to suspend Grok over deepfake images",
        "techcrunch",
        summary=GROK_B[1],
    )
    fillers = [
        entry(f"xAI Grok w{n:03d} note {n}", "techcrunch", link=f"https://x.example.com/{n}")
        for n in range(COMMON_FEATURE_DF + 1)
    ]

    stories = cluster([wired, tc, *fillers])

    story_of = {e.id: k for k, s in enumerate(stories) for e in s.entries}
    assert story_of[wired.id] != story_of[tc.id]


def test_two_stories_about_one_company_on_one_day_stay_apart_despite_their_summaries() -> None:
    pairs = [
        (
            entry("OpenAI发布GPT-5", "kr36", summary="OpenAI正式发布GPT-5，称其在编程、数学和写作上全面超越前代模型。"),
            entry("OpenAI完成400亿美元融资", "qbitai", summary="OpenAI宣布完成400亿美元新一轮融资，由软银领投，投后估值达3000亿美元。"),
        ),
        (
            entry("寒武纪发布新一代云端芯片思元690", "kr36", summary="寒武纪发布新一代云端AI芯片思元690，算力较上一代提升3倍，预计二季度量产。"),
            entry(CAMBRICON_B[0], "qbitai", summary=CAMBRICON_B[1]),
        ),
        (
            entry("寒武纪业绩会：2026年将加大大客户与生态投入", "jiqizhixin", summary="寒武纪管理层在业绩说明会上表示，2026年将加大与大客户的联合研发与软件生态投入。"),
            entry(CAMBRICON_A[0], "kr36", summary=CAMBRICON_A[1]),
        ),
        (
            entry("OpenAI launches GPT-5", "bloomberg", summary="OpenAI released GPT-5, saying the model outperforms its predecessors on coding, math and writing."),
            entry("OpenAI raises $40 billion led by SoftBank", "techcrunch", summary="OpenAI said it closed a $40 billion funding round led by SoftBank, valuing the company at $300 billion."),
        ),
    ]  # fmt: skip

    for a, b in pairs:
        assert len(cluster([a, b])) == 2, (a.title, b.title)


def test_the_same_summary_wording_about_two_companies_is_two_stories() -> None:
    template = "{}宣布完成新一轮数亿美元融资，由腾讯领投，资金将用于基座模型研发。"
    a = entry("阶跃星辰完成新一轮融资", "kr36", summary=template.format("阶跃星辰"))
    b = entry("月之暗面完成新一轮融资", "qbitai", summary=template.format("月之暗面"))

    assert len(cluster([a, b])) == 2


def test_a_short_title_inside_another_storys_summary_does_not_join_them() -> None:
    launch = entry("xAI launches Grok 5", "bloomberg")  # no summary: its title is compared
    groups = entry(
        "Groups urge agencies to drop Grok",
        "techcrunch",
        summary="A coalition of nonprofits is asking federal agencies to stop using xAI's Grok "
        "after the chatbot generated sexual images.",
    )

    assert len(cluster([launch, groups])) == 2


def test_a_roundup_whose_summary_opens_with_a_story_is_not_merged_into_it() -> None:
    roundup = entry(
        "36氪早报｜寒武纪预告首次年度盈利；天顿数据获8亿元战略投资",
        "kr36",
        summary="寒武纪发布业绩预告，预计2025年营收同比增长4至5倍并实现首次年度盈利；天顿数据获8亿元战略投资。",
    )
    story = entry(CAMBRICON_B[0], "qbitai", summary=CAMBRICON_B[1])

    assert len(cluster([roundup, story])) == 2


def test_an_outlets_own_report_leads_its_repost_in_a_heavier_feed() -> None:
    # qbitai weighs more, but its item is 36氪's report reposted, linking to 36氪: shown as
    # qbitai's with 36氪's link, the source and the link would disagree.
    link = "https://36kr.com/p/42"
    kr = entry("月之暗面完成新一轮20亿美元融资", "kr36", link=link, minutes=30)
    repost = entry(
        "月之暗面完成新一轮20亿美元融资（转载自36氪）", "qbitai", link=link + "?utm_source=qb"
    )

    (story,) = cluster([repost, kr])

    assert story.lead.id == kr.id
    assert [e.feed for e in story.others] == ["qbitai"]


def test_a_chinese_report_leads_its_story_and_a_piece_that_is_not_news_never_does() -> None:
    bb = entry("Elon Musk Said to Be Merging SpaceX and xAI", "bloomberg", minutes=90)
    tc = entry("Elon Musk's SpaceX acquires xAI to build data centers in space", "techcrunch")
    jq = entry("xAI并入SpaceX：马斯克打造1.25万亿美元的太空AI巨头", "jiqizhixin", minutes=5)
    essay = entry(
        "What's Musk Trying to Achieve With the SpaceX-xAI Deal?", "bloomberg", minutes=95
    )

    (story,) = cluster([bb, tc, jq, essay])

    # The reader sees the Chinese report (its own link and source); the others corroborate.
    assert story.lead.id == jq.id and story.id == jq.id
    assert {e.id for e in story.others} == {bb.id, tc.id, essay.id}


def test_a_roundup_or_review_joined_to_a_story_never_leads_it() -> None:
    review = entry("Kimi深度研究智能体实测：一篇行业研报写了20分钟", "qbitai",
                   summary="我们实测了Kimi新上线的深度研究智能体。")  # fmt: skip
    news = entry("月之暗面Kimi上线深度研究智能体，开放企业版API", "kr36", minutes=30)

    stories = cluster([review, news])

    lead = next(s.lead for s in stories if news.id in {e.id for e in s.entries})
    assert lead.id == news.id


def test_one_event_in_two_languages_and_two_currencies_is_one_story() -> None:
    kr = entry("千问APP投入30亿元启动“春节请客计划”，阿里史上最大春节投入", "kr36")
    qb = entry("阿里30亿请全国人民过年，千问APP要当春节AI入口", "qbitai")
    bb = entry("Alibaba's Qwen App to Spend $420 Million on Lunar New Year Giveaways", "bloomberg")

    (story,) = cluster([kr, qb, bb])

    assert story.source_count == 3


def test_paraphrases_that_share_few_words_are_one_story_by_their_facts() -> None:
    pairs = [
        ("智元机器人完成15亿元新一轮融资，腾讯、红杉中国参投", "智元又融了15亿，估值超过200亿"),
        ("DeepSeek正式发布V4模型，API价格再降一半", "DeepSeek V4深夜上线，代码能力逼近闭源第一梯队"),
        ("宇树科技科创板IPO获证监会同意注册，拟募资50亿元", "宇树拿到IPO批文：王兴兴的机器狗要上科创板了"),
        ("网信办就《人工智能拟人化互动服务管理暂行办法》公开征求意见",
         "AI陪伴类产品迎来专门监管：拟人化互动服务管理办法征求意见稿发布"),
    ]  # fmt: skip
    for a, b in pairs:
        first = entry(a, "kr36", summary="网信办发布征求意见稿。" if "网信办" in a else "")
        second = entry(b, "qbitai", summary="网信办征求意见稿要求……" if "拟人化" in b else "")
        assert len(cluster([first, second])) == 1, (a, b)


def test_one_company_two_events_the_same_day_stay_two_stories() -> None:
    pairs = [
        ("Meta acquires AI chip startup Rivos", "Meta acquires voice AI startup PlayAI"),
        ("华为发布盘古大模型5.5，面向矿山、电力等行业", "华为海思发布新一代手机SoC，NPU算力翻倍"),
        ("Qwen3.5发布：235B旗舰MoE登顶开源榜", "联想发布端侧AI推理一体机，预装Qwen3.5与DeepSeek"),
        ("欧盟就数据法案合理补偿指南征求意见", "欧盟发布数字市场法适用于AI服务的首份报告"),
    ]  # fmt: skip
    for a, b in pairs:
        feeds = ("bloomberg", "techcrunch") if a.isascii() else ("kr36", "qbitai")
        assert len(cluster([entry(a, feeds[0]), entry(b, feeds[1])])) == 2, (a, b)


def test_notes_read_in_a_worker_and_shared_cluster_as_notes_read_here() -> None:
    entries = [
        entry("马斯克宣布将xAI并入SpaceX，合并后估值1.25万亿美元", "jiqizhixin"),
        entry("Elon Musk Said to Be Merging SpaceX and xAI", "bloomberg"),
        entry("Waymo完成160亿美元融资，估值1260亿美元", "kr36"),
        entry("Waymo Raises $16 Billion From Alphabet, Others to Expand Service", "bloomberg"),
        entry("Waymo raises $16B at a $126B valuation as robotaxi race heats up", "techcrunch"),
        entry("8点1氪｜xAI并入SpaceX，合并估值1.25万亿美元；Waymo完成160亿美元融资", "qbitai"),
        entry("Anthropic完成100亿美元融资", "kr36"),
    ]
    shared = Shared()
    # As a run has them: pickled in a worker, one copy of what they share in this process.
    given = {
        note_key(e): shared.unpack(pickle.loads(pickle.dumps(pack(notes_of(e))))) for e in entries
    }

    assert all(given[note_key(e)] == notes_of(e) for e in entries)
    assert cluster(entries, notes=[given[note_key(e)] for e in entries]) == cluster(entries)
    # Given in the entries' order, as a run hands them over; None: read here.
    some = [None if i == 2 else given[note_key(e)] for i, e in enumerate(entries)]
    assert cluster(entries, notes=some) == cluster(entries)
    waymo = [given[note_key(e)].title_key.names for e in entries[2:5]]
    assert waymo[0] & waymo[1] == waymo[1] & waymo[2] == {"waymo"}
    names = [name for n in given.values() for name in n.features.weights]
    assert len({id(name) for name in names}) == len(set(names))  # one copy of each name


def test_a_storys_key_joins_its_titles_keys() -> None:
    titles = [
        "Waymo完成160亿美元融资",
        "Waymo Raises $16 Billion From Alphabet",
        "8点1氪｜xAI并入SpaceX；Waymo完成160亿美元融资",
    ]
    key = story_key(titles)

    assert key.names == title_key(titles[0]).names | title_key(titles[1]).names | {"xai", "spacex"}
    assert key.amounts == title_key(titles[0]).amounts | title_key(titles[1]).amounts
    assert key.zh and not key.roundup
    assert story_key(titles[2:]).roundup


def test_link_groups_come_in_the_order_of_their_leads_whatever_the_input_order() -> None:
    """`cluster` takes the link groups in the order of their leads without sorting them
    again: `_link_groups` of the entries in `order_key` order gives them so."""
    from pipeline.dedupe import _link_groups, order_key

    feeds = list(FEEDS)
    entries = [
        entry(f"标题{k % 37}", feeds[k % len(feeds)], link=f"https://x.example.com/{k % 53}",
              minutes=(k * 7919) % 600)
        for k in range(400)
    ]  # fmt: skip
    for seed in range(5):
        shuffled = random.Random(seed).sample(entries, len(entries))
        groups = _link_groups(sorted(shuffled, key=order_key))
        assert [order_key(g[0]) for g in groups] == sorted(order_key(g[0]) for g in groups)
        assert all(order_key(g[0]) <= order_key(e) for g in groups for e in g)
        assert all(len({e.feed for e in g}) == len(g) for g in groups)  # one entry per feed
        assert [[e.id for e in g] for g in groups] == [
            [e.id for e in g] for g in _link_groups(sorted(entries, key=order_key))
        ]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(TITLES), st.sampled_from(["", " 2026", " 3.5", " v2", " B轮"])),
        min_size=2,
        max_size=14,
    )
)
def test_the_pairs_the_title_index_scores_are_the_alike_pairs_with_their_similarity(
    titled: list[tuple[str, str]],
) -> None:
    """`TitleIndex.scores` (the pairs loop, read title by title) gives each pair that shares
    a telling feature and is at least `floor` alike, with `similarity`'s score: the same
    stories as comparing every such pair one at a time."""
    from pipeline.dedupe import SAME_STORY_THRESHOLD, TitleIndex

    index = TitleIndex([title + extra for title, extra in titled])
    floor = SAME_STORY_THRESHOLD / 2
    scores = index.scores(floor)
    telling = [f & index._telling for f in index.features]
    expected = {
        (i, j): index.similarity(i, j)
        for i in range(len(titled))
        for j in range(i + 1, len(titled))
        if telling[i] & telling[j] and index.similarity(i, j) >= floor
    }
    assert scores.keys() == expected.keys()
    assert all(abs(scores[p] - expected[p]) < 1e-9 for p in scores)
