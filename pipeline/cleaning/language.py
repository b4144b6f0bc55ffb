"""Language identification of a cleaned body with py3langid's bundled model.

Only a prefix of the body is classified: py3langid walks its automaton byte by
byte in Python (about half a microsecond a byte), and a few hundred characters of news prose
already give a near-certain answer.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from py3langid.langid import MODEL_FILE, LanguageIdentifier

#: Characters of the body that are classified.
SAMPLE_CHARS = 400
#: Below this many letters the guess is noise ("OK." comes out as Serbian).
MIN_LETTERS = 30
#: Below this calibrated probability the guess is not trusted.
MIN_SCORE = 0.5
# py3langid's labels for "no linguistic content" / "undetermined".
_NO_LANGUAGE = frozenset({"zxx", "und"})


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    code: str
    score: float
    reliable: bool


@functools.cache
def _identifier() -> LanguageIdentifier:
    """The model, loaded once per process (about 1.5 s, so workers may call `preload`)."""
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def preload() -> None:
    """Load the model now rather than on the first article."""
    _identifier()


def detect_language(text: str) -> LanguageGuess:
    """ISO 639-1 code and probability of the text's language, marked unreliable when short."""
    sample = _sample(text)
    code, score = _identifier().classify(sample)
    reliable = score >= MIN_SCORE and code not in _NO_LANGUAGE and _has_letters(sample, MIN_LETTERS)
    return LanguageGuess(code=code, score=round(score, 4), reliable=reliable)


def primary_subtag(tag: str | None) -> str | None:
    """Primary subtag of a declared language ("en-US" -> "en"); None when not declared."""
    if not tag or not tag.strip():
        return None
    return tag.strip().replace("_", "-").split("-", 1)[0].lower()


def _sample(text: str) -> str:
    """The first SAMPLE_CHARS characters, cut back to a word boundary."""
    if len(text) <= SAMPLE_CHARS:
        return text
    cut = text.rfind(" ", SAMPLE_CHARS // 2, SAMPLE_CHARS)
    return text[: cut if cut > 0 else SAMPLE_CHARS]


def _has_letters(text: str, count: int) -> bool:
    """True once `count` letters have been seen (stops early: most bodies pass at once)."""
    for char in text:
        if char.isalpha():
            count -= 1
            if count <= 0:
                return True
    return False
