"""Selection: quotas, ranking, per-feed diversity, numbering, reorder and the day summary."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import DigestSettings
from pipeline.ids import entry_id
from pipeline.models import Candidate, Entry, Judgement, Region, ScoreParts, Sections
from pipeline.select import day_summary, pool, reorder, select

T0 = datetime(2026, 2, 3, 0, 0, tzinfo=UTC)
NAMES = {
    "kr36": "36氪",
    "jiqizhixin": "机器之心",
    "qbitai": "量子位",
    "bloomberg": "Bloomberg",
    "wired": "Wired AI",
}


def entry(feed: str, key: str, minutes: int = 0, region: Region = "domestic") -> Entry:
    link = f"https://{feed}.example.com/p/{key}"
    return Entry(
        id=entry_id(link), feed=feed, source=NAMES[feed], region=region, title=f"标题{key}",
        link=link, published_at=T0 - timedelta(minutes=minutes),
    )  # fmt: skip


def cand(
    feed: str, key: str, *others: Entry, minutes: int = 0, region: Region = "domestic"
) -> Candidate:
    lead = entry(feed, key, minutes, region)
    return Candidate(id=lead.id, lead=lead, others=list(others))


def judged(
    c: Candidate, total: float, region: Region | None = None, importance: str = "medium"
) -> Judgement:
    return Judgement(
        importance=importance,
        category="重大产品发布",
        reason="2家媒体报道；华为发布新品，头部企业在算力领域的新发布。",
        tags=["华为", "算力"],
        summary=f"2月3日消息，{c.lead.title}。",
        region=region or c.lead.region,
        score=ScoreParts(total=total, parts={"category": total}),
    )


def cfg(domestic: int = 14, international: int = 13, max_per_feed: int = 6) -> DigestSettings:
    return DigestSettings(domestic=domestic, international=international, max_per_feed=max_per_feed)


def test_sections_follow_the_judgements_region_and_rank_by_score() -> None:
    a, b = cand("kr36", "a"), cand("jiqizhixin", "b")
    c = cand("bloomberg", "c", region="international")
    d = cand("kr36", "d")  # a domestic feed, but the curator says international
    judgements = {
        a.id: judged(a, 0.5),
        b.id: judged(b, 0.9),
        c.id: judged(c, 0.7),
        d.id: judged(d, 0.8, "international"),
    }

    sections = select([a, b, c, d], judgements, cfg())

    assert [it.id for it in sections.domestic] == [b.id, a.id]
    assert [it.id for it in sections.international] == [d.id, c.id]
    assert [it.n for it in (*sections.domestic, *sections.international)] == [1, 2, 3, 4]


def test_a_piece_that_is_not_news_never_becomes_an_item_whatever_its_score() -> None:
    news, essay = cand("kr36", "news"), cand("wired", "essay", region="international")
    judgements = {
        news.id: judged(news, 0.5),
        essay.id: judged(essay, 0.99).model_copy(update={"news": False}),
    }

    sections = select([news, essay], judgements, cfg())

    assert [it.id for it in (*sections.domestic, *sections.international)] == [news.id]


def test_quotas_cut_each_section() -> None:
    dom = [cand("kr36", f"d{i}") for i in range(5)]
    intl = [cand("bloomberg", f"i{i}", region="international") for i in range(5)]
    judgements = {c.id: judged(c, 0.1 * i) for i, c in enumerate(dom + intl)}

    sections = select(dom + intl, judgements, cfg(domestic=2, international=3, max_per_feed=10))

    assert [it.id for it in sections.domestic] == [dom[4].id, dom[3].id]
    assert [it.id for it in sections.international] == [intl[4].id, intl[3].id, intl[2].id]


def test_ties_go_to_the_newer_story_then_the_id() -> None:
    old, new = cand("kr36", "old", minutes=60), cand("jiqizhixin", "new", minutes=1)
    same_a, same_b = cand("qbitai", "x", minutes=30), cand("qbitai", "y", minutes=30)
    everyone = [old, new, same_a, same_b]
    judgements = {c.id: judged(c, 0.5) for c in everyone}

    ids = [it.id for it in select(everyone, judgements, cfg()).domestic]

    assert ids == [new.id, *sorted([same_a.id, same_b.id]), old.id]


def test_one_feed_cannot_fill_a_section_while_others_wait() -> None:
    loud = [cand("kr36", f"k{i}") for i in range(5)]
    quiet = [cand("jiqizhixin", "j0"), cand("qbitai", "q0")]
    judgements = {c.id: judged(c, 0.9 - 0.01 * i) for i, c in enumerate(loud)}
    judgements |= {c.id: judged(c, 0.1) for c in quiet}

    sections = select(loud + quiet, judgements, cfg(domestic=4, max_per_feed=2))

    feeds = [it.feed for it in sections.domestic]
    assert sorted(feeds) == ["jiqizhixin", "kr36", "kr36", "qbitai"]
    assert [it.id for it in sections.domestic][:2] == [loud[0].id, loud[1].id]


def test_the_rest_is_filled_from_capped_feeds_when_nothing_else_waits() -> None:
    loud = [cand("kr36", f"k{i}") for i in range(5)]
    quiet = cand("qbitai", "q0")
    judgements = {c.id: judged(c, 0.9 - 0.01 * i) for i, c in enumerate(loud)} | {
        quiet.id: judged(quiet, 0.1)
    }

    sections = select([*loud, quiet], judgements, cfg(domestic=4, max_per_feed=2))

    assert [it.id for it in sections.domestic] == [loud[0].id, loud[1].id, loud[2].id, quiet.id]


def test_candidates_without_a_judgement_are_skipped() -> None:
    a, b = cand("kr36", "a"), cand("jiqizhixin", "b")

    sections = select([a, b], {b.id: judged(b, 0.3)}, cfg())

    assert [it.id for it in sections.domestic] == [b.id]


def test_items_come_from_the_lead_entry_and_others_become_mentions() -> None:
    same_feed = entry("kr36", "dup")
    jq1, jq2, qb = entry("jiqizhixin", "j1"), entry("jiqizhixin", "j2"), entry("qbitai", "q1")
    c = cand("kr36", "lead", same_feed, jq1, jq2, qb)

    (item,) = select([c], {c.id: judged(c, 0.8, importance="high")}, cfg()).domestic

    lead = c.lead
    assert (item.id, item.link, item.source, item.feed, item.title, item.published_at) == (
        lead.id, lead.link, lead.source, lead.feed, lead.title, lead.published_at,
    )  # fmt: skip
    assert item.summary == f"2月3日消息，{lead.title}。" and item.importance == "high"
    # one report per OTHER source: the lead's own feed is not "also reported by"
    assert [(m.feed, m.link) for m in item.also_reported_by] == [
        ("jiqizhixin", jq1.link), ("qbitai", qb.link),
    ]  # fmt: skip


def test_reorder_puts_named_items_first_within_their_section_and_renumbers() -> None:
    dom = [cand("kr36", f"d{i}") for i in range(4)]
    intl = [cand("bloomberg", f"i{i}", region="international") for i in range(2)]
    judgements = {c.id: judged(c, 0.9 - 0.1 * i) for i, c in enumerate(dom + intl)}
    sections = select(dom + intl, judgements, cfg(max_per_feed=10))

    out = reorder(sections, [intl[1].id, dom[2].id, "unknown", dom[0].id, dom[2].id])

    assert [it.id for it in out.domestic] == [dom[2].id, dom[0].id, dom[1].id, dom[3].id]
    assert [it.id for it in out.international] == [intl[1].id, intl[0].id]
    assert [it.n for it in (*out.domestic, *out.international)] == [1, 2, 3, 4, 5, 6]


def test_reorder_with_no_order_keeps_the_score_order() -> None:
    dom = [cand("kr36", f"d{i}") for i in range(3)]
    sections = select(dom, {c.id: judged(c, 0.5 - 0.1 * i) for i, c in enumerate(dom)}, cfg())

    assert reorder(sections, None) == sections
    assert reorder(sections, []) == sections


def test_day_summary_counts_sections_and_high_items_and_lists_highlights() -> None:
    dom = [cand("kr36", f"d{i}") for i in range(3)]
    intl = [cand("bloomberg", "i0", region="international")]
    judgements = {
        c.id: judged(c, 0.8, importance="high" if i < 2 else "low")
        for i, c in enumerate(dom + intl)
    }
    sections = select(dom + intl, judgements, cfg())

    text = day_summary(
        163,
        sections,
        [
            "中科曙光scaleX万卡超集群进入重大工程应用阶段",
            "华为云智慧医疗专区开放公测。",
            "优必选Thinker开源",
        ],
    )

    assert text == (
        "今日从163条原始信息中精选出3条国内动态和1条国际动态，其中2条为高重要性。"
        "重点关注：中科曙光scaleX万卡超集群进入重大工程应用阶段；华为云智慧医疗专区开放公测；优必选Thinker开源。"
    )


def test_day_summary_without_highlights_has_no_focus_part() -> None:
    c = cand("kr36", "a")
    sections = select([c], {c.id: judged(c, 0.3, importance="low")}, cfg())

    assert (
        day_summary(5, sections, [])
        == "今日从5条原始信息中精选出1条国内动态和0条国际动态，其中0条为高重要性。"
    )


def test_day_summary_of_an_empty_digest_says_nothing_qualified() -> None:
    assert (
        day_summary(12, Sections(), ["不该出现"])
        == "今日从12条原始信息中未筛选出符合条件的AI动态。"
    )


# -- the day's pool: what was judged news but left out ---------------------------------


def test_the_pool_is_every_news_story_left_out_numbered_after_the_digest() -> None:
    dom = [cand("kr36", f"d{i}") for i in range(4)]
    intl = [cand("bloomberg", f"i{i}", region="international") for i in range(3)]
    essay = cand("wired", "essay", region="international")
    judgements = {c.id: judged(c, round(0.9 - 0.1 * i, 2)) for i, c in enumerate(dom)}
    judgements |= {c.id: judged(c, round(0.8 - 0.1 * i, 2)) for i, c in enumerate(intl)}
    judgements[essay.id] = judged(essay, 0.2).model_copy(update={"news": False})
    everyone = [*dom, *intl, essay]
    limits = cfg(domestic=2, international=1, max_per_feed=10)
    sections = select(everyone, judgements, limits)

    left = pool(everyone, judgements, sections)

    # the digest has 3 items; the pool goes on at 4: domestic first, each by rank
    assert [(it.n, it.id, it.section) for it in left] == [
        (4, dom[2].id, "domestic"),
        (5, dom[3].id, "domestic"),
        (6, intl[1].id, "international"),
        (7, intl[2].id, "international"),
    ]
    # 入选线: the score of the section's last pick; each one's margin below it
    assert [(it.cutoff, it.score.total) for it in left] == [
        (0.8, 0.7),
        (0.8, 0.6),
        (0.8, 0.7),
        (0.8, 0.6),
    ]
    assert [it.margin for it in left] == [0.1, 0.2, 0.1, 0.2] and not any(it.capped for it in left)
    # a left-out story is shown as an item would be: the lead's link, the judgement's text
    assert left[0].link == dom[2].lead.link and left[0].summary == judgements[dom[2].id].summary


def test_a_story_above_the_line_kept_out_by_the_feed_cap_says_so() -> None:
    loud = [cand("kr36", f"k{i}") for i in range(3)]
    quiet = cand("qbitai", "q0")
    judgements = {c.id: judged(c, round(0.9 - 0.1 * i, 2)) for i, c in enumerate(loud)}
    judgements[quiet.id] = judged(quiet, 0.3)
    sections = select([*loud, quiet], judgements, cfg(domestic=3, max_per_feed=2))

    (left,) = pool([*loud, quiet], judgements, sections)

    assert left.id == loud[2].id and left.capped
    assert (left.score.total, left.cutoff) == (0.7, 0.3) and left.margin < 0


def test_the_pool_is_bounded_per_section_and_empty_without_a_line() -> None:
    dom = [cand("kr36", f"d{i}") for i in range(30)]
    intl = [cand("bloomberg", f"i{i}", region="international") for i in range(5)]
    judgements = {c.id: judged(c, 0.5 - 0.01 * i) for i, c in enumerate(dom + intl)}
    sections = select(dom + intl, judgements, cfg(domestic=5, international=0, max_per_feed=50))

    left = pool(dom + intl, judgements, sections, limit=10)

    # a section that takes nothing has no line to miss: its stories are not "left out"
    assert [it.section for it in left] == ["domestic"] * 10
    assert [it.id for it in left] == [c.id for c in dom[5:15]]
    assert [it.n for it in left] == list(range(6, 16))


FEED_IDS = sorted(NAMES)


@st.composite
def days(draw: st.DrawFn) -> tuple[list[Candidate], dict[str, Judgement], DigestSettings]:
    n = draw(st.integers(0, 25))
    cands: list[Candidate] = []
    judgements: dict[str, Judgement] = {}
    for i in range(n):
        region: Region = draw(st.sampled_from(["domestic", "international"]))
        extra = [
            entry(draw(st.sampled_from(FEED_IDS)), f"o{i}-{k}")
            for k in range(draw(st.integers(0, 2)))
        ]
        c = cand(
            draw(st.sampled_from(FEED_IDS)),
            f"c{i}",
            *extra,
            minutes=draw(st.integers(0, 600)),
            region=region,
        )
        cands.append(c)
        if draw(st.booleans()) or i % 3:
            total = draw(st.floats(0, 1, allow_nan=False))
            judgements[c.id] = judged(
                c, total, draw(st.sampled_from(["domestic", "international"]))
            )
    limits = cfg(draw(st.integers(0, 8)), draw(st.integers(0, 8)), draw(st.integers(1, 4)))
    return cands, judgements, limits


@settings(max_examples=150, deadline=None)
@given(days())
def test_numbering_quotas_and_links_hold_for_any_day(
    day: tuple[list[Candidate], dict[str, Judgement], DigestSettings],
) -> None:
    cands, judgements, limits = day
    by_id = {c.id: c for c in cands}

    sections = select(cands, judgements, limits)

    items = [*sections.domestic, *sections.international]
    assert [it.n for it in items] == list(range(1, len(items) + 1))
    assert (
        len(sections.domestic) <= limits.domestic
        and len(sections.international) <= limits.international
    )
    for section in ("domestic", "international"):
        eligible = [c for c in cands if c.id in judgements and judgements[c.id].region == section]
        assert len(sections.of(section)) == min(len(eligible), getattr(limits, section))
        assert all(judgements[it.id].region == section for it in sections.of(section))
        chosen = sections.of(section)
        per_feed = Counter(it.feed for it in chosen)
        if any(count > limits.max_per_feed for count in per_feed.values()):
            # A feed went past its cap only because no candidate of another feed was left waiting.
            left = [c for c in eligible if c.id not in {it.id for it in chosen}]
            assert all(per_feed[c.lead.feed] >= limits.max_per_feed for c in left)
    for it in items:
        assert it.link == by_id[it.id].lead.link and it.source == by_id[it.id].lead.source
    assert len({it.id for it in items}) == len(items)

    left = pool(cands, judgements, sections)
    assert [it.n for it in left] == list(range(len(items) + 1, len(items) + len(left) + 1))
    assert not {it.id for it in left} & {it.id for it in items}
    for it in left:
        assert judgements[it.id].news and judgements[it.id].region == it.section
        assert it.link == by_id[it.id].lead.link
        line = [x.score.total for x in sections.of(it.section)]
        assert it.cutoff == min(line) and (it.capped or it.score.total <= it.cutoff)
    order = [it.id for it in reversed(items)]
    again = reorder(sections, order)
    assert [it.n for it in (*again.domestic, *again.international)] == list(
        range(1, len(items) + 1)
    )
    assert {it.id for it in again.domestic} == {it.id for it in sections.domestic}
