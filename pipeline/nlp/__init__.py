"""The spaCy model, its exact fast components, and the parse as bytes on the wire."""

from pipeline.nlp.headlines import parse_headlines
from pipeline.nlp.model import (
    DecodedDoc,
    ModelNotInstalled,
    doc_from_bytes,
    doc_to_bytes,
    load_model,
    model_for,
    model_label,
    parse,
)

__all__ = [
    "DecodedDoc",
    "ModelNotInstalled",
    "doc_from_bytes",
    "doc_to_bytes",
    "load_model",
    "model_for",
    "model_label",
    "parse",
    "parse_headlines",
]
