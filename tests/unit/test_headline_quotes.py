"""Headlines: read as the sentence they stand for, and who said what in them."""

from __future__ import annotations

import orjson
import pytest

from pipeline import codec
from pipeline.config import Settings
from pipeline.nlp import doc_from_bytes, doc_to_bytes, model_for, parse_headlines
from pipeline.nlp.headlines import common_words, is_common_word, sentence_casing
from pipeline.records import EnrichedRecord
from pipeline.runner import enrich
from pipeline.stages import Message, ParsedArticle, entities_stage, quotes_one
from pipeline.story_versions import quote_records
from pipeline.validation import schema_error

BODY = (
    "Mayor Lena Okafor said on Tuesday that the harbour bridge will reopen in May after repairs.\n\n"
    "\u201cWe owe the ferry crews our thanks,\u201d Okafor told reporters.\n\n"
    "A council engineer, Tom Reyes, said the work was on schedule."
)


@pytest.fixture(scope="module")
def nlp():
    return model_for(Settings())


def enriched(headline: str, body: str = BODY) -> EnrichedRecord:
    [record] = enrich([orjson.dumps({"id": "h1", "headline": headline, "body": body})], Settings())
    assert isinstance(record, EnrichedRecord), record
    return record


# ── casing ───────────────────────────────────────────────────────────────────


def test_title_case_takes_the_bodys_casing_and_lowercases_english_words(nlp) -> None:
    common = common_words(nlp)
    assert len(common) > 10_000  # the model's lexicon is there: no download, no list of our own
    cased = sentence_casing("Okafor Says Harbour Bridge Will Reopen Before Summer", BODY, common)
    # "says", "bridge", "will", "reopen" come from the body; "before"/"summer" from the lexicon
    assert cased == "Okafor says harbour bridge will reopen before summer"


def test_a_name_the_body_capitalises_stays_a_name(nlp) -> None:
    cased = sentence_casing("Council Engineer Reyes Backs Mayor Okafor On Bridge", BODY, common_words(nlp))
    assert "Reyes" in cased and "Okafor" in cased
    assert " backs " in cased and " bridge" in cased


def test_a_shouted_headline_is_cased_too(nlp) -> None:
    cased = sentence_casing("OKAFOR SAYS BRIDGE WILL REOPEN IN MAY", BODY, common_words(nlp))
    assert cased == "Okafor says bridge will reopen in May"


def test_a_sentence_case_headline_is_left_as_written(nlp) -> None:
    head = "Okafor says the Harbour Bridge will reopen in May"
    assert sentence_casing(head, BODY, common_words(nlp)) == head


def test_casing_never_moves_an_offset(nlp) -> None:
    for head in ("İstanbul Mayor Says Straße Will Reopen", "Ödön Vámos Says Élysée Talks Will Resume", ""):
        assert len(sentence_casing(head, BODY, common_words(nlp))) == len(head)


def test_inflected_forms_are_english_words(nlp) -> None:
    common = common_words(nlp)
    assert all(is_common_word(w, common) for w in ("Slams", "Urging", "Praised", "Tells", "Reopens"))
    assert not is_common_word("Okafor", common)


def test_the_parsed_headline_keeps_its_own_words_and_a_verb_where_title_case_hid_it(nlp) -> None:
    head = "Okafor Says Harbour Bridge Will Reopen In May"
    [doc] = parse_headlines(nlp, [(head, BODY)])
    again = doc_from_bytes(nlp, doc_to_bytes(doc))
    assert again.text == head
    says = next(t for t in again if t.text == "Says")
    assert says.pos_ == "VERB" and says.lemma_ == "say"


def test_a_headline_longer_than_the_model_takes_is_left_unparsed(nlp) -> None:
    head = "Okafor says " * (nlp.max_length // 10)
    [doc] = parse_headlines(nlp, [(head, BODY)])
    assert len(doc) == 0


# ── attribution ──────────────────────────────────────────────────────────────


def test_a_headline_report_is_a_headline_quote_with_the_bodys_speaker_id() -> None:
    record = enriched("Mayor Okafor Says Harbour Bridge Will Reopen In May")
    [quote] = record.headline_quotes
    assert quote.type == "indirect" and quote.text == "Harbour Bridge Will Reopen In May"
    assert record.headline[quote.start : quote.end] == quote.text  # offsets index the headline
    assert quote.cue == "Says" and quote.speaker.name and "Okafor" in quote.speaker.name
    body_ids = {q.speaker.id for q in record.quotes if q.speaker.name and "Okafor" in q.speaker.name}
    assert body_ids == {quote.speaker.id}
    assert quote.speaker.name == "Lena Okafor"  # the body's full name, though the headline says "Mayor Okafor"
    assert 0 < quote.confidence < 1 and 0 < quote.speaker.confidence < 1


def test_a_speaker_only_the_headline_names_gets_an_id_of_their_own() -> None:
    record = enriched("Harbour Pilots Say Bridge Repairs Will Slow Shipping")
    [quote] = record.headline_quotes
    assert quote.text == "Bridge Repairs Will Slow Shipping"
    assert quote.speaker.id not in {q.speaker.id for q in record.quotes}


def test_a_report_after_its_speaker_reads_the_same() -> None:
    record = enriched("Bridge will reopen in May, mayor says")
    [quote] = record.headline_quotes
    assert quote.text == "Bridge will reopen in May" and quote.speaker.mention == "mayor"


def test_a_headline_without_a_report_has_no_quotes() -> None:
    assert enriched("Harbour Bridge To Reopen In May After Repairs").headline_quotes == []
    assert enriched("").headline_quotes == []


def test_the_record_with_headline_quotes_meets_the_schema() -> None:
    record = enriched("Mayor Okafor Says Harbour Bridge Will Reopen In May")
    assert record.headline_quotes
    assert schema_error("enriched", orjson.loads(codec.dumps(record))) is None


def test_headline_quotes_follow_the_bodys_on_the_quote_topic() -> None:
    record = enriched("Mayor Okafor Says Harbour Bridge Will Reopen In May")
    records = quote_records(record)
    assert [r.part for r in records] == ["body"] * len(record.quotes) + ["headline"]
    assert records[-1].n == len(record.quotes) and records[-1].text == "Harbour Bridge Will Reopen In May"
    for r in records:
        assert schema_error("quote", orjson.loads(orjson.dumps(r))) is None


def test_a_parsed_record_from_before_headline_parses_still_gives_its_body_quotes() -> None:
    """Records already on articles.parsed when the worker is upgraded carry no headline parse."""
    from pipeline.stages import clean_message

    [clean] = clean_message(
        Message(orjson.dumps({"id": "h2", "headline": "Okafor Says Bridge Will Reopen", "body": BODY})), Settings()
    )
    [[parsed]] = list(entities_stage([Message(clean.to_json())], Settings()))
    assert isinstance(parsed, ParsedArticle) and parsed.headline_doc_bytes
    old = orjson.loads(parsed.to_json())
    del old["headline_doc"]
    before = ParsedArticle.from_json(orjson.dumps(old))
    record = quotes_one(model_for(Settings()), before)
    assert isinstance(record, EnrichedRecord)
    assert record.quotes and record.headline_quotes == []
    assert quotes_one(model_for(Settings()), parsed).headline_quotes  # type: ignore[union-attr]


# ── headlinese ───────────────────────────────────────────────────────────────


def test_a_present_tense_report_the_model_reads_as_a_noun_is_read_as_the_verb(nlp) -> None:
    """Headlines tell past events in the present; `thanks` after a subject is the verb."""
    head = "Okafor thanks ferry crews"
    [doc] = parse_headlines(nlp, [(head, BODY)])
    assert doc.text == head
    thanks = doc[1]
    assert (thanks.text, thanks.pos_, thanks.tag_, thanks.lemma_) == ("thanks", "VERB", "VBZ", "thank")
    [quote] = enriched(head).headline_quotes
    assert (quote.type, quote.text, quote.cue, quote.speaker.mention) == ("indirect", "ferry crews", "thanks", "Okafor")


def test_a_plural_subjects_present_tense_report_is_read_as_the_verb() -> None:
    [quote] = enriched("Ferry crews mock plan to close harbour at night").headline_quotes
    assert (quote.type, quote.text, quote.speaker.mention) == (
        "indirect",
        "plan to close harbour at night",
        "Ferry crews",
    )


def test_a_noun_compound_or_a_closing_plural_is_no_present_tense_report() -> None:
    assert enriched("Jobs report gives ferry crews a lift").headline_quotes == []
    assert enriched("Bridge repairs run late in three states").headline_quotes == []


def test_a_one_word_report_is_a_report_in_a_headline_only() -> None:
    """Headlines drop all but the report's head; the body's two-word minimum does not apply."""
    [quote] = enriched("Okafor vows change; ").headline_quotes
    assert (quote.type, quote.text, quote.cue, quote.speaker.mention) == ("indirect", "change", "vows", "Okafor")
    [quote] = enriched("Okafor thanks engineers").headline_quotes
    assert (quote.text, quote.speaker.mention) == ("engineers", "Okafor")
    body = "Mayor Lena Okafor thanks engineers.\n\nThe bridge will reopen in May, she said."
    assert [q.text for q in enriched("Bridge to reopen", body).quotes] == ["The bridge will reopen in May"]


def test_a_second_present_tense_verb_after_and_or_a_comma_is_the_subjects_report() -> None:
    """`Mayor opens bridge, thanks crews`: headlines join a subject's verbs with "and" or a comma."""
    for head, said in (
        ("Okafor visits bridge and thanks engineers", "engineers"),
        ("Okafor opens bridge, thanks crews", "crews"),
    ):
        [quote] = enriched(head).headline_quotes
        assert (quote.type, quote.text, quote.cue, quote.speaker.mention) == ("indirect", said, "thanks", "Okafor")


def test_a_headlines_single_marks_stay_headline_style_over_a_single_quoted_body() -> None:
    body = "Mayor Lena Okafor said the bridge would reopen in May. 'We owe the crews our thanks,' she said."
    record = enriched("Okafor says 'bridge will reopen in May'", body)
    assert [q.type for q in record.quotes] == ["indirect", "direct"]  # the body's marks are speech marks
    assert record.headline_quotes and all(q.type == "indirect" for q in record.headline_quotes)
