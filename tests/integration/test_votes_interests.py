"""Votes and a chat's interests, in the store and through the chat commands (node and cluster).

/like and /dislike: one vote per user per item, changeable, counted per item,
source and category, kept for the 30 days digest.feedback reads. /follow,
/mute, /following: per chat, limited, admins only in groups, and what /today,
/brief and /why show from them.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.commands import ChatContext, Commands, reply_to_text
from bot.interests import MAX_FOLLOWS, MAX_LENGTH, MAX_MUTES
from pipeline.config import Settings, parse_settings
from pipeline.models import Interests, Tally
from pipeline.store import Ballot, Store
from tests.factories import FEEDS, make_digest, make_pool

pytestmark = pytest.mark.cluster_too

TODAY = "2026-02-03"


class FixedDay(Settings):
    """Settings whose 'today' is the demo day, so tests do not depend on the clock."""

    def today(self, now=None) -> date:  # type: ignore[no-untyped-def]
        return date.fromisoformat(TODAY)


def fixed_settings() -> FixedDay:
    feeds = [
        {"id": fid, "name": name, "url": f"https://{fid}.example.com/feed", "region": region}
        for fid, (name, region) in FEEDS.items()
    ]
    return FixedDay.model_validate(parse_settings({"feeds": feeds}, {}).model_dump())


@pytest.fixture
async def commands(store: Store) -> Commands:
    await store.save_digest(make_digest(date=TODAY), [])
    return Commands(store, fixed_settings())


def user(uid: str = "7", chat_id: str = "100", **kw: object) -> ChatContext:
    return ChatContext(channel="telegram", chat_id=chat_id, user_id=uid, **kw)  # type: ignore[arg-type]


async def say(commands: Commands, text: str, ctx: ChatContext | None = None) -> str:
    return reply_to_text(await commands.handle(ctx or user(), text))


def ballot(item: str = "i1", who: str = "u1", vote: str = "up", day: str = TODAY) -> Ballot:
    return Ballot(day=day, user=who, item=item, feed="kr36", category="行业应用", vote=vote)  # type: ignore[arg-type]


# -- the store ----------------------------------------------------------------------


async def test_one_vote_per_user_and_item_changeable_and_counted_everywhere(store: Store) -> None:
    assert await store.cast_vote(ballot()) == "new"
    assert await store.cast_vote(ballot()) == "same"
    assert await store.cast_vote(ballot(who="u2")) == "new"
    assert await store.cast_vote(ballot(vote="down")) == "changed"

    assert await store.item_votes(TODAY, "i1") == Tally(up=1, down=1)
    assert await store.item_votes(TODAY, "other") == Tally()
    tallies = await store.vote_tallies([TODAY, "2026-02-02"])
    assert tallies.feeds == {"kr36": Tally(up=1, down=1)}
    assert tallies.categories == {"行业应用": Tally(up=1, down=1)}


async def test_tallies_add_up_over_days(store: Store) -> None:
    await store.cast_vote(ballot(day="2026-02-01"))
    await store.cast_vote(ballot(day="2026-02-02", vote="down"))
    await store.cast_vote(ballot(day="2026-01-01"))  # outside the days asked for
    tallies = await store.vote_tallies(["2026-02-01", "2026-02-02"])
    assert tallies.feeds["kr36"] == Tally(up=1, down=1)


async def test_votes_are_kept_at_least_the_30_days_feedback_reads(store: Store) -> None:
    await store.cast_vote(ballot(), keep_days=7)
    short = await store.r.ttl(store.k.votes(TODAY))
    assert short >= 31 * 86400 - 5  # store.keep_days below 30 does not cut the window short
    await store.cast_vote(ballot(who="u9"), keep_days=90)
    assert await store.r.ttl(store.k.tally(TODAY, "feed", "up")) >= 90 * 86400


async def test_interests_are_per_chat_and_listed_for_a_push(store: Store) -> None:
    mine = Interests(follows=["具身智能"], muted_sources=["36氪"])
    await store.save_interests("telegram", "100", mine)
    await store.save_interests("feishu", "oc_1", Interests(mutes=["加密货币"]))
    assert await store.get_interests("telegram", "100") == mine
    assert await store.get_interests("telegram", "101") == Interests()
    assert await store.all_interests("telegram") == {"100": mine}
    await store.save_interests("telegram", "100", Interests())  # nothing left: forgotten
    assert await store.all_interests("telegram") == {}
    assert await store.r.exists(store.k.interests("telegram", "100")) == 0


# -- /like, /dislike -------------------------------------------------------------------


async def test_like_then_dislike_changes_the_vote_and_why_shows_the_count(
    commands: Commands,
) -> None:
    assert await say(commands, "/like 3") == "第 3 条：已记录 👍（团队反馈 👍1 👎0）"
    assert await say(commands, "/like 3") == "第 3 条：你已投过 👍（团队反馈 👍1 👎0）"
    assert await say(commands, "/like 3", user("8")) == "第 3 条：已记录 👍（团队反馈 👍2 👎0）"
    assert await say(commands, "/dislike 3") == "第 3 条：已改为 👎（团队反馈 👍1 👎1）"
    why = await say(commands, "/why 3")
    assert "团队反馈：👍1 👎1" in why
    assert "团队反馈：👍0 👎0" in await say(commands, "/why 4")


async def test_bad_votes_get_a_short_answer(commands: Commands) -> None:
    assert "/like 1 到 /like 27" in await say(commands, "/like 99")
    assert "用法：/dislike N" in await say(commands, "/dislike abc")
    assert "用法：/like N" in await say(commands, "/like")
    anonymous = ChatContext(channel="telegram", chat_id="-100", chat_type="channel")
    assert "无法识别投票人" in await say(commands, "/like 3", anonymous)


async def test_a_vote_means_the_digest_the_chat_was_shown(commands: Commands, store: Store) -> None:
    old = make_digest(date="2026-02-01")
    await store.save_digest(old, [])
    await say(commands, "/date 2026-02-01")
    await say(commands, "/like 5")
    assert await store.item_votes("2026-02-01", old.items[4].id) == Tally(up=1)
    assert await store.item_votes(TODAY, old.items[4].id) == Tally()


async def test_stats_shows_the_weeks_most_liked_sources_and_categories(
    commands: Commands,
) -> None:
    digest = make_digest(date=TODAY)
    first = digest.items[0]
    other = next(
        it for it in digest.items if (it.source, it.category) != (first.source, first.category)
    )
    for uid in ("1", "2", "3"):
        await say(commands, "/like 1", user(uid))
    await say(commands, f"/like {other.n}", user("1"))
    await say(commands, f"/dislike {other.n}", user("2"))
    stats = await say(commands, "/stats", user(is_admin=True))
    assert f"近7天最受好评的来源：{first.source} 👍3" in stats
    assert f"近7天最受好评的分类：{first.category} 👍3" in stats
    if other.source != first.source:
        assert f"、{other.source} 👍1 👎1" in stats


# -- /follow, /mute, /following ------------------------------------------------------------


async def test_follow_and_mute_shape_what_this_chat_sees(commands: Commands) -> None:
    digest = make_digest(date=TODAY)
    assert "已关注「具身智能」" in await say(commands, "/follow 具身智能")
    assert "已屏蔽来源「36氪」" in await say(commands, "/mute source kr36")
    muted = [it for it in digest.items if it.source == "36氪"]
    followed = [it for it in digest.items if "具身智能" in it.title + it.summary + "".join(it.tags)]
    assert muted and followed

    today = await say(commands, "/today")
    assert f"已按你的设置隐藏 {len(muted)} 条" in today
    for it in muted:
        assert not re.search(rf"(?m)^{it.n}、", today)
    for it in followed:
        if it not in muted:
            assert re.search(rf"(?m)^{it.n}、🔖", today)
    other_chat = await say(commands, "/today", user(chat_id="200"))
    assert "已按你的设置隐藏" not in other_chat and "🔖" not in other_chat

    kept = next(it for it in followed if it not in muted)
    assert "本会话：因你关注「具身智能」而排在本板块前面（🔖）" in await say(
        commands, f"/why {kept.n}"
    )
    assert "本会话：已按你的设置隐藏（屏蔽来源「36氪」）" in await say(
        commands, f"/why {muted[0].n}"
    )
    brief = await say(commands, "/brief")
    assert brief.index(f"{kept.n}、🔖") < brief.index("国际动态")


async def test_a_follow_pulls_a_judged_story_from_the_pool(
    commands: Commands, store: Store
) -> None:
    digest = make_digest(date=TODAY)
    pool = make_pool(digest)
    await store.save_digest(digest, [], pool=pool)
    await say(commands, "/follow 机器人")
    today = await say(commands, "/today")
    pulled = [p for p in pool if re.search(rf"(?m)^{p.n}、🔖", today)]
    assert pulled, today[:600]
    why = await say(commands, f"/why {pulled[0].n}")
    assert "日报未收录，因你关注「机器人」而加入本会话的日报（🔖）" in why


async def test_following_lists_and_undo_works(commands: Commands) -> None:
    assert "还没有关注或屏蔽" in await say(commands, "/following")
    await say(commands, "/follow 具身智能")
    await say(commands, "/mute 加密货币")
    await say(commands, "/mute source 36氪")
    listing = await say(commands, "/following")
    assert "关注（1/20）：具身智能" in listing
    assert "屏蔽词：加密货币" in listing and "屏蔽来源：36氪" in listing
    assert await say(commands, "/unfollow 具身智能") == "已取消关注「具身智能」。"
    assert await say(commands, "/unmute source 36氪") == "已取消屏蔽来源「36氪」。"
    assert await say(commands, "/unmute 加密货币") == "已取消屏蔽「加密货币」。"
    assert "没有关注「具身智能」" in await say(commands, "/unfollow 具身智能")
    assert "还没有关注或屏蔽" in await say(commands, "/following")


async def test_usage_duplicates_lengths_and_limits_get_clear_answers(commands: Commands) -> None:
    assert (await say(commands, "/follow")).startswith("用法：/follow")
    assert (await say(commands, "/mute")).startswith("用法：/mute")
    assert (await say(commands, "/mute source")).startswith("用法：/mute")
    assert (await say(commands, "/unfollow")).startswith("用法：/unfollow")
    assert "每项最多 30 个字符" in await say(commands, "/follow " + "长" * (MAX_LENGTH + 1))
    assert "没有文字或数字" in await say(commands, "/mute ...")
    assert "没有名为「不存在」的来源" in await say(commands, "/mute source 不存在")
    await say(commands, "/follow OpenAI")
    assert "已经在关注「openai」了" in await say(commands, "/follow openai")

    for i in range(MAX_FOLLOWS - 1):
        assert "已关注" in await say(commands, f"/follow 话题{i}")
    assert f"最多关注 {MAX_FOLLOWS} 个话题" in await say(commands, "/follow 再多一个")
    for i in range(MAX_MUTES):
        assert "已屏蔽" in await say(commands, f"/mute 词{i}")
    assert f"最多屏蔽 {MAX_MUTES} 项" in await say(commands, "/mute source 36氪")


async def test_in_groups_only_admins_change_follows_and_mutes(commands: Commands) -> None:
    member = user(chat_id="-500", chat_type="group", can_change_settings=False)
    admin = user(uid="9", chat_id="-500", chat_type="group")
    for text in ("/follow 具身智能", "/mute 加密货币", "/unfollow 具身智能", "/unmute 加密货币"):
        assert await say(commands, text, member) == "只有群管理员可以修改本群的关注与屏蔽。"
    assert "已关注" in await say(commands, "/follow 具身智能", admin)
    assert "具身智能" in await say(commands, "/following", member)  # anyone may look
    assert "第 3 条：已记录 👍" in await say(commands, "/like 3", member)  # and vote


async def test_following_a_muted_word_unmutes_it(commands: Commands, store: Store) -> None:
    await say(commands, "/mute 具身智能")
    assert "已同时取消屏蔽「具身智能」" in await say(commands, "/follow 具身智能")
    assert await store.get_interests("telegram", "100") == Interests(follows=["具身智能"])
