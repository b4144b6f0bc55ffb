"""Kafka SASL through configuration: the worker authenticates, or is refused clearly, and never logs secrets.

One broker for the module, with a PLAINTEXT listener (inter-broker and the
readiness probe) and a SASL_PLAINTEXT listener offering PLAIN and
SCRAM-SHA-256/512. PLAIN users live in the listener's JAAS config; SCRAM users
are written into KRaft metadata when the storage is formatted.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import uuid

import orjson
import pytest

from pipeline.config import Settings
from tests.conftest import REPO, Worker, free_port, pipeline_env, wait_until
from tests.integration.test_stream import read_topic

pytestmark = [pytest.mark.broker, pytest.mark.skipif(shutil.which("java") is None, reason="java not installed")]

USER, PASSWORD = "alice", "s3cret-Alice-pw-7f2c"
WRONG = "wrong-pw-Zq81x"
PLAIN_JAAS = f'org.apache.kafka.common.security.plain.PlainLoginModule required user_{USER}="{PASSWORD}";'
SCRAM_JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required;"


@pytest.fixture(scope="module")
def sasl_broker(tmp_path_factory):
    from wirestream.localbroker import LocalBroker

    port, sasl_port = free_port(), free_port()
    b = LocalBroker(
        port=port,
        data_dir=tmp_path_factory.mktemp("kafka-sasl"),
        scram_users={USER: PASSWORD},
        extra_properties={
            "listeners": f"PLAINTEXT://127.0.0.1:{port},SASL_PLAINTEXT://127.0.0.1:{sasl_port}",
            "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
            "listener.name.sasl_plaintext.plain.sasl.jaas.config": PLAIN_JAAS,
            "listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config": SCRAM_JAAS,
            "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config": SCRAM_JAAS,
        },
    )
    b.start()
    b.sasl_bootstrap = f"127.0.0.1:{sasl_port}"
    yield b
    b.stop()


def sasl_env(broker, mechanism: str, password: str) -> dict[str, str]:
    return {
        "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "KAFKA_SASL_MECHANISM": mechanism,
        "KAFKA_SASL_USERNAME": USER,
        "KAFKA_SASL_PASSWORD": password,
    }


def sasl_settings(broker, mechanism: str, password: str = PASSWORD) -> Settings:
    return Settings.from_env(
        {"KAFKA_BOOTSTRAP_SERVERS": broker.sasl_bootstrap, **sasl_env(broker, mechanism, password)}
    )


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_right_credentials_connect_and_wrong_ones_are_a_clear_config_error(sasl_broker, mechanism):
    from agents.worker import ConfigError, check_connection

    check_connection(sasl_settings(sasl_broker, mechanism))
    with pytest.raises(ConfigError) as info:
        check_connection(sasl_settings(sasl_broker, mechanism, WRONG))
    message = str(info.value)
    assert "authentication" in message and USER in message and mechanism in message
    assert WRONG not in message and PASSWORD not in message


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256"])
def test_worker_authenticates_and_an_article_flows(sasl_broker, tmp_path, mechanism):
    from agents.clients import publish_values

    s = sasl_settings(sasl_broker, mechanism)
    env = pipeline_env(sasl_broker.sasl_bootstrap, **sasl_env(sasl_broker, mechanism, PASSWORD))
    worker = Worker(env, tmp_path / "worker.log").start()
    try:
        aid = f"sasl-{uuid.uuid4().hex[:8]}"
        body = (
            "OSLO (Wirestream) - The city council approved a tram line on Monday.\n\n"
            "\u201cIt will open in two years,\u201d said Ines Brandt, the mayor."
        )
        publish_values(s, [orjson.dumps({"id": aid, "headline": "Tram line", "body": body})])

        def arrived():
            return any(orjson.loads(r.value)["id"] == aid for r in read_topic(s, s.topics.enriched))

        wait_until(arrived, timeout=180, interval=2, what=f"{aid} enriched over SASL {mechanism}")
        assert worker.proc.poll() is None
    finally:
        worker.stop()
    assert PASSWORD not in worker.log()


def test_worker_with_a_wrong_password_exits_with_a_clear_error_and_no_secret(sasl_broker, tmp_path):
    from agents.worker import EXIT_CONFIG

    env = pipeline_env(sasl_broker.sasl_bootstrap, **sasl_env(sasl_broker, "SCRAM-SHA-512", WRONG))
    worker = Worker(env, tmp_path / "worker.log").start()
    try:
        code = worker.proc.wait(120)
    finally:
        worker.stop()
    log = worker.log()
    assert code == EXIT_CONFIG, log[-2000:]
    assert "refused authentication" in log and "KAFKA_SASL_PASSWORD" in log
    assert WRONG not in log and PASSWORD not in log


# ── failures are classified by exception class, never by words in the message ──


def test_a_down_broker_whose_name_says_ssl_is_unavailable_not_a_config_error(monkeypatch):
    """`kafka-ssl-0.localhost` resolves to loopback (as RFC 6761 names do); nothing listens on the port."""
    import socket

    from agents.worker import BrokerUnavailable, ConfigError, check_connection

    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        return real("127.0.0.1" if str(host).endswith(".localhost") else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    closed = free_port()
    s = Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": f"kafka-ssl-0.localhost:{closed}"})
    with pytest.raises(BrokerUnavailable) as info:
        check_connection(s, timeout=10)
    assert not isinstance(info.value, ConfigError)
    assert "ConnectionRefusedError" in str(info.value) and "kafka-ssl-0.localhost" in str(info.value)


def test_a_worker_whose_ssl_named_broker_is_down_exits_69_to_be_restarted(tmp_path):
    from agents.worker import EXIT_UNAVAILABLE

    env = {**pipeline_env("kafka-ssl-0.invalid:9093"), "KAFKA_SECURITY_PROTOCOL": "SSL"}
    done = subprocess.run(
        [sys.executable, "-m", "agents.worker"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == EXIT_UNAVAILABLE, done.stderr[-2000:]
    assert "no Kafka broker answered at kafka-ssl-0.invalid:9093" in done.stderr
    assert "TLS handshake" not in done.stderr


def test_failure_kinds_follow_the_exception_classes():
    import ssl

    from aiokafka import errors

    from agents.worker import failure_kind

    assert failure_kind([errors.SaslAuthenticationFailed("ssl in the text"), errors.KafkaConnectionError()]) == "auth"
    assert failure_kind([ssl.SSLCertVerificationError("bad cert"), errors.KafkaConnectionError()]) == "tls"
    assert (
        failure_kind(
            [
                ConnectionRefusedError("kafka-ssl-0 sasl authentication"),
                errors.KafkaConnectionError("Unable to bootstrap from kafka-ssl-0"),
            ]
        )
        == "unavailable"
    )
    assert failure_kind([TimeoutError()]) == "unavailable"
