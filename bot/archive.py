"""The archive's chat answers: /more (the day's pool), /search WORD, /week (and its weekly push).

Each function reads the store and answers a `Listing` (rendered by every channel's
listing renderer) or one line in Chinese saying what is wrong and what would work.
`bot/commands.py` keeps the thin handlers that wrap these into a `Reply`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from pipeline.models import Digest, Item, PoolItem
from pipeline.render.view import Group, Listed, Listing, more_listing, more_pages
from pipeline.search import MAX_QUERY, Query, QueryProblem, parse_query
from pipeline.store import Store

SEARCH_RESULTS = 10
WEEK_DAYS = 7
WEEK_TOP = 10
_IMPORTANCE_RANK = {"high": 0, "medium": 1, "low": 2}
SEARCH_USAGE = "用法：/search 关键词，例如 /search 大模型 或 /search OpenAI"
# What is wrong with a search term, in the chat's words (the API says it in English).
SEARCH_PROBLEM_ZH: dict[QueryProblem, str] = {
    "empty": SEARCH_USAGE,
    "too_long": f"搜索词太长：最多 {MAX_QUERY} 个字符。",
    "no_words": "搜索词里没有可搜索的文字或数字。" + SEARCH_USAGE,
    "one_cjk": "中文搜索词至少需要两个相连的汉字（例如「模型」），或一个英文单词。",
}

MORE_USAGE = "用法：/more 或 /more 2（第几页，每页每个板块 5 条）"


async def more(store: Store, digest: Digest, args: list[str]) -> Listing | str:
    """Page N (default 1) of the stories `digest` left out, with the margin that kept each out."""
    if len(args) > 1 or (args and not args[0].isdigit()):
        return MORE_USAGE
    page = int(args[0]) if args else 1
    pool = await store.get_pool(digest.date)
    pages = more_pages(pool)
    if pages == 0:
        return (
            f"{digest.date} 的日报没有更多候选：当天判断为新闻的条目都已入选（或该日未保存候选）。"
        )
    if not 1 <= page <= pages:
        return f"没有第 {args[0]} 页。{digest.date} 的更多动态共 {pages} 页：/more 1 到 /more {pages}。"
    return more_listing(digest, pool, page)


async def pool_item(store: Store, digest: Digest, n: int) -> PoolItem | None:
    """The left-out story numbered `n` in the pool of `digest`, if any."""
    for item in await store.get_pool(digest.date):
        if item.n == n:
            return item
    return None


async def pool_range(store: Store, digest: Digest) -> tuple[int, int] | None:
    """The first and last number of the pool of `digest`, or None when it has none."""
    pool = await store.get_pool(digest.date)
    return (pool[0].n, pool[-1].n) if pool else None


async def search(store: Store, args: list[str]) -> Listing | str:
    """The ten newest archive items that hold the words of `args`, each with date and number."""
    query = parse_query(" ".join(args))
    if not isinstance(query, Query):
        return SEARCH_PROBLEM_ZH[query]
    hits = await store.search(query, SEARCH_RESULTS)
    if not hits:
        return f"往期日报中没有找到「{query.text}」。换个关键词试试，例如更短的词或英文名。"
    rows = tuple(Listed(day, item) for day, item in hits)
    return Listing(
        title=f"搜索「{query.text}」· 最新 {len(rows)} 条",
        groups=(Group(None, rows),),
        footer="发送 /date YYYY-MM-DD 查看当天日报，再发 /why N 查看第 N 条的详情。",
        dated=True,
    )


async def week(store: Store, end: date, *, latest: bool = False) -> Listing | str:
    """The ten most important stories of the seven days up to `end`, each with its date
    and number: by importance, then how many outlets reported it, team votes, score.

    With `latest` (the /week command), a week with no daily stored falls back to the
    seven days up to the newest stored one, and says so; the weekly push never does.
    """
    start = end - timedelta(days=WEEK_DAYS - 1)
    days = [(start + timedelta(days=i)).isoformat() for i in range(WEEK_DAYS)]
    stored = [d for d in [await store.get_digest(day) for day in days] if d is not None]
    if not stored:
        newest = await store.latest_date() if latest else None
        if newest is not None and newest < days[0]:
            answer = await week(store, date.fromisoformat(newest))
            if isinstance(answer, Listing):
                note = f"{days[0]} 至 {days[-1]} 没有日报，以下为截至 {newest} 的一周。"
                return replace(answer, intro=f"{note}{answer.intro}")
        return f"{days[0]} 至 {days[-1]} 没有存档的日报，暂时没有周报。"
    ranked: list[tuple[tuple[int, int, int, float, int], Listed]] = []
    seen: set[str] = set()
    for digest in sorted(stored, key=lambda d: d.date, reverse=True):  # a repeat: its newest
        votes = await _votes(store, digest)
        for item in digest.items:
            if item.id in seen or item.link in seen:
                continue
            seen |= {item.id, item.link}
            ranked.append(
                (_week_rank(digest.date, item, votes.get(item.id, 0)), _weekly(digest.date, item))
            )
    top = tuple(listed for _, listed in sorted(ranked, key=lambda pair: pair[0])[:WEEK_TOP])
    return Listing(
        title=f"本周要闻 · {days[0]} 至 {days[-1]}",
        intro=f"{len(stored)} 期日报中最重要的 {len(top)} 条：按重要性、报道媒体数、团队反馈和得分排列。",
        groups=(Group(None, top),),
        footer="发送 /date YYYY-MM-DD 查看当天日报，再发 /why N 查看第 N 条的详情。",
        dated=True,
    )


def _week_rank(day: str, item: Item, votes: int) -> tuple[int, int, int, float, int]:
    """Smaller first: importance, outlets, net votes, score; the newer day among equals."""
    sources = 1 + len(item.also_reported_by)
    newer = -date.fromisoformat(day).toordinal()
    return (_IMPORTANCE_RANK[item.importance], -sources, -votes, -item.score.total, newer)


def _weekly(day: str, item: Item) -> Listed:
    sources = 1 + len(item.also_reported_by)
    return Listed(day, item, f"📊 {sources} 家媒体报道 · 得分 {item.score.total:.2f}")


async def _votes(store: Store, digest: Digest) -> dict[str, int]:
    """Net votes (👍 − 👎) per item id of `digest`, for /week's ranking.

    HOOK(reader): votes are helper `reader`'s store (one per user, date and item);
    until they are merged no item has any and /week ranks without them. Once
    `Store` can count a day's votes, return them here: nothing else changes.
    """
    return {}
