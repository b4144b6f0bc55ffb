"""Fault harness: publish copy, break things, prove every copy got its outcome, in order.

    python -m tools.chaos                      # the `make chaos` run (docs/chaos.md)
    python -m tools.chaos --small --seed 7     # every fault once over little copy (the test's run)
    python -m tools.chaos --burst 3000         # load: one burst, drain rate and peak RSS

A run starts its own Kafka broker (free port, fresh data dir) and a group of
`python -m wirestream worker` subprocesses, publishes single articles,
multi-revision stories and poison articles in chunks with a fault after each
(worker SIGKILL with a live peer, a worker joining, broker SIGSTOP stalls, a
broker restart), then accounts for every copy: enriched or dead-lettered with
its expected reason, none lost, each story's revisions in order, and how long
any partition went without progress while it had lag.

Modules: `articles` (the copy), `accounting` (pure tallies), `progress`
(the no-progress clock), `plan` (configuration, faults, chunks),
`outcomes` (records held against copies), `kafka_io`, `processes`, `run`,
`load`, `report`, `cli`.
"""

from tools.chaos.accounting import (
    OrderTally,
    Tally,
    account,
    check_order,
    dedupe,
    story_order,
)
from tools.chaos.articles import make_articles
from tools.chaos.plan import ChaosConfig
from tools.chaos.run import ChaosReport, run_chaos

__all__ = [
    "ChaosConfig",
    "ChaosReport",
    "OrderTally",
    "Tally",
    "account",
    "check_order",
    "dedupe",
    "make_articles",
    "run_chaos",
    "story_order",
]
