"""Direct quotes: linking each quoted span to the cue that reports it.

A quote belongs to the cue whose reported clause lies inside it, else to a cue right
after it (`"...," he said`), else to a dash credit (`"..." ― Jane Doe`), else to a cue
right before it (`He said: "..."`), else to a clause of any verb ending on a comma before it
(`Jo shot back, "..."`). A second span is a second part of the same quote
when only its cue clause or cue sentence stands between them (`"X," he said, "Y."`,
`"X," he said, but "Y."`, `"X," said Jo, a farmer who ... . "Y."`); a paragraph that is all quote, with no cue, right
after a paragraph ending in a direct quote is a further part of that quote, and so is a
cue-less quote later in the paragraph of a direct quote with no report between them; any other
quote that makes up whole sentences with no cue continues the previous speaker. When the
parse loses the subject of a cue right after a quote (`"X," Tulsa police Chief Ann Roe
said`), the capitalised name standing between them is taken as the source. A quote that
finishes a report begun before its marks is mixed and starts where the report does: the
clause of a cue before it (`She said the plan failed, "badly."`) or the writer's words
opening the sentence whose cue follows it (`The plan "failed badly," she said.`).
"""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass, field

from spacy.attrs import IDX
from spacy.tokens import Doc, Token

from pipeline.quotes.cues import OCCASIONS, Cue, cue_extent, is_speech_noun, is_speech_verb, quotes_in
from pipeline.quotes.marks import QuotedSpan, line_after, line_before
from pipeline.quotes.speakers import SUBJECT_DEPS, can_speak, joins_name_parts

log = logging.getLogger(__name__)

# Words trimmed from the edges of a reported clause.
_EDGE_WORDS = frozenset({"and", "but", "or", "so", "because", "although", "while"})
# Dependents that may sit between a closing mark and its cue (`," he also said`).
_GAP_DEPS = frozenset({"advmod", "aux", "neg", "punct", "npadvmod"})
_MAX_CUE_GAP = 14  # tokens between a quote and the cue it is attributed to
_MAX_APPOSITIVE_GAP = 40  # ... when they are all the source's phrase (`Jo Roe, the director of ...,`)
_MAX_SPLIT_GAP = 14  # words of cue clause between two parts of one quote
_MAX_SPLIT_SENTENCE = 40  # words of a whole cue sentence between them
_MAX_TITLE_WORDS = 6  # a quoted name inside a cue sentence (a show, a book) is short
_MAX_FRAGMENT_WORDS = 3  # a lowercase quoted phrase this short is not a whole quote
_MAX_NAME_PHRASE = 10  # words of a speaker's name and appositive between a quote and its verb
_MAX_NAME_WORDS = 4  # a capitalised quoted phrase this short after a word is a title or a nickname
_MIN_SENTENCE_WORDS = 4  # a quote shorter than this standing on its own may be a title, not a sentence
# `"X," he said, but "Y."`, `"X," he said. But "Y."`: a conjunction (and an adverb) leading into
# the second part, after the cue clause or after the cue sentence.
_CONJUNCTION_TAIL = re.compile(r"(?:(?<=,)\s+(?:and|but)|(?<=\.)\s+(?:And|But))(?:\s+(?:still|also|then))?$")
# `“...” ― Jane Doe` at the end of a line: a credit rather than a cue verb.
_CREDIT_NAME = r"(?P<name>[A-Z][\w.'’&-]*(?:[ \u00a0][A-Z][\w.'’&-]*){0,4}?)"
_DASH_CREDIT = re.compile(
    r"[ \t\u00a0]*(?:\n[ \t\u00a0]*){0,2}(?P<mark>[―—–-]|--)[ \t\u00a0]*" + _CREDIT_NAME + r"\.?[ \t\u00a0]*(?=\n|$)"
)
# `“...” [Daily Planet.]` closing a line: news digests credit the outlet they quote in brackets.
_BRACKET_CREDIT = re.compile(r"[ \t\u00a0]*(?P<mark>\[)" + _CREDIT_NAME + r"\.?(?P<close>\])[ \t\u00a0]*(?=\n|$)")


class ParsedText:
    """The parse with its text and token offsets at hand, for offset lookups without rescans."""

    def __init__(self, doc: Doc, text: str) -> None:
        self.doc = doc
        self.text = text
        # read from the doc's arrays: a Python loop over the tokens costs about a millisecond
        self.starts: list[int] = doc.to_array(IDX).tolist() if len(doc) else []
        self.sent_of = [0] * len(doc)
        for k, sent in enumerate(doc.sents):
            self.sent_of[sent.start : sent.end] = [k] * (sent.end - sent.start)

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
    parts: list[tuple[int, int]] = field(default_factory=list)  # quoted pieces; empty = [(start, end)]
    link: str = ""  # how the quote was tied to its cue (evidence for its confidence)


def direct_attributions(doc: ParsedText, spans: list[QuotedSpan], cues: list[Cue]) -> list[Attribution]:
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
        if (
            att is not None
            and att.cue is None
            and out
            and (
                _continues(doc.text, out[-1], att, cues)
                or _goes_on_in_paragraph(doc.text, out[-1], att, cues)
                and not (out[-1].cue is not None and _someone_else_acts(doc, out[-1].cue, out[-1].end, att.start))
            )
        ):
            out[-1].parts.extend(att.parts)  # a cue-less paragraph goes on with the quote before it
            out[-1].end = att.end
        elif att is not None:
            out.append(att)
            free = [c for c in free if c is not att.cue]
        i += 1
    return out


def _continues(text: str, prev: Attribution, att: Attribution, cues: list[Cue]) -> bool:
    """`"X," he said.` closing one paragraph, then a paragraph that is all quote: one quote
    from one speaker, in two parts."""
    if prev.type not in ("direct", "mixed") or prev.end > att.start:
        return False
    if prev.cue is not None and prev.cue.mention:
        return False  # `"..." ― Jane Doe`: each credited paragraph has its own speaker
    if line_after(text, att.end).strip(" \t\u00a0\"”»'.,"):
        return False  # the next paragraph goes on past the quote: not all quote
    if any(c is not prev.cue and prev.end <= c.start < att.start and not _describes_source(prev, c) for c in cues):
        return False  # `"X," he said. He added that Y.`: a report of its own stands between
    between = text[prev.end : att.start]
    lines = [line for line in between.split("\n") if line.strip()]
    return (
        "\n" in between
        and len(lines) == 2
        and lines[0] == between.split("\n")[0]
        and lines[-1].strip() in _OPENING_MARKS
    )


def _describes_source(prev: Attribution, cue: Cue) -> bool:
    """`"X," said Jo, who thinks often about Y.`: a verb in the clause describing the source of
    the quote before is part of that quote's cue sentence, not a report of its own."""
    source = prev.cue.source if prev.cue is not None else None
    return source is not None and any(t.i == cue.token.i for t in source.subtree)


def _someone_else_acts(doc: ParsedText, cue: Cue, lo: int, hi: int) -> bool:
    """`"A," Tom said, pointing to his ears. Ann shook her head. "B."`, `"A," Jo said, and her
    husband cut in. "B."`: between two quotes (offsets lo to hi), a verb after the cue with a
    subject of its own who can speak, and is not the cue's source, hands the floor over."""
    first, last = _token_at_or_after(doc, lo), _token_at_or_after(doc, hi)
    if first is None or last is None:
        return False
    own = {t.i for t in cue.source.subtree} if cue.source is not None else set()
    for k in range(max(first, cue.token.i + 1), last):
        tok = doc[k]
        if tok.dep_ not in ("nsubj", "nsubjpass") or tok.head.pos_ not in ("VERB", "AUX") or k in own:
            continue
        if tok.head.i == cue.token.i or tok.head.dep_ not in ("ROOT", "conj") or tok.pos_ == "PRON":
            continue
        if not lo <= tok.head.idx < hi:
            continue  # a parse making the name the subject of a verb in the quote
        if can_speak(tok):
            return True
    return False


def _goes_on_in_paragraph(text: str, prev: Attribution, att: Attribution, cues: list[Cue]) -> bool:
    """`"A," the aide wrote. "B."` (a cue the rules did not link) or `"A," said Jo, who ... . "B."`:
    a quote with no cue that opens later in the paragraph of a direct quote, with no report of
    its own between them, is a further part of that quote."""
    if prev.type not in ("direct", "mixed") or prev.end > att.start or "\n" in text[prev.end : att.start]:
        return False
    if prev.cue is not None and prev.cue.mention:
        return False  # `"..." ― Jane Doe`: a credit closes its quote
    return not any(c is not prev.cue and c.content and prev.end <= c.start < att.start for c in cues)


_OPENING_MARKS = frozenset({'"', "“", "„", "«", "''", "``"})


def _direct_at(doc: ParsedText, spans: list[QuotedSpan], i: int, free: list[Cue]) -> tuple[Attribution | None, int]:
    """The attribution of the quote starting spans[i] (absorbing the parts of a split quote),
    and the index of its last part."""
    pieces = [spans[k] for k in _adjacent_run(doc.text, spans, i)]
    i += len(pieces) - 1
    span = pieces[0] if len(pieces) == 1 else QuotedSpan(pieces[0].start, pieces[-1].end, pieces[-1].closed)
    cue = _cue_for_span(doc, span, free, spans[i + 1] if i + 1 < len(spans) else None)
    while cue is not None:
        k = _next_part(doc, spans, i, cue, free)
        if k is None:
            break
        run = _adjacent_run(doc.text, spans, k)  # `"X," she said. "Y." "Z."`
        i = run[-1]
        pieces += [spans[j] for j in run]
    if cue is not None and len(pieces) == 1 and _clause_runs_on(span, cue):
        return _mixed(span, cue), i
    if cue is not None and len(pieces) == 1 and (_is_fragment(doc.text, span) or is_title(doc, span)):
        return None, i  # a phrase or a name within the writer's sentence, left to the mixed-quote finders
    if cue is not None:
        for piece in pieces:  # `"A," she said, "Mr. President, B."`: no word of the quote is its source
            _source_outside(cue, piece, drop=True)
        aside = _aside_lead(doc, pieces[0], cue, free)
        if aside is not None:
            return _led_in(pieces, cue, *aside), i
        lead = _clause_before(doc, pieces[0], cue, free)
        if lead is None and cue.start >= pieces[-1].end:
            lead = _sentence_before(doc, pieces[0], free)
        if lead is None and cue.token.text == ":":
            lead = _that_clause_at_colon(doc, cue.token)
        if lead is None and cue.start >= pieces[-1].end:
            earlier = _clause_of_cue_before(doc, pieces[0], cue, free)
            if earlier is not None:
                lead = earlier[0]
                if not (is_speech_verb(cue.token) or cue.token.lower_ == "according"):
                    cue = earlier[1]  # a verb after it that says nothing (`..., Jo seized on it`)
        return (_direct(pieces, cue) if lead is None else _led_in(pieces, cue, lead)), i
    if _stands_alone(doc, span):
        return _direct(pieces, None), i
    return None, i


# What may stand between two quoted segments of one quote with no cue between them: spaces, the
# writer's ellipsis, or a conjunction joining the two (`"A," and, "B"`).
_RUN_JOINER = re.compile(r"[ \t\u00a0.…]*(?:,?[ \t\u00a0]*(?:and|or)[ \t\u00a0]*,?[ \t\u00a0]*)?")


def _adjacent_run(text: str, spans: list[QuotedSpan], i: int) -> list[int]:
    """`"A," "B."`, `"A?" . . . "B?"`: quoted segments with only spaces (or the writer's ellipsis)
    between them, the first closing on punctuation, are one quote in parts (the writer dropped
    the cue between them)."""
    run = [i]
    while run[-1] + 1 < len(spans):
        cur, nxt = spans[run[-1]], spans[run[-1] + 1]
        inner = text[cur.inner[0] : cur.inner[1]].rstrip()
        if (
            not cur.closed
            or _RUN_JOINER.fullmatch(text[cur.end : nxt.start]) is None
            or not inner.endswith((",", ".", "?", "!", "…", ";", ":", "-", "—"))
        ):
            break
        run.append(run[-1] + 1)
    return run


def _direct(pieces: list[QuotedSpan], cue: Cue | None) -> Attribution:
    """One quote from its pieces: text runs from the first to the last, parts are each piece's words."""
    parts = [p.inner for p in pieces if p.inner[0] < p.inner[1]] or [(pieces[0].start, pieces[-1].end)]
    return Attribution(parts[0][0], parts[-1][1], "direct", cue, parts, _link(pieces, cue))


def _clause_before(doc: ParsedText, span: QuotedSpan, cue: Cue, cues: list[Cue]) -> int | None:
    """`She said the plan was not to blame, "not at all."`, `He adds that there are two choices:
    "..."`: a cue before the quote whose reported clause runs up to the opening mark; the quote
    finishes that clause, so the report (a mixed quote) starts where the clause does. A clause
    holding marks of its own or another cue is left to the clause reader."""
    if cue.mention or cue.start >= span.start:
        return None
    lead = [t for t in cue.content if cue.end <= t.idx and t.idx + len(t.text) <= span.start]
    if sum(t.is_alpha for t in lead) < 2 or "\n" in doc.text[lead[0].idx : span.start]:
        return None
    if doc.text[lead[-1].idx + len(lead[-1].text) : span.start].strip(" \t\u00a0,:;-–—"):
        return None  # the clause ends before the quote: a setting or an aside stands between
    if any(t.dep_ == "relcl" and t.right_edge.i >= lead[-1].i - 1 for t in lead):
        return None  # `X, who was in charge of Y: "..."`: the quote follows the writer's aside
    inside = {t.i for t in lead}
    if quotes_in(lead) or any(c.token.i in inside for c in cues):
        return None
    bounds = trimmed(lead)
    return None if bounds is None else bounds[0]


def _sentence_before(doc: ParsedText, span: QuotedSpan, cues: list[Cue]) -> int | None:
    """`The plan, drafted last year, "will not work," she said.`: words of the writer's opening
    the sentence the quote finishes belong to what the cue after it reports; not when a colon,
    dash or bracket sets the quote off as words of their own, or a cue there reports them."""
    first = _token_at_or_after(doc, span.inner[0])
    if first is None or is_name(doc.text, span):
        return None
    if doc.text[: span.start].rstrip()[-1:] in (":", "(", "-", "–", "—", "―"):
        return None
    lead = [doc[j] for j in range(_sentence_start(doc, first), first) if doc[j].idx < span.start]
    if sum(t.is_alpha for t in lead) < 2 or quotes_in(lead):
        return None
    if any(lead[0].i <= c.token.i <= lead[-1].i for c in cues):
        return None
    if lead[-1].pos_ in ("ADP", "DET") or lead[-1].tag_ in ("POS", "PRP$"):
        return None  # `In an interview with "..."`: the marks hold a name in the writer's phrase
    bounds = trimmed(lead)
    return None if bounds is None else bounds[0]


def _clause_of_cue_before(doc: ParsedText, span: QuotedSpan, cue: Cue, cues: list[Cue]) -> tuple[int, Cue] | None:
    """`Jo said that the council has "no plan," she said.`, `When Al noted that Jo refers to it
    as "the plan," Jo laughed`: the clause of a cue before the quote, in its sentence, runs up to the
    opening mark; the quote finishes that report (its start, and that cue). A verb of saying
    after the quote still reports the whole sentence (`..., the paper reported`)."""
    first = _token_at_or_after(doc, span.inner[0])
    if first is None or doc.text[: span.start].rstrip()[-1:] in (":", "-", "–", "—", "―"):
        return None  # `that X: "..."`: a colon or a dash sets the quote off as words of their own
    for other in cues:
        if other is cue or other.mention or other.end > span.start or not other.content:
            continue
        if doc.sent_of[other.token.i] != doc.sent_of[first] or other.source is None:
            continue
        lead = _clause_before(doc, span, other, [c for c in cues if c is not other])
        if lead is not None:
            return lead, other
    return None


def _that_clause_at_colon(doc: ParsedText, colon: Token) -> int | None:
    """`She is sure that jail will only make him louder: "They're creating a monster."`: a clause
    opened by "that" that runs up to the colon is finished by the quote after it."""
    last = colon.i - 1
    for tok in _colon_lead(doc, colon):
        if tok.lower_ == "that" and tok.dep_ == "mark" and tok.head.right_edge.i == last:
            return tok.idx
    return None


def _sentence_start(doc: ParsedText, i: int) -> int:
    """The first token of token i's sentence, not reaching back past a line break."""
    k = i - 1
    while k >= 0 and doc.sent_of[k] == doc.sent_of[i] and "\n" not in doc[k].text:
        k -= 1
    return k + 1


def _aside_lead(doc: ParsedText, span: QuotedSpan, cue: Cue, cues: list[Cue]) -> tuple[int, int] | None:
    """`The rulings, the lawyers said, "all point one way."`: a cue set off by commas inside the
    sentence the quote finishes; the writer's words before it open the report, as a part of its own."""
    verb = cue.token
    if cue.mention or cue.start >= span.start or verb.dep_ != "parataxis":
        return None
    words = [t.i for t in verb.subtree if not t.is_punct]
    lo, hi = words[0], words[-1]
    if doc.text[doc[hi].idx + len(doc[hi].text) : span.start].strip(" \t\u00a0,") or lo == 0:
        return None
    comma = doc[lo - 1]
    if comma.text != "," or doc.sent_of[comma.i] != doc.sent_of[verb.i]:
        return None
    lead = [doc[j] for j in range(_sentence_start(doc, comma.i), comma.i)]
    if sum(t.is_alpha for t in lead) < 2 or quotes_in(lead) or any(lead[0].i <= c.token.i < comma.i for c in cues):
        return None
    return trimmed(lead)


def _led_in(pieces: list[QuotedSpan], cue: Cue, start: int, end: int | None = None) -> Attribution:
    """A quote that finishes a reported clause begun before its marks: mixed, its first part
    taking in the clause's lead (a part of its own when a cue stands between, up to `end`)."""
    att = _direct(pieces, cue)
    if end is None:
        att.parts[0] = (start, att.parts[0][1])
    else:
        att.parts.insert(0, (start, end))
    att.start, att.type, att.link = start, "mixed", "runs_on"  # the clause goes beyond the marks
    return att


def _link(pieces: list[QuotedSpan], cue: Cue | None) -> str:
    """Where the cue stands relative to the quote it was given."""
    if cue is None:
        return "alone"
    if cue.mention:
        return "dash"
    if cue.start < pieces[0].start:
        return "before"
    return "after" if cue.start >= pieces[-1].end else "inside"


def _clause_runs_on(span: QuotedSpan, cue: Cue) -> bool:
    """`said "X" to drive up the price`: the reported clause goes on after the closing mark (not
    with the source's own words, which a parse may hang in the clause: `"X," Jo Roe, a founder
    of Y, tells Z`)."""
    source = {t.i for t in cue.source.subtree} if cue.source is not None else set()
    words = [
        t
        for t in cue.content
        if (t.is_alpha or t.like_num)
        and t.idx >= span.end
        and t.i not in source
        and "\n" not in t.doc.text[span.end : t.idx]
    ]  # a parse running past the paragraph's end
    return len(words) >= 2 and not span.start <= cue.start < span.end


def _is_fragment(text: str, span: QuotedSpan) -> bool:
    """A few lowercase words in marks (`"woman card,"`) are a phrase of the writer's sentence,
    not a sentence someone said."""
    words = text[span.inner[0] : span.inner[1]].split()
    return 0 < len(words) <= _MAX_FRAGMENT_WORDS and words[0][:1].islower()


# Words Title Case leaves lowercase inside a title (`Generations with Jo Roe`, `Planet of the Apes`).
_TITLE_MINOR_WORDS = frozenset("a an and at by for in of on or the to with".split())


def _title_cased(words: list[str]) -> bool:
    """Every word capitalised (or opening on no letter), Title Case's minor words after the first aside."""
    return all(w[:1].isupper() or not w[:1].isalpha() or k and w in _TITLE_MINOR_WORDS for k, w in enumerate(words))


def is_name(text: str, span: QuotedSpan) -> bool:
    """`on CNN's "Morning Joe,"`, `the nickname "Lyin' Ted"`: a few capitalised words in marks
    straight after a word of the writer's are a title or a nickname; so is a single one handing
    the sentence on with a comma (`star of the show "Harbor," thanked ...`)."""
    words = text[span.inner[0] : span.inner[1]].split()
    before = line_before(text, span.start).rstrip()
    return (
        (2 <= len(words) <= _MAX_NAME_WORDS or len(words) == 1 and words[0].endswith(","))
        and bool(before)
        and before[-1].isalnum()
        and _title_cased(words)
    )


def is_title(doc: ParsedText, span: QuotedSpan) -> bool:
    """A name in marks (`is_name`), or one set off by a comma after the common noun it names
    (`its podcast, "So, That Happened."`, `a new ad, "Harbor Nights,"`)."""
    if is_name(doc.text, span):
        return True
    words = doc.text[span.inner[0] : span.inner[1]].split()
    comma = _token_before(doc, span.start)
    noun = _token_before(doc, comma.idx) if comma is not None and comma.text == "," else None
    return noun is not None and noun.pos_ == "NOUN" and 1 <= len(words) <= _MAX_NAME_WORDS and _title_cased(words)


def _mixed(span: QuotedSpan, cue: Cue) -> Attribution:
    bounds = trimmed(cue.content)
    start, end = bounds if bounds is not None else span.inner
    return Attribution(min(start, span.start), max(end, span.end), "mixed", cue, link="runs_on")


def _cue_for_span(doc: ParsedText, span: QuotedSpan, cues: list[Cue], nxt: QuotedSpan | None = None) -> Cue | None:
    """The cue a quote belongs to: one whose content lies inside it, else one right after it,
    else one right before it. `nxt` is the quote that follows, which may be its second part."""
    for cue in cues:
        if _reports(cue, span):
            return cue
    after = _cue_after(doc, span, cues, nxt)
    if after is not None:
        return after
    return (
        _dash_credit(doc, span)
        or _cue_before(doc, span, cues)
        or _colon_cue(doc, span)
        or _lead_in(doc, span)
        or _clause_lead(doc, span)
        or _named_subject_lead(doc, span, cues)
        or _bracket_credit(doc, span)
    )


def _content_inside(cue: Cue, span: QuotedSpan) -> bool:
    words = cue.word_offsets
    if not words:
        return False
    inside = bisect.bisect_left(words, span.end) - bisect.bisect_left(words, span.start)
    return inside >= max(1, len(words) - 1) and inside / len(words) >= 0.8


def _cue_after(doc: ParsedText, span: QuotedSpan, cues: list[Cue], nxt: QuotedSpan | None = None) -> Cue | None:
    """`"...," he said` / `"...," said the official`: only the source and small words in between.
    A cue whose reported clause follows it is another quote's, unless that clause is the quote's
    second part `nxt` (`"X," he said, "Y."`)."""
    by_token = {c.token.i: c for c in cues if c.token.pos_ in ("VERB", "AUX")}
    first = _token_at_or_after(doc, span.end)
    if first is None or _new_sentence_after(doc, span, first):
        return None
    allowed: set[int] = set()
    marks: list[int] = []  # quote marks passed on the way: only inside the source's phrase
    for k in range(first, min(len(doc), first + _MAX_APPOSITIVE_GAP)):
        tok = doc[k]
        if k in by_token:
            cue = by_token[k]
            if (
                cue.content
                and not _content_inside(cue, span)
                and cue.content[-1].i > k
                and (nxt is None or not _reports(cue, nxt))
            ):
                return None  # the cue reports a clause of its own, after it
            _source_outside(cue, span)
            if cue.source is not None:
                allowed |= {t.i for t in cue.source.subtree}
            if all(j in allowed or _gap_token(doc[j]) and j not in marks for j in range(first, k)):
                return cue  # only the source, with its appositive, stands between (`"X," Jo, who ..., said`)
            if _reports_through(doc, span, cue, first, k, allowed):
                return cue  # `"X" that Y, said Jo`: the quote and the writer's rest of the clause
            # `"...," Tulsa police Chief Ann Roe said`: a parse that lost the subject between them
            named = _name_between(doc, first, k)
            if (
                named is not None
                and not marks
                and _closes_on_comma(doc.text, span)
                and (cue.source is None or not first <= cue.source.i < k)
            ):
                cue.source = named
                return cue
            return None
        if k - first < _MAX_CUE_GAP and not marks and _closes_on_comma(doc.text, span):
            frame = _frame_verb(doc, first, k)
            if frame is not None:
                return frame
        if "\n" in tok.text or tok.text in (".", "?", "!"):
            return _name_then_verb(doc, span, first)
        if tok.text in ("“", '"') and k > first:
            marks.append(k)
    return None


def _new_sentence_after(doc: ParsedText, span: QuotedSpan, first: int) -> bool:
    """`... because he was "off that day." He pointed to ...`: a quote closing its sentence on a
    full stop, then a capitalised word opening the next sentence: what follows is no cue of its."""
    inner = doc.text[span.inner[0] : span.inner[1]].rstrip()
    last = _token_before(doc, span.inner[1])
    return (
        inner.endswith(".")
        and doc[first].text[:1].isupper()
        and last is not None
        and doc.sent_of[last.i] != doc.sent_of[first]
    )


def _name_then_verb(doc: ParsedText, span: QuotedSpan, first: int) -> Cue | None:
    """`"...," Bozell answers.`, `"...," Jo Roe barked and ...`: when the parse makes nothing of
    it, a name right after a quote that hands on its sentence, then a lowercase word in the form
    of a finite verb, is the source and its cue."""
    if not _closes_on_comma(doc.text, span):
        return None
    k = first
    while k < len(doc) and k - first < _MAX_NAME_WORDS and doc[k].pos_ == "PROPN" and _capitalised(doc[k]):
        k += 1
    if k == first or k >= len(doc):
        return None
    word = doc[k]
    if not (word.is_alpha and word.is_lower and word.tag_ in ("VBD", "VBZ", "VBN", "NNS")):
        return None
    after = doc[k + 1] if k + 1 < len(doc) else None
    if after is not None and not (after.is_punct or after.pos_ in ("ADP", "ADV", "CCONJ")):
        return None
    return Cue(word, word.idx, word.idx + len(word.text), doc[k - 1], [])


def _reports_through(doc: ParsedText, span: QuotedSpan, cue: Cue, first: int, k: int, allowed: set[int]) -> bool:
    """`"He can try, but it is unlikely" that she wins, said Jo Roe`: the cue closing the sentence
    reports a clause that starts in the quote and runs on after it up to a comma before the cue
    (a mixed quote; its source after or before the verb)."""
    content = {t.i for t in cue.content}
    start = _token_at_or_after(doc, span.inner[0])
    if start is None or start not in content or not content or max(content) >= k:
        return False
    between = [j for j in range(first, k) if j not in allowed]
    if not between or any(j not in content and not _gap_token(doc[j]) for j in between):
        return False
    last = max(j for j in between if j in content)
    return any(doc[j].text == "," for j in range(last + 1, k))


def _closes_on_comma(text: str, span: QuotedSpan) -> bool:
    """`"...," ` / `"...?" ` / `"...!" `: the quote hands the sentence on to its attribution."""
    return text[span.inner[0] : span.inner[1]].rstrip().endswith((",", "?", "!"))


def _frame_verb(doc: ParsedText, first: int, k: int) -> Cue | None:
    """`"Go home," Jo barked`, `"...," Jo shot back`: after a quote handing its sentence on, a
    verb whose subject stands between them, and nothing else, is the cue whatever the verb."""
    verb = doc[k]
    if verb.pos_ != "VERB" or verb.dep_ not in ("ROOT", "parataxis", "ccomp"):
        return None
    # the subject before the verb, or right after it (`"...," exhorted the host, Jo Roe.`); after a
    # verb whose complement is the quote itself, the noun phrase after it is the subject whatever
    # the parse calls it
    inverted = ("nsubj", "dobj") if any(c.dep_ == "ccomp" and c.i < first for c in verb.children) else ("nsubj",)
    subject = next(
        (
            c
            for c in verb.children
            if first <= c.i < k and c.dep_ == "nsubj" or k < c.i <= k + _MAX_NAME_WORDS and c.dep_ in inverted
        ),
        None,
    )
    if subject is None or not (can_speak(subject) or utters(verb, first)):
        return None
    allowed = {t.i for t in subject.subtree} if subject.i < k else set()
    if not all(j in allowed or _gap_token(doc[j]) for j in range(first, k)):
        return None
    start, end = cue_extent(verb)
    return Cue(verb, start, end, subject, [])


# How a whole quoted utterance hangs on the verb that gives it (`"Bridge now," read one sign`).
_UTTERANCE_DEPS = frozenset({"ccomp", "dobj", "xcomp", "oprd", "parataxis", "dep", "attr"})


def utters(verb: Token, first: int, last: int | None = None) -> bool:
    """The quote (tokens from `first`, to `last` when given) is the verb's own complement or
    object: what a sign read, a crowd chanted or an account posted, whoever or whatever its
    subject is."""
    return any(
        c.dep_ in _UTTERANCE_DEPS and (c.i < first if last is None else first <= c.i <= last) for c in verb.children
    )


def _name_between(doc: ParsedText, lo: int, hi: int) -> Token | None:
    """The speaker standing between a quote and its verb when the parse did not make it the
    subject: a capitalised name, maybe with a title before it and an appositive after it
    (`Jo Roe, a top aide,`). The name is the last word of its capitalised run."""
    words = [doc[j] for j in range(lo, hi) if not (doc[j].is_punct or doc[j].is_space)]
    if not words or len(words) > _MAX_NAME_PHRASE or not _capitalised(words[0]):
        return None
    if any(t.pos_ in ("VERB", "AUX", "PRON") and not _capitalised(t) for t in words):
        return None
    name = words[0]
    for t in words[1:]:
        if t.i != name.i + 1 or not (_capitalised(t) or t.pos_ == "NOUN"):
            break
        name = t
    return name if _capitalised(name) else None


def _capitalised(tok: Token) -> bool:
    return tok.text[:1].isupper() and tok.is_alpha


def _source_outside(cue: Cue, span: QuotedSpan, drop: bool = False) -> None:
    """A parse may make a word of the quote the cue's subject (`"My view, that ...," the aide
    said`, `"A," she said, "Mr. President, B."`); the subject outside the quote is the source
    (with `drop`, none when there is none: the speaker is then found as for a subjectless cue)."""
    if cue.source is None or cue.mention or not span.start <= cue.source.idx < span.end:
        return
    outside = [c for c in cue.token.children if c.dep_ in SUBJECT_DEPS and not span.start <= c.idx < span.end]
    if outside:
        cue.source = outside[0]
    elif drop:
        cue.source = None


def _dash_credit(doc: ParsedText, span: QuotedSpan) -> Cue | None:
    """`“...” ― Jane Doe`: a dash after the closing mark, then a capitalised name to the line end."""
    match = _DASH_CREDIT.match(doc.text, span.end)
    return None if match is None else _credit(doc, match, match.end("mark"))


def _bracket_credit(doc: ParsedText, span: QuotedSpan) -> Cue | None:
    """`“...” [Daily Planet.]`: the outlet in brackets closing the line, when nothing in the text
    around the quote reports it (a digest item's quote)."""
    match = _BRACKET_CREDIT.match(doc.text, span.end)
    return None if match is None else _credit(doc, match, match.end("close"))


def _credit(doc: ParsedText, match: re.Match[str], end: int) -> Cue | None:
    """The credit's name as the source; the dash or the bracket as the cue."""
    lo = _token_at_or_after(doc, match.start("name"))
    hi = _token_at_or_after(doc, match.end("name"))
    hi = len(doc) if hi is None else hi
    if lo is None or lo >= hi:
        return None
    names = [doc[i] for i in range(lo, hi) if not doc[i].is_space]
    while names and names[-1].is_punct:  # `[Harbour Times.]`: the period closes the credit
        names.pop()
    if not names:
        return None
    return Cue(names[-1], match.start("mark"), end, names[-1], [], mention=names)


def _colon_cue(doc: ParsedText, span: QuotedSpan) -> Cue | None:
    """`Jo Roe delivered a retort: "..."`, `Jo Roe, in a statement: "..."`, `Jo Roe, Daily
    Planet: "..."`: a quote opened right after a colon belongs to the clause before the colon,
    whose subject (or, with no verb there, whose first name) is the source. The colon is the cue."""
    colon = _token_before(doc, span.start)
    if colon is None or colon.text != ":" or doc.text[colon.idx + 1 : span.start].strip():
        return None
    lead = _colon_lead(doc, colon)
    if not lead:
        return None
    source = _frame_subject(lead) or _first_name(lead) or _name_at_colon(lead)
    if source is None or _byline(lead, source):
        return None
    return Cue(colon, colon.idx, colon.idx + 1, source, [])


def _byline(lead: list[Token], source: Token) -> bool:
    """`"Museum to close," by Times' Jo Roe: "..."`: a quoted headline credited "by" its writer
    leads into an excerpt of that piece, the writer's copy rather than anyone's words."""
    by = next((t for t in lead if t.lower_ == "by" and t.i < source.i), None)
    if by is None:
        return False
    before = lead[0].doc[lead[0].i - 1] if lead[0].i > 0 else None
    return any(t.is_quote and t.i < by.i for t in lead) or before is not None and before.is_quote


def _sentence_end_before(doc: ParsedText, span: QuotedSpan) -> Token | None:
    """The full stop (or "!") of a sentence that ends right before the quote, on its line."""
    stop = _token_before(doc, span.start)
    if stop is None or stop.text not in (".", "!") or "\n" in doc.text[stop.idx : span.start]:
        return None
    return stop


def _lead_in(doc: ParsedText, span: QuotedSpan) -> Cue | None:
    """`Dr. Jo Roe agreed. "..."`, `Or maybe Bush, consultant Jo Roe says. "..."`: a sentence of
    the same paragraph that ends on its verb, whose subject can speak, introduces the quote
    after it."""
    stop = _sentence_end_before(doc, span)
    if stop is None:
        return None
    verb = stop.head
    if verb.pos_ != "VERB" or verb.dep_ != "ROOT" or doc.sent_of[verb.i] != doc.sent_of[stop.i]:
        return None
    if any(c.i > verb.i and c.dep_ not in ("punct", "advmod", "npadvmod", "prt") for c in verb.children):
        return None
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subject is None or not can_speak(subject) or "\n" in doc.text[subject.idx : verb.idx]:
        return None
    start, end = cue_extent(verb)
    return Cue(verb, start, end, subject, [])


def _named_subject_lead(doc: ParsedText, span: QuotedSpan, cues: list[Cue]) -> Cue | None:
    """`Nwachukwu does not dispute this. "I do the cataloguing."`: a paragraph that opens on a
    sentence about a person named as its subject, with no words of anyone's in it, and goes on
    in quote marks with no cue gives the quote to that person."""
    stop = _sentence_end_before(doc, span)
    if stop is None:
        return None
    sent = stop.sent
    verb = sent.root
    if verb.pos_ not in ("VERB", "AUX"):
        return None
    opens_paragraph = sent.start == 0 or "\n" in doc[sent.start - 1].text or doc.text[: sent.start_char].endswith("\n")
    reports = any(sent.start <= c.token.i < sent.end and (c.content or len(c.objects) > 1) for c in cues)
    if not opens_paragraph or reports or any(t.is_quote for t in sent):
        return None  # a sentence that reports goes on in the quote (a mixed quote), not this
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subject is None or subject.pos_ != "PROPN" or not can_speak(subject):
        return None
    start, end = cue_extent(verb)
    return Cue(verb, start, end, subject, [])


# How the words between a lead clause's verb and its comma may hang on the verb: particles and
# adverbials (`shot back`, `sang in 1985`), or the document of saying it issued (`issued a statement`).
_LEAD_TAIL_DEPS = frozenset({"prt", "advmod", "npadvmod", "prep", "punct"})


def _clause_lead(doc: ParsedText, span: QuotedSpan) -> Cue | None:
    """`Jo shot back, "..."`, `As the band sang in 1985, "..."`, `Jo issued a statement, "..."`:
    a clause whose subject can speak, ending on a comma right before a quote that opens a
    sentence of its own, introduces it whatever its verb, as `_frame_verb` does after a quote;
    the verb takes no object of its own but a document of saying."""
    comma = _token_before(doc, span.start)
    first = _token_at_or_after(doc, span.inner[0])
    if comma is None or comma.text != "," or first is None or not doc[first].text[:1].isupper():
        return None
    if len(doc.text[span.inner[0] : span.inner[1]].split()) < _MIN_SENTENCE_WORDS:
        return None  # `his concert, "Girls, Girls, Girls."`: a title
    start = _sentence_start(doc, comma.i)
    verb = next((doc[k] for k in range(comma.i - 1, start - 1, -1) if doc[k].pos_ == "VERB"), None)
    if verb is None:
        return None
    for k in range(verb.i + 1, comma.i):
        child = doc[k]
        while child.head != verb and child.head != child and verb.i < child.head.i < comma.i:
            child = child.head
        if child.head != verb:
            return None
        if child.dep_ not in _LEAD_TAIL_DEPS and not (child.dep_ == "dobj" and child.lemma_.lower() in OCCASIONS):
            return None
    subject = next((c for c in verb.children if c.dep_ in SUBJECT_DEPS and start <= c.i < verb.i), None)
    if subject is None or not can_speak(subject):
        return None
    cue_start, cue_end = cue_extent(verb)
    return Cue(verb, cue_start, cue_end, subject, [])


def _colon_lead(doc: ParsedText, colon: Token) -> list[Token]:
    """The words of the sentence (and line) before the colon."""
    out: list[Token] = []
    k = colon.i - 1
    while (
        k >= 0
        and doc.sent_of[k] == doc.sent_of[colon.i]
        and "\n" not in doc[k].text
        and doc[k].text not in (".", "?", "!", ":", "”", '"')
    ):
        out.append(doc[k])
        k -= 1
    return out[::-1]


def _frame_subject(lead: list[Token]) -> Token | None:
    """The subject nearest the colon that can speak (`as Jo observed, the winner was X:`)."""
    inside = {t.i for t in lead}
    for verb in reversed(lead):
        if verb.pos_ not in ("VERB", "AUX"):
            continue
        subject = next((c for c in verb.children if c.dep_ in SUBJECT_DEPS and c.i in inside), None)
        if subject is not None and not can_speak(subject):
            subject = _owner_of_words(subject)
        if subject is not None and can_speak(subject):
            return subject
    return None


def _owner_of_words(noun: Token) -> Token | None:
    """`Jo's letter makes the case: "..."`, `the mayor's statement was blunt: "..."`: words of someone's
    (a statement, a letter, a remark) speak for their owner."""
    if noun.lemma_.lower() not in OCCASIONS and not is_speech_noun(noun):
        return None
    return next((c for c in noun.children if c.dep_ == "poss"), None)


def _first_name(lead: list[Token]) -> Token | None:
    """No verb before the colon (`Jo Roe, Daily Planet:`, `The union, in a statement:`): the
    first person named there, else the last word of its first run of proper nouns, else the
    head noun of the phrase."""
    if len(lead) > _MAX_NAME_PHRASE + 4 or any(t.pos_ in ("VERB", "AUX") for t in lead):
        return None
    # `Su-Jin Park, chair, Eastmere Chamber of Commerce:` names the speaker first, whatever NER
    # made of the rest: the first comma-free stretch is searched before the whole lead
    comma = next((t.i for t in lead if t.text == ","), None)
    first = [t for t in lead if comma is None or t.i < comma]
    return _name_in_lead(first, nouns=False) or _name_in_lead(lead)


def _name_in_lead(lead: list[Token], nouns: bool = True) -> Token | None:
    """The first person NER found in `lead`, else the end of its first run of proper nouns, else
    (with `nouns`) its head noun."""
    if not lead:
        return None
    lo, hi = lead[0].i, lead[-1].i
    person = next((e for e in lead[0].doc.ents if e.label_ == "PERSON" and lo <= e.start and e.end - 1 <= hi), None)
    if person is not None:
        return person[-1]
    names = [t for t in lead if t.pos_ == "PROPN" and _capitalised(t)]
    if names:
        end = names[0]
        while end.i + 1 <= hi:
            nxt = end.doc[end.i + 1]
            if joins_name_parts(nxt) and nxt.i + 1 <= hi:
                end = end.doc[nxt.i + 1]  # "Mei-Ling Zhou", "Amalgamated Rail Workers' Union": one name
            elif nxt.pos_ == "PROPN":
                end = nxt
            else:
                break
        return end
    if not nouns:
        return None
    heads = [t for t in lead if t.pos_ == "NOUN" and not lo <= t.head.i <= hi or t.head == t]
    return heads[0] if heads and heads[0].pos_ == "NOUN" else None


def _name_at_colon(lead: list[Token]) -> Token | None:
    """`The result did not surprise pollster Jo Roe: "..."`: no speaker is the subject, but the
    lead closes on a person's name, who is the one the colon hands over to."""
    last = lead[-1]
    person = next((e for e in last.doc.ents if e.label_ == "PERSON" and e.end - 1 == last.i), None)
    return person[-1] if person is not None and person.start >= lead[0].i else None


def _gap_token(tok: Token) -> bool:
    return tok.is_punct or tok.is_space or tok.dep_ in _GAP_DEPS and tok.pos_ != "VERB"


def _cue_before(doc: ParsedText, span: QuotedSpan, cues: list[Cue]) -> Cue | None:
    """`He told reporters: "..."` / `He said, "..."`: a cue ending its clause right before the mark."""
    prev = doc.text[max(0, span.start - 200) : span.start].rstrip()
    if not prev or prev[-1] not in ":,":
        return None
    last = _token_before(doc, span.start)
    if last is None:
        return None
    for cue in reversed(cues):
        if cue.token.i > last.i or cue.end > span.start:
            continue
        lead = _clause_before(doc, span, cue, cues)
        clause = {t.i for t in cue.content} if lead is not None else set()  # `He adds that X: "Y"`
        between = [doc[k] for k in range(cue.token.i + 1, last.i) if k not in clause]
        if doc.sent_of[cue.token.i] != doc.sent_of[last.i] and doc[last.i].text != ":":
            return None
        if len(between) > _MAX_CUE_GAP or any(t.pos_ == "VERB" and t.dep_ != "xcomp" for t in between):
            return None
        if any(t.text == ":" for t in between):
            return None  # `Here is what they said:\n\nJo Roe, Daily Planet: "..."`: the nearer colon's lead speaks
        if "\n" in doc.text[cue.end : span.start] and prev[-1] != ":":
            return None
        return cue
    return None


def _next_part(doc: ParsedText, spans: list[QuotedSpan], i: int, cue: Cue, cues: list[Cue]) -> int | None:
    """Index of the quote continuing spans[i] after its cue, looking past a short quoted title
    in the cue sentence (`said Cuban, a host of "Shark Tank." "I mean ..."`)."""
    for k in (i + 1, i + 2):
        if k >= len(spans):
            return None
        if _is_split_continuation(doc, spans[i], cue, spans[k], cues):
            return k
        if not _is_inline_title(doc.text, spans[k]):
            return None
    return None


def _is_inline_title(text: str, span: QuotedSpan) -> bool:
    """A short quoted name inside a sentence of the writer's (`the show "Shark Tank."`)."""
    before = line_before(text, span.start).rstrip()
    inner = text[span.inner[0] : span.inner[1]].split()
    return bool(before) and before[-1].isalnum() and len(inner) <= _MAX_TITLE_WORDS


def _is_split_continuation(doc: ParsedText, span: QuotedSpan, cue: Cue, nxt: QuotedSpan, cues: list[Cue]) -> bool:
    """`"X," he said, "Y."` or `"X," he said. "Y."`: the cue sits between two parts of one
    quote, and the second part has no cue of its own."""
    if not (span.end <= cue.start < nxt.start):
        return False
    between = doc.text[span.end : nxt.start]
    tail = _CONJUNCTION_TAIL.sub("", between.rstrip().rstrip('"”'))
    if not tail.endswith((",", ":", ".")) or "\n" in between:
        return False
    # `"X," said Jo Bloggs, a lawyer who ... . "Y."`: a whole cue sentence may be long; a cue
    # clause that the second part continues (`, including, "Y"`) is short.
    limit = _MAX_SPLIT_SENTENCE if tail.endswith(".") else _MAX_SPLIT_GAP
    if len(between.split()) > limit:
        return False
    if _someone_else_acts(doc, cue, span.end, nxt.start):
        return False
    if not _ends_sentence(doc.text, nxt):
        return False
    others = [c for c in cues if c is not cue]
    if any(
        cue.end <= c.start < nxt.start
        and c.token.pos_ in ("VERB", "AUX")
        and c.source is not None
        and doc.sent_of[c.token.i] != doc.sent_of[cue.token.i]
        for c in others
    ):
        return False  # `"X," Bo said. Later he asked, "Y?"`: a cue of its own introduces the second
    if any(_report_runs_into(doc, c, span, nxt) for c in others if cue.end <= c.start < nxt.start):
        return False  # `"X," Bo said, noting that Y, "Z."`: a report of its own stands between them
    return _cue_after(doc, nxt, others) is None and not any(_reports(c, nxt) for c in others)


def _report_runs_into(doc: ParsedText, cue: Cue, span: QuotedSpan, nxt: QuotedSpan) -> bool:
    """`"X," Bo said, noting that Y, "Z."`: a second cue between two quotes whose own report,
    outside both, runs up to the second quote's opening mark (the second quote finishes it)."""
    words = [t for t in cue.content if span.end <= t.idx < nxt.start and (t.is_alpha or t.like_num)]
    if len(words) < 2:
        return False
    last = max(words, key=lambda t: t.i)
    return not doc.text[last.idx + len(last.text) : nxt.start].strip(" \t\u00a0,:;-–—")


def _reports(cue: Cue, span: QuotedSpan) -> bool:
    """The cue stands outside the quote and its reported clause lies inside it (a cue quoted
    within the quote, `"... I say we go"`, reports nothing of the quote's)."""
    if not cue.content or span.start <= cue.start < span.end or not _content_inside(cue, span):
        return False
    lo, hi = sorted((cue.start, span.start if cue.start < span.start else span.end))
    return "\n" not in cue.token.doc.text[lo:hi]  # a parse across paragraphs links nothing


def _ends_sentence(text: str, span: QuotedSpan) -> bool:
    """A quote that closes its sentence (`... more."` then a new sentence or paragraph)."""
    inner_end = text[span.start : span.end].rstrip("\"”»' ")
    if inner_end.endswith((".", "?", "!", ",", "…")):
        return True
    rest = text[span.end : span.end + 3].lstrip(" \t")
    return not rest or rest[0] in ".?!\n"


def _stands_alone(doc: ParsedText, span: QuotedSpan) -> bool:
    """A quote making up whole sentences of its paragraph (a cue-less continuation)."""
    text = doc.text
    before = line_before(text, span.start).strip()
    inner = text[span.start + 1 : span.end].strip()
    # a short one only as a whole paragraph that is a sentence
    if len(inner.split()) < _MIN_SENTENCE_WORDS and (before or not _sentence_ending_its_paragraph(text, span)):
        return False
    return not before or before[-1] in '.?!”"'


def _sentence_ending_its_paragraph(text: str, span: QuotedSpan) -> bool:
    """`"Patients deserve better."` with nothing after it in its paragraph: a sentence (capital
    first, full stop, question or exclamation mark last inside the marks) is someone's words, not
    a title; a title does not end on a full stop."""
    start, end = span.inner
    inner = text[start:end].strip()
    return (
        span.closed
        and not line_after(text, span.end).strip()
        and len(inner.split()) >= 2
        and inner[:1].isupper()
        and inner.endswith((".", "?", "!"))
    )


def _token_at_or_after(doc: ParsedText, offset: int) -> int | None:
    k = bisect.bisect_left(doc.starts, offset)
    return k if k < len(doc) else None


def _token_before(doc: ParsedText, offset: int) -> Token | None:
    k = bisect.bisect_left(doc.starts, offset) - 1
    while k >= 0 and (doc[k].is_space or doc[k].idx + len(doc[k].text) > offset):
        k -= 1
    return doc[k] if k >= 0 else None


def trimmed(tokens: list[Token]) -> tuple[int, int] | None:
    """Char bounds of the content without edge punctuation and dangling conjunctions."""
    toks = list(tokens)
    while toks and (toks[0].is_punct or toks[0].is_space or toks[0].lower_ in _EDGE_WORDS):
        toks = toks[1:]
    while toks and (toks[-1].is_punct or toks[-1].is_space or toks[-1].lower_ in _EDGE_WORDS):
        toks = toks[:-1]
    if not toks:
        return None
    return toks[0].idx, toks[-1].idx + len(toks[-1].text)
