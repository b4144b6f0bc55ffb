"""Datelines are lifted off the first paragraph; ordinary first sentences are left alone."""

from __future__ import annotations

import pytest

from pipeline.cleaning.dateline import lift_dateline, parse_dateline
from pipeline.records import Dateline


@pytest.mark.parametrize(
    ("paragraph", "places", "source", "text", "rest"),
    [
        (
            "ANKARA/ISTANBUL (Reuters) - Officials met on Friday.",
            ["ANKARA", "ISTANBUL"],
            "Reuters",
            "ANKARA/ISTANBUL (Reuters) -",
            "Officials met on Friday.",
        ),
        (
            "WASHINGTON (AP) — The vote was delayed.",
            ["WASHINGTON"],
            "AP",
            "WASHINGTON (AP) —",
            "The vote was delayed.",
        ),
        ("PARIS (AFP) - Trains ran late.", ["PARIS"], "AFP", "PARIS (AFP) -", "Trains ran late."),
        ("LYON (AFP) – Trains ran late.", ["LYON"], "AFP", "LYON (AFP) –", "Trains ran late."),
        (
            "WASHINGTON, Nov. 5 (UPI) -- Senators returned.",
            ["WASHINGTON"],
            "UPI",
            "WASHINGTON, Nov. 5 (UPI) --",
            "Senators returned.",
        ),
        (
            "NEW YORK, March 3 (Reuters) - Stocks rose.",
            ["NEW YORK"],
            "Reuters",
            "NEW YORK, March 3 (Reuters) -",
            "Stocks rose.",
        ),
        (
            "Los Angeles (Reuters) - A studio closed.",
            ["Los Angeles"],
            "Reuters",
            "Los Angeles (Reuters) -",
            "A studio closed.",
        ),
        (
            "Rio de Janeiro (AFP) – Rain fell.",
            ["Rio de Janeiro"],
            "AFP",
            "Rio de Janeiro (AFP) –",
            "Rain fell.",
        ),
        (
            "SALEM, Ore. (AP) — Voters lined up.",
            ["SALEM, Ore."],
            "AP",
            "SALEM, Ore. (AP) —",
            "Voters lined up.",
        ),
        (
            "AMES, Iowa, Oct. 2 (UPI) — Farmers gathered.",
            ["AMES, Iowa"],
            "UPI",
            "AMES, Iowa, Oct. 2 (UPI) —",
            "Farmers gathered.",
        ),
        ("ST. PAUL — The council voted.", ["ST. PAUL"], None, "ST. PAUL —", "The council voted."),
        ("GENEVA - Talks resumed.", ["GENEVA"], None, "GENEVA -", "Talks resumed."),
        ("Oct 9 (Reuters) - Oil slipped.", [], "Reuters", "Oct 9 (Reuters) -", "Oil slipped."),
        ("(Reuters) - Oil slipped.", [], "Reuters", "(Reuters) -", "Oil slipped."),
        ("OSLO —The prize was announced.", ["OSLO"], None, "OSLO —", "The prize was announced."),
        ("NAIROBI (Reuters) -", ["NAIROBI"], "Reuters", "NAIROBI (Reuters) -", ""),
    ],
)
def test_datelines_are_parsed(paragraph: str, places: list[str], source: str | None, text: str, rest: str) -> None:
    parsed = parse_dateline(paragraph)
    assert parsed is not None
    dateline, remainder = parsed
    assert dateline == Dateline(places=places, source=source, text=text)
    assert remainder == rest


@pytest.mark.parametrize(
    "paragraph",
    [
        "Turkey is negotiating with Russia - a senior official said so on Monday.",
        "Sen. Jane Roe (D-Ore.) said she would vote against the bill.",
        "Washington - a city of monuments - was quiet on Sunday.",
        "Shares in Acme (ACME.N) - the toolmaker - fell 3 percent.",
        "US - China talks resumed on Tuesday.",
        "EXCLUSIVE - The company plans to cut jobs.",
        "NASA - the space agency - delayed the launch.",
        "NEW YORK-based lenders reported losses.",
        "SMITH--Anna, 88, died peacefully at home.",
        "The report (Reuters) said nothing new.",
        "Our correspondent (Reuters) - who asked not to be named - said so.",
        "- a bullet point",
        "",
    ],
)
def test_ordinary_first_sentences_are_kept(paragraph: str) -> None:
    assert parse_dateline(paragraph) is None


def test_lift_dateline_keeps_the_rest_of_the_paragraph() -> None:
    dateline, paragraphs = lift_dateline(["MADRID (Reuters) - The court ruled.", "Second paragraph."])
    assert dateline is not None and dateline.places == ["MADRID"]
    assert paragraphs == ["The court ruled.", "Second paragraph."]


def test_dateline_alone_on_its_line_takes_the_line() -> None:
    dateline, paragraphs = lift_dateline(["DALLAS (AP) —", "The storm passed overnight."])
    assert dateline is not None and dateline.source == "AP"
    assert paragraphs == ["The storm passed overnight."]


def test_no_dateline_leaves_paragraphs_untouched() -> None:
    paragraphs = ["The storm passed overnight.", "Power was restored."]
    assert lift_dateline(paragraphs) == (None, paragraphs)
    assert lift_dateline([]) == (None, [])
