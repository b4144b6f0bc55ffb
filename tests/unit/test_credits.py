"""Trailing credit lines become Credits; story paragraphs are never mistaken for them."""

from __future__ import annotations

import pytest

from pipeline.cleaning.credits import is_boilerplate, lift_credits, parse_credit_line, split_trailing_credit
from pipeline.records import Credits


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Additional reporting by Ana Lima; Writing by Piet de Vries and Sara Holm, Editing by Tom Reed and Mia Cho",
            Credits(
                reporting=["Ana Lima"],
                writing=["Piet de Vries", "Sara Holm"],
                editing=["Tom Reed", "Mia Cho"],
            ),
        ),
        (
            "Reporting by Omar Haddad in Amman; Editing by Lucy Fenn",
            Credits(reporting=["Omar Haddad"], editing=["Lucy Fenn"]),
        ),
        (
            "(Reporting by Omar Haddad in Amman and Jo Park in Seoul; Editing by Lucy Fenn)",
            Credits(reporting=["Omar Haddad", "Jo Park"], editing=["Lucy Fenn"]),
        ),
        (
            "(Reporting by Ines Roth; Additional reporting by Ken Obi in Lagos, "
            "and Rui Sousa in LISBON; Editing by Dan Fry.)",
            Credits(reporting=["Ines Roth", "Ken Obi", "Rui Sousa"], editing=["Dan Fry"]),
        ),
        (
            "Reporting by Ali Demir & Can Yilmaz, editing by Eva Stone.",
            Credits(reporting=["Ali Demir", "Can Yilmaz"], editing=["Eva Stone"]),
        ),
        ("Compiled by Lena Berg", Credits(writing=["Lena Berg"])),
        (
            "Writing by Yusuf al-Amin; Editing by J.D. Marsh",
            Credits(writing=["Yusuf al-Amin"], editing=["J.D. Marsh"]),
        ),
        (
            "Contributing: Ruth Ames, Paul Ng and Lee Cole.",
            Credits(reporting=["Ruth Ames", "Paul Ng", "Lee Cole"]),
        ),
        ("Contributing: Ruth Ames, WIRE DAILY.", Credits(reporting=["Ruth Ames"])),
        ("Ruth Ames contributed to this report.", Credits(reporting=["Ruth Ames"])),
        (
            "Associated Press writers Ruth Ames and Paul Ng contributed.",
            Credits(reporting=["Ruth Ames", "Paul Ng"]),
        ),
        ("-- additional reporting by Ruth Ames.", Credits(reporting=["Ruth Ames"])),
    ],
)
def test_credit_lines_are_parsed(line: str, expected: Credits) -> None:
    assert parse_credit_line(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "Rebel factions did not want to leave the city, he said.",
        "Reporting by the state broadcaster suggested the talks had stalled.",
        "Editing by hand is slower, the printer said.",
        "Officials said the European Union contributed 40 million euros.",
        "Writing by 2020 standards was different.",
        "Reporting by",
        "",
    ],
)
def test_story_sentences_are_not_credits(line: str) -> None:
    assert parse_credit_line(line) is None


def test_lift_credits_removes_credit_and_boilerplate_paragraphs() -> None:
    paragraphs = [
        "The bridge reopened on Sunday.",
        "Traffic was light, police said.",
        "Reporting by Omar Haddad",
        "Editing by Lucy Fenn",
        "Our Standards: The Thomson Reuters Trust Principles.",
    ]
    credits, kept = lift_credits(paragraphs)
    assert credits == Credits(reporting=["Omar Haddad"], editing=["Lucy Fenn"])
    assert kept == paragraphs[:2]


def test_lift_credits_keeps_prose_and_the_lead_paragraph() -> None:
    prose = ["The bridge reopened on Sunday.", "Traffic was light, police said."]
    assert lift_credits(prose) == (Credits(), prose)
    only_credit = ["Reporting by Omar Haddad"]
    assert lift_credits(only_credit) == (Credits(), only_credit)


def test_credit_appended_to_the_last_paragraph_is_split_off() -> None:
    credits, kept = lift_credits(
        [
            "The bridge reopened.",
            "Traffic was light, police said. (Reporting by Omar Haddad; Editing by Lucy Fenn)",
        ]
    )
    assert kept == ["The bridge reopened.", "Traffic was light, police said."]
    assert credits == Credits(reporting=["Omar Haddad"], editing=["Lucy Fenn"])


def test_ordinary_parenthesis_at_paragraph_end_is_kept() -> None:
    assert split_trailing_credit("Prices rose (see chart).") is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Our Standards: The Thomson Reuters Trust Principles.", True),
        ("© 2024 Example Wire", True),
        ("Copyright 2024 The Example Press. All rights reserved.", True),
        ("Copyright law was changed last year, the minister said.", False),
        ("All rights reserved.", True),
        ("The standards body met on Monday.", False),
    ],
)
def test_boilerplate(line: str, expected: bool) -> None:
    assert is_boilerplate(line) is expected
