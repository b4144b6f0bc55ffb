"""Real wire documents through `wirestream publish`, a real broker and the worker.

Every sample in ../shared/wire-samples (ninjs and NewsML-G2) must come out on
articles.enriched under its uri/guid with a clean body; the project's own
malformed, unsafe and non-text fixtures must come out as dead letters with
their reasons.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import orjson
import pytest

from pipeline import formats
from pipeline.sources import read_values
from pipeline.validation import schema_error
from tests.conftest import REPO, WORKER_EXE, pipeline_env, wait_until
from tests.integration.test_stream import read_topic
from tests.unit.test_formats_samples import (
    DATELINE_PLACES,
    LANGUAGE,
    SAMPLES,
    TAG,
    expected,
    sample_files,
)

pytestmark = [pytest.mark.broker, pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"{SAMPLES} not present")]

WIRE = REPO / "tests" / "fixtures" / "wire"
REFUSED = {
    "billion-laughs.xml": ("decode", "unsafe_xml"),
    "external-entity.xml": ("decode", "unsafe_xml"),
    "malformed.xml": ("decode", "malformed_xml"),
    "unknown-root.xml": ("decode", "unknown_format"),
    "picture-item.xml": ("validate", "not_text_item"),
    "picture.ninjs.json": ("validate", "not_text_item"),
    "message-empty.xml": ("validate", "no_items"),
    "message-pictures-only.xml": ("validate", "not_text_item"),
    "no-body.xml": ("validate", "no_body"),
}


def sent_value(path: Path) -> str:
    """The value `wirestream publish` sends for a file (JSON files lose surrounding blank space)."""
    (value,) = read_values([str(path)])
    return value.decode()


def publish(bootstrap: str, paths: list[Path]) -> str:
    """`wirestream publish` as a user runs it; returns what it printed."""
    done = subprocess.run(
        [*WORKER_EXE, "publish", *map(str, paths)],
        env=pipeline_env(bootstrap),
        cwd=REPO,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stderr.decode(errors="replace")


@pytest.fixture(scope="module")
def outcome(worker, broker, settings_for):
    """Publish the samples and the refused fixtures once; wait for every one to come out."""
    samples = sample_files()
    refused = [WIRE / name for name in REFUSED]
    printed = publish(broker.bootstrap, [*samples, *refused])
    assert f"published {len(samples) + len(refused)} message(s)" in printed
    ids = {expected(path)["id"] for path in samples}
    payloads = {sent_value(WIRE / name): name for name in REFUSED}

    seen: dict[str, dict] = {"enriched": {}, "dead": {}}

    def arrived():
        seen["enriched"] = {
            r.key.decode(): r
            for r in read_topic(settings_for, settings_for.topics.enriched)
            if r.key and r.key.decode() in ids and r.value is not None
        }
        seen["dead"] = {
            payloads.get(d["payload"], d.get("id")): d
            for d in map(orjson.loads, (r.value for r in read_topic(settings_for, settings_for.topics.deadletter)))
        }
        done = set(seen["enriched"]) == ids and set(REFUSED) <= set(seen["dead"])
        return (seen["enriched"], seen["dead"]) if done else None

    try:
        return wait_until(arrived, timeout=300, interval=2, what="every sample enriched, every fixture dead-lettered")
    except AssertionError as exc:
        missing = sorted(ids - set(seen["enriched"])), sorted(set(REFUSED) - set(seen["dead"]))
        others = {k: (d["stage"], d["reason"], d["error"][:200]) for k, d in seen["dead"].items() if k not in REFUSED}
        raise AssertionError(
            f"{exc}; not enriched {missing[0]}, not dead-lettered {missing[1]}, "
            f"other dead letters {others}; worker log: {worker.log()[-3000:]}"
        ) from None


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.name)
def test_sample_is_enriched_under_its_story_id(outcome, path: Path) -> None:
    enriched, _ = outcome
    want = expected(path)
    record = orjson.loads(enriched[want["id"]].value)
    assert schema_error("enriched", record) is None
    assert (record["id"], record["headline"]) == (want["id"], want["headline"])
    assert record["body"] and not TAG.search(record["body"])
    assert record["story"]["format"] == formats.decode(path.read_bytes())[0].story.format
    if want["version"] is not None:
        assert record["story"]["version"] == int(want["version"])
    places = DATELINE_PLACES.get(path.name)
    assert (record["dateline"]["places"] if record["dateline"] else None) == places


def test_english_samples_carry_entities_and_the_rest_are_flagged(outcome) -> None:
    enriched, _ = outcome
    for path in sample_files():
        record = orjson.loads(enriched[expected(path)["id"]].value)
        english = LANGUAGE[path.name] == "en"
        assert ("non_english" in record["flags"]) is not english, path.name
        assert isinstance(record["quotes"], list)
    ap = orjson.loads(enriched["http://ninjs.example.com/newsitems/20130709simp123"].value)
    assert {"Francesco Schettino", "Domenico Pepe"} <= {c["canonical"] for c in ap["entity_clusters"]}
    assert "Domenico Pepe" in {q["speaker"]["name"] for q in ap["quotes"]}


def test_wire_records_keep_their_content_type_on_raw(outcome, settings_for) -> None:
    raw = [
        r
        for r in read_topic(settings_for, settings_for.topics.raw)
        if r.key == b"urn:newsml:acmenews.com:20161121:US-FINANCE-FED"
    ]
    assert raw and dict(raw[-1].headers)["content-type"] == b"application/vnd.iptc.g2.newsitem+xml"


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_fixture_is_a_dead_letter_with_its_reason(outcome, name: str) -> None:
    _, dead = outcome
    assert (dead[name]["stage"], dead[name]["reason"]) == REFUSED[name]
    assert dead[name]["payload"] == sent_value(WIRE / name)  # kept whole, to fix and republish
