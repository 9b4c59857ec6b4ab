"""Units: 'In what unit is X measured?' is answered with the caption and the unit of each column of
the table whose caption and headers cover the question best."""

from __future__ import annotations

from qa.answering.candidate import Candidate, Evidence
from qa.answering.context import AnswerContext, Citations
from qa.retrieval.query import QueryTerms
from qa.schema import Citation
from qa.text import tokenize


def _best_table(ctx: AnswerContext, terms: QueryTerms):
    """The table whose caption and headers cover most of the question's words."""
    query = set(terms.content) | set(terms.expansions)
    best, best_score = None, 0.0
    for table in ctx.doc.tables:
        words = set(tokenize(table.caption + " " + " ".join(table.header)))
        score = sum(ctx.vocab.weight(t) for t in query & words)
        if score > best_score:
            best, best_score = table, score
    return best


def _compose_unit(ctx: AnswerContext, table, cites: Citations) -> Candidate:
    units = []
    for v in ctx.doc.table_values:
        if v.table == table.label and v.unit and (v.column, v.unit) not in units:
            units.append((v.column, v.unit))
    n = cites.add(
        Citation(
            id=f"{table.key}.caption",
            section=table.caption,
            quote=table.caption,
            kind="table_cell",
        )
    )
    parts = "; ".join(f"{column}: {unit}" for column, unit in units) or "no unit is given"
    return Candidate(
        strategy="unit",
        answer=f"{table.caption} [{n}]\nUnits by column: {parts}.",
        abstained=False,
        citations=cites.items,
    )


def propose(ev: Evidence) -> list[Candidate]:
    if not ev.question.intent.unit:
        return []
    table = _best_table(ev.ctx, ev.question.terms)
    return [] if table is None else [_compose_unit(ev.ctx, table, Citations())]
