"""Hostile config input: a wrong encoding, an endless file, a Redis URL that is not one.

Each is one ConfigError (exit 2) that names the file or the key, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import CONFIG_MAX_BYTES, load_settings, parse_settings
from pipeline.errors import ConfigError


def load_error(path: str, env: dict[str, str] | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_settings(path, env or {})
    assert info.value.exit_code == 2
    return info.value


def test_a_config_that_is_not_utf8_names_the_file(tmp_path: Path) -> None:
    cfg = tmp_path / "gbk.yaml"
    cfg.write_bytes("feeds: []\n# 中文注释\n".encode("gbk"))
    message = str(load_error(str(cfg)))
    assert str(cfg) in message and "UTF-8" in message


def test_an_endless_config_is_read_no_further_than_the_cap() -> None:
    message = str(load_error("/dev/zero"))
    assert "/dev/zero" in message and str(CONFIG_MAX_BYTES) in message


def test_a_config_just_over_the_cap_is_refused(tmp_path: Path) -> None:
    cfg = tmp_path / "big.yaml"
    cfg.write_text("# " + "x" * CONFIG_MAX_BYTES + "\n", encoding="utf-8")
    assert "larger than" in str(load_error(str(cfg)))


def test_a_directory_as_config_is_one_line(tmp_path: Path) -> None:
    assert str(tmp_path) in str(load_error(str(tmp_path)))


@pytest.mark.parametrize("url", ["notaurl", "http://localhost:6379", "localhost:6379"])
def test_a_redis_url_from_the_environment_that_is_not_one_names_redis_url(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_settings({}, {"REDIS_URL": url})
    message = str(info.value)
    assert "redis.url" in message and "REDIS_URL" in message and "redis://" in message


@pytest.mark.parametrize(
    "url", ["redis://localhost:6379/0", "rediss://:pw@example.com:6380/1", "unix:///tmp/r.sock"]
)
def test_real_redis_urls_are_accepted(url: str) -> None:
    assert parse_settings({"redis": {"url": url}}, {}).redis.url == url


def test_digests_are_kept_forever_unless_keep_digests_days_is_set() -> None:
    assert parse_settings({}, {}).store.keep_digests_days is None
    assert parse_settings({"store": {"keep_digests_days": 400}}, {}).store.keep_digests_days == 400
    with pytest.raises(ConfigError, match=r"store\.keep_digests_days"):
        parse_settings({"store": {"keep_digests_days": 0}}, {})
