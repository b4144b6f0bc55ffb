"""Accounting of a chaos run: pure functions over what went in and what came out.

Two questions. Did every copy sent come out, once enriched or dead-lettered
with its reason (`account`)? And did each story's revisions come out in order
(`check_order`)? Both take plain ids and numbers, so tests call them without
Kafka.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Tally:
    sent: int
    enriched: int            # copies with at least one enriched record
    dead_lettered: int       # copies with a dead letter and no enriched record
    lost: int                # copies with neither
    duplicated: int          # records beyond the first per copy and topic
    duplicated_ids: int      # copies with more than one record
    conflicting: int         # copies whose enriched records carry different content hashes
    both: int                # copies that were enriched AND dead-lettered
    wrong_outcome: int       # copies whose outcome differs from the expected one (when given)
    lost_ids: list[str] = field(default_factory=list)
    wrong_ids: list[str] = field(default_factory=list)
    dead_by_reason: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.conflicting == 0 and self.wrong_outcome == 0


def account(sent: Iterable[str], enriched: Iterable[tuple[str, str | None]],
            dead: Iterable[tuple[str | None, str]], expected: dict[str, str] | None = None) -> Tally:
    """Compare what went in with what came out.

    `sent` are the acknowledged copies (an id, or id@rN for a story's
    revision); `enriched` is (copy, content_hash) per enriched record; `dead`
    is (copy, reason) per dead letter. Records of copies that were not sent
    (another run, unreadable ids) are ignored. `expected` maps a copy to
    'enriched' or the dead-letter reason it should get.
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
    for aid, reason in dead:
        if aid in sent_ids:
            n_dead[aid] += 1
            reasons[aid].add(reason)
    lost = sorted(sent_ids - set(n_enriched) - set(n_dead))
    wrong = sorted(aid for aid, want in (expected or {}).items()
                   if aid in sent_ids and aid not in lost and _outcomes(aid, n_enriched, reasons) != {want})
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
# At-least-once delivery replays: after a worker dies, its successor redoes
# everything after the last committed offset, so a story's records can read
# 1 2 3 2 3. A replay re-emits the input in order from an earlier point, so it
# never skips a revision and always comes back up to the newest one. What no
# replay explains, and what breaks a consumer that keeps the last record per
# key, is a skip forward (1 3 2: revision 2 arrived after 3) or a sequence
# that ends below its highest revision (1 2 3 1: the stale copy is the last).


@dataclass(frozen=True, slots=True)
class StoryOrder:
    """How one story's records on the output topic relate to the order its revisions were sent in."""

    skips: int       # steps past the next revision that came out (a newer revision overtook an older one)
    replays: int     # steps back to an older revision (what at-least-once replays do)
    stale_last: bool  # the last record is not the story's latest revision

    @property
    def violations(self) -> int:
        return self.skips + int(self.stale_last)


def story_order(revisions: Sequence[int], latest: int) -> StoryOrder:
    """Order of one story's records (`revisions` in output order), `latest` its newest revision sent."""
    present = sorted(set(revisions))
    skips = replays = 0
    previous = 0
    for r in revisions:
        if r < previous:
            replays += 1
        elif r > previous and r != _successor(present, previous):
            skips += 1
        previous = r
    stale = bool(revisions) and revisions[-1] != latest
    return StoryOrder(skips=skips, replays=replays, stale_last=stale)


def _successor(present: Sequence[int], revision: int) -> int:
    """The next revision after `revision` that came out at all (a dead-lettered one may be missing)."""
    return present[bisect.bisect_right(present, revision)]


@dataclass
class OrderTally:
    stories: int
    violations: int          # skips + stale last records, over all stories
    stories_out_of_order: int  # stories with at least one violation
    stale_last: int          # stories whose last record is not their latest revision
    replays: int             # steps back explained by a replay (not violations)
    examples: dict[str, list[int]] = field(default_factory=dict)


def check_order(outputs: Mapping[str, Sequence[int]], latest: Mapping[str, int]) -> OrderTally:
    """Per-story order over every story in `latest` (id -> newest revision sent); `outputs` maps an id
    to its revisions in the order they sit on the output topic. A story with no output is lost, not
    out of order (the tally of `account` counts it)."""
    orders = {sid: story_order(list(outputs.get(sid, ())), last) for sid, last in latest.items()}
    bad = {sid: o for sid, o in orders.items() if o.violations}
    return OrderTally(
        stories=len(latest),
        violations=sum(o.violations for o in orders.values()),
        stories_out_of_order=len(bad),
        stale_last=sum(1 for o in orders.values() if o.stale_last),
        replays=sum(o.replays for o in orders.values()),
        examples={sid: list(outputs.get(sid, ())) for sid in sorted(bad)[:5]},
    )
