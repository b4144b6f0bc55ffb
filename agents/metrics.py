"""Throughput, latency, lag and dead-letter figures, for Prometheus and the live page.

The agents call the small `record_*` functions below at each stage outcome; each
call updates two views of the same facts:

* Prometheus metrics (prefix `wirestream_`) in `REGISTRY`, which the worker
  serves on its web port at `/metrics` next to Faust's own sensors;
* an in-process `LIVE` state (rates over the last seconds, the last errors, the
  latest enriched articles) that `/api/state`, `/dashboard` and `wirestream top`
  read.

Every worker process counts only what it processed itself; Prometheus scrapes
each worker and `sum()`s across them. Consumer lag is reported by a worker only
for the partitions assigned to it, so summing or maxing across workers never
counts a partition twice (see `docs/monitoring.md`).

Nothing here imports Faust: the agents are the thin shell that calls in.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from collections import Counter as Tally
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info, disable_created_metrics

from pipeline import __version__
from pipeline.codec import now_iso as iso_now
from pipeline.codec import parse_time
from pipeline.records import EnrichedRecord

PREFIX = "wirestream_"
STAGES = ("clean", "entities", "quotes")
# ok: passed on; dead_letter; and at the last stage, a story copy that was superseded (not newer
# than the one published), held (embargo ahead) or withdrawn (a kill's tombstones).
OUTCOMES = ("ok", "dead_letter", "superseded", "held", "withdrawn")
QUOTE_TYPES = ("direct", "indirect", "mixed")
#: Labels pipeline.entities.extract keeps (its NAME_LABELS); pre-created so rate() sees the first mention.
ENTITY_LABELS = ("PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE")
#: Dead letters name the step that refused the message; these steps run in the clean agent.
AGENT_OF_STEP = {"decode": "clean", "validate": "clean", "clean": "clean"}
#: The end-to-end latency is measured from two reference clocks.
REFERENCES = ("ingested_at", "published_at")

STAGE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0, 21600.0, 86400.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128)

# No `<name>_created` series next to counters and histograms: Prometheus does not use them
# (process-wide switch, read at scrape time; Faust's metrics lose theirs too).
disable_created_metrics()  # type: ignore[no-untyped-call]
REGISTRY = CollectorRegistry(auto_describe=True)

ARTICLES = Counter(
    "wirestream_articles_total",
    "Articles leaving a stage, by stage and outcome (ok, dead_letter; superseded, held, withdrawn at quotes).",
    ["stage", "outcome"],
    registry=REGISTRY,
)
STAGE_SECONDS = Histogram(
    "wirestream_stage_duration_seconds",
    "Processing time of one article in a stage (entities includes its share of the spaCy batch parse).",
    ["stage"],
    buckets=STAGE_BUCKETS,
    registry=REGISTRY,
)
END_TO_END = Histogram(
    "wirestream_end_to_end_latency_seconds",
    "Time from a reference clock to enrichment: reference=ingested_at (the raw Kafka record's "
    "timestamp) for every article, reference=published_at for articles that carry one.",
    ["reference"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
DEAD_LETTERS = Counter(
    "wirestream_dead_letters_total",
    "Dead letters written, by the step that refused the message and the reason.",
    ["stage", "reason"],
    registry=REGISTRY,
)
LAG = Gauge(
    "wirestream_consumer_lag_messages",
    "Messages not yet committed by this worker's consumer group (end offset minus committed offset), "
    "for the partitions assigned to this worker.",
    ["topic", "partition"],
    registry=REGISTRY,
)
COMMITTED = Gauge(
    "wirestream_consumer_committed_offset",
    "Where this worker's consumer group resumes each assigned partition: its committed offset (the log "
    "start before the first commit). Flat while lag is above 0 means the partition makes no progress.",
    ["topic", "partition"],
    registry=REGISTRY,
)
LAG_REFRESH_FAILURES = Counter(
    "wirestream_consumer_lag_refresh_failures_total",
    "Lag refreshes that failed (broker unreachable, timeouts).",
    registry=REGISTRY,
)
LAG_REFRESHED = Gauge(
    "wirestream_consumer_lag_refresh_timestamp_seconds",
    "Unix time of the last successful lag refresh.",
    registry=REGISTRY,
)
ENTITIES = Counter(
    "wirestream_entities_total", "Entity mentions in enriched articles, by spaCy label.", ["label"], registry=REGISTRY
)
QUOTES = Counter(
    "wirestream_quotes_total",
    "Quotes attributed in enriched articles (body and headline), by type.",
    ["type"],
    registry=REGISTRY,
)
BATCH = Histogram(
    "wirestream_batch_size",
    "Articles per batch taken from the stream by a stage.",
    ["stage"],
    buckets=BATCH_BUCKETS,
    registry=REGISTRY,
)
HELD = Gauge(
    "wirestream_embargoed_held",
    "Enriched story copies held until their embargo lifts (this worker's partitions).",
    registry=REGISTRY,
)
BUILD = Info("wirestream_build", "Pipeline version and consumer group of this worker.", registry=REGISTRY)

# Series that exist before the first article, so rate() has a zero to start from.
for _stage in STAGES:
    for _outcome in OUTCOMES:
        ARTICLES.labels(_stage, _outcome)
    STAGE_SECONDS.labels(_stage)
for _stage in STAGES:
    BATCH.labels(_stage)
for _type in QUOTE_TYPES:
    QUOTES.labels(_type)
for _label in ENTITY_LABELS:
    ENTITIES.labels(_label)
for _ref in REFERENCES:
    END_TO_END.labels(_ref)


def known_dead_letters() -> tuple[tuple[str, str], ...]:
    """(step, reason) of every dead letter the stages can write, from the lists that define them
    (a reason added later still counts; its series just starts at its first dead letter)."""
    from pipeline.cleaning import REJECTION_REASONS
    from pipeline.formats.reasons import DECODE_REASONS, VALIDATE_REASONS
    from pipeline.stages import STAGES

    pairs = {("decode", r) for r in DECODE_REASONS} | {("validate", r) for r in VALIDATE_REASONS}
    pairs |= {("clean", r) for r in REJECTION_REASONS}
    for stage in STAGES.values():  # what any stage's work can end in, in or out of the NLP process
        pairs |= {
            (stage.name, stage.failed_reason),
            (stage.name, "processing_timeout"),
            (stage.name, "nlp_process_crashed"),
            (stage.name, "internal_error"),
        }
    pairs |= {
        ("entities", "bad_internal_record"),
        ("quotes", "bad_internal_record"),
        ("clean", "body_too_large"),
        ("entities", "body_too_large"),
        ("quotes", "output_too_large"),
    }
    return tuple(sorted(pairs))


KNOWN_DEAD_LETTERS = known_dead_letters()
for _step, _reason in KNOWN_DEAD_LETTERS:
    DEAD_LETTERS.labels(_step, _reason)


# ── the in-process view: rates, last errors, latest articles ─────────────────


class RateMeter:
    """Events per second over a sliding window, in one-second buckets (no unbounded memory)."""

    def __init__(self, horizon_s: int = 120, clock: Callable[[], float] = time.monotonic) -> None:
        self.horizon_s, self.clock = horizon_s, clock
        self._buckets: deque[list[float]] = deque()
        self._lock = threading.Lock()

    def add(self, n: float = 1) -> None:
        second = int(self.clock())
        with self._lock:
            if self._buckets and self._buckets[-1][0] == second:
                self._buckets[-1][1] += n
            else:
                self._buckets.append([second, n])
            while self._buckets and self._buckets[0][0] <= second - self.horizon_s:
                self._buckets.popleft()

    def rate(self, window_s: float = 10.0) -> float:
        """Average events per second over the last `window_s` seconds (the current second included)."""
        now = self.clock()
        with self._lock:
            total = sum(n for second, n in self._buckets if second > now - window_s)
        return total / window_s

    def series(self, bins: int = 24, bin_s: int = 5) -> list[float]:
        """Events per second in consecutive `bin_s`-second bins, oldest first, ending now."""
        now = int(self.clock())
        out = [0.0] * bins
        with self._lock:
            for second, n in self._buckets:
                age = now - int(second)
                if 0 <= age < bins * bin_s:
                    out[bins - 1 - age // bin_s] += n
        return [round(x / bin_s, 3) for x in out]


def percentile(values: Iterable[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..1), or None without data."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = math.ceil(q * len(ordered))
    return ordered[min(len(ordered), max(rank, 1)) - 1]


def page_article(record: EnrichedRecord, max_chars: int = 6000) -> dict[str, Any]:
    """The part of an enriched record the live page shows: text plus offsets, never HTML."""
    body = record.body[:max_chars]
    return {
        "id": record.id,
        "headline": record.headline,
        "body": body,
        "truncated": len(record.body) > max_chars,
        "source": record.source,
        "url": record.url,
        "published_at": record.published_at,
        "enriched_at": record.processing.enriched_at,
        "entities": [
            {"start": e.start, "end": e.end, "label": e.label, "text": e.text}
            for e in record.entities
            if e.end <= len(body)
        ],
        "quotes": [
            {"text": q.text, "type": q.type, "speaker": q.speaker.name or q.speaker.mention, "cue": q.cue, "part": part}
            for part, q in record.every_quote()
        ],
    }


class LiveState:
    """What the page and `wirestream top` show; bounded in memory whatever the traffic."""

    def __init__(self, recent: int = 20, errors: int = 20, latencies: int = 1000) -> None:
        self.counts: Tally[tuple[str, str]] = Tally()
        self.rates = {stage: RateMeter() for stage in STAGES}
        self.dead_rate = RateMeter()
        self.dead_by: Tally[tuple[str, str]] = Tally()
        self.entities: Tally[str] = Tally()
        self.quotes: Tally[str] = Tally()
        self.latencies: deque[float] = deque(maxlen=latencies)
        self.errors: deque[dict[str, Any]] = deque(maxlen=errors)
        self.recent: deque[dict[str, Any]] = deque(maxlen=recent)
        self.lag: dict[tuple[str, int], int] = {}
        self.lag_updated_at: str | None = None
        self.lag_error: str | None = None
        self.started = time.time()
        self.held = 0  # embargoed copies waiting on this worker
        self.busy: dict[str, float] = {}  # stage -> monotonic time its batch in hand was taken

    def snapshot(self) -> dict[str, Any]:
        """A JSON-ready picture of this worker (the body of `/api/state`)."""
        stages = []
        for stage in STAGES:
            stages.append(
                {
                    "stage": stage,
                    "ok": self.counts[(stage, "ok")],
                    "dead_letter": self.counts[(stage, "dead_letter")],
                    # seconds spent on the batch in hand (None: waiting for one): a stuck stage shows here
                    "busy_s": round(time.monotonic() - self.busy[stage], 1) if stage in self.busy else None,
                    "rate_10s": round(self.rates[stage].rate(10), 3),
                    "rate_60s": round(self.rates[stage].rate(60), 3),
                    "history": self.rates[stage].series(),  # 2 minutes in 5 s bins, for the sparklines
                }
            )
        lat = list(self.latencies)
        return {
            "now": iso_now(),
            "uptime_s": round(time.time() - self.started, 1),
            "stages": stages,
            "lag": {
                "total": sum(self.lag.values()),
                "partitions": [{"topic": t, "partition": p, "lag": n} for (t, p), n in sorted(self.lag.items())],
                "updated_at": self.lag_updated_at,
                "error": self.lag_error,
            },
            "latency_s": {
                "count": len(lat),
                "p50": percentile(lat, 0.5),
                "p95": percentile(lat, 0.95),
                "p99": percentile(lat, 0.99),
            },
            "dead_letters": {
                "total": sum(self.dead_by.values()),
                "rate_60s": round(self.dead_rate.rate(60), 3),
                "by_reason": [{"stage": s, "reason": r, "count": n} for (s, r), n in self.dead_by.most_common()],
            },
            "errors": list(reversed(self.errors)),
            "entities": dict(self.entities.most_common()),
            "quotes": dict(self.quotes.most_common()),
            "recent": list(reversed(self.recent)),
            "stories": {
                "held": self.held,
                "superseded": self.counts[("quotes", "superseded")],
                "withdrawn": self.counts[("quotes", "withdrawn")],
            },
        }


LIVE = LiveState()


# ── what the agents call ─────────────────────────────────────────────────────


def record_stage(stage: str, outcome: str, seconds: float | None = None) -> None:
    """One article left `stage` with `outcome` ("ok" or "dead_letter"), after `seconds` of work."""
    ARTICLES.labels(stage, outcome).inc()
    LIVE.counts[(stage, outcome)] += 1
    meter = LIVE.rates.get(stage)
    if meter is not None:
        meter.add()
    if seconds is not None and seconds >= 0:
        STAGE_SECONDS.labels(stage).observe(seconds)


def stage_seconds(timings_ms: Mapping[str, float], *steps: str) -> float | None:
    """Seconds spent in the named steps of a record's `timings_ms`, or None when none was timed."""
    found = [timings_ms[s] for s in steps if s in timings_ms]
    return sum(found) / 1000 if found else None


def record_dead_letter(step: str, reason: str, error: str = "", article_id: str | None = None) -> None:
    """A dead letter from `step` (decode, validate, clean, entities, quotes) for `reason`.

    Also counts the article as leaving its agent's stage with outcome dead_letter.
    """
    DEAD_LETTERS.labels(step, reason).inc()
    LIVE.dead_by[(step, reason)] += 1
    LIVE.dead_rate.add()
    LIVE.errors.append({"at": iso_now(), "stage": step, "reason": reason, "error": error[:300], "id": article_id})
    record_stage(AGENT_OF_STEP.get(step, step), "dead_letter")


def set_held(count: int) -> None:
    HELD.set(count)
    LIVE.held = count


def record_batch(stage: str, size: int) -> None:
    """A batch was taken: counted, and the stage is busy with it until `batch_done`."""
    BATCH.labels(stage).observe(size)
    LIVE.busy[stage] = time.monotonic()


def batch_done(stage: str) -> None:
    LIVE.busy.pop(stage, None)


def record_enriched(record: EnrichedRecord) -> None:
    """An enriched record is out: entities by label, quotes by type, end-to-end latency, the page."""
    for entity in record.entities:
        ENTITIES.labels(entity.label).inc()
        LIVE.entities[entity.label] += 1
    for _, quote in record.every_quote():
        QUOTES.labels(quote.type).inc()
        LIVE.quotes[quote.type] += 1
    done = parse_time(record.processing.enriched_at) or time.time()
    for reference, since in end_to_end_latencies(record, done).items():
        END_TO_END.labels(reference).observe(since)
        if reference == "ingested_at":
            LIVE.latencies.append(since)
    LIVE.recent.append(page_article(record))


def end_to_end_latencies(record: EnrichedRecord, done: float) -> dict[str, float]:
    """Seconds from each known reference clock to `done` (unix time); clocks ahead of us count as 0."""
    out: dict[str, float] = {}
    refs = {"ingested_at": getattr(record.processing, "ingested_at", None), "published_at": record.published_at}
    for reference, stamp in refs.items():
        start = parse_time(stamp)
        if start is not None:
            out[reference] = max(0.0, done - start)
    return out


def set_build_info(app_id: str) -> None:
    BUILD.info({"version": __version__, "app_id": app_id})


# ── time stamps ──────────────────────────────────────────────────────────────


# iso_now, iso_from_epoch, ingest_stamp and parse_time live in pipeline.codec (imported above).


# ── consumer lag ─────────────────────────────────────────────────────────────

TP = tuple[str, int]


def resume_positions(
    committed: Mapping[TP, int | None], end: Mapping[TP, int], start: Mapping[TP, int] | None = None
) -> dict[TP, int]:
    """Where the group resumes each partition: its committed offset, or the log start before a first commit."""
    positions: dict[TP, int] = {}
    for tp in end:
        position = committed.get(tp)
        positions[tp] = (start or {}).get(tp, 0) if position is None or position < 0 else position
    return positions


def consumer_lag(
    committed: Mapping[TP, int | None], end: Mapping[TP, int], start: Mapping[TP, int] | None = None
) -> dict[TP, int]:
    """Lag per partition: end offset minus committed offset, never negative.

    A partition with no committed offset yet (a new group reading from the
    earliest record) lags by everything still in the log: end minus log start.
    """
    positions = resume_positions(committed, end, start)
    return {tp: max(0, end_offset - positions[tp]) for tp, end_offset in end.items()}


def publish_lag(lag: Mapping[TP, int], positions: Mapping[TP, int] | None = None) -> None:
    """Set the lag (and committed-offset) gauges to exactly these partitions (revoked ones disappear)."""
    for topic, partition in set(LIVE.lag) - set(lag):
        for gauge in (LAG, COMMITTED):
            with contextlib.suppress(KeyError):
                gauge.remove(topic, str(partition))
    for (topic, partition), value in lag.items():
        LAG.labels(topic, str(partition)).set(value)
    for (topic, partition), value in (positions or {}).items():
        COMMITTED.labels(topic, str(partition)).set(value)
    LIVE.lag = dict(lag)
    LIVE.lag_updated_at = iso_now()
    LIVE.lag_error = None
    LAG_REFRESHED.set(time.time())


def lag_failed(exc: BaseException) -> None:
    LAG_REFRESH_FAILURES.inc()
    LIVE.lag_error = f"{type(exc).__name__}: {exc}"[:300]


@dataclass(frozen=True, slots=True)
class PartitionOffsets:
    """One partition as the group sees it: where it resumes, and the log's end."""

    position: int
    end: int

    @property
    def lag(self) -> int:
        return max(0, self.end - self.position)


class LagProbe:
    """Committed and end offsets of a consumer group's partitions, through kafka-python.

    Blocking: call `measure` from a worker thread, never on the event loop.
    """

    def __init__(self, settings: Any, group_id: str, timeout_ms: int = 5000) -> None:
        self.settings, self.group_id, self.timeout_ms = settings, group_id, timeout_ms
        # kafka-python narrates every connection at INFO; a worker run with --loglevel info
        # would be mostly that. Its warnings and errors still come through.
        logging.getLogger("kafka").setLevel(logging.WARNING)
        self._admin: Any = None
        self._consumer: Any = None

    def _clients(self) -> tuple[Any, Any]:
        from kafka import KafkaAdminClient, KafkaConsumer

        from agents.security import kafka_python_options

        opts = kafka_python_options(self.settings)
        if self._admin is None:
            self._admin = KafkaAdminClient(client_id="wirestream-lag", request_timeout_ms=self.timeout_ms, **opts)
        if self._consumer is None:
            self._consumer = KafkaConsumer(
                client_id="wirestream-lag",
                group_id=None,
                enable_auto_commit=False,
                request_timeout_ms=max(self.timeout_ms, 6000),
                **opts,
            )
        return self._admin, self._consumer

    def measure(self, partitions: Iterable[TP]) -> dict[TP, int]:
        """Lag per partition."""
        return {tp: o.lag for tp, o in self.measure_offsets(partitions).items()}

    def measure_offsets(self, partitions: Iterable[TP]) -> dict[TP, PartitionOffsets]:
        """Resume position, end offset and lag per partition (what readiness and the stall alert need)."""
        from kafka import TopicPartition

        tps = [TopicPartition(t, p) for t, p in partitions]
        if not tps:
            return {}
        try:
            admin, consumer = self._clients()
            if hasattr(admin, "list_group_offsets"):  # kafka-python 3
                got = admin.list_group_offsets({self.group_id: tps}).get(self.group_id, {})
            else:  # kafka-python 2
                got = admin.list_consumer_group_offsets(self.group_id, partitions=tps)
            committed = {(tp.topic, tp.partition): (om.offset if om is not None else None) for tp, om in got.items()}
            end = consumer.end_offsets(tps)
            missing = [tp for tp in tps if committed.get((tp.topic, tp.partition)) in (None, -1)]
            start = consumer.beginning_offsets(missing) if missing else {}
        except Exception:
            self.close()  # reconnect from scratch next time
            raise
        ends = {(tp.topic, tp.partition): o for tp, o in end.items()}
        positions = resume_positions(committed, ends, {(tp.topic, tp.partition): o for tp, o in start.items()})
        return {tp: PartitionOffsets(positions[tp], end_offset) for tp, end_offset in ends.items()}

    def close(self) -> None:
        for client in (self._admin, self._consumer):
            if client is not None:
                with contextlib.suppress(Exception):  # closing a half-broken client must not raise
                    client.close()
        self._admin = self._consumer = None
