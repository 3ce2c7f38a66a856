"""`aidaily show` in every format and section, `push` with no channel, and `aidaily chat`."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from pipeline.render.view import SCORE_PARTS
from tests.acceptance.conftest import DB_CHAT, Built, assert_one_line_error, build, items, run_many
from tests.acceptance.feeds import D0, D

CHOICES_HEAD = "── 按钮（输入编号即点按）──"  # `aidaily chat` prints the buttons under it

FORMATS = ("text", "markdown", "telegram", "feishu")
# An item line starts with its number: "3、", "3." (also "**3.**" in a Feishu card's markdown).
NUMBER = re.compile(r"^\s*(?:\*\*)?(\d{1,3})(?:、|\.(?!\d))", re.M)


def _numbers(fmt: str, out: str) -> set[int]:
    if fmt == "feishu":
        cards = json.loads(out)
        out = "\n".join(_card_text(cards))
    return {int(n) for n in NUMBER.findall(out)}


def _card_text(node: Any) -> list[str]:
    if isinstance(node, dict):
        texts = [str(node["content"])] if isinstance(node.get("content"), str) else []
        return texts + [t for k, v in node.items() if k != "content" for t in _card_text(v)]
    if isinstance(node, list):
        return [t for v in node for t in _card_text(v)]
    return []


def _ns(digest: dict[str, Any], section: str) -> set[int]:
    return {it["n"] for it in digest["sections"][section]}


# -- show ------------------------------------------------------------------------------------


SECTIONS = ("all", "domestic", "international")


@pytest.fixture(scope="module")
def shows(built: Built) -> dict[tuple[str, ...], subprocess.CompletedProcess[str]]:
    """Every `show` rendering this module looks at, run side by side."""
    calls: dict[tuple[str, ...], Callable[[], subprocess.CompletedProcess[str]]] = {}
    for fmt in FORMATS:
        for section in SECTIONS:
            calls[(fmt, section)] = partial(
                built.cli, "show", "--date", D, "--format", fmt, "--section", section
            )
        calls[(fmt, "brief")] = partial(built.cli, "show", "--date", D, "--format", fmt, "--brief")
    for fmt in (*FORMATS, "json"):
        calls[(fmt, "why")] = partial(built.cli, "show", "--date", D, "--why", "1", "--format", fmt)
    return run_many(calls)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("section", SECTIONS)
def test_show_section_in_every_format(
    built: Built,
    shows: dict[tuple[str, ...], subprocess.CompletedProcess[str]],
    fmt: str,
    section: str,
) -> None:
    proc = shows[(fmt, section)]
    assert proc.returncode == 0, proc.stderr
    d = built.digest
    want = _ns(d, "domestic") | _ns(d, "international") if section == "all" else _ns(d, section)
    assert _numbers(fmt, proc.stdout) == want
    other = {
        "all": [],
        "domestic": d["sections"]["international"],
        "international": d["sections"]["domestic"],
    }[section]
    for it in other:
        assert it["link"] not in proc.stdout, (it["n"], it["link"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_show_brief_is_the_top_brief_items_of_each_section(
    built: Built, shows: dict[tuple[str, ...], subprocess.CompletedProcess[str]], fmt: str
) -> None:
    proc = shows[(fmt, "brief")]
    assert proc.returncode == 0, proc.stderr
    dom = built.digest["sections"]["domestic"][:2]  # digest.brief is 2 in our config
    intl = built.digest["sections"]["international"][:2]
    assert _numbers(fmt, proc.stdout) == {it["n"] for it in dom + intl}


def test_show_json_is_the_digest(built: Built) -> None:
    proc = built.cli("show", "--date", D0, "--format", "json")
    assert json.loads(proc.stdout) == built.digest0


def test_show_defaults_to_the_latest_when_today_is_not_built(built: Built) -> None:
    proc = built.cli("show", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["date"] == D


def test_telegram_messages_are_escaped_html_under_4096(
    shows: dict[tuple[str, ...], subprocess.CompletedProcess[str]],
) -> None:
    proc = shows[("telegram", "all")]
    out = proc.stdout
    assert "&lt;90%" in out and "<90%" not in out
    assert "<script" not in out
    assert re.search(r'<a href="https://en-a\.example\.com/2026/03/09/meta-benchmark">', out)
    assert all(len(part) <= 4096 for part in out.split("\n\n"))


def test_feishu_cards_are_json_under_30kb(
    shows: dict[tuple[str, ...], subprocess.CompletedProcess[str]],
) -> None:
    proc = shows[("feishu", "all")]
    cards = json.loads(proc.stdout)
    assert isinstance(cards, list) and cards
    for card in cards:
        assert len(json.dumps(card, ensure_ascii=False).encode()) <= 30 * 1024


def test_markdown_links_every_item(
    built: Built, shows: dict[tuple[str, ...], subprocess.CompletedProcess[str]]
) -> None:
    proc = shows[("markdown", "all")]
    for it in items(built.digest):
        assert f"]({it['link']})" in proc.stdout, it["link"]


def test_why_shows_everything_the_contract_lists(built: Built) -> None:
    (story,) = [
        it for it in items(built.digest) if it["also_reported_by"] and it["feed"].startswith("en")
    ]
    proc = built.cli("show", "--date", D, "--why", str(story["n"]))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert {"high": "🔥", "medium": "📌", "low": "📄"}[story["importance"]] in out
    for text in (
        story["category"],
        story["reason"],
        story["source"],
        story["link"],
        *story["tags"],
    ):
        assert text in out, text
    for other in story["also_reported_by"]:
        assert other["source"] in out and other["link"] in out
    for part, value in story["score"]["parts"].items():  # named as a reader says it
        assert f"{SCORE_PARTS[part]} {value:.2f}" in out, part


@pytest.mark.parametrize("fmt", [*FORMATS, "json"])
def test_why_in_every_format(
    built: Built, shows: dict[tuple[str, ...], subprocess.CompletedProcess[str]], fmt: str
) -> None:
    proc = shows[(fmt, "why")]
    assert proc.returncode == 0, proc.stderr
    assert built.digest["sections"]["domestic"][0]["link"] in proc.stdout


def test_why_out_of_range_is_exit_2_with_the_range(built: Built) -> None:
    total = len(items(built.digest))
    line = assert_one_line_error(built.cli("show", "--date", D, "--why", "99"), 2, "--why")
    assert str(total) in line


def test_push_with_no_channel_configured_says_so_and_exits_1(built: Built) -> None:
    """Nothing was delivered, so it is not a success (issue 10): a cron job must see it."""
    line = assert_one_line_error(built.cli("push", "--date", D), 1, "no channel configured")
    assert re.search(r"TELEGRAM_BOT_TOKEN|FEISHU", line), line


def test_push_of_a_date_not_stored_is_exit_1(built: Built) -> None:
    assert_one_line_error(built.cli("push", "--date", "2025-01-01"), 1, "2025-01-01")


# -- chat ----------------------------------------------------------------------------------------


def chat(built: Built, *lines: str) -> str:
    proc = built.cli("chat", stdin="".join(f"{ln}\n" for ln in lines))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout


def without_choices(out: str) -> str:
    """The last answer without the numbered buttons `aidaily chat` prints under it."""
    head, sep, tail = out.rpartition("\n\n" + CHOICES_HEAD)
    last = sep and all(line.startswith("[") for line in tail.strip("\n").split("\n"))
    return head + "\n" if last else out


HELP_COMMANDS = (
    "/today",
    "/brief",
    "/cn",
    "/intl",
    "/why",
    "/date",
    "/start",
    "/stop",
    "/settings",
    "/help",
)


def test_help_lists_the_commands(built: Built) -> None:
    out = chat(built, "/help")
    for cmd in HELP_COMMANDS:
        assert cmd in out, cmd


def test_unknown_command_gets_the_help(built: Built) -> None:
    assert chat(built, "/frobnicate") == chat(built, "/help")


def test_why_n_in_chat_is_show_why_n(built: Built) -> None:
    for n in ("3", "7"):
        shown = built.cli("show", "--date", D, "--why", n).stdout
        out = without_choices(chat(built, f"/date {D}", f"/why {n}"))
        assert out.endswith(shown), (out[-400:], shown)


def test_why_99_says_the_valid_range(built: Built) -> None:
    out = chat(built, f"/date {D}", "/why 99")
    tail = out.rsplit("\n\n", 1)[-1] if "\n\n" in out else out
    total = len(items(built.digest))
    assert re.search(rf"1\D{{1,12}}{total}\b", tail), tail


def test_why_abc_says_the_usage(built: Built) -> None:
    out = chat(built, "/why abc")
    assert "/why" in out and "N" in out
    assert "AI每日动态" not in out


def test_date_of_a_day_not_stored_says_so(built: Built) -> None:
    out = chat(built, "/date 2025-01-01")
    assert "2025-01-01" in out and D in out  # what is missing, and what there is


def test_bad_date_says_the_usage(built: Built) -> None:
    out = chat(built, "/date tomorrow")
    assert "YYYY-MM-DD" in out


def test_today_is_the_latest_with_its_date_said(built: Built) -> None:
    out = chat(built, "/today")
    assert "AI每日动态" in out and D in out
    # Today's digest is not built: the answer says which date it shows instead.
    assert re.search(rf"{D}[^\n]*(日报|digest)", out)
    assert _numbers("text", out) == {it["n"] for it in items(built.digest)}


def test_cn_domestic_and_intl(built: Built) -> None:
    chat(built, f"/date {D}")
    cn = chat(built, "/cn")
    assert _numbers("text", cn) == _ns(built.digest, "domestic")
    assert cn == chat(built, "/domestic")
    intl = chat(built, "/intl")
    for it in built.digest["sections"]["domestic"]:
        assert it["link"] not in intl


def test_subscribe_settings_and_stop(built: Built) -> None:
    out = chat(built, "/start")
    assert "08:00" in out and "订阅" in out
    out = chat(built, "/settings")
    assert "08:00" in out and "国内动态" in out and "国际动态" in out
    chat(built, "/settings time 07:30")
    chat(built, "/settings mode brief")
    chat(built, "/settings sections intl")
    out = chat(built, "/settings")
    assert "07:30" in out and "精简" in out and "国际动态" in out and "国内动态" not in out
    bad = chat(built, "/settings time 25:99")
    assert "HH:MM" in bad
    out = chat(built, "/stop")
    assert "退订" in out
    out = chat(built, "/settings")
    assert "07:30" not in out
    assert "订阅" in chat(built, "/subscribe")
    assert "退订" in chat(built, "/unsubscribe")


def test_votes_and_interests_in_the_terminal(built: Built) -> None:
    # The module's store is shared: what this follows, it unfollows before it ends.
    out = chat(
        built,
        f"/date {D}",
        "/like 2",
        "/dislike 2",
        "/follow 芯片",
        "/following",
        "/unfollow 芯片",
        "/mute",
    )
    assert "第 2 条：已记录 👍（团队反馈 👍1 👎0）" in out
    assert "第 2 条：已改为 👎（团队反馈 👍0 👎1）" in out
    assert "已关注「芯片」" in out and "🔖 关注（1/20）：芯片" in out
    assert "已取消关注「芯片」。" in out
    assert "用法：/mute 词语 或 /mute source 来源" in out
    shown = built.cli("show", "--date", D, "--why", "2").stdout
    assert "团队反馈：👍0 👎1" in shown  # `show --why` and /why say the same


def test_stats_for_the_terminal_admin(built: Built) -> None:
    out = chat(built, "/stats")
    assert "仅限管理员" not in out
    assert "坏源" in out or "broken" in out  # feed health names the failing feed
    assert D in out  # the last run


# -- which digest a command means ------------------------------------------------------------------


@pytest.fixture(scope="module")
def chat_world(
    tmp_path_factory: pytest.TempPathFactory,
    redis_at: Callable[[int], str],
    flush_db: Callable[[int], None],
) -> Built:
    flush_db(DB_CHAT)
    return build(tmp_path_factory.mktemp("chat"), redis_at(DB_CHAT))


def _header_date(out: str) -> str:
    m = re.search(r"AI每日动态\s*[-·]\s*(\d{4}-\d{2}-\d{2})", out)
    assert m, out[:300]
    return m.group(1)


def test_commands_follow_the_digest_last_shown(chat_world: Built) -> None:
    b = chat_world
    # Nothing shown yet: the latest stored digest.
    assert _header_date(chat(b, "/brief")) == D
    # After /date D0, /brief /cn /intl and /why N mean D0.
    assert _header_date(chat(b, f"/date {D0}")) == D0
    assert _header_date(chat(b, "/brief")) == D0
    cn = chat(b, "/cn")
    assert _header_date(cn) == D0 and _numbers("text", cn) == _ns(b.digest0, "domestic")
    intl = chat(b, "/intl")
    assert _header_date(intl) == D0 and _numbers("text", intl) == _ns(b.digest0, "international")
    assert without_choices(chat(b, "/why 1")) == b.cli("show", "--date", D0, "--why", "1").stdout
    assert re.search(rf"1\D{{1,12}}{len(items(b.digest0))}\b", chat(b, "/why 4"))
    # /today shows the latest again, and from then on the others mean it.
    assert _header_date(chat(b, "/today")) == D
    assert _header_date(chat(b, "/brief")) == D
    assert without_choices(chat(b, "/why 4")) == b.cli("show", "--date", D, "--why", "4").stdout
