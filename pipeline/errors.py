"""Errors that turn a message into a dead letter with a machine-readable reason."""

from __future__ import annotations

from typing import Any


class RejectedInput(Exception):
    """The message cannot be enriched; `reason` is a stable code consumers can count on."""

    def __init__(self, reason: str, message: str, article_id: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.article_id = article_id

    def __reduce__(self) -> tuple[Any, ...]:
        # Crosses the NLP process boundary by pickle; the default would call cls(message) only.
        return (type(self), (self.reason, str(self), self.article_id))


class InjectedFault(RuntimeError):
    """Raised by a test-only fault hook (pipeline/faults.py); never by real input."""
