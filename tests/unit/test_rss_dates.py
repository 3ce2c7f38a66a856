"""/feed.xml dates each day by its digest's cut-off, not by when it was (re)built (issue 10)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from pipeline.render import html as web
from tests.factories import make_digest


def test_an_old_day_rebuilt_today_is_dated_by_its_own_cut_off() -> None:
    rebuilt_today = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
    old = make_digest(1, 1, date="2026-02-03", generated_at=rebuilt_today)
    new = make_digest(1, 1, date="2026-12-01", generated_at=datetime(2026, 12, 1, 0, 5, tzinfo=UTC))
    old.window.end = datetime.fromisoformat("2026-02-03T08:00:00+08:00")
    new.window.end = datetime.fromisoformat("2026-12-01T08:00:00+08:00")

    root = ET.fromstring(web.render_rss([new, old], "http://127.0.0.1:8080/"))

    dates = {
        (i.findtext("link") or "").rsplit("/", 1)[1]: parsedate_to_datetime(
            i.findtext("pubDate") or ""
        )
        for i in root.findall("./channel/item")
    }
    assert dates["2026-02-03"] == datetime(2026, 2, 3, 0, 0, tzinfo=UTC)
    assert dates["2026-12-01"] == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    assert dates["2026-12-01"] > dates["2026-02-03"]
    built = parsedate_to_datetime(root.findtext("./channel/lastBuildDate") or "")
    assert built == rebuilt_today  # the channel changed when the old day was rebuilt
