"""Given names and their usual gender (pipeline.entities.given_names)."""

from __future__ import annotations

import pytest

from pipeline.entities.given_names import given_name_gender


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
