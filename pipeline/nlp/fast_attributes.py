"""Faster stand-ins for spaCy's `attribute_ruler` and rule `lemmatizer` that set exactly the same attributes.

Why: in en_core_web_sm the attribute ruler maps the tagger's fine tags to POS
and morphology, plus ~120 word-specific exceptions. It runs a `Matcher` with all
179 patterns over every token and then writes attributes match by match: about
18 ms of CPU for a 900-token article, ~12 % of the whole parse, for a mapping
that is a plain lookup. The stages need its output (POS and lemmas drive quote
cues and speakers), so it cannot simply be dropped.

How: the ruler's rules only look at a token's TAG, LOWER, DEP and IS_SPACE
(and, for a few two-token rules, at the next token's), so which rules fire on a
token is a function of those values. `FastAttributeRuler` works that out once
per distinct combination (cached), merges the rules' attributes in the ruler's
order (later rules win, as `AttributeRuler.set_annotations` does, because it
applies matches sorted by rule), and writes all tokens with one
`Doc.from_array`. Matching sees the attributes as they were before the
component ran, like the Matcher does.

Exactness: a model whose patterns use anything this module does not model
(operators such as OP, other token attributes, extension attributes, rules that
set lexeme attributes) keeps the stock component: `replace_attribute_ruler`
returns False. tests/test_fast_attributes.py checks token-for-token equality of
POS, TAG, MORPH, LEMMA and DEP against the stock pipeline.

The rule lemmatizer has the same shape of problem: a token's lemma is a pure
function of its ORTH, POS and MORPH (and the model's tables), but spaCy's
lemmatizer walks the doc in Python and does not cache its most common answer
(uninflected forms such as singular nouns, recomputed from the morphology
every time): ~2.7 ms per article even when warm. `FastLemmatizer` asks the
stock lemmatizer once per (ORTH, POS, MORPH) and writes LEMMA with one
`Doc.from_array`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, NORM, ORTH, POS, TAG
from spacy.language import Language
from spacy.tokens import Doc

COMPONENT = "attribute_ruler"
FAST_NAME = "fast_attribute_ruler"
LEMMATIZER = "lemmatizer"
FAST_LEMMATIZER = "fast_lemmatizer"

# Token attributes a rule may test: matcher name -> (attr id, is a string hash).
_TESTABLE: dict[str, tuple[int, bool]] = {
    "TAG": (TAG, True),
    "LOWER": (LOWER, True),
    "ORTH": (ORTH, True),
    "TEXT": (ORTH, True),
    "NORM": (NORM, True),
    "DEP": (DEP, True),
    "POS": (POS, True),
    "IS_SPACE": (IS_SPACE, False),
}
# Token attributes a rule may set (token-level only, so `Doc.from_array` is exact).
_SETTABLE = (POS, MORPH, LEMMA, TAG, DEP)
_CACHE_LIMIT = 500_000  # distinct (tag, lower, dep, space) combinations kept


class Unsupported(ValueError):
    """A pattern or attribute this module does not reproduce exactly."""


def _value_test(value: Any) -> tuple[Callable[[Any], bool], frozenset[str] | None]:
    """A test for one attribute's value, and the closed set of values it can pass (None: open)."""
    if isinstance(value, bool):
        return (lambda v: v == value), None
    if isinstance(value, str):
        return (lambda v: v == value), frozenset([value])
    if isinstance(value, dict) and value:
        tests, closed = [], None
        for op, arg in value.items():
            if op == "IN" and isinstance(arg, list) and all(isinstance(a, str) for a in arg):
                members = frozenset(arg)
                tests.append(lambda v, m=members: v in m)
                closed = members if closed is None else closed & members
            elif op == "NOT_IN" and isinstance(arg, list) and all(isinstance(a, str) for a in arg):
                members = frozenset(arg)
                tests.append(lambda v, m=members: v not in m)
            elif op == "REGEX" and isinstance(arg, str):
                search = re.compile(arg).search
                tests.append(lambda v, s=search: isinstance(v, str) and s(v) is not None)
            else:
                raise Unsupported(f"operator {op!r}")
        return (lambda v: all(t(v) for t in tests)), closed
    raise Unsupported(f"value {value!r}")


@dataclass(frozen=True, slots=True)
class _Entry:
    """One alternative pattern of one rule: token predicates, and which token gets the attributes."""

    rule: int
    specs: tuple[int, ...]  # per token: its predicate's number in FastAttributeRuler.predicates
    target: int


@dataclass(frozen=True, slots=True)
class _Info:
    """What the rules say about one combination of key attribute values."""

    merged: dict[int, int] | None  # attributes of the single-token rules that fire, merged in order
    rules: tuple[int, ...]  # those rules
    starts: tuple[int, ...]  # multi-token entries whose first token matches
    ok: frozenset[tuple[int, int]]  # (multi entry, position) predicates that hold


class FastAttributeRuler:
    """Callable pipeline component equivalent to a given `AttributeRuler`."""

    def __init__(self, ruler: Any) -> None:
        self.vocab = ruler.vocab
        self.attrs: list[dict[int, int]] = []
        for attrs in ruler.attrs:
            if not isinstance(attrs, dict) or "_" in attrs or any(k not in _SETTABLE for k in attrs):
                raise Unsupported(f"sets {attrs!r}")
            self.attrs.append(dict(attrs))
        columns: list[int] = []
        string_cols: list[bool] = []
        # Token predicates: (column, test) pairs that must all hold. A predicate
        # with a closed set of values on some column is indexed under those
        # values, so a new combination of key values is only checked against
        # the few predicates that can hold for it (same answers, less work).
        self.predicates: list[tuple[tuple[int, Callable[[Any], bool]], ...]] = []
        entries: list[_Entry] = []
        for rule in range(len(self.attrs)):
            found = ruler.matcher.get(str(rule))
            if found is None:
                continue
            on_match, alternatives = found
            if on_match is not None:
                raise Unsupported("on_match callback")
            for pattern in alternatives:
                specs = []
                for token_spec in pattern:
                    tests, closed_sets = [], []
                    for key, value in token_spec.items():
                        name = key.upper()
                        if name not in _TESTABLE:
                            raise Unsupported(f"attribute {key!r}")
                        attr, is_string = _TESTABLE[name]
                        if attr not in columns:
                            columns.append(attr)
                            string_cols.append(is_string)
                        test, closed = _value_test(value)
                        tests.append((columns.index(attr), test))
                        if closed is not None:
                            closed_sets.append((columns.index(attr), closed))
                    specs.append(len(self.predicates))
                    self.predicates.append(tuple(tests))
                    self._index_predicate(specs[-1], closed_sets)
                if not specs:
                    raise Unsupported("empty pattern")
                index = ruler.indices[rule]
                target = index if index >= 0 else len(specs) + index
                if not 0 <= target < len(specs):
                    raise Unsupported(f"index {index} outside a {len(specs)}-token pattern")
                entries.append(_Entry(rule, tuple(specs), target))
        self.columns = columns or [TAG]
        self.string_cols = string_cols or [True]
        self.single = [e for e in entries if len(e.specs) == 1]
        self.multi = [e for e in entries if len(e.specs) > 1]
        self._single_rule = {e.specs[0]: e.rule for e in self.single}
        self._multi_slot = {pred: (n, p) for n, e in enumerate(self.multi) for p, pred in enumerate(e.specs)}
        self.set_attrs = [a for a in _SETTABLE if any(a in attrs for attrs in self.attrs)]
        self._cache: dict[tuple[int, ...], _Info] = {}

    def _index_predicate(self, number: int, closed_sets: list[tuple[int, frozenset[str]]]) -> None:
        if not hasattr(self, "_by_value"):
            self._by_value: dict[tuple[int, Any], list[int]] = {}
            self._always: list[int] = []
        if not closed_sets:
            self._always.append(number)
            return
        column, values = min(closed_sets, key=lambda cv: len(cv[1]))  # the most selective
        for value in values:
            self._by_value.setdefault((column, value), []).append(number)

    # ── per combination of key values ────────────────────────────────────────

    def _values(self, key: tuple[int, ...]) -> tuple[Any, ...]:
        strings = self.vocab.strings
        return tuple(strings[v] if is_str else bool(v) for v, is_str in zip(key, self.string_cols))

    def _info(self, key: tuple[int, ...]) -> _Info:
        values = self._values(key)
        candidates = set(self._always)
        for column, value in enumerate(values):
            candidates.update(self._by_value.get((column, value), ()))
        holding = {p for p in candidates if all(test(values[col]) for col, test in self.predicates[p])}
        rules = tuple(sorted({self._single_rule[p] for p in holding if p in self._single_rule}))
        ok = frozenset(self._multi_slot[p] for p in holding if p in self._multi_slot)
        starts = tuple(n for n, e in enumerate(self.multi) if (n, 0) in ok)
        info = _Info(self._merge(rules), rules, starts, ok)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = info
        return info

    def _merge(self, rules: Iterable[int]) -> dict[int, int] | None:
        merged: dict[int, int] = {}
        for rule in rules:
            merged.update(self.attrs[rule])
        return merged or None

    # ── the component ────────────────────────────────────────────────────────

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if n == 0:
            return doc
        cache = self._cache
        keys = doc.to_array(self.columns).reshape(n, len(self.columns)).tolist()
        infos = [cache.get(k) or self._info(k) for k in map(tuple, keys)]
        merged: list[dict[int, int] | None] = [info.merged for info in infos]
        if self.multi:
            extra: dict[int, set[int]] = {}
            for i, info in enumerate(infos):
                for m in info.starts:
                    entry = self.multi[m]
                    length = len(entry.specs)
                    if i + length <= n and all((m, p) in infos[i + p].ok for p in range(1, length)):
                        extra.setdefault(i + entry.target, set()).add(entry.rule)
            for i, rules in extra.items():
                merged[i] = self._merge(sorted(rules.union(infos[i].rules)))
        if not self.set_attrs:
            return doc
        cols = {a: c for c, a in enumerate(self.set_attrs)}
        rows = doc.to_array(self.set_attrs).reshape(n, len(self.set_attrs)).tolist()
        for row, attrs in zip(rows, merged):
            if attrs:
                for attr, value in attrs.items():
                    row[cols[attr]] = value
        doc.from_array(self.set_attrs, numpy.array(rows, dtype=numpy.uint64).reshape(n, len(self.set_attrs)))
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)


class FastLemmatizer:
    """Callable pipeline component equivalent to a rule-mode spaCy `Lemmatizer` that does not overwrite."""

    def __init__(self, lemmatizer: Any) -> None:
        if getattr(lemmatizer, "mode", None) != "rule" or getattr(lemmatizer, "overwrite", True):
            raise Unsupported("only the rule lemmatizer without overwrite")
        self.lemmatizer = lemmatizer
        self._memo: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if n == 0:
            return doc
        memo, add = self._memo, doc.vocab.strings.add
        rows = doc.to_array([ORTH, POS, MORPH, LEMMA]).reshape(n, 4).tolist()
        lemmas = []
        for i, (orth, pos, morph, lemma) in enumerate(rows):
            if lemma == 0:  # set by the attribute ruler: kept, as the stock lemmatizer keeps it
                key = (orth, pos, morph)
                lemma = memo.get(key, 0)
                if lemma == 0:
                    lemma = add(self.lemmatizer.lemmatize(doc[i])[0])
                    if len(memo) >= _CACHE_LIMIT:
                        memo.clear()
                    memo[key] = lemma
            lemmas.append(lemma)
        doc.from_array([LEMMA], numpy.array(lemmas, dtype=numpy.uint64).reshape(n, 1))
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)


@Language.factory(FAST_LEMMATIZER, default_config={"source": LEMMATIZER})
def _make_fast_lemmatizer(nlp: Language, name: str, source: str) -> FastLemmatizer:
    return FastLemmatizer(nlp.get_pipe(source))


def replace_lemmatizer(nlp: Language) -> bool:
    """Swap the stock rule `lemmatizer` for the memoised equivalent; False (nothing changed) when unsupported."""
    return _replace_pipe(nlp, LEMMATIZER, FAST_LEMMATIZER)


@Language.factory(FAST_NAME, default_config={"source": COMPONENT})
def _make_fast_attribute_ruler(nlp: Language, name: str, source: str) -> FastAttributeRuler:
    """Built from the pipeline's own `attribute_ruler` (so it must still be in the pipeline)."""
    return FastAttributeRuler(nlp.get_pipe(source))


def replace_attribute_ruler(nlp: Language) -> bool:
    """Swap the stock `attribute_ruler` for the fast equivalent; False (nothing changed) when unsupported."""
    return _replace_pipe(nlp, COMPONENT, FAST_NAME)


def _replace_pipe(nlp: Language, stock: str, fast: str) -> bool:
    """Put `fast` (built from `stock`) in `stock`'s place; leave the pipeline as it was when unsupported."""
    if stock not in nlp.pipe_names:
        return False
    try:
        nlp.add_pipe(fast, after=stock)
    except Unsupported:
        return False
    nlp.remove_pipe(stock)
    return True
