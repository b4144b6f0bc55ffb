"""Stage 3: who said what. Quote marks, reporting cues and speakers, from the same parse."""

from pipeline.quotes.attribution import attribute_quotes

__all__ = ["attribute_quotes"]
