"""Stage 3: who said what. Quote marks, reporting cues and speakers, from the same parse."""

from pipeline.quotes.attribution import attribute_quotes, parse_for_quotes
from pipeline.quotes.headline import headline_quotes

__all__ = ["attribute_quotes", "headline_quotes", "parse_for_quotes"]
