"""Talking to an OpenAI-compatible server: one call, its budget, and every failure as one line.

`ModelClient.complete` makes one chat completion through the real `openai` SDK
and counts what it cost: every HTTP request (the SDK's retries included, through
an httpx event hook), the tokens the server reports, and calls cancelled at the
deadline. It turns two server answers that real servers give into their own errors:

- `UnsupportedFormat`: the server rejects `response_format: json_schema`
  (llama.cpp-based servers answer 400 or 500; only the message says why). The
  curator then asks in `json_object` mode for the rest of the run and says once
  "set llm.json_mode: object".
- `ContextOverflow`: "request (10288 tokens) exceeds the available context size
  (8192 tokens)". The curator splits the batch and asks again.

Token sizes are estimated before a call (`estimate_tokens`) so that batches and
`max_tokens` fit `llm.context_tokens`; the estimate is deliberately high for
Chinese, and an overflow anyway only costs a split.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import httpx
import openai
from openai.types.chat import ChatCompletionMessageParam

from pipeline.config import LLMSettings
from pipeline.curate.llm import prompt
from pipeline.errors import CuratorError, StoreError
from pipeline.models import CuratorStats
from pipeline.redact import redact_url
from pipeline.store import Store

ANSWER_TOKENS_PER_ENTRY, ANSWER_TOKENS_BASE, ANSWER_TOKENS_MAX = 350, 300, 8000
MIN_ANSWER_TOKENS = 256
CONTEXT_MARGIN = 0.1  # of llm.context_tokens, for the chat template and estimate error

UNSUPPORTED_RE = re.compile(
    r"response_format|json_schema|json schema|structured output|grammar|"
    r"\bschema\b.{0,40}\b(not supported|unsupported|invalid)",
    re.I,
)
OVERFLOW_RE = re.compile(
    r"exceeds? the available context|maximum context length|exceeds? context window"
    r"|context[ _]length[ _]exceeded|context size|too many tokens|prompt is too long",
    re.I,
)
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]+")
_TRIES: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("tries", default=None)


def _will_repeat(message: str) -> bool:
    return bool(UNSUPPORTED_RE.search(message) or OVERFLOW_RE.search(message))


class UnsupportedFormat(CuratorError):
    """The server rejects the response format asked for (json_schema)."""


class ContextOverflow(CuratorError):
    """The request does not fit the server's context window."""


class CallFailed(CuratorError):
    """A call that failed after `tries` HTTP requests; `cause` says why."""

    def __init__(self, cause: BaseException, tries: int) -> None:
        super().__init__(str(cause))
        self.cause, self.tries = cause, tries


def estimate_tokens(text: str) -> int:
    """A high estimate of a text's tokens: ~3 ASCII characters a token, any other character one."""
    ascii_chars = len(_NON_ASCII_RE.sub("", text))
    return ascii_chars // 3 + (len(text) - ascii_chars) + 1


def messages_tokens(messages: Sequence[dict[str, str]]) -> int:
    return sum(estimate_tokens(m["content"]) + 8 for m in messages)


def answer_tokens(cfg: LLMSettings, prompt_tokens: int, n: int) -> int:
    """`max_tokens` for a call about `n` entries: what the answer needs, within the context left."""
    wanted = min(ANSWER_TOKENS_BASE + ANSWER_TOKENS_PER_ENTRY * n, ANSWER_TOKENS_MAX)
    room = int(cfg.context_tokens * (1 - CONTEXT_MARGIN)) - prompt_tokens
    return max(MIN_ANSWER_TOKENS, min(wanted, room))


def fits(cfg: LLMSettings, prompt_tokens: int, n: int) -> bool:
    """True when a prompt of `prompt_tokens` and the answer for `n` entries fit the context."""
    wanted = min(ANSWER_TOKENS_BASE + ANSWER_TOKENS_PER_ENTRY * n, ANSWER_TOKENS_MAX)
    return prompt_tokens + wanted <= cfg.context_tokens * (1 - CONTEXT_MARGIN)


# -- errors: one function turns every failure into one line ---------------------------


def _api_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return " ".join(str(inner["message"]).split())[:160]
        if isinstance(inner, str) and inner.strip():
            return " ".join(inner.split())[:160]
    return " ".join(exc.message.split())[:160]


def _status_line(exc: openai.APIStatusError, cfg: LLMSettings) -> tuple[str, bool]:
    where = redact_url(cfg.base_url)
    if isinstance(exc, openai.AuthenticationError):
        return f"LLM: 401 Unauthorized from {where} — check OPENAI_API_KEY", True
    if isinstance(exc, openai.PermissionDeniedError):
        return f"LLM: 403 Forbidden from {where} — the key may not use model {cfg.model!r}", True
    if isinstance(exc, openai.NotFoundError):
        return (
            f"LLM: model {cfg.model!r} not found at {where} (404: {_api_message(exc)}) "
            "— check llm.model / OPENAI_MODEL and llm.base_url",
            True,
        )
    if isinstance(exc, openai.RateLimitError):
        return (
            f"LLM: 429 rate-limited by {where} after {cfg.max_retries} retries — lower llm.concurrency",
            False,
        )
    if isinstance(exc, openai.BadRequestError):
        return f"LLM: 400 Bad Request from {where}: {_api_message(exc)}", True
    return (
        f"LLM: HTTP {exc.status_code} from {where} after {cfg.max_retries} retries: "
        f"{_api_message(exc)}",
        False,
    )


def _tries(tries: int | None) -> str:
    # How many requests one call made: the SDK retries timeouts and 5xx on its own.
    return f", tried {tries} times" if tries and tries > 1 else ""


def describe_error(exc: BaseException, cfg: LLMSettings) -> tuple[str, bool]:
    """(one line for the user, fatal?) — fatal errors stop every further call of this run."""
    tries: int | None = None
    if isinstance(exc, CallFailed):
        tries = exc.tries
        exc = exc.cause
    said = _tries(tries)
    if isinstance(exc, UnsupportedFormat):
        return (
            f"LLM: {redact_url(cfg.base_url)} does not support response_format json_schema ({exc}) "
            "— set llm.json_mode: object",
            False,
        )
    if isinstance(exc, openai.APIStatusError):
        return _status_line(exc, cfg)
    if isinstance(exc, openai.APITimeoutError):
        return (
            f"LLM: no answer from {redact_url(cfg.base_url)} within {cfg.timeout_s:g} s (llm.timeout_s){said}",
            False,
        )
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc
        why = " ".join(str(cause).split())[:100] or type(cause).__name__
        return (
            f"LLM: cannot reach {redact_url(cfg.base_url)} ({why}) — check llm.base_url / OPENAI_BASE_URL",
            True,
        )
    if isinstance(exc, CuratorError):
        return f"LLM: {exc}", False
    return f"LLM: unexpected {type(exc).__name__}: {exc}", False


def cost_line(stats: CuratorStats) -> str:
    """The one-line cost summary `aidaily run` prints."""
    if stats.kind != "llm":
        return "curator: heuristic (no LLM configured, or no OPENAI_API_KEY)"
    retries = stats.http_requests - stats.llm_calls
    requests = f" ({stats.http_requests} requests, {retries} retried)" if retries > 0 else ""
    line = (
        f"curator: llm {stats.model} — {stats.llm_calls} calls{requests}, "
        f"{stats.prompt_tokens:,} prompt + {stats.completion_tokens:,} completion tokens, "
        f"{stats.cache_hits} cache hits, {stats.fallbacks} heuristic fallbacks"
    )
    if stats.fact_check_failures:
        n = stats.fact_check_failures
        line += f", {n} {'summary' if n == 1 else 'summaries'} failed the fact check"
    if stats.errors:
        more = f" (+{len(stats.errors) - 1} more)" if len(stats.errors) > 1 else ""
        line += f"; {stats.errors[0]}{more}"
    return line


# -- the daily token budget --------------------------------------------------------------


class Budget:
    """Tokens spent on a day, shared by every run of that day through the store."""

    def __init__(self, store: Store | None, day: str, limit: int) -> None:
        self.store, self.day, self.limit, self.used = store, day, limit, 0

    async def load(self) -> None:
        if self.store is None:
            return
        with contextlib.suppress(StoreError):  # then counted locally
            self.used = await self.store.llm_tokens_used(self.day)

    def allows(self, estimate: int) -> bool:
        return self.used + estimate <= self.limit

    async def spend(self, tokens: int) -> None:
        if tokens <= 0:
            return
        try:
            assert self.store is not None
            self.used = await self.store.llm_tokens_add(self.day, tokens)
        except (AssertionError, StoreError):
            self.used += tokens


# -- the client ----------------------------------------------------------------------------


@dataclass
class Answer:
    content: str
    prompt_tokens: int
    completion_tokens: int


class ModelClient:
    """One `openai.AsyncOpenAI` per phase, counting requests, tokens and cancellations into `stats`."""

    def __init__(self, cfg: LLMSettings, stats: CuratorStats, budget: Budget) -> None:
        self.cfg, self.stats, self.budget = cfg, stats, budget
        self.json_mode: str = cfg.json_mode  # "object" once the server refused json_schema
        self.cancelled = 0  # calls cancelled at the deadline
        self.cancelled_tokens = 0  # their estimated prompt tokens (no server reports them)
        self._sdk: openai.AsyncOpenAI | None = None

    async def __aenter__(self) -> ModelClient:
        http = openai.DefaultAsyncHttpxClient(
            event_hooks={"request": [self._on_request], "response": [self._on_response]}
        )
        self._sdk = openai.AsyncOpenAI(
            api_key=self.cfg.api_key or "missing",
            base_url=self.cfg.base_url,
            timeout=self.cfg.timeout_s,
            max_retries=self.cfg.max_retries,
            http_client=http,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._sdk is not None:
            await self._sdk.close()  # closes the httpx client it was given, too
            self._sdk = None

    def take_cancelled(self) -> tuple[int, int]:
        """(calls cancelled in flight, their estimated prompt tokens) since the last take."""
        taken = (self.cancelled, self.cancelled_tokens)
        self.cancelled = self.cancelled_tokens = 0
        return taken

    async def _on_request(self, request: httpx.Request) -> None:
        self.stats.http_requests += 1
        tries = _TRIES.get()
        if tries is not None:
            tries[0] += 1

    async def _on_response(self, response: httpx.Response) -> None:
        # A server error that says what is wrong with the request (json_schema refused,
        # context overflow) will say it again: tell the SDK, through the header it honours
        # for exactly this, not to retry it.
        if response.status_code >= 500:
            await response.aread()
            if _will_repeat(response.text):
                response.headers["x-should-retry"] = "false"

    async def complete(
        self,
        messages: list[dict[str, str]],
        name: str,
        schema: dict[str, Any],
        max_tokens: int,
    ) -> Answer:
        """One chat completion: its answer text, or CallFailed / UnsupportedFormat / ContextOverflow."""
        assert self._sdk is not None, "use `async with ModelClient(...)`"
        self.stats.llm_calls += 1
        tries = [0]
        token = _TRIES.set(tries)
        try:
            resp = await self._sdk.chat.completions.create(
                model=self.cfg.model,
                messages=cast("list[ChatCompletionMessageParam]", messages),
                response_format=cast(Any, prompt.response_format(self.json_mode, name, schema)),
                max_tokens=max_tokens,
                temperature=self.cfg.temperature,
            )
        except asyncio.CancelledError:
            self.cancelled += 1
            self.cancelled_tokens += messages_tokens(messages)
            raise
        except openai.APIStatusError as exc:
            raise self._classify(exc, tries[0]) from exc
        except openai.APIError as exc:
            raise CallFailed(exc, tries[0]) from exc
        finally:
            _TRIES.reset(token)
        return await self._read(resp)

    def _classify(self, exc: openai.APIStatusError, tries: int) -> CuratorError:
        message = _api_message(exc)
        if OVERFLOW_RE.search(message):
            return ContextOverflow(f"HTTP {exc.status_code}: {message}")
        # Whatever the status: llama.cpp says 400, llama-cpp-python 500; the message tells.
        refused = exc.status_code in (400, 422, 500, 501) and UNSUPPORTED_RE.search(message)
        if self.json_mode == "schema" and refused:
            return UnsupportedFormat(f"HTTP {exc.status_code}: {message}")
        return CallFailed(exc, tries)

    async def _read(self, resp: Any) -> Answer:
        """The answer's text; its usage is counted first, even when the text is unusable."""
        usage = resp.usage
        p = (usage.prompt_tokens or 0) if usage else 0
        c = (usage.completion_tokens or 0) if usage else 0
        self.stats.prompt_tokens += p
        self.stats.completion_tokens += c
        await self.budget.spend(p + c)
        if not resp.choices:
            raise CuratorError("answer had no choices")
        choice = resp.choices[0]
        if choice.finish_reason == "length":
            raise CuratorError("answer was cut off at the token limit (JSON truncated)")
        content = choice.message.content
        if not content or not content.strip():
            raise CuratorError("answer was empty")
        return Answer(content, p, c)

    async def ping(self) -> None:
        """A tiny completion in the configured response format (what `aidaily check` sends)."""
        assert self._sdk is not None, "use `async with ModelClient(...)`"
        schema = prompt.ping_schema()
        try:
            await self._sdk.chat.completions.create(
                model=self.cfg.model,
                messages=[
                    {"role": "user", "content": 'Reply with this JSON object only: {"ok": "ok"}'}
                ],
                response_format=cast(Any, prompt.response_format(self.json_mode, "ping", schema)),
                max_tokens=16,
                temperature=self.cfg.temperature,
            )
        except openai.APIStatusError as exc:
            raise self._classify(exc, 1) from exc
