"""The short answer shown first: a value, a span, or Yes/No, taken from what the answer cites (pure).

- arithmetic on cells: the computed result (the expression is shown in the answer);
- one table cell: the cell as printed, with '%' when the unit sits in the column header;
- quoted sentences: the span of the wanted kind (number, date, person, place, list) closest to the
  question's words in the first cited sentence that has one (see :mod:`qa.answering.spans`);
- a yes/no question: "Yes" when the cited evidence states what is asked, "No" when it states the
  opposite (one of the two negated: 'not', 'no', 'never', ...).

None when only a passage fits (a 'what is ...' question, a section list, several cells).
"""

from __future__ import annotations

import re

from qa.answering.compose import AnswerContext, Composed, with_unit
from qa.answering.spans import best_span
from qa.question import NEGATIONS, AnalysedQuestion
from qa.text import format_number

_NEGATION = re.compile(r"\b(?:" + "|".join(sorted(NEGATIONS)) + r")\b|n't\b", re.IGNORECASE)


def yes_or_no(evidence: str, question: AnalysedQuestion) -> str:
    """'No' when exactly one of the question and its evidence is negated, else 'Yes'."""
    return "No" if bool(_NEGATION.search(evidence)) != question.negated else "Yes"


def short_answer(ctx: AnswerContext, question: AnalysedQuestion, composed: Composed) -> str | None:
    """The short answer of ``composed`` for ``question``, or None (see module docstring)."""
    if composed.abstained or not composed.citations:
        return None
    if composed.computations:
        return format_number(composed.computations[0].result)
    quotes = [c for c in composed.citations if c.kind == "sentence"]
    cells = [c for c in composed.citations if c.kind == "table_cell"]
    if question.answer_type == "yesno":
        return yes_or_no(quotes[0].quote if quotes else cells[0].quote, question)
    first = composed.citations[0]
    if first.kind == "table_cell":
        hits = [h for h in composed.table_values if h.id in {c.id for c in cells}]
        if len(hits) != 1:
            return None
        if composed.conflicts:
            # never hide a contradiction behind one bold figure: give each figure the paper prints
            figures = [with_unit(v.value, v.unit) for v in composed.conflicts[0].values]
            return " or ".join(dict.fromkeys(figures)) + " (the paper gives different figures)"
        return with_unit(hits[0].value, hits[0].unit)
    stems = set(question.terms.content) | set(question.terms.expansions)
    wants_percent = (
        True
        if "%" in question.text or re.search(r"\bpercent|\bshare\b|\bproportion", question.text, re.I)
        else (False if question.intent.count else None)
    )
    for citation in quotes:
        span = best_span(
            citation.quote,
            question.answer_type,
            question.text,
            stems,
            percent=wants_percent,
            count=question.expected_count,
            years=question.terms.years,
        )
        if span is not None:
            return span.text
    return None
