"""How far to trust a quote and its speaker, from the evidence the rules used.

Each quote's `Evidence` (how it was tied to its cue, its marks, its cue verb, its length,
how the speaker was reached) becomes one-hot features; two small logistic models turn them
into probabilities: `confidence` of the quote (that it is a quote a reader would mark, with
about these bounds) and of its speaker (that the speaker is right, given the quote is).
The weights are fitted on PolNeAR train only and live in `confidence_table.py`;
`python -m pipeline.evaluation.calibration --polnear DIR --write` refits them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pipeline.quotes.confidence_table import QUOTE_WEIGHTS, SPEAKER_WEIGHTS

BIAS = "bias"
_SAY = frozenset({"say", "says", "said", "saying"})
_TELL = frozenset({"tell", "tells", "told", "telling"})
_NEAR_CHARS = 80  # a speaker mention this close to the quote was read off the same clause


@dataclass(slots=True, frozen=True)
class Evidence:
    """What the rules relied on for one quote; every field is a small closed vocabulary."""

    type: str  # direct | mixed | indirect
    link: str  # before, after, inside, dash, alone, runs_on, clause, noun, according, parenthetical, object, fragment
    marks: str  # double | apostrophes | none | open
    cue: str  # say | tell | according | other | none
    words: str  # short | medium | long
    parts: str  # 1 | 2 | 3+
    speaker: str  # named | surname | pronoun | relative | description | organisation | carried | none
    gap: str  # near | far | none: distance from the speaker's mention to the quote
    where: str = "body"  # body | headline: a headline's report is terse and often a paraphrase

    def quote_features(self) -> list[str]:
        """One-hot features of the quote model."""
        return [
            BIAS,
            f"type={self.type}",
            f"link={self.link}",
            f"marks={self.marks}",
            f"cue={self.cue}",
            f"words={self.words}",
            f"parts={self.parts}",
            f"speaker={self.speaker}",
            f"type*link={self.type}*{self.link}",
            f"where={self.where}",
        ]

    def speaker_features(self) -> list[str]:
        """One-hot features of the speaker model."""
        return [
            BIAS,
            f"speaker={self.speaker}",
            f"gap={self.gap}",
            f"type={self.type}",
            f"link={self.link}",
            f"cue={self.cue}",
            f"speaker*gap={self.speaker}*{self.gap}",
            f"where={self.where}",
        ]


def probability(weights: dict[str, float], features: list[str]) -> float:
    """The logistic model: unknown features weigh nothing."""
    z = sum(weights.get(f, 0.0) for f in features)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def quote_confidence(evidence: Evidence, weights: dict[str, float] | None = None) -> float:
    return round(probability(QUOTE_WEIGHTS if weights is None else weights, evidence.quote_features()), 3)


def speaker_confidence(evidence: Evidence, weights: dict[str, float] | None = None) -> float:
    """0 when there is no speaker at all."""
    if evidence.speaker == "none":
        return 0.0
    return round(probability(SPEAKER_WEIGHTS if weights is None else weights, evidence.speaker_features()), 3)


def cue_class(cue: str | None) -> str:
    """The cue verb, coarsely: say and tell carry most quotes and are the surest."""
    if cue is None:
        return "none"
    last = cue.lower().split()[-1] if cue.split() else ""
    if last in _SAY:
        return "say"
    if last in _TELL:
        return "tell"
    return "according" if cue.lower().startswith("according") else "other"


def length_class(n_words: int) -> str:
    return "short" if n_words < 6 else "medium" if n_words <= 25 else "long"


def parts_class(n: int) -> str:
    return "3+" if n >= 3 else str(max(n, 1))


def gap_class(mention: tuple[int, int] | None, quote: tuple[int, int]) -> str:
    """How far the speaker's mention stands from the quote, in characters."""
    if mention is None:
        return "none"
    start, end = quote
    distance = max(mention[0] - end, start - mention[1], 0)
    return "near" if distance <= _NEAR_CHARS else "far"
