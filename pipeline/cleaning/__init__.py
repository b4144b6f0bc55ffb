"""Stage 1: raw wire copy to clean plain text (HTML, mojibake, dateline, credits, language)."""

from pipeline.cleaning.clean import REJECTION_REASONS, clean_article, join_paragraphs, split_paragraphs

__all__ = ["REJECTION_REASONS", "clean_article", "join_paragraphs", "split_paragraphs"]
