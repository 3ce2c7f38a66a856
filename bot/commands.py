"""Chat commands, channel-agnostic: parse a command, read the store, return a Reply.

Telegram, Feishu and `aidaily chat` all call `Commands.handle` and then render
the `Reply` for their channel with `reply_to_telegram`, `reply_to_feishu` or
`reply_to_text`. The words are the same everywhere (README, "Chat commands").

Which digest a command means: `/today` is the latest stored digest (today's once
built, otherwise the most recent, with its date said); `/brief`, `/cn`, `/intl`
and `/why N` mean the digest this chat was last shown (push, `/today` or
`/date D`), else the latest one.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot import archive, feedback, interests
from bot.channel import view_with, with_interests
from bot.push import CHANNEL_NAMES
from pipeline.config import HHMM_RE, Settings
from pipeline.errors import FeedErrorKind
from pipeline.models import (
    SECTION_TITLES,
    ChatSettings,
    Digest,
    Item,
    Region,
    Subscriber,
    iso_date,
)
from pipeline.render import (
    Listing,
    View,
    WhyNotes,
    feishu_plain,
    render_feishu,
    render_feishu_listing,
    render_feishu_why,
    render_telegram,
    render_telegram_listing,
    render_telegram_why,
    render_text,
    render_text_listing,
    render_text_why,
    telegram_plain,
)
from pipeline.store import Store, Vote

if TYPE_CHECKING:
    from bot.metrics import Metrics

log = logging.getLogger(__name__)

SECTION_WORDS: dict[str, list[Region]] = {
    "all": ["domestic", "international"],
    "both": ["domestic", "international"],
    "cn": ["domestic"],
    "domestic": ["domestic"],
    "国内": ["domestic"],
    "intl": ["international"],
    "international": ["international"],
    "国际": ["international"],
}
MODE_WORDS = {"brief": "brief", "精简": "brief", "full": "full", "完整": "full"}
MENTION_RE = re.compile(r"^(?:@\S+\s+)+")


@dataclass
class ChatContext:
    """Who is asking: the channel, the chat, and what they may do."""

    channel: str  # telegram | feishu | console
    chat_id: str
    chat_type: str = "private"
    title: str = ""
    user_id: str | None = None
    is_admin: bool = False  # may run /stats (telegram.admins, or the console)
    can_change_settings: bool = True  # False for non-admins in groups


@dataclass
class Reply:
    """A channel-agnostic answer: plain text, a digest view, one item's why, or a list.

    With a `listing` (/more, /search, /week), `text` is a one-line summary of it, short
    enough for a button's toast.
    """

    text: str | None = None
    digest: Digest | None = None
    view: View | None = None
    why: Item | None = None
    notes: WhyNotes | None = None  # with `why`: the item's votes, this chat's view of it
    listing: Listing | None = None
    command: str = ""


def parse_command(text: str) -> tuple[str, list[str]]:
    """`"/why@AidailyBot 3"` → `("why", ["3"])`; leading @-mentions are dropped."""
    text = MENTION_RE.sub("", text.strip())
    if not text.startswith("/"):
        return "", text.split()
    head, *args = text.split()
    name = head[1:].split("@", 1)[0].lower()
    return name, args


Handler = Callable[["Commands", ChatContext, list[str]], Awaitable[Reply]]


class Commands:
    """Answers every chat command from the store. One instance per process."""

    def __init__(self, store: Store, settings: Settings, metrics: Metrics | None = None) -> None:
        self.store = store
        self.settings = settings
        self.metrics = metrics  # None: answers are not counted (tests, `aidaily chat`)

    async def handle(self, ctx: ChatContext, text: str) -> Reply:
        """Answer one message; never raises for bad input."""
        name, args = parse_command(text)
        handler = HANDLERS.get(name, Commands._help)
        started = time.perf_counter()
        reply = await handler(self, ctx, args)
        reply.command = name if name in HANDLERS else "unknown"
        if self.metrics is not None:
            self.metrics.observe_command(ctx.channel, reply.command, time.perf_counter() - started)
        return reply

    # -- digests ------------------------------------------------------------

    async def _today(self, ctx: ChatContext, args: list[str]) -> Reply:
        digest = await self.store.latest_digest()
        if digest is None:
            return Reply(text="还没有任何日报。管理员运行 aidaily run 之后再来看看。")
        today = self.settings.today().isoformat()
        note = (
            None
            if digest.date == today
            else f"今日（{today}）日报尚未生成，以下为 {digest.date} 的日报。"
        )
        return await self._show(ctx, digest, View(note=note))

    async def _brief(self, ctx: ChatContext, args: list[str]) -> Reply:
        return await self._view_of_shown(ctx, View(brief=True))

    async def _domestic(self, ctx: ChatContext, args: list[str]) -> Reply:
        return await self._view_of_shown(ctx, View(section="domestic"))

    async def _intl(self, ctx: ChatContext, args: list[str]) -> Reply:
        return await self._view_of_shown(ctx, View(section="international"))

    async def _date(self, ctx: ChatContext, args: list[str]) -> Reply:
        if len(args) != 1 or not _valid_date(args[0]):
            return Reply(text="用法：/date YYYY-MM-DD，例如 /date 2026-02-03")
        digest = await self.store.get_digest(args[0])
        if digest is None:
            dates = await self.store.list_dates(limit=7)
            known = "、".join(dates) if dates else "暂无"
            return Reply(text=f"没有 {args[0]} 的日报。最近的日报：{known}")
        return await self._show(ctx, digest, View())

    async def _why(self, ctx: ChatContext, args: list[str]) -> Reply:
        usage = "用法：/why N（N 为条目编号，例如 /why 3）"
        if len(args) != 1 or not args[0].isdigit():
            return Reply(text=usage)
        digest = await self._shown_digest(ctx)
        if digest is None:
            return Reply(text="还没有任何日报，暂时无法解释入选理由。")
        total = len(digest.items)
        n = int(args[0])
        item = digest.item(n) or await archive.pool_item(self.store, digest, n)
        if item is not None:
            return Reply(digest=digest, why=item, notes=await self._why_notes(ctx, digest, item))
        if total == 0:
            return Reply(text=f"{digest.date} 的日报没有条目。")
        text = (
            f"没有第 {args[0]} 条。{digest.date} 的日报共 {total} 条，请发送 /why 1 到 /why {total}"
        )
        more = await archive.pool_range(self.store, digest)
        if more is not None:
            text += f"；未入选的 {more[0]}–{more[1]} 条见 /more"
        return Reply(text=text + "。")

    async def _why_notes(self, ctx: ChatContext, digest: Digest, item: Item) -> WhyNotes:
        """What /why adds to the digest's reasons: the team's votes, this chat's interests.

        Both are read at once (one wait on Redis, not three; on a cluster they live on
        two masters): a burst of /why is served in fewer round trips.
        """
        tally, mine = await asyncio.gather(
            self.store.item_votes(digest.date, item.id),
            self.store.get_interests(ctx.channel, ctx.chat_id),
        )
        view = await view_with(self.store, digest, View(), mine)
        return WhyNotes(up=tally.up, down=tally.down, interest=interests.explain(item, view, mine))

    # -- the archive: /more, /search, /week (bot/archive.py) ----------------------

    async def _more(self, ctx: ChatContext, args: list[str]) -> Reply:
        digest = await self._shown_digest(ctx)
        if digest is None:
            return Reply(text="还没有任何日报。管理员运行 aidaily run 之后再来看看。")
        interests = await self.store.get_interests(ctx.channel, ctx.chat_id)
        return _listing_reply(await archive.more(self.store, digest, args, interests))

    async def _search(self, ctx: ChatContext, args: list[str]) -> Reply:
        return _listing_reply(await archive.search(self.store, args))

    async def _week(self, ctx: ChatContext, args: list[str]) -> Reply:
        return _listing_reply(await archive.week(self.store, self.settings.today(), latest=True))

    async def _view_of_shown(self, ctx: ChatContext, view: View) -> Reply:
        digest = await self._shown_digest(ctx)
        if digest is None:
            return Reply(text="还没有任何日报。管理员运行 aidaily run 之后再来看看。")
        return await self._reply_view(ctx, digest, view)

    async def _reply_view(self, ctx: ChatContext, digest: Digest, view: View) -> Reply:
        """The digest in `view`, as this chat sees it (its follows and mutes)."""
        view = replace(view, brief_count=self.settings.digest.brief)
        view = await with_interests(self.store, ctx.channel, ctx.chat_id, digest, view)
        return Reply(digest=digest, view=view)

    async def _shown_digest(self, ctx: ChatContext) -> Digest | None:
        shown = await self.store.get_shown(ctx.channel, ctx.chat_id)
        digest = await self.store.get_digest(shown) if shown else None
        return digest or await self.store.latest_digest()

    async def _show(self, ctx: ChatContext, digest: Digest, view: View) -> Reply:
        await self.store.set_shown(ctx.channel, ctx.chat_id, digest.date)
        return await self._reply_view(ctx, digest, view)

    # -- votes: /like, /dislike (bot/feedback.py) ---------------------------------

    async def _like(self, ctx: ChatContext, args: list[str]) -> Reply:
        return await self._vote(ctx, args, "up")

    async def _dislike(self, ctx: ChatContext, args: list[str]) -> Reply:
        return await self._vote(ctx, args, "down")

    async def _vote(self, ctx: ChatContext, args: list[str], choice: Vote) -> Reply:
        digest = await self._shown_digest(ctx)
        item = None
        if digest is not None and len(args) == 1 and args[0].isdigit():
            n = int(args[0])
            item = digest.item(n) or await archive.pool_item(self.store, digest, n)
        keep = self.settings.store.keep_days
        return Reply(text=await feedback.vote(self.store, ctx, args, choice, digest, item, keep))

    # -- interests: /follow, /mute, /following (bot/interests.py) -------------------

    async def _follow(self, ctx: ChatContext, args: list[str]) -> Reply:
        return Reply(text=await interests.follow(self.store, ctx, args))

    async def _unfollow(self, ctx: ChatContext, args: list[str]) -> Reply:
        return Reply(text=await interests.unfollow(self.store, ctx, args))

    async def _mute(self, ctx: ChatContext, args: list[str]) -> Reply:
        return Reply(text=await interests.mute(self.store, self.settings, ctx, args))

    async def _unmute(self, ctx: ChatContext, args: list[str]) -> Reply:
        return Reply(text=await interests.unmute(self.store, ctx, args))

    async def _following(self, ctx: ChatContext, args: list[str]) -> Reply:
        return Reply(text=await interests.following(self.store, ctx))

    # -- subscription and settings ------------------------------------------------

    async def _start(self, ctx: ChatContext, args: list[str]) -> Reply:
        existing = await self.store.get_subscriber(ctx.channel, ctx.chat_id)
        was_active = existing is not None and existing.active
        sub = existing or Subscriber(
            channel=_channel(ctx.channel),
            chat_id=ctx.chat_id,
            type=ctx.chat_type,
            title=ctx.title,
            since=datetime.now(UTC),
        )
        sub.active, sub.type, sub.title = True, ctx.chat_type, ctx.title or sub.title
        await self.store.save_subscriber(sub)
        head = "本会话已在订阅中。" if was_active else "订阅成功！"
        return Reply(
            text=f"{head}{self._describe(sub.settings)}\n发送 /today 查看最新一期，/help 查看全部命令。"
        )

    async def _stop(self, ctx: ChatContext, args: list[str]) -> Reply:
        sub = await self.store.get_subscriber(ctx.channel, ctx.chat_id)
        if sub is None or not sub.active:
            return Reply(text="本会话没有订阅，不会收到推送。发送 /start 订阅。")
        sub.active = False
        await self.store.save_subscriber(sub)
        return Reply(text="已退订，之后不再推送。发送 /start 可重新订阅。")

    async def _settings(self, ctx: ChatContext, args: list[str]) -> Reply:
        sub = await self.store.get_subscriber(ctx.channel, ctx.chat_id)
        if not args:
            if sub is None or not sub.active:
                return Reply(
                    text=f"本会话未订阅。订阅后：{self._describe(ChatSettings())}\n发送 /start 订阅。"
                )
            return Reply(text=f"当前设置：{self._describe(sub.settings)}\n{SETTINGS_USAGE}")
        if not ctx.can_change_settings:
            return Reply(text="只有群管理员可以修改本群的推送设置。")
        if sub is None or not sub.active:
            return Reply(text="请先发送 /start 订阅，再修改推送设置。")
        error = _apply_setting(sub.settings, args)
        if error:
            return Reply(text=f"{error}\n{SETTINGS_USAGE}")
        await self.store.save_subscriber(sub)
        return Reply(text=f"已更新：{self._describe(sub.settings)}")

    def _describe(self, cs: ChatSettings) -> str:
        push_time = cs.push_time or self.settings.digest.time
        mode = "精简版" if cs.mode == "brief" else "完整版"
        sections = "+".join(SECTION_TITLES[s] for s in cs.sections)
        return f"每天 {push_time}（{self.settings.timezone}）推送 AI每日动态，{mode}，{sections}。"

    # -- help and stats ---------------------------------------------------------

    async def _help(self, ctx: ChatContext, args: list[str]) -> Reply:
        return Reply(text=HELP)

    async def _stats(self, ctx: ChatContext, args: list[str]) -> Reply:
        if not ctx.is_admin:
            return Reply(text=f"/stats 仅限管理员使用。\n\n{HELP}")
        lines = ["📊 运行状态"]
        for channel in CHANNEL_NAMES:
            subs = await self.store.list_subscribers(channel, active_only=False)
            active = sum(1 for s in subs if s.active)
            lines.append(f"{channel} 订阅：{active} 个活跃 / {len(subs)} 个总计")
        lines.extend(await self._run_lines())
        names = {f.id: f.name for f in self.settings.feeds}
        lines.extend(await feedback.stats_lines(self.store, self.settings.today(), names))
        for channel in CHANNEL_NAMES:
            last = await self.store.get_last_push(channel)
            if last:
                lines.append(f"上次推送（{channel}）：{_push_line(last)}")
        return Reply(text="\n".join(lines))

    async def _run_lines(self) -> list[str]:
        last = await self.store.get_last_run()
        if not last:
            return ["上次运行：无记录"]
        lines = [
            f"上次运行：{last.get('date')}，{last.get('finished_at', '')}，{last.get('items', 0)} 条入选"
        ]
        digest = await self.store.get_digest(str(last.get("date")))
        if digest is not None:
            failed = [
                f"{f.name}（{FEED_ERROR_ZH[f.error_kind or 'other']}）"
                for f in digest.feeds
                if not f.ok
            ]
            ok = len(digest.feeds) - len(failed)
            lines.append(
                f"信息源：{ok}/{len(digest.feeds)} 正常"
                + (f"；失败：{'；'.join(failed)}" if failed else "")
            )
        return lines


# A failed feed in /stats, in the chat's words (the log keeps the English line).
FEED_ERROR_ZH: dict[FeedErrorKind, str] = {
    "timeout": "超时",
    "too_large": "内容超出大小上限",
    "http": "服务器返回错误",
    "redirects": "重定向过多",
    "network": "无法连接",
    "not_a_feed": "不是有效的 RSS/Atom",
    "other": "抓取失败",
}

SETTINGS_USAGE = (
    "修改：/settings time 07:30 · /settings mode brief|full · /settings sections all|cn|intl"
)


def _apply_setting(cs: ChatSettings, args: list[str]) -> str | None:
    """Change one setting in place; return an error line, or None when it worked."""
    if len(args) != 2:
        return "参数不对。"
    key, value = args[0].lower(), args[1].lower()
    if key == "time":
        if not HHMM_RE.match(value):
            return f"时间格式应为 HH:MM（24 小时制），例如 07:30，收到 {args[1]!r}。"
        cs.push_time = value
    elif key == "mode":
        if value not in MODE_WORDS:
            return f"mode 只能是 brief 或 full，收到 {args[1]!r}。"
        cs.mode = "brief" if MODE_WORDS[value] == "brief" else "full"
    elif key == "sections":
        if value not in SECTION_WORDS:
            return f"sections 只能是 all、cn 或 intl，收到 {args[1]!r}。"
        cs.sections = list(SECTION_WORDS[value])
    else:
        return f"没有 {args[0]!r} 这项设置。"
    return None


def _listing_reply(answer: Listing | str) -> Reply:
    """A list answer, or the one line that says why there is none."""
    if isinstance(answer, str):
        return Reply(text=answer)
    return Reply(text=f"{answer.title}：{answer.count} 条", listing=answer)


def _push_line(info: dict[str, Any]) -> str:
    keys = ("date", "sent", "skipped", "failed", "gone", "rate_limited", "elapsed_s")
    return "，".join(f"{k}={info[k]}" for k in keys if k in info)


def _valid_date(text: str) -> bool:
    return iso_date(text) is not None


def _channel(name: str) -> Any:
    return name if name in (*CHANNEL_NAMES, "console") else "console"


@dataclass(frozen=True)
class Command:
    """One chat command: its handler, its line in /help, its entry in Telegram's menu.

    `help` None keeps it out of /help (and `menu` None out of the menu): /stats is
    for admins. Every name and alias is also a metric label.
    """

    name: str
    handler: Handler
    help: str | None
    menu: str | None
    aliases: tuple[str, ...] = ()
    usage: str = ""  # the arguments, as /help shows them

    def help_line(self) -> str:
        names = " 或 ".join(f"/{n}" for n in (self.name, *self.aliases))
        return f"{names}{self.usage} — {self.help}"


# The one command table: /help, the handlers, Telegram's menu and the metric labels.
COMMANDS: tuple[Command, ...] = (
    Command("today", Commands._today, "今日日报（每条带编号）", "今日日报"),
    Command("brief", Commands._brief, "精简版：每个板块的前几条", "精简版"),
    Command("cn", Commands._domestic, "只看国内动态", "国内动态", ("domestic",)),
    Command("intl", Commands._intl, "只看国际动态", "国际动态"),
    Command(
        "why",
        Commands._why,
        "第 N 条为什么入选：重要性、分类、理由、标签、来源与链接、评分",
        "第 N 条为什么入选：/why N",
        usage=" N",
    ),
    Command(
        "date",
        Commands._date,
        "查看某一天的日报",
        "某天的日报：/date YYYY-MM-DD",
        usage=" YYYY-MM-DD",
    ),
    Command(
        "more",
        Commands._more,
        "未入选的候选：每个板块接下来的 5 条，注明得分与入选线（/more 2 翻页）",
        "更多动态：/more",
        usage=" [页码]",
    ),
    Command(
        "search",
        Commands._search,
        "搜索往期日报：最新 10 条，带日期、编号和链接",
        "搜索往期日报：/search 关键词",
        usage=" 关键词",
    ),
    Command("week", Commands._week, "本周要闻：近 7 天最重要的 10 条", "本周要闻"),
    Command(
        "like",
        Commands._like,
        "给第 N 条点 👍（每人每条一票，可改）",
        "点赞：/like N",
        usage=" N",
    ),
    Command(
        "dislike",
        Commands._dislike,
        "给第 N 条点 👎（每人每条一票，可改）",
        "点踩：/dislike N",
        usage=" N",
    ),
    Command(
        "follow",
        Commands._follow,
        "关注话题：含有它的条目排在前面并标 🔖",
        "关注话题：/follow 词语",
        usage=" 词语",
    ),
    Command(
        "mute",
        Commands._mute,
        "屏蔽词语或来源（/mute source 来源），并注明隐藏了几条",
        "屏蔽：/mute 词语",
        usage=" 词语",
    ),
    Command("following", Commands._following, "本会话的关注与屏蔽", "我的关注与屏蔽"),
    Command(
        "unfollow",
        Commands._unfollow,
        "取消关注话题",
        "取消关注：/unfollow 词语",
        usage=" 词语",
    ),
    Command(
        "unmute",
        Commands._unmute,
        "取消屏蔽（/unmute source 来源）",
        "取消屏蔽：/unmute 词语",
        usage=" 词语",
    ),
    Command("start", Commands._start, "订阅每日推送", "订阅每日推送", ("subscribe",)),
    Command("stop", Commands._stop, "退订", "退订", ("unsubscribe",)),
    Command(
        "settings",
        Commands._settings,
        "本会话的推送设置（/settings time 07:30 · /settings mode brief|full · /settings sections all|cn|intl）",
        "推送设置",
    ),
    Command("help", Commands._help, "显示本帮助", "全部命令"),
    Command("stats", Commands._stats, None, None),
)

HANDLERS: dict[str, Handler] = {name: c.handler for c in COMMANDS for name in (c.name, *c.aliases)}
BOT_COMMANDS: list[tuple[str, str]] = [(c.name, c.menu) for c in COMMANDS if c.menu]
HELP = "\n".join(["AI每日动态 · 可用命令", *(c.help_line() for c in COMMANDS if c.help)])
METRIC_LABELS = frozenset(HANDLERS)


# -- rendering a Reply per channel ------------------------------------------------


def reply_to_text(reply: Reply) -> str:
    if reply.listing is not None:
        return render_text_listing(reply.listing)
    if reply.digest is not None and reply.why is not None:
        return render_text_why(reply.digest, reply.why, reply.notes)
    if reply.digest is not None:
        return render_text(reply.digest, reply.view or View())
    return reply.text or ""


def reply_to_telegram(reply: Reply) -> list[str]:
    if reply.listing is not None:
        return render_telegram_listing(reply.listing)
    if reply.digest is not None and reply.why is not None:
        return render_telegram_why(reply.digest, reply.why, reply.notes)
    if reply.digest is not None:
        return render_telegram(reply.digest, reply.view or View())
    return telegram_plain(reply.text or "")


def reply_to_feishu(reply: Reply) -> list[dict[str, Any]]:
    if reply.listing is not None:
        return render_feishu_listing(reply.listing)
    if reply.digest is not None and reply.why is not None:
        return render_feishu_why(reply.digest, reply.why, reply.notes)
    if reply.digest is not None:
        return render_feishu(reply.digest, reply.view or View())
    return [feishu_plain(reply.text or "")]
