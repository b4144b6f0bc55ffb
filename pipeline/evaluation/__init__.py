"""Quote-attribution quality measured against PolNeAR gold (`wirestream evaluate`)."""

from pipeline.evaluation.polnear import evaluate, format_table

__all__ = ["evaluate", "format_table"]
