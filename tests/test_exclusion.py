"""Questions that leave something out ('Leaving X aside', 'excluding X', 'other than X'), and sums
over table cells: parts only, one unit, the unit kept in the short answer.

Pure tests on a small table with fixed vectors (no model, no paper).
"""

from __future__ import annotations

import pytest

from qa.answering.strategies import arithmetic, span
from qa.question.exclusion import find_exclusion
from qa.schema import TableValue
from qa.text import tokenize
from tests.test_strategies import Tiny

PAPER = """## Sales

We sold vehicles of three kinds in 2024.

Table 1: Vehicles sold (2024) (Number of Vehicles)

| Year | Cars | Vans | Trucks | Total Vehicles | Regions |
| --- | --- | --- | --- | --- | --- |
| 2024 | 10 | 20 | 30 | 60 | North: 70%, South: 20%, East: 10% |
"""


@pytest.fixture(scope="module")
def sales() -> Tiny:
    return Tiny(PAPER)


@pytest.mark.parametrize(
    ("question", "left_out"),
    [
        ("Leaving trucks aside, how many cars and vans were sold?", "trucks"),
        ("Setting aside the vans, how many vehicles were sold?", "vans"),
        ("How many vehicles were sold excluding the trucks?", "trucks"),
        ("Other than the North region, what share do the regions hold?", "North region"),
        ("Apart from cars, how many vans and trucks were sold?", "cars"),
        ("Except for heavy trucks, how many were sold?", "heavy trucks"),
    ],
)
def test_the_excluded_words_are_found(question, left_out):
    found = find_exclusion(question)
    assert found is not None and found.terms == frozenset(tokenize(left_out))
    assert left_out in found.phrase


@pytest.mark.parametrize(
    "question",
    ["How many trucks were sold?", "Which vehicles were sold apart?", "What else was sold?"],
)
def test_no_exclusion_without_its_words(question):
    assert find_exclusion(question) is None


def test_a_part_of_a_cell_is_excluded_by_its_own_label_not_its_column():
    found = find_exclusion("Other than North, what share do the regions hold?")
    assert found is not None
    part = TableValue(
        id="v",
        table="Table 1",
        caption="c",
        row="2024",
        column="Regions (North, South)",
        item="South",
        value="20%",
    )
    assert not found.names_cell(part)  # its column lists 'North', but the part is South
    assert found.names_cell(part.model_copy(update={"item": "North"}))


def test_a_sum_adds_the_named_parts_and_never_the_total(sales):
    ev = sales.evidence("How many cars, vans and trucks were sold in 2024 in total?")
    [candidate] = arithmetic.propose(ev)
    [computation] = candidate.computations
    assert computation.operation == "sum" and computation.result == 60
    assert len(computation.operands) == 3
    assert span.propose(ev, candidate) == ["60 number of vehicles"]


def test_leaving_a_part_aside_sums_the_others(sales):
    ev = sales.evidence("Leaving trucks aside, how many cars and vans were sold in 2024 combined?")
    assert ev.question.exclusion is not None
    assert all("Trucks" not in m.value.column for m in ev.matches)
    [candidate] = arithmetic.propose(ev)
    assert candidate.computations[0].result == 30
    ev = sales.evidence("Excluding cars, how many vans and trucks were sold in 2024 together?")
    [candidate] = arithmetic.propose(ev)
    assert candidate.computations[0].result == 50


def test_a_sum_of_percentages_keeps_its_unit_and_never_adds_a_count(sales):
    ev = sales.evidence("What share of vehicles did the South and East regions take combined?")
    [candidate] = arithmetic.propose(ev)
    [computation] = candidate.computations
    assert computation.result == 30 and computation.expression.endswith("= 30%")
    assert span.propose(ev, candidate) == ["30%"]
