"""Wirestream's library: streaming enrichment of news-wire copy, without a broker.

    from pipeline import enrich, Settings
    for record in enrich([b'{"body": "..."}'], Settings()):
        ...

`pipeline` holds the records, the configuration, the codec and the three
stages (cleaning → entities → quotes) with the one runner that chains them.
It imports no Faust and no Kafka client: `agents/` moves its records between
topics, and the `wirestream` command line sits above both. Names are loaded
on first use, so `import pipeline` stays cheap for tools that only need the
configuration.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.2.0"

# Public name -> module that defines it (resolved lazily by __getattr__).
_API = {
    "Settings": "pipeline.config",
    "Topics": "pipeline.config",
    "RejectedInput": "pipeline.errors",
    "RawArticle": "pipeline.records",
    "CleanArticle": "pipeline.records",
    "EnrichedRecord": "pipeline.records",
    "DeadLetter": "pipeline.records",
    "Entity": "pipeline.records",
    "EntityCluster": "pipeline.records",
    "Quote": "pipeline.records",
    "Speaker": "pipeline.records",
    "enrich": "pipeline.runner",
    "clean_article": "pipeline.cleaning",
    "extract_entities": "pipeline.entities",
    "attribute_quotes": "pipeline.quotes",
    "load_model": "pipeline.nlp",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
