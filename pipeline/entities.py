"""Stage 2: named entities from the spaCy parse (placeholder, being replaced)."""

from __future__ import annotations

from spacy.tokens import Doc

from pipeline.records import CleanArticle, Entity, EntityCluster


def extract_entities(doc: Doc, article: CleanArticle) -> tuple[list[Entity], list[EntityCluster]]:
    """Entities with offsets into `article.body` (== doc.text), clustered per real-world entity."""
    ents = [Entity(id=f"E{i}", text=e.text, label=e.label_, start=e.start_char, end=e.end_char, canonical=e.text)
            for i, e in enumerate(doc.ents)]
    clusters = [EntityCluster(id=e.id, canonical=e.canonical, label=e.label, count=1, mentions=[e.text]) for e in ents]
    return ents, clusters
