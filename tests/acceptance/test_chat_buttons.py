"""`aidaily chat` shows a digest's buttons as numbered choices; typing a number taps it.

The same taps as Telegram's inline keyboards and Feishu's card buttons, with no account:
the view switches, an item's why, and what a wrong number gets.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.acceptance.conftest import DB_BUTTONS, Built, build, items
from tests.acceptance.feeds import D0, D

CHOICES_HEAD = "── 按钮（输入编号即点按）──"


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
    redis_at: Callable[[int], str],
    flush_db: Callable[[int], None],
) -> Built:
    flush_db(DB_BUTTONS)
    return build(tmp_path_factory.mktemp("buttons"), redis_at(DB_BUTTONS))


def chat(built: Built, *lines: str) -> str:
    """What one `aidaily chat` session printed."""
    proc = built.cli("chat", stdin="".join(f"{ln}\n" for ln in lines))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout


def choices(out: str) -> dict[str, int]:
    """The numbered choices under the last answer: label -> number."""
    block = out.rsplit(CHOICES_HEAD, 1)[1]
    return {label.strip(): int(k) for k, label in re.findall(r"\[(\d+)\] (\S+(?: \S+)?)", block)}


def numbers(out: str) -> set[int]:
    return {int(n) for n in re.findall(r"^\s*(\d{1,3})(?:、|\.(?!\d))", out, re.M)}


def ns(digest: dict[str, Any], section: str) -> set[int]:
    return {it["n"] for it in digest["sections"][section]}


def test_a_digest_shows_its_buttons_as_numbered_choices(world: Built) -> None:
    out = chat(world, f"/date {D}")
    assert CHOICES_HEAD in out
    shown = choices(out)
    assert [shown[k] for k in ("国内", "国际", "精简", "✓ 完整")] == [1, 2, 3, 4]
    whys = [f"❓{it['n']}" for it in items(world.digest)]
    assert [shown[w] for w in whys] == list(range(5, 5 + len(whys)))
    assert "[1] 国内  [2] 国际  [3] 精简  [4] ✓ 完整" in out


def test_typing_a_number_switches_the_view(world: Built) -> None:
    out = chat(world, f"/date {D}", "2")
    last = out.rsplit("AI每日动态", 1)[1]
    assert numbers(last) == ns(world.digest, "international")
    assert choices(out)["✓ 国际"] == 2
    brief = chat(world, f"/date {D}", "3").rsplit("AI每日动态", 1)[1]
    assert "精简" in brief and len(numbers(brief)) < len(items(world.digest))


def test_a_why_button_answers_for_the_digest_it_was_under(world: Built) -> None:
    # D0's buttons stay D0's even though /today would now mean D.
    out = chat(world, f"/date {D0}", "5")
    why = world.cli("show", "--date", D0, "--why", "1").stdout
    assert why.strip() in out
    assert D0 in out.rsplit("第 1 条", 1)[1]


def test_a_wrong_number_says_which_work_and_keeps_the_buttons(world: Built) -> None:
    out = chat(world, f"/date {D}", "99", "1")
    total = len(choices(chat(world, f"/date {D}")))
    assert f"没有按钮 99：请输入 1 到 {total}" in out
    last = out.rsplit("AI每日动态", 1)[1]
    assert numbers(last) == ns(world.digest, "domestic")  # "1" still meant 国内


def test_a_number_with_no_buttons_above_is_just_text(world: Built) -> None:
    assert chat(world, "3") == chat(world, "/help")


def test_votes_and_more_are_one_number_away(world: Built) -> None:
    brief = chat(world, f"/date {D}", "/brief")
    shown = choices(brief)
    first = items(world.digest)[0]["n"]
    assert [shown[f"❓{first} 为什么"], shown[f"👍 {first}"], shown[f"👎 {first}"]] == [5, 6, 7]
    out = chat(world, f"/date {D}", "/brief", "6", "6", "7")
    assert f"〔第 {first} 条：已记录 👍（团队反馈 👍1 👎0）〕" in out
    assert f"〔第 {first} 条：你已投过 👍（团队反馈 👍1 👎0）〕" in out  # a second press: one vote
    assert f"〔第 {first} 条：已改为 👎（团队反馈 👍0 👎1）〕" in out
    # This world's day picked every story judged news: /more says so, as a toast.
    more = chat(world, f"/date {D}", str(shown_more(world))).split(CHOICES_HEAD, 1)[1]
    assert f"〔{D} 的日报没有更多候选" in more


def shown_more(world: Built) -> int:
    return choices(chat(world, f"/date {D}"))["更多 ▸"]
