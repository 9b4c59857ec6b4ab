"""Abstain: the paper does not answer. It cites nothing and names the closest sections as a pointer.

Two candidates: a decisive one when the question's words are not the paper's (no content words,
a name or year the paper never uses, a condition such as "after 1,000 cycles" it never states, or most
of the question unknown to it: ``max_unknown_share``, or ``yesno_max_unknown_share`` for a yes/no
question, whose claim cannot be checked against sentences missing part of it), and a fallback that
wins only when no other strategy proposes anything."""

from __future__ import annotations

import logging

from qa.answering.candidate import Candidate, Evidence
from qa.schema import Passage
from qa.text import is_year

logger = logging.getLogger(__name__)


RELATED_SECTIONS = 3  # sections named as a pointer when the paper does not answer


def closest_sections(passages: list[Passage]) -> list[str]:
    """The sections of the first retrieved passages, without repeats."""
    return list(dict.fromkeys(p.section for p in passages))[:RELATED_SECTIONS]


def never_mentions(unknown_words: list[str]) -> str:
    """ "it never mentions 'GDP', 'budget'" for the question's words the paper does not use."""
    return "it never mentions " + ", ".join(f"'{w}'" for w in dict.fromkeys(unknown_words))


def abstention(
    passages: list[Passage],
    reason: str,
    unknown_words: list[str] | None = None,
    strategy: str = "abstain",
    where: str = "The paper",
) -> Candidate:
    """An abstention naming the question's unknown words and the closest sections; ``where`` says
    what was searched ('The Conclusion section' when the question named one)."""
    related = closest_sections(passages)
    text = f"{where} does not give an answer to this question."
    if unknown_words:
        text = f"The paper does not give an answer to this question: {never_mentions(unknown_words)}."
    if related:
        text += " Closest related sections: " + "; ".join(related) + "."
    logger.debug("abstained: %s", reason)
    return Candidate(strategy=strategy, answer=text, abstained=True, related_sections=related)


def propose(ev: Evidence) -> list[Candidate]:
    """The abstentions this question allows (see module docstring)."""
    terms = ev.question.terms
    scope = ev.question.scope
    where = f"The '{scope.label}' section" if scope is not None else "The paper"
    if not terms.content:
        return [abstention([], "no content words", strategy="abstain:unknown-words")]
    if ev.question.answer_type == "yesno" and ev.question.about_paper:
        # words the paper never uses answer such a question ('No', see the yesno strategy)
        return [abstention(ev.passages, "no sentence or cell covers the question", where=where)]
    unknown_years = [u for u in terms.unknown if is_year(u)]
    limit = ev.ctx.settings.max_unknown_share
    if ev.question.answer_type == "yesno":
        limit = min(limit, ev.ctx.settings.yesno_max_unknown_share)
    if terms.unknown_named or unknown_years or terms.unknown_quantities or terms.unknown_share >= limit:
        return [
            abstention(
                ev.passages, "words the paper never uses", terms.unknown_words, "abstain:unknown-words"
            )
        ]
    return [abstention(ev.passages, "no sentence or cell covers the question", where=where)]
