"""`aidaily check`: reach Redis, the LLM, Telegram, Feishu and every feed; one line each.

Every probe has a short timeout and turns any failure into one line that says
what to fix. A channel without credentials is "off", which is not a failure.
Each of `telegram.channels` gets a "channel" line: getChat, then getChatMember
for the bot, and whether it may post there (or why not). `telegram.paid_broadcast`
gets a "paid" warning line: every push message then costs Telegram Stars.
Feeds are fetched and parsed as `run` would (no conditional GET), all within
FEEDS_BUDGET_S: a "feeds" line that fails as `run` would (no feed configured, or
none could be fetched), then one "feed" line per feed with its entries and time.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import httpx

from pipeline.config import Settings
from pipeline.errors import AidailyError, describe
from pipeline.fetch import FetchResult, fetch_each
from pipeline.parse import parse_feed
from pipeline.redact import redact_url
from pipeline.store import connect

if TYPE_CHECKING:
    from telegram import Bot

Check = tuple[str, bool, str]
WARN_ONLY = frozenset({"feed", "paid"})  # lines that warn when not ok, never fail the check
STARS_PER_MESSAGE = 0.1  # Telegram's price of one message sent with allow_paid_broadcast
TIMEOUT_S = 8.0
FEEDS_BUDGET_S = 30.0  # all feeds together: check answers in bounded time whatever the feeds do


async def check_all(settings: Settings) -> list[Check]:
    """Redis, LLM, Telegram and Feishu, probed concurrently, in that order."""
    redis, llm, telegram, feishu, targets = await asyncio.gather(
        check_redis(settings),
        check_llm(settings),
        check_telegram(settings),
        check_feishu(settings),
        check_telegram_targets(settings),
    )
    return [redis, llm, telegram, *targets, feishu]


async def check_redis(settings: Settings) -> Check:
    """Connect and PING (the embedded Redis when no URL is set)."""
    try:
        store = await asyncio.wait_for(connect(settings.redis), TIMEOUT_S)
    except TimeoutError:
        return (
            "redis",
            False,
            f"no answer from {redact_url(settings.redis.url or settings.redis.data_dir)} within {TIMEOUT_S:.0f} s",
        )
    except AidailyError as exc:
        return ("redis", False, str(exc))
    try:
        return ("redis", True, store.url)
    finally:
        await store.close()


async def check_llm(settings: Settings) -> Check:
    """The LLM curator's own probe (`pipeline.curate.llm.check`), when an API key is set."""
    if not settings.llm_enabled or settings.llm is None:
        return ("llm", True, "off: no OPENAI_API_KEY, the heuristic curator is used")
    from pipeline.curate import llm

    try:
        return await asyncio.wait_for(llm.check(settings), TIMEOUT_S * 2)
    except TimeoutError:
        return (
            "llm",
            False,
            f"no answer from {redact_url(settings.llm.base_url)} within {TIMEOUT_S * 2:.0f} s",
        )
    except Exception as exc:  # the probe's own failure, whatever it is, is the answer
        return ("llm", False, _line(exc))


async def check_telegram(settings: Settings) -> Check:
    """getMe through python-telegram-bot, at `telegram.base_url`."""
    if not settings.telegram_enabled:
        return ("telegram", True, "off: TELEGRAM_BOT_TOKEN is not set")
    from telegram import Bot
    from telegram.error import InvalidToken, TelegramError
    from telegram.request import HTTPXRequest

    base = settings.telegram.base_url
    request = HTTPXRequest(
        connect_timeout=TIMEOUT_S / 2, read_timeout=TIMEOUT_S, write_timeout=TIMEOUT_S
    )
    bot = Bot(str(settings.telegram.token), base_url=base, request=request)
    try:
        await asyncio.wait_for(bot.initialize(), TIMEOUT_S * 1.5)  # initialize() is getMe
        me = bot.bot
    except InvalidToken:
        return (
            "telegram",
            False,
            "the bot token was refused (401): check TELEGRAM_BOT_TOKEN with @BotFather",
        )
    except TimeoutError:
        return ("telegram", False, f"no answer from {base} within {TIMEOUT_S * 1.5:.0f} s")
    except TelegramError as exc:
        return ("telegram", False, f"getMe failed at {base}: {_line(exc)}")
    finally:
        await bot.shutdown()
    return ("telegram", True, f"@{me.username} ({settings.telegram.mode})")


async def check_telegram_targets(settings: Settings) -> list[Check]:
    """A "channel" line per `telegram.channels` entry, and a "paid" warning when paid
    broadcast is on (both only when configured)."""
    lines: list[Check] = []
    if settings.telegram.paid_broadcast:
        lines.append(("paid", False, paid_broadcast_warning()))
    channels = settings.telegram.channels
    if not channels:
        return lines
    if not settings.telegram_enabled:
        why = "Telegram is off (TELEGRAM_BOT_TOKEN is not set): nothing is posted there"
        return [*lines, *(("channel", False, f"{name}: {why}") for name in channels)]
    from telegram import Bot
    from telegram.error import TelegramError
    from telegram.request import HTTPXRequest

    request = HTTPXRequest(
        connect_timeout=TIMEOUT_S / 2, read_timeout=TIMEOUT_S, write_timeout=TIMEOUT_S
    )
    bot = Bot(str(settings.telegram.token), base_url=settings.telegram.base_url, request=request)
    try:
        try:
            await asyncio.wait_for(bot.initialize(), TIMEOUT_S * 1.5)
        except (TelegramError, TimeoutError):  # the "telegram" line says why
            return [*lines, *(("channel", False, f"{c}: getMe failed") for c in channels)]
        found = await asyncio.gather(*(_channel_line(bot, name) for name in channels))
    finally:
        await bot.shutdown()
    return [*lines, *found]


def paid_broadcast_warning() -> str:
    """What `telegram.paid_broadcast` costs, in one line."""
    return (
        "telegram.paid_broadcast is on: every push message spends Telegram Stars "
        f"({STARS_PER_MESSAGE:g} each, e.g. {int(100_000 * 3 * STARS_PER_MESSAGE):,} "
        "for 100,000 chats x 3 parts); set it to false to send for free at 30 msg/s"
    )


async def _channel_line(bot: Bot, name: str) -> Check:
    """getChat + getChatMember(bot): "ok" when the bot may post there, else why not."""
    from telegram import ChatMemberAdministrator
    from telegram.constants import ChatMemberStatus
    from telegram.error import BadRequest, Forbidden, TelegramError

    try:
        async with asyncio.timeout(TIMEOUT_S * 1.5):
            chat = await bot.get_chat(name)
            member = await bot.get_chat_member(chat.id, bot.id)
    except TimeoutError:
        return ("channel", False, f"{name}: no answer within {TIMEOUT_S * 1.5:.0f} s")
    except (BadRequest, Forbidden) as exc:
        if "not found" in exc.message.lower():
            why = "not found: check the @username or id, and add the bot to the channel"
        elif isinstance(exc, Forbidden):
            why = f"the bot cannot see it ({exc.message}): add the bot as an administrator"
        else:
            why = exc.message
        return ("channel", False, f"{name}: {why}")
    except TelegramError as exc:
        return ("channel", False, f"{name}: {_line(exc)}")
    title = f"{name} ({chat.title or chat.id}, {chat.type})"
    if chat.type != "channel":
        return ("channel", False, f"{title}: not a channel; subscribe a group with /start")
    if member.status == ChatMemberStatus.OWNER:
        return ("channel", True, f"{title}: ok, the bot owns it")
    if member.status != ChatMemberStatus.ADMINISTRATOR:
        why = f"the bot is not an administrator (it is {member.status})"
        return ("channel", False, f"{title}: {why}: add it with the right to post messages")
    if isinstance(member, ChatMemberAdministrator) and not member.can_post_messages:
        why = "the bot is an administrator but cannot post messages"
        return ("channel", False, f"{title}: {why}: give it that right")
    return ("channel", True, f"{title}: ok, the bot may post")


async def check_feishu(settings: Settings) -> Check:
    """A tenant access token from the app credentials; webhooks are only counted (a probe would post)."""
    hooks = len(settings.feishu.webhooks)
    hook_text = f"{hooks} webhook(s)" if hooks else "no webhook"
    if not settings.feishu_app_enabled:
        if hooks:
            return (
                "feishu",
                True,
                f"{hook_text}; app off: FEISHU_APP_ID/FEISHU_APP_SECRET not set",
            )
        return (
            "feishu",
            True,
            "off: FEISHU_APP_ID/FEISHU_APP_SECRET and FEISHU_WEBHOOK_URL are not set",
        )
    url = settings.feishu.domain.rstrip("/") + "/open-apis/auth/v3/tenant_access_token/internal"
    payload = {"app_id": settings.feishu.app_id, "app_secret": settings.feishu.app_secret}
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_S) as client:
            resp = await client.post(url, json=payload)
        data = resp.json()
    except httpx.HTTPError as exc:
        return ("feishu", False, f"cannot reach {settings.feishu.domain}: {_line(exc)}")
    except ValueError:
        return ("feishu", False, f"{url} answered HTTP {resp.status_code} without JSON")
    if not isinstance(data, dict) or data.get("code") != 0 or not data.get("tenant_access_token"):
        why = (
            f"code {data.get('code')}: {data.get('msg')}"
            if isinstance(data, dict)
            else "unexpected answer"
        )
        return (
            "feishu",
            False,
            f"tenant token refused ({why}): check FEISHU_APP_ID/FEISHU_APP_SECRET",
        )
    chats = len(settings.feishu.chats)
    return (
        "feishu",
        True,
        f"app token ok; {chats} chat(s), {hook_text}, events over {settings.feishu.events}",
    )


async def check_feeds(settings: Settings, budget_s: float = FEEDS_BUDGET_S) -> list[Check]:
    """A "feeds" summary line, then one line per feed (in config order), within `budget_s`."""
    if not settings.feeds:
        why = "no feeds configured: add at least one entry under `feeds:` in the config"
        return [("feeds", False, why)]
    started = time.monotonic()
    done: dict[str, Check] = {}
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(budget_s):
            fetched = fetch_each(settings.feeds, settings.fetch, {})
            async with contextlib.aclosing(fetched) as results:
                async for result in results:
                    done[result.feed.id] = await _feed_line(result)
    lines = [
        done.get(f.id) or ("feed", False, f"{f.id}: no answer within the {budget_s:g} s budget")
        for f in settings.feeds
    ]
    ok = sum(1 for _, good, _ in lines if good)
    took = time.monotonic() - started
    summary = f"{ok}/{len(lines)} fetched and parsed in {took:.1f} s"
    if not ok:
        summary = f"no feed could be fetched (0/{len(lines)} in {took:.1f} s)"
    return [("feeds", ok > 0, summary), *lines]


async def _feed_line(result: FetchResult) -> Check:
    feed = result.feed
    if not result.ok or result.body is None:
        return ("feed", False, f"{feed.id}: {result.error} ({result.elapsed_ms} ms)")
    parsed = await asyncio.to_thread(
        parse_feed,
        result.body,
        feed,
        content_type=result.content_type,
        location=result.final_url,
        now=datetime.now(UTC),
    )
    if parsed.error and not parsed.entries:
        return ("feed", False, f"{feed.id}: {parsed.error} ({result.elapsed_ms} ms)")
    count = len(parsed.entries)
    return ("feed", True, f"{feed.id}: {count} entries in {result.elapsed_ms} ms")


def _line(exc: BaseException) -> str:
    return describe(exc)
