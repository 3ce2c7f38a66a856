"""The plain-text report: the layout of the reference report users asked for.

One deliberate difference from the reference: an item's number is the
digest-wide `n` everywhere (国际动态 continues after 国内动态, 精简版 too),
because `/why N` and every chat rendering use that number.
"""

from __future__ import annotations

from pipeline.models import IMPORTANCE_EMOJI, SECTION_TITLES, Digest, Item, Region
from pipeline.render.view import (
    EMPTY_SECTION,
    NONE,
    TITLE,
    Link,
    Listing,
    Row,
    View,
    WhyNotes,
    generated_at,
    listed_number,
    one_line,
    section_items,
    view_notes,
    why_heading,
    why_rows,
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
    for note in view_notes(digest, view):
        lines += [one_line(note), ""]
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
                lines += _full_section(digest, section, view)
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
    items = section_items(digest, section, view, brief=True)
    lines = [f"{SECTION_TITLES[section]}："]
    lines += [f"{it.n}、{view.mark(it)}{one_line(it.summary)}" for it in items] or [EMPTY_SECTION]
    return [*lines, ""]


def _full_section(digest: Digest, section: Region, view: View) -> list[str]:
    lines = [f"【{SECTION_TITLES[section]}】", SECTION_RULE]
    items = section_items(digest, section, view, brief=False)
    if not items:
        lines += [EMPTY_SECTION, ""]
    for it in items:
        lines += [*item_lines(it, view.mark(it)), ""]
    return [*lines, ""]


def item_lines(item: Item, mark: str = "") -> list[str]:
    """One item of the 完整版: number, emoji and summary, then reason, source, tags."""
    lines = [
        f"{item.n}、{mark}{IMPORTANCE_EMOJI[item.importance]} {one_line(item.summary)}",
        f"   📋 入选理由: {one_line(item.category)}：{one_line(item.reason)}",
        f"   📰 来源: {one_line(item.source)} | 🔗 {one_line(item.link)}",
    ]
    if item.tags:
        lines.append(f"   🏷️ 标签: {', '.join(one_line(t) for t in item.tags)}")
    if item.also_reported_by:
        others = ", ".join(one_line(m.source) for m in item.also_reported_by)
        lines.append(f"   🔁 同时报道: {others}")
    return lines


def render_text_why(digest: Digest, item: Item, notes: WhyNotes | None = None) -> str:
    """The answer to `/why N` as plain text: every reason the item was selected."""
    lines = [why_heading(item)]
    for row in why_rows(digest, item, notes):
        lines += _row_lines(row)
    return "\n".join(lines)


def _row_lines(row: Row) -> list[str]:
    value = row.value
    if value is None:
        return [f"{row.label}：{NONE}"]
    if isinstance(value, Link):
        return [f"{row.label}：{_link(value)}"]
    if isinstance(value, tuple):
        return [f"{row.label}：", *(f"  - {_link(m)}" for m in value)]
    return [f"{row.label}：{one_line(value)}"]


def _link(link: Link) -> str:
    return f"{one_line(link.text)} · {one_line(link.url)}"


def render_text_listing(listing: Listing) -> str:
    """A list answer (/more, /search, /week) as plain text: each item numbered, sourced, linked."""
    lines = [one_line(listing.title)]
    if listing.intro:
        lines.append(one_line(listing.intro))
    for group in listing.groups:
        lines.append("")
        if group.heading:
            lines.append(group.heading)
        for listed in group.items:
            it = listed.item
            number = listed_number(listed, listing.dated)
            lines += [
                f"{number}{IMPORTANCE_EMOJI[it.importance]} {one_line(it.summary)}",
                f"   📰 来源: {one_line(it.source)} | 🔗 {one_line(it.link)}",
            ]
            if listed.note:
                lines.append(f"   {one_line(listed.note)}")
    if listing.footer:
        lines += ["", one_line(listing.footer)]
    return "\n".join(lines)
