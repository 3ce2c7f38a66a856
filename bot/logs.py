"""Logging for the service: one line per event; JSON when stderr is not a terminal.

Every line passes through `pipeline.redact.SCRUB`: no known secret value is ever logged.

A person watching a terminal reads `08:00:03 INFO  bot.schedule: run 2026-02-03 ok …`;
a log shipper (journald, Docker, Loki) gets one JSON object per line with the
same message plus any structured fields given as `extra={"fields": {...}}`.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import IO, Any

from pipeline.redact import SCRUB

# Libraries that log every HTTP request (PTB polls getUpdates every few seconds):
# at INFO they would drown the one-line-per-event log.
_NOISY = ("httpx", "httpcore", "apscheduler", "uvicorn.access", "telegram.ext", "Lark")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ts, level, logger, msg, and the record's `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": _one_line(record.getMessage()),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            data.update({k: v for k, v in fields.items() if k not in data})
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return SCRUB(json.dumps(data, ensure_ascii=False, default=str))


class TextFormatter(logging.Formatter):
    """Short human lines for a terminal; structured fields appended as key=value."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-5s %(name)s: %(message)s", datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict) and fields:
            text += " " + " ".join(f"{k}={v}" for k, v in fields.items())
        return SCRUB(text)


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " | ")


def setup_logging(
    level: str | int = "INFO", stream: IO[str] | None = None, json_lines: bool | None = None
) -> None:
    """Send every log record to stderr (or `stream`), JSON unless it is a terminal."""
    out = stream or sys.stderr
    if json_lines is None:
        json_lines = not (hasattr(out, "isatty") and out.isatty())
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else level.upper())
    for name in _NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)


def event(logger: logging.Logger, message: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one event line with structured fields (kept as JSON keys, shown as k=v)."""
    logger.log(level, message, extra={"fields": fields})
