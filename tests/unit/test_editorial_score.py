"""The editorial bench's scoring: each figure moves when, and only when, the digest shows
what it counts. Without these the bench could pass by measuring nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bench.editorial import (
    Day,
    EntryLabel,
    LabelError,
    highlights,
    is_filler,
    load_day,
    score,
    scorer_terms_in,
)
from pipeline.models import Digest, Entry, Item, ScoreParts, Sections, Window

T = datetime(2026, 3, 12, 0, 0, tzinfo=UTC)
LABELS = [
    EntryLabel("https://36kr.com/p/1", "DeepSeek发布V4", "must", "deepseek-v4", "domestic"),
    EntryLabel("https://qbitai.com/2", "实测DeepSeek V4", "never", "deepseek-v4", "domestic"),
    EntryLabel("https://36kr.com/p/3", "智元融资15亿元", "must", "agibot", "domestic"),
    EntryLabel(
        "https://bloomberg.com/a", "Anthropic Raises $30B", "must", "anthropic", "international"
    ),
    EntryLabel("https://wired.com/b", "The AI Bubble", "never", "essay", "international"),
    EntryLabel(
        "https://36kr.com/p/4", "Anthropic融资300亿美元", "must", "anthropic", "international"
    ),
]


def day(major: dict[str, list[list[str]]] | None = None) -> Day:
    return Day(
        date(2026, 3, 12),
        Path("config.yaml"),
        {lb.link: lb for lb in LABELS},
        major if major is not None else {"anthropic": [["Anthropic"], ["融资"]]},
    )


def item(n: int, link: str, **kw: object) -> Item:
    fields: dict[str, object] = {
        "n": n,
        "id": f"id{n}",
        "title": "t",
        "summary": "3月12日消息，一条中文摘要。",
        "importance": "high",
        "category": "重大商业动态",
        "reason": "3家媒体报道；头部公司完成大额融资。",
        "tags": ["融资", "具身智能"],
        "source": "36氪",
        "feed": "kr36",
        "link": link,
        "published_at": T,
        "score": ScoreParts(total=0.8, parts={"importance": 0.6, "sources": 0.2}),
    }
    fields.update(kw)
    return Item.model_validate(fields)


def digest(domestic: list[Item], international: list[Item], summary: str = "") -> Digest:
    return Digest(
        date="2026-03-12",
        timezone="Asia/Shanghai",
        window=Window(start=T, end=T),
        generated_at=T,
        raw_count=6,
        candidate_count=6,
        sections=Sections(domestic=domestic, international=international),
        summary=summary,
    )


def entry(link: str) -> Entry:
    return Entry(
        id=link, feed="f", source="s", region="domestic", title="t", link=link, published_at=T
    )


def clean() -> Digest:
    """Every must story once, in its section, with Chinese text and topic tags."""
    return digest(
        [item(1, "https://36kr.com/p/1"), item(2, "https://36kr.com/p/3")],
        [item(3, "https://bloomberg.com/a")],
        "今日从6条原始信息中精选出2条国内动态和1条国际动态。重点关注：Anthropic完成300亿美元融资；DeepSeek发布V4。",
    )


def test_a_clean_digest_meets_every_target() -> None:
    s = score(clean(), [entry(lb.link) for lb in LABELS], day(), "heuristic")
    assert (s.must_recall, s.nonnews, s.twice, s.wrong_section) == (1.0, [], [], [])
    assert (s.scorer_terms, s.filler, s.english_intl, s.unlabelled) == ([], [], [], [])
    assert s.major_named == ["anthropic"]
    assert s.misses() == []


def test_a_non_news_lead_counts_once_and_misses_the_target() -> None:
    d = clean()
    d.sections.domestic[0] = item(1, "https://qbitai.com/2")  # the review leads DeepSeek's story
    s = score(d, [], day(), "heuristic")
    assert s.nonnews == ["#1 deepseek-v4"]
    assert any(m.startswith("non-news shown 1") for m in s.misses())


def test_a_story_shown_twice_counts_the_second_item() -> None:
    d = clean()
    d.sections.international.append(item(4, "https://36kr.com/p/4"))  # Anthropic again, in Chinese
    s = score(d, [], day(), "heuristic")
    assert s.twice == ["#4 anthropic"]
    assert any(m.startswith("stories shown twice 1") for m in s.misses())


def test_must_recall_counts_stories_not_items() -> None:
    d = clean()
    d.sections.domestic.pop()  # 智元 is gone
    s = score(d, [], day(), "heuristic")
    assert (s.must_shown, s.must_stories, s.must_missed) == (2, 3, ["agibot"])
    assert s.must_recall == pytest.approx(2 / 3)
    assert any(m.startswith("must-recall 0.67") for m in s.misses())


def test_an_item_in_the_other_section_is_counted() -> None:
    d = clean()
    moved = d.sections.international.pop()
    d.sections.domestic.append(moved)
    assert score(d, [], day(), "heuristic").wrong_section == ["#3 anthropic"]


@pytest.mark.parametrize(
    "reason",
    [
        "命中关键词：上线；涉及：中科曙光",
        "来自 机器之心（权重 1.1）",
        "AI 相关：万卡、集群",
        "截止前 1 小时内发布",
        "importance 0.6, sources 0.2",
        "政策法规与安全议题加权",
    ],
)
def test_a_reason_with_the_scorers_words_is_counted(reason: str) -> None:
    d = clean()
    d.sections.domestic[0] = item(1, "https://36kr.com/p/1", reason=reason)
    s = score(d, [], day(), "heuristic")
    assert s.scorer_terms == ["#1"]
    assert any(m.startswith("reasons with scorer terms 1") for m in s.misses())


@pytest.mark.parametrize(
    "reason",
    [
        "涉及中国核心算力企业（中科曙光）的关键基础设施进入国家级重大工程应用，3家媒体报道。",
        "DeepSeek同步开源模型权重，开源生态再添旗舰。",
        "AI相关法律纠纷升级，可能影响陪伴类产品的合规要求。",
        "企业可在4月30日征求意见截止前提交反馈，义务8月起适用。",
        "在9项基准测试中得分第一，具身智能开源模型再进一步。",
    ],
)
def test_an_editors_reason_has_no_scorer_terms(reason: str) -> None:
    assert scorer_terms_in(reason, ["importance", "sources", "recency"]) == []


def test_filler_tags_are_a_share_of_all_tags() -> None:
    d = clean()
    d.sections.domestic[0] = item(1, "https://36kr.com/p/1", tags=["发布", "AI", "大模型", "开源"])
    s = score(d, [], day(), "heuristic")
    assert sorted(s.filler) == ["AI", "发布"]
    assert s.filler_share == pytest.approx(2 / 8)
    assert any(m.startswith("filler tags 25%") for m in s.misses())


@pytest.mark.parametrize(
    "tag", ["推出", "上线", "引入", "出任", "公测", "交易", "AI", "模型", " ai "]
)
def test_verbs_and_filler_are_filler(tag: str) -> None:
    assert is_filler(tag)


@pytest.mark.parametrize(
    "tag", ["具身智能", "融资", "开源", "监管", "AI+医疗", "寒武纪", "算力", "Hugging Face", "xAI"]
)
def test_topics_and_companies_are_not_filler(tag: str) -> None:
    assert not is_filler(tag)


def test_an_english_only_international_summary_is_counted() -> None:
    d = clean()
    d.sections.international[0] = item(
        3, "https://bloomberg.com/a", summary="Anthropic PBC raised $30 billion."
    )
    assert score(d, [], day(), "heuristic").english_intl == ["#3"]


def test_zhongdian_guanzhu_names_a_story_only_in_chinese() -> None:
    english = (
        "…。重点关注：Anthropic Raises $30 Billion at $380 Billion Valuation；DeepSeek发布V4。"
    )
    d = clean()
    d.summary = english
    s = score(d, [], day(), "heuristic")
    assert s.major_named == []
    assert any(m.startswith("重点关注 names 0 of 1") for m in s.misses())


def test_highlights_are_the_phrases_after_zhongdian_guanzhu() -> None:
    text = "今日从163条原始信息中精选出14条国内动态。重点关注：中科曙光进入重大工程；华为云公测；优必选开源。"
    assert highlights(text) == ["中科曙光进入重大工程", "华为云公测", "优必选开源"]
    assert highlights("今日从3条原始信息中未筛选出符合条件的AI动态。") == []


def test_two_of_three_major_stories_is_enough() -> None:
    major = {
        "anthropic": [["Anthropic"]],
        "deepseek-v4": [["DeepSeek"], ["V4"]],
        "agibot": [["智元"]],
    }
    s = score(clean(), [], day(major), "heuristic")
    assert sorted(s.major_named) == ["anthropic", "deepseek-v4"]
    assert not any("重点关注" in m for m in s.misses())


def test_an_unlabelled_entry_makes_the_labels_stale() -> None:
    s = score(clean(), [entry("https://36kr.com/p/999")], day(), "heuristic")
    assert s.unlabelled == ["https://36kr.com/p/999"]
    assert any(m.startswith("unlabelled entries 1") for m in s.misses())


def test_labels_match_links_canonicalised() -> None:
    d = clean()
    d.sections.domestic[0] = item(1, "https://36kr.com/p/1?utm_source=rss")
    s = score(d, [entry("https://36kr.com/p/1?utm_source=rss")], day(), "heuristic")
    assert s.unlabelled == [] and s.must_shown == 3


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "labels.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_day_reads_labels_and_major(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "date: 2026-03-12\nconfig: c.yaml\nmajor:\n  a: ['xAI', 'SpaceX|太空']\n"
        "entries:\n- {link: 'https://x.com/1', label: must, story: a, section: international}\n",
    )
    d = load_day(path)
    assert d.date == date(2026, 3, 12) and d.config == (tmp_path / "c.yaml").resolve()
    assert d.major == {"a": [["xAI"], ["SpaceX", "太空"]]}
    assert d.must_stories() == {"a"}


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ("- {link: 'https://x.com/1', label: maybe, story: a, section: domestic}", "label 'maybe'"),
        ("- {link: 'https://x.com/1', label: ok, story: a, section: abroad}", "section 'abroad'"),
        ("- {link: 'https://x.com/1', label: ok, section: domestic}", "missing story"),
        (
            "- {link: 'https://x.com/1', label: ok, story: a, section: domestic}\n"
            "- {link: 'https://x.com/1?utm_source=rss', label: ok, story: a, section: domestic}",
            "labelled twice",
        ),
    ],
)
def test_load_day_names_a_bad_label(tmp_path: Path, entries: str, message: str) -> None:
    path = write(tmp_path, f"date: 2026-03-12\nconfig: c.yaml\nentries:\n{entries}\n")
    with pytest.raises(LabelError, match=message):
        load_day(path)


def test_load_day_rejects_a_major_story_with_no_entry(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "date: 2026-03-12\nconfig: c.yaml\nmajor:\n  ghost: ['x']\n"
        "entries:\n- {link: 'https://x.com/1', label: ok, story: a, section: domestic}\n",
    )
    with pytest.raises(LabelError, match="major story 'ghost'"):
        load_day(path)


def test_the_bench_says_which_day_it_cannot_find(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.editorial import main

    assert main(["--day", "1999-01-01"]) == 2
    assert "no labelled day matches ['1999-01-01']" in capsys.readouterr().err
