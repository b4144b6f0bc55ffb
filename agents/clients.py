"""kafka-python clients for the CLI and tests: topic creation, publishing, tailing.

Connection options come from `agents.security`, the one mapping from Settings
to client options that the worker uses too.
"""

from __future__ import annotations

import logging
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace

import click
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType
from kafka.errors import KafkaError, TopicAlreadyExistsError

from agents.security import kafka_python_options, ssl_context
from pipeline.config import Settings
from pipeline.sources import Message, message_for

log = logging.getLogger("wirestream.topics")

MAX_REPLICATION = 3  # default replication factor on clusters of three brokers or more
MAX_MIN_INSYNC = 2  # default min.insync.replicas: an ack survives the loss of one broker
CHECKED_CONFIGS = ("cleanup.policy", "min.insync.replicas")


class ClientConfigError(click.ClickException):
    """The CLI's clients cannot connect with this configuration (TLS trust); restarting would not help.

    A click exception so `wirestream publish` / `tail` print the reason and
    exit 78 (EX_CONFIG, as the worker does) instead of retrying until a timeout.
    """

    exit_code = 78


class TopicSetupError(RuntimeError):
    """The topics cannot be created as configured (e.g. more replicas than brokers); the message says why."""


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """A topic's layout: as the worker wants it (and creates it), or as the cluster has it."""

    name: str
    partitions: int
    replication_factor: int
    configs: dict[str, str] = field(default_factory=dict)


def wait_for_broker(settings: Settings, timeout: float = 60.0) -> KafkaAdminClient:
    """An admin client once the cluster answers; retries so a starting broker is not an error."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return KafkaAdminClient(client_id="wirestream-admin", **kafka_python_options(settings))
        except KafkaError:
            if time.monotonic() > deadline:
                raise ConnectionError(
                    f"no Kafka broker answered at {settings.bootstrap_servers} within {timeout:.0f}s "
                    "(start one with `wirestream broker start`)"
                ) from None
            time.sleep(1.0)


def replication_factor(settings: Settings, brokers: int) -> int:
    """WIRESTREAM_REPLICATION_FACTOR, else as many copies as the cluster can hold, up to three."""
    return settings.replication_factor or max(1, min(MAX_REPLICATION, brokers))


def min_insync_replicas(settings: Settings, replicas: int) -> int:
    """WIRESTREAM_MIN_INSYNC_REPLICAS, else two when there are two copies or more (never above RF)."""
    return settings.min_insync_replicas or min(MAX_MIN_INSYNC, replicas)


def topic_specs(settings: Settings, brokers: int) -> list[TopicSpec]:
    """The topology's topics as the worker would create them on a cluster of `brokers` brokers."""
    rf = replication_factor(settings, brokers)
    isr = min_insync_replicas(settings, rf)
    if rf > brokers:
        raise TopicSetupError(
            f"WIRESTREAM_REPLICATION_FACTOR={rf}, but the cluster at {settings.bootstrap_servers} has "
            f"{brokers} broker(s): lower it, or unset it to use min(3, brokers)"
        )
    if isr > rf:
        raise TopicSetupError(
            f"WIRESTREAM_MIN_INSYNC_REPLICAS={isr} exceeds the replication factor {rf}: "
            "no produce could ever be acknowledged"
        )
    compacted = set(settings.topics.compacted())
    specs = []
    for name in settings.topics.all():
        # max.message.bytes: big enough for a body at the size limit and its parse (docs/operations.md).
        configs = {
            "max.message.bytes": str(settings.max_message_bytes),
            "min.insync.replicas": str(isr),
            "cleanup.policy": "compact" if name in compacted else "delete",
        }
        specs.append(TopicSpec(name, settings.partitions, rf, configs))
    return specs


def mismatches(spec: TopicSpec, state: TopicSpec) -> list[str]:
    """What differs between the topic the worker wants and the one the cluster has, in words."""
    found = []
    if state.partitions != spec.partitions:
        found.append(f"{state.partitions} partitions where WIRESTREAM_PARTITIONS asks for {spec.partitions}")
    if state.replication_factor != spec.replication_factor:
        found.append(
            f"replication factor {state.replication_factor} where {spec.replication_factor} is wanted "
            "(WIRESTREAM_REPLICATION_FACTOR)"
        )
    for key in CHECKED_CONFIGS:
        have, want = state.configs.get(key), spec.configs.get(key)
        if want is not None and have is not None and have != want:
            found.append(f"{key}={have} where {want} is wanted")
    return found


def describe_topics(admin: KafkaAdminClient, names: list[str]) -> dict[str, TopicSpec]:
    """Partitions, replication factor and the checked configs of existing topics."""
    if not names:
        return {}
    resources = [ConfigResource(ConfigResourceType.TOPIC, n, list(CHECKED_CONFIGS)) for n in names]
    configs = admin.describe_configs(resources, config_filter="all").get("topic", {})
    states = {}
    for topic in admin.describe_topics(names):
        parts = topic["partitions"]
        rf = max((len(p["replica_nodes"]) for p in parts), default=0)
        values = {k: v["value"] for k, v in configs.get(topic["name"], {}).items()}
        states[topic["name"]] = TopicSpec(topic["name"], len(parts), rf, values)
    return states


def warn_mismatches(specs: Iterable[TopicSpec], states: Mapping[str, TopicSpec]) -> list[str]:
    """Log one warning per existing topic that differs from the configuration; return the warnings.

    The worker does not change existing topics (repartitioning reorders keys,
    and RF changes need a reassignment plan), but it must never run on a
    mismatch silently.
    """
    warnings = []
    for spec in specs:
        state = states.get(spec.name)
        differences = mismatches(spec, state) if state else []
        if differences:
            text = (
                f"topic {spec.name} exists with "
                + "; ".join(differences)
                + " — the worker leaves existing topics as they are: alter them with kafka-topics.sh / "
                "kafka-configs.sh (or change the settings) so they agree"
            )
            log.warning(text)
            warnings.append(text)
    return warnings


def create_missing(admin: KafkaAdminClient, specs: Iterable[TopicSpec]) -> list[str]:
    """Create the topics of `specs`, returning once they have leaders (the agents use them at once).

    A topic someone else created meanwhile is not an error; it is simply not
    in the returned list (the caller compares it with the settings).
    """
    created = []
    for spec in specs:
        try:
            admin.create_topics(
                {
                    spec.name: {
                        "num_partitions": spec.partitions,
                        "replication_factor": spec.replication_factor,
                        "configs": spec.configs,
                    }
                },
                wait_for_metadata=True,
            )
            created.append(spec.name)
        except TopicAlreadyExistsError:
            pass
    return created


def broker_count(admin: KafkaAdminClient) -> int:
    """Unfenced brokers in the cluster (what the default replication factor is sized to)."""
    brokers = admin.describe_cluster().get("brokers", [])
    return sum(1 for b in brokers if not b.get("is_fenced"))


def with_cluster_defaults(settings: Settings) -> Settings:
    """`settings` with the replication factor and min.insync.replicas this cluster gets by default.

    The worker passes these to Faust too, so the topics Faust creates itself
    (table changelogs) are replicated like the pipeline's own.
    """
    admin = wait_for_broker(settings)
    try:
        brokers = broker_count(admin)
    finally:
        admin.close()
    rf = replication_factor(settings, brokers)
    return replace(settings, replication_factor=rf, min_insync_replicas=min_insync_replicas(settings, rf))


def ensure_topics(settings: Settings) -> list[str]:
    """Create the topology's missing topics, warn about existing ones that differ; return those created."""
    admin = wait_for_broker(settings)
    try:
        specs = topic_specs(settings, broker_count(admin))
        existing = set(admin.list_topics())
        created = create_missing(admin, [s for s in specs if s.name not in existing])
        warn_mismatches(specs, describe_topics(admin, [s.name for s in specs if s.name not in created]))
        return created
    finally:
        admin.close()


def verify_tls(settings: Settings, timeout: float = 10.0) -> None:
    """One TLS handshake with the first reachable bootstrap server; ClientConfigError when it is refused.

    kafka-python only logs a failed handshake and then reports "no brokers
    available" after its timeout; this says which setting to fix, at once.
    Unreachable servers are left to the client's own retries and errors.
    """
    try:
        context = ssl_context(settings)
    except (OSError, ValueError) as exc:  # an unreadable or invalid CA file
        raise ClientConfigError(
            f"cannot use KAFKA_SSL_CAFILE={settings.ssl_cafile!r} ({type(exc).__name__}: "
            f"{exc}); point it at a readable PEM file of the brokers' CA"
        ) from None
    if context is None:
        return
    for server in settings.bootstrap_servers.split(","):
        host, _, port = server.strip().rpartition(":")
        host = host.strip("[]")
        try:
            with socket.create_connection((host, int(port)), timeout=timeout) as sock:
                context.wrap_socket(sock, server_hostname=host).close()
                return
        except ssl.SSLError as exc:  # before OSError, its base: certificate, hostname, protocol
            raise ClientConfigError(
                f"TLS handshake with Kafka at {server.strip()} failed ({type(exc).__name__}: {exc}). "
                "Check KAFKA_SECURITY_PROTOCOL and KAFKA_SSL_CAFILE (the CA that signed the brokers' "
                "certificates)."
            ) from None
        except (OSError, ValueError):
            continue


def producer(settings: Settings) -> KafkaProducer:
    """A producer whose acks wait for every in-sync replica (min.insync.replicas is what makes that count)."""
    verify_tls(settings)
    return KafkaProducer(
        acks="all",
        linger_ms=5,
        retries=5,
        max_request_size=settings.max_message_bytes,
        **kafka_python_options(settings),
    )


def publish_values(
    settings: Settings,
    values: Iterable[bytes | Message],
    topic: str | None = None,
    on_sent: Callable[..., object] | None = None,
) -> int:
    """Publish raw values as they are, keyed by story id, with their format's content-type header.

    Bare bytes are keyed and labelled by `pipeline.sources.message_for`; returns
    how many the broker acknowledged.
    """
    prod = producer(settings)
    topic = topic or settings.topics.raw
    futures = []
    try:
        for item in values:
            message = item if isinstance(item, Message) else message_for(item)
            futures.append(prod.send(topic, key=message.key, value=message.value, headers=message.headers))
            if on_sent:
                on_sent()
        prod.flush()
        return sum(1 for f in futures if f.get(timeout=30))
    finally:
        prod.close()


def tail(
    settings: Settings,
    topic: str,
    from_beginning: bool = False,
    max_records: int | None = None,
    idle_timeout_s: float | None = None,
) -> Iterator[bytes]:
    """Values from a topic as they arrive (no consumer group: tailing never moves anyone's offsets)."""
    verify_tls(settings)
    consumer = KafkaConsumer(
        topic,
        group_id=None,
        auto_offset_reset="earliest" if from_beginning else "latest",
        enable_auto_commit=False,
        consumer_timeout_ms=int(idle_timeout_s * 1000) if idle_timeout_s else float("inf"),
        **kafka_python_options(settings),
    )
    count = 0
    try:
        for message in consumer:
            yield message.value
            count += 1
            if max_records is not None and count >= max_records:
                return
    finally:
        consumer.close()
