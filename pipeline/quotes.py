"""Stage 3: quote attribution (placeholder, being replaced)."""

from __future__ import annotations

import re

from spacy.tokens import Doc

from pipeline.records import CleanArticle, Entity, EntityCluster, Quote, Speaker

_QUOTE = re.compile(r"[\"“]([^\"“”]+)[\"”]")


def attribute_quotes(doc: Doc, article: CleanArticle, entities: list[Entity],
                     clusters: list[EntityCluster]) -> list[Quote]:
    """Quotes with speakers; offsets index `article.body`. Never raises."""
    out = []
    for m in _QUOTE.finditer(article.body):
        out.append(Quote(text=m.group(0), type="direct", start=m.start(), end=m.end(), speaker=Speaker()))
    return out
