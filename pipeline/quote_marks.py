"""Finding quoted stretches of text from the quote marks alone.

Wire copy mixes curly and straight marks, and a quote that runs over several
paragraphs leaves each paragraph open and reopens the next one, so marks are
paired per paragraph by their context rather than by their shape.
"""

from __future__ import annotations

from dataclasses import dataclass

OPENERS = frozenset("“„«")
CLOSERS = frozenset("”»")
AMBIGUOUS = frozenset('"')
QUOTE_MARKS = OPENERS | CLOSERS | AMBIGUOUS
# Characters after which a mark is an opener ("said: “...", "(“...").
_OPEN_CONTEXT = frozenset(" \t\n([{—–-:/\u00a0")


@dataclass(slots=True)
class QuotedSpan:
    """A stretch between an opening and a closing mark; `start`/`end` include the marks."""

    start: int
    end: int
    closed: bool = True

    @property
    def inner(self) -> tuple[int, int]:
        """Offsets of the words inside the marks."""
        return self.start + 1, (self.end - 1 if self.closed else self.end)


def _direction(text: str, i: int, inside: bool) -> str:
    """'open' or 'close' for the mark at i, judged from its neighbours, then from the state."""
    ch = text[i]
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
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


def _paragraph_spans(text: str, start: int, end: int) -> tuple[list[QuotedSpan], int | None]:
    """Closed spans inside one paragraph, and the offset of a quote left open at its end."""
    spans: list[QuotedSpan] = []
    open_at: int | None = None
    for i in range(start, end):
        if text[i] not in QUOTE_MARKS:
            continue
        if _direction(text, i, open_at is not None) == "open":
            open_at = i  # a second opener while open: the first one was stray
        elif open_at is not None:
            spans.append(QuotedSpan(open_at, i + 1))
            open_at = None
    return spans, open_at


def _starts_with_opener(text: str, start: int, end: int) -> int | None:
    """Offset of the opening mark that begins a paragraph, if it does."""
    i = start
    while i < end and text[i].isspace():
        i += 1
    if i < end and text[i] in QUOTE_MARKS and _direction(text, i, False) == "open":
        return i
    return None


def find_quoted_spans(text: str, paragraphs: list[tuple[int, int]]) -> list[QuotedSpan]:
    """All quoted spans in document order; a quote left open at a paragraph's end continues
    into the next paragraph when that one opens with a quote mark, else it ends there."""
    paras = _usable_paragraphs(text, paragraphs)
    out: list[QuotedSpan] = []
    carry: int | None = None  # start of a quote still open from earlier paragraphs
    for k, (p_start, p_end) in enumerate(paras):
        spans, open_at = _paragraph_spans(text, p_start, p_end)
        if carry is not None:
            opener = _starts_with_opener(text, p_start, p_end)
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
        if nxt is not None and _starts_with_opener(text, *nxt) is not None:
            carry = open_at
        else:
            out.append(QuotedSpan(open_at, _rstrip(text, p_end), closed=False))
    if carry is not None:
        out.append(QuotedSpan(carry, _rstrip(text, paras[-1][1]), closed=False))
    return sorted((s for s in out if s.end > s.start + 1), key=lambda s: s.start)


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
