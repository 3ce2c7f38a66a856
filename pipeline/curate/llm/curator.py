"""The LLM curator: an editor model behind the Curator protocol, with trust rules in code.

How a run uses it (the rules it applies to answers are in `trust.py`):

1. `judge` has the heuristic judge every candidate first (cheap, and the fallback),
   and looks each candidate up in the Redis cache by (content hash, model,
   PROMPT_VERSION).
2. One call over the day's top titles returns same-story groups, so a Chinese
   and an English report of one event become one item even when they are judged
   in different batches; batches keep a group's members together.
3. For the top misses the article text is fetched (`articles.py`), then the
   misses go to the model in batches sized to `llm.context_tokens` (at most
   `llm.batch_size` entries), `llm.concurrency` calls at a time, each bounded by
   `llm.timeout_s` and the SDK's retries, all by `llm.deadline_s` and the day's
   token budget. A batch that overflows the server's context is split and asked
   again; a server that rejects json_schema is asked in json_object mode.
   Whatever a batch does not deliver falls back, entry by entry, to the heuristic.
4. Each fresh verdict is fact-checked against the story's own text; a verdict
   that names a number or a company the news does not is shown with the
   heuristic's summary and reason (`curator.fact_check_failures`).
5. `conclude` makes one small call for the final order and the 重点关注 phrases;
   the counts of the day summary come from `select.day_summary`, never the model.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from pipeline.config import LLMSettings, Settings
from pipeline.curate.base import Conclusion, EntryReads, Verdicts
from pipeline.curate.heuristic import HeuristicCurator
from pipeline.curate.llm import articles, prompt, trust
from pipeline.curate.llm.client import (
    ANSWER_TOKENS_PER_ENTRY,
    Budget,
    ContextOverflow,
    ModelClient,
    UnsupportedFormat,
    answer_tokens,
    cost_line,
    describe_error,
    estimate_tokens,
    fits,
    messages_tokens,
)
from pipeline.curate.llm.trust import Batch, CachedVerdict
from pipeline.errors import ConfigError, StoreError
from pipeline.ids import short_hash
from pipeline.models import Candidate, CuratorStats, Entry, Item, Judgement, Sections
from pipeline.redact import redact_url
from pipeline.store import Store

__all__ = ["LLMCurator", "check", "cost_line"]

log = logging.getLogger(__name__)

CACHE_ERRORS = (StoreError,)
GROUP_TITLES = 80  # the same-story call sees at most this many of the day's top titles
GROUP_ANSWER_TOKENS = 800
ARTICLE_SHARE = 0.3  # of the time left, at most this much is spent fetching articles
GROUPS_SHARE = 0.25  # … and on the same-story call, so that judging keeps most of it


class LLMCurator:
    """Curator that asks an OpenAI-compatible model, and trusts it only for text and labels."""

    kind = "llm"
    # A run reads nothing of its entries for this curator in advance.
    entry_reader: Callable[[Entry], object] | None = None

    def __init__(
        self, settings: Settings, store: Store, *, heuristic: HeuristicCurator | None = None
    ) -> None:
        if settings.llm is None:
            raise ConfigError("llm: not configured; add an llm: section or set OPENAI_API_KEY")
        self.settings = settings
        self.cfg: LLMSettings = settings.llm
        self.store = store
        self.heuristic = heuristic or HeuristicCurator(settings)
        self._stats = CuratorStats(kind="llm", model=self.cfg.model)
        self._budget = Budget(store, "", self.cfg.max_tokens_per_day)
        self._model = ModelClient(self.cfg, self._stats, self._budget)
        self._notes: dict[str, int] = {}  # one line per distinct problem, with its count
        self._fallback_for: dict[str, list[str]] = {}  # problem line -> what the heuristic covered
        self._fatal: str | None = None
        self._deadline: float | None = None
        self._suspects: set[str] = set()
        self._cancelled = [0, 0]  # calls cancelled in flight, their estimated prompt tokens
        self._cancelled_line = ""
        self._said: set[str] = set()

    # -- protocol ---------------------------------------------------------------

    async def judge(
        self, candidates: Sequence[Candidate], day: date, *, read: EntryReads | None = None
    ) -> Verdicts:
        """A judgement for every candidate: cached, asked, or the heuristic's (`read` is
        unused: `entry_reader` is None)."""
        self._start_clock()
        self._budget.day = day.isoformat()
        await self._budget.load()
        # The heuristic (fallback and objective signals) runs while the cache is read.
        baseline = asyncio.create_task(self.heuristic.judge(candidates, day))
        self._suspects |= {c.id for c in candidates if self._suspect(c)}
        verdicts = await self._cached(candidates)
        base = await baseline
        ranked = sorted(candidates, key=lambda c: -base.judgements[c.id].score.total)
        # The same-story call and the article pages are waited for at the same time.
        grouping = asyncio.create_task(self._story_groups(ranked, day))
        texts = await self._articles([c for c in ranked if c.id not in verdicts])
        groups = await grouping
        if any(c.id not in verdicts for c in candidates):
            verdicts.update(await self._ask(candidates, verdicts, groups, texts, day))
        judgements = {
            c.id: trust.judgement(
                verdicts.get(c.id), base.judgements[c.id], day, suspect=c.id in self._suspects
            )
            for c in candidates
        }
        self._count(verdicts, judgements)
        links = self._peer_links(candidates, verdicts)
        links += [(g[0], x) for g in groups for x in g[1:]]  # already checked in _story_groups
        by_id = {c.id: c for c in candidates}
        links = [(a, b) for a, b in links if trust.plausibly_same(by_id[a], by_id[b])]
        # The model's groups are capped in size (a model lumping everything is refused);
        # the heuristic's own groups, if it makes any, are passed on as it made them.
        same_story = trust.union_groups(links) + [list(g) for g in base.same_story]
        return Verdicts(judgements=judgements, same_story=same_story)

    async def conclude(self, sections: Sections, day: date) -> Conclusion:
        """The model's final order (within importance tiers) and highlights, or the heuristic's."""
        fallback = await self.heuristic.conclude(sections, day)
        items = [*sections.domestic, *sections.international]
        self._suspects |= {it.id for it in items if trust.looks_like_injection(it.title)}
        ranked = [it for it in items if it.id not in self._suspects]
        answer = await self._conclude_answer(ranked, day) if ranked else None
        if answer is None:
            return Conclusion(order=None, highlights=fallback.highlights)
        order, highlights = answer
        return Conclusion(
            order=trust.final_order(sections, order, self._suspects),
            highlights=highlights or fallback.highlights,
        )

    def stats(self) -> CuratorStats:
        """Calls, requests, tokens, cache hits, fallbacks and one line per distinct problem."""
        errors = []
        for line, n in self._notes.items():
            covered = self._fallback_for.get(line)
            text = f"{line}; heuristic used for {', '.join(covered)}" if covered else line
            errors.append(f"{text} (×{n})" if n > 1 else text)
        errors += self.heuristic.stats().errors  # a candidate even the fallback could not judge
        return self._stats.model_copy(update={"errors": errors})

    async def check(self) -> tuple[bool, str]:
        """Reach the model with a tiny completion in the configured json mode: (ok, one line)."""
        if not self.cfg.api_key:
            return False, "LLM: no OPENAI_API_KEY set — the heuristic curator is used"
        started = time.monotonic()
        try:
            async with self._model:
                await self._model.ping()
        except Exception as exc:  # any failure is reported as one line
            return False, describe_error(exc, self.cfg)[0]
        took = time.monotonic() - started
        return True, (
            f"LLM: ok — {self.cfg.model} at {redact_url(self.cfg.base_url)} answered in {took:.1f} s "
            f"(json_mode {self.cfg.json_mode})"
        )

    # -- judge: cache -------------------------------------------------------------

    def _key(self, content_hash: str) -> str:
        return self.store.k.llm(self.cfg.model, prompt.PROMPT_VERSION, content_hash)

    async def _cache_get(self, keys: list[str]) -> list[str | None] | None:
        try:
            return await self.store.llm_cache_get(keys)
        except CACHE_ERRORS as exc:
            self._note(f"LLM: cache unavailable ({type(exc).__name__}); every entry asked afresh")
            return None

    async def _cache_set(self, items: dict[str, str]) -> None:
        try:
            await self.store.llm_cache_set(items, self.settings.store.keep_days)
        except CACHE_ERRORS as exc:
            self._note(f"LLM: cache not written ({type(exc).__name__})")

    async def _cached(self, candidates: Sequence[Candidate]) -> dict[str, CachedVerdict]:
        values = await self._cache_get([self._key(c.lead.content_hash) for c in candidates])
        found: dict[str, CachedVerdict] = {}
        for c, value in zip(candidates, values or [None] * len(candidates), strict=True):
            verdict = trust.load_verdict(value)
            if verdict is not None:
                found[c.id] = verdict
        self._stats.cache_hits += len(found)
        return found

    # -- judge: same-story groups over the day's top titles -------------------------

    async def _story_groups(self, ranked: Sequence[Candidate], day: date) -> list[list[str]]:
        """Same-story groups among the top candidates, from the cache or one call."""
        shown = self._group_titles([c for c in ranked if c.id not in self._suspects], day)
        if len(shown) < 2:
            return []
        by_hash = {c.lead.content_hash: c.id for c in shown}
        key = self._key("groups-" + short_hash(*sorted(by_hash), length=24))
        (cached,) = await self._cache_get([key]) or [None]
        if cached is not None:
            self._stats.cache_hits += 1
            stored = prompt.GroupsAnswer.model_validate_json(cached)
            return self._believed(trust.group_links(stored, by_hash), shown)
        by_short = {f"t{n}": c for n, c in enumerate(shown, 1)}
        messages = prompt.groups_messages(
            [prompt.group_title(s, c.lead.title) for s, c in by_short.items()]
        )
        content = await self._ask_once(
            messages,
            "groups",
            prompt.groups_schema(),
            "same-story grouping",
            share=GROUPS_SHARE,
        )
        if content is None:
            return []
        try:
            answer = prompt.GroupsAnswer.model_validate(trust.extract_json_object(content))
        except Exception as exc:  # an unreadable answer only costs the cross-batch groups
            self._fail(exc, "same-story grouping")
            return []
        as_hashes = [
            [by_short[s].lead.content_hash for s in g if s in by_short] for g in answer.groups
        ]
        await self._cache_set({key: json.dumps({"groups": as_hashes})})
        return self._believed(
            trust.group_links(answer, {s: c.id for s, c in by_short.items()}), shown
        )

    def _believed(
        self, links: list[tuple[str, str]], shown: Sequence[Candidate]
    ) -> list[list[str]]:
        """Groups from the model's pairs that share a concrete fact (`trust.plausibly_same`)."""
        by_id = {c.id: c for c in shown}
        kept = [(a, b) for a, b in links if trust.plausibly_same(by_id[a], by_id[b])]
        refused = [(a, b) for a, b in links if (a, b) not in kept]
        if refused:  # the model's judgement, not a failure of the run: logged, not a curator error
            log.warning(
                "same-story pairs with no shared name, amount or wording, not merged: %s",
                "; ".join(
                    f"{by_id[a].lead.title[:30]} / {by_id[b].lead.title[:30]}"
                    for a, b in refused[:5]
                ),
            )
        return trust.union_groups(kept)

    def _group_titles(self, ranked: Sequence[Candidate], day: date) -> list[Candidate]:
        """The top candidates whose titles fit one call within the context."""
        base = messages_tokens(prompt.groups_messages([]))
        shown: list[Candidate] = []
        for c in ranked[:GROUP_TITLES]:
            cost = estimate_tokens(
                json.dumps(prompt.group_title("t99", c.lead.title), ensure_ascii=False)
            )
            if base + cost + GROUP_ANSWER_TOKENS > self.cfg.context_tokens * 0.9:
                break
            base += cost
            shown.append(c)
        return shown

    # -- judge: asking ---------------------------------------------------------------

    async def _ask(
        self,
        candidates: Sequence[Candidate],
        known: Mapping[str, CachedVerdict],
        groups: list[list[str]],
        texts: Mapping[str, str],
        day: date,
    ) -> dict[str, CachedVerdict]:
        """Ask the model about the cache misses, within concurrency, deadline and budget.

        Batches follow the candidates' order, a same-story group kept together.
        """
        results: dict[str, CachedVerdict] = {}
        if self._fatal:
            return results
        misses = [c for c in candidates if c.id not in known]
        batches = self._batches(misses, groups, texts, day)
        sem = asyncio.Semaphore(self.cfg.concurrency)
        async with self._model:
            tasks = [
                asyncio.create_task(self._run_batch(b, day, texts, sem, results)) for b in batches
            ]
            _done, pending = (
                await asyncio.wait(tasks, timeout=self._remaining()) if tasks else ((), ())
            )
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        if pending:
            self._note(
                f"LLM: deadline of {self.cfg.deadline_s:g} s (llm.deadline_s) reached; "
                "the heuristic judged the rest"
            )
        await self._settle_cancelled()
        return results

    async def _articles(self, misses: Sequence[Candidate]) -> dict[str, str]:
        """Article text by candidate id for the best-scored misses (llm.fetch_articles)."""
        if not self.cfg.fetch_articles or not misses or self._fatal:
            return {}
        timeout = self._remaining() * ARTICLE_SHARE
        return await articles.article_texts(misses, self.settings, self.store, timeout)

    def _batches(
        self,
        misses: Sequence[Candidate],
        groups: list[list[str]],
        texts: Mapping[str, str],
        day: date,
    ) -> list[Batch]:
        """Batches that fit the context; a same-story group stays in one batch; suspects apart."""
        clean = [c for c in misses if c.id not in self._suspects]
        suspect = [c for c in misses if c.id in self._suspects]
        head = messages_tokens(prompt.judge_messages(day, []))
        out: list[Batch] = []
        for units, quarantine in ((_units(clean, groups), False), ([[c] for c in suspect], True)):
            chunk: list[Candidate] = []
            tokens = head
            for unit in units:
                cost = sum(self._entry_tokens(c, texts) for c in unit)
                if chunk and not self._fits(len(chunk) + len(unit), tokens + cost):
                    out.append(Batch.of(chunk, quarantine))
                    chunk, tokens = [], head
                chunk.extend(unit)
                tokens += cost
            if chunk:
                out.append(Batch.of(chunk, quarantine))
        return out

    def _entry_tokens(self, c: Candidate, texts: Mapping[str, str]) -> int:
        data = _entry_data("e99", c, texts.get(c.id, ""))
        return estimate_tokens(json.dumps(data, ensure_ascii=False, indent=1)) + 4

    def _fits(self, n: int, prompt_tokens: int) -> bool:
        return n <= self.cfg.batch_size and fits(self.cfg, prompt_tokens, n)

    def _judge_messages(
        self, batch: Batch, texts: Mapping[str, str], day: date
    ) -> list[dict[str, str]]:
        return prompt.judge_messages(
            day, [_entry_data(s, c, texts.get(c.id, "")) for s, c in batch.by_short.items()]
        )

    async def _run_batch(
        self,
        batch: Batch,
        day: date,
        texts: Mapping[str, str],
        sem: asyncio.Semaphore,
        results: dict[str, CachedVerdict],
    ) -> None:
        """One batch; its verdicts land in `results`. Never raises: failures become notes."""
        async with sem:
            try:
                await self._judge_batch(batch, day, texts, results)
            except Exception as exc:  # one batch must never fail the run
                self._fail(exc, "those entries")

    async def _judge_batch(
        self,
        batch: Batch,
        day: date,
        texts: Mapping[str, str],
        results: dict[str, CachedVerdict],
    ) -> None:
        """Ask about one batch; on a context overflow ask about each half instead."""
        n = len(batch.by_short)
        messages = self._judge_messages(batch, texts, day)
        if not self._may_call(messages, n):
            return
        try:
            content = await self._complete(messages, "judgements", prompt.judge_schema(n), n)
        except ContextOverflow as exc:
            if n == 1:
                raise
            self._note_once(
                "overflow",
                f"LLM: a batch did not fit the server's context ({exc}); batches were split and "
                "asked again — set llm.context_tokens to the server's context size",
            )
            for half in batch.halves():
                await self._judge_batch(half, day, texts, results)
            return
        fresh = trust.read_batch(batch, trust.parse_items(content))
        if len(fresh) < n:
            self._note(
                "LLM: some entries were skipped or garbled in the answer; the heuristic judged them"
            )
        for s, verdict in fresh.items():
            c = batch.by_short[s]
            verdict.unsupported = trust.facts_missing(verdict, c, day, texts.get(c.id, ""))
            self._stats.articles += c.id in texts
        results.update({batch.by_short[s].id: v for s, v in fresh.items()})
        await self._cache_set(
            {
                self._key(batch.by_short[s].lead.content_hash): v.model_dump_json()
                for s, v in fresh.items()
            }
        )

    async def _complete(
        self, messages: list[dict[str, str]], name: str, schema: dict[str, Any], n: int
    ) -> str:
        """One call; a server that rejects json_schema is asked again in object mode (said once)."""
        max_tokens = answer_tokens(self.cfg, messages_tokens(messages), n)
        try:
            return (await self._model.complete(messages, name, schema, max_tokens)).content
        except UnsupportedFormat as exc:
            if self._model.json_mode == "schema":
                self._model.json_mode = "object"
                line = describe_error(exc, self.cfg)[0]
                log.warning("%s", line)
                self._note(f"{line}; this run asked in object mode instead")
        return (await self._model.complete(messages, name, schema, max_tokens)).content

    async def _ask_once(
        self,
        messages: list[dict[str, str]],
        name: str,
        schema: dict[str, Any],
        what: str,
        share: float = 1.0,
    ) -> str | None:
        """One call outside the judge batches, within `share` of the time left."""
        if self._fatal or self._remaining() <= 0 or not self._may_call(messages, 1):
            return None
        try:
            async with self._model:
                return await asyncio.wait_for(
                    self._complete(messages, name, schema, 1), self._remaining() * share
                )
        except Exception as exc:  # the heuristic covers whatever this call would have given
            self._fail(exc, what)
            return None
        finally:
            await self._settle_cancelled()

    def _may_call(self, messages: list[dict[str, str]], n: int) -> bool:
        if self._fatal:
            return False
        estimate = messages_tokens(messages) + ANSWER_TOKENS_PER_ENTRY * n
        if not self._budget.allows(estimate):
            self._note(
                f"LLM: daily token budget of {self.cfg.max_tokens_per_day:,} (llm.max_tokens_per_day) "
                f"reached at {self._budget.used:,}; the heuristic judged the rest"
            )
            return False
        return True

    # -- judge: from verdicts to judgements ---------------------------------------------

    def _suspect(self, c: Candidate) -> bool:
        return trust.looks_like_injection(f"{c.lead.title}\n{c.lead.summary}")

    def _count(
        self, verdicts: Mapping[str, CachedVerdict], judgements: Mapping[str, Judgement]
    ) -> None:
        self._stats.fallbacks += sum(1 for j in judgements.values() if j.by == "heuristic")
        failed = {
            cid: v.unsupported for cid, v in verdicts.items() if v.unsupported and cid in judgements
        }
        if not failed:
            return
        self._stats.fact_check_failures += len(failed)
        for cid, missing in failed.items():
            log.warning("fact check: %s named %s, which its news does not", cid, ", ".join(missing))
        n = len(failed)
        examples = ", ".join(dict.fromkeys(m for ms in failed.values() for m in ms[:2]))
        self._note(
            f"LLM: {n} {'summary' if n == 1 else 'summaries'} failed the fact check "
            f"(not in the news: {examples[:80]}); the heuristic's text was shown"
        )

    def _peer_links(
        self, candidates: Sequence[Candidate], verdicts: Mapping[str, CachedVerdict]
    ) -> list[tuple[str, str]]:
        """Same-story links from the judge answers' hints, among trusted candidates of this run."""
        by_hash: dict[str, list[str]] = {}
        for c in candidates:
            if c.id not in self._suspects:
                by_hash.setdefault(c.lead.content_hash, []).append(c.id)
        return [
            (cid, other)
            for cid, v in verdicts.items()
            if cid not in self._suspects
            for peer in v.peers
            for other in by_hash.get(peer, [])
            if other != cid
        ]

    # -- conclude -------------------------------------------------------------------------

    async def _conclude_answer(
        self, items: list[Item], day: date
    ) -> tuple[list[str], list[str]] | None:
        """(order of item ids, highlights) from the cache or one call; None on any failure."""
        key = self._key(
            "conclude-"
            + short_hash(*(f"{it.id}|{it.importance}|{it.summary}" for it in items), length=24)
        )
        cached = _load_conclusion((await self._cache_get([key]) or [None])[0])
        if cached is not None:
            self._stats.cache_hits += 1
            return cached
        short = {f"k{n}": it for n, it in enumerate(items, 1)}
        messages = prompt.conclude_messages(day, [_item_data(s, it) for s, it in short.items()])
        content = await self._ask_once(
            messages, "conclusion", prompt.conclude_schema(len(short)), "the final ranking"
        )
        if content is None:
            return None
        try:
            answer = prompt.ConcludeAnswer.model_validate(trust.extract_json_object(content))
        except Exception as exc:  # the heuristic's highlights cover any failure
            self._fail(exc, "the final ranking")
            return None
        order = [short[s].id for s in dict.fromkeys(answer.order) if s in short]
        highlights = trust.clean_highlights(answer.highlights)
        value = json.dumps({"order": order, "highlights": highlights}, ensure_ascii=False)
        await self._cache_set({key: value})
        return order, highlights

    # -- clock and notes ------------------------------------------------------------------

    def _start_clock(self) -> None:
        if self._deadline is None:
            self._deadline = time.monotonic() + self.cfg.deadline_s

    def _remaining(self) -> float:
        self._start_clock()
        assert self._deadline is not None
        return max(0.0, self._deadline - time.monotonic())

    async def _settle_cancelled(self) -> None:
        """Charge calls cancelled in flight to the day's budget, and say so once per run."""
        calls, tokens = self._model.take_cancelled()
        if not calls:
            return
        # The server did read those prompts, but a cancelled call gets no usage back:
        # an estimate is charged, and said to be one.
        await self._budget.spend(tokens)
        self._cancelled[0] += calls
        self._cancelled[1] += tokens
        n, t = self._cancelled
        self._notes.pop(self._cancelled_line, None)
        self._cancelled_line = (
            f"LLM: {n} {'call' if n == 1 else 'calls'} cancelled in flight at the deadline "
            f"(~{t:,} prompt tokens, estimated: the server reports none; counted toward "
            "llm.max_tokens_per_day)"
        )
        self._note(self._cancelled_line)

    def _fail(self, exc: BaseException, what: str) -> None:
        if isinstance(exc, asyncio.TimeoutError):
            self._note(
                f"LLM: deadline of {self.cfg.deadline_s:g} s (llm.deadline_s) reached during {what}"
            )
            return
        line, fatal = describe_error(exc, self.cfg)
        log.warning("%s (%s); heuristic used for %s", line, type(exc).__name__, what)
        if not fatal:
            covered = self._fallback_for.setdefault(line, [])
            if what not in covered:
                covered.append(what)
            self._note(line)
        elif self._fatal is None:  # said once, even when concurrent calls all hit it
            self._fatal = line
            self._note(line)

    def _note(self, line: str) -> None:
        self._notes[line] = self._notes.get(line, 0) + 1

    def _note_once(self, kind: str, line: str) -> None:
        """A problem said once per run, in the words of its first occurrence."""
        if kind not in self._said:
            self._said.add(kind)
            self._note(line)


# -- helpers ------------------------------------------------------------------------------


def _units(ranked: Sequence[Candidate], groups: list[list[str]]) -> list[list[Candidate]]:
    """Candidates in order, each same-story group as one unit where its first member stands."""
    group_of = {cid: n for n, g in enumerate(groups) for cid in g}
    placed: set[str] = set()
    by_id = {c.id: c for c in ranked}
    units: list[list[Candidate]] = []
    for c in ranked:
        if c.id in placed:
            continue
        members = groups[group_of[c.id]] if c.id in group_of else [c.id]
        unit = [by_id[m] for m in [c.id, *members] if m in by_id and m not in placed]
        unit = list({u.id: u for u in unit}.values())
        placed.update(u.id for u in unit)
        units.append(unit)
    return units


def _entry_data(short_id: str, c: Candidate, article: str) -> dict[str, str]:
    e = c.lead
    excerpt = e.summary or next((o.summary for o in c.others if o.summary), "")
    return prompt.judge_entry(
        short_id, e.title, e.source, e.published_at.date(), excerpt, e.region, article
    )


def _item_data(short_id: str, it: Item) -> dict[str, str]:
    return {
        "id": short_id,
        "title": it.title[: prompt.TITLE_CHARS],
        "summary": it.summary,
        "importance": it.importance,
        "category": it.category,
    }


def _load_conclusion(value: str | None) -> tuple[list[str], list[str]] | None:
    try:
        data = json.loads(value) if value else None
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return [str(x) for x in data.get("order", [])], [str(x) for x in data.get("highlights", [])]


async def check(settings: Settings) -> tuple[str, bool, str]:
    """`aidaily check`'s LLM probe: ("llm", ok, one line), from a tiny completion."""
    if settings.llm is None:
        return (
            "llm",
            True,
            "off: no llm section and no OPENAI_* variables — the heuristic curator is used",
        )
    if not settings.llm.api_key:
        return "llm", True, "off: OPENAI_API_KEY is not set — the heuristic curator is used"
    curator = LLMCurator(settings, None)  # type: ignore[arg-type]  # check() never touches the store
    ok, line = await curator.check()
    return "llm", ok, line.removeprefix("LLM: ")
