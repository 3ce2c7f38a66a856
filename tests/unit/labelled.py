"""The titles and summaries of the written labelled days (bench/days): real-world texts
in both scripts, for tests that check a fast reading against its plain definition."""

from __future__ import annotations

import importlib

WRITTEN = ("day_2026_03_12", "day_2026_03_17", "day_2026_03_24", "day_2026_03_31")


def texts(days: tuple[str, ...] = WRITTEN) -> list[str]:
    """Each entry's title, then its summary, day by day."""
    out: list[str] = []
    for module in days:
        day = importlib.import_module(f"bench.days.{module}")
        for e in day.ENTRIES:
            out += [str(e.title), str(e.summary)]
    return out
