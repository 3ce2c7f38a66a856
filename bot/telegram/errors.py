"""The one place where python-telegram-bot's errors become delivery outcomes (`classify`).

RetryAfter                      RetryLater (its seconds)
ChatMigrated                    Migrated: resend to the supergroup's new id
Forbidden, "chat not found"     TargetGone: the chat is marked inactive
any other BadRequest            PLAIN: resend that part once as plain text
network errors, timeouts        TransientDelivery

Editing a message in place (a button's view switch) has its own two answers
(`edit_refusal`): "message is not modified" (a double tap: nothing to do) and a
message that can no longer be edited (the answer is sent as new messages).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from html import unescape

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from pipeline.errors import DeliveryError, RetryLater, TargetGone, TransientDelivery


@dataclass(frozen=True)
class Migrated:
    """The group became a supergroup: resend to `new_chat_id`."""

    new_chat_id: int


PLAIN = "plain"  # resend the part as plain text


def classify(exc: TelegramError, *, html: bool = True) -> DeliveryError | Migrated | str:
    """What a python-telegram-bot error means for delivery. The only place that decides it."""
    if isinstance(exc, RetryAfter):
        seconds = retry_after_seconds(exc)
        return RetryLater(f"telegram: flood control, retry after {seconds:g}s", seconds)
    if isinstance(exc, ChatMigrated):
        return Migrated(int(exc.new_chat_id))
    if isinstance(exc, Forbidden):
        return TargetGone(f"telegram: {exc.message}")
    if isinstance(exc, BadRequest):
        if "chat not found" in exc.message.lower():
            return TargetGone(f"telegram: {exc.message}")
        if html:
            return PLAIN
        return DeliveryError(f"telegram: {exc.message}")
    if isinstance(exc, InvalidToken):
        return DeliveryError("telegram: the bot token was rejected; check TELEGRAM_BOT_TOKEN")
    if isinstance(exc, TimedOut | NetworkError):
        return TransientDelivery(f"telegram: {exc.message or type(exc).__name__}")
    return TransientDelivery(f"telegram: {type(exc).__name__}: {exc.message}")


NOT_MODIFIED = "same"  # the edit would change nothing: done
NOT_EDITABLE = "gone"  # the message cannot be edited (deleted, too old): send instead


def edit_refusal(exc: TelegramError) -> str | None:
    """What an editMessageText error means: NOT_MODIFIED, NOT_EDITABLE, or None (any other)."""
    if not isinstance(exc, BadRequest):
        return None
    message = exc.message.lower()
    if "message is not modified" in message:
        return NOT_MODIFIED
    if "message to edit not found" in message or "message can't be edited" in message:
        return NOT_EDITABLE
    return None


def retry_after_seconds(exc: RetryAfter) -> float:
    """`RetryAfter.retry_after` in seconds, whether PTB gives an int or a timedelta."""
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def html_to_plain(text: str) -> str:
    """What an HTML message says, without its markup (for the plain-text fallback)."""
    return unescape(re.sub(r"<[^<>]+>", "", text))
