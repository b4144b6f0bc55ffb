"""A story's life on the output topics: which copy is current, what replaces it, what a kill leaves.

Wire services send one story again and again under one id. The last stage
keeps, per story, the state of what it published (`StoryState`, durable in a
Faust table), and `decide` says what a new copy does:

* a newer version is published on `articles.enriched`, with one record per
  quote on `articles.quotes` (`<id>#<n>`) and tombstones for the quote keys
  the previous version had and this one has not;
* an older version, or the same version again, is `superseded`: not published;
* a kill (`canceled`, `withheld`) leaves tombstones for the story and all its
  quote keys, and is final: later copies are superseded;
* a current copy whose embargo lies ahead is `held` until it lifts.

"Newer" compares the story's version first. Equal versions compare the raw
topic position: the same position is a replay of the current copy (published
again: a duplicate, never an older version), and a later position replaces
the current copy only for stories whose feed gives no version at all (plain
JSON repeats, as before versions existed).

The state is written *before* the records are sent and records only what
they are about to publish, so a crash between the two makes a replay publish
the same copy again, while everything older stays superseded.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from pipeline.codec import parse_time
from pipeline.records import EnrichedRecord, Quote, QuotePart

Action = Literal["publish", "superseded", "hold", "withdraw"]


@dataclass(slots=True)
class StoryState:
    """What the last stage published for one story (the value of the `stories` table)."""

    version: int
    raw_partition: int | None = None
    raw_offset: int | None = None
    quotes: int = 0  # quote records published under <id>#0 .. <id>#quotes-1
    killed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> StoryState | None:
        return None if data is None else cls(**data)


@dataclass(slots=True)
class QuoteRecord:
    """One quote of a live story, as `articles.quotes` carries it under `<story id>#<n>`."""

    key: str
    story_id: str
    n: int
    version: int
    headline: str
    published_at: str | None
    text: str
    type: str
    cue: str | None
    speaker: dict[str, Any]
    confidence: float | None = None
    part: QuotePart = "body"  # or "headline": the headline's quotes follow the body's


@dataclass(slots=True)
class Decision:
    """What to do with one copy: the action, the state to store first, and the keys to send."""

    action: Action
    state: StoryState | None
    quotes: list[QuoteRecord] = field(default_factory=list)
    stale_quote_keys: list[str] = field(default_factory=list)  # tombstones on articles.quotes


def quote_key(story_id: str, n: int) -> str:
    return f"{story_id}#{n}"


def decide(record: Any, state: StoryState | None, now: float, *, withdrawn: bool = False) -> Decision:
    """What the copy `record` (an EnrichedRecord, or a kill's article when `withdrawn`) does to the story."""
    if state is not None and state.killed:
        return Decision("superseded", state)
    story, position = record.story, _position(record)
    if withdrawn:
        version = max(story.version, state.version if state else 0)
        stale = [quote_key(record.id, n) for n in range(state.quotes if state else 0)]
        return Decision("withdraw", StoryState(version, *position, quotes=0, killed=True), stale_quote_keys=stale)
    if state is not None and not _newer(story.version, story.version_from, position, state):
        return Decision("superseded", state)
    embargo = parse_time(story.embargoed)
    if embargo is not None and embargo > now:
        return Decision("hold", state)
    quotes = quote_records(record)
    stale = [quote_key(record.id, n) for n in range(len(quotes), state.quotes if state else 0)]
    return Decision("publish", StoryState(story.version, *position, quotes=len(quotes)), quotes, stale)


def _position(record: Any) -> tuple[int | None, int | None]:
    processing = getattr(record, "processing", None)
    source = processing if processing is not None else record
    return source.raw_partition, source.raw_offset


def _newer(version: int, version_from: str, position: tuple[int | None, int | None], state: StoryState) -> bool:
    if version != state.version:
        return version > state.version
    stored = (state.raw_partition, state.raw_offset)
    if position == stored:
        return True  # a replay of the current copy: published again, a duplicate at worst
    if None in position or None in stored or position[0] != stored[0]:
        return version_from == "none"
    return version_from == "none" and position[1] > stored[1]  # type: ignore[operator]


def quote_records(record: EnrichedRecord) -> list[QuoteRecord]:
    """The story's quotes as the quote-tracking records consumers subscribe to: the body's, then
    the headline's (so a body quote keeps its key whether or not the headline reports anything)."""
    return [_quote_record(record, n, quote, part) for n, (part, quote) in enumerate(record.every_quote())]


def _quote_record(record: EnrichedRecord, n: int, quote: Quote, part: QuotePart) -> QuoteRecord:
    speaker = quote.speaker
    return QuoteRecord(
        key=quote_key(record.id, n),
        story_id=record.id,
        n=n,
        version=record.story.version,
        headline=record.headline,
        published_at=record.published_at or record.story.version_created,
        text=quote.text,
        type=quote.type,
        cue=quote.cue,
        speaker={"id": speaker.id, "mention": speaker.mention, "name": speaker.name, "title": speaker.title},
        confidence=getattr(quote, "confidence", None),
        part=part,
    )
