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
from spacy.tokens import Doc, MorphAnalysis, Token

from pipeline.nlp.model import DOC_ATTRS
from pipeline.nlp.reporting_verbs import OBJECT_REPORT_VERBS, SPEECH_VERBS

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"(?:^|[.!?:;\"“”‘'(\n]|--|—)\s*$")
_MIN_TITLED_SHARE = 0.75  # of the words of four letters or more, capitalised: Title Case
_LEMMA_TABLE = "lemma_index"  # the lemmatizer's lexicon: English words by part of speech
_SUFFIXES = (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("d", ""), ("ing", ""), ("ing", "e"))
# The rules that change how a headline is read beyond its casing (the present read as the past,
# `headlinese_verbs`): part of the evaluation's parse-cache key, so bump it when they change.
HEADLINE_READING = "cased+past5"
_REPORTING = SPEECH_VERBS | OBJECT_REPORT_VERBS
_PRESENT_S = (("ies", "y"), ("es", ""), ("s", ""))
# Tags of a word that can be the subject right before its verb (`PAC blasts`, `she warns`).
_SUBJECT_TAGS = frozenset({"NN", "NNS", "NNP", "NNPS", "PRP", "CD"})
_PLURAL_TAGS = frozenset({"NNS", "NNPS"})
_TENSED = frozenset({"VBZ", "VBD", "VBP", "MD"})


def parse_headlines(
    nlp: Language, items: Sequence[tuple[str, str]], batch_size: int = 64, forms: Sequence[str] | None = None
) -> Iterator[Doc]:
    """Each (headline, body) parsed as its sentence (`forms`, when the caller has them already);
    the docs hold the headlines' own words."""
    texts = parse_forms(nlp, items) if forms is None else forms
    docs = list(nlp.pipe(texts, batch_size=batch_size))
    retold = {k: subs for k, doc in enumerate(docs) if (subs := headlinese_verbs(doc, nlp))}
    again = nlp.pipe([_substituted(texts[k], subs) for k, subs in retold.items()], batch_size=batch_size)
    for (k, subs), doc in zip(retold.items(), again):
        docs[k] = _in_headline_tense(doc, texts[k], subs) or docs[k]
    for (headline, _), doc in zip(items, docs):
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
    return _parse_over(doc, [text[t.idx : t.idx + len(t.text)] for t in doc])


def _parse_over(doc: Doc, words: list[str]) -> Doc:
    """A doc of `words`, one per token of `doc` with its spacing, carrying `doc`'s parse."""
    out = Doc(doc.vocab, words=words, spaces=[bool(t.whitespace_) for t in doc])
    attrs = [a for a in DOC_ATTRS if a not in (ORTH, SPACY)]
    if len(doc):
        values: Any = doc.to_array(attrs)  # spaCy's stubs type it as floats; it holds uint64 ids
        out.from_array(attrs, values)
    return out


def headlinese_verbs(doc: Doc, nlp: Language) -> list[tuple[int, int, str]]:
    """Headlinese tells past events in the present (`PAC blasts Trump`), which the model, trained on
    running text, reads as a plural noun (`blasts`) or as an auxiliary to a verb after it. A reporting
    verb's -s form right after a would-be subject, that the parse did not make a verb, is read again
    as the past tense it stands for: (start, end, past form) for each."""
    out = []
    for tok in doc[1 : len(doc) - 1]:
        # `Voters mock ...`; not `Jobs report gives ...`, where the clause's verb comes later
        plural = tok.lower_ in _REPORTING and doc[tok.i - 1].tag_ in _PLURAL_TAGS and not _verb_after(tok)
        lemma = tok.lower_ if plural else _present_s_lemma(tok.lower_)
        if lemma is None or tok.pos_ == "VERB" or not tok.text.isalpha() or not doc[tok.i + 1].is_alpha:
            continue
        before = doc[tok.i - 1]
        if before.tag_ in _SUBJECT_TAGS and not _verb_before(tok) or _second_predicate(tok):
            past = _past_of(lemma, nlp)
            out.append((tok.idx, tok.idx + len(tok.text), past.capitalize() if tok.text[0].isupper() else past))
    return out


def _verb_before(tok: Token) -> bool:
    """A verb earlier in the same clause (`Party Boosts Spending In Battleground States To ...`):
    the word is in its object, no verb of its own."""
    for prev in reversed(tok.doc[: tok.i]):
        if prev.is_punct:
            return False
        if prev.pos_ in ("VERB", "AUX") or prev.tag_ in _TENSED:
            return True
    return False


def _second_predicate(tok: Token) -> bool:
    """`Mayor backs plan and praises crews`, `Mayor backs plan, praises crews`: after "and" or a
    comma that follow a verb and its object, the subject's next verb."""
    doc = tok.doc
    joined = doc[tok.i - 1].lower_ in ("and", ",") and tok.i >= 2 and doc[tok.i - 2].pos_ != "DET"
    return joined and any(t.pos_ == "VERB" and t.tag_ in _TENSED for t in doc[: tok.i - 1])


def _verb_after(tok: Token) -> bool:
    for nxt in tok.doc[tok.i + 1 :]:
        if nxt.is_punct:
            return False
        if nxt.tag_ in _TENSED:
            return True
    return False


def _present_s_lemma(word: str) -> str | None:
    for suffix, rest in _PRESENT_S:
        if word.endswith(suffix) and (lemma := word[: -len(suffix)] + rest) in _REPORTING:
            return lemma
    return None


def _past_of(lemma: str, nlp: Language) -> str:
    """The past tense: the lexicon's irregular form (said, told, wrote), else the regular one."""
    irregular = _irregular_forms(nlp).get(lemma)
    if irregular:
        return irregular
    if lemma.endswith("e"):
        return lemma + "d"
    if lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
        return lemma[:-1] + "ied"
    return lemma + "ed"


@functools.cache
def _irregular_forms(nlp: Language) -> dict[str, str]:
    """Lemma -> its shortest exceptional verb form not in -ing (`said`, `wrote`, `admitted`)."""
    out: dict[str, str] = {}
    for name in nlp.pipe_names:
        lemmatizer = getattr(nlp.get_pipe(name), "lemmatizer", nlp.get_pipe(name))
        lookups = getattr(lemmatizer, "lookups", None)
        if lookups is not None and lookups.has_table("lemma_exc"):
            for form, lemmas in sorted(lookups.get_table("lemma_exc").get("verb", {}).items()):
                for lemma in lemmas:
                    if not form.endswith("ing") and (lemma not in out or len(form) < len(out[lemma])):
                        out[lemma] = form
            break
    return out


def _substituted(text: str, subs: list[tuple[int, int, str]]) -> str:
    out, at = [], 0
    for start, end, word in subs:
        out += [text[at:start], word]
        at = end
    return "".join(out + [text[at:]])


def _in_headline_tense(doc: Doc, text: str, subs: list[tuple[int, int, str]]) -> Doc | None:
    """The parse of the past-tense form over the headline's words, each verb tagged in the present
    it was written in; None when a substituted word is not one token of the parse."""
    spans, shift = [], 0  # (start, end) in the parsed form, (start, end) in the headline
    for start, end, word in subs:
        spans.append((start + shift, start + shift + len(word), start, end))
        shift += len(word) - (end - start)
    words, retold = [], []
    for tok in doc:
        lo, hi = tok.idx, tok.idx + len(tok.text)
        hit = next((sp for sp in spans if sp[0] < hi and lo < sp[1]), None)
        if hit is not None and (hit[0], hit[1]) != (lo, hi):
            return None
        if hit is not None:
            words.append(text[hit[2] : hit[3]])
            retold.append(tok.i)
        else:
            at = lo - sum(sp[1] - sp[0] - (sp[3] - sp[2]) for sp in spans if sp[1] <= lo)
            words.append(text[at : at + len(tok.text)])
    out = _parse_over(doc, words)
    for i in retold:
        plural = out[i].lower_ == out[i].lemma_  # `mock` after `Terrorists`, else `blasts`
        out[i].tag_, out[i].norm_ = "VBP" if plural else "VBZ", out[i].lower_
        person = {} if plural else {"Number": "Sing", "Person": "3"}
        out[i].morph = MorphAnalysis(out.vocab, {**person, "Tense": "Pres", "VerbForm": "Fin"})
    return out if out.text == text else None
