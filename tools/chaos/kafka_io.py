"""The harness's own Kafka traffic: publishing the copy, reading the outputs back.

It talks to Kafka through aiokafka (the worker's own client), one
short-lived client per call with a hard timeout: a broker restart or stall
mid-call then costs a retry, never a hung harness.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

import orjson

from pipeline import codec
from pipeline.config import Settings
from tools.chaos.articles import revision_in
from tools.chaos.outcomes import Outcome


def _run(coro_fn: Callable[..., Coroutine[Any, Any, Any]], *args: Any, timeout: float = 60.0, attempts: int = 5) -> Any:
    last: BaseException | None = None
    for attempt in range(attempts):
        try:
            return asyncio.run(asyncio.wait_for(coro_fn(*args), timeout))
        except Exception as exc:  # noqa: BLE001 - broker restarting or briefly unreachable
            last = exc
            time.sleep(min(1.0 * 2**attempt, 8.0))
    raise RuntimeError(f"Kafka call {coro_fn.__name__} failed {attempts} times: {last!r}") from last


async def _partitions(consumer: Any, topics: list[str]) -> list[Any]:
    from aiokafka import TopicPartition

    metadata = await consumer._client.fetch_all_metadata()  # an unsubscribed consumer caches none
    return [TopicPartition(t, p) for t in topics for p in sorted(metadata.partitions_for_topic(t) or ())]


async def _read_topics(bootstrap: str, topics: list[str]) -> dict[str, list[bytes]]:
    """Every value of each topic, partition by partition in offset order (so per key in append order)."""
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        group_id=None,
        max_partition_fetch_bytes=16 * 1024 * 1024,
        fetch_max_bytes=64 * 1024 * 1024,
    )
    try:
        await consumer.start()
        tps = await _partitions(consumer, topics)
        per_tp: dict[Any, list[bytes]] = {tp: [] for tp in tps}
        if tps:
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            ends = await consumer.end_offsets(tps)
            pending = {tp for tp in tps if ends[tp] > 0}
            while pending:
                batches = await consumer.getmany(*pending, timeout_ms=1000, max_records=5000)
                for tp, records in batches.items():
                    per_tp[tp].extend(r.value for r in records)
                pending = {tp for tp in pending if await consumer.position(tp) < ends[tp]}
        out: dict[str, list[bytes]] = {t: [] for t in topics}
        for tp in tps:
            out[tp.topic].extend(per_tp[tp])
        return out
    finally:
        await consumer.stop()


async def _end_offsets_sum(bootstrap: str, topics: list[str]) -> int:
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    try:
        await consumer.start()
        tps = await _partitions(consumer, topics)
        return sum((await consumer.end_offsets(tps)).values()) if tps else 0
    finally:
        await consumer.stop()


async def _publish(bootstrap: str, topic: str, items: list[tuple[str, bytes]]) -> int:
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        request_timeout_ms=30000,
        max_request_size=16 * 1024 * 1024,
    )
    try:
        await producer.start()
        futures = [await producer.send(topic, value=v, key=k.encode(), headers=codec.headers("raw")) for k, v in items]
        for f in futures:
            await f
        return len(futures)
    finally:
        await producer.stop()


def read_topics(bootstrap: str, topics: list[str], timeout: float = 120.0) -> dict[str, list[bytes]]:
    """Every value currently in each topic, read without a consumer group."""
    return _run(_read_topics, bootstrap, topics, timeout=timeout)


def output_count(settings: Settings) -> int:
    """Records in the two output topics (sum of end offsets): a cheap progress probe."""
    t = settings.topics
    return _run(_end_offsets_sum, settings.bootstrap_servers, [t.enriched, t.deadletter], timeout=30)


def publish(settings: Settings, items: list[tuple[str, bytes]], timeout: float = 120.0) -> int:
    """Publish (id, value) pairs to the raw topic, keyed by id, in order; returns how many were acked.

    A retry after a failure publishes the whole list again: the publisher is
    at-least-once too, and the accounting counts copies, not records.
    """
    return _run(_publish, settings.bootstrap_servers, settings.topics.raw, items, timeout=timeout)


def read_outcomes(settings: Settings) -> tuple[list[Outcome], list[Outcome]]:
    """Every enriched record and every dead letter, each topic's records per partition in offset order."""
    t = settings.topics
    values = read_topics(settings.bootstrap_servers, [t.enriched, t.deadletter])
    return (
        [enriched_outcome(v) for v in values[t.enriched] if v is not None],  # None: a tombstone
        [dead_outcome(v) for v in values[t.deadletter] if v is not None],
    )


def enriched_outcome(value: bytes) -> Outcome:
    record = orjson.loads(value)
    return Outcome(
        record.get("id"),
        revision_in(record.get("body") or ""),
        (record.get("processing") or {}).get("content_hash"),
        None,
    )


def dead_outcome(value: bytes) -> Outcome:
    """A dead letter: its revision is read from the payload it keeps (the raw article or a stage record)."""
    letter = orjson.loads(value)
    return Outcome(letter.get("id"), revision_in(letter.get("payload") or ""), None, letter.get("reason"))
