"""Markdown (escaped feed text, http(s) links) and the CONTRACT.md JSON (local times, raw UTF-8)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from markdown_it import MarkdownIt

from pipeline.models import Digest, Item
from pipeline.render import View, render_json, render_markdown, render_markdown_why
from tests.factories import make_digest, make_item

MD = MarkdownIt("commonmark")


def _with_domestic(items: list[Item]) -> Digest:
    digest = make_digest(0, 0)
    return digest.model_copy(
        update={"sections": digest.sections.model_copy(update={"domestic": items})}
    )


def test_markdown_has_sections_numbered_items_and_links() -> None:
    digest = make_digest()
    text = render_markdown(digest)
    assert text.startswith("# AI每日动态 - 2026-02-03\n")
    assert "## 国内动态" in text and "## 国际动态" in text
    assert "\n3. 🔥 2月3日消息，优必选宣布" in text
    assert (
        "    - 📰 来源: [AI科技评论](https://www.leiphone.com/category/zaobao/HEnTXDsNSvALTBhx.html)"
        in text
    )
    assert "\n15. 🔥 2月3日消息，埃隆·马斯克" in text
    html = MD.render(text)
    assert '<ol start="15">' in html  # 国际动态 continues the numbering
    assert '<a href="https://www.jiqizhixin.com/articles/2026-02-03-4">机器之心</a>' in html


def test_markdown_brief_and_section_views() -> None:
    text = render_markdown(make_digest(), View(brief=True, section="domestic", brief_count=2))
    assert "## 国内动态（精简版）" in text and "## 国际动态" not in text
    assert "\n1. 🔥 " in text and "\n2. 🔥 " in text and "\n3. " not in text
    assert "入选理由" not in text


def test_markdown_escapes_feed_text_and_never_links_javascript() -> None:
    item = make_item(
        summary="*粗* _斜_ <b>标签</b> [链接](https://evil.example) `代码` # 标题",
        source="来源](javascript:alert(1))",
        link="javascript:alert(1)",
    )
    html = MD.render(render_markdown(_with_domestic([item])))
    assert "<em>" not in html and "<strong>" not in html.replace("<strong>今日总结</strong>", "")
    assert "<b>" not in html and "<code>" not in html
    assert "&lt;b&gt;标签&lt;/b&gt;" in html
    assert 'href="javascript' not in html
    assert "[链接](https://evil.example)" in html


def test_markdown_why_has_every_field() -> None:
    digest = make_digest()
    item = digest.item(3)
    assert item is not None
    text = render_markdown_why(digest, item)
    assert text.startswith("### 第 3 条 · 🔥 高重要性")
    assert "- 评分：总分 0.87（重要性 0.60 · 多源报道 0.15 · 时效 0.12）" in text
    assert "- 同时报道：[机器之心](https://www.jiqizhixin.com/articles/2026-02-03-4)" in text


def test_json_is_the_contract_shape_with_local_times_and_raw_chinese() -> None:
    digest = make_digest()
    text = render_json(digest)
    assert "\\u" not in text
    data = json.loads(text)
    assert data["window"] == {
        "start": "2026-02-02T08:00:00+08:00",
        "end": "2026-02-03T08:00:00+08:00",
    }
    assert data["generated_at"] == "2026-02-03T08:45:53+08:00"
    item = data["sections"]["domestic"][0]
    assert item["published_at"] == "2026-02-03T07:43:00+08:00"
    assert item["summary"].startswith("2月3日消息，中科曙光")
    assert set(item) >= {
        "n", "id", "title", "summary", "importance", "category", "reason", "tags",
        "source", "feed", "link", "published_at", "also_reported_by", "score",
    }  # fmt: skip
    assert [it["n"] for it in data["sections"]["international"]] == list(range(15, 28))


def test_json_reads_back_as_the_same_digest_at_second_precision() -> None:
    digest = make_digest(generated_at=datetime(2026, 2, 3, 0, 45, 53, 987654, tzinfo=UTC))
    back = Digest.model_validate_json(render_json(digest))
    assert back.generated_at == datetime(2026, 2, 3, 0, 45, 53, tzinfo=UTC)
    assert back.items[5].published_at == digest.items[5].published_at
    assert [it.id for it in back.items] == [it.id for it in digest.items]
    assert back.summary == digest.summary
