"""Config: a bad key fails at start with one line naming it; the environment wins."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from pipeline.config import load_settings, parse_settings
from pipeline.errors import ConfigError

FEED = {"id": "kr36", "name": "36氪", "url": "https://36kr.com/feed", "region": "domestic"}


def error_of(data: dict, env: dict | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        parse_settings(data, env or {})
    return str(info.value)


def test_defaults_match_the_contract() -> None:
    s = parse_settings({}, {})
    assert s.timezone == "Asia/Shanghai"
    assert (
        s.digest.time,
        s.digest.window_hours,
        s.digest.domestic,
        s.digest.international,
        s.digest.brief,
    ) == (
        "08:00",
        24,
        14,
        13,
        5,
    )
    assert (s.fetch.timeout_s, s.fetch.max_bytes, s.fetch.concurrency) == (15, 5_000_000, 16)
    assert s.store.keep_days == 90
    assert s.llm is None and not s.llm_enabled
    assert not s.telegram_enabled and not s.feishu_enabled
    assert (s.server.host, s.server.port) == ("127.0.0.1", 8080)


def test_bad_region_names_the_key_and_the_choices() -> None:
    feeds = [dict(FEED, id=f"f{i}") for i in range(3)] + [dict(FEED, id="f3", region="cn")]
    assert (
        error_of({"feeds": feeds})
        == "feeds[3].region: expected domestic or international, got 'cn'"
    )


def test_duplicate_feed_ids_are_rejected() -> None:
    msg = error_of({"feeds": [FEED, dict(FEED, url="https://x.example/feed")]})
    assert "duplicate id 'kr36'" in msg and "feeds[1]" in msg


def test_unknown_keys_are_rejected_with_their_path() -> None:
    assert error_of({"digest": {"tiem": "08:00"}}).startswith("digest.tiem: unknown key")
    assert error_of({"colour": "blue"}).startswith("colour: unknown key")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone: unknown IANA time zone"),
        ({"digest": {"time": "8am"}}, "digest.time: expected HH:MM"),
        ({"digest": {"window_hours": 0}}, "digest.window_hours:"),
        ({"feeds": [dict(FEED, id="Bad Id")]}, "feeds[0].id: expected [a-z0-9_-]+"),
        (
            {"feeds": [dict(FEED, url="ftp://x/feed")]},
            "feeds[0].url: expected an http(s):// or file:// URL",
        ),
        ({"llm": {"json_mode": "xml"}}, "llm.json_mode: expected schema or object"),
        ({"fetch": {"concurrency": "many"}}, "fetch.concurrency:"),
    ],
)
def test_each_bad_value_names_its_key(data: dict, expected: str) -> None:
    msg = error_of(data)
    assert msg.startswith(expected), msg
    assert "\n" not in msg


def test_secrets_in_the_file_are_refused() -> None:
    assert "TELEGRAM_BOT_TOKEN" in error_of({"telegram": {"token": "123:abc"}})


def test_environment_wins_over_the_file() -> None:
    env = {
        "REDIS_URL": "redis://r:6380/1",
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_MODEL": "deepseek-chat",
        "TELEGRAM_BOT_TOKEN": "1:x",
        "FEISHU_CHAT_IDS": "oc_a, oc_b",
        "FEISHU_WEBHOOK_URL": "https://open.feishu.cn/open-apis/bot/v2/hook/abc",
        "FEISHU_WEBHOOK_SECRET": "s3",
        "AIDAILY_HTTP_PORT": "9090",
    }
    s = parse_settings(
        {"redis": {"url": "redis://file:6379/0"}, "llm": {"model": "gpt-4o-mini"}}, env
    )
    assert s.redis.url == "redis://r:6380/1"
    assert s.llm is not None and s.llm.model == "deepseek-chat" and s.llm_enabled
    assert s.telegram_enabled
    assert s.feishu.chats == ["oc_a", "oc_b"]
    assert s.feishu.webhooks[0].secret == "s3" and s.feishu_enabled
    assert s.server.port == 9090


def test_window_is_cutoff_minus_hours_in_local_time() -> None:
    s = parse_settings({"digest": {"time": "08:00", "window_hours": 24}}, {})
    start, end = s.window(date(2026, 2, 3))
    assert end.isoformat() == "2026-02-03T08:00:00+08:00"
    assert start.isoformat() == "2026-02-02T08:00:00+08:00"
    assert s.today(datetime.fromisoformat("2026-02-02T23:30:00+00:00")) == date(2026, 2, 3)


def test_load_reports_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(str(tmp_path / "nope.yaml"), env={})
    bad = tmp_path / "bad.yaml"
    bad.write_text("feeds: [\n  - id: x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML at line"):
        load_settings(str(bad), env={})


def test_relative_file_urls_resolve_against_the_config_folder(tmp_path: Path) -> None:
    cfg = tmp_path / "demo.yaml"
    cfg.write_text(
        "feeds:\n  - {id: a, name: A, url: 'file://feeds/a.xml', region: domestic}\n",
        encoding="utf-8",
    )
    s = load_settings(str(cfg), env={})
    assert s.feeds[0].url == (tmp_path / "feeds" / "a.xml").as_uri()


def test_an_unquoted_yaml_time_is_read_as_the_time_it_says() -> None:
    """YAML 1.1 turns `time: 10:00` into 600 (base 60); it can only mean 10:00."""
    assert parse_settings({"digest": {"time": 600}}, {}).digest.time == "10:00"


def test_a_bad_value_from_the_environment_names_the_variable() -> None:
    msg = error_of({}, {"AIDAILY_HTTP_PORT": "abc"})
    assert msg.startswith("server.port:") and "AIDAILY_HTTP_PORT" in msg


def test_the_callers_mapping_is_left_as_given() -> None:
    data = {"redis": {"url": "redis://file:6379/0"}}
    parse_settings(data, {"REDIS_URL": "redis://env:6379/0"})
    assert data == {"redis": {"url": "redis://file:6379/0"}}


def test_one_webhook_in_the_file_and_the_environment_is_one_target() -> None:
    url = "https://open.feishu.cn/open-apis/bot/v2/hook/abc"
    env = {"FEISHU_WEBHOOK_URL": url, "FEISHU_WEBHOOK_SECRET": "s3"}
    s = parse_settings({"feishu": {"webhooks": [{"url": url}]}}, env)
    assert [(h.url, h.secret) for h in s.feishu.webhooks] == [(url, "s3")]


def test_redis_cluster_comes_from_the_file_or_redis_cluster_env() -> None:
    assert parse_settings({}, {}).redis.cluster is False
    on = parse_settings({"redis": {"url": "redis://node1:7000/0", "cluster": True}}, {})
    assert on.redis.cluster is True
    env = {"REDIS_URL": "redis://node1:7000/0", "REDIS_CLUSTER": "1"}
    assert parse_settings({}, env).redis.cluster is True


def test_a_cluster_needs_a_node_url() -> None:
    with pytest.raises(ConfigError, match=r"^redis: cluster: true needs redis.url"):
        parse_settings({"redis": {"cluster": True}}, {})


@pytest.mark.parametrize(
    ("given", "kept"),
    [("sun 20:00", "sun 20:00"), ("Sunday 07:30", "sun 07:30"), ("MON 00:00", "mon 00:00")],
)
def test_the_weekly_push_is_a_weekday_and_a_time(given: str, kept: str) -> None:
    settings = parse_settings({"digest": {"weekly": given}}, {})
    assert settings.digest.weekly == kept and settings.digest.weekly_at is not None
    assert parse_settings({}, {}).digest.weekly_at is None


@pytest.mark.parametrize("bad", ["sun", "20:00", "sun 25:00", "someday 20:00", "sun 20:00 utc"])
def test_a_bad_weekly_push_is_refused_with_one_line(bad: str) -> None:
    error = error_of({"digest": {"weekly": bad}})
    assert error.startswith("digest.weekly: expected a weekday and a time") and "\n" not in error
    assert (
        error_of({"digest": {"weekly": 5}})
        == "digest.weekly: input should be a valid string, got 5"
    )


def test_feedback_is_on_by_default_and_can_be_turned_off() -> None:
    assert parse_settings({}, {}).digest.feedback is True
    assert parse_settings({"digest": {"feedback": False}}, {}).digest.feedback is False
    assert "digest.feedback" in error_of({"digest": {"feedback": "sometimes"}})


def test_telegram_channels_are_usernames_or_negative_ids() -> None:
    settings = parse_settings(
        {"telegram": {"channels": ["@ai_daily", -1001234567890, "-1009876543210"]}}, {}
    )
    assert settings.telegram.channels == ["@ai_daily", "-1001234567890", "-1009876543210"]
    assert parse_settings({"telegram": {"paid_broadcast": True}}, {}).telegram.paid_broadcast


@pytest.mark.parametrize(
    "channels",
    [["ai_daily"], ["@abc"], ["@" + "a" * 33], ["@ai-daily"], [1001234567890], ["-0"], [True]],
)
def test_a_bad_channel_is_refused_in_one_line_naming_the_key(channels: list[object]) -> None:
    message = error_of({"telegram": {"channels": channels}})
    assert message.startswith("telegram.channels")
    assert "is not a channel" in message and "\n" not in message


def test_a_channel_listed_twice_or_channels_not_a_list_is_refused() -> None:
    assert "telegram.channels: @ai_daily is listed twice" in error_of(
        {"telegram": {"channels": ["@ai_daily", "@ai_daily"]}}
    )
    assert "telegram.channels: expected a list" in error_of({"telegram": {"channels": "@ai_daily"}})
