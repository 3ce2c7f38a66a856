"""Plain data shared by the pipeline and the bots: no I/O here.

`Entry` is one fetched feed entry, normalised once at the edge (parse.py).
`Candidate` is a story: one or more entries about the same thing (dedupe.py).
`Judgement` is what a curator says of a candidate. `Item` is a selected story as
it appears in the digest, and `Digest` is the stored day (README, "The digest JSON").
`PoolItem` is a judged news story of the day that the digest left out (/more).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from pipeline.errors import FeedErrorKind

Region = Literal["domestic", "international"]
Importance = Literal["high", "medium", "low"]

CATEGORIES: tuple[str, ...] = (
    "重大产品发布",
    "重大商业动态",
    "重大学术突破",
    "安全与伦理",
    "重大政策与法规",
    "行业应用",
    "其他",
)

IMPORTANCE_EMOJI: dict[str, str] = {"high": "🔥", "medium": "📌", "low": "📄"}
SECTION_TITLES: dict[str, str] = {"domestic": "国内动态", "international": "国际动态"}
SECTIONS: tuple[Region, ...] = ("domestic", "international")

DIGEST_VERSION = 1


ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_date(text: str) -> date | None:
    """`text` as a date when it is exactly YYYY-MM-DD and a real day, else None."""
    if not ISO_DATE_RE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def __setstate__(self, state: dict[Any, Any]) -> None:
        """Unpickled (from a parse or judge worker): a model that sets every field shares
        one set of its class's field names instead of a set of its own (~0.7 KB of an
        entry's ~1.9 KB, ~0.9 KB of a judgement's 2.4 KB; 70 and 55 MB of a 100,000-entry
        run). Adding a name to it, as setting a field does, is a no-op; `model_copy`
        copies it."""
        super().__setstate__(state)
        shared_fields(self)


_EVERY_FIELD: dict[type[BaseModel], set[str]] = {}
M = TypeVar("M", bound=BaseModel)


def shared_fields(model: M) -> M:
    """`model`, sharing its class's one set of field names when it sets every field, instead
    of a set of its own (~0.2 KB: a big day makes 60,000 stories and their judgements).
    Adding a name to the shared set, as setting a field does, is a no-op; `model_copy`
    copies it."""
    every = _EVERY_FIELD.get(type(model))
    if every is None:
        every = _EVERY_FIELD.setdefault(type(model), set(type(model).model_fields))
    if model.__pydantic_fields_set__ == every:
        object.__setattr__(model, "__pydantic_fields_set__", every)
    return model


class Entry(_Model):
    """One feed entry after normalisation: plain text, canonical link, UTC time."""

    id: str  # stable: hash of the canonical link (or of feed + guid when it has none)
    feed: str
    source: str
    region: Region
    weight: float = 1.0
    title: str
    summary: str = ""
    link: str
    published_at: datetime  # aware, UTC
    dated: bool = True  # False: the feed gave no date; published_at is when we first saw it
    lang: Literal["zh", "en"] = "en"

    @property
    def content_hash(self) -> str:
        from pipeline.ids import content_hash

        return content_hash(self.title, self.summary)


class Candidate(_Model):
    """A story: the lead entry plus the other entries that report the same thing."""

    id: str  # the lead entry's id
    lead: Entry
    others: list[Entry] = Field(default_factory=list)

    @property
    def entries(self) -> list[Entry]:
        return [self.lead, *self.others]

    @property
    def source_count(self) -> int:
        if not self.others:  # most stories of a big day: asked for each, tens of thousands
            return 1
        return len({e.feed for e in self.entries})


class ScoreParts(_Model):
    total: float
    parts: dict[str, float] = Field(default_factory=dict)


class Approval(_Model):
    """The team's votes over 30 days on one source or category (`digest.feedback`).

    Stored with the item whose score it nudged, so `/why` can say so
    ("团队近30天对 36氪 的好评率 82%").
    """

    of: Literal["source", "category"]
    name: str  # the source's name, or the category
    up: int
    down: int

    @property
    def rate(self) -> float:
        """The share of 👍 among the votes (0..1)."""
        return self.up / max(self.up + self.down, 1)


class Judgement(_Model):
    """A curator's verdict on one candidate. Never carries a link or a source."""

    importance: Importance
    category: str
    reason: str
    tags: list[str] = Field(default_factory=list)
    summary: str
    region: Region
    score: ScoreParts
    by: Literal["heuristic", "llm"] = "heuristic"
    # False: the piece is not news (an essay, a review, a promotion …): never an item.
    news: bool = True
    # The team's votes that nudged `score` (its part "feedback"), set by the run
    # (pipeline.feedback) after judging: never a curator's word, so never dumped or cached.
    feedback: list[Approval] = Field(default_factory=list, exclude=True)


class Mention(_Model):
    source: str
    feed: str
    link: str
    title: str


class Item(_Model):
    n: int
    id: str
    title: str
    summary: str
    importance: Importance
    category: str
    reason: str
    tags: list[str] = Field(default_factory=list)
    source: str
    feed: str
    link: str
    published_at: datetime
    also_reported_by: list[Mention] = Field(default_factory=list)
    score: ScoreParts
    # The votes that nudged `score` (its part "feedback"); empty when none did.
    feedback: list[Approval] = Field(default_factory=list)


class PoolItem(Item):
    """A judged news story of the day that did not make the digest: the pool /more shows.

    Numbered after the digest's last item (domestic first, then international, each by
    rank), so `/why N` answers for it too. `cutoff` is its section's 入选线: the score
    of the section's last pick. A story that scored at or above the line was kept out
    by the per-feed cap (`capped`), not by its score.
    """

    section: Region
    cutoff: float
    capped: bool = False

    @property
    def margin(self) -> float:
        """How far below the line it scored (0 or less when the per-feed cap kept it out)."""
        return round(self.cutoff - self.score.total, 3)


class FeedStatus(_Model):
    id: str
    name: str
    ok: bool
    error: str | None = None  # one English line, for the log and the JSON
    error_kind: FeedErrorKind | None = None  # what a chat is told, in its own words
    entries: int = 0
    in_window: int = 0
    not_modified: bool = False
    elapsed_ms: int = 0


class CuratorStats(_Model):
    kind: Literal["heuristic", "llm"] = "heuristic"
    model: str | None = None
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hits: int = 0
    fallbacks: int = 0
    errors: list[str] = Field(default_factory=list)  # one line each: what went wrong, if anything
    # Added after version 1's first fields (readers ignore what they do not know):
    http_requests: int = 0  # every HTTP request to the model, retries included
    fact_check_failures: int = (
        0  # model summaries replaced by the heuristic's (a fact not in the news)
    )
    articles: int = 0  # candidates judged with their article's text, not only the feed excerpt


class Window(_Model):
    start: datetime
    end: datetime


class Sections(_Model):
    domestic: list[Item] = Field(default_factory=list)
    international: list[Item] = Field(default_factory=list)

    def of(self, section: Region) -> list[Item]:
        return self.domestic if section == "domestic" else self.international


class Digest(_Model):
    version: int = DIGEST_VERSION
    date: str  # YYYY-MM-DD, the report date in `timezone`
    timezone: str
    window: Window
    generated_at: datetime
    raw_count: int
    candidate_count: int
    sections: Sections
    summary: str
    feeds: list[FeedStatus] = Field(default_factory=list)
    curator: CuratorStats = Field(default_factory=CuratorStats)

    @property
    def items(self) -> list[Item]:
        """Every item in `n` order: domestic first, then international."""
        return [*self.sections.domestic, *self.sections.international]

    def item(self, n: int) -> Item | None:
        for it in self.items:
            if it.n == n:
                return it
        return None

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)


PushMode = Literal["full", "brief"]
Channel = Literal["telegram", "feishu", "console"]


class ChatSettings(_Model):
    """What a chat asked for with /settings. `push_time` None means `digest.time`."""

    push_time: str | None = None
    mode: PushMode = "full"
    sections: list[Region] = Field(default_factory=lambda: list(SECTIONS))


class Tally(_Model):
    """Votes counted: 👍 and 👎."""

    up: int = 0
    down: int = 0

    @property
    def total(self) -> int:
        return self.up + self.down


class Interests(_Model):
    """A chat's /follow and /mute words: how it sees the one shared digest.

    Followed words rise (🔖) and may pull a judged story of the day into its
    view; muted words and sources are hidden from it. Words are kept as typed.
    """

    follows: list[str] = Field(default_factory=list)
    mutes: list[str] = Field(default_factory=list)
    muted_sources: list[str] = Field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.follows or self.mutes or self.muted_sources)


class Subscriber(_Model):
    channel: Channel
    chat_id: str
    type: str = "private"  # private | group | supergroup | channel
    title: str = ""
    active: bool = True
    since: datetime
    settings: ChatSettings = Field(default_factory=ChatSettings)
