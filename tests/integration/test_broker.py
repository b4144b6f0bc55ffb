"""The local Kafka broker manager: unit checks plus one real broker's life cycle.

The life-cycle test starts a real KRaft broker (jars via Maven on first use,
cached after) on a free port in a temporary data dir, so it never touches a
broker someone else runs on 9092.
"""

from __future__ import annotations

import shutil
import socket
import time
import uuid
from pathlib import Path

import pytest

from wirestream import localbroker as broker_mod
from wirestream.localbroker import BrokerError, LocalBroker, free_port

HAVE_JAVA = shutil.which("java") is not None
HAVE_JARS_OR_MAVEN = (
    shutil.which("mvn") is not None or (broker_mod.kafka_home() / "lib" / ".wirestream-complete").exists()
)


# --------------------------------------------------------------------------- unit


def _no_tools(monkeypatch: pytest.MonkeyPatch, *missing: str) -> None:
    real_which = shutil.which
    monkeypatch.setattr(
        shutil,
        "which",
        lambda name, *a, **k: None if name in missing else real_which(name, *a, **k),
    )
    monkeypatch.delenv("JAVA_HOME", raising=False)


def test_missing_java_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _no_tools(monkeypatch, "java", "mvn")
    b = LocalBroker(port=free_port(), data_dir=tmp_path / "b", quiet=True)
    with pytest.raises(BrokerError) as info:
        b.start(timeout=5)
    message = str(info.value)
    assert "java" in message.lower()
    assert "apt-get install openjdk-17-jre-headless maven" in message
    assert not (tmp_path / "b").exists()  # failed before touching the disk


def test_missing_maven_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _no_tools(monkeypatch, "mvn")
    monkeypatch.setenv("WIRESTREAM_KAFKA_HOME", str(tmp_path / "empty-cache"))
    with pytest.raises(BrokerError, match="apt-get install maven"):
        broker_mod.ensure_jars(quiet=True)


def test_config_is_a_single_kraft_node(tmp_path: Path) -> None:
    port = free_port()
    b = LocalBroker(port=port, data_dir=tmp_path / "b")
    props = b.properties()
    assert props["process.roles"] == "broker,controller"
    assert props["node.id"] == "1"
    controller = int(props["controller.quorum.bootstrap.servers"].rsplit(":", 1)[1])
    assert props["listeners"] == (f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}")
    assert props["advertised.listeners"] == f"PLAINTEXT://127.0.0.1:{port}"
    assert "controller.quorum.voters" not in props  # --standalone refuses it
    assert props["log.dirs"] == str((tmp_path / "b" / "logs").resolve())
    for key in ("offsets.topic.replication.factor", "transaction.state.log.replication.factor",
                "transaction.state.log.min.isr"):  # fmt: skip
        assert props[key] == "1"
    assert props["group.initial.rebalance.delay.ms"] == "0"
    assert props["num.partitions"] == "2"
    assert b.bootstrap == f"127.0.0.1:{port}"


def test_listener_override_keeps_the_controller(tmp_path: Path) -> None:
    port, sasl = free_port(), free_port()
    b = LocalBroker(
        port=port,
        data_dir=tmp_path / "b",
        extra_properties={"sasl.enabled.mechanisms": "PLAIN"},
    )
    props = b.properties(
        {
            "listeners": f"PLAINTEXT://127.0.0.1:{port},SASL_PLAINTEXT://127.0.0.1:{sasl}",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT",
        }
    )
    assert props["listeners"].startswith(f"PLAINTEXT://127.0.0.1:{port},SASL_PLAINTEXT://")
    assert ",CONTROLLER://127.0.0.1:" in props["listeners"]
    assert props["listener.security.protocol.map"].endswith(",CONTROLLER:PLAINTEXT")
    # Derived: clients are told about every non-controller listener.
    assert props["advertised.listeners"] == (f"PLAINTEXT://127.0.0.1:{port},SASL_PLAINTEXT://127.0.0.1:{sasl}")
    assert props["inter.broker.listener.name"] == "PLAINTEXT"
    assert props["sasl.enabled.mechanisms"] == "PLAIN"  # constructor extras survive


def test_sasl_only_listener_becomes_the_inter_broker_listener(tmp_path: Path) -> None:
    port = free_port()
    props = LocalBroker(port=port, data_dir=tmp_path / "b").properties(
        {"listeners": f"SASL_PLAINTEXT://127.0.0.1:{port}"}
    )
    assert props["inter.broker.listener.name"] == "SASL_PLAINTEXT"
    assert props["advertised.listeners"] == f"SASL_PLAINTEXT://127.0.0.1:{port}"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_ssl_listener_serves_a_certificate_its_ca_verifies_for_the_loopback_address(tmp_path: Path) -> None:
    import ssl
    import subprocess

    tls = broker_mod.make_tls_files(tmp_path / "certs")
    port, ssl_port = free_port(), free_port()
    props = LocalBroker(port=port, data_dir=tmp_path / "b", ssl_port=ssl_port, tls=tls).properties()
    assert f"SSL://127.0.0.1:{ssl_port}" in props["listeners"] and "CONTROLLER://" in props["listeners"]
    assert props["advertised.listeners"] == f"PLAINTEXT://127.0.0.1:{port},SSL://127.0.0.1:{ssl_port}"
    assert props["inter.broker.listener.name"] == "PLAINTEXT"
    assert (props["ssl.keystore.type"], props["ssl.keystore.location"]) == ("PKCS12", str(tls.keystore))
    chain = subprocess.run(
        ["openssl", "verify", "-CAfile", str(tls.ca_file), str(tls.keystore.with_suffix(".crt"))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert chain.returncode == 0, chain.stderr
    context = ssl.create_default_context(cafile=str(tls.ca_file))  # what KAFKA_SSL_CAFILE builds
    assert context.cert_store_stats()["x509_ca"] == 1
    with pytest.raises(ValueError, match="both ssl_port and tls"):
        LocalBroker(port=port, data_dir=tmp_path / "c", ssl_port=ssl_port)


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    if not HAVE_JAVA:
        pytest.skip("java not installed")
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        b = LocalBroker(port=port, data_dir=tmp_path / "b", quiet=True)
        with pytest.raises(BrokerError, match="in use"):
            b.start(timeout=5)


def test_status_without_broker(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "broker.pid").write_text("999999\n")  # stale pid from a crash
    st = LocalBroker(port=free_port(), data_dir=tmp_path / "b").status()
    assert st["running"] is False and st["pid"] is None and st["listening"] is False


def test_default_data_dir_honours_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WIRESTREAM_DATA_DIR", str(tmp_path / "state"))
    assert LocalBroker(port=19999).data_dir == (tmp_path / "state" / "broker-19999").resolve()
    monkeypatch.delenv("WIRESTREAM_DATA_DIR")
    monkeypatch.chdir(tmp_path)
    assert LocalBroker(port=19999).data_dir == tmp_path.resolve() / ".wirestream" / "broker-19999"


# --------------------------------------------------------------------------- real broker


def _consume_all(bootstrap: str, topic: str, timeout: float = 20.0) -> list[bytes]:
    """Read a topic from the beginning without a consumer group (no rebalance wait)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        deadline = time.monotonic() + timeout
        partitions = None
        while partitions is None and time.monotonic() < deadline:
            partitions = consumer.partitions_for_topic(topic)
            if partitions is None:
                time.sleep(0.2)
        assert partitions, f"topic {topic} has no partitions"
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        end = consumer.end_offsets(tps)
        values: list[bytes] = []
        while time.monotonic() < deadline and any(consumer.position(tp) < end[tp] for tp in tps):
            for records in consumer.poll(timeout_ms=500).values():
                values += [r.value for r in records]
        return values
    finally:
        consumer.close()


@pytest.mark.skipif(not HAVE_JAVA, reason="java not installed (apt-get install openjdk-17-jre-headless)")
@pytest.mark.skipif(not HAVE_JARS_OR_MAVEN, reason="no cached Kafka jars and no mvn to fetch them")
def test_real_broker_lifecycle(tmp_path: Path) -> None:
    from kafka import KafkaProducer

    b = LocalBroker(port=free_port(), data_dir=tmp_path / "broker")
    topic = f"wirestream.test.{uuid.uuid4().hex[:8]}"
    payload = b"wire copy survives a restart"
    try:
        b.start(timeout=90)
        st = b.status()
        assert st["running"] and st["listening"] and st["pid"] > 0
        assert st["port"] == b.port and st["bootstrap"] == b.bootstrap
        assert (tmp_path / "broker" / "logs" / "meta.properties").is_file()
        assert (tmp_path / "broker" / "broker.log").stat().st_size > 0
        cluster_before = (tmp_path / "broker" / "logs" / "meta.properties").read_text()

        producer = KafkaProducer(bootstrap_servers=b.bootstrap, acks="all")
        meta = producer.send(topic, key=b"k", value=payload).get(timeout=30)  # auto-created
        producer.close()
        assert meta.offset == 0
        assert _consume_all(b.bootstrap, topic) == [payload]

        pid = st["pid"]
        b.start()  # already running: a no-op, same process
        assert b.status()["pid"] == pid

        b.stop()
        st = b.status()
        assert not st["running"] and st["pid"] is None and not st["listening"]
        assert not (tmp_path / "broker" / "broker.pid").exists()

        # A fresh manager on the same data dir, as the CLI would be: reuses the data.
        again = LocalBroker(port=b.port, data_dir=tmp_path / "broker")
        again.start(timeout=90)
        assert again.status()["running"]
        assert (tmp_path / "broker" / "logs" / "meta.properties").read_text() == cluster_before
        assert _consume_all(again.bootstrap, topic) == [payload]

        again.kill()  # crash: the next start must recover from an unclean shutdown
        assert not again.status()["running"]
        again.start(timeout=90)
        assert _consume_all(again.bootstrap, topic) == [payload]
        again.stop()
        assert not again.status()["running"]

        # A config the broker rejects fails fast, quoting the broker's own reason.
        with pytest.raises(BrokerError, match="exited during startup") as info:
            again.start(timeout=60, extra_properties={"num.partitions": "lots"})
        assert "num.partitions" in str(info.value)
        assert not again.status()["running"]
    finally:
        LocalBroker(port=b.port, data_dir=tmp_path / "broker", quiet=True).stop(timeout=10)
