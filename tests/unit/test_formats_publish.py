"""What `wirestream publish` sends for each kind of file: the value as it is, its key and its content-type."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from pipeline import codec
from pipeline.sources import message_for, read_messages, stdin_values

WIRE = Path(__file__).resolve().parents[1] / "fixtures" / "wire"


def content_type(headers: list[tuple[str, bytes]]) -> str:
    return dict(headers)["content-type"].decode()


def test_plain_json_keeps_todays_key_and_headers() -> None:
    value = orjson.dumps({"id": "a-1", "body": "Text."})
    message = message_for(value)
    assert (message.value, message.key, message.headers) == (value, b"a-1", codec.headers("raw"))


@pytest.mark.parametrize(
    "name, key, media_type",
    [
        ("correction.ninjs.json", b"urn:test:wirestream:tram-ninjs", "application/json"),
        ("kill.xml", b"urn:test:wirestream:ferry", "application/vnd.iptc.g2.newsitem+xml"),
        ("message-two-stories.xml", b"urn:test:wirestream:ferry", "application/vnd.iptc.g2.newsmessage+xml"),
        ("picture-item.xml", b"urn:test:wirestream:photo-ferry", "application/xml"),
        ("malformed.xml", None, "application/xml"),
    ],
)
def test_wire_files_go_as_they_are_keyed_by_story_id(name: str, key: bytes | None, media_type: str) -> None:
    (message,) = read_messages([str(WIRE / name)])
    sent_as_is = (WIRE / name).read_bytes()
    assert message.value == (sent_as_is if name.endswith(".xml") else sent_as_is.strip())
    assert (message.key, content_type(message.headers)) == (key, media_type)


def test_folders_include_xml_files() -> None:
    names = {m.key for m in read_messages([str(WIRE)])}
    assert b"urn:test:wirestream:bridge" in names and b"urn:test:wirestream:tram-ninjs" in names


def test_stdin_takes_one_document_or_json_lines() -> None:
    xml = (WIRE / "kill.xml").read_bytes()
    pretty = (WIRE / "correction.ninjs.json").read_bytes()
    assert list(stdin_values(xml)) == [xml]
    assert [orjson.loads(v) for v in stdin_values(pretty)] == [orjson.loads(pretty)]
    lines = b'{"id": "a", "body": "One."}\n{"id": "b", "body": "Two."}\n'
    assert [orjson.loads(v)["id"] for v in stdin_values(lines)] == ["a", "b"]
