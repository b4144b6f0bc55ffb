"""`wirestream top`: the live page's figures in a terminal, for servers without a browser.

Reads each worker's `/api/state` over HTTP (plain urllib) and redraws a rich
table every few seconds: throughput per stage (summed over the workers given),
consumer lag per partition, end-to-end latency per worker and the last dead
letters. Several workers: repeat `--url`.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

STAGES = ("clean", "entities", "quotes")


def fetch_state(url: str, timeout: float = 3.0) -> dict[str, Any]:
    """The JSON of `<url>/api/state`; raises OSError (URLError, timeouts) or ValueError."""
    with urllib.request.urlopen(url.rstrip("/") + "/api/state", timeout=timeout) as response:
        state: dict[str, Any] = json.loads(response.read())
        return state


def poll(urls: Sequence[str]) -> list[tuple[str, dict[str, Any] | None, str | None]]:
    """(url, state, error) for each worker; a worker that does not answer has an error instead."""
    out: list[tuple[str, dict[str, Any] | None, str | None]] = []
    for url in urls:
        try:
            out.append((url, fetch_state(url), None))
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            out.append((url, None, str(reason)))
    return out


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 120:
        return f"{value:.1f} s"
    return f"{value / 60:.1f} min"


def stage_table(states: Sequence[dict[str, Any]]) -> Table:
    table = Table(title="throughput per stage", title_justify="left", expand=True, box=box.SIMPLE_HEAD)
    for name, justify in (
        ("stage", "left"),
        ("articles/s 10s", "right"),
        ("articles/s 1m", "right"),
        ("ok", "right"),
        ("dead letters", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for stage in STAGES:
        rows = [s for state in states for s in state.get("stages", []) if s.get("stage") == stage]
        dead = sum(r.get("dead_letter", 0) for r in rows)
        table.add_row(
            stage,
            f"{sum(r.get('rate_10s', 0) for r in rows):.2f}",
            f"{sum(r.get('rate_60s', 0) for r in rows):.2f}",
            str(sum(r.get("ok", 0) for r in rows)),
            Text(str(dead), style="red" if dead else ""),
        )
    return table


def lag_table(states: Sequence[dict[str, Any]]) -> Table:
    lag: dict[tuple[str, int], int] = {}
    for state in states:  # each worker reports only its own partitions; max() guards a rebalance overlap
        for p in state.get("lag", {}).get("partitions", []):
            key = (p["topic"], p["partition"])
            lag[key] = max(lag.get(key, 0), p["lag"])
    table = Table(
        title=f"consumer lag (total {sum(lag.values())})", title_justify="left", expand=True, box=box.SIMPLE_HEAD
    )
    table.add_column("topic")
    table.add_column("partition", justify="right")
    table.add_column("lag", justify="right")
    for (topic, partition), n in sorted(lag.items()):
        table.add_row(topic, str(partition), Text(str(n), style="yellow" if n else ""))
    return table


def worker_table(results: Sequence[tuple[str, dict[str, Any] | None, str | None]]) -> Table:
    table = Table(
        title="workers (end-to-end latency from ingest)", title_justify="left", expand=True, box=box.SIMPLE_HEAD
    )
    table.add_column("worker", no_wrap=True)
    for name in ("group", "up", "p50", "p95", "p99", "enriched"):
        table.add_column(name, justify="left" if name == "group" else "right", no_wrap=True)
    for url, state, error in results:
        url = url.split("://", 1)[-1]
        if state is None:
            table.add_row(
                url, Text(f"unreachable: {error}", style="red", overflow="ellipsis", no_wrap=True), "", "", "", "", ""
            )
            continue
        lat, worker = state.get("latency_s", {}), state.get("worker", {})
        table.add_row(
            url,
            str(worker.get("app_id", "")),
            _seconds(state.get("uptime_s")),
            _seconds(lat.get("p50")),
            _seconds(lat.get("p95")),
            _seconds(lat.get("p99")),
            str(lat.get("count", 0)),
        )
    return table


def errors_table(states: Sequence[dict[str, Any]], limit: int = 5) -> Table:
    errors = sorted((e for s in states for e in s.get("errors", [])), key=lambda e: e.get("at", ""), reverse=True)
    total = sum(s.get("dead_letters", {}).get("total", 0) for s in states)
    table = Table(title=f"last dead letters (total {total})", title_justify="left", expand=True, box=box.SIMPLE_HEAD)
    table.add_column("at", no_wrap=True)
    table.add_column("stage/reason", no_wrap=True)
    table.add_column("id")
    table.add_column("error", ratio=3)
    for e in errors[:limit]:
        table.add_row(
            str(e.get("at", ""))[11:19],
            Text(f"{e.get('stage')}/{e.get('reason')}", style="red"),
            str(e.get("id") or "-"),
            Text(str(e.get("error", "")), overflow="ellipsis", no_wrap=True),
        )
    return table


def render(results: Sequence[tuple[str, dict[str, Any] | None, str | None]], width: int = 120) -> Group:
    """Everything on one screen: lag beside the stage table when the terminal is wide."""
    states = [state for _, state, _ in results if state is not None]
    stamp = Text(f"wirestream top · {time.strftime('%H:%M:%S')} · {len(states)}/{len(results)} worker(s)", style="bold")
    if width < 110:
        return Group(stamp, stage_table(states), lag_table(states), worker_table(results), errors_table(states))
    upper = Table.grid(expand=True, padding=(0, 2))
    upper.add_column(ratio=3)
    upper.add_column(ratio=2)
    upper.add_row(stage_table(states), lag_table(states))
    return Group(stamp, upper, worker_table(results), errors_table(states))


def run(urls: Sequence[str], interval: float = 2.0, once: bool = False, console: Console | None = None) -> int:
    """Draw until Ctrl-C (or once); exit code 1 when no worker answered the last poll."""
    console = console or Console()
    results = poll(urls)
    if once:
        console.print(render(results, console.width))
        return 0 if any(state is not None for _, state, _ in results) else 1
    try:
        with Live(render(results, console.width), console=console, refresh_per_second=4, screen=False) as live:
            while True:
                time.sleep(interval)
                results = poll(urls)
                live.update(render(results, console.width))
    except KeyboardInterrupt:
        pass
    return 0 if any(state is not None for _, state, _ in results) else 1
