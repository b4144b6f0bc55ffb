"""The data classes that flow between stages.

Each stage takes and returns plain dataclasses; `to_dict`/`from_dict` give the
JSON shape that `schemas/` describes, so the same objects travel through Kafka
(via `pipeline.codec`) and through the broker-less `wirestream enrich`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

QuoteType = Literal["direct", "indirect", "mixed"]
QuotePart = Literal["body", "headline"]


PubStatus = Literal["usable", "withheld", "canceled"]
VersionFrom = Literal["document", "versioncreated", "none"]
WireFormat = Literal["json", "ninjs", "newsml-g2"]
BodySource = Literal["body", "description", "headline", "none"]
#: Statuses that withdraw a story (every earlier version must disappear downstream); such a
#: message may come without a body.
WITHDRAWN: frozenset[str] = frozenset({"canceled", "withheld"})


@dataclass(slots=True)
class Story:
    """Which story a message is, which version of it, and the wire's metadata, carried unchanged
    from the raw article to the enriched record (docs/wire-formats.md maps every field per format).

    Wire services send one story many times under one id; `version` orders those copies
    (the document's own number, else `versioncreated` as Unix seconds, else 1) and
    `version_from` says which rule gave it, so consumers know whether numbers compare.
    """

    version: int = 1
    version_from: VersionFrom = "none"
    version_created: str | None = None  # ISO 8601 as the feed gave it
    first_created: str | None = None
    pubstatus: PubStatus = "usable"
    urgency: int | None = None  # 1 (flash) .. 9
    slugline: str | None = None
    byline: str | None = None
    located: str | None = None  # where the story was filed, as the feed names it
    dateline: str | None = None  # the feed's own dateline text (NITF/NewsML-G2), not lifted from the body
    subjects: list[dict[str, Any]] = field(default_factory=list)  # the provider's own, passed through
    embargoed: str | None = None  # ISO 8601 UTC ("...Z"): not to be published before
    correction: bool = False
    format: WireFormat = "json"
    format_version: str | None = None  # "1.x"/"2.x"/"3.x" or the declared standard version
    body_source: BodySource = "body"  # a text item without a body is enriched from its description or headline

    @property
    def withdrawn(self) -> bool:
        """A kill (canceled) or a hold (withheld): the story must not stay published."""
        return self.pubstatus in WITHDRAWN


@dataclass(slots=True)
class RawArticle:
    """One article decoded from `articles.raw` (plain JSON, ninjs or NewsML-G2: `pipeline.formats`).

    `body` is plain text or HTML; it is empty only when the story is withdrawn (`story.withdrawn`).
    """

    body: str
    id: str | None = None
    headline: str | None = None
    source: str | None = None
    url: str | None = None
    published_at: str | None = None
    language: str | None = None
    story: Story = field(default_factory=Story)


@dataclass(slots=True)
class Dateline:
    places: list[str] = field(default_factory=list)
    source: str | None = None
    text: str = ""


@dataclass(slots=True)
class Credits:
    """Bylines from the trailing credit line; these people are not in the story."""

    reporting: list[str] = field(default_factory=list)
    writing: list[str] = field(default_factory=list)
    editing: list[str] = field(default_factory=list)

    def names(self) -> list[str]:
        return [*self.reporting, *self.writing, *self.editing]


@dataclass(slots=True)
class CleanArticle:
    """Stage 1 output: plain text body with paragraphs, dateline and credits lifted out."""

    id: str
    headline: str
    body: str
    paragraphs: list[tuple[int, int]] = field(default_factory=list)
    dateline: Dateline | None = None
    credits: Credits = field(default_factory=Credits)
    language: str = "en"
    language_score: float | None = None
    flags: list[str] = field(default_factory=list)
    source: str | None = None
    url: str | None = None
    published_at: str | None = None
    ingested_at: str | None = None  # when the raw message entered Kafka (its record timestamp)
    # Where the raw message sits in articles.raw: orders unversioned copies of one story, and
    # tells a replay (same position) from a newer copy (later position). None outside the stream.
    raw_partition: int | None = None
    raw_offset: int | None = None
    story: Story = field(default_factory=Story)


@dataclass(slots=True)
class Entity:
    id: str
    text: str
    label: str
    start: int
    end: int
    canonical: str
    country_code: str | None = None
    geonames_id: int | None = None  # GeoNames id of the place, where the gazetteer knows it
    geonames_uri: str | None = None  # https://sws.geonames.org/<id>/


@dataclass(slots=True)
class EntityCluster:
    """One real-world entity in the article, with how often it is mentioned."""

    id: str
    canonical: str
    label: str
    count: int
    mentions: list[str] = field(default_factory=list)
    country_code: str | None = None
    geonames_id: int | None = None
    geonames_uri: str | None = None


@dataclass(slots=True)
class Speaker:
    id: str | None = None
    mention: str | None = None
    name: str | None = None
    title: str | None = None
    entity_id: str | None = None
    start: int | None = None
    end: int | None = None
    confidence: float = 0.0  # calibrated probability that this is who said it (given the quote is right)


@dataclass(slots=True)
class Quote:
    text: str
    type: QuoteType
    start: int
    end: int
    cue: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    speaker: Speaker = field(default_factory=Speaker)
    # The quoted words as (start, end) body offsets: one pair, or one per piece of a quote
    # split by its cue (`"X," he said, "Y."`), so consumers can read it without "he said".
    parts: list[tuple[int, int]] = field(default_factory=list)
    confidence: float = 0.0  # calibrated probability that this is a quote, with about these bounds

    def __post_init__(self) -> None:
        if not self.parts:
            self.parts = [(self.start, self.end)]


@dataclass(slots=True)
class Processing:
    pipeline_version: str
    model: str
    timings_ms: dict[str, float] = field(default_factory=dict)
    content_hash: str = ""
    enriched_at: str = ""
    ingested_at: str | None = None  # copied from the clean article: enriched_at - ingested_at = pipeline latency
    # Where the raw message sat in articles.raw (outside the content hash, like all of processing):
    # orders a story's unversioned copies and tells a replay from a newer copy.
    raw_partition: int | None = None
    raw_offset: int | None = None


@dataclass(slots=True)
class EnrichedRecord:
    id: str
    headline: str
    body: str
    dateline: Dateline | None
    credits: Credits
    language: str
    flags: list[str]
    paragraphs: list[tuple[int, int]]
    entities: list[Entity]
    entity_clusters: list[EntityCluster]
    quotes: list[Quote]
    processing: Processing
    source: str | None = None
    url: str | None = None
    published_at: str | None = None
    story: Story = field(default_factory=Story)
    # The entity clusters as ninjs 2.x lists ({name, rel, uri?, geojson?}), for consumers that speak ninjs.
    people: list[dict[str, Any]] = field(default_factory=list)
    organisations: list[dict[str, Any]] = field(default_factory=list)
    places: list[dict[str, Any]] = field(default_factory=list)
    # Who said what in the headline (`Senator Says Tax Plan Will Fail`): offsets index `headline`,
    # speaker ids are the body's for the same person. New in schema version 3.
    headline_quotes: list[Quote] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    def every_quote(self) -> list[tuple[QuotePart, Quote]]:
        """The body's quotes, then the headline's, each with where it stands (`articles.quotes` order)."""
        return [*(("body", q) for q in self.quotes), *(("headline", q) for q in self.headline_quotes)]


@dataclass(slots=True)
class DeadLetter:
    """Why a message could not be enriched, with the original payload kept whole."""

    stage: str
    reason: str
    error: str
    payload: str
    payload_encoding: Literal["utf-8", "base64"]
    failed_at: str
    id: str | None = None


def to_dict(obj: Any) -> dict[str, Any]:
    """JSON-ready dict of a record; tuples become lists."""
    return asdict(obj)


_NESTED = {
    "dateline": Dateline,
    "credits": Credits,
    "speaker": Speaker,
    "processing": Processing,
    "story": Story,
}
_LISTS = {"entities": Entity, "entity_clusters": EntityCluster, "quotes": Quote, "headline_quotes": Quote}


def from_dict(cls: type, data: dict[str, Any]) -> Any:
    """Rebuild a record (and its nested records) from its JSON dict; unknown keys are ignored."""
    names = {f.name for f in fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in names:
            continue
        if key in _NESTED and isinstance(value, dict):
            value = from_dict(_NESTED[key], value)
        elif key in _LISTS and isinstance(value, list):
            value = [from_dict(_LISTS[key], v) for v in value]
        elif key in ("paragraphs", "parts") and isinstance(value, list):
            value = [tuple(p) for p in value]
        kwargs[key] = value
    return cls(**kwargs)
