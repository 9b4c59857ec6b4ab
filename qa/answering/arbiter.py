"""The arbiter: every strategy proposes candidates from the same evidence; one rule picks (pure).

Strategies (``qa/answering/strategies/``), each ``propose(evidence) -> list[Candidate]``:

- ``abstain``: a decisive abstention when the question's words are not the paper's, and a fallback;
- ``unit``: the units of the table a 'what unit' question is about;
- ``listing``: the items of the section a question names;
- ``table``: cells, a whole row/column/table, a table's rows, cells printed without a figure;
- ``arithmetic``: a difference, sum, ratio, share or comparison computed on cited cells;
- ``items``: the sentence that lists what a list question asks for;
- ``sentences``: quoted sentences;
- ``yesno`` (``propose_absent``): 'No' for a yes/no question about the paper that nothing supports.

The rule: the candidate whose strategy comes first in :data:`PRECEDENCE` wins; among candidates of
one strategy, the higher score. Each strategy proposes only when its own evidence holds (a listed
section is not proposed when a table cell answers clearly better, a whole row only when it beats
the best single cell, cells only when they cover the question as well as the best sentence), so
the precedence only orders answers that each stand on their own. Then the short-answer strategies
(``yesno`` for yes/no questions, else ``span``) take the value or span the chosen answer gives.
"""

from __future__ import annotations

from qa.answering.candidate import Candidate, evidence_features, gather
from qa.answering.context import AnswerContext
from qa.answering.strategies import abstain, arithmetic, items, listing, sentences, span, table, unit, yesno
from qa.answering.strategies.cells import reveal_table_conflict
from qa.question import AnalysedQuestion
from qa.retrieval.tables import ValueMatch
from qa.schema import Passage

STRATEGIES = (abstain, unit, listing, table, arithmetic, items, sentences)

PRECEDENCE: tuple[str, ...] = (
    "abstain:unknown-words",  # the question is about something the paper never names
    "yesno:unknown-words",  # ... and for a yes/no question about the paper itself, that means No
    "unit",
    "listing",
    "table:missing",
    "table:line",
    "table:rows",
    "arithmetic",
    "table:cells",
    "items",
    "sentences",
    "yesno:absent",  # a yes/no question about the paper that nothing in it supports: No
    "abstain",  # nothing else stands
)


def choose(candidates: list[Candidate]) -> Candidate:
    """The winning candidate: first strategy in :data:`PRECEDENCE`, then the best score."""
    rank = {name: i for i, name in enumerate(PRECEDENCE)}
    return min(candidates, key=lambda c: (rank[c.strategy], -c.score))


def compose_answer(
    ctx: AnswerContext, question: AnalysedQuestion, passages: list[Passage], matches: list[ValueMatch]
) -> Candidate:
    """Gather the evidence, collect every strategy's candidates, pick one, add its short answer.

    Args:
        ctx: Precomputed document evidence.
        question: The analysed question.
        passages: Retrieved passages, best first (the sentences considered come from these).
        matches: Table values scored against the question, best first.
    """
    evidence = gather(ctx, question, passages, matches)
    candidates = [c for strategy in STRATEGIES for c in strategy.propose(evidence)]
    candidates += yesno.propose_absent(evidence)
    chosen = choose(candidates)
    if chosen.short_answer is None:
        shorts = (yesno if question.answer_type == "yesno" else span).propose(evidence, chosen)
        chosen.short_answer = shorts[0] if shorts else None
        reveal_table_conflict(evidence, chosen)
    chosen.features = evidence_features(evidence)
    return chosen
