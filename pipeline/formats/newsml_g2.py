"""IPTC NewsML-G2 `newsItem` documents and `newsMessage` envelopes, text items only.

An item's identity is its `guid` and `version` attributes; `itemMeta` says
what it is (`itemClass`), whether it may be used (`pubStatus`, `embargoed`)
and what changed (`signal sig:correction`); `contentMeta` describes it; the
body is in `contentSet` as `inlineXML` (NITF or XHTML) or `inlineData` text.
A message yields one article per text item; its other items (pictures,
video, packages) are passed over.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from pipeline.errors import RejectedInput
from pipeline.formats import bodies, markup, reasons, story_fields
from pipeline.formats.bodies import Rendition
from pipeline.formats.xml_tree import (
    XML_LANG,
    child,
    children,
    code,
    code_value,
    local,
    path,
    text,
)
from pipeline.records import BodySource, RawArticle, Story

ITEM = "newsItem"
MESSAGE = "newsMessage"
TEXT_CLASS = "text"  # ninat:text
#: Items a newsMessage may carry besides news items; none of them is a text article.
OTHER_ITEMS = frozenset({"packageItem", "conceptItem", "knowledgeItem", "planningItem", "catalogItem"})


def is_item(root: Element) -> bool:
    """A G2 item of any kind: a packageItem sent alone is recognised, then refused as not text."""
    return local(root.tag) == ITEM or local(root.tag) in OTHER_ITEMS


def is_message(root: Element) -> bool:
    return local(root.tag) == MESSAGE


def parse_item(root: Element) -> list[RawArticle]:
    """The article of one newsItem; any other item (picture, video, package ...) is `not_text_item`."""
    kind = _kind(root)
    if kind != TEXT_CLASS:
        raise RejectedInput(reasons.NOT_TEXT_ITEM, f"G2 item of class {kind!r}, not text", root.get("guid"))
    return [_article(root)]


def parse_message(root: Element) -> list[RawArticle]:
    """One article per text newsItem of the message's itemSet, in document order."""
    items = [el for el in _item_set(root) if local(el.tag) == ITEM or local(el.tag) in OTHER_ITEMS]
    if not items:
        raise RejectedInput(reasons.NO_ITEMS, "newsMessage without items")
    texts = [el for el in items if _kind(el) == TEXT_CLASS]
    if not texts:
        kinds = sorted({_kind(el) for el in items})
        raise RejectedInput(reasons.NOT_TEXT_ITEM, f"newsMessage has no text item, only {', '.join(kinds)}")
    return [_article(el) for el in texts]


def _item_set(root: Element) -> list[Element]:
    sets = list(children(root, "itemSet"))
    return [el for item_set in sets for el in item_set if isinstance(el.tag, str)]


def _kind(item: Element) -> str:
    """A newsItem's class (`text`, `picture` ...); for any other item, its element name (`packageItem`)."""
    return _item_class(item) if local(item.tag) == ITEM else local(item.tag)


def _item_class(item: Element) -> str:
    """`ninat:text` -> `text`; an item without itemClass is taken as text."""
    return code_value(path(item, "itemMeta", "itemClass")) or TEXT_CLASS


def _article(item: Element) -> RawArticle:
    """A text newsItem as a raw article."""
    guid = item.get("guid")
    if not guid or not guid.strip():
        raise RejectedInput(reasons.INVALID_FIELD, "newsItem without guid")
    guid = guid.strip()
    meta, content = child(item, "itemMeta"), child(item, "contentMeta")
    nitf = _nitf(item)
    language = _language(item, content)
    headline = _headline(item, content, language) or text(path(nitf, "body", "body.head", "hedline", "hl1"))
    story = _story(item, meta, content, nitf, guid, headline)
    body, story.body_source = _body(item, content, headline, story, guid)
    return RawArticle(
        body=body,
        id=guid,
        headline=headline,
        source=text(path(item, "rightsInfo", "copyrightHolder", "name")),
        language=language,
        story=story,
    )


def _headline(item: Element, content: Element | None, language: str | None) -> str | None:
    """The main headline: one without a role or with role `hdl:main`, else the first; in the item's
    language when headlines in several are sent (a headline's xml:lang is inherited from its parents)."""
    headlines = list(children(content, "headline"))
    main = [h for h in headlines if code_value(h, "role") in (None, "main")] or headlines
    if language:
        inherited = (content.get(XML_LANG) if content is not None else None) or item.get(XML_LANG)
        main = [h for h in main if _same_language(h.get(XML_LANG) or inherited, language)] or main
    return next((t for t in map(text, main) if t), None)


def _same_language(tag: str | None, language: str) -> bool:
    """BCP 47 tags name the same language when their primary subtags agree, case aside (`en-GB`, `EN`)."""
    return tag is None or tag.split("-")[0].lower() == language.split("-")[0].lower()


def _language(item: Element, content: Element | None) -> str | None:
    tag = child(content, "language")
    return (tag.get("tag") if tag is not None else None) or item.get(XML_LANG)


def _inline_xml(item: Element) -> list[Element]:
    """The root elements inside the item's inlineXML content in story markup (XHTML, NITF, or untyped XML)."""
    boxes = [
        box for box in children(child(item, "contentSet"), "inlineXML") if bodies.is_story_xml(box.get("contenttype"))
    ]
    return [el for box in boxes for el in box if isinstance(el.tag, str)]


def _nitf(item: Element) -> Element | None:
    return next((el for el in _inline_xml(item) if local(el.tag) == "nitf"), None)


def _renditions(item: Element) -> list[Rendition]:
    """inlineXML (NITF, XHTML: rendered to HTML here) and inlineData bodies of the contentSet.

    inlineData is text (plain, HTML, or NITF escaped or in CDATA) unless it has an
    `encoding` (base64 ...): encoded data is passed over, never enriched as it stands.
    """
    found = [Rendition("html", markup.to_html(el)) for el in _inline_xml(item)]
    for data in children(child(item, "contentSet"), "inlineData"):
        kind = bodies.kind_of(data.get("contenttype"), None)
        encoded = data.get("encoding") or data.get("encodinguri")
        if kind and data.text and not encoded:
            found.append(Rendition(kind, data.text))
    return [r for r in found if _has_text(r)]


def _has_text(rendition: Rendition) -> bool:
    return bool(rendition.value.replace("<div>", "").replace("</div>", "").strip())


def _body(
    item: Element, content: Element | None, headline: str | None, story: Story, guid: str
) -> tuple[str, BodySource]:
    """The body, else the description, else (a headline-only alert) the headline; a withdrawn story may have none."""
    body = bodies.choose(_renditions(item), headline, guid)
    if body is not None:
        return body, "body"
    description = next((t for t in map(text, children(content, "description")) if t), None)
    if description:
        return description, "description"
    if story.withdrawn:
        return "", "none"
    if headline:
        return headline, "headline"
    raise RejectedInput(reasons.NO_BODY, "newsItem without body, description or headline", guid)


def _story(
    item: Element, meta: Element | None, content: Element | None, nitf: Element | None, guid: str, headline: str | None
) -> Story:
    created = text(child(meta, "versionCreated"))
    number, source = story_fields.version(item.get("version"), created, guid)
    signals = [code(s) or "" for s in children(meta, "signal")]
    nitf_head = path(nitf, "body", "body.head")
    return Story(
        version=number,
        version_from=source,
        version_created=story_fields.utc_time(created, "versionCreated", guid),
        first_created=story_fields.utc_time(text(child(meta, "firstCreated")), "firstCreated", guid),
        pubstatus=story_fields.pubstatus(code_value(child(meta, "pubStatus")), guid),
        urgency=story_fields.urgency(text(child(content, "urgency"))),
        slugline=text(child(content, "slugline")),
        byline=text(child(content, "by")) or text(child(nitf_head, "byline")) or _creators(content),
        located=text(path(content, "located", "name")),
        dateline=text(child(content, "dateline")) or text(child(nitf_head, "dateline")),
        subjects=[_subject(el) for el in children(content, "subject")],
        embargoed=story_fields.utc_time(text(child(meta, "embargoed")), "embargoed", guid),
        correction=story_fields.is_correction(signals, text(child(meta, "edNote")), headline),
        format="newsml-g2",
        format_version=item.get("standardversion"),
    )


def _creators(content: Element | None) -> str | None:
    """The creators' names: each one's `name`, else its `literal` (a name from no vocabulary)."""
    names = [t for t in map(_party_name, children(content, "creator")) if t]
    return ", ".join(names) or None


def _party_name(party: Element) -> str | None:
    return text(child(party, "name")) or story_fields.string(party.get("literal"))


def _subject(element: Element) -> dict[str, str]:
    """A subject as the provider coded it: qcode/uri/type/rel and its first name."""
    found = {k: element.get(k) for k in ("qcode", "uri", "type", "rel")}
    found["name"] = text(child(element, "name"))
    return {k: v for k, v in found.items() if v}
