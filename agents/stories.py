"""The last stage's durable state: each story's published version, and embargoed copies held back.

Two Faust tables, both co-partitioned with `articles.parsed` (keyed by story
id) and restored from their changelog topics after a restart or rebalance:

* `stories`: the `StoryState` of what was published for each story
  (pipeline/story_versions.py decides what a new copy does);
* `held`: enriched copies whose embargo has not lifted, published by a timer
  when it does (a kill before then deletes them).

A table entry is written, and its changelog record confirmed by the broker,
*before* the records it describes are sent: a crash in between replays the
same copy (a duplicate), never an older one, and never loses the newest.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import faust
import orjson
from faust.types import TP

from agents import metrics
from agents.relay import KeyedSend, Relay
from pipeline import codec
from pipeline.records import EnrichedRecord, from_dict
from pipeline.runner import Outcome
from pipeline.stages import Withdrawal
from pipeline.story_versions import Decision, StoryState, decide

log = logging.getLogger("wirestream.stories")

EMBARGO_CHECK_S = 1.0
# decision -> the `outcome` label of wirestream_articles_total{stage="quotes"}
OUTCOME = {"publish": "ok", "superseded": "superseded", "hold": "held", "withdraw": "withdrawn"}
Write = tuple[Any, bytes, bytes | None]  # (table, key, value or None to delete)


class Stories:
    """The quotes agent's output side: versions, kills, embargoes, and the quote records."""

    def __init__(self, app: faust.App, relay: Relay) -> None:
        self.app, self.relay = app, relay
        self.topics = relay.settings.topics
        partitions, isr = relay.settings.partitions, relay.settings.min_insync_replicas
        # The changelogs are replicated like the pipeline's own topics (Faust takes the replication
        # factor from the app); min.insync.replicas has to be passed per table.
        extra = {"min.insync.replicas": str(isr)} if isr else {}
        self.table = app.Table(
            "stories", default=None, partitions=partitions, key_type=bytes, value_type=bytes, extra_topic_configs=extra
        )
        self.held = app.Table(
            "held", default=None, partitions=partitions, key_type=bytes, value_type=bytes, extra_topic_configs=extra
        )

    # ── state ────────────────────────────────────────────────────────────────

    def state(self, story_id: str) -> StoryState | None:
        value = self.table.data.get(story_id.encode())
        return StoryState.from_dict(orjson.loads(value)) if value else None

    async def _store(self, writes: list[Write], partition: int) -> None:
        """Set (or delete, for None) table entries and wait until their changelog records are confirmed."""
        for table, key, value in writes:
            if value is None:
                table.data.pop(key, None)
            else:
                table.data[key] = value
            await table.send_changelog(partition, key, value)

    # ── the quotes agent's sends ─────────────────────────────────────────────

    async def emit(self, outcome: Outcome) -> list[KeyedSend]:
        """Decide each copy, store the decisions (confirmed), then return the sends they need."""
        now, partition = time.time(), outcome.message.partition or 0
        sends = self.relay.dead("quotes", outcome.dead, outcome.message.key)
        for record in outcome.records:
            withdrawn = isinstance(record, Withdrawal)
            decision = decide(record.article if withdrawn else record, self.state(record.id), now, withdrawn=withdrawn)
            writes: list[Write] = []
            sends += self._apply(record, decision, partition, writes)
            await self._store(writes, partition)
        return sends

    def _apply(
        self, record: Any, decision: Decision, partition: int, writes: list[Write], *, drop_held: bool = True
    ) -> list[KeyedSend]:
        """The sends a decision needs; the table writes it needs go into `writes` (made before sending)."""
        story_id = record.id
        key = story_id.encode()
        metrics.record_stage("quotes", OUTCOME[decision.action])
        if decision.action == "superseded":
            return []
        if decision.action == "hold":
            writes.append((self.held, key, orjson.dumps({"partition": partition, "record": record})))
            return []
        assert decision.state is not None  # publish and withdraw always carry the state to store
        writes.append((self.table, key, orjson.dumps(decision.state.to_dict())))
        if drop_held and self.held.data.get(key) is not None:  # a newer copy replaces the held one
            writes.append((self.held, key, None))
        if decision.action == "withdraw":
            return [self.relay.send(self.topics.enriched, story_id, None, "enriched"), *self._quote_sends(decision)]
        metrics.record_enriched(record)
        return [
            self.relay.send(self.topics.enriched, story_id, codec.dumps(record), "enriched"),
            *self._quote_sends(decision),
        ]

    def _quote_sends(self, decision: Decision) -> list[KeyedSend]:
        out = [self.relay.send(self.topics.quotes, q.key, codec.dumps(q), "quote") for q in decision.quotes]
        return out + [self.relay.send(self.topics.quotes, k, None, "quote") for k in decision.stale_quote_keys]

    # ── embargoes ────────────────────────────────────────────────────────────

    def _held_here(self) -> list[tuple[bytes, EnrichedRecord, int]]:
        """Held copies of the partitions this worker owns (standby copies are another's to publish)."""
        actives = self.app.assignor.assigned_actives()
        out = []
        for key, value in list(self.held.data.items()):
            held = orjson.loads(value)
            if TP(self.topics.parsed, held["partition"]) in actives:
                out.append((key, from_dict(EnrichedRecord, held["record"]), held["partition"]))
        return out

    async def release_due(self) -> int:
        """Publish the held copies whose embargo has lifted (each through `decide` again)."""
        now, released = time.time(), 0
        held = self._held_here()
        for key, record, partition in held:
            embargo = codec.parse_time(record.story.embargoed)
            if embargo is not None and embargo > now:
                continue
            writes: list[Write] = []
            sends = self._apply(record, decide(record, self.state(record.id), now), partition, writes, drop_held=False)
            await self._store(writes, partition)
            await self.relay.deliver(sends)
            # Only now: a crash before this line finds the copy still held and publishes it again.
            await self._store([(self.held, key, None)], partition)
            released += 1
        metrics.set_held(len(held) - released)
        return released
