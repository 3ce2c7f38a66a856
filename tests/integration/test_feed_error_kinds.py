"""Why a feed failed is kept as a kind next to the English log line; chats say it in Chinese."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest

from bot.commands import FEED_ERROR_ZH, ChatContext, Commands
from pipeline.config import FeedSettings, FetchSettings, Settings
from pipeline.fetch import fetch_all
from pipeline.models import FeedStatus
from pipeline.store import Store
from tests.factories import make_digest
from tests.fakes.feed_server import FeedServer

CFG = FetchSettings(timeout_s=1.5, max_bytes=64 * 1024, concurrency=8, max_redirects=3)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer(big_bytes=300_000) as srv:
        yield srv


def feed(fid: str, url: str) -> FeedSettings:
    return FeedSettings(id=fid, name=fid, url=url, region="domestic")


async def test_every_failure_has_a_kind(server: FeedServer) -> None:
    feeds = [
        feed("ok", server.url + "/rss"),
        feed("timeout", server.url + "/slow"),
        feed("http", server.url + "/500"),
        feed("too_large", server.url + "/big"),
        feed("redirects", server.url + "/loop"),
        feed("network", "http://127.0.0.1:9/feed"),
    ]
    kinds = {r.feed.id: r.error_kind for r in await fetch_all(feeds, CFG, {})}
    assert kinds == {f.id: (None if f.id == "ok" else f.id) for f in feeds}


async def test_stats_tells_a_chat_why_a_feed_failed_in_chinese(
    store: Store, make_settings: Callable[..., Settings]
) -> None:
    today = date.today().isoformat()
    broken = FeedStatus(
        id="kr36", name="36氪", ok=False, error="HTTP 503 Service Unavailable", error_kind="http"
    )
    digest = make_digest(date=today)
    digest.feeds.append(broken)
    await store.save_digest(digest, [])
    await store.set_last_run({"date": today, "items": 27})
    commands = Commands(store, make_settings())
    reply = await commands.handle(ChatContext("telegram", "1", is_admin=True), "/stats")
    assert f"36氪（{FEED_ERROR_ZH['http']}）" in (reply.text or "")
    assert "Service Unavailable" not in (reply.text or "")  # the English line stays in the log
