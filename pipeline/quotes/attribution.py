"""Stage 3: quote attribution — who said what, with offsets into the body.

One `Quote` per attribution in the article, always with `text == body[start:end]`:

* direct: the words inside double quote marks (" “ ” „ « », marks excluded; the ''
  of some archives only when `quote_marks.PAIRED_APOSTROPHES_ARE_QUOTES` is on). A
  quote split by its cue (`"X," he said, "Y."`, also `"X," he said. "Y."` and
  `"X," he said, but "Y."`) is ONE quote running from the first part to the last, so
  its text contains the interrupting cue words, while `parts` holds the offsets of
  each piece of quoted words (the quote's content without "he said"); a quote running
  over several paragraphs is one quote as well. A paragraph that is all quote, with no
  cue, right after a paragraph ending in a direct quote (`"X," he said.` then `"Y."`)
  continues that quote: one quote from one speaker whose `parts` hold each
  paragraph's quoted words, its text running over both paragraphs (a dash-credited
  quote, `"X" ― Jane Doe`, is not continued). Any other quote with no cue that makes
  up whole sentences continues the previous speaker (its cue is None).
* mixed: a reported clause holding a quoted fragment (`said the plan was "a
  disaster"`, `called it "a disaster"`); text is the clause, as for indirect quotes,
  ending at the last fragment when the writer's aside follows it (`cited the "Y
  loophole," a flaw in ...`).
* indirect: the reported clause of a speech verb or of `according to`, without the
  cue and the source (a leading "that" is kept, as PolNeAR annotators do), or the
  noun-phrase report of a reporting verb (`called for a repeal`).

Modules: `quote_marks` pairs the marks on the raw text, `reporting` reads cues,
sources and reported clauses off the dependency parse, `direct_quotes` links quoted
spans to cues, `speakers` resolves who is speaking. The parse is read, never redone.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from pipeline.nlp.model import doc_from_bytes
from pipeline.nlp.reporting_verbs import OBJECT_REPORT_VERBS
from pipeline.quotes import marks as quote_marks
from pipeline.quotes.confidence import (
    Evidence,
    cue_class,
    gap_class,
    length_class,
    parts_class,
    quote_confidence,
    speaker_confidence,
)
from pipeline.quotes.cues import (
    CUE_PREPOSITIONS,
    CUE_VERB_LEMMAS,
    PRO_SENTENCES,
    QUOTE_ADJACENT_VERBS,
    REFUSING_VERBS,
    Cue,
    according_to_cues,
    as_one_put_it,
    complement_tokens,
    cue_extent,
    cue_preposition,
    cue_source,
    cue_words,
    for_to_clause,
    governing_subject,
    has_tense,
    has_that_mark,
    is_quote_verb,
    is_speech_noun,
    is_speech_verb,
    noun_cue_words,
    noun_cues,
    object_tokens,
    subject_of,
    without_trailing_aside,
)
from pipeline.quotes.direct import Attribution, ParsedText, direct_attributions, is_title, trimmed, utters
from pipeline.quotes.marks import QuotedSpan, find_quoted_spans, line_after, line_before, paragraph_before
from pipeline.quotes.speakers import Person, SpeakerRegistry, can_speak, speaker_path, subject_of_own
from pipeline.records import CleanArticle, Entity, EntityCluster, Quote, Speaker

log = logging.getLogger(__name__)

# What a verb of saying says it was about (`talked about`, `commented on`, `spoke of`, `warned
# against`); not "for" (`spoke for the party`: on its behalf) nor "over" (`over the weekend`).
_SPOKEN_OF = CUE_PREPOSITIONS - {"for", "over"}
_MIN_OBJECT_WORDS = 2  # a noun-phrase report shorter than this is rarely a report
# A headline keeps only a report's head (`Mayor slams council`): there one word is a report.
# `pipeline.quotes.headline` marks the headline's parse with this `Doc.user_data` key.
HEADLINE_DOC = "wirestream.headline"
_MAX_FRAGMENT_CLIMB = 6  # heads climbed from a quoted fragment to the verb reporting it
# A non-finite verb holding a fragment has no subject of its own (`waved off the delay as
# having "minimal" impact`): the frame that reports it is up its chain of verbs, this many.
_NON_FINITE = frozenset({"VBG", "VBN", "VB"})
_MAX_FRAME_CLIMB = 3
# Verbs that hold a quoted fragment without reporting anyone's words (`is "safe"`).
# What may stand between a report and a quoted fragment that completes it.
_JOINERS = " \t\u00a0:-–—"
_DASHES = frozenset("-–—―")
# First words of a phrase saying when or where something was said, not what.
SETTING_WORDS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
# After a noun-phrase report (`criticized X as "Y" during a stop`) an occasion as well.
OCCASION_WORDS = SETTING_WORDS | {"during"}
# First words of the writer's aside after a quoted fragment closing on a comma.
_ASIDE = re.compile(r"(?:a|an|the|which|who|whose|where|in which|[a-z]+ing)\b")
_BACKGROUND_MARKS = frozenset({"until", "till", "before", "after", "once", "if", "unless", "when", "whenever"})
_NOT_REPORTING = frozenset({"be", "have", "do", "get", "become", "seem", "buy", "go"})


def parse_for_quotes(nlp: Language, data: bytes) -> Doc:
    """A parse off the wire as the quote rules read it: without the morphology, which none of them
    looks at (setting it is a quarter of the decoding)."""
    return doc_from_bytes(nlp, data, morph=False)


def attribute_quotes(
    doc: Doc, article: CleanArticle, entities: list[Entity], clusters: list[EntityCluster]
) -> list[Quote]:
    """Quotes with speakers and confidences; offsets index `article.body`. Never raises."""
    return [q for q, _ in quotes_with_evidence(doc, article, entities, clusters)]


def quotes_with_evidence(
    doc: Doc, article: CleanArticle, entities: list[Entity], clusters: list[EntityCluster]
) -> list[tuple[Quote, Evidence]]:
    """Each quote with the evidence its confidences were computed from (for calibration)."""
    try:
        return _attribute(doc, article, entities, clusters)
    except Exception:  # noqa: BLE001 - a bad article must not stop the stream
        log.exception("quote attribution failed for %s", getattr(article, "id", "?"))
        return []


def _attribute(
    doc: Doc, article: CleanArticle, entities: list[Entity], clusters: list[EntityCluster]
) -> list[tuple[Quote, Evidence]]:
    text = doc.text  # built once: Doc.text joins every token on each call
    # a headline's single marks are headline style for any words, never a body's speech marks
    single = False if doc.user_data.get(HEADLINE_DOC) else None
    spans = [s for s in find_quoted_spans(text, article.paragraphs, single) if _has_words(text, s)]
    cues = find_cues(doc)
    parsed = ParsedText(doc, text)
    attributions = direct_attributions(parsed, spans, cues)
    used = {id(a.cue) for a in attributions if a.cue is not None}
    free = sorted([c for c in cues if id(c) not in used] + find_noun_cues(doc), key=lambda c: c.start)
    attributions += clause_attributions(doc, spans, free, attributions)
    attributions += fragment_attributions(parsed, spans, attributions)
    attributions = [_typed_by_marks(_without_trailing_setting(text, a, spans), spans) for a in attributions]
    attributions = _reports_run_into_quotes(text, sorted(attributions, key=lambda a: a.start))
    quotes = with_speakers(text, attributions, SpeakerRegistry(doc, entities, clusters, text, spans), spans)
    body = article.body if isinstance(article.body, str) else text
    return [(q, e) for q, e in quotes if _offsets_hold(body, q)]


def _offsets_hold(body: str, q: Quote) -> bool:
    """text is body[start:end] and every part is a non-empty piece inside it."""
    return (
        0 <= q.start < q.end <= len(body)
        and body[q.start : q.end] == q.text
        and all(q.start <= s < e <= q.end for s, e in q.parts)
    )


def _has_words(text: str, span: QuotedSpan) -> bool:
    """Marks around digits or markup leftovers (`id="7834"`, `author="x" date="y"`) do not quote anyone."""
    start, end = span.inner
    inner = text[start:end]
    return (
        any(ch.isalpha() for ch in inner)
        and "<" not in text[start - 2 : start]
        and text[span.start - 1 : span.start] != "="
        and '="' not in inner
    )


# ---- cues ------------------------------------------------------------------------------


def find_cues(doc: Doc) -> list[Cue]:
    """Every reporting cue in the document, sentence by sentence (a bad parse loses one sentence)."""
    return sorted(_per_sentence(doc, _sentence_cues, cue_words(doc)), key=lambda c: c.start)


def find_noun_cues(doc: Doc) -> list[Cue]:
    """Nouns of saying with the report they carry (`his claim that X`), for the clause reader."""
    return _per_sentence(doc, noun_cues, noun_cue_words(doc))


def _per_sentence(doc: Doc, finder: Callable[[Span, Sequence[Token]], list[Cue]], words: list[int]) -> list[Cue]:
    """The finder's cues in each sentence holding any of `words` (sorted token indices where a cue
    may be), given those words."""
    out: list[Cue] = []
    if not words:
        return out
    for sent in doc.sents:
        lo, hi = bisect.bisect_left(words, sent.start), bisect.bisect_left(words, sent.end)
        if lo == hi:
            continue
        try:
            out.extend(finder(sent, [doc[i] for i in words[lo:hi]]))
        except Exception:  # noqa: BLE001
            log.debug("%s failed in sentence at %d", finder.__name__, sent.start_char, exc_info=True)
    return out


def _sentence_cues(sent: Span, words: Sequence[Token]) -> list[Cue]:
    out = []
    for tok in words:
        if tok.lemma not in CUE_VERB_LEMMAS:  # the other words are "according" (`according_to_cues`)
            continue
        framed = as_one_put_it(tok)
        reporting = framed or is_quote_verb(tok) or tok.lemma_.lower() in QUOTE_ADJACENT_VERBS and tok.pos_ == "VERB"
        if not reporting or _that_said(tok) or _asks_the_reader(tok, sent):
            continue
        if framed:  # the quote next to the frame is found by the direct-quote linker
            out.append(Cue(tok, *cue_extent(tok), cue_source(tok), [], []))
        else:
            start, end = cue_extent(tok)
            content = complement_tokens(tok)
            objects = [] if content else object_tokens(tok)
            prep = cue_preposition(tok) if objects else None
            if prep is not None and prep.i > tok.i:
                end = prep.idx + len(prep.text)
            out.append(Cue(tok, start, end, cue_source(tok), content, objects))
    out.extend(according_to_cues(sent, words))
    return out


def _asks_the_reader(tok: Token, sent: Span) -> bool:
    """`What would you tell someone starting out?`: a question with "you" as the one who would
    speak is the interviewer's (or the writer's) question, not a report of anyone's words."""
    subject = subject_of(tok)
    return subject is not None and subject.lower_ == "you" and sent.text.rstrip().endswith("?")


def _that_said(tok: Token) -> bool:
    """`That said, the plan may still fail.`: "that said" opening a sentence before a comma is a
    connective of the writer's (like "even so"), no one's report."""
    doc, k = tok.doc, tok.i
    if tok.lower_ != "said" or k < 1 or k + 1 >= len(doc) or doc[k + 1].text != ",":
        return False
    before = doc[k - 2] if k >= 2 else None
    opens = before is None or doc[k - 1].is_sent_start or before.is_space or before.text in (".", "!", "?", '"', "”")
    return doc[k - 1].lower_ in ("that", "this") and bool(opens)


# ---- indirect and mixed quotes ---------------------------------------------------------


def clause_attributions(
    doc: Doc, spans: list[QuotedSpan], cues: list[Cue], taken: list[Attribution]
) -> list[Attribution]:
    """Reported clauses of the remaining cues: mixed when they hold a quoted fragment."""
    out: list[Attribution] = []
    for cue in cues:
        try:
            att = _clause_attribution(doc, spans, cue)
        except Exception:  # noqa: BLE001
            log.debug("clause attribution failed at %d", cue.start, exc_info=True)
            continue
        if att is None or any(_overlaps(att, t) for t in taken) or _quoted(cue, spans):
            continue
        _source_outside_quotes(cue, spans, taken)
        nested = [o for o in out if _overlaps(att, o)]
        if nested and not all(_reports_around(att, o) for o in nested):
            continue
        out = [o for o in out if not any(o is n for n in nested)] + [att]
    return out


def _source_outside_quotes(cue: Cue, spans: list[QuotedSpan], taken: list[Attribution]) -> None:
    """`Jo stressed that "the way forward is talks," suggesting that ...`: the writer's cue takes no
    subject from inside someone's quoted words (the parse hung the participle on the quoted verb);
    its source is the one who speaks them, the subject of the clause the participle belongs to."""
    source = cue.source
    if source is None:
        return
    span = next((s for s in spans if s.closed and not s.apostrophes and s.inner[0] <= source.idx < s.inner[1]), None)
    if span is None or span.inner[0] <= cue.start < span.inner[1]:
        return
    owner = next((a for a in taken if a.cue is not None and a.start < span.end and span.start < a.end), None)
    if owner is not None and owner.cue is not None and owner.cue.source is not None:
        cue.source = owner.cue.source


def _reports_around(outer: Attribution, inner: Attribution) -> bool:
    """`X said that Y, according to Z`, `X plans to call for Y, the campaign said`: a report whose
    words hold another cue and all it reports is the writer's attribution; the report inside it is
    part of what was said, not a second attribution of the article's."""
    cue = inner.cue
    return cue is not None and outer.start <= min(cue.start, inner.start) and max(cue.end, inner.end) <= outer.end


def _quoted(cue: Cue, spans: list[QuotedSpan]) -> bool:
    """A cue inside someone's quoted words (`"... and I told him we would win"`) reports the
    speaker's own account, not a quote of the article's."""
    return any(s.closed and not s.apostrophes and s.inner[0] <= cue.start and cue.end <= s.inner[1] for s in spans)


def _clause_attribution(doc: Doc, spans: list[QuotedSpan], cue: Cue) -> Attribution | None:
    concludes = _that_clause(cue)
    if cue.token.lemma_.lower() in QUOTE_ADJACENT_VERBS - {"add"} and not concludes:
        return None
    if not cue.content:
        return _parenthetical_attribution(doc, spans, cue) or _object_attribution(spans, cue)
    if len(cue.content) == 1 and cue.content[0].lower_ in PRO_SENTENCES:  # `said yes`, `said so`
        word = cue.content[0]
        return Attribution(word.idx, word.idx + len(word.text), "indirect", cue, link=_clause_link(cue))
    reported = _before_second_cue(_in_cue_paragraph(cue.content, cue), spans, cue.source)
    bounds = trimmed(reported)
    if bounds is None:
        return None
    start, end = _through_adjacent_quote(doc.text, spans, *bounds)
    inside = [s for s in spans if s.start < end and s.end > start]
    if inside and _told_by_noun(reported, inside):
        return None
    if inside:
        start = min(start, min(s.start for s in inside))
        end = max(end, max(s.end for s in inside))
        end = _before_relative_aside(reported, max(s.end for s in inside), end)
        if cue.start < end and cue.end > start:
            return None
        return Attribution(start, end, "mixed", cue, link=_clause_link(cue))
    speech = cue.token.lower_ == "according" or _reports_speech(cue.token) or is_speech_noun(cue.token) or concludes
    if not speech or len([t for t in cue.content if t.is_alpha]) < 2:
        return None
    start, end = trimmed(without_trailing_aside(reported)) or (start, end)
    return Attribution(start, end, "indirect", cue, link=_clause_link(cue))


def _before_relative_aside(reported: list[Token], last_quote_end: int, end: int) -> int:
    """`said he was "sarcastic" in his comments, which raised concerns`: a non-restrictive
    relative clause after a mixed quote's last fragment is the writer's, as after a report; one
    that reports words of its own (`, which critics said ...`) is left to the report."""
    kept = without_trailing_aside(reported, concessive=False)
    cut = trimmed(kept)
    if cut is None or not last_quote_end <= cut[1] < end:
        return end
    if any(_reports_speech(t) or is_speech_noun(t) for t in reported[len(kept) :]):
        return end
    return cut[1]


def _before_second_cue(reported: list[Token], spans: list[QuotedSpan], source: Token | None) -> list[Token]:
    """`said he found Jo "very charming" and called her plan "unheard of"`, `said the vote has
    "kept us safe" before claiming that X is "Y"`: a verb of saying joined to the reported clause
    after a quoted fragment, with a quoted fragment of its own, is the same speaker's second report
    of words; the first report stops before it. Not when the parse gives that verb a subject of
    its own that is not the speaker or a pronoun (`that Roe is "a faker" and questioning ...`,
    where the parse joined the verb to the reported clause by mistake)."""
    if not reported:
        return reported
    span = min((s for s in spans if reported[0].idx <= s.start < reported[-1].idx), key=lambda s: s.start, default=None)
    if span is None:
        return reported
    first = span.end
    inside = {t.i for t in reported}
    for verb in reported:
        anchor = verb.head if verb.dep_ == "pcomp" and verb.head.dep_ == "prep" else verb  # `before claiming`
        if (
            verb.idx <= first
            or anchor.dep_ not in ("conj", "advcl", "prep")
            or anchor.head.i not in inside
            or not _reports_speech(verb)
            or any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)
        ):
            continue
        subject = subject_of(verb)
        if subject is not None and subject.pos_ != "PRON" and (source is None or subject.lower_ != source.lower_):
            continue
        own = complement_tokens(verb) or object_tokens(verb)
        if not own or not any(own[0].idx <= s.start < own[-1].idx + len(own[-1].text) for s in spans):
            continue
        cut = [t for t in reported if t.i < anchor.left_edge.i]
        while cut and (cut[-1].dep_ == "cc" or cut[-1].is_punct or cut[-1].is_space):
            cut.pop()
        return cut if cut and cut[-1].idx > span.start else reported
    return reported


def _told_by_noun(reported: list[Token], inside: list[QuotedSpan]) -> bool:
    """`criticized the paper for airing Roe's claim that the mayor "founded the gang"`: quoted
    words inside the "that" clause of a noun of saying in the report are that noun's report (its
    own cue), not the outer verb's."""
    if all(s.apostrophes for s in inside):
        return False  # `''neutral guy''`: a report, not a quote (`_typed_by_marks`)
    for noun in reported:
        if not is_speech_noun(noun):
            continue
        for clause in noun.children:
            if clause.dep_ not in ("acl", "ccomp") or not has_that_mark(clause):
                continue
            lo, hi = clause.left_edge.idx, clause.right_edge.idx + len(clause.right_edge.text)
            if all(lo <= s.start and s.end <= hi + 2 for s in inside):
                return True
    return False


def _that_clause(cue: Cue) -> bool:
    """`The agency concluded that X`: a verb of going on or ending (`conclude`, `continue`) with a
    clause marked by "that" reports that clause; alone (`he concluded.`) it only hands on a quote."""
    verb = cue.token
    return verb.lemma_.lower() in QUOTE_ADJACENT_VERBS and any(
        c.dep_ == "ccomp" and has_that_mark(c) for c in verb.children
    )


def _reports_speech(verb: Token) -> bool:
    """A verb whose report is what someone said: a speech verb, or one that reports by its object."""
    return is_speech_verb(verb) or verb.lemma_.lower() in OBJECT_REPORT_VERBS


def _clause_link(cue: Cue) -> str:
    if cue.token.lower_ == "according":
        return "according"
    return "noun" if is_speech_noun(cue.token) else "clause"


def _parenthetical_attribution(doc: Doc, spans: list[QuotedSpan], cue: Cue) -> Attribution | None:
    """`The plan, he said, was doomed`, `As the paper noted, the plan was doomed`: a speech verb
    set off by commas inside the clause it reports, or an "as" clause of saying before or after
    it; the report is that clause around the cue, in one or two parts. A cue joined by a comma
    alone after its report (`_comma_spliced`) ends it: the report is the clause before the cue."""
    verb = cue.token
    head = verb.head
    spliced = _comma_spliced(verb)
    if (
        not (verb.dep_ == "parataxis" or _as_clause(verb) or spliced)
        or head == verb
        or not is_speech_verb(verb)
        or cue.source is None
    ):
        return None
    aside = {t.i for t in verb.subtree}
    if spliced:
        aside |= {t.i for t in head.subtree if t.i > verb.i}
    pieces = _runs([t for t in _in_cue_paragraph(list(head.subtree), cue) if t.i not in aside])
    parts = [b for b in (trimmed(run) for run in pieces) if b is not None]
    words = [t for run in pieces for t in run if t.is_alpha]
    if not parts or len(words) < 3 or any(s < cue.end and cue.start < e for s, e in parts):
        return None
    start, end = parts[0][0], parts[-1][1]
    running = [sp for sp in spans if sp.start < end < sp.inner[1]]
    if running:  # `X, she wrote, "did Y. And Z."`: the quote the report opens runs on past its sentence
        end = running[0].inner[1]
        parts[-1] = (parts[-1][0], end)
    kind = "mixed" if any(s.start < end and s.end > start for s in spans) else "indirect"
    return Attribution(start, end, kind, cue, parts, "parenthetical")


def _comma_spliced(verb: Token) -> bool:
    """`X remains committed to Y, his aide told the Post`: a verb of saying with a subject of its
    own, joined to the clause before it by a comma alone (no "and", no "as" or "when"), is a cue
    set off after its report, whatever label the parse gave the join (conj, advcl)."""
    if verb.dep_ not in ("conj", "advcl") or verb.i < verb.head.i or not has_tense(verb):
        return False
    if subject_of_own(verb) is None:
        return False
    if any(c.dep_ in ("cc", "mark", "preconj") for c in verb.children):
        return False
    first = next(t for t in verb.subtree if not t.is_punct)
    before = first.i - 1
    return before > verb.head.i and verb.doc[before].text == ","


def _as_clause(verb: Token) -> bool:
    """`as the paper noted`: an adverbial clause of saying marked by "as", with no report of its own."""
    return (
        verb.dep_ == "advcl"
        and any(c.dep_ == "mark" and c.lower_ == "as" for c in verb.children)
        and not any(c.dep_ in ("ccomp", "dobj") for c in verb.children)
    )


def _runs(tokens: list[Token]) -> list[list[Token]]:
    """Tokens split into runs of consecutive indices."""
    out: list[list[Token]] = []
    for tok in sorted(tokens, key=lambda t: t.i):
        if out and out[-1][-1].i == tok.i - 1:
            out[-1].append(tok)
        else:
            out.append([tok])
    return out


def _in_cue_paragraph(tokens: list[Token], cue: Cue) -> list[Token]:
    """A reported clause stays in its cue's paragraph (a parse may run across a break)."""
    breaks = [t.i for t in tokens if "\n" in t.text]
    before = [i for i in breaks if i < cue.token.i]
    after = [i for i in breaks if i > cue.token.i]
    lo = max(before) if before else -1
    hi = min(after) if after else len(cue.token.doc)
    return [t for t in tokens if lo < t.i < hi]


def fragment_attributions(parsed: ParsedText, spans: list[QuotedSpan], taken: list[Attribution]) -> list[Attribution]:
    """Quoted fragments no reporting verb claimed (`chanted "What curfew?"`, `lauded him for
    "new ideas"`): mixed quotes of the nearest governing verb whose subject can be a source."""
    out: list[Attribution] = []
    for span in spans:
        if any(a.start < span.end and span.start < a.end for a in taken + out):
            continue
        if span.apostrophes and not quote_marks.PAIRED_APOSTROPHES_ARE_QUOTES:
            continue  # a phrase in paired apostrophes is no quote by itself: nothing marks it as words
        if is_title(parsed, span):
            continue  # `wearing a "Vote Blue" pin`: a name in marks, under a verb that reports nothing
        try:
            att = _fragment_attribution(parsed.doc, span)
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
        if verb.head == verb:
            return None
        verb = verb.head
    else:
        return None
    source = subject_of(verb)
    climbs = 0
    while (source is None or not can_speak(source)) and verb.tag_ in _NON_FINITE and climbs < _MAX_FRAME_CLIMB:
        nxt = verb.head
        while nxt.pos_ not in ("VERB", "AUX") and nxt.head != nxt:
            nxt = nxt.head
        if nxt == verb or nxt.pos_ not in ("VERB", "AUX"):
            break
        verb, source, climbs = nxt, subject_of(nxt), climbs + 1
    if verb.lemma_ in _NOT_REPORTING or any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children):
        return None
    if source is None or not (can_speak(source) or _utterance(doc, span, verb)):
        return None
    content = complement_tokens(verb) or object_tokens(verb)
    bounds = trimmed(content)
    if bounds is None or not (span.start < bounds[1] and bounds[0] < span.end):
        return None
    start, end = cue_extent(verb)
    cue = Cue(verb, start, end, source, content)
    return Attribution(min(bounds[0], span.start), max(bounds[1], span.end), "mixed", cue, link="fragment")


def _utterance(doc: Doc, span: QuotedSpan, verb: Token) -> bool:
    """`the crowd chanted, "Build it!"`, `the account posted: "Shop the look."`: a quote of whole
    sentences that is the verb's own complement is words given, whatever the subject is."""
    inner = doc.text[span.inner[0] : span.inner[1]].rstrip()
    if not span.closed or not inner.endswith((".", "!", "?")):
        return False
    toks = doc.char_span(span.inner[0], span.inner[1], alignment_mode="expand")
    return toks is not None and len(toks) > 0 and utters(verb, toks.start, toks.end - 1)


def _object_attribution(spans: list[QuotedSpan], cue: Cue) -> Attribution | None:
    """`called the plan "a disaster"`: the verb's objects, when they hold a quoted fragment."""
    bounds = trimmed(_in_cue_paragraph(_without_target(spans, cue), cue))
    if bounds is None:
        return None
    start, end = _through_adjacent_quote(cue.token.doc.text, spans, *bounds)
    inside = [s for s in spans if s.start < end and s.end > start]
    if inside and _told_by_noun(cue.objects, inside):
        return None
    if inside:
        end = max(end, max(s.end for s in inside))
        end = _with_reason_given(cue, end)
        inside = [s for s in spans if s.start < end and s.end > start]
        return Attribution(
            min(start, min(s.start for s in inside)), max(end, max(s.end for s in inside)), "mixed", cue, link="object"
        )
    if _reports_speech(cue.token) and _about_topic(cue) and _reports_by_object(cue.token):
        return Attribution(start, end, "indirect", cue, link="object")
    if (
        cue.source is not None
        and cue.token.lemma_.lower() in OBJECT_REPORT_VERBS
        and sum(t.is_alpha for t in cue.objects) >= _min_object_words(cue.token.doc)
        and _reports_by_object(cue.token)
    ):
        return Attribution(start, end, "indirect", cue, link="object")
    return None


def _min_object_words(doc: Doc) -> int:
    return 1 if doc.user_data.get(HEADLINE_DOC) else _MIN_OBJECT_WORDS


def _with_reason_given(cue: Cue, end: int) -> int:
    """`called the plan "a mistake" because few use it`: the reason given right after what
    something was called, a "because" clause of the verb's, is part of the report."""
    doc = cue.token.doc
    for child in cue.token.rights:
        if child.dep_ != "advcl" or not any(c.dep_ == "mark" and c.lower_ == "because" for c in child.children):
            continue
        lo = child.left_edge
        if not doc.text[end : lo.idx].strip(" ,"):
            last = child.right_edge
            while last.i > lo.i and (last.is_punct and last.text not in ("”", '"') or last.is_space):
                last = doc[last.i - 1]
            return last.idx + len(last.text)
    return end


def _about_topic(cue: Cue) -> bool:
    """`talked about the wall`, `was asked about it`, `commented on the verdict`, `warned against
    it`: what a verb of saying says it was about is its report, however short, whether or not
    the parse gives the one who spoke."""
    k = cue.objects[0].i - 1 if cue.objects else -1
    if k < 0:
        return False
    prep = cue.token.doc[k]
    return (
        prep.lower_ in _SPOKEN_OF
        and prep.head == cue.token
        and not (prep.lower_ == "on" and cue.token.lemma_.lower() == "say")  # `said on Monday`, `said on TV`
    )


def _reports_by_object(verb: Token) -> bool:
    """Not a phrasal verb of another sense (`called off the deal`, `took up the case`); `pointed
    out` is the phrasal verb of saying; "call" only in its senses of saying (`_calls_it`); a verb
    of refusing only with what was refused (`_refuses_something`)."""
    return (
        not any(c.dep_ == "prt" and c.lower_ != "out" for c in verb.children)
        and _calls_it(verb)
        and _refuses_something(verb)
        and not _gives_or_lets_in(verb)
    )


def _gives_or_lets_in(verb: Token) -> bool:
    """`denied the couple a licence`, `denied licences to couples` (withholding something from
    someone: a recipient beside the object) and `admitted more students` (letting people in: an
    object that can speak) are not words denied or admitted."""
    lemma, kids = verb.lemma_.lower(), list(verb.children)
    if lemma in ("deny", "refuse"):
        objects = [c for c in kids if c.dep_ == "dobj"]
        return bool(objects) and any(
            c.dep_ == "dative" or c.dep_ == "prep" and c.lower_ == "to" and c.i > objects[0].i for c in kids
        )
    if lemma == "admit":
        return any(c.dep_ == "dobj" and can_speak(c) for c in kids)
    return False


def _refuses_something(verb: Token) -> bool:
    """`declined the offer` (an infinitive, `declined to comment`, is its clause): a verb of refusing
    reports the thing refused, its direct object; with no object it is the verb of falling
    (`fees declined to $281 million`, `sales declined 4 percent in May`)."""
    return verb.lemma_.lower() not in REFUSING_VERBS or any(c.dep_ == "dobj" for c in verb.children)


def _calls_it(verb: Token) -> bool:
    """`called him a liar` (an object and what it was called) and `called for a recount` report
    words; `called the governor` (one object: a telephone call), `a group called Parents First`
    and `is called Fair Start` (a name given, by no one who speaks) do not."""
    if verb.lemma_.lower() != "call":
        return True
    kids = list(verb.children)
    if any(c.dep_ in ("prep", "prt") and c.lower_ in ("for", "on", "out") and c.i == verb.i + 1 for c in kids):
        return True  # `called for X`, `called on X to`, `called out X`
    if any(for_to_clause(c) for c in kids):
        return True  # `called for the chief to resign`
    if verb.dep_ == "acl" or any(c.dep_ in ("auxpass", "nsubjpass") for c in kids):
        return False
    objects = [c for c in kids if c.dep_ in ("dobj", "dative")]
    return any(c.dep_ in ("oprd", "xcomp", "attr", "acomp", "ccomp") for c in kids) or len(objects) > 1


def _without_target(spans: list[QuotedSpan], cue: Cue) -> list[Token]:
    """`accused the mayor of "lying"`: whom the words were about is not part of them; the report
    starts at the "of" phrase that quotes."""
    objects = cue.objects
    first = next((c for c in cue.token.rights if objects and c.left_edge.i == objects[0].i), None)
    if first is None or first.dep_ not in ("dobj", "dative"):
        return objects
    for child in cue.token.rights:
        if child.i <= first.i or child.dep_ != "prep" or child.lower_ != "of":
            continue
        lo, hi = child.left_edge.idx, child.right_edge.idx + len(child.right_edge.text)
        if any(lo <= s.start < hi for s in spans):
            return [t for t in objects if t.i >= child.left_edge.i]
    return objects


def _through_adjacent_quote(text: str, spans: list[QuotedSpan], start: int, end: int) -> tuple[int, int]:
    """A report the parse cut short of a quoted fragment that follows it with only a space,
    colon or dash between (`focusing on "X"`, `the quality: "Y"`), or the apostrophe of a plural
    possessive (`the workers' "steady hands"`), runs through the fragment."""
    gap_start = end + 1 if text[end : end + 1] in ("’", "'") and text[end - 1 : end] == "s" else end
    for span in spans:
        if span.start >= end and not text[gap_start : span.start].strip(_JOINERS):
            return start, span.end
    return start, end


def _without_trailing_setting(text: str, att: Attribution, spans: list[QuotedSpan]) -> Attribution:
    """A mixed quote ends with its last quoted fragment when a dash aside or a setting follows it
    (`likened it to "X" - a charge that stung`, `called it "X" Tuesday`), or when the fragment
    closes on a comma and an aside of the writer's follows (`cited the "Y loophole," a flaw
    in ...`, `said he was "excited," adding ...`)."""
    if att.type != "mixed":
        return att
    last = max((s for s in spans if att.start <= s.start and s.end < att.end), key=lambda s: s.end, default=None)
    if last is None:
        return att
    rest = text[last.end : att.end].lstrip(" \t\u00a0,")
    noun_report = att.cue is not None and not att.cue.content
    comma_closed = text[last.inner[0] : last.inner[1]].rstrip().endswith(",") and (
        att.cue is None or att.cue.end <= last.start or att.cue.start >= att.end
    )
    if (
        rest[:1] in _DASHES
        and not _paired_dash_aside(att, text, text.find(rest, last.end))
        or _starts_setting(rest, OCCASION_WORDS if noun_report else SETTING_WORDS)
        or comma_closed
        and _ASIDE.match(rest)
    ):
        att.end = last.end
    else:
        att.end = _before_later_dash(att, text, last.end)
    att.parts = [(a, min(b, att.end)) for a, b in att.parts if a < att.end]
    return att


def _before_later_dash(att: Attribution, text: str, after: int) -> int:
    """`was "encouraged" by the plan - a modest boost for him`: a dash later in the clause, after
    its last quoted fragment, hands the sentence to the writer; the report stops before it, unless
    the dash opens an aside closed by a second one before the clause's own verb goes on."""
    at = next(
        (
            k
            for k in range(after, att.end)
            if text[k] in "—–―" or text[k] == "-" and text[k - 1 : k] == " " and text[k + 1 : k + 2] == " "
        ),
        -1,
    )
    if at < 0 or _paired_dash_aside(att, text, at):
        appositive = _SENTENCE_APPOSITIVE.search(text, after, att.end)
        if appositive is None or att.cue is None or _names_person(att.cue.token.doc, appositive.start()):
            return att.end  # not `by Jo Roe, a professor at the college`
        return appositive.start()
    return len(text[:at].rstrip(" \t\u00a0,"))


# `..., a move that could split the party`: a noun phrase after a comma ending the sentence,
# the writer's comment on what was said (not a person's appositive).
_SENTENCE_APPOSITIVE = re.compile(r",\s+(?:a|an)\s+[a-z]+\s+(?:that|which|of|at|to|for|by|in)\b")


def _names_person(doc: Doc, comma: int) -> bool:
    """The word before the comma at `comma` is part of a person's name."""
    before = doc.char_span(0, comma, alignment_mode="contract")
    return before is not None and len(before) > 0 and before[-1].ent_type_ == "PERSON"


def _paired_dash_aside(att: Attribution, text: str, at: int) -> bool:
    """`that "every member" - including Roe - favored a toll`: an aside between two dashes after
    which the clause's own verb goes on (its subject before the aside) does not end the report."""
    if att.cue is None or at < 0:
        return False
    second = next((k for k in range(at + 1, att.end) if text[k] in _DASHES and text[k - 1] == " "), -1)
    doc = att.cue.token.doc
    verb = next((t for t in doc if t.idx > second and not t.is_space), None) if second > 0 else None
    return (
        verb is not None
        and verb.idx < att.end
        and verb.tag_ in ("VBD", "VBZ", "VBP")
        and not any(c.dep_ in ("nsubj", "nsubjpass") and c.i < verb.i and c.idx > second for c in verb.children)
    )


def _reports_run_into_quotes(text: str, attributions: list[Attribution]) -> list[Attribution]:
    """`She said the plan had failed. "We tried everything."`: a report followed in its paragraph
    by a quote with no cue of its own is one attribution that goes on in the speaker's words
    (mixed, in parts)."""
    out: list[Attribution] = []
    for att in attributions:
        prev = out[-1] if out else None
        if (
            prev is not None
            and att.cue is None
            and att.type == "direct"
            and prev.type in ("indirect", "mixed")
            and prev.cue is not None
            and prev.end <= att.start
            and _only_sentence_break(text[prev.end : att.start])
            and not _backgrounded(prev.cue.token)
        ):
            prev.parts = (prev.parts or [(prev.start, prev.end)]) + (att.parts or [(att.start, att.end)])
            prev.end, prev.type = att.end, "mixed"
            continue
        out.append(att)
    return out


def _backgrounded(verb: Token) -> bool:
    """`She urged them to wait until the fire service had declared them safe.`: a cue in a clause
    of time or condition is background to the sentence; the quote after it is not its words."""
    return verb.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in _BACKGROUND_MARKS for c in verb.children)


def _only_sentence_break(between: str) -> bool:
    """Between two pieces of one attribution: the end of a sentence and the opening mark, no new line."""
    return "\n" not in between and not between.strip(" \t\u00a0.,:;\"“„«'")


def _typed_by_marks(att: Attribution, spans: list[QuotedSpan]) -> Attribution:
    """A quote whose only marks are paired apostrophes is reported words without double quote
    marks: indirect, unless `quote_marks.PAIRED_APOSTROPHES_ARE_QUOTES` makes them quotes."""
    if att.type == "indirect" or quote_marks.PAIRED_APOSTROPHES_ARE_QUOTES:
        return att
    inside = [s for s in spans if s.start < att.end + 2 and att.start - 2 < s.end]
    if inside and all(s.apostrophes for s in inside):
        att.type = "indirect"
    return att


def _starts_setting(rest: str, words: frozenset[str]) -> bool:
    """`called it "a disaster" Tuesday during a rally`: when or where it was said."""
    first = rest.split(maxsplit=1)[0].lower() if rest.split() else ""
    return first in words


def _overlaps(a: Attribution, b: Attribution) -> bool:
    return a.start < b.end and b.start < a.end


# ---- speakers --------------------------------------------------------------------------


def with_speakers(
    text: str, attributions: list[Attribution], registry: SpeakerRegistry, spans: list[QuotedSpan]
) -> list[tuple[Quote, Evidence]]:
    """Quotes in document order; a quote without a cue continues the previous speaker."""
    quotes: list[tuple[Quote, Evidence]] = []
    previous: tuple[Person | None, Speaker, list[Token]] | None = None
    for att in attributions:
        person, speaker, toks = _speaker_for(att, registry, previous)
        narrated = registry.narrated(att.start) if att.cue is None and _whole_paragraph(text, att) else None
        if narrated is not None and narrated is not person:  # "De la Vega laughs. || "Best science is us."": hers
            person, speaker, toks = narrated, registry.speaker(narrated, None), []
        elif att.cue is None and previous is None:
            person = registry.interviewee(att.start) if _answers_question(text, att) else None
            if person is None:
                continue
            speaker = registry.speaker(person, None)
        if att.cue is None or not _backgrounded(att.cue.token):  # a report in a clause of time does not take the floor
            previous = (person, speaker, toks)
        path = "carried" if att.cue is None or att.cue.source is None and speaker.id else speaker_path(person, toks)
        evidence = _evidence(text, att, spans, speaker, path)
        speaker.confidence = speaker_confidence(evidence)
        quote = _quote(text, att, replace(speaker))
        quote.confidence = quote_confidence(evidence)
        quotes.append((quote, evidence))
    return quotes


def _whole_paragraph(text: str, att: Attribution) -> bool:
    """The quote is its paragraph: nothing but marks before or after it (no cue the rules missed,
    as in `"...". Trump said.`)."""
    before = line_before(text, att.start)
    marks = " \t\"“”‘’'«».,!?"
    not_first_line = len(before) < att.start
    return not_first_line and not before.strip(marks) and not line_after(text, att.end).strip(marks)


def _answers_question(text: str, att: Attribution) -> bool:
    """A paragraph of quote right after a paragraph that asks, unquoted (`What made you start?`):
    interview copy, where the answers are the interviewee's."""
    start, end = paragraph_before(text, att.start)
    question = text[start:end].strip()
    return question.endswith("?") and not any(mark in question for mark in '"“”')


def _evidence(text: str, att: Attribution, spans: list[QuotedSpan], speaker: Speaker, path: str) -> Evidence:
    """What the rules relied on for this quote."""
    mention = (speaker.start, speaker.end) if speaker.start is not None and speaker.end is not None else None
    n_words = sum(len(text[s:e].split()) for s, e in att.parts) if att.parts else len(text[att.start : att.end].split())
    return Evidence(
        type=att.type,
        link=att.link or "clause",
        marks=_marks_class(att, spans),
        cue=cue_class(text[att.cue.start : att.cue.end] if att.cue else None),
        words=length_class(n_words),
        parts=parts_class(len(att.parts)),
        speaker=path,
        gap=gap_class(mention, (att.start, att.end)),
    )


def _marks_class(att: Attribution, spans: list[QuotedSpan]) -> str:
    """double, apostrophes, none, or open (a quote mark left unclosed)."""
    inside = [s for s in spans if s.start < att.end + 2 and att.start - 2 < s.end]
    if not inside:
        return "none"
    if not all(s.closed for s in inside):
        return "open"
    return "apostrophes" if all(s.apostrophes for s in inside) else "double"


def _speaker_for(
    att: Attribution, registry: SpeakerRegistry, previous: tuple[Person | None, Speaker, list[Token]] | None
) -> tuple[Person | None, Speaker, list[Token]]:
    if att.cue is not None and att.cue.source is None:
        att.cue.source = governing_subject(att.cue.token) if att.cue.token.pos_ in ("VERB", "AUX") else None
    if att.cue is not None and att.cue.source is None:
        att.cue.source = _person_before(att.cue.token)
    if att.cue is None or att.cue.source is None:
        if previous is not None:
            return previous[0], replace(previous[1]), previous[2]
        return None, Speaker(), []
    try:
        one_voice = att.type == "direct" and speaks_as_one(registry.text[att.start : att.end])
        person, toks = registry.resolve(att.cue.source, att.cue.mention, one_voice)
        return person, registry.speaker(person, toks), toks
    except Exception:  # noqa: BLE001
        log.debug("speaker resolution failed at %d", att.start, exc_info=True)
        return None, Speaker(), []


_FIRST_SINGULAR = re.compile(r"\b(?:I|[Mm]e|[Mm]y|[Mm]ine|[Mm]yself)\b")
_FIRST_PLURAL = re.compile(r"\b(?:we|us|our|ours|ourselves)\b", re.IGNORECASE)


def speaks_as_one(words: str) -> bool:
    """Words in the first person singular and never the plural: one person's."""
    return bool(_FIRST_SINGULAR.search(words)) and not _FIRST_PLURAL.search(words)


def _person_before(verb: Token) -> Token | None:
    """A cue the parse left without any subject: the last person named before it in its sentence."""
    ents = [e for e in verb.sent.ents if e.label_ == "PERSON" and e.end <= verb.i]
    return ents[-1].root if ents else None


def _quote(text: str, att: Attribution, speaker: Speaker) -> Quote:
    cue = att.cue
    return Quote(
        text=text[att.start : att.end],
        type=att.type,  # type: ignore[arg-type]
        start=att.start,
        end=att.end,
        cue=text[cue.start : cue.end] if cue else None,
        cue_start=cue.start if cue else None,
        cue_end=cue.end if cue else None,
        speaker=speaker,
        parts=list(att.parts) or [(att.start, att.end)],
    )
