"""TLS through configuration: worker and CLI connect with KAFKA_SSL_CAFILE; a wrong CA is a clear exit 78.

One broker for the module, with a PLAINTEXT listener (inter-broker traffic and
the readiness probe) and an SSL listener whose certificate is signed by a CA
made for this test run (openssl, in a tmp dir).
"""

from __future__ import annotations

import shutil
import subprocess
import uuid

import orjson
import pytest

from tests.conftest import REPO, WORKER_EXE, Worker, free_port, pipeline_env, wait_until

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(
        shutil.which("java") is None or shutil.which("openssl") is None, reason="java and openssl needed"
    ),
]


@pytest.fixture(scope="module")
def tls_broker(tmp_path_factory):
    from wirestream.localbroker import LocalBroker, make_tls_files

    tls = make_tls_files(tmp_path_factory.mktemp("certs"))
    b = LocalBroker(
        port=free_port(), data_dir=tmp_path_factory.mktemp("kafka-tls"), ssl_port=free_port(), tls=tls, quiet=True
    )
    b.start()
    yield b
    b.stop()


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory):
    """A CA that did not sign the broker's certificate."""
    from wirestream.localbroker import make_tls_files

    return make_tls_files(tmp_path_factory.mktemp("other-ca")).ca_file


def tls_env(broker, ca_file) -> dict[str, str]:
    return pipeline_env(broker.ssl_bootstrap, KAFKA_SECURITY_PROTOCOL="SSL", KAFKA_SSL_CAFILE=str(ca_file))


def cli(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*WORKER_EXE, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_worker_and_cli_carry_an_article_end_to_end_over_tls(tls_broker, tmp_path):
    env = tls_env(tls_broker, tls_broker.tls.ca_file)
    worker = Worker(env, tmp_path / "worker.log").start()
    try:
        aid = f"tls-{uuid.uuid4().hex[:8]}"
        article = tmp_path / "article.json"
        article.write_bytes(
            orjson.dumps(
                {
                    "id": aid,
                    "headline": "Harbour dredging approved",
                    "body": (
                        "HAMBURG (Wirestream) - The port authority approved the dredging of the harbour on Tuesday."
                        "\n\n\u201cShips will no longer wait for the tide,\u201d said Lena Vogt, its director."
                    ),
                }
            )
        )
        published = cli(env, "publish", str(article))
        assert published.returncode == 0, published.stderr

        def enriched():
            out = cli(env, "tail", "--from-beginning", "--timeout", "5")
            assert out.returncode == 0, out.stderr
            records = [orjson.loads(line) for line in out.stdout.splitlines() if line.strip()]
            return next((r for r in records if r["id"] == aid), None)

        record = wait_until(enriched, timeout=180, interval=2, what=f"{aid} enriched over TLS")
        assert [q["speaker"]["name"] for q in record["quotes"]] == ["Lena Vogt"]
        assert worker.proc.poll() is None, worker.log()[-2000:]
    finally:
        worker.stop()


def test_a_wrong_ca_stops_the_worker_with_exit_78_and_says_what_to_fix(tls_broker, other_ca, tmp_path):
    from agents.worker import EXIT_CONFIG

    worker = Worker(tls_env(tls_broker, other_ca), tmp_path / "worker.log").start()
    try:
        code = worker.proc.wait(120)
    finally:
        worker.stop()
    log = worker.log()
    assert code == EXIT_CONFIG, log[-2000:]
    assert "TLS handshake" in log and "CERTIFICATE_VERIFY_FAILED" in log and "KAFKA_SSL_CAFILE" in log
    assert "restarting" not in log  # the supervisor does not retry a configuration error


@pytest.mark.parametrize("command", [["publish", "-"], ["tail", "--timeout", "5"]])
def test_a_wrong_ca_stops_the_cli_with_exit_78_at_once(tls_broker, other_ca, command):
    done = subprocess.run(
        [*WORKER_EXE, *command],
        env=tls_env(tls_broker, other_ca),
        cwd=REPO,
        input='{"body": "A short note."}\n',
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 78, done.stderr
    assert "TLS handshake" in done.stderr and "KAFKA_SSL_CAFILE" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unreadable_ca_file_is_exit_78_for_the_cli_and_the_worker(tls_broker, tmp_path):
    env = tls_env(tls_broker, tmp_path / "missing-ca.pem")
    done = cli(env, "tail", "--timeout", "5", timeout=60)
    assert done.returncode == 78 and "KAFKA_SSL_CAFILE" in done.stderr and "Traceback" not in done.stderr
    worker = subprocess.run(
        [*WORKER_EXE, "worker"], env=env, cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert worker.returncode == 78 and "KAFKA_SSL_CAFILE" in worker.stderr, worker.stderr[-2000:]
