"""Feishu pieces with no network: error mapping, webhook signing and pacing, event crypto."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time

import pytest
from Crypto.Cipher import AES

from bot.channel import chat_view
from bot.feishu.client import card_content, message_uuid
from bot.feishu.errors import feishu_error
from bot.feishu.events import Rejected, decrypt, event_token, signature, strip_mentions
from bot.feishu.webhook import WebhookSender, WindowLimiter, hook_target, sign
from pipeline.config import FeishuWebhook, parse_settings
from pipeline.errors import RetryLater, TargetGone, TransientDelivery
from pipeline.models import ChatSettings, Subscriber


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        (11232, 200, RetryLater),
        (99991400, 429, RetryLater),
        (230020, 400, RetryLater),
        (19001, 200, TargetGone),
        (19021, 200, TargetGone),
        (19024, 200, TargetGone),
        (230002, 400, TargetGone),
        (230001, 400, TargetGone),
        (9499, 200, TargetGone),
        (99991663, 400, TransientDelivery),
        (None, None, TransientDelivery),
        (1500, 500, TransientDelivery),
    ],
)
def test_feishu_codes_map_to_delivery_errors(code, status, kind):
    err = feishu_error(
        "Feishu chat oc_x", code, "msg", log_id="L1", http_status=status, retry_after=2.5
    )
    assert type(err) is kind
    assert str(err).startswith("Feishu chat oc_x: ")
    if kind is RetryLater:
        assert err.retry_after == 2.5


def test_signature_rejection_says_what_to_check():
    err = feishu_error("Feishu webhook feishu-hook:abc", 19021, "sign match fail")
    assert str(err) == (
        "Feishu webhook feishu-hook:abc: signature rejected (19021) — "
        "check FEISHU_WEBHOOK_SECRET and the server clock"
    )


def test_webhook_signature_matches_feishus_algorithm():
    # Feishu's documented algorithm: HMAC-SHA256 keyed with "timestamp\nsecret" over b"".
    import hmac

    expected = base64.b64encode(
        hmac.new(b"1599360473\ndemo", b"", hashlib.sha256).digest()
    ).decode()
    assert sign("1599360473", "demo") == expected


def test_signed_webhook_body_carries_timestamp_and_sign():
    sender = WebhookSender(
        FeishuWebhook(url="https://open.feishu.cn/open-apis/bot/v2/hook/x", secret="demo")
    )
    body = json.loads(sender.body({"elements": []}, now=1599360473.7))
    assert body == {
        "timestamp": "1599360473",
        "sign": sign("1599360473", "demo"),
        "msg_type": "interactive",
        "card": {"elements": []},
    }
    plain = WebhookSender(FeishuWebhook(url="https://open.feishu.cn/open-apis/bot/v2/hook/x"))
    assert json.loads(plain.body({"elements": []})) == {
        "msg_type": "interactive",
        "card": {"elements": []},
    }


def test_webhook_target_never_shows_the_url():
    url = "https://open.feishu.cn/open-apis/bot/v2/hook/0f1e2d3c-secret-token"
    target = str(hook_target(url))
    assert target == "feishu-hook:" + hashlib.sha1(url.encode()).hexdigest()[:12]
    assert "secret" not in target


def test_message_uuid_is_stable_per_date_target_part():
    a = message_uuid("2026-02-03", "feishu:oc_a", 0)
    assert a == message_uuid("2026-02-03", "feishu:oc_a", 0)
    others = {
        message_uuid("2026-02-04", "feishu:oc_a", 0),
        message_uuid("2026-02-03", "feishu:oc_b", 0),
        message_uuid("2026-02-03", "feishu:oc_a", 1),
    }
    assert a not in others and len(others) == 3 and len(a) <= 50  # Feishu's uuid limit


def test_card_content_keeps_chinese_as_is():
    assert card_content({"t": "国内动态"}) == '{"t":"国内动态"}'


def test_chat_view_follows_chat_settings():
    settings = parse_settings({}, {})
    sub = Subscriber(
        channel="feishu",
        chat_id="oc_a",
        since="2026-02-03T00:00:00Z",
        settings=ChatSettings(mode="brief", sections=["international"]),
    )
    view = chat_view(settings, sub)
    assert (
        view.brief and view.section == "international" and view.brief_count == settings.digest.brief
    )
    assert chat_view(settings, None).section == "all"


async def test_window_limiter_keeps_five_per_second():
    limiter = WindowLimiter([(5, 0.2)], margin_s=0.0)  # scaled down: 5 per 0.2 s
    start = time.monotonic()
    for _ in range(11):
        await limiter.acquire()
    times = list(limiter.times)
    assert all(b - a >= 0.2 - 1e-3 for a, b in zip(times, times[5:], strict=False))
    assert time.monotonic() - start >= 0.4 - 1e-3  # 11 grants need two full windows


def encrypt(key: str, plain: bytes) -> str:
    pad = 16 - len(plain) % 16
    iv = os.urandom(16)
    cipher = AES.new(hashlib.sha256(key.encode()).digest(), AES.MODE_CBC, iv)
    return base64.b64encode(iv + cipher.encrypt(plain + bytes([pad]) * pad)).decode()


def test_decrypt_opens_feishu_encrypted_events():
    assert decrypt("k", encrypt("k", b'{"challenge":"c"}')) == {"challenge": "c"}
    with pytest.raises(Rejected) as bad:
        decrypt("other", encrypt("k", b'{"challenge":"c"}'))
    assert bad.value.status == 400 and "FEISHU_ENCRYPT_KEY" in str(bad.value)
    with pytest.raises(Rejected):
        decrypt("k", "not base64 at all!")


def test_lark_signature_is_sha256_of_timestamp_nonce_key_body():
    body = b'{"encrypt":"x"}'
    assert signature("1", "n", "k", body) == hashlib.sha256(b"1nk" + body).hexdigest()


def test_event_token_reads_both_schemas():
    assert event_token({"schema": "2.0", "header": {"token": "t2"}}) == "t2"
    assert event_token({"uuid": "u", "token": "t1", "event": {}}) == "t1"
    assert event_token({}) is None


def test_mentions_are_stripped_from_the_command():
    assert strip_mentions("@_user_1 /why 3", ["@_user_1"]) == "/why 3"
    assert strip_mentions("/today @_user_2", []) == "/today"
    assert strip_mentions("@_user_1  @_user_12 /intl", ["@_user_1", "@_user_12"]) == "/intl"
