"""The worker's web port: `/metrics`, `/dashboard`, `/api/state`, `/api/flow`, `/healthz`, `/readyz`, the lag refresher.

* `/metrics` — Prometheus text format: the `wirestream_*` metrics of
  `agents.metrics`, Faust's own sensors (`faust_*`) and the process
  collectors (`process_*`, `python_*`), all from one registry per app.
* `/api/state` — JSON snapshot of this worker for the page and `wirestream top`.
* `/api/flow` — where each record the consumer handed out sits, for chasing a stall (slow).
* `/dashboard` — a static page (HTML, JS and CSS from `agents/static/`) that
  polls `/api/state`; it is served with a Content-Security-Policy that allows
  only those same-origin files, so no inline script can ever run in it.
* `/healthz` — 200 whenever the process and its event loop answer (liveness).
* `/readyz` — 200 when partitions are assigned and every one with lag has its
  committed offset advancing; 503 with a JSON reason otherwise (readiness,
  `agents/health.py`).
* a timer refreshing consumer lag and committed offsets for the partitions
  assigned to this worker, with kafka-python on a thread of its own (never
  blocking the event loop); its measurements also feed `/readyz`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from typing import Any

import faust
from faust.sensors.prometheus import setup_prometheus_sensors
from prometheus_client import (
    CollectorRegistry,
    GCCollector,
    PlatformCollector,
    ProcessCollector,
)

from agents import metrics
from agents.health import Progress, stall_window
from pipeline import __version__
from pipeline.config import Settings

log = logging.getLogger(__name__)

LAG_INTERVAL_S = 3.0
STATIC = {
    "dashboard.html": "text/html; charset=utf-8",
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
}
# Only same-origin files: an injected <script> or inline handler could not run.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; "
        "connect-src 'self'; img-src 'self' data:; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class _Forward:
    """Lets the app's registry serve the module-level `wirestream_*` metrics too."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Any:
        return self.registry.collect()


def static_file(name: str) -> bytes:
    return resources.files("agents").joinpath("static", name).read_bytes()


def metrics_registry() -> CollectorRegistry:
    """A fresh registry per app: wirestream metrics plus process, platform and GC collectors."""
    registry = CollectorRegistry()
    registry.register(_Forward(metrics.REGISTRY))
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    return registry


def assigned(app: faust.App, topics: set[str]) -> set[metrics.TP]:
    """This worker's partitions of `topics` (none while the consumer is not up or rebalancing)."""
    try:
        owned = app.consumer.assignment()
    except Exception:  # noqa: BLE001 -- the consumer is not up yet: nothing is assigned here
        return set()
    return {(tp.topic, tp.partition) for tp in owned if tp.topic in topics}


def register(app: faust.App, settings: Settings) -> None:
    """Add the monitoring views, the health probes and the lag timer to `app`."""
    setup_prometheus_sensors(app, pattern="/metrics", registry=metrics_registry(), name_prefix="faust")
    metrics.set_build_info(settings.app_id)
    worker = {
        "app_id": settings.app_id,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "web_port": settings.web_port,
        "version": __version__,
    }
    t = settings.topics
    sources = {t.raw, t.clean, t.parsed}
    probe = metrics.LagProbe(settings, group_id=settings.app_id)
    lag_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lag")
    progress = Progress(stall_after_s=stall_window(settings.article_timeout_s, settings.session_timeout_s))
    started = time.monotonic()

    @app.timer(interval=LAG_INTERVAL_S, name="wirestream.lag")  # type: ignore[untyped-decorator]
    async def refresh_lag() -> None:
        mine = sorted(assigned(app, sources))
        try:
            offsets = await asyncio.get_running_loop().run_in_executor(lag_thread, probe.measure_offsets, mine)
        except Exception as exc:  # noqa: BLE001 -- the broker may be away; try again next tick
            log.debug("lag refresh failed: %r", exc)
            metrics.lag_failed(exc)
            progress.failed(f"{type(exc).__name__}: {exc}"[:300])
            return
        metrics.publish_lag({tp: o.lag for tp, o in offsets.items()}, {tp: o.position for tp, o in offsets.items()})
        progress.observe(offsets)

    @app.page("/healthz")
    async def healthz(self: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        """Liveness: answering at all proves the process and its event loop run."""
        return self.json(
            {"status": "ok", "pid": os.getpid(), "uptime_s": round(time.monotonic() - started, 1)},
            headers={"Cache-Control": "no-store"},
        )

    @app.page("/readyz")
    async def readyz(self: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        """Readiness: partitions assigned and progressing (503 with the reason otherwise)."""
        verdict = progress.readiness(assigned(app, sources))
        return self.json(verdict.body(), status=verdict.status, headers={"Cache-Control": "no-store"})

    @app.on_before_shutdown.connect  # type: ignore[arg-type]  # mode types handlers as a Union mypy cannot match
    def close_probe(sender: Any, *args: Any, signal: Any = None, **kwargs: Any) -> None:
        lag_thread.submit(probe.close)
        lag_thread.shutdown(wait=False)

    @app.page("/api/state")
    async def api_state(self: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        state = metrics.LIVE.snapshot()
        state["worker"] = worker
        flow = getattr(app.consumer, "flow", None)
        state["flow"] = flow() if flow is not None else None
        return self.json(state, headers={"Cache-Control": "no-store"})

    @app.page("/api/flow")
    async def api_flow(self: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        """Where every record handed out sits (slow: it walks the collector's referrers; not to poll)."""
        detail = getattr(app.consumer, "flow_detail", None)
        return self.json(detail() if detail is not None else {}, headers={"Cache-Control": "no-store"})

    @app.page("/dashboard")
    async def dashboard(self: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        return self.bytes(
            static_file("dashboard.html"), headers={**PAGE_HEADERS, "Content-Type": STATIC["dashboard.html"]}
        )

    @app.page("/dashboard/{name}")
    async def dashboard_asset(self: faust.web.View, request: faust.web.Request, name: str) -> faust.web.Response:
        if name not in STATIC or name.endswith(".html"):
            raise self.NotFound(f"no such file: {name}")
        return self.bytes(static_file(name), headers={**PAGE_HEADERS, "Content-Type": STATIC[name]})
