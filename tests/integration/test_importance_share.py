"""Issue 9: 🔥 is for the day's truly major stories. On every labelled day (bench/days and
the demo day) the real pipeline, as `aidaily run`, marks at most 40% of the digest's items
high, and marks some minor items low, so the three marks tell the reader something.

    .venv/bin/python -m bench.editorial --show      # every item with its mark
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

from bench.editorial import Day, all_days, run_day
from pipeline.models import Digest

pytestmark = pytest.mark.integration

DAYS = {d.date.isoformat(): d for d in all_days()}


@pytest.fixture(scope="module")
def digests(redis_server: Any) -> dict[str, Digest]:
    url = f"redis://{redis_server.host}:{redis_server.port}/0"

    def one(day: Day) -> Digest:
        return asyncio.run(run_day(day, url))[0]

    return {name: one(day) for name, day in DAYS.items()}


@pytest.mark.parametrize("name", sorted(DAYS))
def test_at_most_two_fifths_of_a_labelled_day_is_high(
    name: str, digests: dict[str, Digest]
) -> None:
    digest = digests[name]
    items = digest.items
    marks = Counter(item.importance for item in items)

    assert len(items) >= 20  # a full day, or the share says nothing
    assert marks["high"] <= 0.4 * len(items), marks
    assert marks["high"] >= 3, marks  # the day's major stories are still 🔥
    assert marks["low"] >= 1, marks  # minor items are 📄
    assert f"其中{marks['high']}条为高重要性" in digest.summary
