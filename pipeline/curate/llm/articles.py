"""The article behind a feed entry: fetched, reduced to its main text, cached by URL.

A feed excerpt is a sentence or two; the facts an editor's summary carries
("合并后实体估值高达1.25万亿美元") are in the article. For the day's top
candidates (at most `MAX_ARTICLES`, by the heuristic's score) the curator fetches
the entry's own link with the feed fetcher (`pipeline.fetch`: the same timeout,
size cap, redirect limit and concurrency as feeds), extracts the main text with
trafilatura, and sends at most `prompt.ARTICLE_CHARS` characters of it.

- The link fetched is the entry's, never one a model wrote; the text goes to the
  model as data and to the fact check as a source, and is never shown.
- Only http(s) links of feeds fetched over http(s) are followed: a run over
  local feed files (the demo day, tests) stays offline.
- Texts are cached in the store by URL (`Store.articles_*`), a failed fetch is
  not: the next run tries again. `llm.fetch_articles: false` turns this off.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Mapping, Sequence

from pipeline.config import FeedSettings, FetchSettings, Settings
from pipeline.curate.llm.prompt import ARTICLE_CHARS
from pipeline.fetch import FetchResult, fetch_all
from pipeline.ids import short_hash
from pipeline.models import Candidate
from pipeline.store import Store

log = logging.getLogger(__name__)

MAX_ARTICLES = 40
MIN_TEXT_CHARS = 80  # less than this is a cookie banner or a paywall stub, not an article


def worth_fetching(c: Candidate, feed_urls: Mapping[str, str]) -> bool:
    """An http(s) link from a feed that was itself fetched over http(s)."""
    link = c.lead.link.lower()
    feed = feed_urls.get(c.lead.feed, "").lower()
    return link.startswith(("http://", "https://")) and feed.startswith(("http://", "https://"))


def extract(html: bytes, url: str) -> str:
    """The page's main text as one line, at most ARTICLE_CHARS characters ("" when there is none)."""
    import trafilatura  # imported here: only runs that fetch articles pay for it

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lxml/charset chatter on odd pages is not our concern
        text = trafilatura.extract(
            html, url=url, include_comments=False, include_tables=False, favor_precision=True
        )
    line = " ".join((text or "").split())
    return line[:ARTICLE_CHARS] if len(line) >= MIN_TEXT_CHARS else ""


def _as_feed(n: int, c: Candidate) -> FeedSettings:
    # The feed fetcher takes FeedSettings; an article is fetched under exactly its rules.
    return FeedSettings(
        id=f"article-{n}", name=c.lead.source, url=c.lead.link, region=c.lead.region
    )


async def _extract_all(results: Sequence[FetchResult]) -> dict[str, str]:
    out: dict[str, str] = {}
    for r in results:
        if not (r.ok and r.body):
            log.info("article not fetched: %s (%s)", r.feed.url, r.error or "no body")
            continue
        try:
            out[r.feed.url] = await asyncio.to_thread(extract, r.body, r.final_url)
        except Exception as exc:  # one odd page must never cost the others
            log.info("article not extracted: %s (%s: %s)", r.feed.url, type(exc).__name__, exc)
    return out


async def fetch_texts(urls: Sequence[Candidate], cfg: FetchSettings) -> dict[str, str]:
    """Extracted text by link for every candidate whose page could be fetched."""
    results = await fetch_all([_as_feed(n, c) for n, c in enumerate(urls)], cfg, {})
    return await _extract_all(results)


async def article_texts(
    candidates: Sequence[Candidate], settings: Settings, store: Store, timeout: float
) -> dict[str, str]:
    """Main text by candidate id for the first MAX_ARTICLES fetchable candidates (best first)."""
    feed_urls = {f.id: f.url for f in settings.feeds}
    chosen = [c for c in candidates if worth_fetching(c, feed_urls)][:MAX_ARTICLES]
    if not chosen:
        return {}
    keys = {c.id: short_hash(c.lead.link) for c in chosen}
    try:
        cached = dict(
            zip(keys.values(), await store.articles_get(list(keys.values())), strict=True)
        )
    except Exception as exc:  # a cache that cannot be read only costs fetches
        log.warning("article cache unavailable: %s", exc)
        cached = {}
    missing = [c for c in chosen if cached.get(keys[c.id]) is None]
    fetched: dict[str, str] = {}
    if missing and timeout > 0:
        try:
            fetched = await asyncio.wait_for(fetch_texts(missing, settings.fetch), timeout)
        except TimeoutError:
            log.warning(
                "article fetch stopped after %.0f s; the rest use their feed excerpt", timeout
            )
    fresh = {keys[c.id]: fetched[c.lead.link] for c in missing if c.lead.link in fetched}
    if fresh:
        try:
            await store.articles_set(fresh)
        except Exception as exc:  # the texts are still used in this run
            log.warning("article cache not written: %s", exc)
    texts = {**{k: v for k, v in cached.items() if v is not None}, **fresh}
    return {c.id: texts[keys[c.id]] for c in chosen if texts.get(keys[c.id])}
