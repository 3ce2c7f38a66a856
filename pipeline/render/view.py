"""What part of a digest to show, the one list of field labels, and the helpers every renderer shares.

A `View` is what a command asked for (`/intl` is `View(section="international")`,
`/brief` is `View(brief=True)`), and what a chat's /follow and /mute make of it:
items hidden, items marked 🔖 that rise within their section, judged stories a
follow pulls in. `section_items` applies all of it, once, for every renderer;
numbers stay the digest's own. `why_rows` is the answer to `/why N` (and the web
page's "为什么入选") as rows of label + value, in order, with the labels and score
part names of `LABELS` / `SCORE_PARTS`: every renderer walks those rows and
supplies only escaping, links and packing. The helpers decide the other shared
facts once — which sections, which items, local times, whether a link may be
linked, how a score reads — so that every channel says the same thing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline.models import (
    IMPORTANCE_EMOJI,
    SECTION_TITLES,
    SECTIONS,
    Digest,
    Item,
    PoolItem,
    Region,
)

SectionChoice = Literal["all", "domestic", "international"]

IMPORTANCE_NAMES: dict[str, str] = {"high": "高重要性", "medium": "中重要性", "low": "低重要性"}
EMPTY_SECTION = "本时段内没有符合条件的AI动态。"
TITLE = "AI每日动态"

# The one list of field labels (chats, text, markdown and the web page).
LABELS = {
    "title": "标题",
    "summary": "摘要",
    "importance": "重要性",
    "category": "分类",
    "reason": "入选理由",
    "tags": "标签",
    "source": "来源",
    "published": "发布时间",
    "also": "同时报道",
    "score": "评分",
    "feedback": "反馈加权",
    "votes": "团队反馈",
    "interest": "本会话",
    "date": "日报日期",
    "margin": "未入选",
}
NONE = "无"  # an empty field
# What the curators' score parts are called (heuristic and LLM); chats show the names.
SCORE_PARTS = {
    "importance": "重要性",
    "relevance": "AI相关度",
    "category": "类别",
    "names": "知名机构",
    "topic": "重点领域",
    "amount": "金额",
    "paper": "论文",
    "sources": "多源报道",
    "feed": "来源权重",
    "recency": "时效",
    "roundup": "汇总稿",
    "market": "行情稿",
    "major": "重大事件",
    "feedback": "团队反馈",
}
FOLLOW_MARK = "🔖"

# A link longer than this is shown as plain text: no client needs it, and it
# would eat a whole Telegram message on its own.
MAX_LINK = 2048


@dataclass(frozen=True)
class Link:
    """A source name and its link (the link is only ever the fetched entry's)."""

    text: str
    url: str


RowValue = str | Link | tuple[Link, ...]


@dataclass(frozen=True)
class Row:
    """One line of `/why N`: `field` names it (a key of LABELS); `value` None means 无.

    `ours` marks text we wrote (times, the score): a renderer escapes and clips only
    feed text.
    """

    field: str
    value: RowValue | None
    ours: bool = False

    @property
    def label(self) -> str:
        return LABELS[self.field]


def why_heading(item: Item) -> str:
    """ "第 3 条 · 🔥 高重要性" (a story the digest left out: "… · 未入选")."""
    head = (
        f"第 {item.n} 条 · {IMPORTANCE_EMOJI[item.importance]} {IMPORTANCE_NAMES[item.importance]}"
    )
    return f"{head} · 未入选" if isinstance(item, PoolItem) else head


def margin_line(item: PoolItem) -> str:
    """What kept a story out: "得分 0.58，入选线 0.61", or the per-feed cap when it scored above."""
    line = f"得分 {item.score.total:.2f}，入选线 {item.cutoff:.2f}"
    if item.capped:
        return f"{line}（分数够线，但同一来源的入选条数已达上限）"
    return line


@dataclass(frozen=True)
class WhyNotes:
    """What `/why N` adds from outside the digest: the item's votes, this chat's view of it."""

    up: int = 0
    down: int = 0
    interest: str | None = None  # e.g. "因你关注「具身智能」而提前（🔖）"


def why_rows(digest: Digest, item: Item, notes: WhyNotes | None = None) -> list[Row]:
    """Every reason an item was selected (or, for a pool story, kept out), in the order
    every channel shows them."""
    tags = ", ".join(one_line(t) for t in item.tags)
    others = tuple(Link(m.source, m.link) for m in item.also_reported_by)
    return [
        *_rows(digest, item, tags, others),
        *_feedback_rows(item, notes),
        Row("date", digest.date, ours=True),
    ]


def _feedback_rows(item: Item, notes: WhyNotes | None) -> list[Row]:
    rows = []
    if item.feedback:
        rows.append(Row("feedback", feedback_line(item), ours=True))
    if notes is not None:
        rows.append(Row("votes", f"👍{notes.up} 👎{notes.down}", ours=True))
        if notes.interest:
            rows.append(Row("interest", notes.interest, ours=True))
    return rows


def feedback_line(item: Item) -> str:
    """ "团队近30天对 36氪 的好评率 82%（👍9 👎2）；评分 +0.02"."""
    said = "；".join(
        f"团队近30天对 {one_line(a.name)} 的好评率 {a.rate:.0%}（👍{a.up} 👎{a.down}）"
        for a in item.feedback
    )
    part = item.score.parts.get("feedback")
    return f"{said}；评分 {part:+.2f}" if part is not None else said


def _rows(digest: Digest, item: Item, tags: str, others: tuple[Link, ...]) -> list[Row]:
    margin = [Row("margin", margin_line(item), ours=True)] if isinstance(item, PoolItem) else []
    return [
        Row("title", item.title),
        *margin,
        Row("summary", item.summary),
        Row("category", item.category),
        Row("reason", item.reason),
        Row("tags", tags or None),
        Row("source", Link(item.source, item.link)),
        Row("published", published_at(item, digest), ours=True),
        Row("also", others or None),
        Row("score", score_line(item), ours=True),
    ]


def score_parts_line(item: Item, sep: str = "，") -> str:
    """ "0.87（重要性 0.60，多源报道 0.15）": the score with its parts named in Chinese."""
    parts = sep.join(
        f"{SCORE_PARTS.get(name, name)} {value:.2f}" for name, value in item.score.parts.items()
    )
    return f"{item.score.total:.2f}（{parts}）" if parts else f"{item.score.total:.2f}"


@dataclass(frozen=True)
class Pulled:
    """A judged story of the day that a chat's follow pulls into its view, and its section.

    Equal by section and id: two chats pulling the same stories share one render.
    """

    section: Region
    id: str
    item: Item = field(compare=False)


@dataclass(frozen=True)
class View:
    """Which sections, full or brief, a line shown above the digest, and a chat's interests.

    `hidden` (item ids) are left out and counted; `followed` (ids) are marked 🔖 and
    rise within their section; `pulled` are judged stories added by a follow. Views
    are values: equal views render the same, so renders are cached per view.
    """

    section: SectionChoice = "all"
    brief: bool = False
    brief_count: int = 5
    note: str | None = None
    hidden: frozenset[str] = frozenset()
    followed: frozenset[str] = frozenset()
    pulled: tuple[Pulled, ...] = ()

    def sections(self) -> tuple[Region, ...]:
        """The sections this view shows, in digest order."""
        if self.section == "all":
            return SECTIONS
        return (self.section,)

    def mark(self, item: Item) -> str:
        """ "🔖 " before a followed item, else nothing."""
        return f"{FOLLOW_MARK} " if item.id in self.followed else ""


def brief_items(items: list[Item], view: View) -> list[Item]:
    """The top `brief_count` items of a section (sections are stored ranked)."""
    return items[: max(view.brief_count, 0)]


def hidden_count(digest: Digest, view: View) -> int:
    """How many items of the shown sections this chat's mutes hide."""
    return sum(1 for s in view.sections() for it in digest.sections.of(s) if it.id in view.hidden)


def view_notes(digest: Digest, view: View) -> list[str]:
    """The lines above the digest: the view's note, then "已按你的设置隐藏 2 条"."""
    notes = [view.note] if view.note else []
    hidden = hidden_count(digest, view)
    if hidden:
        notes.append(f"已按你的设置隐藏 {hidden} 条（/following 查看）")
    return notes


def digest_zone(digest: Digest) -> tzinfo:
    """The digest's timezone; UTC if the stored name is unknown to this machine."""
    try:
        return ZoneInfo(digest.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local(dt: datetime, zone: tzinfo) -> datetime:
    """An aware datetime in `zone`; a naive one is taken as UTC (how we store them)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(zone)


def generated_at(digest: Digest) -> str:
    """`generated_at` as "YYYY-MM-DD HH:MM:SS" in the digest's timezone."""
    return local(digest.generated_at, digest_zone(digest)).strftime("%Y-%m-%d %H:%M:%S")


def published_at(item: Item, digest: Digest) -> str:
    """When the item's entry was published, "YYYY-MM-DD HH:MM" in the digest's timezone."""
    return local(item.published_at, digest_zone(digest)).strftime("%Y-%m-%d %H:%M")


_SPACES = re.compile(r"\s+")


def one_line(text: str) -> str:
    """Feed text on one line: whitespace runs become one space, control characters go.

    Feed text is never trusted to respect a layout: a newline inside a title
    would otherwise start a fake line of the report.
    """
    text = "".join(ch for ch in text if not _is_control(ch))
    return _SPACES.sub(" ", text).strip()


def _is_control(ch: str) -> bool:
    # Keep whitespace controls (\n, \t): the regex above turns them into spaces.
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs") and not ch.isspace() and ch != "\u200d"


def clip(text: str, cap: int | None) -> str:
    """At most `cap` characters, ending with "…" when cut; `None` means no cap."""
    if cap is None or len(text) <= cap:
        return text
    if cap <= 1:
        return "…"
    return text[: cap - 1].rstrip() + "…"


def http_link(link: str) -> str | None:
    """The link if it may be rendered as a link (http or https, sane length), else None."""
    link = link.strip()
    lowered = link.lower()
    if not (lowered.startswith("http://") or lowered.startswith("https://")):
        return None
    if len(link) > MAX_LINK or any(ch.isspace() or _is_control(ch) for ch in link):
        return None
    return link


def score_line(item: Item) -> str:
    """ "总分 0.87（重要性 0.60 · 多源报道 0.15 · 时效 0.12）": /why's score row."""
    return f"总分 {score_parts_line(item, ' · ')}"


def section_items(
    digest: Digest, section: Region, view: View, brief: bool | None = None
) -> list[Item]:
    """The items of `section` this view shows, in order: all, or the brief top ones.

    Hidden items go; followed items come first (digest ones, then pulled ones),
    each group in rank order. `brief` overrides the view's (the text report shows both).
    """
    items = [it for it in digest.sections.of(section) if it.id not in view.hidden]
    if view.followed or view.pulled:
        pulled = [p.item for p in view.pulled if p.section == section]
        items = [
            *(it for it in items if it.id in view.followed),
            *pulled,
            *(it for it in items if it.id not in view.followed),
        ]
    short = view.brief if brief is None else brief
    return brief_items(items, view) if short else items


def fit(build: Callable[[int | None], str], size: Callable[[str], int], limit: int) -> str:
    """`build(cap)` with the largest text cap that makes it at most `limit` in `size`.

    `build` renders with every feed-derived string clipped to `cap` characters
    (None: not clipped). Clipping happens before escaping, so a cut never falls
    inside an entity or a tag.
    """
    out = build(None)
    if size(out) <= limit:
        return out
    cap = 4000
    while cap > 1:
        out = build(cap)
        if size(out) <= limit:
            return out
        cap = cap * 2 // 3
    return build(1)


def shown_value(
    row: Row,
    link: Callable[[str, str], str],
    escape: Callable[[str, bool], str],
    max_links: int | None = None,
) -> str:
    """A row's value as a renderer shows it: the one walk, the renderer's link and escape.

    `escape(text, ours)` gets whether we wrote the text (ours is never clipped);
    `max_links` shortens a list of links to that many and says how many there are.
    """
    value = row.value
    if value is None:
        return NONE
    if isinstance(value, Link):
        return link(value.text, value.url)
    if isinstance(value, tuple):
        shown = ", ".join(link(m.text, m.url) for m in value[:max_links])
        over = max_links is not None and len(value) > max_links
        return f"{shown} 等 {len(value)} 家" if over else shown
    return escape(value, row.ours)


# -- lists of items from the archive: /more, /search, /week -------------------------


@dataclass(frozen=True)
class Listed:
    """One item in a list: the digest date it belongs to, and a line of ours under it."""

    day: str
    item: Item
    note: str | None = None


@dataclass(frozen=True)
class Group:
    """Items under an optional heading (a section title)."""

    heading: str | None
    items: tuple[Listed, ...]


@dataclass(frozen=True)
class Listing:
    """A list answer (/more, /search, /week): a title, groups of items, a closing line.

    `dated`: each item says its digest date before its number (items of many days).
    """

    title: str
    groups: tuple[Group, ...]
    intro: str | None = None
    footer: str | None = None
    dated: bool = False
    next_page: tuple[str, int] | None = None  # /more: (the digest's date, the next page)

    @property
    def count(self) -> int:
        return sum(len(g.items) for g in self.groups)


def listed_number(listed: Listed, dated: bool) -> str:
    """How an item of a list starts: "28、", or "2026-02-03 · 3、" with its date."""
    return f"{listed.day} · {listed.item.n}、" if dated else f"{listed.item.n}、"


MORE_PAGE = 5  # /more shows this many of each section a page


def more_listing(digest: Digest, pool: list[PoolItem], page: int) -> Listing:
    """Page `page` (1-based) of the day's pool: the next MORE_PAGE of each section,
    each with the margin that kept it out. `page` must be within `more_pages`."""
    pages = more_pages(pool)
    start = (page - 1) * MORE_PAGE
    groups: list[Group] = []
    for section in SECTIONS:
        chosen = [it for it in pool if it.section == section][start : start + MORE_PAGE]
        if chosen:
            rows = tuple(Listed(digest.date, it, f"📉 {margin_line(it)}") for it in chosen)
            groups.append(Group(f"【{SECTION_TITLES[section]}】", rows))
    footer = "发送 /why N 查看某条的详情。"
    if page < pages:
        footer = f"发送 /more {page + 1} 查看下一页，/why N 查看某条的详情。"
    return Listing(
        title=f"更多动态 · {digest.date}（第 {page}/{pages} 页）",
        intro="未进入日报的候选，按得分排列，每条注明得分与所在板块的入选线。",
        groups=tuple(groups),
        footer=footer,
        next_page=(digest.date, page + 1) if page < pages else None,
    )


def more_pages(pool: list[PoolItem]) -> int:
    """How many /more pages the pool fills (0 when empty)."""
    biggest = max((sum(1 for it in pool if it.section == s) for s in SECTIONS), default=0)
    return -(-biggest // MORE_PAGE)
