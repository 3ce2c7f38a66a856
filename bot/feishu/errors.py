"""The one place where Feishu's answers become delivery errors (STYLE habit 2).

    RetryLater          11232 (custom bot 5/s, 100/min), 99991400 (API rate limit,
                        wait `x-ogw-ratelimit-reset`), 230020 (one chat's rate limit)
    TargetGone          refuses for good: 19001/19007/19021/19022/19024 (webhooks),
                        230002 bot not in chat, 230006/230013/230017, 99991672; and a
                        card Feishu refuses (9499, 230001, 230025, 230099): resending
                        the same card cannot help
    TransientDelivery   network, HTTP 5xx, unreadable answers, any other code

`feishu_error` logs code, message and log id of every failure it maps.
"""

from __future__ import annotations

import logging

from pipeline.errors import DeliveryError, RetryLater, TargetGone, TransientDelivery

log = logging.getLogger("bot.feishu")

RATE_LIMIT_CODES = {
    11232: "frequency limit of the custom bot (5/s, 100/min)",
    99991400: "request trigger frequency limit",
    230020: "frequency limit of messages into one chat",
}
GONE_CODES = {
    19001: "webhook token invalid — was the custom bot removed from the group? check FEISHU_WEBHOOK_URL",
    19007: "the custom bot is disabled",
    19021: "signature rejected (19021) — check FEISHU_WEBHOOK_SECRET and the server clock",
    19022: "IP address not allowed by the custom bot's security settings",
    19024: "the message lacks the custom bot's required keyword",
    230002: "the bot is not in this chat — add the app bot to the group",
    230006: "the app's bot ability is not enabled",
    230013: "the bot has no availability for this user",
    230017: "the bot is not allowed to speak in this chat",
    99991672: "the app lacks the im:message:send_as_bot permission",
}
# The message itself was refused: retrying the same card cannot help.
CONTENT_CODES = {
    9499: "request refused (bad or too large body)",
    230001: "invalid message content",
    230025: "message content too long",
    230099: "card content refused",
}


def feishu_error(
    where: str,
    code: int | None,
    msg: str,
    *,
    log_id: str | None = None,
    http_status: int | None = None,
    retry_after: float | None = None,
) -> DeliveryError:
    """Map one Feishu answer (or a network failure: code None) to a delivery error, and log it."""
    log.warning(
        "%s: code=%s msg=%r log_id=%s http=%s", where, code, msg, log_id or "-", http_status or "-"
    )
    lid = f" [log_id {log_id}]" if log_id else ""
    if code in RATE_LIMIT_CODES:
        return RetryLater(f"{where}: rate-limited ({code}): {msg}{lid}", retry_after or 1.0)
    if code == 19021:
        return TargetGone(f"{where}: {GONE_CODES[code]}{lid}")
    if code in GONE_CODES:
        return TargetGone(f"{where}: {GONE_CODES[code]} ({code}: {msg}){lid}")
    if code in CONTENT_CODES:
        return TargetGone(
            f"{where}: card refused ({code} {CONTENT_CODES[code]}: {msg}) — a renderer bug{lid}"
        )
    if code is None:
        return TransientDelivery(f"{where}: {msg}{lid}")
    status = f", HTTP {http_status}" if http_status else ""
    return TransientDelivery(f"{where}: Feishu error {code}{status}: {msg}{lid}")
