"""`aidaily check`: reach Redis, the LLM, Telegram and Feishu; one line each, ok or why not.

Every probe has a short timeout and turns any failure into one line that says
what to fix. A channel without credentials is "off", which is not a failure.
"""

from __future__ import annotations

import asyncio

import httpx

from pipeline.config import Settings
from pipeline.errors import AidailyError, describe
from pipeline.store import open_store

Check = tuple[str, bool, str]
TIMEOUT_S = 8.0


async def check_all(settings: Settings) -> list[Check]:
    """Redis, LLM, Telegram and Feishu, probed concurrently, in that order."""
    probes = (
        check_redis(settings),
        check_llm(settings),
        check_telegram(settings),
        check_feishu(settings),
    )
    return list(await asyncio.gather(*probes))


async def check_redis(settings: Settings) -> Check:
    """Connect and PING (the embedded Redis when no URL is set)."""
    try:
        store = await asyncio.wait_for(
            open_store(settings.redis.url, settings.redis.data_dir), TIMEOUT_S
        )
    except TimeoutError:
        return ("redis", False, f"no answer from {settings.redis.url} within {TIMEOUT_S:.0f} s")
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
            f"no answer from {settings.llm.base_url} within {TIMEOUT_S * 2:.0f} s",
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


def _line(exc: BaseException) -> str:
    return describe(exc)
