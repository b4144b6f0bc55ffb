"""Stage 2: named entities from the spaCy parse, made consistent across the article.

The small English model labels each mention on its own, so one person or place
often gets different labels in one story ("Mevlut Cavusoglu" PERSON, later
"Cavusoglu" ORG; "Aleppo" NORP, LANGUAGE and PERSON). This stage reads the
model's spans from the already parsed `Doc` and

1. trims each span to the name itself (punctuation, leading "the", office
   titles on people, possessive 's);
2. drops byline fragments (names from `article.credits`);
3. groups mentions by folded surface form, then joins a short name to the
   unique longer PERSON name that contains it ("Cavusoglu" -> "Mevlut Cavusoglu");
4. gives each cluster one label (see `_cluster_label`) and lets the gazetteer
   correct place names the model mislabelled (see `PLACE_EVIDENCE_NEEDED`);
5. numbers clusters E1, E2, ... by first mention; every mention's `Entity.id`
   is its cluster's id, so consumers can join mentions to clusters.

Numeric and temporal labels (DATE, CARDINAL, MONEY, ...) are values, not
named entities, and are left out. Offsets always index `article.body`
(== `doc.text`) and `body[start:end] == text`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from pipeline.entities.gazetteer import (
    NAME_PARTICLES,
    STRENGTH_COUNTRY,
    Gazetteer,
    Place,
    fold,
    is_capitalised_name,
    load_gazetteer,
)
from pipeline.records import CleanArticle, Credits, Entity, EntityCluster

NAME_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
PLACE_LABELS = frozenset({"GPE", "LOC"})

# Ties in a label vote go to the earlier label here. PERSON comes first because
# the small model's commonest slip on an unfamiliar name is calling a person
# ORG or GPE; a real place that ties still gets the gazetteer's second look.
LABEL_PRIORITY: tuple[str, ...] = (
    "PERSON", "GPE", "ORG", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE",
)
_PRIORITY_RANK = {label: i for i, label in enumerate(LABEL_PRIORITY)}

# Evidence a gazetteer hit must reach before a label is overridden to GPE:
# the hit's strength (alias 1, city 2, city >= 1M 3, country/US state 4) plus 1
# when the article supports it (see `_supported`). Labels the model rarely gives
# real places need little. ORG and PERSON collide with clubs, companies and
# given names, so they need a big city, or a city with support. PERSON needs no
# more than ORG because wire copy introduces people by full name, and a short
# form that belongs to a full name has already joined that person before this
# check: a lone one-word "person" that is also a large city is usually the city.
PLACE_EVIDENCE_NEEDED: dict[str, int] = {
    "LOC": 1, "NORP": 1, "LANGUAGE": 1,
    "FAC": 2, "PRODUCT": 2, "EVENT": 2, "WORK_OF_ART": 2, "LAW": 2,
    "ORG": 3, "PERSON": 3,
}

# Words that end an office title or honorific before a person's name
# ("state" and "affairs" close "Secretary of State", "Minister of Foreign Affairs").
TITLE_HEADS = frozenset(
    {"president", "president-elect", "minister", "premier", "chancellor", "secretary", "spokesman",
     "spokeswoman", "spokesperson", "ambassador", "envoy", "king", "queen", "prince", "princess",
     "emir", "sheikh", "pope", "cardinal", "archbishop", "bishop", "imam", "ayatollah", "rabbi",
     "general", "gen", "admiral", "adm", "colonel", "col", "captain", "capt", "commander", "lt",
     "sgt", "sergeant", "governor", "gov", "mayor", "senator", "sen", "rep", "congressman",
     "congresswoman", "judge", "justice", "chairman", "chairwoman", "ceo", "director", "commissioner",
     "leader", "lord", "lady", "sir", "dame", "mr", "mrs", "ms", "miss", "dr", "prof", "professor",
     "rev", "reverend", "state", "affairs"}
)
# Words that may precede a title head inside the title ("Foreign Minister").
TITLE_MODIFIERS = frozenset(
    {"foreign", "prime", "deputy", "vice", "former", "acting", "interim", "chief", "senior", "defence",
     "defense", "interior", "finance", "economy", "trade", "energy", "health", "crown",
     "grand", "supreme", "first", "attorney", "lieutenant", "major", "rear", "home", "opposition",
     "army", "military", "police", "security", "national", "labor", "labour", "shadow", "white",
     "house", "party", "executive", "managing", "us", "u.s", "un", "u.n", "eu"}
)
# Labels whose names may really begin with "The" ("The New York Times").
TITLED_LABELS = frozenset({"ORG", "WORK_OF_ART", "FAC", "PRODUCT", "EVENT", "LAW"})
POSSESSIVE_TOKENS = frozenset({"'s", "’s", "'", "’"})
POSSESSIVE_SUFFIXES: tuple[str, ...] = ("'s", "’s")
# A place name right after one of these reads as a location ("in Aleppo").
LOCATIVE_PREPOSITIONS = frozenset(
    {"in", "near", "into", "inside", "outside", "across", "throughout", "toward", "towards", "via", "from"}
)


@dataclass(slots=True)
class Mention:
    """One trimmed model span: offsets into the body, the model's label, folded name words."""

    start: int
    end: int
    text: str
    label: str
    words: tuple[str, ...]
    locative: bool = False

    @property
    def key(self) -> str:
        return " ".join(self.words)


@dataclass(slots=True)
class Cluster:
    """Mentions believed to name one real-world entity."""

    mentions: list[Mention] = field(default_factory=list)
    person: bool = False  # structural evidence (a full PERSON name or person-only candidates)
    label: str = ""
    country_code: str | None = None

    @property
    def first(self) -> int:
        return min(m.start for m in self.mentions)

    @property
    def canonical(self) -> str:
        """The fullest form: most words, then most characters, then earliest."""
        best = max(self.mentions, key=lambda m: (len(m.words), len(m.text), -m.start))
        return best.text


def extract_entities(doc: Doc, article: CleanArticle) -> tuple[list[Entity], list[EntityCluster]]:
    """Entities with offsets into `article.body` (== doc.text), clustered per real-world entity."""
    gazetteer = load_gazetteer()
    body = doc.text  # built from the tokens on every access, so read once
    mentions = [m for span in doc.ents if span.label_ in NAME_LABELS
                if (m := _mention(span, body, gazetteer)) is not None]
    bylines = _byline_names(article.credits)
    mentions = [m for m in mentions if not _contains_byline(m, bylines)]
    clusters = _cluster(mentions, gazetteer)
    for cluster in clusters:
        cluster.label = _cluster_label(cluster)
    _correct_places(clusters, gazetteer)
    return _records([c for c in clusters if not _is_byline_cluster(c, bylines)])


# ── trimming a model span to the name ──────────────────────────────────────────


def _mention(span: Span, body: str, gazetteer: Gazetteer) -> Mention | None:
    """The span trimmed to the bare name, or None when nothing name-like is left."""
    tokens = _trim_tokens(list(span), span.label_, gazetteer)
    if not tokens:
        return None
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
    end = _without_possessive_suffix(body, start, end)
    text = body[start:end]
    words = tuple(fold(text).split())
    if not words or not any(ch.isalnum() for ch in text):
        return None
    if words[0] == "the" and len(words) > 1:
        words = words[1:]
    before = span.doc[tokens[0].i - 1].lower_ if tokens[0].i > 0 else ""
    return Mention(start, end, text, span.label_, words, locative=before in LOCATIVE_PREPOSITIONS)


def _trim_tokens(tokens: list[Token], label: str, gazetteer: Gazetteer) -> list[Token]:
    """Drop edge punctuation, a leading "the", office titles (people only) and possessive tokens."""
    tokens = _strip_edges(tokens)
    if len(tokens) > 1 and _is_droppable_the(tokens, label, gazetteer):
        tokens = _strip_edges(tokens[1:])
    if label == "PERSON":
        tokens = _strip_edges(tokens[_title_length(tokens):])
    while tokens and tokens[-1].text in POSSESSIVE_TOKENS:
        tokens = _strip_edges(tokens[:-1])
    return tokens


def _strip_edges(tokens: list[Token]) -> list[Token]:
    """Without leading/trailing punctuation or whitespace tokens."""
    lo, hi = 0, len(tokens)
    while lo < hi and (tokens[lo].is_punct or tokens[lo].is_space):
        lo += 1
    while hi > lo and (tokens[hi - 1].is_punct or tokens[hi - 1].is_space):
        hi -= 1
    return tokens[lo:hi]


def _is_droppable_the(tokens: Sequence[Token], label: str, gazetteer: Gazetteer) -> bool:
    """Lower-case "the" is never part of a name; sentence-initial "The" only in titles and known places.

    A capitalised "The" mid-sentence is a deliberate part of a title ("The New
    York Times"), so it stays; clustering ignores it either way.
    """
    first = tokens[0]
    if first.text == "the":
        return True
    if first.text != "The":
        return False
    name = "".join(t.text_with_ws for t in tokens)
    if is_capitalised_name(name) and gazetteer.lookup(name):
        return False  # "The Hague", "The Gambia"
    return bool(first.is_sent_start) or label not in TITLED_LABELS


def _title_length(tokens: Sequence[Token]) -> int:
    """How many leading tokens form an office title ("Turkish Foreign Minister"), 0 if none.

    The title ends at the last title head that leaves at least one token; every
    word before it must look like part of a title, so names that merely contain
    such a word ("Martin Luther King Jr.") are left whole.
    """
    heads = [i for i, t in enumerate(tokens[:-1]) if _bare(t) in TITLE_HEADS]
    if not heads:
        return 0
    last = heads[-1]
    if all(_is_title_word(t) for t in tokens[:last]):
        return last + 1
    return 0


def _bare(token: Token) -> str:
    return token.lower_.rstrip(".")


def _is_title_word(token: Token) -> bool:
    """A word that can sit inside a title: a head, a modifier, a lower-case link word or an adjective."""
    bare = _bare(token)
    return (bare in TITLE_HEADS or bare in TITLE_MODIFIERS
            or token.is_lower or token.is_punct or token.tag_ == "JJ")


def _without_possessive_suffix(text: str, start: int, end: int) -> int:
    """End offset without an unsplit trailing 's ("Aleppo’s")."""
    for suffix in POSSESSIVE_SUFFIXES:
        if end - start > len(suffix) and text.endswith(suffix, start, end):
            return end - len(suffix)
    return end


# ── bylines ────────────────────────────────────────────────────────────────────


def _byline_names(credits: Credits) -> list[tuple[str, ...]]:
    """Each credited journalist's name as folded words."""
    return [words for name in credits.names() if (words := tuple(fold(name).split()))]


def _contains_words(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    """True if `needle` occurs as a contiguous run of whole words in `haystack`."""
    n = len(needle)
    return any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


def _contains_byline(mention: Mention, bylines: Iterable[tuple[str, ...]]) -> bool:
    """A span containing a full byline name is a credit-line fragment, whatever the model labelled it."""
    return any(_contains_words(mention.words, name) for name in bylines)


def _is_byline_cluster(cluster: Cluster, bylines: Iterable[tuple[str, ...]]) -> bool:
    """A cluster made only of words from one byline name ("Pamuk", "Angus") is that journalist.

    Runs after clustering so a story person who shares a byline surname keeps
    their short mentions (their canonical full name is not a byline name). A
    gazetteer-confirmed place is kept ("Jordan" with a byline "Jordan Smith").
    """
    if cluster.label in PLACE_LABELS and cluster.country_code:
        return False
    words = set(fold(cluster.canonical).split())
    return any(words <= set(name) for name in bylines)


# ── clustering ─────────────────────────────────────────────────────────────────


def _group(mentions: Iterable[Mention]) -> dict[str, list[Mention]]:
    """Mentions by folded name, in order of first mention."""
    groups: dict[str, list[Mention]] = {}
    for mention in sorted(mentions, key=lambda m: m.start):
        groups.setdefault(mention.key, []).append(mention)
    return groups


def _plurality(labels: Iterable[str]) -> str:
    """Most frequent label; ties go to the earlier label in LABEL_PRIORITY."""
    counts = Counter(labels)
    return min(counts, key=lambda label: (-counts[label], _PRIORITY_RANK.get(label, len(_PRIORITY_RANK)), label))


def _is_full_person_name(mentions: Sequence[Mention]) -> bool:
    """Two or more name words, labelled PERSON at least as often as anything else."""
    words = [w for w in mentions[0].words if w not in NAME_PARTICLES]
    return len(words) >= 2 and _plurality(m.label for m in mentions) == "PERSON"


def _is_subsequence(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """True if `short`'s words appear in `full` in the same order ("Cavusoglu" in "Mevlut Cavusoglu")."""
    remaining = iter(full)
    return all(word in remaining for word in short)


def _may_join_person(mentions: Sequence[Mention], gazetteer: Gazetteer) -> bool:
    """Any short form may join a person, except a country or US state the model itself called a place."""
    words = mentions[0].words
    if all(w in NAME_PARTICLES for w in words):
        return False
    if _plurality(m.label for m in mentions) not in PLACE_LABELS:
        return True
    place = gazetteer.resolve(mentions[0].text)
    return place is None or place.strength < STRENGTH_COUNTRY


def _cluster(mentions: list[Mention], gazetteer: Gazetteer) -> list[Cluster]:
    """Group by surface, then attach each name to the unique longer PERSON name containing it.

    Longest names are placed first, so "Obama" sees "Barack Obama" already
    inside "Barack Hussein Obama"'s cluster and counts one candidate. A short
    form with several candidate people ("Smith" with "John Smith" and "Jane
    Smith") is left in its own cluster rather than guessed; it is still marked a
    person, since every reading of it is one.
    """
    groups = _group(mentions)
    people = {key for key, group in groups.items() if _is_full_person_name(group)}
    by_word: dict[str, list[tuple[str, ...]]] = {}
    for key in people:
        for word in set(groups[key][0].words):
            by_word.setdefault(word, []).append(groups[key][0].words)
    home: dict[tuple[str, ...], Cluster] = {}
    clusters: list[Cluster] = []
    for key in sorted(groups, key=lambda k: (-len(groups[k][0].words), groups[k][0].start)):
        group = groups[key]
        candidates = _containing_people(group[0].words, by_word, home)
        if len(candidates) == 1 and _may_join_person(group, gazetteer):
            target = candidates[0]
        else:
            target = Cluster(person=key in people or len(candidates) > 1)
            clusters.append(target)
        target.mentions.extend(group)
        home[group[0].words] = target
    return clusters


def _containing_people(words: tuple[str, ...], by_word: dict[str, list[tuple[str, ...]]],
                       home: dict[tuple[str, ...], Cluster]) -> list[Cluster]:
    """Distinct clusters of already placed, longer PERSON names that contain `words` in order."""
    found: dict[int, Cluster] = {}
    for name in by_word.get(words[0], ()):
        if name in home and len(name) > len(words) and _is_subsequence(words, name):
            found.setdefault(id(home[name]), home[name])
    return list(found.values())


# ── labels and places ──────────────────────────────────────────────────────────


def _cluster_label(cluster: Cluster) -> str:
    """PERSON when a full person name anchors the cluster, else the plurality of the model's labels.

    The name structure ("Mevlut Cavusoglu" contains "Cavusoglu") is stronger
    evidence than the model's per-mention guess on the short form.
    """
    if cluster.person:
        return "PERSON"
    return _plurality(m.label for m in cluster.mentions)


def _country_signal(cluster: Cluster, gazetteer: Gazetteer) -> str | None:
    """The country a cluster names outright: a country, a US state, or a demonym ("Syrian").

    Cities do not count: two clubs named after Spanish cities would otherwise
    vouch for each other as places ("Barcelona drew with Sevilla").
    """
    if cluster.label == "PERSON" or not is_capitalised_name(cluster.canonical):
        return None
    if cluster.label == "NORP" and (code := gazetteer.demonym_country(cluster.canonical)):
        return code
    place = gazetteer.resolve(cluster.canonical)
    return place.country_code if place is not None and place.strength >= STRENGTH_COUNTRY else None


def _others(signals: Counter[str], own: str | None) -> set[str]:
    """Countries signalled by clusters other than the one asking (no self-support)."""
    return {code for code, n in signals.items() if n - (code == own) > 0}


def _supported(cluster: Cluster, place: Place, countries: set[str]) -> bool:
    """Context that makes a place reading likelier: "in X", a place label somewhere, or X's country named."""
    return (any(m.locative or m.label in PLACE_LABELS for m in cluster.mentions)
            or place.country_code in countries)


def _is_place(cluster: Cluster, place: Place, countries: set[str]) -> bool:
    """Already GPE, or the hit's strength plus context reaches what the model's label needs."""
    if cluster.label == "GPE":
        return True
    needed = PLACE_EVIDENCE_NEEDED.get(cluster.label)
    return needed is not None and place.strength + int(_supported(cluster, place, countries)) >= needed


def _correct_places(clusters: list[Cluster], gazetteer: Gazetteer) -> None:
    """Relabel gazetteer-known places to GPE when the evidence beats the model's label; add country codes.

    Ambiguous names resolve towards countries the rest of the article points to
    ("Georgia" next to "Texas" is the US state; "Tripoli" next to "Lebanon" is in LB).
    """
    own = [_country_signal(c, gazetteer) for c in clusters]
    signals = Counter(code for code in own if code)
    for cluster, signal in zip(clusters, own):
        if cluster.person:
            continue
        countries = _others(signals, signal)
        place = _known_place(cluster, gazetteer, countries)
        if place is not None and _is_place(cluster, place, countries):
            cluster.label = "GPE"
            cluster.country_code = place.country_code
        elif cluster.label == "NORP":
            cluster.country_code = gazetteer.demonym_country(cluster.canonical)


def _known_place(cluster: Cluster, gazetteer: Gazetteer, countries: set[str]) -> Place | None:
    """The gazetteer place the cluster names, if its name is capitalised like a place name."""
    name = cluster.canonical
    if not is_capitalised_name(name):
        return None
    return gazetteer.resolve(name, countries)


# ── output records ─────────────────────────────────────────────────────────────


def _records(clusters: list[Cluster]) -> tuple[list[Entity], list[EntityCluster]]:
    """Number clusters E1.. by first mention; one Entity per mention, sorted by offset."""
    ordered = sorted((c for c in clusters if c.mentions), key=lambda c: c.first)
    entities: list[Entity] = []
    out: list[EntityCluster] = []
    for n, cluster in enumerate(ordered, start=1):
        cid, canonical = f"E{n}", cluster.canonical
        surfaces = list(dict.fromkeys(m.text for m in sorted(cluster.mentions, key=lambda m: m.start)))
        out.append(EntityCluster(cid, canonical, cluster.label, len(cluster.mentions), surfaces,
                                 cluster.country_code))
        entities.extend(Entity(cid, m.text, cluster.label, m.start, m.end, canonical, cluster.country_code)
                        for m in cluster.mentions)
    entities.sort(key=lambda e: (e.start, e.end))
    return entities, out
