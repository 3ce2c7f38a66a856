"""The plain-text report: the layout of the reference report users asked for.

One deliberate difference from the reference: an item's number is the
digest-wide `n` everywhere (国际动态 continues after 国内动态, 精简版 too),
because `/why N` and every chat rendering use that number.
"""

from __future__ import annotations

from pipeline.models import IMPORTANCE_EMOJI, SECTION_TITLES, Digest, Item, Region
from pipeline.render.view import (
    EMPTY_SECTION,
    IMPORTANCE_NAMES,
    TITLE,
    View,
    brief_items,
    generated_at,
    one_line,
    published_at,
    score_line,
)

RULE = "=" * 70
SECTION_RULE = "-" * 50
_BOX_TOP = "╔" + "═" * 68 + "╗"
_BOX_BOTTOM = "╚" + "═" * 68 + "╝"
BRIEF_BOX = (
    _BOX_TOP,
    "║                         📋 精简版报告                          ║",
    _BOX_BOTTOM,
)
FULL_BOX = (
    _BOX_TOP,
    "║                         📰 完整版报告                          ║",
    _BOX_BOTTOM,
)

DEFAULT_VIEW = View()


def render_text(digest: Digest, view: View = DEFAULT_VIEW) -> str:
    """The report as plain text, for the terminal and `aidaily run`."""
    lines: list[str] = []
    if view.note:
        lines += [one_line(view.note), ""]
    lines += _header(digest)
    shown = [s for s in view.sections() if digest.sections.of(s)]
    if not shown:
        lines += _empty_sections(view)
    else:
        lines += ["", *BRIEF_BOX, ""]
        for section in view.sections():
            lines += _brief_section(digest, section, view)
        if not view.brief:
            lines += ["", "", *FULL_BOX, ""]
            for section in view.sections():
                lines += _full_section(digest, section)
        else:
            lines.append("")
    lines += [RULE, f"📊 今日总结: {one_line(digest.summary)}", RULE]
    return "\n".join(lines)


def _header(digest: Digest) -> list[str]:
    return [
        RULE,
        f"{TITLE} - {digest.date}",
        f"生成时间: {generated_at(digest)}",
        f"数据来源: 从 {digest.raw_count} 条原始信息中精选",
        RULE,
    ]


def _empty_sections(view: View) -> list[str]:
    lines = [""]
    for section in view.sections():
        lines += [f"【{SECTION_TITLES[section]}】", EMPTY_SECTION, ""]
    return lines


def _brief_section(digest: Digest, section: Region, view: View) -> list[str]:
    items = brief_items(digest.sections.of(section), view)
    lines = [f"{SECTION_TITLES[section]}："]
    lines += [f"{it.n}、{one_line(it.summary)}" for it in items] or [EMPTY_SECTION]
    return [*lines, ""]


def _full_section(digest: Digest, section: Region) -> list[str]:
    lines = [f"【{SECTION_TITLES[section]}】", SECTION_RULE]
    items = digest.sections.of(section)
    if not items:
        lines += [EMPTY_SECTION, ""]
    for it in items:
        lines += [*item_lines(it), ""]
    return [*lines, ""]


def item_lines(item: Item) -> list[str]:
    """One item of the 完整版: number, emoji and summary, then reason, source, tags."""
    lines = [
        f"{item.n}、{IMPORTANCE_EMOJI[item.importance]} {one_line(item.summary)}",
        f"   📋 入选理由: {one_line(item.category)}：{one_line(item.reason)}",
        f"   📰 来源: {one_line(item.source)} | 🔗 {one_line(item.link)}",
    ]
    if item.tags:
        lines.append(f"   🏷️ 标签: {', '.join(one_line(t) for t in item.tags)}")
    if item.also_reported_by:
        others = ", ".join(one_line(m.source) for m in item.also_reported_by)
        lines.append(f"   🔁 同时报道: {others}")
    return lines


def render_text_why(digest: Digest, item: Item) -> str:
    """The answer to `/why N` as plain text: every reason the item was selected."""
    lines = [
        f"第 {item.n} 条 · {IMPORTANCE_EMOJI[item.importance]} {IMPORTANCE_NAMES[item.importance]}",
        f"标题：{one_line(item.title)}",
        f"摘要：{one_line(item.summary)}",
        f"分类：{one_line(item.category)}",
        f"入选理由：{one_line(item.reason)}",
        f"标签：{', '.join(one_line(t) for t in item.tags) or '无'}",
        f"来源：{one_line(item.source)} · {one_line(item.link)}",
        f"发布时间：{published_at(item, digest)}",
    ]
    if item.also_reported_by:
        lines.append("同时报道：")
        lines += [f"  - {one_line(m.source)} · {one_line(m.link)}" for m in item.also_reported_by]
    else:
        lines.append("同时报道：无")
    lines += [f"评分：{score_line(item)}", f"日报日期：{digest.date}"]
    return "\n".join(lines)
