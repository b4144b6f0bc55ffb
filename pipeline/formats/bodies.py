"""Choosing the body of a wire item among the renditions it carries.

Agencies send one story as plain text, HTML/XHTML and sometimes NITF side by
side. Markup keeps the paragraphs (plain text bodies are often one long line),
so HTML is preferred, then NITF, then plain text, among the renditions that
hold the whole story (a teaser sent beside it is much shorter); renditions we
cannot read (an agency's private XML, NITF that is not well-formed) are passed
over, and an item is refused only when none is left. Wire HTML is often a page rather
than a story: figures (captions, photo credits) and a heading repeating the
headline are taken out, so they are not enriched as story prose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from selectolax.lexbor import LexborHTMLParser

from pipeline.errors import RejectedInput
from pipeline.formats import documents, markup

BodyKind = Literal["html", "nitf", "text"]
PREFERENCE: tuple[BodyKind, ...] = ("html", "nitf", "text")
#: A rendition with less text than this share of the longest one is not the full story.
FULL_SHARE = 0.5

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_NITF_TYPES = frozenset({"application/nitf+xml", "text/vnd.iptc.nitf+xml"})
_TEXT_TYPES = frozenset({"text/plain", ""})
_GENERIC_XML_TYPES = frozenset({"application/xml", "text/xml", ""})


@dataclass(frozen=True, slots=True)
class Rendition:
    """One body as the item carries it."""

    kind: BodyKind
    value: str


def kind_of(content_type: str | None, role: str | None) -> BodyKind | None:
    """What a rendition is, from its media type, else its role name (`body_xhtml`, role "html")."""
    media = _media(content_type)
    name = (role or "").lower()
    if media in _HTML_TYPES or (not media and "html" in name):
        return "html"
    if media in _NITF_TYPES or (not media and "nitf" in name):
        return "nitf"
    if media in _TEXT_TYPES:
        return "text"
    return None


def is_story_xml(content_type: str | None) -> bool:
    """Whether XML with this media type may be the story: XHTML, NITF, or a type that names no vocabulary.

    XML beside the story can be any vocabulary (SportsML, XBRL, an agency's own); its text is not prose.
    """
    media = _media(content_type)
    return media in _GENERIC_XML_TYPES or kind_of(media, None) in ("html", "nitf")


def _media(content_type: str | None) -> str:
    """`Text/HTML; charset=utf-8` -> `text/html`."""
    return (content_type or "").split(";")[0].strip().lower()


def choose(renditions: list[Rendition], headline: str | None, article_id: str | None) -> str | None:
    """The body to enrich, from the best rendition that can be read; None when the item carries none.

    One broken rendition (NITF a feed did not escape) must not cost a story sent in
    other markups too; when every rendition is broken the item is refused for the first fault.
    """
    readable: list[Rendition] = []
    faults: list[tuple[BodyKind, RejectedInput]] = []
    for rendition in (r for r in renditions if r.value.strip()):
        try:
            readable.append(_rendered(rendition))
        except RejectedInput as unreadable:
            faults.append((rendition.kind, unreadable))
    chosen = _best(readable)
    if chosen is not None:
        return _as_body(chosen, headline)
    if faults:
        kind, first = faults[0]
        raise RejectedInput(first.reason, f"no readable body: {kind} rendition: {first}", article_id)
    return None


def _rendered(rendition: Rendition) -> Rendition:
    """NITF parsed safely and rendered as HTML, once, so a broken one is known before choosing; others as sent."""
    if rendition.kind != "nitf":
        return rendition
    return Rendition("nitf", markup.to_html(documents.read_xml(rendition.value)))


def _best(renditions: list[Rendition]) -> Rendition | None:
    """The rendition to enrich: the most structured kind among the full ones (not a teaser)."""
    full = _full_length(renditions)
    for kind in PREFERENCE:
        for rendition in full:
            if rendition.kind == kind:
                return rendition
    return None


def _full_length(renditions: list[Rendition]) -> list[Rendition]:
    """The renditions that carry the whole story: none has under FULL_SHARE of the longest one's text.

    Alternatives of one story are about as long in any markup; one much shorter is a
    teaser or summary the agency sent beside it (in XHTML as often as in plain text).
    """
    if len(renditions) < 2:
        return renditions
    lengths = [_text_length(r) for r in renditions]
    return [r for r, n in zip(renditions, lengths, strict=True) if n >= FULL_SHARE * max(lengths)]


def _text_length(rendition: Rendition) -> int:
    """How much text a rendition holds, markup aside."""
    value = rendition.value if rendition.kind == "text" else LexborHTMLParser(rendition.value).text()
    return len("".join(value.split()))


def _as_body(rendition: Rendition, headline: str | None) -> str:
    """A rendered rendition as a body cleaning reads: plain text, or HTML without its furniture."""
    if rendition.kind == "text":
        return rendition.value
    return without_furniture(rendition.value, headline)


def without_furniture(html: str, headline: str | None) -> str:
    """HTML without its figures and without a first heading that repeats the headline; else unchanged."""
    tree = LexborHTMLParser(html)
    figures = tree.css("figure")
    heading = tree.css_first("h1, h2")
    repeats = heading is not None and bool(headline) and _same_words(heading.text(), headline or "")
    if not figures and not repeats:
        return html
    for node in figures:
        node.decompose()
    if repeats and heading is not None:
        heading.decompose()
    return tree.html or ""


def _same_words(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
