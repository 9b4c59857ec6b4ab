"""Question understanding, done once per ask.

:func:`analyse` turns the (resolved) question text into an :class:`AnalysedQuestion`: its terms
against the paper's vocabulary, the form of answer it wants (intent and expected answer type), the
number of items a list question names, and its embedding. Retrieval and answering read this object;
nothing downstream parses the question string again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from qa.question.exclusion import Exclusion, find_exclusion
from qa.question.intent import (
    ANSWER_TYPES,
    AnswerType,
    Intent,
    about_the_paper,
    answer_type,
    counted_noun,
    detect_intent,
    expected_count,
)
from qa.question.scope import Outline, SectionScope, find_scope, without
from qa.retrieval.query import QueryTerms, Vocabulary, analyse_question
from qa.text import stem

__all__ = ["ANSWER_TYPES", "AnalysedQuestion", "AnswerType", "Intent", "Outline", "SectionScope", "analyse"]


@dataclass(frozen=True)
class AnalysedQuestion:
    """Everything known about one question before any evidence is looked at."""

    text: str  # the question as understood (a follow-up rewritten with the earlier turn)
    asked: str  # the cleaned question as typed
    terms: QueryTerms
    intent: Intent
    answer_type: AnswerType
    expected_count: int | None
    vector: np.ndarray
    about_paper: bool = False  # a yes/no question about what the paper itself does
    scope: SectionScope | None = None  # the part of the paper the question names, if any
    exclusion: Exclusion | None = None  # what the question leaves out ('excluding X'), if anything
    counted: str | None = None  # the stem of what a 'how many' question counts ('women' -> 'women')

    @property
    def negated(self) -> bool:
        """The question itself says 'not'/'no'/'never' (a yes/no answer must then be read the other way)."""
        return any(w in NEGATIONS for w in self.text.lower().replace("n't", " not").split())

    @cached_property
    def denies(self) -> bool:
        """The question asks about what is denied ('Which tasks does it not improve on?', 'What can't
        be solved ...?'): 'not', 'never' or 'n't' on its verb; 'or not' and 'not only' deny nothing."""
        return bool(_DENIAL.search(_NOT_A_DENIAL.sub(" ", self.text)))

    @cached_property
    def prefix_negations(self) -> list[tuple[str, str]]:
        """(word, its base) for each word of the question negated by a prefix ('impossible', 'possible';
        'unconnected', 'connected'): a sentence that says the base and denies nothing says the opposite."""
        out = []
        for match in _PREFIX_NEGATION.finditer(self.text):
            word = match.group(0).lower()
            if match["un"] or _NEGATABLE_ENDING.search(word):
                out.append((word, match["base"].lower()))
        return out


# 'un-'/'non-' negate almost any word; 'in-', 'im-', 'il-', 'ir-' and 'dis-' only adjectives and adverbs
# ('informal', 'impossible', 'indirectly'), not verbs such as 'inform', 'impart' or 'discover'
_PREFIX_NEGATION = re.compile(r"\b(?:(?P<un>un|non-?)|in|im|il|ir|dis)(?P<base>[a-z]{4,})\b", re.IGNORECASE)
_NEGATABLE_ENDING = re.compile(r"(?:ible|able|al|ent|ant|ite|ive|ous|ly|ed|ful|ar)$")

# English negation words (closed class): used to read yes/no questions against their evidence.
NEGATIONS = frozenset({"not", "no", "never", "neither", "nor", "none", "without", "cannot"})
_DENIAL = re.compile(r"\b(?:not|never|cannot)\b|n't\b", re.IGNORECASE)
_NOT_A_DENIAL = re.compile(r"\b(?:whether\s+)?or\s+not\b|\bnot\s+only\b", re.IGNORECASE)


def analyse(
    text: str, vocab: Vocabulary, vector: np.ndarray, asked: str | None = None, outline: Outline | None = None
) -> AnalysedQuestion:
    """Analyse ``text`` once: its section scope (against ``outline``) and what it leaves out, and, on
    the text without the scope's phrase, its terms, intent, answer type and expected item count;
    ``vector`` as given."""
    scope = find_scope(text, outline)
    exclusion = find_exclusion(text)
    # the excluded words stay in the text: "Do they use languages other than English?" is about English
    matched = without(text, scope)
    intent = detect_intent(matched)
    return AnalysedQuestion(
        text=text,
        asked=asked if asked is not None else text,
        terms=analyse_question(matched, vocab),
        intent=intent,
        answer_type=answer_type(matched, intent),
        expected_count=expected_count(matched),
        vector=np.asarray(vector, dtype=np.float32),
        about_paper=about_the_paper(matched),
        scope=scope,
        exclusion=exclusion,
        counted=stem(noun) if (noun := counted_noun(matched)) else None,
    )
