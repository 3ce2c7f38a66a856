"""`aidaily check` tries the feeds: one line per feed within a bounded total time (issue 10)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.check import check_feeds
from bot.cli import main
from pipeline.config import Settings
from tests.fakes.feed_server import FeedServer

pytestmark = pytest.mark.integration


def feed(fid: str, url: str) -> dict[str, Any]:
    return {"id": fid, "name": fid.upper(), "url": url, "region": "domestic"}


async def test_one_line_per_feed_with_status_entries_and_time(
    make_settings: Callable[..., Settings],
) -> None:
    with FeedServer() as srv:
        settings = make_settings(
            {
                "feeds": [
                    feed("good", f"{srv.url}/rss"),
                    feed("broken", f"{srv.url}/500"),
                    feed("junk", f"{srv.url}/malformed"),
                ]
            }
        )
        lines = await check_feeds(settings)

    assert [(name, ok) for name, ok, _ in lines] == [
        ("feeds", True),
        ("feed", True),
        ("feed", False),
        ("feed", False),
    ]
    assert lines[0][2].startswith("1/3 fetched")
    assert lines[1][2].startswith("good: 2 entries in ") and lines[1][2].endswith(" ms")
    assert lines[2][2].startswith("broken: ") and "500" in lines[2][2]
    assert lines[3][2].startswith("junk: not a feed")


async def test_a_feed_that_never_finishes_is_cut_at_the_budget(
    make_settings: Callable[..., Settings],
) -> None:
    with FeedServer() as srv:
        settings = make_settings(
            {
                "fetch": {"timeout_s": 60},
                "feeds": [feed("good", f"{srv.url}/rss"), feed("drip", f"{srv.url}/slow")],
            }
        )
        started = time.monotonic()
        lines = await check_feeds(settings, budget_s=1.5)
        took = time.monotonic() - started

    assert took < 5
    assert lines[0][1] is True and lines[1][1] is True
    assert lines[2] == ("feed", False, "drip: no answer within the 1.5 s budget")


async def test_no_feed_fetched_fails_like_run(make_settings: Callable[..., Settings]) -> None:
    with FeedServer() as srv:
        settings = make_settings({"feeds": [feed("broken", f"{srv.url}/500")]})
        lines = await check_feeds(settings)
    assert lines[0][:2] == ("feeds", False) and "no feed could be fetched" in lines[0][2]


def test_check_with_no_feeds_is_an_error(
    tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    for var in ("OPENAI_API_KEY", "TELEGRAM_BOT_TOKEN", "FEISHU_APP_ID", "FEISHU_WEBHOOK_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("REDIS_URL", redis_url)
    cfg = tmp_path / "c.yaml"
    cfg.write_text("feeds: []\n", encoding="utf-8")

    assert main(["check", "--config", str(cfg)]) == 1
    out = capsys.readouterr().out
    (line,) = [ln for ln in out.splitlines() if ln.startswith("feeds")]
    assert "FAIL" in line and "no feeds configured" in line
