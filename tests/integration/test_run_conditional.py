"""A feed that has not changed is taken from its last fetch; only such feeds keep a copy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pipeline.config import Settings
from pipeline.run import run
from pipeline.store import Store
from tests.fakes.feed_server import ETAG, FeedServer

DAY = date(2026, 2, 3)  # the window of the fake feeds' entries (2 Feb 2026)


async def test_an_unchanged_feed_gives_last_runs_entries_and_one_without_validators_keeps_none(
    store: Store, make_settings: Callable[..., Settings]
) -> None:
    with FeedServer() as server:
        settings = make_settings(
            {
                "feeds": [
                    {
                        "id": "tagged",
                        "name": "机器之心",
                        "url": f"{server.url}/etag",
                        "region": "domestic",
                    },
                    {
                        "id": "plain",
                        "name": "量子位",
                        "url": f"{server.url}/rss",
                        "region": "domestic",
                    },
                ]
            }
        )
        first = await run(settings, DAY, store)
        states = await store.get_feed_states(["tagged", "plain"])
        second = await run(settings, DAY, store)

    tagged, plain = states["tagged"], states["plain"]
    assert tagged is not None and plain is not None
    assert tagged.etag == ETAG and [e.title for e in tagged.entries] == [
        "阿里发布通义千问 Qwen4",
        "字节跳动开源豆包视频模型",
    ]
    # No ETag, no Last-Modified: it is never asked conditionally, so nothing is kept for it.
    assert (plain.etag, plain.last_modified, plain.entries) == (None, None, [])
    assert plain.fetched_at is not None

    status = {f.id: f for f in second.digest.feeds}
    assert server.not_modified == 1  # the tagged feed answered 304 the second time
    assert status["tagged"].not_modified and status["tagged"].entries == 2
    assert not status["plain"].not_modified and status["plain"].entries == 2
    # The second run's digest is the first's: the unchanged feed's entries came from its state.
    assert [i.id for i in second.digest.items] == [i.id for i in first.digest.items]
    assert second.digest.raw_count == first.digest.raw_count == 4
