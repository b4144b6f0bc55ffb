"""Where stage work runs: in this process, or in child processes that can be stopped from outside.

A stage batch can fail three ways that no `try` in the stage can catch: it
raises for the whole batch (spaCy's `nlp.pipe`), it runs far too long, or the
process dies (a segfault, the OOM killer). Both executors share one rule for
that (`map_isolating`): what finished is kept, and the rest of the batch is
retried article by article, so a failure that recurs alone is that article's
dead letter and nothing else's. `ProcessPool` adds the two guards only a
process boundary gives: a per-article time budget (`processing_timeout`) and
survival of a crash (`nlp_process_crashed`).
"""

from __future__ import annotations

import gc
import logging
import os
import queue
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Protocol

from pipeline.config import Settings
from pipeline.errors import RejectedInput

log = logging.getLogger("wirestream.isolation")

START_TIMEOUT_S = 300.0  # loading the model in a new child on a busy machine


@dataclass(frozen=True, slots=True)
class Failure:
    """Why an attempt stopped before the end of its batch."""

    reason: str
    message: str


Attempt = Callable[[str, Sequence[Any]], tuple[list[list[Any]], Failure | None]]


class Executor(Protocol):
    def map(self, stage: str, messages: Sequence[Any]) -> list[list[Any]]: ...

    def close(self) -> None: ...


class PoolBroken(RuntimeError):
    """The NLP processes cannot run at all (no model, cannot start): no article's fault."""


def map_isolating(attempt: Attempt, stage: str, messages: Sequence[Any]) -> list[list[Any]]:
    """One list of outputs per message, in order: the batch at once, then one by one after a failure."""
    done, failure = attempt(stage, messages)
    if failure is None:
        return done
    log.warning(
        "%s batch of %d stopped at item %d (%s: %s); retrying the rest one by one",
        stage,
        len(messages),
        len(done),
        failure.reason,
        failure.message,
    )
    out = list(done)
    for message in messages[len(done) :]:
        one, failure = attempt(stage, [message])
        out.append(one[0] if failure is None else [RejectedInput(failure.reason, failure.message, _id_of(message))])
    return out


def _id_of(message: Any) -> str | None:
    key = getattr(message, "key", None)
    return key.decode("utf-8", "replace") if key else None


def failure_of(stage: str, exc: BaseException) -> Failure:
    """A stage's exception as the reason its article is dead-lettered under."""
    from pipeline.stages import STAGES

    if isinstance(exc, RejectedInput):
        return Failure(exc.reason, str(exc))
    return Failure(STAGES[stage].failed_reason, f"{type(exc).__name__}: {exc}")


class InProcess:
    """Stages in this process: batch failures isolated, but no time budget and no crash survival.

    For the library, tests and evaluation; the worker and `wirestream enrich` use ProcessPool.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _attempt(self, stage: str, messages: Sequence[Any]) -> tuple[list[list[Any]], Failure | None]:
        from pipeline.stages import STAGES

        done: list[list[Any]] = []
        try:
            for outputs in STAGES[stage].run(messages, self.settings):
                done.append(outputs)
        except Exception as exc:  # noqa: BLE001 - becomes this batch's retry, then one article's dead letter
            return done, failure_of(stage, exc)
        return done, None

    def map(self, stage: str, messages: Sequence[Any]) -> list[list[Any]]:
        return map_isolating(self._attempt, stage, messages)

    def close(self) -> None:
        pass


# ── child processes ──────────────────────────────────────────────────────────


def child_main(conn: Connection, settings: Settings) -> None:
    """A child's life: load the model, say ready, then run batches until the parent hangs up."""
    from pipeline.runner import warm_up
    from pipeline.stages import STAGES

    warm_up(settings)
    conn.send(("ready",))
    while True:
        try:
            stage, messages = conn.recv()
        except (EOFError, OSError):
            return
        try:
            for outputs in STAGES[stage].run(messages, settings):
                conn.send(("item", outputs))
            conn.send(("done",))
        except Exception as exc:  # noqa: BLE001 - reported, the parent retries one by one
            failure = failure_of(stage, exc)
            conn.send(("failed", failure.reason, failure.message))


class Duplex:
    """The parent's end of a child's two pipes, as one connection."""

    def __init__(self, to_child: int, from_child: int) -> None:
        self._out = Connection(to_child, readable=False)
        self._in = Connection(from_child, writable=False)

    def send(self, obj: Any) -> None:
        self._out.send(obj)

    def recv(self) -> Any:
        return self._in.recv()

    def poll(self, timeout: float) -> bool:
        return self._in.poll(timeout)

    def close(self) -> None:
        self._out.close()
        self._in.close()


class Child:
    """One supervised child process (`python -m pipeline.isolation`) and the parent's end of its pipes.

    A fresh interpreter rather than multiprocessing's spawn: nothing of the parent's main
    module runs again, and no fork copies a process that has an event loop and threads.

    A spare child is kept loading in the background, so a crash or a timeout swaps in a
    process whose model is already loaded: the partition waits for the swap, not for a model
    load (two of them for a crash poison: its batch, then its retry alone).
    """

    def __init__(self, settings: Settings, index: int) -> None:
        self.settings, self.index = settings, index
        self.proc: subprocess.Popen[bytes] | None = None
        self.conn: Duplex | None = None
        self._spare: Future[tuple[subprocess.Popen[bytes], Duplex]] | None = None
        self._loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"nlp-spare-{index}")

    def ensure_started(self) -> Duplex:
        if self.proc is not None and self.proc.poll() is None and self.conn is not None:
            return self.conn
        self.stop()
        spare, self._spare = self._spare, None
        self.proc, self.conn = spare.result() if spare is not None else self._spawn()
        if self.proc.poll() is not None:  # the spare died while it waited: start afresh
            self.stop()
            self.proc, self.conn = self._spawn()
        self._spare = self._loader.submit(self._spawn)
        return self.conn

    def _spawn(self) -> tuple[subprocess.Popen[bytes], Duplex]:
        """A new child with its model loaded (it answers once it is ready)."""
        down_r, down_w = os.pipe()
        up_r, up_w = os.pipe()
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline.isolation", str(down_r), str(up_w)],
            pass_fds=(down_r, up_w),
            stdin=subprocess.DEVNULL,
        )
        os.close(down_r)
        os.close(up_w)
        conn = Duplex(down_w, up_r)
        try:
            conn.send(self.settings)
            if not conn.poll(START_TIMEOUT_S):
                raise PoolBroken(f"NLP process {self.index} did not start within {START_TIMEOUT_S:.0f}s")
            conn.recv()
        except (EOFError, OSError) as exc:
            code = proc.wait(10)
            _end(proc, conn)
            raise PoolBroken(
                f"NLP process {self.index} died while starting (exit code {code}); "
                "is the spaCy model installed? (wirestream info --model)"
            ) from exc
        except PoolBroken:
            _end(proc, conn)
            raise
        return proc, conn

    def attempt(self, stage: str, messages: Sequence[Any], budget_s: float) -> tuple[list[list[Any]], Failure | None]:
        """Send a batch; collect one result per message, each within `budget_s` of the previous one."""
        conn = self.ensure_started()
        done: list[list[Any]] = []
        try:
            conn.send((stage, list(messages)))
            while True:
                if not conn.poll(budget_s):
                    self.stop()
                    return done, Failure(
                        "processing_timeout",
                        f"{stage} took longer than the article budget of "
                        f"{budget_s:g}s (WIRESTREAM_ARTICLE_TIMEOUT); the NLP process was restarted",
                    )
                reply = conn.recv()
                if reply[0] == "item":
                    done.append(reply[1])
                elif reply[0] == "done":
                    return done, None
                else:
                    return done, Failure(reply[1], reply[2])
        except (EOFError, OSError):
            return done, self._crashed(stage)

    def _crashed(self, stage: str) -> Failure:
        code = None
        if self.proc is not None:
            try:
                code = self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        self.stop()
        how = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit code {code}"
        return Failure("nlp_process_crashed", f"the NLP process died ({how}) during {stage}")

    def stop(self) -> None:
        """End the working child (its spare stays warm)."""
        if self.proc is not None and self.conn is not None:
            _end(self.proc, self.conn)
        self.proc, self.conn = None, None

    def close(self) -> None:
        """End the working child and its spare."""
        self.stop()
        spare, self._spare = self._spare, None
        self._loader.shutdown(wait=False, cancel_futures=True)
        if spare is not None and not spare.cancel():
            spare.add_done_callback(_end_spare)  # still loading: ended when it is ready, without waiting


def _end_spare(spare: Future[tuple[subprocess.Popen[bytes], Duplex]]) -> None:
    if spare.exception() is None:
        _end(*spare.result())


def _end(proc: subprocess.Popen[bytes], conn: Duplex) -> None:
    conn.close()
    if proc.poll() is None:
        proc.kill()
    proc.wait(10)


class ProcessPool:
    """`size` child processes doing the stage work of one worker, each stoppable from outside.

    A batch is split into contiguous chunks across the idle children (so one worker can use
    every core) and reassembled in order. Thread-safe: each agent thread may call `map`.
    """

    def __init__(self, settings: Settings, size: int | None = None) -> None:
        self.settings = settings
        self.size = max(1, size if size is not None else settings.nlp_processes)
        self.budget_s = settings.article_timeout_s
        self._idle: queue.Queue[Child] = queue.Queue()
        for i in range(self.size):
            self._idle.put(Child(settings, i))
        self._chunks = ThreadPoolExecutor(max_workers=self.size, thread_name_prefix="nlp-chunk")

    def start(self) -> ProcessPool:
        """Start every child now (model loads happen here, not on the first article)."""
        children = [self._idle.get() for _ in range(self.size)]
        try:
            list(self._chunks.map(lambda c: c.ensure_started(), children))
        finally:
            for c in children:
                self._idle.put(c)
        return self

    def _attempt(self, stage: str, messages: Sequence[Any]) -> tuple[list[list[Any]], Failure | None]:
        child = self._idle.get()
        try:
            return child.attempt(stage, messages, self.budget_s)
        finally:
            self._idle.put(child)

    def map(self, stage: str, messages: Sequence[Any]) -> list[list[Any]]:
        if not messages:
            return []
        parts = _chunks(list(messages), min(self.size, len(messages)))
        if len(parts) == 1:
            return map_isolating(self._attempt, stage, parts[0])
        results = self._chunks.map(lambda part: map_isolating(self._attempt, stage, part), parts)
        return [outputs for part in results for outputs in part]

    def close(self) -> None:
        self._chunks.shutdown(wait=False, cancel_futures=True)
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


def _chunks(items: list[Any], n: int) -> list[list[Any]]:
    """`items` in `n` contiguous parts of near-equal size."""
    size, extra = divmod(len(items), n)
    out, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        out.append(items[start:end])
        start = end
    return out


def executor_for(settings: Settings) -> Executor:
    """The executor the settings ask for: WIRESTREAM_NLP_PROCESSES child processes, or 0 for in-process."""
    if settings.nlp_processes <= 0:
        return InProcess(settings)
    return ProcessPool(settings).start()


def freeze_heap() -> None:
    """`gc.freeze()` after loading: the model's ~200k long-lived objects leave every full collection
    (the collector's share of an article drops from ~1.8 ms to ~0.4 ms)."""
    gc.collect()
    gc.freeze()


def _child_entry(argv: list[str]) -> None:
    """`python -m pipeline.isolation DOWN_FD UP_FD`: the child's side (started by Child only)."""
    _die_with_parent()
    # Ctrl-C, and a SIGTERM sent to the whole process group (systemd's default), are the worker's
    # to handle: it finishes or cuts short the batch in here, then ends this process itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    down, up = Connection(int(argv[0]), writable=False), Connection(int(argv[1]), readable=False)

    class _Conn:
        send, recv = up.send, down.recv

    settings = down.recv()
    child_main(_Conn(), settings)  # type: ignore[arg-type]


def _die_with_parent() -> None:
    """SIGKILL this child if its parent dies mid-article (Linux); elsewhere it ends at the pipe's EOF."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


if __name__ == "__main__":
    _child_entry(sys.argv[1:])
