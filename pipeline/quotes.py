"""Stage 3: quote attribution — who said what, with offsets into the body.

One `Quote` per attribution in the article:

* direct: the words inside the quote marks (marks excluded). A quote split by its
  cue (`"X," he said, "Y."`) is one quote running from the first part to the
  last, so its text contains the interrupting cue; a quote running over several
  paragraphs is one quote as well. `text == body[start:end]` always holds.
* mixed: a reported clause holding a quoted fragment (`said the plan was "a
  disaster"`); text is the clause, as for indirect quotes.
* indirect: the reported clause of a speech verb or of `according to`,
  without the cue and the source (a leading "that" is kept).

The parse is read, never redone; quote marks are paired on the raw text.
"""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from pipeline.quote_marks import QuotedSpan, find_quoted_spans
from pipeline.records import CleanArticle, Entity, EntityCluster, Quote, Speaker
from pipeline.reporting import (
    OBJECT_REPORT_VERBS,
    QUOTE_ADJACENT_VERBS,
    Cue,
    according_to_cues,
    complement_tokens,
    cue_extent,
    cue_preposition,
    is_quote_verb,
    is_speech_verb,
    object_tokens,
    subject_of,
)
from pipeline.speakers import Person, SpeakerRegistry, is_person_noun

log = logging.getLogger(__name__)

# Words trimmed from the edges of a reported clause.
_EDGE_WORDS = frozenset({"and", "but", "or", "so", "because", "although", "while"})
# Dependents that may sit between a closing mark and its cue (`," he also said`).
_GAP_DEPS = frozenset({"advmod", "aux", "neg", "punct", "npadvmod"})
_MAX_CUE_GAP = 14  # tokens between a quote and the cue it is attributed to
_MAX_SPLIT_GAP = 14  # words of cue between two parts of one quote
_MIN_OBJECT_WORDS = 2
_MAX_FRAGMENT_CLIMB = 6  # heads climbed from a quoted fragment to the verb reporting it  # a noun-phrase report shorter than this is rarely a report
# `“...” ― Jane Doe` at the end of a line: a credit rather than a cue verb.
_DASH_CREDIT = re.compile(r"[ \t\u00a0]*(?P<dash>[―—–]|--)[ \t\u00a0]*"
                          r"(?P<name>[A-Z][\w.'’-]*(?:[ \u00a0][A-Z][\w.'’-]*){0,4})[ \t\u00a0]*(?=\n|$)")


class _Text:
    """The parse with its text and token offsets at hand, for offset lookups without rescans."""

    def __init__(self, doc: Doc, text: str) -> None:
        self.doc = doc
        self.text = text
        self.starts = [t.idx for t in doc]
        self.sent_of = [0] * len(doc)
        for k, sent in enumerate(doc.sents):
            for i in range(sent.start, sent.end):
                self.sent_of[i] = k

    def __getitem__(self, i: int) -> Token:
        return self.doc[i]

    def __len__(self) -> int:
        return len(self.doc)


@dataclass(slots=True)
class Attribution:
    """An attribution before speaker resolution; `start`/`end` index the body."""

    start: int
    end: int
    type: str
    cue: Cue | None


def attribute_quotes(doc: Doc, article: CleanArticle, entities: list[Entity],
                     clusters: list[EntityCluster]) -> list[Quote]:
    """Quotes with speakers; offsets index `article.body`. Never raises."""
    try:
        return _attribute(doc, article, entities, clusters)
    except Exception:  # noqa: BLE001 - a bad article must not stop the stream
        log.exception("quote attribution failed for %s", getattr(article, "id", "?"))
        return []


def _attribute(doc: Doc, article: CleanArticle, entities: list[Entity],
               clusters: list[EntityCluster]) -> list[Quote]:
    text = doc.text  # built once: Doc.text joins every token on each call
    spans = find_quoted_spans(text, article.paragraphs)
    cues = find_cues(doc)
    attributions = direct_attributions(_Text(doc, text), spans, cues)
    used = {id(a.cue) for a in attributions if a.cue is not None}
    attributions += clause_attributions(doc, spans, [c for c in cues if id(c) not in used], attributions)
    attributions += fragment_attributions(doc, spans, attributions)
    attributions.sort(key=lambda a: a.start)
    quotes = with_speakers(text, attributions, SpeakerRegistry(doc, entities, clusters, text))
    return [q for q in quotes if 0 <= q.start < q.end <= len(text) and text[q.start:q.end] == q.text]


# ---- cues ------------------------------------------------------------------------------

def find_cues(doc: Doc) -> list[Cue]:
    """Every reporting cue in the document, sentence by sentence (a bad parse loses one sentence)."""
    out: list[Cue] = []
    for sent in doc.sents:
        try:
            out.extend(_sentence_cues(sent))
        except Exception:  # noqa: BLE001
            log.debug("cue finding failed in sentence at %d", sent.start_char, exc_info=True)
    return sorted(out, key=lambda c: c.start)


def _sentence_cues(sent: Span) -> list[Cue]:
    out = []
    for tok in sent:
        if is_quote_verb(tok) or tok.lemma_.lower() in QUOTE_ADJACENT_VERBS and tok.pos_ == "VERB":
            start, end = cue_extent(tok)
            content = complement_tokens(tok)
            objects = [] if content else object_tokens(tok)
            prep = cue_preposition(tok) if objects else None
            if prep is not None and prep.i > tok.i:
                end = prep.idx + len(prep.text)
            out.append(Cue(tok, start, end, subject_of(tok), content, objects))
    out.extend(according_to_cues(sent))
    return out


# ---- direct quotes ---------------------------------------------------------------------

def direct_attributions(doc: _Text, spans: list[QuotedSpan], cues: list[Cue]) -> list[Attribution]:
    """Quotes standing as what someone said: linked to a cue, or continuing the last speaker."""
    out: list[Attribution] = []
    free = list(cues)
    i = 0
    while i < len(spans):
        try:
            att, i = _direct_at(doc, spans, i, free)
        except Exception:  # noqa: BLE001 - lose this quote, not the article
            log.debug("direct quote failed at %d", spans[i].start, exc_info=True)
            att = None
        if att is not None:
            out.append(att)
            free = [c for c in free if c is not att.cue]
        i += 1
    return out


def _direct_at(doc: _Text, spans: list[QuotedSpan], i: int, free: list[Cue]) -> tuple[Attribution | None, int]:
    """The attribution of the quote starting spans[i] (absorbing the parts of a split quote),
    and the index of its last part."""
    span = last = spans[i]
    cue = _cue_for_span(doc, span, free)
    while cue is not None and i + 1 < len(spans) and _is_split_continuation(doc, last, cue, spans[i + 1], free):
        i += 1
        last = spans[i]
    if cue is not None and last is span and _clause_runs_on(span, cue):
        return _mixed(span, cue), i
    if cue is not None:
        return _direct(span, last, cue), i
    if _stands_alone(doc, span):
        return _direct(span, span, None), i
    return None, i


def _direct(first: QuotedSpan, last: QuotedSpan, cue: Cue | None) -> Attribution:
    start, _ = first.inner
    _, end = last.inner
    return Attribution(start, end, "direct", cue)


def _clause_runs_on(span: QuotedSpan, cue: Cue) -> bool:
    """`said "X" to drive up the price`: the reported clause goes on after the closing mark."""
    words = [t for t in cue.content if (t.is_alpha or t.like_num) and t.idx >= span.end]
    return len(words) >= 2 and not span.start <= cue.start < span.end


def _mixed(span: QuotedSpan, cue: Cue) -> Attribution:
    bounds = _trimmed(cue.content)
    start, end = bounds if bounds is not None else span.inner
    return Attribution(min(start, span.start), max(end, span.end), "mixed", cue)


def _cue_for_span(doc: _Text, span: QuotedSpan, cues: list[Cue]) -> Cue | None:
    """The cue a quote belongs to: one whose content lies inside it, else one right after it,
    else one right before it."""
    for cue in cues:
        if cue.content and _content_inside(cue, span) and not (span.start <= cue.start < span.end):
            return cue
    after = _cue_after(doc, span, cues)
    if after is not None:
        return after
    return _dash_credit(doc, span) or _cue_before(doc, span, cues)


def _content_inside(cue: Cue, span: QuotedSpan) -> bool:
    words = [t for t in cue.content if t.is_alpha or t.like_num]
    if not words:
        return False
    inside = sum(span.start <= t.idx < span.end for t in words)
    return inside >= max(1, len(words) - 1) and inside / len(words) >= 0.8


def _cue_after(doc: _Text, span: QuotedSpan, cues: list[Cue]) -> Cue | None:
    """`"...," he said` / `"...," said the official`: only the source and small words in between."""
    by_token = {c.token.i: c for c in cues if c.token.pos_ in ("VERB", "AUX")}
    first = _token_at_or_after(doc, span.end)
    if first is None:
        return None
    allowed: set[int] = set()
    for k in range(first, min(len(doc), first + _MAX_CUE_GAP)):
        tok = doc[k]
        if k in by_token:
            cue = by_token[k]
            if cue.content and not _content_inside(cue, span) and cue.content[-1].i > k:
                return None  # the cue reports a clause of its own, after it
            if cue.source is not None:
                allowed |= {t.i for t in cue.source.subtree}
            if all(j in allowed or _gap_token(doc[j]) for j in range(first, k)):
                return cue
            return None
        if "\n" in tok.text or tok.text in (".", "?", "!") or tok.text in ("“", '"') and k > first:
            return None
    return None


def _dash_credit(doc: _Text, span: QuotedSpan) -> Cue | None:
    """`“...” ― Jane Doe`: a dash after the closing mark, then a capitalised name to the line end."""
    match = _DASH_CREDIT.match(doc.text, span.end)
    if match is None:
        return None
    lo = _token_at_or_after(doc, match.start("name"))
    hi = _token_at_or_after(doc, match.end("name"))
    hi = len(doc) if hi is None else hi
    if lo is None or lo >= hi:
        return None
    names = [doc[i] for i in range(lo, hi) if not doc[i].is_space]
    if not names:
        return None
    return Cue(names[-1], match.start("dash"), match.end("dash"), names[-1], [], mention=names)


def _gap_token(tok: Token) -> bool:
    return tok.is_punct or tok.is_space or tok.dep_ in _GAP_DEPS and tok.pos_ != "VERB"


def _cue_before(doc: _Text, span: QuotedSpan, cues: list[Cue]) -> Cue | None:
    """`He told reporters: "..."` / `He said, "..."`: a cue ending its clause right before the mark."""
    prev = doc.text[max(0, span.start - 200):span.start].rstrip()
    if not prev or prev[-1] not in ":,":
        return None
    last = _token_before(doc, span.start)
    if last is None:
        return None
    for cue in reversed(cues):
        if cue.token.i > last.i or cue.end > span.start:
            continue
        between = [doc[k] for k in range(cue.token.i + 1, last.i)]
        if doc.sent_of[cue.token.i] != doc.sent_of[last.i] and doc[last.i].text != ":":
            return None
        if len(between) > _MAX_CUE_GAP or any(t.pos_ == "VERB" and t.dep_ != "xcomp" for t in between):
            return None
        if "\n" in doc.text[cue.end: span.start] and prev[-1] != ":":
            return None
        return cue
    return None


def _is_split_continuation(doc: _Text, span: QuotedSpan, cue: Cue, nxt: QuotedSpan, cues: list[Cue]) -> bool:
    """`"X," he said, "Y."` or `"X," he said. "Y."`: the cue sits between two parts of one
    quote, and the second part has no cue of its own."""
    if not (span.end <= cue.start < nxt.start):
        return False
    between = doc.text[span.end: nxt.start]
    if "\n" in between or not between.rstrip().endswith((",", ":", ".")):
        return False
    if len(between.split()) > _MAX_SPLIT_GAP:
        return False
    if not _ends_sentence(doc.text, nxt):
        return False
    others = [c for c in cues if c is not cue]
    return _cue_after(doc, nxt, others) is None and not any(
        c.content and _content_inside(c, nxt) for c in others)


def _ends_sentence(text: str, span: QuotedSpan) -> bool:
    """A quote that closes its sentence (`... more."` then a new sentence or paragraph)."""
    inner_end = text[span.start: span.end].rstrip("\"”»' ")
    if inner_end.endswith((".", "?", "!", ",", "…")):
        return True
    rest = text[span.end: span.end + 3].lstrip(" \t")
    return not rest or rest[0] in ".?!\n"


def _stands_alone(doc: _Text, span: QuotedSpan) -> bool:
    """A quote making up whole sentences of its paragraph (a cue-less continuation)."""
    text = doc.text
    line_start = text.rfind("\n", 0, span.start) + 1
    before = text[line_start: span.start].strip()
    inner = text[span.start + 1: span.end].strip()
    if len(inner.split()) < 4:
        return False
    return not before or before[-1] in ".?!”\""


def _token_at_or_after(doc: _Text, offset: int) -> int | None:
    k = bisect.bisect_left(doc.starts, offset)
    return k if k < len(doc) else None


def _token_before(doc: _Text, offset: int) -> Token | None:
    k = bisect.bisect_left(doc.starts, offset) - 1
    while k >= 0 and (doc[k].is_space or doc[k].idx + len(doc[k].text) > offset):
        k -= 1
    return doc[k] if k >= 0 else None


# ---- indirect and mixed quotes ---------------------------------------------------------

def clause_attributions(doc: Doc, spans: list[QuotedSpan], cues: list[Cue],
                        taken: list[Attribution]) -> list[Attribution]:
    """Reported clauses of the remaining cues: mixed when they hold a quoted fragment."""
    out: list[Attribution] = []
    for cue in cues:
        try:
            att = _clause_attribution(doc, spans, cue)
        except Exception:  # noqa: BLE001
            log.debug("clause attribution failed at %d", cue.start, exc_info=True)
            continue
        if att is None or any(_overlaps(att, t) for t in taken + out):
            continue
        out.append(att)
    return out


def _clause_attribution(doc: Doc, spans: list[QuotedSpan], cue: Cue) -> Attribution | None:
    if cue.token.lemma_.lower() in QUOTE_ADJACENT_VERBS - {"add"}:
        return None
    if not cue.content:
        return _object_attribution(spans, cue)
    bounds = _trimmed(cue.content)
    if bounds is None:
        return None
    start, end = bounds
    inside = [s for s in spans if s.start < end and s.end > start]
    if inside:
        start = min(start, min(s.start for s in inside))
        end = max(end, max(s.end for s in inside))
        if cue.start < end and cue.end > start:
            return None
        return Attribution(start, end, "mixed", cue)
    speech = cue.token.lower_ == "according" or is_speech_verb(cue.token) or \
        cue.token.lemma_.lower() in OBJECT_REPORT_VERBS
    if not speech or len([t for t in cue.content if t.is_alpha]) < 2:
        return None
    return Attribution(start, end, "indirect", cue)


def fragment_attributions(doc: Doc, spans: list[QuotedSpan], taken: list[Attribution]) -> list[Attribution]:
    """Quoted fragments no reporting verb claimed (`chanted "What curfew?"`, `lauded him for
    "new ideas"`): mixed quotes of the nearest governing verb whose subject can be a source."""
    out: list[Attribution] = []
    for span in spans:
        if any(a.start < span.end and span.start < a.end for a in taken + out):
            continue
        try:
            att = _fragment_attribution(doc, span)
        except Exception:  # noqa: BLE001
            log.debug("fragment attribution failed at %d", span.start, exc_info=True)
            continue
        if att is not None and not any(_overlaps(att, t) for t in taken + out):
            out.append(att)
    return out


def _fragment_attribution(doc: Doc, span: QuotedSpan) -> Attribution | None:
    inside = [t for t in doc.char_span(span.start, span.end, alignment_mode="expand") or [] if t.is_alpha]
    if not inside:
        return None
    verb = inside[0].head
    for _ in range(_MAX_FRAGMENT_CLIMB):
        if verb.pos_ in ("VERB", "AUX") and not (span.start <= verb.idx < span.end):
            break
        if verb.head is verb:
            return None
        verb = verb.head
    else:
        return None
    source = subject_of(verb)
    if source is None or not _source_like(source):
        return None
    content = complement_tokens(verb) or object_tokens(verb)
    bounds = _trimmed(content)
    if bounds is None or not (bounds[0] <= span.start < bounds[1] + 1):
        return None
    start, end = cue_extent(verb)
    cue = Cue(verb, start, end, source, content)
    return Attribution(min(bounds[0], span.start), max(bounds[1], span.end), "mixed", cue)


def _source_like(tok: Token) -> bool:
    """A subject that can say things: a person, an organisation, a pronoun, a person noun."""
    if tok.ent_type_ in ("PERSON", "ORG", "NORP", "GPE"):
        return True
    if tok.pos_ == "PRON":
        return tok.lower_ in ("he", "she", "they", "who", "i", "we")
    return is_person_noun(tok)


def _object_attribution(spans: list[QuotedSpan], cue: Cue) -> Attribution | None:
    """`called the plan "a disaster"`: the verb's objects, when they hold a quoted fragment."""
    bounds = _trimmed(cue.objects)
    if bounds is None:
        return None
    start, end = bounds
    inside = [s for s in spans if start <= s.start < end]
    if inside:
        return Attribution(start, max(end, max(s.end for s in inside)), "mixed", cue)
    if cue.source is not None and cue.token.lemma_.lower() in OBJECT_REPORT_VERBS and \
            sum(t.is_alpha for t in cue.objects) >= _MIN_OBJECT_WORDS:
        return Attribution(start, end, "indirect", cue)
    return None


def _trimmed(tokens: list[Token]) -> tuple[int, int] | None:
    """Char bounds of the content without edge punctuation and dangling conjunctions."""
    toks = list(tokens)
    while toks and (toks[0].is_punct or toks[0].is_space or toks[0].lower_ in _EDGE_WORDS):
        toks = toks[1:]
    while toks and (toks[-1].is_punct or toks[-1].is_space or toks[-1].lower_ in _EDGE_WORDS):
        toks = toks[:-1]
    if not toks:
        return None
    return toks[0].idx, toks[-1].idx + len(toks[-1].text)


def _overlaps(a: Attribution, b: Attribution) -> bool:
    return a.start < b.end and b.start < a.end


# ---- speakers --------------------------------------------------------------------------

def with_speakers(text: str, attributions: list[Attribution], registry: SpeakerRegistry) -> list[Quote]:
    """Quotes in document order; a quote without a cue continues the previous speaker."""
    quotes: list[Quote] = []
    previous: tuple[Person | None, Speaker] | None = None
    for att in attributions:
        person, speaker = _speaker_for(att, registry, previous)
        if att.cue is None and previous is None:
            continue
        previous = (person, speaker)
        quotes.append(_quote(text, att, speaker))
    return quotes


def _speaker_for(att: Attribution, registry: SpeakerRegistry,
                 previous: tuple[Person | None, Speaker] | None) -> tuple[Person | None, Speaker]:
    if att.cue is None or att.cue.source is None:
        if previous is not None:
            return previous
        return None, Speaker()
    try:
        person, toks = registry.resolve(att.cue.source, att.cue.mention)
        return person, registry.speaker(person, toks)
    except Exception:  # noqa: BLE001
        log.debug("speaker resolution failed at %d", att.start, exc_info=True)
        return None, Speaker()


def _quote(text: str, att: Attribution, speaker: Speaker) -> Quote:
    cue = att.cue
    return Quote(
        text=text[att.start:att.end],
        type=att.type,  # type: ignore[arg-type]
        start=att.start,
        end=att.end,
        cue=text[cue.start:cue.end] if cue else None,
        cue_start=cue.start if cue else None,
        cue_end=cue.end if cue else None,
        speaker=speaker,
    )
