"""Bad input never stops the stream: every kind of junk has a defined outcome.

The broker tests publish the whole matrix at once to the session worker, then
check each case: enriched (with which flags) or dead-lettered (with which
stage and reason). Every case uses its id as the Kafka key, so even messages
whose id cannot be read (invalid JSON, binary junk, tombstones) are found by
the key their dead letter keeps.

The last tests fuzz the one runner (`pipeline.runner.enrich`, what the worker runs) with
Hypothesis: arbitrary bytes and arbitrary JSON never raise, and every input
yields exactly one enriched record or dead letter.
"""

from __future__ import annotations

import base64
import uuid
from collections import defaultdict

import orjson
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from kafka import KafkaProducer
from kafka.errors import MessageSizeTooLargeError

from agents.security import kafka_python_options
from pipeline.config import Settings
from pipeline.records import DeadLetter, EnrichedRecord
from pipeline.runner import enrich
from pipeline.validation import schema_error
from tests.conftest import wait_until
from tests.integration.test_stream import read_topic

BODY = (
    "LISBON (Wirestream) - The port authority approved a new ferry route on Tuesday.\n\n"
    "\u201cWe expect the work to finish before winter,\u201d Marta Velasko, the spokeswoman, told reporters."
)
SPANISH = (
    "MADRID (Wirestream) - El Gobierno aprob\u00f3 el martes un nuevo plan de transporte para la regi\u00f3n.\n\n"
    "\u201cEs la opci\u00f3n m\u00e1s barata que hemos visto en diez a\u00f1os\u201d, dijo la ministra Ana Ferreira."
)
SCRIPT = (
    "<p>LISBON (Wirestream) - The council approved the budget.</p><script>alert('pwned')</script>"
    "<p>\u201cIt is fair,\u201d said Marta Velasko, the mayor.</p>"
)

# case → (expected outcome, stage, flags that must be set). Outcome "enriched"
# or the dead-letter reason. `None` stage means "not checked" (enriched).
EXPECTED: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    "badjson": ("invalid_json", "decode", ()),
    "latin1": ("not_utf8", "decode", ()),
    "junk": ("not_utf8", "decode", ()),
    "deep": ("invalid_json", "decode", ()),
    "surrogate": ("invalid_json", "decode", ()),
    "tombstone": ("empty_message", "decode", ()),
    "emptybytes": ("empty_message", "decode", ()),
    "bodyint": ("schema_invalid", "validate", ()),
    "idint": ("schema_invalid", "validate", ()),
    "array": ("schema_invalid", "validate", ()),
    "nobody": ("schema_invalid", "validate", ()),
    "bodynull": ("schema_invalid", "validate", ()),
    "baddate": ("schema_invalid", "validate", ()),
    "empty": ("empty_body", "clean", ()),
    "whitespace": ("empty_body", "clean", ()),
    "htmlempty": ("empty_body", "clean", ()),
    "big": ("body_too_large", "clean", ()),
    "spanish": ("enriched", None, ("non_english",)),
    "script": ("enriched", None, ("html_stripped", "script_removed")),
    "controlchars": ("enriched", None, ()),
    "dup": ("enriched", None, ()),
    "dupedit": ("enriched", None, ()),
}


def cases(run: str, max_body_chars: int) -> list[tuple[str, bytes | None]]:
    """(key, value) per message; the key is always f'{run}-{case}' (and the id, where there is one)."""

    def k(case: str) -> str:
        return f"{run}-{case}"

    def doc(case: str, **extra: object) -> bytes:
        return orjson.dumps({"id": k(case), **extra})

    deep = b"[" * 2000 + b"]" * 2000
    return [
        (k("badjson"), f'{{"id": "{k("badjson")}", "body": "unterminated'.encode()),
        (k("latin1"), f'{{"id": "{k("latin1")}", "body": "caf'.encode() + b'\xe9 au lait"}'),
        (k("junk"), b"\x00\x01\x02\xfe\xff\x80" + k("junk").encode() + b"\x9c\x00"),
        (k("deep"), f'{{"id": "{k("deep")}", "body": "x", "extra": '.encode() + deep + b"}"),
        (k("surrogate"), f'{{"id": "{k("surrogate")}", "body": "half \\ud800 a pair"}}'.encode()),
        (k("tombstone"), None),
        (k("emptybytes"), b""),
        (k("bodyint"), doc("bodyint", body=42)),
        (k("idint"), orjson.dumps({"id": 7, "body": BODY})),
        (k("array"), orjson.dumps([{"id": k("array"), "body": BODY}])),
        (k("nobody"), doc("nobody", headline="No body here")),
        (k("bodynull"), doc("bodynull", body=None)),
        (k("baddate"), doc("baddate", body=BODY, published_at="yesterday")),
        (k("empty"), doc("empty", body="")),
        (k("whitespace"), doc("whitespace", body=" \n\t\u00a0\u200b \n")),
        (k("htmlempty"), doc("htmlempty", body="<p> </p><div>\n</div>")),
        (k("big"), doc("big", body="word " * (max_body_chars // 5 + 1000))),
        (k("spanish"), doc("spanish", body=SPANISH)),
        (k("script"), doc("script", body=SCRIPT)),
        (k("controlchars"), doc("controlchars", body="Control \x00 chars \x07 in \x1b the body. " + BODY)),
        (k("dup"), doc("dup", body=BODY)),
        (k("dup"), doc("dup", body=BODY)),
        (k("dupedit"), doc("dupedit", body=BODY)),
        (k("dupedit"), doc("dupedit", body=BODY + "\n\nThe authority corrected the date later.")),
    ]


# ── through the real broker and worker ──────────────────────────────────────


@pytest.fixture(scope="module")
def outcomes(worker, settings_for):
    """Publish the matrix once; return {case: {"enriched": [records], "dead": [letters]}} plus raw records."""
    run = f"bad{uuid.uuid4().hex[:8]}"
    s = settings_for
    messages = cases(run, s.max_body_chars)
    producer = KafkaProducer(acks="all", max_request_size=s.max_message_bytes, **kafka_python_options(s))
    for key, value in messages:
        producer.send(s.topics.raw, key=key.encode(), value=value)
    producer.flush(60)
    producer.close()
    prefix = f"{run}-".encode()

    def collect():
        found: dict[str, dict[str, list]] = defaultdict(lambda: {"enriched": [], "dead": [], "keys": []})
        for topic, kind in ((s.topics.enriched, "enriched"), (s.topics.deadletter, "dead")):
            for r in read_topic(s, topic):
                if r.key and r.key.startswith(prefix):
                    case = r.key[len(prefix) :].decode()
                    found[case][kind].append(orjson.loads(r.value))
                    found[case]["keys"].append(r.key)
        seen = sum(len(v["enriched"]) + len(v["dead"]) for v in found.values())
        return found if seen >= len(messages) else None

    return wait_until(collect, timeout=300, interval=2, what="every bad-input case to come out")


@pytest.mark.broker
@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_each_case_has_its_defined_outcome(outcomes, case):
    want, stage, flags = EXPECTED[case]
    got = outcomes[case]
    copies = 2 if case in ("dup", "dupedit") else 1
    if want == "enriched":
        assert len(got["enriched"]) == copies and not got["dead"], got["dead"][:1]
        for record in got["enriched"]:
            assert schema_error("enriched", record) is None
            assert set(flags) <= set(record["flags"])
            assert record["processing"]["content_hash"].startswith("sha256:")
            assert record["processing"]["pipeline_version"]
    else:
        assert len(got["dead"]) == 1 and not got["enriched"]
        letter = got["dead"][0]
        assert letter["reason"] == want, letter["error"]
        assert letter["stage"] == stage
        assert schema_error("deadletter", letter) is None


@pytest.mark.broker
def test_dead_letters_keep_the_payload_whole(outcomes):
    junk = outcomes["junk"]["dead"][0]
    assert junk["payload_encoding"] == "base64"
    assert base64.b64decode(junk["payload"]).startswith(b"\x00\x01\x02\xfe\xff\x80")
    assert outcomes["badjson"]["dead"][0]["payload"].endswith('"body": "unterminated')
    assert outcomes["big"]["dead"][0]["id"].endswith("-big")


@pytest.mark.broker
def test_html_scripts_never_reach_the_text(outcomes):
    record = outcomes["script"]["enriched"][0]
    assert "alert" not in record["body"] and "<" not in record["body"]
    assert "council approved the budget" in record["body"]


@pytest.mark.broker
def test_non_english_is_enriched_and_flagged(outcomes):
    record = outcomes["spanish"]["enriched"][0]
    assert record["language"] == "es" and "non_english" in record["flags"]


@pytest.mark.broker
def test_duplicate_ids_dedupe_on_id_and_content_hash(outcomes):
    """Same id, same content: two records with one content hash (a consumer keeps one).
    Same id, new content: two versions, told apart by content hash, in publish order on one partition."""
    same = outcomes["dup"]["enriched"]
    assert {r["id"] for r in same} == {same[0]["id"]}
    assert len({r["processing"]["content_hash"] for r in same}) == 1
    edited = outcomes["dupedit"]["enriched"]
    assert len({r["processing"]["content_hash"] for r in edited}) == 2
    assert "corrected the date" in edited[-1]["body"]  # later offset = later version (same key, same partition)
    assert set(outcomes["dupedit"]["keys"]) == {edited[0]["id"].encode()}


@pytest.mark.broker
def test_worker_survived_the_matrix(worker, outcomes):
    assert worker.proc is not None and worker.proc.poll() is None, worker.log()[-3000:]


@pytest.mark.broker
def test_message_above_the_kafka_limit_is_refused_at_the_publisher(settings_for):
    """Bigger than max_message_bytes never enters the stream: the publisher gets the error, not the pipeline."""
    from agents.clients import publish_values

    huge = orjson.dumps({"id": "huge", "body": "x" * (settings_for.max_message_bytes + 1024)})
    with pytest.raises(MessageSizeTooLargeError):
        publish_values(settings_for, [huge])


# ── whole-pipeline fuzzing, no broker ────────────────────────────────────────

FUZZ_SETTINGS = Settings(max_body_chars=5_000)

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False), st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12,
)
html_bits = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<script>x()</script>",
        "<br>",
        "&amp;",
        "&#xD800;",
        "<b>",
        "\u201c",
        "\u201d",
        " said ",
        "Reuters",
        "\n\n",
        "LISBON (Reuters) - ",
        "\u00e9",
        "\ufffd",
    ]
)
bodies = st.one_of(
    st.text(max_size=400), st.lists(st.one_of(html_bits, st.text(max_size=30)), max_size=30).map("".join)
)
articles = st.fixed_dictionaries(
    {"body": st.one_of(bodies, json_values)},
    optional={
        "id": st.one_of(st.text(max_size=30), json_scalars),
        "headline": st.one_of(st.text(max_size=60), json_values),
        "language": st.one_of(st.sampled_from(["en", "es", "de", "xx-YY"]), json_scalars),
        "published_at": st.one_of(st.just("2026-11-25T10:00:00Z"), st.text(max_size=20)),
    },
)
messages = st.one_of(
    st.binary(max_size=300),
    json_values.map(orjson.dumps),
    articles.map(orjson.dumps),
    articles.map(lambda a: orjson.dumps(a)[: max(1, len(orjson.dumps(a)) // 2)]),  # truncated mid-way
)


def _one_outcome(value: bytes) -> EnrichedRecord | DeadLetter:
    out = list(enrich([value], FUZZ_SETTINGS))
    assert len(out) == 1, out
    assert isinstance(out[0], (EnrichedRecord, DeadLetter))
    return out[0]


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages)
def test_fuzz_any_message_yields_exactly_one_outcome(value):
    outcome = _one_outcome(value)
    if isinstance(outcome, DeadLetter):
        assert outcome.reason and outcome.stage in ("decode", "validate", "clean", "entities", "quotes")
    else:
        assert outcome.processing.content_hash


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(messages, min_size=1, max_size=20))
def test_fuzz_a_batch_yields_one_outcome_per_message(values):
    out = list(enrich(values, FUZZ_SETTINGS))
    assert len(out) == len(values)
