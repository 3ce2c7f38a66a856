"""The archive's chat answers: /more (the day's pool), /search WORD, /week.

Each function reads the store and answers a `Listing` (rendered by every channel's
listing renderer) or one line in Chinese saying what is wrong and what would work.
`bot/commands.py` keeps the thin handlers that wrap these into a `Reply`.
"""

from __future__ import annotations

from pipeline.models import Digest, PoolItem
from pipeline.render.view import Listing, more_listing, more_pages
from pipeline.store import Store

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
