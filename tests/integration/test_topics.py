"""Cluster-ready topics: replication, min.insync.replicas and compaction as configured; mismatches are loud.

Each test names its own topics (WIRESTREAM_TOPIC_*), so they never touch the
topics other tests share on the session broker.
"""

from __future__ import annotations

import logging
import uuid

import pytest
from kafka import KafkaAdminClient

from agents.clients import TopicSetupError, describe_topics, ensure_topics, topic_specs
from agents.security import kafka_python_options
from pipeline.config import Settings

pytestmark = pytest.mark.broker

STEMS = ("RAW", "CLEAN", "PARSED", "ENRICHED", "QUOTES", "DEADLETTER")


def own_topics(bootstrap: str, **extra: str) -> Settings:
    tag = uuid.uuid4().hex[:8]
    env = {"KAFKA_BOOTSTRAP_SERVERS": bootstrap, **{f"WIRESTREAM_TOPIC_{s}": f"t{tag}.{s.lower()}" for s in STEMS}}
    return Settings.from_env({**env, **extra})


def admin_for(settings: Settings) -> KafkaAdminClient:
    return KafkaAdminClient(client_id="test-topics", **kafka_python_options(settings))


@pytest.mark.parametrize(("brokers", "rf", "isr"), [(1, 1, 1), (2, 2, 2), (3, 3, 2), (5, 3, 2)])
def test_default_replication_follows_the_cluster_size(brokers, rf, isr):
    specs = topic_specs(Settings(), brokers)
    assert {(s.replication_factor, s.configs["min.insync.replicas"]) for s in specs} == {(rf, str(isr))}


def test_explicit_replication_settings_win_and_impossible_ones_are_refused():
    s = Settings.from_env({"WIRESTREAM_REPLICATION_FACTOR": "2", "WIRESTREAM_MIN_INSYNC_REPLICAS": "1"})
    assert {(x.replication_factor, x.configs["min.insync.replicas"]) for x in topic_specs(s, 5)} == {(2, "1")}
    with pytest.raises(TopicSetupError, match=r"REPLICATION_FACTOR=3.*1 broker"):
        topic_specs(Settings.from_env({"WIRESTREAM_REPLICATION_FACTOR": "3"}), 1)
    with pytest.raises(TopicSetupError, match=r"MIN_INSYNC_REPLICAS=3 exceeds the replication factor 2"):
        topic_specs(Settings.from_env({"WIRESTREAM_REPLICATION_FACTOR": "2", "WIRESTREAM_MIN_INSYNC_REPLICAS": "3"}), 3)


def test_new_topics_get_replication_min_isr_and_compaction_on_the_real_broker(broker, caplog):
    s = own_topics(broker.bootstrap, WIRESTREAM_PARTITIONS="3")
    with caplog.at_level(logging.WARNING, logger="wirestream.topics"):
        assert sorted(ensure_topics(s)) == sorted(s.topics.all())
        assert ensure_topics(s) == []  # idempotent, and the topics it made agree with the settings
    # only our own warnings (a topic that differs from the settings): kafka-python may log a
    # transient "No node available for metadata refresh" on a loaded machine, which says nothing here
    assert not [r for r in caplog.records if r.name == "wirestream.topics"]
    admin = admin_for(s)
    try:
        found = describe_topics(admin, s.topics.all())
    finally:
        admin.close()
    compacted = set(s.topics.compacted())
    assert compacted == {s.topics.enriched, s.topics.quotes}
    for name in s.topics.all():
        topic = found[name]
        assert (topic.partitions, topic.replication_factor) == (3, 1)  # one broker: RF min(3, 1)
        assert topic.configs["min.insync.replicas"] == "1"
        assert topic.configs["cleanup.policy"] == ("compact" if name in compacted else "delete")


def test_existing_topics_that_differ_are_named_in_a_warning_and_left_alone(broker, caplog):
    s = own_topics(broker.bootstrap)
    admin = admin_for(s)
    try:
        admin.create_topics(
            {
                s.topics.enriched: {"num_partitions": 4, "replication_factor": 1},
                s.topics.raw: {"num_partitions": 2, "replication_factor": 1, "configs": {"cleanup.policy": "compact"}},
            },
            wait_for_metadata=True,
        )
        with caplog.at_level(logging.WARNING, logger="wirestream.topics"):
            created = ensure_topics(s)
        found = describe_topics(admin, [s.topics.enriched, s.topics.raw])
    finally:
        admin.close()
    assert s.topics.enriched not in created and s.topics.raw not in created
    assert set(created) == set(s.topics.all()) - {s.topics.enriched, s.topics.raw}
    warnings = {
        r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and r.name == "wirestream.topics"
    }
    assert len(warnings) == 2
    enriched = next(w for w in warnings if s.topics.enriched in w)
    assert "4 partitions where WIRESTREAM_PARTITIONS asks for 2" in enriched
    assert "cleanup.policy=delete where compact is wanted" in enriched
    raw = next(w for w in warnings if s.topics.raw in w)
    assert "cleanup.policy=compact where delete is wanted" in raw and "partitions" not in raw.split("—")[0]
    assert found[s.topics.enriched].partitions == 4  # warned about, never altered
    assert found[s.topics.raw].configs["cleanup.policy"] == "compact"


def test_the_worker_hands_faust_the_replication_the_cluster_gets(broker):
    from agents.clients import with_cluster_defaults

    s = with_cluster_defaults(Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap}))
    assert (s.replication_factor, s.min_insync_replicas) == (1, 1)  # one broker


def test_a_worker_asked_for_more_replicas_than_brokers_exits_78_with_the_setting_to_change(broker):
    import subprocess
    import sys

    from agents.worker import EXIT_CONFIG
    from tests.conftest import REPO, pipeline_env

    env = pipeline_env(broker.bootstrap, WIRESTREAM_REPLICATION_FACTOR="3")
    done = subprocess.run(
        [sys.executable, "-m", "agents.worker"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == EXIT_CONFIG, done.stderr[-2000:]
    assert "WIRESTREAM_REPLICATION_FACTOR=3" in done.stderr and "1 broker(s)" in done.stderr
