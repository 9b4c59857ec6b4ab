"""Section scope: a question naming a part of the paper is answered from that part only.

Pure tests on small Markdown papers (no model), then one on the seed paper with the real model.
"""

from __future__ import annotations

import pytest

from qa.parsing import parse_document
from qa.question.scope import Outline, find_scope, without
from qa.render import render_answer
from tests.test_strategies import Tiny

PAPER = """# A Study of Gadgets

## Abstract

We study gadgets.

## 1. Introduction

Gadgets were first sold in 1990. Sales doubled by 2000.

## Research Methodology

### Data Collection

We surveyed 300 shops in 2023.

### Ethical Considerations

Every shop gave consent.

## Conclusions

Gadget sales will keep rising because shops like them.

## Recommendations

Shops should stock more gadgets.

## References

Smith, J. (2020). Gadgets. Gadget Press.
"""


@pytest.fixture(scope="module")
def outline() -> Outline:
    return Outline.of(parse_document(PAPER, source="gadgets.md"))


def titles(outline: Outline, question: str) -> set[str]:
    scope = find_scope(question, outline)
    if scope is None:
        return set()
    return {s.title for s in outline.sections if s.id in scope.section_ids}


def test_body_sections_skip_boilerplate_and_a_lone_title(outline):
    assert [s.title for s in outline.body] == [
        "1. Introduction",
        "Research Methodology",
        "Conclusions",
        "Recommendations",
    ]


def test_ordinal_words_name_the_first_or_last_body_section(outline):
    assert titles(outline, "When were gadgets first sold, according to the opening section?") == {
        "1. Introduction"
    }
    assert titles(outline, "What does the final section ask shops to do?") == {"Recommendations"}
    # 'concluding' names the section called 'Conclusions', not merely the last one
    assert titles(outline, "In the concluding section, why will sales rise?") == {"Conclusions"}


def test_title_words_name_a_section_with_its_subsections(outline):
    assert titles(outline, "What does the methodology section say about consent?") == {
        "Research Methodology",
        "Data Collection",
        "Ethical Considerations",
    }
    assert titles(outline, "Why will sales rise according to the conclusions?") == {"Conclusions"}
    assert titles(outline, "According to the introduction, when were gadgets first sold?") == {
        "1. Introduction"
    }


def test_words_that_name_no_heading_leave_the_question_unscoped(outline):
    assert find_scope("How many shops were surveyed according to the 2023 survey?", outline) is None
    assert find_scope("What sold in the shops?", outline) is None
    assert find_scope("When were gadgets first sold?", outline) is None
    assert find_scope("When were gadgets first sold, according to the opening section?", None) is None


def test_the_phrase_is_taken_out_of_the_matched_text(outline):
    question = "When were gadgets first sold, according to the opening section?"
    assert without(question, find_scope(question, outline)) == "When were gadgets first sold?"
    assert without(question, None) == question


def sections_of(tiny: Tiny, scores) -> set[str]:
    return {tiny.doc.sentences[s.index].section.split(" > ")[0] for s in scores}


def test_a_scoped_question_is_answered_from_that_section_only():
    tiny = Tiny()
    free = tiny.evidence("What is said about widgets?")
    assert free.question.scope is None
    assert {"Introduction", "Methods"} <= sections_of(tiny, free.good) and free.matches
    intro = tiny.evidence("According to the introduction, what is said about widgets?")
    assert intro.question.scope is not None and intro.question.scope.label == "Introduction"
    assert intro.good and sections_of(tiny, intro.scored) == {"Introduction"}
    assert intro.matches == []  # the paper's one table lies in the Methods section
    methods = tiny.evidence("What does the methods section say about widgets?")
    assert methods.good and sections_of(tiny, methods.scored) == {"Methods"}
    assert methods.matches and {m.value.table for m in methods.matches} == {"Table 1"}


def test_a_scoped_question_whose_section_is_silent_says_which_section():
    from qa.answering.strategies import abstain

    tiny = Tiny()
    ev = tiny.evidence("According to the recommendations section, why did widget production fall in 2021?")
    assert ev.good == [] and sections_of(tiny, ev.scored) == {"Recommendations"}
    [candidate] = abstain.propose(ev)
    assert candidate.abstained and candidate.answer.startswith("The 'Recommendations' section does not")


@pytest.mark.model
def test_the_seed_paper_answers_from_the_named_section(assistant):
    answer = assistant.ask("According to the conclusion, what should Pakistan and Afghanistan do?")
    assert not answer.abstained and answer.citations
    assert {c.section for c in answer.citations} == {"Conclusion"}
    assert answer.section_scope == "Conclusion"
    assert "(Searched only the section you named: Conclusion)" in render_answer(answer).splitlines()
    assert assistant.ask("What should Pakistan and Afghanistan do?").section_scope is None
    dated = assistant.ask("When did the Taliban return to power, according to the introduction?")
    assert dated.short_answer == "August 2021"
    assert {c.section for c in dated.citations} == {"Introduction"}


def test_reference_list_entries_answer_only_questions_about_references():
    tiny = Tiny(PAPER)
    references = {i for i, s in enumerate(tiny.doc.sentences) if s.section.endswith("> References")}
    assert references and tiny.ctx.reference_sentences == frozenset(references)
    ev = tiny.evidence("What did Gadget Press say about gadgets in 2020?")
    assert ev.scored and not {s.index for s in ev.scored} & references
    cited = tiny.evidence("Which references does the paper cite about gadgets?")
    assert {s.index for s in cited.good} & references
