"""Telegram HTML: valid markup, every feed string escaped, split at items within 4096 UTF-16 units."""

from __future__ import annotations

import re

from pipeline.models import Digest, Item, Mention
from pipeline.render import View, render_telegram, render_telegram_why, telegram_plain
from pipeline.render.telegram import LIMIT, utf16_len
from tests.factories import make_digest, make_item
from tests.unit.render_checks import check_telegram_html

NUMBER = re.compile(r"^(\d+)\. (?:🔥|📌|📄) ", re.M)


def _with_domestic(items: list[Item]) -> Digest:
    digest = make_digest(0, 0)
    return digest.model_copy(
        update={"sections": digest.sections.model_copy(update={"domestic": items})}
    )


def test_full_digest_splits_at_items_and_keeps_every_item_whole() -> None:
    digest = make_digest()
    messages = render_telegram(digest)
    assert len(messages) > 1
    numbers: list[int] = []
    for message in messages:
        assert utf16_len(message) <= LIMIT
        check_telegram_html(message)
        numbers += [int(n) for n in NUMBER.findall(message)]
        # An item never leaves its source line behind in another message.
        assert message.count("📰 ") == len(NUMBER.findall(message))
    assert numbers == list(range(1, 28))
    assert messages[0].startswith("<b>AI每日动态 · 2026-02-03</b>")
    assert f"📊 <b>今日总结</b>：{digest.summary}" in messages[-1]


def test_full_item_carries_reason_source_link_tags_and_other_sources() -> None:
    text = "\n".join(render_telegram(make_digest()))
    assert (
        '📰 <a href="https://www.leiphone.com/category/zaobao/HEnTXDsNSvALTBhx.html">AI科技评论</a>'
        in text
    )
    assert "📋 <i>重大学术突破：中国领先的机器人公司优必选" in text
    assert "🏷️ 具身智能大模型, 开源, SOTA性能" in text
    assert (
        '🔁 同时报道：<a href="https://www.jiqizhixin.com/articles/2026-02-03-4">机器之心</a>'
        in text
    )


def test_brief_view_is_one_line_per_item_top_of_each_section() -> None:
    messages = render_telegram(make_digest(), View(brief=True, brief_count=4))
    assert len(messages) == 1
    check_telegram_html(messages[0])
    assert [int(n) for n in NUMBER.findall(messages[0])] == [1, 2, 3, 4, 15, 16, 17, 18]
    assert "📋" not in messages[0]
    line = next(x for x in messages[0].split("\n") if x.startswith("15. "))
    assert line.endswith(
        '（<a href="https://techcrunch.com/2026/02/02/elon-musk-spacex-acquires-xai-data-centers-space-merger/">TechCrunch AI</a>）'
    )


def test_section_view_and_note() -> None:
    messages = render_telegram(
        make_digest(), View(section="international", note="以下为 2026-02-02 的日报")
    )
    text = "\n".join(messages)
    assert messages[0].startswith("<i>以下为 2026-02-02 的日报</i>\n<b>AI每日动态")
    assert "【国内动态】" not in text
    assert [int(n) for n in NUMBER.findall(text)] == list(range(15, 28))


def test_hostile_feed_text_is_escaped_and_non_http_link_is_not_linked() -> None:
    item = make_item(
        summary='<b>免费</b> & "抢" <a href="https://evil.example">点</a>',
        source="<script>alert(1)</script>",
        link="javascript:alert(1)",
        tags=["<i>", "&amp;"],
    )
    messages = render_telegram(_with_domestic([item]))
    parsed = check_telegram_html(messages[0])
    assert "javascript" not in "".join(parsed.hrefs)
    assert '<b>免费</b> & "抢"' in parsed.text
    assert "<script>alert(1)</script>" in parsed.text  # shown, not linked
    assert "&lt;i&gt;, &amp;amp;" in messages[0]


def test_an_item_longer_than_a_message_is_clipped_not_broken() -> None:
    item = make_item(summary="很长的摘要<&>" * 2000, reason="理由" * 3000)
    messages = render_telegram(_with_domestic([item]))
    assert all(utf16_len(m) <= LIMIT for m in messages)
    (block,) = [m for m in messages if "1. 🔥" in m]
    parsed = check_telegram_html(block)
    assert "…" in parsed.text and "📰 " in parsed.text
    assert "1. 🔥 很长的摘要<&>" in parsed.text


def test_emoji_count_twice_toward_the_limit() -> None:
    item = make_item(summary="🔥" * 3000)  # 3000 characters, 6000 UTF-16 units
    messages = render_telegram(_with_domestic([item]))
    assert all(utf16_len(m) <= LIMIT for m in messages)
    assert all(len(m) <= LIMIT for m in messages)


def test_empty_digest_says_so() -> None:
    messages = render_telegram(make_digest(0, 0))
    assert "本时段内没有符合条件的AI动态。" in messages[0]
    check_telegram_html(messages[0])


def test_why_answer_has_every_field_in_one_message() -> None:
    digest = make_digest()
    item = digest.item(3)
    assert item is not None
    (answer,) = render_telegram_why(digest, item)
    parsed = check_telegram_html(answer)
    for expected in (
        "第 3 条 · 🔥 高重要性",
        "分类：重大学术突破",
        "标签：具身智能大模型, 开源, SOTA性能",
        "来源：AI科技评论",
        "同时报道：机器之心, 量子位",
        "评分：总分 0.87（重要性 0.60 · 多源报道 0.15 · 时效 0.12）",
        "日报日期：2026-02-03",
        item.reason,
        item.title,
    ):
        assert expected in parsed.text
    assert "https://www.qbitai.com/2026/02/368812.html" in parsed.hrefs


def test_many_other_sources_are_counted_not_listed() -> None:
    others = [
        Mention(source=f"来源{i}", feed=f"f{i}", link=f"https://e.com/{i}", title="t")
        for i in range(9)
    ]
    (answer,) = render_telegram_why(make_digest(), make_item(also_reported_by=others))
    assert "来源4</a> 等 9 家" in answer and "来源5" not in answer


def test_plain_text_is_escaped_and_split_at_line_ends() -> None:
    text = "\n".join(f"/why {i} <N> 看第 N 条 & 原因" for i in range(400))
    messages = telegram_plain(text)
    assert len(messages) > 1
    for message in messages:
        assert utf16_len(message) <= LIMIT
        check_telegram_html(message)
    joined = "\n".join(messages)
    assert "/why 0 &lt;N&gt; 看第 N 条 &amp; 原因" in joined
    assert joined.count("\n") == 399  # no line was cut: the splits are the line ends


def test_plain_text_line_longer_than_a_message_is_cut_between_characters() -> None:
    messages = telegram_plain("&" * 5000)
    assert all(utf16_len(m) <= LIMIT for m in messages)
    assert "".join(messages) == "&amp;" * 5000
    assert telegram_plain("") == []
