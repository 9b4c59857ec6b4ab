"""Abstain: the paper does not answer. It cites nothing and names the closest sections as a pointer.

Two candidates: a decisive one when the question's words are not the paper's (no content words,
a name or year the paper never uses, or most of the question unknown to it), and a fallback that
wins only when no other strategy proposes anything."""

from __future__ import annotations

import logging

from qa.answering.candidate import Candidate, Evidence
from qa.schema import Passage
from qa.text import is_year

logger = logging.getLogger(__name__)


def abstention(
    passages: list[Passage], reason: str, unknown_words: list[str] | None = None, strategy: str = "abstain"
) -> Candidate:
    """An abstention naming the question's unknown words and the closest sections."""
    related = []
    for p in passages:
        if p.section not in related:
            related.append(p.section)
        if len(related) == 3:
            break
    text = "The paper does not give an answer to this question."
    if unknown_words:
        words = ", ".join(f"'{w}'" for w in dict.fromkeys(unknown_words))
        text = f"The paper does not give an answer to this question: it never mentions {words}."
    if related:
        text += " Closest related sections: " + "; ".join(related) + "."
    logger.debug("abstained: %s", reason)
    return Candidate(strategy=strategy, answer=text, abstained=True, related_sections=related)


def propose(ev: Evidence) -> list[Candidate]:
    """The abstentions this question allows (see module docstring)."""
    terms = ev.question.terms
    if not terms.content:
        return [abstention([], "no content words", strategy="abstain:unknown-words")]
    if ev.question.answer_type == "yesno" and ev.question.about_paper:
        # words the paper never uses answer such a question ('No', see the yesno strategy)
        return [abstention(ev.passages, "no sentence or cell covers the question")]
    unknown_years = [u for u in terms.unknown if is_year(u)]
    if terms.unknown_named or unknown_years or terms.unknown_share >= ev.ctx.settings.max_unknown_share:
        return [
            abstention(
                ev.passages, "words the paper never uses", terms.unknown_words, "abstain:unknown-words"
            )
        ]
    return [abstention(ev.passages, "no sentence or cell covers the question")]
