"""Errors that turn a message into a dead letter with a machine-readable reason."""

from __future__ import annotations


class RejectedInput(Exception):
    """The message cannot be enriched; `reason` is a stable code consumers can count on."""

    def __init__(self, reason: str, message: str, article_id: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.article_id = article_id
