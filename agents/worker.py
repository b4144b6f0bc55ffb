"""Start the Faust worker: make sure the topics exist, then run all agents.

`wirestream worker` runs a small supervisor (`supervise`) around the Faust
worker process (`run_faust_worker`, also `python -m agents.worker`):

* SIGTERM / SIGINT are passed on to the Faust worker, which stops its agents
  (an unfinished batch is never acked, so never committed), commits what was
  acked and exits; the supervisor then exits with the worker's code.
* Any other exit (a crash, `EXIT_DELIVERY_FAILED` after sends ran out of
  retries, the OOM killer) restarts the worker after a capped exponential
  backoff; it resumes from the committed offsets, so the cost is duplicates,
  never loss.
* `EXIT_CONFIG` (bad credentials, refused TLS, a broker that never answers at
  start) is not retried: the message says what to fix.

Killing the process group (SIGKILL to both) is the "machine died" case the
chaos harness exercises; a later start resumes from the committed offsets.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import time
from typing import Any

from pipeline.config import Settings

EXIT_CONFIG = 78  # EX_CONFIG: fix the configuration; restarting would not help
EXIT_UNAVAILABLE = 69  # EX_UNAVAILABLE: no broker answered at start; restarted with backoff
RESTART_BACKOFF_S = 1.0
RESTART_BACKOFF_CAP_S = 30.0
HEALTHY_RUN_S = 60.0  # a worker that ran this long resets the backoff

log = logging.getLogger("wirestream.worker")


class ConfigError(RuntimeError):
    """The worker cannot run with this configuration (credentials, TLS, address)."""


def check_connection(settings: Settings, timeout: float = 30.0) -> None:
    """Fail fast, with a readable reason and no secret in it, when Kafka refuses us.

    Connects once with aiokafka, the worker's own client and options. Both
    clients report a refused login only in their logs (the exception just says
    "Unable to bootstrap"), so the check listens to aiokafka's log while it
    connects. A broker that is simply not up yet is not an error here:
    ensure_topics waits for it.
    """
    import asyncio
    import ssl

    from aiokafka import AIOKafkaProducer
    from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth

    from agents.topology import credentials

    creds = credentials(settings)
    auth = (credentials_to_aiokafka_auth(None, creds) if isinstance(creds, ssl.SSLContext)
            else credentials_to_aiokafka_auth(creds))
    heard: list[str] = []

    class Ear(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            heard.append(record.getMessage())

    async def attempt() -> BaseException | None:
        producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers.split(","),
                                    request_timeout_ms=int(timeout * 1000), **auth)
        try:
            await producer.start()
            return None
        except Exception as exc:  # noqa: BLE001 - the reason is read from the log below
            return exc
        finally:
            await producer.stop()

    ear, kafka_log = Ear(level=logging.DEBUG), logging.getLogger("aiokafka")
    kafka_log.addHandler(ear)
    try:
        failure = asyncio.run(asyncio.wait_for(attempt(), timeout + 5))
    except (TimeoutError, OSError) as exc:
        failure = exc
    finally:
        kafka_log.removeHandler(ear)
    if failure is None:
        return
    text = " | ".join([f"{type(failure).__name__}: {failure}", *heard])
    if settings.sasl_password:
        text = text.replace(settings.sasl_password, "***")
    lowered = text.lower()
    who = (f"user {settings.sasl_username!r} with SASL {settings.sasl_mechanism}"
           if settings.sasl_mechanism else f"security protocol {settings.security_protocol}")
    if "authentication" in lowered or "sasl" in lowered:
        reason = next((h for h in heard if "uthentication" in h), text)
        raise ConfigError(
            f"Kafka at {settings.bootstrap_servers} refused authentication for {who} ({reason}). "
            "Check KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD / KAFKA_SASL_MECHANISM."
        )
    if "ssl" in lowered or "certificate" in lowered:
        raise ConfigError(
            f"TLS handshake with Kafka at {settings.bootstrap_servers} failed ({text[:300]}). "
            "Check KAFKA_SECURITY_PROTOCOL and KAFKA_SSL_CAFILE."
        )


def run_faust_worker(settings: Settings, loglevel: str = "warning") -> None:
    """The Faust worker itself, in this process. Blocks until SIGTERM/SIGINT."""
    import faust

    from agents.topology import create_app
    from pipeline.stages import warm_up
    from agents.clients import ensure_topics

    try:
        check_connection(settings)
        ensure_topics(settings)
    except ConfigError as exc:
        print(f"wirestream worker: {exc}", file=sys.stderr, flush=True)
        sys.exit(EXIT_CONFIG)
    except ConnectionError as exc:  # no broker answered yet: the supervisor tries again later
        print(f"wirestream worker: {exc}", file=sys.stderr, flush=True)
        sys.exit(EXIT_UNAVAILABLE)
    warm_up(settings)  # loads happen here, never on the event loop
    app = create_app(settings)
    worker = faust.Worker(app, loglevel=loglevel, quiet=True)
    worker.execute_from_commandline()


def supervise(argv: list[str], env: dict[str, str] | None = None, *,
              backoff_s: float = RESTART_BACKOFF_S, cap_s: float = RESTART_BACKOFF_CAP_S) -> int:
    """Run `argv` until it exits because we were asked to stop (or with EXIT_CONFIG); restart it otherwise."""
    stopping: list[int] = []
    child: list[subprocess.Popen[bytes]] = []

    def on_signal(signum: int, _frame: Any) -> None:
        stopping.append(signum)
        if child and child[0].poll() is None:
            child[0].send_signal(signum)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    attempt = 0
    try:
        while True:
            started = time.monotonic()
            child[:] = [subprocess.Popen(argv, env=env, preexec_fn=_die_with_parent)]  # noqa: PLW1509 - no threads here
            code = child[0].wait()
            if stopping:
                return max(code, 0)
            if code == EXIT_CONFIG:
                return code
            attempt = 0 if time.monotonic() - started > HEALTHY_RUN_S else attempt + 1
            delay = min(cap_s, backoff_s * 2 ** max(attempt - 1, 0))
            print(f"wirestream worker: the Faust worker exited with code {code}; restarting in {delay:.0f}s "
                  "(it resumes from the committed offsets)", file=sys.stderr, flush=True)
            deadline = time.monotonic() + delay
            while time.monotonic() < deadline and not stopping:
                time.sleep(0.1)
            if stopping:
                return 0
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM (a graceful stop) if the supervisor itself is killed (Linux)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def run_worker(settings: Settings, loglevel: str = "warning", supervised: bool = True) -> None:
    """`wirestream worker`: the Faust worker under the restart supervisor (or bare, supervised=False)."""
    if not supervised:
        run_faust_worker(settings, loglevel)
        return
    env = {**os.environ, "WIRESTREAM_WEB_PORT": str(settings.web_port)}
    sys.exit(supervise([sys.executable, "-m", "agents.worker", "--loglevel", loglevel], env))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m agents.worker",
                                description="The Faust worker without the supervisor.")
    p.add_argument("--loglevel", default="warning")
    args = p.parse_args(argv)
    sys.argv = [sys.argv[0]]  # Faust's own CLI must not see our options
    run_faust_worker(Settings.from_env(), args.loglevel)


if __name__ == "__main__":
    main()
