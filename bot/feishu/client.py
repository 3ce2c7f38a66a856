"""Feishu (Lark) push: the app bot through lark-oapi, and custom group webhooks.

    feishu_jobs(settings, store, digest)   one delivery Job per chat and per webhook
    FeishuApp                              the lark-oapi client: send and reply with cards
    feishu_error(...)                      the ONE place Feishu's codes become delivery errors

Every Feishu failure goes through `feishu_error`, which logs its code, message and
log id and returns `RetryLater` (rate limits), `TargetGone` (refuses for good) or
`TransientDelivery` (network, 5xx, anything unknown: retried, and a later push
finishes the job). Commands and events live in `bot/feishu/events.py`; the
webhook sender in `bot/feishu/webhook.py`.

Tenant access tokens are fetched, cached and refreshed by lark-oapi itself (its
TokenManager, per app id). Its fetch is synchronous (requests), so we make the
SDK fill its cache from a worker thread, one caller at a time, before each call:
the event loop never blocks on it and many messages cost one token request.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import lark_oapi as lark
import requests
from lark_oapi.api.im.v1 import (
    CreateMessageRequest,
    CreateMessageRequestBody,
    ReplyMessageRequest,
    ReplyMessageRequestBody,
)
from lark_oapi.core.exception import ObtainAccessTokenException
from lark_oapi.core.token import TokenManager

from bot.feishu.errors import RATE_LIMIT_CODES, feishu_error
from pipeline.config import FeishuSettings
from pipeline.errors import DeliveryError, describe

log = logging.getLogger(__name__)

UUID_NS = uuid.UUID("4f2b6a58-5d0e-4d7e-9d0f-6a1f3c9b2e11")


def message_uuid(day: str, target: str, part: int) -> str:
    """The message `uuid` of (date, target, part): Feishu drops a repeat within an hour."""
    return str(uuid.uuid5(UUID_NS, f"{day}|{target}|{part}"))


def card_content(card: dict[str, Any]) -> str:
    """A card as the `content` string of an interactive message."""
    return json.dumps(card, ensure_ascii=False, separators=(",", ":"))


class FeishuApp:
    """The app bot: one lark-oapi client (domain may be a local fake), cards in and out."""

    def __init__(self, cfg: FeishuSettings, *, timeout_s: float = 15.0) -> None:
        if not (cfg.app_id and cfg.app_secret):
            raise ValueError(
                "FEISHU_APP_ID and FEISHU_APP_SECRET are required for the Feishu app bot"
            )
        self.client = (
            lark.Client.builder()
            .app_id(cfg.app_id)
            .app_secret(cfg.app_secret)
            .domain(cfg.domain.rstrip("/"))
            .timeout(timeout_s)
            .log_level(lark.LogLevel.WARNING)
            .build()
        )
        self._token_lock = asyncio.Lock()

    async def _token(self, where: str) -> None:
        """Let the SDK fetch (or find cached) its tenant token off the event loop."""
        async with self._token_lock:
            try:
                await asyncio.to_thread(TokenManager.get_self_tenant_token, self.client.config)
            except ObtainAccessTokenException as exc:
                raise feishu_error(where, exc.code, f"tenant token: {exc.msg}") from None
            except (requests.RequestException, OSError, ValueError) as exc:
                raise feishu_error(where, None, f"tenant token: {describe(exc)}") from None

    async def send_card(self, chat_id: str, card: dict[str, Any], msg_uuid: str) -> str:
        """Post one interactive card to a chat; returns the message id."""
        where = f"Feishu chat {chat_id}"
        body = (
            CreateMessageRequestBody.builder()
            .receive_id(chat_id)
            .msg_type("interactive")
            .content(card_content(card))
            .uuid(msg_uuid)
            .build()
        )
        request = (
            CreateMessageRequest.builder().receive_id_type("chat_id").request_body(body).build()
        )
        await self._token(where)
        return await self._call(where, lambda: self.client.im.v1.message.acreate(request))

    async def reply_card(self, message_id: str, card: dict[str, Any], msg_uuid: str) -> str:
        """Reply to a message with one interactive card; returns the new message id."""
        where = f"Feishu reply to {message_id}"
        body = (
            ReplyMessageRequestBody.builder()
            .msg_type("interactive")
            .content(card_content(card))
            .uuid(msg_uuid)
            .build()
        )
        request = ReplyMessageRequest.builder().message_id(message_id).request_body(body).build()
        await self._token(where)
        return await self._call(where, lambda: self.client.im.v1.message.areply(request))

    async def bot_open_id(self) -> str | None:
        """The bot's own open_id (to tell an @-mention of it from others), or None."""
        request = (
            lark.BaseRequest.builder()
            .http_method(lark.HttpMethod.GET)
            .uri("/open-apis/bot/v3/info")
            .token_types({lark.AccessTokenType.TENANT})
            .build()
        )
        try:
            await self._token("Feishu bot info")
            resp = await self.client.arequest(request)
            data = json.loads(resp.raw.content) if resp.raw is not None else {}
        except (DeliveryError, httpx.HTTPError, ValueError) as exc:
            log.warning("feishu: cannot read the bot's open_id: %s", exc)
            return None
        bot = data.get("bot") or {}
        return bot.get("open_id") or None

    async def _call(self, where: str, call: Callable[[], Awaitable[Any]]) -> str:
        try:
            resp = await call()
        except httpx.HTTPError as exc:
            raise feishu_error(where, None, f"network: {describe(exc)}") from None
        except ValueError as exc:  # the SDK could not parse the answer (an HTML 502 page, say)
            raise feishu_error(where, None, f"unreadable answer: {describe(exc)}") from None
        if resp.success():
            return str(resp.data.message_id) if resp.data is not None else ""
        raise _response_error(where, resp)


def _response_error(where: str, resp: Any) -> DeliveryError:
    raw = resp.raw
    headers = {k.lower(): v for k, v in (raw.headers or {}).items()} if raw is not None else {}
    log_id = headers.get("x-tt-logid") or (resp.error.log_id if resp.error is not None else None)
    reset = headers.get("x-ogw-ratelimit-reset")
    status = raw.status_code if raw is not None else None
    if status is not None and status >= 500 and resp.code not in RATE_LIMIT_CODES:
        return feishu_error(
            where, None, f"HTTP {status}: {resp.msg} [log_id {log_id}]", http_status=status
        )
    retry_after = float(reset) if reset and reset.isdigit() else None
    return feishu_error(
        where, resp.code, str(resp.msg), log_id=log_id, http_status=status, retry_after=retry_after
    )


def _why(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
