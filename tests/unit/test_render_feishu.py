"""Feishu cards: schema 1.0, escaped feed text, http(s)-only links, split within the size limits."""

from __future__ import annotations

import re

from pipeline.models import Digest, Item
from pipeline.render import View, feishu_plain, render_feishu, render_feishu_why
from pipeline.render.feishu import card_size
from tests.factories import make_digest, make_item
from tests.unit.render_checks import check_feishu_escaped, feishu_links

NUMBER = re.compile(r"^\*\*(\d+)\.\*\* ", re.M)


def _contents(cards: list[dict]) -> list[str]:
    return [el["content"] for card in cards for el in card["elements"] if el["tag"] == "markdown"]


def _with_domestic(items: list[Item]) -> Digest:
    digest = make_digest(0, 0)
    return digest.model_copy(
        update={"sections": digest.sections.model_copy(update={"domestic": items})}
    )


def test_reference_day_is_one_card_of_schema_1_0() -> None:
    (card,) = render_feishu(make_digest())
    assert set(card) == {"config", "header", "elements"}  # 1.0: no "schema", no "body"
    assert card["header"]["title"] == {"tag": "plain_text", "content": "AI每日动态 · 2026-02-03"}
    assert card["header"]["template"] == "blue"
    assert {el["tag"] for el in card["elements"]} <= {"markdown", "hr"}
    assert card_size(card) <= 20_000


def test_items_are_numbered_in_order_with_source_link_reason_and_tags() -> None:
    digest = make_digest()
    contents = _contents(render_feishu(digest))
    numbers = [int(n) for c in contents for n in NUMBER.findall(c)]
    assert numbers == list(range(1, 28))
    third = next(c for c in contents if c.startswith("**3.**"))
    assert third.startswith("**3.** 🔥 2月3日消息，优必选宣布")
    assert (
        "\n来源：[AI科技评论](https://www.leiphone.com/category/zaobao/HEnTXDsNSvALTBhx.html)"
        in third
    )
    assert "\n📋 重大学术突破：中国领先的机器人公司优必选" in third
    assert "\n🏷️ 具身智能大模型, 开源, SOTA性能" in third
    assert "[机器之心](https://www.jiqizhixin.com/articles/2026-02-03-4)" in third
    assert "**【国内动态】**" in contents and "**【国际动态】**" in contents
    assert contents[-1] == f"📊 **今日总结**：{digest.summary}"


def test_brief_and_section_views() -> None:
    contents = _contents(render_feishu(make_digest(), View(brief=True, section="international")))
    numbers = [int(n) for c in contents for n in NUMBER.findall(c)]
    assert numbers == [15, 16, 17, 18, 19]
    assert "**【国际动态】**（精简版）" in contents
    assert not any("📋" in c for c in contents)


def test_large_digest_splits_into_numbered_cards_at_item_boundaries() -> None:
    digest = make_digest(40, 40)
    for for_webhook, limit in ((True, 20_000), (False, 30_000)):
        cards = render_feishu(digest, for_webhook=for_webhook)
        assert len(cards) > 1
        total = len(cards)
        for i, card in enumerate(cards, 1):
            assert card["header"]["title"]["content"] == f"AI每日动态 · 2026-02-03（{i}/{total}）"
            assert card_size(card) <= limit
        numbers = [int(n) for c in _contents(cards) for n in NUMBER.findall(c)]
        assert numbers == list(range(1, 81))


def test_hostile_feed_text_renders_literally_and_mentions_nobody() -> None:
    item = make_item(
        title="t",
        summary='<at id=all></at> **免费** [点我](https://evil.example) <font color="red">红</font> & `x` ~~删~~',
        source="[来源](javascript:alert(1))",
        link="javascript:alert(1)",
        tags=["_a_", "\\*"],
    )
    contents = _contents(render_feishu(_with_domestic([item])))
    body = next(c for c in contents if c.startswith("**1.**"))
    decoded = check_feishu_escaped(body)
    assert "<at" not in body and "<font" not in body and "**免费**" not in body
    assert feishu_links(body) == []  # neither the fake link nor the javascript: one is a link
    assert (
        '<at id=all></at> **免费** [点我](https://evil.example) <font color="red">红</font>'
        in decoded
    )
    assert "来源：[来源](javascript:alert(1))" in decoded
    assert "🏷️ _a_, \\*" in decoded


def test_an_item_too_big_for_a_card_is_clipped() -> None:
    item = make_item(summary="<长>" * 20_000)
    cards = render_feishu(_with_domestic([item]), for_webhook=True)
    assert all(card_size(c) <= 20_000 for c in cards)
    body = next(c for c in _contents(cards) if c.startswith("**1.**"))
    assert check_feishu_escaped(body).startswith("**1.** 🔥 <长>")
    assert "…" in body


def test_why_card_has_every_field() -> None:
    digest = make_digest()
    item = digest.item(15)
    assert item is not None
    (card,) = render_feishu_why(digest, item)
    assert card["header"]["title"]["content"] == "第 15 条 · 🔥 高重要性"
    (content,) = _contents([card])
    for expected in (
        "分类：重大商业动态",
        "来源：[TechCrunch AI](https://techcrunch.com/2026/02/02/",
        "同时报道：[Wired AI](https://www.wired.com/story/spacex-acquires-xai-elon-musk/)",
        "评分：总分 0.89（重要性 0.60 · 多源报道 0.15 · 时效 0.14）",
        "日报日期：2026-02-03",
        "标签：并购, 估值, 埃隆·马斯克, AI基础设施",
    ):
        assert expected in content
    assert "**Elon Musk's SpaceX acquires xAI in a deal valued at $1.25 trillion**" in content


def test_plain_card_escapes_and_keeps_lines() -> None:
    card = feishu_plain("用法：/why <N>\n例如 /why 3 * 2")
    (content,) = _contents([card])
    assert content == "用法：/why &lt;N&gt;\n例如 /why 3 &#42; 2"
    assert card_size(feishu_plain("长" * 50_000, for_webhook=True)) <= 20_000
