"""👍 / 👎 on items: /like N, /dislike N, the votes in /why N, the week's favourites in /stats.

A vote is one per user per item of a day's digest, and can be changed; it is
plain store data (`Store.cast_vote`), which the next runs read back when
`digest.feedback` is on (`pipeline.feedback`). Users are told apart per channel
(`telegram:42`, `feishu:ou_…`, `console:console`). The answer is one short line,
so a button's toast can show it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from pipeline.models import Digest, Item, Tally
from pipeline.store import Ballot, Store, Vote

if TYPE_CHECKING:
    from bot.commands import ChatContext

EMOJI: dict[Vote, str] = {"up": "👍", "down": "👎"}
COMMAND: dict[Vote, str] = {"up": "like", "down": "dislike"}
DONE = {"new": "已记录", "changed": "已改为", "same": "你已投过"}
STATS_DAYS = 7
STATS_TOP = 3


async def vote(
    store: Store,
    ctx: ChatContext,
    args: list[str],
    choice: Vote,
    digest: Digest | None,
    item: Item | None,
    keep_days: int,
) -> str:
    """Record `ctx`'s vote on item N of `digest` (`item`: what N names, None if nothing)."""
    usage = f"用法：/{COMMAND[choice]} N（N 为条目编号，例如 /{COMMAND[choice]} 3）"
    if len(args) != 1 or not args[0].isdigit():
        return usage
    if ctx.user_id is None:
        return "无法识别投票人：请在私聊或群里以自己的身份发送。"
    if digest is None:
        return "还没有任何日报，暂时无法投票。"
    if item is None:
        return _no_such(digest, args[0], choice)
    ballot = Ballot(
        day=digest.date,
        user=f"{ctx.channel}:{ctx.user_id}",
        item=item.id,
        feed=item.feed,
        category=item.category,
        vote=choice,
    )
    result = await store.cast_vote(ballot, keep_days=keep_days)
    tally = await store.item_votes(digest.date, item.id)
    return f"第 {item.n} 条：{DONE[result]} {EMOJI[choice]}（团队反馈 {votes_line(tally)}）"


def _no_such(digest: Digest, n: str, choice: Vote) -> str:
    total = len(digest.items)
    if total == 0:
        return f"{digest.date} 的日报没有条目。"
    name = COMMAND[choice]
    return (
        f"没有第 {n} 条。{digest.date} 的日报共 {total} 条，请发送 /{name} 1 到 /{name} {total}。"
    )


def votes_line(tally: Tally) -> str:
    """ "👍3 👎1"."""
    return f"👍{tally.up} 👎{tally.down}"


async def stats_lines(store: Store, today: date, names: dict[str, str]) -> list[str]:
    """The week's most liked sources and categories, for /stats."""
    days = [(today - timedelta(days=i)).isoformat() for i in range(STATS_DAYS)]
    tallies = await store.vote_tallies(days)
    if not tallies.feeds:
        return [f"近{STATS_DAYS}天的 👍/👎：暂无投票"]
    sources = {names.get(feed, feed): t for feed, t in tallies.feeds.items()}
    return [
        f"近{STATS_DAYS}天最受好评的来源：{_top(sources)}",
        f"近{STATS_DAYS}天最受好评的分类：{_top(tallies.categories)}",
    ]


def _top(tallies: dict[str, Tally]) -> str:
    liked = [(name, t) for name, t in tallies.items() if t.up > 0]
    best = sorted(liked, key=lambda nt: (-nt[1].up, nt[1].down, nt[0]))[:STATS_TOP]
    return "、".join(f"{name} {votes_line(t)}" for name, t in best) or "暂无 👍"
