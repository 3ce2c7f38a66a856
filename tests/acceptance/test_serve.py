"""`aidaily serve` as a subprocess: real HTTP on a free port, a fake Feishu, SIGTERM."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.acceptance.conftest import AIDAILY, DB_SCRATCH, Built, aidaily, env_for, free_port, items
from tests.acceptance.feeds import D0, D, feed_entry
from tests.fakes.feishu_server import FeishuFake

TOKEN = "verify-me"


def _early_zone() -> str:
    """A fixed-offset zone where it is now between 00:00 and 12:00, so a 22:00 cut-off is hours away."""
    hour = datetime.now(UTC).hour
    offset = next(o for o in range(-12, 15) if 2 <= (hour + o) % 24 < 12)
    # Etc/GMT signs are inverted: Etc/GMT-8 is UTC+8.
    return "UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


@dataclass
class Service:
    proc: subprocess.Popen[bytes]
    base: str
    stderr: Path
    fake: FeishuFake

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return httpx.get(self.base + path, timeout=10, **kw)

    def post(self, path: str, body: Any) -> httpx.Response:
        return httpx.post(self.base + path, json=body, timeout=10)


def start_serve(
    cfg: Path, env: dict[str, str], root: Path, port: int
) -> tuple[subprocess.Popen[bytes], Path]:
    err = root / f"serve-{port}.err"
    with err.open("wb") as sink:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [AIDAILY, "serve", "--config", str(cfg)],
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited {proc.returncode}: {err.read_text()}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc, err
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    proc.wait()
    raise AssertionError(f"serve did not listen on {port}: {err.read_text()}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)


@pytest.fixture(scope="module")
def service(built: Built) -> Iterator[Service]:
    fake = FeishuFake(hook_secrets={"hooktoken1": None}).start()
    busy = socket.socket()  # the file's server.port is taken: only AIDAILY_HTTP_PORT can work
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = free_port()
    cfg = built.world.variant(
        "serve.yaml",
        timezone=_early_zone(),
        digest={**built.world.data["digest"], "time": "22:00"},
        feishu={"events": "http", "chats": ["oc_from_file"]},
        server={"host": "127.0.0.1", "port": busy.getsockname()[1]},
    )
    env = {
        **built.env,
        "AIDAILY_HTTP_PORT": str(port),
        "FEISHU_APP_ID": fake.app_id,
        "FEISHU_APP_SECRET": fake.app_secret,
        "FEISHU_DOMAIN": fake.url,
        "FEISHU_VERIFICATION_TOKEN": TOKEN,
        "FEISHU_CHAT_IDS": "oc_env_1,oc_env_2",
    }
    proc, err = start_serve(cfg, env, built.world.root, port)
    try:
        yield Service(proc, f"http://127.0.0.1:{port}", err, fake)
    finally:
        stop(proc)
        busy.close()
        fake.stop()


def test_healthz(service: Service) -> None:
    r = service.get("/healthz")
    assert r.status_code == 200, r.text


def test_metrics_is_prometheus_text(service: Service) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    r = service.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    families = list(text_string_to_metric_families(r.text))
    assert families


def test_api_digest_of_a_date_and_latest(service: Service, built: Built) -> None:
    r = service.get(f"/api/digests/{D}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert r.json() == built.digest
    assert service.get(f"/api/digests/{D0}").json() == built.digest0
    assert service.get("/api/digests/latest").json() == built.digest


def test_api_unknown_and_bad_dates(service: Service) -> None:
    assert service.get("/api/digests/2025-01-01").status_code == 404
    assert 400 <= service.get("/api/digests/yesterday").status_code < 500


def test_web_pages_are_escaped_html(service: Service, built: Built) -> None:
    for path, digest in (
        ("/", built.digest),
        (f"/d/{D}", built.digest),
        (f"/d/{D0}", built.digest0),
    ):
        r = service.get(path)
        assert r.status_code == 200, path
        assert r.headers["content-type"].startswith("text/html")
        page = r.text
        assert digest["date"] in page
        for it in items(digest):
            assert it["link"] in unescape(page), (path, it["link"])
        assert "<script>alert" not in page
    page = service.get(f"/d/{D}").text
    assert "<90%" not in page and "<90%" in unescape(page)
    assert service.get("/d/2025-01-01").status_code == 404


def test_feed_xml_is_rss(service: Service, built: Built) -> None:
    import feedparser

    r = service.get("/feed.xml")
    assert r.status_code == 200
    assert "xml" in r.headers["content-type"]
    root = ET.fromstring(r.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None and channel.findtext("title") and channel.findtext("link")
    entries = channel.findall("item")
    assert len(entries) >= 2
    for entry in entries:
        assert entry.findtext("title") and entry.findtext("link")
    parsed = feedparser.parse(r.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert any(D in (e.get("title", "") + e.get("link", "")) for e in parsed.entries)


# -- Feishu over HTTP -----------------------------------------------------------------------------


def test_feishu_url_verification(service: Service) -> None:
    r = service.post(
        "/feishu/events", {"challenge": "c-123", "token": TOKEN, "type": "url_verification"}
    )
    assert r.status_code == 200
    assert r.json()["challenge"] == "c-123"


def test_feishu_wrong_token_is_refused(service: Service) -> None:
    r = service.post(
        "/feishu/events", {"challenge": "c-123", "token": "wrong", "type": "url_verification"}
    )
    assert 400 <= r.status_code < 500
    assert "c-123" not in r.text


def _message(text: str, event_id: str, token: str = TOKEN) -> dict[str, Any]:
    return {
        "schema": "2.0",
        "header": {
            "event_id": event_id,
            "event_type": "im.message.receive_v1",
            "create_time": str(int(time.time() * 1000)),
            "token": token,
            "app_id": "cli_x",
            "tenant_key": "t",
        },
        "event": {
            "sender": {
                "sender_id": {"open_id": "ou_user_1", "user_id": "u1", "union_id": "on_1"},
                "sender_type": "user",
            },
            "message": {
                "message_id": f"om_{event_id}",
                "chat_id": "oc_p2p_chat",
                "chat_type": "p2p",
                "message_type": "text",
                "content": json.dumps({"text": text}),
                "create_time": str(int(time.time() * 1000)),
            },
        },
    }


def _replies_to(fake: FeishuFake, message_id: str) -> list[Any]:
    return [p for p in fake.replies if p.reply_to == message_id]


def test_feishu_message_answered_once_per_event_id(service: Service, built: Built) -> None:
    eid = uuid.uuid4().hex
    for _ in range(2):
        assert service.post("/feishu/events", _message("/why 99", eid)).status_code == 200
    assert service.fake.wait_for(lambda: bool(_replies_to(service.fake, f"om_{eid}")), timeout=10)
    time.sleep(0.5)  # a second answer would come right behind the first
    replies = _replies_to(service.fake, f"om_{eid}")
    assert len(replies) == 1
    text = json.dumps(replies[0].content, ensure_ascii=False)
    assert re.search(rf"1\D{{1,12}}{len(items(built.digest))}\b", text), text


def test_feishu_stats_is_for_admins_only(service: Service) -> None:
    eid = uuid.uuid4().hex
    assert service.post("/feishu/events", _message("/stats", eid)).status_code == 200
    assert service.fake.wait_for(lambda: bool(_replies_to(service.fake, f"om_{eid}")), timeout=10)
    text = json.dumps(_replies_to(service.fake, f"om_{eid}")[0].content, ensure_ascii=False)
    assert "管理员" in text


def test_feishu_event_with_wrong_token_gets_no_reply(service: Service) -> None:
    eid = uuid.uuid4().hex
    r = service.post("/feishu/events", _message("/help", eid, token="wrong"))
    assert 400 <= r.status_code < 500
    time.sleep(0.5)
    assert not _replies_to(service.fake, f"om_{eid}")


# -- push while serve runs; env wins over the file ----------------------------------------------


def test_push_goes_to_env_chats_once(service: Service, built: Built) -> None:
    hook = service.fake.hook_url("hooktoken1")
    env = {
        **built.env,
        "FEISHU_APP_ID": service.fake.app_id,
        "FEISHU_APP_SECRET": service.fake.app_secret,
        "FEISHU_DOMAIN": service.fake.url,
        "FEISHU_CHAT_IDS": "oc_env_1,oc_env_2",
        "FEISHU_WEBHOOK_URL": hook,
    }
    cfg = built.world.variant("push.yaml", feishu={"chats": ["oc_from_file"]})
    proc = aidaily(
        "push",
        "--config",
        str(cfg),
        "--date",
        D,
        "--channel",
        "feishu",
        cwd=built.world.root,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    chats = {m.chat_id for m in service.fake.messages}
    assert chats == {"oc_env_1", "oc_env_2"}, chats
    assert service.fake.hook_posts["hooktoken1"], "the webhook got the digest"
    sent = len(service.fake.messages), len(service.fake.hook_posts["hooktoken1"])
    again = aidaily("push", "--config", str(cfg), "--date", D, cwd=built.world.root, env=env)
    assert again.returncode == 0, again.stderr
    assert (len(service.fake.messages), len(service.fake.hook_posts["hooktoken1"])) == sent


# -- start-up lines and stopping --------------------------------------------------------------------


def test_channel_without_credentials_says_so_once(service: Service) -> None:
    log = service.stderr.read_text("utf-8", "replace")
    off = [ln for ln in log.splitlines() if "telegram" in ln.lower() and "off" in ln.lower()]
    assert len(off) == 1, log
    assert "TELEGRAM_BOT_TOKEN" in off[0]


def test_sigterm_exits_within_10_s(service: Service) -> None:
    """Runs last in this module: the service is gone afterwards."""
    service.proc.send_signal(signal.SIGTERM)
    started = time.monotonic()
    code = service.proc.wait(timeout=12)
    assert time.monotonic() - started < 10
    assert code == 0
    assert "Traceback" not in service.stderr.read_text("utf-8", "replace")


def test_healthz_200_while_redis_answers_even_if_no_feed_can_be_fetched(
    tmp_path: Path, redis_at: Callable[[int], str], flush_db: Callable[[int], None]
) -> None:
    """A machine with no network: serve starts after the cut-off, its catch-up run fails."""
    flush_db(DB_SCRATCH)
    cfg = tmp_path / "offline.yaml"
    import yaml

    cfg.write_text(
        yaml.safe_dump(
            {
                "digest": {"time": "00:00"},
                "feeds": [feed_entry("gone", "没了", "domestic", (tmp_path / "nope.xml").as_uri())],
            }
        ),
        "utf-8",
    )
    port = free_port()
    env = env_for(REDIS_URL=redis_at(DB_SCRATCH), AIDAILY_HTTP_PORT=str(port))
    proc, _err = start_serve(cfg, env, tmp_path, port)
    try:
        deadline = time.monotonic() + 10
        status = 0
        while time.monotonic() < deadline:  # the catch-up run happens right after start
            status = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code
            if status != 200:
                break
            time.sleep(0.3)
        assert status == 200
    finally:
        stop(proc)
