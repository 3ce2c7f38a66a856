"""The aidaily command end to end: real files, a real redis-server, real exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.cluster_too

DAY = "2026-02-03"

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{title}</title><link>https://example.com/</link>
{items}
</channel></rss>"""
ITEM = """<item><title>{title}</title><link>{link}</link>
<description>{desc}</description><pubDate>{date}</pubDate></item>"""


def write_feed(path: Path, title: str, items: list[tuple[str, str, str, str]]) -> str:
    body = "\n".join(ITEM.format(title=t, link=ln, desc=d, date=dt) for t, ln, d, dt in items)
    path.write_text(RSS.format(title=title, items=body), encoding="utf-8")
    return path.as_uri()


@pytest.fixture
def small_config(tmp_path: Path) -> Path:
    cn = write_feed(
        tmp_path / "cn.xml",
        "36氪",
        [
            (
                "智谱发布新一代大模型GLM-5，性能对标GPT-5",
                "https://36kr.com/p/1001?f=rss",
                "2月3日消息，智谱今日发布新一代大模型GLM-5，并宣布开源。",
                "Tue, 03 Feb 2026 07:12:00 +0800",
            ),
            (
                "逐际动力完成2亿美元B轮融资",
                "https://36kr.com/p/1002?utm_source=rss",
                "深圳具身智能机器人公司逐际动力宣布完成2亿美元B轮融资。",
                "Mon, 02 Feb 2026 21:00:00 +0800",
            ),
            (
                "上周的旧闻：某公司发布财报",
                "https://36kr.com/p/900",
                "不在时间窗口内。",
                "Mon, 26 Jan 2026 10:00:00 +0800",
            ),
        ],
    )
    en = write_feed(
        tmp_path / "en.xml",
        "TechCrunch AI",
        [
            (
                "Waymo raises $16B at a $126B valuation",
                "https://techcrunch.com/2026/02/02/waymo-raises/",
                "Waymo raised $16 billion to expand its robotaxi service. More cities follow.",
                "Mon, 02 Feb 2026 18:00:00 GMT",
            ),
        ],
    )
    cfg = tmp_path / "config.yaml"
    cfg.write_text(
        f"""timezone: Asia/Shanghai
digest: {{time: "08:00", window_hours: 24, domestic: 14, international: 13, brief: 5}}
feeds:
  - {{id: kr36, name: 36氪, url: "{cn}", region: domestic}}
  - {{id: techcrunch, name: TechCrunch AI, url: "{en}", region: international}}
  - {{id: gone, name: Gone, url: "{(tmp_path / "missing.xml").as_uri()}", region: international}}
""",
        encoding="utf-8",
    )
    return cfg


@pytest.fixture(autouse=True)
def _env(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("OPENAI_API_KEY", "TELEGRAM_BOT_TOKEN", "FEISHU_APP_ID", "FEISHU_WEBHOOK_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("REDIS_URL", redis_url)


def test_run_prints_the_report_and_stores_the_digest(
    small_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_json = tmp_path / "digest.json"
    code = main(["run", "--config", str(small_config), "--date", DAY, "--json", str(out_json)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert f"AI每日动态 - {DAY}" in out
    assert "国内动态" in out and "国际动态" in out
    assert "https://36kr.com/p/1001" in out and "?f=rss" not in out
    assert "旧闻" not in out
    assert "gone" in err  # the failed feed is named in the summary line
    digest = json.loads(out_json.read_text(encoding="utf-8"))
    assert digest["date"] == DAY and digest["raw_count"] == 3
    assert [i["n"] for s in ("domestic", "international") for i in digest["sections"][s]] == [
        1,
        2,
        3,
    ]
    feeds = {f["id"]: f for f in digest["feeds"]}
    assert feeds["gone"]["ok"] is False and feeds["gone"]["error"]
    assert feeds["kr36"]["entries"] == 3 and feeds["kr36"]["in_window"] == 2

    assert main(["show", "--config", str(small_config), "--date", DAY, "--why", "3"]) == 0
    why = capsys.readouterr().out
    assert "https://techcrunch.com/2026/02/02/waymo-raises/" in why and "TechCrunch AI" in why


def test_show_formats_and_sections(small_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--config", str(small_config), "--date", DAY]) == 0
    capsys.readouterr()
    for fmt in ("text", "markdown", "telegram", "feishu", "json"):
        assert main(["show", "--config", str(small_config), "--format", fmt]) == 0
        assert capsys.readouterr().out.strip()
    assert main(["show", "--config", str(small_config), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["date"] == DAY
    assert main(["show", "--config", str(small_config), "--section", "international"]) == 0
    intl = capsys.readouterr().out
    assert (
        "Waymo" in intl
        and "【国内动态】" not in intl
        and "智谱发布新一代大模型GLM-5，并宣布开源" not in intl
    )


def cli(argv: list[str]) -> int:
    """main() as the shell sees it: argparse's own usage errors exit via SystemExit."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def test_bad_usage_exits_2_with_one_line(
    small_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["run", "--config", str(small_config), "--date", DAY]) == 0
    capsys.readouterr()
    cases = {
        "--why: no item 99": ["show", "--config", str(small_config), "--why", "99"],
        "--format": ["show", "--config", str(small_config), "--format", "pdf"],
        "--date": ["run", "--config", str(small_config), "--date", "2026-13-01"],
        "--why": ["show", "--config", str(small_config), "--why", "abc"],
    }
    for expected, argv in cases.items():
        assert cli(argv) == 2, argv
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "Traceback" not in err, err
        assert expected in err, err


def test_invalid_config_exits_2_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(
        "feeds:\n  - {id: a, name: A, url: 'https://a.example/feed', region: cn}\n",
        encoding="utf-8",
    )
    assert main(["run", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "aidaily run: feeds[0].region: expected domestic or international, got 'cn'"


def test_no_feed_fetched_exits_1_and_keeps_the_previous_digest(
    small_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--config", str(small_config), "--date", DAY]) == 0
    capsys.readouterr()
    dead = tmp_path / "dead.yaml"
    dead.write_text(
        f"feeds:\n  - {{id: a, name: A, url: '{(tmp_path / 'nope.xml').as_uri()}', region: domestic}}\n",
        encoding="utf-8",
    )
    assert main(["run", "--config", str(dead), "--date", DAY]) == 1
    err = capsys.readouterr().err
    assert "no feed could be fetched" in err and len(err.strip().splitlines()) == 1
    assert main(["show", "--config", str(small_config), "--date", DAY, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["raw_count"] == 3


def test_empty_window_gives_an_empty_digest_that_says_so(
    small_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--config", str(small_config), "--date", "2025-06-01"]) == 0
    out = capsys.readouterr().out
    assert "没有符合条件" in out or "未筛选出" in out


def test_unreachable_redis_exits_1_naming_the_url(
    small_config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    assert main(["show", "--config", str(small_config)]) == 1
    err = capsys.readouterr().err
    assert "redis://127.0.0.1:1/0" in err and "Traceback" not in err


def test_chat_answers_commands_from_stdin(small_config: Path, redis_url: str) -> None:
    assert main(["run", "--config", str(small_config), "--date", DAY]) == 0
    env = {**os.environ, "REDIS_URL": redis_url}
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--config", str(small_config)],
        input="/why 1\n/why 99\n/foo\n",
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert "https://36kr.com/p/1001" in proc.stdout or "https://36kr.com/p/1002" in proc.stdout
    assert "/why 1 到 /why 3" in proc.stdout
    assert "/help" in proc.stdout


@pytest.mark.skipif(not (EXAMPLES / "demo.yaml").exists(), reason="examples/demo.yaml not present")
def test_the_demo_day_reads_like_the_reference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--config", str(EXAMPLES / "demo.yaml"), "--date", DAY]) == 0
    out = capsys.readouterr().out
    assert "📋 精简版报告" in out and "📰 完整版报告" in out and "📊 今日总结" in out
    assert "【国内动态】" in out and "【国际动态】" in out
    assert "javascript:" not in out
    assert main(["show", "--config", str(EXAMPLES / "demo.yaml"), "--format", "json"]) == 0
    digest = json.loads(capsys.readouterr().out)
    assert digest["raw_count"] >= 100
    assert (
        len(digest["sections"]["domestic"]) == 14 and len(digest["sections"]["international"]) == 13
    )
    assert any(not f["ok"] for f in digest["feeds"])  # the broken feed is reported
    links = [i["link"] for s in digest["sections"].values() for i in s]
    assert len(set(links)) == len(links)
