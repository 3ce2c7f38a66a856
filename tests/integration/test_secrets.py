"""A password in REDIS_URL, credentials in OPENAI_BASE_URL and a webhook token never show.

The reproduction of the audit: `serve` against a Redis with `requirepass`, then that
Redis stops. No HTTP body, log line or CLI line may carry a secret, and HTTP error
bodies carry no internal detail at all: a fixed text plus a request id the log has too.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.cli import main
from bot.http import create_app
from bot.metrics import Metrics
from pipeline.config import parse_settings
from pipeline.store import open_store
from tests.conftest import _redis_executable
from tests.factories import make_digest
from tests.fakes.live_app import live

pytestmark = pytest.mark.integration

PASSWORD = "S3cretRedisPw"
PATHS = ("/healthz", "/", "/d/2026-02-03", "/api/digests/latest", "/api/digests/2026-02-03")
PATHS += ("/feed.xml", "/archive")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def locked_redis(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """A redis-server with requirepass on a free port; the test may kill it."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            _redis_executable(),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--requirepass",
            PASSWORD,
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    try:
        yield proc, f"redis://:{PASSWORD}@127.0.0.1:{port}/0"
    finally:
        proc.kill()
        proc.wait(timeout=10)


async def test_no_http_answer_or_log_line_names_the_redis_password(
    locked_redis: tuple[subprocess.Popen[bytes], str], caplog: pytest.LogCaptureFixture
) -> None:
    proc, url = locked_redis
    store = await open_store(url)
    assert PASSWORD not in store.url and "***" in store.url
    await store.save_digest(make_digest(), [])
    app = create_app(parse_settings({}, {}), store, metrics=Metrics())
    async with live(app) as base, httpx.AsyncClient(base_url=base, timeout=15) as client:
        assert (await client.get("/healthz")).status_code == 200
        proc.kill()
        proc.wait(timeout=10)
        caplog.set_level(logging.INFO)
        answers = await asyncio.gather(*(client.get(path) for path in PATHS))
    await store.r.aclose()

    for path, resp in zip(PATHS, answers, strict=True):
        assert resp.status_code == 503, path
        assert PASSWORD not in resp.text and "127.0.0.1" not in resp.text, path
        body = resp.json()
        assert body["error"] == "service temporarily unavailable"
        assert body["request_id"] == resp.headers["x-request-id"]
        assert body["request_id"] in caplog.text  # the log line with the detail has it
    assert PASSWORD not in caplog.text


def test_cli_errors_never_print_the_redis_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REDIS_URL", f"redis://:{PASSWORD}@127.0.0.1:{_free_port()}/0")
    config = tmp_path / "config.yaml"
    config.write_text("feeds: []\n", encoding="utf-8")

    code = main(["show", "--config", str(config)])

    err = capsys.readouterr().err
    assert code == 1
    assert PASSWORD not in err and "redis://:***@127.0.0.1" in err


def test_check_shows_no_credential_of_any_url_setting(
    locked_redis: tuple[subprocess.Popen[bytes], str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, url = locked_redis
    dead = _free_port()
    env = {
        "REDIS_URL": url,
        "OPENAI_API_KEY": "sk-test-key-123",
        "OPENAI_BASE_URL": f"http://llmuser:LlmPassw0rd@127.0.0.1:{dead}/v1",
        "FEISHU_WEBHOOK_URL": f"http://127.0.0.1:{dead}/open-apis/bot/v2/hook/HookT0ken-42",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = tmp_path / "config.yaml"
    config.write_text("feeds: []\n", encoding="utf-8")

    main(["check", "--config", str(config)])

    out, err = capsys.readouterr()
    for secret in (PASSWORD, "sk-test-key-123", "LlmPassw0rd", "HookT0ken-42"):
        assert secret not in out + err
    assert "redis" in out and "***" in out
