"""Stage 1: raw wire copy to clean plain text.

The body (plain text or HTML) becomes repaired, NFC text whose paragraphs are
joined by exactly one blank line, with offsets for each paragraph. The dateline
and the trailing credits are lifted out into their own records because they are
not story prose, and the language is identified. A message that cannot yield a
body is rejected with a stable reason, so it lands in the dead-letter topic
instead of stopping the worker.
"""

from __future__ import annotations

from pipeline.cleaning import text_fix
from pipeline.cleaning.credits import lift_credits
from pipeline.cleaning.dateline import lift_dateline
from pipeline.cleaning.html_text import (
    MAX_HTML_TAGS,
    html_to_text,
    looks_like_html,
    too_complex,
)
from pipeline.cleaning.language import detect_language, primary_subtag
from pipeline.errors import RejectedInput
from pipeline.records import CleanArticle, Dateline, RawArticle, Story

PARAGRAPH_SEPARATOR = "\n\n"
DEFAULT_LANGUAGE = "en"

# Flags: what cleaning did or noticed. Stable strings; consumers count them.
HTML_STRIPPED = "html_stripped"
SCRIPT_REMOVED = "script_removed"
MOJIBAKE_FIXED = "mojibake_fixed"
NON_ENGLISH = "non_english"
LANGUAGE_MISMATCH = "language_mismatch"
LANGUAGE_UNCERTAIN = "language_uncertain"

# Rejection reasons.
EMPTY_BODY = "empty_body"
BODY_TOO_LARGE = "body_too_large"
HTML_TOO_COMPLEX = "html_too_complex"
INVALID_BODY = "invalid_body"
CLEANING_FAILED = "cleaning_failed"
REJECTION_REASONS = frozenset({EMPTY_BODY, BODY_TOO_LARGE, HTML_TOO_COMPLEX, INVALID_BODY, CLEANING_FAILED})

# In plain text a line ending in one of these closes its paragraph; any other
# line followed by a lower-case start is a hard-wrapped paragraph continuing.
_CLOSING_CHARS = frozenset('.!?:;"”’)»…')


def clean_article(raw: RawArticle, article_id: str, *, max_body_chars: int | None = None) -> CleanArticle:
    """Clean one article; raise RejectedInput (and nothing else) when it cannot be cleaned.

    `max_body_chars` caps the length of the raw body in characters (the same unit as spaCy's
    `max_length`, which the runner sets to this limit); None means no cap.
    """
    try:
        return _clean(raw, article_id, max_body_chars)
    except RejectedInput:
        raise
    except Exception as exc:  # a bug must dead-letter one message, not kill the worker
        raise RejectedInput(CLEANING_FAILED, f"{type(exc).__name__}: {exc}", article_id) from exc


def _clean(raw: RawArticle, article_id: str, max_body_chars: int | None) -> CleanArticle:
    """The cleaning steps in order; see `clean_article`."""
    body = _checked_body(raw.body, article_id, max_body_chars)
    flags: list[str] = []
    paragraphs = _paragraphs(body, flags, article_id)
    dateline, paragraphs = lift_dateline(paragraphs)
    dateline = dateline or feed_dateline(raw.story)
    credits, paragraphs = lift_credits(paragraphs)
    text, offsets = join_paragraphs(paragraphs)
    if not text:
        raise RejectedInput(EMPTY_BODY, "body has no text after cleaning", article_id)
    headline = _headline(raw.headline, flags, article_id)
    language, score = _language(text, raw.language, flags)
    return CleanArticle(
        id=article_id,
        headline=headline,
        body=text,
        paragraphs=offsets,
        dateline=dateline,
        credits=credits,
        language=language,
        language_score=score,
        flags=flags,
        source=raw.source,
        url=raw.url,
        published_at=raw.published_at,
        story=raw.story,
    )


def feed_dateline(story: Story) -> Dateline | None:
    """The dateline a wire feed states (NewsML-G2 `located`/`dateline`, NITF `dateline`), when the body has none.

    Its text is the feed's, not part of the body; places is the filing location.
    """
    place = story.located or story.dateline
    if place is None:
        return None
    return Dateline(places=[place], source=None, text=story.dateline or "")


def _checked_body(body: object, article_id: str, max_body_chars: int | None) -> str:
    """The raw body, if it is text within the size limit (checked before any parsing)."""
    if body is None:
        raise RejectedInput(EMPTY_BODY, "body is missing", article_id)
    if not isinstance(body, str):
        raise RejectedInput(INVALID_BODY, f"body is {type(body).__name__}, not text", article_id)
    if max_body_chars is not None:
        if len(body) > max_body_chars:
            raise RejectedInput(
                BODY_TOO_LARGE,
                f"body is {len(body)} characters, limit is {max_body_chars} (WIRESTREAM_MAX_BODY_CHARS)",
                article_id,
            )
    return body


def _paragraphs(text: str, flags: list[str], article_id: str) -> list[str]:
    """Plain-text paragraphs of a body or headline, HTML converted and characters repaired."""
    text = text_fix.normalize_line_breaks(text_fix.scrub_surrogates(text))
    keep_line_breaks, decode_entities = False, True
    if looks_like_html(text):
        if too_complex(text):
            raise RejectedInput(HTML_TOO_COMPLEX, f"more than {MAX_HTML_TAGS} HTML tags", article_id)
        html = html_to_text(text)
        _flag(flags, HTML_STRIPPED)
        if html.had_script:
            _flag(flags, SCRIPT_REMOVED)
        text, keep_line_breaks, decode_entities = html.text, html.structured, False
    fixed = text_fix.fix_mojibake(text, decode_entities=decode_entities)
    if fixed != text:
        _flag(flags, MOJIBAKE_FIXED)
    text = text_fix.collapse_spaces(text_fix.remove_invisible(fixed))
    return split_paragraphs(text, keep_line_breaks=keep_line_breaks)


def split_paragraphs(text: str, *, keep_line_breaks: bool) -> list[str]:
    """Paragraphs of space-normalised text: blank lines always separate them.

    With `keep_line_breaks` (HTML, where <br> is a deliberate line break) single
    newlines stay inside the paragraph. Otherwise (plain wire copy, often one
    paragraph per line) a single newline also starts a paragraph, unless the
    line is visibly hard-wrapped mid-sentence.
    """
    joiner = "\n" if keep_line_breaks else " "
    paragraphs: list[str] = []
    current: list[str] = []
    for line in (raw_line.strip() for raw_line in text.split("\n")):
        breaks = not line or (not keep_line_breaks and bool(current) and not _wrapped(current[-1], line))
        if breaks and current:
            paragraphs.append(joiner.join(current))
            current = []
        if line:
            current.append(line)
    if current:
        paragraphs.append(joiner.join(current))
    return paragraphs


def _wrapped(previous: str, line: str) -> bool:
    """True when `line` continues the sentence `previous` broke off."""
    return previous[-1] not in _CLOSING_CHARS and line[0].islower()


def join_paragraphs(paragraphs: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """The body text with paragraphs separated by one blank line, and each one's offsets."""
    offsets: list[tuple[int, int]] = []
    start = 0
    for paragraph in paragraphs:
        offsets.append((start, start + len(paragraph)))
        start += len(paragraph) + len(PARAGRAPH_SEPARATOR)
    return PARAGRAPH_SEPARATOR.join(paragraphs), offsets


def _headline(headline: object, flags: list[str], article_id: str) -> str:
    """The headline cleaned like the body, on one line."""
    if not isinstance(headline, str):
        return ""
    return " ".join(p.replace("\n", " ") for p in _paragraphs(headline, flags, article_id))


def _language(body: str, declared: str | None, flags: list[str]) -> tuple[str, float | None]:
    """Detected language and score; a short body falls back to the declared language or English."""
    guess = detect_language(body)
    declared_code = primary_subtag(declared) if isinstance(declared, str) else None
    if guess.reliable:
        language, score = guess.code, guess.score
        if declared_code and declared_code != language:
            _flag(flags, LANGUAGE_MISMATCH)
    else:
        language, score = declared_code or DEFAULT_LANGUAGE, None
        _flag(flags, LANGUAGE_UNCERTAIN)
    if language != DEFAULT_LANGUAGE:
        _flag(flags, NON_ENGLISH)
    return language, score


def _flag(flags: list[str], flag: str) -> None:
    """Record a flag once, keeping first-seen order."""
    if flag not in flags:
        flags.append(flag)
