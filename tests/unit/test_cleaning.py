"""Stage 1 cleaning: seed article, HTML, Unicode repair, language, rejections and fuzzing."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.cleaning.clean import clean_article, join_paragraphs, split_paragraphs
from pipeline.cleaning.html_text import looks_like_html
from pipeline.cleaning.language import preload
from pipeline.errors import RejectedInput
from pipeline.records import CleanArticle, Credits, RawArticle

SEED = Path(__file__).resolve().parents[2] / "seeds" / "reuters-aleppo-ceasefire.txt"
EXPECTED_REASONS = {"empty_body", "body_too_large"}


@pytest.fixture(scope="module", autouse=True)
def _language_model() -> None:
    preload()  # load once so Hypothesis deadlines measure cleaning, not model loading


def clean(body: str, **raw_fields: str | None) -> CleanArticle:
    return clean_article(RawArticle(body=body, **raw_fields), "a-1")


def paragraph_texts(article: CleanArticle) -> list[str]:
    return [article.body[start:end] for start, end in article.paragraphs]


def assert_well_formed(article: CleanArticle) -> None:
    body = article.body
    assert body and body == body.strip()
    previous_end = 0
    for start, end in article.paragraphs:
        assert previous_end <= start < end <= len(body)
        text = body[start:end]
        assert text == text.strip() and "\n\n" not in text
        previous_end = end
    assert "\n\n".join(paragraph_texts(article)) == body
    assert not any(unicodedata.category(c) == "Cc" and c != "\n" for c in body)
    assert "\n" not in article.headline and article.headline == article.headline.strip()
    body.encode("utf-8")  # no lone surrogates survive


# --- the seed -----------------------------------------------------------------


def test_seed_article() -> None:
    headline, body = SEED.read_text(encoding="utf-8").split("\n\n", 1)
    article = clean_article(RawArticle(body=body, headline=headline, source="reuters"), "seed-1")
    assert article.id == "seed-1" and article.source == "reuters"
    assert article.headline == "Turkey talking to Russia on ceasefire, evacuation from Syria's Aleppo"
    assert article.dateline is not None
    assert article.dateline.places == ["ANKARA", "ISTANBUL"]
    assert article.dateline.source == "Reuters"
    assert article.dateline.text == "ANKARA/ISTANBUL (Reuters) -"
    assert article.credits == Credits(
        reporting=["Tulay Karadeniz"],
        writing=["Humeyra Pamuk", "Nick Tattersall"],
        editing=["David Dolan", "Angus MacSwan"],
    )
    assert len(article.credits.names()) == 5
    assert article.body.startswith("Turkey is negotiating")
    assert article.body.endswith("he said.")
    assert "Additional reporting" not in article.body
    assert len(article.paragraphs) == 12
    assert "“We’re seeing the most cruel form of savagery" in article.body  # curly quotes kept
    assert article.language == "en" and article.language_score is not None and article.language_score > 0.9
    assert article.flags == []
    assert_well_formed(article)


# --- quotes, whitespace and Unicode ---------------------------------------------


def test_quote_marks_are_kept_as_written() -> None:
    body = "“Curly stays curly,” she said. \"Straight stays straight,\" he replied. It’s the 'rule'."
    assert clean(body).body == body


def test_whitespace_is_normalised() -> None:
    body = "  The\tport   reopened\u00a0on Monday.  \r\n\r\n\r\n  Ships  were\u2003waiting.\u3000 "
    article = clean(body)
    assert article.body == "The port reopened on Monday.\n\nShips were waiting."
    assert paragraph_texts(article) == ["The port reopened on Monday.", "Ships were waiting."]


def test_control_and_invisible_characters_are_removed() -> None:
    article = clean("The mayor\x00 of Bur\u00adgas\x07 spoke\u200b today.\x1b")
    assert article.body == "The mayor of Burgas spoke today."


def test_mojibake_is_repaired_and_flagged() -> None:
    article = clean("The minister said: “We donâ€™t accept the offer.”")
    assert article.body == "The minister said: “We don’t accept the offer.”"
    assert "mojibake_fixed" in article.flags


def test_clean_text_is_not_flagged_as_mojibake() -> None:
    article = clean("Prices rose – sharply – and “analysts” were surprised… again.\r\nSee below.")
    assert "mojibake_fixed" not in article.flags
    assert article.body == "Prices rose – sharply – and “analysts” were surprised… again.\n\nSee below."


def test_entities_in_plain_text_are_decoded() -> None:
    assert clean("Shares of AT&amp;T rose &gt; 2%.").body == "Shares of AT&T rose > 2%."


def test_lone_surrogates_are_replaced() -> None:
    assert clean("The vote \ud800 passed \ud83d\ude00 easily.").body == "The vote \ufffd passed 😀 easily."


# --- paragraphs in plain text --------------------------------------------------


def test_one_paragraph_per_line() -> None:
    article = clean("First paragraph here.\nSecond one follows.\nThird closes it.")
    assert paragraph_texts(article) == [
        "First paragraph here.",
        "Second one follows.",
        "Third closes it.",
    ]


def test_hard_wrapped_lines_are_joined() -> None:
    article = clean("The council met on Monday and\nagreed to widen the road.\n\nWork starts in May.")
    assert paragraph_texts(article) == [
        "The council met on Monday and agreed to widen the road.",
        "Work starts in May.",
    ]


def test_split_and_join_paragraphs() -> None:
    assert split_paragraphs("a.\nB.\n\n\nc", keep_line_breaks=False) == ["a.", "B.", "c"]
    assert split_paragraphs("a\nb\n\nc", keep_line_breaks=True) == ["a\nb", "c"]
    assert join_paragraphs(["ab", "c"]) == ("ab\n\nc", [(0, 2), (4, 5)])


# --- HTML ------------------------------------------------------------------------


def test_html_paragraphs_breaks_scripts_and_entities() -> None:
    body = (
        "<html><head><style>p {color: red}</style><script>track()</script></head><body>"
        "<p>Rescue teams reached the &amp; village&nbsp;on <b>Tuesday</b>.</p>\n"
        "<div>Roads were <i>closed</i>.<br>Schools shut early.</div>"
        "<script>var ad = 1;</script><noscript>Enable JS</noscript>"
        "<ul><li>One item</li><li>Another &#8220;item&#8221;</li></ul>"
        "<p>The army said it would&#x2019;ve helped.</p></body></html>"
    )
    article = clean(body)
    assert paragraph_texts(article) == [
        "Rescue teams reached the & village on Tuesday.",
        "Roads were closed.\nSchools shut early.",
        "One item",
        "Another “item”",
        "The army said it would’ve helped.",
    ]
    assert "html_stripped" in article.flags and "script_removed" in article.flags
    for hidden in ("track", "color", "var ad", "Enable JS"):
        assert hidden not in article.body
    assert_well_formed(article)


def test_html_fragment_with_text_after_a_block() -> None:
    article = clean("<div><p>Inside.</p>Tail text.</div>After.")
    assert paragraph_texts(article) == ["Inside.", "Tail text.", "After."]
    assert "script_removed" not in article.flags


def test_inline_only_markup_keeps_plain_line_structure() -> None:
    article = clean("The <b>first</b> paragraph.\nThe <i>second</i> one.")
    assert paragraph_texts(article) == ["The first paragraph.", "The second one."]
    assert article.flags[0] == "html_stripped"


def test_literal_html_in_html_is_not_decoded_twice() -> None:
    assert clean("<p>Type &amp;lt;b&amp;gt; to embolden.</p>").body == "Type &lt;b&gt; to embolden."


def test_html_detection() -> None:
    assert looks_like_html("<p>x</p>") and looks_like_html("a<br/>b") and looks_like_html("<!-- x -->")
    assert not looks_like_html("If x < y and y > z then x < z.")
    assert not looks_like_html("Wire tag <Reuters> kept")


def test_html_dateline_and_credits() -> None:
    body = (
        "<p>WASHINGTON (AP) — Lawmakers left town.</p><p>They return in June.</p>"
        "<p>(Reporting by Omar Haddad; Editing by Lucy Fenn)</p>"
    )
    article = clean(body)
    assert article.dateline is not None and article.dateline.source == "AP"
    assert article.body == "Lawmakers left town.\n\nThey return in June."
    assert article.credits.names() == ["Omar Haddad", "Lucy Fenn"]


def test_headline_is_cleaned_like_the_body() -> None:
    article = clean("The port reopened.", headline="  <b>Port&nbsp;reopens</b>\n after   donâ€™t strike ")
    assert article.headline == "Port reopens after don’t strike"
    assert {"html_stripped", "mojibake_fixed"} <= set(article.flags)
    assert clean("The port reopened.").headline == ""


# --- datelines and credits through the whole stage ------------------------------------


@pytest.mark.parametrize(
    ("body", "places", "source"),
    [
        ("WASHINGTON (AP) — The Senate passed the bill late on Thursday.", ["WASHINGTON"], "AP"),
        ("PARIS (AFP) - Museum staff walked out on Sunday over pay.", ["PARIS"], "AFP"),
        ("WASHINGTON, Nov. 5 (UPI) -- Turnout was higher than expected.", ["WASHINGTON"], "UPI"),
    ],
)
def test_wire_datelines(body: str, places: list[str], source: str) -> None:
    article = clean(body)
    assert article.dateline is not None
    assert (article.dateline.places, article.dateline.source) == (places, source)
    assert article.body[0].isupper() and "(" not in article.body


def test_normal_first_sentence_is_not_a_dateline() -> None:
    body = "Sen. Jane Roe (D-Ore.) - the committee chair - said the vote would wait."
    article = clean(body)
    assert article.dateline is None and article.body == body


@pytest.mark.parametrize(
    ("credit_line", "expected"),
    [
        (
            "Reporting by Omar Haddad in Amman; Editing by Lucy Fenn",
            Credits(reporting=["Omar Haddad"], editing=["Lucy Fenn"]),
        ),
        (
            "(Reporting by Omar Haddad and Jo Park; Writing by Sara Holm)",
            Credits(reporting=["Omar Haddad", "Jo Park"], writing=["Sara Holm"]),
        ),
        (
            "Writing by Ana Lima, Editing by Tom Reed & Mia Cho",
            Credits(writing=["Ana Lima"], editing=["Tom Reed", "Mia Cho"]),
        ),
    ],
)
def test_credit_variants(credit_line: str, expected: Credits) -> None:
    article = clean(f"The talks ended without a deal.\n\nBoth sides will meet again.\n\n{credit_line}")
    assert article.credits == expected
    assert article.body == "The talks ended without a deal.\n\nBoth sides will meet again."


def test_trailing_boilerplate_is_dropped() -> None:
    article = clean(
        "The talks ended.\n\nReporting by Omar Haddad\n\nOur Standards: The Thomson Reuters Trust Principles."
    )
    assert article.body == "The talks ended."
    assert article.credits.reporting == ["Omar Haddad"]


def test_prose_last_paragraph_is_kept() -> None:
    body = "The talks ended.\n\nReporting by the state broadcaster suggested a deal was near."
    assert clean(body).body == body


# --- language ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            "Le conseil municipal a voté mardi soir la fermeture de la piscine, jugée "
            "trop coûteuse par la majorité. Les habitants ont protesté devant la mairie.",
            "fr",
        ),
        (
            "Der Stadtrat hat am Dienstagabend die Schließung des Hallenbads beschlossen. "
            "Viele Bürger protestierten vor dem Rathaus gegen die Entscheidung.",
            "de",
        ),
        (
            "El ayuntamiento aprobó el martes por la noche el cierre de la piscina municipal. "
            "Los vecinos protestaron frente al edificio contra la decisión.",
            "es",
        ),
    ],
)
def test_non_english_is_flagged_not_mangled(body: str, code: str) -> None:
    article = clean(body)
    assert article.language == code
    assert "non_english" in article.flags
    assert article.body == body


def test_declared_language_mismatch_is_flagged() -> None:
    body = "The city council voted on Tuesday night to close the public pool, citing its cost."
    assert "language_mismatch" in clean(body, language="de").flags
    agreeing = clean(body, language="en-US")
    assert agreeing.language == "en" and agreeing.flags == []


def test_short_body_language_is_uncertain() -> None:
    article = clean("Pool closed.")
    assert (article.language, article.language_score) == ("en", None)
    assert article.flags == ["language_uncertain"]
    declared = clean("Piscine fermée.", language="fr")
    assert declared.language == "fr" and declared.flags == ["language_uncertain", "non_english"]


# --- rejections --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "",
        "   \n\t \r\n ",
        "\u00a0\u200b",
        "<script>alert(1)</script>",
        "<p> </p><div>&nbsp;</div>",
        "<!-- only -->",
        "LONDON (Reuters) -",
    ],
)
def test_empty_bodies_are_rejected(body: str) -> None:
    with pytest.raises(RejectedInput) as caught:
        clean(body)
    assert caught.value.reason == "empty_body" and caught.value.article_id == "a-1"


def test_missing_and_non_text_bodies_are_rejected() -> None:
    with pytest.raises(RejectedInput) as missing:
        clean_article(RawArticle(body=None), "a-2")  # type: ignore[arg-type]
    assert missing.value.reason == "empty_body"
    with pytest.raises(RejectedInput) as wrong_type:
        clean_article(RawArticle(body=b"bytes"), "a-3")  # type: ignore[arg-type]
    assert wrong_type.value.reason == "invalid_body"


def test_body_size_limit_counts_characters_like_spacy_max_length() -> None:
    body = "Café prices rose."  # 17 characters, 18 bytes: the limit is in characters
    assert clean_article(RawArticle(body=body), "a-4", max_body_chars=17).body == body
    with pytest.raises(RejectedInput) as caught:
        clean_article(RawArticle(body=body), "a-4", max_body_chars=16)
    assert caught.value.reason == "body_too_large" and caught.value.article_id == "a-4"
    assert clean_article(RawArticle(body=body * 1000), "a-5").body  # no limit by default


def test_pathologically_nested_html_is_rejected() -> None:
    with pytest.raises(RejectedInput) as caught:
        clean("<div>" * 25_000 + "x")
    assert caught.value.reason == "html_too_complex"


# --- fuzzing ------------------------------------------------------------------------------

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Any code point, lone surrogates included: JSON payloads can carry them.
any_char = st.one_of(st.characters(exclude_categories=()), st.integers(0xD800, 0xDFFF).map(chr))
html_pieces = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<br>",
        "<br/>",
        "<div class='x'>",
        "</div>",
        "<b>",
        "</b>",
        "<script>",
        "</script>",
        "<style>",
        "</style>",
        "<template>",
        "<noscript>",
        "<li>",
        "<table><tr><td>",
        "</td><td>",
        "&amp;",
        "&nbsp;",
        "&#x2019;",
        "&bogus;",
        "<!--",
        "-->",
        "<",
        ">",
        "\n",
        "\r\n",
        " ",
        "\t",
        "WASHINGTON (AP) — ",
        "Reporting by Ana Lima; Editing by Tom Reed",
        "donâ€™t",
        "“",
        "”",
    ]
)
html_ish = st.lists(st.one_of(html_pieces, st.text(any_char, max_size=12)), max_size=40).map("".join)
wire_ish = st.lists(
    st.one_of(
        st.sampled_from(["\n", "\n\n", "ROME (Reuters) - ", "(Editing by Tom Reed)", "Contributing: Ana Lima"]),
        st.text(st.characters(codec="utf-8"), max_size=30),
    ),
    max_size=20,
).map("".join)


def check_never_raises_unexpectedly(body: str, headline: str | None = None) -> None:
    try:
        article = clean_article(RawArticle(body=body, headline=headline), "fuzz", max_body_chars=4000)
    except RejectedInput as rejected:
        assert rejected.reason in EXPECTED_REASONS, rejected
        return
    assert_well_formed(article)


@FUZZ
@given(st.text(any_char, max_size=300), st.none() | st.text(any_char, max_size=40))
def test_fuzz_arbitrary_text(body: str, headline: str | None) -> None:
    check_never_raises_unexpectedly(body, headline)


@FUZZ
@given(html_ish, st.none() | html_ish)
def test_fuzz_html_ish_text(body: str, headline: str | None) -> None:
    check_never_raises_unexpectedly(body, headline)


@FUZZ
@given(wire_ish)
def test_fuzz_wire_ish_text(body: str) -> None:
    check_never_raises_unexpectedly(body)
