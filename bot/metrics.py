"""Prometheus metrics of the service, served at `GET /metrics`.

Each `Metrics` owns its own `CollectorRegistry` (never prometheus-client's global
one), so tests and a second app in one process do not clash over names. The
service makes one and passes it in (scheduler, HTTP, commands); code records
through its helpers so label names live here only:

    metrics.observe_command("telegram", "/today", 0.012)

Run and push figures are recorded by the scheduler from `Digest` and `PushReport`
(one push call per channel), so adapters must not count messages again.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.commands import METRIC_LABELS
from pipeline.models import Digest

CONTENT_TYPE = CONTENT_TYPE_LATEST
# Chat commands answer from Redis: most take milliseconds, a slow Redis takes seconds.
COMMAND_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Every metric aidaily exports, registered in one private registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.runs = Counter("aidaily_runs", "Digest runs, by outcome", ["outcome"], registry=r)
        self.feed_failures = Counter(
            "aidaily_feed_failures", "Feeds that failed in a run", ["feed"], registry=r
        )
        self.entries = Counter("aidaily_entries", "In-window entries read by runs", registry=r)
        self.items = Gauge(
            "aidaily_digest_items", "Items in the last digest built", ["section"], registry=r
        )
        self.last_run = Gauge(
            "aidaily_last_run_timestamp_seconds", "When the last run finished", registry=r
        )
        self.llm_calls = Counter("aidaily_llm_calls", "LLM requests made by runs", registry=r)
        self.llm_tokens = Counter(
            "aidaily_llm_tokens", "LLM tokens spent by runs", ["kind"], registry=r
        )
        self.messages_sent = Counter(
            "aidaily_messages_sent", "Message parts delivered", ["channel"], registry=r
        )
        self.messages_failed = Counter(
            "aidaily_messages_failed",
            "Push targets not reached (failed or gone)",
            ["channel", "reason"],
            registry=r,
        )
        self.rate_limited = Counter(
            "aidaily_messages_rate_limited",
            "Rate-limit answers (Telegram 429, Feishu 11232)",
            ["channel"],
            registry=r,
        )
        self.commands = Counter(
            "aidaily_commands", "Chat commands answered", ["channel", "command"], registry=r
        )
        self.command_seconds = Histogram(
            "aidaily_command_seconds",
            "Time to answer a chat command",
            ["channel"],
            buckets=COMMAND_BUCKETS,
            registry=r,
        )
        self.presses = Counter(
            "aidaily_button_presses",
            "Button presses, by kind (bot/buttons.py) and outcome: ok, invalid or stale",
            ["channel", "kind", "outcome"],
            registry=r,
        )
        self.subscribers = Gauge(
            "aidaily_subscribers", "Active subscribed chats", ["channel"], registry=r
        )
        self.http_refused = Counter(
            "aidaily_http_refused",
            "HTTP requests and connections turned away before any work (bot/http_guard.py)",
            ["reason"],
            registry=r,
        )
        self.redis_up = Gauge(
            "aidaily_redis_up", "1 when Redis answered the last health probe", registry=r
        )

    def record_run(self, digest: Digest, finished_at: float) -> None:
        """Count one successful run from the digest it stored."""
        self.runs.labels(outcome="ok").inc()
        self.entries.inc(digest.raw_count)
        for feed in digest.feeds:
            if not feed.ok:
                self.feed_failures.labels(feed=feed.id).inc()
        self.items.labels(section="domestic").set(len(digest.sections.domestic))
        self.items.labels(section="international").set(len(digest.sections.international))
        self.llm_calls.inc(digest.curator.llm_calls)
        self.llm_tokens.labels(kind="prompt").inc(digest.curator.prompt_tokens)
        self.llm_tokens.labels(kind="completion").inc(digest.curator.completion_tokens)
        self.last_run.set(finished_at)

    def record_failed_run(self) -> None:
        """Count a run that stored nothing (no feed could be fetched, or a crash)."""
        self.runs.labels(outcome="failed").inc()

    def record_push(self, channel: str, report: Any) -> None:
        """Count one channel's push from its `bot.delivery.PushReport`."""
        self.messages_sent.labels(channel=channel).inc(report.sent)
        if report.failed:
            self.messages_failed.labels(channel=channel, reason="failed").inc(report.failed)
        if report.gone:
            self.messages_failed.labels(channel=channel, reason="gone").inc(report.gone)
        self.rate_limited.labels(channel=channel).inc(report.rate_limited)

    def observe_command(self, channel: str, command: str, seconds: float) -> None:
        """Count one answered chat command and how long it took."""
        name = command.lstrip("/").split("@", 1)[0].lower()
        self.commands.labels(
            channel=channel, command=name if name in METRIC_LABELS else "other"
        ).inc()
        self.command_seconds.labels(channel=channel).observe(seconds)

    def observe_press(self, channel: str, kind: str, outcome: str) -> None:
        """Count one button press (`kind` is a known kind's letter, else "unknown")."""
        self.presses.labels(channel=channel, kind=kind, outcome=outcome).inc()

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)
