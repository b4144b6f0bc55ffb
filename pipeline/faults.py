"""Fault hooks that only tests switch on, for paths no real input reaches.

`WIRESTREAM_FAULT_HOOKS="action:stage:marker,..."`: an article whose body contains
`marker` triggers `action` when `stage` (clean, entities, quotes) works on it:

* `raise`: the stage raises (-> `<stage>_failed` dead letter);
* `hang`: the stage sleeps far past any article budget (-> `processing_timeout`);
* `crash`: the process doing the work kills itself with SIGKILL, as the OOM killer
  would (-> `nlp_process_crashed`);
* `drop` (stage `fetch`): the worker's consumer throws the record away once after
  fetching it, as faust-streaming does around rebalances; the delivery code must
  notice and fetch it again (agents/delivery.py);
* `stale` (stage `fetch`): the consumer hands the record over once as if fetched
  before the last rebalance, so the agent's stream skips it, as it skips a record
  of an old generation; the delivery code must fetch it again although the
  stream still refers to it.

Unset (the default, and in production), `trigger` is one dict lookup.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import time

from pipeline.errors import InjectedFault

ACTIONS = frozenset({"raise", "hang", "crash", "drop", "stale"})
HANG_S = 3600.0


@functools.cache
def hooks(spec: str | None = None) -> tuple[tuple[str, str, str], ...]:
    """The (action, stage, marker) triples of WIRESTREAM_FAULT_HOOKS (or `spec`)."""
    text = os.environ.get("WIRESTREAM_FAULT_HOOKS", "") if spec is None else spec
    out = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        action, stage, marker = item.split(":", 2)
        if action not in ACTIONS or not marker:
            raise ValueError(f"WIRESTREAM_FAULT_HOOKS: bad hook {item!r}")
        out.append((action, stage, marker))
    return tuple(out)


def trigger(stage: str, text: str) -> None:
    """Act out a configured fault when `text` carries its marker."""
    for action, hook_stage, marker in hooks():
        if hook_stage != stage or marker not in text:
            continue
        if action == "raise":
            raise InjectedFault(f"fault hook: {stage} raises on marker {marker!r}")
        if action == "hang":
            # said on stderr (the worker's log, also from an NLP process), so a test knows the
            # article is now stuck in its stage rather than guessing it from time
            print(f"fault hook: {stage} hangs on marker {marker!r}", file=sys.stderr, flush=True)
            time.sleep(HANG_S)
        if action == "crash":
            os.kill(os.getpid(), signal.SIGKILL)


def on_fetch(value: bytes | None) -> str | None:
    """What a `drop:fetch:marker` or `stale:fetch:marker` hook does to a fetched record whose
    value carries the marker: "drop", "stale", or None."""
    if value is None:
        return None
    return next(
        (action for action, stage, marker in hooks() if stage == "fetch" and marker.encode() in value),
        None,
    )
