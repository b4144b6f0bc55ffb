"""Parsing a headline: Title Case and ALL CAPS read as the sentence they stand for.

A wire headline is a sentence written in a house style: `Senator Says Tax Plan Will
Fail` or `SENATOR SAYS TAX PLAN WILL FAIL`. The model, trained on running text, reads
every capitalised word there as a name, so `Says` is no verb and the report is lost.
Before parsing, each word of such a headline takes the casing the article's own body
gives it mid-sentence (the body writes `says` and `Senator Ruiz`); a word the body does
not use is lowercased when it is an English word of the model's lexicon, else kept.
Only letters change case, so offsets hold, and the parsed doc carries the headline's own
words back: consumers see the headline as it was sent.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from spacy.attrs import ORTH, SPACY
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.nlp.model import DOC_ATTRS

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"(?:^|[.!?:;\"“”‘'(\n]|--|—)\s*$")
_MIN_TITLED_SHARE = 0.75  # of the words of four letters or more, capitalised: Title Case
_LEMMA_TABLE = "lemma_index"  # the lemmatizer's lexicon: English words by part of speech
_SUFFIXES = (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("d", ""), ("ing", ""), ("ing", "e"))


def parse_headlines(
    nlp: Language, items: Sequence[tuple[str, str]], batch_size: int = 64, forms: Sequence[str] | None = None
) -> Iterator[Doc]:
    """Each (headline, body) parsed as its sentence (`forms`, when the caller has them already);
    the docs hold the headlines' own words."""
    texts = parse_forms(nlp, items) if forms is None else forms
    for (headline, _), doc in zip(items, nlp.pipe(texts, batch_size=batch_size)):
        yield with_words_of(doc, headline) if doc.text != headline and len(doc.text) == len(headline) else doc


def parse_forms(nlp: Language, items: Sequence[tuple[str, str]]) -> list[str]:
    """What the parser reads for each (headline, body). A "headline" longer than the model takes
    is no headline: it is left unparsed (an empty text)."""
    common = common_words(nlp)
    return [sentence_casing(h, body, common) if len(h) <= nlp.max_length else "" for h, body in items]


def sentence_casing(headline: str, body: str, common: frozenset[str] = frozenset()) -> str:
    """The headline as a sentence of the body would case it; unchanged unless Title Case or shouted."""
    words = list(_WORD.finditer(headline))
    shouted = _is_shouted(headline)
    if not words or not (shouted or _is_titled([m.group() for m in words])):
        return headline
    forms = body_casings(body)
    out = list(headline)
    for k, match in enumerate(words):
        word = match.group()
        cased = _cased(word, forms.get(word.lower()), common, first=k == 0, shouted=shouted)
        if len(cased) == len(word):  # a letter whose case changes its length (rare) is left as it was
            out[match.start() : match.end()] = cased
    return "".join(out)


def body_casings(body: str) -> dict[str, Counter[str]]:
    """How the body writes each word where its case is free (not opening a sentence)."""
    forms: dict[str, Counter[str]] = {}
    for match in _WORD.finditer(body):
        if _SENTENCE_END.search(body, max(0, match.start() - 3), match.start()):
            continue
        word = match.group()
        forms.setdefault(word.lower(), Counter())[word] += 1
    return forms


def _cased(word: str, seen: Counter[str] | None, common: frozenset[str], first: bool, shouted: bool) -> str:
    if seen:
        best = seen.most_common(1)[0][0]
        return best[0].upper() + best[1:] if first else best
    if not first and (shouted or word[:1].isupper()) and is_common_word(word, common):
        return word.lower()
    return word[:1] + word[1:].lower() if shouted else word


def is_common_word(word: str, common: frozenset[str]) -> bool:
    """An English word of the lexicon, in any of its regular inflections (says, slammed, urging)."""
    base = re.split(r"['’]", word.lower())[0]
    candidates = {base} | {base[: -len(suffix)] + rest for suffix, rest in _SUFFIXES if base.endswith(suffix)}
    return any(c in common for c in candidates)


def _is_titled(words: list[str]) -> bool:
    long = [w for w in words if len(w) >= 4]
    return len(long) >= 2 and sum(w[0].isupper() for w in long) / len(long) >= _MIN_TITLED_SHARE


def _is_shouted(headline: str) -> bool:
    letters = [ch for ch in headline if ch.isalpha()]
    return len(letters) >= 8 and all(ch.isupper() for ch in letters)


@functools.cache
def common_words(nlp: Language) -> frozenset[str]:
    """The lemmatizer's lexicon of English words; empty when the model has none (body casing only)."""
    for name in nlp.pipe_names:
        pipe = nlp.get_pipe(name)
        lemmatizer = getattr(pipe, "lemmatizer", pipe)  # the fast lemmatizer wraps the stock one
        lookups = getattr(lemmatizer, "lookups", None)
        if lookups is not None and lookups.has_table(_LEMMA_TABLE):
            return frozenset(w for words in lookups.get_table(_LEMMA_TABLE).values() for w in words)
    return frozenset()


def with_words_of(doc: Doc, text: str) -> Doc:
    """The parse of `doc` over `text`'s own words (same length, only the case differs)."""
    words = [text[t.idx : t.idx + len(t.text)] for t in doc]
    out = Doc(doc.vocab, words=words, spaces=[bool(t.whitespace_) for t in doc])
    attrs = [a for a in DOC_ATTRS if a not in (ORTH, SPACY)]
    if len(doc):
        values: Any = doc.to_array(attrs)  # spaCy's stubs type it as floats; it holds uint64 ids
        out.from_array(attrs, values)
    return out
