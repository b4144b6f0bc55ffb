"""ninjs 2.x people/organisations/places lists and GeoNames links on places."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import spacy
from spacy.language import Language

from pipeline.entities import extract_entities, ninjs_entities
from pipeline.entities.gazetteer import load_gazetteer
from pipeline.records import CleanArticle, EntityCluster
from tests.unit.test_entities import MODEL

NINJS_2_1 = Path(__file__).resolve().parents[3] / "shared" / "wire-samples" / "spec" / "ninjs-schema_2.1.json"
BODY = (
    "Maria Okafor of Harbor Lane Logistics Inc. flew from Chicago to Aleppo on Monday. "
    "Okafor said the company would open an office in Syria and one in Texas, near the Gulf of Mexico."
)


@pytest.fixture(scope="module")
def clusters() -> list[EntityCluster]:
    nlp: Language = spacy.load(MODEL)
    _, found = extract_entities(nlp(BODY), CleanArticle(id="t", headline="", body=BODY))
    return found


def test_places_carry_geonames_ids_and_uris(clusters: list[EntityCluster]) -> None:
    found = {c.canonical: c for c in clusters}
    gazetteer = load_gazetteer()
    for name in ("Chicago", "Aleppo", "Syria", "Texas"):
        place = gazetteer.resolve(name)
        assert place is not None and place.geonames_id
        assert found[name].geonames_id == place.geonames_id
        assert found[name].geonames_uri == f"https://sws.geonames.org/{place.geonames_id}/"
    assert found["Maria Okafor"].geonames_id is None and found["Harbor Lane Logistics Inc."].geonames_uri is None


def test_geonames_ids_are_the_real_ones_for_well_known_places() -> None:
    """Ids as GeoNames publishes them (geonames.org/170063 is Aleppo, 6252001 the United States)."""
    gazetteer = load_gazetteer()
    assert gazetteer.resolve("Aleppo").geonames_id == 170063
    assert gazetteer.resolve("U.S.").geonames_id == 6252001
    assert gazetteer.by_geonames_id(170063).name == "Aleppo"


def test_ninjs_lists_in_order_of_first_mention(clusters: list[EntityCluster]) -> None:
    lists = ninjs_entities(clusters)
    assert set(lists) == {"people", "organisations", "places"}
    assert [p["name"] for p in lists["people"]] == ["Maria Okafor"]
    assert [o["name"] for o in lists["organisations"]] == ["Harbor Lane Logistics Inc."]
    places = [p["name"] for p in lists["places"]]
    assert places[:4] == ["Chicago", "Aleppo", "Syria", "Texas"]
    assert all(item["rel"] == "mentioned" for items in lists.values() for item in items)


def test_ninjs_places_link_to_geonames_with_points_where_known(clusters: list[EntityCluster]) -> None:
    places = {p["name"]: p for p in ninjs_entities(clusters)["places"]}
    aleppo = places["Aleppo"]
    assert aleppo["uri"] == "https://sws.geonames.org/170063/"
    lon, lat = aleppo["geojson"]["coordinates"]
    assert aleppo["geojson"]["type"] == "Point" and 36 < lat < 37 and 37 < lon < 38
    assert "geojson" not in places["Syria"]  # the gazetteer has no coordinates for countries
    assert "uri" not in ninjs_entities(clusters)["people"][0]


def test_each_entity_appears_once() -> None:
    twice = [
        EntityCluster("E1", "Aleppo", "GPE", 1),
        EntityCluster("E2", "Aleppo", "GPE", 1),
        EntityCluster("E3", "Syrian", "NORP", 1),
    ]
    assert ninjs_entities(twice) == {
        "people": [],
        "organisations": [],
        "places": [{"name": "Aleppo", "rel": "mentioned"}],
    }


@pytest.mark.skipif(not NINJS_2_1.is_file(), reason="needs ../shared/wire-samples (the IPTC ninjs schemas)")
def test_items_validate_against_the_ninjs_2_1_schema(clusters: list[EntityCluster]) -> None:
    schema = json.loads(NINJS_2_1.read_text(encoding="utf-8"))
    properties = schema["$defs"]["ninjsType"]["properties"]
    for key, items in ninjs_entities(clusters).items():
        item_schema = json.loads(json.dumps(properties[key]["items"]))
        if "geojson" in item_schema["properties"]:  # an external $ref; GeoJSON's Point shape checked above
            item_schema["properties"]["geojson"] = {"type": "object"}
        for item in items:
            jsonschema.validate(item, item_schema, format_checker=jsonschema.FormatChecker())
