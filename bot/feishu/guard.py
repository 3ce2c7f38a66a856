"""Checks on a Feishu event callback that come before any answer (used by bot/feishu/events.py).

- A signature is fresh: `X-Lark-Request-Timestamp` within MAX_SIGNATURE_AGE_S of
  now, either way, as Feishu's SDK guidance and Slack's request signing ask; an
  old signed request is a replay.
- A message event has the shape the SDK model promises: lark-oapi checks the
  nested objects (`"event": 5` fails there) but not the strings in them.
- A card action (a button press) has the shape of lark-oapi's `P2CardActionTrigger`.
- Each message is answered once: by `event_id`, or by its message id when the
  event carries none (schema 1.0 and hand-made events).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from lark_oapi.api.im.v1 import P2ImMessageReceiveV1
from lark_oapi.core.exception import UnmarshalException
from lark_oapi.event.callback.model.p2_card_action_trigger import P2CardActionTrigger

from bot.http_guard import Refused

MAX_SIGNATURE_AGE_S = 300
_MESSAGE_TEXT_FIELDS = ("message_id", "chat_id", "chat_type", "message_type", "content")


def check_fresh(timestamp: str, now: float | None = None) -> None:
    """Refused(401) unless the signed timestamp (Unix seconds) is within 5 minutes of now."""
    try:
        signed_at = int(timestamp)
    except ValueError:
        raise Refused(401, "rejected", "X-Lark-Request-Timestamp is not a Unix time") from None
    skew = (time.time() if now is None else now) - signed_at
    if abs(skew) > MAX_SIGNATURE_AGE_S:
        raise Refused(
            401,
            "rejected",
            f"signature timestamp is {abs(skew):.0f} s {'old' if skew > 0 else 'ahead'} "
            f"(limit {MAX_SIGNATURE_AGE_S} s): a replay, or a clock to fix",
        )


def message_event(payload: Mapping[str, Any]) -> P2ImMessageReceiveV1:
    """The `im.message.receive_v1` event in `payload`, or Refused(400) saying what is wrong."""
    if not isinstance(payload.get("event"), dict):
        raise Refused(400, "malformed", "message event without an `event` object")
    try:
        event = P2ImMessageReceiveV1(payload)
    except UnmarshalException as exc:
        raise Refused(400, "malformed", f"not a message event: {exc}") from None
    message = event.event.message if event.event is not None else None
    for name in _MESSAGE_TEXT_FIELDS:
        value = getattr(message, name, None)
        if value is not None and not isinstance(value, str):
            raise Refused(
                400, "malformed", f"not a message event: event.message.{name} is not text"
            )
    event_id = event.header.event_id if event.header is not None else None
    if event_id is not None and not isinstance(event_id, str):
        raise Refused(400, "malformed", "not a message event: header.event_id is not text")
    return event


def card_event(payload: Mapping[str, Any]) -> P2CardActionTrigger:
    """The `card.action.trigger` callback in `payload`, or Refused(400) saying what is wrong."""
    if not isinstance(payload.get("event"), dict):
        raise Refused(400, "malformed", "card action without an `event` object")
    try:
        event = P2CardActionTrigger(payload)
    except (UnmarshalException, AttributeError, TypeError, ValueError) as exc:
        raise Refused(400, "malformed", f"not a card action: {exc}") from None
    if event.event is None:
        raise Refused(400, "malformed", "card action without an `event` object")
    where = event.event.context
    for name in ("open_message_id", "open_chat_id"):
        value = getattr(where, name, None)
        if value is not None and not isinstance(value, str):
            raise Refused(400, "malformed", f"not a card action: event.context.{name} is not text")
    event_id = event.header.event_id if event.header is not None else None
    if event_id is not None and not isinstance(event_id, str):
        raise Refused(400, "malformed", "not a card action: header.event_id is not text")
    return event


def answer_key(event: P2ImMessageReceiveV1) -> str | None:
    """What makes an answer a repeat: the event id, else the message id (None: neither)."""
    event_id = event.header.event_id if event.header is not None else None
    if event_id:
        return str(event_id)
    message = event.event.message if event.event is not None else None
    return f"message:{message.message_id}" if message is not None and message.message_id else None
