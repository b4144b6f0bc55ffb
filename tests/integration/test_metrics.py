"""Unit tests of agents.metrics (no broker): names, units, labels, lag, latency, the live state, `top`."""

from __future__ import annotations

import time

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from rich.console import Console

from agents import metrics
from pipeline.records import Credits, EnrichedRecord, Entity, Processing, Quote, Speaker
from wirestream import top


def families() -> dict:
    text = generate_latest(metrics.REGISTRY).decode()
    return {f.name: f for f in text_string_to_metric_families(text)}


def sample(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


def record(**overrides) -> EnrichedRecord:
    body = "\u201cWe will build it,\u201d said Ana Ferreira in Lisbon."
    base = {
        "id": "rec-1",
        "headline": "Rail link",
        "body": body,
        "dateline": None,
        "credits": Credits(),
        "language": "en",
        "flags": [],
        "paragraphs": [(0, len(body))],
        "entities": [
            Entity("e1", "Ana Ferreira", "PERSON", 25, 37, "Ana Ferreira"),
            Entity("e2", "Lisbon", "GPE", 41, 47, "Lisbon"),
        ],
        "entity_clusters": [],
        "quotes": [Quote("We will build it,", "direct", 1, 18, cue="said", speaker=Speaker(name="Ana Ferreira"))],
        "processing": Processing(
            "0.1.0",
            "model",
            {"quotes": 2.0},
            enriched_at="2026-01-01T00:00:10.000Z",
            ingested_at="2026-01-01T00:00:08.500Z",
        ),
        "published_at": "2026-01-01T00:00:00Z",
    }
    return EnrichedRecord(**{**base, **overrides})


# ── names, units, labels ─────────────────────────────────────────────────────

EXPECTED = {
    # family name (as the parser reports it): (type, labels)
    "wirestream_articles": ("counter", {"stage", "outcome"}),
    "wirestream_stage_duration_seconds": ("histogram", {"stage"}),
    "wirestream_end_to_end_latency_seconds": ("histogram", {"reference"}),
    "wirestream_dead_letters": ("counter", {"stage", "reason"}),
    "wirestream_consumer_lag_messages": ("gauge", {"topic", "partition"}),
    "wirestream_entities": ("counter", {"label"}),
    "wirestream_quotes": ("counter", {"type"}),
    "wirestream_batch_size": ("histogram", {"stage"}),
}


def test_every_metric_has_the_prefix_and_follows_naming_conventions():
    metrics.record_dead_letter("validate", "schema_invalid")  # so the labelled counter has a sample
    metrics.publish_lag({("articles.raw", 0): 3})
    metrics.record_enriched(record())
    found = families()
    for name, family in found.items():
        assert name.startswith(metrics.PREFIX), name
        for s in family.samples:
            if family.type == "counter":
                assert s.name == name + "_total", s.name  # counters end in _total
            if family.type == "histogram":
                assert s.name.rsplit("_", 1)[-1] in ("bucket", "sum", "count"), s.name
        if family.type == "histogram" and ("latency" in name or "duration" in name):
            assert name.endswith("_seconds"), name  # base unit for time
        assert "_ms" not in name and "milli" not in name
    for name, (kind, labels) in EXPECTED.items():
        assert name in found, f"missing {name}"
        assert found[name].type == kind, name
        got = {k for s in found[name].samples for k in s.labels if k != "le"}
        assert got == labels, (name, got)


def test_stage_and_outcome_series_exist_before_any_article():
    # rate() needs a zero to start from; these are created at import time.
    text = generate_latest(metrics.REGISTRY).decode()
    for stage in metrics.STAGES:
        for outcome in metrics.OUTCOMES:
            assert f'wirestream_articles_total{{outcome="{outcome}",stage="{stage}"}}' in text


def test_record_stage_counts_and_observes_seconds():
    before = sample("wirestream_articles_total", stage="entities", outcome="ok")
    observed = sample("wirestream_stage_duration_seconds_count", stage="entities")
    metrics.record_stage(
        "entities", "ok", metrics.stage_seconds({"parse": 120.0, "entities": 5.0}, "parse", "entities")
    )
    assert sample("wirestream_articles_total", stage="entities", outcome="ok") == before + 1
    assert sample("wirestream_stage_duration_seconds_count", stage="entities") == observed + 1
    assert sample("wirestream_stage_duration_seconds_bucket", stage="entities", le="0.25") >= 1


def test_stage_seconds_converts_milliseconds_and_tolerates_missing_steps():
    assert metrics.stage_seconds({"parse": 120.0, "entities": 5.0}, "parse", "entities") == pytest.approx(0.125)
    assert metrics.stage_seconds({"clean": 2.0}, "clean", "nope") == pytest.approx(0.002)
    assert metrics.stage_seconds({}, "quotes") is None


def test_dead_letter_counts_reason_and_the_agent_stage_outcome():
    dead = sample("wirestream_dead_letters_total", stage="decode", reason="not_utf8")
    clean_dead = sample("wirestream_articles_total", stage="clean", outcome="dead_letter")
    metrics.record_dead_letter("decode", "not_utf8", "cannot decode JSON", None)
    assert sample("wirestream_dead_letters_total", stage="decode", reason="not_utf8") == dead + 1
    # decode and validate run inside the clean agent
    assert sample("wirestream_articles_total", stage="clean", outcome="dead_letter") == clean_dead + 1
    assert metrics.LIVE.errors[-1]["reason"] == "not_utf8"


def test_record_enriched_counts_entities_quotes_and_both_latencies():
    person = sample("wirestream_entities_total", label="PERSON")
    direct = sample("wirestream_quotes_total", type="direct")
    ingest_sum = sample("wirestream_end_to_end_latency_seconds_sum", reference="ingested_at")
    published_sum = sample("wirestream_end_to_end_latency_seconds_sum", reference="published_at")
    metrics.record_enriched(record(id="rec-2"))
    assert sample("wirestream_entities_total", label="PERSON") == person + 1
    assert sample("wirestream_quotes_total", type="direct") == direct + 1
    assert sample("wirestream_end_to_end_latency_seconds_sum", reference="ingested_at") == pytest.approx(
        ingest_sum + 1.5
    )
    assert sample("wirestream_end_to_end_latency_seconds_sum", reference="published_at") == pytest.approx(
        published_sum + 10.0
    )
    assert metrics.LIVE.recent[-1]["id"] == "rec-2"


def test_a_headline_quote_is_counted_and_shown_as_the_headlines():
    indirect = sample("wirestream_quotes_total", type="indirect")
    top = Quote("Rail Link Will Open", "indirect", 16, 35, cue="Says", speaker=Speaker(name="Ana Ferreira"))
    rec = record(id="rec-3", headline="Ferreira Says Rail Link Will Open", headline_quotes=[top])
    metrics.record_enriched(rec)
    assert sample("wirestream_quotes_total", type="indirect") == indirect + 1
    assert [q["part"] for q in metrics.page_article(rec, max_chars=400)["quotes"]] == ["body", "headline"]


def test_batch_sizes_are_observed_per_stage():
    before = sample("wirestream_batch_size_count", stage="quotes")
    metrics.record_batch("quotes", 7)
    assert sample("wirestream_batch_size_count", stage="quotes") == before + 1
    assert sample("wirestream_batch_size_bucket", stage="quotes", le="8.0") >= 1


# ── latency ──────────────────────────────────────────────────────────────────


def test_end_to_end_latency_from_published_at_and_ingest_time():
    rec = record()
    done = metrics.parse_time(rec.processing.enriched_at)
    assert metrics.end_to_end_latencies(rec, done) == {
        "ingested_at": pytest.approx(1.5),
        "published_at": pytest.approx(10.0),
    }


def test_latency_without_published_at_uses_ingest_time_only():
    rec = record(published_at=None)
    assert set(metrics.end_to_end_latencies(rec, metrics.parse_time("2026-01-01T00:00:09Z"))) == {"ingested_at"}


def test_clock_skew_and_garbage_stamps_never_give_negative_or_bogus_latency():
    future = record(published_at="2026-01-01T01:00:00+00:00")
    assert metrics.end_to_end_latencies(future, metrics.parse_time("2026-01-01T00:00:10Z"))["published_at"] == 0.0
    junk = record(published_at="last tuesday")
    junk.processing.ingested_at = None
    assert metrics.end_to_end_latencies(junk, time.time()) == {}


@pytest.mark.parametrize(
    "stamp, expected",
    [
        ("2026-11-25T10:00:00Z", 1795600800.0),
        ("2026-11-25T11:00:00+01:00", 1795600800.0),
        ("2026-11-25T10:00:00", 1795600800.0),  # naive means UTC
        ("2026-11-25T10:00:00.250Z", 1795600800.25),
    ],
)
def test_parse_time(stamp, expected):
    assert metrics.parse_time(stamp) == pytest.approx(expected)


def test_ingest_stamp_uses_the_kafka_timestamp_else_now():
    from pipeline.codec import ingest_stamp

    assert ingest_stamp(1795600800.25) == "2026-11-25T10:00:00.250Z"
    assert abs(metrics.parse_time(ingest_stamp(None)) - time.time()) < 5


# ── consumer lag ─────────────────────────────────────────────────────────────


def test_lag_is_end_minus_committed():
    committed = {("articles.raw", 0): 90, ("articles.raw", 1): 100}
    end = {("articles.raw", 0): 100, ("articles.raw", 1): 100}
    assert metrics.consumer_lag(committed, end) == {("articles.raw", 0): 10, ("articles.raw", 1): 0}


def test_lag_without_a_commit_counts_from_the_log_start():
    end = {("articles.clean", 0): 50, ("articles.clean", 1): 7}
    start = {("articles.clean", 0): 20}
    lag = metrics.consumer_lag({("articles.clean", 0): None, ("articles.clean", 1): -1}, end, start)
    assert lag == {("articles.clean", 0): 30, ("articles.clean", 1): 7}


def test_lag_is_never_negative():
    # a commit can be seen before the end offset it refers to (two separate requests)
    assert metrics.consumer_lag({("t", 0): 12}, {("t", 0): 10}) == {("t", 0): 0}


def test_published_lag_covers_only_the_assigned_partitions():
    metrics.publish_lag({("articles.raw", 0): 5, ("articles.raw", 1): 2})
    assert sample("wirestream_consumer_lag_messages", topic="articles.raw", partition="1") == 2
    # after a rebalance this worker owns partition 0 only: partition 1 must disappear,
    # or the sum over workers would count it twice
    metrics.publish_lag({("articles.raw", 0): 4})
    assert (
        metrics.REGISTRY.get_sample_value(
            "wirestream_consumer_lag_messages", {"topic": "articles.raw", "partition": "1"}
        )
        is None
    )
    assert sample("wirestream_consumer_lag_messages", topic="articles.raw", partition="0") == 4
    assert metrics.LIVE.snapshot()["lag"]["total"] == 4


def test_a_failed_lag_refresh_is_counted_and_shown():
    before = sample("wirestream_consumer_lag_refresh_failures_total")
    metrics.lag_failed(TimeoutError("broker away"))
    assert sample("wirestream_consumer_lag_refresh_failures_total") == before + 1
    assert "broker away" in metrics.LIVE.snapshot()["lag"]["error"]


def test_each_app_gets_its_own_registry_with_process_metrics():
    from agents.web import metrics_registry

    a, b = metrics_registry(), metrics_registry()  # no "duplicated timeseries" error
    text = generate_latest(a).decode()
    assert "wirestream_articles_total" in text
    assert "process_cpu_seconds_total" in text
    assert generate_latest(b)


# ── the live state ───────────────────────────────────────────────────────────


def test_rate_meter_counts_events_in_the_window_only():
    now = [1000.0]
    meter = metrics.RateMeter(horizon_s=60, clock=lambda: now[0])
    for _ in range(20):
        meter.add()
    now[0] += 5
    meter.add(10)
    assert meter.rate(10) == pytest.approx(3.0)
    now[0] += 6  # the first 20 events fall out of a 10 s window
    assert meter.rate(10) == pytest.approx(1.0)
    now[0] += 100
    meter.add()
    assert len(meter._buckets) == 1  # bounded memory


def test_rate_meter_series_bins_oldest_first_ending_now():
    now = [1000.0]
    meter = metrics.RateMeter(horizon_s=120, clock=lambda: now[0])
    meter.add(10)  # 12 s before "now" below
    now[0] += 12
    meter.add(5)
    assert meter.series(bins=4, bin_s=5) == [0.0, 2.0, 0.0, 1.0]  # ages 10-14 s, then 0-4 s


def test_percentile_nearest_rank():
    values = list(range(1, 101))
    assert metrics.percentile(values, 0.5) == 50
    assert metrics.percentile(values, 0.99) == 99
    assert metrics.percentile([3.0], 0.99) == 3.0
    assert metrics.percentile([], 0.5) is None


def test_live_state_is_bounded_and_newest_first():
    state = metrics.LiveState(recent=3)
    for i in range(5):
        state.recent.append({"id": str(i)})
    assert [a["id"] for a in state.snapshot()["recent"]] == ["4", "3", "2"]


def test_page_article_keeps_text_and_offsets_and_drops_entities_past_truncation():
    page = metrics.page_article(record(), max_chars=40)
    assert page["truncated"] and len(page["body"]) == 40
    assert [e["text"] for e in page["entities"]] == ["Ana Ferreira"]
    assert page["quotes"] == [
        {"text": "We will build it,", "type": "direct", "speaker": "Ana Ferreira", "cue": "said", "part": "body"}
    ]


# ── wirestream top ───────────────────────────────────────────────────────────


def fake_state(app_id: str, ok: int, rate: float, lag: dict, errors: list) -> dict:
    return {
        "worker": {"app_id": app_id},
        "uptime_s": 30.0,
        "stages": [
            {"stage": s, "ok": ok, "dead_letter": 1 if s == "clean" else 0, "rate_10s": rate, "rate_60s": rate / 2}
            for s in metrics.STAGES
        ],
        "lag": {
            "total": sum(lag.values()),
            "partitions": [{"topic": t, "partition": p, "lag": n} for (t, p), n in lag.items()],
        },
        "latency_s": {"count": ok, "p50": 0.2, "p95": 0.5, "p99": 0.9},
        "dead_letters": {"total": 1},
        "errors": errors,
    }


def test_top_sums_workers_and_shows_lag_and_last_errors():
    a = fake_state(
        "grp",
        10,
        1.5,
        {("articles.raw", 0): 7},
        [{"at": "2026-11-25T10:00:01.000Z", "stage": "decode", "reason": "invalid_json", "error": "bad", "id": None}],
    )
    b = fake_state("grp", 5, 0.5, {("articles.raw", 1): 3}, [])
    console = Console(record=True, width=140)
    console.print(
        top.render(
            [("http://w1:6066", a, None), ("http://w2:6067", b, None), ("http://w3:6068", None, "connection refused")]
        )
    )
    out = console.export_text()
    assert "2/3 worker(s)" in out
    assert "2.00" in out  # 1.5 + 0.5 articles/s in each stage
    assert " 15 " in out  # ok summed
    assert "consumer lag (total 10)" in out
    assert "decode/invalid_json" in out
    assert "unreachable" in out


def test_top_once_fails_when_no_worker_answers():
    console = Console(record=True, width=120)
    assert top.run(["http://127.0.0.1:9"], once=True, console=console) == 1
    assert "unreachable" in console.export_text()


def test_known_dead_letter_series_start_at_zero():
    # so rate()/increase() see the first dead letter of each kind (a series born at 1 shows no increase)
    from pipeline.cleaning.clean import REJECTION_REASONS
    from pipeline.formats.reasons import DECODE_REASONS, VALIDATE_REASONS

    known = set(metrics.KNOWN_DEAD_LETTERS)
    assert {("decode", r) for r in DECODE_REASONS} <= known
    assert {("validate", r) for r in VALIDATE_REASONS} <= known
    assert {("clean", r) for r in REJECTION_REASONS} <= known
    text = generate_latest(metrics.REGISTRY).decode()
    assert 'wirestream_dead_letters_total{reason="empty_body",stage="clean"}' in text


def test_entity_label_series_cover_the_labels_the_entities_stage_keeps():
    from pipeline.entities.extract import NAME_LABELS

    assert set(NAME_LABELS) <= set(metrics.ENTITY_LABELS)
    assert 'wirestream_entities_total{label="WORK_OF_ART"}' in generate_latest(metrics.REGISTRY).decode()
