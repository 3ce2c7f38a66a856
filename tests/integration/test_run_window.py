"""Review: undated entries and the report window (fixed; kept as regression tests)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from pipeline.config import Settings
from pipeline.run import run
from pipeline.store import Store

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>无日期源</title><link>https://news.example.cn/</link>
<item><title>国产大模型发布新版本，推理能力提升</title><link>https://news.example.cn/a/1</link>
<description>某公司发布大模型新版本。</description></item>
<item><title>AI芯片公司完成新一轮融资</title><link>https://news.example.cn/a/2</link>
<description>AI芯片融资。</description></item>
</channel></rss>
"""


async def test_undated_entries_first_seen_by_todays_run_are_in_todays_digest(
    store: Store, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    feed = tmp_path / "undated.xml"
    feed.write_text(RSS, encoding="utf-8")
    # The scheduled run always starts at or after the cut-off; "00:00" makes the test's
    # "now" be after it whatever the wall clock says.
    settings = make_settings(
        {
            "digest": {"time": "00:00"},
            "feeds": [
                {"id": "undated", "name": "无日期源", "url": feed.as_uri(), "region": "domestic"}
            ],
        }
    )
    today = settings.today()

    first = await run(settings, today, store)
    tomorrow = await run(settings, today + timedelta(days=1), store)

    assert (first.digest.raw_count, tomorrow.digest.raw_count) == (2, 0)


async def test_a_run_inside_serve_leaves_serves_objects_set_aside_and_its_own_collected(
    store: Store, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    """serve freezes what it holds for good (gc.freeze); its daily run, which freezes and
    unfreezes as it goes, leaves that frozen again, and no cycle of the run's for good."""
    import gc
    import weakref

    feed = tmp_path / "undated.xml"
    feed.write_text(RSS, encoding="utf-8")
    settings = make_settings(
        {"feeds": [{"id": "u", "name": "无日期源", "url": feed.as_uri(), "region": "domestic"}]}
    )

    class Cycle:
        me: object

    gc.freeze()  # as serve does once it has started
    try:
        made_during_run = Cycle()
        made_during_run.me = made_during_run  # a cycle the run's own collections would miss
        gone = weakref.ref(made_during_run)
        gc.freeze()  # ... and as the run's steps do, with it alive
        del made_during_run
        await run(settings, settings.today(), store)
        assert gc.get_freeze_count() > 0  # serve's objects set aside again
        assert gone() is None  # the cycle was collected, not frozen for good
    finally:
        gc.unfreeze()

    await run(settings, settings.today(), store)
    assert gc.get_freeze_count() == 0  # outside serve (aidaily run) nothing stays frozen
