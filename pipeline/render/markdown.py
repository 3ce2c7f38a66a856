"""The report as Markdown (CommonMark): for the web page, files and anything that renders it.

Every feed-derived string is backslash-escaped, so a title like "*GPT-5* <b>"
renders as written, and links go through `http_link` so only http(s) links
become links.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from pipeline.models import IMPORTANCE_EMOJI, SECTION_TITLES, Digest, Item, Mention, Region
from pipeline.render.view import (
    EMPTY_SECTION,
    TITLE,
    Row,
    View,
    WhyNotes,
    generated_at,
    http_link,
    one_line,
    section_items,
    shown_value,
    view_notes,
    why_heading,
    why_rows,
)

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones
# that can start markup (emphasis, links, code, HTML, lists, headings, tables).
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&])")

DEFAULT_VIEW = View()


def md_escape(text: str) -> str:
    """Feed text as literal Markdown on one line."""
    return _SPECIAL.sub(r"\\\1", one_line(text))


def md_url(link: str) -> str:
    """A URL safe inside `(...)`: parentheses, spaces and angle brackets percent-encoded."""
    return quote(link, safe=":/?#[]@!$&'*+,;=%~-._")


def md_link(text: str, link: str) -> str:
    """`[text](link)` for an http(s) link, else the escaped text followed by the escaped link."""
    url = http_link(link)
    if url is None:
        return f"{md_escape(text)} ({md_escape(link)})" if link.strip() else md_escape(text)
    return f"[{md_escape(text)}]({md_url(url)})"


def render_markdown(digest: Digest, view: View = DEFAULT_VIEW) -> str:
    """The digest as Markdown: title, 精简版 or 完整版 per section, then the day summary."""
    lines: list[str] = [f"# {TITLE} - {digest.date}", ""]
    for note in view_notes(digest, view):
        lines += [f"> {md_escape(note)}", ""]
    lines += [
        f"生成时间: {generated_at(digest)} · 数据来源: 从 {digest.raw_count} 条原始信息中精选",
        "",
    ]
    for section in view.sections():
        lines += _section(digest, section, view)
    lines += ["---", "", f"📊 **今日总结**: {md_escape(digest.summary)}"]
    return "\n".join(lines) + "\n"


def _section(digest: Digest, section: Region, view: View) -> list[str]:
    heading = SECTION_TITLES[section] + ("（精简版）" if view.brief else "")
    lines = [f"## {heading}", ""]
    items = section_items(digest, section, view)
    if not items:
        return [*lines, EMPTY_SECTION, ""]
    for it in items:
        mark = view.mark(it)
        lines += _brief_item(it, mark) if view.brief else _full_item(it, mark)
    return [*lines, ""]


def _brief_item(item: Item, mark: str) -> list[str]:
    emoji = IMPORTANCE_EMOJI[item.importance]
    source = md_link(item.source, item.link)
    return [f"{item.n}. {mark}{emoji} {md_escape(item.summary)}（{source}）"]


def _full_item(item: Item, mark: str) -> list[str]:
    lines = [
        f"{item.n}. {mark}{IMPORTANCE_EMOJI[item.importance]} {md_escape(item.summary)}",
        f"    - 📋 入选理由: {md_escape(item.category)}：{md_escape(item.reason)}",
        f"    - 📰 来源: {md_link(item.source, item.link)}",
    ]
    if item.tags:
        lines.append(f"    - 🏷️ 标签: {', '.join(md_escape(t) for t in item.tags)}")
    if item.also_reported_by:
        lines.append(f"    - 🔁 同时报道: {_mentions(item.also_reported_by)}")
    return lines


def _mentions(mentions: list[Mention]) -> str:
    return ", ".join(md_link(m.source, m.link) for m in mentions)


def render_markdown_why(digest: Digest, item: Item, notes: WhyNotes | None = None) -> str:
    """The answer to `/why N` as Markdown."""
    lines = [f"### {why_heading(item)}", ""]
    for row in why_rows(digest, item, notes):
        lines += _why_row(row)
    return "\n".join(lines) + "\n"


def _why_row(row: Row) -> list[str]:
    if row.field == "title" and isinstance(row.value, str):
        return [f"**{md_escape(row.value)}**", ""]
    shown = shown_value(row, md_link, lambda text, ours: text if ours else md_escape(text))
    return [f"- {row.label}：{shown}"]
