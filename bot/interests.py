"""A chat's interests over the one shared digest: /follow, /mute, /following.

What a chat follows rises within its section (marked 🔖) and may pull a judged
story the digest left out (the day's pool) into its view; what it mutes (a word,
or a source) is hidden, and the view says how many. `interest_view` turns a
chat's `Interests` into the fields of a `View` once; every renderer honours
them, and numbers stay the digest's own.

Matching: a word matches an item's title, summary or tags, case-insensitively.
A Chinese word matches anywhere (具身 in 具身智能); a Latin word must stand on its
own ("AI" does not match "said"). A muted source matches the item's source name
or feed id. A mute wins over a follow.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from pipeline.config import Settings
from pipeline.models import Digest, Interests, Item, PoolItem
from pipeline.render.view import FOLLOW_MARK, Pulled, View, one_line
from pipeline.store import Store

if TYPE_CHECKING:
    from bot.commands import ChatContext

MAX_FOLLOWS = 20
MAX_MUTES = 50  # words and sources together
MAX_LENGTH = 30  # characters of one word or source name
MAX_PULLED = 3  # judged stories a chat's follows may add to its view of one digest

ADMINS_ONLY = "只有群管理员可以修改本群的关注与屏蔽。"
FOLLOW_USAGE = "用法：/follow 话题，例如 /follow 具身智能（含有它的条目排在前面并标 🔖）"
UNFOLLOW_USAGE = "用法：/unfollow 话题，例如 /unfollow 具身智能（/following 查看全部）"
MUTE_USAGE = "用法：/mute 词语 或 /mute source 来源，例如 /mute 加密货币、/mute source 36氪"
UNMUTE_USAGE = "用法：/unmute 词语 或 /unmute source 来源（/following 查看全部）"
CHANGE_HINT = (
    "修改：/follow 话题 · /unfollow 话题 · /mute 词语 · /mute source 来源 · "
    "/unmute 词语 · /unmute source 来源"
)
SOURCE_WORDS = ("source", "来源")
SOURCES_SHOWN = 12  # sources listed when a /mute source names none of them


# -- matching --------------------------------------------------------------------


@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """Text as words are compared: NFKC (full-width letters), case-folded, one line."""
    return one_line(unicodedata.normalize("NFKC", text)).casefold()


@lru_cache(maxsize=4096)
def _pattern(word: str) -> re.Pattern[str]:
    """A folded word as a regex: a Latin or digit end must not run on into a Latin word."""
    body = re.escape(word)
    head = r"(?<![a-z0-9])" if re.match(r"[a-z0-9]", word) else ""
    tail = r"(?![a-z0-9])" if re.search(r"[a-z0-9]$", word) else ""
    return re.compile(head + body + tail)


def _text_of(item: Item) -> str:
    return _folded_fields((item.title, item.summary, *item.tags))


@lru_cache(maxsize=8192)
def _folded_fields(fields: tuple[str, ...]) -> str:
    # A push matches the same day's items for every chat with interests: fold them once.
    return "\n".join(fold(t) for t in fields)


def matching_word(item: Item, words: Sequence[str]) -> str | None:
    """The first of `words` found in the item's title, summary or tags."""
    text = _text_of(item)
    return next((w for w in words if _pattern(fold(w)).search(text)), None)


def matching_source(item: Item, sources: Sequence[str]) -> str | None:
    """The first of `sources` that names the item's source (its name or feed id)."""
    names = (fold(item.source), fold(item.feed))
    return next((s for s in sources if fold(s) in names), None)


def muted_by(item: Item, interests: Interests) -> str | None:
    """What hides the item in this chat: "「加密货币」" or "来源「36氪」"; None when nothing."""
    word = matching_word(item, interests.mutes)
    if word is not None:
        return f"「{word}」"
    source = matching_source(item, interests.muted_sources)
    return f"来源「{source}」" if source is not None else None


def interest_view(
    view: View, digest: Digest, interests: Interests | None, pool: Sequence[PoolItem] = ()
) -> View:
    """`view` as this chat sees it: muted items hidden, followed ones 🔖, pool stories pulled in."""
    if interests is None or interests.empty:
        return view
    hidden = frozenset(it.id for it in digest.items if muted_by(it, interests))
    followed = {
        it.id for it in digest.items if it.id not in hidden and matching_word(it, interests.follows)
    }
    pulled = _pulled(pool, interests) if interests.follows else ()
    return replace(
        view,
        hidden=hidden,
        followed=frozenset(followed | {p.id for p in pulled}),
        pulled=pulled,
    )


def _pulled(pool: Sequence[PoolItem], interests: Interests) -> tuple[Pulled, ...]:
    """The best-scored pool stories a follow matches (none that a mute hides), at most MAX_PULLED."""
    found = [
        p
        for p in pool
        if matching_word(p, interests.follows) is not None and muted_by(p, interests) is None
    ]
    best = sorted(found, key=lambda p: (-p.score.total, p.n))[:MAX_PULLED]
    return tuple(Pulled(p.section, p.id, p) for p in sorted(best, key=lambda p: p.n))


def explain(item: Item, view: View, interests: Interests) -> str | None:
    """What this chat's interests do to the item, for /why; None when nothing."""
    if item.id in view.hidden:
        return f"已按你的设置隐藏（屏蔽{muted_by(item, interests)}）"
    if item.id not in view.followed:
        return None
    word = matching_word(item, interests.follows)
    if any(p.id == item.id for p in view.pulled):
        return f"日报未收录，因你关注「{word}」而加入本会话的日报（{FOLLOW_MARK}）"
    return f"因你关注「{word}」而排在本板块前面（{FOLLOW_MARK}）"


# -- the commands ------------------------------------------------------------------


async def follow(store: Store, ctx: ChatContext, args: list[str]) -> str:
    """/follow WORD."""
    word = _word(args)
    if not word:
        return FOLLOW_USAGE
    refused = _refusal(ctx, word)
    if refused:
        return refused
    mine = await store.get_interests(ctx.channel, ctx.chat_id)
    if _index(mine.follows, word) is not None:
        return f"已经在关注「{word}」了。/following 查看全部。"
    if len(mine.follows) >= MAX_FOLLOWS:
        return f"最多关注 {MAX_FOLLOWS} 个话题。请先用 /unfollow 取消一个（/following 查看全部）。"
    mine.follows.append(word)
    unmuted = _drop(mine.mutes, word)
    await store.save_interests(ctx.channel, ctx.chat_id, mine)
    note = f"（已同时取消屏蔽「{unmuted}」）" if unmuted else ""
    return (
        f"已关注「{word}」{note}：含有它的条目排在前面并标 {FOLLOW_MARK}，"
        "日报未收录的相关报道也可能补充进来。"
    )


async def unfollow(store: Store, ctx: ChatContext, args: list[str]) -> str:
    """/unfollow WORD."""
    word = _word(args)
    if not word:
        return UNFOLLOW_USAGE
    if not ctx.can_change_settings:
        return ADMINS_ONLY
    mine = await store.get_interests(ctx.channel, ctx.chat_id)
    gone = _drop(mine.follows, word)
    if gone is None:
        return f"没有关注「{word}」。/following 查看全部。"
    await store.save_interests(ctx.channel, ctx.chat_id, mine)
    return f"已取消关注「{gone}」。"


async def mute(store: Store, settings: Settings, ctx: ChatContext, args: list[str]) -> str:
    """/mute WORD, /mute source NAME."""
    if args and args[0].lower() in SOURCE_WORDS:
        return await _mute_source(store, settings, ctx, _word(args[1:]))
    word = _word(args)
    if not word:
        return MUTE_USAGE
    refused = _refusal(ctx, word)
    if refused:
        return refused
    mine = await store.get_interests(ctx.channel, ctx.chat_id)
    if _index(mine.mutes, word) is not None:
        return f"已经屏蔽了「{word}」。/following 查看全部。"
    full = _mutes_full(mine)
    if full:
        return full
    mine.mutes.append(word)
    unfollowed = _drop(mine.follows, word)
    await store.save_interests(ctx.channel, ctx.chat_id, mine)
    note = f"（已同时取消关注「{unfollowed}」）" if unfollowed else ""
    return f"已屏蔽「{word}」{note}：含有它的条目不再显示，日报开头会注明隐藏了几条。"


async def _mute_source(store: Store, settings: Settings, ctx: ChatContext, name: str) -> str:
    if not name:
        return MUTE_USAGE
    refused = _refusal(ctx, name)
    if refused:
        return refused
    source = _known_source(settings, name)
    if source is None:
        return _unknown_source(settings, name)
    mine = await store.get_interests(ctx.channel, ctx.chat_id)
    if _index(mine.muted_sources, source) is not None:
        return f"已经屏蔽了来源「{source}」。/following 查看全部。"
    full = _mutes_full(mine)
    if full:
        return full
    mine.muted_sources.append(source)
    await store.save_interests(ctx.channel, ctx.chat_id, mine)
    return f"已屏蔽来源「{source}」：它的条目不再显示，日报开头会注明隐藏了几条。"


async def unmute(store: Store, ctx: ChatContext, args: list[str]) -> str:
    """/unmute WORD, /unmute source NAME."""
    is_source = bool(args) and args[0].lower() in SOURCE_WORDS
    word = _word(args[1:] if is_source else args)
    if not word:
        return UNMUTE_USAGE
    if not ctx.can_change_settings:
        return ADMINS_ONLY
    mine = await store.get_interests(ctx.channel, ctx.chat_id)
    listed = mine.muted_sources if is_source else mine.mutes
    gone = _drop(listed, word)
    what = "来源" if is_source else ""
    if gone is None:
        return f"没有屏蔽{what}「{word}」。/following 查看全部。"
    await store.save_interests(ctx.channel, ctx.chat_id, mine)
    return f"已取消屏蔽{what}「{gone}」。"


async def following(store: Store, ctx: ChatContext) -> str:
    """/following: this chat's follows and mutes."""
    mine = await store.get_interests(ctx.channel, ctx.chat_id)
    if mine.empty:
        return f"本会话还没有关注或屏蔽任何内容。\n{FOLLOW_USAGE}\n{MUTE_USAGE}"
    muted = len(mine.mutes) + len(mine.muted_sources)
    lines = [
        "本会话的关注与屏蔽",
        f"{FOLLOW_MARK} 关注（{len(mine.follows)}/{MAX_FOLLOWS}）：{_listed(mine.follows)}",
        f"🔇 屏蔽词：{_listed(mine.mutes)}",
        f"🔇 屏蔽来源：{_listed(mine.muted_sources)}",
        f"屏蔽共 {muted}/{MAX_MUTES} 项",
        CHANGE_HINT,
    ]
    return "\n".join(lines)


# -- helpers -------------------------------------------------------------------------


def _word(args: list[str]) -> str:
    """The argument words as one phrase, on one line."""
    return one_line(" ".join(args))


def _refusal(ctx: ChatContext, word: str) -> str | None:
    """Why this change is refused (not an admin, too long, no letters), or None."""
    if not ctx.can_change_settings:
        return ADMINS_ONLY
    if len(word) > MAX_LENGTH:
        return f"「{word[:MAX_LENGTH]}…」太长了：每项最多 {MAX_LENGTH} 个字符。"
    if not any(ch.isalnum() for ch in word):
        return f"「{word}」里没有文字或数字，无法匹配条目。"
    return None


def _index(words: list[str], word: str) -> int | None:
    key = fold(word)
    return next((i for i, w in enumerate(words) if fold(w) == key), None)


def _drop(words: list[str], word: str) -> str | None:
    """Remove `word` (as folded) from `words` in place; the removed spelling, or None."""
    i = _index(words, word)
    return None if i is None else words.pop(i)


def _mutes_full(mine: Interests) -> str | None:
    if len(mine.mutes) + len(mine.muted_sources) < MAX_MUTES:
        return None
    return f"最多屏蔽 {MAX_MUTES} 项（词语和来源合计）。请先用 /unmute 取消一项（/following 查看全部）。"


def _known_source(settings: Settings, name: str) -> str | None:
    """The configured source a name means (its name or feed id), as its name."""
    key = fold(name)
    return next((f.name for f in settings.feeds if key in (fold(f.name), fold(f.id))), None)


def _unknown_source(settings: Settings, name: str) -> str:
    names = [f.name for f in settings.feeds]
    shown = "、".join(names[:SOURCES_SHOWN]) + (
        f" 等 {len(names)} 个" if len(names) > SOURCES_SHOWN else ""
    )
    return f"没有名为「{name}」的来源。可屏蔽的来源：{shown or '暂无'}"


def _listed(words: list[str]) -> str:
    return "、".join(words) if words else "无"
