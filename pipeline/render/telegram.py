"""Telegram messages in HTML parse mode.

Every feed-derived string goes through `html.escape(..., quote=True)`; links
only become `<a href>` when they are http(s). Telegram limits a message to 4096
characters, counted in UTF-16 code units (an emoji counts 2); we keep the raw
HTML within that, which is stricter than needed since tags do not count after
parsing. A digest is split only between blocks (the header, one item, the
summary), never inside one; an item too long on its own is re-rendered with
its texts clipped ("…") before escaping, so markup is never cut.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from html import escape

from pipeline.models import IMPORTANCE_EMOJI, SECTION_TITLES, Digest, Item, Mention
from pipeline.render.view import (
    EMPTY_SECTION,
    TITLE,
    Listed,
    Listing,
    Row,
    View,
    WhyNotes,
    clip,
    fit,
    generated_at,
    http_link,
    listed_number,
    one_line,
    section_items,
    shown_value,
    view_notes,
    why_heading,
    why_rows,
)

LIMIT = 4096
# Mentions shown per item; the rest are counted ("等 12 家").
MAX_MENTIONS = 5
# While clipping to fit, URLs up to this length stay links whatever the cap.
SHORT_LINK = 200

DEFAULT_VIEW = View()
Cap = int | None


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def esc(text: str, cap: Cap = None) -> str:
    """Feed text on one line, clipped to `cap` characters, then HTML-escaped."""
    return escape(clip(one_line(text), cap), quote=True)


def link(text: str, url: str, cap: Cap = None) -> str:
    """`<a href>` around the escaped text for an http(s) URL; the escaped text alone otherwise."""
    ok = http_link(url)
    if ok and cap is not None and len(ok) > max(cap, SHORT_LINK):
        ok = None  # shrinking to fit: a long URL goes before the words do
    label = esc(text, cap) or "链接"
    return f'<a href="{escape(ok, quote=True)}">{label}</a>' if ok else label


def render_telegram(digest: Digest, view: View = DEFAULT_VIEW) -> list[str]:
    """The digest as HTML messages, each within Telegram's 4096 UTF-16 units."""
    return pack(_blocks(digest, view))


def _blocks(digest: Digest, view: View) -> list[str]:
    blocks = [_fit(lambda cap: _header(digest, view, cap))]
    for section in view.sections():
        title = f"<b>【{SECTION_TITLES[section]}】</b>" + ("（精简版）" if view.brief else "")
        items = section_items(digest, section, view)
        if not items:
            blocks.append(f"{title}\n{EMPTY_SECTION}")
            continue
        render = _brief_item if view.brief else _full_item
        for i, item in enumerate(items):
            # The section title travels with its first item, so no message ends on a title.
            prefix = title + "\n" if i == 0 else ""
            marked = partial(render, view.mark(item))
            blocks.append(_fit(partial(_item_block, prefix, marked, item)))
    blocks.append(_fit(lambda cap: f"📊 <b>今日总结</b>：{esc(digest.summary, cap)}"))
    return blocks


def _item_block(prefix: str, render: Callable[[Item, Cap], str], item: Item, cap: Cap) -> str:
    return prefix + render(item, cap)


def _header(digest: Digest, view: View, cap: Cap) -> str:
    lines = [f"<i>{esc(note, cap)}</i>" for note in view_notes(digest, view)]
    lines += [
        f"<b>{TITLE} · {digest.date}</b>",
        f"生成时间 {generated_at(digest)} · 从 {digest.raw_count} 条原始信息中精选",
    ]
    return "\n".join(lines)


def _brief_item(mark: str, item: Item, cap: Cap) -> str:
    emoji = IMPORTANCE_EMOJI[item.importance]
    source = link(item.source, item.link, cap)
    return f"{item.n}. {mark}{emoji} {esc(item.summary, cap)}（{source}）"


def _full_item(mark: str, item: Item, cap: Cap) -> str:
    lines = [
        f"{item.n}. {mark}{IMPORTANCE_EMOJI[item.importance]} {esc(item.summary, cap)}",
        f"📋 <i>{esc(item.category, cap)}：{esc(item.reason, cap)}</i>",
        f"📰 {link(item.source, item.link, cap)}",
    ]
    if item.tags:
        lines.append(f"🏷️ {esc(', '.join(one_line(t) for t in item.tags), cap)}")
    if item.also_reported_by:
        lines.append(f"🔁 同时报道：{_mentions(item.also_reported_by, cap)}")
    return "\n".join(lines)


def _mentions(mentions: list[Mention], cap: Cap) -> str:
    shown = ", ".join(link(m.source, m.link, cap) for m in mentions[:MAX_MENTIONS])
    rest = len(mentions) - MAX_MENTIONS
    return f"{shown} 等 {len(mentions)} 家" if rest > 0 else shown


def render_telegram_why(digest: Digest, item: Item, notes: WhyNotes | None = None) -> list[str]:
    """The answer to `/why N` as one HTML message."""
    return [_fit(lambda cap: _why(digest, item, notes, cap))]


def _why(digest: Digest, item: Item, notes: WhyNotes | None, cap: Cap) -> str:
    lines = [f"<b>{why_heading(item)}</b>"]
    lines += [_why_row(row, cap) for row in why_rows(digest, item, notes)]
    return "\n".join(lines)


def _why_row(row: Row, cap: Cap) -> str:
    if row.field == "title" and isinstance(row.value, str):
        return f"<b>{esc(row.value, cap)}</b>"
    shown = shown_value(
        row,
        lambda text, url: link(text, url, cap),
        lambda text, ours: esc(text, None if ours else cap),
        MAX_MENTIONS,
    )
    return f"{row.label}：{shown}"


def render_telegram_listing(listing: Listing) -> list[str]:
    """A list answer (/more, /search, /week) as HTML messages; split only between items."""
    head = f"<b>{esc(listing.title)}</b>" + (
        f"\n<i>{esc(listing.intro)}</i>" if listing.intro else ""
    )
    blocks = [head]
    for group in listing.groups:
        for i, listed in enumerate(group.items):
            # A heading travels with its group's first item, so no message ends on it.
            prefix = f"<b>{esc(group.heading)}</b>\n" if group.heading and i == 0 else ""
            blocks.append(_fit(partial(_listed_block, prefix, listed, listing.dated)))
    if listing.footer:
        blocks.append(esc(listing.footer))
    return pack(blocks)


def _listed_block(prefix: str, listed: Listed, dated: bool, cap: Cap) -> str:
    item = listed.item
    number = escape(listed_number(listed, dated))
    line = f"{number}{IMPORTANCE_EMOJI[item.importance]} {esc(item.summary, cap)}"
    lines = [f"{prefix}{line}（{link(item.source, item.link, cap)}）"]
    if listed.note:
        lines.append(esc(listed.note))
    return "\n".join(lines)


def _fit(build: Callable[[Cap], str]) -> str:
    return fit(build, utf16_len, LIMIT)


def pack(blocks: list[str], limit: int = LIMIT) -> list[str]:
    """Blocks joined by blank lines into as few messages as fit in `limit` UTF-16 units.

    Every block must already fit on its own (`_fit` sees to that).
    """
    messages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}\n\n{block}" if current else block
        if utf16_len(candidate) <= limit:
            current = candidate
            continue
        if current:
            messages.append(current)
        current = block
    if current:
        messages.append(current)
    return messages


def telegram_plain(text: str) -> list[str]:
    """Plain text (help, errors) escaped for HTML mode and split at line ends to fit."""
    pieces: list[str] = []
    for line in text.split("\n"):
        pieces += _split_line(line)
    return pack_lines(pieces)


def _split_line(line: str, limit: int = LIMIT) -> list[str]:
    """One escaped line, cut between characters (never inside an entity) if too long."""
    out: list[str] = []
    current, size = "", 0
    for ch in line:
        piece = escape(ch, quote=True)
        width = utf16_len(piece)
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += piece
        size += width
    out.append(current)
    return out


def pack_lines(lines: list[str], limit: int = LIMIT) -> list[str]:
    """Escaped lines joined by newlines into messages of at most `limit` UTF-16 units."""
    messages: list[str] = []
    current: str | None = None
    for line in lines:
        candidate = line if current is None else f"{current}\n{line}"
        if utf16_len(candidate) <= limit:
            current = candidate
            continue
        if current is not None:
            messages.append(current)
        current = line
    if current is not None:
        messages.append(current)
    # Telegram refuses an empty message; a text of blank lines is sent as nothing.
    return [m for m in messages if m.strip()]
