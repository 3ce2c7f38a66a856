"""The service's log lines: one JSON object per event off a terminal, readable text on one."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import event, setup_logging


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_off_a_terminal_each_event_is_one_json_line_with_its_fields() -> None:
    out = io.StringIO()  # not a tty
    setup_logging("INFO", stream=out)

    event(
        logging.getLogger("bot.schedule"), "push telegram 2026-02-03: sent 3", kind="push", sent=3
    )
    logging.getLogger("bot.x").warning("two\nlines")
    logging.getLogger("httpx").info("HTTP Request: POST getUpdates")  # library chatter stays out

    lines = out.getvalue().splitlines()
    first, second = (json.loads(line) for line in lines)
    assert len(lines) == 2
    assert (
        first["msg"] == "push telegram 2026-02-03: sent 3"
        and first["sent"] == 3
        and first["kind"] == "push"
    )
    assert (
        first["level"] == "INFO"
        and first["logger"] == "bot.schedule"
        and first["ts"].endswith("+00:00")
    )
    assert second["msg"] == "two | lines"


def test_on_a_terminal_lines_are_text_with_fields_as_key_value() -> None:
    out = io.StringIO()
    setup_logging("INFO", stream=out, json_lines=False)

    event(logging.getLogger("bot.schedule"), "run 2026-02-03: ok", items=27)

    line = out.getvalue().strip()
    assert "INFO" in line and "bot.schedule: run 2026-02-03: ok items=27" in line
    assert not line.startswith("{")
