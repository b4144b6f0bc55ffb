"""Who is speaking: the mention as written, and which person in the article it is.

A small per-article registry stands in for coreference: names merge on their
surname, definite descriptions ("the official") go back to the latest person
described the same way, indefinite ones ("an official from X") introduce someone
new, and pronouns go to the nearest compatible person, preferring subjects.

The article's own evidence decides: a gender comes from an honorific, a gendered noun
beside the name or an unambiguous he/she outside quotes; a definite description with no
unnamed antecedent ("the judge", "the 29-year-old") goes to a named person (by a role or
age the article gave them, else the nearest, or the first named for an age); a
spokesperson's words are their organisation's; "the ministry" goes to the organisation
named with that noun; people and pronouns inside quotation marks are no one's antecedent.

Salience and agreement rather than word lists: candidates are ranked by their latest mention, not
their first (a surname goes to the Walsh met last, and a capitalised subject the tagger misread is
still that person's mention); "he"/"she" with nobody fitting nearby goes to the latest named person
of that gender; a description keeps its modifiers ("the senior diplomat" is not "one diplomat from
a northern state", "the deputy mayor" is whoever was called the deputy); an organisation named in
apposition speaks in its role ("the race organiser, Atlantic Rowing Events"); a name NER took for an
organisation is a person when the grammar says so (apposition to a noun only people are, a he/she
only it can bind); a story that opens on someone described and names them next ("A 62-year-old
grandmother ... . Bernadette Walsh set off") has one person; a newspaper speaks for itself; two
people never share one id; "the Brazilian" is the person the article gave that nationality; a lone
given name is the one person who has it; a name in apposition to a subject is a subject; and a
speaking he/she whose nearest candidates are only objects goes back to the latest subject who has
already spoken (a speaker goes on speaking).

Descriptions resolve by the grammar that introduced the person: a title before the name (with
abbreviations read as their role nouns, "Sen." a senator), an appositive, a copula or a role verb
("who chairs" makes the chairman) and an age beside the name ("Quintero, 61,") give roles, and "the
senator", "the 61-year-old" or "the world champion" go to the latest person given that role, one
not holding it "former"ly; the same words tell a person from an organisation when NER did not
("Chief Executive Thabo Nkosi", "the utility Baltyk Energia", "Business Day, the newspaper"). An
organisation noun stands for an organisation of its kind named in any role before it ("the agency"
after "the Food and Drug Administration's tobacco office"; "the police" is not the court).
"""

from __future__ import annotations

import bisect
import functools
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import numpy
from spacy.attrs import DEP, ENT_TYPE, LOWER, ORTH, POS
from spacy.symbols import NOUN, PROPN
from spacy.tokens import Doc, Span, Token

from pipeline.entities.given_names import given_name_gender, name_gender
from pipeline.entities.mentions import SURNAME_PARTICLES, hyphen_joins_name
from pipeline.entities.names import STRONG_ORG_HEADS, WEAK_ORG_HEADS, age_after, label_from_head, post_nominal_tail
from pipeline.nlp.reporting_verbs import ASKING_VERBS
from pipeline.quotes.marks import QuotedSpan, find_quoted_spans, paragraph_before
from pipeline.records import Entity, EntityCluster, Speaker

T = TypeVar("T")

PRONOUN_GENDER = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "hers": "f"}
PLURAL_PRONOUNS = frozenset({"they", "them", "their", "we", "us"})
SPEAKER_PRONOUNS = frozenset(PRONOUN_GENDER) | PLURAL_PRONOUNS | {"it", "i", "you"}
RELATIVE_PRONOUNS = frozenset({"who", "which", "that"})
HONORIFIC_GENDER = {
    "mr": "m",
    "mr.": "m",
    "sir": "m",
    "mrs": "f",
    "mrs.": "f",
    "ms": "f",
    "ms.": "f",
    "miss": "f",
    "madam": "f",
    "dame": "f",
    "lady": "f",
}
GENDERED_NOUNS = {
    "man": "m",
    "father": "m",
    "husband": "m",
    "son": "m",
    "brother": "m",
    "king": "m",
    "boy": "m",
    "uncle": "m",
    "grandfather": "m",
    "nephew": "m",
    "businessman": "m",
    "grandson": "m",
    "stepfather": "m",
    "stepson": "m",
    "widower": "m",
    "boyfriend": "m",
    "fiance": "m",
    "groom": "m",
    "dad": "m",
    "prince": "m",
    "duke": "m",
    "monk": "m",
    "woman": "f",
    "mother": "f",
    "wife": "f",
    "daughter": "f",
    "sister": "f",
    "queen": "f",
    "girl": "f",
    "aunt": "f",
    "grandmother": "f",
    "niece": "f",
    "actress": "f",
    "businesswoman": "f",
    "granddaughter": "f",
    "stepmother": "f",
    "stepdaughter": "f",
    "widow": "f",
    "girlfriend": "f",
    "fiancee": "f",
    "fiancée": "f",
    "bride": "f",
    "mum": "f",
    "mom": "f",
    "princess": "f",
    "duchess": "f",
    "nun": "f",
    "waitress": "f",
    "heroine": "f",
}
# A few frequent given names, so that "she" can skip a nearer man.
GIVEN_NAME_GENDER = {
    **dict.fromkeys(
        """hillary chelsea melania ivanka kellyanne nancy elizabeth angela theresa marine
        sarah mary susan karen linda patricia jennifer maria lisa michelle barbara margaret anna laura
        emily jessica ashley amanda donna carol ruth sharon deborah julie kelly rachel catherine
        christine heather diane alicia loretta huma hope jill debbie kamala condoleezza madeleine
        samantha jane ann anne helen kate claire emma olga tulsi nikki""".split(),
        "f",
    ),
    **dict.fromkeys(
        """donald barack bill mike michael john james robert david richard joseph thomas
        charles christopher daniel paul mark george steven kevin brian edward ronald anthony jeff
        jeffrey gary tim timothy jason ryan eric stephen larry scott frank raymond gregory joe
        bernie ted marco chris rudy newt paul mitch harry jim tom vladimir recep tayyip mevlut
        bashar francois emmanuel boris justin xi ben reince rex sean steve jared corey""".split(),
        "m",
    ),
}
# The person nouns that name a team of people speaking as one.
COLLECTIVE_SPEAKERS = frozenset({"campaign", "people", "officials"})
# Nouns that describe people (beyond the suffix rule in `is_person_noun`).
PERSON_NOUNS = frozenset(
    """
official source spokesman spokeswoman spokesperson aide adviser advisor minister president senator
governor candidate nominee lawmaker diplomat fighter rebel commander leader chief expert analyst
economist witness resident activist politician representative secretary ambassador envoy
director manager chairman chairwoman judge lawyer attorney prosecutor officer soldier general
colonel doctor professor scientist student teacher voter supporter critic member person people
man woman official officials host anchor journalist reporter correspondent editor author
executive strategist pollster consultant surrogate staffer campaign mayor congressman
congresswoman delegate emissary negotiator mediator militant insurgent resident student agent
assistant consultant attendant participant employee trustee appointee lieutenant sergeant immigrant
migrant applicant claimant defendant plaintiff protester protestor nurse victim survivor coach captain
neighbour neighbor
""".split()
)
# Agent-noun endings (fighter, senator, analyst, politician, spokesman) and the common
# things that share them, which are not people.
_PERSON_SUFFIXES = ("er", "or", "ist", "ian", "man", "woman")
_NOT_PERSON_NOUNS = frozenset(
    """
letter paper number order border poster sector factor error mirror computer center centre
matter water power corner chapter quarter minor filter cover layer folder
register newspaper tower monitor counter shelter trailer chamber monster charter
""".split()
)
# Common nouns that stand for an organisation ("the ministry", "the company said"): the entity
# stage's organisation heads and the generic ones, which any organisation of the article can take.
GENERIC_ORG_NOUNS = frozenset(
    {
        "company",
        "firm",
        "group",
        "corporation",
        "carmaker",
        "maker",
        "lender",
        "operator",
        "airline",
        "carrier",
        "utility",
    }
)
# Nouns any kind of organisation can be called, whatever its name ("the agency": the FDA, named earlier).
ANY_ORG_NOUNS = GENERIC_ORG_NOUNS | {"agency", "organisation", "organization", "body", "regulator"}
# Kinds of organisation that are not one another, nor a company ("the police said" is not the court).
DISTINCT_ORG_KINDS = frozenset(
    """police court tribunal ministry government parliament senate congress union party university
    hospital church army navy embassy council municipality""".split()
)
# Words that mark an organisation's name as a publication's ("the newspaper": the Financial Times, not the
# carmaker it reported on).
PRESS_WORDS = frozenset(
    """times post herald journal tribune news daily gazette telegraph guardian mail nation observer
    standard independent chronicle economist mirror express monde zeitung spiegel pais""".split()
)
# A publication speaks for itself ("the newspaper said in an editorial"): the latest organisation met.
PUBLICATION_NOUNS = frozenset({"newspaper", "paper", "daily", "magazine", "broadcaster", "tabloid", "weekly"})
ORG_NOUNS = (
    STRONG_ORG_HEADS
    | GENERIC_ORG_NOUNS
    | PUBLICATION_NOUNS
    | DISTINCT_ORG_KINDS  # "the hospital said": every kind of organisation the article can tell apart
    | {"union", "government", "police", "court", "bank", "station", "team", "club", "charity", "force"}
)
# Another word for a kind of organisation: "the force said" of Avon and Somerset Police.
_KIND_NAMES = {"force": "police", "constabulary": "police"}
# People who speak for an organisation: their words are its words.
SPOKES_NOUNS = frozenset({"spokesman", "spokeswoman", "spokesperson"})
# Descriptions that stand for someone unnamed by nature, not for a person named earlier.
ANONYMOUS_NOUNS = SPOKES_NOUNS | {"official", "source", "person", "people", "aide"}
# An age given beside a name ("Rosa Quintero, 61,", `names.age_after`) makes her "the 61-year-old".
_AGE = re.compile(r"\b\d+-year-old\b")
# Titles written short before a name, and the role nouns a later description calls the person by
# ("Sen. Ada Park ... the senator said", "Dr. Leah Brandt ... the doctor said").
TITLE_ROLES: dict[str, frozenset[str]] = {
    abbr: frozenset(roles.split())
    for abbrs, roles in [
        ("sen. sen", "senator lawmaker"),
        ("gov. gov", "governor"),
        ("rep. rep", "representative congressman congresswoman lawmaker"),
        ("dr. dr", "doctor"),
        ("prof. prof", "professor"),
        ("gen. gen", "general"),
        ("col. col", "colonel"),
        ("lt. lt", "lieutenant"),
        ("sgt. sgt", "sergeant"),
        ("capt. capt", "captain"),
        ("det. det", "detective"),
        ("insp. insp", "inspector"),
        ("supt. supt", "superintendent"),
        ("amb. amb", "ambassador"),
        ("atty. atty", "attorney lawyer"),
        ("rev. rev", "reverend"),
        ("pres. pres", "president"),
    ]
    for abbr in abbrs.split()
}
# Kinds of name a role is held at: "the Fenwick manager", "the Florida senator".
AFFILIATION_KINDS = frozenset({"ORG", "GPE"})
_COPULAS = frozenset({"be", "become", "remain"})
# Verbs of saying that presuppose the subject spoke before ("he added", "she continued").
CONTINUING_VERBS = frozenset({"add", "continue"})
# Verbs that take a turn in an exchange: their speaker answers whoever spoke last.
REPLYING_VERBS = frozenset({"reply", "retort", "counter", "respond", "answer", "rejoin"})
# What a verb makes its subject: "Amir Khan, who chairs the committee" ... "the chairman said".
VERB_ROLES: dict[str, frozenset[str]] = {
    verb: frozenset(roles.split())
    for verb, roles in [
        ("chair", "chair chairman chairwoman chairperson"),
        ("head", "head chief"),
        ("lead", "leader head"),
        ("coach", "coach"),
        ("manage", "manager"),
        ("direct", "director"),
        ("edit", "editor"),
        ("own", "owner"),
        ("found", "founder"),
        ("represent", "representative lawyer"),
        ("captain", "captain"),
        ("govern", "governor"),
        ("command", "commander"),
        ("teach", "teacher"),
        ("train", "trainer coach"),
        ("advise", "adviser advisor"),
        ("organise", "organiser"),
        ("organize", "organizer"),
    ]
}
_FORMER = frozenset({"former", "ex", "onetime", "retired"})
_INDEFINITE = frozenset({"a", "an", "another", "one", "some", "several", "two", "three", "many"})
_BREAKS = frozenset({",", "(", "—", "–", "―", "--", ";", ":"})
_NOT_SOURCES = frozenset({"TIME", "DATE"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
_CUT_DEPS = frozenset({"relcl", "acl", "appos", "punct", "cc", "conj", "advcl"})


@dataclass(slots=True)
class Person:
    """One speaker (or candidate speaker) of the article."""

    key: int
    name: str
    named: bool
    head: str  # lemma of the describing noun or the surname
    surname: str | None = None
    title: str | None = None
    gender: str | None = None
    name_gender: str | None = None  # the usual gender of the first name: a prior the article's evidence beats
    plural: bool = False
    human: bool = True  # a person rather than an organisation, a document or a thing
    org: bool = False  # an organisation, named or described, that can speak
    entity_id: str | None = None
    id: str | None = None
    tokens: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)  # what the article calls them: "coach", "chief", "29-year-old"
    words: set[str] = field(default_factory=set)  # every word of the phrases naming them ("of", "nebraska")
    # where their role is held, by kind of name: ("ORG", "northgate") of "Northgate manager Ian Barker"
    affiliation: set[tuple[str, str]] = field(default_factory=set)


@dataclass(slots=True)
class Mention:
    """A noun phrase in the text that refers to a Person."""

    start: int
    end: int
    text: str
    person: Person
    subject: bool
    sent_start: int
    voice: str | None = None  # a spokesperson's gender ("x" unknown): "she" may stand for her organisation
    owner: bool = False  # the possessor of its clause's subject ("Lisa Carter's son was sent home")


def mention_tokens(head: Token) -> list[Token]:
    """The noun phrase of a source head, cut before commas, relative clauses and appositions,
    and after any line break or dash before it (datelines and timestamps are not the source)."""
    doc = head.doc
    left = head.left_edge.i
    right = head.i
    described = _is_group_pronoun(head)  # `those surveyed`, `those who back her`: the clause describes
    for child in head.rights:
        if child.text in _BREAKS or child.dep_ in _CUT_DEPS and not (described and child.dep_ in ("acl", "relcl")):
            break
        right = max(right, child.right_edge.i)
    for i in range(head.i - 1, left - 1, -1):
        if _is_break(doc[i]):
            left = i + 1
            break
    toks = [doc[i] for i in range(left, right + 1)]
    cut = next((k for k, t in enumerate(toks) if t.i > head.i and _is_break(t)), None)
    if cut is not None:
        toks = toks[:cut]
    while toks and not _wordy(toks[0]):
        toks = toks[1:]
    while toks and not _wordy(toks[-1]):
        toks = toks[:-1]
    return toks or [head]


def _is_break(tok: Token) -> bool:
    """A comma, bracket, dash or line break; a hyphen standing alone between spaces is a dash
    (`NAIROBI - Kenya's biggest operator`: the dateline is not the source)."""
    if tok.text in _BREAKS or "\n" in tok.text:
        return True
    return tok.text == "-" and bool(tok.whitespace_) and tok.i > 0 and bool(tok.doc[tok.i - 1].whitespace_)


def joins_name_parts(tok: Token) -> bool:
    """A mark inside one name: a hyphen written tight between two of its parts ("Mei-Ling",
    "Pryce-Llewellyn"), or a plural possessive before a capitalised word ("Rail Workers' Union"),
    which the tagger may take for a closing quote when it is curly ("Rail Workers’ Union")."""
    if tok.text == "-":
        return hyphen_joins_name(tok)
    doc = tok.doc
    if not 0 < tok.i < len(doc) - 1 or not doc[tok.i + 1].text[:1].isupper():
        return False
    return (
        tok.text in ("'", "’")
        and (tok.tag_ == "POS" or not doc[tok.i - 1].whitespace_ and bool(tok.whitespace_))
        and doc[tok.i - 1].lower_.endswith("s")
        and doc[tok.i + 1].pos_ == "PROPN"
    )


def _is_group_pronoun(tok: Token) -> bool:
    """`those`, `some`, `many`, `most`, `both`, `others`: a pronoun that describes a group of its
    own rather than pointing back at someone named."""
    return (
        tok.pos_ == "PRON"
        and tok.lower_ not in SPEAKER_PRONOUNS
        and tok.lower_ not in RELATIVE_PRONOUNS
        and tok.tag_ in ("DT", "NN", "NNS", "JJ", "RB")
    )


def _wordy(tok: Token) -> bool:
    """Has a letter or digit: edge tokens without one (`">`, quote marks) are not the mention."""
    return any(ch.isalnum() for ch in tok.text)


def _person_inside(head: Token) -> Token | None:
    """`12:15 p.m. Donald Trump said`: the person the parser hung under a timestamp."""
    below = {t.i for t in head.subtree}
    for ent in head.doc.ents:
        if ent.label_ == "PERSON" and ent.start > head.i and ent.end - 1 in below:
            return ent[-1]
    return None


def is_source_like(head: Token) -> bool:
    """Times and dates that the parser took for a subject are no one; an age ("the 62-year-old",
    which NER often calls a date) or a man or woman ("the Dutchwoman, who is in her first season":
    NER ran the date on over her) is someone."""
    return head.ent_type_ not in _NOT_SOURCES or _is_age(head) or _man_or_woman(head)


def _man_or_woman(tok: Token) -> bool:
    """A word for a man or a woman by its ending (`Dutchwoman`, `Frenchman`, `chairman`)."""
    return tok.lower_.endswith(("man", "woman"))


def _is_age(head: Token) -> bool:
    """`old` closing `N-year-old`."""
    return head.lower_ == "old" and head.i >= 2 and head.doc[head.i - 2].lower_ in ("year", "years")


def is_person_noun(token: Token) -> bool:
    lemma = token.lemma_.lower()
    if lemma in PERSON_NOUNS or lemma in GENDERED_NOUNS:
        return True
    return (
        token.pos_ == "NOUN" and lemma.endswith(_PERSON_SUFFIXES) and len(lemma) > 4 and lemma not in _NOT_PERSON_NOUNS
    )


def is_org_noun(token: Token) -> bool:
    """A common noun that stands for an organisation ("the ministry", "the company"); written in
    lower case, it is a common noun whatever the tagger said ("a council spokesman")."""
    return (token.pos_ == "NOUN" or token.pos_ == "PROPN" and token.is_lower) and token.lemma_.lower() in ORG_NOUNS


def _gender_of(toks: Iterable[Token]) -> str | None:
    """The gender an honorific or a gendered noun in a mention gives (`Mrs.`, `mother of two`)."""
    for tok in toks:
        gender = HONORIFIC_GENDER.get(tok.lower_) or GENDERED_NOUNS.get(tok.lemma_.lower())
        if gender:
            return gender
    return None


def can_speak(tok: Token) -> bool:
    """A noun phrase head that can say things: a person, an organisation, a pronoun, a person noun."""
    if tok.ent_type_ in ("PERSON", "ORG", "NORP", "GPE"):
        return True
    if tok.pos_ == "PRON":
        return tok.lower_ in ("he", "she", "they", "who", "i", "we")
    return tok.pos_ == "PROPN" and tok.ent_type_ not in _NOT_SOURCES or is_person_noun(tok)


def subject_of_own(verb: Token) -> Token | None:
    """The verb's own subject, if the parse gave it one."""
    for child in verb.children:
        if child.dep_ in SUBJECT_DEPS:
            return child
    return None


def issuer(noun: Token) -> Token:
    """`the campaign issued a statement saying ...`: a document speaks for whoever released it
    (the subject of the verb it is the object of); a speaker noun speaks for itself."""
    if can_speak(noun):
        return noun
    governor = noun.head.head if noun.dep_ == "pobj" else noun.head
    if noun.dep_ in ("dobj", "pobj") and governor != noun and governor.pos_ in ("VERB", "AUX"):
        subject = subject_of_own(governor)
        if subject is not None and (can_speak(subject) or subject.pos_ in ("NOUN", "PROPN")):
            return subject
    return noun


class SpeakerRegistry:
    """Resolves mentions to persons for one article; every public method is total."""

    def __init__(
        self,
        doc: Doc,
        entities: list[Entity],
        clusters: list[EntityCluster],
        text: str | None = None,
        quoted: Sequence[QuotedSpan] | None = None,
    ) -> None:
        """`quoted`: the article's quoted spans when the caller has read them already."""
        self.doc = doc
        self.text = doc.text if text is None else text
        self._sent_starts, self._sent_start = _sentence_offsets(doc)
        # noun subjects ("the 29-year-old broke away": the parse makes "old" one), and the
        # he, she, his, her that are evidence of a gender
        self._subjects, self._pronouns = _subjects_and_pronouns(doc)
        self.people: list[Person] = []
        self.mentions: list[Mention] = []
        ents = doc.ents
        # a place by its own head ("Market Square", which the model called a person) is no one
        places = {(e.start, e.end) for e in entities or [] if e.label == "FAC"}
        self._person_ents = [e for e in ents if e.label_ == "PERSON" and (e.start_char, e.end_char) not in places]
        self._org_ents = [e for e in ents if e.label_ in ("ORG", "NORP", "GPE")]
        # "Fernanda Lima said her children ...": a person, whatever NER said
        self._person_ents += [e for e in self._org_ents if _person_by_grammar(e)]
        self._grown_at: dict[int, Span] = {}  # the model's names the entity stage read longer, by token
        self._person_ents = self._people_by_entities(entities)
        people = {i for e in self._person_ents for i in range(e.start, e.end)}
        self._org_ents = [e for e in self._org_ents if not any(i in people for i in range(e.start, e.end))]
        self._org_ents = self._organisations_by_entities(entities, people)
        # each name by the tokens it covers (the names do not overlap)
        self._person_at = {i: e for e in self._person_ents for i in range(e.start, e.end)}
        self._org_at = {i: e for e in self._org_ents for i in range(e.start, e.end)}
        # where each of them starts, for `observe_until` to take the next stretch by bisection
        self._person_starts = [e.start_char for e in self._person_ents]
        self._org_starts = [e.start_char for e in self._org_ents]
        self._subject_starts = [t.idx for t in self._subjects]
        self._pronoun_starts = [t.idx for t in self._pronouns]
        # each entity cluster with the lowercased words of its names, for matching surnames
        self._clusters = [(c, _cluster_words(c)) for c in clusters or []]
        self._entities = entities or []
        self._next_id = 1
        self._seen_until = 0
        # Quoted words: a person named or a pronoun inside a quote is the speaker's subject, not the speaker.
        spans = find_quoted_spans(self.text, []) if quoted is None else quoted
        self._quoted = [(q.start, q.end) for q in spans]
        self._quote_starts = [start for start, _ in self._quoted]
        self._speaking = -1  # the source head being resolved: a cue's subject speaks, so it is someone
        # where each mention starts and ends: one mention, one person (a name inside a longer mention,
        # "Wrexham" in "Wrexham manager Gareth Lloyd", is a mention of its own)
        self._mention_at: dict[tuple[int, int], Person] = {}
        self._surnames: set[str] = set()
        # the people who have been a cue's speaker, of the named people met: most proper nouns are no one's
        self._spoken: set[int] = set()
        self._ids_taken: set[str] = set()  # one id, one person: two Walshes do not share a cluster
        self._last_speaker: Person | None = None  # who the latest cue's source was
        # a reply just resolved: (who replied, whom they answered, where the reply's pronoun stands)
        self._exchange: tuple[Person, Person, int] | None = None
        self._last_asked = False  # and whether that cue asked something
        self._common_nouns: set[str] | None = None  # lowercase nouns of the article, read when first needed

    def _people_by_entities(self, entities: list[Entity]) -> list[Span]:
        """The model's people with those the entity stage found by full name where the model saw
        none ("Marta Hruba", which the model cut into two places) or only part of one ("Kim" of "Kim
        Do-hyun"): one reading of a name for the whole record. A lone word stays the model's unless
        an age follows it: the stage's cluster vote may make a place a person."""
        people = {(e.start, e.end): e for e in self._person_ents}
        taken = {i: e for e in self._person_ents for i in range(e.start, e.end)}
        for entity in entities or []:
            if entity.label != "PERSON":
                continue
            span = self.doc.char_span(entity.start, entity.end)
            if span is None:
                continue
            # a lone word only with an age beside it ("Achterberg, 61,", which the model took for a place)
            aged = age_after(self.text, span.end_char) is not None
            inside = {(e.start, e.end) for t in span if (e := taken.get(t.i)) is not None}
            if (len(span) > 1 or aged) and all(span.start <= a and b <= span.end for a, b in inside):
                for key in inside:
                    del people[key]
                    if key[1] < span.end:  # cut short at its end
                        self._grown_at.update((i, span) for i in range(*key))
                people[(span.start, span.end)] = span
                taken.update((t.i, span) for t in span)
        return sorted(people.values(), key=lambda e: e.start)

    def _organisations_by_entities(self, entities: list[Entity], people: set[int]) -> list[Span]:
        """The model's organisations, places and groups, with the entity stage's organisations in
        place of what the model made of the same words ("Kramfors Municipality", by its head)."""
        by_extent = {(e.start, e.end): e for e in self._org_ents}
        for entity in entities or []:
            span = self.doc.char_span(entity.start, entity.end, label="ORG") if entity.label == "ORG" else None
            if span is None or any(t.i in people for t in span):
                continue
            # the stage's reading replaces the model's names it overlaps: "Vestby Municipality", a place
            # to the model; "Elm Ridge District School Board", which the model began at "Ridge"
            for key in [k for k in by_extent if k[0] < span.end and span.start < k[1]]:
                del by_extent[key]
            by_extent[(span.start, span.end)] = span
        return sorted(by_extent.values(), key=lambda e: e.start)

    # ---- building the candidate list -------------------------------------------------
    def observe_until(self, offset: int) -> None:
        """Register people named or described before `offset` as pronoun antecedents."""
        if offset <= self._seen_until:
            return
        # in the order of the text, so that a name can meet the description before it
        seen = self._seen_until
        found: list[tuple[int, int, Span | Token]] = []
        for ent in _starting_between(self._person_ents, self._person_starts, seen, offset):
            if not self._in_quote(ent.start_char):
                found.append((ent.start_char, 0, ent))
        for ent in _starting_between(self._org_ents, self._org_starts, seen, offset):
            if ent.label_ == "ORG" and ent.root.dep_ in SUBJECT_DEPS and not self._in_quote(ent.start_char):
                found.append((ent.start_char, 1, ent))
        for tok in _starting_between(self._subjects, self._subject_starts, seen, offset):
            if not self._in_quote(tok.idx):
                found.append((tok.idx, 2, tok))
        for _, kind, item in sorted(found, key=lambda f: (f[0], f[1])):
            if kind == 0 and isinstance(item, Span):
                phrase = mention_tokens(item.root)
                toks = phrase if phrase[0].i <= item.start and phrase[-1].i >= item.end - 1 else list(item)
                self._register(item.root, toks, _is_subject(item.root))
            elif kind == 1 and isinstance(item, Span):
                self._register(item.root, mention_tokens(item.root), True)
            elif isinstance(item, Token):
                if self._names_follow(item):
                    continue  # "Their neighbour Marta Hruba has shopped there": the name is the mention
                if is_person_noun(item) or is_org_noun(item) or item.lower_ == "old":
                    self._register(item, mention_tokens(item), True)
                elif self._known_surname(item) is not None:  # "Mendes dismissed the claim": salient, whatever NER said
                    self._register(item, [item], True)
                elif _described_as_person(item):  # "Amara Obi, the Nigerian painter, answers": a name NER missed
                    self._register(item, mention_tokens(item), True)
                continue
            self.mentions.sort(key=lambda m: m.start)
        self.mentions.sort(key=lambda m: m.start)
        for tok in _starting_between(self._pronouns, self._pronoun_starts, seen, offset):
            if not self._in_quote(tok.idx):
                self._learn_gender(tok)
        self._seen_until = offset

    def _names_follow(self, noun: Token) -> bool:
        """A role noun written right before a person's name, with no comma: a title of that name."""
        nxt = noun.i + 1
        name = self._person_at.get(nxt)
        return name is not None and name.start == nxt

    def _in_quote(self, offset: int) -> bool:
        k = bisect.bisect_right(self._quote_starts, offset) - 1
        return k >= 0 and offset < self._quoted[k][1]

    def _learn_gender(self, pron: Token) -> None:
        """An unambiguous he/she/his/her (one person it can point at) tells that person's gender,
        so that a later pronoun can skip them: the article's own evidence, whatever the name."""

        def fits(m: Mention) -> bool:
            return m.person.human and not m.person.plural

        candidates = self._nearest_mentions(pron, fits)
        if candidates and pron.tag_ == "PRP$":
            # "Her agent, Luc Moreau, says prices for her work ...": a possessive may reach back a sentence
            earlier = [m for m in self.mentions if m.end <= candidates[0].sent_start and fits(m)]
            last = max((m.sent_start for m in earlier), default=None)
            candidates += [m for m in earlier if m.sent_start == last]
        people = {id(m.person): m.person for m in candidates}
        if len(people) == 1:
            person = next(iter(people.values()))
            gender = PRONOUN_GENDER[pron.lower_]
            # a "his" whose one candidate has a woman's first name is about someone the parse left out
            if person.named and person.gender is None and person.name_gender in (None, gender):
                person.gender = gender

    def _register(self, head: Token, toks: list[Token], subject: bool) -> Person | None:
        if _extent(toks) in self._mention_at:
            return self._mention_at[_extent(toks)]
        person = self._resolve_nonpronoun(head, toks)
        if person is not None:
            self._add_mention(toks, person, subject)
        return person

    def _add_mention(self, toks: list[Token], person: Person, subject: bool) -> None:
        start, end = _extent(toks)
        self._mention_at.setdefault((start, end), person)
        voice = _voice(toks) if person.org else None
        root = self.doc[toks[0].i : toks[-1].i + 1].root
        owner = root.dep_ == "poss" and root.head.dep_ in SUBJECT_DEPS
        self.mentions.append(
            Mention(start, end, self.text[start:end], person, subject, self._sent_start[toks[0].i], voice, owner)
        )

    # ---- resolution -------------------------------------------------------------------
    def resolve(
        self, head: Token, toks: list[Token] | None = None, one_voice: bool = False
    ) -> tuple[Person | None, list[Token]]:
        """The person a source head refers to, and the tokens of its mention; `one_voice` when the
        words attributed speak as one person ("I"), so that a "they" is someone's singular they."""
        if not is_source_like(head):
            inner = _person_inside(head)
            if inner is None:
                return None, []
            head = inner
        if (
            head.lower_ in RELATIVE_PRONOUNS
            and head.tag_ in ("WDT", "WP")
            and head.head.dep_ == "relcl"
            and head.head.head != head
            and not head.is_sent_start
        ):
            # "an aide who said": the aide, written "who"
            noun = _named_example(head.head.head, head) or head.head.head
            person, _ = self.resolve(_antecedent(noun, personal=head.lower_ == "who"))
            return person, [head]
        grown = self._grown_at.get(head.i)
        if toks is None and grown is not None:
            head = grown.root  # "Kim" of "Kim Do-hyun", a name the model cut short: the whole name speaks
        toks = toks or mention_tokens(head)
        self.observe_until(toks[0].idx)
        self._speaking = head.i
        if _extent(toks) in self._mention_at:
            person = self._mention_at[_extent(toks)]  # the source of a second cue: "she said when told of"
        elif head.lower_ in SPEAKER_PRONOUNS or head.pos_ == "PRON" and not _is_group_pronoun(head):
            person = self._resolve_pronoun(head, one_voice)
        else:
            person = self._register(head, toks, head.dep_ in ("nsubj", "nsubjpass"))
        if person is not None:
            self._spoken.add(person.key)
        self._last_speaker, self._last_asked = person, head.head.lemma_.lower() in ASKING_VERBS
        if person is not None and _extent(toks) not in self._mention_at:
            self._add_mention(toks, person, True)
            self.mentions.sort(key=lambda m: m.start)
        return person, toks

    def _resolve_nonpronoun(self, head: Token, toks: list[Token]) -> Person | None:
        known = self._known_surname(head) or self._known_given_name(head, toks)
        if known is not None:
            return known
        if _is_demonym(head, toks):  # "the Gazette" after "the Elstree Gazette" is still the paper
            return self._org_by_its_head(head.lemma_.lower(), set(), head.idx) or self._by_nationality(head)
        name_span = self._name_in(toks)
        if name_span is not None:
            return self._named_person(name_span, toks)
        org = self._org_entity(head)
        if org is not None:
            return self._organisation(org)
        spoken_for = self._spoken_for(head)
        if spoken_for is not None:
            return spoken_for
        named = self._appositive_name(head)
        if named is not None:  # "Sandhu's husband, Harjit Sandhu, said": the name the description is given
            person = self._named_person(named, list(named))
            person.human = person.human or is_person_noun(head)  # "a father of two who gave his name, Karim"
            person.gender = person.gender or _gender_of(toks)
            person.roles.add(head.lemma_.lower())
            return person
        org_named = self._appositive_org(head)
        if org_named is not None:  # "The race organiser, Atlantic Rowing Events, said": the organisation, in that role
            appositive = self._organisation(org_named)
            appositive.roles.add(head.lemma_.lower())
            return appositive
        name = _name_described_by(head)
        if name is not None:  # "Business Day, the Johannesburg newspaper, questioned ...": the name it describes
            described = self._organisation(name)
            described.roles.add(head.lemma_.lower())
            return described
        role = _organisation_role(head)
        if role is not None:  # "El Centinela, the city's largest newspaper, wrote", a place to the model
            described = self._organisation(_proper_name(head))
            described.roles.add(role.lemma_.lower())
            return described
        return self._described_person(head, toks)

    def _by_nationality(self, head: Token) -> Person | None:
        """ "the Brazilian said": the named person the article gave that nationality ("Brazilian
        striker Rafael Nunes") or country ("Ruth Chepkoech of Kenya", "Ethiopia's Abebe Tadesse"),
        else the nearest named person, as for a description."""
        word = head.lower_

        def from_there(p: Person) -> bool:
            return word in p.words or any(_same_stem(word, w) for w in p.words)

        known = next((p for p in self._recent_people() if p.named and p.human and from_there(p)), None)
        if known is not None:
            return known

        def fits(m: Mention) -> bool:
            return m.person.named and m.person.human and not m.person.plural

        return self._nearest(head, fits)

    def _org_entity(self, tok: Token) -> Span | None:
        """The ORG name `tok` is part of."""
        org = self._org_at.get(tok.i)
        return org if org is not None and org.label_ == "ORG" else None

    def _appositive_name(self, head: Token) -> Span | None:
        """The person's name given beside a description (`her coach, Daniel Otieno,`), also when the
        parse hung it on a place inside the description (`the agency's representative in Chad, Omar
        Saleh,`: a place has no appositive person)."""
        places = [
            pobj
            for prep in head.children
            if prep.dep_ == "prep"
            for pobj in prep.children
            if pobj.dep_ == "pobj" and pobj.ent_type_ in ("GPE", "LOC", "FAC")
        ]
        given = _names_given(head)
        for child in [c for noun in (head, *places, *given) for c in noun.children]:
            if child.dep_ in ("appos", "oprd"):
                found = self._person_at.get(child.i)
                if found is not None:
                    return found
                if child.head in given and child.pos_ == "PROPN" and is_person_noun(head):
                    # a person's name by the grammar, whatever NER said
                    return self.doc[child.left_edge.i : child.i + 1]
        return None

    def _appositive_org(self, head: Token) -> Span | None:
        """The organisation named beside a role noun (`the buyer, Marlow Estates,`)."""
        if not (is_person_noun(head) or is_org_noun(head)):
            return None
        for child in head.children:
            if child.dep_ == "appos":
                found = self._org_at.get(child.i)
                # a name ends on its head: "Tunde Okonkwo of Lagos" is a person NER ran on into a place
                if found is not None and found.label_ != "NORP" and found.end - 1 == child.i:
                    return found
        return None

    def _organisation(self, name: Span) -> Person:
        """The organisation an ORG name stands for, met before when its words hold this name's."""
        words = [t for t in name if t.lower_ != "the" and t.tag_ != "POS"] or list(name)
        text = name.doc[words[0].i : words[-1].i + 1].text
        tokens = {t.lower_ for t in words if t.is_alpha}
        head = words[-1].lemma_.lower()
        for person in reversed(self.people):
            if not person.org:
                continue
            if not person.named and person.head == head:  # "the council", then "Galway City Council"
                person.named, person.name, person.tokens = True, text, tokens
                return person
            if person.named and (tokens <= person.tokens or person.tokens <= tokens):
                if tokens < person.tokens and person.head in DISTINCT_ORG_KINDS and head != person.head:
                    continue  # "Seorim" is the company, not the Seorim General Workers' Union named for it
                if len(text) > len(person.name):
                    person.name, person.tokens = text, person.tokens | tokens
                return person
        lede = self._lede_description(name, list(name), human=False)
        if lede is not None:  # "Kenya's biggest mobile operator said ... . Safaricom said ...": the same company
            lede.named, lede.name, lede.head, lede.tokens = True, text, head, tokens
            lede.words |= tokens
            return lede
        person = Person(
            key=len(self.people), name=text, named=True, head=head, human=False, org=True, tokens=tokens, words=tokens
        )
        self.people.append(person)
        return person

    def _spoken_for(self, head: Token) -> Person | None:
        """`a company spokeswoman`, `a spokesman for the council`: the organisation they speak for."""
        lemma = head.lemma_.lower()
        if lemma not in SPOKES_NOUNS:
            return None
        org = self._org_of_spokesperson(head)
        if org is not None:
            org.roles.add(lemma)
            return org
        if head.left_edge.lower_ in _INDEFINITE:
            return self._org_just_named(head) if head.i == self._speaking and _bare(head) else None
        # "the spokeswoman said": the organisation a spokeswoman spoke for before
        return next((m.person for m in reversed(self.mentions) if m.person.org and lemma in m.person.roles), None)

    def _org_just_named(self, head: Token) -> Person | None:
        """ "Western Power Networks said crews had restored supply. ... "...," a spokeswoman said": a
        spokesperson the sentence ties to no one speaks for the organisation the nearest sentences
        made their subject (a spokesperson always speaks for someone; the story has just named whom)."""

        def fits(m: Mention) -> bool:
            return m.person.org

        return self._nearest(head, fits)

    def _org_of_spokesperson(self, head: Token) -> Person | None:
        """The organisation named or described beside a spokesperson: compound, possessor, for/of/at."""
        for child in head.children:
            if child.dep_ == "prep" and child.lower_ in ("for", "of", "at"):
                child = next((c for c in child.children if c.dep_ == "pobj"), child)
            elif child.dep_ not in ("compound", "poss", "nmod"):
                continue
            known = self._known_surname(child)
            if known is not None:  # "Marsh's spokeswoman": a person's, whatever the tagger called Marsh
                return known if known.org else None
            org = self._org_entity(child)
            if org is not None:
                return self._organisation(org)
            if is_org_noun(child):
                return self._org_antecedent(child.lemma_.lower(), before=head.idx)
        return None

    def _org_antecedent(
        self, lemma: str, mods: set[str] | frozenset[str] = frozenset(), before: int | None = None
    ) -> Person | None:
        """The organisation a common noun stands for: the latest one whose name holds the noun,
        else the latest one met (a generic noun like "company" or "station" fits any); one whose
        words hold the noun's modifiers ("the environment ministry" is no farmers' union). With
        `before`, an organisation the text named before it in any role (`the Food and Drug
        Administration's tobacco office`) counts too, when none named has spoken or been a subject."""
        orgs = [
            m.person
            for m in reversed(self.mentions)
            if m.person.org
            and (not m.person.plural or m.person.head == lemma)  # "the police" is plural, and one body
            and mods <= m.person.words | m.person.roles
            and _kind_fits(lemma, m.person.tokens | m.person.words | {m.person.head})
        ]
        named = next((p for p in orgs if lemma in p.tokens or p.head == lemma), None)
        if named is not None and not named.named and lemma in ANY_ORG_NOUNS and orgs[0].named:
            # "... said the company had failed its crew. Caldmoor Ferries issued a statement ... a
            # spokesman for the company": a noun any company takes goes to the company named since
            named = orgs[0]
        if named is None and lemma in PUBLICATION_NOUNS:  # a publication by its name or a role it was given
            named = next((p for p in orgs if p.tokens & PRESS_WORDS or p.roles & PUBLICATION_NOUNS), None)
        if named is not None:
            return named
        ent = self._org_named_before(lemma, mods, before) if before is not None else None
        # a name holding the noun, in any role ("general secretary of the Allied Care Workers' Union ...
        # the union said"), beats an organisation met later that merely does not contradict it
        if ent is not None and (not (orgs and orgs[0].named) or lemma in {t.lower_ for t in ent}):
            return self._organisation(ent)
        return orgs[0] if orgs else None

    def _org_by_its_head(self, lemma: str, mods: set[str], before: int) -> Person | None:
        """`the Otterbrook Wildlife Trust ... the trust said`: a name's own head noun after "the" is the
        short form of that name, whatever the noun (no list of organisation nouns needed)."""
        met = next(
            (m.person for m in reversed(self.mentions) if m.person.org and m.person.named and m.person.head == lemma),
            None,
        )
        if met is not None:
            return met if mods <= met.words | met.roles else None
        ent = next((e for e in self._org_names_before(mods, before) if e[-1].lemma_.lower() == lemma), None)
        return self._organisation(ent) if ent is not None else None

    def _org_names_before(self, mods: set[str] | frozenset[str], before: int) -> list[Span]:
        """Organisation names before `before`, outside quotes, holding the modifiers; latest first;
        without a possessive ending the model took into the name ("School Board's")."""
        return [
            e[:-1] if len(e) > 1 and e[-1].tag_ == "POS" else e
            for e in reversed(self._org_ents)
            if e.label_ == "ORG"
            and e.end_char <= before
            and not self._in_quote(e.start_char)
            and mods <= {t.lower_ for t in e}
        ]

    def _org_named_before(self, lemma: str, mods: set[str] | frozenset[str], before: int) -> Span | None:
        """The latest organisation name before `before` (outside quotes) that the noun can stand for:
        one holding the noun (`the ministry`: the Ministry of Health), else, for a noun any organisation
        can take (`the company`, `the agency`), one whose own head is no other kind of organisation."""
        ents = [
            e
            for e in self._org_names_before(mods, before)
            if _kind_fits(lemma, {t.lower_ for t in e} | {e[-1].lemma_.lower()})
        ]
        held = next((e for e in ents if lemma in {t.lower_ for t in e} | {e[-1].lemma_.lower()}), None)
        if held is not None or lemma not in ANY_ORG_NOUNS:
            return held
        return next((e for e in ents if e[-1].lemma_.lower() not in ORG_NOUNS), None)

    def _known_surname(self, head: Token) -> Person | None:
        """A bare proper noun naming someone already met ("Cavusoglu"), whatever NER or the tagger
        called it (a capitalised "Mendes" tagged as a plural noun): the latest mentioned of that name."""
        if head.pos_ != "PROPN" and not (head.pos_ == "NOUN" and head.text[:1].isupper()):
            return None
        word = _strip_possessive(head.lower_)
        if word not in self._surnames:
            return None
        # "Joseph Marchetti" once "Hélène Marchetti" is met: a given name of its own is someone else
        given = {c.lower_ for c in head.children if c.dep_ == "compound" and c.pos_ == "PROPN" and c.i < head.i}

        def bears(p: Person) -> bool:
            return p.named and p.surname == word and given <= p.tokens

        # two of one surname: a bare surname is the one who has been speaking ("Murphy said", once
        # Anne Marie Murphy is mentioned in a speech by Chris Murphy)
        recent = [p for p in self._recent_people() if bears(p)]
        return (
            next((p for p in recent if not given and p.key in self._spoken), None)
            or next((p for p in recent if p.human), None)
            or next((p for p in reversed(self.people) if bears(p)), None)
        )

    def _known_given_name(self, head: Token, toks: list[Token]) -> Person | None:
        """A lone given name ("Antoine said", once "Antoine Girard" and "Luc Girard" are met): the one
        named person whose full name starts with it, whatever NER called the word."""
        if len(toks) != 1 or head.pos_ != "PROPN":
            return None
        word = head.lower_
        found = {p.key: p for p in self.people if p.named and p.human and word in p.tokens and word != p.surname}
        return next(iter(found.values())) if len(found) == 1 else None

    def _recent_people(self) -> Iterator[Person]:
        """The people met so far, the latest mentioned first (salience, not order of first mention)."""
        seen: set[int] = set()
        for m in reversed(self.mentions):
            if m.person.key not in seen:
                seen.add(m.person.key)
                yield m.person
        for person in reversed(self.people):
            if person.key not in seen:
                seen.add(person.key)
                yield person

    def _name_in(self, toks: list[Token]) -> Span | None:
        """The person's name inside a mention: a PERSON entity, else a proper-noun head; not a
        possessor (`Grayson's spokeswoman` is the spokeswoman, not Grayson)."""
        lo, hi = toks[0].i, toks[-1].i + 1
        ents = [
            e
            for e in self._person_ents
            if e.start >= lo and e.end <= hi and not (e.root.dep_ == "poss" and e.root.head.pos_ == "NOUN")
        ]
        if ents:
            name = max(ents, key=len)
            start = name.start
            while start - 2 >= lo and joins_name_parts(self.doc[start - 1]):
                start -= 2  # NER's "Tsai" of "Hui-Min Tsai"
            return self.doc[start : name.end]
        head = max(toks, key=lambda t: t.i if t.head.i < lo or t.head.i >= hi or t.head == t else -1)
        if (
            head.pos_ == "PROPN"
            and head.text[:1].isupper()  # "the former prime minister", tagged PROPN, names no one
            and head.i not in self._org_at
        ):
            start = head.i
            while start - 1 >= lo:
                before = self.doc[start - 1]
                if joins_name_parts(before) and start - 2 >= lo:
                    start -= 2  # "Mei-Ling Zhou", "Adebayo-Reid": a hyphen inside a name
                    continue
                if before.pos_ != "PROPN" or before.lower_ in HONORIFIC_GENDER or _is_title_word(before):
                    break
                start -= 1
            return self.doc[start : head.i + 1]
        return None

    def _named_person(self, name: Span, toks: list[Token]) -> Person:
        while len(name) > 1 and _is_title_word(name[0]) or len(name) > 2 and self._agent_title(name):
            name = name[1:]  # NER's "Chief Executive Thabo Nkosi" is Thabo Nkosi, "Striker Leo Janssen" Leo Janssen
        name = name[: len(name) - post_nominal_tail([t.text for t in name])]  # "Edmund Hale KC" is Edmund Hale
        words = [t for t in name if t.pos_ == "PROPN" or t.is_alpha]
        surname = (words[-1].text if words else name.text).lower().removesuffix("'s").removesuffix("’s")
        tokens = {t.lower_ for t in name if t.is_alpha}
        for person in self._recent_people():
            if person.named and (person.surname == surname or tokens and tokens <= person.tokens):
                if _other_given_names(tokens, person.tokens):
                    continue  # Harjit Sandhu is not Priya Sandhu
                if person.org and self._personal_name(person, name):
                    # "Tigist Alemu won" (taken for an organisation), then "Alemu said": a person after all
                    person.org, person.human, person.surname = False, True, person.surname or surname
                    self._surnames.add(surname)
                self._enrich(person, name, toks)
                return person
        # "Chief Executive X", "the utility X"; else what the entity stage made of the whole article
        kind = _kind_by_role(name, toks) or self._introduced_as(name) or self._organisation_by_entities(name)
        human = kind != "org" and (kind == "person" or name.start in self._person_at)
        lede = self._lede_description(name, toks, human=human)
        if lede is not None:  # "A 62-year-old grandmother ... . Bernadette Walsh set off ...": the same woman;
            # "Kenya's biggest mobile operator said ... . Safaricom said ...": the same company
            lede.human = human
            lede.named, lede.name, lede.head, lede.surname, lede.tokens = (
                True,
                _strip_possessive(name.text),
                surname,
                surname,
                tokens,
            )
            self._surnames.add(surname)
            self._enrich(lede, name, toks)
            return lede
        person = Person(
            key=len(self.people),
            name=_strip_possessive(name.text),
            named=True,
            head=surname,
            surname=surname,
            tokens=tokens,
            human=human,
            org=kind == "org",
        )
        self.people.append(person)
        self._surnames.add(surname)
        self._enrich(person, name, toks)
        return person

    def _organisation_by_entities(self, name: Span) -> str | None:
        """ "org" when the entity stage, which weighs every mention of a name in the record, labels
        this one an organisation ("Caldmoor Ferries", which the model alone left unlabelled)."""
        start, end = name.start_char, name.end_char
        labels = {e.label for e in self._entities if e.start <= start and end <= e.end}
        return "org" if labels == {"ORG"} and name.start not in self._person_at else None

    def _introduced_as(self, name: Span) -> str | None:
        """Whether the article introduced this name as a person or an organisation where it first
        gave it a title or description (`the utility Baltyk Energia`, then `Baltyk Energia said`)."""
        text, before = self.doc.text, name.start_char
        at = text.find(name.text, 0, before)
        while at != -1:
            earlier = self.doc.char_span(at, at + len(name.text))
            if earlier is not None:
                kind = _kind_by_role(earlier, mention_tokens(earlier.root))
                if kind is not None:
                    return kind
            at = text.find(name.text, at + 1, before)
        return None

    def _agent_title(self, name: Span) -> bool:
        """A capitalised noun opening a name of three or more words that the article also uses as a
        common noun (`Striker Leo Janssen` ... "the striker said"; `Constable Helen Ward` of "Chief
        Constable Helen Ward" ... "the chief constable said"): a title, when it has an agent noun's
        ending or stands before a given name; a given name with that ending (`Walter`) is never one."""
        word = name[0].lower_
        if not (_is_agent_noun(word) or given_name_gender(word) is None and given_name_gender(name[1].lower_)):
            return False
        if self._common_nouns is None:
            self._common_nouns = _common_nouns(self.doc)
        return word in self._common_nouns

    def _personal_name(self, person: Person, name: Span) -> bool:
        """An organisation of the article that is a person's name after all: NER calls a later
        mention a person, and the name is two or three words with no organisation noun or title."""
        known = self._person_at.get(name.start)
        if known is None or (known.start, known.end) != (name.start, name.end):
            return False
        if person.title or not 2 <= len(person.tokens) <= 3 or person.roles & ORG_NOUNS:
            return False
        return not person.tokens & (ORG_NOUNS | WEAK_ORG_HEADS)

    def _lede_description(self, name: Span, toks: list[Token], human: bool) -> Person | None:
        """Delayed identification: a story that opens on someone described, not named ("A 62-year-old
        grandmother from Cork has become ...", "Kenya's biggest mobile operator said ..."), names them
        as the subject of one of the next two sentences, before naming anyone else of their kind. The
        name must come bare (no title or appositive of its own, which would make it someone new),
        unless its appositive repeats the description's noun ("The coroner found ... . Dr Ann Roy,
        the senior coroner, said ...")."""
        head = name.root
        repeated = {c.lemma_.lower() for c in head.children if c.dep_ == "appos"}
        if head.dep_ not in ("nsubj", "nsubjpass"):
            return None
        sents = self._sent_starts
        k = bisect.bisect_right(sents, head.idx) - 1
        if not 1 <= k <= 2 or any(p.named and p.human == human and p.org != human for p in self.people):
            return None
        if human and not repeated and _title_before(name, toks):
            return None
        lede_end = sents[1]
        for m in self.mentions:
            p = m.person
            if m.start >= lede_end:
                break
            fitting = not repeated or p.head in repeated
            if m.subject and not p.named and not p.plural and (p.human if human else p.org) and fitting:
                return p
        return None

    def _enrich(self, person: Person, name: Span, toks: list[Token]) -> None:
        """Learn a fuller name, a title and a gender from this mention."""
        text = _strip_possessive(name.text)
        if len(text) > len(person.name) and text.lower().endswith(person.surname or ""):
            person.name = text
            person.tokens |= {t.lower_ for t in name if t.is_alpha}
        person.words |= {t.lower_ for t in toks if t.is_alpha}
        title = _title_before(name, toks)
        if title and not person.title:
            person.title = title
        described = _descriptions(name.root)
        person.gender = person.gender or _gender_of([*toks, *name, *described])
        person.roles |= {t.lemma_.lower() for t in described} | _roles_by_verb(name.root)
        person.words |= {m for t in described for m in _modifiers(t)}  # "world" of "world champion Ruth Chepkoech"
        person.affiliation |= _named_modifiers([*(t for t in toks if t.i < name.start), *described])
        if title:
            person.roles |= {w.lower() for w in title.split()}
            person.roles |= {r for w in title.split() for r in TITLE_ROLES.get(w.lower(), ())}
        age = age_after(self.text, name.end_char)
        if age is not None and person.human:
            person.roles.add(f"{age}-year-old")
        # a first name: of a full name, or a person the story calls by it alone ("Tomas said")
        first = name[0].lower_ if len(name) > 1 or len(person.name.split()) == 1 else None
        if first and person.gender is None:
            person.gender = GIVEN_NAME_GENDER.get(first)
            person.name_gender = person.name_gender or name_gender(first)

    def _described_person(self, head: Token, toks: list[Token]) -> Person | None:
        lemma = head.lemma_.lower()
        det = toks[0].lower_
        plural = head.tag_ in ("NNS", "NNPS")
        text = self.text[toks[0].idx : toks[-1].idx + len(toks[-1].text)]
        ages = set(_AGE.findall(text))
        mods = _modifiers(head)
        if det not in _INDEFINITE:
            for person in self._recent_people():
                if not mods <= person.words | person.roles:
                    continue  # "the deputy mayor" is not "the mayor of Port Elstree", "the senior diplomat" not any
                if not person.named and (person.head == lemma or ages & person.roles) and person.plural == plural:
                    return person
                if (
                    person.named
                    and person.title
                    and person.title.lower().split()[-1] == lemma
                    and not _no_longer(person, mods)
                ):
                    return person
            named = None if plural else self._named_by_description(head, toks, text)
            if named is not None:
                return named
        if is_org_noun(head) and not plural:
            org = self._org_antecedent(lemma, mods, head.idx) if det not in _INDEFINITE else None
            if org is not None:
                return org
        if det == "the" and not plural and not is_person_noun(head):
            org = self._org_by_its_head(lemma, mods, head.idx)
            if org is not None:
                return org
        person = Person(
            key=len(self.people),
            name=text,
            named=False,
            head=lemma,
            plural=plural,
            gender=GENDERED_NOUNS.get(lemma) or _gender_by_suffix(lemma),
            human=is_person_noun(head),
            org=is_org_noun(head),
            roles=ages,
            words={t.lower_ for t in toks if t.is_alpha},
        )
        self.people.append(person)
        return person

    def _named_by_description(self, head: Token, toks: list[Token], text: str) -> Person | None:
        """A definite description with no unnamed antecedent ("the judge", "the 29-year-old winner")
        stands for a person named earlier: the one the article gave that role or age, else the
        nearest compatible named person, as for a pronoun; anonymous roles ("the official") do not."""
        lemma = head.lemma_.lower()
        ages = set(_AGE.findall(text))
        roles = {lemma, *ages}
        # the latest named person or organisation given the role ("world champion Ruth Chepkoech", "Sen. Ada
        # Park", "Quintero, 61,"), one whose words hold the modifiers first
        at = {(kind, word) for kind, word in _named_modifiers([head]) if word != head.lower_}
        given = [
            p
            for p in self._recent_people()
            if p.named and (p.human or p.org) and p.roles & roles and not _held_elsewhere(p, at)
        ]
        mods = _modifiers(head)
        known = (
            next((p for p in given if mods and mods <= p.words | p.roles), None)
            or next((p for p in given if not _no_longer(p, mods)), None)
            or next(iter(given), None)
        )
        if known is not None:
            return known  # "her sister" once "her sister Claire" is met
        if any(c.dep_ == "poss" and self._personal_possessor(c) for c in head.children):
            return None  # "Nwosu's publisher", "her coach": someone else; "the club's president" is the club's own
        known_noun = lemma in PERSON_NOUNS or lemma in GENDERED_NOUNS or ages
        # a noun taken for a person by its ending alone ("the shortlist") only when it speaks
        if not (known_noun or head.i == self._speaking and is_person_noun(head)):
            return None
        if lemma == "official" and head.i == self._speaking:
            # "The city's civil defence chief, Marcos Reis, said ... . "...," the official said": with no unnamed
            # official met, the named subject of the sentence before, when it has a role
            return self._named_subject_just_before(head)
        if lemma in ANONYMOUS_NOUNS or is_org_noun(head) and not _only_people(head):
            return None  # "the official" is someone unnamed; "the lender" an organisation, not a person
        gender = _gender_of(toks)

        def fits(m: Mention) -> bool:
            p = m.person
            if ages and {r for r in p.roles if _AGE.fullmatch(r)} - ages:
                return False  # "the 71-year-old" is not the one the article gave as 58
            if _held_elsewhere(p, at):
                return False  # "the Fenwick manager" is not "Northgate manager Ian Barker"
            return p.named and p.human and not p.plural and not (gender and p.gender and p.gender != gender)

        # an age is an epithet for the person the story is about; a role noun points at the nearest one
        person = self._first_mentioned(head, fits) if ages else self._nearest(head, fits)
        if person is not None:
            person.roles |= roles
            person.gender = person.gender or gender
        return person

    def _named_subject_just_before(self, tok: Token) -> Person | None:
        """The named person, given a role, who is the subject in the sentence before `tok`'s or its own."""
        sentences = sorted({m.sent_start for m in self.mentions if m.end <= tok.idx}, reverse=True)[:2]
        for m in reversed(self.mentions):
            if m.end > tok.idx or m.sent_start not in sentences:
                continue
            p = m.person
            if m.subject and p.named and p.human and not p.plural and (p.roles or p.title):
                return p
        return None

    def _personal_possessor(self, tok: Token) -> bool:
        """A possessor that is a person (`her`, `Nwosu's`), not an organisation (`the club's`)."""
        if tok.pos_ == "PRON" or tok.ent_type_ == "PERSON" or is_person_noun(tok):
            return True
        return tok.pos_ == "PROPN" and self._org_entity(tok) is None or self._known_surname(tok) is not None

    def _resolve_pronoun(self, pron: Token, one_voice: bool = False) -> Person | None:
        """Nearest compatible person, preferring the subject of the closest sentence that has one."""
        word = pron.lower_
        gender = PRONOUN_GENDER.get(word)
        plural = word in PLURAL_PRONOUNS and not (one_voice and word == "they")  # "'I had an hour,' they said"

        others = self._others_in_clause(pron)

        def loosely(m: Mention) -> bool:  # and not someone the pronoun's own clause names as another
            compatible = _compatible(m.person, word, gender, plural) or bool(gender) and m.voice in (gender, "x")
            return compatible and not m.person.roles & others

        def fits(m: Mention) -> bool:  # and no first name that usually goes with the other gender
            return loosely(m) and not (
                gender and m.person.gender is None and m.person.name_gender not in (None, gender)
            )

        found = self._nearest_mentions(pron, fits)
        person = self._nearest(pron, fits, found)
        if (
            person is not None
            and pron.i == self._speaking
            and (
                # "The defeat leaves Braga fourth. ... "We will be ready," he said": a speaker goes on
                # speaking; a name met only as an object is rarely the one who speaks next (the possessor
                # of a subject, "Lisa Carter's son was sent home", is as salient as a subject)
                not any(m.subject or m.owner for m in found)
                and not self._taken_up(found, pron)
                # "Defender Carl Hayes limped off. He added: ...": adding presupposes having spoken
                or person.key not in self._spoken
                and _goes_on(pron)
            )
        ):
            person = self._speaker_subject(pron, fits) or person
        last = self._last_speaker
        exchange, self._exchange = self._exchange, None
        if person is not None and person is last and pron.i == self._speaking and _replies(pron):
            # "'It is a car park,' Roe said. ... 'Nobody is taking it away,' she replied": a reply is
            # the other one's turn
            answered, person = last, self._other_voice(pron, fits, last) or person
            if person is not answered:
                self._exchange = (person, answered, pron.idx)
        elif exchange is not None and person is exchange[0] is last and pron.i == self._speaking:
            # "... ,' she replied. / 'Then put it in the plan,' she said": the next turn of the
            # exchange, when nobody else is named between, is the answered one's again
            replier, answered, at = exchange
            if not any(at < m.start < pron.idx and m.person is not replier for m in self.mentions):
                person = answered
        if person is None and gender:  # nobody fits in the last sentences: the latest named of that gender
            person = next(
                (
                    m.person
                    for m in reversed(self.mentions)
                    if m.end <= pron.idx
                    and m.person.named
                    and m.person.human
                    and (m.person.gender or m.person.name_gender) == gender
                    and not m.person.roles & others
                ),
                None,
            )
        if person is None and gender:  # only a first name's usual gender stood in the way ("Jo ... he said")
            person = self._nearest(pron, loosely)
        if person is not None and gender and person.gender is None and person.named:
            person.gender = gender
        return person

    def _other_voice(self, pron: Token, fits: Callable[[Mention], bool], last: Person) -> Person | None:
        """The latest other person who fits and has spoken in the last six sentences: whom a reply
        answers; after a question, the nearest other person, the one asked (`A reporter asked Jo
        how she felt. She replied: ...`); else the latest other named person. No one else when the
        reply's own sentence puts the question: it answers the writer."""

        def other(m: Mention) -> bool:
            return m.person is not last and m.person.human and fits(m)

        if any(t.lemma_.lower() in ASKING_VERBS for t in pron.sent if t.i < pron.i):
            return None  # "Asked about the road, he replied": the reply answers the writer's question
        found = self._speaker_subject(pron, other)
        if found is not None:
            return found
        if self._last_asked:
            return self._nearest(pron, other)
        # "'We are bringing excavators,' he said. / 'The road will not hold,' he replied": a reply to
        # the last speaker's words is the turn of the other named person the story set beside them
        return self._latest_recent(pron, lambda m: m.person.named and other(m))

    def _others_in_clause(self, pron: Token) -> set[str]:
        """The roles of the people the pronoun's own clause names by description, who are therefore
        someone else (a description is never bound by the subject over it): its kin (`She recalled
        telling her mother`) and people it calls "the" role (`He said he would have let the striker
        stay`), outside quoted words."""
        possessive = {"he": "his", "she": "her"}.get(pron.lower_)
        verb = pron.head
        if possessive is None or pron.dep_ not in ("nsubj", "nsubjpass"):
            return set()
        roles = set()
        for t in verb.subtree:
            if self._in_quote(t.idx) or t.pos_ != "NOUN":
                continue
            lemma = t.lemma_.lower()
            kids = list(t.children)
            if lemma in GENDERED_NOUNS and any(c.dep_ == "poss" and c.lower_ == possessive for c in kids):
                roles.add(lemma)
            elif t.i > pron.i and _one_persons_role(t) and [c.lower_ for c in kids] == ["the"]:
                roles.add(lemma)
        return roles

    def _taken_up(self, found: list[Mention], pron: Token) -> bool:
        """Whether a sentence opening on he/she of the pronoun's gender as its main subject, outside
        quotes, came between the nearest fitting mention and the pronoun: "It was Alemu's first win.
        She had finished fourth ... ," she said": the object-only name has become the subject the
        story follows (a he/she inside a clause, "Asked what she would do", does not tell)."""
        if not found or pron.lower_ not in PRONOUN_GENDER:
            return False
        gender = PRONOUN_GENDER[pron.lower_]
        after = max(m.end for m in found)
        return any(
            after <= t.idx < pron.idx
            and t.dep_ in SUBJECT_DEPS
            and t.is_sent_start
            and t.head.dep_ == "ROOT"
            and PRONOUN_GENDER[t.lower_] == gender
            and not self._in_quote(t.idx)
            for t in self._pronouns
        )

    def _speaker_subject(self, tok: Token, fits: Callable[[Mention], bool]) -> Person | None:
        """The latest fitting subject in the last six sentences that has spoken before."""
        return self._latest_recent(tok, lambda m: m.subject and m.person.key in self._spoken and fits(m))

    def _latest_recent(self, tok: Token, keep: Callable[[Mention], bool]) -> Person | None:
        """The person of the latest mention before `tok`, in the last six sentences with one, that `keep` keeps."""
        sentences = sorted({m.sent_start for m in self.mentions if m.end <= tok.idx}, reverse=True)[:6]
        oldest = sentences[-1] if sentences else tok.idx
        for m in reversed(self.mentions):
            if m.end <= tok.idx and m.sent_start >= oldest and keep(m):
                return m.person
        return None

    def _nearest(
        self, tok: Token, fits: Callable[[Mention], bool], found: list[Mention] | None = None
    ) -> Person | None:
        """The person of the best-placed fitting mention in the closest sentence that has one:
        subjects first, then the possessor of a subject ("Justice Scalia's comments"); then the
        latest mention in `tok`'s own sentence, else the first."""
        found = self._nearest_mentions(tok, fits) if found is None else found
        if not found:
            return None
        same_sentence = found[0].sent_start == self._sent_start[tok.i]

        def main_conjunct(m: Mention) -> int:
            """A named person subject of a later main clause comes first ("Nwachukwu will volunteer, and
            Pettigrew intends to read the books. ... ," she said": the clause the story ends on)."""
            if not (m.subject and m.person.named and m.person.human):
                return 0
            span = self.doc.char_span(m.start, m.end, alignment_mode="expand")
            verb = span.root.head if span is not None else None
            return -m.start if verb is not None and verb.dep_ == "conj" and verb.head.dep_ == "ROOT" else 0

        def place(m: Mention) -> tuple[bool, bool, int, int]:
            return (not m.subject, not m.owner, -m.start if same_sentence else main_conjunct(m), m.start)

        return min(found, key=place).person

    def narrated(self, offset: int) -> Person | None:
        """The person the paragraph before `offset` tells of, when it quotes no one: the subject of
        its last sentence (`De la Vega laughs when the statement is read to her.`), whose words a
        paragraph of quotation with no cue of its own then gives."""
        start, end = paragraph_before(self.text, offset)
        paragraph = self.text[start:end]
        if not paragraph or paragraph.endswith(":") or any(m in paragraph for m in '"“”‘’«»'):
            return None
        last = self.doc.char_span(start, end, alignment_mode="contract")
        if last is None or not len(last):
            return None
        sentence = last[-1].sent
        subject = next((c for c in sentence.root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is None or sentence.start_char < start or not is_source_like(subject):
            return None
        self.observe_until(subject.idx)
        if subject.lower_ in PRONOUN_GENDER:
            person = self._resolve_pronoun(subject)
        elif subject.pos_ == "PRON":
            return None
        else:
            person = self._register(subject, mention_tokens(subject), True)
        return person if person is not None and person.human else None

    def interviewee(self, offset: int) -> Person | None:
        """The one person named first in the article before `offset`: whom an interview is with."""
        self.observe_until(offset)
        return next((m.person for m in self.mentions if m.end <= offset and m.person.named and m.person.human), None)

    def _first_mentioned(self, tok: Token, fits: Callable[[Mention], bool]) -> Person | None:
        """The fitting person named first in the article: the one the story is about."""
        return next((m.person for m in self.mentions if m.end <= tok.idx and fits(m)), None)

    def _nearest_mentions(self, tok: Token, fits: Callable[[Mention], bool]) -> list[Mention]:
        """The fitting mentions before `tok` in the closest of the last six sentences that has any."""
        by_sentence: dict[int, list[Mention]] = {}
        for m in self.mentions:
            if m.end <= tok.idx:
                by_sentence.setdefault(m.sent_start, []).append(m)
        for sent_start in sorted(by_sentence, reverse=True)[:6]:
            found = [m for m in by_sentence[sent_start] if fits(m)]
            if found:
                return found
        return []

    # ---- output -----------------------------------------------------------------------
    def speaker(self, person: Person | None, toks: list[Token] | None) -> Speaker:
        """The record for one quote's speaker; ids are stable per person within the article."""
        mention = start = end = None
        if toks:
            start, end = toks[0].idx, toks[-1].idx + len(toks[-1].text)
            mention = self.text[start:end]
        if person is None:
            return Speaker(mention=mention, start=start, end=end)
        if person.id is None:
            person.entity_id = self._cluster_id(person) if person.named else None
            person.id = person.entity_id or self._new_id()
            self._ids_taken.add(person.id)
        return Speaker(
            id=person.id,
            mention=mention,
            name=person.name,
            title=person.title,
            entity_id=person.entity_id,
            start=start,
            end=end,
        )

    def _new_id(self) -> str:
        new = f"S{self._next_id}"
        self._next_id += 1
        return new

    def _cluster_id(self, person: Person) -> str | None:
        """The entity cluster for a named person, matched on the surname, robust to how
        the entity stage clusters."""
        best = None
        for cluster, words in self._clusters:
            if cluster.id in self._ids_taken:
                continue  # another person of the article has it (Kieran Walsh beside Bernadette Walsh)
            if person.surname and person.surname in words:
                full = person.tokens <= words  # the cluster holds the whole name, not the surname only
                score = (full, cluster.label == "PERSON", cluster.count, len(cluster.canonical or ""))
                if best is None or score > best[0]:
                    best = (score, cluster.id)
        return best[1] if best else None


def _person_by_grammar(ent: Span) -> bool:
    """A name NER took for an organisation or a place that the sentence shows is a person's: two
    or three proper nouns with no organisation head, given in apposition to a noun only people are
    (`the state education secretary, Renata Alves`) or the subject of a clause where he/she/his/her
    can only be it (`Fernanda Lima said her children ...`); a lone surname NER called an
    organisation, given such a noun in apposition; or a name with post-nominal letters
    (`Edmund Hale KC`)."""
    if post_nominal_tail([t.text for t in ent]):
        return True
    words = [t for t in ent if t.lower_ not in SURNAME_PARTICLES or t.i in (ent.start, ent.end - 1)]
    if not 1 <= len(words) <= 3 or any(t.pos_ != "PROPN" or t.tag_ == "NNPS" for t in words):
        return False  # "Pieter de Vries": a lower-case particle inside a surname is part of the name
    if ent[-1].lemma_.lower() in ORG_NOUNS or ent[-1].lower_ in ORG_NOUNS or ent[-1].lower_ in WEAK_ORG_HEADS:
        return False
    root = ent.root
    head = root.head
    given_a_role = any(c.dep_ == "appos" and c.pos_ == "NOUN" and _only_people(c) for c in root.children)
    if len(words) == 1:  # a surname alone, only when NER called it an organisation: "Diallo, Ashbourne's captain,"
        return ent.label_ == "ORG" and given_a_role
    if root.dep_ == "appos" and head.pos_ == "NOUN" and _only_people(head) or given_a_role:
        return True
    if root.dep_ not in ("nsubj", "nsubjpass") or head == root:
        return False
    sent_end = head.sent.end
    for tok in head.doc[ent.end : min(sent_end, ent.end + 12)]:
        if tok.lower_ in PRONOUN_GENDER:
            return not any(t.ent_type_ == "PERSON" for t in head.doc[ent.end : tok.i])
        if tok.text in ('"', "“", "”"):
            return False
    return False


def _names_given(noun: Token) -> list[Token]:
    """Where a description gives its own name: `a woman named X` (the verb, whose complement is X;
    not "called", which also names things and calls people names),
    `a mother who gave only her first name, X` (the noun "name", whose apposition is X)."""
    found = []
    for clause in noun.children:
        if clause.dep_ == "acl" and clause.lemma_ == "name":
            found.append(clause)
        elif clause.dep_ == "relcl" and clause.lemma_ == "give":
            found += [c for c in clause.children if c.dep_ == "dobj" and c.lemma_ == "name"]
    return found


def _is_title_word(tok: Token) -> bool:
    """A word of a title written before a name: `Sen.`, `Dr.`, `Chief Executive`, `Prosecutor`."""
    return tok.lower_ in TITLE_ROLES or tok.lower_ in PERSON_NOUNS or tok.lemma_.lower() in PERSON_NOUNS


def _kind_fits(lemma: str, words: set[str]) -> bool:
    """Whether an organisation noun can stand for an organisation with these words: "the police" is
    not the court, "the company" not the union; a noun of no distinct kind ("the station", "the
    group") fits any."""
    kinds = words & DISTINCT_ORG_KINDS
    lemma = _KIND_NAMES.get(lemma, lemma)
    if lemma in DISTINCT_ORG_KINDS:
        return not kinds or lemma in kinds
    if lemma in GENERIC_ORG_NOUNS and lemma != "group":
        return not kinds
    return True


def _no_longer(person: Person, mods: set[str]) -> bool:
    """Whether the person holds the role no more ("Former Prime Minister Lars Holm") while the
    description does not say so ("the minister" is the one in office)."""
    return bool(person.roles & _FORMER - mods)


def _is_agent_noun(word: str) -> bool:
    """An agent-noun form (`striker`, `organiser`): a person's trade, by its ending."""
    return len(word) > 4 and word.endswith(_PERSON_SUFFIXES) and word not in _NOT_PERSON_NOUNS


def _name_described_by(noun: Token) -> Span | None:
    """The capitalised name an organisation noun stands in apposition to, when no entity covers
    it (`Business Day, the Johannesburg newspaper,`: NER took the name for a date)."""
    if not is_org_noun(noun):
        return None
    name = noun.head
    if noun.dep_ != "appos":  # the parse may hang the name on the verb instead: "X, the newspaper, questioned"
        left = noun.left_edge.i
        name = noun.doc[left - 2] if left >= 2 and noun.doc[left - 1].text == "," else noun
        if name.head not in (noun, noun.head) or name.dep_ not in ("npadvmod", "nsubj", "appos", "dep"):
            return None
    if name.pos_ != "PROPN" or not name.text[:1].isupper():
        return None
    if name.ent_type_ in ("PERSON", "ORG", "GPE", "NORP"):
        return None
    return _proper_name(name)


def _organisation_role(tok: Token) -> Token | None:
    """The organisation noun a proper-noun subject that no person or organisation entity covers is
    given in apposition (`El Centinela, the city's largest newspaper, wrote`), or None."""
    if tok.pos_ != "PROPN" or not tok.text[:1].isupper() or tok.ent_type_ in ("PERSON", "ORG"):
        return None
    return next(
        (c for c in tok.children if c.dep_ == "appos" and c.pos_ == "NOUN" and is_org_noun(c) and not _only_people(c)),
        None,
    )


def _proper_name(tok: Token) -> Span:
    """The proper noun with the proper nouns compounded before it (`El Centinela`)."""
    start = tok.i
    while start > 0 and tok.doc[start - 1].pos_ == "PROPN" and tok.doc[start - 1].dep_ == "compound":
        start -= 1
    return tok.doc[start : tok.i + 1]


def _described_as_person(tok: Token) -> bool:
    """A capitalised proper-noun subject no entity covers, given in apposition to a noun of a
    person's trade that no organisation is called (`Amara Obi, the Nigerian painter, ...`)."""
    if tok.pos_ != "PROPN" or not tok.text[:1].isupper() or tok.ent_type_:
        return False
    return any(
        c.dep_ == "appos" and c.pos_ == "NOUN" and is_person_noun(c) and not is_org_noun(c) for c in tok.children
    )


def _kind_by_role(name: Span, toks: list[Token]) -> str | None:
    """ "person" or "org" when the words that introduce a name say which it is: a title or a noun in
    apposition only people are (`Chief Executive Thabo Nkosi`, `Otieno Were, a health economist`),
    or an organisation noun just before the name (`the utility Baltyk Energia`, `snack maker Tessara
    Foods`); None when nothing beside the name tells."""
    before = [t for t in toks if t.i < name.start]
    if before and before[-1].i == name.start - 1 and is_org_noun(before[-1]) and not _only_people(before[-1]):
        return "org"
    if any(t.lower_ in TITLE_ROLES or t.lower_ in HONORIFIC_GENDER or _only_people(t) for t in before):
        return "person"
    described = _descriptions(name.root)
    if any(_only_people(d) for d in described) or _described_as_person(name.root):
        return "person"
    if any(is_org_noun(d) for d in described):
        return "org"
    if _is_publication_name(name) or label_from_head([t.text for t in name], "PERSON") == "ORG":
        return "org"  # "The Eastmere Herald"; "Harlow District Council", "Norrland Paper AB" by their heads
    return None


def _is_publication_name(name: Span) -> bool:
    """ "The Northport Herald", "the Valley Gazette": a press word closing a name written with its
    article, as newspapers are (a person's name takes no "the": Emily Post is no paper)."""
    the = name[0] if name[0].lower_ == "the" else name.doc[name.start - 1] if name.start > 0 else None
    return the is not None and the.lower_ == "the" and name[-1].lower_ in PRESS_WORDS


def _one_persons_role(noun: Token) -> bool:
    """A noun only one person can be called (`the striker`, `the mayor`), not a team of them (`the
    campaign`, which speaks like a person)."""
    return is_person_noun(noun) and not is_org_noun(noun) and noun.lemma_.lower() not in COLLECTIVE_SPEAKERS


def _only_people(noun: Token) -> bool:
    """A noun that only a person can be (a minister, a mother), not one an organisation can (a buyer)."""
    lemma = noun.lemma_.lower()
    return lemma in PERSON_NOUNS and lemma not in ORG_NOUNS or lemma in GENDERED_NOUNS


def _antecedent(noun: Token, levels: int = 4, personal: bool = False) -> Token:
    """What a relative pronoun of saying stands for: the noun its clause hangs on, or, when that
    cannot speak (`Jo Roe, a farmer from the valley, who said`), the nearest noun up the chain
    that can, an appositive giving way to the name it describes. A `personal` "who" also passes
    the object of a preposition inside an appositive: in `Jo Roe, a nurse from Leeds, who said` the
    apposition is an aside and the clause goes on about Jo Roe, whatever the model made of Leeds."""
    tok = noun
    for _ in range(levels):
        if can_speak(tok) and tok.dep_ != "appos" and not (personal and _inside_apposition(tok)):
            return tok
        if tok.head == tok:
            break
        tok = tok.head
    return tok if can_speak(tok) else issuer(noun)


def _named_example(noun: Token, pronoun: Token) -> Token | None:
    """`some investors, including Ann Roy of Acme, who said`: the relative clause the parse hung on a
    plural goes on about the one name given as its example just before it."""
    if noun.tag_ not in ("NNS", "NNPS"):
        return None
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ in ("including", "like") and prep.i < pronoun.i:
            names = [c for c in prep.children if c.dep_ == "pobj" and c.pos_ == "PROPN" and can_speak(c)]
            if len(names) == 1 and not any(c.dep_ == "conj" for c in names[0].children):
                return names[0]
    return None


def _inside_apposition(tok: Token) -> bool:
    """The object of a preposition inside an appositive: "Leeds" of `Jo Roe, a nurse from Leeds,`."""
    return tok.dep_ == "pobj" and tok.head.dep_ == "prep" and tok.head.head.dep_ == "appos"


def speaker_path(person: Person | None, toks: list[Token]) -> str:
    """How the speaker was reached, for the confidence of the attribution: a relative or
    personal pronoun, a full name, a surname, a description, an organisation, or nothing."""
    if person is None:
        return "none"
    first = toks[0].lower_ if toks else ""
    if first in RELATIVE_PRONOUNS and len(toks) == 1:
        return "relative"
    if len(toks) == 1 and (toks[0].pos_ == "PRON" or first in SPEAKER_PRONOUNS):
        return "pronoun"
    if not person.human:
        return "organisation"
    if not person.named:
        return "description"
    return "named" if sum(t.pos_ == "PROPN" for t in toks) >= 2 else "surname"


def _compatible(person: Person, word: str, gender: str | None, plural: bool) -> bool:
    """Whether a pronoun can point at the person: number, then humanity, then gender."""
    if plural:
        return person.plural or not person.human
    if person.plural:
        return False
    if word == "it":
        return not person.human
    if not person.human:
        return False
    if gender and not person.named and person.gender is None and person.head not in PERSON_NOUNS:
        return False  # "he" is rarely a noun only guessed to be a person by its ending ("the weather")
    return not (gender and person.gender and person.gender != gender)


def _voice(toks: list[Token]) -> str | None:
    """The gender of a spokesperson mention, "x" when the noun does not tell."""
    lemma = next((t.lemma_.lower() for t in toks if t.lemma_.lower() in SPOKES_NOUNS), None)
    return None if lemma is None else _gender_by_suffix(lemma) or "x"


def _descriptions(root: Token) -> list[Token]:
    """The nouns a name is described by beside it: `Jo Roe, a father of three` or `her coach, Jo Roe`,
    or as the predicate of its clause: `Maria Costa is the director`, `Chen Wei, who became coach`."""
    nouns = [c for c in root.children if c.dep_ == "appos" and c.pos_ == "NOUN"]
    if root.dep_ == "appos" and root.head.pos_ == "NOUN":
        nouns.append(_member_of(root.head))
    for verb in _clauses_of(root):
        if verb.lemma_ in _COPULAS:
            nouns += [c for c in verb.children if c.dep_ in ("attr", "oprd") and c.pos_ == "NOUN"]
    return nouns


def _member_of(noun: Token) -> Token:
    """`two members of the independent group, Jo Roe and Bo Lee`: a name set after "N of the group"
    describes N, the people, though the parse hangs it on the group beside it."""
    prep = noun.head
    if noun.dep_ == "pobj" and prep.lower_ == "of" and prep.head.pos_ == "NOUN" and _only_people(prep.head):
        return prep.head
    return noun


def _clauses_of(root: Token) -> list[Token]:
    """The verbs whose subject the name is: its own clause (`Khan chairs ...`), a relative clause
    on it (`Khan, who chairs ...`), and a passive whose agent it is (`is coached by her uncle, Bengt
    Hallqvist`)."""
    verbs = [root.head] if root.dep_ in ("nsubj", "nsubjpass") and root.head != root else []
    verbs += [c for c in root.children if c.dep_ == "relcl" and any(s.dep_ == "nsubj" for s in c.children)]
    noun = root.head if root.dep_ == "appos" else root
    if noun.dep_ == "pobj" and noun.head.dep_ == "agent":
        verbs.append(noun.head.head)
    return verbs


def _roles_by_verb(root: Token) -> set[str]:
    """The role nouns a verb gives its subject: `who chairs the committee` makes the chairman."""
    return {r for verb in _clauses_of(root) for r in VERB_ROLES.get(verb.lemma_.lower(), ())}


def _is_subject(tok: Token) -> bool:
    """A subject, or the name given in apposition to one (`His neighbour, Sylvie Morel, agreed`)."""
    return tok.dep_ in ("nsubj", "nsubjpass") or tok.dep_ == "appos" and tok.head.dep_ in ("nsubj", "nsubjpass")


def _is_demonym(head: Token, toks: list[Token]) -> bool:
    """`the Brazilian`, `the Kansan`, `the Welshman`: one person named by where they are from. A
    lone capitalised word after "the" is no personal name, whatever NER calls it (it tags "Kansan"
    a person, "Frenchman" an organisation); organisations ("the Guardian") keep their label."""
    if head.tag_ != "NNP" or not 2 <= len(toks) <= 3 or toks[0].lower_ != "the" or toks[-1] != head:
        return False
    if len(toks) == 3 and not toks[1].ent_type_ == head.ent_type_ == "NORP":
        return False  # "the South African": one demonym in two words
    return head.ent_type_ in ("NORP", "PERSON") or _man_or_woman(head)


def _cluster_words(cluster: EntityCluster) -> set[str]:
    names = [cluster.canonical, *cluster.mentions]
    return {w.lower().removesuffix("'s").removesuffix("’s") for n in names if n for w in n.split()}


def _sentence_offsets(doc: Doc) -> tuple[list[int], list[int]]:
    """The character offset of each sentence, and of each token's sentence."""
    starts: list[int] = []
    per_token = [0] * len(doc)
    for sent in doc.sents:
        starts.append(sent.start_char)
        per_token[sent.start : sent.end] = [sent.start_char] * (sent.end - sent.start)
    return starts, per_token


def _subjects_and_pronouns(doc: Doc) -> tuple[list[Token], list[Token]]:
    """Noun subjects (with "old", which the parse makes the head of "the 29-year-old") and the
    gendered pronouns, read from the doc's arrays: a loop over every token costs more than the
    few it keeps."""
    if not len(doc):
        return [], []
    dep, pos, lower, ent = doc.to_array([DEP, POS, LOWER, ENT_TYPE]).T
    ids = doc.vocab.strings
    subject = ((dep == ids["nsubj"]) | (dep == ids["nsubjpass"])) & (
        (pos == NOUN) | (lower == ids["old"]) | (pos == PROPN) & (ent != ids["PERSON"])
    )
    pronoun = ~subject & functools.reduce(numpy.logical_or, [lower == ids[w] for w in PRONOUN_GENDER])
    return [doc[i] for i in numpy.flatnonzero(subject).tolist()], [doc[i] for i in numpy.flatnonzero(pronoun).tolist()]


def _common_nouns(doc: Doc) -> set[str]:
    """The nouns the article writes in lower case, read from the doc's arrays (no Token objects)."""
    if not len(doc):
        return set()
    pos, orth, lower = doc.to_array([POS, ORTH, LOWER]).T
    ids = doc.vocab.strings
    return {ids[int(k)] for k in set(lower[(pos == NOUN) & (orth == lower)].tolist()) if ids[int(k)].islower()}


def _starting_between(items: list[T], starts: list[int], lo: int, hi: int) -> list[T]:
    """The items (in text order, `starts` their offsets) that start at `lo` or after, before `hi`."""
    return items[bisect.bisect_left(starts, lo) : bisect.bisect_left(starts, hi)]


def _extent(toks: list[Token]) -> tuple[int, int]:
    """Where a mention starts and ends in the text."""
    return toks[0].idx, toks[-1].idx + len(toks[-1].text)


def _same_stem(demonym: str, place: str) -> bool:
    """ "kansan" and "kansas", "brazilian" and "brazil", "scot" and "scotland": a demonym shares all
    but the last two letters of the shorter word with its place."""
    if len(place) < 4:
        return False
    shared = len(os.path.commonprefix([demonym, place]))
    return shared >= 4 and shared >= min(len(demonym), len(place)) - 2


def _modifiers(head: Token) -> set[str]:
    """The words that narrow a description down: `deputy` in "the deputy mayor", `senior` in
    "the senior diplomat" (adjectives and nouns before the head, not its determiner or age)."""
    return {
        c.lower_
        for c in head.children
        if c.dep_ in ("amod", "compound", "nmod") and c.i < head.i and c.is_alpha and c.pos_ in ("ADJ", "NOUN", "PROPN")
    }


def _bare(noun: Token) -> bool:
    """A noun with nothing tying it to anyone: no possessor, compound, modifier or prepositional phrase
    (`a spokeswoman`, not `a spokeswoman for the minister` or `a Kremlin spokesman`)."""
    return not any(
        c.dep_ in ("poss", "compound", "nmod", "amod", "prep", "appos", "relcl", "acl") for c in noun.children
    )


def _replies(pron: Token) -> bool:
    """A pronoun whose verb takes a turn in an exchange (`she replied`, `he shot back`, `she said
    when told of her rival's remarks`)."""
    verb = pron.head
    lemma = verb.lemma_.lower()
    return pron.dep_ == "nsubj" and (
        lemma in REPLYING_VERBS
        or lemma in ("shoot", "hit", "fire")
        and any(c.dep_ in ("prt", "advmod") and c.lower_ == "back" for c in verb.children)
        or any(_answers_words(c) for c in verb.children)
    )


# What someone said, as another answers it ("told of her rival's remarks", "in response to the claims").
_WORDS_SAID = frozenset({"remark", "comment", "word", "claim", "criticism", "accusation", "statement"})


def _answers_words(clause: Token) -> bool:
    """A clause or phrase on a cue that hears or answers someone's words: `when told of her rival's
    remarks`, `responding to his comments`, `in response to the claims`."""
    if not (
        clause.dep_ == "advcl"
        and clause.lemma_.lower() in ("tell", "respond", "react", "reply")
        or clause.dep_ == "prep"
        and any(c.lemma_.lower() == "response" for c in clause.children)
    ):
        return False
    return any(t.lemma_.lower() in _WORDS_SAID for t in clause.subtree)


def _goes_on(pron: Token) -> bool:
    """A pronoun whose verb says its subject is continuing what they said (`he added`, `she
    continued`): whoever it is has already spoken."""
    verb = pron.head
    return (
        pron.dep_ == "nsubj"
        and verb.lemma_.lower() in CONTINUING_VERBS
        and not any(c.dep_ == "dobj" for c in verb.children)  # "he continued his assault" says nothing
    )


def _named_modifiers(nouns: Iterable[Token]) -> set[tuple[str, str]]:
    """The organisations and places a role is tied to, with their kind: names written before a
    person's name as part of their title (`Northgate` of "Northgate manager Ian Barker") or
    modifying or owning a describing noun (`City` of "City's head coach, Pieter de Vries",
    `Fenwick` of "the Fenwick manager")."""
    found = set()
    for tok in nouns:
        for t in (tok, *(c for c in tok.children if c.dep_ in ("compound", "amod", "nmod", "poss") and c.i < tok.i)):
            if t.ent_type_ in AFFILIATION_KINDS and t.text[:1].isupper():
                found.add((t.ent_type_, _strip_possessive(t.lower_)))
    return found


def _held_elsewhere(person: Person, at: set[tuple[str, str]]) -> bool:
    """Whether a description naming where its role is held (`the Fenwick manager`) cannot be this
    person, whose own title ties the role to another name of the same kind (`Northgate manager Ian
    Barker`; "the Florida senator" is not the senator from Nevada)."""
    return any(
        word not in person.words
        and any(k == kind for k, _ in person.affiliation)
        and not any(word in held for k, held in person.affiliation if k == kind)  # scraped "PressOhio" is Ohio
        for kind, word in at
    )


def _gender_by_suffix(lemma: str) -> str | None:
    if lemma.endswith("woman"):
        return "f"
    if lemma.endswith("man"):
        return "m"
    return None


def _other_given_names(tokens: set[str], known: set[str]) -> bool:
    """Two full names sharing a surname but neither holding the other: two people of one family."""
    return len(tokens) > 1 and len(known) > 1 and not (tokens <= known or known <= tokens)


def _strip_possessive(text: str) -> str:
    for suffix in ("'s", "’s"):
        if text.endswith(suffix):
            return text[: -len(suffix)]
    return text


def _title_before(name: Span, toks: list[Token]) -> str | None:
    """Words describing the person before the name: "Turkish Foreign Minister" in
    "Turkish Foreign Minister Mevlut Cavusoglu"."""
    before = [t for t in toks if t.i < name.start]
    while before and (before[0].dep_ in ("det", "poss") or before[0].is_punct):
        before = before[1:]
    before = [t for t in before if t.lower_ not in HONORIFIC_GENDER]
    if not before:
        return None
    return before[0].doc[before[0].i : before[-1].i + 1].text
