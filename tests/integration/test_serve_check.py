"""`aidaily check` beyond config: Redis, LLM, Telegram getMe and the Feishu token, one line each."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

import pytest

from bot.check import check_all, check_feishu, check_redis, check_telegram
from pipeline.config import Settings
from tests.fakes.feishu_server import FeishuFake
from tests.fakes.telegram_server import FakeTelegram

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_without_credentials_every_channel_is_off_not_failed(
    redis_url: str, make_settings: Callable[..., Settings]
) -> None:
    results = await check_all(make_settings({}, {"REDIS_URL": redis_url}))

    assert [name for name, _, _ in results] == ["redis", "llm", "telegram", "feishu"]
    assert all(ok for _, ok, _ in results)
    assert [text.split(":")[0] for _, _, text in results[1:]] == ["off", "off", "off"]


async def test_redis_down_names_the_url(make_settings: Callable[..., Settings]) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"

    name, ok, text = await check_redis(make_settings({}, {"REDIS_URL": url}))

    assert (name, ok) == ("redis", False) and url in text


async def test_telegram_getme_ok_and_a_refused_token(
    make_settings: Callable[..., Settings],
) -> None:
    async with FakeTelegram() as tg:

        def cfg() -> dict[str, dict[str, str]]:
            return {"telegram": {"base_url": tg.base_url}}

        good = await check_telegram(make_settings(cfg(), {"TELEGRAM_BOT_TOKEN": tg.token}))
        bad = await check_telegram(make_settings(cfg(), {"TELEGRAM_BOT_TOKEN": "999:wrong"}))

    assert good == ("telegram", True, "@AidailyBot (polling)")
    assert bad[1] is False and "TELEGRAM_BOT_TOKEN" in bad[2]


async def test_telegram_unreachable_says_where(make_settings: Callable[..., Settings]) -> None:
    base = f"http://127.0.0.1:{free_port()}/bot"

    _, ok, text = await check_telegram(
        make_settings({"telegram": {"base_url": base}}, {"TELEGRAM_BOT_TOKEN": "1:x"})
    )

    assert ok is False and base in text


async def test_feishu_tenant_token_ok_and_wrong_secret(
    make_settings: Callable[..., Settings],
) -> None:
    fake = await asyncio.to_thread(FeishuFake().start)
    try:
        env = {
            "FEISHU_APP_ID": fake.app_id,
            "FEISHU_APP_SECRET": fake.app_secret,
            "FEISHU_DOMAIN": fake.url,
        }
        good = await check_feishu(make_settings({}, env))
        bad = await check_feishu(make_settings({}, {**env, "FEISHU_APP_SECRET": "wrong"}))
    finally:
        await asyncio.to_thread(fake.stop)

    assert good[1] is True and good[2].startswith("app token ok")
    assert bad[1] is False and "FEISHU_APP_SECRET" in bad[2]
