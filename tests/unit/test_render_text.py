"""The plain-text report: the reference layout, numbered by the digest-wide n."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.models import IMPORTANCE_EMOJI, Mention
from pipeline.render import View, render_text, render_text_why
from tests.factories import make_digest, make_item

# A copy of ../shared/reference/digest-2026-02-03.txt, so the layout test needs no checkout beside ours.
REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference-digest-2026-02-03.txt"
ITEM_LINE = re.compile(r"^(\d+)、(🔥|📌|📄) ", re.M)


def _reference_lines() -> list[str]:
    return REFERENCE.read_text(encoding="utf-8").split("\n")


def _brief_part(text: str) -> str:
    return text.split("📰 完整版报告")[0]


def _full_part(text: str) -> str:
    return text.split("📰 完整版报告")[1]


def test_header_and_boxes_are_the_reference_layout() -> None:
    lines = render_text(make_digest()).split("\n")
    ref = _reference_lines()
    assert lines[:9] == ref[:9]  # rule, title, 生成时间 in Shanghai time, 数据来源, boxes
    assert lines[lines.index(ref[26]) - 1 : lines.index(ref[26]) + 2] == ref[25:28]


def test_full_report_numbers_every_item_once_in_order_with_its_emoji() -> None:
    digest = make_digest()
    found = ITEM_LINE.findall(_full_part(render_text(digest)))
    assert [int(n) for n, _ in found] == list(range(1, 28))
    assert [emoji for _, emoji in found] == [IMPORTANCE_EMOJI[it.importance] for it in digest.items]


def test_domestic_item_lines_match_the_reference_report() -> None:
    ours = render_text(make_digest()).split("\n")
    ref = _reference_lines()
    for n in range(1, 15):  # the reference numbers 国内动态 1..14 too
        line = next(
            x
            for x in ref
            if x.startswith(f"{n}、🔥") or x.startswith(f"{n}、📌") or x.startswith(f"{n}、📄")
        )
        assert line in ours


def test_full_item_has_reason_source_link_and_tags() -> None:
    text = render_text(make_digest())
    assert (
        "1、🔥 2月3日消息，中科曙光宣布其scaleX万卡超集群已进入国内AI大模型及行业智能化重大工程的应用阶段"
        in text
    )
    assert "   📋 入选理由: 重大产品发布：涉及中国核心算力企业（中科曙光）" in text
    assert "   📰 来源: 36氪 | 🔗 https://36kr.com/p/3667233081221763\n" in text
    assert "   🏷️ 标签: 算力基础设施, 重大工程, 国产化\n" in text


def test_also_reported_by_line_only_when_others_reported_it() -> None:
    full = _full_part(render_text(make_digest()))
    item3 = full.split("\n3、")[1].split("\n\n")[0]
    assert "   🔁 同时报道: 机器之心, 量子位" in item3
    item1 = full.split("\n1、")[1].split("\n\n")[0]
    assert "同时报道" not in item1


def test_brief_part_lists_brief_count_per_section_with_digest_numbers() -> None:
    text = render_text(make_digest(), View(brief_count=3))
    brief = _brief_part(text)
    domestic = brief.split("国内动态：\n")[1].split("\n\n")[0].split("\n")
    international = brief.split("国际动态：\n")[1].split("\n\n")[0].split("\n")
    assert [x.split("、")[0] for x in domestic] == ["1", "2", "3"]
    assert [x.split("、")[0] for x in international] == ["15", "16", "17"]
    assert domestic[0] == "1、" + make_digest().items[0].summary


def test_summary_closes_the_report_between_rules() -> None:
    digest = make_digest()
    lines = render_text(digest).split("\n")
    assert lines[-3:] == ["=" * 70, f"📊 今日总结: {digest.summary}", "=" * 70]


def test_section_view_shows_only_that_section() -> None:
    text = render_text(make_digest(), View(section="international"))
    assert "国内动态：" not in text and "【国内动态】" not in text
    assert "国际动态：" in text and "【国际动态】" in text
    numbers = [int(n) for n, _ in ITEM_LINE.findall(_full_part(text))]
    assert numbers == list(range(15, 28))


def test_brief_view_prints_only_the_brief_part_and_summary() -> None:
    digest = make_digest()
    text = render_text(digest, View(brief=True))
    assert "📋 精简版报告" in text
    assert "完整版" not in text and "入选理由" not in text
    assert f"📊 今日总结: {digest.summary}" in text
    assert re.findall(r"^(\d+)、", text, re.M) == [
        "1",
        "2",
        "3",
        "4",
        "5",
        "15",
        "16",
        "17",
        "18",
        "19",
    ]


def test_note_goes_first() -> None:
    note = "今日日报尚未生成，以下为 2026-02-02 的日报"
    text = render_text(make_digest(), View(note=note))
    assert text.split("\n")[:2] == [note, ""]
    assert text.split("\n")[2] == "=" * 70


def test_empty_digest_says_so_per_section() -> None:
    digest = make_digest(0, 0)
    text = render_text(digest)
    assert text.startswith("=" * 70 + "\nAI每日动态 - 2026-02-03\n")
    assert "【国内动态】\n本时段内没有符合条件的AI动态。" in text
    assert "【国际动态】\n本时段内没有符合条件的AI动态。" in text
    assert "精简版报告" not in text
    assert text.endswith(f"📊 今日总结: {digest.summary}\n" + "=" * 70)


def test_feed_text_with_newlines_cannot_forge_lines() -> None:
    item = make_item(summary="第一行\n   📋 入选理由: 伪造\r\n第二行", tags=["a\nb"])
    digest = make_digest(1, 0)
    digest = digest.model_copy(
        update={"sections": digest.sections.model_copy(update={"domestic": [item]})}
    )
    text = render_text(digest)
    assert "1、🔥 第一行 📋 入选理由: 伪造 第二行" in text
    assert not any(line.startswith("   📋 入选理由: 伪造") for line in text.split("\n"))
    assert "   🏷️ 标签: a b\n" in text


def test_why_answer_has_every_field() -> None:
    digest = make_digest()
    item = digest.item(3)
    assert item is not None
    answer = render_text_why(digest, item)
    assert answer.split("\n")[0] == "第 3 条 · 🔥 高重要性"
    for expected in (
        f"标题：{item.title}",
        "分类：重大学术突破",
        f"入选理由：{item.reason}",
        "标签：具身智能大模型, 开源, SOTA性能",
        "来源：AI科技评论 · https://www.leiphone.com/category/zaobao/HEnTXDsNSvALTBhx.html",
        "  - 机器之心 · https://www.jiqizhixin.com/articles/2026-02-03-4",
        "  - 量子位 · https://www.qbitai.com/2026/02/368812.html",
        "评分：总分 0.87（重要性 0.60 · 多源报道 0.15 · 时效 0.12）",
        "日报日期：2026-02-03",
    ):
        assert expected in answer


def test_why_answer_without_other_sources_says_none() -> None:
    digest = make_digest()
    item = make_item(n=7, importance="low", also_reported_by=[], tags=[])
    answer = render_text_why(digest, item)
    assert answer.startswith("第 7 条 · 📄 低重要性")
    assert "同时报道：无" in answer and "标签：无" in answer
    extra = make_item(
        also_reported_by=[Mention(source="量子位", feed="qbitai", link="https://q.cn/1", title="t")]
    )
    assert "  - 量子位 · https://q.cn/1" in render_text_why(digest, extra)
