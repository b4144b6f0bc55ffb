"""`python -m tools.chaos` (and `make chaos`): size a run from options, print the table, write the JSON."""

from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import time
from dataclasses import asdict, fields
from pathlib import Path

from tools.chaos.load import run_load
from tools.chaos.plan import ChaosConfig
from tools.chaos.report import chaos_rows, table, tally_rows
from tools.chaos.run import run_chaos

# option -> ChaosConfig field, for the options that size a chaos run
_SIZING = {
    "articles": int,
    "stories": int,
    "revisions": int,
    "poison_rounds": int,
    "workers": int,
    "kills": int,
    "term_restarts": int,
    "stalls": int,
    "stall_s": float,
    "broker_restarts": int,
    "article_timeout_s": float,
    "send_timeout_s": float,
    "session_timeout_s": float,
    "max_body_chars": int,
    "chunks": int,
    "drain_timeout": float,
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tools.chaos", description="Fault harness: publish copy, inject faults, account for every copy."
    )
    defaults = ChaosConfig()
    p.add_argument(
        "--small",
        action="store_true",
        help="every fault once over little copy (the test's configuration); options below override it",
    )
    for name, kind in _SIZING.items():
        p.add_argument(
            f"--{name.replace('_', '-')}", type=kind, default=None, help=f"default {getattr(defaults, name)}"
        )
    p.add_argument(
        "--no-fault-hooks",
        action="store_true",
        help="no poison through WIRESTREAM_FAULT_HOOKS (only the over-long body)",
    )
    p.add_argument("--seed", type=int, default=None, help="random seed (default: random, printed)")
    p.add_argument("--json", type=Path, default=None, help="write the report here (default .wirestream/chaos-*.json)")
    p.add_argument("--keep", action="store_true", help="keep the broker data dir and worker logs")
    p.add_argument("--burst", type=int, default=None, help="load mode: publish N at once, measure drain and RSS")
    return p


def config_from(args: argparse.Namespace, seed: int) -> ChaosConfig:
    """The run's configuration: the default or --small, with every option given on top."""
    given = {name: getattr(args, name) for name in _SIZING if getattr(args, name) is not None}
    given.update(seed=seed, keep=args.keep, fault_hooks=not args.no_fault_hooks)
    known = {f.name for f in fields(ChaosConfig)}
    base = ChaosConfig.small() if args.small else ChaosConfig()
    return ChaosConfig(**{**asdict(base), **{k: v for k, v in given.items() if k in known}})


def title_of(cfg: ChaosConfig) -> str:
    return (
        f"Wirestream chaos: {cfg.articles} articles + {cfg.stories} stories x {cfg.revisions} revisions + "
        f"{cfg.poison_rounds} poison round(s); {cfg.workers} workers, {cfg.kills} SIGKILL(s) and "
        f"{cfg.term_restarts} SIGTERM(s) each followed by a join, {cfg.stalls} broker stall(s) of "
        f"{cfg.stall_s:g} s, {cfg.broker_restarts} broker restart(s); budget {cfg.article_timeout_s:g} s, "
        f"send timeout {cfg.send_timeout_s:g} s, session timeout {cfg.session_timeout_s:g} s; seed {cfg.seed}"
    )


def main(argv: list[str] | None = None) -> int:
    from rich.console import Console

    args = parser().parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so the broker and workers we started are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    console = Console(width=max(100, Console().width))  # the table must not wrap in a log or a pipe
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    kind = "load" if args.burst else "chaos"
    out = args.json or Path(".wirestream") / f"{kind}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    if args.burst:
        load = run_load(args.burst, seed=seed)
        console.print(f"Wirestream load: a burst of {load.articles} articles, seed {seed}")
        console.print(
            table(
                [
                    *tally_rows(load.tally),
                    ("publish rate (articles/s)", f"{load.publish_rate}", False),
                    ("drain time (s)", f"{load.drain_seconds}", False),
                    ("drain rate (articles/s)", f"{load.drain_rate}", False),
                    ("max backlog (articles)", f"{load.max_backlog}", False),
                    ("worker RSS before burst (MB)", f"{load.worker_rss_before_burst_mb}", False),
                    ("worker peak RSS (MB)", f"{load.worker_peak_rss_mb}", False),
                ]
            )
        )
        out.write_text(json.dumps(asdict(load), indent=2) + "\n")
        console.print(f"report: {out}")
        return 0 if load.tally.lost == 0 else 1
    cfg = config_from(args, seed)
    report = run_chaos(cfg)
    console.print(title_of(cfg))
    console.print(table(chaos_rows(report)))
    for label, ids in (("lost", report.tally.lost_ids), ("wrong outcome", report.tally.wrong_ids)):
        if ids:
            console.print(f"{label} (first 20): {', '.join(ids)}")
    for story, revisions in report.order.examples.items():
        console.print(f"out of order: {story} came out as revisions {revisions}")
    data = report.to_dict()
    data["rows"] = [{"measure": m.strip(), "value": v, "bad": bad} for m, v, bad in chaos_rows(report)]
    out.write_text(json.dumps(data, indent=2, default=str) + "\n")
    console.print(f"report: {out}")
    return 0 if report.ok else 1
