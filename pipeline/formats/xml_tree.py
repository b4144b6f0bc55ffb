"""Namespace-blind reading of XML element trees.

Wire XML arrives with default namespaces that vary by standard version (and
NITF inside NewsML-G2 carries its own), so elements are matched by local name.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def local(tag: object) -> str:
    """`{namespace}name` -> `name`; comments and processing instructions have no name."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def children(parent: Element | None, name: str) -> Iterator[Element]:
    """Direct children with this local name."""
    if parent is None:
        return iter(())
    return (el for el in parent if local(el.tag) == name)


def child(parent: Element | None, name: str) -> Element | None:
    """The first direct child with this local name, or None."""
    return next(children(parent, name), None)


def path(parent: Element | None, *names: str) -> Element | None:
    """The element reached by following first children with these local names."""
    for name in names:
        parent = child(parent, name)
    return parent


def text(element: Element | None) -> str | None:
    """All text inside an element, whitespace collapsed; None when there is none."""
    if element is None:
        return None
    joined = " ".join("".join(element.itertext()).split())
    return joined or None


def code(element: Element | None) -> str | None:
    """An element's qcode, else its uri: how NewsML-G2 names a concept."""
    if element is None:
        return None
    return element.get("qcode") or element.get("uri")


def code_value(element: Element | None, attribute: str = "qcode") -> str | None:
    """The code of the concept an attribute names, its scheme aside: `stat:usable` -> `usable`.

    NewsML-G2's QCodeType is alias ":" code, the alias without a colon and the code
    possibly with one, so the alias ends at the first colon; a value without one is
    taken whole. Without the attribute, its URI sibling (`uri` for `qcode`, `roleuri`
    for `role` ...) gives the code as its last path segment (`.../pubstatusg2/usable`).
    Codes are compared as written: QCodes and URIs are identifiers.
    """
    if element is None:
        return None
    qcode = element.get(attribute)
    if qcode and "://" not in qcode:
        _alias, colon, value = qcode.partition(":")
        return (value if colon else qcode) or None
    uri = qcode or element.get(_uri_sibling(attribute))  # a URI where a QCode belongs is read as one
    return (uri.rstrip("/").rpartition("/")[2] or None) if uri else None


def _uri_sibling(attribute: str) -> str:
    """The attribute naming the same concept by URI (NewsML-G2 2.10, CR00147): `qcode` -> `uri`, `role` -> `roleuri`."""
    return "uri" if attribute == "qcode" else attribute + "uri"
