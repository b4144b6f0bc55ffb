"""HTML to plain text with the paragraph structure kept.

Wire bodies sometimes arrive as CMS markup. We keep what a reader would see:
each block element becomes its own paragraph (blank-line separated), `<br>`
becomes a line break, and non-visible content (scripts, styles, templates,
noscript fallbacks) is dropped. Entities are decoded by the parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

#: Elements that start a new paragraph.
BLOCK_TAGS = frozenset(
    "address article aside blockquote caption dd details dialog div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr legend li main nav ol p pre "
    "section summary table tbody thead tfoot tr ul".split()
)
#: Elements whose content is never text a reader sees.
DROPPED_TAGS = ("script", "style", "noscript", "template")
#: Table cells sit side by side; keep a space between them so words do not fuse.
_CELL_TAGS = frozenset({"td", "th"})
_INLINE_TAGS = (
    "a abbr b bdi bdo big br cite code del dfn em font i img ins kbd mark q s samp small span "
    "strike strong sub sup time tt u var wbr body head html meta link title iframe center".split()
)
_KNOWN_TAGS = sorted({*BLOCK_TAGS, *DROPPED_TAGS, *_CELL_TAGS, *_INLINE_TAGS}, key=len, reverse=True)
# A real tag of a known element (so "x < y and y > z" or "<Reuters>" stay plain text),
# a comment, or a doctype.
_HTML_MARKER = re.compile(rf"<(?:!--|!doctype\b|/?(?:{'|'.join(_KNOWN_TAGS)})(?:\s[^<>]*)?/?>)", re.IGNORECASE)
_STRUCTURE_SELECTOR = ", ".join(sorted(BLOCK_TAGS | {"br"}))
# HTML's own whitespace set: NBSP is content, not layout, so it is left for later.
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_SPACE_NO_NEWLINE = re.compile(r"[ \t\r\f]+")

PARAGRAPH_BREAK = "\n\n"
LINE_BREAK = "\n"


@dataclass(frozen=True, slots=True)
class HtmlText:
    """Visible text of a document, plus what the conversion had to do to get it."""

    text: str
    had_script: bool
    #: False when the markup has no block elements or <br>: only inline tags
    #: sprinkled over plain text, whose own line breaks are then the structure.
    structured: bool


def looks_like_html(text: str) -> bool:
    """True when the text holds at least one real HTML tag, comment or doctype."""
    return _HTML_MARKER.search(text) is not None


def html_to_text(markup: str) -> HtmlText:
    """Visible text with blocks separated by a blank line and <br> as a newline."""
    tree = LexborHTMLParser(markup)
    had_script = tree.css_first("script") is not None
    tree.strip_tags(list(DROPPED_TAGS))
    root = tree.body if tree.body is not None else tree.root  # no <body> in a frameset
    if root is None:
        return HtmlText("", had_script, structured=True)
    structured = root.css_first(_STRUCTURE_SELECTOR) is not None
    return HtmlText(_render(root, structured), had_script, structured)


def _render(root: LexborNode, structured: bool) -> str:
    """Walk the tree once, emitting text and the breaks block boundaries imply."""
    space = _HTML_SPACE if structured else _SPACE_NO_NEWLINE
    pieces: list[str] = []
    for node in root.traverse(include_text=True):
        tag = node.tag
        prev = node.prev
        if prev is not None and prev.tag in BLOCK_TAGS:
            pieces.append(PARAGRAPH_BREAK)  # content that follows a closed block
        if tag == "-text":
            pieces.append(space.sub(" ", node.text_content or ""))
        elif tag in BLOCK_TAGS:
            pieces.append(PARAGRAPH_BREAK)
        elif tag == "br":
            pieces.append(LINE_BREAK)
        elif tag in _CELL_TAGS:
            pieces.append(" ")
    return "".join(pieces)


#: Lexbor's tree building turns quadratic on very deep nesting (30k nested <div>s
#: take seconds), so one hostile message could stall a partition. No wire story
#: comes near this many tags.
MAX_HTML_TAGS = 20_000


def too_complex(markup: str) -> bool:
    """True when the markup has more tags than any article needs (a cheap DoS guard)."""
    return markup.count("<") > MAX_HTML_TAGS
