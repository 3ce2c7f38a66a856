"""Set-up, `--help`, `--config` resolution, and exit codes 0/1/2 with one line on stderr."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.acceptance.conftest import ROOT, aidaily, assert_one_line_error, env_for, run_many
from tests.acceptance.feeds import D, write_world

COMMANDS = ("run", "show", "push", "serve", "chat", "check")


# -- the two README commands ------------------------------------------------------------


def test_readme_starts_with_make_run_and_make_test() -> None:
    text = (ROOT / "README.md").read_text("utf-8")
    code = re.findall(r"```[a-z]*\n(.*?)```", text, re.S)
    assert code, "README has no code block"
    first_block = text.index("```")
    before = text[:first_block]
    # Only the title (and maybe a line of prose) comes before the two commands.
    assert len([ln for ln in before.splitlines() if ln.strip()]) <= 3, before
    commands = [ln.split("#")[0].strip() for ln in code[0].splitlines() if ln.strip()]
    assert commands[:2] == ["make run", "make test"], commands


def test_makefile_has_run_and_test_that_set_themselves_up() -> None:
    text = (ROOT / "Makefile").read_text("utf-8")
    targets = dict(re.findall(r"^([a-zA-Z_.-]+):([^\n=]*)$", text, re.M))
    assert "run" in targets and "test" in targets, targets
    assert "python3 -m venv" in text or "$(PY) -m venv" in text
    recipe_run = text.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "aidaily run" in recipe_run and "examples/" in recipe_run
    recipe_test = text.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "pytest" in recipe_test
    assert (ROOT / ".ci" / "run").exists() and "make test" in (ROOT / ".ci" / "run").read_text()


def test_help_lists_every_command(tmp_path: Path) -> None:
    proc = aidaily("--help", cwd=tmp_path)
    assert proc.returncode == 0
    for name in COMMANDS:
        assert re.search(rf"^\s+{name}\b", proc.stdout, re.M), (name, proc.stdout)


def test_every_command_takes_config(tmp_path: Path) -> None:
    runs = run_many({c: partial(aidaily, c, "--help", cwd=tmp_path) for c in COMMANDS})
    for command, proc in runs.items():
        assert proc.returncode == 0, (command, proc.stderr)
        assert "--config" in proc.stdout, command


# -- which config file ---------------------------------------------------------------------


def _bad_config(path: Path, key: str) -> Path:
    """A config whose only problem is an unknown top-level key: the error names the file read."""
    path.write_text(yaml.safe_dump({"timezone": "Asia/Shanghai", key: 1}), "utf-8")
    return path


def test_default_config_is_dot_slash_config_yaml(tmp_path: Path) -> None:
    _bad_config(tmp_path / "config.yaml", "from_cwd_file")
    proc = aidaily("check", cwd=tmp_path)
    assert_one_line_error(proc, 2, "from_cwd_file")


def test_aidaily_config_when_no_config_yaml(tmp_path: Path) -> None:
    other = _bad_config(tmp_path / "elsewhere.yaml", "from_env_file")
    proc = aidaily("check", cwd=tmp_path, env=env_for(AIDAILY_CONFIG=str(other)))
    assert_one_line_error(proc, 2, "from_env_file")


def test_config_yaml_comes_before_aidaily_config(tmp_path: Path) -> None:
    _bad_config(tmp_path / "config.yaml", "from_cwd_file")
    other = _bad_config(tmp_path / "elsewhere.yaml", "from_env_file")
    proc = aidaily("check", cwd=tmp_path, env=env_for(AIDAILY_CONFIG=str(other)))
    assert_one_line_error(proc, 2, "from_cwd_file")


def test_config_flag_wins_over_both(tmp_path: Path) -> None:
    _bad_config(tmp_path / "config.yaml", "from_cwd_file")
    other = _bad_config(tmp_path / "elsewhere.yaml", "from_env_file")
    flag = _bad_config(tmp_path / "flag.yaml", "from_flag_file")
    proc = aidaily(
        "check", "--config", str(flag), cwd=tmp_path, env=env_for(AIDAILY_CONFIG=str(other))
    )
    assert_one_line_error(proc, 2, "from_flag_file")


def test_config_flag_before_the_command(tmp_path: Path) -> None:
    """`aidaily --config PATH check` (help shows --config at the top level too)."""
    flag = _bad_config(tmp_path / "flag.yaml", "from_flag_file")
    proc = aidaily("--config", str(flag), "check", cwd=tmp_path)
    assert_one_line_error(proc, 2, "from_flag_file")


def test_missing_config_file_is_exit_2(tmp_path: Path) -> None:
    proc = aidaily("check", "--config", str(tmp_path / "nope.yaml"), cwd=tmp_path)
    assert_one_line_error(proc, 2, "nope.yaml")


# -- invalid config: exit 2, one line naming the key ---------------------------------------------


def _world_with(tmp_path: Path, mutate: Callable[[dict[str, Any]], None]) -> Path:
    world = write_world(tmp_path)
    data = yaml.safe_load(world.config.read_text("utf-8"))
    mutate(data)
    world.config.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return world.config


def _set_region(d: dict[str, Any]) -> None:
    d["feeds"][2]["region"] = "cn"


def _dup_id(d: dict[str, Any]) -> None:
    d["feeds"][3]["id"] = d["feeds"][1]["id"]


def _unknown_key(d: dict[str, Any]) -> None:
    d["digest"]["domestc"] = 3


def _unknown_top(d: dict[str, Any]) -> None:
    d["feeeds"] = []


def _bad_tz(d: dict[str, Any]) -> None:
    d["timezone"] = "Mars/Olympus"


def _bad_time(d: dict[str, Any]) -> None:
    d["digest"]["time"] = "8am"


def _bad_feed_id(d: dict[str, Any]) -> None:
    d["feeds"][0]["id"] = "Bad Id!"


def _bad_url(d: dict[str, Any]) -> None:
    d["feeds"][0]["url"] = "ftp://example.com/feed"


def _bad_json_mode(d: dict[str, Any]) -> None:
    d["llm"] = {"json_mode": "xml"}


def _bad_events(d: dict[str, Any]) -> None:
    d["feishu"] = {"events": "smoke-signals"}


MUTATIONS = {
    "region": (_set_region, ["feeds[2].region"]),
    "duplicate-id": (_dup_id, ["feeds[3].id", "cn_b"]),
    "unknown-key": (_unknown_key, ["domestc"]),
    "unknown-top-key": (_unknown_top, ["feeeds"]),
    "timezone": (_bad_tz, ["timezone"]),
    "time": (_bad_time, ["digest.time"]),
    "feed-id": (_bad_feed_id, ["feeds[0].id"]),
    "url": (_bad_url, ["feeds[0].url"]),
    "json-mode": (_bad_json_mode, ["llm.json_mode"]),
    "events": (_bad_events, ["feishu.events"]),
}
OTHER_COMMANDS = ("show", "push", "chat", "serve", "check")


@pytest.fixture(scope="module")
def invalid_runs(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every invalid config through `run`, and one through every other command, side by side."""
    calls: dict[str, Callable[[], subprocess.CompletedProcess[str]]] = {}
    for name, (mutate, _words) in MUTATIONS.items():
        root = tmp_path_factory.mktemp(name)
        cfg = _world_with(root, mutate)
        calls[name] = partial(aidaily, "run", "--config", str(cfg), cwd=root)
    for command in OTHER_COMMANDS:
        root = tmp_path_factory.mktemp(command)
        cfg = _world_with(root, _unknown_key)
        calls[command] = partial(aidaily, command, "--config", str(cfg), cwd=root, timeout=20)
    return run_many(calls)


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_invalid_config_exit_2_names_the_key(
    invalid_runs: dict[str, subprocess.CompletedProcess[str]], name: str
) -> None:
    assert_one_line_error(invalid_runs[name], 2, *MUTATIONS[name][1])


@pytest.mark.parametrize("command", OTHER_COMMANDS)
def test_every_command_validates_the_config(
    invalid_runs: dict[str, subprocess.CompletedProcess[str]], command: str
) -> None:
    assert_one_line_error(invalid_runs[command], 2, "domestc")


@pytest.mark.parametrize("text", ["20260310", "2026-W11-2"])
def test_date_must_be_yyyy_mm_dd(tmp_path: Path, text: str) -> None:
    world = write_world(tmp_path)
    proc = aidaily("show", "--date", text, "--config", str(world.config), cwd=tmp_path)
    assert_one_line_error(proc, 2, "--date")


def test_not_yaml_is_exit_2(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("feeds: [\n  - id: x\n  bad", "utf-8")
    assert_one_line_error(aidaily("show", "--config", str(cfg), cwd=tmp_path), 2)


# -- bad flags: exit 2, one line naming the flag --------------------------------------------------


BAD_FLAGS = [
    (["run", "--date", "2026-13-01"], "--date"),
    (["run", "--date", "yesterday"], "--date"),
    (["show", "--date", "2026/03/10"], "--date"),
    (["push", "--date", "2026-3-10"], "--date"),
    (["show", "--format", "pdf"], "--format"),
    (["show", "--section", "europe"], "--section"),
    (["show", "--why", "abc"], "--why"),
    (["show", "--why", "0"], "--why"),
    (["push", "--channel", "slack"], "--channel"),
    (["run", "--bogus"], "--bogus"),
]


@pytest.fixture(scope="module")
def flag_runs(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[int, subprocess.CompletedProcess[str]]:
    root = tmp_path_factory.mktemp("flags")
    world = write_world(root)
    return run_many(
        {
            i: partial(aidaily, *args, "--config", str(world.config), cwd=root)
            for i, (args, _f) in enumerate(BAD_FLAGS)
        }
    )


@pytest.mark.parametrize("case", range(len(BAD_FLAGS)), ids=[" ".join(a) for a, _f in BAD_FLAGS])
def test_bad_flag_exit_2_names_the_flag(
    flag_runs: dict[int, subprocess.CompletedProcess[str]], case: int
) -> None:
    assert_one_line_error(flag_runs[case], 2, BAD_FLAGS[case][1])


def test_unknown_command_is_exit_2(tmp_path: Path) -> None:
    proc = aidaily("frobnicate", cwd=tmp_path)
    assert_one_line_error(proc, 2, "frobnicate")


def test_show_with_nothing_stored_is_one_line(tmp_path: Path) -> None:
    """Embedded Redis in an empty folder: no digest yet is a runtime failure, said in one line."""
    world = write_world(tmp_path)
    proc = aidaily("show", "--config", str(world.config), "--date", D, cwd=tmp_path)
    assert_one_line_error(proc, 1, D)


def test_unreachable_redis_is_exit_1_naming_it(tmp_path: Path) -> None:
    world = write_world(tmp_path)
    env = env_for(REDIS_URL="redis://127.0.0.1:1/0")
    proc = aidaily("show", "--config", str(world.config), cwd=tmp_path, env=env)
    assert_one_line_error(proc, 1, "127.0.0.1:1")
