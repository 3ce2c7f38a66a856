"""The bundled demo day and the starter config: what `make run` and a new user start from."""

from __future__ import annotations

import calendar
import runpy
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import feedparser
import pytest

from pipeline.config import Settings, load_settings
from pipeline.ids import canonical_url

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DEMO = EXAMPLES / "demo.yaml"
DAY = date(2026, 2, 3)
MISSING = {"tmtpost"}  # demo.yaml names a file that does not exist, on purpose
BROKEN = {"pingwest"}  # a truncated download

# Every story of the reference report, with the feed that really carried it.
REFERENCE = {
    "https://36kr.com/p/3667233081221763?f=rss": "kr36",
    "https://36kr.com/p/3666200370143873?f=rss": "kr36",
    "https://36kr.com/p/3666915646218885?f=rss": "kr36",
    "https://36kr.com/p/3667222616056709?f=rss": "kr36",
    "https://36kr.com/p/3661841941013126?f=rss": "kr36",
    "https://36kr.com/p/3665581867737728?f=rss": "kr36",
    "https://36kr.com/newsflashes/3667221059363456?f=rss": "kr36",
    "https://36kr.com/p/3666826665075331?f=rss": "kr36",
    "https://www.leiphone.com/category/zaobao/HEnTXDsNSvALTBhx.html": "leiphone",
    "https://www.leiphone.com/category/zaobao/OlJhTaugA2QjJjZL.html": "leiphone",
    "https://www.leiphone.com/category/ai/Xj3mwumZ3TUHjFsF.html": "leiphone",
    "https://www.leiphone.com/category/ai/tzyDcW4dg7W7Zai3.html": "leiphone",
    "https://www.leiphone.com/category/industrynews/RwT9ymUDieNj7ht2.html": "leiphone",
    "https://www.leiphone.com/category/industrynews/ontXdvRmLhDbCLig.html": "leiphone",
    "https://www.bloomberg.com/news/videos/2026-02-03/what-s-musk-trying-to-achieve-with-the-spacex-xai-deal-video": "bloomberg",
    "https://www.bloomberg.com/news/videos/2026-02-02/elon-musk-said-to-be-merging-spacex-and-xai-video": "bloomberg",
    "https://www.bloomberg.com/news/articles/2026-02-02/waymo-raises-16-billion-from-alphabet-others-to-expand-service": "bloomberg",
    "https://www.bloomberg.com/news/articles/2026-02-02/openai-accuses-musk-s-xai-of-destroying-evidence-in-court-fight": "bloomberg",
    "https://www.bloomberg.com/news/videos/2026-02-02/disney-might-need-to-be-broken-up-ross-gerber-says-video": "bloomberg",
    "https://www.bloomberg.com/news/articles/2026-02-03/kyocera-unveils-3-2-billion-buyback-in-capital-efficiency-push": "bloomberg",
    "https://www.wired.com/story/spacex-acquires-xai-elon-musk/": "wired_ai",
    "https://techcrunch.com/2026/02/02/elon-musk-spacex-acquires-xai-data-centers-space-merger/": "techcrunch_ai",
    "https://digital-strategy.ec.europa.eu/en/consultations/data-act-commission-seeks-feedback-draft-guidelines-reasonable-compensation": "eu_ai",
    "https://arxiv.org/abs/2602.00298": "arxiv_ai",
    "https://arxiv.org/abs/2602.00415": "arxiv_ai",
    "https://arxiv.org/abs/2602.00521": "arxiv_ai",
    "https://arxiv.org/abs/2602.00574": "arxiv_ai",
}


@pytest.fixture(scope="module")
def demo() -> Settings:
    return load_settings(str(DEMO), env={})


@pytest.fixture(scope="module")
def parsed(demo: Settings) -> dict[str, Any]:
    """feed id -> feedparser result, for every demo feed whose file exists."""
    out = {}
    for feed in demo.feeds:
        path = _path(feed.url)
        if path.exists():
            out[feed.id] = feedparser.parse(path.read_bytes())
    return out


def _path(url: str) -> Path:
    parts = urlsplit(url)
    assert parts.scheme == "file", url
    return Path(url2pathname(parts.path))


def _published(entry: Any) -> datetime | None:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime.fromtimestamp(calendar.timegm(stamp), UTC) if stamp else None


@pytest.mark.parametrize("path", ["config.yaml", "examples/demo.yaml"])
def test_config_files_load_without_any_environment(path: str) -> None:
    settings = load_settings(str(ROOT / path), env={})
    ids = [f.id for f in settings.feeds]
    assert len(ids) == len(set(ids)) >= 8
    assert settings.timezone == "Asia/Shanghai"
    assert (settings.digest.time, settings.digest.window_hours) == ("08:00", 24)
    assert (settings.digest.domestic, settings.digest.international, settings.digest.brief) == (
        14,
        13,
        5,
    )
    assert settings.llm is None  # the heuristic curator unless the user opts in
    assert settings.redis.url is None  # the embedded Redis


def test_starter_config_uses_real_feeds_of_both_regions() -> None:
    settings = load_settings(str(ROOT / "config.yaml"), env={})
    assert all(f.url.startswith("https://") for f in settings.feeds)
    urls = {f.url for f in settings.feeds}
    assert {"https://36kr.com/feed", "https://rss.arxiv.org/rss/cs.AI"} <= urls
    assert {f.region for f in settings.feeds} == {"domestic", "international"}


def test_demo_feed_files_exist_except_the_deliberately_missing_one(demo: Settings) -> None:
    missing = {f.id for f in demo.feeds if not _path(f.url).exists()}
    assert missing == MISSING
    assert all(_path(f.url).is_relative_to(EXAMPLES / "feeds") for f in demo.feeds)


def test_demo_feeds_hold_a_full_news_day(demo: Settings, parsed: dict[str, Any]) -> None:
    start, end = demo.window(DAY)
    counts = {fid: len(d.entries) for fid, d in parsed.items()}
    in_window = [
        e for d in parsed.values() for e in d.entries if (t := _published(e)) and start < t <= end
    ]
    assert sum(counts.values()) >= 150
    assert sum(1 for n in counts.values() if n) >= 8
    assert 150 <= len(in_window) <= 200
    for fid in BROKEN:
        assert parsed[fid].entries == [] and parsed[fid].bozo


def test_demo_feeds_have_old_late_and_undated_entries(
    demo: Settings, parsed: dict[str, Any]
) -> None:
    start, end = demo.window(DAY)
    times = [_published(e) for d in parsed.values() for e in d.entries]
    assert any(t is None for t in times)
    assert any(t and t <= start for t in times)
    assert any(t and t > end for t in times)
    assert end in times  # exactly at the cut-off: belongs to the day
    assert start in times  # exactly at the window start: does not


def test_every_reference_story_is_in_the_feed_that_carried_it(parsed: dict[str, Any]) -> None:
    where = {e.get("link"): fid for fid, d in parsed.items() for e in d.entries}
    assert {link: where.get(link) for link in REFERENCE} == REFERENCE


def test_demo_feeds_plant_the_faults_the_pipeline_must_survive(parsed: dict[str, Any]) -> None:
    entries = [(fid, e) for fid, d in parsed.items() for e in d.entries]
    links = [e.get("link", "") for _, e in entries]
    assert any(link.startswith("javascript:") for link in links)
    by_canonical: dict[str | None, set[str]] = {}
    for fid, e in entries:
        by_canonical.setdefault(canonical_url(e.get("link")), set()).add(fid)
    # 机器之心 links a 36氪 article with utm_* parameters: the same story, one link.
    assert by_canonical["https://36kr.com/p/3666915646218885"] == {"kr36", "jiqizhixin"}
    texts = " ".join(e.get("summary", "") for _, e in entries)
    assert "Ignore previous instructions" in texts
    assert "<b>" in texts and "&amp;" in " ".join(e.get("title", "") for _, e in entries)


def test_committed_feed_files_match_their_generator() -> None:
    # run_path registers the script as a module while it runs, which its dataclasses need.
    built = runpy.run_path(str(EXAMPLES / "make_demo_feeds.py"))["build"]()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in (EXAMPLES / "feeds").glob("*.xml")}
    assert built == on_disk, (
        "run .venv/bin/python examples/make_demo_feeds.py and commit the result"
    )
