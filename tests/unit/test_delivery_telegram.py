"""How the Telegram push reads python-telegram-bot's errors and a chat's settings (no network)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from bot.channel import chat_view, is_due
from bot.telegram.bot import addressed_to_us, file_url
from bot.telegram.errors import PLAIN, Migrated, classify, html_to_plain
from pipeline.config import parse_settings
from pipeline.errors import DeliveryError, RetryLater, TargetGone, TransientDelivery
from pipeline.models import ChatSettings, Subscriber


def test_retry_after_is_waited_out_for_as_long_as_telegram_says() -> None:
    outcome = classify(RetryAfter(timedelta(seconds=7)))
    assert isinstance(outcome, RetryLater) and outcome.retry_after == 7


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), TargetGone),
        (BadRequest("Bad Request: chat not found"), TargetGone),
        (TimedOut(), TransientDelivery),
        (NetworkError("Bad Gateway"), TransientDelivery),
        (Conflict("terminated by other getUpdates request"), TransientDelivery),
        (InvalidToken("Unauthorized"), DeliveryError),
    ],
)
def test_errors_map_to_delivery_outcomes(error: Exception, kind: type) -> None:
    outcome = classify(error)  # type: ignore[arg-type]
    assert type(outcome) is kind


def test_migration_and_bad_html() -> None:
    assert classify(ChatMigrated(-1001)) == Migrated(-1001)
    assert classify(BadRequest("Bad Request: can't parse entities")) == PLAIN
    # Already plain text and still refused: not retried again.
    assert isinstance(
        classify(BadRequest("Bad Request: message is too long"), html=False), DeliveryError
    )


def test_plain_fallback_keeps_the_words() -> None:
    text = '<b>标题</b> &lt;script&gt; <a href="https://x.cn/?a=1&amp;b=2">链接</a> A&amp;B'
    assert html_to_plain(text) == "标题 <script> 链接 A&B"


@pytest.mark.parametrize(
    ("text", "kind", "ours"),
    [
        ("/foo", "private", True),
        ("/foo", "supergroup", False),
        ("/foo@AidailyBot", "supergroup", True),
        ("/today@aidailybot 3", "group", True),
        ("/today@OtherBot", "private", False),
    ],
)
def test_which_commands_are_ours(text: str, kind: str, ours: bool) -> None:
    assert addressed_to_us(text, kind, "AidailyBot") is ours


def test_file_url_follows_the_api_base() -> None:
    assert file_url("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert file_url("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/file/bot"


def test_chat_settings_pick_the_view_and_the_time() -> None:
    settings = parse_settings({"digest": {"brief": 3}}, {})

    def sub(**kw: object) -> Subscriber:
        cs = ChatSettings.model_validate(kw)
        return Subscriber(channel="telegram", chat_id="1", since=datetime.now(UTC), settings=cs)

    assert chat_view(settings, sub()).section == "all"
    brief = chat_view(settings, sub(mode="brief", sections=["international"]))
    assert (brief.section, brief.brief, brief.brief_count) == ("international", True, 3)
    assert is_due(settings, sub(), "08:00") and not is_due(settings, sub(), "07:30")
    assert is_due(settings, sub(push_time="07:30"), "07:30") and is_due(settings, sub(), None)
