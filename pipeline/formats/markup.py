"""NITF and XHTML bodies (already parsed as XML) to HTML the cleaning stage reads.

Cleaning owns HTML-to-text; here the XML vocabularies are only mapped onto HTML
elements so paragraph structure survives: NITF `hl2` becomes a heading, `bq` a
blockquote, and what is not story prose (media, figures, NITF's `body.head`
and `body.end`) is left out. Inline markup (NITF `person`, `org`, XHTML `a`,
`em` ...) keeps only its text. Text is escaped, so what comes out is markup
only where the document had structure.
"""

from __future__ import annotations

import html
from xml.etree.ElementTree import Element

from pipeline.formats.xml_tree import child, local

_SAME_IN_HTML = (
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "div",
    "section",
    "article",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "td",
    "th",
    "caption",
)
#: XML element (NITF or XHTML local name) -> the HTML block element it becomes.
BLOCKS = {
    **{name: name for name in _SAME_IN_HTML},
    "hl1": "h1",
    "hl2": "h2",
    "block": "div",
    "bq": "blockquote",
    "fn": "p",
    "credit": "p",
    "body.content": "div",
    "nitf-table": "div",
}
#: Elements whose content is not story prose.
DROPPED = frozenset(
    {
        "media",
        "figure",
        "img",
        "object",
        "embed",
        "iframe",
        "script",
        "style",
        "head",
        "title",
        "meta",
        "link",
        "body.head",
        "body.end",
        "nitf-table-metadata",
    }
)


def to_html(root: Element) -> str:
    """HTML for an NITF document, its `body`, or an XHTML fragment, wrapped in one <div>."""
    body = _story_body(root)
    return "<div>" + "".join(_render(el) for el in _content_of(body)) + _escaped(body.text) + "</div>"


def _story_body(root: Element) -> Element:
    """The element holding the story: NITF `body.content`, XHTML `body`, else the root."""
    if local(root.tag) == "nitf":
        root = _or(child(root, "body"), root)
    if local(root.tag) == "html":
        return _or(child(root, "body"), root)
    if local(root.tag) == "body":
        return _or(child(root, "body.content"), root)
    return root


def _or(found: Element | None, default: Element) -> Element:
    """`found or default` without Element's truth value (False for an element without children)."""
    return default if found is None else found


def _content_of(element: Element) -> list[Element]:
    return [el for el in element if isinstance(el.tag, str)]


def _render(element: Element) -> str:
    """One element and its tail as HTML text."""
    name = local(element.tag)
    tail = _escaped(element.tail)
    if name in DROPPED:
        return tail
    if name == "br":
        return "<br>" + tail
    inner = _escaped(element.text) + "".join(_render(el) for el in _content_of(element))
    tag = BLOCKS.get(name)
    return (f"<{tag}>{inner}</{tag}>" if tag else inner) + tail


def _escaped(text: str | None) -> str:
    return html.escape(text, quote=False) if text else ""
