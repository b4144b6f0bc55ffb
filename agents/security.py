"""One mapping from `Settings` to Kafka client options: Faust, aiokafka and kafka-python.

The worker (Faust on aiokafka), its start-up check (aiokafka) and the CLI and
lag probe (kafka-python) must connect with the same protocol, SASL login and
TLS trust; deriving all three from the same two helpers below keeps them from
drifting apart.
"""

from __future__ import annotations

import ssl
from typing import Any

from pipeline.config import Settings

TLS_PROTOCOLS = ("SSL", "SASL_SSL")


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """The TLS context (system CAs, or KAFKA_SSL_CAFILE) when the protocol uses TLS, else None."""
    if settings.security_protocol.upper() not in TLS_PROTOCOLS:
        return None
    return ssl.create_default_context(cafile=settings.ssl_cafile)


def sasl_options(settings: Settings) -> dict[str, Any]:
    """SASL login options, spelt the same in aiokafka and kafka-python; empty without SASL."""
    if not settings.sasl_mechanism:
        return {}
    return {
        "sasl_mechanism": settings.sasl_mechanism,
        "sasl_plain_username": settings.sasl_username,
        "sasl_plain_password": settings.sasl_password,
    }


def client_options(settings: Settings) -> dict[str, Any]:
    """Connection options both client libraries accept under the same names."""
    opts: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers.split(","),
        "security_protocol": settings.security_protocol.upper(),
        **sasl_options(settings),
    }
    context = ssl_context(settings)
    if context is not None:
        opts["ssl_context"] = context
    return opts


def aiokafka_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for an aiokafka client (the worker's own library)."""
    return client_options(settings)


def kafka_python_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for a kafka-python client (CLI publish and tail, topic admin, lag probe)."""
    return client_options(settings)


def faust_credentials(settings: Settings) -> Any:
    """`broker_credentials` for the Faust app: SASL (over TLS when asked), a TLS context, or None."""
    import faust  # here, so the CLI's kafka-python paths do not pay for importing Faust

    context = ssl_context(settings)
    if settings.sasl_mechanism:
        return faust.SASLCredentials(
            username=settings.sasl_username,
            password=settings.sasl_password,
            mechanism=settings.sasl_mechanism,
            ssl_context=context,
        )
    return context
