"""Black-box harness: the real `.venv/bin/aidaily` as a subprocess, real HTTP, real Redis.

Nothing here imports the product: the checks see only what an outside checker sees
(exit codes, stdout, stderr, files, HTTP answers, what is stored as seen through the CLI).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.acceptance.feeds import D0, D, World, write_world

ROOT = Path(__file__).resolve().parents[2]
AIDAILY = str(ROOT / ".venv" / "bin" / "aidaily")
if not Path(AIDAILY).exists():  # a venv elsewhere: the console script next to this python
    AIDAILY = str(Path(sys.executable).with_name("aidaily"))

# Every variable of CONTRACT.md: never inherited from the machine running the checks.
CONTRACT_ENV = (
    "REDIS_URL",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_MODEL",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_BASE_URL",
    "FEISHU_APP_ID",
    "FEISHU_APP_SECRET",
    "FEISHU_DOMAIN",
    "FEISHU_CHAT_IDS",
    "FEISHU_VERIFICATION_TOKEN",
    "FEISHU_ENCRYPT_KEY",
    "FEISHU_WEBHOOK_URL",
    "FEISHU_WEBHOOK_SECRET",
    "TELEGRAM_WEBHOOK_SECRET",
    "AIDAILY_HTTP_PORT",
    "AIDAILY_CONFIG",
    "AIDAILY_DEBUG",
    "AIDAILY_LOG_LEVEL",
)

# Redis databases of the test redis-server used here (other suites use db 0).
DB_WORLD = 5  # the shared digests of D0 and D: nothing else writes a digest here
DB_CHAT = 6  # the chat "which digest" sequence, with its own copy of the digests
DB_SCRATCH = 7  # runs that change things
DB_BUTTONS = 4  # `aidaily chat` taps: they pin what the console was shown


def env_for(**extra: str | None) -> dict[str, str]:
    """The environment of a child: the machine's, minus every contract variable, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in CONTRACT_ENV}
    env["PYTHONUNBUFFERED"] = "1"
    for key, value in extra.items():
        if value is not None:
            env[key] = value
    return env


def aidaily(
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """Run the console script and return what it did."""
    return subprocess.run(
        [AIDAILY, *args],
        cwd=cwd,
        env=env if env is not None else env_for(),
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_one_line_error(proc: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    """Exit `code`, one non-empty line on stderr naming `words`, no traceback."""
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert len(lines) == 1, proc.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def redis_at(redis_server: Any) -> Callable[[int], str]:
    """URL of one database of the session's test redis-server."""

    def url(db: int) -> str:
        return f"redis://{redis_server.host}:{redis_server.port}/{db}"

    return url


@pytest.fixture(scope="session")
def flush_db(redis_at: Callable[[int], str]) -> Callable[[int], None]:
    """Empty one database (the only thing done to Redis from outside the CLI)."""
    import redis

    def flush(db: int) -> None:
        client = redis.Redis.from_url(redis_at(db))
        try:
            client.flushdb()
        finally:
            client.close()

    return flush


@dataclass
class Built:
    """The world with D0 and D built into one Redis database."""

    world: World
    redis_url: str
    env: dict[str, str]
    run_d: subprocess.CompletedProcess[str]
    digest: dict[str, Any]  # D, from --json
    digest0: dict[str, Any]  # D0, from --json

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return aidaily(
            *args,
            "--config",
            str(self.world.config),
            cwd=self.world.root,
            env=self.env,
            stdin=stdin,
        )


def build(root: Path, url: str, dates: Sequence[str] = (D0, D)) -> Built:
    world = write_world(root)
    env = env_for(REDIS_URL=url)
    runs: dict[str, tuple[subprocess.CompletedProcess[str], dict[str, Any]]] = {}
    for day in dates:
        out = root / f"digest-{day}.json"
        proc = aidaily(
            "run",
            "--config",
            str(world.config),
            "--date",
            day,
            "--json",
            str(out),
            cwd=root,
            env=env,
        )
        assert proc.returncode == 0, proc.stderr
        runs[day] = (proc, json.loads(out.read_text("utf-8")))
    return Built(world, url, env, runs[D][0], runs[D][1], runs[D0][1])


@pytest.fixture(scope="session")
def built(
    tmp_path_factory: pytest.TempPathFactory,
    redis_at: Callable[[int], str],
    flush_db: Callable[[int], None],
) -> Built:
    """D0 then D, built once for the whole acceptance suite in DB_WORLD."""
    flush_db(DB_WORLD)
    return build(tmp_path_factory.mktemp("world"), redis_at(DB_WORLD))


def items(digest: dict[str, Any]) -> list[dict[str, Any]]:
    return [*digest["sections"]["domestic"], *digest["sections"]["international"]]


def run_many(
    calls: dict[Any, Callable[[], subprocess.CompletedProcess[str]]], workers: int = 4
) -> dict[Any, subprocess.CompletedProcess[str]]:
    """Run independent CLI calls side by side (each is mostly interpreter start-up)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {key: pool.submit(call) for key, call in calls.items()}
        return {key: f.result() for key, f in futures.items()}
