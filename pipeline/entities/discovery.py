"""Names the model missed, found from the parse and from the rest of the article.

* **Reporting frames.** ``the X said``, ``according to the X``: a capitalised
  proper noun with a lower-case article as the subject of a reporting verb is
  an organisation or publication (people do not take "the").
* **Organisation heads.** A capitalised head noun such as "Brigade", "Party"
  or "Council" after capitalised words or an ordinal ("the 12th Brigade") ends
  an organisation's name.
* **Places after a preposition.** A proper noun the gazetteer knows as a city,
  state or country, as the object of "in", "to", "from", "near" ..., is a place.
* **Nationalities and groups.** A capitalised adjective or plural noun whose
  country the gazetteer derives ("Somali", "Armenians", "South African"), or
  that names a religious, ethnic or regional group ("Sunni", "Kurds",
  "Western"), is NORP.
* **The rest of the article.** A name found once is the same name elsewhere:
  uncovered occurrences of a cluster's forms (and of a person's surname when
  only one person has it) join that cluster.
* **Score lines.** In results (`Leinster 23 Toulouse 19`) each side is a team: ORG, or GPE
  for a country's side. The model tends to run both sides and the scores into one name.
* **All-caps lines** (headlines, slugs, datelines) carry no case information, so
  the model's names there are kept only when the gazetteer knows them or the
  article names them in mixed case too (see `caps_ranges`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy
from spacy.attrs import IS_TITLE, ORTH
from spacy.strings import get_string_id
from spacy.tokens import Doc, Token

from pipeline.entities.gazetteer import NAME_PARTICLES, STRENGTH_CITY, Gazetteer, Place
from pipeline.entities.given_names import given_name_gender, name_gender
from pipeline.entities.mentions import HONORIFICS, Mention, is_positional, is_title_head, make_mention, title_length
from pipeline.entities.names import (
    CLUB_WORDS,
    COMPASS,
    EVENT_LINKS,
    EVENT_OF_PLACE,
    FAC_HEADS,
    HEADED_LABELS,
    PARTY_MEMBERS,
    SPORTS_ROLES,
    WEAK_ORG_HEADS,
    age_after,
    bare,
    is_group_word,
    label_from_head,
)
from pipeline.nlp.reporting_verbs import SPEECH_VERBS

# Reporting verbs by lemma: the frames whose subject is the source of a statement.
REPORTING_LEMMAS = frozenset(
    {
        "say",
        "tell",
        "add",
        "announce",
        "state",
        "report",
        "write",
        "warn",
        "confirm",
        "deny",
        "claim",
        "insist",
        "note",
        "reply",
        "respond",
        "declare",
        "argue",
        "accuse",
        "urge",
        "tweet",
        "post",
    }
)
PROPER_TAGS = frozenset({"NNP", "NNPS"})
# Labels no statement source has: a name so labelled in a `the X said` frame is an organisation.
FRAME_RELABELLED = frozenset({"PRODUCT", "WORK_OF_ART", "EVENT", "LAW", "LANGUAGE", "FAC"})
NORP_TAGS = frozenset({"JJ", "NNP", "NNPS", "NNS", "NN"})
# A line is all caps when it has this many letters and no lower-case word.
_CAPS_MIN_LETTERS = 8
_LINE = re.compile(r"[^\n]+")
_LOWER_WORD = re.compile(r"\b[a-z][a-z]+\b")
# Labels a town's name gets from the model when it names the town's club.
_TEAM_RELABELLED = frozenset({"GPE", "LOC", "FAC"})
# Labels the model gives an unfamiliar organisation after `Person of`.
_AFFILIATION_RELABELLED = frozenset({"GPE", "LOC", "PERSON", "NORP", "PRODUCT"})
# Verbs whose subject and object are the sides of a match, and the nouns and prepositions of a result.
RESULT_LEMMAS = frozenset(
    {"beat", "defeat", "draw", "lose", "win", "hold", "thrash", "edge", "rout", "overcome", "tie", "victory"}
)
FIXTURE_LEMMAS = frozenset({"play", "meet", "face", "host", "visit", "entertain"})
_SIDE_PREPOSITIONS = frozenset({"to", "at", "against", "over", "with", "by"})
_SCORE = re.compile(r"\b\d{1,3}-\d{1,3}\b")
# Heads that end a name the model missed: the strong ones, and those of buildings and streets.
_DISCOVERED_HEADS = (*HEADED_LABELS, (FAC_HEADS, "FAC"))
_MAX_HEAD_REACH = 2  # capitalised words a name may run on to reach its head ("Asian Winter Games")


def covered_tokens(mentions: Iterable[Mention]) -> set[int]:
    return {i for m in mentions for i in range(m.token_start, m.token_end)}


def title_tokens(doc: Doc) -> list[Token]:
    """The capitalised tokens, found in one array pass: every finder below starts from one of them,
    and building a Python object per token of a long article costs more than the finders."""
    if len(doc) == 0:
        return []
    return [doc[i] for i in numpy.flatnonzero(doc.to_array([IS_TITLE])).tolist()]


# ── reporting frames ─────────────────────────────────────────────────────────


def frame_organisations(doc: Doc, titled: Sequence[Token], covered: set[int], body: str) -> list[Mention]:
    """ORG mentions for ``the X said`` and ``according to the X`` where the model found no name."""
    found: list[Mention] = []
    for token in titled:
        if token.i in covered or token.tag_ not in PROPER_TAGS or not is_source_with_article(token):
            continue
        tokens = _uncovered_name(doc, token, covered)
        if tokens:
            _claim(found, covered, make_mention(tokens, "ORG", body, org_cue=True))
    return found


def is_source_with_article(token: Token) -> bool:
    """``the X said`` / ``according to the X``: the source of a statement, with a lower-case "the"."""
    if not (_is_reporting_subject(token) or _is_according_to_object(token)):
        return False
    return any(c.dep_ == "det" and c.text == "the" for c in token.children)


def relabel_framed_sources(doc: Doc, mentions: Iterable[Mention]) -> None:
    """A name the model called a product, work or event is an organisation when it is `the X` that said."""
    for mention in mentions:
        if mention.label in FRAME_RELABELLED and is_source_with_article(doc[mention.token_end - 1]):
            mention.label, mention.fixed = "ORG", True


def relabel_aged_people(doc: Doc, mentions: Iterable[Mention]) -> None:
    """A name followed by an age between commas is a person's, whatever the model called it
    ("Mokoena, 21, had been bidding"), and so is every name of the article ending in it
    ("Thandiwe Mokoena", which the model took for a product): one reading per name."""
    mentions, text = list(mentions), doc.text
    aged = {m.words[-1] for m in mentions if m.words and age_after(text, m.end) is not None}
    for mention in mentions:
        if mention.words and mention.words[-1] in aged and mention.label != "PERSON":
            mention.label, mention.fixed, mention.person_cue = "PERSON", True, True


def relabel_teams(doc: Doc, mentions: Iterable[Mention], gazetteer: Gazetteer) -> None:
    """A town that plays is its club: ORG for "Newcastle manager Kevin Dowd" and for the sides of a
    result ("Leeds beat Arsenal 2-0", "drew 1-1 at Aston Villa"). A country's side stays GPE, as in
    score lines, and a person who beats another ("Kovac beat Brenner 7-6") stays a person.

    Once the article has a club so found, the sides of a fixture need no score: "Chicago play
    Houston on Tuesday", "Cardiff will meet Toulouse or Brive"."""
    mentions = list(mentions)
    candidates = [m for m in mentions if _may_be_team(doc, m, gazetteer)]
    clubs = [m for m in candidates if _compound_of_role(doc[m.token_end - 1]) or _plays(doc[m.token_end - 1])]
    if clubs:
        clubs += [m for m in candidates if _plays(doc[m.token_end - 1], scored=False)]
    clubs += [m for m in mentions if _club_read_as_person(doc, m)]
    clubs += _opponents_of_clubs(doc, mentions, clubs)
    clubs += [m for m in candidates if _town_takes_plural_verb(doc, m, gazetteer)]
    for mention in clubs:
        mention.label, mention.fixed = "ORG", True


def _opponents_of_clubs(doc: Doc, mentions: Sequence[Mention], clubs: Sequence[Mention]) -> list[Mention]:
    """One word the model called a person, on the other side of a scored result from a club
    ("Chelsea beat Middlesbrough 3-1"): a club plays clubs. Two people stay people ("Hendry beat
    Davis 5-3"), as does a full name."""
    sides = [m for m in mentions if m.label == "ORG" and _plays(doc[m.token_end - 1])]
    results = _results_of(doc, [*clubs, *sides])
    return [
        m
        for m in mentions
        if m.label == "PERSON"
        and not m.fixed
        and m.token_end - m.token_start == 1
        and _plays(doc[m.token_start])
        and _faces(doc[m.token_start], results)
    ]


def _results_of(doc: Doc, clubs: Iterable[Mention]) -> set[int]:
    """The result verbs (token indices) that these clubs are surely a side of."""
    return {verb.i for m in clubs if (verb := _opponent_verb(doc[m.token_end - 1])) is not None}


def _faces(token: Token, results: set[int]) -> bool:
    """The token is the other side of one of these results."""
    verb = _opponent_verb(token)
    return verb is not None and verb.i in results


def _may_be_team(doc: Doc, mention: Mention, gazetteer: Gazetteer) -> bool:
    """A name the model gave a place's label that could stand for a club: not a country (a
    national side stays GPE), not a name whose head says what it is, not a ground after "at"."""
    if mention.label not in _TEAM_RELABELLED or mention.fixed:
        return False
    place = gazetteer.resolve(mention.text)
    if (place is not None and place.kind == "country") or label_from_head(mention.text.split(), "ORG"):
        return False
    return not (mention.label == "FAC" and doc[mention.token_end - 1].head.lower_ == "at")  # "won at Ellis Park"


_PLURAL_VERBS = frozenset({"are", "were", "have"})


def _town_takes_plural_verb(doc: Doc, mention: Mention, gazetteer: Gazetteer) -> bool:
    """A town that is the subject of a plural verb is its team: British English makes a club plural
    ("Liverpool are top", "Leeds were beaten"), never a town; two towns joined by "and" are not."""
    last = doc[mention.token_end - 1]
    if last.dep_ not in ("nsubj", "nsubjpass") or any(c.dep_ in ("conj", "cc") for c in last.children):
        return False
    if gazetteer.resolve(mention.text) is None:
        return False
    verb = last.head
    return any(t.lower_ in _PLURAL_VERBS and t.i > last.i for t in (verb, *verb.children))


def _club_read_as_person(doc: Doc, mention: Mention) -> bool:
    """One word the model called a person on a player's noun that a person's name follows
    ("Benfica midfielder Rui Pinto"): a person is not named by another person's role, so the
    word is the team. A given name is left alone ("Jordan")."""
    if mention.label != "PERSON" or mention.fixed or mention.person_cue or len(mention.words) != 1:
        return False
    last = doc[mention.token_end - 1]
    role = last.head
    return (
        _compound_of_role(last)
        and role.i == last.i + 1
        and role.i + 1 < len(doc)
        and doc[role.i + 1].is_title
        and given_name_gender(last.text) is None
    )


def _compound_of_role(token: Token) -> bool:
    """ "Leeds manager", "Ajax coach": a name on a player or staff noun."""
    return token.dep_ == "compound" and token.head.is_lower and token.head.lemma_ in SPORTS_ROLES


def relabel_affiliations(doc: Doc, mentions: Iterable[Mention], gazetteer: Gazetteer) -> None:
    """`Person of X` names where the person is from: a place the gazetteer knows ("Hingis of
    Switzerland"), else an organisation ("Pantani of Carrera", "Ruth Okafor of Lagos Fintech")."""
    mentions = list(mentions)
    people = {i for m in mentions if m.label == "PERSON" for i in range(m.token_start, m.token_end)}
    for mention in mentions:
        last = doc[mention.token_end - 1]
        if mention.label not in _AFFILIATION_RELABELLED or mention.fixed or last.dep_ != "pobj":
            continue
        before = doc[mention.token_start - 1]
        if before.is_title and gazetteer.demonym_country(before.text):
            continue  # a nationality titles a person: "the Williams of Canadian Jacques Lemay"
        of = last.head
        if of.lower_ != "of" or of.head.i not in people or gazetteer.resolve(mention.text) is not None:
            continue
        mention.label, mention.fixed = "ORG", True


def affiliated_organisations(
    doc: Doc, mentions: Sequence[Mention], covered: set[int], body: str, gazetteer: Gazetteer
) -> list[Mention]:
    """ORG for an uncovered proper-noun run after `Person of` that the gazetteer does not know as a
    place ("Kurt Hollander of Ferrone"): the model often tags neither."""
    found = []
    for person in mentions:
        end = person.token_end
        if person.label != "PERSON" or end + 1 >= len(doc) or doc[end].lower_ != "of":
            continue
        stop = end + 1
        while stop < len(doc) and stop not in covered and doc[stop].is_title and doc[stop].tag_ in PROPER_TAGS:
            stop += 1
        run = list(doc[end + 1 : stop])
        if not run or gazetteer.resolve(" ".join(t.text for t in run)) is not None:
            continue
        mention = make_mention(run, "ORG", body, fixed=True)
        if mention is not None:
            found.append(mention)
            covered.update(range(end + 1, stop))
    return found


def _side_verb(token: Token) -> Token | None:
    """The verb a side of a match would hang on: its own, or its preposition's ("lost to Leeds")."""
    if token.dep_ == "conj":
        token = token.head  # "Toulouse or Brive"
    if token.dep_ == "pobj" and token.head.lower_ in _SIDE_PREPOSITIONS:
        return token.head.head
    # the score after an object makes the parse call it "npadvmod" ("beat Parma 2-0")
    return token.head if token.dep_ in ("nsubj", "dobj", "npadvmod") else None


def _opponent_verb(token: Token) -> Token | None:
    """`_side_verb` for a side that is surely an opponent: "at Sheffield" may be the venue."""
    return None if token.dep_ == "pobj" and token.head.lower_ == "at" else _side_verb(token)


def _plays(token: Token, scored: bool = True) -> bool:
    """A side of a match: subject or object of a result verb, or the object of its preposition
    ("lost 2-0 to Leeds", "a 3-0 win over Roda"), in a sentence that gives the score; with
    `scored` off, also of a fixture verb ("play", "meet") and with no score needed."""
    head = _side_verb(token)
    if head is None:
        return False
    if not scored:
        return head.lemma_ in RESULT_LEMMAS or head.lemma_ in FIXTURE_LEMMAS
    if head.lemma_ not in RESULT_LEMMAS:
        return False
    return _SCORE.search(token.sent.text) is not None  # the tokenizer splits "2-0" into three


def _is_reporting_subject(token: Token) -> bool:
    return token.dep_ in ("nsubj", "nsubjpass") and token.head.lemma_ in REPORTING_LEMMAS


def _is_according_to_object(token: Token) -> bool:
    head = token.head
    return token.dep_ == "pobj" and head.lower_ == "to" and head.head.lower_ == "according"


def _proper_compound(doc: Doc, token: Token) -> list[Token]:
    """The token with the proper-noun compounds directly before it ("Wall Street Journal")."""
    start = token.i
    while start > 0 and doc[start - 1].tag_ in PROPER_TAGS and doc[start - 1].head.i in range(start, token.i + 1):
        start -= 1
    return list(doc[start : token.i + 1])


# ── organisation heads ───────────────────────────────────────────────────────


def headed_names(doc: Doc, titled: Sequence[Token], covered: set[int], body: str) -> list[Mention]:
    """Mentions for uncovered names ending in a strong head noun: ORG for "12th Brigade", EVENT for
    "Heineken Cup" (`names.HEADED_LABELS`), FAC for a street, road or building ("Wall Street",
    "Lansdowne Road"), which the model tends to leave untagged."""
    found = []
    for token in titled:
        if token.i in covered or token.tag_ not in PROPER_TAGS:
            continue
        label = next((lab for nouns, lab in _DISCOVERED_HEADS if bare(token.text) in nouns), None)
        if label is None:
            continue
        start = token.i
        while start > 0 and start - 1 not in covered and _name_part(doc[start - 1]):
            start -= 1
        if start == token.i:
            continue  # a bare "Council" may be any council
        mention = make_mention(list(doc[start : token.i + 1]), label, body, fixed=True)
        if mention is not None:
            found.append(mention)
            covered.update(range(start, token.i + 1))
    return found


def widened(doc: Doc, mention: Mention, body: str, covered: set[int]) -> Mention:
    """The mention grown over the words of its name the model left out, on either side."""
    mention = with_head_after(doc, with_name_before_head(doc, mention, body, covered), body, covered)
    return with_index_number(doc, with_event_before(doc, mention, body), body)


def with_name_before_head(doc: Doc, mention: Mention, body: str, covered: set[int]) -> Mention:
    """A lone head noun the model tagged ("Classic", "Masters") with the capitalised proper nouns
    before it that no other name holds: "Emerald Coast Classic" is one name, not a place and a head.
    An organisation's longer name grows only over words the parse compounds into it ("Ostrander" +
    "Falls District School Board")."""
    lone = mention.token_end - mention.token_start == 1
    headed = any(bare(doc[mention.token_end - 1].text) in nouns for nouns, _ in HEADED_LABELS)
    if not (headed if lone else mention.label == "ORG"):
        return mention
    start = mention.token_start
    while (
        start > 0
        and start - 1 not in covered
        and _name_part(doc[start - 1])
        and not doc[start - 1].is_sent_start
        and (lone or _compounded_into(doc[start - 1], start, mention.token_end))
    ):
        start -= 1
    if start == mention.token_start:
        return mention
    extended = make_mention(list(doc[start : mention.token_end]), mention.label, body)
    if extended is None:
        return mention
    covered.update(range(start, mention.token_end))
    return extended


def _compounded_into(token: Token, start: int, end: int) -> bool:
    """A word the parse compounds into the name between `start` and `end`, and not capitalised
    for where it stands ("Engineer Kelvano Systems Plc" opening a line)."""
    return token.dep_ == "compound" and start <= token.head.i < end and not is_positional(token)


def with_head_after(doc: Doc, mention: Mention, body: str, covered: set[int]) -> Mention:
    """A name the model cut before its own head noun, with that head: "European" + "Masters",
    "Newcastle" + "United". The grammar then labels the whole by its head (EVENT, a club's ORG)."""
    end = mention.token_end
    stop = min(len(doc), end + _MAX_HEAD_REACH)
    while end < stop and end not in covered and _name_part(doc[end]) and not doc[end].is_sent_start:
        end += 1
        if _names_by_head(doc[end - 1].text):
            extended = make_mention(list(doc[mention.token_start : end]), mention.label, body)
            if extended is None:
                return mention
            covered.update(range(mention.token_end, end))
            return extended
    return mention


def with_event_before(doc: Doc, mention: Mention, body: str) -> Mention:
    """A place named by an event of it is the event: "Tour of Spain", "Battle of Britain" (EVENT)."""
    start = mention.token_start
    if start < 2 or doc[start - 1].lower_ not in EVENT_LINKS:
        return mention
    noun = doc[start - 2]
    if not noun.text[:1].isupper() or noun.lower_ not in EVENT_OF_PLACE:
        return mention
    extended = make_mention(list(doc[start - 2 : mention.token_end]), "EVENT", body, fixed=True)
    return extended if extended is not None else mention


def _names_by_head(word: str) -> bool:
    """A head noun that ends a name and says what it names (`names.HEADED_LABELS`, a club word)."""
    return bare(word) in CLUB_WORDS or any(bare(word) in nouns for nouns, _ in HEADED_LABELS)


def with_index_number(doc: Doc, mention: Mention, body: str) -> Mention:
    """A share index's number is part of its name: "the FTSE 100 index", "the Nikkei 225 average"."""
    end = mention.token_end
    if end + 1 >= len(doc) or not doc[end].is_digit or doc[end + 1].lower_ not in ("index", "average", "share"):
        return mention
    extended = make_mention(list(doc[mention.token_start : end + 1]), mention.label, body, fixed=mention.fixed)
    return extended if extended is not None else mention


def party_member_names(doc: Doc, mentions: list[Mention], body: str, gazetteer: Gazetteer) -> list[Mention]:
    """A party-member noun with the capitalised adjectives before it is one name ("Free Democrats",
    "the Christian Democrats"): the model leaves the adjective out or tags it alone as a group word.
    A place, a nationality or an institution before the noun is its own name ("Delaware
    Republican", "French Socialists", "Senate Democrats"). Mentions inside the grown name go."""
    grown = []
    for mention in mentions:
        start = mention.token_start
        if bare(doc[mention.token_end - 1].text) not in PARTY_MEMBERS:
            continue
        while (
            start > 0 and start > mention.token_start - _MAX_HEAD_REACH and _party_qualifier(doc[start - 1], gazetteer)
        ):
            start -= 1
        extended = make_mention(list(doc[start : mention.token_end]), "NORP", body, fixed=True)
        if start < mention.token_start and extended is not None:
            grown.append(extended)
    if not grown:
        return mentions
    inside = {i for m in grown for i in range(m.token_start, m.token_end)}
    kept = [m for m in mentions if not set(range(m.token_start, m.token_end)) <= inside]
    return kept + grown


def _party_qualifier(token: Token, gazetteer: Gazetteer) -> bool:
    """A capitalised adjective that can open a party's name: not a place, a nationality or an
    institution's noun, and not the first word of a sentence ("Later Democrats ...")."""
    if not token.is_title or token.tag_ not in ("JJ", "NNP") or token.is_sent_start:
        return False
    word = bare(token.text)
    if any(word in nouns for nouns, _ in HEADED_LABELS) or word in WEAK_ORG_HEADS:
        return False
    return gazetteer.resolve(token.text) is None and gazetteer.demonym_country(token.text) is None


def _name_part(token: Token) -> bool:
    """A word that can open or continue an organisation's name: a capitalised proper noun or an ordinal."""
    return (token.is_title and token.tag_ in PROPER_TAGS) or (
        token.text[:1].isdigit() and token.is_alpha is False and token.text[-2:] in ("st", "nd", "rd", "th")
    )


# ── places after a preposition ───────────────────────────────────────────────

PLACE_PREPOSITIONS = frozenset(
    {"in", "to", "from", "near", "into", "inside", "outside", "across", "throughout", "toward", "towards", "via", "at"}
)


def prepositional_places(
    doc: Doc, titled: Sequence[Token], covered: set[int], body: str, gazetteer: Gazetteer
) -> list[Mention]:
    """GPE mentions for uncovered gazetteer places governed by a locative preposition ("flew to Aleppo")
    or naming where an organisation is based ("the Stavanger-based company")."""
    found: list[Mention] = []
    for token in titled:
        if token.i in covered or token.tag_ not in PROPER_TAGS:
            continue
        if not (token.dep_ == "pobj" and token.head.lower_ in PLACE_PREPOSITIONS) and not _based_in(doc, token):
            continue
        tokens = _uncovered_name(doc, token, covered)
        if tokens and _known_town(tokens, gazetteer) is not None:
            mention = make_mention(tokens, "GPE", body)
            if mention is not None:
                mention.locative = True
            _claim(found, covered, mention)
    return found


def result_sides(
    doc: Doc, titled: Sequence[Token], covered: set[int], body: str, gazetteer: Gazetteer
) -> list[Mention]:
    """Sides of a scored result that the model left untagged ("Arsenal beat Leeds 2-0") when the
    gazetteer knows them as towns: a club (ORG), or a country's side (GPE); then their opponents,
    as clubs. A name no gazetteer knows may be a player's as well as a club's ("Hendry beat Davis
    5-3"), so a result with no town in it is left alone."""
    found: list[Mention] = []
    sides = [t for t in titled if t.i not in covered and t.is_alpha and _plays(t)]
    for token in (t for t in sides if t.tag_ in PROPER_TAGS):
        tokens = _uncovered_name(doc, token, covered)
        place = _known_town(tokens, gazetteer) if tokens else None
        if place is not None:
            _claim(found, covered, make_mention(tokens, "GPE" if place.kind == "country" else "ORG", body, fixed=True))
        elif len(tokens) > 1 and any(_known_town(end, gazetteer) for end in (tokens[:1], tokens[-1:])):
            _claim(found, covered, make_mention(tokens, "ORG", body, fixed=True))  # "PSV Eindhoven", "Bayern Munich"
    # the other side of a club's result is a club too, known to the gazetteer or not, whatever
    # the tagger made of its word ("Arsenal" as an adjective)
    results = _results_of(doc, [m for m in found if m.label == "ORG"])
    for token in sides:
        tokens = _uncovered_name(doc, token, covered)
        if tokens and _faces(token, results):
            _claim(found, covered, make_mention(tokens, "ORG", body, fixed=True))
    return found


def _uncovered_name(doc: Doc, token: Token, covered: set[int]) -> list[Token]:
    """The token with its proper-noun compounds, when no mention holds any of them yet."""
    tokens = _proper_compound(doc, token)
    return [] if any(t.i in covered for t in tokens) else tokens


def _known_town(tokens: Sequence[Token], gazetteer: Gazetteer) -> Place | None:
    """The place the words name, when the gazetteer knows it by that name and it is a city or bigger."""
    place = gazetteer.resolve("".join(t.text_with_ws for t in tokens).strip())
    return None if place is None or place.alias or place.strength < STRENGTH_CITY else place


def _claim(found: list[Mention], covered: set[int], mention: Mention | None) -> None:
    """Keep a found mention and mark its tokens taken, so that no later finder claims them."""
    if mention is not None:
        found.append(mention)
        covered.update(range(mention.token_start, mention.token_end))


def relabel_bases(doc: Doc, mentions: Iterable[Mention], gazetteer: Gazetteer) -> None:
    """A known town the model gave another label where it says where something is based: "the
    Tromso-based group" names the town (GPE), not the group."""
    for mention in mentions:
        if mention.label in ("GPE", "LOC") or mention.fixed or not _based_in(doc, doc[mention.token_end - 1]):
            continue
        place = gazetteer.resolve(mention.text)
        if place is not None and not place.alias and place.strength >= STRENGTH_CITY:
            mention.label, mention.fixed = "GPE", True


def _based_in(doc: Doc, token: Token) -> bool:
    """ "Stavanger-based": the word before a hyphenated "based" says where something is."""
    i = token.i
    return i + 2 < len(doc) and doc[i + 1].text == "-" and doc[i + 2].lower_ == "based" and not doc[i].whitespace_


# ── nationalities ────────────────────────────────────────────────────────────


def nationalities(
    doc: Doc, titled: Sequence[Token], covered: set[int], body: str, gazetteer: Gazetteer
) -> list[Mention]:
    """NORP mentions for uncovered demonyms ("Somali officials", "Armenians fled")."""
    found = []
    for token in titled:
        if token.i in covered or token.tag_ not in NORP_TAGS:
            continue
        if _continues_a_name(doc, token) and token.i + 1 not in covered:
            continue  # part of a longer name the model missed; before a name it found, a title ("Dane Bo Riis")
        if not (is_group_word(token.text) or gazetteer.demonym_country(token.text)):
            continue
        mention = make_mention([token], "NORP", body, fixed=True)
        if mention is not None:
            found.append(mention)
            covered.add(token.i)
    return found


def people_after_titles(
    doc: Doc, titled: Sequence[Token], covered: set[int], body: str, gazetteer: Gazetteer
) -> list[Mention]:
    """PERSON for two or three uncovered capitalised proper nouns right after a person's title:
    a nationality the stage found ("German Kurt Hollander", "Dane Per Olsen") or an office or a
    role the model left untagged with the name ("Striker Jamal Osei"). Not when the run is a place
    or has a name's head; after an office, only with a given name first ("General Assembly")."""
    found = []
    for token in titled:
        nationality = token.i in covered and gazetteer.demonym_country(token.text) is not None
        office = token.i not in covered and is_title_head(token)
        if not (nationality or office):
            continue
        end = token.i + 1
        while end < len(doc) and end not in covered and doc[end].is_title and doc[end].tag_ in PROPER_TAGS:
            end += 1
        run = list(doc[token.i + 1 : end])
        if not 2 <= len(run) <= 3 or (end < len(doc) and doc[end].text[:1].isupper()):
            continue
        if not (_plain_name(run, gazetteer) if nationality else _given_and_family_name(run, gazetteer)):
            continue
        mention = make_mention(run, "PERSON", body, person_cue=True)
        if mention is not None:
            found.append(mention)
            covered.update(range(token.i + 1, end))
    return found


def given_name_people(doc: Doc, mentions: list[Mention], body: str, gazetteer: Gazetteer) -> list[Mention]:
    """The mentions with a person the model took for a place or an organisation put right: a
    given name and a surname ("Marta Hruba", which it may even cut into two GPEs; "Striker Jamal
    Osei", after an office or a role) is a person,
    unless the whole is a known place or ends in a head that names something else ("Virginia
    Beach", "Georgia Power Co")."""
    by_start = {m.token_start: m for m in mentions}
    out: list[Mention] = []
    merged: set[int] = set()
    for mention in sorted(mentions, key=lambda m: m.token_start):
        if id(mention) in merged:
            continue
        end = mention.token_end
        if mention.label != "PERSON" and not mention.fixed and mention.token_end - mention.token_start == 1:
            nxt = by_start.get(end)
            if nxt is not None and nxt.token_end - nxt.token_start == 1 and nxt.label != "PERSON":
                end = nxt.token_end  # the model's two one-word names, side by side
        tokens = list(doc[mention.token_start : end])
        if mention.label != "PERSON" and not mention.fixed:
            tokens = tokens[title_length(tokens) :]  # "Striker Jamal Osei", an organisation to the model
        if mention.label == "PERSON" or mention.fixed or not _given_and_family_name(tokens, gazetteer):
            out.append(mention)
            continue
        person = make_mention(tokens, "PERSON", body, person_cue=True)
        if person is None:
            out.append(mention)
            continue
        if end != mention.token_end:
            merged.add(id(by_start[mention.token_end]))
        out.append(person)
    return out


def people_before_who(doc: Doc, mentions: list[Mention], body: str, gazetteer: Gazetteer) -> list[Mention]:
    """PERSON for two or three capitalised proper nouns that a relative "who" with a singular verb
    follows ("Aled Pritchard, who milks 180 cows", "Magnus Thorsen, who became ..."), whatever the
    model made of them: "who" is said of people, and a person takes a singular verb where a team
    or a band, which British copy also calls "who", takes a plural one ("Villa, who were"). Not
    when the words are a place or end in a head that names something else, nor when a longer
    name runs through them."""
    out = list(mentions)
    for who in doc:
        if who.lower_ != "who" or who.dep_ not in ("nsubj", "nsubjpass") or who.i < 3 or doc[who.i - 1].text != ",":
            continue
        run = _untitled_run_before(doc, who.i - 1)  # "Striker Jamal Nwosu, who ..."
        if run and _singular(who.head) and _personal_name(run, gazetteer):
            out = _person_over(run, out, body)
    return out


def people_who_speak(doc: Doc, mentions: list[Mention], body: str, gazetteer: Gazetteer) -> list[Mention]:
    """PERSON for two or three capitalised proper nouns that open on a given name of any language
    and are the subject of a verb of saying ("Nkechi Obi, defending, said", "said Ama Owusu"),
    whatever the model made of them: what speaks under a given name is a person. Not when the
    words are a place or end in a head that names something else."""
    out = list(mentions)
    for verb in doc:
        if verb.lemma_.lower() not in SPEECH_VERBS or verb.pos_ != "VERB":
            continue
        for subject in (c for c in verb.children if c.dep_ == "nsubj" and c.tag_ == "NNP"):
            run = _untitled_run_before(doc, subject.i + 1)  # "General Electric": a title, not a name
            if not run or run[0].i < subject.left_edge.i or bare(run[0].text) in COMPASS:
                continue  # "Western Journalism"
            if name_gender(run[0].lower_) is not None and _personal_name(run, gazetteer):
                out = _person_over(run, out, body)
    return out


def people_after_honorifics(doc: Doc, mentions: list[Mention], body: str, gazetteer: Gazetteer) -> list[Mention]:
    """PERSON for one to three capitalised proper nouns after an honorific (`Dr Anjali
    Raghunathan`, `Mrs Lindahl`), whatever the model made of them: an honorific stands only before
    a person's name. Not when the words are a place or end in a head that names something else."""
    out = list(mentions)
    for token in doc:
        if bare(token.text) not in HONORIFICS or not token.is_title:
            continue
        start = token.i + 1 + (token.i + 1 < len(doc) and doc[token.i + 1].text == ".")
        end = start
        while end < len(doc) and end - start < 3 and doc[end].is_title and doc[end].tag_ in PROPER_TAGS:
            end += 1
        run = list(doc[start:end])
        if run and (end >= len(doc) or not doc[end].is_title) and _plain_name(run, gazetteer):
            out = _person_over(run, out, body)
    return out


def _person_over(run: list[Token], mentions: list[Mention], body: str) -> list[Mention]:
    """The mentions with a PERSON over `run` in place of the model's other readings inside it; as
    they were when a person, a fixed label or a longer name already covers any of it."""
    lo, hi = run[0].i, run[-1].i + 1
    inside = [m for m in mentions if m.token_start < hi and lo < m.token_end]
    if any(m.label == "PERSON" or m.fixed or m.token_start < lo or m.token_end > hi for m in inside):
        return mentions
    person = make_mention(run, "PERSON", body, person_cue=True)
    if person is None:
        return mentions
    kept = [m for m in mentions if not any(m is n for n in inside)]
    return sorted([*kept, person], key=lambda m: m.token_start)


def _name_run_before(doc: Doc, end: int) -> list[Token] | None:
    """The two or three capitalised proper nouns right before token `end` (a title before them
    included), begun at a word that is no proper noun ("the Rolling Stones, who" has its article:
    a group)."""
    start = end
    while start > 0 and end - start < 4 and doc[start - 1].is_title and doc[start - 1].tag_ in PROPER_TAGS:
        start -= 1
    if not 2 <= end - start <= 3 or start > 0 and doc[start - 1].lower_ == "the":
        return None
    if start > 0 and doc[start - 1].is_title and doc[start - 1].tag_ in PROPER_TAGS:
        return None
    return list(doc[start:end])


def _untitled_run_before(doc: Doc, end: int) -> list[Token] | None:
    """The name run before token `end` without a title that opens it, when two or three words are left."""
    run = _name_run_before(doc, end)
    run = run[title_length(run) :] if run else run
    return run if run and len(run) >= 2 else None


def _singular(verb: Token) -> bool:
    """A verb (or its auxiliary) not in a plural form: `who milks`, `who became`, not `who were`."""
    words = [verb, *(c for c in verb.children if c.dep_ in ("aux", "auxpass"))]
    return not any(w.tag_ == "VBP" or w.lower_ == "were" for w in words)


def _given_and_family_name(tokens: Sequence[Token], gazetteer: Gazetteer) -> bool:
    if not 2 <= len(tokens) <= 3 or not all(t.is_title and t.tag_ == "NNP" for t in tokens):
        return False
    # "Kenya Red Cross", "Milan Indoor": a given name that is also a place leads a place's name
    return given_name_gender(tokens[0].text) is not None and _personal_name(tokens, gazetteer)


def _personal_name(tokens: Sequence[Token], gazetteer: Gazetteer) -> bool:
    """Words that could be a person's name and do not open on a place ("Aston Villa")."""
    return gazetteer.resolve(tokens[0].text) is None and _plain_name(tokens, gazetteer)


def _plain_name(tokens: Sequence[Token], gazetteer: Gazetteer) -> bool:
    """Words that could be a person's name: no place the gazetteer knows, no head that names
    something else ("Harbor Mining", "Davis Cup")."""
    text = " ".join(t.text for t in tokens)
    return gazetteer.resolve(text) is None and label_from_head(text.split(), "ORG") is None


def _continues_a_name(doc: Doc, token: Token) -> bool:
    """Followed by another capitalised proper noun: part of a longer name the model missed."""
    after = token.i + 1
    return after < len(doc) and doc[after].is_title and doc[after].tag_ in PROPER_TAGS


# ── score lines ──────────────────────────────────────────────────────────────


def scoreline_sides(doc: Doc, body: str, gazetteer: Gazetteer) -> list[Mention]:
    """Each side of `Name 23 Name 19`: two capitalised names, each followed by a bare score, on one
    line. A country's side is GPE (as in "France beat Italy"), any other side a club (ORG), a US
    state's too ("DETROIT 4 Colorado 2")."""
    sides = _named_scores(doc)
    found: list[Mention] = []
    for k in range(len(sides) - 1):
        (a, b, score), (c, d, _) = sides[k], sides[k + 1]
        if score + 1 != c or "\n" in body[doc[a].idx : doc[d - 1].idx]:
            continue
        for lo, hi in ((a, b), (c, d)):
            if found and found[-1].token_start == lo:
                continue
            place = gazetteer.resolve(body[doc[lo].idx : doc[hi - 1].idx + len(doc[hi - 1].text)])
            label = "GPE" if place is not None and place.kind == "country" else "ORG"  # "Colorado 2" is a club
            mention = make_mention(list(doc[lo:hi]), label, body, fixed=True)
            if mention is not None:
                found.append(mention)
    return found


_TIME_LABELS = frozenset({"DATE", "TIME"})


def _named_scores(doc: Doc) -> list[tuple[int, int, int]]:
    """(name start, name end, score token) for each run of capitalised words followed by a bare number."""
    out = []
    start: int | None = None
    for token in doc:
        # capitalised words or acronyms ("PSV Eindhoven", "Roda JC"), but not "May 23";
        # a side in capitals is the home team ("DETROIT 4 Colorado 2"); a day or month goes on a
        # name it does not start ("Sheffield Wednesday 2")
        timely = token.ent_type_ in _TIME_LABELS and start is None
        if (token.is_title or token.is_upper) and token.is_alpha and not timely:
            start = token.i if start is None else start
            continue
        if start is not None and token.text.isdigit() and len(token.text) <= 3:
            out.append((start, token.i, token.i))
        start = None
    return out


# ── all-caps lines ───────────────────────────────────────────────────────────


def caps_ranges(body: str) -> list[tuple[int, int]]:
    """(start, end) of lines written all in capitals: enough letters, no lower-case word, and under a
    tenth of the letters in lower case ("Liverpool 1 Aston Villa 2" is a results line in mixed case)."""
    ranges = []
    for match in _LINE.finditer(body):
        line = match.group()
        letters = sum(ch.isalpha() for ch in line)
        lower = sum(ch.islower() for ch in line)
        if not _LOWER_WORD.search(line) and letters >= _CAPS_MIN_LETTERS and lower * 10 < letters:
            ranges.append(match.span())
    return ranges


_MAX_COUNTRY_WORDS = 3  # "UNITED ARAB EMIRATES"


def caps_countries(
    doc: Doc, caps: Sequence[tuple[int, int]], mentions: Sequence[Mention], body: str, gazetteer: Gazetteer
) -> list[Mention]:
    """GPE for a country named in an all-caps line that the model missed ("GERMANY: BONN COALITION
    SPLIT", "... CHINA IN SURPRISE DEFEAT"): capitals hide a name from the model, not from the
    gazetteer. Not before a head noun ("US OPEN" is an event) nor when a person of the article
    carries the word ("JORDAN SCORES 40" after "Michael Jordan")."""
    covered = covered_tokens(mentions)
    people = {w for m in mentions if m.label == "PERSON" for w in m.words}
    found = []
    for lo, hi in caps:
        span = doc.char_span(lo, hi, alignment_mode="expand")
        i = span.start if span is not None else hi
        while span is not None and i < span.end:
            n = _caps_country_length(doc, i, span.end, covered, people, gazetteer)
            mention = make_mention(list(doc[i : i + n]), "GPE", body) if n else None
            if mention is not None:
                found.append(mention)
            i += max(n, 1)
    return found


def _caps_country_length(doc: Doc, i: int, end: int, covered: set[int], people: set[str], gazetteer: Gazetteer) -> int:
    """How many tokens from `i` name a country (longest first), or 0."""
    for n in range(min(_MAX_COUNTRY_WORDS, end - i), 0, -1):
        tokens = doc[i : i + n]
        if any(t.i in covered or not t.is_alpha for t in tokens) or (i + n < end and _names_by_head(doc[i + n].text)):
            continue
        if n == 1 and tokens[0].lower_ in people:
            continue
        place = gazetteer.country(tokens.text)
        if place is not None and not place.alias:
            return n
    return 0


def in_ranges(position: int, ranges: Sequence[tuple[int, int]]) -> bool:
    return any(lo <= position < hi for lo, hi in ranges)


# ── the rest of the article ──────────────────────────────────────────────────


def forms_index(
    named: Iterable[tuple[object, Sequence[tuple[str, ...]]]],
) -> dict[str, list[tuple[tuple[str, ...], object]]]:
    """First word -> (token texts, owner), longest forms first, for one pass over the doc."""
    index: dict[str, list[tuple[tuple[str, ...], object]]] = {}
    for owner, forms in named:
        for form in forms:
            if form:
                index.setdefault(form[0], []).append((form, owner))
    for entries in index.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return index


def repeated_occurrences(
    doc: Doc, covered: set[int], index: dict[str, list[tuple[tuple[str, ...], object]]], caps: Sequence[tuple[int, int]]
) -> list[tuple[int, int, object]]:
    """(token start, token end, owner) for uncovered, free-standing occurrences of indexed forms.

    An occurrence must be proper nouns (or an acronym) in mixed-case text, not
    glued to another capitalised name on either side ("Loch Ness" is not "Ness")
    except an office title before it ("President Ness").
    """
    found: list[tuple[int, int, object]] = []
    if not index or len(doc) == 0:
        return found
    firsts = numpy.array([get_string_id(word) for word in index], dtype=numpy.uint64)
    for i in numpy.flatnonzero(numpy.isin(doc.to_array([ORTH]), firsts)).tolist():
        if i in covered:
            continue
        match = next((e for e in index[doc[i].text] if _matches(doc, i, e[0], covered)), None)
        if match is None or in_ranges(doc[i].idx, caps):
            continue
        form, owner = match
        found.append((i, i + len(form), owner))
        covered.update(range(i, i + len(form)))
    return found


def _matches(doc: Doc, i: int, form: tuple[str, ...], covered: set[int]) -> bool:
    end = i + len(form)
    if end > len(doc) or any(j in covered for j in range(i, end)):
        return False
    tokens = doc[i:end]
    if tuple(t.text for t in tokens) != form:
        return False
    if not all(_name_like(t) for t in tokens):
        return False
    return not (_glued(doc, i - 1) and not is_title_head(doc[i - 1])) and not _glued(doc, end)


def _name_like(token: Token) -> bool:
    """A proper noun, an acronym, a particle, or a capital mid-sentence (which only names have)."""
    return (
        token.tag_ in PROPER_TAGS
        or token.is_upper
        or token.lower_ in NAME_PARTICLES
        or (token.is_title and not token.is_sent_start and token.i > 0)
    )


def _glued(doc: Doc, j: int) -> bool:
    """Token `j` would extend the name: a capitalised proper noun ("Loch Ness", "USA TODAY"), or a
    hyphen joining it to a capitalised word ("Glass-Steagall")."""
    if not 0 <= j < len(doc):
        return False
    token = doc[j]
    if token.text in ("-", "‐", "‑") and not token.whitespace_ and 0 < j < len(doc) - 1:
        return doc[j - 1].text[:1].isupper() and doc[j + 1].text[:1].isupper()
    return (token.is_title or token.is_upper) and token.tag_ in PROPER_TAGS
