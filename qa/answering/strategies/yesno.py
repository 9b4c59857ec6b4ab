"""Yes/no: a question that asks whether something holds is answered Yes or No from its evidence (pure).

The chosen answer's first quote (or cell) is the evidence. It says the opposite of the question
when exactly one of the two is negated ('not', 'no', 'never', 'without', ...): then the answer is
No; otherwise it states what is asked and the answer is Yes.

A yes/no question about what the paper itself does ('Do they evaluate on German?') that nothing in
the paper supports is answered No, saying that the paper never states it (``propose_absent``): on
Qasper train, such questions we used to leave unanswered were 'No' for 10 of 20 annotators' answers,
'Yes' for 5 and unanswerable for 5 (issue 8 notes). A yes/no question about the world stays an
abstention when the paper is silent.
"""

from __future__ import annotations

import re

from qa.answering.candidate import Candidate, Evidence
from qa.answering.strategies.abstain import closest_sections, never_mentions
from qa.question import NEGATIONS, AnalysedQuestion

_NEGATION = re.compile(r"\b(?:" + "|".join(sorted(NEGATIONS)) + r")\b|n't\b", re.IGNORECASE)


def yes_or_no(evidence: str, question: AnalysedQuestion) -> str:
    """'No' when exactly one of the question and its evidence is negated, else 'Yes'."""
    return "No" if bool(_NEGATION.search(evidence)) != question.negated else "Yes"


def propose(ev: Evidence, chosen: Candidate) -> list[str]:
    if ev.question.answer_type != "yesno" or chosen.abstained or not chosen.citations:
        return []
    return [yes_or_no(chosen.citations[0].quote, ev.question)]


def propose_absent(ev: Evidence) -> list[Candidate]:
    """'No: the paper never states this' for a yes/no question about the paper itself."""
    question = ev.question
    if question.answer_type != "yesno" or not question.about_paper or not question.terms.content:
        return []
    terms = question.terms
    related = closest_sections(ev.passages)
    why = (
        f"the paper never says so ({never_mentions(terms.unknown_words)})."
        if terms.unknown_words
        else "nothing in the paper states this."
    )
    pointer = " Closest related sections: " + "; ".join(related) + "." if related else ""
    unknown = bool(terms.unknown_named) or terms.unknown_share >= ev.ctx.settings.max_unknown_share
    return [
        Candidate(
            # a name the paper never uses decides it, as it decides an abstention for other questions
            strategy="yesno:unknown-words" if unknown else "yesno:absent",
            answer=f"No: {why}{pointer}",
            related_sections=related,
            short_answer="No",
        )
    ]
