"""Shared fixtures: a real local Kafka broker and a real Faust worker, started once per session."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.config import Settings

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SEED = SEEDS / "reuters-aleppo-ceasefire.txt"
POLNEAR = REPO.parent / "shared" / "polnear"
WORKER_EXE = [sys.executable, "-m", "wirestream"]


def free_port() -> int:
    from wirestream.localbroker import free_port as _free_port

    return _free_port()


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from agents.clients import ensure_topics
    from wirestream.localbroker import LocalBroker

    b = LocalBroker(port=free_port(), data_dir=tmp_path_factory.mktemp("kafka"))
    b.start()
    # Create the topics now, with the pipeline's message size limit, before any
    # test publishes (a publisher would auto-create them with the 1 MB default).
    ensure_topics(Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": b.bootstrap}))
    yield b
    b.stop()


class Worker:
    """A `wirestream worker` subprocess with its own consumer group and web port."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log_path = env, log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def web_port(self) -> int:
        return int(self.env["WIRESTREAM_WEB_PORT"])

    def start(self) -> Worker:
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [*WORKER_EXE, "worker", "--loglevel", "info"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO,
            start_new_session=True,
        )
        return self

    def stop(self, timeout: float = 60) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.terminate()
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def pipeline_env(bootstrap: str, **extra: str) -> dict[str, str]:
    """Environment for a worker or CLI call against `bootstrap`, isolated by a fresh app id."""
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "WIRESTREAM_APP_ID": f"wirestream-test-{uuid.uuid4().hex[:8]}",
        "WIRESTREAM_WEB_PORT": str(free_port()),
        "WIRESTREAM_BATCH_TIMEOUT": "0.1",
        # the worker's files (Faust's data dir) go to a temporary directory, not the checkout
        "WIRESTREAM_DATA_DIR": tempfile.mkdtemp(prefix="wirestream-data-"),
    }
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def worker(broker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    w = Worker(pipeline_env(broker.bootstrap), tmp_path_factory.mktemp("worker") / "worker.log").start()
    yield w
    w.stop()


@pytest.fixture(scope="session")
def settings_for(broker) -> Settings:
    return Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap})


def wait_until(predicate, timeout: float, interval: float = 0.5, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
