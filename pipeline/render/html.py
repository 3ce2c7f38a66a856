"""The digest as a web page and as an RSS feed: pure functions, strings in and out.

Every feed-derived string goes through `esc` (html.escape, quotes included) and
every link through `safe_href`, which lets only http(s) URLs into an `href`:
a feed can put `javascript:` or `"><script>` in a title or a link, and this page
shows it as text. The page carries its own CSS and needs no JavaScript (the
"为什么入选" toggle is a `<details>` element), so it loads nothing from elsewhere.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, date, datetime
from email.utils import format_datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline.models import IMPORTANCE_EMOJI, SECTION_TITLES, SECTIONS, Digest, Item
from pipeline.render.view import LABELS, score_parts_line
from pipeline.search import MAX_QUERY

IMPORTANCE_LABEL = {"high": "高", "medium": "中", "low": "低"}
# XML 1.0 forbids these code points even when escaped; a feed may still carry them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

CSS = """
:root{color-scheme:light dark;--fg:#1d1d1f;--muted:#6e6e73;--bg:#f5f5f7;--card:#fff;--line:#e3e3e8;
--accent:#0a58ca;--chip:#eef2f8;--note:#fff6e0;--note-line:#f0c36d}
@media (prefers-color-scheme:dark){:root{--fg:#e8e8ed;--muted:#a1a1a6;--bg:#111113;--card:#1c1c1e;
--line:#333338;--accent:#7cb0ff;--chip:#2a2f38;--note:#2e2816;--note-line:#8a6d2b}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);line-height:1.7;
font-family:-apple-system,BlinkMacSystemFont,"PingFang SC","Hiragino Sans GB","Noto Sans CJK SC",
"Microsoft YaHei","Segoe UI",sans-serif,"Apple Color Emoji","Segoe UI Emoji","Noto Color Emoji";
font-size:16px;-webkit-text-size-adjust:100%;overflow-wrap:anywhere}
main{max-width:780px;margin:0 auto;padding:20px 16px 8px}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
a:focus-visible,summary:focus-visible{outline:2px solid var(--accent);outline-offset:2px;border-radius:4px}
header h1{font-size:1.6rem;line-height:1.3;margin:.3em 0 .2em}
.meta,.src,.empty{color:var(--muted);font-size:.88rem}
.meta{margin:0 0 .8em}
.note{background:var(--note);border:1px solid var(--note-line);border-radius:8px;padding:8px 12px;margin:0 0 .8em}
.summary{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:12px 16px;margin:0}
nav.toc{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0 0}
nav.toc a,nav.pager a,ul.dates a{display:inline-block;border:1px solid var(--line);background:var(--card);
border-radius:999px;padding:2px 12px;font-size:.9rem;white-space:nowrap}
nav.pager{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:8px;margin:16px 0 0}
nav.pager .older{margin-right:auto}nav.pager .newer{margin-left:auto}
h2{font-size:1.25rem;margin:1.6em 0 .7em;padding-bottom:.3em;border-bottom:2px solid var(--line);scroll-margin-top:8px}
ol.items{list-style:none;margin:0;padding:0}
li.item{display:grid;grid-template-columns:3em minmax(0,1fr);column-gap:4px;background:var(--card);
border:1px solid var(--line);border-radius:12px;padding:12px 16px 10px 10px;margin:0 0 12px;scroll-margin-top:8px}
li.item.imp-high{border-left:3px solid #e8590c}
li.item:target{outline:2px solid var(--accent)}
.n{font-weight:700;color:var(--muted);text-align:right;padding-right:4px;font-variant-numeric:tabular-nums;
white-space:nowrap;overflow-wrap:normal}
.text{margin:0}
.imp{margin-right:.3em}
.src{margin:.35em 0 0}
.src .sep{margin:0 .35em;opacity:.7}
.src time{white-space:nowrap}
.tags{margin:.45em 0 0;display:flex;flex-wrap:wrap;gap:6px;padding:0;list-style:none}
.tags li{background:var(--chip);border-radius:999px;padding:0 10px;font-size:.8rem;line-height:1.8}
details{margin:.4em 0 0}
summary{cursor:pointer;color:var(--accent);font-size:.88rem;width:max-content;padding:2px 0;user-select:none}
details[open] summary{margin-bottom:.2em}
details .why{font-size:.9rem;margin:0;padding:8px 12px;background:var(--bg);border-radius:8px;
display:grid;grid-template-columns:max-content minmax(0,1fr);column-gap:12px;row-gap:2px}
details .why dt{color:var(--muted)}
details .why dd{margin:0}
.month h2{font-size:1.05rem}
ul.dates{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:8px}
ul.dates a{font-variant-numeric:tabular-nums}
form.search{display:flex;gap:8px;margin:0 0 12px}
form.search input{flex:1;min-width:0;font:inherit;padding:4px 12px;border:1px solid var(--line);
border-radius:999px;background:var(--card);color:var(--fg)}
form.search button{font:inherit;padding:4px 14px;border:1px solid var(--line);border-radius:999px;
background:var(--chip);color:var(--fg);cursor:pointer}
.hit .day{color:var(--muted);font-size:.88rem;margin:0 0 .2em}
footer{margin:2.5em 0 1em;padding-top:1em;border-top:1px solid var(--line);color:var(--muted);font-size:.85rem}
@media (max-width:480px){main{padding:12px 10px 4px}body{font-size:15.5px}header h1{font-size:1.35rem}
li.item{grid-template-columns:2.7em minmax(0,1fr);padding:10px 12px 8px 6px}}
"""


def esc(text: object) -> str:
    """Escape any text for HTML body or attribute use."""
    return html.escape(str(text), quote=True)


def safe_href(url: str) -> str | None:
    """The URL, escaped for an attribute, if it is http(s) with a host; else None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return esc(url.strip())


def link(url: str, text: str) -> str:
    """An anchor to an http(s) URL, or just the escaped text when the URL is not one."""
    href = safe_href(url)
    if href is None:
        return esc(text)
    return f'<a href="{href}" rel="noopener noreferrer nofollow" target="_blank">{esc(text)}</a>'


def local(moment: datetime, timezone: str) -> datetime:
    """A stored (UTC) time in the digest's timezone, as its readers count hours."""
    try:
        return moment.astimezone(ZoneInfo(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        return moment


def _why(item: Item) -> str:
    """The item's "为什么入选", with the labels and score part names every channel uses."""
    rows = [
        (
            LABELS["importance"],
            f"{IMPORTANCE_EMOJI.get(item.importance, '')} {IMPORTANCE_LABEL.get(item.importance, item.importance)}",
        ),
        (LABELS["category"], esc(item.category)),
        (LABELS["reason"], esc(item.reason)),
    ]
    if item.score.parts:
        rows.append((LABELS["score"], esc(score_parts_line(item))))
    if item.also_reported_by:
        others = "；".join(link(m.link, m.source) for m in item.also_reported_by)
        rows.append((LABELS["also"], others))
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return f'<details><summary>为什么入选</summary><dl class="why">{body}</dl></details>'


def render_item(item: Item, timezone: str = "UTC") -> str:
    """One item: number, importance, summary, source with link, tags, and the reason on demand."""
    emoji = IMPORTANCE_EMOJI.get(item.importance, "")
    label = IMPORTANCE_LABEL.get(item.importance, item.importance)
    tags = "".join(f"<li>{esc(t)}</li>" for t in item.tags)
    when = local(item.published_at, timezone).strftime("%m-%d %H:%M")
    sep = '<span class="sep" aria-hidden="true">·</span>'
    return (
        f'<li class="item imp-{esc(item.importance)}" id="item-{item.n}" data-n="{item.n}">'
        f'<span class="n">{item.n}、</span><div class="body">'
        f'<p class="text"><span class="imp" title="重要性：{label}" aria-label="重要性：{label}">'
        f"{emoji}</span>{esc(item.summary)}</p>"
        f'<div class="src">来源：{link(item.link, item.source)}{sep}{link(item.link, item.title)}'
        f"{sep}<time>{esc(when)}</time></div>"
        + (f'<ul class="tags">{tags}</ul>' if tags else "")
        + _why(item)
        + "</div></li>"
    )


def render_sections(digest: Digest) -> str:
    """Both sections as HTML (shared by the page and the RSS description)."""
    out = []
    for section in SECTIONS:
        items = digest.sections.of(section)
        title = SECTION_TITLES[section]
        body = (
            '<ol class="items">' + "".join(render_item(i, digest.timezone) for i in items) + "</ol>"
            if items
            else '<p class="empty">本栏目今日无入选条目。</p>'
        )
        out.append(f'<section id="{section}"><h2>{title}（{len(items)}）</h2>{body}</section>')
    return "".join(out)


def neighbours(day: str, dates: Sequence[str]) -> tuple[str | None, str | None]:
    """The stored dates just before and just after `day` (None at either end)."""
    older = max((d for d in dates if d < day), default=None)
    newer = min((d for d in dates if d > day), default=None)
    return older, newer


def _pager(day: str, dates: Sequence[str]) -> str:
    older, newer = neighbours(day, dates)
    prev = f'<a class="older" href="/d/{older}" rel="prev">← {older}</a>' if older else ""
    nxt = f'<a class="newer" href="/d/{newer}" rel="next">{newer} →</a>' if newer else ""
    return (
        f'<nav class="pager" aria-label="其他日期">{prev}<a href="/archive">往期日报</a>{nxt}</nav>'
    )


def _toc(digest: Digest) -> str:
    links = "".join(
        f'<a href="#{s}">{SECTION_TITLES[s]} {len(digest.sections.of(s))}</a>' for s in SECTIONS
    )
    return f'<nav class="toc" aria-label="栏目">{links}</nav>'


def search_form(query: str = "") -> str:
    """The search box every page carries: GET /search?q=… (no JavaScript)."""
    value = f' value="{esc(query)}"' if query else ""
    return (
        '<form class="search" role="search" action="/search" method="get">'
        f'<input type="search" name="q" maxlength="{MAX_QUERY}" required'
        f' placeholder="搜索往期日报：标题、摘要、标签、来源" aria-label="搜索往期日报"{value}>'
        '<button type="submit">搜索</button></form>'
    )


def _page(title: str, body: str, query: str = "") -> str:
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{esc(title)}</title>"
        '<link rel="alternate" type="application/rss+xml" title="AI每日动态" href="/feed.xml">'
        f"<style>{CSS}</style></head><body><main>{search_form(query)}{body}"
        '<footer>由 aidaily 生成 · <a href="/feed.xml">RSS 订阅</a> · <a href="/archive">往期日报</a></footer>'
        "</main></body></html>"
    )


def render_page(digest: Digest, dates: Sequence[str], note: str | None = None) -> str:
    """The whole page of one digest, with links to the days before and after."""
    generated = local(digest.generated_at, digest.timezone).strftime("%Y-%m-%d %H:%M")
    count = len(digest.items)
    header = (
        f"<header><h1>AI每日动态 · {esc(digest.date)}</h1>"
        f'<p class="meta">共 {count} 条 · 生成于 {esc(generated)}（{esc(digest.timezone)}）</p>'
        + (f'<p class="note">{esc(note)}</p>' if note else "")
        + f'<p class="summary">{esc(digest.summary)}</p></header>'
    )
    # The way to other days goes at the end, where a reader who has finished this one is.
    pager = _pager(digest.date, dates)
    return _page(
        f"AI每日动态 {digest.date}",
        header + _toc(digest) + render_sections(digest) + pager,
    )


def render_archive(dates: Sequence[str]) -> str:
    """The list of every stored date, newest first, a block per month."""
    if not dates:
        return render_message("往期日报", "还没有任何日报。")
    months: dict[str, list[str]] = {}
    for d in dates:
        months.setdefault(d[:7], []).append(d)
    blocks = "".join(
        f'<section class="month"><h2>{esc(m[:4])} 年 {int(m[5:7])} 月</h2><ul class="dates">'
        + "".join(f'<li><a href="/d/{esc(d)}">{esc(_day_label(d))}</a></li>' for d in days)
        + "</ul></section>"
        for m, days in months.items()
    )
    header = '<header><h1>往期日报</h1><p class="meta"><a href="/">← 最新日报</a></p></header>'
    return _page("往期日报 · AI每日动态", header + blocks)


WEEKDAYS = "一二三四五六日"


def _day_label(day: str) -> str:
    try:
        return f"{day[5:]} 周{WEEKDAYS[date.fromisoformat(day).weekday()]}"
    except ValueError:
        return day


def render_message(title: str, text: str, query: str = "") -> str:
    """A small page that says one thing (nothing stored yet, a bad date, a bad query …)."""
    body = f'<header><h1>{esc(title)}</h1></header><p class="empty">{esc(text)}</p>'
    return _page(title, body + '<p><a href="/">返回最新日报</a></p>', query)


def render_search(query: str, hits: Sequence[tuple[str, Item]], timezone: str = "UTC") -> str:
    """The archive's items that hold `query`, newest first, each with its date and number."""
    header = (
        f"<header><h1>搜索：{esc(query)}</h1>"
        f'<p class="meta">往期日报中最新的 {len(hits)} 条 · <a href="/archive">往期日报</a></p></header>'
    )
    if not hits:
        return _page(f"搜索 {query}", header + '<p class="empty">没有找到匹配的条目。</p>', query)
    rows = "".join(
        f'<div class="hit"><p class="day"><a href="/d/{esc(day)}#item-{item.n}">'
        f"{esc(day)} · 第 {item.n} 条</a></p>"
        f'<ol class="items">{render_item(item, timezone)}</ol></div>'
        for day, item in hits
    )
    return _page(f"搜索 {query} · AI每日动态", header + rows, query)


def _xml_text(text: str) -> str:
    return _XML_INVALID.sub("", text)


def render_rss(digests: Sequence[Digest], base_url: str) -> bytes:
    """RSS 2.0 with one item per digest date, newest first; the item body is the digest's HTML.

    One item per day (not per story) because the digest is the product: a reader
    subscribes to the morning edition, gets one entry a day with its numbering and
    sections, and is not flooded with 27 entries the source feeds already carry.
    """
    base = base_url.rstrip("/")
    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = "AI每日动态"
    ET.SubElement(channel, "link").text = f"{base}/"
    ET.SubElement(channel, "description").text = "每日精选 AI 新闻：国内动态与国际动态"
    ET.SubElement(channel, "language").text = "zh-cn"
    ET.SubElement(channel, "generator").text = "aidaily"
    if digests:
        built = max(d.generated_at for d in digests)
        ET.SubElement(channel, "lastBuildDate").text = format_datetime(built.astimezone(UTC))
    for digest in digests:
        item = ET.SubElement(channel, "item")
        d, i = len(digest.sections.domestic), len(digest.sections.international)
        ET.SubElement(
            item, "title"
        ).text = f"AI每日动态 {digest.date}：国内动态 {d} 条 · 国际动态 {i} 条"
        ET.SubElement(item, "link").text = f"{base}/d/{digest.date}"
        ET.SubElement(item, "guid", isPermaLink="true").text = f"{base}/d/{digest.date}"
        # The day's cut-off, not when it was built: a replayed old day must not look newest.
        ET.SubElement(item, "pubDate").text = format_datetime(digest.window.end.astimezone(UTC))
        body = f"<p>{esc(digest.summary)}</p>{render_sections(digest)}"
        ET.SubElement(item, "description").text = _xml_text(body)
    xml: bytes = ET.tostring(rss, encoding="utf-8", xml_declaration=True)
    return xml
