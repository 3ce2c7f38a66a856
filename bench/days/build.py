"""Write the written labelled days: feeds, config and labels from one hand-written list.

    .venv/bin/python -m bench.days.build        # rewrites bench/days/<date>/{feeds/*.xml,config.yaml,labels.yaml}

Each day lives in `bench/days/day_<yyyy>_<mm>_<dd>.py` as a list of `E(...)`: the feed
that carried the entry, when (Beijing time "DD HH:MM" in the day's month), the title and
teaser as that outlet would write them, and the label an editor gives it (must / ok /
never, the story it reports, and for non-news the kind). Keeping text and label on one
line keeps them from drifting apart. The feeds are written in the shapes their sources
serve, with the writers of examples/make_demo_feeds.py; links are derived from the title
in each site's URL pattern. The labels file is what bench/editorial.py reads.
"""

from __future__ import annotations

import hashlib
import importlib
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, timedelta, timezone
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from examples.make_demo_feeds import (
    BJ,
    CET,
    Channel,
    Story,
    atom,
    condenast_guid,
    eu_guid,
    kr36_date,
    no_guid,
    permalink,
    rfc822,
    rss2,
    wp_guid,
)

HERE = Path(__file__).resolve().parent
KINDS = ("opinion", "review", "promo", "event", "job", "list", "roundup", "paper", "offtopic")


@dataclass(frozen=True)
class Feed:
    id: str
    name: str
    region: str
    weight: float


FEEDS: tuple[Feed, ...] = (
    Feed("kr36", "36氪", "domestic", 1.0),
    Feed("jiqizhixin", "机器之心", "domestic", 1.1),
    Feed("qbitai", "量子位", "domestic", 1.0),
    Feed("leiphone", "AI科技评论", "domestic", 1.0),
    Feed("bloomberg", "Bloomberg Technology", "international", 1.2),
    Feed("techcrunch_ai", "TechCrunch AI", "international", 1.0),
    Feed("verge_ai", "The Verge AI", "international", 1.0),
    Feed("wired_ai", "Wired AI", "international", 1.0),
    Feed("arxiv_ai", "arXiv AI", "international", 0.6),
    Feed("eu_ai", "EU AI Policy", "international", 1.0),
)
REGION = {f.id: f.region for f in FEEDS}


@dataclass(frozen=True)
class E:
    """One entry and its label. `when` is Beijing time "DD HH:MM" in the day's month."""

    feed: str
    when: str
    title: str
    summary: str
    label: str
    story: str
    kind: str = ""


@dataclass(frozen=True)
class DayData:
    date: str  # YYYY-MM-DD
    entries: Sequence[E]
    major: dict[str, list[str]]
    sections: dict[str, str]  # story -> section where it differs from its feeds' region


def _num(text: str, digits: int) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest(), 16) % 10**digits


def _slug(title: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", title.casefold().replace("’", "").replace("'", ""))
    return words.strip("-")[:80].rstrip("-")


def link(e: E, day: str) -> str:
    """The entry's link in its site's URL pattern, stable for a title."""
    y, m, _d = day.split("-")
    slug, n = _slug(e.title), _num(e.title, 13)
    return {
        "kr36": f"https://36kr.com/p/{3_700_000_000_000_000 + n}",
        "jiqizhixin": f"https://www.jiqizhixin.com/articles/{y}-{m}-{e.when[:2]}-{n % 9973}",
        "qbitai": f"https://www.qbitai.com/{y}/{m}/{380_000 + n % 99_991}.html",
        "leiphone": f"https://www.leiphone.com/category/ai/{hashlib.md5(e.title.encode()).hexdigest()[:16]}.html",
        "bloomberg": f"https://www.bloomberg.com/news/articles/{y}-{m}-{e.when[:2]}/{slug}",
        "techcrunch_ai": f"https://techcrunch.com/{y}/{m}/{e.when[:2]}/{slug}/",
        "verge_ai": f"https://www.theverge.com/ai-artificial-intelligence/{700_000 + n % 99_991}/{slug}",
        "wired_ai": f"https://www.wired.com/story/{slug}/",
        "arxiv_ai": f"https://arxiv.org/abs/{y[2:]}{m}.{n % 90_000 + 10_000:05d}",
        "eu_ai": f"https://digital-strategy.ec.europa.eu/en/news/{slug}",
    }[e.feed]


def _story(e: E, day: str) -> Story:
    month = day[5:7]
    return Story(f"{month}-{e.when}", e.title, link(e, day), e.summary)


def _arxiv_summary(e: E, day: str) -> str:
    pid = link(e, day).rsplit("/", 1)[1]
    return f"arXiv:{pid}v1 Announce Type: new \nAbstract: {e.summary}"


CHANNELS: dict[str, tuple[Channel, Callable[[int, Story], str]]] = {
    "kr36": (
        Channel("36氪", "https://36kr.com/", "36氪_让一部分人先看到未来", "zh-cn", kr36_date, True),
        no_guid,
    ),
    "jiqizhixin": (
        Channel(
            "机器之心",
            "https://www.jiqizhixin.com",
            "专业的人工智能媒体和产业服务平台",
            "zh-cn",
            rfc822(BJ),
        ),
        permalink,
    ),
    "leiphone": (
        Channel(
            "雷峰网",
            "https://www.leiphone.com",
            "雷峰网 - 读懂智能&未来",
            "zh-CN",
            rfc822(BJ),
            True,
        ),
        no_guid,
    ),
    "bloomberg": (
        Channel(
            "Bloomberg Technology",
            "https://www.bloomberg.com/technology",
            "Bloomberg Technology News",
            "en-US",
            rfc822(UTC, gmt=True),
        ),
        permalink,
    ),
    "techcrunch_ai": (
        Channel(
            "AI News & Artificial Intelligence | TechCrunch",
            "https://techcrunch.com/category/artificial-intelligence/",
            "Startup and Technology News",
            "en-US",
            rfc822(UTC),
            cdata=True,
            generator="https://wordpress.org/?v=6.8.1",
        ),
        wp_guid(3120417),
    ),
    "verge_ai": (
        Channel(
            "AI Artificial Intelligence | The Verge",
            "https://www.theverge.com/ai-artificial-intelligence",
            "The latest AI news from The Verge",
            "en-US",
            rfc822(timezone(timedelta(hours=-4))),
        ),
        permalink,
    ),
    "wired_ai": (
        Channel(
            "WIRED: AI",
            "https://www.wired.com/tag/ai/latest",
            "The latest from www.wired.com",
            "en-US",
            rfc822(UTC),
        ),
        condenast_guid,
    ),
    "arxiv_ai": (
        Channel(
            "cs.AI updates on arXiv.org",
            "http://rss.arxiv.org/rss/cs.AI",
            "cs.AI updates on the arXiv.org e-print archive.",
            "en-us",
            rfc822(timezone(timedelta(hours=-4))),
        ),
        permalink,
    ),
    "eu_ai": (
        Channel(
            "Shaping Europe’s digital future",
            "https://digital-strategy.ec.europa.eu/en",
            "Latest news, consultations and events of the European Commission's digital policy",
            "en",
            rfc822(CET),
        ),
        eu_guid,
    ),
}


def feeds_of(data: DayData) -> dict[str, str]:
    out = {}
    for feed in FEEDS:
        entries = [e for e in data.entries if e.feed == feed.id]
        if feed.id == "arxiv_ai":
            entries = [
                E(**{**e.__dict__, "summary": _arxiv_summary(e, data.date)}) for e in entries
            ]
        stories = [_story(e, data.date) for e in entries]
        if feed.id == "qbitai":
            out[f"{feed.id}.xml"] = atom(
                "量子位", "https://www.qbitai.com", "https://www.qbitai.com/feed/atom", stories
            )
        else:
            channel, guid = CHANNELS[feed.id]
            out[f"{feed.id}.xml"] = rss2(channel, stories, guid)
    return out


def config_of(data: DayData) -> str:
    lines = [
        f"# Written labelled day {data.date}: see bench/EDITORIAL_README.md.",
        "# Generated by bench/days/build.py; edit the day's .py file, not this one.",
        "timezone: Asia/Shanghai",
        "digest:",
        '  time: "08:00"',
        "  window_hours: 24",
        "  domestic: 14",
        "  international: 13",
        "  brief: 5",
        "feeds:",
    ]
    for f in FEEDS:
        lines += [
            f"  - id: {f.id}",
            f"    name: {f.name}",
            f"    url: file://feeds/{f.id}.xml",
            f"    region: {f.region}",
            f"    weight: {f.weight}",
        ]
    return "\n".join(lines) + "\n"


def check(data: DayData) -> None:
    """Labels that cannot be right: unknown label or kind, a story in two sections, a
    never without a kind, a major story that does not exist."""
    seen: dict[str, str] = {}
    for e in data.entries:
        assert e.feed in REGION, e
        assert e.label in ("must", "ok", "never"), e
        assert (e.label == "never") == bool(e.kind) or e.kind == "interview", e
        assert not e.kind or e.kind in (*KINDS, "interview"), e
        if e.title in seen:
            raise AssertionError(f"title twice: {e.title}")
        seen[e.title] = e.story
    for story in data.major:
        assert story in seen.values(), story
    links = Counter(link(e, data.date) for e in data.entries)
    assert max(links.values()) == 1, f"two entries share a link: {links.most_common(1)}"
    sections: dict[str, set[str]] = {}
    for e in data.entries:
        sections.setdefault(e.story, set()).add(section(e, data))
    split = {story: s for story, s in sections.items() if len(s) > 1}
    assert not split, f"stories in two sections (add them to `sections`): {split}"


def section(e: E, data: DayData) -> str:
    return data.sections.get(e.story, REGION[e.feed])


def labels_of(data: DayData) -> str:
    entries = []
    for e in data.entries:
        row = {
            "link": link(e, data.date),
            "title": e.title,
            "label": e.label,
            "story": e.story,
            "section": section(e, data),
        }
        if e.kind:
            row["kind"] = e.kind
        entries.append(row)
    head = (
        f"# Labels of the written day {data.date} (generated by bench/days/build.py from\n"
        f"# bench/days/day_{data.date.replace('-', '_')}.py; edit that file). See bench/EDITORIAL_README.md.\n"
    )
    body = {
        "date": data.date,
        "config": "config.yaml",
        "major": data.major,
        "entries": entries,
    }
    return head + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=200)


def build(module: str) -> Path:
    data: DayData = importlib.import_module(f"bench.days.{module}").DAY
    check(data)
    out = HERE / data.date
    (out / "feeds").mkdir(parents=True, exist_ok=True)
    for name, text in feeds_of(data).items():
        (out / "feeds" / name).write_text(text, encoding="utf-8")
    (out / "config.yaml").write_text(config_of(data), encoding="utf-8")
    (out / "labels.yaml").write_text(labels_of(data), encoding="utf-8")
    return out


def main() -> None:
    for path in sorted(HERE.glob("day_*.py")):
        print(f"wrote {build(path.stem)}")


if __name__ == "__main__":
    main()
