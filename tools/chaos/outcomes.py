"""What came out, held against what was sent: the adapters from copies and records to the tallies."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from tools.chaos import articles as copy
from tools.chaos.accounting import OrderTally, Tally, account, check_order


@dataclass(frozen=True, slots=True)
class Outcome:
    """One record on an output topic, reduced to what the accounting reads."""

    id: str | None
    revision: int  # the story revision its body states (0: not a story)
    content_hash: str | None  # enriched records
    reason: str | None  # dead letters


def tally_outcomes(planned: list[copy.Planned], enriched: list[Outcome], dead: list[Outcome]) -> tuple[Tally, Tally]:
    """The tally of every copy sent, and the tally of the poison copies alone."""
    newer = later_revisions(planned)

    def tally(items: list[copy.Planned]) -> Tally:
        return account(
            [p.copy for p in items],
            [(copy.copy_key(o.id or "", o.revision), o.content_hash) for o in enriched],
            [(copy.copy_key(o.id or "", o.revision), o.reason or "") for o in dead],
            {p.copy: p.expected for p in items},
            newer,
        )

    return tally(planned), tally([p for p in planned if p.kind == "poison"])


def later_revisions(planned: list[copy.Planned]) -> dict[str, list[str]]:
    """Each story revision's copy key -> the copy keys of the same story's later revisions."""
    revisions: dict[str, set[int]] = defaultdict(set)
    for p in planned:
        if p.revision:
            revisions[p.id].add(p.revision)
    return {
        copy.copy_key(sid, r): [copy.copy_key(sid, n) for n in sorted(rs) if n > r]
        for sid, rs in revisions.items()
        for r in rs
    }


def order_of(planned: list[copy.Planned], enriched: list[Outcome]) -> OrderTally:
    """Per-story order on the enriched topic, against the newest revision sent of each story."""
    latest: dict[str, int] = {}
    for p in planned:
        if p.revision:
            latest[p.id] = max(latest.get(p.id, 0), p.revision)
    outputs: dict[str, list[int]] = defaultdict(list)
    for o in enriched:
        if o.id in latest:
            outputs[o.id].append(o.revision)
    return check_order(outputs, latest)
