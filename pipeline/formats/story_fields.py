"""Story metadata common to every format: versions, times, publication status, corrections.

Each format reads its own field names and hands the values here, so the rules
(how a version is derived, which markers mean a correction, what a bad
embargo does) are the same for plain JSON, ninjs and NewsML-G2.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from pipeline.errors import RejectedInput
from pipeline.formats import reasons
from pipeline.records import PubStatus, VersionFrom

PUBSTATUSES: dict[str, PubStatus] = {
    "usable": "usable",
    "withheld": "withheld",
    "canceled": "canceled",
    "cancelled": "canceled",
}
# Correction markers (docs/wire-formats.md): an editor's note that says the version corrects
# ("Eds: Corrects spelling of ...", "correction: ..."), or a headline prefix ("CORRECTED-...").
_EDNOTE_CORRECTION = re.compile(r"\b(?:corrects|corrected|correcting|correction)\b", re.IGNORECASE)
_HEADLINE_CORRECTION = re.compile(r"^\s*(?:CORRECTED|CORRECTION|CORRECTS?)\b\s*[-:\u2013\u2014]")
_SIGNAL_CORRECTION = re.compile(r"(?:^|[:/])correction$", re.IGNORECASE)


def timestamp(value: Any, name: str, article_id: str | None) -> datetime | None:
    """An ISO 8601 date-time field as an aware datetime (no offset means UTC); None when absent."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip().replace("z", "Z"))
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise RejectedInput(reasons.INVALID_FIELD, f"{name} is not an ISO 8601 date-time: {value!r}", article_id)


def utc_iso(moment: datetime | None) -> str | None:
    """`2026-12-01T22:00:00Z`: one spelling of a time for consumers to compare."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def utc_time(value: Any, name: str, article_id: str | None) -> str | None:
    """A date-time field in UTC (`...Z`), refused when it does not parse; None when absent."""
    return utc_iso(timestamp(value, name, article_id))


def version(value: Any, version_created: Any, article_id: str | None) -> tuple[int, VersionFrom]:
    """The document's version; else `versioncreated` as Unix seconds (later copies sort later); else 1."""
    if value is not None and value != "":
        number = _positive_int(value)
        if number is None:
            raise RejectedInput(reasons.INVALID_FIELD, f"version is not a positive integer: {value!r}", article_id)
        return number, "document"
    created = timestamp(version_created, "versioncreated", article_id)
    if created is not None:
        return int(created.timestamp()), "versioncreated"
    return 1, "none"


def pubstatus(value: Any, article_id: str | None) -> PubStatus:
    """usable, withheld or canceled (default usable); anything else is refused, since it decides publication."""
    if value is None:
        return "usable"
    status = PUBSTATUSES.get(str(value).strip().lower())
    if status is None:
        raise RejectedInput(reasons.INVALID_FIELD, f"unknown pubstatus {value!r}", article_id)
    return status


def urgency(value: Any) -> int | None:
    """1 (most urgent) to 9; a value outside that is dropped, the story does not need it."""
    number = _positive_int(value)
    return number if number is not None and number <= 9 else None


def is_correction(signals: list[str], ednote: str | None, headline: str | None) -> bool:
    """True when a signal (`sig:correction`), the editor's note or a headline prefix says so."""
    return (
        any(_SIGNAL_CORRECTION.search(s.strip()) for s in signals)
        or bool(ednote and _EDNOTE_CORRECTION.search(ednote))
        or bool(headline and _HEADLINE_CORRECTION.match(headline))
    )


def string(value: Any) -> str | None:
    """A text field stripped, or None when absent, empty or not text."""
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


def _positive_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and value >= 1 else None
