"""Feishu custom group bots ("自定义机器人"): signed, paced webhook POSTs with httpx.

A webhook URL carries its own secret token, so it is never logged: a webhook is
named by `hook_target(url)` = `feishu-hook:<sha1(url)[:12]>`, which is also its
ledger id. With a signing secret each body carries `timestamp` and
`sign = base64(hmac_sha256(key=f"{timestamp}\\n{secret}", msg=b""))`.
Feishu allows 5 requests a second and 100 a minute per custom bot, and a body
of at most 20 KB.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import random
import time
from collections import deque
from typing import Any

import httpx

from bot.feishu.errors import feishu_error
from pipeline.config import FeishuWebhook
from pipeline.redact import redact_url
from pipeline.store import Target

HOOK_LIMITS = [(5, 1.0), (100, 60.0)]
HOOK_MAX_BYTES = 20 * 1024
# Our clock and Feishu's count the same requests a little differently (network
# jitter moves arrivals closer together): keep this much clear of each window.
WINDOW_MARGIN_S = 0.05


def hook_target(url: str) -> Target:
    """The ledger target of a webhook, `feishu-hook:<sha1(url)[:12]>` in logs: never its URL."""
    return Target("feishu-hook", hashlib.sha1(url.encode()).hexdigest()[:12])


def sign(timestamp: str, secret: str) -> str:
    """Feishu's custom-bot signature of `timestamp` (seconds, as a string)."""
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


class WindowLimiter:
    """At most `count` grants in any `width`-second window, for every (count, width) given.

    Sliding windows, as a server that counts requests over the last second and
    the last minute sees them; `acquire()` waits until every window has room.
    """

    def __init__(self, limits: list[tuple[int, float]], margin_s: float = WINDOW_MARGIN_S) -> None:
        self.limits = [(count, width + margin_s) for count, width in limits]
        self.longest = max(width for _, width in self.limits)
        self.times: deque[float] = deque()
        self._lock = asyncio.Lock()

    def _wait(self, now: float) -> float:
        while self.times and self.times[0] <= now - self.longest:
            self.times.popleft()
        wait = 0.0
        for count, width in self.limits:
            inside = [t for t in self.times if t > now - width]
            if len(inside) >= count:
                # The window has room again once its oldest counted grant leaves it.
                wait = max(wait, inside[-count] + width - now)
        return wait

    async def acquire(self) -> None:
        """Wait for room in every window, then take it."""
        async with self._lock:
            while (wait := self._wait(time.monotonic())) > 0:
                await asyncio.sleep(wait)
            self.times.append(time.monotonic())

    def settle(self) -> None:
        """Move the latest grant to now, once its request is answered.

        The server counts a request when it arrives, somewhere between our grant and
        its answer; counting it at the answer keeps us inside the server's windows
        whatever the network delay. Webhook parts go one at a time, so the latest
        grant is the request just answered.
        """
        if self.times:
            self.times[-1] = max(self.times[-1], time.monotonic())


class WebhookSender:
    """Sends cards to one custom-bot webhook; `send(i, card)` is a delivery Job's `send`."""

    def __init__(
        self, hook: FeishuWebhook, *, backoff_s: float = 1.0, timeout_s: float = 15.0
    ) -> None:
        self.url = hook.url
        self.secret = hook.secret
        self.target = hook_target(hook.url)
        self.limiter = WindowLimiter(HOOK_LIMITS)
        self.backoff_s = backoff_s
        self.timeout_s = timeout_s
        self._limited: dict[int, int] = {}  # part -> 11232 answers so far, for the backoff

    def body(self, card: dict[str, Any], now: float | None = None) -> bytes:
        """The POST body for one card, signed when the webhook has a secret."""
        payload: dict[str, Any] = {"msg_type": "interactive", "card": card}
        if self.secret:
            timestamp = str(int(time.time() if now is None else now))
            payload = {"timestamp": timestamp, "sign": sign(timestamp, self.secret), **payload}
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()

    async def send(self, i: int, card: dict[str, Any]) -> None:
        """POST one card; raises RetryLater, TargetGone or TransientDelivery (feishu_error)."""
        where = f"Feishu webhook {self.target}"
        data = self.body(card)
        if len(data) > HOOK_MAX_BYTES:
            raise feishu_error(
                where, 9499, f"body is {len(data)} bytes, over the 20 KB webhook limit"
            )
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s) as client:
                resp = await client.post(
                    self.url,
                    content=data,
                    headers={"Content-Type": "application/json; charset=utf-8"},
                )
        except httpx.HTTPError as exc:
            why = str(exc).replace(self.url, redact_url(self.url))  # the path holds the token
            raise feishu_error(where, None, f"network: {type(exc).__name__}: {why}"[:200]) from None
        finally:
            self.limiter.settle()
        self._check(where, i, resp)

    def _check(self, where: str, i: int, resp: httpx.Response) -> None:
        log_id = resp.headers.get("x-tt-logid")
        if resp.status_code >= 500:
            raise feishu_error(
                where, None, f"HTTP {resp.status_code}", log_id=log_id, http_status=resp.status_code
            )
        try:
            answer = resp.json()
        except ValueError:
            raise feishu_error(
                where, None, f"HTTP {resp.status_code}: not JSON", http_status=resp.status_code
            ) from None
        code = answer.get("code", answer.get("StatusCode"))
        if code == 0 and resp.status_code < 400:
            self._limited.pop(i, None)
            return
        raise feishu_error(
            where,
            code if isinstance(code, int) else None,
            str(answer.get("msg") or answer.get("StatusMessage") or resp.reason_phrase),
            log_id=log_id,
            http_status=resp.status_code,
            retry_after=self._backoff(i) if code == 11232 else None,
        )

    def _backoff(self, i: int) -> float:
        """Exponential backoff with jitter for repeated 11232 answers to one part."""
        n = self._limited.get(i, 0)
        self._limited[i] = n + 1
        ceiling = min(30.0, self.backoff_s * 2**n)
        return random.uniform(ceiling / 2, ceiling)
