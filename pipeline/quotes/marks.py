"""Finding quoted stretches of text from the quote marks alone.

Wire copy mixes curly and straight marks, and a quote that runs over several
paragraphs leaves each paragraph open and reopens the next one, so marks are
paired per paragraph by their context rather than by their shape.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

OPENERS = frozenset("“„«")
CLOSERS = frozenset("”»")
AMBIGUOUS = frozenset('"')
QUOTE_MARKS = OPENERS | CLOSERS | AMBIGUOUS
# Two apostrophes stand for a double quote mark in some archives (NYT copy: ''Yes,'' he said).
# They are always paired like quote marks, so such a quote keeps its shape (its cue, its split
# parts, a second segment); off by default, the quote's *type* follows the project's definition
# of a direct quote (and PolNeAR's gold rule in `wirestream evaluate`), which counts only
# " “ ” „ « »: a quote in paired apostrophes comes out as indirect.
PAIRED_APOSTROPHES_ARE_QUOTES = False
DOUBLE_APOSTROPHE = "''"
# Single marks: the speech marks of copy set in single-quote house style ('Yes,' she said), and
# apostrophes everywhere else. They count as quote marks only in a text with no double mark at
# all (`single_quote_style`).
SINGLE_OPENERS = frozenset("‘")
SINGLE_MARKS = frozenset("‘’'")
# Characters after which a mark is an opener ("said: “...", "(“...").
_OPEN_CONTEXT = frozenset(" \t\n([{—–-:/\u00a0")


@dataclass(slots=True)
class QuotedSpan:
    """A stretch between an opening and a closing mark; `start`/`end` include the marks."""

    start: int
    end: int
    closed: bool = True
    open_len: int = 1
    close_len: int = 1

    @property
    def apostrophes(self) -> bool:
        """Marked by paired apostrophes ('' ... '') rather than a double quote mark."""
        return self.open_len == 2 or self.closed and self.close_len == 2

    @property
    def inner(self) -> tuple[int, int]:
        """Offsets of the words inside the marks."""
        return self.start + self.open_len, (self.end - self.close_len if self.closed else self.end)


# Where a quote mark may be: one of the marks, or the first of two apostrophes.
_CANDIDATE = re.compile("[" + re.escape("".join(sorted(QUOTE_MARKS))) + "]|" + re.escape(DOUBLE_APOSTROPHE))
_SINGLE_CANDIDATE = re.compile("[" + re.escape("".join(sorted(SINGLE_MARKS))) + "]")


def single_quote_style(text: str) -> bool:
    """Copy whose speech marks are single (`'We will not back down,' she said`): no double mark
    anywhere in it, and a single mark that opens by its context. American and agency copy quote in
    double marks and keep single ones for a quote inside a quote, which then never counts alone."""
    if _CANDIDATE.search(text):  # a double mark, or two apostrophes standing for one
        return False
    return any(_single_width(text, m.start()) and _opens(text, m.start()) for m in _SINGLE_CANDIDATE.finditer(text))


def _single_width(text: str, i: int) -> int:
    """1 when the single mark at i can be a quote mark: not an apostrophe inside a word (`don't`,
    `O'Neill`) nor one eliding the digits of a year (`the '90s`)."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if before.isalnum() and after.isalnum():
        return 0
    return 0 if after.isdigit() and not before.isalnum() else 1


def _opens(text: str, i: int) -> bool:
    after = text[i + 1] if i + 1 < len(text) else " "
    return _visible_before(text, i) in _OPEN_CONTEXT and not after.isspace()


def _apostrophe(text: str, i: int, end: int, inside: bool) -> bool:
    """A single mark that does not open is an apostrophe when nothing is open (`the workers'
    union`, `rock 'n' roll` after its opener) or when it is a plural's (`_possessive`)."""
    if text[i] in SINGLE_OPENERS or _opens(text, i):
        return False
    return not inside or _possessive(text, i, end)


def _possessive(text: str, i: int, end: int) -> bool:
    """`the workers' union`: a mark after a plural's s with a word after it is an apostrophe when
    a closing mark follows later in the paragraph (`'The workers' union voted,' she said`)."""
    if i == 0 or text[i - 1] not in "sS" or not text[i + 1 : i + 2].isspace() or not text[i + 2 : i + 3].isalnum():
        return False
    for m in _SINGLE_CANDIDATE.finditer(text, i + 1, end):
        k = m.start()
        if _single_width(text, k) and not _opens(text, k) and not text[k - 1].isspace():
            return True
    return False


def _mark_len(text: str, i: int, single: bool = False) -> int:
    """Length of the quote mark at i (0 when there is none)."""
    if single:
        return _single_width(text, i) if text[i] in SINGLE_MARKS else 0
    if text[i] in QUOTE_MARKS:
        return 1
    if text.startswith(DOUBLE_APOSTROPHE, i) and not text.startswith("'", i + 2) and (i == 0 or text[i - 1] != "'"):
        return 2
    return 0


def _direction(text: str, i: int, inside: bool, width: int = 1) -> str:
    """'open' or 'close' for the mark at i, judged from its neighbours, then from the state."""
    ch = text[i] if width == 1 else '"'
    ch = {"‘": "“", "’": "”"}.get(ch, ch)
    before = _visible_before(text, i)
    after = text[i + width] if i + width < len(text) else " "
    opens_by_context = before in _OPEN_CONTEXT and not after.isspace()
    closes_by_context = not before.isspace() and (after.isspace() or not after.isalnum())
    if ch in OPENERS and not (inside and closes_by_context and not opens_by_context):
        return "open"
    if ch in CLOSERS and not (not inside and opens_by_context and not closes_by_context):
        return "close"
    if opens_by_context and not closes_by_context:
        return "open"
    if closes_by_context and not opens_by_context:
        return "close"
    return "close" if inside else "open"


def _visible_before(text: str, i: int) -> str:
    """The character before i, passing over invisible format characters (a left-to-right mark
    pasted before `”Sorry, ...` from a social-media post is no word the mark closes); a space at
    the start of the text."""
    k = i - 1
    while k >= 0 and unicodedata.category(text[k]) == "Cf":
        k -= 1
    return text[k] if k >= 0 else " "


def _paragraph_spans(text: str, start: int, end: int, single: bool = False) -> tuple[list[QuotedSpan], int | None]:
    """Closed spans inside one paragraph, and the offset of a quote left open at its end."""
    candidate = _SINGLE_CANDIDATE if single else _CANDIDATE
    spans: list[QuotedSpan] = []
    open_at: int | None = None
    open_len = 1
    unpaired: int | None = None  # a closing mark with nothing open (`He says,” there are ...”`)
    i = start
    while i < end:
        found = candidate.search(text, i)  # straight to the next mark: most characters are none
        if found is None or found.start() >= end:
            break
        i = found.start()
        width = _mark_len(text, i, single)
        if not width or single and _apostrophe(text, i, end, open_at is not None):
            i += 1
            continue
        if _direction(text, i, open_at is not None, width) == "open":
            open_at, open_len = i, width  # a second opener while open: the first one was stray
            unpaired = None
        elif open_at is not None:
            spans.append(QuotedSpan(open_at, i + width, open_len=open_len, close_len=width))
            open_at = None
        elif unpaired is not None:
            spans.append(QuotedSpan(unpaired, i + width, close_len=width))
            unpaired = None
        elif text[i] in CLOSERS:
            unpaired = i
        i += width
    return spans, open_at


def _starts_with_opener(text: str, start: int, end: int, single: bool = False) -> int | None:
    """Offset of the opening mark that begins a paragraph, if it does."""
    i = start
    while i < end and (text[i].isspace() or unicodedata.category(text[i]) == "Cf"):
        i += 1
    width = _mark_len(text, i, single) if i < end else 0
    if width and _direction(text, i, False, width) == "open":
        return i
    return None


def find_quoted_spans(text: str, paragraphs: list[tuple[int, int]], single: bool | None = None) -> list[QuotedSpan]:
    """All quoted spans in document order; a quote left open at a paragraph's end continues
    into the next paragraph when that one opens with a quote mark, else it ends there. The marks
    are single ones when `single` says so, or, left None, when the text's style is
    (`single_quote_style`)."""
    if single is None:
        single = single_quote_style(text)
    paras = _usable_paragraphs(text, paragraphs)
    out: list[QuotedSpan] = []
    carry: int | None = None  # start of a quote still open from earlier paragraphs
    for k, (p_start, p_end) in enumerate(paras):
        spans, open_at = _paragraph_spans(text, p_start, p_end, single)
        if carry is not None:
            opener = _starts_with_opener(text, p_start, p_end, single)
            if spans and spans[0].start == opener:
                spans[0] = QuotedSpan(carry, spans[0].end)
            elif not spans and open_at is not None and open_at == opener:
                open_at = carry
            else:
                out.append(QuotedSpan(carry, _rstrip(text, paras[k - 1][1]), closed=False))
            carry = None
        out.extend(spans)
        if open_at is None:
            continue
        nxt = paras[k + 1] if k + 1 < len(paras) else None
        if nxt is not None and _starts_with_opener(text, *nxt, single) is not None:
            carry = open_at
        else:
            out.append(QuotedSpan(open_at, _rstrip(text, p_end), closed=False))
    if carry is not None:
        out.append(QuotedSpan(carry, _rstrip(text, paras[-1][1]), closed=False))
    return sorted((_with_mark_widths(text, s, single) for s in out if s.end > s.start + 1), key=lambda s: s.start)


def _with_mark_widths(text: str, span: QuotedSpan, single: bool = False) -> QuotedSpan:
    if single:
        return span  # one character each side
    span.open_len = _mark_len(text, span.start) or 1
    if span.closed:
        span.close_len = (
            2 if text.endswith(DOUBLE_APOSTROPHE, span.start, span.end) and span.end - span.start >= 4 else 1
        )
    if span.inner[0] > span.inner[1]:
        span.open_len, span.close_len = 1, 0
    return span


def line_before(text: str, offset: int) -> str:
    """The text from the start of the line holding `offset` up to it."""
    return text[text.rfind("\n", 0, offset) + 1 : offset]


def line_after(text: str, offset: int) -> str:
    """The text from `offset` to the end of its line."""
    end = text.find("\n", offset)
    return text[offset : len(text) if end < 0 else end]


def paragraph_before(text: str, offset: int) -> tuple[int, int]:
    """(start, end) of the last line with words before the line holding `offset`, without its
    trailing blanks; (0, 0) when there is none."""
    end = text.rfind("\n", 0, offset)
    while end > 0 and text[end - 1].isspace():
        end -= 1
    if end <= 0:
        return 0, 0
    return text.rfind("\n", 0, end) + 1, end


def _rstrip(text: str, end: int) -> int:
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end


def _usable_paragraphs(text: str, paragraphs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The given paragraphs when they are sane, else blank-line split of the text."""
    ok = [(a, b) for a, b in paragraphs or [] if 0 <= a <= b <= len(text)]
    if ok and all(ok[i][1] <= ok[i + 1][0] for i in range(len(ok) - 1)):
        return ok
    out, pos = [], 0
    for chunk in text.split("\n\n"):
        out.append((pos, pos + len(chunk)))
        pos += len(chunk) + 2
    return out
