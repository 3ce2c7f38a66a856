"""The HTTP server over real HTTP: uvicorn on a free port, httpx as the client, a real Redis."""

from __future__ import annotations

import json
import socket
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis

from bot.delivery import PushReport
from bot.http import create_app
from bot.metrics import Metrics
from pipeline.config import Settings
from pipeline.models import Subscriber
from pipeline.render import render_json
from pipeline.store import Keys, Store
from tests.factories import make_digest, make_item
from tests.fakes.live_app import live

pytestmark = pytest.mark.integration

# 2026-02-03 10:00 in Shanghai: after the 08:00 cut-off of the factories' day.
NOW = datetime(2026, 2, 3, 2, 0, tzinfo=UTC)


def at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


@pytest.fixture
async def client_for(
    store: Store, make_settings: Callable[..., Settings]
) -> AsyncIterator[Callable[..., Any]]:
    """`await client_for(**create_app kwargs)` -> an httpx client on a live server."""
    stack: list[Any] = []

    async def make(store_: Store | None = None, **kwargs: Any) -> httpx.AsyncClient:
        kwargs.setdefault("metrics", Metrics())
        kwargs.setdefault("clock", at(NOW))
        app = create_app(kwargs.pop("settings", make_settings()), store_ or store, **kwargs)
        cm = live(app)
        base = await cm.__aenter__()
        client = httpx.AsyncClient(base_url=base, timeout=10)
        stack.append((cm, client))
        return client

    yield make
    for cm, client in reversed(stack):
        await client.aclose()
        await cm.__aexit__(None, None, None)


# -- /healthz -----------------------------------------------------------------------


async def test_healthz_reports_redis_and_the_age_of_the_last_run(
    store: Store, client_for: Any
) -> None:
    finished = NOW - timedelta(hours=2)
    await store.set_last_run(
        {"date": "2026-02-03", "ok": True, "finished_at": finished.isoformat(), "items": 27}
    )
    client = await client_for()

    resp = await client.get("/healthz")

    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "ok" and body["redis"] == "ok"
    assert body["last_run"]["items"] == 27
    assert body["last_run_age_s"] == 7200.0


async def test_healthz_says_degraded_when_todays_run_failed(store: Store, client_for: Any) -> None:
    """200 while Redis answers (CONTRACT.md); the failed run is in the body for the operator."""
    error = "no feed could be fetched (kr36: timeout)"
    await store.set_last_run(
        {"date": "2026-02-03", "ok": False, "error": error, "started_at": NOW.isoformat()}
    )
    client = await client_for()

    resp = await client.get("/healthz")

    assert resp.status_code == 200
    assert resp.json()["status"] == "degraded"
    assert "kr36: timeout" in resp.json()["error"]


async def test_healthz_is_200_when_only_yesterdays_run_failed(
    store: Store, client_for: Any
) -> None:
    await store.set_last_run(
        {"date": "2026-02-02", "ok": False, "error": "x", "started_at": NOW.isoformat()}
    )
    client = await client_for()

    assert (await client.get("/healthz")).status_code == 200


async def test_healthz_is_503_with_a_request_id_not_the_detail_when_redis_is_down(
    client_for: Any,
) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"redis://127.0.0.1:{port}/0"
    dead = Store(aioredis.from_url(url, socket_connect_timeout=1), url, Keys("aidaily-test"))
    client = await client_for(dead)

    resp = await client.get("/healthz")
    page = await client.get("/")

    assert resp.status_code == 503 and resp.json()["status"] == "fail"
    assert str(port) not in resp.text and resp.json()["request_id"]
    assert page.status_code == 503 and str(port) not in page.text
    await dead.close()


# -- /api/digests ----------------------------------------------------------------------


async def test_api_serves_the_contract_json_latest_and_by_date(
    store: Store, client_for: Any
) -> None:
    older = make_digest(2, 1, date="2026-02-02", generated_at=NOW - timedelta(days=1))
    latest = make_digest()
    await store.save_digest(older, [])
    await store.save_digest(latest, [])
    client = await client_for()

    by_date = await client.get("/api/digests/2026-02-02")
    newest = await client.get("/api/digests/latest")

    assert by_date.status_code == 200 and by_date.headers["content-type"].startswith(
        "application/json"
    )
    assert by_date.json()["date"] == "2026-02-02"
    body = newest.json()
    assert body == json.loads(render_json(latest))
    assert body["generated_at"] == "2026-02-03T08:45:53+08:00"  # the contract's local times
    assert set(body) >= {
        "version",
        "date",
        "timezone",
        "window",
        "generated_at",
        "raw_count",
        "sections",
        "summary",
    }
    assert [
        i["n"] for i in body["sections"]["domestic"] + body["sections"]["international"]
    ] == list(range(1, 28))


async def test_api_missing_date_is_404_and_bad_date_is_400_with_a_message(
    store: Store, client_for: Any
) -> None:
    client = await client_for()

    none_yet = await client.get("/api/digests/latest")
    missing = await client.get("/api/digests/2026-01-01")
    bad = await client.get("/api/digests/2026-13-45")
    words = await client.get("/api/digests/yesterday")

    assert none_yet.status_code == 404 and "aidaily run" in none_yet.json()["error"]
    assert missing.status_code == 404 and "2026-01-01" in missing.json()["error"]
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.json()["error"]
    assert words.status_code == 400


async def test_digest_answers_carry_an_etag_and_a_matching_if_none_match_gets_304(
    store: Store, client_for: Any
) -> None:
    await store.save_digest(make_digest(), [])
    client = await client_for()

    for path in (
        "/api/digests/latest",
        "/api/digests/2026-02-03",
        "/",
        "/d/2026-02-03",
        "/feed.xml",
    ):
        first = await client.get(path)
        etag = first.headers["etag"]
        again = await client.get(path, headers={"If-None-Match": etag})
        weak = await client.get(path, headers={"If-None-Match": f'"other", W/{etag}'})
        other = await client.get(path, headers={"If-None-Match": '"not-this-one"'})

        assert first.status_code == 200 and first.content, path
        assert first.headers["cache-control"] == "public, max-age=60", path
        assert (again.status_code, again.content) == (304, b""), path
        assert again.headers["etag"] == etag, path
        assert weak.status_code == 304, path
        assert other.status_code == 200 and other.content == first.content, path


async def test_a_digest_saved_again_for_the_same_date_is_served_at_once(
    store: Store, client_for: Any
) -> None:
    await store.save_digest(make_digest(summary="第一版总结"), [])
    client = await client_for()
    before = {
        p: await client.get(p) for p in ("/api/digests/latest", "/api/digests/2026-02-03", "/")
    }
    # The same date rebuilt, keeping even its generation time: only the content differs.
    await store.save_digest(make_digest(summary="第二版总结"), [])

    for path, old in before.items():
        new = await client.get(path)
        revalidated = await client.get(path, headers={"If-None-Match": old.headers["etag"]})

        assert "第一版总结" in old.text and "第二版总结" in new.text, path
        assert "第一版总结" not in new.text, path
        assert new.headers["etag"] != old.headers["etag"], path
        assert revalidated.status_code == 200 and "第二版总结" in revalidated.text, path


async def test_latest_moves_to_a_newer_day_as_soon_as_it_is_stored(
    store: Store, client_for: Any
) -> None:
    await store.save_digest(make_digest(1, 1, date="2026-02-02", generated_at=NOW), [])
    client = await client_for()
    first = (await client.get("/api/digests/latest")).json()["date"]
    await store.save_digest(make_digest(), [])

    second = (await client.get("/api/digests/latest")).json()["date"]
    await store.r.delete(store.k.digest("2026-02-03"))  # expired: the day before is the newest
    third = (await client.get("/api/digests/latest")).json()["date"]

    assert (first, second, third) == ("2026-02-02", "2026-02-03", "2026-02-02")


async def test_the_latest_page_links_a_day_added_after_it_was_first_shown(
    store: Store, client_for: Any
) -> None:
    await store.save_digest(make_digest(), [])
    client = await client_for()
    first = (await client.get("/")).text
    await store.save_digest(
        make_digest(1, 1, date="2026-02-02", generated_at=NOW - timedelta(days=1)), []
    )

    second = (await client.get("/")).text

    assert 'href="/d/2026-02-02"' not in first and 'href="/d/2026-02-02"' in second


# -- web pages ----------------------------------------------------------------------------


async def test_the_page_shows_both_sections_and_every_item(store: Store, client_for: Any) -> None:
    digest = make_digest()
    await store.save_digest(digest, [])
    client = await client_for()

    resp = await client.get("/")

    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
    page = resp.text
    assert 'name="viewport"' in page
    assert "国内动态（14）" in page and "国际动态（13）" in page
    for item in digest.items:
        assert f'id="item-{item.n}"' in page
        assert item.summary in page
        assert f'href="{item.link}"' in page
    assert page.count("为什么入选") == 27
    assert "<script" not in page and "http://" not in page.split("<body>")[0]  # no external assets


async def test_pages_by_date_and_the_archive(store: Store, client_for: Any) -> None:
    for day in ("2026-02-01", "2026-02-02"):
        await store.save_digest(
            make_digest(1, 1, date=day, generated_at=NOW - timedelta(days=1)), []
        )
    await store.save_digest(make_digest(), [])
    client = await client_for()

    day_page = await client.get("/d/2026-02-02")
    archive = await client.get("/archive")
    missing = await client.get("/d/2025-12-31")
    bad = await client.get("/d/not-a-date")

    assert day_page.status_code == 200 and "AI每日动态 · 2026-02-02" in day_page.text
    assert (
        'href="/d/2026-02-01"' in day_page.text and 'href="/d/2026-02-03"' in day_page.text
    )  # prev / next
    assert [
        d for d in ("2026-02-03", "2026-02-02", "2026-02-01") if f'href="/d/{d}"' in archive.text
    ] == [
        "2026-02-03",
        "2026-02-02",
        "2026-02-01",
    ]
    assert missing.status_code == 404 and "2025-12-31" in missing.text
    assert bad.status_code == 400


async def test_the_latest_page_says_when_todays_digest_is_not_built_yet(
    store: Store, client_for: Any
) -> None:
    await store.save_digest(make_digest(), [])
    client = await client_for(clock=at(NOW + timedelta(days=1)))

    page = (await client.get("/")).text

    assert "今日日报尚未生成，以下为 2026-02-03 的日报" in page


HOSTILE = '<script>alert("x")</script>&"'


def hostile_digest() -> Any:
    evil = make_item(
        n=1,
        title=HOSTILE,
        summary=f"摘要{HOSTILE}",
        reason=f"理由{HOSTILE}",
        source=f"来源{HOSTILE}",
        tags=[HOSTILE],
        link="javascript:alert(1)",
    )
    fine = make_item(n=2, region="international", index=0)
    return make_digest(
        0, 0, sections={"domestic": [evil], "international": [fine]}, summary=f"总结{HOSTILE}\x01"
    )


async def test_feed_text_is_escaped_and_only_http_links_are_links(
    store: Store, client_for: Any
) -> None:
    await store.save_digest(hostile_digest(), [])
    client = await client_for()

    page = (await client.get("/")).text

    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&quot;" in page
    assert "javascript:" not in page


async def test_rss_has_one_valid_item_per_digest_with_escaped_html(
    store: Store, client_for: Any
) -> None:
    await store.save_digest(
        make_digest(1, 1, date="2026-02-02", generated_at=NOW - timedelta(days=1)), []
    )
    await store.save_digest(hostile_digest(), [])
    client = await client_for()

    resp = await client.get("/feed.xml")

    assert resp.status_code == 200 and "rss" in resp.headers["content-type"]
    root = ET.fromstring(resp.content)  # raises on invalid XML (e.g. the \x01 left in)
    items = root.findall("./channel/item")
    assert [i.findtext("link") for i in items] == [
        f"{client.base_url}/d/2026-02-03",
        f"{client.base_url}/d/2026-02-02",
    ]
    description = items[0].findtext("description") or ""
    assert "&lt;script&gt;" in description and "<script>" not in description
    assert "javascript:" not in description
    assert items[0].findtext("pubDate", "").endswith("+0000")


# -- /metrics -------------------------------------------------------------------------------


async def test_metrics_count_runs_pushes_commands_and_subscribers(
    store: Store, client_for: Any
) -> None:
    metrics = Metrics()
    digest = make_digest()
    digest.feeds[0].ok = False
    metrics.record_run(digest, NOW.timestamp())
    metrics.record_push("telegram", PushReport(targets=3, sent=5, failed=1, rate_limited=2))
    metrics.observe_command("telegram", "/today@AidailyBot", 0.02)
    metrics.observe_command("telegram", "/无此命令", 0.01)
    for chat in ("1", "2"):
        await store.save_subscriber(Subscriber(channel="telegram", chat_id=chat, since=NOW))
    client = await client_for(metrics=metrics)

    text = (await client.get("/metrics")).text

    assert 'aidaily_runs_total{outcome="ok"} 1.0' in text
    assert f'aidaily_feed_failures_total{{feed="{digest.feeds[0].id}"}} 1.0' in text
    assert "aidaily_entries_total 163.0" in text
    assert 'aidaily_messages_sent_total{channel="telegram"} 5.0' in text
    assert 'aidaily_messages_failed_total{channel="telegram",reason="failed"} 1.0' in text
    assert 'aidaily_messages_rate_limited_total{channel="telegram"} 2.0' in text
    assert 'aidaily_commands_total{channel="telegram",command="today"} 1.0' in text
    assert 'aidaily_commands_total{channel="telegram",command="other"} 1.0' in text
    assert 'aidaily_command_seconds_count{channel="telegram"} 2.0' in text
    assert 'aidaily_subscribers{channel="telegram"} 2.0' in text
    assert "aidaily_redis_up 1.0" in text


# -- webhooks -------------------------------------------------------------------------------


async def test_webhook_paths_are_404_when_their_mode_is_off(client_for: Any) -> None:
    client = await client_for()

    tg = await client.post("/telegram/webhook", content=b"{}")
    fs = await client.post("/feishu/events", content=b"{}")

    assert tg.status_code == 404 and "webhook" in tg.json()["error"]
    assert fs.status_code == 404 and "feishu.events" in fs.json()["error"]


async def test_feishu_events_reach_the_handler_and_oversized_bodies_are_refused(
    store: Store, client_for: Any, make_settings: Callable[..., Settings]
) -> None:
    from bot.feishu.events import FeishuEvents

    env = {
        "FEISHU_APP_ID": "cli_test",
        "FEISHU_APP_SECRET": "s",
        "FEISHU_VERIFICATION_TOKEN": "tok",
    }
    settings = make_settings({"feishu": {"events": "http"}}, env)
    client = await client_for(settings=settings, feishu_events=FeishuEvents(settings, store))

    ok = await client.post(
        "/feishu/events", json={"type": "url_verification", "challenge": "c-1", "token": "tok"}
    )
    wrong = await client.post(
        "/feishu/events", json={"type": "url_verification", "challenge": "c-2", "token": "bad"}
    )
    huge = await client.post("/feishu/events", content=b"x" * 1_000_001)

    assert ok.status_code == 200 and ok.json() == {"challenge": "c-1"}
    assert 400 <= wrong.status_code < 500 and "c-2" not in wrong.text
    assert huge.status_code == 413


async def test_telegram_webhook_checks_the_secret_and_answers_the_update(
    store: Store, client_for: Any, make_settings: Callable[..., Settings]
) -> None:
    from bot.telegram.bot import build_application
    from tests.fakes.telegram_server import FakeTelegram

    async with FakeTelegram() as tg:
        env = {"TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_WEBHOOK_SECRET": "s3cret"}
        settings = make_settings({"telegram": {"base_url": tg.base_url, "mode": "webhook"}}, env)
        app = build_application(settings, store)
        await app.initialize()
        try:
            client = await client_for(settings=settings, telegram_app=app)
            update = {
                "update_id": 1,
                "message": {
                    "message_id": 10,
                    "date": 1770076800,
                    "chat": {"id": 42, "type": "private", "first_name": "用户"},
                    "from": {"id": 42, "is_bot": False, "first_name": "用户"},
                    "text": "/help",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
                },
            }
            forged = await client.post(
                "/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "no"}
            )
            real = await client.post(
                "/telegram/webhook",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"},
            )
            sent = await tg.wait_sent(1, 42)
        finally:
            await app.shutdown()

    assert forged.status_code == 403
    assert real.status_code == 200
    assert len(sent) == 1 and "/today" in sent[0].text
