"""Where a reported clause starts and stops: paragraph breaks end sentences, and the writer's
aside after a comma (`, which ...`, `, though ...`) is not part of the report. Sentences written
for the project."""

from __future__ import annotations

import pytest

from pipeline.nlp.model import PARAGRAPH_PIPE, load_model
from tests.unit.test_quote_classes import MODEL, run


@pytest.fixture(scope="module")
def nlp():
    return load_model(MODEL)


# ── paragraph breaks ─────────────────────────────────────────────────────────


def test_the_model_starts_a_sentence_at_every_paragraph_break(nlp):
    body = "The jet was cleared to fly again, according to the aviation agency.\n\nMost owners keep one plane."
    assert PARAGRAPH_PIPE in nlp.pipe_names
    assert [s.text.strip() for s in nlp(body).sents] == [
        "The jet was cleared to fly again, according to the aviation agency.",
        "Most owners keep one plane.",
    ]


def test_according_to_at_a_paragraph_end_reports_its_own_paragraph(nlp):
    body = "The jet was cleared to fly again, according to the aviation agency.\n\nMost owners keep one plane."
    [q] = run(nlp, body)
    assert (q.type, q.text, q.cue) == ("indirect", "The jet was cleared to fly again", "according to")
    assert q.speaker.mention == "the aviation agency"


# ── the writer's aside ───────────────────────────────────────────────────────


def test_non_restrictive_relative_clause_after_the_report_is_the_writers(nlp):
    body = "The governor said the budget would pass next week, which surprised few people in the capital."
    [q] = run(nlp, body)
    assert (q.type, q.text) == ("indirect", "the budget would pass next week")


def test_concessive_clause_after_the_report_is_the_writers(nlp):
    body = "Senator Ruth Alvarez said she would vote for the harbour bill, though her own party opposes it."
    [q] = run(nlp, body)
    assert (q.type, q.text) == ("indirect", "she would vote for the harbour bill")


@pytest.mark.parametrize(
    "body",
    [
        "The governor said the budget would pass next week, a forecast few in the capital share.",
        "The governor said the budget would pass next week — a forecast few in the capital share.",
        "The governor said the budget would pass next week - a forecast few in the capital share.",
    ],
)
def test_a_sentence_appositive_after_the_report_is_the_writers(nlp, body):
    [q] = run(nlp, body)
    assert (q.type, q.text) == ("indirect", "the budget would pass next week")


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (
            "The mayor said she would not back the toll, as have most members of the council.",
            "she would not back the toll",
        ),
        (
            "The council said it would publish its accounts, as is customary before an election.",
            "it would publish its accounts",
        ),
    ],
)
def test_an_as_clause_with_no_subject_before_its_verb_is_the_writers(nlp, body, text):
    [q] = run(nlp, body)
    assert (q.type, q.text) == ("indirect", text)


def test_a_list_of_noun_phrases_is_no_appositive(nlp):
    [q] = run(nlp, "The minister announced a new ferry for the island, a second bridge and a bus line.")
    assert q.text == "a new ferry for the island, a second bridge and a bus line"


def test_relative_clause_inside_the_report_stays(nlp):
    body = "The mayor said the bridge, which opened in 1932, needs new cables."
    [q] = run(nlp, body)
    assert q.text == "the bridge, which opened in 1932, needs new cables"


def test_a_noun_phrase_report_drops_the_aside_too(nlp):
    body = "The union criticized the new shift rules, which the company introduced in March."
    [q] = run(nlp, body)
    assert (q.type, q.text) == ("indirect", "the new shift rules")


# ── what it was about ────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("Governor Lena Park talked about the border on Tuesday.", "the border"),
        ("The mayor was asked about the strike.", "the strike"),
        (
            "Okafor, the union leader, spoke about how the contract would be enforced.",
            "how the contract would be enforced",
        ),
    ],
)
def test_what_a_verb_of_saying_was_about_is_its_report(nlp, body, text):
    [q] = run(nlp, body)
    assert (q.type, q.text) == ("indirect", text)


def test_a_topic_report_keeps_the_speaker_the_parse_gives(nlp):
    body = "Governor Lena Park talked about the border on Tuesday."
    [q] = run(nlp, body)
    assert q.speaker.name == "Lena Park"


def test_about_on_a_verb_that_reports_nothing_is_no_report(nlp):
    assert run(nlp, "The mayor worried about the strike.") == []


# ── nouns of saying ──────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("body", "text", "mention"),
    [
        (
            "Voters remembered Governor Park's claim that the tunnel would pay for itself.",
            "that the tunnel would pay for itself",
            "Governor Park's",
        ),
        ("The union's call for a shorter working week drew wide support.", "a shorter working week", "The union's"),
        ("Critics seized on his promise to cut fares by half.", "to cut fares by half", "his"),
    ],
)
def test_a_noun_of_saying_reports_its_clause(nlp, body, text, mention):
    [q] = run(nlp, body)
    assert (q.type, q.text, q.speaker.mention) == ("indirect", text, mention)


def test_a_noun_of_saying_with_quoted_words_is_a_mixed_quote(nlp):
    body = 'Ruiz stood by her claim that the audit was "a whitewash from start to finish."'
    [q] = run(nlp, body)
    assert q.type == "mixed" and q.text.startswith("that the audit was")


def test_a_relative_clause_on_the_noun_is_no_report(nlp):
    assert run(nlp, "The claim that he made on Monday was checked by reporters.") == []


# ── a cue set off inside the sentence its quote finishes ────────────────────


def test_writers_words_before_a_cue_set_off_by_commas_open_the_quote(nlp):
    body = 'The bridge, Mayor Ana Ruiz said, "will open in May."'
    [q] = run(nlp, body)
    assert (q.type, q.cue) == ("mixed", "said") and "Ana Ruiz" in q.speaker.name
    assert [body[s:e] for s, e in q.parts] == ["The bridge", "will open in May."]


def test_a_fragment_under_a_non_finite_verb_is_reported_by_the_frame_above_it(nlp):
    body = 'The mayor waved off the delay as having "minimal" impact on commuters.'
    [q] = run(nlp, body)
    assert (q.type, q.speaker.mention) == ("mixed", "The mayor")
    assert '"minimal" impact' in q.text


def test_a_fragment_whose_frame_has_no_speaker_is_no_quote(nlp):
    assert run(nlp, 'The bridge kept having "minor" faults all winter.') == []


@pytest.mark.parametrize(
    "report",
    [
        "the visitor didn't linger but left as soon as the doors opened",
        "the driver never stopped but drove straight through the gate",
    ],
)
def test_a_subjectless_conjunct_without_that_shares_the_reports_subject(nlp, report):
    [q] = run(nlp, f"The guard said {report}.")
    assert q.text == report


def test_a_subjectless_conjunct_after_that_belongs_to_the_reporting_clause(nlp):
    body = "A fighter confirmed that there were talks in the city but had little hope they would succeed."
    [q] = run(nlp, body)
    assert q.text == "that there were talks in the city"


# ── the source is not the report running on ─────────────────────────────────


def test_the_sources_own_words_after_a_quote_do_not_run_the_report_on(nlp):
    """The parse hangs the speaker's name and appositive inside the reported clause (as the
    model does for `"..., I support X," Name III, founder of Y, tells Z`): they are not words
    of the report going on past the closing mark."""
    from spacy.tokens import Doc

    from pipeline.quotes.cues import Cue
    from pipeline.quotes.direct import _clause_runs_on
    from pipeline.quotes.marks import QuotedSpan

    words = ["“", "Yes", ",", "I", "support", "Cruz", ",", "”", "Jo", "Roe", ",", "founder", "of", "Acme"]
    words += [",", "tells", "reporters", "."]
    heads = [15, 4, 4, 4, 15, 4, 5, 5, 9, 5, 9, 9, 11, 12, 9, 15, 15, 15]
    deps = ["punct", "intj", "punct", "nsubj", "ccomp", "dobj", "punct", "punct", "compound", "appos"]
    deps += ["punct", "appos", "prep", "pobj", "punct", "ROOT", "dobj", "punct"]
    spaces = [False, False, True, True, True, False, False, True, True, False, True, True, True, False, True, True]
    spaces += [False, False]
    doc = Doc(nlp.vocab, words=words, spaces=spaces, heads=heads, deps=deps)
    verb, roe = doc[15], doc[9]
    content = list(doc[4].subtree)
    span = QuotedSpan(doc[0].idx, doc[7].idx + 1)
    assert doc.text[span.start : span.end] == "“Yes, I support Cruz,”"
    assert not _clause_runs_on(span, Cue(verb, verb.idx, verb.idx + 5, roe, content))
    assert _clause_runs_on(span, Cue(verb, verb.idx, verb.idx + 5, None, content))  # without the source it would


# ── "call": a verb of saying in some senses only ─────────────────────────────


@pytest.mark.parametrize(
    "body",
    [
        "The mayor called the governor on Tuesday night.",
        "She leads a small group called Parents First.",
        "The plan, which is called Fair Start, was dropped in the spring.",
    ],
)
def test_call_without_what_was_called_reports_nothing(nlp, body):
    assert run(nlp, body) == []


@pytest.mark.parametrize(
    ("body", "report"),
    [
        (
            "The councillor called the budget a betrayal of the harbour towns.",
            "the budget a betrayal of the harbour towns",
        ),
        ("The teachers called for a recount of the ballots.", "a recount of the ballots"),
    ],
)
def test_call_with_what_was_called_or_asked_for_reports_it(nlp, body, report):
    [q] = run(nlp, body)
    assert (q.type, q.text) == ("indirect", report)


def test_a_second_predicate_hung_on_the_object_ends_the_object_report(nlp):
    # the parse makes the second "called" a conjunct of "shameful"
    body = 'He called it "shameful" and called on voters "not to give in to that fear."'
    first, second = run(nlp, body)
    assert (first.type, first.text) == ("mixed", 'it "shameful"')
    assert second.text == "not to give in to that fear."


def test_concluded_that_reports_its_clause(nlp):
    body = "The review board concluded that the bridge had been built too low for the river."
    [q] = run(nlp, body)
    assert (q.type, q.text, q.cue) == ("indirect", "that the bridge had been built too low for the river", "concluded")


def test_concluded_alone_only_hands_on_a_quote(nlp):
    body = '"We will rebuild it by spring," the mayor concluded.'
    [q] = run(nlp, body)
    assert (q.type, q.text, q.cue) == ("direct", "We will rebuild it by spring,", "concluded")


@pytest.mark.parametrize(
    ("body", "report"),
    [
        ("The river rises every spring; the mayor said the town needs a new wall.", "the town needs a new wall"),
        (
            "In the hall - it seats three hundred people - Jo Roe said the meeting would start late.",
            "the meeting would start late",
        ),
    ],
)
def test_of_two_clauses_on_the_cue_the_one_right_after_it_is_the_report(nlp, body, report):
    # the parse hangs the writer's clause before the cue on the cue as a second complement
    [q] = run(nlp, body)
    assert (q.type, q.text) == ("indirect", report)


@pytest.mark.parametrize(
    ("body", "report"),
    [
        # the parse calls the clause an xcomp of "said"
        (
            "Ana Ruiz said seeing so many police officers at the fair was a relief.",
            "seeing so many police officers at the fair was a relief",
        ),
        # ... or the object of "say"
        (
            "Aides say the more votes he takes into the hall, the more leverage he should have.",
            "the more votes he takes into the hall, the more leverage he should have",
        ),
    ],
)
def test_a_clause_the_parse_mislabels_under_say_is_still_the_report(nlp, body, report):
    [q] = run(nlp, body)
    assert (q.type, q.text) == ("indirect", report)


@pytest.mark.parametrize("body", ["Jo Roe said a prayer for the mayor.", "He is said to be ill."])
def test_say_with_a_plain_object_or_a_passive_reports_no_clause(nlp, body):
    assert run(nlp, body) == []


@pytest.mark.parametrize(
    "body",
    [
        "The bridge opened late. That said, few people in the town are unhappy with it.",
        "Sales fell in March. That said, the company expects a better summer.",
    ],
)
def test_that_said_opening_a_sentence_is_the_writers_connective(nlp, body):
    assert run(nlp, body) == []


def test_a_report_after_that_said_keeps_its_own_source(nlp):
    body = "The bridge opened late. That said, the mayor said the town is pleased."
    [q] = run(nlp, body)
    assert (q.text, q.cue, q.speaker.mention) == ("the town is pleased", "said", "the mayor")


def test_a_noun_the_parse_conjoins_to_the_verb_goes_on_with_its_object(nlp):
    body = (
        'The union chief called the governor "the worst choice in a decade" and someone who had '
        '"betrayed the workers of this state" by signing the law.'
    )
    [q] = run(nlp, body)
    assert q.type == "mixed"
    assert q.text.startswith('the governor "the worst choice') and '"betrayed the workers of this state"' in q.text


@pytest.mark.parametrize(
    ("body", "report"),
    [
        ("The mayor urged voters to stay home during the storm.", "voters to stay home during the storm"),
        ("The union called on the board to resign.", "the board to resign"),
    ],
)
def test_the_one_asked_is_part_of_an_infinitive_report(nlp, body, report):
    [q] = run(nlp, body)
    assert (q.type, q.text) == ("indirect", report)


def test_the_one_asked_in_quote_marks_is_part_of_the_report(nlp):
    body = "Ms. Ortega asked the “volunteers” to stay at the hall until the count was finished."
    [q] = run(nlp, body)
    assert (q.type, q.text) == ("mixed", "the “volunteers” to stay at the hall until the count was finished")


# ── coordinated reports ──────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (
            "The economist said that base wages would fall over time, but that overtime pay would offset the loss.",
            "that base wages would fall over time, but that overtime pay would offset the loss",
        ),
        (
            "Marta Ruiz said a swap involved hard trade-offs but that the mayor should have insisted on more.",
            "a swap involved hard trade-offs but that the mayor should have insisted on more",
        ),
    ],
)
def test_a_second_that_clause_after_but_is_the_same_report(nlp, body, text):
    [q] = run(nlp, body)
    assert (q.type, q.text) == ("indirect", text)


def test_a_past_conjunct_of_a_present_report_is_the_sources_next_act(nlp):
    body = "The senator said she admires the governor's resolve and praised his record on schools."
    [q, *_] = run(nlp, body)
    assert (q.type, q.text) == ("indirect", "she admires the governor's resolve")


def test_a_past_conjunct_of_a_past_report_stays_in_it(nlp):
    body = "The pilot said he heard a loud bang and turned back toward the airport."
    [q] = run(nlp, body)
    assert (q.type, q.text) == ("indirect", "he heard a loud bang and turned back toward the airport")


def test_a_verb_of_saying_in_the_reports_form_not_the_cues_stays_in_the_report(nlp):
    # "tell" shares "would" with "close"; the cue "says" is in another tense
    body = "Jo Linn says she would close the bridge and tell the council “no more delays.”"
    [q] = run(nlp, body)
    assert (q.type, q.text) == ("mixed", "she would close the bridge and tell the council “no more delays.”")


def test_a_verb_of_saying_in_the_cues_tense_is_a_second_report(nlp):
    body = "The mayor wrote that the fund had run dry and warned the town about “hard choices.”"
    assert [q.text for q in run(nlp, body)] == ["that the fund had run dry", "the town about “hard choices.”"]


def test_what_an_announced_object_is_for_belongs_to_the_report(nlp):
    body = "The ministry announced $40 million in grants to help farmers replace their irrigation pumps."
    [q] = run(nlp, body)
    assert q.text == "$40 million in grants to help farmers replace their irrigation pumps"


@pytest.mark.parametrize(
    ("body", "text", "mention"),
    [
        ("Asked whether the levy was fair, 46 percent of voters said yes.", "yes", "46 percent of voters"),
        ("Asked if she would run again, the mayor said no.", "no", "the mayor"),
        ("So says the chairman of the harbour board.", "So", "the chairman of the harbour board"),
    ],
)
def test_a_word_standing_for_the_answer_is_the_report(nlp, body, text, mention):
    found = {(q.type, q.text, q.speaker.mention) for q in run(nlp, body)}
    assert ("indirect", text, mention) in found


@pytest.mark.parametrize(
    ("body", "text", "mention"),
    [
        (
            "Most farmers said the levy was fair. Three in ten fishermen said the same of the harbour dues.",
            "the same of the harbour dues",
            "Three in ten fishermen",
        ),
        ("The mayor backed the toll. Her deputy said the opposite about it.", "the opposite about it", "Her deputy"),
        ("The pilots said much the same thing.", "much the same thing", "The pilots"),
        # the clause after the comma is a cue of its own, not what was said
        ("Only 26 percent said the same, the survey found.", "the same", "Only 26 percent"),
    ],
)
def test_a_noun_phrase_standing_for_words_already_reported_is_the_report(nlp, body, text, mention):
    found = {(q.type, q.text, q.speaker.mention) for q in run(nlp, body)}
    assert ("indirect", text, mention) in found
    assert all(q.text != "the survey found" for q in run(nlp, body))


def test_the_same_day_is_a_time_not_words(nlp):
    body = "The mayor said the same day that the bridge would close."
    assert all("same" not in q.text for q in run(nlp, body))


def test_the_same_before_a_colon_points_to_the_words_after_it(nlp):
    body = 'The mayor said the same thing at every stop: "The bridge will open in May."'
    quotes = run(nlp, body)
    assert [q.text for q in quotes] == ["The bridge will open in May."]


def test_a_report_runs_on_through_a_plural_possessive_into_its_quoted_fragment(nlp):
    body = (
        "Jo Linn said that the council should reiterate the town’s support for the harbor workers’ "
        "“steady hands,” specifically naming the pilots."
    )
    [q] = run(nlp, body)
    assert q.type == "mixed" and q.speaker.name == "Jo Linn"
    assert q.text.startswith("that the council should") and q.text.endswith("“steady hands,”")


def test_a_dash_aside_inside_the_clause_does_not_end_the_report(nlp):
    body = 'Jo Linn argued that "every member of the council" - including Roe - favored some sort of toll.'
    [q] = run(nlp, body)
    assert q.type == "mixed" and q.text.endswith("favored some sort of toll")


def test_a_dash_aside_after_the_fragment_still_ends_the_report(nlp):
    body = 'Jo Linn likened the council to "a circus" - a charge that stung the members - at the meeting.'
    quotes = run(nlp, body)
    assert quotes and all(not q.text.endswith("at the meeting") for q in quotes)


def test_a_dash_later_in_the_clause_after_the_fragment_ends_the_report(nlp):
    body = 'Jo Linn said she was "encouraged" by the vote - a small win for the harbor workers after a long year.'
    [q] = run(nlp, body)
    assert q.type == "mixed" and q.speaker.name == "Jo Linn"
    assert q.text == 'she was "encouraged" by the vote'


def test_a_relative_clause_after_the_fragment_of_a_mixed_quote_is_the_writers(nlp):
    body = 'Jo Linn said she would "take a look" at the harbor plan, which would give the council a year to pay.'
    [q] = run(nlp, body)
    assert q.type == "mixed" and q.speaker.name == "Jo Linn"
    assert q.text == 'she would "take a look" at the harbor plan'


def test_a_second_verb_of_saying_joined_to_a_mixed_report_reports_its_own_fragment(nlp):
    body = "But he did say he found the mayor to be “very charming” and called her standing in the race “unheard of.”"
    texts = [q.text for q in run(nlp, body)]
    assert texts == ["he found the mayor to be “very charming”", "her standing in the race “unheard of.”"]


def test_a_verb_of_saying_after_before_starts_a_second_report(nlp):
    body = (
        "Jo Linn said the vote has “kept us safe” on the radio before claiming that the tolls are "
        "“tearing the town apart.”"
    )
    quotes = run(nlp, body)
    assert [q.text for q in quotes] == [
        "the vote has “kept us safe” on the radio",
        "that the tolls are “tearing the town apart.”",
    ]
    assert all(q.speaker.name == "Jo Linn" for q in quotes)


def test_the_reason_given_with_what_something_was_called_is_part_of_the_report(nlp):
    body = 'Jo Linn called the new bridge "a mistake" because so few people live near it.'
    [q] = run(nlp, body)
    assert q.type == "mixed" and q.speaker.name == "Jo Linn"
    assert q.text == 'the new bridge "a mistake" because so few people live near it'


def test_the_writers_noun_phrase_after_a_comma_ends_a_mixed_report(nlp):
    body = 'Jo Linn said the vote had been "rigged" against her, a charge that the council denied.'
    [q] = run(nlp, body)
    assert q.type == "mixed" and q.speaker.name == "Jo Linn"
    assert q.text == 'the vote had been "rigged" against her'


def test_quoted_words_in_the_that_clause_of_a_noun_of_saying_are_that_nouns_report(nlp):
    body = "Jo Linn criticized the paper for making an issue out of Al Roe's claim that the mayor “founded the gang.”"
    [q] = run(nlp, body)
    assert q.type == "mixed" and q.text == "that the mayor “founded the gang.”"
    assert q.speaker.name == "Al Roe"


def test_a_that_clause_the_parse_hangs_on_a_noun_after_the_cue_is_the_report(nlp):
    # the parse reads "that she had ..." as a relative clause of "meeting"; "that" marks it a complement
    body = "The mayor said following a meeting in 2019 that she had “no confidence at all in the board.”"
    [q] = run(nlp, body)
    assert (q.type, q.cue, q.speaker.mention) == ("mixed", "said", "The mayor")
    assert q.text == "that she had “no confidence at all in the board.”"


# ── verbs of refusing ────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "body",
    [
        "Ticket sales at the harbour museum declined to $4 million in 2019 from $6 million in 2017.",
        "Ferry traffic declined 12 percent in the first half of the year.",
        "Rents on the east bank have declined sharply since the mill closed.",
    ],
)
def test_decline_in_the_sense_of_falling_reports_nothing(nlp, body):
    assert [q for q in run(nlp, body) if q.cue and q.cue.startswith("decline")] == []


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("The harbour master declined to comment on the ferry schedule.", "to comment on the ferry schedule"),
        ("The harbour master declined the council's offer of a new office.", "the council's offer of a new office"),
    ],
)
def test_decline_reports_what_was_refused(nlp, body, text):
    [q] = run(nlp, body)
    assert (q.type, q.text, q.speaker.mention) == ("indirect", text, "The harbour master")


def test_a_cue_takes_no_source_from_inside_the_quote_it_follows(nlp):
    # the parse hangs "suggesting" on the quoted verb and gives it "the way" as subject
    body = (
        "Mayor Jo Linn stressed that “the way forward is to get both towns talking,” suggesting that "
        "the council should meet in May."
    )
    found = {(q.type, q.text, q.speaker.name) for q in run(nlp, body)}
    assert ("indirect", "that the council should meet in May", "Jo Linn") in found


# ── verbs of saying whose object is the matter said ──────────────────────────


@pytest.mark.parametrize(
    ("body", "text", "mention"),
    [
        (
            "The harbour master stressed the need for a second ferry.",
            "the need for a second ferry",
            "The harbour master",
        ),
        ("Mayor Jo Linn recalled the winter the mill burned down.", "the winter the mill burned down", "Mayor Jo Linn"),
        (
            "The council explained its decision to close the east bridge.",
            "its decision to close the east bridge",
            "The council",
        ),
    ],
)
def test_the_object_of_a_verb_of_stating_is_the_report(nlp, body, text, mention):
    [q] = run(nlp, body)
    assert (q.type, q.text, q.speaker.mention) == ("indirect", text, mention)


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("The senator denied the bribery allegations through a spokeswoman.", "the bribery allegations"),
        ("The harbour master rejected the new schedule through his lawyer, Jo Linn.", "the new schedule"),
    ],
)
def test_the_person_a_report_was_passed_through_is_no_part_of_it(nlp, body, text):
    [q] = run(nlp, body)
    assert (q.type, q.text) == ("indirect", text)


# ── nouns of saying ──────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("body", "text", "name"),
    [
        (
            "The council welcomed the promise by Mayor Jo Linn to reopen the east bridge in May.",
            "to reopen the east bridge in May",
            "Jo Linn",
        ),
        (
            "Nobody expected the warning by the harbour master that the ferry would stop.",
            "that the ferry would stop",
            "the harbour master",
        ),
    ],
)
def test_the_by_phrase_of_a_noun_of_saying_names_its_source(nlp, body, text, name):
    [q] = run(nlp, body)
    assert (q.type, q.text, q.speaker.name) == ("indirect", text, name)


@pytest.mark.parametrize(
    ("body", "text", "name"),
    [
        (
            "The council rejected the assertion by Mayor Jo Linn that the bridge was “perfectly safe.”",
            "that the bridge was “perfectly safe.”",
            "Jo Linn",
        ),
        (
            "Critics mocked the harbour master’s insistence that the ferry was “never late.”",
            "that the ferry was “never late.”",
            "the harbour master’s",
        ),
    ],
)
def test_a_noun_of_a_reporting_verb_reports_a_that_clause_quoting_the_words(nlp, body, text, name):
    [q] = run(nlp, body)
    assert (q.type, q.text, q.speaker.name) == ("mixed", text, name)


def test_a_noun_of_a_reporting_verb_without_quoted_words_is_no_report_of_its_own(nlp):
    [q] = run(nlp, "The council rejected the assertion that the bridge was safe.")
    assert (q.cue, q.text) == ("rejected", "the assertion that the bridge was safe")


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("The mayor called for the police chief to resign.", "the police chief to resign"),
        ("Senator Ana Ruiz has called for the toll to be cut to $2 by 2028.", "the toll to be cut to $2 by 2028"),
    ],
)
def test_a_for_to_clause_after_call_is_what_was_called_for(nlp, body, text):
    quotes = run(nlp, body)
    assert [(q.text, q.type) for q in quotes] == [(text, "indirect")]
    assert quotes[0].cue.endswith("for")


def test_a_for_to_clause_report_ends_before_a_dash_aside(nlp):
    body = "Ruiz has called for the files to be made public — even the ones the agency says are “secret.”"
    texts = [q.text for q in run(nlp, body)]
    assert texts[0] == "the files to be made public"


@pytest.mark.parametrize(
    ("body", "text", "mention"),
    [
        ("Ana Ruiz won the seat by calling for a second bridge.", "a second bridge", "Ana Ruiz"),
        (
            "The senator angered donors after saying that the budget was a sham.",
            "that the budget was a sham",
            "The senator",
        ),
    ],
)
def test_a_gerund_after_a_preposition_reports_for_the_subject_of_its_verb(nlp, body, text, mention):
    quotes = run(nlp, body)
    assert [(q.text, q.speaker.mention) for q in quotes] == [(text, mention)]


@pytest.mark.parametrize(
    "body",
    [
        "The clerk denied the couple a licence.",
        "The clerk denied licences to two couples.",
        "The college is admitting more students this year.",
    ],
)
def test_deny_and_admit_in_their_senses_of_giving_and_letting_in_report_nothing(nlp, body):
    assert run(nlp, body) == []


@pytest.mark.parametrize(
    ("body", "text"),
    [("The clerk denied the report.", "the report"), ("Ana Ruiz admitted her mistake.", "her mistake")],
)
def test_deny_and_admit_with_words_as_their_object_report_them(nlp, body, text):
    assert [q.text for q in run(nlp, body)] == [text]


@pytest.mark.parametrize(
    ("body", "text", "cue"),
    [
        ("Ana Ruiz boasted of her record on jobs.", "her record on jobs", "boasted of"),
        (
            "Ana Ruiz cautioned against reading too much into the vote.",
            "reading too much into the vote",
            "cautioned against",
        ),
        ("Ana Ruiz argued against a second runway at the airport.", "a second runway at the airport", "argued against"),
    ],
)
def test_what_a_verb_of_saying_says_it_was_about_is_its_report(nlp, body, text, cue):
    assert [(q.text, q.cue) for q in run(nlp, body)] == [(text, cue)]


@pytest.mark.parametrize("body", ["Ana Ruiz spoke for the party.", "Ana Ruiz spoke on Monday."])
def test_speaking_for_someone_or_at_a_time_reports_nothing(nlp, body):
    assert run(nlp, body) == []


def test_said_on_a_day_reports_the_clause_not_the_day(nlp):
    body = "Ana Ruiz said on Monday that the bridge would open in May."
    assert [q.text for q in run(nlp, body)] == ["that the bridge would open in May"]


def test_a_gerund_subject_the_parse_hangs_on_said_is_the_report(nlp):
    body = "Ana Ruiz said widening the road could put hundreds of people to work."
    assert [q.text for q in run(nlp, body)] == ["widening the road could put hundreds of people to work"]


def test_an_estimate_is_a_judgement_not_words_unless_quoted(nlp):
    assert run(nlp, "Analysts estimated that the bridge would cost $2 billion.") == []
    body = "The agency estimated that the bridge would be “a bargain at $2 billion.”"
    assert [(q.type, q.speaker.mention) for q in run(nlp, body)] == [("mixed", "The agency")]
