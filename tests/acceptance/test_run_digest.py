"""`aidaily run`: the digest JSON of CONTRACT.md, exactly, from feeds of our own making."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from tests.acceptance.conftest import (
    DB_SCRATCH,
    Built,
    aidaily,
    assert_one_line_error,
    env_for,
    items,
)
from tests.acceptance.feeds import (
    D0,
    FEEDS,
    GPT6,
    IN_D,
    IN_WINDOW_D,
    IN_WINDOW_D0,
    LINKS,
    MISSING,
    NAMES,
    OUT_OF_D,
    UNDATED,
    D,
    feed_entry,
    write_world,
)

TOP_KEYS = {
    "version",
    "date",
    "timezone",
    "window",
    "generated_at",
    "raw_count",
    "candidate_count",
    "sections",
    "summary",
    "feeds",
    "curator",
}
ITEM_KEYS = {
    "n",
    "id",
    "title",
    "summary",
    "importance",
    "category",
    "reason",
    "tags",
    "source",
    "feed",
    "link",
    "published_at",
    "also_reported_by",
    "score",
}
FEED_KEYS = {"id", "name", "ok", "error", "entries", "in_window", "not_modified", "elapsed_ms"}
CURATOR_KEYS = {
    "kind",
    "model",
    "llm_calls",
    "prompt_tokens",
    "completion_tokens",
    "cache_hits",
    "fallbacks",
}
OFFSET = re.compile(r"[+-]\d\d:\d\d$")


def _aware(text: str) -> datetime:
    assert isinstance(text, str) and OFFSET.search(text), text
    when = datetime.fromisoformat(text)
    assert when.tzinfo is not None
    return when


# -- the shape ---------------------------------------------------------------------------


def test_top_level_fields_and_types(built: Built) -> None:
    d = built.digest
    assert set(d) >= TOP_KEYS, TOP_KEYS - set(d)
    assert d["version"] == 1
    assert d["date"] == D
    assert d["timezone"] == "Asia/Shanghai"
    assert isinstance(d["raw_count"], int) and isinstance(d["candidate_count"], int)
    assert isinstance(d["summary"], str) and d["summary"].strip()
    assert set(d["sections"]) >= {"domestic", "international"}
    _aware(d["generated_at"])


def test_window_is_cutoff_minus_hours_with_offset(built: Built) -> None:
    assert built.digest["window"] == {
        "start": "2026-03-09T08:00:00+08:00",
        "end": "2026-03-10T08:00:00+08:00",
    }
    assert built.digest0["window"]["end"] == "2026-03-09T08:00:00+08:00"


def test_items_have_every_field_with_its_type(built: Built) -> None:
    all_items = items(built.digest)
    assert all_items
    for it in all_items:
        assert set(it) >= ITEM_KEYS, ITEM_KEYS - set(it)
        assert isinstance(it["n"], int)
        for key in ("id", "title", "summary", "category", "reason", "source", "feed", "link"):
            assert isinstance(it[key], str) and it[key].strip(), (key, it)
        assert it["importance"] in ("high", "medium", "low")
        assert isinstance(it["tags"], list) and all(isinstance(t, str) for t in it["tags"])
        _aware(it["published_at"])
        score = it["score"]
        assert isinstance(score["total"], (int, float))
        assert isinstance(score["parts"], dict) and score["parts"]
        assert all(isinstance(v, (int, float)) for v in score["parts"].values())
        for m in it["also_reported_by"]:
            assert {"source", "feed", "link", "title"} <= set(m), m


def test_item_ids_are_unique_and_stable(built: Built, tmp_path: Path) -> None:
    ids = [it["id"] for it in items(built.digest)]
    assert len(ids) == len(set(ids))
    # A second, independent build of the same feeds gives the same ids for the same links.
    world = write_world(tmp_path)
    out = tmp_path / "again.json"
    proc = aidaily(
        "run", "--config", str(world.config), "--date", D, "--json", str(out), cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    again = {it["link"]: it["id"] for it in items(json.loads(out.read_text("utf-8")))}
    assert again == {it["link"]: it["id"] for it in items(built.digest)}


def test_numbering_is_1_to_n_domestic_first(built: Built) -> None:
    for d in (built.digest, built.digest0):
        dom, intl = d["sections"]["domestic"], d["sections"]["international"]
        assert [it["n"] for it in dom + intl] == list(range(1, len(dom) + len(intl) + 1))


def test_feeds_status_list(built: Built) -> None:
    feeds = built.digest["feeds"]
    assert [f["id"] for f in feeds] == [*FEEDS, MISSING[0]]
    for f in feeds:
        assert set(f) >= FEED_KEYS, FEED_KEYS - set(f)
        assert isinstance(f["ok"], bool) and isinstance(f["not_modified"], bool)
        assert isinstance(f["entries"], int) and isinstance(f["in_window"], int)
        assert isinstance(f["elapsed_ms"], int) and f["elapsed_ms"] >= 0
        assert f["in_window"] == IN_WINDOW_D[f["id"]], f
        if f["ok"]:
            assert f["error"] is None and f["entries"] >= f["in_window"]
        else:
            assert isinstance(f["error"], str) and f["error"].strip()
            assert f["entries"] == 0
    status = {f["id"]: f for f in feeds}
    assert not status["broken"]["ok"] and not status["missing"]["ok"]
    assert all(status[k]["ok"] for k in ("cn_a", "cn_b", "en_a", "en_b"))
    assert status["cn_a"]["name"] == "国内甲"


def test_curator_block_without_llm(built: Built) -> None:
    c = built.digest["curator"]
    assert set(c) >= CURATOR_KEYS, CURATOR_KEYS - set(c)
    assert c["kind"] == "heuristic" and c["model"] is None
    for key in ("llm_calls", "prompt_tokens", "completion_tokens", "cache_hits", "fallbacks"):
        assert c[key] == 0, key


# -- what goes in -----------------------------------------------------------------------------


def test_raw_count_is_in_window_entries_before_dedupe(built: Built) -> None:
    assert built.digest["raw_count"] == sum(IN_WINDOW_D.values()) == 12
    assert built.digest0["raw_count"] == sum(IN_WINDOW_D0.values())
    # Two links are reported twice (one exact, one the same story): fewer candidates than entries.
    assert built.digest["candidate_count"] <= built.digest["raw_count"] - 2


def test_window_edges_and_out_of_window(built: Built) -> None:
    links_d = {it["link"] for it in items(built.digest)}
    links_d0 = {it["link"] for it in items(built.digest0)}
    assert "https://cn-a.example.com/p/1006" in links_d  # exactly at the cut-off: in
    assert "https://cn-a.example.com/p/1005" not in links_d  # exactly at the window start: out
    assert "https://cn-a.example.com/p/1005" in links_d0  # ... and in the day before's
    assert not links_d & OUT_OF_D
    assert "https://cn-a.example.com/p/1004" in links_d0


def test_every_item_of_our_feeds_is_selected_once(built: Built) -> None:
    """Eleven AI stories, quotas of 14 + 13: each story shows up exactly once."""
    links = [it["link"] for it in items(built.digest)]
    assert len(links) == len(set(links))
    assert set(links) >= IN_D, IN_D - set(links)
    assert len(set(links) & GPT6) == 1, "one story told by two feeds is one item"


def test_links_are_canonical_http_and_from_the_entry(built: Built) -> None:
    for d in (built.digest, built.digest0):
        for it in items(d):
            for ref in [it, *it["also_reported_by"]]:
                link = ref["link"]
                assert link.startswith(("http://", "https://")), link
                assert "utm_" not in link and "spm=" not in link, link
                assert link in LINKS, f"{link} is not the link of any entry we wrote"
                assert ref["feed"] in LINKS[link], (ref["feed"], link)
                assert ref["source"] == NAMES[ref["feed"]], ref
    texts = json.dumps(built.digest, ensure_ascii=False)
    assert "javascript:" not in texts
    assert "https://cn-a.example.com/p/1001?id=7" in {it["link"] for it in items(built.digest)}


def test_same_link_in_two_feeds_is_one_item(built: Built) -> None:
    same = [it for it in items(built.digest) if it["link"] == "https://cn-a.example.com/p/1007"]
    assert len(same) == 1
    assert same[0]["feed"] in ("cn_a", "cn_b")


def test_same_story_from_two_feeds_is_also_reported_by(built: Built) -> None:
    (story,) = [it for it in items(built.digest) if it["link"] in GPT6]
    others = story["also_reported_by"]
    assert len(others) == 1
    (other,) = others
    assert other["link"] in GPT6 - {story["link"]}
    assert other["feed"] != story["feed"]
    assert other["title"].startswith("OpenAI launches GPT-6")


def test_titles_are_the_entry_titles_as_text(built: Built) -> None:
    by_link = {it["link"]: it for it in items(built.digest)}
    assert by_link["https://cn-a.example.com/p/1002"]["title"].startswith("月之暗面完成新一轮融资")
    assert by_link["https://en-a.example.com/2026/03/09/meta-benchmark"]["title"] == (
        "Meta AI model scores <90% on new benchmark & beats rivals"
    )
    assert "<script" not in by_link["https://en-a.example.com/2026/03/09/gemini-4"]["title"]


def test_region_follows_the_feed(built: Built) -> None:
    for it in built.digest["sections"]["domestic"]:
        assert FEEDS[it["feed"]][1] == "domestic", it
    for it in built.digest["sections"]["international"]:
        assert FEEDS[it["feed"]][1] == "international", it


def test_published_at_is_the_entry_time(built: Built) -> None:
    by_link = {it["link"]: it for it in items(built.digest)}
    when = _aware(by_link["https://cn-a.example.com/p/1002"]["published_at"])
    assert when == datetime(2026, 3, 9, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_run_prints_the_report_and_exits_0_with_failed_feeds(built: Built) -> None:
    out = built.run_d.stdout
    assert built.run_d.returncode == 0
    assert D in out and "国内动态" in out and "国际动态" in out
    for it in items(built.digest):
        assert re.search(rf"^\s*{it['n']}[、.]", out, re.M), it["n"]
        assert it["link"] in out
    assert "Traceback" not in built.run_d.stderr


def test_json_matches_show_format_json(built: Built) -> None:
    proc = built.cli("show", "--date", D, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == built.digest


# -- failures ---------------------------------------------------------------------------------


def test_no_feed_fetched_is_exit_1_and_the_previous_digest_stays(
    built: Built, tmp_path: Path
) -> None:
    dead = {
        **built.world.data,
        "feeds": [
            feed_entry("gone1", "没了", "domestic", (tmp_path / "a.xml").as_uri()),
            feed_entry("gone2", "也没了", "international", (tmp_path / "b.xml").as_uri()),
        ],
    }
    cfg = tmp_path / "dead.yaml"
    cfg.write_text(yaml.safe_dump(dead, allow_unicode=True), "utf-8")
    proc = aidaily(
        "run",
        "--config",
        str(cfg),
        "--date",
        D,
        "--json",
        str(tmp_path / "x.json"),
        cwd=tmp_path,
        env=built.env,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert len([ln for ln in proc.stderr.splitlines() if ln.strip()]) == 1, proc.stderr
    after = built.cli("show", "--date", D, "--format", "json")
    assert json.loads(after.stdout) == built.digest


def test_empty_window_gives_an_empty_digest_that_says_so(tmp_path: Path) -> None:
    """Embedded Redis (no REDIS_URL) in a fresh folder: a date with no entries at all."""
    world = write_world(tmp_path)
    out = tmp_path / "empty.json"
    proc = aidaily(
        "run",
        "--config",
        str(world.config),
        "--date",
        "2025-01-01",
        "--json",
        str(out),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    d = json.loads(out.read_text("utf-8"))
    assert d["raw_count"] == 0 and items(d) == []
    assert d["sections"] == {"domestic": [], "international": []}
    assert "2025-01-01" in proc.stdout
    assert re.search(r"没有|暂无|无 ?条|0 ?条", proc.stdout), proc.stdout
    show = aidaily("show", "--config", str(world.config), "--date", "2025-01-01", cwd=tmp_path)
    assert show.returncode == 0 and re.search(r"没有|暂无|无 ?条|0 ?条", show.stdout)


def test_default_date_is_today_in_the_configured_timezone(tmp_path: Path) -> None:
    world = write_world(tmp_path, timezone="Pacific/Kiritimati")  # UTC+14: often not UTC's date
    tz = ZoneInfo("Pacific/Kiritimati")
    before = datetime.now(tz).date()
    out = tmp_path / "today.json"
    proc = aidaily("run", "--config", str(world.config), "--json", str(out), cwd=tmp_path)
    after = datetime.now(tz).date()
    assert proc.returncode == 0, proc.stderr
    d = json.loads(out.read_text("utf-8"))
    assert d["date"] in (before.isoformat(), after.isoformat())
    assert d["window"]["end"].endswith("+14:00")


def test_other_timezone_cutoff_and_window(tmp_path: Path) -> None:
    digest = {"time": "07:30", "window_hours": 12, "domestic": 14, "international": 13, "brief": 2}
    world = write_world(tmp_path, timezone="America/New_York", digest=digest)
    out = tmp_path / "ny.json"
    proc = aidaily(
        "run", "--config", str(world.config), "--date", D, "--json", str(out), cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    d = json.loads(out.read_text("utf-8"))
    # 2026-03-08 is the US change to daylight time: the 10th is at -04:00.
    assert d["window"] == {"start": "2026-03-09T19:30:00-04:00", "end": "2026-03-10T07:30:00-04:00"}
    assert d["timezone"] == "America/New_York"
    # (2026-03-09T23:30Z, 2026-03-10T11:30Z]: only the 小米 entry (01:00Z) and the 腾讯 one (00:00Z).
    assert d["raw_count"] == 2
    for it in items(d):
        assert it["published_at"].endswith("-04:00")


def _undated_config(root: Path, day_time: str) -> Path:
    path = root / "undated.xml"
    path.write_text(UNDATED, "utf-8")
    data = {
        "timezone": "UTC",
        "digest": {"time": day_time, "window_hours": 48},
        "feeds": [feed_entry("nd", "无日期源", "domestic", path.as_uri())],
    }
    cfg = root / "undated.yaml"
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return cfg


def test_undated_entry_is_dated_when_first_seen(
    tmp_path: Path, redis_at: Callable[[int], str], flush_db: Callable[[int], None]
) -> None:
    flush_db(DB_SCRATCH)
    env = env_for(REDIS_URL=redis_at(DB_SCRATCH))
    cfg = _undated_config(tmp_path, "23:59")
    now = datetime.now(ZoneInfo("UTC"))
    # The report whose window holds `now`: today's (cut-off 23:59, 48 h) unless it is 23:59.
    day = now.date() if now.strftime("%H:%M") < "23:59" else now.date() + timedelta(days=1)
    first = tmp_path / "first.json"
    proc = aidaily(
        "run",
        "--config",
        str(cfg),
        "--date",
        day.isoformat(),
        "--json",
        str(first),
        cwd=tmp_path,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    (it,) = items(json.loads(first.read_text("utf-8")))
    seen = datetime.fromisoformat(it["published_at"])
    assert abs((seen - now).total_seconds()) < 120
    # A later run does not make it look new: the same first-seen time, in every window.
    later = (date.fromisoformat(day.isoformat()) + timedelta(days=1)).isoformat()
    second = tmp_path / "second.json"
    proc = aidaily(
        "run", "--config", str(cfg), "--date", later, "--json", str(second), cwd=tmp_path, env=env
    )
    assert proc.returncode == 0, proc.stderr
    again = items(json.loads(second.read_text("utf-8")))
    assert [datetime.fromisoformat(i["published_at"]) for i in again] in ([], [seen])


# -- the environment wins over the file ---------------------------------------------------------


def test_redis_url_env_wins_over_the_file(built: Built, tmp_path: Path) -> None:
    cfg = built.world.variant("dead-redis.yaml", redis={"url": "redis://127.0.0.1:1/0"})
    proc = aidaily(
        "show", "--config", str(cfg), "--date", D, "--format", "json", cwd=tmp_path, env=built.env
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["date"] == D
    # ... and without REDIS_URL the file's (dead) Redis is used.
    proc = aidaily("show", "--config", str(cfg), "--date", D, cwd=tmp_path)
    assert_one_line_error(proc, 1, "127.0.0.1:1")


@pytest.mark.parametrize("var", ["TELEGRAM_BOT_TOKEN", "OPENAI_API_KEY", "FEISHU_APP_SECRET"])
def test_secret_in_file_is_refused(tmp_path: Path, var: str) -> None:
    key = {
        "TELEGRAM_BOT_TOKEN": ("telegram", "token"),
        "OPENAI_API_KEY": ("llm", "api_key"),
        "FEISHU_APP_SECRET": ("feishu", "app_secret"),
    }[var]
    world = write_world(tmp_path)
    data: dict[str, Any] = {**world.data, key[0]: {key[1]: "s3cret"}}
    cfg = world.variant("secret.yaml", **data)
    proc = aidaily("check", "--config", str(cfg), cwd=tmp_path)
    line = assert_one_line_error(proc, 2, key[1])
    assert "s3cret" not in line


def test_keep_days_alone_never_drops_a_digest(tmp_path: Path) -> None:
    """store.keep_days bounds raw entries and caches; digests are the archive, kept forever."""
    world = write_world(tmp_path, store={"keep_days": 1})
    old = "2026-03-07"
    for day in (old, D):
        proc = aidaily("run", "--config", str(world.config), "--date", day, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    kept = aidaily("show", "--config", str(world.config), "--date", old, cwd=tmp_path)
    assert kept.returncode == 0, kept.stderr


def test_keep_digests_days_drops_older_digests(tmp_path: Path) -> None:
    """store.keep_digests_days: 1 — a digest more than a day older than the newest is gone once
    another run stores; one exactly a day older stays (age counts from the newest digest)."""
    world = write_world(tmp_path, store={"keep_days": 1, "keep_digests_days": 1})
    old = "2026-03-07"
    for day in (old, D0, D):
        proc = aidaily("run", "--config", str(world.config), "--date", day, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    for kept in (D, D0):
        assert (
            aidaily("show", "--config", str(world.config), "--date", kept, cwd=tmp_path).returncode
            == 0
        )
    gone = aidaily("show", "--config", str(world.config), "--date", old, cwd=tmp_path)
    assert_one_line_error(gone, 1, old)


def test_check_one_line_each(built: Built, tmp_path: Path) -> None:
    proc = built.cli("check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    names = [ln.split()[0].lower() for ln in lines]
    for name in ("config", "redis", "llm", "telegram", "feishu"):
        assert names.count(name) == 1, (name, proc.stdout)
    services = [ln for ln, name in zip(lines, names, strict=True) if name != "feed"]
    assert all(re.search(r"\bok\b", ln, re.I) for ln in services), proc.stdout
    # One line per feed too (issue 10): the broken and the missing feed fail, the others work.
    feed_lines = [ln for ln, name in zip(lines, names, strict=True) if name == "feed"]
    assert len(feed_lines) == len(built.world.data["feeds"]), proc.stdout
    # A failing feed warns (as in `run`, it is not fatal): the broken and the missing one.
    assert sum(" warn " in ln for ln in feed_lines) == 2, proc.stdout
    assert not any("FAIL" in ln for ln in feed_lines), proc.stdout
    dead = aidaily(
        "check",
        "--config",
        str(built.world.config),
        cwd=tmp_path,
        env=env_for(REDIS_URL="redis://127.0.0.1:1/0"),
    )
    assert dead.returncode == 1
    (redis_line,) = [ln for ln in dead.stdout.splitlines() if ln.lower().startswith("redis")]
    assert "127.0.0.1:1" in redis_line and "Traceback" not in dead.stdout + dead.stderr
