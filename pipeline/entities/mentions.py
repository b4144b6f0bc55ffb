"""From a model span to the bare name, with the evidence the words around it give.

Each span is trimmed to the name itself (edge punctuation, a leading "the",
office titles on people, possessive 's), extended over name particles the
model cut off ("Erik" + "ten Hag"), and split when a nationality qualifies a
generic public body ("Kenyan" + "Ministry of Health"). The trimmed words
leave cues: a title before a name is person evidence, a lower-case "the" is
organisation evidence (people do not take articles), and the name's grammar
(head nouns, a feature noun it modifies) may fix its label outright.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from pipeline.entities.gazetteer import (
    NAME_PARTICLES,
    STRENGTH_CITY,
    STRENGTH_COUNTRY,
    Gazetteer,
    fold,
    is_capitalised_name,
)
from pipeline.entities.given_names import name_gender
from pipeline.entities.names import (
    COMPASS,
    EVENT_TYPE_NOUNS,
    HOLDING_NOUNS,
    ISSUED_NOUNS,
    LINKS,
    LOC_FEATURES,
    ORG_TYPE_NOUNS,
    TRADE_NOUNS,
    WATER_AND_RELIEF,
    bare,
    club_place,
    is_generic_body,
    is_group_word,
    label_from_head,
    names_event_of_place,
    names_party_members,
    post_nominal_tail,
)

# Words that end an office title or honorific before a person's name
# ("state" and "affairs" close "Secretary of State", "Minister of Foreign Affairs").
TITLE_HEADS = frozenset(
    {
        "president",
        "president-elect",
        "minister",
        "premier",
        "chancellor",
        "secretary",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "ambassador",
        "envoy",
        "king",
        "queen",
        "prince",
        "princess",
        "emir",
        "sheikh",
        "pope",
        "cardinal",
        "archbishop",
        "bishop",
        "imam",
        "ayatollah",
        "rabbi",
        "general",
        "gen",
        "admiral",
        "adm",
        "colonel",
        "col",
        "captain",
        "capt",
        "commander",
        "lt",
        "sgt",
        "sergeant",
        "governor",
        "gov",
        "mayor",
        "senator",
        "sen",
        "rep",
        "congressman",
        "congresswoman",
        "judge",
        "justice",
        "chairman",
        "chairwoman",
        "ceo",
        "director",
        "commissioner",
        "leader",
        "lord",
        "lady",
        "sir",
        "dame",
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "prof",
        "professor",
        "rev",
        "reverend",
        "state",
        "affairs",
        "detective",
        "officer",
        "coach",
        "manager",
        "chief",
        "chair",
        "executive",
        "economist",
        "analyst",
        "striker",
        "midfielder",
        "goalkeeper",
        "plaintiff",
        "founder",
    }
)
# Words that may precede a title head inside the title ("Foreign Minister").
TITLE_MODIFIERS = frozenset(
    {
        "foreign",
        "prime",
        "deputy",
        "vice",
        "former",
        "acting",
        "interim",
        "chief",
        "senior",
        "defence",
        "defense",
        "interior",
        "finance",
        "economy",
        "trade",
        "energy",
        "health",
        "crown",
        "grand",
        "supreme",
        "first",
        "attorney",
        "lieutenant",
        "major",
        "rear",
        "home",
        "opposition",
        "army",
        "military",
        "police",
        "security",
        "national",
        "labor",
        "labour",
        "shadow",
        "white",
        "house",
        "party",
        "executive",
        "managing",
        "us",
        "u.s",
        "un",
        "u.n",
        "eu",
        "transport",
    }
)
# Title heads that take a portfolio before them ("Finance Minister", "Home Secretary").
_PORTFOLIO_HEADS = frozenset({"minister", "secretary"})
# Labels whose names may really begin with "The" ("The New York Times").
TITLED_LABELS = frozenset({"ORG", "WORK_OF_ART", "FAC", "PRODUCT", "EVENT", "LAW"})
POSSESSIVE_TOKENS = frozenset({"'s", "’s", "'", "’"})
POSSESSIVE_SUFFIXES: tuple[str, ...] = ("'s", "’s")
# A place name right after one of these reads as a location ("in Aleppo").
LOCATIVE_PREPOSITIONS = frozenset(
    {"in", "near", "into", "inside", "outside", "across", "throughout", "toward", "towards", "via", "from"}
)
# The title heads that only ever stand before a person's name (`Dr Anjali Rao`, `Mrs Lindahl`).
HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "rev"})
# Lower-case particles inside surnames ("Erik ten Hag", "Ursula von der Leyen").
SURNAME_PARTICLES = frozenset(
    {
        "ten",
        "ter",
        "van",
        "von",
        "der",
        "den",
        "de",
        "da",
        "di",
        "du",
        "dos",
        "del",
        "della",
        "le",
        "la",
        "bin",
        "ibn",
        "al",
        "el",
    }
)
# Punctuation after which a capital letter is positional, not part of a name ("... (AP) — The").
OPENING_PUNCT = frozenset({"—", "–", "-", "--", ":", '"', "“", "‘", "'", "(", "["})
NORP_LABEL, ORG_LABEL = "NORP", "ORG"
# Dependencies of a name that modifies the head of its noun phrase rather than heading it.
MODIFIER_DEPS = frozenset({"compound", "nmod", "amod", "poss"})
# Parts of speech no name starts with: adverbs, prepositions, conjunctions, pronouns, interjections.
NEVER_LEADING_TAGS = frozenset({"RB", "RBR", "RBS", "IN", "CC", "PRP", "PRP$", "UH", "WRB", "WDT", "WP"})


@dataclass(slots=True)
class Mention:
    """One name in the body: offsets, label, folded words and the evidence around it."""

    start: int
    end: int
    text: str
    label: str
    words: tuple[str, ...]
    token_start: int = 0
    token_end: int = 0
    locative: bool = False  # after "in", "near", ...
    person_cue: bool = False  # an office title or honorific before it
    org_cue: bool = False  # a lower-case "the" before it, or a `the X said` frame
    fixed: bool = False  # the label comes from the name's grammar, not the model
    caps: bool = False  # inside an all-caps line (headline, slug, dateline)
    dateline: bool = False  # the place of filing, its own entity ("LIVERPOOL" is not Liverpool FC)

    @property
    def key(self) -> str:
        return " ".join(self.words)


def span_mentions(span: Span, body: str, gazetteer: Gazetteer) -> list[Mention]:
    """The span as zero, one or two bare-name mentions (a qualifying nationality splits off)."""
    tokens, label = list(span), span.label_
    if label == "PERSON":
        tokens = _with_given_name(span.doc, _with_surname_particles(span.doc, tokens), gazetteer)
        tokens = _with_hyphened_syllable(span.doc, tokens)
    person_and_org = _person_of_organisation(tokens, label)
    if person_and_org is not None:
        named, organisation = person_and_org
        found = [make_mention(named, "PERSON", body, fixed=True)]
        if gazetteer.resolve(" ".join(t.text for t in organisation)) is None:  # "of Leeds" stays the model's
            found.append(make_mention(organisation, ORG_LABEL, body, fixed=True))
        return [m for m in found if m is not None]
    tokens, titled, the = _trim_tokens(tokens, label, gazetteer)
    before = [span.doc[tokens[0].i - 1].text] if tokens and tokens[0].i > 0 else []
    if tokens and post_nominal_tail([*before, *(t.text for t in tokens)]) == len(tokens):
        return []  # the "KC" of "Miriam Oduya KC", when the model ends the name before it
    post_nominals = post_nominal_tail([t.text for t in tokens])
    if post_nominals:  # "Edmund Hale KC": only a person carries the letters, and they are no part of the name
        tokens, label, titled = tokens[:-post_nominals], "PERSON", True
    if not tokens or _opens_title(tokens):
        return []
    # "Chancellor Olaf Scholz", which the model calls an organisation: a title before a name is a person's
    person_cue = titled or (label in ("PERSON", "ORG") and _title_before(span.doc, tokens[0].i))
    # "the Sentinel" is an organisation; "the Biden administration" only modifies one
    org_cue = (the or _lower_the_before(span.doc, tokens[0].i)) and tokens[-1].dep_ not in MODIFIER_DEPS
    split = _nationality_split(tokens, gazetteer)
    if split is not None:
        adjective, body_tokens = split
        return [
            m
            for m in (
                make_mention(adjective, NORP_LABEL, body, fixed=True),
                make_mention(body_tokens, ORG_LABEL, body, fixed=True),
            )
            if m is not None
        ]
    person = _nationality_before_person(tokens, label, gazetteer)
    if person is not None:
        return [
            m
            for m in (
                make_mention(tokens[:1], NORP_LABEL, body, fixed=True),
                make_mention(person, "PERSON", body, person_cue=True),
            )
            if m is not None
        ]
    mention = make_mention(tokens, label, body, person_cue=person_cue, org_cue=org_cue)
    return [mention] if mention is not None else []


def make_mention(
    tokens: Sequence[Token],
    label: str,
    body: str,
    *,
    person_cue: bool = False,
    org_cue: bool = False,
    fixed: bool = False,
) -> Mention | None:
    """A mention over `tokens` (already trimmed), or None when nothing name-like is left."""
    if not tokens:
        return None
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
    end = _without_full_stop(body, start, _without_possessive_suffix(body, start, end))
    text = body[start:end]
    words = tuple(fold(text).split())
    if not words or not any(ch.isupper() for ch in text):
        return None  # names are written with capitals: "in the bush" names no one
    if words[0] == "the" and len(words) > 1:
        words = words[1:]
    doc = tokens[0].doc
    previous = doc[tokens[0].i - 1].lower_ if tokens[0].i > 0 else ""
    return Mention(
        start,
        end,
        text,
        label,
        words,
        tokens[0].i,
        tokens[-1].i + 1,
        locative=previous in LOCATIVE_PREPOSITIONS,
        person_cue=person_cue,
        org_cue=org_cue,
        fixed=fixed,
    )


# ── the name's own grammar ───────────────────────────────────────────────────


def grammar_label(mention: Mention, doc: Doc, gazetteer: Gazetteer) -> str | None:
    """The label the name's form gives it, or None to leave it to the model and the gazetteer.

    In order: a country or continent named outright stays with the gazetteer; a
    single-word nationality is NORP; a club-shaped name on a place ("Leeds United",
    "Real Madrid") is ORG; a compass word on a continent is a region (LOC); then
    the name's head noun; then a lower-case feature noun it modifies ("the Juba
    and Shabelle rivers").
    """
    text = mention.text
    if not _is_name_shaped(text):
        return None
    if _modifies_feature_noun(doc[mention.token_end - 1], WATER_AND_RELIEF) and _may_be_feature(mention):
        return "LOC"
    whole = gazetteer.resolve(text)
    if whole is not None and (not whole.alias or whole.strength > STRENGTH_CITY):
        return None  # "Green Bay", "West Bank": places whatever their last word
    words = text.split()
    if _initials_and_surname(words, gazetteer) and not _opens_line(doc, mention.token_start):
        return "PERSON"  # a line may open on a numbered heading (`I. Survey design`)
    if _reads_as_nationality(mention, doc) and (
        is_group_word(text) or (len(words) == 1 and gazetteer.demonym_country(text))
    ):
        return NORP_LABEL
    if names_party_members(words):
        return NORP_LABEL
    if names_event_of_place(words) and words[0][:1].isupper():
        return "EVENT"
    place = club_place(words)
    if place is not None and whole is None and _is_settlement(place, gazetteer):
        return ORG_LABEL
    if len(words) >= 2 and bare(words[0]) in COMPASS and _is_continent(" ".join(words[1:]), gazetteer):
        return "LOC"
    label = label_from_head(words, mention.label)
    if label is not None:
        return label
    if _may_be_feature(mention) and _modifies_feature_noun(doc[mention.token_end - 1], LOC_FEATURES):
        return "LOC"
    if mention.label != "PERSON" and _modifies_feature_noun(doc[mention.token_end - 1], _ISSUER_NOUNS):
        return ORG_LABEL  # "the Sultan Murad brigade", "Wendt shares", "the Topix average"
    if mention.label != "PERSON" and _modifies_feature_noun(doc[mention.token_end - 1], EVENT_TYPE_NOUNS):
        return "EVENT"
    if not mention.person_cue and len(words) <= 3 and _typed_or_held(doc, mention.token_start):
        return ORG_LABEL
    return None


_INITIAL = re.compile(r"[A-Z]\.")


def _initials_and_surname(words: Sequence[str], gazetteer: Gazetteer) -> bool:
    """`D. Cork`, `J. R. Hartley`: initials then a surname write a person's name, whatever the
    surname also names. A compass point shortened before a place (`N. Korea`, `S. Africa`) or a
    country after an initial (`N. Ireland`) is the place."""
    *initials, last = words
    if not (1 <= len(initials) <= 2 and all(_INITIAL.fullmatch(w) for w in initials)):
        return False
    if not (last.isalpha() and last[:1].isupper() and last[1:].islower()):
        return False
    places = [last] + [f"{c} {last}" for c in COMPASS if c[0] == initials[-1][0].lower()]
    return not any((p := gazetteer.resolve(n)) is not None and p.strength >= STRENGTH_COUNTRY for n in places)


def _opens_line(doc: Doc, i: int) -> bool:
    return i == 0 or "\n" in doc[i - 1].text


def _typed_or_held(doc: Doc, i: int) -> bool:
    """The name comes straight after a lower-case organisation noun ("oil firm Petrobras", "miner
    Norvale"), or a trade noun opening the sentence ("Brewer Halsey Ward"), or is what shares are
    held in ("shares in Corvane", "a stake in Halcrow")."""
    if i == 0:
        return False
    before = doc[i - 1]
    if before.is_lower and bare(before.text) in ORG_TYPE_NOUNS and before.tag_ in ("NN", "NNS"):
        return True
    if is_positional(before) and bare(before.text) in TRADE_NOUNS:
        return True  # "Brewer Halsey Ward fell 9p"
    return i > 1 and before.lower_ in ("in", "of") and doc[i - 2].lower_ in HOLDING_NOUNS


def _reads_as_nationality(mention: Mention, doc: Doc) -> bool:
    """A demonym the model called a language is the nationality only as an adjective on a noun
    ("English striker"); "speak English" and "in English" stay LANGUAGE."""
    if mention.label != "LANGUAGE":
        return True
    token = doc[mention.token_end - 1]
    return token.dep_ == "amod" and token.head.lower_ not in ("language", "languages", "-language")


def _may_be_feature(mention: Mention) -> bool:
    """Anything but a full person name may be the name of a river, a coast or a brigade."""
    return mention.label != "PERSON" or len(mention.words) == 1


def _is_name_shaped(text: str) -> bool:
    """Capitalised words, with particles and the links of institutional names ("for", "on")."""
    words = text.split()
    return (
        bool(words)
        and words[0][:1].isupper()
        and all(
            w[:1].isupper() or not w[:1].isalpha() or w.casefold() in NAME_PARTICLES or w.casefold() in LINKS
            for w in words
        )
    )


def _is_settlement(name: str, gazetteer: Gazetteer) -> bool:
    place = gazetteer.resolve(name)
    return place is not None and not place.alias and place.kind in ("city", "us_state", "country")


def _is_continent(name: str, gazetteer: Gazetteer) -> bool:
    return any(p.kind == "continent" for p in gazetteer.lookup(name))


def _modifies_feature_noun(token: Token, features: frozenset[str]) -> bool:
    """The name sits on a lower-case feature noun: "Shabelle rivers", or either of "Juba and Shabelle rivers"."""
    first = token.head if token.dep_ == "conj" else token  # the first conjunct carries the attachment
    heads = [first.head] if first.dep_ in ("compound", "nmod", "amod") else []
    heads += [c for c in token.children if c.dep_ == "conj"]
    return any(h.is_lower and bare(h.text) in features for h in heads)


# ── trimming ─────────────────────────────────────────────────────────────────


def _trim_tokens(tokens: list[Token], label: str, gazetteer: Gazetteer) -> tuple[list[Token], bool, bool]:
    """Drop edge punctuation, a leading "the", office titles (people only) and possessive tokens.

    Also says whether a title was dropped and whether a lower-case "the" was.
    """
    tokens = _strip_edges(tokens)
    while len(tokens) > 1 and label != "WORK_OF_ART" and tokens[0].tag_ in NEVER_LEADING_TAGS:
        tokens = _strip_edges(tokens[1:])  # "Later Lindqvist", "Meanwhile Reuters"
    titled = the = False
    if len(tokens) > 1 and _is_droppable_the(tokens, label, gazetteer):
        the = tokens[0].text == "the"
        tokens = _strip_edges(tokens[1:])
    if len(tokens) > 1 and is_positional(tokens[0]) and bare(tokens[0].text) in TRADE_NOUNS:
        tokens = tokens[1:]  # "Steelmaker Norvik Steel ASA" at a sentence start
    if label == "PERSON":
        n = title_length(tokens)
        titled = n > 0
        tokens = _strip_edges(tokens[n:])
    while tokens and tokens[-1].text in POSSESSIVE_TOKENS:
        tokens = _strip_edges(tokens[:-1])
    # a result the model ran into the name: "Brian Lara 64", "Sanguinetti 7-6 4-6"
    while len(tokens) > 1:
        if _SCORE.match(tokens[-1].text) or (label == "PERSON" and tokens[-1].like_num):
            tokens = _strip_edges(tokens[:-1])
        elif len(tokens) > 3 and tokens[-1].is_digit and tokens[-2].text == "-" and tokens[-3].is_digit:
            tokens = _strip_edges(tokens[:-3])  # "6-3" split into three tokens
        elif (
            label in _UNCASED_TAIL_LABELS
            and tokens[-1].is_lower
            and tokens[-1].is_alpha
            and not _hyphened_name_part(tokens[-1])
        ):
            tokens = _strip_edges(tokens[:-1])  # "Communist Refoundation party": names end capitalised
        else:
            break
    return tokens, titled, the


_ISSUER_NOUNS = ORG_TYPE_NOUNS | ISSUED_NOUNS
_UNCASED_TAIL_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"})
_SCORE = re.compile(r"^\(?\d+(?:-\d+)+\)?$")


def _strip_edges(tokens: list[Token]) -> list[Token]:
    """Without leading/trailing punctuation or whitespace tokens."""
    lo, hi = 0, len(tokens)
    while lo < hi and (tokens[lo].is_punct or tokens[lo].is_space):
        lo += 1
    while hi > lo and (tokens[hi - 1].is_punct or tokens[hi - 1].is_space):
        hi -= 1
    return tokens[lo:hi]


def _is_droppable_the(tokens: Sequence[Token], label: str, gazetteer: Gazetteer) -> bool:
    """Lower-case "the" is never part of a name; a positional "The" only in titles and known places.

    A "The" is positional at a sentence start or after opening punctuation (a
    dateline's dash, a quote mark). A capitalised "The" mid-sentence is a
    deliberate part of a title ("The New York Times"), so it stays; clustering
    ignores it either way.
    """
    first = tokens[0]
    if first.text == "the":
        return True
    if first.text != "The":
        return False
    name = "".join(t.text_with_ws for t in tokens)
    if is_capitalised_name(name) and gazetteer.lookup(name):
        return False  # "The Hague", "The Gambia"
    return is_positional(first) or label not in TITLED_LABELS


def is_positional(token: Token) -> bool:
    """Capitalised because of where it stands: sentence start, after a dash, colon or quote."""
    if token.is_sent_start or _opens_line(token.doc, token.i):
        return True
    return token.doc[token.i - 1].text in OPENING_PUNCT


def title_length(tokens: Sequence[Token]) -> int:
    """How many leading tokens form an office title ("Turkish Foreign Minister"), 0 if none.

    The title ends at the last title head that leaves at least one token; every
    word before it must look like part of a title, so names that merely contain
    such a word ("Martin Luther King Jr.") are left whole.
    """
    heads = [i for i, t in enumerate(tokens[:-1]) if is_title_head(t)]
    if not heads:
        return 0
    last = heads[-1]
    if all(_is_title_word(t) for t in tokens[:last]):
        return last + 1
    return 0


def _bare(token: Token) -> str:
    return token.lower_.rstrip(".")


def is_title_head(token: Token) -> bool:
    """A word that ends an office title or honorific before a name ("Minister", "Sen.", "Striker")."""
    return _bare(token) in TITLE_HEADS


def _is_title_word(token: Token) -> bool:
    """A word that can sit inside a title: a head, a modifier, a lower-case link word or an adjective."""
    bare_word = _bare(token)
    return (
        bare_word in TITLE_HEADS
        or bare_word in TITLE_MODIFIERS
        or token.is_lower
        or token.is_punct
        or token.tag_ == "JJ"
    )


def _opens_title(tokens: Sequence[Token]) -> bool:
    """`Finance` in "Finance Minister Theo Waigel", which the model tags as an organisation: the
    portfolio before "Minister" or "Secretary" is the office's, not a name. A party or a country
    there names one ("Labour leader", "U.S. Secretary of State")."""
    doc, after = tokens[0].doc, tokens[-1].i + 1
    if after >= len(doc) or _bare(doc[after]) not in _PORTFOLIO_HEADS:
        return False
    return all(_bare(t) in TITLE_MODIFIERS and not t.is_upper for t in tokens)


def _title_before(doc: Doc, i: int) -> bool:
    """An office title or honorific right before token `i` ("President Biden", "Mr. Ness")."""
    return i > 0 and is_title_head(doc[i - 1])


def _lower_the_before(doc: Doc, i: int) -> bool:
    return i > 0 and doc[i - 1].text == "the"


_LETTER_AND_STOP = re.compile(r"(?<=\s)[A-Z]\.$")
_NEXT_SENTENCE = re.compile(r"\s*(?:$|\n|[A-Z\"“‘'])")


def _without_full_stop(text: str, start: int, end: int) -> int:
    """End offset before the sentence's full stop that the tokenizer joined to a last letter
    (`top of Serie A.`, `in Group B. Then`): a name does not end on an initial."""
    if _LETTER_AND_STOP.search(text, start, end) and _NEXT_SENTENCE.match(text, end):
        return end - 1
    return end


def _without_possessive_suffix(text: str, start: int, end: int) -> int:
    """End offset without an unsplit trailing 's ("Aleppo’s")."""
    for suffix in POSSESSIVE_SUFFIXES:
        if end - start > len(suffix) and text.endswith(suffix, start, end):
            return end - len(suffix)
    return end


def _with_surname_particles(doc: Doc, tokens: list[Token]) -> list[Token]:
    """A person's span grown over particles and the capitalised surname after them ("Erik ten Hag")."""
    if not tokens:
        return tokens
    i = tokens[-1].i + 1
    particles = 0
    while i < len(doc) and doc[i].lower_ in SURNAME_PARTICLES and doc[i].text.islower():
        i, particles = i + 1, particles + 1
    if particles and i < len(doc) and doc[i].is_title and doc[i].tag_ in ("NNP", "NNPS"):
        return [*tokens, *doc[tokens[-1].i + 1 : i + 1]]
    return tokens


def _with_given_name(doc: Doc, tokens: list[Token], gazetteer: Gazetteer) -> list[Token]:
    """A one-word person span grown over the untagged given name before it ("Beatriz" + "Molina"),
    hyphened ones whole ("Hui-Min" + "Tsai", whatever the model made of "Hui").

    The word before must be a capitalised proper noun the model left out of every
    entity, and no title, nationality or known place.
    """
    if len(tokens) != 1 or tokens[0].i == 0:
        return tokens
    before = doc[tokens[0].i - 1]
    if not (before.is_title and before.tag_ in ("NNP", "NNPS") and not before.ent_type_):
        return tokens
    word = _bare(before)
    if (
        word in TITLE_HEADS
        or word in TITLE_MODIFIERS
        or gazetteer.lookup(before.text)
        or gazetteer.demonym_country(before.text)
    ):
        return tokens
    first = before.i
    while first >= 2 and _hyphened_name_part(doc[first]) and doc[first - 2].is_title:
        first -= 2
    return [*doc[first : before.i + 1], *tokens]


# One romanised syllable of a Korean or Chinese given name, written after a hyphen ("hyun" of "Do-hyun",
# "in" of "Jae-in"); English words after a name and a hyphen ("era", "led", "style") do not fit it.
_SYLLABLE = re.compile(r"[bcdfghjklmnprstwxz]{0,2}[aeiouy]{1,3}(?:ng|[nklmpt])?")


def _with_hyphened_syllable(doc: Doc, tokens: list[Token]) -> list[Token]:
    """A person's span grown over the given name's last syllable that the model left out ("Moon Jae"
    + "-in"), or over a whole hyphened given name after a family name ("Kim" + "Do-hyun")."""
    if not tokens:
        return tokens
    i = tokens[-1].i + 1
    if i + 2 < len(doc) and tokens[-1].whitespace_ and doc[i].is_alpha and _syllable_after(doc, i):
        return [*tokens, *doc[i : i + 3]]
    if _syllable_after(doc, i - 1):
        return [*tokens, *doc[i : i + 2]]
    return tokens


def _syllable_after(doc: Doc, i: int) -> bool:
    """Whether a tight hyphen and a lower-case syllable follow the capitalised word at `i`."""
    if i + 2 >= len(doc) or not 2 <= len(doc[i].text) <= 6 or not doc[i].is_title:
        return False
    hyphen, syllable = doc[i + 1], doc[i + 2]
    return (
        hyphen.text == "-"
        and not doc[i].whitespace_
        and not hyphen.whitespace_
        and syllable.is_lower
        and _SYLLABLE.fullmatch(syllable.text) is not None
        and len(syllable.text) > 1
        and not (i + 3 < len(doc) and doc[i + 3].text == "-" and not syllable.whitespace_)  # "Mar-a-Lago"
    )


def _person_of_organisation(tokens: Sequence[Token], label: str) -> tuple[list[Token], list[Token]] | None:
    """("Rahul Deshpande", "Meridian Straits Securities") of a span the model ran together over
    "of": a given name and a surname before it, and no organisation's head ("Bank of England",
    "Royal Bank of Scotland" and "Duke of York" stay whole)."""
    if label not in (ORG_LABEL, "PERSON"):
        return None
    of = next((k for k, t in enumerate(tokens) if t.lower_ == "of"), None)
    if of is None or not 2 <= of <= 3 or of + 1 >= len(tokens):
        return None
    person, organisation = list(tokens[:of]), list(tokens[of + 1 :])
    if not all(t.is_title and t.tag_ in _PROPER_TAGS for t in [*person, organisation[0]]):
        return None
    words = [t.text for t in person]
    if name_gender(words[0].lower()) is None or any(_is_title_word(t) for t in person):
        return None
    if label_from_head(words, ORG_LABEL) is not None:
        return None
    return person, organisation


def _hyphened_name_part(token: Token) -> bool:
    """A name part written onto the one before it with a hyphen: the "un" of "Jong-un"."""
    return token.i >= 2 and (hyphen_joins_name(token.doc[token.i - 1]) or _syllable_after(token.doc, token.i - 2))


def hyphen_joins_name(hyphen: Token) -> bool:
    """A hyphen written tight between two parts of one name ("Hui-Min", "Jong-un", "Pryce-Llewellyn"),
    proper nouns or capitalised words, not a name and a participle ("Trump-backed", "Obama-era")."""
    doc, i = hyphen.doc, hyphen.i
    return (
        hyphen.text == "-"
        and 0 < i < len(doc) - 1
        and not hyphen.whitespace_
        and not doc[i - 1].whitespace_
        and _proper_word(doc[i - 1])
        and _proper_word(doc[i + 1])
    )


def _proper_word(token: Token) -> bool:
    return token.tag_ in _PROPER_TAGS or (token.is_alpha and token.text[:1].isupper())


_PROPER_TAGS = frozenset({"NNP", "NNPS"})


def _nationality_before_person(tokens: Sequence[Token], label: str, gazetteer: Gazetteer) -> list[Token] | None:
    """The person's name when a nationality stands before it as a title would ("Dane Bjarne Riis",
    "Italian Fabio Rossetti"): the nationality is NORP, the rest the person.

    The model runs the two into one PERSON (or ORG) name. A one-word rest of an ORG stays whole
    ("Swiss Re", "British Airways"), as does a rest whose head makes it an organisation."""
    if len(tokens) < 2 or not tokens[0].is_title or not gazetteer.demonym_country(tokens[0].text):
        return None
    rest = list(tokens[1:])
    if not all(t.is_title and t.tag_ in _PROPER_TAGS for t in rest):
        return None
    if label == "PERSON":
        return rest
    if label == ORG_LABEL and len(rest) >= 2 and label_from_head([t.text for t in rest], ORG_LABEL) is None:
        return rest
    return None


def _nationality_split(tokens: Sequence[Token], gazetteer: Gazetteer) -> tuple[list[Token], list[Token]] | None:
    """("Kenyan", "Ministry of Health") when a nationality adjective qualifies a generic public body,
    or the name of an organisation typed by a lower-case noun ("Turkmen" "Sultan Murad" brigade)."""
    if len(tokens) < 2 or not tokens[0].is_title or not gazetteer.demonym_country(tokens[0].text):
        return None
    rest = list(tokens[1:])
    if is_generic_body([t.text for t in rest]) or _modifies_feature_noun(tokens[-1], ORG_TYPE_NOUNS):
        return [tokens[0]], rest
    return None
