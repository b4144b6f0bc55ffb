"""The fetch filter HardenedConsumer hands aiokafka, against a real broker and aiokafka's own fetcher.

Faust passes its live set of active partitions to each fetch. A fetch that is
still waiting when a rebalance pauses every partition (the set empties) must
return nothing: records it hands over are dropped by Faust, and a changelog's
dropped records never reach table recovery (a CI run's survivor recovered
nothing for three minutes after its peer was SIGKILLed).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from agents.delivery import LivePartitions, partition_position


async def fetch_while_everything_pauses(bootstrap: str, as_filter: Callable[[set], object]) -> tuple[dict, int | None]:
    """Records of partition 1 are buffered; a fetch filtered to partition 0 waits, the filter
    empties, a record for partition 0 wakes the fetch. What does it return, where is partition 1?"""
    topic = f"fetch-filter-{uuid.uuid4().hex[:8]}"  # auto-created with the broker's 2 partitions
    tp0, tp1 = TopicPartition(topic, 0), TopicPartition(topic, 1)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
    await producer.start()
    try:
        for n in range(3):
            await producer.send_and_wait(topic, b"story-%d" % n, partition=1)
        consumer.assign([tp0, tp1])
        await consumer.start()
        fetcher = consumer._fetcher
        for _ in range(200):  # aiokafka fetches in the background: wait for partition 1's records
            if tp1 in fetcher._records:
                break
            await asyncio.sleep(0.05)
        assert tp1 in fetcher._records, "aiokafka never buffered partition 1"

        live = {tp0}
        fetch = asyncio.ensure_future(fetcher.fetched_records(as_filter(live), timeout=8.0))
        await asyncio.sleep(0.3)
        assert not fetch.done(), "the fetch should be waiting for partition 0"
        live.clear()  # the rebalance pauses every partition
        await producer.send_and_wait(topic, b"wake", partition=0)
        got = await fetch
        return got, partition_position(consumer, tp1)
    finally:
        await consumer.stop()
        await producer.stop()


def test_a_fetch_waiting_through_a_pause_of_everything_hands_over_nothing(broker):
    got, position = asyncio.run(fetch_while_everything_pauses(broker.bootstrap, LivePartitions))
    assert got == {}
    assert position == 0  # partition 1's records are still there to be fetched


def test_an_empty_plain_set_is_read_by_aiokafka_as_every_partition(broker):
    """Why LivePartitions exists: with Faust's own set the same fetch hands over every partition."""
    got, position = asyncio.run(fetch_while_everything_pauses(broker.bootstrap, lambda live: live))
    assert sorted(tp.partition for tp in got) == [0, 1]
    assert position == 3
