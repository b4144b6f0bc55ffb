"""What a name's own words say about its type: heads, designators and geographic features.

English names of organisations, facilities and natural features end in (or
start with, before "of"/"for") a common noun that says what they are: the
"Ministry" of "Ministry of Health", the "Inc." of "Apple Inc.", the "River"
of "Tana River". These are closed classes of English naming conventions
(company-law designators, the nouns of government and civil society, the
feature nouns of geography), not words gathered from any corpus.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Company-law and sports-club designators: a name ending in one is an organisation.
DESIGNATORS = frozenset(
    {
        "inc",
        "corp",
        "corporation",
        "co",
        "company",
        "ltd",
        "limited",
        "llc",
        "llp",
        "plc",
        "ag",
        "gmbh",
        "sa",
        "nv",
        "bv",
        "spa",
        "ab",
        "asa",
        "oyj",
        "se",
        "kk",
        "holdings",
        "group",
        "fc",
        "afc",
        "cf",
        "sc",
    }
)
# Trades that end a company's name ("Vermeer Labs", "Harbor Mining"): as strong as a designator,
# since no person's surname is one; plural or mass nouns, so "Margaret Court" is not touched.
TRADE_HEADS = frozenset(
    {"airlines", "airways", "motors", "labs", "laboratories", "electronics", "securities", "industries"}
    | {"technologies", "pharmaceuticals", "pharma", "mining", "steelworks", "petroleum", "breweries"}
    | {"telecom", "telecoms", "insurance", "logistics", "chemicals", "textiles", "therapeutics", "minerals"}
)
# Nouns of government, politics, the military and civil society strong enough to beat a
# PERSON reading ("Labour Party", "Ministry of Health", "93rd Brigade").
STRONG_ORG_HEADS = frozenset(
    {
        "ministry",
        "party",
        "council",
        "committee",
        "commission",
        "brigade",
        "battalion",
        "regiment",
        "division",
        "agency",
        "authority",
        "association",
        "federation",
        "organization",
        "organisation",
        "institute",
        "institution",
        "university",
        "foundation",
        "department",
        "bureau",
        "parliament",
        "assembly",
        "senate",
        "congress",
        "league",
        "observatory",
        "fund",
        "secretariat",
        "board",
        "municipality",
        "directorate",
        "inspectorate",
        "tribunal",
        "confederation",
        "syndicate",
        "cooperative",
        "consortium",
        *DESIGNATORS,
    }
)
# Nouns that end the names of competitions, games and other recurring events ("Davis Cup",
# "Winter Olympics", "Monaco Grand Prix"): strong enough to beat the model's label.
EVENT_HEADS = frozenset(
    {
        "cup",
        "championship",
        "championships",
        "olympics",
        "olympiad",
        "paralympics",
        "games",
        "prix",
        "trophy",
        "tournament",
        "open",
        "classic",
        "masters",
        "rally",
        "marathon",
        "festival",
        "summit",
        "war",
    }
)
# Lower-case nouns a competition's name sits on: "the Milan Indoor tournament", "the Paris-Nice race".
EVENT_TYPE_NOUNS = frozenset({"tournament", "championship", "championships", "race", "rally", "regatta"})
# Head nouns that give an uncovered name its label on their own, in the order they are tried.
HEADED_LABELS: tuple[tuple[frozenset[str], str], ...] = ((STRONG_ORG_HEADS, "ORG"), (EVENT_HEADS, "EVENT"))
# Nouns that name organisations but also surnames or places ("Court", "Bank", "Soviet Union"):
# they only overturn a reading as neither a person nor a place.
WEAK_ORG_HEADS = frozenset(
    {
        "court",
        "bank",
        "union",
        "office",
        "board",
        "service",
        "services",
        "police",
        "army",
        "navy",
        "forces",
        "guard",
        "front",
        "movement",
        "alliance",
        "coalition",
        "society",
        "club",
        "college",
        "school",
        "academy",
        "church",
        "network",
        "news",
        "times",
        "post",
        "journal",
        "herald",
        "tribune",
        "press",
        "media",
        "airlines",
        "airways",
        "motors",
        "labs",
        "laboratories",
        "electronics",
        "securities",
        "partners",
        "capital",
        "industries",
        "systems",
        "technologies",
        "pharmaceuticals",
        "energy",
        "exchange",
        "centre",
        "center",
        "hospital",
        "government",
        "administration",
        "cabinet",
        "mission",
        "embassy",
        "command",
        "corps",
    }
)
# Built structures (OntoNotes FAC).
FAC_HEADS = frozenset(
    {
        "airport",
        "square",
        "stadium",
        "bridge",
        "arena",
        "tower",
        "towers",
        "palace",
        "cathedral",
        "mosque",
        "temple",
        "basilica",
        "station",
        "street",
        "avenue",
        "road",
        "boulevard",
        "highway",
        "motorway",
        "tunnel",
        "dam",
        "prison",
        "jail",
        "building",
        "terminal",
        "harbour",
        "harbor",
        "pier",
        "plaza",
        "ground",
    }
)
# The facility heads that are no one's surname ("Market Square", "Harlow Airport"): a facility
# whatever the model said; "Street", "Temple", "Bridge" or "Tower" may end a person's name.
FAC_ONLY_WORDS = frozenset(
    {"square", "avenue", "boulevard", "plaza", "highway", "motorway", "tunnel", "airport", "stadium", "arena"}
    | {"cathedral", "mosque", "basilica", "terminal", "pier", "prison", "jail"}
)
# Natural features and regions (OntoNotes LOC).
LOC_FEATURES = frozenset(
    {
        "river",
        "rivers",
        "sea",
        "ocean",
        "lake",
        "lakes",
        "mountains",
        "mount",
        "mt",
        "hills",
        "gulf",
        "bay",
        "strait",
        "straits",
        "valley",
        "desert",
        "peninsula",
        "coast",
        "basin",
        "plateau",
        "delta",
        "island",
        "islands",
        "glacier",
        "canyon",
        "channel",
        "plain",
        "plains",
        "forest",
    }
)
# Feature nouns so specific that "the Niger river" is the river even though Niger is a country.
WATER_AND_RELIEF = frozenset(
    {"river", "rivers", "lake", "lakes", "sea", "ocean", "mountains", "strait", "straits", "glacier", "canyon", "delta"}
)
# Agent nouns of a business (a company "that brews", "that mines"): never the first word of a name,
# so one written with a capital at a sentence start is still the noun ("Brewer Halsey Ward fell").
TRADE_NOUNS = frozenset(
    {"insurer", "lender", "automaker", "carmaker", "manufacturer", "retailer", "miner", "drugmaker", "chipmaker"}
    | {"brewer", "steelmaker", "refiner", "shipbuilder", "publisher"}
)
# Lower-case nouns of organisation types: a name that modifies one names the organisation
# ("the Sultan Murad brigade", "the Reuters news agency", "the Labour party").
ORG_TYPE_NOUNS = (
    frozenset(
        {
            "brigade",
            "battalion",
            "regiment",
            "militia",
            "party",
            "faction",
            "movement",
            "network",
            "newspaper",
            "daily",
            "broadcaster",
            "agency",
            "firm",
            "company",
            "airline",
            "carrier",
            "bank",
            "club",
            "union",
            "alliance",
            "coalition",
            "front",
            "council",
            "committee",
            "ministry",
            "group",
            "conglomerate",
            "charity",
            "watchdog",
            "lobby",
            "index",
        }
    )
    | TRADE_NOUNS
)
# Nouns whose prepositional object is a company: "shares in Norvale", "a stake in Halcrow".
# Lower-case nouns only an organisation stands before: what issues shares, and a share index
# ("Adler shares", "the DAX index", "the Nikkei average").
ISSUED_NOUNS = frozenset({"shares", "stock", "index", "average"})
HOLDING_NOUNS = frozenset({"shares", "share", "stake", "stakes", "stock", "holding", "holdings"})
# Words that turn a continent into a region ("East Africa") and sit before natural names.
COMPASS = frozenset(
    {
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
        "north-east",
        "north-west",
        "south-east",
        "south-west",
        "sub-saharan",
    }
)
# Club words that follow a city to name a sports club ("Leeds United").
# ("Town" and "County" are left out: "Vigo County" is a county far more often than a club.)
# The club words that are no one's surname either ("Fenwick Athletic", "Bolton Wanderers"): an
# organisation whatever the model said; "United" and "City" only on a known place.
CLUB_ONLY_WORDS = frozenset({"athletic", "rovers", "wanderers", "hotspur", "rangers"})
CLUB_WORDS = CLUB_ONLY_WORDS | {"united", "city", "albion"}
# Club words that precede the city instead ("Real Madrid", "Dynamo Kyiv").
CLUB_PREFIXES = frozenset({"real", "dynamo", "dinamo", "olympique", "sporting", "atletico", "inter", "racing"})
# Generic public bodies that a nationality adjective qualifies rather than names
# ("the Kenyan Ministry of Health" is Kenya's ministry; "Syrian Observatory" is a name).
GENERIC_BODIES = frozenset(
    {
        "ministry",
        "army",
        "navy",
        "police",
        "parliament",
        "government",
        "embassy",
        "military",
        "cabinet",
        "senate",
        "presidency",
        "consulate",
        "coast guard",
        "air force",
        "armed forces",
        "foreign office",
        "central bank",
        "supreme court",
        "high court",
        "constitutional court",
        "defence ministry",
        "defense ministry",
        "interior ministry",
        "foreign ministry",
        "finance ministry",
        "health ministry",
        "justice ministry",
        "economy ministry",
        "trade ministry",
        "energy ministry",
        "education ministry",
    }
)
# Adjectival and plural forms of religions, ethnic and regional groups with no country of their own
# (OntoNotes NORP); nationalities come from the gazetteer's demonyms.
GROUP_WORDS = frozenset(
    {
        "european",
        "african",
        "asian",
        "arab",
        "arabs",
        "western",
        "westerners",
        "muslim",
        "muslims",
        "christian",
        "christians",
        "jewish",
        "jews",
        "jew",
        "hindu",
        "hindus",
        "buddhist",
        "buddhists",
        "catholic",
        "catholics",
        "protestant",
        "protestants",
        "sunni",
        "sunnis",
        "shia",
        "shi'ite",
        "shiite",
        "shi'ites",
        "shiites",
        "kurdish",
        "kurd",
        "kurds",
        "latino",
        "latinos",
        "hispanic",
        "baltic",
        "nordic",
        "scandinavian",
        "slavic",
        "pashtun",
        "tamil",
        "tamils",
        "sikh",
        "sikhs",
        "yazidi",
        "yazidis",
        "rohingya",
        "uighur",
        "uighurs",
        "uyghur",
        "uyghurs",
        "druze",
        "alawite",
        "alawites",
        "evangelical",
        "evangelicals",
        "palestinians",
        "latin american",
        "middle eastern",
        "south asian",
        "east asian",
    }
)
# Nouns of a club's staff and players: a town before one of them is the club ("Ajax coach").
SPORTS_ROLES = frozenset(
    {"coach", "manager", "striker", "midfielder", "defender", "goalkeeper", "keeper", "forward", "winger", "captain"}
    | {"skipper", "quarterback", "pitcher", "batsman", "bowler", "fullback", "playmaker", "midfield", "defence"}
    | {"goaltender"}
)
# Nouns for a party's members, singular and plural (OntoNotes NORP): with the capitalised words
# before them they name the members of one party ("Free Democrats", "Christian Democrat").
PARTY_MEMBERS = frozenset(
    {"democrat", "democrats", "republican", "republicans", "socialist", "socialists", "communist", "communists"}
    | {"conservative", "conservatives", "liberal", "liberals", "nationalist", "nationalists"}
    | {"unionist", "unionists"}
)
# Events named after the place they happen in, before "of"/"de" ("Tour de France", "Siege of Sarajevo").
EVENT_OF_PLACE = frozenset({"tour", "rally", "battle", "siege", "giro"})
EVENT_LINKS = frozenset({"of", "de", "du", "d'"})
LINKS = frozenset({"of", "for", "on", "de", "del", "della", "des", "du"})
# Post-nominal letters written after a person's name: the ranks of counsel (KC, QC), seats in a
# parliament or assembly (MP, MEP, MSP, MLA), the British orders (OBE, MBE, ...) and doctorates.
# Only people carry them, and they are not part of the name ("Edmund Hale KC" is Edmund Hale).
POST_NOMINALS = frozenset(
    {"KC", "QC", "MP", "MEP", "MSP", "MLA", "OBE", "MBE", "CBE", "KBE", "DBE", "GBE", "FRS", "PhD", "DPhil"}
)


def post_nominal_tail(words: Sequence[str]) -> int:
    """How many of the last words are post-nominal letters after at least one capitalised name
    word ("Edmund Hale KC", "Rosa Ng MP OBE"), written as they are written (in capitals)."""
    n = 0
    while n < len(words) - 1 and words[len(words) - 1 - n].replace(".", "").rstrip(",") in POST_NOMINALS:
        n += 1
    return n if n and words[len(words) - 1 - n][:1].isupper() else 0


_AGE_AFTER = re.compile(r"\s*[,(]\s*(\d{1,3})\s*[,)]")


def age_after(text: str, end: int) -> int | None:
    """The age wire style gives a person right after their name, ", 21," or " (21)", read from
    `text` at `end`; None when there is none."""
    found = _AGE_AFTER.match(text, end)
    age = int(found.group(1)) if found else 0
    return age if 0 < age < 120 else None


def names_event_of_place(words: Sequence[str]) -> bool:
    """An event noun, a link and a name: "Tour de France", "Battle of Britain" are events whatever
    organisation or place the model read in them."""
    return len(words) >= 3 and bare(words[0]) in EVENT_OF_PLACE and bare(words[1]) in EVENT_LINKS


def names_party_members(words: Sequence[str]) -> bool:
    """A capitalised name ending in a party-member noun ("Social Democrats", "Free Democrat"):
    the members, NORP, whatever organisation noun the name sits beside ("the opposition ...")."""
    return bool(words) and bare(words[-1]) in PARTY_MEMBERS and all(w[:1].isupper() for w in words)


def is_group_word(text: str) -> bool:
    """A religious, ethnic or regional group's adjective or plural ("Kurdish", "Sunnis", "Western")."""
    return text[:1].isupper() and text.casefold().replace("’", "'") in GROUP_WORDS


def bare(word: str) -> str:
    """Lower case without trailing dots or a possessive ("Corp." -> "corp")."""
    return word.casefold().rstrip(".").removesuffix("'s").removesuffix("’s")


def head_words(words: Sequence[str]) -> tuple[str, ...]:
    """The words that can carry a name's type: its last word, and the word before its first link
    ("Ministry" in "Ministry of Health", "Gulf" in "Gulf of Aden")."""
    lowered = [bare(w) for w in words]
    heads = [lowered[-1]] if lowered else []
    for i, word in enumerate(lowered[1:], start=1):
        if word in LINKS:
            heads.append(lowered[i - 1])
            break
    return tuple(heads)


def label_from_head(words: Sequence[str], model_label: str) -> str | None:
    """The label a multi-word name's own head gives it, or None when the head says nothing.

    One-word names are left alone ("Bank", "Union" on their own are the model's to call).
    Person readings only yield to strong organisation heads: "Margaret Court" stays a person.
    """
    if len(words) < 2 or not words[-1][:1].isupper():
        return None
    heads = head_words(words)
    for nouns, label in HEADED_LABELS:
        if any(h in nouns for h in heads):
            return label
    if any(h in TRADE_HEADS or h in CLUB_ONLY_WORDS for h in heads):
        return "ORG"  # "Vermeer Labs", "Western Deep Mining": no one's surname is a trade
    if any(h in FAC_ONLY_WORDS for h in heads):
        return "FAC"
    if model_label == "PERSON":
        return None
    if any(h in WEAK_ORG_HEADS for h in heads):
        return None if model_label == "GPE" else "ORG"
    if any(h in FAC_HEADS for h in heads):
        return "FAC"
    if any(h in LOC_FEATURES for h in heads) or bare(words[0]) in {"mount", "mt", "lake", "gulf"}:
        return "LOC"
    return None


def is_generic_body(words: Sequence[str]) -> bool:
    """True for a public body any country has ("Interior Ministry", "Ministry of Health", "Army")."""
    lowered = [bare(w) for w in words]
    if " ".join(lowered) in GENERIC_BODIES or lowered[:1] == ["ministry"]:
        return True
    return len(lowered) == 1 and lowered[0] in GENERIC_BODIES


def club_place(words: Sequence[str]) -> str | None:
    """The place part of a sports-club-shaped name ("Leeds" of "Leeds United", "Madrid" of
    "Real Madrid"), or None; the caller checks it really is a place."""
    if len(words) < 2:
        return None
    if bare(words[-1]) in CLUB_WORDS:
        return " ".join(words[:-1])
    if bare(words[0]) in CLUB_PREFIXES:
        return " ".join(words[1:])
    return None
