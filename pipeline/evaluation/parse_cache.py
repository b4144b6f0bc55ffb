"""The quote stage's inputs for an evaluation corpus, with an optional dev-only parse cache.

`enriched_quotes` runs the library functions the stages run (clean, parse, entities,
quotes), with the parse crossing the same compact encoding as between the agents. With a
cache folder (`--parse-cache /tmp/quotes-cache`, never in the repository) the spaCy parses,
keyed by model and cleaned body, are read from disk, so re-scoring after a rule change costs
seconds instead of minutes; cleaning, entities and quotes always run afresh.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language

from pipeline.cleaning.clean import clean_article
from pipeline.config import Settings
from pipeline.entities.extract import extract_entities
from pipeline.errors import RejectedInput
from pipeline.nlp.model import doc_from_bytes, doc_to_bytes, model_label, parse
from pipeline.quotes.attribution import quotes_with_evidence
from pipeline.quotes.confidence import Evidence
from pipeline.records import CleanArticle, Quote, RawArticle


@dataclass(slots=True)
class QuotedArticle:
    """One article's cleaned body and its quotes, as the enriched record would carry them."""

    body: str
    quotes: list[Quote]
    evidence: list[Evidence]
    quote_ms: float = 0.0  # CPU time of the quote stage: decoding the parse, then attribution


def _key(nlp: Language, body: str) -> str:
    """One file per (model, its pipes, cleaned body)."""
    return hashlib.sha256(f"{model_label(nlp)}\0{','.join(nlp.pipe_names)}\0{body}".encode()).hexdigest()[:32]


def parses(
    nlp: Language, articles: Sequence[CleanArticle], cache_dir: Path | None, batch_size: int = 16
) -> list[bytes]:
    """Parse bytes for each body, parsing (and storing, with a cache) only those not cached."""
    if cache_dir is None:
        return [doc_to_bytes(d) for d in parse(nlp, (a.body for a in articles), batch_size=batch_size)]
    cache_dir.mkdir(parents=True, exist_ok=True)
    paths = [cache_dir / f"{_key(nlp, a.body)}.wsd" for a in articles]
    missing = [k for k, p in enumerate(paths) if not p.is_file()]
    for k, doc in zip(missing, parse(nlp, (articles[k].body for k in missing), batch_size=batch_size)):
        tmp = paths[k].with_suffix(".tmp")
        tmp.write_bytes(doc_to_bytes(doc))
        tmp.replace(paths[k])
    return [p.read_bytes() for p in paths]


def _cleaned(raw: RawArticle, article_id: str, settings: Settings) -> CleanArticle | None:
    try:
        return clean_article(raw, article_id, max_body_chars=getattr(settings, "max_body_chars", None))
    except RejectedInput:
        return None


def enriched_quotes(
    raws: Sequence[tuple[str, RawArticle]], nlp: Language, settings: Settings, cache_dir: Path | None = None
) -> Iterator[QuotedArticle | None]:
    """Each (id, raw article) through cleaning, entities and quotes; None when a step refuses
    or fails, as the stage would dead-letter it."""
    import time

    cleaned = [_cleaned(raw, article_id, settings) for article_id, raw in raws]
    data = iter(parses(nlp, [a for a in cleaned if a is not None], cache_dir, settings.batch_size))
    for article in cleaned:
        if article is None:
            yield None
            continue
        try:
            payload = next(data)
            entities, clusters = extract_entities(doc_from_bytes(nlp, payload), article)
            start = time.thread_time()  # the quote stage's CPU time (robust to a busy machine)
            pairs = quotes_with_evidence(doc_from_bytes(nlp, payload), article, entities, clusters)
            ms = (time.thread_time() - start) * 1000
            yield QuotedArticle(article.body, [q for q, _ in pairs], [e for _, e in pairs], ms)
        except Exception:  # noqa: BLE001 - the stage would dead-letter it
            yield None
