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
* `EXIT_CONFIG` (bad credentials, refused TLS, untested Faust/aiokafka
  versions, topics that cannot be created as configured) is not retried: the
  message says what to fix. A broker that does not answer at start is
  `EXIT_UNAVAILABLE`, which is retried like a crash.

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
import threading
import time
from typing import Any

from agents.security import TLS_PROTOCOLS
from pipeline.config import Settings

EXIT_CONFIG = 78  # EX_CONFIG: fix the configuration; restarting would not help
EXIT_UNAVAILABLE = 69  # EX_UNAVAILABLE: no broker answered at start; restarted with backoff
RESTART_BACKOFF_S = 1.0
RESTART_BACKOFF_CAP_S = 30.0
HEALTHY_RUN_S = 60.0  # a worker that ran this long resets the backoff

log = logging.getLogger("wirestream.worker")


class ConfigError(RuntimeError):
    """The worker cannot run with this configuration (credentials, TLS, address)."""


class BrokerUnavailable(ConnectionError):
    """No broker answered (refused, unresolvable, timed out): worth a restart, unlike ConfigError."""


def _auth_errors() -> tuple[type[BaseException], ...]:
    """aiokafka's exception classes for a refused SASL login."""
    from aiokafka import errors

    return (
        errors.SaslAuthenticationFailed,
        errors.AuthenticationFailedError,
        errors.AuthenticationMethodNotSupported,
        errors.UnsupportedSaslMechanismError,
        errors.IllegalSaslStateError,
    )


def failure_kind(failures: list[BaseException]) -> str:
    """ "auth", "tls" or "unavailable", from the exception classes alone (never from message text,
    which carries host names such as kafka-ssl-0)."""
    import ssl

    if any(isinstance(f, _auth_errors()) for f in failures):
        return "auth"
    if any(isinstance(f, ssl.SSLError) for f in failures):  # includes SSLCertVerificationError
        return "tls"
    return "unavailable"


def _connect_once(settings: Settings, timeout: float) -> list[BaseException]:
    """Start and stop one aiokafka producer; the exceptions it raised or logged (empty: it connected).

    aiokafka raises only "Unable to bootstrap" and logs each node's real
    error, passing the exception object as a log argument: those objects are
    what we classify.
    """
    import asyncio

    from aiokafka import AIOKafkaProducer

    from agents.security import aiokafka_options

    heard: list[BaseException] = []

    class Ear(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            args = record.args if isinstance(record.args, tuple) else ()
            heard.extend(a for a in args if isinstance(a, BaseException))
            if record.exc_info and record.exc_info[1] is not None:
                heard.append(record.exc_info[1])

    options = aiokafka_options(settings)  # outside the try: a bad CA file is the caller's ConfigError

    async def attempt() -> None:
        producer = AIOKafkaProducer(request_timeout_ms=int(timeout * 1000), **options)
        try:
            await producer.start()
        finally:
            await producer.stop()

    ear, kafka_log = Ear(level=logging.DEBUG), logging.getLogger("aiokafka")
    kafka_log.addHandler(ear)
    try:
        asyncio.run(asyncio.wait_for(attempt(), timeout + 5))
        return []
    except Exception as exc:  # noqa: BLE001 - classified by the caller
        return [*heard, exc]
    finally:
        kafka_log.removeHandler(ear)


def _describe(failures: list[BaseException], settings: Settings) -> str:
    """The failures as text for the operator, without the SASL password."""
    text = " | ".join(dict.fromkeys(f"{type(f).__name__}: {f}" for f in failures))[:400]
    return text.replace(settings.sasl_password, "***") if settings.sasl_password else text


def check_connection(settings: Settings, timeout: float = 30.0) -> None:
    """Fail fast, with a readable reason and no secret in it, when Kafka refuses us.

    Connects once with aiokafka, the worker's own client and options. A
    refused login or TLS handshake is ConfigError (exit 78: restarting would
    not help); a broker that does not answer is BrokerUnavailable (exit 69:
    the supervisor restarts the worker with backoff).
    """
    try:
        failures = _connect_once(settings, timeout)
    except (OSError, ValueError) as exc:  # the TLS context itself: an unreadable or invalid CA file
        raise ConfigError(
            f"cannot use KAFKA_SSL_CAFILE={settings.ssl_cafile!r} ({type(exc).__name__}: "
            f"{exc}). Point it at a readable PEM file of the CA that signed the brokers' "
            "certificates."
        ) from None
    if not failures:
        return
    kind, reason = failure_kind(failures), _describe(failures, settings)
    if kind == "auth":
        who = f"user {settings.sasl_username!r} with SASL {settings.sasl_mechanism}"
        raise ConfigError(
            f"Kafka at {settings.bootstrap_servers} refused authentication for {who} "
            f"({reason}). Check KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD / KAFKA_SASL_MECHANISM."
        )
    if kind == "tls":
        raise ConfigError(
            f"TLS handshake with Kafka at {settings.bootstrap_servers} failed ({reason}). "
            "Check KAFKA_SECURITY_PROTOCOL and KAFKA_SSL_CAFILE (the CA that signed the "
            "brokers' certificates, whose names must match the bootstrap host names)."
        )
    hint = (
        "; a connection reset during the TLS handshake can also mean the listener does not speak TLS"
        if settings.security_protocol.upper() in TLS_PROTOCOLS
        and any(isinstance(f, ConnectionResetError) for f in failures)
        else ""
    )
    raise BrokerUnavailable(
        f"no Kafka broker answered at {settings.bootstrap_servers} ({reason}); "
        f"the worker will be restarted and try again{hint}"
    )


def preflight(settings: Settings) -> Settings:
    """Everything that must hold before the agents start: tested versions, a usable connection, the topics.

    Runs before Faust is imported, so a Faust release that would not even
    import still ends with the clear version message. Returns the settings
    with the cluster's replication defaults filled in, for Faust's own topics.
    """
    from agents.clients import ensure_topics, with_cluster_defaults
    from agents.versions import check_versions

    check_versions()
    check_connection(settings)
    ensure_topics(settings)
    return with_cluster_defaults(settings)


SHUTDOWN_GRACE_S = 30.0  # a graceful stop longer than this is cut short (nothing uncommitted is lost)


def bound_shutdown(grace_s: float = SHUTDOWN_GRACE_S) -> None:
    """End this process `grace_s` after a stop began, if Faust has not finished by then.

    Faust's stop waits, with no limit, until every message handed to a stream is
    acked; one that never will be (its batch was cut off by the stop) keeps the
    worker alive forever. Exiting unacked is the same as a crash: the group
    resumes from the committed offsets and redoes the work (duplicates, no loss).
    """

    def expire() -> None:
        time.sleep(grace_s)
        log.warning("graceful stop still not done after %.0fs; exiting (uncommitted work is redone)", grace_s)
        sys.stderr.flush()
        os._exit(0)

    threading.Thread(target=expire, name="shutdown-grace", daemon=True).start()


def run_faust_worker(settings: Settings, loglevel: str = "warning") -> None:
    """The Faust worker itself, in this process. Blocks until SIGTERM/SIGINT."""
    from agents.clients import TopicSetupError
    from agents.versions import UntestedVersions

    try:
        settings = preflight(settings)
    except (ConfigError, UntestedVersions, TopicSetupError) as exc:
        print(f"wirestream worker: {exc}", file=sys.stderr, flush=True)
        sys.exit(EXIT_CONFIG)
    except ConnectionError as exc:  # no broker answered yet: the supervisor tries again later
        print(f"wirestream worker: {exc}", file=sys.stderr, flush=True)
        sys.exit(EXIT_UNAVAILABLE)
    import faust

    from agents.topology import create_app
    from pipeline.isolation import executor_for

    executor = executor_for(settings)  # the NLP processes load the model now, never on the event loop
    app = create_app(settings, executor)
    worker = faust.Worker(app, loglevel=loglevel, quiet=True)
    worker.execute_from_commandline()


def supervise(
    argv: list[str],
    env: dict[str, str] | None = None,
    *,
    backoff_s: float = RESTART_BACKOFF_S,
    cap_s: float = RESTART_BACKOFF_CAP_S,
) -> int:
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
            print(
                f"wirestream worker: the Faust worker exited with code {code}; restarting in {delay:.0f}s "
                "(it resumes from the committed offsets)",
                file=sys.stderr,
                flush=True,
            )
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
    p = argparse.ArgumentParser(prog="python -m agents.worker", description="The Faust worker without the supervisor.")
    p.add_argument("--loglevel", default="warning")
    args = p.parse_args(argv)
    sys.argv = [sys.argv[0]]  # Faust's own CLI must not see our options
    run_faust_worker(Settings.from_env(), args.loglevel)


if __name__ == "__main__":
    main()
