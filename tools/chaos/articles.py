"""The messages a chaos run publishes, each with the outcome it must get.

Three kinds, all made up here (no text from any corpus):

* single articles: ordinary wire copy, with a little bad input on purpose
  (whitespace-only bodies, a body that is a number);
* stories: one id published as several successive revisions, back to back,
  each saying "revision number N" in its body so the order can be read back;
* poison: an over-long body, and articles carrying a fault-hook marker that
  makes a stage raise, hang past the article budget, or kill the NLP process.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

import orjson

_FIRST = [
    "Marta",
    "Jonas",
    "Aiko",
    "Tomasz",
    "Leila",
    "Oskar",
    "Ines",
    "Rafael",
    "Nadia",
    "Pieter",
    "Selin",
    "Duarte",
    "Freya",
    "Kofi",
    "Ilse",
    "Mateo",
]
_LAST = [
    "Velasko",
    "Brandt",
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Haddad",
    "Kowalczyk",
    "Serrano",
    "Achterberg",
    "Nakamura",
    "Ferreira",
    "Dimitrov",
    "Halvorsen",
    "Mensah",
]
_CITIES = ["LISBON", "OSLO", "NAIROBI", "MONTEVIDEO", "TALLINN", "OSAKA", "ACCRA", "GDANSK", "PORTO"]
_ORGS = [
    "the port authority",
    "the national rail company",
    "the finance ministry",
    "the city council",
    "the fisheries board",
    "the central bank",
    "the water utility",
    "the teachers' union",
]
_ROLES = ["spokeswoman", "spokesman", "chief executive", "deputy minister", "mayor", "chair"]
_TOPICS = [
    "a new ferry route",
    "a freeze on bus fares",
    "repairs to the northern dam",
    "a plan to rebuild the harbour wall",
    "longer opening hours for clinics",
    "a tender for electric trams",
    "cuts to the herring quota",
]
_SAYS = [
    "We expect the work to finish before the winter storms",
    "Nobody should pay more because the budget was badly planned",
    "This is the cheapest option we have seen in ten years",
    "The first results will be visible within a few months",
    "We listened to the families who wrote to us",
]
_FILLER = [
    "Officials did not give a cost estimate.",
    "The opposition said it would study the details.",
    "Similar measures were tried in the region a decade ago.",
    "Local businesses welcomed the decision, according to a trade group.",
    "The proposal still needs the approval of parliament.",
]

BAD_EMPTY_EVERY = 23  # whitespace-only body: dead-lettered as empty_body
BAD_TYPE_EVERY = 37  # body is a number: dead-lettered as schema_invalid
ENRICHED = "enriched"

# Fault hooks (pipeline/faults.py): (action, stage) -> the dead-letter reason it must end as.
HOOK_REASONS: dict[tuple[str, str], str] = {
    ("raise", "clean"): "cleaning_failed",
    ("raise", "entities"): "entities_failed",
    ("raise", "quotes"): "quotes_failed",
    ("hang", "entities"): "processing_timeout",
    ("crash", "entities"): "nlp_process_crashed",
}
OVERSIZE = "oversize"  # the poison kind that needs no hook
POISON_KINDS = (OVERSIZE, *(f"{a}:{s}" for a, s in HOOK_REASONS))

_REVISION = re.compile(r"revision number (\d+)")


@dataclass(frozen=True, slots=True)
class Planned:
    """One message to publish and what must come of it: 'enriched' or a dead-letter reason."""

    id: str
    value: bytes
    expected: str
    revision: int = 0  # > 0: one revision of a versioned story
    kind: str = "article"

    @property
    def copy(self) -> str:
        """What the accounting counts: the id, plus the revision for a story's copies."""
        return copy_key(self.id, self.revision)


def copy_key(article_id: str, revision: int) -> str:
    return f"{article_id}@r{revision}" if revision else article_id


def revision_in(text: str) -> int:
    """The revision a body (or dead-letter payload) states, 0 when it states none."""
    match = _REVISION.search(text)
    return int(match.group(1)) if match else 0


def hook_marker(action: str, stage: str) -> str:
    """A word no real copy contains, that the fault hook looks for in the body."""
    return f"chaosfault{action}{stage}"


def fault_hooks_env() -> str:
    """The WIRESTREAM_FAULT_HOOKS value that arms every hook the poison articles carry."""
    return ",".join(f"{a}:{s}:{hook_marker(a, s)}" for a, s in HOOK_REASONS)


def _story_paragraphs(rng: random.Random) -> list[str]:
    def name() -> str:
        return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"

    speaker, other, reporter, editor = name(), name(), name(), name()
    city, org, topic = rng.choice(_CITIES), rng.choice(_ORGS), rng.choice(_TOPICS)
    return [
        f"{city} (Wirestream) - {org.capitalize()} announced {topic} on Tuesday, after months of talks.",
        f"\u201c{rng.choice(_SAYS)},\u201d {speaker}, the {rng.choice(_ROLES)}, told reporters.",
        f"{other} said the decision was overdue and that {org} had waited too long.",
        *rng.sample(_FILLER, k=rng.randint(1, 4)),
        f"Reporting by {reporter}; Editing by {editor}",
    ]


def _value(aid: str, headline: str, paragraphs: list[str]) -> bytes:
    return orjson.dumps(
        {
            "id": aid,
            "headline": headline,
            "body": "\n\n".join(paragraphs),
            "source": "chaos",
            "published_at": "2026-11-25T10:00:00Z",
        }
    )


def made_up_article(i: int, run: str, rng: random.Random) -> tuple[str, bytes, str]:
    """One article (id, JSON value, expected outcome: 'enriched' or a dead-letter reason)."""
    aid = f"{run}-{i:05d}"
    if i % BAD_EMPTY_EVERY == BAD_EMPTY_EVERY - 1:
        return aid, orjson.dumps({"id": aid, "headline": "Blank copy", "body": " \n\t "}), "empty_body"
    if i % BAD_TYPE_EVERY == BAD_TYPE_EVERY - 1:
        return aid, orjson.dumps({"id": aid, "headline": "Wrong type", "body": i}), "schema_invalid"
    return aid, _value(aid, "Officials back the plan", _story_paragraphs(rng)), ENRICHED


def make_articles(n: int, run: str, seed: int) -> list[tuple[str, bytes, str]]:
    rng = random.Random(seed)
    return [made_up_article(i, run, rng) for i in range(n)]


def singles(n: int, run: str, seed: int) -> list[Planned]:
    return [Planned(aid, value, outcome) for aid, value, outcome in make_articles(n, run, seed)]


def story(i: int, run: str, revisions: int, rng: random.Random) -> list[Planned]:
    """One story as `revisions` successive copies with the same id, oldest first."""
    aid = f"{run}-story-{i:04d}"
    paragraphs = _story_paragraphs(rng)
    return [
        Planned(
            aid,
            _value(
                aid,
                f"Story {i}, update {n}",
                [*paragraphs[:-1], f"This is revision number {n} of the story.", paragraphs[-1]],
            ),
            ENRICHED,
            revision=n,
            kind="story",
        )
        for n in range(1, revisions + 1)
    ]


def stories(n: int, run: str, revisions: int, seed: int) -> list[list[Planned]]:
    rng = random.Random(seed + 1)
    return [story(i, run, revisions, rng) for i in range(n)]


def poison(kind: str, round_: int, run: str, max_body_chars: int, rng: random.Random) -> Planned:
    """One poison article of `kind` (see POISON_KINDS)."""
    aid = f"{run}-poison-{kind.replace(':', '-')}-{round_}"
    paragraphs = _story_paragraphs(rng)
    if kind == OVERSIZE:
        filler = " ".join(_FILLER)
        body = [paragraphs[0], *([filler] * (max_body_chars // len(filler) + 2))]
        return Planned(aid, _value(aid, "Far too long", body), "body_too_large", kind="poison")
    action, stage = kind.split(":")
    marked = [paragraphs[0], f"{paragraphs[1]} {hook_marker(action, stage)}", *paragraphs[2:]]
    return Planned(aid, _value(aid, f"Poison for {stage}", marked), HOOK_REASONS[(action, stage)], kind="poison")


def poisons(rounds: int, run: str, max_body_chars: int, seed: int, hooks: bool = True) -> list[Planned]:
    """`rounds` copies of every poison kind (only the over-long body when hooks are off)."""
    rng = random.Random(seed + 2)
    kinds = POISON_KINDS if hooks else (OVERSIZE,)
    return [poison(kind, r, run, max_body_chars, rng) for r in range(rounds) for kind in kinds]


def interleave(
    singles_: list[Planned], stories_: list[list[Planned]], poisons_: list[Planned], chunks: int, rng: random.Random
) -> list[list[Planned]]:
    """Spread everything over `chunks` publish chunks: each story's revisions stay together and in
    order, and every chunk gets a share of each kind, so faults land on all of them."""
    units: list[list[Planned]] = [[p] for p in singles_] + stories_ + [[p] for p in poisons_]
    rng.shuffle(units)
    out: list[list[Planned]] = [[] for _ in range(max(1, chunks))]
    for i, unit in enumerate(units):
        out[i % len(out)].extend(unit)
    return [c for c in out if c]
