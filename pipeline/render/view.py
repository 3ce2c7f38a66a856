"""What part of a digest to show, and the small helpers every renderer shares.

A `View` is what a command asked for (`/intl` is `View(section="international")`,
`/brief` is `View(brief=True)`). The helpers here decide the shared facts once —
which sections, which items, local times, whether a link may be linked, how a
score reads — so that every channel says the same thing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline.models import SECTIONS, Digest, Item, Region

SectionChoice = Literal["all", "domestic", "international"]

IMPORTANCE_NAMES: dict[str, str] = {"high": "高重要性", "medium": "中重要性", "low": "低重要性"}
EMPTY_SECTION = "本时段内没有符合条件的AI动态。"
TITLE = "AI每日动态"

# A link longer than this is shown as plain text: no client needs it, and it
# would eat a whole Telegram message on its own.
MAX_LINK = 2048


@dataclass(frozen=True)
class View:
    """Which sections, full or brief, and an optional line shown above the digest."""

    section: SectionChoice = "all"
    brief: bool = False
    brief_count: int = 5
    note: str | None = None

    def sections(self) -> tuple[Region, ...]:
        """The sections this view shows, in digest order."""
        if self.section == "all":
            return SECTIONS
        return (self.section,)


def brief_items(items: list[Item], view: View) -> list[Item]:
    """The top `brief_count` items of a section (sections are stored ranked)."""
    return items[: max(view.brief_count, 0)]


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
    """ "总分 0.87（importance 0.60 · sources 0.15 · recency 0.12）"."""
    parts = " · ".join(f"{name} {value:.2f}" for name, value in item.score.parts.items())
    total = f"总分 {item.score.total:.2f}"
    return f"{total}（{parts}）" if parts else total


def section_items(digest: Digest, section: Region, view: View) -> list[Item]:
    """The items of `section` this view shows: all, or the brief top ones."""
    items = digest.sections.of(section)
    return brief_items(items, view) if view.brief else items


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
