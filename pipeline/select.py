"""Pure selection: which judged stories make the digest, in what order, with which number.

Each candidate judged news goes to the section its judgement names (a piece that
is not news never becomes an item), ranked by score (ties:
newer first, then id). A section takes up to its quota, at most
`max_per_feed` items from one feed while candidates from other feeds are still
waiting; only when those run out does it fill up from the feeds already at
their cap. Items are built from the lead entry (link, source, feed, title,
published_at, id) and only the text fields of the judgement; `n` numbers the
items 1..N across the digest, 国内动态 first.

The day's pool (`pool`) is every news story judged but not picked, per section
in rank order, numbered after the digest's last item: /more shows it, with the
margin that kept each one out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from pipeline.config import DigestSettings
from pipeline.curate.base import Words
from pipeline.models import (
    SECTIONS,
    Candidate,
    Item,
    Judgement,
    Mention,
    PoolItem,
    Region,
    Sections,
)
from pipeline.text import trim_end_punct


def rank_key(pair: tuple[Candidate, Judgement]) -> tuple[float, float, str]:
    """A section's order: score, then newer first, then id."""
    cand, judgement = pair
    return rank_order(judgement.score.total, cand)


def rank_order(total: float, cand: Candidate) -> tuple[float, float, str]:
    """`rank_key` of a candidate whose score totals `total`."""
    return (-total, -cand.lead.published_at.timestamp(), cand.id)


def _pick(
    ranked: Sequence[tuple[Candidate, Judgement]], quota: int, max_per_feed: int
) -> list[int]:
    """Indexes into `ranked` of the chosen, in rank order, with the per-feed cap applied first."""
    chosen: list[int] = []
    waiting: list[int] = []
    per_feed: Counter[str] = Counter()
    for i, (cand, _) in enumerate(ranked):
        if len(chosen) >= quota:
            break
        if per_feed[cand.lead.feed] < max_per_feed:
            per_feed[cand.lead.feed] += 1
            chosen.append(i)
        else:
            waiting.append(i)
    chosen.extend(waiting[: max(0, quota - len(chosen))])
    return sorted(chosen)


def mentions(cand: Candidate) -> list[Mention]:
    """The other sources that reported the story: one report per feed, the lead's feed left out.

    A second entry from the lead's own feed (Bloomberg's video next to its article) is
    not another source; showing it as one would overstate the story's reach.
    """
    out: list[Mention] = []
    seen = {cand.lead.feed}
    for entry in cand.others:
        if entry.feed not in seen:
            seen.add(entry.feed)
            out.append(
                Mention(source=entry.source, feed=entry.feed, link=entry.link, title=entry.title)
            )
    return out


def build_item(n: int, cand: Candidate, judgement: Judgement, words: Words | None = None) -> Item:
    """An item from the lead entry and the judgement's text fields (never a curator's link);
    `words` first writes them when the curator deferred them (`Verdicts.words`)."""
    if words is not None:
        judgement = words(cand, judgement)
    lead = cand.lead
    return Item(
        n=n,
        id=cand.id,
        title=lead.title,
        summary=judgement.summary,
        importance=judgement.importance,
        category=judgement.category,
        reason=judgement.reason,
        tags=list(judgement.tags),
        source=lead.source,
        feed=lead.feed,
        link=lead.link,
        published_at=lead.published_at,
        also_reported_by=mentions(cand),
        score=judgement.score.model_copy(deep=True),
        feedback=list(judgement.feedback),
    )


def _quota(cfg: DigestSettings, section: Region) -> int:
    return cfg.domestic if section == "domestic" else cfg.international


Ranked = list[tuple[Candidate, Judgement]]

# The pool keeps at most this many stories per section: /more pages through five at a
# time (ten pages), and a day's pool stays under ~100 KB however many entries came in.
POOL_PER_SECTION = 50


def rank(
    candidates: Sequence[Candidate], judgements: Mapping[str, Judgement]
) -> dict[Region, Ranked]:
    """The news candidates of each section, in rank order: what `select` and `pool` take
    (ranked once for both: sorting a big day's 60,000 stories takes ~0.2 s)."""
    by_section: dict[Region, Ranked] = {s: [] for s in SECTIONS}
    seen: set[str] = set()
    for cand in candidates:
        judgement = judgements.get(cand.id)
        # A piece that is not news (an essay, a review, a roundup …) never becomes an item.
        if judgement is None or not judgement.news or cand.id in seen:
            continue
        seen.add(cand.id)
        by_section[judgement.region].append((cand, judgement))
    return {s: sorted(pairs, key=rank_key) for s, pairs in by_section.items()}


def select(
    candidates: Sequence[Candidate],
    judgements: Mapping[str, Judgement],
    cfg: DigestSettings,
    words: Words | None = None,
    *,
    ranked: Mapping[Region, Ranked] | None = None,
) -> Sections:
    """The digest's sections: quotas by region, ranked by score, diversity by feed, numbered.
    `ranked`: `rank(candidates, judgements)`, when the caller has it already."""
    sections = Sections()
    by_section = rank(candidates, judgements) if ranked is None else ranked
    for section, in_rank in by_section.items():
        picked = _pick(in_rank, _quota(cfg, section), cfg.max_per_feed)
        sections.of(section).extend(build_item(0, *in_rank[i], words) for i in picked)
    return renumber(sections)


def pool(
    candidates: Sequence[Candidate],
    judgements: Mapping[str, Judgement],
    sections: Sections,
    limit: int = POOL_PER_SECTION,
    words: Words | None = None,
    *,
    ranked: Mapping[Region, Ranked] | None = None,
) -> list[PoolItem]:
    """The news stories judged but not picked: per section in rank order, numbered after the
    digest's last item, each with its section's 入选线 (the score of the last pick).

    A section with no picks (a quota of 0) has no line to miss, so it has no pool.
    `ranked`: `rank(candidates, judgements)`, when the caller has it already.
    """
    n = len(sections.domestic) + len(sections.international)
    out: list[PoolItem] = []
    by_section = rank(candidates, judgements) if ranked is None else ranked
    for section, in_rank in by_section.items():
        picked = {it.id for it in sections.of(section)}
        if not picked:
            continue
        last, left = _last_pick_and_left(in_rank, picked, limit)
        cutoff = in_rank[last][1].score.total
        for i in left:
            n += 1
            item = build_item(n, *in_rank[i], words)
            extra = {"section": section, "cutoff": cutoff, "capped": i < last}
            out.append(PoolItem.model_validate({**dict(item), **extra}))
    return out


def _last_pick_and_left(in_rank: Ranked, picked: set[str], limit: int) -> tuple[int, list[int]]:
    """Where the last of the `picked` stands in `in_rank`, and where the first `limit` of the
    others stand; read only as far as both are known (a big day ranks ~30,000 a section)."""
    last, found = -1, 0
    left: list[int] = []
    for i, (cand, _) in enumerate(in_rank):
        if cand.id in picked:
            last, found = i, found + 1
        elif len(left) < limit:
            left.append(i)
        if found == len(picked) and len(left) >= limit:
            break
    return last, left


def renumber(sections: Sections) -> Sections:
    """The same items numbered 1..N, domestic first."""
    n = 0
    out = Sections()
    for section in SECTIONS:
        for item in sections.of(section):
            n += 1
            out.of(section).append(item.model_copy(update={"n": n}))
    return out


def reorder(sections: Sections, order: Sequence[str] | None) -> Sections:
    """Items named in `order` first, in that order, within their section; the rest keep theirs."""
    if not order:
        return renumber(sections)
    rank = {item_id: i for i, item_id in reversed(list(enumerate(order)))}
    out = Sections()
    for section in SECTIONS:
        items = sections.of(section)
        named = sorted((it for it in items if it.id in rank), key=lambda it: rank[it.id])
        out.of(section).extend([*named, *(it for it in items if it.id not in rank)])
    return renumber(out)


def day_summary(raw_count: int, sections: Sections, highlights: Sequence[str]) -> str:
    """The day's one-paragraph summary, in the reference report's words."""
    domestic, international = len(sections.domestic), len(sections.international)
    if domestic + international == 0:
        return f"今日从{raw_count}条原始信息中未筛选出符合条件的AI动态。"
    high = sum(1 for it in (*sections.domestic, *sections.international) if it.importance == "high")
    text = (
        f"今日从{raw_count}条原始信息中精选出{domestic}条国内动态和{international}条国际动态，"
        f"其中{high}条为高重要性。"
    )
    phrases = [p for p in (_phrase(h) for h in highlights[:3]) if p]
    if phrases:
        text += "重点关注：" + "；".join(phrases) + "。"
    return text


def _phrase(text: str) -> str:
    return trim_end_punct(" ".join(text.split()))
