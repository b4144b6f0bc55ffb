"""The article's entity clusters as ninjs 2.x `people`, `organisations` and `places`.

Consumers that speak IPTC ninjs take these lists as they are: each item has
the ninjs 2.x shape (`name`, `rel`, and `uri` where the entity is linked);
places the gazetteer knows carry their GeoNames URI and, where it has
coordinates (cities, continents), a GeoJSON point in `geojson`. The lists
follow the order of first mention, each entity once, under its canonical name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pipeline.entities.gazetteer import load_gazetteer
from pipeline.records import EntityCluster

# ninjs leaves `rel` to the provider; these entities are mentioned in the text, which says
# nothing yet about whether the story is about them.
REL_MENTIONED = "mentioned"
# Which ninjs list each entity label goes to (NORP, events, works... have no ninjs list).
NINJS_LISTS: dict[str, str] = {
    "PERSON": "people",
    "ORG": "organisations",
    "GPE": "places",
    "LOC": "places",
    "FAC": "places",
}


def ninjs_entities(clusters: Iterable[EntityCluster], rel: str = REL_MENTIONED) -> dict[str, list[dict[str, Any]]]:
    """{"people": [...], "organisations": [...], "places": [...]} in ninjs 2.x item shape."""
    out: dict[str, list[dict[str, Any]]] = {"people": [], "organisations": [], "places": []}
    seen: set[tuple[str, str]] = set()
    for cluster in clusters:
        target = NINJS_LISTS.get(cluster.label)
        if target is not None and (target, cluster.canonical) not in seen:
            seen.add((target, cluster.canonical))
            out[target].append(_item(cluster, rel))
    return out


def _item(cluster: EntityCluster, rel: str) -> dict[str, Any]:
    item: dict[str, Any] = {"name": cluster.canonical, "rel": rel}
    if cluster.geonames_uri:
        item["uri"] = cluster.geonames_uri
    point = _point(cluster.geonames_id)
    if point is not None:
        item["geojson"] = point
    return item


def _point(geonames_id: int | None) -> dict[str, Any] | None:
    """A GeoJSON Point ([longitude, latitude]) for a GeoNames place with known coordinates."""
    if geonames_id is None:
        return None
    place = load_gazetteer().by_geonames_id(geonames_id)
    if place is None or place.latitude is None or place.longitude is None:
        return None
    return {"type": "Point", "coordinates": [place.longitude, place.latitude]}
