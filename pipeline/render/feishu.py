"""Feishu interactive cards.

Schema: card JSON 1.0 (`config` / `header` / `elements`, text in `markdown`
elements). Feishu's docs say JSON 2.0 needs client 7.20 or later — older
clients show only the title and an "upgrade" notice — and rejects any
attribute it does not know, while 1.0 renders on every client and is what both
the app bot (`im/v1/messages`, msg_type interactive) and a custom-bot webhook
accept. This card uses nothing 2.0 adds (no tables, forms or charts), so 1.0
costs nothing and reaches every reader; the `markdown` element has the same
tag in 2.0, should we move later.

Escaping: the markdown element parses Markdown plus `<font>`, `<at>`, `<link>`
tags and HTML entities. Feed text has its markup characters replaced by HTML
entities (`&lt;` `&gt;` `&amp;`, and numeric ones such as `&#42;` for `*`, as
Feishu's special-character table gives them) so a title like "<at id=all>"
or "**免费**" shows as written and mentions nobody. Only http(s) links go in
link syntax, with `(`, `)` and spaces percent-encoded so a URL cannot end the
link early.

Size: the app API takes a card of up to 30 KB and a webhook request up to
20 KB; a digest that does not fit is split at item boundaries into several
cards titled "（1/3）" …, and an item too big on its own is clipped ("…").
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import quote

from pipeline.models import IMPORTANCE_EMOJI, SECTION_TITLES, Digest, Item, Mention, Region
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

# Headroom under Feishu's 30 KB / 20 KB: the card travels inside a request
# (JSON-encoded again for the app API, next to msg_type/timestamp/sign for a webhook).
CARD_LIMIT = 28_000
WEBHOOK_LIMIT = 19_000
MAX_MENTIONS = 5
SHORT_LINK = 200
TEMPLATE = "blue"

_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "*": "&#42;",
        "_": "&#95;",
        "~": "&#126;",
        "`": "&#96;",
        "[": "&#91;",
        "]": "&#93;",
        "(": "&#40;",
        ")": "&#41;",
        "\\": "&#92;",
    }
)

DEFAULT_VIEW = View()
Cap = int | None
Element = dict[str, Any]
Card = dict[str, Any]


def fs_escape(text: str, cap: Cap = None, *, keep_lines: bool = False) -> str:
    """Feed text as literal text in a Feishu markdown element (one line unless `keep_lines`)."""
    lines = text.split("\n") if keep_lines else [text]
    text = "\n".join(one_line(line) for line in lines)
    return clip(text, cap).translate(_ESCAPES)


def fs_link(text: str, url: str, cap: Cap = None) -> str:
    """`[text](url)` for an http(s) URL, the escaped text alone otherwise."""
    ok = http_link(url)
    if ok and cap is not None and len(ok) > max(cap, SHORT_LINK):
        ok = None  # shrinking to fit: a long URL goes before the words do
    label = fs_escape(text, cap) or "链接"
    if ok is None:
        return label
    return f"[{label}]({_url(ok)})"


def _url(url: str) -> str:
    # Percent-encode what could end the link syntax early: (, ), [, ], spaces, < and >.
    return quote(url, safe=":/?#@!$&'*+,;=%~-._")


def card_size(card: Card) -> int:
    """Bytes of the card as sent: UTF-8 JSON, non-ASCII kept as is."""
    return len(json.dumps(card, ensure_ascii=False).encode())


def _card(title: str, elements: list[Element]) -> Card:
    return {
        "config": {"wide_screen_mode": True},
        "header": {"template": TEMPLATE, "title": {"tag": "plain_text", "content": title}},
        "elements": elements,
    }


def _md(content: str) -> Element:
    return {"tag": "markdown", "content": content}


def render_feishu(
    digest: Digest, view: View = DEFAULT_VIEW, *, for_webhook: bool = False
) -> list[Card]:
    """The digest as one or more interactive cards, each within Feishu's size limit."""
    limit = WEBHOOK_LIMIT if for_webhook else CARD_LIMIT
    title = f"{TITLE} · {digest.date}"
    # Sized with the longest title a split can give, so renaming never overflows.
    blank = _card(title + "（99/99）", [])
    fits = partial(_fit_element, blank, limit)
    blocks: list[list[Element]] = [[fits(partial(_meta, digest, view))]]
    for i, section in enumerate(view.sections()):
        blocks += _section_blocks(digest, section, view, fits, first=i == 0)
    blocks.append(
        [{"tag": "hr"}, fits(lambda cap: f"📊 **今日总结**：{fs_escape(digest.summary, cap)}")]
    )
    groups = _pack(blank, blocks, limit)
    if len(groups) == 1:
        return [_card(title, groups[0])]
    return [_card(f"{title}（{i}/{len(groups)}）", g) for i, g in enumerate(groups, 1)]


def _meta(digest: Digest, view: View, cap: Cap) -> str:
    lines = [f"*{fs_escape(note, cap)}*" for note in view_notes(digest, view)]
    lines.append(f"生成时间 {generated_at(digest)} · 从 {digest.raw_count} 条原始信息中精选")
    return "\n".join(lines)


def _section_blocks(
    digest: Digest,
    section: Region,
    view: View,
    fits: Callable[[Callable[[Cap], str]], Element],
    *,
    first: bool,
) -> list[list[Element]]:
    heading = _md(f"**【{SECTION_TITLES[section]}】**" + ("（精简版）" if view.brief else ""))
    lead: list[Element] = ([] if first else [{"tag": "hr"}]) + [heading]
    items = section_items(digest, section, view)
    if not items:
        return [[*lead, _md(EMPTY_SECTION)]]
    render = _brief_item if view.brief else _full_item
    blocks = [[fits(partial(render, view.mark(item), item))] for item in items]
    # The heading travels with the first item, so no card ends on a heading.
    blocks[0] = [*lead, *blocks[0]]
    return blocks


def _brief_item(mark: str, item: Item, cap: Cap) -> str:
    emoji = IMPORTANCE_EMOJI[item.importance]
    source = fs_link(item.source, item.link, cap)
    return f"**{item.n}.** {mark}{emoji} {fs_escape(item.summary, cap)}\n来源：{source}"


def _full_item(mark: str, item: Item, cap: Cap) -> str:
    lines = [
        _brief_item(mark, item, cap),
        f"📋 {fs_escape(item.category, cap)}：{fs_escape(item.reason, cap)}",
    ]
    if item.tags:
        lines.append(f"🏷️ {fs_escape(', '.join(one_line(t) for t in item.tags), cap)}")
    if item.also_reported_by:
        lines.append(f"🔁 同时报道：{_mentions(item.also_reported_by, cap)}")
    return "\n".join(lines)


def _mentions(mentions: list[Mention], cap: Cap) -> str:
    shown = ", ".join(fs_link(m.source, m.link, cap) for m in mentions[:MAX_MENTIONS])
    return f"{shown} 等 {len(mentions)} 家" if len(mentions) > MAX_MENTIONS else shown


def _fit_element(blank: Card, limit: int, build: Callable[[Cap], str]) -> Element:
    """A markdown element whose card, alone with a heading, stays within `limit` bytes."""
    # Room for the section heading and an hr that may share the card with it.
    reserve = 200

    def size(content: str) -> int:
        return card_size(_card(blank["header"]["title"]["content"], [_md(content)])) + reserve

    return _md(fit(build, size, limit))


def _pack(blank: Card, blocks: list[list[Element]], limit: int) -> list[list[Element]]:
    """Blocks into as few cards as fit in `limit`; a block is never split."""
    groups: list[list[Element]] = []
    current: list[Element] = []
    for block in blocks:
        candidate = current + block
        if card_size({**blank, "elements": candidate}) <= limit:
            current = candidate
            continue
        if current:
            groups.append(current)
        current = list(block)
    if current:
        groups.append(current)
    return groups


def render_feishu_why(
    digest: Digest, item: Item, notes: WhyNotes | None = None, *, for_webhook: bool = False
) -> list[Card]:
    """The answer to `/why N` as one card."""
    limit = WEBHOOK_LIMIT if for_webhook else CARD_LIMIT
    title = why_heading(item)
    element = _fit_element(_card(title, []), limit, partial(_why, digest, item, notes))
    return [_card(title, [element])]


def _why(digest: Digest, item: Item, notes: WhyNotes | None, cap: Cap) -> str:
    return "\n".join(_why_row(row, cap) for row in why_rows(digest, item, notes))


def _why_row(row: Row, cap: Cap) -> str:
    if row.field == "title" and isinstance(row.value, str):
        return f"**{fs_escape(row.value, cap)}**"
    shown = shown_value(
        row,
        lambda text, url: fs_link(text, url, cap),
        lambda text, ours: fs_escape(text, None if ours else cap),
        MAX_MENTIONS,
    )
    return f"{row.label}：{shown}"


def render_feishu_listing(listing: Listing, *, for_webhook: bool = False) -> list[Card]:
    """A list answer (/more, /search, /week) as one card, or several split between items."""
    limit = WEBHOOK_LIMIT if for_webhook else CARD_LIMIT
    title = listing.title
    blank = _card(title + "（99/99）", [])
    fits = partial(_fit_element, blank, limit)
    blocks: list[list[Element]] = []
    if listing.intro:
        blocks.append([_md(f"*{fs_escape(listing.intro)}*")])
    for group in listing.groups:
        lead = [_md(f"**{fs_escape(group.heading)}**")] if group.heading else []
        rows = [[fits(partial(_listed, listed, listing.dated))] for listed in group.items]
        if rows:  # the heading travels with the first item, so no card ends on it
            rows[0] = [*lead, *rows[0]]
        blocks += rows
    if listing.footer:
        blocks.append([{"tag": "hr"}, _md(fs_escape(listing.footer))])
    groups = _pack(blank, blocks, limit) or [[]]
    if len(groups) == 1:
        return [_card(title, groups[0])]
    return [_card(f"{title}（{i}/{len(groups)}）", g) for i, g in enumerate(groups, 1)]


def _listed(listed: Listed, dated: bool, cap: Cap) -> str:
    item = listed.item
    number = fs_escape(listed_number(listed, dated))
    emoji = IMPORTANCE_EMOJI[item.importance]
    lines = [
        f"**{number}** {emoji} {fs_escape(item.summary, cap)}",
        f"来源：{fs_link(item.source, item.link, cap)}",
    ]
    if listed.note:
        lines.append(fs_escape(listed.note))
    return "\n".join(lines)


def feishu_plain(text: str, *, for_webhook: bool = False) -> Card:
    """A plain text (help, errors) as a header-less card, escaped and clipped to fit."""
    limit = WEBHOOK_LIMIT if for_webhook else CARD_LIMIT
    content = fit(
        lambda cap: fs_escape(text, cap, keep_lines=True),
        lambda c: card_size({"config": {"wide_screen_mode": True}, "elements": [_md(c)]}),
        limit,
    )
    return {"config": {"wide_screen_mode": True}, "elements": [_md(content)]}
