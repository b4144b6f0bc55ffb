"""Every real wire document in ../shared/wire-samples decodes and cleans to what its feed says.

The documents are read from the shared folder (their copyright stays with
their owners); expectations are taken from each document with the standard
library, independently of pipeline.formats, wherever the document states them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import orjson
import pytest

from pipeline import formats
from pipeline.cleaning.clean import clean_article
from pipeline.records import CleanArticle, RawArticle

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "wire-samples"
NAR = "{http://iptc.org/std/nar/2006-10-01/}"
TAG = re.compile(r"<[A-Za-z/!?][^>]*>")

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"{SAMPLES} not present")


def sample_files() -> list[Path]:
    if not SAMPLES.is_dir():
        return []
    return sorted([*SAMPLES.glob("ninjs/*.json"), *SAMPLES.glob("newsml-g2/*.xml")])


# Facts about each sample a reader can check by eye: the language its body is written in
# (LISTING_2 is lorem ipsum under an English label) and the dateline place it gives.
LANGUAGE = {
    "ninjs-1.4-ninjsExSimpleText1.json": "en",
    "ninjs-3.0-ninjsExSimpleText_3.json": "en",
    "ninjs-2.1-dpa_text.json": "de",
    "ninjs-2.1-businesswire-newsml-20130605006126.json": "zh",
    "ninjs-3.0-ntb_text.json": "no",
    "ninjs-3.0-tt_text_image_3.json": "sv",
    "LISTING_1_A_NewsML-G2_News_Item.xml": "en",
    "LISTING_2_NewsML-G2_Text_Document.xml": "la",
}
DATELINE_PLACES = {
    "ninjs-1.4-ninjsExSimpleText1.json": ["GROSSETO, Italy"],
    "ninjs-3.0-ninjsExSimpleText_3.json": ["GROSSETO, Italy"],
    "LISTING_1_A_NewsML-G2_News_Item.xml": ["Berlin"],
    "LISTING_2_NewsML-G2_Text_Document.xml": ["New York, NY"],
}


def decoded(path: Path) -> tuple[RawArticle, CleanArticle]:
    (article,) = formats.decode(path.read_bytes())
    return article, clean_article(article, article.id)


def expected_ninjs(path: Path) -> dict:
    doc = {k.lower(): v for k, v in orjson.loads(path.read_bytes()).items()}
    headline = doc.get("headline") or next(h["value"] for h in doc["headlines"] if h.get("role", "main") == "main")
    return {
        "id": doc["uri"],
        "headline": headline.strip(),
        "version": doc.get("version"),
        "created": doc.get("versioncreated"),
        "pubstatus": doc.get("pubstatus", "usable"),
    }


def expected_g2(path: Path) -> dict:
    root = ET.parse(path).getroot()
    status = root.find(f"{NAR}itemMeta/{NAR}pubStatus").get("qcode").split(":")[1]
    return {
        "id": root.get("guid"),
        "headline": root.find(f"{NAR}contentMeta/{NAR}headline").text.strip(),
        "version": root.get("version"),
        "created": root.find(f"{NAR}itemMeta/{NAR}versionCreated").text,
        "pubstatus": status,
    }


def expected(path: Path) -> dict:
    return expected_ninjs(path) if path.suffix == ".json" else expected_g2(path)


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.name)
def test_sample_identity_and_version(path: Path) -> None:
    article, _ = decoded(path)
    want = expected(path)
    assert article.id == want["id"]
    assert article.headline == want["headline"]
    assert article.story.pubstatus == want["pubstatus"]
    if want["version"] is not None:
        assert (article.story.version, article.story.version_from) == (int(want["version"]), "document")
    else:
        created = datetime.fromisoformat(want["created"]).timestamp()
        assert (article.story.version, article.story.version_from) == (int(created), "versioncreated")


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.name)
def test_sample_cleans_to_plain_text_in_its_language(path: Path) -> None:
    _, clean = decoded(path)
    assert clean.body and not TAG.search(clean.body)
    assert not TAG.search(clean.headline)
    assert clean.language == LANGUAGE[path.name]
    assert ("non_english" in clean.flags) == (LANGUAGE[path.name] != "en")


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.name)
def test_sample_dateline_where_the_feed_gives_one(path: Path) -> None:
    _, clean = decoded(path)
    places = DATELINE_PLACES.get(path.name)
    assert (clean.dateline.places if clean.dateline else None) == places


def test_ninjs_body_is_taken_from_markup_with_its_paragraphs() -> None:
    path = SAMPLES / "ninjs" / "ninjs-1.4-ninjsExSimpleText1.json"
    _, clean = decoded(path)
    assert len(clean.paragraphs) == orjson.loads(path.read_bytes())["body_xhtml"].count("<p>")


def test_newsml_g2_metadata_passes_through() -> None:
    article, _ = decoded(SAMPLES / "newsml-g2" / "LISTING_1_A_NewsML-G2_News_Item.xml")
    story = article.story
    assert (story.format, story.format_version, story.slugline) == ("newsml-g2", "2.35", "US-Finance-Fed")
    assert story.embargoed == "2018-10-23T12:00:00Z"
    assert [s["qcode"] for s in story.subjects] == ["medtop:04000000", "medtop:20000523"]
    assert story.body_source == "headline"  # the sample's inlineXML holds only comments


def test_ninjs_subjects_pass_through_unchanged() -> None:
    path = SAMPLES / "ninjs" / "ninjs-3.0-tt_text_image_3.json"
    article, _ = decoded(path)
    assert article.story.subjects == orjson.loads(path.read_bytes())["subjects"]
    assert (article.story.format, article.story.format_version, article.story.urgency) == ("ninjs", "3.x", 3)


def test_figure_captions_and_repeated_headline_are_not_story_text() -> None:
    path = SAMPLES / "ninjs" / "ninjs-3.0-tt_text_image_3.json"
    article, clean = decoded(path)
    caption = orjson.loads(path.read_bytes())["associations"][0]["descriptions"][0]["value"]
    assert caption not in clean.body
    assert clean.body[: len(article.headline)] != article.headline
