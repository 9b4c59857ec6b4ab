"""Follow-up resolution on small documents (pure: no model, no paper)."""

from __future__ import annotations

import pytest

from qa.answering.followup import FollowupResolver, direction
from qa.parsing import parse_document
from qa.retrieval.query import build_vocabulary

FLOWS = """## Results

Table 1: Freight between two ports (2023) (Tonnes)

| Year | Shipments from Northport to Southport | Shipments to Northport from Southport | Total |
| --- | --- | --- | --- |
| 2023 | 500 | 200 | 700 |

Most freight goes south.
"""

MIRROR = """## Results

Table 1: Migration (2023) (People)

| Year | Alpha to Beta | Beta to Alpha |
| --- | --- | --- |
| 2023 | 40 | 15 |
"""


def resolver(text: str, tmp_path) -> FollowupResolver:
    doc = parse_document(text, source="flows.md")
    return FollowupResolver(doc, build_vocabulary(doc, tmp_path / "none.json"))


def test_direction_reads_from_and_to_in_either_order():
    assert direction("Exports from Northport to Southport") == (
        frozenset({"northport"}),
        frozenset({"southport"}),
    )
    assert direction("Imports to Northport from Southport") == (
        frozenset({"southport"}),
        frozenset({"northport"}),
    )
    assert direction("Total trade volume") is None
    assert direction("from 2020 to 2021") is None  # years are a period, not a flow


@pytest.mark.parametrize(
    "asked", ["And the other way?", "What about the opposite direction?", "And vice versa?"]
)
def test_the_other_way_names_the_column_running_the_other_way(asked, tmp_path):
    r = resolver(FLOWS, tmp_path)
    resolved = r.resolve(asked, ["How much freight was shipped from Northport to Southport in 2023?"])
    assert "Shipments to Northport from Southport" in resolved
    assert "2023" in resolved
    # and back again
    again = r.resolve(asked, ["How much freight was shipped from Northport to Southport in 2023?", asked])
    assert "Shipments from Northport to Southport" in again


def test_labels_told_apart_only_by_direction_are_slots_too(tmp_path):
    r = resolver(MIRROR, tmp_path)
    assert r.resolve("And the reverse?", ["How many people moved Alpha to Beta in 2023?"]) == (
        "How many people moved Beta to Alpha in 2023?"
    )
    assert r.resolve("And the reverse?", ["How many people moved Beta to Alpha in 2023?"]) == (
        "How many people moved Alpha to Beta in 2023?"
    )


def test_without_a_table_the_question_itself_is_turned_round(tmp_path):
    r = resolver("## Notes\n\nPeople travel a lot.\n", tmp_path)
    resolved = r.resolve("And in the other direction?", ["How many people travelled from Kabul to Lahore?"])
    assert resolved == "How many people travelled from Lahore to Kabul?"


def test_no_direction_to_reverse_falls_back_to_the_usual_reading(tmp_path):
    r = resolver(FLOWS, tmp_path)
    resolved = r.resolve("And the other way?", ["What is the total freight in 2023?"])
    assert resolved.startswith("And the other way?") or "context:" in resolved
    assert "Northport" not in resolved.split("context:")[0]


def test_a_fragment_after_and_swaps_the_column_it_names(tmp_path):
    r = resolver(
        "## Results\n\nTable 1: Outcomes (number of participants)\n\n| Outcome | Treated (n=30) | Placebo (n=30) |\n"
        "| --- | --- | --- |\n| Admission | 6 | 11 |\n",
        tmp_path,
    )
    earlier = ["How many participants in the placebo group had an admission?"]
    assert r.resolve("And in the treated group?", earlier) == (
        "How many participants in the treated group had an admission?"
    )
    # a fragment that asks a question of its own is a new question
    assert (
        r.resolve("And what did the treated group report?", earlier)
        == "And what did the treated group report?"
    )


MEADOWS = """## Results

Table 1: Snowmelt at the study meadows (day of year)

| Site | Snowmelt day | Visits |
| --- | --- | --- |
| Hala Kondratowa | 128 | 6.1 |
| Hala Gąsienicowa | 141 | 4.0 |
| Kasprowy Wierch | 152 | 2.9 |
"""


def test_a_fragment_swaps_a_whole_accented_label(tmp_path):
    # the label is typed with its accents; 'Hala' is shared with a sibling, and is replaced too
    r = resolver(MEADOWS, tmp_path)
    resolved = r.resolve("And at Kasprowy Wierch?", ["What was the snowmelt day at Hala Gąsienicowa?"])
    assert resolved == "What was the snowmelt day at Kasprowy Wierch?"


ELECTROLYTES = """## Results

Table 1: Initial capacity by electrolyte (mAh/g)

| Electrolyte | Initial capacity | Retention |
| --- | --- | --- |
| Baseline | 291 | 71.2 |
| FEC | 296 | 84.6 |
| VC | 288 | 79.3 |
| FEC + VC | 299 | 88.9 |
"""


def test_a_label_whose_words_all_recur_in_a_combined_label_is_still_a_slot(tmp_path):
    r = resolver(ELECTROLYTES, tmp_path)
    resolved = r.resolve("And with FEC?", ["What initial capacity did cells with the VC electrolyte have?"])
    assert resolved == "What initial capacity did cells with the FEC electrolyte have?"
