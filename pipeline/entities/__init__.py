"""Stage 2: named entities from the spaCy parse, clustered and gazetteer-corrected."""

from pipeline.entities.extract import NAME_LABELS, extract_entities

__all__ = ["NAME_LABELS", "extract_entities"]
