"""Stage 2: named entities from the spaCy parse, made consistent across the article.

The small English model labels each mention on its own, so one person or place
often gets different labels in one story ("Mevlut Cavusoglu" PERSON, later
"Cavusoglu" ORG; "Aleppo" NORP, LANGUAGE and PERSON). This stage reads the
model's spans from the already parsed `Doc` and

1. trims each span to the name itself (`mentions.span_mentions`: punctuation,
   leading "the", office titles on people, possessive 's; a nationality
   qualifying a generic body splits off as NORP);
2. adds names the model missed (`discovery`): organisations from reporting
   frames (`the X said`), nationalities (NORP);
3. fixes labels the name's own grammar decides (`mentions.grammar_label`:
   "Party", "Ministry", "Inc.", "FC", "Airport", "River", "Leeds United",
   "East Africa") and drops all-caps-line junk;
4. drops byline fragments (names from `article.credits`);
5. groups mentions by folded surface form, then joins a short name to the
   unique longer PERSON name that contains it ("Cavusoglu" -> "Mevlut Cavusoglu")
   and a short organisation name to the unique organisation it begins or ends
   ("Toyota" -> "Toyota Motor Corp.", "United" -> "Manchester United");
6. gives each cluster one label (see `_cluster_label`: grammar, then name
   structure, then titles and articles around the mentions, then the model's
   vote) and lets the gazetteer correct place names the model mislabelled (see
   `PLACE_EVIDENCE_NEEDED`), attaching country codes and GeoNames ids;
7. adds the occurrences the model skipped of every name it found once, so a
   name carries one label all through the article;
8. numbers clusters E1, E2, ... by first mention; every mention's `Entity.id`
   is its cluster's id, so consumers can join mentions to clusters.

Numeric and temporal labels (DATE, CARDINAL, MONEY, ...) are values, not
named entities, and are left out. Offsets always index `article.body`
(== `doc.text`) and `body[start:end] == text`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc

from pipeline.entities import discovery, wire
from pipeline.entities.gazetteer import (
    NAME_PARTICLES,
    STRENGTH_CITY,
    STRENGTH_COUNTRY,
    Gazetteer,
    Place,
    fold,
    is_capitalised_name,
    load_gazetteer,
)
from pipeline.entities.mentions import (
    Mention,
    grammar_label,
    make_mention,
    span_mentions,
)
from pipeline.entities.names import DESIGNATORS, LINKS, STRONG_ORG_HEADS, WEAK_ORG_HEADS
from pipeline.records import CleanArticle, Credits, Entity, EntityCluster

NAME_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
PLACE_LABELS = frozenset({"GPE", "LOC"})

# Ties in a label vote go to the earlier label here. PERSON comes first because
# the small model's commonest slip on an unfamiliar name is calling a person
# ORG or GPE; a real place that ties still gets the gazetteer's second look.
LABEL_PRIORITY: tuple[str, ...] = (
    "PERSON",
    "GPE",
    "ORG",
    "LOC",
    "NORP",
    "FAC",
    "EVENT",
    "PRODUCT",
    "WORK_OF_ART",
    "LAW",
    "LANGUAGE",
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
    "LOC": 1,
    "NORP": 1,
    "LANGUAGE": 1,
    "FAC": 2,
    "PRODUCT": 2,
    "EVENT": 2,
    "WORK_OF_ART": 2,
    "LAW": 2,
    "ORG": 3,
    "PERSON": 3,
}
# Words that never stand alone for an organisation they end ("Inc", "Party").
_ORG_TAIL_WORDS = DESIGNATORS | STRONG_ORG_HEADS | WEAK_ORG_HEADS


@dataclass(slots=True)
class Cluster:
    """Mentions believed to name one real-world entity."""

    mentions: list[Mention] = field(default_factory=list)
    person: bool = False  # structural evidence (a full PERSON name or person-only candidates)
    org: bool = False  # anchored by a longer organisation name its short forms joined
    label: str = ""
    country_code: str | None = None
    place: Place | None = None  # the gazetteer place a GPE/LOC cluster names

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
    caps = discovery.caps_ranges(body)
    mentions = _mentions(doc, body, gazetteer, caps)
    bylines = _byline_names(article.credits)
    mentions = [m for m in mentions if not _contains_byline(m, bylines)]
    clusters = _cluster(mentions, gazetteer)
    for cluster in clusters:
        cluster.label = _cluster_label(cluster)
    _correct_places(clusters, gazetteer)
    clusters = [c for c in clusters if not _is_byline_cluster(c, bylines)]
    _add_repeated_occurrences(doc, body, clusters, caps)
    return _records(clusters)


# ── mentions ───────────────────────────────────────────────────────────────────


def _mentions(doc: Doc, body: str, gazetteer: Gazetteer, caps: list[tuple[int, int]]) -> list[Mention]:
    """The model's names trimmed, the ones it missed added, labels fixed by grammar, caps junk gone."""
    found = wire.layout_mentions(doc, body, gazetteer)
    laid_out = discovery.covered_tokens(found)
    found += [m for m in discovery.scoreline_sides(doc, body, gazetteer) if m.token_start not in laid_out]
    formatted = {id(m) for m in found}  # the line's format beats the name's head ("Nottingham Forest 0")
    sides = discovery.covered_tokens(found) | wire.tally_labels(doc, body)
    found += [
        m
        for span in doc.ents
        if span.label_ in NAME_LABELS and not any(span.start <= i < span.end for i in sides)
        for m in span_mentions(span, body, gazetteer)
    ]
    found = _outermost(found)
    found = discovery.given_name_people(doc, found, body, gazetteer)
    found = discovery.people_before_who(doc, found, body, gazetteer)
    found = discovery.people_after_honorifics(doc, found, body, gazetteer)
    found = discovery.people_who_speak(doc, found, body, gazetteer)
    covered = discovery.covered_tokens(found)
    titled = discovery.title_tokens(doc)
    found += discovery.frame_organisations(doc, titled, covered, body)
    found += discovery.headed_names(doc, titled, covered, body)
    found += discovery.prepositional_places(doc, titled, covered, body, gazetteer)
    found += discovery.result_sides(doc, titled, covered, body, gazetteer)
    found += discovery.nationalities(doc, titled, covered, body, gazetteer)
    found += discovery.people_after_titles(doc, titled, covered, body, gazetteer)
    found += discovery.affiliated_organisations(doc, found, covered, body, gazetteer)
    found += wire.held_names(doc, covered, body)
    found += discovery.caps_countries(doc, caps, found, body, gazetteer)
    discovery.relabel_framed_sources(doc, found)
    discovery.relabel_teams(doc, found, gazetteer)
    discovery.relabel_bases(doc, found, gazetteer)
    discovery.relabel_affiliations(doc, found, gazetteer)
    discovery.relabel_aged_people(doc, found)
    found = [discovery.widened(doc, m, body, covered) for m in found]
    found = discovery.party_member_names(doc, found, body, gazetteer)
    for mention in found:
        mention.caps = not mention.dateline and discovery.in_ranges(mention.start, caps)
        label = None if id(mention) in formatted else grammar_label(mention, doc, gazetteer)
        if label is not None:
            mention.label, mention.fixed = label, True
    mixed = {m.key for m in found if not m.caps}
    return [m for m in found if not m.caps or _caps_name_kept(m, mixed, gazetteer)]


def _outermost(mentions: list[Mention]) -> list[Mention]:
    """Without mentions inside a longer one: a name grown over a word the model tagged apart
    ("Hui-Min Tsai" over "Hui") holds that word."""
    inner: set[int] = set()
    outer = (-1, -1)
    for m in sorted(mentions, key=lambda m: (m.start, -m.end)):  # each outer name before the ones inside it
        if m.end <= outer[1] and (m.start, m.end) != outer:
            inner.add(id(m))
        elif m.end > outer[1]:
            outer = (m.start, m.end)
    return [m for m in mentions if id(m) not in inner]


def _caps_name_kept(mention: Mention, mixed_case_keys: set[str], gazetteer: Gazetteer) -> bool:
    """In an all-caps line a name counts only if the article has it in mixed case or it is a known place."""
    if mention.key in mixed_case_keys:
        return True
    place = gazetteer.resolve(mention.text)
    return place is not None and not place.alias and place.strength >= STRENGTH_CITY


# ── bylines ────────────────────────────────────────────────────────────────────


def _byline_names(credits: Credits) -> list[tuple[str, ...]]:
    """Each credited journalist's name as folded words."""
    return [words for name in credits.names() if (words := tuple(fold(name).split()))]


def _contains_words(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    """True if `needle` occurs as a contiguous run of whole words in `haystack`."""
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def _contains_byline(mention: Mention, bylines: Iterable[tuple[str, ...]]) -> bool:
    """A span containing a full byline name is a credit-line fragment, whatever the model labelled it."""
    return any(_contains_words(mention.words, name) for name in bylines)


def _is_byline_cluster(cluster: Cluster, bylines: Iterable[tuple[str, ...]]) -> bool:
    """A cluster made only of words from one byline name ("Pamuk", "Angus") is that journalist.

    Runs after clustering so a story person who shares a byline surname keeps
    their short mentions (their canonical full name is not a byline name). A
    gazetteer-confirmed place is kept ("Jordan" with a byline "Jordan Smith").
    """
    if cluster.label in PLACE_LABELS and cluster.place is not None:
        return False
    words = set(fold(cluster.canonical).split())
    return any(words <= set(name) for name in bylines)


# ── clustering ─────────────────────────────────────────────────────────────────


def _group(mentions: Iterable[Mention]) -> dict[str, list[Mention]]:
    """Mentions by folded name, in order of first mention."""
    groups: dict[str, list[Mention]] = {}
    for mention in sorted(mentions, key=lambda m: m.start):
        groups.setdefault("\x00" + mention.key if mention.dateline else mention.key, []).append(mention)
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
    """Group by surface, then attach each name to the unique longer PERSON name containing it,
    or else to the unique longer organisation name it begins or ends.

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
    org_parts = _organisation_parts(groups)
    home: dict[tuple[str, ...], Cluster] = {}
    clusters: list[Cluster] = []
    for key in sorted(groups, key=lambda k: (-len(groups[k][0].words), groups[k][0].start)):
        group = groups[key]
        candidates = _containing_people(group[0].words, by_word, home)
        organisations = _distinct(home[name] for name in org_parts.get(group[0].words, ()) if name in home)
        if group[0].dateline:  # the place of filing joins no team or firm named after it
            target = Cluster()
            clusters.append(target)
        elif len(candidates) == 1 and _may_join_person(group, gazetteer):
            target = candidates[0]
        elif not candidates and len(organisations) == 1 and _may_join_organisation(group, gazetteer):
            target = organisations[0]
            target.org = True
        else:
            target = Cluster(person=key in people or len(candidates) > 1)
            clusters.append(target)
        target.mentions.extend(group)
        home[group[0].words] = target
    return clusters


def _organisation_parts(groups: dict[str, list[Mention]]) -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    """Leading and trailing word runs of multi-word organisation names -> those names.

    "Toyota" and "Toyota Motor" lead "Toyota Motor Corp."; "United" ends
    "Manchester United". Runs made only of designators and heads ("Corp.",
    "Party") are left out: on their own they name no one in particular.
    """
    parts: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for group in groups.values():
        words = group[0].words
        if len(words) < 2 or _plurality(m.label for m in group) != "ORG":
            continue
        for k in range(1, len(words)):
            for run in (words[:k], words[k:]):
                if not _names_no_one(run):
                    parts.setdefault(run, []).append(words)
    return parts


def _names_no_one(run: Sequence[str]) -> bool:
    """Designators, heads and particles alone ("Corp.", "Party", "van"): on their own they name no
    one in particular."""
    return all(w.rstrip(".") in _ORG_TAIL_WORDS or w in NAME_PARTICLES for w in run)


def _distinct(clusters: Iterable[Cluster]) -> list[Cluster]:
    return list({id(c): c for c in clusters}.values())


def _may_join_organisation(mentions: Sequence[Mention], gazetteer: Gazetteer) -> bool:
    """A short form may join an organisation unless the model called it a nationality, a person or a
    place, or a title stands before it ("Mr. Brandt" is not "Brandt Group")."""
    label = _plurality(m.label for m in mentions)
    if label in ("NORP", "PERSON"):
        return False
    if label == "GPE" or label in PLACE_LABELS and _may_be_a_place(mentions, gazetteer):
        return False  # "Clarkston" the town is likelier than "Clarkston Community Center" said short
    return not any(m.person_cue or (m.fixed and m.label != "ORG") for m in mentions)


def _may_be_a_place(mentions: Sequence[Mention], gazetteer: Gazetteer) -> bool:
    """A region or feature the model named (LOC) that the gazetteer knows or a preposition of place
    governs; otherwise ("talks with Western Deep") the short form of an organisation may be meant."""
    return gazetteer.resolve(mentions[0].text) is not None or any(m.locative for m in mentions)


def _containing_people(
    words: tuple[str, ...], by_word: dict[str, list[tuple[str, ...]]], home: dict[tuple[str, ...], Cluster]
) -> list[Cluster]:
    """Distinct clusters of already placed, longer PERSON names that contain `words` in order."""
    found: dict[int, Cluster] = {}
    for name in by_word.get(words[0], ()):
        if name in home and len(name) > len(words) and _is_subsequence(words, name):
            found.setdefault(id(home[name]), home[name])
    return list(found.values())


# ── labels and places ──────────────────────────────────────────────────────────


def _cluster_label(cluster: Cluster) -> str:
    """One label per cluster, from the strongest evidence there is.

    1. the name structure when it is a full person name ("Mevlut Cavusoglu"
       contains "Cavusoglu"), unless the grammar fixed the full name itself;
    2. the name's grammar (`grammar_label`: "Labour Party", "Tana River"), then
       a longer organisation name that short forms joined;
    3. between PERSON and ORG, the words around the mentions: a title or
       honorific says person, a lower-case "the" says organisation, when only
       one of them is there;
    4. the plurality of the model's per-mention labels.
    """
    fixed = [m.label for m in cluster.mentions if m.fixed]
    if cluster.person and not _fixed_on_full_name(cluster):
        return "PERSON"  # "the Trump company" does not make Donald Trump an organisation
    if fixed:
        return _plurality(fixed)
    if cluster.org:
        return "ORG"
    voted = _plurality(m.label for m in cluster.mentions)
    labels = {m.label for m in cluster.mentions} | {voted}
    if labels & {"PERSON", "ORG"}:
        person = any(m.person_cue for m in cluster.mentions)
        organisation = any(m.org_cue for m in cluster.mentions)
        # a title says person whatever the model said ("Chancellor Olaf Scholz", ORG to it)
        if person != organisation and (person or "ORG" in labels or voted == "PERSON"):
            return "PERSON" if person else "ORG"
    return voted


def _fixed_on_full_name(cluster: Cluster) -> bool:
    """The name's grammar fixed the label of one of the cluster's longest mentions."""
    longest = max(len(m.words) for m in cluster.mentions)
    return any(m.fixed and len(m.words) == longest for m in cluster.mentions)


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
    return any(m.locative or m.label in PLACE_LABELS for m in cluster.mentions) or place.country_code in countries


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
        if cluster.label == "NORP":
            cluster.country_code = gazetteer.demonym_country(cluster.canonical)
        if cluster.person or cluster.org or any(m.fixed for m in cluster.mentions):
            continue
        countries = _others(signals, signal)
        place = _known_place(cluster, gazetteer, countries)
        if place is not None and _is_place(cluster, place, countries):
            cluster.label = "LOC" if place.kind == "continent" else "GPE"
            cluster.country_code, cluster.place = place.country_code, place


def _known_place(cluster: Cluster, gazetteer: Gazetteer, countries: set[str]) -> Place | None:
    """The gazetteer place the cluster names, if its name is capitalised like a place name."""
    name = cluster.canonical
    if not is_capitalised_name(name):
        return None
    return gazetteer.resolve(name, countries)


# ── one name, one label all through the article ───────────────────────────────


def _add_repeated_occurrences(doc: Doc, body: str, clusters: list[Cluster], caps: list[tuple[int, int]]) -> None:
    """Give each cluster the occurrences of its names the model did not tag ("Ness told reporters")."""
    covered = discovery.covered_tokens(m for c in clusters for m in c.mentions)
    surnames = Counter(c.canonical.split()[-1] for c in clusters if c.label == "PERSON")
    index = discovery.forms_index((c, _forms(doc, c, surnames)) for c in clusters)
    for start, end, owner in discovery.repeated_occurrences(doc, covered, index, caps):
        cluster: Cluster = owner  # type: ignore[assignment]
        mention = make_mention(list(doc[start:end]), cluster.label, body)
        if mention is not None:
            cluster.mentions.append(mention)
    _add_caps_occurrences(doc, body, clusters, caps, covered, surnames)


def _add_caps_occurrences(
    doc: Doc,
    body: str,
    clusters: list[Cluster],
    caps: list[tuple[int, int]],
    covered: set[int],
    surnames: Counter[str],
) -> None:
    """In an all-caps line, a word run that is, case aside, a name the article writes in mixed case
    ("ASTON VILLA BEAT LIVERPOOL", "IVANISEVIC BATTLES ON") is that name, with its label."""
    forms: dict[tuple[str, ...], Cluster | None] = {}
    datelines: dict[tuple[str, ...], Cluster] = {}
    for cluster in clusters:
        if any(m.dateline for m in cluster.mentions):
            datelines.update((tuple(m.words), cluster) for m in cluster.mentions)
            continue
        for form in _forms(doc, cluster, surnames):
            folded = tuple(w.casefold() for w in form)
            forms[folded] = cluster if forms.get(folded, cluster) is cluster else None  # ambiguous: neither
    for words, cluster in datelines.items():
        forms.setdefault(words, cluster)  # a headline place is the dateline's unless a team has the name
    for words, owner in _headline_short_forms(doc, clusters).items():
        forms.setdefault(words, owner)  # a name the article writes in full comes first
    longest = max((len(f) for f in forms), default=0)
    for lo, hi in caps:
        span = doc.char_span(lo, hi, alignment_mode="expand")
        if span is None:
            continue
        i = span.start
        while i < span.end:
            n, owner = _caps_match(doc, i, span.end, longest, forms, covered)
            if owner is None:
                i += 1
                continue
            mention = make_mention(list(doc[i : i + n]), owner.label, body)
            if mention is not None:
                mention.caps = True
                owner.mentions.append(mention)
                covered.update(range(i, i + n))
            i += n


def _headline_short_forms(doc: Doc, clusters: Iterable[Cluster]) -> dict[tuple[str, ...], Cluster | None]:
    """Leading word runs of multi-word organisation names, case folded: a headline calls "Glaxo
    Wellcome" GLAXO and "Bayern Munich" BAYERN. Runs of designators and heads alone ("BANK") and a
    run two organisations share name neither."""
    parts: dict[tuple[str, ...], Cluster | None] = {}
    for cluster in clusters:
        if cluster.label != "ORG":
            continue
        for mention in cluster.mentions:
            tokens = [t.text.casefold() for t in doc[mention.token_start : mention.token_end]]
            for k in range(1, len(tokens)):
                run = tuple(tokens[:k])
                if _names_no_one(run) or run[-1] in LINKS:
                    continue
                parts[run] = cluster if parts.get(run, cluster) is cluster else None
    return parts


def _caps_match(
    doc: Doc, i: int, end: int, longest: int, forms: dict[tuple[str, ...], Cluster | None], covered: set[int]
) -> tuple[int, Cluster | None]:
    """The longest known form starting at token `i` (case folded), and its cluster."""
    for n in range(min(longest, end - i), 0, -1):
        if any(j in covered for j in range(i, i + n)):
            continue
        owner = forms.get(tuple(t.text.casefold() for t in doc[i : i + n]))
        if owner is not None:
            return n, owner
    return 0, None


def _forms(doc: Doc, cluster: Cluster, surnames: Counter[str]) -> list[tuple[str, ...]]:
    """The token texts of a cluster's mixed-case mentions, and a person's surname if no other
    person in the article ends in it (`surnames` counts the people per last word)."""
    forms = {tuple(t.text for t in doc[m.token_start : m.token_end]) for m in cluster.mentions if not m.caps}
    if cluster.label == "PERSON":
        words = cluster.canonical.split()
        if len(words) > 1 and surnames[words[-1]] == 1:
            forms.add((words[-1],))
    return sorted(f for f in forms if f and f[0][:1].isupper())


# ── output records ─────────────────────────────────────────────────────────────


def _records(clusters: list[Cluster]) -> tuple[list[Entity], list[EntityCluster]]:
    """Number clusters E1.. by first mention; one Entity per mention, sorted by offset."""
    ordered = sorted((c for c in clusters if c.mentions), key=lambda c: c.first)
    entities: list[Entity] = []
    out: list[EntityCluster] = []
    for n, cluster in enumerate(ordered, start=1):
        cid, canonical = f"E{n}", cluster.canonical
        surfaces = list(dict.fromkeys(m.text for m in sorted(cluster.mentions, key=lambda m: m.start)))
        geonames_id, geonames_uri = _geonames(cluster)
        out.append(
            EntityCluster(
                cid,
                canonical,
                cluster.label,
                len(cluster.mentions),
                surfaces,
                cluster.country_code,
                geonames_id,
                geonames_uri,
            )
        )
        entities.extend(
            Entity(
                cid, m.text, cluster.label, m.start, m.end, canonical, cluster.country_code, geonames_id, geonames_uri
            )
            for m in cluster.mentions
        )
    entities.sort(key=lambda e: (e.start, e.end))
    return entities, out


def _geonames(cluster: Cluster) -> tuple[int | None, str | None]:
    """The GeoNames id and URI of the place a place cluster names, when the gazetteer has it."""
    if cluster.place is None or cluster.label not in PLACE_LABELS:
        return None, None
    return cluster.place.geonames_id, cluster.place.geonames_uri
