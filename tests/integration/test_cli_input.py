"""The aidaily command on hostile or broken input: one line, the right exit code, no traceback.

Issue 10 "CLI and config": a non-UTF-8 config, REDIS_URL=notaurl, a port already in
use, a corrupted stored digest, a full Redis; and `--version`, `push` with no channel.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from bot.cli import main
from pipeline.store import Keys
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.integration

DAY = "2026-02-03"
DEMO = str(EXAMPLES / "demo.yaml")


@pytest.fixture(autouse=True)
def _env(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("OPENAI_API_KEY", "TELEGRAM_BOT_TOKEN", "FEISHU_APP_ID", "FEISHU_WEBHOOK_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("REDIS_URL", redis_url)


def cli(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err, err
    assert len(err.splitlines()) == 1, err
    return err


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["--version"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("aidaily ") and out.split()[1][0].isdigit(), out


def test_push_with_no_channel_says_so_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["run", "--config", DEMO, "--date", DAY]) == 0
    capsys.readouterr()
    assert cli(["push", "--config", DEMO, "--date", DAY]) == 1
    assert "no channel configured" in one_line(capsys)


def test_a_non_utf8_config_is_exit_2_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "latin1.yaml"
    cfg.write_bytes("timezone: Europe/Zürich\n".encode("latin-1"))
    assert cli(["check", "--config", str(cfg)]) == 2
    line = one_line(capsys)
    assert str(cfg) in line and "UTF-8" in line


def test_redis_url_that_is_not_a_url_is_exit_2_naming_redis_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REDIS_URL", "notaurl")
    assert cli(["show", "--config", DEMO]) == 2
    assert "REDIS_URL" in one_line(capsys)


def test_show_of_a_corrupted_digest_is_one_line(
    redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with redis.Redis.from_url(redis_url) as r:
        r.set(Keys().digest(DAY), b'{"version": 1, "date": "2026-02-03", "sect\xff')
        r.zadd(Keys().dates(), {DAY: 1})
    assert cli(["show", "--config", DEMO, "--date", DAY]) == 1
    line = one_line(capsys)
    assert DAY in line and "unreadable" in line and "aidaily run --date" in line


def test_serve_on_a_port_in_use_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        cfg = tmp_path / "c.yaml"
        cfg.write_text(f"server: {{host: 127.0.0.1, port: {port}}}\n", encoding="utf-8")
        assert cli(["serve", "--config", str(cfg)]) == 2
    line = one_line(capsys)
    assert f"127.0.0.1:{port}" in line and "server.port" in line


@pytest.fixture
def full_redis(redis_url: str) -> Iterator[None]:
    """The test Redis with maxmemory below what it uses and no eviction: every write is OOM."""
    with redis.Redis.from_url(redis_url) as r:
        old = r.config_get("maxmemory")["maxmemory"]
        r.set("ballast", b"x" * 2_000_000)
        r.config_set("maxmemory", 1_000_000)
        r.config_set("maxmemory-policy", "noeviction")
        try:
            yield
        finally:
            r.config_set("maxmemory", old)
            r.delete("ballast")


def test_run_on_a_full_redis_says_redis_is_out_of_memory(
    full_redis: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["run", "--config", DEMO, "--date", DAY]) == 1
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert "Redis is out of memory" in line and "maxmemory" in line, line
