"""Buttons, channel-agnostic: which a Reply carries, and how callback data is read.

Callback data is user input (a modified client sends whatever it likes): every
malformed value is refused here, before any store read.
"""

from __future__ import annotations

import pytest

from bot.buttons import (
    KINDS,
    MAX_DATA,
    Button,
    keyboard,
    parse,
    render_choices,
    shown_numbers,
    split_for_edit,
    toast_text,
)
from bot.commands import Reply
from pipeline.render import View
from tests.factories import make_digest

DAY = "2026-02-03"


@pytest.mark.parametrize(
    ("raw", "command"),
    [
        (f"f:{DAY}", f"/date {DAY}"),
        (f"b:{DAY}", "/brief"),
        (f"c:{DAY}", "/cn"),
        (f"i:{DAY}", "/intl"),
        (f"w:{DAY}:15", "/why 15"),
    ],
)
def test_each_kind_is_a_command(raw: str, command: str) -> None:
    press = parse(raw)
    assert press is not None and press.day == DAY and press.data == raw
    assert press.kind.line(press.day, press.n) == command


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "f",
        f"f:{DAY}:",
        f"F:{DAY}",
        f"q:{DAY}",
        f"w:{DAY}",
        f"w:{DAY}:0",
        f"w:{DAY}:-1",
        f"w:{DAY}:1x",
        f"w:{DAY}:12345",
        f"b:{DAY}:3",
        "w:2026-02-30:1",
        "w:26-02-03:1",
        f" f:{DAY}",
        f"f:{DAY}\n",
        "f:２０２６-02-03",
        f"w:{DAY}:１２",  # full-width digits
        "w:" + "9" * 70,
        "é" * 40,
    ],
)
def test_malformed_data_is_refused(raw: str) -> None:
    assert parse(raw) is None


def test_kinds_whose_command_is_missing_are_refused_and_get_no_button() -> None:
    for code, kind in KINDS.items():
        raw = f"{code}:{DAY}:3" if kind.takes_n else f"{code}:{DAY}"
        assert (parse(raw) is not None) == kind.available
    every = {b.data.split(":")[0] for row in keyboard(Reply(digest=make_digest())) for b in row}
    assert every == {code for code, kind in KINDS.items() if kind.available and code in "fbciwm"}


def test_the_full_view_has_the_switches_and_a_why_for_every_item() -> None:
    digest = make_digest()
    rows = keyboard(Reply(digest=digest, view=View()))
    assert [b.label for b in rows[0]] == ["国内", "国际", "精简", "✓ 完整"]
    whys = [b for row in rows[1:] for b in row if b.data.startswith("w:")]
    assert [b.data for b in whys] == [f"w:{DAY}:{i.n}" for i in digest.items]
    assert all(len(b.data.encode()) <= MAX_DATA for row in rows for b in row)
    assert all(len(row) <= 8 for row in rows)  # Telegram's most per row


def test_a_section_view_offers_only_its_items() -> None:
    digest = make_digest()
    view = View(section="international")
    rows = keyboard(Reply(digest=digest, view=view))
    assert rows[0][1].label == "✓ 国际"
    whys = [int(b.data.rsplit(":", 1)[1]) for row in rows[1:] for b in row if b.data[0] == "w"]
    assert whys == [i.n for i in digest.sections.international] == shown_numbers(digest, view)


def test_text_answers_carry_no_buttons() -> None:
    assert keyboard(Reply(text="已退订")) == ()


def test_choices_are_numbered_across_rows() -> None:
    rows = ((Button("国内", "c:x"), Button("国际", "i:x")), (Button("❓1", "w:x:1"),))
    assert render_choices(rows).split("\n")[1:] == ["[1] 国内  [2] 国际", "[3] ❓1"]


def test_a_toast_is_one_short_line() -> None:
    assert toast_text("没有第 99 条。\n请发送 /why 1") == "没有第 99 条。 请发送 /why 1"
    assert len(toast_text("字" * 500)) == 200


def test_a_view_switch_edits_into_the_first_part() -> None:
    assert split_for_edit(["a"]) == ("a", [])
    assert split_for_edit(["a", "b", "c"]) == ("a", ["b", "c"])
