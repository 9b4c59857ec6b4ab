"""Yes/no: a question that asks whether something holds is answered Yes or No from its evidence (pure).

The chosen answer's first quote (or cell) is the evidence. It says the opposite of the question
when exactly one of the two is negated ('not', 'no', 'never', 'without', ...): then the answer is
No; otherwise it states what is asked and the answer is Yes.
"""

from __future__ import annotations

import re

from qa.answering.candidate import Candidate, Evidence
from qa.question import NEGATIONS, AnalysedQuestion

_NEGATION = re.compile(r"\b(?:" + "|".join(sorted(NEGATIONS)) + r")\b|n't\b", re.IGNORECASE)


def yes_or_no(evidence: str, question: AnalysedQuestion) -> str:
    """'No' when exactly one of the question and its evidence is negated, else 'Yes'."""
    return "No" if bool(_NEGATION.search(evidence)) != question.negated else "Yes"


def propose(ev: Evidence, chosen: Candidate) -> list[str]:
    if ev.question.answer_type != "yesno" or chosen.abstained or not chosen.citations:
        return []
    return [yes_or_no(chosen.citations[0].quote, ev.question)]
