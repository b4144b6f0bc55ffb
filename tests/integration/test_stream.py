"""End to end through a real Kafka broker and a real Faust worker."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections import Counter
from pathlib import Path

import orjson
import pytest
from kafka import KafkaConsumer, TopicPartition

from agents.clients import publish_values
from agents.security import kafka_python_options
from pipeline.sources import read_values
from pipeline.validation import schema_error
from tests.conftest import REPO, SEED, wait_until

pytestmark = pytest.mark.broker


# One article's headline reports what its minister says, in Title Case as desks write it.
HEADLINE_REPORT = "Minister Ferreira Says Rail Link Will Carry Freight By 2028"


def article(i: int, run: str, headline: str | None = None) -> bytes:
    body = (
        f"Officials in Lisbon announced a new rail link on day {i}.\n\n"
        f"\u201cThis line will carry freight within two years,\u201d said Ana Ferreira, the transport minister.\n\n"
        f"She said the cost would be shared with Spain."
    )
    return orjson.dumps(
        {
            "id": f"{run}-good-{i}",
            "headline": headline or f"Rail link {i}",
            "body": body,
            "published_at": "2026-11-25T10:00:00Z",
        }
    )


def read_topic(settings, topic: str) -> list:
    """Every record currently in a topic, with key and headers."""
    consumer = KafkaConsumer(group_id=None, enable_auto_commit=False, **kafka_python_options(settings))
    parts = [TopicPartition(topic, p) for p in (consumer.partitions_for_topic(topic) or [])]
    if not parts:
        consumer.close()
        return []
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    ends = consumer.end_offsets(parts)
    records = []
    while any(consumer.position(tp) < ends[tp] for tp in parts):
        for batch in consumer.poll(timeout_ms=1000).values():
            records.extend(batch)
    consumer.close()
    return records


@pytest.fixture(scope="module")
def published(worker, settings_for):
    """Good articles around bad ones, all published before checking anything."""
    run = uuid.uuid4().hex[:8]
    seed = orjson.loads(next(read_values([str(SEED)])))
    seed["id"] = f"{run}-seed"
    values = [
        article(0, run),
        b'{"id": "broken", "body": "unterminated',
        orjson.dumps(seed),
        orjson.dumps({"id": f"{run}-nobody", "headline": "no body here"}),
        b"\xff\xfe\x00binary junk",
        article(1, run),
        orjson.dumps({"id": f"{run}-wrongtype", "body": 42}),
        article(2, run, HEADLINE_REPORT),
    ]
    publish_values(settings_for, values)
    good = {f"{run}-good-0", f"{run}-good-1", f"{run}-good-2", f"{run}-seed"}

    def done():
        enriched = read_topic(settings_for, settings_for.topics.enriched)
        dead = read_topic(settings_for, settings_for.topics.deadletter)
        ids = {orjson.loads(r.value)["id"] for r in enriched}
        reasons = [orjson.loads(r.value) for r in dead]
        mine = [
            d for d in reasons if (d.get("id") or "").startswith(run) or d["reason"] in ("invalid_json", "not_utf8")
        ]
        return (enriched, dead) if good <= ids and len(mine) >= 4 else None

    enriched, dead = wait_until(done, timeout=240, interval=2, what="enriched and dead-lettered records")
    return run, good, enriched, dead


def test_each_good_article_is_enriched_exactly_once_and_schema_valid(published):
    run, good, enriched, _ = published
    mine = [orjson.loads(r.value) for r in enriched if orjson.loads(r.value)["id"].startswith(run)]
    counts = Counter(r["id"] for r in mine)
    assert set(counts) == good
    assert all(n == 1 for n in counts.values()), counts
    for record in mine:
        assert schema_error("enriched", record) is None


def test_records_are_keyed_by_id_with_contract_headers(published):
    run, _, enriched, _ = published
    for r in enriched:
        value = orjson.loads(r.value)
        if not value["id"].startswith(run):
            continue
        assert r.key == value["id"].encode()
        headers = dict(r.headers)
        assert headers["content-type"] == b"application/json"
        assert headers["schema-version"] == b"3"


def test_seed_comes_out_with_quotes_and_entities(published):
    run, _, enriched, _ = published
    seed = next(orjson.loads(r.value) for r in enriched if orjson.loads(r.value)["id"] == f"{run}-seed")
    assert seed["headline"].startswith("Turkey talking to Russia")
    assert any(q["type"] == "direct" and "most cruel form of savagery" in q["text"] for q in seed["quotes"])
    assert any(e["text"] == "Aleppo" for e in seed["entities"])
    for q in seed["quotes"]:
        assert seed["body"][q["start"] : q["end"]] == q["text"]
    for e in seed["entities"]:
        assert seed["body"][e["start"] : e["end"]] == e["text"]
    assert set(seed["processing"]["timings_ms"]) >= {"clean", "parse", "entities", "quotes"}


def test_a_headline_report_comes_out_with_the_bodys_speaker_and_on_the_quote_topic(published, settings_for):
    run, _, enriched, _ = published
    [record] = [orjson.loads(r.value) for r in enriched if orjson.loads(r.value)["id"] == f"{run}-good-2"]
    [top] = record["headline_quotes"]
    assert top["text"] == "Rail Link Will Carry Freight By 2028"
    assert record["headline"][top["start"] : top["end"]] == top["text"]
    body_ids = {q["speaker"]["id"] for q in record["quotes"] if "Ferreira" in (q["speaker"]["name"] or "")}
    assert body_ids == {top["speaker"]["id"]}
    key = f"{run}-good-2#{len(record['quotes'])}".encode()

    def on_quote_topic():
        found = [r for r in read_topic(settings_for, settings_for.topics.quotes) if r.key == key]
        return found or None

    [quote] = wait_until(on_quote_topic, timeout=60, interval=1, what="the headline's quote record")
    value = orjson.loads(quote.value)
    assert value["part"] == "headline" and value["text"] == top["text"]
    assert schema_error("quote", value) is None


def test_bad_input_is_dead_lettered_with_a_reason_and_the_payload(published):
    run, _, _, dead = published
    letters = [orjson.loads(r.value) for r in dead]
    for letter in letters:
        assert schema_error("deadletter", letter) is None
    by_reason = Counter(
        d["reason"]
        for d in letters
        if (d.get("id") or "").startswith(run) or d["reason"] in ("invalid_json", "not_utf8")
    )
    assert by_reason["invalid_json"] >= 1
    assert by_reason["not_utf8"] >= 1
    assert by_reason["schema_invalid"] >= 2
    junk = next(d for d in letters if d["reason"] == "not_utf8")
    assert junk["payload_encoding"] == "base64" and junk["stage"] == "decode"
    missing = next(d for d in letters if d.get("id") == f"{run}-nobody")
    assert "body" in missing["error"] and missing["stage"] == "validate"


@pytest.mark.skipif(shutil.which("kcat") is None, reason="kcat not installed (make setup installs it)")
def test_kcat_reads_the_enriched_topic_like_another_service(published, broker):
    run, good, _, _ = published
    out = subprocess.run(
        [
            "kcat",
            "-b",
            broker.bootstrap,
            "-C",
            "-t",
            "articles.enriched",
            "-o",
            "beginning",
            "-e",
            "-q",
            "-f",
            "%k\t%h\t%s\n",
        ],
        capture_output=True,
        timeout=60,
        check=True,
    ).stdout.decode()
    seen = {}
    for line in out.splitlines():
        key, headers, value = line.split("\t", 2)
        record = orjson.loads(value)
        if record["id"].startswith(run):
            seen[key] = (headers, record)
    assert set(seen) == good
    headers, record = seen[f"{run}-seed"]
    assert "content-type=application/json" in headers
    assert schema_error("enriched", record) is None


def test_the_worker_keeps_its_files_in_its_data_dir_not_where_it_was_started(published, worker):
    app_id = worker.env["WIRESTREAM_APP_ID"]
    assert (Path(worker.env["WIRESTREAM_DATA_DIR"]) / "faust" / app_id).is_dir()
    assert not (REPO / f"{app_id}-data").exists()  # Faust's default: "<app id>-data" in the working directory
