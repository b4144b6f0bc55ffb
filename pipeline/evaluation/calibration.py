"""Fitting the confidence models on PolNeAR train, and judging them by cross-validation.

The quote model learns P(the quote matches a gold quote) and the speaker model
P(the speaker meets the gold source | the quote matched), each a logistic regression
over the one-hot evidence features of `pipeline.quotes.confidence.Evidence`, with an
L2 penalty (Newton steps; a few dozen features, a few thousand quotes: milliseconds).

    python -m pipeline.evaluation.calibration --polnear DIR [--split train] [--write]

prints the fitted weights, the 5-fold cross-validated precision by confidence threshold
and, with --write, regenerates `pipeline/quotes/confidence_table.py`. Fit on train only.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy

from pipeline.evaluation.polnear import Outcome
from pipeline.quotes import confidence as conf

THRESHOLDS = (0.5, 0.8, 0.9)
L2 = 1.0  # penalty on every weight but the bias: rare features stay near zero
TABLE_FILE = Path(conf.__file__).with_name("confidence_table.py")


def fit_logistic(samples: Sequence[tuple[list[str], bool]], l2: float = L2, steps: int = 25) -> dict[str, float]:
    """Weights of a logistic regression on one-hot features, by Newton's method."""
    names = sorted({f for feats, _ in samples for f in feats})
    if not samples or not names:
        return {}
    index = {n: k for k, n in enumerate(names)}
    x = numpy.zeros((len(samples), len(names)))
    for row, (feats, _) in enumerate(samples):
        for f in feats:
            x[row, index[f]] = 1.0
    y = numpy.array([float(ok) for _, ok in samples])
    penalty = numpy.full(len(names), l2)
    if conf.BIAS in index:
        penalty[index[conf.BIAS]] = 1e-6
    w = numpy.zeros(len(names))
    for _ in range(steps):
        p = 1.0 / (1.0 + numpy.exp(-numpy.clip(x @ w, -30, 30)))
        grad = x.T @ (p - y) + penalty * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + numpy.diag(penalty)
        step = numpy.linalg.solve(hess, grad)
        w -= step
        if numpy.abs(step).max() < 1e-8:
            break
    return {n: round(float(v), 4) for n, v in zip(names, w)}


def _quote_samples(outcomes: Sequence[Outcome]) -> list[tuple[list[str], bool]]:
    return [(o.prediction.evidence.quote_features(), o.matched) for o in outcomes if o.prediction.evidence]


def _speaker_samples(outcomes: Sequence[Outcome]) -> list[tuple[list[str], bool]]:
    return [
        (o.prediction.evidence.speaker_features(), bool(o.speaker_ok))
        for o in outcomes
        if o.prediction.evidence and o.speaker_ok is not None and o.prediction.evidence.speaker != "none"
    ]


@dataclass(slots=True)
class Weights:
    quote: dict[str, float]
    speaker: dict[str, float]


def fit(outcomes: Sequence[Outcome]) -> Weights:
    """Both models, fitted on these outcomes."""
    return Weights(fit_logistic(_quote_samples(outcomes)), fit_logistic(_speaker_samples(outcomes)))


def rescored(outcomes: Sequence[Outcome], weights: Weights) -> list[Outcome]:
    """The outcomes with confidences recomputed by other weights (those without evidence dropped)."""
    out = []
    for o in outcomes:
        e = o.prediction.evidence
        if e is None:
            continue
        pred = replace(
            o.prediction,
            confidence=conf.quote_confidence(e, weights.quote),
            speaker_confidence=conf.speaker_confidence(e, weights.speaker),
        )
        out.append(Outcome(pred, o.matched, o.speaker_ok))
    return out


def cross_validated(per_article: Sequence[Sequence[Outcome]], folds: int = 5) -> list[Outcome]:
    """Each article's outcomes with confidences from weights fitted on the other folds
    (article k is in fold k mod folds, articles in id order)."""
    out: list[Outcome] = []
    for fold in range(folds):
        train = [o for k, arts in enumerate(per_article) if k % folds != fold for o in arts]
        held = [o for k, arts in enumerate(per_article) if k % folds == fold for o in arts]
        out += rescored(held, fit(train))
    return out


@dataclass(slots=True)
class ThresholdRow:
    threshold: float
    quotes: int  # quotes with confidence >= threshold
    share: float  # of all quotes
    precision: float  # of those, share that match gold
    speakers: int  # matched, scorable quotes whose speaker confidence >= threshold
    speaker_accuracy: float


def precision_by_confidence(
    outcomes: Sequence[Outcome], thresholds: Sequence[float] = THRESHOLDS
) -> list[ThresholdRow]:
    """Precision of the quotes, and accuracy of the speakers, kept at each threshold."""
    rows = []
    total = len(outcomes) or 1
    for t in (0.0, *thresholds):
        kept = [o for o in outcomes if o.prediction.confidence >= t]
        spk = [o for o in outcomes if o.speaker_ok is not None and o.prediction.speaker_confidence >= t]
        rows.append(
            ThresholdRow(
                t,
                len(kept),
                len(kept) / total,
                sum(o.matched for o in kept) / len(kept) if kept else 0.0,
                len(spk),
                sum(bool(o.speaker_ok) for o in spk) / len(spk) if spk else 0.0,
            )
        )
    return rows


def format_thresholds(rows: Sequence[ThresholdRow], title: str) -> str:
    """A markdown table of `precision_by_confidence`."""
    out = [
        title,
        "",
        "| confidence ≥ | quotes kept | share | precision | speakers kept | speaker accuracy |",
        "|--:|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        out.append(
            f"| {r.threshold:.1f} | {r.quotes} | {r.share:.2f} | {r.precision:.3f} | {r.speakers} | "
            f"{r.speaker_accuracy:.3f} |"
        )
    return "\n".join(out)


def table_source(weights: Weights, split: str, articles: int) -> str:
    """The text of `confidence_table.py` for these weights."""

    def block(name: str, w: dict[str, float]) -> str:
        lines = "".join(f"    {json.dumps(k)}: {v},\n" for k, v in sorted(w.items()))
        return f"{name}: dict[str, float] = {{\n{lines}}}\n"

    return (
        f'"""Fitted weights of the confidence models (pipeline/quotes/confidence.py).\n\n'
        f"Fitted on PolNeAR {split} ({articles} articles) by logistic regression (L2 {L2}).\n"
        f"Regenerate with: python -m pipeline.evaluation.calibration --polnear DIR --split {split} --write\n"
        f'"""\n\n{block("QUOTE_WEIGHTS", weights.quote)}\n{block("SPEAKER_WEIGHTS", weights.speaker)}'
    )


def per_article_outcomes(polnear_dir: Path, split: str, parse_cache: Path | None = None) -> list[list[Outcome]]:
    """Wirestream's scored predictions on the split, article by article."""
    from pipeline.config import Settings
    from pipeline.evaluation.polnear import load_gold, run_wirestream, score_article

    gold = load_gold(polnear_dir, split)
    predictions = run_wirestream(gold, Settings.from_env(), lambda: None, parse_cache)
    return [score_article(a.quotes, p or []).outcomes for a, p in zip(gold, predictions)]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--polnear", type=Path, required=True)
    parser.add_argument("--split", default="train")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--parse-cache", type=Path, default=None, help="dev only: cached parses")
    parser.add_argument("--write", action="store_true", help=f"rewrite {TABLE_FILE.name}")
    args = parser.parse_args(argv)
    per_article = per_article_outcomes(args.polnear, args.split, args.parse_cache)
    print(
        format_thresholds(
            precision_by_confidence(cross_validated(per_article, args.folds)),
            f"{args.split}, {args.folds}-fold cross-validated:",
        )
    )
    weights = fit([o for arts in per_article for o in arts])
    source = table_source(weights, args.split, len(per_article))
    if args.write:
        TABLE_FILE.write_text(source, encoding="utf-8")
        print(f"\nwrote {TABLE_FILE}")
    else:
        print("\n" + source)


if __name__ == "__main__":
    main()
