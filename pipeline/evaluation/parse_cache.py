"""The quote stage's inputs for an evaluation corpus, with an optional dev-only parse cache.

`enriched_quotes` runs the library functions the stages run (clean, parse, entities,
quotes), with the parse crossing the same compact encoding as between the agents. With a
cache folder (`--parse-cache /tmp/quotes-cache`, never in the repository) the spaCy parses,
keyed by model and cleaned text, are read from disk, so re-scoring after a rule change costs
seconds instead of minutes; cleaning, entities and quotes always run afresh.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.cleaning.clean import clean_article
from pipeline.config import Settings
from pipeline.entities.extract import extract_entities
from pipeline.errors import RejectedInput
from pipeline.nlp.headlines import HEADLINE_READING, parse_forms, parse_headlines
from pipeline.nlp.model import doc_from_bytes, doc_to_bytes, model_label, parse, tokenizer_label
from pipeline.quotes.attribution import parse_for_quotes, quotes_with_evidence
from pipeline.quotes.confidence import Evidence
from pipeline.quotes.headline import headline_quotes_with_evidence
from pipeline.records import CleanArticle, Quote, RawArticle


@dataclass(slots=True)
class QuotedArticle:
    """One article's cleaned body and its quotes, as the enriched record would carry them."""

    body: str
    quotes: list[Quote]
    evidence: list[Evidence]
    quote_ms: float = 0.0  # CPU time of the quote stage: decoding the parse, then attribution
    headline: str = ""
    headline_quotes: list[Quote] = field(default_factory=list)
    headline_evidence: list[Evidence] = field(default_factory=list)


def _key(nlp: Language, text: str) -> str:
    """One file per (model, its pipes, cleaned text)."""
    label = f"{model_label(nlp)}\0{tokenizer_label(nlp)}\0{','.join(nlp.pipe_names)}"
    return hashlib.sha256(f"{label}\0{text}".encode()).hexdigest()[:32]


def parses(
    nlp: Language, articles: Sequence[CleanArticle], cache_dir: Path | None, batch_size: int = 16
) -> list[bytes]:
    """Parse bytes for each body, parsing (and storing, with a cache) only those not cached."""
    return _cached(nlp, [a.body for a in articles], lambda texts: parse(nlp, texts, batch_size), cache_dir)


def headline_parses(
    nlp: Language, articles: Sequence[CleanArticle], cache_dir: Path | None, batch_size: int = 16
) -> list[bytes]:
    """Parse bytes for each headline; the key holds the form the parser reads (cased in the light of
    the body), so a change to the casing rules is never answered from the cache."""
    items = [(a.headline, a.body) for a in articles]
    forms = parse_forms(nlp, items)
    keys = [f"headline\0{HEADLINE_READING}\0{form}\0{headline}" for form, (headline, _) in zip(forms, items)]
    by_key = {k: (item, form) for k, item, form in zip(keys, items, forms)}

    def parse_all(ks: list[str]) -> Iterable[Doc]:
        return parse_headlines(nlp, [by_key[k][0] for k in ks], batch_size, [by_key[k][1] for k in ks])

    return _cached(nlp, keys, parse_all, cache_dir)


def _cached(
    nlp: Language, keys: Sequence[str], parse_all: Callable[[list[str]], Iterable[Doc]], cache_dir: Path | None
) -> list[bytes]:
    if cache_dir is None:
        return [doc_to_bytes(d) for d in parse_all(list(keys))]
    cache_dir.mkdir(parents=True, exist_ok=True)
    paths = [cache_dir / f"{_key(nlp, k)}.wsd" for k in keys]
    missing = [k for k, p in enumerate(paths) if not p.is_file()]
    for k, doc in zip(missing, parse_all([keys[k] for k in missing])):
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
    live = [a for a in cleaned if a is not None]
    data = iter(parses(nlp, live, cache_dir, settings.batch_size))
    headlines = iter(headline_parses(nlp, live, cache_dir, settings.batch_size))
    for article in cleaned:
        if article is None:
            yield None
            continue
        try:
            payload, headline = next(data), next(headlines)
            entities, clusters = extract_entities(doc_from_bytes(nlp, payload), article)
            start = time.thread_time()  # the quote stage's CPU time (robust to a busy machine)
            pairs = quotes_with_evidence(parse_for_quotes(nlp, payload), article, entities, clusters)
            quotes = [q for q, _ in pairs]
            tops = headline_quotes_with_evidence(parse_for_quotes(nlp, headline), article, clusters, quotes)
            ms = (time.thread_time() - start) * 1000
            yield QuotedArticle(
                article.body,
                quotes,
                [e for _, e in pairs],
                ms,
                article.headline,
                [q for q, _ in tops],
                [e for _, e in tops],
            )
        except Exception:  # noqa: BLE001 - the stage would dead-letter it
            yield None
