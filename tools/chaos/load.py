"""Load mode: one burst of copy against a warmed-up worker; drain rate and peak RSS."""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import Settings
from tools.chaos import articles as copy
from tools.chaos.accounting import Tally
from tools.chaos.kafka_io import output_count, publish, read_outcomes
from tools.chaos.outcomes import tally_outcomes
from tools.chaos.processes import WorkerProcess, worker_env


@dataclass
class LoadReport:
    articles: int
    publish_seconds: float
    publish_rate: float
    drain_seconds: float
    drain_rate: float
    max_backlog: int
    worker_peak_rss_mb: float
    worker_rss_before_burst_mb: float
    tally: Tally


def run_load(n: int, seed: int = 1, quiet: bool = False, drain_timeout: float = 1200.0) -> LoadReport:
    """A burst of `n` articles published as fast as the client can, against a warmed-up worker."""
    from agents.clients import ensure_topics
    from wirestream.localbroker import LocalBroker, free_port

    run = f"load{seed}-{uuid.uuid4().hex[:6]}"
    planned = copy.singles(n, run, seed)
    data_dir = Path(tempfile.mkdtemp(prefix="wirestream-load-"))
    broker = LocalBroker(port=free_port(), data_dir=data_dir / "broker", quiet=quiet)
    settings = Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap})
    worker: WorkerProcess | None = None
    try:
        broker.start()
        ensure_topics(settings)
        worker = WorkerProcess(worker_env(broker.bootstrap), data_dir / "worker.log")
        worker.start()
        warm = copy.singles(1, f"{run}-warm", seed)[0]
        publish(settings, [(warm.id, warm.value)])
        deadline = time.monotonic() + 300
        while output_count(settings) < 1 and time.monotonic() < deadline:
            time.sleep(0.5)
        before_kb = worker.rss_kb()
        if not quiet:
            print(f"[chaos] worker warm (RSS {before_kb / 1024:.0f} MB); publishing {n} articles", file=sys.stderr)
        t0 = time.monotonic()
        publish(settings, [(p.id, p.value) for p in planned], timeout=600)
        t_pub = time.monotonic() - t0
        max_backlog = 0
        while time.monotonic() - t0 < drain_timeout:
            done = output_count(settings) - 1
            max_backlog = max(max_backlog, n - done)
            if done >= n:
                break
            time.sleep(1.0)
        t_drain = time.monotonic() - t0
        enriched, dead = read_outcomes(settings)
        tally = tally_outcomes(planned, enriched, dead)[0]
        return LoadReport(
            articles=n,
            publish_seconds=round(t_pub, 2),
            publish_rate=round(n / t_pub, 1),
            drain_seconds=round(t_drain, 1),
            drain_rate=round(n / t_drain, 1),
            max_backlog=max_backlog,
            worker_peak_rss_mb=round(worker.peak_rss_kb / 1024, 1),
            worker_rss_before_burst_mb=round(before_kb / 1024, 1),
            tally=tally,
        )
    finally:
        if worker is not None:
            worker.close()
        broker.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
