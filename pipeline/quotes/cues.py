"""Reporting cues: which words introduce what someone said, and where its source and content sit.

Lexicons are data (lemmas); the patterns read spaCy's dependency parse, so
`X said (that) ...`, `..., X said.`, `..., said X` and `according to X, ...`
all come out as (cue, source head, content tokens).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy
from spacy.attrs import LEMMA, LOWER
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token

from pipeline.nlp.reporting_verbs import ASKING_VERBS, OBJECT_REPORT_VERBS, SPEECH_VERBS
from pipeline.quotes.speakers import SUBJECT_DEPS, can_speak, is_person_noun, issuer, subject_of_own

# Verbs that attribute a quoted fragment but whose plain complement is a belief or a
# judgement, not speech: they yield direct/mixed quotes only.
QUOTE_ONLY_VERBS = frozenset(
    """
think believe describe dub label brand term characterize attack feel hope fear worry estimate
""".split()
)

# Nouns of saying, each the noun of a reporting verb (`pipeline.nlp.reporting_verbs`): `his claim
# that X`, `her call for X`, `their pledge to X`, `remarks about X` report what was said as a verb would.
SPEECH_NOUNS = frozenset("claim remark comment promise pledge vow call warning question statement".split())
# Nouns of other reporting verbs (`his assertion that X`): they report a "that" clause only when it
# gives the words in double quote marks; without them such a noun names a claim the writer
# discusses (the gold leaves 33 of 36 such reports on train).
QUOTING_SPEECH_NOUNS = frozenset(
    """
assertion allegation accusation suggestion argument announcement denial admission prediction
insistence assurance declaration explanation
""".split()
)
# Prepositions after a noun of saying that introduce what it is about (`remarks about X`) or
# asks for (`a call for X`).
_NOUN_TOPIC_PREPS = frozenset({"about", "for"})
# Verbs of refusing: they report what was refused, never a change in amount (`declined 4%`).
REFUSING_VERBS = frozenset({"decline", "refuse"})
# Verbs whose "to X" names who was addressed, not what was said (`spoke to reporters`).
ADDRESSEE_VERBS = frozenset("speak talk write explain say complain point".split())
# Prepositions that complete a phrasal reporting verb rather than start its report.
CUE_PREPOSITIONS = frozenset({"about", "of", "for", "against", "over", "on"})
_TOPIC_PREPS = frozenset({"about", "of", "on", "out"})
# Prepositional phrases after a cue that say when or how it was said, not what.
_SETTING_PREPS = frozenset(
    {
        "on",
        "in",
        "at",
        "during",
        "after",
        "before",
        "by",
        "from",
        "via",
        "while",
        "since",
        "under",
        "amid",
        "despite",
        "through",
    }
)

# Setting prepositions that may as well start part of what was said (`reported a rate in June`).
_CONTENT_PREPS = frozenset({"in", "on", "by", "from", "under", "through"})
_FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP"})  # a verb with tense: the head of a clause of its own
_TENSED_TAGS = _FINITE_TAGS | {"MD"}  # the same, or a modal carrying the tense for it
# The occasions of saying that such a phrase names (`in a statement`, `on a call`).
OCCASIONS = frozenset("statement interview speech letter email tweet post call".split())

# Continuation verbs that only attribute when a quote is adjacent ("he continued").
QUOTE_ADJACENT_VERBS = frozenset("continue go add conclude begin".split())


def _string_ids(words: Iterable[str]) -> frozenset[int]:
    """The spaCy string ids of the words in their lower, capitalised and upper case forms."""
    return frozenset(get_string_id(f) for w in words for f in (w, w.capitalize(), w.upper()))


# A token's lemma id outside these is no cue word: one set lookup per token before any string is
# built (`is_quote_verb`, `as_one_put_it` and the nouns' tests read `lemma_`, which costs more).
CUE_VERB_LEMMAS = _string_ids(SPEECH_VERBS | QUOTE_ONLY_VERBS | OBJECT_REPORT_VERBS | QUOTE_ADJACENT_VERBS | {"put"})
SPEECH_NOUN_LEMMAS = _string_ids(SPEECH_NOUNS | QUOTING_SPEECH_NOUNS)
_ACCORDING = get_string_id("according")
_VERB_CANDIDATES = numpy.array(sorted(CUE_VERB_LEMMAS), dtype=numpy.uint64)
_NOUN_CANDIDATES = numpy.array(sorted(SPEECH_NOUN_LEMMAS), dtype=numpy.uint64)


def cue_words(doc: Doc) -> list[int]:
    """Where a verb cue or "according to" may be: the tokens whose lemma is a cue verb's, or that
    read "according". Read from the doc's arrays: most words are no cue, and a Token object for
    every word costs more than the few kept."""
    if not len(doc):
        return []
    lemma, lower = doc.to_array([LEMMA, LOWER]).T
    return numpy.flatnonzero(_among(lemma, _VERB_CANDIDATES) | (lower == _ACCORDING)).tolist()


def noun_cue_words(doc: Doc) -> list[int]:
    """Where a noun of saying may be (`noun_cues`), as `cue_words` reads it."""
    if not len(doc):
        return []
    return numpy.flatnonzero(_among(doc.to_array(LEMMA), _NOUN_CANDIDATES)).tolist()


def _among(values: numpy.ndarray, ids: numpy.ndarray) -> numpy.ndarray:
    """Which of `values` are in the sorted array `ids` (`numpy.isin` sorts both on every call)."""
    at = numpy.searchsorted(ids, values)
    at[at == len(ids)] = 0
    return numpy.asarray(ids[at] == values)


# Dependents after a verb that can carry a quoted fragment (`called him "a con"`,
# `described it as "unhinged"`).
OBJECT_DEPS = frozenset({"dobj", "oprd", "prep", "xcomp", "acomp", "attr", "dative", "ccomp"})

# Words that stand for a whole answer or clause after a verb of saying ("said yes", "said so").
PRO_SENTENCES = frozenset({"yes", "no", "so"})
# Heads of noun phrases that stand for words already reported (`said the same`, `the opposite`).
PRO_FORMS = frozenset({"same", "opposite"})
# The forms of a clause's first verb that are not in the past tense (present, base form, modal, "to").
_NON_PAST_TAGS = frozenset({"VBZ", "VBP", "VB", "MD", "TO"})
# Dependents of a cue verb, after its complement, that continue the report (a misparse).
CONTINUATION_DEPS = frozenset({"ccomp", "advcl", "conj"})
# Links and words of a phrase between a cue verb and a reported clause the parse hung on its
# last noun (`said during a visit to Ohio that ...`); VERB for a participle used as a preposition
# (`said following a vote that ...`).
_STRANDING_DEPS = frozenset({"prep", "pobj", "dobj", "dative", "compound", "appos"})
_PHRASE_POS = frozenset({"NOUN", "PROPN", "PRON", "NUM", "ADP", "VERB"})
# Words that belong to the cue itself ("did not say", "has said", "pointed out").
CUE_PARTICLES = frozenset({"prt", "neg", "aux", "auxpass"})


@dataclass(slots=True)
class Cue:
    """One reporting cue found in the parse."""

    token: Token
    start: int  # char offsets of the cue words
    end: int
    source: Token | None  # head token of the source noun phrase
    content: list[Token]  # content tokens (may be empty when the content is a separate quote)
    objects: list[Token] = field(default_factory=list)  # noun-phrase report: `called for a repeal`
    mention: list[Token] | None = None  # the source's words when the parse cannot give them
    # where the report's words (letters or numbers) start, in order: a quote is tested against
    # every cue, so this is read once
    word_offsets: list[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.word_offsets = sorted(t.idx for t in self.content if t.is_alpha or t.like_num)


def is_speech_verb(token: Token) -> bool:
    return token.pos_ in ("VERB", "AUX") and token.lemma_.lower() in SPEECH_VERBS


def as_one_put_it(token: Token) -> bool:
    """`As the mayor put it, "..."`: the frame "as X put(s) it" hands on the quotation beside it;
    "put" reports nothing elsewhere (`put it on the table`)."""
    if token.lemma_.lower() != "put":
        return False
    kids = list(token.children)
    return any(c.dep_ == "dobj" and c.lower_ == "it" for c in kids) and any(
        c.dep_ == "mark" and c.lower_ == "as" for c in kids
    )


def is_quote_verb(token: Token) -> bool:
    """A verb that may attribute a quotation (direct or mixed)."""
    lemma = token.lemma_.lower()
    return token.pos_ in ("VERB", "AUX") and (
        lemma in SPEECH_VERBS or lemma in QUOTE_ONLY_VERBS or lemma in OBJECT_REPORT_VERBS
    )


def subject_of(verb: Token) -> Token | None:
    """The source of a cue: the agent of a passive (`was criticized by X for`), its subject, or
    the subject it shares."""
    for child in verb.children:
        if child.dep_ == "agent":
            objs = [g for g in child.children if g.dep_ == "pobj"]
            if objs:
                return objs[0]
    for child in verb.children:
        if child.dep_ in SUBJECT_DEPS and not _across_paragraphs(child, verb):
            return child
    inverted = _inverted_subject(verb)
    if inverted is not None:
        return inverted
    if verb.dep_ == "relcl" and verb.head.pos_ in ("NOUN", "PROPN", "PRON"):
        return verb.head
    if verb.dep_ == "acl" and verb.head.pos_ in ("NOUN", "PROPN"):
        return issuer(verb.head)
    head = verb.head
    if verb.dep_ == "conj" and head.dep_ == "ccomp" and is_speech_verb(verb) and is_speech_verb(head.head):
        return subject_of(head.head)  # `said he would X and warned Y`: the one who said
    controller = _object_controller(verb)
    if controller is not None:
        return controller
    if verb.dep_ in ("conj", "xcomp", "advcl") and verb.head != verb and verb.head.pos_ in ("VERB", "AUX"):
        if verb.dep_ == "advcl" and not any(c.dep_ == "punct" for c in verb.children) and verb.tag_ != "VBG":
            return None
        return subject_of(verb.head)
    return None


def cue_source(verb: Token) -> Token | None:
    """The source of a verb cue: its subject, or for a gerund after a preposition (`won the vote
    by calling for X`, `angered donors after saying that Y`) the subject of the verb the phrase
    belongs to. Only for cues: a quoted fragment's frame climbs past such a gerund instead."""
    own = subject_of(verb)
    if own is not None or verb.dep_ != "pcomp" or verb.tag_ != "VBG" or verb.head.dep_ != "prep":
        return own
    head = verb.head.head
    subject = subject_of(head) if head.pos_ in ("VERB", "AUX") else None
    return subject if subject is not None and can_speak(subject) else None  # not `the vote has X before claiming`


def _inverted_subject(verb: Token) -> Token | None:
    """`"...," said Reilly.`: after a closing quote the name right after a verb of saying is its
    subject, also when the parse hung it on the verb as something else (an adverb, an object)."""
    doc = verb.doc
    if verb.i == 0 or verb.i + 1 >= len(doc) or not is_speech_verb(verb):
        return None
    before = doc[verb.i - 1]
    if not (before.is_quote or before.text == "," and verb.i > 1 and doc[verb.i - 2].is_quote):
        return None
    name = doc[verb.i + 1]
    if name.pos_ != "PROPN" or name.head != verb or name.dep_ in ("dobj", "dative", "iobj"):
        return None  # `"...," told Fox 35`: whom it was told to
    end = name
    while end.i + 1 < len(doc) and doc[end.i + 1].pos_ == "PROPN" and doc[end.i + 1].head in (name, verb, end):
        end = doc[end.i + 1]
    return end


def _object_controller(verb: Token) -> Token | None:
    """`prompted the board to state ...`, `urged voters to tell ...`: an infinitive after its
    head's object has that object as its subject (object control); `promise` keeps its own
    subject (`promised voters to say ...`)."""
    head = verb.head
    if verb.dep_ != "xcomp" or head == verb or head.pos_ != "VERB" or head.lemma_.lower() == "promise":
        return None
    return next((c for c in head.children if c.dep_ == "dobj" and c.i < verb.i and can_speak(c)), None)


def governing_subject(verb: Token, levels: int = 4) -> Token | None:
    """For a cue the parse left without a subject (`..., urging voters to ...`): the nearest
    subject up its chain of heads that can speak."""
    tok = verb
    for _ in range(levels):
        if tok.head == tok:
            return None
        tok = tok.head
        subject = subject_of_own(tok)
        if subject is not None and can_speak(subject):
            return subject
    return None


def _across_paragraphs(a: Token, b: Token) -> bool:
    """A subject in another paragraph than its verb is a parse across a heading or dateline."""
    lo, hi = sorted((a.i, b.i))
    return any("\n" in a.doc[i].text for i in range(lo + 1, hi))


def cue_extent(verb: Token) -> tuple[int, int]:
    """Char span of the cue words: the verb with its auxiliaries, negation and particle."""
    parts = [verb] + [c for c in verb.children if c.dep_ in CUE_PARTICLES and abs(c.i - verb.i) <= 3]
    lo = min(p.i for p in parts)
    hi = max(p.i for p in parts)
    doc = verb.doc
    return doc[lo].idx, doc[hi].idx + len(doc[hi].text)


def complement_tokens(verb: Token) -> list[Token]:
    """The clause a speech verb reports: its ccomp (or parataxis) subtree, minus nested cues'
    own sources and trailing attributions. When the parse gives the verb two such clauses, the
    one that opens right after it is the report (`The river rises; the mayor said the town needs
    a wall`): a clause of the writer's before it was hung on the verb by mistake."""
    same = _pro_form_object(verb)
    if same:
        return same
    comps = [
        c
        for c in verb.children
        if c.dep_ in ("ccomp", "parataxis")
        and not _across_paragraphs(c, verb)
        and not _colon_between(c, verb)
        and not _subjectless_past_after_phrase(c, verb)
        and not _object_after_instead(c, verb)
    ]
    if not comps:
        comps = [
            c
            for c in verb.children
            if c.dep_ == "xcomp" and c.i > verb.i and (verb.lemma_ not in ("say",) or _holds_clause(c))
        ]
    if not comps and verb.lemma_ == "say":  # `Aides say the more votes he wins, the more he gets`
        comps = [c for c in verb.children if c.dep_ == "dobj" and c.left_edge.i == verb.i + 1 and _holds_clause(c)]
    if not comps:
        comps = _stranded_that_clause(verb)
    if not comps:
        comps = _clause_hung_above(verb)
    if not comps:
        comps = _asked_question(verb)
    if not comps:
        answer = _pro_sentence(verb)
        return [answer] if answer is not None else []
    comp = next((c for c in comps if len(comps) > 1 and verb.i < c.left_edge.i <= verb.i + 2), comps[0])
    tokens = _asked(verb, comp) + list(comp.subtree) + _continuation(verb, comp)
    return _without_nested_attribution(comp, tokens)


def _object_after_instead(clause: Token, verb: Token) -> bool:
    """`Jo summed Bo up as "weak," denounced his record and ...`: a verb after a clause with an
    object of its own that is no one spoken to reports that object, not the clause before it
    (`The plan is dead, Jo told reporters` keeps its report: reporters can be told)."""
    return clause.i < verb.i and any(c.dep_ == "dobj" and c.i > verb.i and not can_speak(c) for c in verb.children)


def _subjectless_past_after_phrase(clause: Token, verb: Token) -> bool:
    """`said in an interview with Jo Roe aired Monday`: a past form with no subject of its own,
    after a phrase of the verb's, modifies that phrase; a reported clause has its own subject."""
    if clause.i < verb.i or clause.tag_ not in ("VBD", "VBN") or any(c.dep_ in SUBJECT_DEPS for c in clause.children):
        return False
    return any(not t.is_punct for t in verb.doc[verb.i + 1 : clause.left_edge.i])


def _colon_between(clause: Token, verb: Token) -> bool:
    """`The plan looked weak: Jo called it "a gamble"`: a clause ending on a colon before the verb
    is the writer's, which the sentence after the colon explains; a report before its verb is set
    off by a comma (`The plan is weak, Jo said`)."""
    doc = verb.doc
    return clause.i < verb.i and any(doc[k].text == ":" for k in range(clause.right_edge.i + 1, verb.i))


def _stranded_that_clause(verb: Token) -> list[Token]:
    """`said following a vote in 2001 that he had ...`, `told Jo at a debate that ...`: the parse
    hangs the reported clause on the last noun of the phrase between it and the verb, as a
    relative clause. A relative clause is opened by a pronoun, never by the complementiser "that"
    (a mark), so a "relative clause" marked by it is the verb's own complement, when only nouns
    and prepositions stand between them."""
    for child in verb.rights:
        if child.dep_ not in _STRANDING_DEPS:
            continue
        for tok in child.subtree:
            if tok.dep_ == "relcl" and has_that_mark(tok) and _hangs_by_nouns(tok.head, verb):
                return [tok]
    return []


def _clause_hung_above(verb: Token) -> list[Token]:
    """`after Jo told the Post he was "not ready" on it`: the parse hangs the reported clause, which
    opens right after the verb's own phrase with a subject and a tensed verb, on a verb higher up;
    a verb of saying with nothing of its own to report takes it back."""
    if not is_speech_verb(verb):
        return []
    doc = verb.doc
    k = verb.right_edge.i + 1
    if k >= len(doc) or doc[k].dep_ not in SUBJECT_DEPS or doc[k].pos_ not in ("PRON", "PROPN", "NOUN", "DET"):
        return []
    clause = doc[k].head
    if clause.i <= k or clause.tag_ not in _TENSED_TAGS and not any(c.dep_ == "aux" for c in clause.children):
        return []
    above = clause.head
    return [clause] if clause.dep_ in ("ccomp", "conj", "advcl") and verb in above.subtree and above != clause else []


def _asked_question(verb: Token) -> list[Token]:
    """`asked the students if they were serious`, `Asked whether he would run, ...`: a clause
    opened by "if" or "whether" after a verb of asking is the question asked (an embedded
    question, its complement), though the parse hangs it on the verb as an adverbial clause."""
    if verb.lemma_.lower() not in ASKING_VERBS:
        return []
    return [
        c
        for c in verb.rights
        if c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("if", "whether") for m in c.children)
    ][:1]


def _hangs_by_nouns(tok: Token, verb: Token) -> bool:
    """Whether the chain of heads from tok up to the verb runs through nouns and prepositions only."""
    while tok != verb:
        if tok.dep_ not in _STRANDING_DEPS or tok.pos_ not in _PHRASE_POS or tok.head == tok:
            return False
        tok = tok.head
    return True


def _pro_form_object(verb: Token) -> list[Token]:
    """`said the same of Sanders`, `says the opposite about the plan`, `said much the same thing`:
    a noun phrase standing for words already reported is the report, with what it is said of. A
    clause the parse hangs on the verb after it (`said the same, the poll found`) is a cue of its
    own, not the report. Before a colon it points ahead to the words after it (`said the same
    thing at every stop: "..."`), and those are the report."""
    for child in verb.rights:
        if child.dep_ in ("dobj", "npadvmod") and _is_pro_form(child):
            colon_after = any(t.text == ":" for t in verb.doc[verb.i + 1 : verb.sent.end])
            return [] if colon_after else list(child.subtree)
    return []


def _is_pro_form(noun: Token) -> bool:
    """`the same`, `the opposite`, `the same thing` (never `the same day`: a time, not words)."""
    kids = list(noun.children)
    if not any(c.dep_ == "det" and c.lower_ == "the" for c in kids):
        return False
    word = noun.lower_
    return word in PRO_FORMS or word == "thing" and any(c.dep_ == "amod" and c.lower_ in PRO_FORMS for c in kids)


def _pro_sentence(verb: Token) -> Token | None:
    """`said yes`, `said no`, `half said so`, `So says the chairman`: a word standing for a whole
    answer or clause is the report."""
    doc = verb.doc
    for k in (verb.i + 1, verb.i - 1):
        if 0 <= k < len(doc) and doc[k].head == verb and doc[k].lower_ in PRO_SENTENCES:
            if k > verb.i or doc[k].is_sent_start:
                return doc[k]
    return None


def _asked(verb: Token, comp: Token) -> list[Token]:
    """`urged voters to stay home`, `called on the board to resign`: the one asked is the subject of
    the infinitive the verb reports, and part of the report (`voters to stay home`)."""
    if comp.dep_ != "xcomp" or comp.i < verb.i:
        return []
    obj = next((c for c in verb.children if c.dep_ in ("dobj", "dative") and verb.i < c.i < comp.i), None)
    if obj is None:
        on = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ == "on" and verb.i < c.i < comp.i), None)
        obj = next((c for c in on.children if c.dep_ == "pobj"), None) if on is not None else None
    if obj is None or obj.left_edge.i <= verb.i:
        return []
    doc = verb.doc
    between = [doc[k] for k in range(obj.left_edge.i, comp.left_edge.i)]
    # quote marks around the one a verb of saying asks (`asked the "reporter" to join him`) do
    # not break the phrase
    marks_allowed = is_quote_verb(verb)
    return [] if any(t.is_punct and not (t.is_quote and marks_allowed) or t.is_space for t in between) else between


def _holds_clause(tok: Token) -> bool:
    """`said seeing so many officers there was a welcome sight`, `said legalizing it could create
    jobs`: a phrase the parse calls an xcomp (or the object) of "say" but that holds a finite verb
    (a tense, or a modal carrying it) with a subject of its own is a reported clause."""
    return any(
        t.pos_ in ("VERB", "AUX") and has_tense(t) and any(c.dep_ in SUBJECT_DEPS for c in t.children)
        for t in tok.subtree
    )


def _continuation(verb: Token, comp: Token) -> list[Token]:
    """`said X has "respect" for Y and his comment was Z`: a parse may hang the rest of the
    report on the cue verb; clauses after the complement that say nothing of their own go on
    it (a coordinated one only in a sentence with quote marks, where "and" rarely starts a new
    act of the source's)."""
    out: list[Token] = []
    pending: list[Token] = []
    for child in verb.rights:
        if child.i <= comp.right_edge.i:
            continue
        if child.dep_ in ("cc", "punct"):
            pending.append(child)
            continue
        last = (pending or out or [comp.right_edge])[-1]
        if child.left_edge.i != last.i + 1 or not _continues_report(child, comp):
            break
        out += pending + list(child.subtree)
        pending = []
    return out


def _continues_report(child: Token, comp: Token) -> bool:
    """A clause on the cue verb after its complement that is no report, aside or act of its own."""
    if child.dep_ not in CONTINUATION_DEPS or is_quote_verb(child) or _trailing_participle(child):
        return False
    return child.dep_ != "conj" or quotes_in(comp.sent) or _marked_that(child)


def has_that_mark(clause: Token) -> bool:
    """Whether the clause is introduced by the complementiser "that" (`that the plan failed`)."""
    return any(c.dep_ == "mark" and c.lower_ == "that" for c in clause.children)


def _marked_that(clause: Token) -> bool:
    """`said that A, but that B`: a conjunct with a "that" of its own is a second reported clause
    of the same verb, not a new act of the source's."""
    first = clause.left_edge
    if first.lower_ != "that" or first.i >= clause.i:
        return False
    # the parse may read "that overtime pay would ..." as a determiner: the clause's subject decides
    return first.dep_ == "mark" or (
        first.dep_ == "det" and first.head.dep_ in SUBJECT_DEPS and first.head.head == clause
    )


def _without_nested_attribution(comp: Token, tokens: list[Token]) -> list[Token]:
    """Drop clauses inside the content that start a new attribution ("..., although he said ...")."""
    drop: set[int] = set()
    for t in comp.children:
        if t.dep_ == "conj" and (_matrix_predicate(t) or _tense_breaks(t) or _second_report(t, comp)):
            drop.update(x.i for x in t.subtree)
            drop.update(c.i for c in comp.children if c.dep_ == "cc" and c.i < t.i)
    for t in comp.children:
        if _trailing_participle(t):
            drop.update(x.i for x in t.subtree)
    for t in tokens:
        if t != comp and _nested_relative_report(t):
            drop.update(x.i for x in t.subtree)
        if t == comp or t.dep_ not in ("advcl", "conj"):
            continue
        if is_speech_verb(t) and (subject_of_own(t) is not None or _trailing_participle(t)) and not _marked_that(t):
            drop.update(x.i for x in t.subtree)
            for m in t.children:
                if m.dep_ in ("mark", "cc"):
                    drop.add(m.i)
    kept = [t for t in tokens if t.i not in drop]
    return _contiguous_around(kept, comp)


def _second_report(conj: Token, comp: Token) -> bool:
    """`said he would X and warned against Y`: a verb of saying joined to the report's verb after
    it is a second report by the same source, unless "that" opens it or its form ties it to the
    report."""
    return is_speech_verb(conj) and conj.i > comp.i and not _marked_that(conj) and not _parallel_to_report(conj, comp)


def _parallel_to_report(conj: Token, comp: Token) -> bool:
    """`arguing that it showed "intent" and indicated Jo may have ...`, `says he'd sit Jo down and
    tell him "..."`: a subjectless verb of saying joined to the report's verb in that verb's form
    (sharing its auxiliary, or with one of the same form), when the cue's tense is another, can
    only be coordinated with the report (an -ing cue is not coordinated with a past tense): it
    goes on the report."""
    cue = comp.head
    if cue.pos_ not in ("VERB", "AUX") or subject_of_own(conj) is not None or conj.tag_ != comp.tag_:
        return False
    tense = _finite(comp).tag_
    return _finite(conj).tag_ in (conj.tag_, tense) and tense != _finite(cue).tag_


def _finite(verb: Token) -> Token:
    """The word that carries a verb's tense: its first auxiliary before it, else the verb."""
    auxiliaries = [c for c in verb.children if c.dep_ in ("aux", "auxpass") and c.i < verb.i]
    return auxiliaries[0] if auxiliaries else verb


def has_tense(verb: Token) -> bool:
    """Whether the verb heads a finite clause (`she said`, `he has said`, `they will say`), not an
    infinitive or participle (`to counter`, `saying`)."""
    return _finite(verb).tag_ in _TENSED_TAGS


def quotes_in(tokens: Iterable[Token]) -> bool:
    """Whether a double quote mark stands among the tokens (apostrophes do not count)."""
    return any(t.is_quote and t.text not in ("'", "’") for t in tokens)


def _nested_relative_report(tok: Token) -> bool:
    """`..., who he blasted as "a bully"`: a relative clause after a comma that reports words of
    its own is a second attribution, not part of this one."""
    return tok.dep_ == "relcl" and is_quote_verb(tok) and _after_comma(tok) and subject_of_own(tok) is not None


def _after_comma(tok: Token) -> bool:
    """The phrase headed by tok follows a comma (`, who`; `,” claiming`)."""
    k = tok.left_edge.i - 1
    if k >= 0 and tok.doc[k].is_quote:
        k -= 1
    return k >= 0 and tok.doc[k].text == ","


def _trailing_participle(tok: Token) -> bool:
    """`..., implicitly putting his name on the line`: a comment of the writer's after a comma."""
    if tok.dep_ not in ("advcl", "xcomp") or tok.tag_ != "VBG" or tok.i < tok.head.i:
        return False
    return _after_comma(tok)


def _matrix_predicate(verb: Token) -> bool:
    """`confirmed that X but had little hope`: a finite, subjectless conjunct after "but"
    belongs to the reporting clause when "that" closed the report off as a clause of its own;
    without it (`said Jo didn't stay but left`) the conjunct shares the report's subject."""
    finite = verb.tag_ in _FINITE_TAGS
    contrast = any(c.lower_ == "but" for c in verb.head.children if c.dep_ == "cc" and c.i < verb.i)
    marked = has_that_mark(verb.head)
    return finite and contrast and marked and subject_of_own(verb) is None


def _tense_breaks(verb: Token) -> bool:
    """`said she admires his resolve and praised his record`: a subjectless past-tense conjunct
    cannot share the report's verb when that verb is not in the past (present, base form,
    infinitive or modal); in the past tense of a past-tense cue it is the source's next act."""
    report, cue = verb.head, verb.head.head
    if verb.tag_ != "VBD" or cue.tag_ != "VBD" or subject_of_own(verb) is not None or verb.i < report.i:
        return False
    if quotes_in(verb.subtree):
        return False
    return _finite(report).tag_ in _NON_PAST_TAGS


def _contiguous_around(tokens: list[Token], anchor: Token) -> list[Token]:
    """The unbroken run of token indices that contains the anchor."""
    idx = sorted(t.i for t in tokens)
    if anchor.i not in idx:
        return []
    pos = idx.index(anchor.i)
    lo = hi = pos
    while lo > 0 and idx[lo - 1] == idx[lo] - 1:
        lo -= 1
    while hi + 1 < len(idx) and idx[hi + 1] == idx[hi] + 1:
        hi += 1
    doc = anchor.doc
    return [doc[i] for i in range(idx[lo], idx[hi] + 1)]


def object_tokens(verb: Token) -> list[Token]:
    """Everything the verb governs to its right, up to the end of its clause, less trailing
    settings ("on Monday", "in a statement") and a trailing non-restrictive relative clause."""
    # a noun the parse conjoins to the verb itself coordinates with its object (`called the
    # governor "X" and someone who had "Y"`)
    rights = [
        c
        for c in verb.rights
        if c.dep_ in OBJECT_DEPS
        or c.dep_ == "conj"
        and c.pos_ in ("NOUN", "PROPN", "PRON")
        or _purpose_of_object(c)
        or for_to_clause(c)
    ]
    if verb.lemma_.lower() in ADDRESSEE_VERBS:
        rights = [c for c in rights if c.dep_ != "prep" or c.lower_ in _TOPIC_PREPS]
    while rights and _is_setting(rights[-1]) and len(rights) > 1:
        rights.pop()
    if len(rights) == 1 and rights[0].dep_ == "prep" and rights[0].lower_ in _SETTING_PREPS:
        return []
    if not rights:
        return []
    doc = verb.doc
    lo = rights[0].left_edge.i
    hi = max(c.right_edge.i for c in rights)
    word = _cue_word(rights[0])
    if word is not None and word.i == lo:
        lo += 1  # `called for a repeal`, `called for the chief to resign`: "for" belongs to the cue
    hi = min([hi] + [k - 1 for k in _second_predicates(doc, lo, hi)])
    if word is not None and word.dep_ == "mark":  # `called for the files to be public — even ...`: an aside
        hi = min([hi] + [k - 1 for k in range(lo, hi + 1) if _is_dash(doc[k])])
    return without_trailing_aside([doc[i] for i in range(lo, hi + 1)])


def for_to_clause(child: Token) -> bool:
    """`called for the chief to resign`: a "for ... to" clause right after the verb is what was
    called for (the parse makes it an adverbial clause with "for" as its mark)."""
    if child.dep_ != "advcl" or child.i < child.head.i:
        return False
    first = child.left_edge
    return (
        first.dep_ == "mark"
        and first.lower_ == "for"
        and first.head == child
        and first.i == child.head.i + 1
        and any(c.dep_ == "aux" and c.tag_ == "TO" for c in child.children)
    )


def _purpose_of_object(child: Token) -> bool:
    """`announced $1 billion in funds to help states`: an infinitive right after the verb's object
    says what the object is for, and the report keeps it (the parse hangs it on the verb)."""
    if child.dep_ not in ("advcl", "xcomp") or not any(c.dep_ == "aux" and c.tag_ == "TO" for c in child.children):
        return False
    head = child.head
    before = child.doc[child.left_edge.i - 1] if child.left_edge.i > 0 else None
    obj = next((c for c in head.children if c.dep_ == "dobj"), None)
    return obj is not None and before is not None and before.i == obj.right_edge.i and not before.is_punct


def _second_predicates(doc: Doc, lo: int, hi: int) -> list[int]:
    """`called it "shameful" and called on leaders to ...`: a finite verb conjoined to a word of
    the object phrase is a second predicate of the subject that the parse hung on the object;
    the report stops before it (and before the conjunction that joins it)."""
    out = []
    for k in range(lo, hi + 1):
        tok = doc[k]
        if tok.dep_ == "conj" and tok.tag_ in _FINITE_TAGS and tok.head.pos_ not in ("VERB", "AUX"):
            joins = [c.i for c in tok.head.children if c.dep_ in ("cc", "punct") and c.i < tok.i]
            out.append(min([tok.left_edge.i] + [j for j in joins if j > tok.head.i]))
    return out


def _is_setting(child: Token) -> bool:
    """A trailing phrase on the verb saying when, where or how it was said (`on Monday`, `during
    a rally`, `in a statement`, `through a spokeswoman`: the person who passed it on), not part of
    what was said (`in response to the tests`)."""
    if child.dep_ != "prep" or child.lower_ not in _SETTING_PREPS:
        return False
    if child.lower_ not in _CONTENT_PREPS:
        return True
    objs = [g for g in child.children if g.dep_ == "pobj"]
    if objs and child.lower_ == "through" and (is_person_noun(objs[0]) or objs[0].ent_type_ == "PERSON"):
        return True
    return bool(objs) and (objs[0].ent_type_ in ("DATE", "TIME") or objs[0].lemma_.lower() in OCCASIONS)


def cue_preposition(verb: Token) -> Token | None:
    """The preposition that completes a phrasal cue (`called for`, `spoke of`, `warned against`)."""
    rights = [c for c in verb.rights if c.dep_ in OBJECT_DEPS or for_to_clause(c)]
    return _cue_word(rights[0]) if rights else None


def _cue_word(first: Token) -> Token | None:
    """The word a verb's first dependent to its right lends the cue: a cue preposition itself, or
    the "for" that marks a for-to clause; None when it lends none."""
    if first.dep_ == "prep" and first.lower_ in CUE_PREPOSITIONS:
        return first
    return first.left_edge if for_to_clause(first) else None


# Conjunctions that open a concessive clause: the writer's comment, not part of the report.
CONCESSIVE_MARKS = frozenset({"though", "although", "while", "whereas"})


def without_trailing_aside(tokens: list[Token], concessive: bool = True) -> list[Token]:
    """Cut the writer's aside that closes a report after a comma or a dash: a non-restrictive
    relative clause (`, which ...`, `, who ...`), an "as" clause with no subject before its verb
    (`, as have her rivals`), (unless `concessive` is off) a concessive clause (`, though it cost
    him ...`) or, in a report without quote marks, a sentence appositive, an
    indefinite noun phrase commenting on what was said (`- a move that could split the party`)."""
    end = len(tokens)
    while end and tokens[end - 1].is_punct:
        end -= 1
    quoted = quotes_in(tokens)
    for k in range(1, end - 1):
        if tokens[k].text != "," and not _is_dash(tokens[k]):
            continue
        rest = tokens[k + 1 : end]
        inside = {t.i for t in rest}
        heads = [t for t in rest if t.head.i not in inside or t.head == t]
        if len(heads) == 1 and (
            _is_aside(heads[0], rest[0], concessive) or not quoted and _sentence_appositive(heads[0], rest[0])
        ):
            return tokens[:k]
    return tokens


def _is_dash(tok: Token) -> bool:
    """A dash between words (`—`, `--`, a spaced `-`), not the hyphen inside one (`anti-war`)."""
    return tok.text in ("—", "–", "--") or tok.text == "-" and tok.i > 0 and bool(tok.doc[tok.i - 1].whitespace_)


def _sentence_appositive(head: Token, first: Token) -> bool:
    """`..., a move that surprised few`: an indefinite noun phrase, not one of a list (`X, a Y, and
    a Z`), after a whole report is the writer's comment on it."""
    return head.pos_ in ("NOUN", "PROPN") and first.lower_ in ("a", "an") and head.dep_ != "conj"


def _is_aside(head: Token, first: Token, concessive: bool = True) -> bool:
    """A relative clause, an "as" clause with no subject before its verb (`, as have her rivals`,
    `, as is customary`, `, as mentioned above`: the writer comparing, not the source speaking)
    or a concessive clause."""
    if first.lower_ in ("which", "who", "whom", "whose"):
        return head.dep_ == "relcl" or head.pos_ in ("VERB", "AUX") and first.head == head
    if first.lower_ == "as" and first.dep_ == "mark" and first.head == head:
        return not any(c.dep_ in SUBJECT_DEPS and c.i < head.i for c in head.children)
    if head.dep_ == "advcl" and concessive:
        return any(c.dep_ == "mark" and c.lower_ in CONCESSIVE_MARKS for c in head.children)
    return False


def is_speech_noun(token: Token) -> bool:
    if token.pos_ != "NOUN":
        return False
    lemma = token.lemma_.lower()
    return lemma in SPEECH_NOUNS or lemma in QUOTING_SPEECH_NOUNS and _quoting_that_clause(token)


def _quoting_that_clause(noun: Token) -> bool:
    """`Roe's assertion that the plan was "dead on arrival"`: a "that" clause of the noun holding
    words in double quote marks (paired apostrophes do not count)."""
    return any(
        c.dep_ in ("acl", "ccomp") and has_that_mark(c) and any(t.is_quote and "'" not in t.text for t in c.subtree)
        for c in noun.rights
    )


def noun_cues(sent: Span, words: Sequence[Token]) -> list[Cue]:
    """`Trump's claim that X`, `his call to X`, `her remarks about X`: a noun of saying with a
    "that" clause, a "to" clause or a topic phrase; the source is its possessor, or the subject
    of the verb it is the object of (`the mayor made the promise to X`). `words`: the sentence's
    tokens that may be one (`noun_cue_words`)."""
    out = []
    for tok in words:
        if tok.lemma not in SPEECH_NOUN_LEMMAS or not is_speech_noun(tok):
            continue
        content, end = _noun_report(tok)
        if content:
            out.append(Cue(tok, tok.idx, end, _noun_source(tok), content))
    return out


def _noun_report(noun: Token) -> tuple[list[Token], int]:
    """What a noun of saying reports (its tokens) and where its cue words end."""
    end = noun.idx + len(noun.text)
    for child in noun.rights:
        marks = {c.lower_ for c in child.children if c.dep_ in ("mark", "aux")}
        if child.dep_ in ("acl", "ccomp") and marks & {"that", "to"}:
            return list(child.subtree), end
        if child.dep_ == "prep" and child.lower_ in _NOUN_TOPIC_PREPS and child.i == noun.i + 1:
            objs = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if objs:
                return list(objs[0].subtree), child.idx + len(child.text)
    return [], end


def _noun_source(noun: Token) -> Token | None:
    """Who made the claim: the noun's possessor (`Roe's claim`), the agent of the act it names
    (`the promise by Roe to ...`) or whoever issued it (`issuer`)."""
    owner = next((c for c in noun.children if c.dep_ == "poss"), None)
    if owner is not None:
        return owner
    by = next((c for c in noun.rights if c.dep_ == "prep" and c.lower_ == "by"), None)
    agent = next((c for c in by.children if c.dep_ == "pobj"), None) if by is not None else None
    if agent is not None:
        return agent
    source = issuer(noun)
    return None if source == noun else source


def according_to_cues(sent: Span, words: Sequence[Token]) -> list[Cue]:
    """`according to X, ...` / `..., according to X.`: content is the clause the phrase modifies.
    `words`: the sentence's tokens that may open one (`cue_words`)."""
    out = []
    for tok in words:
        if tok.lower != _ACCORDING:
            continue
        to = next((c for c in tok.children if c.lower_ == "to"), None)
        if to is None and tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].lower_ == "to":
            to = tok.doc[tok.i + 1]
        if to is None:
            continue
        objs = [c for c in to.children if c.dep_ == "pobj"]
        source = objs[0] if objs else None
        phrase = {x.i for x in tok.subtree} | {to.i} | {x.i for x in to.subtree}
        content = [t for t in sent if t.i not in phrase]
        head = tok.head if tok.head != tok else sent.root
        content = _contiguous_around(content, head) if head.i not in phrase else content
        out.append(Cue(tok, tok.idx, to.idx + len(to.text), source, content))
    return out
