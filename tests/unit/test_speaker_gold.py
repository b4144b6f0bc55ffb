"""The speaker gold and its scorer (`evaluate_speakers`): who each direct quote is resolved to, by name."""

from __future__ import annotations

from collections import Counter

import pytest

from pipeline.config import Settings
from pipeline.evaluation.speakers import (
    SPLITS,
    GoldSpeakerArticle,
    GoldSpeakerQuote,
    evaluate_speakers,
    format_speaker_table,
    holding_quote,
    load_speaker_gold,
    name_matches,
    predicted_quotes,
    score_quotes,
)
from pipeline.records import Quote, Speaker

# Measured on split "test": 0.809 (pronouns 0.679) before the resolution rules of this gold,
# 0.853 (58/68; pronouns 0.786, 22/28) after them; floors a little under the latter.
TEST_ACCURACY_FLOOR = 0.83
TEST_PRONOUN_FLOOR = 0.75
# Split "tune3" (descriptions): 0.765 (62/81; descriptions 20/31) before the description rules of
# 6 December, 0.963 (78/81; descriptions 30/31) after; floors a little under the latter.
TUNE3_ACCURACY_FLOOR = 0.93
TUNE3_DESCRIPTION_FLOOR = 0.9
# Split "fresh3" (everyday copy, held out): 0.722 (26/36) when written, 0.778 (28/36) after the
# given-name and interview rules of the evening of 6 December; floor a little under the latter.
FRESH3_ACCURACY_FLOOR = 0.75
# Split "fresh4" (everyday copy rich in pronouns, held out): 0.895 (51/57) when written, before the
# rules of the third session of 6 December, and 0.895 (51/57) after them; floor a little under.
FRESH4_ACCURACY_FLOOR = 0.87
# Split "fresh6" (written blind): 0.747 (56/75) until its errors were read on 7 December, then tuned
# on; "tune7" (written blind, then tuned on): 0.680 blind, 0.787 (59/75) after the rules; "fresh8"
# (written blind, never read, held out): 0.802 (65/81 found) when written. Floors a little under.
FRESH6_ACCURACY_FLOOR = 0.84
FRESH8_ACCURACY_FLOOR = 0.77
# "tune9" (written blind in hard copy, then tuned on): 0.726 (61/84 found) blind, 0.774 (65/84)
# after the rules; "fresh9" (written beside it, never read, held out): 0.747 (62/83) when scored.
TUNE9_ACCURACY_FLOOR = 0.74
FRESH9_ACCURACY_FLOOR = 0.72
# "fresh10" (written blind after fresh9 was read, never read, held out): 0.815 (75/92) when scored.
FRESH10_ACCURACY_FLOOR = 0.79
# "fresh11" (everyday copy written blind on the night of 7 December, never read, held out): 0.917
# (88/96) when scored, on the rules of that session's start and on the rules at that point.
FRESH11_ACCURACY_FLOOR = 0.89
TUNE7_ACCURACY_FLOOR = 0.73


@pytest.fixture(scope="module")
def report() -> dict:
    return evaluate_speakers(Settings())


def test_gold_is_well_formed_and_balanced() -> None:
    gold = load_speaker_gold()  # raises unless every quote substring occurs once in its body
    assert len({a.id for a in gold}) == len(gold) >= 48
    splits = Counter(a.split for a in gold)
    assert set(splits) == set(SPLITS) - {"all"} and splits["tune"] == splits["test"]
    assert splits["fresh2"] >= 12 and splits["tune3"] >= 12
    quotes = [q for a in gold for q in a.quotes]
    assert len(quotes) >= 120
    assert sum(q.kind == "pronoun" for q in quotes) >= 40
    for article in gold:
        assert 150 <= len(article.body.split()) <= 750, article.id  # wire length, features up to 750
        assert all(article.body.count(q.quote) == 1 for q in article.quotes)
        assert all(q.mention is None or q.mention in article.body for q in article.quotes), article.id


def test_gold_rejects_a_quote_that_is_not_once_in_its_body() -> None:
    line = '{"id": "x", "split": "test", "body": "\\"Yes,\\" she said. \\"Yes.\\"", "quotes": [{"quote": "Yes", "speaker": "Jo Roe"}]}'  # noqa: E501 - one gold line as it stands in the file
    with pytest.raises(ValueError, match="2 times"):
        load_speaker_gold(line)


@pytest.mark.parametrize(
    ("predicted", "gold", "expected"),
    [
        ("Jo Roe", "Jo Roe", True),
        ("jo roe's", "Jo Roe", True),
        ("Roe", "Jo Roe", True),
        ("Dr. Roe", "Jo Roe", True),
        ("the Health Ministry", "Health Ministry", True),
        ("South Africa's health department", "health department", True),
        ("the department", "health department", False),
        ("he", "Jo Roe", False),
        ("Ann Lee", "Jo Roe", False),
    ],
)
def test_name_matching(predicted: str, gold: str, expected: bool) -> None:
    assert name_matches(predicted, gold) is expected


def test_a_gold_quote_is_found_in_a_part_before_the_whole_text() -> None:
    body = '"One," he said, "two." Then "three four," she said.'
    split = Quote(text=body[:21], type="direct", start=0, end=21, parts=[(1, 4), (17, 20)], speaker=Speaker(name="A"))
    later = Quote(text="three four", type="direct", start=29, end=39, speaker=Speaker(name="B"))
    assert holding_quote(body, "two", [later, split]) is split
    assert holding_quote(body, "four", [split, later]) is later
    assert holding_quote(body, "Then", [split, later]) is None


def test_the_gold_is_scored_on_what_the_stream_carries() -> None:
    # the cleaning stage lifts the dateline, as it does for every record; the parse then reads
    # "Rafael de la Cruz" whole (with the dateline before it, the name came out as "la Cruz")
    body = 'PORT ELLEN, May 2 — Rafael de la Cruz won the mayoral race. "We did it," de la Cruz said.'
    article = GoldSpeakerArticle(
        "d1", "test", body, (GoldSpeakerQuote("We did it", "Rafael de la Cruz", "de la Cruz"),)
    )
    (quoted,), _ = predicted_quotes(Settings(), [article])
    assert quoted is not None and quoted.body.startswith("Rafael de la Cruz won")
    (outcome,) = score_quotes(article, quoted)
    assert outcome.correct and outcome.predicted == "Rafael de la Cruz"


def test_speaker_accuracy_on_the_held_out_half_stays_above_its_floor(report: dict) -> None:
    test = report["splits"]["test"]
    assert report["articles"]["test"] == report["articles"]["tune"] == 15
    assert test["overall"]["gold"] == sum(k["gold"] for k in test["kinds"].values())
    assert test["overall"]["found"] >= 0.9 * test["overall"]["gold"]
    assert test["overall"]["accuracy"] >= TEST_ACCURACY_FLOOR
    assert test["kinds"]["pronoun"]["accuracy"] >= TEST_PRONOUN_FLOOR


def test_speaker_accuracy_on_the_description_tuning_part_stays_above_its_floor(report: dict) -> None:
    tune3 = report["splits"]["tune3"]
    assert tune3["overall"]["found"] == tune3["overall"]["gold"] >= 80
    assert tune3["overall"]["accuracy"] >= TUNE3_ACCURACY_FLOOR
    assert tune3["kinds"]["description"]["accuracy"] >= TUNE3_DESCRIPTION_FLOOR


def test_speaker_accuracy_on_everyday_held_out_copy_stays_above_its_floor(report: dict) -> None:
    fresh3 = report["splits"]["fresh3"]
    assert fresh3["overall"]["found"] == fresh3["overall"]["gold"] == 36
    assert fresh3["overall"]["accuracy"] >= FRESH3_ACCURACY_FLOOR


def test_speaker_accuracy_on_pronoun_rich_held_out_copy_stays_above_its_floor(report: dict) -> None:
    fresh4 = report["splits"]["fresh4"]
    assert report["articles"]["fresh4"] == report["articles"]["tune6"] == 6
    assert fresh4["overall"]["found"] == fresh4["overall"]["gold"] == 57
    assert fresh4["overall"]["accuracy"] >= FRESH4_ACCURACY_FLOOR


def test_blind_written_sets_keep_their_accuracy(report: dict) -> None:
    splits = report["splits"]
    assert report["articles"]["fresh6"] == report["articles"]["tune7"] == 8
    assert splits["fresh6"]["overall"]["gold"] == splits["tune7"]["overall"]["gold"] == 75
    assert splits["fresh6"]["overall"]["accuracy"] >= FRESH6_ACCURACY_FLOOR
    assert splits["tune7"]["overall"]["accuracy"] >= TUNE7_ACCURACY_FLOOR
    assert report["articles"]["fresh8"] == 8 and splits["fresh8"]["overall"]["gold"] == 82
    assert splits["fresh8"]["overall"]["accuracy"] >= FRESH8_ACCURACY_FLOOR
    assert report["articles"]["tune9"] == report["articles"]["fresh9"] == 8
    assert (splits["tune9"]["overall"]["gold"], splits["fresh9"]["overall"]["gold"]) == (86, 83)
    assert splits["tune9"]["overall"]["accuracy"] >= TUNE9_ACCURACY_FLOOR
    assert splits["fresh9"]["overall"]["accuracy"] >= FRESH9_ACCURACY_FLOOR
    assert report["articles"]["fresh10"] == 8 and splits["fresh10"]["overall"]["gold"] == 92
    assert splits["fresh10"]["overall"]["accuracy"] >= FRESH10_ACCURACY_FLOOR
    assert report["articles"]["fresh11"] == 8 and splits["fresh11"]["overall"]["gold"] == 96
    assert splits["fresh11"]["overall"]["accuracy"] >= FRESH11_ACCURACY_FLOOR


def test_format_renders_every_kind_and_the_total(report: dict) -> None:
    table = format_speaker_table(report, "test")
    lines = table.splitlines()
    assert lines[0].startswith("| gold mention |") and len(lines) == 2 + 5
    assert any(line.startswith("| pronoun |") for line in lines) and lines[-1].startswith("| **all** |")
    assert f"{report['splits']['test']['overall']['accuracy']:.3f}" in lines[-1]
