"""Who said what in the headline: `Senator Says Tax Plan Will Fail`.

A headline often carries the story's main report, in a syntax of its own (no "that",
no articles, a colon for the speaker: `Ruiz: plan will fail`). Its parse (casing undone by
`pipeline.nlp.headlines`) goes through the same rules as the body. Offsets index the
headline, so these quotes travel apart from the body's, in `headline_quotes`. A speaker the
body also quotes keeps the body's id (the entity cluster, else the same name); anyone else
gets the next free `S` id, so one id is one person across the whole record.
"""

from __future__ import annotations

import re
from dataclasses import replace

from spacy.tokens import Doc

from pipeline.quotes.attribution import HEADLINE_DOC, quotes_with_evidence
from pipeline.quotes.confidence import Evidence, quote_confidence, speaker_confidence
from pipeline.records import CleanArticle, EntityCluster, Quote

HEADLINE = "headline"
_UNNAMED_ID = re.compile(r"S(\d+)$")


def headline_quotes(
    doc: Doc, article: CleanArticle, clusters: list[EntityCluster], body_quotes: list[Quote]
) -> list[Quote]:
    """The headline's quotes, offsets into `article.headline`; never raises."""
    return [q for q, _ in headline_quotes_with_evidence(doc, article, clusters, body_quotes)]


def headline_quotes_with_evidence(
    doc: Doc, article: CleanArticle, clusters: list[EntityCluster], body_quotes: list[Quote]
) -> list[tuple[Quote, Evidence]]:
    """Each headline quote with its evidence (its confidences weigh that it is a headline's)."""
    if not article.headline.strip() or not len(doc):
        return []
    as_text = replace(article, body=article.headline, paragraphs=[(0, len(article.headline))])
    doc.user_data[HEADLINE_DOC] = True  # headline grammar: a one-word report (`Mayor slams council`)
    pairs = [(q, replace(e, where=HEADLINE)) for q, e in quotes_with_evidence(doc, as_text, [], clusters)]
    for quote, evidence in pairs:
        quote.confidence = quote_confidence(evidence)
        quote.speaker.confidence = speaker_confidence(evidence)
    _share_ids([q for q, _ in pairs], body_quotes)
    return pairs


def _share_ids(quotes: list[Quote], body_quotes: list[Quote]) -> None:
    """Body ids (and the body's full name and title) for the body's speakers; fresh `S` ids,
    after the body's, for the others."""
    by_id = {q.speaker.id: q.speaker for q in body_quotes if q.speaker.id}
    by_name = {_name_key(s.name): i for i, s in by_id.items() if s.name}
    numbers = [int(m.group(1)) for i in by_id if (m := _UNNAMED_ID.match(i))]
    next_number = max(numbers, default=0) + 1
    renamed: dict[str, str] = {}
    for quote in quotes:
        speaker = quote.speaker
        if speaker.id is None:
            continue
        if speaker.entity_id is None and speaker.id not in renamed:
            same = _same_person(speaker.name, by_name)
            if same is None:
                same, next_number = f"S{next_number}", next_number + 1
            renamed[speaker.id] = same
        speaker.id = renamed.get(speaker.id, speaker.id)
        known = by_id.get(speaker.id)
        if known is not None:  # `Ferreira` in the headline is the body's `Ana Ferreira, minister`
            speaker.name, speaker.title = known.name, known.title or speaker.title
            speaker.entity_id = known.entity_id


def _same_person(name: str | None, by_name: dict[str, str]) -> str | None:
    """The body speaker with this name, or with this surname alone (`Ruiz` for `Maria Ruiz`)."""
    if not name:
        return None
    key = _name_key(name)
    if key in by_name:
        return by_name[key]
    surname = key.split()[-1] if key else ""
    found = {i for n, i in by_name.items() if n.split() and n.split()[-1] == surname}
    return found.pop() if len(found) == 1 else None


def _name_key(name: str | None) -> str:
    return " ".join(re.sub(r"['’]s\b", "", name or "").lower().split())
