"""Given names and their usual gender (pipeline.entities.given_names)."""

from __future__ import annotations

import pytest

from pipeline.entities.given_names import given_name_gender, name_gender


@pytest.mark.parametrize(
    ("name", "gender"),
    [("Marta", "f"), ("Ingrid", "f"), ("Tomas", "m"), ("Stefan", "m"), ("MARTA", "f"), ("Xq", None)],
)
def test_a_listed_name_has_the_gender_that_carries_it(name, gender):
    assert given_name_gender(name) == gender


@pytest.mark.parametrize("name", ["Jean", "Andrea", "Kim", "Taylor", "Leslie"])
def test_a_name_both_genders_carry_has_none(name):
    assert given_name_gender(name) is None


@pytest.mark.parametrize(
    ("name", "gender"), [("Siobhán", "f"), ("José", "m"), ("Zoë", "f"), ("Inés", "f"), ("André", "m")]
)
def test_an_accented_name_is_read_as_the_lists_write_it(name, gender):
    assert given_name_gender(name) == gender


@pytest.mark.parametrize(
    ("name", "gender"), [("Anjali", "f"), ("Declan", "m"), ("Mikael", "m"), ("Hiwot", "f"), ("Kwame", "m")]
)
def test_a_first_name_the_census_lists_lack_takes_its_gender_from_the_world_list(name, gender):
    assert given_name_gender(name) is None  # not a name the stage recognises on its own
    assert name_gender(name) == gender


@pytest.mark.parametrize("name", ["Jean", "Andrea", "Kim", "Taylor", "Xq"])
def test_the_census_answer_stands_where_it_has_one_and_unknown_words_have_none(name):
    assert name_gender(name) is None
