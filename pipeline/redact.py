"""Secrets never leave the process: URLs are shown redacted, known secret values scrubbed.

Two layers, because either alone misses something:

- `redact_url` is applied where a URL is *shown* (a store's name, `check`, a log line):
  a password in the userinfo, a token in a webhook path and credential-like query
  parameters become `***`, so `redis://:S3cret@host:6379/0` reads `redis://:***@host:6379/0`.
- `Scrubber` masks any `scheme://user:password@` and replaces every known secret value (from `secrets_of(settings)`) in any
  text on its way out (log lines, CLI errors), which also catches a secret that a
  library echoed inside its own exception message.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

if TYPE_CHECKING:
    from pipeline.config import Settings

MASK = "***"

# Query parameters that carry credentials in the wild (Feishu/Slack hooks, API gateways).
_SECRET_PARAMS = frozenset(
    {"token", "access_token", "key", "api_key", "apikey", "secret", "sign", "password", "sig"}
)
# Path segments after these carry the credential itself (Feishu/Lark and Slack-style hooks).
_TOKEN_AFTER = frozenset({"hook", "hooks"})
# A Telegram bot token in a path: /bot123456:ABC-DEF…
_TG_TOKEN = re.compile(r"(/bot)\d+:[A-Za-z0-9_-]+")
# scheme://user:password@ anywhere in a text, registered or not.
_URL_PASSWORD = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]*:)[^@\s/]+@")
# Shorter values are too likely to be ordinary words to scrub from text.
_MIN_SECRET = 4


def redact_url(url: str) -> str:
    """`url` with its password, path token and credential query parameters masked."""
    try:
        parts = urlsplit(url)
        netloc = _redact_netloc(parts)
    except ValueError:
        return MASK if "@" in url else url
    path = _redact_path(parts.path)
    query = _redact_query(parts.query)
    return urlunsplit((parts.scheme, netloc, path, query, parts.fragment))


def _redact_netloc(parts: SplitResult) -> str:
    netloc = parts.netloc
    if "@" not in netloc:
        return netloc
    userinfo, _, host = netloc.rpartition("@")
    user, has_password, _ = userinfo.partition(":")
    if has_password:
        return f"{user}:{MASK}@{host}"
    return f"{MASK}@{host}" if user else host


def _redact_path(path: str) -> str:
    path = _TG_TOKEN.sub(rf"\1{MASK}", path)
    segments = path.split("/")
    for i in range(1, len(segments)):
        if segments[i - 1].lower() in _TOKEN_AFTER and segments[i]:
            segments[i] = MASK
    return "/".join(segments)


def _redact_query(query: str) -> str:
    if not query:
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    masked = [(k, MASK if k.lower() in _SECRET_PARAMS else v) for k, v in pairs]
    return urlencode(masked, safe="*", quote_via=quote)


def url_secrets(url: str | None) -> list[str]:
    """The secret values inside a URL: its password, path tokens and credential parameters."""
    if not url:
        return []
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return []
    found = [password, unquote(password)] if password else []
    segments = parts.path.split("/")
    found += [seg for prev, seg in itertools.pairwise(segments) if prev in _TOKEN_AFTER]
    found += [m.group(0)[4:] for m in _TG_TOKEN.finditer(parts.path)]
    found += [v for k, v in parse_qsl(parts.query) if k.lower() in _SECRET_PARAMS]
    return [s for s in found if s]


def secrets_of(settings: Settings) -> list[str]:
    """Every secret value the settings hold: credentials and the secrets inside URLs."""
    values: list[str | None] = [
        settings.llm.api_key if settings.llm else None,
        settings.telegram.token,
        settings.telegram.webhook_secret,
        settings.feishu.app_secret,
        settings.feishu.verification_token,
        settings.feishu.encrypt_key,
    ]
    values += [hook.secret for hook in settings.feishu.webhooks]
    urls: list[str | None] = [settings.redis.url, settings.telegram.base_url]
    urls += [settings.llm.base_url if settings.llm else None]
    urls += [hook.url for hook in settings.feishu.webhooks]
    for url in urls:
        values += url_secrets(url)
    return [v for v in values if v]


class Scrubber:
    """Replaces every registered secret value in a text with `***`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        self._secrets.update(s for s in secrets if len(s) >= _MIN_SECRET)

    def __call__(self, text: str) -> str:
        text = _URL_PASSWORD.sub(rf"\1{MASK}@", text)
        # Longest first, so a secret containing another is masked whole.
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, MASK)
        return text


# The process's scrubber: logging and the CLI's error line pass their text through it.
SCRUB = Scrubber()
