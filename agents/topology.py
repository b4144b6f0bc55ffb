"""The whole stream topology in one place: topics, agents, what each reads and writes.

    articles.raw ──[clean]──▶ articles.clean ──[entities]──▶ articles.parsed ──[quotes]──▶ articles.enriched
         │                         │    (spaCy parses here,       │                  └──▶ articles.quotes
         └─────────────────────────┴───── once per article) ──────┴──────────────────────▶ articles.deadletter

Each agent hands its batch to `pipeline.runner.run_stage` (through the
worker's NLP processes) and sends what comes back (agents/relay.py); the
quotes agent also keeps each story's published version, kills and embargoes
(agents/stories.py). Offsets advance only after every send of a batch is
acknowledged by the broker, each story's records in order, and every agent
runs with concurrency 1 so acks stay in offset order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import faust

from agents import delivery
from agents.relay import Relay
from agents.security import faust_credentials
from agents.stories import EMBARGO_CHECK_S, Stories
from agents.web import register as register_monitoring
from agents.worker import bound_shutdown
from pipeline.config import Settings, heartbeat_interval_s
from pipeline.isolation import Executor, executor_for


class WorkerApp(faust.App):
    """The app as the worker process runs it: once a stop begins, the process ends within
    SHUTDOWN_GRACE_S (agents/worker.bound_shutdown)."""

    async def on_stop(self) -> None:
        bound_shutdown()  # before Faust's stop waits, with no limit, for every handed-out message's ack
        await super().on_stop()


def create_app(settings: Settings, executor: Executor | None = None) -> faust.App:
    """A Faust app wired with the three agents for the given settings."""
    faust_data_dir(settings).mkdir(parents=True, exist_ok=True)  # Faust makes only the app's own level
    app = WorkerApp(settings.app_id, **faust_options(settings))
    delivery.harden(app)
    relay = Relay(app, settings, executor or executor_for(settings))
    stories = Stories(app, relay)
    t = settings.topics

    @app.agent(relay.topic(t.raw), name="clean", concurrency=1)
    async def clean(stream: faust.StreamT[Any]) -> None:
        await relay.loop("clean", stream, relay.forward("clean", t.clean, "clean", "clean"))

    @app.agent(relay.topic(t.clean), name="entities", concurrency=1)
    async def entities(stream: faust.StreamT[Any]) -> None:
        await relay.loop("entities", stream, relay.forward("entities", t.parsed, "parsed", "parse", "entities"))

    @app.agent(relay.topic(t.parsed), name="quotes", concurrency=1)
    async def quotes(stream: faust.StreamT[Any]) -> None:
        await relay.loop("quotes", stream, stories.emit)  # to t.enriched and t.quotes

    @app.timer(EMBARGO_CHECK_S)  # type: ignore[untyped-decorator]
    async def embargoes() -> None:
        await stories.release_due()

    # The NLP processes die with the worker (parent-death signal, or when their pipe closes).
    register_monitoring(app, settings)  # /metrics, /dashboard, /api/state, /healthz, /readyz, lag timer
    app.wirestream_settings = settings  # type: ignore[attr-defined]
    return app


def faust_data_dir(settings: Settings) -> Path:
    """Where Faust keeps each app's files: under the data dir, not in the working directory."""
    return settings.data_dir / "faust"


def faust_options(settings: Settings) -> dict[str, Any]:
    """Faust's configuration for the given settings (delivery: docs/operations.md)."""
    return dict(
        broker=[f"kafka://{hp}" for hp in settings.bootstrap_servers.split(",")],
        broker_credentials=faust_credentials(settings),
        value_serializer="raw",
        key_serializer="raw",
        store="memory://",  # tables are rebuilt from their changelog topics at start
        # Faust's own files go under the data dir, not "<app id>-data" in whatever directory it started in
        datadir=str(faust_data_dir(settings) / "{conf.name}"),
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor or 1,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        # A send that the broker has not acked within producer_request_timeout fails and is
        # retried by agents/delivery.py; a worker that dies is noticed after
        # broker_session_timeout and its partitions go to the next member.
        processing_guarantee="at_least_once",
        producer_request_timeout=settings.send_timeout_s,
        broker_session_timeout=settings.session_timeout_s,
        broker_heartbeat_interval=heartbeat_interval_s(settings.session_timeout_s),
        broker_commit_interval=1.0,
        producer_max_request_size=settings.max_message_bytes,
        consumer_max_fetch_size=settings.max_message_bytes,
        web_enabled=True,
        web_bind=settings.web_host,
        web_host=settings.web_host,
        web_port=settings.web_port,
        web_in_thread=False,
    )
