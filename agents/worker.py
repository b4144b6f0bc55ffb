"""Start the Faust worker: make sure the topics exist, then run all agents."""

from __future__ import annotations

import faust

from agents.topology import create_app
from pipeline.config import Settings
from pipeline.enrich import warm_up
from pipeline.kafka_io import ensure_topics


def run_worker(settings: Settings, loglevel: str = "warning") -> None:
    """Blocks until SIGTERM/SIGINT; Faust stops agents and commits acked offsets on the way out."""
    ensure_topics(settings)
    warm_up(settings)  # loads happen here, never on the event loop
    app = create_app(settings)
    worker = faust.Worker(app, loglevel=loglevel, quiet=True)
    worker.execute_from_commandline()
