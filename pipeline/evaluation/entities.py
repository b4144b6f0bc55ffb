"""Entity quality against the project's own gold, beside plain spaCy on the same parse.

The gold (`data/entities.gold.jsonl`) is wire-style copy written for this
project: 83 short articles, one JSON object per line,
``{"id", "split", "body", "entities": [{"start", "end", "label", "text"}]}``,
offsets into ``body``. Conventions (docs/entities.md): OntoNotes name labels;
spans without a leading lower-case "the", a possessive 's or an office title
("Prime Minister"); plural party members ("Democrats") are NORP.

The articles come in nine parts: ``tune`` (g01-g18), whose errors were looked
at while writing the rules; ``test`` (g19-g36), written with them before any
rule changed, whose totals were watched but whose errors were never looked at;
``fresh`` (g37-g48), written after the rules were done and scored once; and two
in the style of agency copy (all-caps headlines, datelines, results lines and
tables, market reports, political briefs): ``reuters`` (r01-r15), held out
until 7 December (written and scored before the layout rules; its errors were
read for that day's rules, so it tunes now), and ``rtune`` (u01-u20), whose
errors the layout rules were written against; ``rtune2`` (v01-v08), sports
and world copy written on 6 December (club names on towns, nationalities
before names, riders' teams, events "of" a place), whose errors the rules of
that day were written against; ``fresh3`` (w01-w06), sports, politics and
markets copy written after those rules and scored once, held out (its total
watched since, its errors never read); ``rtune3`` (x01-x06), a further tuning
set of sports and world copy; ``rtune4`` (y01-y06), company, market and
politics copy, tuning; ``rtune5`` (q01-q05, tuning) and ``rfresh`` (k01-k05,
held out), agency copy written together on 7 December before that day's rules.

Scoring is exact: a predicted mention counts only when its start, end and
label all equal a gold mention's. Precision, recall and F1 are micro-averaged
per label and overall. Systems, all on one parse per article by the
configured model: ``wirestream`` (`extract_entities`, the stage the worker
runs), ``spacy`` (the model's own `doc.ents` with the same name labels) and
``spacy_trimmed`` (those spans less a leading "the" and a trailing 's, so the
span convention alone does not count as the rules' gain).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Protocol

import orjson
from spacy.tokens import Doc

from pipeline.config import Settings
from pipeline.entities import NAME_LABELS, extract_entities
from pipeline.entities.gazetteer import load_gazetteer
from pipeline.nlp.model import model_for
from pipeline.records import CleanArticle

GOLD_FILE = "entities.gold.jsonl"
SPLITS = (
    "tune",
    "test",
    "fresh",
    "reuters",
    "rtune",
    "rtune2",
    "fresh3",
    "rtune3",
    "rtune4",
    "rtune5",
    "rfresh",
    "all",
)
HELD_OUT = ("rfresh", "fresh3", "fresh", "test")  # the splits `wirestream evaluate` prints, newest first
SYSTEMS = ("wirestream", "spacy", "spacy_trimmed")

Span3 = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class GoldEntityArticle:
    id: str
    split: str
    body: str
    mentions: frozenset[Span3]


@dataclass(slots=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "gold": self.tp + self.fn,
        }


@dataclass(slots=True)
class Score:
    """Counts per label; `overall` sums them."""

    labels: dict[str, Counts] = field(default_factory=dict)

    def label(self, name: str) -> Counts:
        return self.labels.setdefault(name, Counts())

    @property
    def overall(self) -> Counts:
        total = Counts()
        for counts in self.labels.values():
            total.add(counts)
        return total

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.to_dict(),
            "labels": {name: self.labels[name].to_dict() for name in sorted(self.labels)},
        }


# ── gold ─────────────────────────────────────────────────────────────────────


def gold_rows(file_name: str, text: str | None = None) -> Iterator[dict[str, Any]]:
    """The rows of one of the project's JSONL golds (packaged under `data/`), or of `text`."""
    if text is None:
        text = resources.files("pipeline.evaluation").joinpath("data", file_name).read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip():
            yield orjson.loads(line)


def load_entity_gold(text: str | None = None) -> list[GoldEntityArticle]:
    """The packaged gold (or JSONL `text`), checked: every span's text sits at its offsets."""
    articles = []
    for row in gold_rows(GOLD_FILE, text):
        body = row["body"]
        for e in row["entities"]:
            if body[e["start"] : e["end"]] != e["text"]:
                raise ValueError(f"gold {row['id']}: {e['text']!r} is not at {e['start']}:{e['end']}")
        mentions = frozenset((e["start"], e["end"], e["label"]) for e in row["entities"])
        articles.append(GoldEntityArticle(row["id"], row["split"], body, mentions))
    return articles


# ── systems ──────────────────────────────────────────────────────────────────


def wirestream_mentions(doc: Doc, article: GoldEntityArticle) -> set[Span3]:
    """What the entity stage outputs for the article."""
    clean = CleanArticle(id=article.id, headline="", body=article.body)
    entities, _ = extract_entities(doc, clean)
    return {(e.start, e.end, e.label) for e in entities}


def spacy_mentions(doc: Doc, article: GoldEntityArticle) -> set[Span3]:
    """The model's own name spans, as they come."""
    return {(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents if ent.label_ in NAME_LABELS}


def spacy_trimmed_mentions(doc: Doc, article: GoldEntityArticle) -> set[Span3]:
    """The model's name spans without a leading "the" or a trailing possessive, labels as they come."""
    found = set()
    for ent in doc.ents:
        if ent.label_ not in NAME_LABELS:
            continue
        tokens = list(ent)
        if len(tokens) > 1 and tokens[0].lower_ == "the":
            tokens = tokens[1:]
        if len(tokens) > 1 and tokens[-1].text in ("'s", "’s"):
            tokens = tokens[:-1]
        found.add((tokens[0].idx, tokens[-1].idx + len(tokens[-1].text), ent.label_))
    return found


SYSTEM_FUNCTIONS: dict[str, Callable[[Doc, GoldEntityArticle], set[Span3]]] = {
    "wirestream": wirestream_mentions,
    "spacy": spacy_mentions,
    "spacy_trimmed": spacy_trimmed_mentions,
}


# ── scoring ──────────────────────────────────────────────────────────────────


def score_article(gold: Iterable[Span3], predicted: Iterable[Span3]) -> Score:
    """Exact span-and-label matches, counted under the gold label (misses) or predicted label (false hits)."""
    gold, predicted = set(gold), set(predicted)
    score = Score()
    for _, _, label in gold & predicted:
        score.label(label).tp += 1
    for _, _, label in predicted - gold:
        score.label(label).fp += 1
    for _, _, label in gold - predicted:
        score.label(label).fn += 1
    return score


def _merge(scores: Iterable[Score]) -> Score:
    total = Score()
    for score in scores:
        for name, counts in score.labels.items():
            total.label(name).add(counts)
    return total


class _HasSplit(Protocol):
    @property
    def split(self) -> str: ...


def in_split(article: _HasSplit, split: str) -> bool:
    """Whether a gold article belongs to `split` ("all" holds every one); shared with the speaker gold."""
    return split == "all" or article.split == split


def evaluate_entities(settings: Settings, gold: Sequence[GoldEntityArticle] | None = None) -> dict[str, Any]:
    """Per-label and overall P/R/F1 of wirestream and plain spaCy (as is, and trimmed) on the entity
    gold, per split.

    Returns ``{"model", "articles", "mentions", "splits": {split: {system: {"overall", "labels"}}},
    "ms_per_article": {system: ms}}``; ``test`` and ``fresh`` are held out (see the module doc).
    """
    articles = list(gold if gold is not None else load_entity_gold())
    nlp = model_for(settings)
    load_gazetteer()  # built once per process, outside the clock
    per_system: dict[str, list[Score]] = {name: [] for name in SYSTEMS}
    elapsed = dict.fromkeys(SYSTEMS, 0.0)
    for article, doc in zip(articles, nlp.pipe(a.body for a in articles)):
        for name in SYSTEMS:
            start = time.perf_counter()
            predicted = SYSTEM_FUNCTIONS[name](doc, article)
            elapsed[name] += time.perf_counter() - start
            per_system[name].append(score_article(article.mentions, predicted))
    splits = {
        split: {
            name: _merge(s for a, s in zip(articles, per_system[name]) if in_split(a, split)).to_dict()
            for name in SYSTEMS
        }
        for split in SPLITS
    }
    return {
        "model": settings.model,
        "articles": {split: sum(in_split(a, split) for a in articles) for split in SPLITS},
        "mentions": {split: sum(len(a.mentions) for a in articles if in_split(a, split)) for split in SPLITS},
        "splits": splits,
        "ms_per_article": {name: round(1000 * elapsed[name] / max(len(articles), 1), 3) for name in SYSTEMS},
    }


def format_entity_table(report: dict[str, Any], split: str = "test") -> str:
    """A Markdown table of one split: P/R/F1 per label, wirestream beside plain spaCy (as is, trimmed)."""
    systems = report["splits"][split]
    labels = sorted({label for s in systems.values() for label in s["labels"]})
    header = "| label | gold | " + " | ".join(f"{n} P / R / F1" for n in SYSTEMS) + " |"
    rows = [header, "|---|---|" + "---|" * len(SYSTEMS)]

    def cells(name: str, key: str | None) -> str:
        counts = systems[name]["overall"] if key is None else systems[name]["labels"].get(key)
        if counts is None:
            return "–"
        return f"{counts['precision']:.3f} / {counts['recall']:.3f} / {counts['f1']:.3f}"

    for label in labels:
        gold = systems["wirestream"]["labels"].get(label, {}).get("gold", 0)
        rows.append(f"| {label} | {gold} | " + " | ".join(cells(n, label) for n in SYSTEMS) + " |")
    total = systems["wirestream"]["overall"]["gold"]
    rows.append(f"| **all** | {total} | " + " | ".join(cells(n, None) for n in SYSTEMS) + " |")
    return "\n".join(rows)
