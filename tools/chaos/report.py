"""The tables a run prints: rows as (measure, value, bad?) so the rich table and the JSON agree."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tools.chaos.accounting import Tally
from tools.chaos.run import ChaosReport

Row = tuple[str, str, bool]  # measure, value, whether it breaks a guarantee


def tally_rows(tally: Tally) -> list[Row]:
    rows: list[Row] = [
        ("sent", str(tally.sent), False),
        ("enriched", str(tally.enriched), False),
        ("dead-lettered", str(tally.dead_lettered), False),
    ]
    rows += [(f"  {reason}", str(n), False) for reason, n in tally.dead_by_reason.items()]
    rows += [
        ("superseded (older revision, newer published)", str(tally.superseded), False),
        ("lost", str(tally.lost), tally.lost > 0),
        ("duplicated (extra records)", str(tally.duplicated), False),
        ("conflicting duplicates", str(tally.conflicting), tally.conflicting > 0),
        ("wrong outcome", str(tally.wrong_outcome), tally.wrong_outcome > 0),
    ]
    return rows


def chaos_rows(report: ChaosReport) -> list[Row]:
    poison, order = report.poison, report.order
    right = poison.sent - poison.wrong_outcome - poison.lost
    rows = tally_rows(report.tally)
    rows += [
        ("poison dead-lettered with its reason", f"{right}/{poison.sent}", right != poison.sent),
        ("per-key order violations (stories)", f"{order.violations}/{order.stories}", order.violations > 0),
        ("  records back to an older revision", str(order.regressions), order.regressions > 0),
        ("  stories whose last record is stale", str(order.stale_last), order.stale_last > 0),
    ]
    for topic, stuck in report.no_progress.items():
        seconds = stuck.seconds if stuck else 0.0
        rows.append((f"longest no progress, {topic} (s)", f"{seconds:.1f}", seconds > report.no_progress_bound_s))
    rows += [
        ("  bound: 2 budgets + session + heartbeat + outage + slack (s)", f"{report.no_progress_bound_s:.1f}", False),
        (
            "  progress polls ok / failed",
            f"{report.monitor_polls} / {report.monitor_failed_polls}",
            report.monitor_polls == 0,
        ),
        ("worker starts", str(report.worker_starts), False),
        ("worker exits not injected", str(len(report.worker_unexpected_exits)), bool(report.worker_unexpected_exits)),
        ("Faust worker restarts by its supervisor", _codes(report.faust_restarts), False),
        ("worker peak RSS, largest process (MB)", str(report.worker_peak_rss_mb), False),
        ("worker peak RSS, whole tree (MB)", str(report.worker_peak_tree_mb), False),
        ("wall time (s)", str(report.seconds), False),
    ]
    return rows


def _codes(codes: list[int]) -> str:
    """How many, and their exit codes (75: sends ran out of retries)."""
    return f"{len(codes)} (exit {', '.join(map(str, codes))})" if codes else "0"


def table(rows: Sequence[Row], title: str = "") -> Any:
    """A rich table of `rows`; values that break a guarantee in bold red."""
    from rich.table import Table

    t = Table(title=title, min_width=48)
    t.add_column("measure")
    t.add_column("value", justify="right")
    for name, value, bad in rows:
        t.add_row(name, value, style="bold red" if bad else None)
    return t
