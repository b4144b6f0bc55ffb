"""pipeline.formats.decode on the project's own fixtures: every format, the story fields, every reason."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import codec, formats
from pipeline.cleaning.clean import clean_article
from pipeline.errors import RejectedInput
from pipeline.formats import reasons
from pipeline.formats.story_fields import is_correction
from pipeline.records import RawArticle

WIRE = Path(__file__).resolve().parents[1] / "fixtures" / "wire"
NEWSITEM = "application/vnd.iptc.g2.newsitem+xml"


def fixture(name: str) -> bytes:
    return (WIRE / name).read_bytes()


def rejected(value: bytes | None, content_type: str | None = None) -> RejectedInput:
    with pytest.raises(RejectedInput) as caught:
        formats.decode(value, content_type)
    return caught.value


def only(value: bytes, content_type: str | None = None) -> RawArticle:
    articles = formats.decode(value, content_type)
    assert len(articles) == 1
    return articles[0]


# ── refused: each with its precise reason ────────────────────────────────────


@pytest.mark.parametrize(
    "name, reason",
    [
        ("billion-laughs.xml", "unsafe_xml"),
        ("external-entity.xml", "unsafe_xml"),
        ("malformed.xml", "malformed_xml"),
        ("unknown-root.xml", "unknown_format"),
        ("picture-item.xml", "not_text_item"),
        ("picture.ninjs.json", "not_text_item"),
        ("message-empty.xml", "no_items"),
        ("message-pictures-only.xml", "not_text_item"),
        ("no-body.xml", "no_body"),
    ],
)
def test_fixture_is_refused_with_its_reason(name: str, reason: str) -> None:
    error = rejected(fixture(name))
    assert error.reason == reason
    assert formats.stage_of(reason) == ("decode" if reason in formats.DECODE_REASONS else "validate")


def test_entities_are_refused_before_any_expansion() -> None:
    start = time.perf_counter()
    error = rejected(fixture("billion-laughs.xml"))
    assert time.perf_counter() - start < 0.5
    assert "lol" * 10 not in str(error)
    assert "/etc/hostname" not in str(rejected(fixture("external-entity.xml")).args)


def test_item_ids_travel_on_refusals() -> None:
    assert rejected(fixture("picture-item.xml")).article_id == "urn:test:wirestream:photo-ferry"
    assert rejected(fixture("picture.ninjs.json")).article_id == "urn:test:wirestream:photo-tram"
    assert rejected(fixture("no-body.xml")).article_id == "urn:test:wirestream:empty"


def test_reasons_per_step_are_disjoint_and_complete() -> None:
    assert not formats.DECODE_REASONS & formats.VALIDATE_REASONS
    declared = {v for k, v in vars(reasons).items() if k.isupper() and isinstance(v, str)}
    assert declared == formats.DECODE_REASONS | formats.VALIDATE_REASONS
    assert formats.stage_of("empty_body") == "clean"


# ── NewsML-G2 ─────────────────────────────────────────────────────────────────


def test_message_yields_one_article_per_text_item_in_order() -> None:
    articles = formats.decode(fixture("message-two-stories.xml"))
    assert [a.id for a in articles] == ["urn:test:wirestream:ferry", "urn:test:wirestream:tram"]
    assert {a.story.format for a in articles} == {"newsml-g2"}


def test_newsml_g2_story_fields() -> None:
    ferry, tram = formats.decode(fixture("message-two-stories.xml"))
    s = ferry.story
    assert (s.version, s.version_from, s.pubstatus, s.correction, s.urgency) == (3, "document", "usable", True, 4)
    assert (s.version_created, s.first_created) == ("2026-11-30T07:40:00Z", "2026-11-30T06:15:00Z")
    assert (s.located, s.dateline, s.byline, s.slugline) == (
        "Lisbon",
        "LISBON, Nov. 30",
        "By Ana Quintela",
        "PORTUGAL-FERRY",
    )
    assert s.subjects == [{"qcode": "medtop:20000681", "type": "cpnat:abstract", "name": "maritime transport"}]
    assert (s.format_version, s.body_source) == ("2.29", "body")
    assert ferry.language == "en"
    assert tram.headline == "City council approves new tram line"  # the main headline, not the first
    assert (tram.story.embargoed, tram.story.correction, tram.story.byline) == (
        "2026-12-24T05:00:00Z",
        False,
        "Tom Ashby",
    )
    assert tram.language == "en-GB"


def test_nitf_body_cleans_to_paragraphs_without_media_or_markup() -> None:
    ferry, _ = formats.decode(fixture("message-two-stories.xml"))
    article = clean_article(ferry, ferry.id)
    paragraphs = [article.body[a:b] for a, b in article.paragraphs]
    assert paragraphs == [
        "The harbour ferry between the two piers ran again on Monday after three weeks of engine repairs.",
        '"We expect no more delays this winter," said Rui Maltez, the harbour master.',
        "Fares unchanged",
        "Tickets keep their price & timetable.",
    ]
    assert article.story == ferry.story
    assert article.dateline is not None and article.dateline.places == ["Lisbon"]


def test_xhtml_body_drops_figures_and_head() -> None:
    _, tram = formats.decode(fixture("message-two-stories.xml"))
    article = clean_article(tram, tram.id)
    assert "tram on the bridge" not in article.body and "Tram\n" not in article.body
    assert article.body.startswith("The city council approved a second tram line on Monday.")
    assert "Clara Vidal" in article.body and "<" not in article.body


def test_inline_data_text_and_version_from_version_created() -> None:
    article = only(fixture("inline-data.xml"))
    created = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
    assert (article.story.version, article.story.version_from) == (int(created.timestamp()), "versioncreated")
    assert article.story.pubstatus == "withheld"
    clean = clean_article(article, article.id)
    assert clean.dateline is not None and clean.dateline.places == ["PORTO"]


def test_kill_comes_through_without_a_body() -> None:
    kill = only(fixture("kill.xml"))
    assert (kill.id, kill.body, kill.story.pubstatus, kill.story.version) == (
        "urn:test:wirestream:ferry",
        "",
        "canceled",
        4,
    )
    assert kill.story.body_source == "none"


def test_content_type_names_the_format() -> None:
    assert only(fixture("kill.xml"), NEWSITEM).story.format == "newsml-g2"
    assert only(fixture("kill.xml"), "application/xml; charset=utf-8").id == "urn:test:wirestream:ferry"
    assert rejected(fixture("message-two-stories.xml"), NEWSITEM).reason == "unknown_format"
    assert rejected(fixture("kill.xml"), "image/jpeg").reason == "unknown_format"
    assert rejected(fixture("kill.xml"), "application/json").reason == "invalid_json"


def test_newsitem_without_guid_is_invalid_field() -> None:
    value = fixture("kill.xml").replace(b'guid="urn:test:wirestream:ferry" ', b"")
    assert rejected(value).reason == "invalid_field"


# ── ninjs ─────────────────────────────────────────────────────────────────────


def test_ninjs_1x_story_fields_and_correction_from_ednote() -> None:
    article = only(fixture("correction.ninjs.json"))
    document = orjson.loads(fixture("correction.ninjs.json"))
    s = article.story
    assert article.id == document["uri"] and article.headline == document["headline"]
    assert (s.version, s.version_from, s.correction, s.urgency, s.located) == (2, "document", True, 3, "Porto")
    assert (s.embargoed, s.version_created) == ("2026-12-01T06:00:00Z", "2026-11-30T10:30:00Z")
    assert s.subjects == document["subject"]
    assert (s.format, s.format_version, s.byline) == ("ninjs", "1.x", "Tom Ashby")


def test_ninjs_3x_kill_without_body() -> None:
    kill = only(fixture("kill.ninjs.json"), "application/ninjs+json")
    assert (kill.body, kill.story.pubstatus, kill.story.version, kill.story.format_version) == (
        "",
        "canceled",
        3,
        "3.x",
    )


def ninjs(**fields: object) -> bytes:
    return orjson.dumps({"uri": "urn:test:wirestream:n1", "type": "text", **fields})


def test_ninjs_body_preference_and_fallbacks() -> None:
    both = only(
        ninjs(
            bodies=[
                {"role": "text", "contentType": "text/plain", "value": "One line."},
                {"role": "xhtml", "contentType": "text/html", "value": "<p>A.</p><p>B.</p>"},
            ]
        )
    )
    assert both.body == "<p>A.</p><p>B.</p>"
    described = only(ninjs(descriptions=[{"value": "Only a summary."}], headlines=[{"value": "Head"}]))
    assert (described.body, described.story.body_source) == ("Only a summary.", "description")
    alert = only(ninjs(headlines=[{"value": "FLASH: Ferry sinks"}]))
    assert (alert.body, alert.story.body_source) == ("FLASH: Ferry sinks", "headline")
    assert rejected(ninjs()).reason == "no_body"
    held = only(ninjs(pubstatus="withheld", headlines=[{"value": "Held"}]))
    assert (held.body, held.story.body_source, held.story.withdrawn) == ("", "none", True)


def test_html_bodies_lose_figures_and_a_repeated_headline() -> None:
    html = (
        "<h1>Tram line approved</h1><p>The council approved the line.</p>"
        "<figure><img src='t.jpg'/><figcaption>A tram, photo by a reader.</figcaption></figure>"
        "<h2>Costs</h2><p>It costs less than planned.</p>"
    )
    article = only(ninjs(headlines=[{"value": "Tram line approved"}], body_html=html))
    clean = clean_article(article, article.id)
    assert [clean.body[a:b] for a, b in clean.paragraphs] == [
        "The council approved the line.",
        "Costs",
        "It costs less than planned.",
    ]
    plain = "<p>No figures here &amp; no heading.</p>"
    assert only(ninjs(headlines=[{"value": "Other"}], body_html=plain)).body == plain  # untouched


@pytest.mark.parametrize(
    "fields, reason",
    [
        ({"version": "two", "body_text": "x"}, "invalid_field"),
        ({"pubstatus": "deleted", "body_text": "x"}, "invalid_field"),
        ({"embargoed": "tomorrow", "body_text": "x"}, "invalid_field"),
        ({"headlines": "not a list", "body_text": "x"}, "schema_invalid"),
        ({"uri": 7, "body_text": "x"}, "schema_invalid"),
    ],
)
def test_ninjs_fields_we_cannot_use_are_refused(fields: dict, reason: str) -> None:
    assert rejected(ninjs(**fields)).reason == reason


def test_ninjs_bad_urgency_is_dropped_not_fatal() -> None:
    assert only(ninjs(urgency=42, body_text="x")).story.urgency is None


@pytest.mark.parametrize(
    "signals, ednote, headline, expected",
    [
        (["sig:correction"], None, None, True),
        (["http://cv.iptc.org/newscodes/signal/correction"], None, None, True),
        (["sig:update"], None, None, False),
        ([], "Eds: Corrects spelling of the minister's name.", None, True),
        ([], "Figures correct as of noon.", None, False),
        ([], None, "CORRECTED-Ferry resumes service", True),
        ([], None, "Correction officers strike", False),
    ],
)
def test_correction_markers(signals: list[str], ednote: str | None, headline: str | None, expected: bool) -> None:
    assert is_correction(signals, ednote, headline) is expected


# ── plain JSON: as before, plus the optional story fields ────────────────────


@pytest.mark.parametrize(
    "value, reason",
    [
        (None, "empty_message"),
        (b"  ", "empty_message"),
        (b'{"body": "unterminated', "invalid_json"),
        (b'{"body": "caf\xe9"}', "not_utf8"),
        (b'{"id": "x"}', "schema_invalid"),
        (b"[]", "schema_invalid"),
        (b'{"body": "x", "version": "2"}', "schema_invalid"),
        (b'{"body": 3}', "schema_invalid"),
    ],
)
def test_plain_json_reasons_unchanged(value: bytes | None, reason: str) -> None:
    assert rejected(value).reason == reason


def test_plain_json_id_rule_unchanged() -> None:
    given = only(b'{"id": "a-1", "headline": "H", "body": "Text."}')
    derived = only(b'{"headline": "H", "body": "Text."}')
    assert given.id == "a-1" and derived.id == codec.content_id("H", "Text.")
    assert (given.story.format, given.story.version, given.story.version_from) == ("json", 1, "none")


def test_plain_json_story_fields() -> None:
    article = only(
        orjson.dumps(
            {
                "id": "a-2",
                "body": "Text.",
                "version": 5,
                "correction": True,
                "embargoed": "2026-12-01T10:00:00+02:00",
                "pubstatus": "withheld",
            }
        )
    )
    assert (article.story.version, article.story.version_from, article.story.correction) == (5, "document", True)
    assert (article.story.embargoed, article.story.pubstatus) == ("2026-12-01T08:00:00Z", "withheld")
    kill = only(b'{"id": "a-2", "pubstatus": "canceled"}')
    assert (kill.body, kill.story.pubstatus, kill.story.withdrawn) == ("", "canceled", True)
    hold = only(b'{"id": "a-2", "pubstatus": "withheld"}')
    assert (hold.body, hold.story.withdrawn) == ("", True)
    assert rejected(b'{"id": "a-2", "pubstatus": "usable"}').reason == "schema_invalid"


# ── robustness: nothing but RejectedInput comes out of decode ────────────────


def test_absurdly_deep_xml_is_refused_not_a_crash() -> None:
    depth = 100_000
    value = (
        b'<newsItem guid="urn:test:deep" version="1"><contentSet><inlineXML>'
        + b"<div>" * depth
        + b"x"
        + b"</div>" * depth
        + b"</inlineXML></contentSet></newsItem>"
    )
    assert rejected(value).reason == "unsafe_xml"


def test_a_reader_bug_is_one_dead_letter(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.formats import ninjs as ninjs_reader

    monkeypatch.setattr(ninjs_reader, "_headline", lambda doc: 1 / 0)
    error = rejected(ninjs(body_text="x"))
    assert (error.reason, formats.stage_of(error.reason)) == ("decode_failed", "decode")


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["value", "role", "contentType", "qcode", "name"]), inner, max_size=3)
    ),
    max_leaves=8,
)
_NINJS_KEYS = [
    "uri",
    "type",
    "version",
    "versionCreated",
    "pubStatus",
    "urgency",
    "headline",
    "headlines",
    "bodies",
    "body_text",
    "body_html",
    "descriptions",
    "embargoed",
    "edNote",
    "signals",
    "subjects",
    "by",
    "language",
    "standard",
]


@given(st.dictionaries(st.sampled_from(_NINJS_KEYS), _VALUES, max_size=8))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_ninjs_shaped_json_decodes_or_is_rejected(document: dict) -> None:
    try:
        articles = formats.decode(orjson.dumps({"uri": "urn:test:fuzz", **document}))
    except RejectedInput as exc:
        assert exc.reason in formats.DECODE_REASONS | formats.VALIDATE_REASONS
        assert exc.reason != "decode_failed", str(exc)  # a reader bug, not bad input
        return
    assert all(isinstance(a.body, str) and a.id for a in articles)


# ── what travels on: the story as consumers read it ──────────────────────────


@pytest.mark.parametrize("name", ["message-two-stories.xml", "correction.ninjs.json", "kill.xml", "inline-data.xml"])
def test_story_of_every_format_is_valid_in_the_enriched_schema(name: str) -> None:
    from pipeline.records import Credits, EnrichedRecord, Processing, from_dict
    from pipeline.validation import schema_error

    for raw in formats.decode(fixture(name)):
        record = EnrichedRecord(
            id=raw.id,
            headline=raw.headline or "",
            body="Text.",
            dateline=None,
            credits=Credits(),
            language="en",
            flags=[],
            paragraphs=[(0, 5)],
            entities=[],
            entity_clusters=[],
            quotes=[],
            story=raw.story,
            processing=Processing("0", "m", content_hash="sha256:" + "0" * 64, enriched_at="2026-12-01T00:00:00Z"),
        )
        payload = orjson.loads(codec.dumps(record))
        assert schema_error("enriched", payload) is None
        assert from_dict(EnrichedRecord, payload).story == raw.story  # survives the topic round trip


_G2_NAMES = [
    "itemMeta",
    "contentMeta",
    "contentSet",
    "inlineXML",
    "inlineData",
    "itemClass",
    "pubStatus",
    "versionCreated",
    "embargoed",
    "signal",
    "headline",
    "description",
    "urgency",
    "located",
    "name",
    "subject",
    "nitf",
    "body",
    "body.content",
    "body.head",
    "byline",
    "dateline",
    "p",
    "figure",
    "h1",
    "newsItem",
    "itemSet",
]
_G2_ATTRS = st.dictionaries(
    st.sampled_from(["guid", "version", "qcode", "uri", "contenttype", "role", "tag"]),
    st.sampled_from(
        [
            "",
            "1",
            "x",
            "ninat:text",
            "ninat:picture",
            "stat:canceled",
            "sig:correction",
            "text/plain",
            "text/html",
            "hdl:main",
            "2026-11-30",
        ]
    ),
    max_size=3,
)


@st.composite
def _g2_element(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(st.sampled_from(_G2_NAMES))
    attrs = "".join(f' {k}="{v}"' for k, v in draw(_G2_ATTRS).items())
    inner = draw(st.lists(_g2_element(depth + 1), max_size=3)) if depth < 4 else []
    text = draw(st.sampled_from(["", "Ferry sails.", "2026-11-30T08:00:00Z", "4", "&amp; <b>x</b>"]))
    return f"<{name}{attrs}>{text}{''.join(inner)}</{name}>"


@given(st.sampled_from(["newsItem", "newsMessage"]), _G2_ATTRS, st.lists(_g2_element(), max_size=4))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_newsml_g2_shaped_xml_decodes_or_is_rejected(root: str, attrs: dict, children: list[str]) -> None:
    attributes = "".join(f' {k}="{v}"' for k, v in attrs.items())
    value = f'<{root} xmlns="http://iptc.org/std/nar/2006-10-01/"{attributes}>{"".join(children)}</{root}>'
    try:
        articles = formats.decode(value.encode())
    except RejectedInput as exc:
        assert exc.reason in formats.DECODE_REASONS | formats.VALIDATE_REASONS
        assert exc.reason != "decode_failed", str(exc)  # a reader bug, not bad input
        return
    assert articles and all(isinstance(a.body, str) and a.id for a in articles)
