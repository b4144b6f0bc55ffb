"""The entity gold and its scorer (`evaluate_entities`)."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import pytest

from pipeline.config import Settings
from pipeline.entities import NAME_LABELS
from pipeline.evaluation.entities import (
    SPLITS,
    Counts,
    evaluate_entities,
    load_entity_gold,
    score_article,
)


def test_gold_is_well_formed_and_balanced() -> None:
    gold = load_entity_gold()  # raises if any span's text is not at its offsets
    assert len({a.id for a in gold}) == len(gold) >= 30
    splits = Counter(a.split for a in gold)
    assert set(splits) == set(SPLITS) - {"all"} and splits["tune"] == splits["test"] >= 15
    assert splits["reuters"] >= 12 and sum(len(a.mentions) for a in gold if a.split == "reuters") >= 250
    mentions = [m for a in gold for m in a.mentions]
    assert len(mentions) >= 300
    assert {label for _, _, label in mentions} <= NAME_LABELS
    for article in gold:
        spans = sorted(article.mentions)
        assert all(a[1] <= b[0] for a, b in pairwise(spans)), article.id  # no overlaps
        assert all(article.body[s:e] == article.body[s:e].strip() for s, e, _ in spans)


def test_gold_rejects_a_span_off_its_text() -> None:
    line = '{"id": "x", "split": "test", "body": "Aleppo fell.", "entities": [{"start": 1, "end": 6, "label": "GPE", "text": "Aleppo"}]}'  # noqa: E501 - one gold line as it stands in the file
    with pytest.raises(ValueError, match="Aleppo"):
        load_entity_gold(line)


def test_scoring_is_exact_on_span_and_label() -> None:
    gold = {(0, 6, "GPE"), (10, 20, "PERSON"), (30, 35, "ORG")}
    predicted = {(0, 6, "GPE"), (10, 19, "PERSON"), (30, 35, "PERSON")}
    score = score_article(gold, predicted)
    assert (score.label("GPE").tp, score.label("PERSON").fp, score.label("PERSON").fn, score.label("ORG").fn) == (
        1,
        2,
        1,
        1,
    )
    overall = score.overall
    assert (overall.tp, overall.fp, overall.fn) == (1, 2, 2)
    assert overall.precision == pytest.approx(1 / 3) and overall.recall == pytest.approx(1 / 3)


def test_counts_without_predictions_are_zero_not_errors() -> None:
    assert (Counts().precision, Counts().recall, Counts().f1) == (0.0, 0.0, 0.0)


def test_wirestream_beats_plain_spacy_on_the_held_out_half() -> None:
    report = evaluate_entities(Settings())
    test = report["splits"]["test"]
    assert report["articles"]["test"] == report["articles"]["tune"]
    assert sum(report["articles"][s] for s in SPLITS if s != "all") == report["articles"]["all"]
    assert test["wirestream"]["overall"]["gold"] == report["mentions"]["test"]
    assert test["wirestream"]["overall"]["f1"] > test["spacy_trimmed"]["overall"]["f1"] > test["spacy"]["overall"]["f1"]
    for label in ("PERSON", "ORG", "GPE"):
        assert test["wirestream"]["labels"][label]["f1"] >= test["spacy"]["labels"][label]["f1"], label
