"""Stage 2: named entities from the spaCy parse, clustered and gazetteer-corrected."""

from pipeline.entities.extract import NAME_LABELS, extract_entities
from pipeline.entities.ninjs import ninjs_entities

__all__ = ["NAME_LABELS", "extract_entities", "ninjs_entities"]
