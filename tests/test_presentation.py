"""Pure page helpers: example questions generated from a paper's structure, the paper of an answer,
and citations that name their paper."""

from __future__ import annotations

from qa.parsing import parse_document
from qa.presentation import answer_paper, generated_examples
from qa.render import render_answer, render_transcript
from qa.schema import Answer, Citation, Passage
from tests.conftest import DATA


def test_examples_come_from_the_tables_and_top_level_headings():
    doc = parse_document((DATA / "mini.md").read_text())
    assert generated_examples(doc) == [
        "What is the Output for North Plant in 2022?",
        "What does the paper say in “Introduction”?",
        "What does the paper say in “Methods”?",
        "What does the paper say in “Recommendations”?",
    ]


def test_examples_skip_boilerplate_and_numbering_and_respect_the_limit():
    text = (
        "# Abstract\n\nShort.\n\n# 1. Introduction\n\nText.\n\n# 2. Findings\n\nMore.\n\n"
        "# References\n\n- A. B. (2020).\n\n# Acknowledgements\n\nThanks.\n"
    )
    doc = parse_document(text)
    assert generated_examples(doc) == [
        "What does the paper say in “Introduction”?",
        "What does the paper say in “Findings”?",
    ]
    assert len(generated_examples(doc, limit=1)) == 1


def test_table_questions_take_at_most_half_while_sections_remain():
    tables = "".join(
        f"## Part {n}\n\nTable {n}: Things (2020)\n\n| Item | Count |\n| --- | --- |\n| Item {n} | {n} |\n\n"
        for n in range(1, 6)
    )
    doc = parse_document(tables)
    assert generated_examples(doc, limit=4) == [
        "What is the Count for Item 1 in 2020?",
        "What is the Count for Item 2 in 2020?",
        "What does the paper say in “Part 1”?",
        "What does the paper say in “Part 2”?",
    ]


def _answer(paper: str | None) -> Answer:
    citation = Citation(id="s1", section="Results", quote="Sales rose.", paper=paper)
    passage = Passage(id="c1", section="Results", text="Sales rose.", score=1.0, paper=paper)
    return Answer(
        question="Q?",
        resolved_question="Q?",
        answer="“Sales rose.” [1]",
        abstained=False,
        citations=[citation],
        passages=[passage],
    )


def test_citations_name_their_paper_in_the_terminal_and_the_transcript():
    assert answer_paper(_answer("gadget-survey")) == "gadget-survey"
    assert answer_paper(_answer(None)) is None
    assert "  [1] gadget-survey: Results" in render_answer(_answer("gadget-survey")).splitlines()
    assert "  [1] Results" in render_answer(_answer(None)).splitlines()
    assert "1. gadget-survey: Results — “Sales rose.”" in render_transcript([_answer("gadget-survey")], "t")


def test_a_lone_title_heading_is_not_the_section_level():
    doc = parse_document((DATA / "gadgets.md").read_text())
    assert generated_examples(doc) == [
        "What is the Sales for East in 2019?",
        "What does the paper say in “Background”?",
        "What does the paper say in “Results”?",
        "What does the paper say in “Limitations”?",
    ]
