"""Stage 1: raw wire copy to clean plain text (placeholder, being replaced)."""

from __future__ import annotations

from pipeline.errors import RejectedInput
from pipeline.records import CleanArticle, RawArticle


def clean_article(raw: RawArticle, article_id: str) -> CleanArticle:
    """Turn a raw article into plain text with paragraph offsets; raise RejectedInput when empty."""
    body = raw.body.strip()
    if not body:
        raise RejectedInput("empty_body", "body is empty after cleaning", article_id)
    paras, pos = [], 0
    for chunk in body.split("\n\n"):
        start = body.index(chunk, pos)
        paras.append((start, start + len(chunk)))
        pos = start + len(chunk)
    return CleanArticle(id=article_id, headline=(raw.headline or "").strip(), body=body, paragraphs=paras,
                        source=raw.source, url=raw.url, published_at=raw.published_at)
