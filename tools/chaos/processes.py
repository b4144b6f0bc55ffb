"""The processes a chaos run drives: `python -m wirestream worker` subprocesses and the broker's JVM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# what agents/worker.py's supervisor prints when the Faust worker under it exits on its own
_FAUST_EXIT = re.compile(r"the Faust worker exited with code (-?\d+); restarting")


def proc_memory_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a live process in KiB from /proc, or (0, 0)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0, 0
    vals = {line.split(":")[0]: line.split()[1] for line in text.splitlines() if line.startswith(("VmRSS:", "VmHWM:"))}
    return int(vals.get("VmRSS", 0)), int(vals.get("VmHWM", 0))


def descendants(pid: int) -> list[int]:
    """Child processes of `pid`, recursively (Linux /proc)."""
    out: list[int] = []
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return out
    for child in map(int, children):
        out += [child, *descendants(child)]
    return out


class WorkerProcess:
    """A `python -m wirestream worker` subprocess in its own process group; peak RSS sampled from /proc.

    `peak_rss_kb` is the largest high-water mark of one process in its tree
    (supervisor, Faust worker, NLP children); `peak_tree_kb` the largest sum of
    the tree's resident sets at one sample, what the machine must hold.
    """

    def __init__(self, env: dict[str, str], log_path: Path, name: str = "worker") -> None:
        self.env, self.log_path, self.name = env, log_path, name
        self.proc: subprocess.Popen[bytes] | None = None
        self.peak_rss_kb = 0
        self.peak_tree_kb = 0
        self.starts = 0
        self.unexpected_exits: list[int] = []
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            log.write(f"\n=== {self.name} start {self.starts} at {time.strftime('%H:%M:%S')} ===\n".encode())
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "wirestream", "worker", "--loglevel", "info"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=REPO,
                start_new_session=True,
            )
        self.starts += 1

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def check(self) -> None:
        """Note (and recover from) a worker that exited on its own: that is a finding, not a fault we injected."""
        if self.proc is not None and self.proc.poll() is not None:
            self.unexpected_exits.append(self.proc.returncode)
            self.proc = None
            self.start()

    def signal(self, sig: signal.Signals, wait: float = 60) -> int | None:
        """Signal the whole process group (SIGKILL: the machine died) and wait for the supervisor to exit."""
        if not self.alive():
            return None
        assert self.proc is not None
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            code = self.proc.wait(wait)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            code = self.proc.wait(10)
        self.proc = None
        return code

    def close(self) -> None:
        self.signal(signal.SIGTERM)
        self._stop.set()

    def pids(self) -> list[int]:
        proc = self.proc
        return [proc.pid, *descendants(proc.pid)] if proc is not None else []

    def rss_kb(self) -> int:
        """Current RSS of the largest process in the worker's tree."""
        return max((proc_memory_kb(pid)[0] for pid in self.pids()), default=0)

    def _sample(self) -> None:
        while not self._stop.wait(0.25):
            memory = [proc_memory_kb(pid) for pid in self.pids()]
            if memory:
                self.peak_rss_kb = max(self.peak_rss_kb, *(hwm for _, hwm in memory))
                self.peak_tree_kb = max(self.peak_tree_kb, sum(rss for rss, _ in memory))

    def ready(self) -> bool:
        """Faust logged "Ready" since the last start: the model is loaded and the agents run."""
        return self.alive() and "[^Worker]: Ready" in self._log_since_start()

    def starting(self) -> bool:
        """Faust began starting its services (the model is loaded by then; the group join follows)."""
        return self.alive() and "[^Worker]: Starting" in self._log_since_start()

    def _log_since_start(self) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return text.rpartition(f"=== {self.name} start ")[2]

    def faust_restarts(self) -> list[int]:
        """Exit codes of the Faust worker that its supervisor restarted (not counted in `unexpected_exits`:
        the supervisor itself stayed up)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return []
        return [int(m) for m in _FAUST_EXIT.findall(text)]

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Group:
    """The workers of one consumer group: who is live, who ever ran."""

    def __init__(self, bootstrap: str, env: dict[str, str], log_dir: Path) -> None:
        self.bootstrap, self.env, self.log_dir = bootstrap, env, log_dir
        self.app_id = f"wirestream-chaos-{uuid.uuid4().hex[:6]}"
        self.live: list[WorkerProcess] = []
        self.ever: list[WorkerProcess] = []

    def add(self) -> WorkerProcess:
        name = f"worker{len(self.ever) + 1}"
        worker = WorkerProcess(worker_env(self.bootstrap, self.app_id, **self.env), self.log_dir / f"{name}.log", name)
        worker.start()
        self.live.append(worker)
        self.ever.append(worker)
        return worker

    def remove(self, worker: WorkerProcess, sig: signal.Signals) -> int | None:
        self.live.remove(worker)
        code = worker.signal(sig)
        worker.close()
        return code

    def check(self) -> None:
        for worker in self.live:
            worker.check()

    def wait_ready(self, workers: list[WorkerProcess], timeout: float = 240.0) -> bool:
        """Until each of `workers` logged Faust's "Ready" since its last start (model loaded, agents up)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check()
            if all(w.ready() for w in workers):
                return True
            time.sleep(0.5)
        return False

    def close(self) -> None:
        for worker in self.live:
            worker.close()
        for worker in self.ever:
            worker.close()

    def log_tails(self) -> str:
        return "\n".join(f"--- {w.name} log tail ---\n{w.log_tail()}" for w in self.ever)


def worker_env(bootstrap: str, app_id: str | None = None, **extra: str) -> dict[str, str]:
    """A worker's environment: the group `app_id` (fresh when None), its own web port, `extra` on top."""
    from wirestream.localbroker import free_port

    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "WIRESTREAM_APP_ID": app_id or f"wirestream-chaos-{uuid.uuid4().hex[:6]}",
        "WIRESTREAM_WEB_PORT": str(free_port()),
        "WIRESTREAM_BATCH_TIMEOUT": "0.1",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


@contextmanager
def frozen(pid: int) -> Iterator[None]:
    """The process stopped (SIGSTOP) for the duration of the block, and always continued after it."""
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)
