"""Accounting of a chaos run: pure functions over what went in and what came out.

Two questions. Did every copy sent come out, once enriched or dead-lettered
with its reason (`account`)? And did each story's revisions come out in order
(`check_order`)? Both take plain ids and numbers, so tests call them without
Kafka.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any


@dataclass
class Tally:
    sent: int
    enriched: int  # copies with at least one enriched record
    dead_lettered: int  # copies with a dead letter and no enriched record
    lost: int  # copies with neither
    duplicated: int  # records beyond the first per copy and topic
    duplicated_ids: int  # copies with more than one record
    conflicting: int  # copies whose enriched records carry different content hashes
    both: int  # copies that were enriched AND dead-lettered
    wrong_outcome: int  # copies whose outcome differs from the expected one (when given)
    superseded: int = 0  # older story revisions never published because a newer one was
    lost_ids: list[str] = field(default_factory=list)
    wrong_ids: list[str] = field(default_factory=list)
    dead_by_reason: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.conflicting == 0 and self.wrong_outcome == 0


def account(
    sent: Iterable[str],
    enriched: Iterable[tuple[str, str | None]],
    dead: Iterable[tuple[str | None, str]],
    expected: dict[str, str] | None = None,
    newer: Mapping[str, Sequence[str]] | None = None,
) -> Tally:
    """Compare what went in with what came out.

    `sent` are the acknowledged copies (an id, or id@rN for a story's
    revision); `enriched` is (copy, content_hash) per enriched record; `dead`
    is (copy, reason) per dead letter. Records of copies that were not sent
    (another run, unreadable ids) are ignored. `expected` maps a copy to
    'enriched' or the dead-letter reason it should get. `newer` maps a story
    revision to the story's later revisions: a revision without any record
    whose later revision was enriched is superseded, not lost (the last
    stage publishes a story's newest copy and drops older ones it meets after).
    """
    sent_ids = set(sent)
    hashes: dict[str, set[str | None]] = defaultdict(set)
    n_enriched: Counter[str] = Counter()
    for aid, digest in enriched:
        if aid in sent_ids:
            n_enriched[aid] += 1
            hashes[aid].add(digest)
    n_dead: Counter[str] = Counter()
    reasons: dict[str, set[str]] = defaultdict(set)
    for dead_id, reason in dead:
        if dead_id is not None and dead_id in sent_ids:
            n_dead[dead_id] += 1
            reasons[dead_id].add(reason)
    missing = sent_ids - set(n_enriched) - set(n_dead)
    superseded = {c for c in missing if any(n in n_enriched for n in (newer or {}).get(c, ()))}
    lost = sorted(missing - superseded)
    wrong = sorted(
        aid
        for aid, want in (expected or {}).items()
        if aid in sent_ids and aid not in missing and _outcomes(aid, n_enriched, reasons) != {want}
    )
    extra = sum(n - 1 for n in n_enriched.values()) + sum(n - 1 for n in n_dead.values())
    dup_ids = {a for a, n in n_enriched.items() if n > 1} | {a for a, n in n_dead.items() if n > 1}
    only_dead = set(n_dead) - set(n_enriched)
    by_reason = Counter(reason for aid in only_dead for reason in reasons[aid])
    return Tally(
        sent=len(sent_ids),
        enriched=len(n_enriched),
        dead_lettered=len(only_dead),
        lost=len(lost),
        duplicated=extra,
        duplicated_ids=len(dup_ids),
        conflicting=sum(1 for h in hashes.values() if len(h) > 1),
        both=len(set(n_enriched) & set(n_dead)),
        wrong_outcome=len(wrong),
        superseded=len(superseded),
        lost_ids=lost[:20],
        wrong_ids=wrong[:20],
        dead_by_reason=dict(sorted(by_reason.items())),
    )


def _outcomes(aid: str, n_enriched: Mapping[str, int], reasons: Mapping[str, set[str]]) -> set[str]:
    got = {"enriched"} if aid in n_enriched else set()
    return got | reasons.get(aid, set())


def dedupe(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a consumer does with at-least-once output: keep the first record per (id, content_hash)."""
    seen: set[tuple[str, str | None]] = set()
    out = []
    for r in records:
        key = (r["id"], (r.get("processing") or {}).get("content_hash"))
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


# ── per-key order ────────────────────────────────────────────────────────────
#
# The last stage keeps each story's current version (pipeline/story_versions.py):
# a copy older than the one already published is superseded, a replay of the
# current copy is published again. So a story's records on articles.enriched
# never step back to an older revision, even across worker crashes, and the
# last one is the newest revision sent. Either failing is an order violation.


@dataclass(frozen=True, slots=True)
class StoryOrder:
    """How one story's records on the output topic relate to the order its revisions were sent in."""

    regressions: int  # records with an older revision than the record before them
    stale_last: bool  # the last record is not the story's latest revision

    @property
    def violated(self) -> bool:
        return self.regressions > 0 or self.stale_last


def story_order(revisions: Sequence[int], latest: int) -> StoryOrder:
    """Order of one story's records (`revisions` in output order), `latest` its newest revision sent."""
    regressions = sum(1 for before, after in pairwise(revisions) if after < before)
    return StoryOrder(regressions=regressions, stale_last=bool(revisions) and revisions[-1] != latest)


@dataclass
class OrderTally:
    stories: int
    violations: int  # stories that stepped back or end on a stale revision
    regressions: int  # records that stepped back, over all stories
    stale_last: int  # stories whose last record is not their latest revision
    examples: dict[str, list[int]] = field(default_factory=dict)


def check_order(outputs: Mapping[str, Sequence[int]], latest: Mapping[str, int]) -> OrderTally:
    """Per-story order over every story in `latest` (id -> newest revision sent); `outputs` maps an id
    to its revisions in the order they sit on the output topic. A story with no output is lost, not
    out of order (the tally of `account` counts it)."""
    orders = {sid: story_order(list(outputs.get(sid, ())), last) for sid, last in latest.items()}
    bad = sorted(sid for sid, o in orders.items() if o.violated)
    return OrderTally(
        stories=len(latest),
        violations=len(bad),
        regressions=sum(o.regressions for o in orders.values()),
        stale_last=sum(1 for o in orders.values() if o.stale_last),
        examples={sid: list(outputs.get(sid, ())) for sid in bad[:5]},
    )
