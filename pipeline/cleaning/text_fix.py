"""Character-level repair: mojibake, control characters, line breaks and spaces.

These functions work on a whole text and never look at paragraph structure,
so HTML-derived and plain text share them.
"""

from __future__ import annotations

import re

import ftfy

# Quote marks are kept exactly as written (downstream quote attribution relies on
# them) and fullwidth forms are left alone because they are ordinary punctuation
# in CJK copy. Line breaks are normalised before ftfy sees the text so that a
# Windows "\r\n" feed is not reported as mojibake.
_FTFY_PLAIN = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False, unescape_html=True, explain=False)
# Text that came out of the HTML parser already had its entities decoded once;
# decoding again would turn a literal "&amp;" in the story into "&".
_FTFY_DECODED = _FTFY_PLAIN._replace(unescape_html=False)

# ftfy's badness check costs about 1 ms on a 4 kB story, so skip it when it
# cannot find anything. Mojibake of UTF-8 in any single-byte encoding ftfy
# repairs contains a lead-byte character that is neither ASCII nor one of the
# typographic marks below (in Latin-1/cp1252 those are Â..ô; in MacRoman the
# marks are lead bytes but every continuation byte maps outside this set).
# Text made only of these characters is also already NFC with nothing for
# ftfy's other fixers to do; "&" only matters when entities are decoded.
_TYPOGRAPHIC = "\u00a0\u2013\u2014\u2018\u2019\u201c\u201d\u2026"
_MAY_NEED_FTFY = re.compile(f"[^\t\n\x20-\x7e{_TYPOGRAPHIC}]")
_MAY_NEED_FTFY_OR_ENTITY = re.compile(f"[^\t\n\x20-\x25\x27-\x7e{_TYPOGRAPHIC}]")

# C0/C1 controls other than whitespace, plus invisible characters that split
# words for tokenisers: soft hyphen, zero-width space, word joiner, BOM.
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x9f\u00ad\u200b\u2060\ufeff]")
# Every whitespace character (as str.isspace sees it) except the newline and the
# plain space: tab, NBSP, thin and ideographic spaces, vertical tab, form feed...
_ODD_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace() and c not in " \n")
_ODD_SPACE = re.compile(f"[{_ODD_SPACES}]")
# Only runs that need changing are matched (a lone " " is left alone).
_SPACE_RUNS = re.compile(f"[ {_ODD_SPACES}]{{2,}}|[{_ODD_SPACES}]")


def scrub_surrogates(text: str) -> str:
    """Join UTF-16 surrogate pairs and replace lone halves, so the text is encodable UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def normalize_line_breaks(text: str) -> str:
    """CRLF, CR and the Unicode line/paragraph separators become "\\n"."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\u2028" in text or "\u2029" in text:
        text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    return text


def fix_mojibake(text: str, *, decode_entities: bool) -> str:
    """Repair mis-decoded text with ftfy, keeping quotes as written.

    ftfy fixes each line on its own anyway, so only lines that fail the quick
    check are handed to it: one accented name no longer costs a full pass.
    """
    quick_check = _MAY_NEED_FTFY_OR_ENTITY if decode_entities else _MAY_NEED_FTFY
    if quick_check.search(text) is None:
        return text
    config = _FTFY_PLAIN if decode_entities else _FTFY_DECODED
    return "\n".join(ftfy.fix_text(line, config) if quick_check.search(line) else line for line in text.split("\n"))


def remove_invisible(text: str) -> str:
    """Drop control and zero-width characters that carry no visible text."""
    return _INVISIBLE.sub("", text)


def collapse_spaces(text: str) -> str:
    """Turn every run of non-newline whitespace (NBSP and tabs included) into one space."""
    if "  " not in text and _ODD_SPACE.search(text) is None:
        return text  # the common case; checking first is several times cheaper than sub()
    return _SPACE_RUNS.sub(" ", text)
