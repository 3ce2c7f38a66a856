"""Turn fetched feed bytes into `Entry` objects: the one place feeds are normalised.

Every field downstream trusts comes from here, once:

- title and summary are plain text: HTML tags stripped (nh3), entities decoded,
  control, bidi-override and zero-width characters removed, whitespace folded; a title is at most 300 characters, a summary 1000. An entry
  with no title takes the first 80 characters of its summary; with neither, it
  is dropped.
- the link is canonical (`pipeline.ids.canonical_url`): the entry's link, else
  an alternate link, else its guid when that is a permalink and an absolute
  http(s) URL; relative links (and xml:base) are resolved against the feed's
  final URL. An entry with no http(s) link is
  dropped, since a digest item must link to the story.
- `id` is `entry_id(link)`, so the same article has the same id in every feed
  and every run.
- `published_at` is aware UTC, from the published date, else the updated date
  (feedparser's parsed times are UTC). A date more than a day in the future is
  a feed's mistake and treated as no date.
- Undated entries get `dated=False, published_at=now`. `run.py` then replaces
  that with the first time the entry was seen, remembered in Redis per feed by
  `Store.first_seen`, so an undated entry falls into exactly one day's window
  instead of looking new every run.
- `lang` is "zh" when the title has Chinese (Han) characters, else "en".

Two readers, one result: `pipeline.fastfeed` reads the common well-formed RSS 2.0,
RSS 1.0 and Atom 1.0 feed with ElementTree (a tenth of feedparser's time), giving
each entry's fields exactly as feedparser would; a body it is not sure of (a DOCTYPE,
xml:base, XHTML content, an element it has not mapped, …), or one that yields no
Entry, goes to feedparser (`parse_with_feedparser`, the reference the tests hold the
fast read to). Every rule above applies to both: they share `to_entry`.

`parse_feed` never raises: a body that yields no entry and is not a feed (a
parse error, or no RSS/Atom/RDF root) gives `ParsedFeed([], "not a feed: …")`.
An empty well-formed feed, or one that yields entries despite a parse error, is
fine (`error` None).
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin

import feedparser

from pipeline.config import FeedSettings
from pipeline.fastfeed import raw_entries
from pipeline.ids import canonical_url, entry_id
from pipeline.models import Entry
from pipeline.text import has_chinese, strip_invisible, strip_tags

TITLE_MAX = 300
SUMMARY_MAX = 1000
UNTITLED_MAX = 80
FUTURE_SLACK = timedelta(days=1)

_TAG = re.compile(r"<[a-zA-Z/!?][^<>]*>")
# Block-level tags end words: without a space, "<p>a</p><p>b</p>" would read "ab".
_BLOCK = re.compile(
    r"<(?:br|/?(?:p|div|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|pre|section|article|figure|figcaption))\b[^>]*>",
    re.IGNORECASE,
)


@dataclass
class ParsedFeed:
    """The entries a body yielded, or why it yielded none."""

    entries: list[Entry] = field(default_factory=list)
    error: str | None = None


def parse_feed(
    body: bytes, feed: FeedSettings, *, content_type: str | None, location: str, now: datetime
) -> ParsedFeed:
    """Parse a fetched body into normalised entries; never raises."""
    fast = _parse_fast(body, feed, content_type=content_type, location=location, now=now)
    if fast is not None:
        return fast
    return parse_with_feedparser(body, feed, content_type=content_type, location=location, now=now)


def _parse_fast(
    body: bytes, feed: FeedSettings, *, content_type: str | None, location: str, now: datetime
) -> ParsedFeed | None:
    """`parse_with_feedparser`'s result for the bodies `fastfeed` reads, else None."""
    raws = raw_entries(body, feedparser_headers(body, content_type, location))
    if raws is None:
        return None
    try:
        entries = [e for e in (to_entry(raw, feed, now, location=location) for raw in raws) if e]
    except Exception:  # unforeseen: the reference path decides
        return None
    # With no entry the error (or its absence) depends on feedparser's bozo flag and version.
    return ParsedFeed(entries, None) if entries else None


def parse_with_feedparser(
    body: bytes, feed: FeedSettings, *, content_type: str | None, location: str, now: datetime
) -> ParsedFeed:
    """`parse_feed` by feedparser alone: the reference the fast read must equal; never raises."""
    try:
        parsed = parse_raw(body, content_type=content_type, location=location)
    except Exception as exc:  # feedparser on hostile bytes: report, never crash the run
        return ParsedFeed([], f"not a feed: parser failed: {_oneline(repr(exc))}")
    raws = parsed.get("entries", [])
    entries = [e for e in (to_entry(raw, feed, now, location=location) for raw in raws) if e]
    if entries or (parsed.get("version") and not parsed.get("bozo")):
        return ParsedFeed(entries, None)
    return ParsedFeed([], f"not a feed: {_bozo_reason(parsed)}")


def parse_raw(body: bytes, *, content_type: str | None, location: str) -> Any:
    """feedparser's result for a body, with the options and headers parse_feed uses."""
    # A BytesIO, never raw bytes: feedparser would try to open bytes as a file name.
    return feedparser.parse(
        io.BytesIO(body),
        response_headers=feedparser_headers(body, content_type, location),
        sanitize_html=False,  # we strip every tag ourselves
        resolve_relative_uris=False,  # HTML content is dropped; links are resolved anyway
    )


def feedparser_headers(body: bytes, content_type: str | None, location: str) -> dict[str, str]:
    """The response headers feedparser is given (and `fastfeed` decides by)."""
    # Without a content type feedparser flags every body; a file:// feed has none, and
    # application/xml lets the XML declaration name the encoding. A content-location makes
    # feedparser join it with the base of EVERY element (a quarter of its time), so it is
    # only passed when the body sets bases of its own (xml:base) that need it; otherwise
    # `_link` resolves the few links we use against `location`, with the same result.
    headers = {"content-type": content_type or "application/xml"}
    if b"base=" in body:
        headers["content-location"] = location
    return headers


def to_entry(raw: Any, feed: FeedSettings, now: datetime, *, location: str = "") -> Entry | None:
    """One feedparser entry as an `Entry`, or None when it has no http(s) link or no text.

    `location` is where the feed came from: relative links are resolved against it."""
    link = _link(raw, location)
    if link is None:
        return None
    summary = _clip(plain_text(_summary_html(raw)), SUMMARY_MAX)
    title = _clip(plain_text(str(raw.get("title") or "")), TITLE_MAX)
    if not title:
        title = _clip(summary, UNTITLED_MAX)
    if not title:
        return None
    published = _published(raw, now)
    return Entry(
        id=entry_id(link),
        feed=feed.id,
        source=feed.name,
        region=feed.region,
        weight=feed.weight,
        title=title,
        summary=summary,
        link=link,
        published_at=published or now.astimezone(UTC),
        dated=published is not None,
        lang="zh" if has_chinese(title) else "en",
    )


def plain_text(text: str) -> str:
    """HTML or text as one line of plain text: tags stripped, entities decoded, spaces folded."""
    # Up to three rounds until nothing changes: double-encoded feeds ("&amp;lt;b&amp;gt;")
    # only show their tags after an unescape.
    for _ in range(3):
        if _TAG.search(text):
            cleaned = html.unescape(strip_tags(_BLOCK.sub(r" \g<0>", text)))
        else:
            cleaned = html.unescape(text) if "&" in text else text
        if cleaned == text:
            break
        text = cleaned
    else:
        text = _TAG.sub(" ", text)  # still tags after three rounds: a hostile feed, drop them
    return " ".join(strip_invisible(text).split())


def _summary_html(raw: Any) -> str:
    summary = raw.get("summary")
    if summary:
        return str(summary)
    for content in raw.get("content") or []:
        value = content.get("value")
        if value:
            return str(value)
    return ""


def _link(raw: Any, location: str) -> str | None:
    """The first candidate that is an http(s) URL: link, alternate links, then the guid.

    Links may be relative to the feed's location; a guid counts only when it is a permalink
    and already an absolute URL (a guid "abc-1" is an id, not a path on the feed's host)."""
    # feedparser copies a permalink guid into `link` when the item has no <link> element
    # (its `guidislink` flag stays set even when a <link> follows; `links` tells).
    links = raw.get("links")
    # A hostile <links>text</links> makes feedparser's `links` a string.
    links = [x for x in links if isinstance(x, dict)] if isinstance(links, list) else []
    from_guid = bool(raw.get("guidislink")) and not links
    candidates = [] if from_guid else [_absolute(location, raw.get("link"))]
    for link in links:
        if link.get("rel", "alternate") == "alternate":
            candidates.append(_absolute(location, link.get("href")))
    if raw.get("guidislink"):  # isPermaLink="false" says the guid is not the story's address
        candidates.append(raw.get("id"))
    for candidate in candidates:
        url = canonical_url(candidate) if isinstance(candidate, str) else None
        if url:
            return url
    return None


def _absolute(base: str, link: Any) -> str | None:
    if not isinstance(link, str) or not link.strip():
        return None
    text: str = link.strip()
    if text[:8].lower().startswith(("http://", "https://")):
        return text  # the usual case, and urljoin is a good part of a feed's parse time
    try:
        return urljoin(base, text)
    except ValueError:
        return None


def _published(raw: Any, now: datetime) -> datetime | None:
    """Aware UTC publication time, or None when the feed gave none (or an absurd one)."""
    for key in ("published_parsed", "updated_parsed"):
        # `in` first: FeedParserDict.get("updated_parsed") falls back to published_parsed
        # with a DeprecationWarning (an error under pytest), and that one was just tried.
        value = raw.get(key) if key in raw else None
        if not value:
            continue
        try:
            year, month, day, hour, minute, second = value[:6]
            when = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except (TypeError, ValueError):
            continue
        if when > now + FUTURE_SLACK:
            return None
        return when
    return None


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def _bozo_reason(parsed: Any) -> str:
    exc = parsed.get("bozo_exception")
    if exc is not None:
        return _oneline(str(exc)) or type(exc).__name__
    return "no RSS, Atom or RDF root element"


def _oneline(text: str, limit: int = 200) -> str:
    return _clip(" ".join(text.split()), limit)
