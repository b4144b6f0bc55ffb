"""Names that the layout of wire copy gives away: datelines, results lines, tables, scoreboards.

Agency copy puts names in fixed formats that carry their type better than the words do:

* **Datelines.** ``LONDON 1997-03-08`` or ``BULAWAYO, Zimbabwe 1996-12-22`` on a line of
  their own: the dateline names the place of filing (GPE).
* **A country in brackets.** ``Marek Kovac (Slovakia) beat ...``: a bracketed country right
  after a capitalised name says the name is a competitor (PERSON) from that country (GPE).
* **Ranked lists.** A line that opens with a rank or a score (``68 Neil Prentice, Wayne Colby
  (South Africa)``, ``2. Marco Pantani (Italy) Mercatone Uno 1:08``) lists competitors: each
  comma-separated full name is a PERSON, and a name after the country bracket is the
  competitor's team (ORG).
* **Standings rows.** A line holding one name and then only numbers (``Leeds 28 13 9 6 38 27
  48``) is a team's row: ORG, or GPE for a country.
* **Tickers.** ``<NVK.OL>`` after a company names it on the exchange (ORG).
* **Scoreboards.** In a cricket card ``c Campbell b Streak`` names a fielder and a bowler,
  the line's opening name (``R. Dravid``, before how he was out) the batsman, a name before
  figures (``Wasim Akram 12-1-54-0``) a bowler; ``Extras (lb-4) 4`` and ``Total (...) 278``
  are tally lines whose label names no one.

Each rule reads the line's shape, not the words in it; the gazetteer only says whether a name
is a country.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Doc, Token

from pipeline.entities.gazetteer import NAME_PARTICLES, STRENGTH_COUNTRY, Gazetteer
from pipeline.entities.mentions import Mention, make_mention
from pipeline.entities.names import DESIGNATORS, ISSUED_NOUNS, SPORTS_ROLES, STRONG_ORG_HEADS, bare

_LINE = re.compile(r"[^\n]+")
_DATE = r"\d{4}-\d{2}-\d{2}|\d{1,2} [A-Z][a-z]+ \d{4}|[A-Z][a-z]+ \d{1,2}(?:, \d{4})?"
_DATELINE = re.compile(
    rf"^\s*(?P<place>[A-Z][A-Z.'\-]*(?: [A-Z][A-Z.'\-]*)*)(?:, (?P<region>[A-Z][\w.'\-]*(?: [A-Z][\w.'\-]*)*))?"
    rf"(?: \(\w+\))? (?:{_DATE})\s*$"
)
# A line opening with a rank ("2.", "4 -") or a score ("67"): a results or leaderboard line.
_RANKED = re.compile(r"^\s*(?:\d{1,3}\.|\d{1,3}(?: -)?|=\d{1,3}\.?)\s+[A-Z]")
# A stock code in angle brackets after a company's name ("Norvik Steel ASA <NVK.OL>"): the
# company's own short name on the exchange.
_TICKER = re.compile(r"<([A-Z][A-Z0-9&]{0,7}(?:\.[A-Z]{1,3})?)>")
_NUMBER = re.compile(r"^\d+(?:[.:,]\d+)*$")
# Scoreboard words before a fielder or a bowler: caught, bowled, stumped, run out.
_CARD_WORDS = frozenset({"c", "b", "st"})
_MAX_CARD_NAME = 3  # words of a fielder's or bowler's name
# How a batsman was out, or that he was not, when no fielder or bowler opens the rest of his line.
_DISMISSALS = (("not", "out"), ("run", "out"), ("retired",), ("lbw",), ("hit", "wicket"))
# A bowler's overs-maidens-runs-wickets (`12-1-54-0`, `20.3-4-52-1`).
_FIGURES = re.compile(r"[ \t]*\d+(?:\.\d)?-\d+-\d+-\d+\b")
# `Extras (lb-4 nb-6) 10`, `Total (for 4 wickets) 278`: a tally line, whose first word labels it.
_TALLY = re.compile(r"[ \t]*[A-Z][a-z]+[ \t]+\((?=[^()]*[a-z])(?=[^()]*\d)[^()A-Z]*\)[ \t]*\d+[ \t]*$")


def layout_mentions(doc: Doc, body: str, gazetteer: Gazetteer) -> list[Mention]:
    """Mentions the line formats give, with fixed labels; overlapping model names give way to them."""
    found: list[Mention] = []
    for match in _LINE.finditer(body):
        lo, hi = match.span()
        line = match.group()
        tokens = [t for t in _line_tokens(doc, lo, hi) if not t.is_space]
        if not tokens:
            continue
        dateline = _DATELINE.match(line)
        if dateline is not None:
            for group in ("place", "region"):
                if dateline.group(group):
                    _add_span(found, doc, body, lo + dateline.start(group), lo + dateline.end(group), "GPE")
                    found[-1].dateline = True
            continue
        for ticker in _TICKER.finditer(line):
            _add_span(found, doc, body, lo + ticker.start(1), lo + ticker.end(1), "ORG")
        found += _bracketed(doc, body, tokens, gazetteer, ranked=bool(_RANKED.match(line)))
        found += _standings_row(body, tokens, gazetteer)
        found += _card_names(body, tokens)
        if _FIGURES.search(line):
            found += _bowlers(body, tokens)
    return found


def tally_labels(doc: Doc, body: str) -> set[int]:
    """The tokens that label a scoreboard's tally lines (`Extras`, `Total`): no one's name, though
    the model may read one there."""
    out: set[int] = set()
    for match in _LINE.finditer(body):
        if _TALLY.match(match.group()):
            tokens = [t for t in _line_tokens(doc, *match.span()) if not t.is_space]
            if tokens:
                out.add(tokens[0].i)
    return out


def _line_tokens(doc: Doc, lo: int, hi: int) -> list[Token]:
    span = doc.char_span(lo, hi, alignment_mode="expand")
    return list(span) if span is not None else []


def _add_span(found: list[Mention], doc: Doc, body: str, start: int, end: int, label: str) -> None:
    span = doc.char_span(start, end, alignment_mode="contract")
    mention = make_mention(list(span), label, body, fixed=True) if span is not None and len(span) else None
    if mention is None:
        mention = Mention(start, end, body[start:end], label, (body[start:end].casefold(),), fixed=True)
    found.append(mention)


def _is_country(text: str, gazetteer: Gazetteer) -> bool:
    place = gazetteer.resolve(text)
    return place is not None and place.strength >= STRENGTH_COUNTRY


def _name_token(token: Token) -> bool:
    """A capitalised word of a name, or a particle inside one ("van", "de", "O'Malley")."""
    return (token.is_alpha or "'" in token.text or "-" in token.text.strip("-")) and (
        token.text[:1].isupper() or token.lower_ in NAME_PARTICLES
    )


def _runs(tokens: Sequence[Token]) -> list[list[Token]]:
    """Maximal runs of name words within a line, split at anything else."""
    runs: list[list[Token]] = []
    current: list[Token] = []
    for token in tokens:
        if _name_token(token) and not (token.lower_ in NAME_PARTICLES and not current):
            current.append(token)
            continue
        if token.text == "-" and current and not current[-1].whitespace_ and not token.whitespace_:
            current.append(token)  # "Heinz-Harald"
            continue
        if current:
            runs.append(current)
        current = []
    if current:
        runs.append(current)
    return [r for r in runs if r[-1].lower_ not in NAME_PARTICLES and r[-1].text != "-"]


def _organisation_shaped(run: Sequence[Token]) -> bool:
    return any(bare(t.text) in DESIGNATORS or bare(t.text) in STRONG_ORG_HEADS for t in run)


def _bracketed(doc: Doc, body: str, tokens: Sequence[Token], gazetteer: Gazetteer, *, ranked: bool) -> list[Mention]:
    """`Name (Country)`: the country GPE, the name before it a competitor (PERSON); on a ranked
    line, every full name in the list is a competitor and a name after the bracket the team."""
    found: list[Mention] = []
    brackets: list[tuple[int, int]] = []  # token index of "(" and of ")"
    for k, token in enumerate(tokens):
        if token.text != "(":
            continue
        close = next((j for j in range(k + 1, min(k + 6, len(tokens))) if tokens[j].text == ")"), None)
        if close is None or close == k + 1:
            continue
        inner = tokens[k + 1 : close]
        text = body[inner[0].idx : inner[-1].idx + len(inner[-1].text)]
        if not all(t.text[:1].isupper() or t.is_punct for t in inner) or not _is_country(text, gazetteer):
            continue
        brackets.append((k, close))
        mention = make_mention(inner, "GPE", body, fixed=True)
        if mention is not None:
            found.append(mention)
    if not brackets:
        return found
    inside = {tokens[j].i for k, close in brackets for j in range(k, close + 1)}
    for run in _runs(tokens):
        if run[0].i in inside:
            continue
        start = tokens.index(run[0])
        after_bracket = start > 0 and tokens[start - 1].text == ")"
        before_bracket = tokens.index(run[-1]) + 1 < len(tokens) and tokens[tokens.index(run[-1]) + 1].text == "("
        text = body[run[0].idx : run[-1].idx + len(run[-1].text)]
        if _is_country(text, gazetteer):
            continue
        if before_bracket and not _organisation_shaped(run) and (len(run) > 1 or ranked):
            label = "PERSON"
        elif ranked and after_bracket:
            label = "ORG"  # "Jan Ullrich (Germany) Telekom 6 hours"
        elif ranked and len(run) > 1 and not _organisation_shaped(run) and run[0].i > tokens[0].i:
            label = "PERSON"  # "68 Neil Prentice, Wayne Colby (South Africa)"
        else:
            continue
        mention = make_mention(run, label, body, fixed=True)
        if mention is not None:
            found.append(mention)
    return found


def _standings_row(body: str, tokens: Sequence[Token], gazetteer: Gazetteer) -> list[Mention]:
    """`Name n n n ...` with at least three numbers and nothing else: a team's row in a table."""
    k = 0
    while k < len(tokens) and _name_token(tokens[k]):
        k += 1
    rest = tokens[k:]
    if k == 0 or len(rest) < 3 or not all(_NUMBER.match(t.text) for t in rest):
        return []
    run = list(tokens[:k])
    text = body[run[0].idx : run[-1].idx + len(run[-1].text)]
    place = gazetteer.resolve(text)
    label = "GPE" if place is not None and place.kind == "country" else "ORG"  # a state's row is a club's
    mention = make_mention(run, label, body, fixed=True)
    return [mention] if mention is not None else []


def _card_names(body: str, tokens: Sequence[Token]) -> list[Mention]:
    """A scoreboard line (``R. Dravid c Healy b Warne 44``): the batsman who opens it, and the
    capitalised words after "c", "b" or "st" (fielder, bowler)."""
    marks = [k for k, t in enumerate(tokens[:-1]) if t.text in _CARD_WORDS and _surname(tokens[k + 1])]
    dismissal = _dismissal_at(tokens)
    if not marks and dismissal is None:
        return []
    found = []
    batsman = list(tokens[: min(k for k in [dismissal, *marks] if k is not None)])
    if 1 < len(batsman) <= 4 and _surname(batsman[-1]) and all(_initial(t) for t in batsman[:-1]):
        mention = make_mention(batsman, "PERSON", body, fixed=True)
        if mention is not None:
            found.append(mention)
    for k in marks:  # the whole name: "b Waqar Younis 31", up to the next card word or the runs
        end = k + 1
        while end < len(tokens) and end - k <= _MAX_CARD_NAME and _surname(tokens[end]):
            end += 1
        mention = make_mention(tokens[k + 1 : end], "PERSON", body, fixed=True)
        if mention is not None:
            found.append(mention)
    return found


def _dismissal_at(tokens: Sequence[Token]) -> int | None:
    """Where the words saying how the batsman was out start (`not out`, `run out`, `lbw`)."""
    words = [t.lower_ for t in tokens]
    for k in range(1, len(words)):
        if any(tuple(words[k : k + len(d)]) == d for d in _DISMISSALS):
            return k
    return None


def _bowlers(body: str, tokens: Sequence[Token]) -> list[Mention]:
    """The names on a bowling line, each right before its figures (`Wasim Akram 12-1-54-0`)."""
    found = []
    for run in _runs(tokens):
        end = run[-1].idx + len(run[-1].text)
        if _FIGURES.match(body, end) and (mention := make_mention(run, "PERSON", body, fixed=True)) is not None:
            found.append(mention)
    return found


def _surname(token: Token) -> bool:
    """A capitalised word in mixed case ("Warne", "McGrath")."""
    return token.is_alpha and token.text[:1].isupper() and not token.is_upper


def _initial(token: Token) -> bool:
    """An initial ("R.") or a given name before a surname."""
    return bool(re.fullmatch(r"(?:[A-Z]\.)+", token.text)) or _surname(token)


def held_names(doc: Doc, covered: set[int], body: str) -> list[Mention]:
    """Uncovered capitalised proper nouns on a lower-case noun that only an organisation has:
    shares or stock ("Adler shares rose"), a share index ("the DAX index", "the Nikkei average"),
    a team's staff or players ("Bulls coach Phil Jackson", "Red Wings goaltender")."""
    found = []
    for token in doc:
        if token.i == 0 or not token.is_lower or not (token.lower_ in ISSUED_NOUNS or _team_role(token)):
            continue
        end = start = token.i
        while start > 0 and start - 1 not in covered and _organisation_word(doc[start - 1], token):
            start -= 1
        if start == end or not doc[start].text[:1].isupper() or not _may_open_name(doc, start, end):
            continue
        mention = make_mention(list(doc[start:end]), "ORG", body, fixed=True)
        if mention is not None:
            found.append(mention)
            covered.update(range(start, end))
    return found


def _team_role(token: Token) -> bool:
    """A player's or staff member's noun followed by a name: "coach Phil Jackson"."""
    return bare(token.text) in SPORTS_ROLES and token.i + 1 < len(token.doc) and token.doc[token.i + 1].is_title


def _organisation_word(token: Token, noun: Token) -> bool:
    """A proper noun, or for a team a capitalised plural too: nicknames are tagged as common
    plurals ("Bulls", "Flyers")."""
    if token.tag_ in ("NNP", "NNPS"):
        return True
    return token.tag_ == "NNS" and token.is_title and noun.lower_ not in ISSUED_NOUNS


def _may_open_name(doc: Doc, start: int, end: int) -> bool:
    """A lone capitalised word opening a sentence may be a common noun ("Oil shares", "Head
    coach"), though a plural one is a team's nickname ("Bulls coach"); after another capitalised
    word but "The" the name's start is unclear ("All Blacks coach"), so none is made."""
    first = doc[start]
    if start > 0 and doc[start - 1].is_title and doc[start - 1].lower_ != "the":
        return False
    return not (first.is_sent_start and end - start == 1) or first.tag_ in ("NNS", "NNPS")
