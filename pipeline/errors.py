"""One exception root for aidaily.

AidailyError                 everything we raise on purpose; `str(e)` is one line for the user
├── ConfigError              invalid config or flag: exit 2, names the key
├── StoreError               Redis unreachable or refusing: exit 1, names the URL
├── FetchError               one feed could not be fetched (recorded, never fatal to a run)
│   ├── FetchTimeout
│   ├── FetchTooLarge
│   └── FetchHTTPError       .status
├── ParseError               a body yielded no entry and a parse error
├── RunError                 a run could not produce a digest (no feed could be fetched)
├── CuratorError             the LLM failed in a way the heuristic must cover
└── DeliveryError            a push target failed
    ├── RetryLater           .retry_after seconds: rate-limited, wait and try again
    ├── TargetGone           refuses for good (Telegram 403, Feishu 19021/19001): skip it
    └── TransientDelivery    network or 5xx: retry with backoff
"""

from __future__ import annotations

from typing import Literal

# Why a feed failed, as data: the log keeps the English line (`FeedStatus.error`),
# chats show this kind in Chinese (bot.commands.FEED_ERROR_ZH).
FeedErrorKind = Literal[
    "timeout", "too_large", "http", "redirects", "network", "not_a_feed", "other"
]


def describe(exc: BaseException, limit: int = 200) -> str:
    """An exception as one line for a log or an error message: its first line, or its type."""
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:limit]


class AidailyError(Exception):
    """Root of every error aidaily raises on purpose."""

    exit_code = 1


class ConfigError(AidailyError):
    exit_code = 2


class StoreError(AidailyError):
    pass


class FetchError(AidailyError):
    pass


class FetchTimeout(FetchError):
    pass


class FetchTooLarge(FetchError):
    pass


class FetchHTTPError(FetchError):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class ParseError(AidailyError):
    pass


class RunError(AidailyError):
    pass


class CuratorError(AidailyError):
    pass


class DeliveryError(AidailyError):
    pass


class RetryLater(DeliveryError):
    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TargetGone(DeliveryError):
    pass


class TransientDelivery(DeliveryError):
    pass
