"""pipeline.formats.decode on the legitimate variations real ninjs and NewsML-G2 feeds produce.

Each fixture is written here, small, after the IPTC schemas and specifications
(no agency's text is copied): byte-order marks and declared encodings, escaped
or encoded inline data, a teaser sent beside the full story, items that are
not news items, creators named by a literal, and prefixed or nested documents
whose shape must not change what is read.
"""

from __future__ import annotations

import base64

import orjson
import pytest

from pipeline import formats
from pipeline.errors import RejectedInput
from pipeline.records import RawArticle

NAR = "http://iptc.org/std/nar/2006-10-01/"
XHTML = "http://www.w3.org/1999/xhtml"
FULL_STORY = (
    "The harbour ferry ran again on Monday after three weeks of engine repairs. "
    "The operator said timetables and fares stay as they were before the breakdown."
)
META = (
    '<itemMeta><itemClass qcode="ninat:text"/><versionCreated>2026-11-30T08:00:00Z</versionCreated>'
    '<pubStatus qcode="stat:usable"/></itemMeta>'
)


def news_item(content_set: str = "", content_meta: str = "<headline>Ferry back</headline>", lang: str = "") -> str:
    attributes = f' xml:lang="{lang}"' if lang else ""
    return (
        f'<newsItem xmlns="{NAR}" guid="urn:test:variant:1" version="2" standardversion="2.29"{attributes}>'
        f"{META}<contentMeta>{content_meta}</contentMeta><contentSet>{content_set}</contentSet></newsItem>"
    )


def ninjs(**fields: object) -> bytes:
    return orjson.dumps({"uri": "urn:test:variant:n1", "type": "text", **fields})


def only(value: bytes, content_type: str | None = None) -> RawArticle:
    (article,) = formats.decode(value, content_type)
    return article


def rejected(value: bytes) -> RejectedInput:
    with pytest.raises(RejectedInput) as caught:
        formats.decode(value)
    return caught.value


# ── bytes: byte-order marks and declared encodings ───────────────────────────


def test_json_with_a_utf8_byte_order_mark_is_read() -> None:
    """RFC 8259 lets a parser ignore the BOM; it is no reason to call UTF-8 `not_utf8`."""
    article = only(b"\xef\xbb\xbf" + ninjs(body_text="Text."))
    assert (article.id, article.body) == ("urn:test:variant:n1", "Text.")


def test_utf16_newsml_g2_is_recognised_without_a_content_type() -> None:
    """XML 1.0 has every processor read UTF-16 (it opens with its BOM); sniffing must see the tag."""
    document = '<?xml version="1.0" encoding="UTF-16"?>\n' + news_item(
        '<inlineData contenttype="text/plain">Café.</inlineData>'
    )
    for encoded in (b"\xff\xfe" + document.encode("utf-16-le"), b"\xfe\xff" + document.encode("utf-16-be")):
        article = only(encoded)
        assert (article.id, article.headline, article.body) == ("urn:test:variant:1", "Ferry back", "Café.")


@pytest.mark.parametrize("encoding", ["ISO-8859-1", "windows-1252"])
def test_declared_single_byte_encodings_are_decoded(encoding: str) -> None:
    document = f'<?xml version="1.0" encoding="{encoding}"?>\n' + news_item(
        '<inlineData contenttype="text/plain">Le café à Genève.</inlineData>', "<headline>Café rouvert</headline>"
    )
    article = only(document.encode(encoding))
    assert (article.headline, article.body) == ("Café rouvert", "Le café à Genève.")


def test_nitf_in_a_json_string_ignores_its_encoding_declaration() -> None:
    """The JSON string is already text: re-reading it as Latin-1 would turn é into Ã©."""
    nitf = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>'
        "<nitf><body><body.content><p>Le café rouvre.</p></body.content></body></nitf>"
    )
    article = only(ninjs(bodies=[{"contentType": "application/nitf+xml", "value": nitf}]))
    assert article.body == "<div><p>Le café rouvre.</p></div>"


# ── NewsML-G2 contentSet: which inline rendition is the body ────────────────


def test_inline_data_nitf_escaped_or_in_cdata_is_the_body() -> None:
    nitf = "<nitf><body><body.content><p>Ferry runs.</p><p>Fares stay.</p></body.content></body></nitf>"
    escaped = nitf.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for inline in (escaped, f"<![CDATA[{nitf}]]>"):
        article = only(news_item(f'<inlineData contenttype="application/nitf+xml">{inline}</inlineData>').encode())
        assert (article.body, article.story.body_source) == ("<div><p>Ferry runs.</p><p>Fares stay.</p></div>", "body")


def test_encoded_inline_data_is_never_enriched_as_it_stands() -> None:
    """inlineData `encoding` says the content was encoded (base64 ...) before inclusion."""
    encoded = base64.b64encode(FULL_STORY.encode()).decode()
    content_set = (
        f'<inlineData contenttype="text/plain" encoding="enc:base64">{encoded}</inlineData>'
        f'<inlineData contenttype="text/plain">{FULL_STORY}</inlineData>'
    )
    assert only(news_item(content_set).encode()).body == FULL_STORY
    alone = only(
        news_item(f'<inlineData contenttype="text/plain" encoding="enc:base64">{encoded}</inlineData>').encode()
    )
    assert encoded not in alone.body and alone.story.body_source == "headline"


def test_a_teaser_beside_the_full_story_is_not_the_body() -> None:
    """An XHTML teaser first must not win over the full text only because XHTML is preferred."""
    content_set = (
        f'<inlineXML contenttype="application/xhtml+xml" rendition="rnd:teaser">'
        f'<html xmlns="{XHTML}"><body><p>Ferry is back.</p></body></html></inlineXML>'
        f'<inlineData contenttype="text/plain">{FULL_STORY}</inlineData>'
    )
    assert only(news_item(content_set).encode()).body == FULL_STORY
    xhtml = f'<inlineXML contenttype="application/xhtml+xml"><html xmlns="{XHTML}"><body><p>{{}}</p></body></html>'
    xhtml += "</inlineXML>"
    teaser_then_full = xhtml.format("Ferry is back.") + xhtml.format(FULL_STORY)
    assert only(news_item(teaser_then_full).encode()).body == f"<div><p>{FULL_STORY}</p></div>"


def test_ninjs_teaser_body_beside_the_full_text() -> None:
    article = only(
        ninjs(
            bodies=[
                {"role": "teaser", "contentType": "text/html", "value": "<p>Ferry is back.</p>"},
                {"role": "text", "contentType": "text/plain", "value": FULL_STORY},
            ]
        )
    )
    assert article.body == FULL_STORY


def test_renditions_of_one_story_still_prefer_markup() -> None:
    """The teaser rule leaves alternatives of about the same length to the kind preference."""
    sentences = FULL_STORY.split(". ")
    html = "".join(f"<p>{s}</p>" for s in sentences)
    article = only(
        ninjs(bodies=[{"contentType": "text/plain", "value": FULL_STORY}, {"contentType": "text/html", "value": html}])
    )
    assert article.body == html


# ── NewsML-G2 items, parties and documents of other shapes ───────────────────


@pytest.mark.parametrize("content_type", [None, "application/vnd.iptc.g2.packageitem+xml"])
def test_a_package_item_alone_is_not_a_text_item(content_type: str | None) -> None:
    package = f'<packageItem xmlns="{NAR}" guid="urn:test:variant:pkg" version="1"><itemMeta/></packageItem>'
    with pytest.raises(RejectedInput) as caught:
        formats.decode(package.encode(), content_type)
    assert (caught.value.reason, caught.value.article_id) == ("not_text_item", "urn:test:variant:pkg")


def test_creators_named_by_a_literal_make_the_byline() -> None:
    content_meta = '<headline>Ferry back</headline><creator literal="Ana Quintela"/><creator qcode="x:9"/>'
    article = only(news_item("<inlineData>Text.</inlineData>", content_meta).encode())
    assert article.story.byline == "Ana Quintela"


def test_prefixed_newsml_g2_reads_like_the_default_namespace() -> None:
    document = (
        f'<nar:newsItem xmlns:nar="{NAR}" xmlns:h="{XHTML}" guid="urn:test:variant:p" version="3">'
        '<nar:itemMeta><nar:itemClass qcode="ninat:text"/>'
        '<nar:pubStatus uri="http://cv.iptc.org/newscodes/pubstatusg2/usable"/>'
        '<nar:signal qcode="sig:correction"/></nar:itemMeta>'
        '<nar:contentMeta><nar:headline role="hdl:sub">Sub</nar:headline>'
        '<nar:headline role="hdl:main">Main</nar:headline>'
        "<nar:dateline>LISBON, Nov. 30</nar:dateline></nar:contentMeta>"
        '<nar:contentSet><nar:inlineXML contenttype="application/xhtml+xml">'
        "<h:html><h:body><h:p>One.</h:p><h:p>Two.</h:p></h:body></h:html></nar:inlineXML></nar:contentSet>"
        "</nar:newsItem>"
    )
    article = only(document.encode())
    assert (article.headline, article.body) == ("Main", "<div><p>One.</p><p>Two.</p></div>")
    assert (article.story.version, article.story.correction, article.story.dateline) == (3, True, "LISBON, Nov. 30")


def test_items_of_a_message_other_than_text_leave_no_text_in_the_story() -> None:
    picture = (
        '<newsItem guid="urn:test:variant:pic" version="1"><itemMeta><itemClass qcode="ninat:picture"/></itemMeta>'
        "<contentMeta><description>CAPTION OF THE PICTURE</description></contentMeta></newsItem>"
    )
    story = news_item(f'<inlineData contenttype="text/plain">{FULL_STORY}</inlineData>').replace(f' xmlns="{NAR}"', "")
    package = '<packageItem guid="urn:test:variant:pkg"/>'
    message = f'<newsMessage xmlns="{NAR}"><itemSet>{package}{picture}{story}</itemSet></newsMessage>'
    (article,) = formats.decode(message.encode())
    assert (article.id, article.body) == ("urn:test:variant:1", FULL_STORY)


# ── ninjs: associations, times, statuses as the schemas allow them ──────────


def test_ninjs_associations_do_not_leak_into_the_story() -> None:
    association = {"name": "a1", "uri": "urn:test:pic", "type": "picture", "descriptions": [{"value": "CAPTION"}]}
    nested_text = {"name": "a2", "uri": "urn:test:other", "type": "text", "bodies": [{"value": "OTHER STORY"}]}
    article = only(
        ninjs(headlines=[{"value": "Ferry"}], bodies=[{"value": FULL_STORY}], associations=[association, nested_text])
    )
    assert article.body == FULL_STORY
    one_x = only(ninjs(headline="Ferry", body_text=FULL_STORY, associations={"a1": {"uri": "u", "body_text": "OTHER"}}))
    assert one_x.body == FULL_STORY


@pytest.mark.parametrize(
    "written, utc",
    [
        ("2019-05-10T16:02:28+02:00", "2019-05-10T14:02:28Z"),
        ("2019-05-10T16:02:28.123Z", "2019-05-10T16:02:28Z"),
        ("2019-05-10T16:02:28.123456789-05:00", "2019-05-10T21:02:28Z"),
        ("2019-05-10T16:02Z", "2019-05-10T16:02:00Z"),
    ],
)
def test_ninjs_times_with_offsets_and_fractions(written: str, utc: str) -> None:
    article = only(ninjs(versionCreated=written, firstCreated=written, body_text="x"))
    assert (article.story.version_created, article.story.first_created) == (utc, utc)


# ── renditions that cannot be read ───────────────────────────────────────────

BROKEN_NITF = f"<nitf><body><body.content><p>{FULL_STORY}</body.content></body></nitf>"  # <p> never closed


def test_a_malformed_nitf_rendition_is_passed_over_for_a_readable_one() -> None:
    """A broken NITF rendition beside a usable plain text (G2) or HTML (ninjs) body must not refuse the item."""
    escaped = BROKEN_NITF.replace("<", "&lt;").replace(">", "&gt;")
    content_set = (
        f'<inlineData contenttype="application/nitf+xml">{escaped}</inlineData>'
        f'<inlineData contenttype="text/plain">{FULL_STORY}</inlineData>'
    )
    assert only(news_item(content_set).encode()).body == FULL_STORY
    html = f"<p>{FULL_STORY}</p>"
    article = only(
        ninjs(
            bodies=[
                {"contentType": "application/nitf+xml", "value": BROKEN_NITF},
                {"contentType": "text/html", "value": html},
            ]
        )
    )
    assert (article.body, article.story.body_source) == (html, "body")


def test_an_item_whose_only_body_is_malformed_is_refused_naming_it() -> None:
    """With no readable body left, the item is refused for the broken rendition, not enriched from its headline."""
    caught = rejected(
        ninjs(headlines=[{"value": "Ferry"}], bodies=[{"contentType": "application/nitf+xml", "value": BROKEN_NITF}])
    )
    assert (caught.reason, caught.article_id) == ("malformed_xml", "urn:test:variant:n1")
    assert "no readable body" in str(caught) and "nitf" in str(caught)


# ── QCodes: alias and code as the NewsML-G2 QCodeType defines them ──────────


def test_a_headline_role_given_by_its_uri_sibling_is_read() -> None:
    """Since CR00147 a property may name its concept by URI (`roleuri` beside `role`); a sub-headline so named
    must not count as a headline without a role."""
    content_meta = (
        '<headline roleuri="http://cv.example.com/headlinerole/sub">Sub</headline>'
        '<headline roleuri="http://cv.example.com/headlinerole/main">Main</headline>'
    )
    assert only(news_item("<inlineData>Text.</inlineData>", content_meta).encode()).headline == "Main"


def test_a_qcode_alias_ends_at_its_first_colon() -> None:
    """QCodeType: the scheme alias holds no colon, the code may; `hdl:sub:main` is code `sub:main`, not `main`."""
    content_meta = '<headline role="hdl:sub:main">Kicker</headline><headline role="hdl:main">Main</headline>'
    assert only(news_item("<inlineData>Text.</inlineData>", content_meta).encode()).headline == "Main"


def test_a_uri_sent_where_a_qcode_belongs_is_read_as_a_uri() -> None:
    """Not the spec's form, but a URI is unambiguous: `role="http://.../headlinerole/sub"` is `sub`, not `//cv...`."""
    content_meta = (
        '<headline role="http://cv.example.com/headlinerole/sub">Sub</headline>'
        '<headline role="http://cv.example.com/headlinerole/main">Main</headline>'
    )
    assert only(news_item("<inlineData>Text.</inlineData>", content_meta).encode()).headline == "Main"


@pytest.mark.parametrize(
    ("lang", "content_meta", "headline"),
    [
        # a translation listed first: the item's language decides
        (
            "de",
            '<headline xml:lang="en">Ferry back</headline><headline xml:lang="de">Fähre zurück</headline>',
            "Fähre zurück",
        ),
        # a headline without xml:lang of its own is in the item's language; tags compare by primary subtag, any case
        ("en-GB", '<headline xml:lang="FR">Le ferry</headline><headline>Ferry back</headline>', "Ferry back"),
        (
            "en",
            '<headline xml:lang="fr">Le ferry</headline><headline xml:lang="EN-us">Ferry back</headline>',
            "Ferry back",
        ),
        # nothing in the item's language: the first main headline, as before
        (
            "it",
            '<headline xml:lang="en">Ferry back</headline><headline xml:lang="de">Fähre zurück</headline>',
            "Ferry back",
        ),
    ],
)
def test_among_headlines_in_several_languages_the_items_own_is_taken(
    lang: str, content_meta: str, headline: str
) -> None:
    item = news_item("<inlineData>Text.</inlineData>", content_meta, lang=lang)
    assert only(item.encode()).headline == headline


def test_inline_xml_of_another_vocabulary_is_not_the_body() -> None:
    """inlineXML may carry any XML (SportsML, XBRL, an agency's own); only XHTML and NITF are story markup."""
    notes = "Desk notes for editors only: check the fares table with the operator before any later version goes out."
    content_set = (
        f'<inlineXML contenttype="application/vnd.example.desk+xml"><desk xmlns="urn:example:desk">'
        f"<note>{notes}</note></desk></inlineXML>"
        f'<inlineData contenttype="text/plain">{FULL_STORY}</inlineData>'
    )
    assert only(news_item(content_set).encode()).body == FULL_STORY
