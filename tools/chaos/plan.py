"""What a chaos run does: its configuration, the faults in order, and the copy in chunks."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pipeline.config import heartbeat_interval_s
from tools.chaos import articles as copy

DEPARTURES = ("kill", "term")
# What the no-progress bound allows on top of the article budget, the session timeout and the
# longest broker outage: Faust's commit interval (1 s), one poll of the monitor (0.5 s) and one
# batch of ordinary articles on a loaded 2-core machine (~1.5 s).
NO_PROGRESS_SLACK_S = 3.0


@dataclass
class ChaosConfig:
    articles: int = 600  # single articles (about 7% bad input on purpose)
    stories: int = 30  # stories published as `revisions` successive copies
    revisions: int = 3
    poison_rounds: int = 2  # copies of each poison kind
    fault_hooks: bool = True  # poison through WIRESTREAM_FAULT_HOOKS (raise, hang, crash)
    workers: int = 2  # workers in the group at the start
    kills: int = 1  # SIGKILL of one worker with a live peer, a fresh one joins later
    term_restarts: int = 0  # the same with a graceful SIGTERM
    stalls: int = 2  # SIGSTOP/SIGCONT of the broker
    stall_s: float = 7.0
    broker_restarts: int = 1
    article_timeout_s: float = 5.0
    send_timeout_s: float = 3.0
    session_timeout_s: float = 10.0
    max_body_chars: int = 500_000
    seed: int = 1
    chunks: int = 10
    drain_timeout: float = 600.0
    data_dir: Path | None = None
    keep: bool = False
    quiet: bool = False

    @classmethod
    def small(cls, **overrides: Any) -> ChaosConfig:
        """Every fault once over little copy: the configuration of tests/integration/test_chaos.py."""
        return replace(
            cls(
                articles=60,
                stories=8,
                poison_rounds=1,
                kills=1,
                stalls=1,
                broker_restarts=1,
                chunks=5,
                drain_timeout=240.0,
            ),
            **overrides,
        )

    def worker_overrides(self) -> dict[str, str]:
        env = {
            "WIRESTREAM_ARTICLE_TIMEOUT": str(self.article_timeout_s),
            "WIRESTREAM_SEND_TIMEOUT": str(self.send_timeout_s),
            "WIRESTREAM_SESSION_TIMEOUT": str(self.session_timeout_s),
            "WIRESTREAM_MAX_BODY_CHARS": str(self.max_body_chars),
        }
        if self.fault_hooks:
            env["WIRESTREAM_FAULT_HOOKS"] = copy.fault_hooks_env()
        return env

    def no_progress_bound(self, broker_outage_s: float) -> float:
        """The longest a partition with lag may go without progress (docs/chaos.md): two article
        budgets (a killed worker may have passed the hang poison on without committing, so its
        peer meets two copies), the session timeout and one heartbeat (until the peer hears of the
        death), the longest broker outage, and the slack."""
        return round(
            2 * self.article_timeout_s
            + self.session_timeout_s
            + heartbeat_interval_s(self.session_timeout_s)
            + broker_outage_s
            + NO_PROGRESS_SLACK_S,
            1,
        )


def plan_faults(cfg: ChaosConfig, rng: random.Random) -> list[str]:
    """The faults in run order: shuffled, each departure followed by a join."""
    faults = (
        ["kill"] * cfg.kills + ["term"] * cfg.term_restarts + ["stall"] * cfg.stalls + ["broker"] * cfg.broker_restarts
    )
    rng.shuffle(faults)
    out: list[str] = []
    for fault in faults:
        out += [fault, "join"] if fault in DEPARTURES else [fault]
    return out


def plan_chunks(cfg: ChaosConfig, run: str, n_faults: int, rng: random.Random) -> list[list[copy.Planned]]:
    """Everything to publish, in chunks: one before each fault and one after the last."""
    singles = copy.singles(cfg.articles, run, cfg.seed)
    stories = copy.stories(cfg.stories, run, cfg.revisions, cfg.seed)
    poisons = copy.poisons(cfg.poison_rounds, run, cfg.max_body_chars, cfg.seed, hooks=cfg.fault_hooks)
    return copy.interleave(singles, stories, poisons, max(cfg.chunks, n_faults + 1), rng)
