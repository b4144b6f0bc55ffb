"""kafka-python clients for the CLI and tests: topic creation, publishing, tailing."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from pipeline import codec
from pipeline.config import Settings
from pipeline.sources import key_of


def wait_for_broker(settings: Settings, timeout: float = 60.0) -> KafkaAdminClient:
    """An admin client once the cluster answers; retries so a starting broker is not an error."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return KafkaAdminClient(client_id="wirestream-admin", **settings.kafka_python_options())
        except KafkaError:
            if time.monotonic() > deadline:
                raise ConnectionError(
                    f"no Kafka broker answered at {settings.bootstrap_servers} within {timeout:.0f}s "
                    "(start one with `wirestream broker start`)"
                ) from None
            time.sleep(1.0)


def ensure_topics(settings: Settings) -> list[str]:
    """Create the topology's topics that do not exist yet; return the ones created."""
    admin = wait_for_broker(settings)
    try:
        existing = set(admin.list_topics())
        missing = [t for t in settings.topics.all() if t not in existing]
        created = []
        for name in missing:
            try:
                # Big enough for a body at the size limit and its parse (docs/operations.md).
                limit = {"max.message.bytes": str(settings.max_message_bytes)}
                admin.create_topics([NewTopic(name, settings.partitions, 1, topic_configs=limit)])
                created.append(name)
            except TopicAlreadyExistsError:
                pass
        return created
    finally:
        admin.close()


def producer(settings: Settings) -> KafkaProducer:
    return KafkaProducer(acks="all", linger_ms=5, retries=5, max_request_size=settings.max_message_bytes,
                         **settings.kafka_python_options())


def publish_values(settings: Settings, values: Iterable[bytes], topic: str | None = None,
                   on_sent: callable | None = None) -> int:
    """Publish raw article values keyed by their id; returns how many the broker acknowledged."""
    prod = producer(settings)
    topic = topic or settings.topics.raw
    futures = []
    try:
        for value in values:
            futures.append(prod.send(topic, key=key_of(value), value=value, headers=codec.headers("raw")))
            if on_sent:
                on_sent()
        prod.flush()
        return sum(1 for f in futures if f.get(timeout=30))
    finally:
        prod.close()


def tail(settings: Settings, topic: str, from_beginning: bool = False, max_records: int | None = None,
         idle_timeout_s: float | None = None) -> Iterator[bytes]:
    """Values from a topic as they arrive (no consumer group: tailing never moves anyone's offsets)."""
    consumer = KafkaConsumer(
        topic,
        group_id=None,
        auto_offset_reset="earliest" if from_beginning else "latest",
        enable_auto_commit=False,
        consumer_timeout_ms=int(idle_timeout_s * 1000) if idle_timeout_s else float("inf"),
        **settings.kafka_python_options(),
    )
    count = 0
    try:
        for message in consumer:
            yield message.value
            count += 1
            if max_records is not None and count >= max_records:
                return
    finally:
        consumer.close()
