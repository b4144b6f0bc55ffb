"""Per-quote confidence: the evidence it is computed from, the logistic fit, and the
precision-by-threshold and cross-validation helpers that `wirestream evaluate` prints."""

from __future__ import annotations

import random

import pytest

from pipeline.evaluation import calibration
from pipeline.evaluation.polnear import Outcome, Prediction
from pipeline.quotes import confidence as conf
from pipeline.quotes.confidence import Evidence


def evidence(**kw: str) -> Evidence:
    base = dict(
        type="direct", link="after", marks="double", cue="say", words="medium", parts="1", speaker="named", gap="near"
    )
    return Evidence(**{**base, **kw})


def test_features_are_one_hot_with_a_bias():
    e = evidence(link="before")
    assert e.quote_features()[0] == conf.BIAS and "link=before" in e.quote_features()
    assert "speaker*gap=named*near" in e.speaker_features()


def test_no_speaker_has_zero_speaker_confidence():
    assert conf.speaker_confidence(evidence(speaker="none")) == 0.0


def test_shipped_weights_rank_strong_evidence_above_weak():
    strong = evidence(type="direct", link="inside", parts="2", speaker="named")
    weak = evidence(
        type="indirect", link="object", marks="none", cue="other", words="short", speaker="carried", gap="far"
    )
    assert conf.quote_confidence(strong) > 0.9 > conf.quote_confidence(weak)
    assert conf.speaker_confidence(strong) > conf.speaker_confidence(weak)


def test_classes():
    assert conf.cue_class("has said") == "say" and conf.cue_class("told") == "tell"
    assert conf.cue_class("according to") == "according" and conf.cue_class(None) == "none"
    assert conf.cue_class("warned") == "other"
    assert [conf.length_class(n) for n in (3, 10, 40)] == ["short", "medium", "long"]
    assert conf.gap_class((0, 5), (10, 20)) == "near" and conf.gap_class((0, 5), (500, 520)) == "far"
    assert conf.gap_class(None, (0, 1)) == "none"


def test_logistic_fit_recovers_the_rates_of_its_features():
    rng = random.Random(7)
    samples = [(["bias", "a"], rng.random() < 0.9) for _ in range(2000)] + [
        (["bias", "b"], rng.random() < 0.3) for _ in range(2000)
    ]
    w = calibration.fit_logistic(samples, l2=0.01)
    assert conf.probability(w, ["bias", "a"]) == pytest.approx(0.9, abs=0.03)
    assert conf.probability(w, ["bias", "b"]) == pytest.approx(0.3, abs=0.03)
    assert conf.probability(w, ["bias", "unseen"]) == conf.probability(w, ["bias"])  # unknown: no weight


def outcome(e: Evidence, matched: bool, speaker_ok: bool | None = None) -> Outcome:
    p = Prediction("x", "direct", "s", conf.quote_confidence(e), conf.speaker_confidence(e), e)
    return Outcome(p, matched, speaker_ok if matched else None)


def test_precision_by_confidence_keeps_the_surer_quotes():
    good, bad = evidence(link="inside"), evidence(type="indirect", link="object", speaker="carried")
    outcomes = [outcome(good, True, True)] * 8 + [outcome(bad, False)] * 4 + [outcome(bad, True, False)] * 2
    rows = calibration.precision_by_confidence(outcomes, (0.5, 0.9))
    assert rows[0].threshold == 0.0 and rows[0].quotes == 14 and rows[0].precision == pytest.approx(10 / 14)
    top = rows[-1]
    assert top.threshold == 0.9 and top.quotes == 8 and top.precision == 1.0
    assert top.speaker_accuracy == 1.0


def test_cross_validation_scores_each_fold_with_weights_fitted_on_the_others():
    good, bad = evidence(link="inside"), evidence(type="indirect", link="object", speaker="carried")
    per_article = [[outcome(good, True, True), outcome(bad, False)] for _ in range(10)]
    cv = calibration.cross_validated(per_article, folds=5)
    assert len(cv) == 20
    sure = [o.prediction.confidence for o in cv if o.prediction.evidence == good]
    unsure = [o.prediction.confidence for o in cv if o.prediction.evidence == bad]
    assert min(sure) > 0.8 and max(unsure) < 0.2  # learnt from the other folds alone


def test_table_source_is_python_that_round_trips():
    weights = calibration.Weights({"bias": 1.5, "link=inside": 0.25}, {"bias": 2.0})
    namespace: dict = {}
    exec(calibration.table_source(weights, "train", 3), namespace)  # noqa: S102 - our own generated text
    assert namespace["QUOTE_WEIGHTS"] == weights.quote and namespace["SPEAKER_WEIGHTS"] == weights.speaker
