"""No secret is shown: URLs are redacted where shown, known secret values scrubbed from text."""

from __future__ import annotations

import io
import logging

import pytest

from bot.logs import setup_logging
from pipeline.config import parse_settings
from pipeline.redact import Scrubber, redact_url, secrets_of, url_secrets


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:S3cret@127.0.0.1:6380/0", "redis://:***@127.0.0.1:6380/0"),
        ("redis://app:S3cret@db:6379/2", "redis://app:***@db:6379/2"),
        ("rediss://tokenonly@db:6379", "rediss://***@db:6379"),
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        (
            "https://open.feishu.cn/open-apis/bot/v2/hook/0f1e2d3c-4b5a",
            "https://open.feishu.cn/open-apis/bot/v2/hook/***",
        ),
        (
            "https://api.telegram.org/bot123456:AAE-x_y/getMe",
            "https://api.telegram.org/bot***/getMe",
        ),
        ("https://llm.example/v1?api_key=K3y&x=1", "https://llm.example/v1?api_key=***&x=1"),
        ("https://u:p4ss@llm.example/v1", "https://u:***@llm.example/v1"),
    ],
)
def test_a_shown_url_carries_no_credential(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_secrets_inside_urls_are_found() -> None:
    assert url_secrets("redis://:S3cret@h:1/0") == ["S3cret", "S3cret"]
    assert url_secrets("https://open.feishu.cn/open-apis/bot/v2/hook/abcd-1234") == ["abcd-1234"]
    assert url_secrets("https://x/v1?token=T0ken") == ["T0ken"]
    assert url_secrets(None) == []


def test_every_url_bearing_setting_and_credential_is_a_secret() -> None:
    env = {
        "REDIS_URL": "redis://:R3disPass@127.0.0.1:6390/0",
        "OPENAI_API_KEY": "sk-openai-key",
        "OPENAI_BASE_URL": "https://user:LlmPass@llm.example/v1",
        "TELEGRAM_BOT_TOKEN": "123:tg-token",
        "TELEGRAM_WEBHOOK_SECRET": "tg-hook-secret",
        "FEISHU_APP_ID": "cli_x",
        "FEISHU_APP_SECRET": "fs-app-secret",
        "FEISHU_WEBHOOK_URL": "https://open.feishu.cn/open-apis/bot/v2/hook/hook-token-1",
        "FEISHU_WEBHOOK_SECRET": "hook-sign-secret",
    }
    found = set(secrets_of(parse_settings({}, env)))
    for value in (
        "R3disPass",
        "sk-openai-key",
        "LlmPass",
        "123:tg-token",
        "tg-hook-secret",
        "fs-app-secret",
        "hook-token-1",
        "hook-sign-secret",
    ):
        assert value in found


def test_the_scrubber_masks_known_values_and_any_url_password() -> None:
    scrub = Scrubber(["hook-token-1", "abc"])  # too short to scrub safely: kept
    text = "posting to https://h/hook/hook-token-1 failed; redis://:Other@h:1 down; abc"
    assert scrub(text) == "posting to https://h/hook/*** failed; redis://:***@h:1 down; abc"


def test_log_lines_never_carry_a_registered_secret() -> None:
    from pipeline.redact import SCRUB

    SCRUB.add(["S3cretValue"])
    out = io.StringIO()
    setup_logging("INFO", stream=out, json_lines=True)
    try:
        logging.getLogger("t").warning("cannot reach redis://:S3cretValue@h:1/0 (S3cretValue)")
        try:
            raise RuntimeError("boom S3cretValue")
        except RuntimeError:
            logging.getLogger("t").exception("failed")
    finally:
        setup_logging("WARNING", stream=io.StringIO(), json_lines=True)
    assert "S3cretValue" not in out.getvalue()
    assert "***" in out.getvalue()
