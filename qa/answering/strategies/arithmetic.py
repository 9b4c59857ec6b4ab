"""Arithmetic on cells: a difference, sum, ratio, share of a total or comparison is computed in code
from the cells the question names and shown with each operand cited."""

from __future__ import annotations

import re

from qa.answering.candidate import Candidate, Evidence
from qa.answering.context import AnswerContext, Citations, cell_citation, with_unit
from qa.answering.strategies.cells import compose_cells, use_table
from qa.question.intent import Intent
from qa.retrieval.tables import FULLY_NAMED, ValueMatch
from qa.schema import Computation, TableValue
from qa.text import format_number

_TOTAL = re.compile(r"\btotal\b", re.IGNORECASE)


def is_total(match: ValueMatch) -> bool:
    """Whether the cell's row or column is labelled as a total ('Total Trade Volume')."""
    return bool(_TOTAL.search(f"{match.value.column} {match.value.row}"))


def arithmetic_cells(
    ctx: AnswerContext, top: ValueMatch, candidates: list[ValueMatch], intent: Intent
) -> list[ValueMatch]:
    """The cells a comparison or sum is about: the best one and its best siblings in the same row or
    column; for 'share of the total', the best part and the table's total."""
    siblings = [
        m
        for m in candidates
        if m is not top
        and m.value.table == top.value.table
        and m.value.number is not None
        and m.value.unit == top.value.unit  # 1,400,000 refugees and 15% neither add nor compare
        and (m.value.row == top.value.row or m.value.column == top.value.column)
    ]
    if intent.share_of_total:
        total = [m for m in siblings if is_total(m)]
        if is_total(top):
            parts = [m for m in siblings if m.score >= top.score - ctx.settings.share_part_slack]
            return [parts[0], top] if parts else [top]
        return [top, total[0]] if total else [top]

    def names_it(m: ValueMatch) -> bool:
        # the question must name what tells this cell apart from the best one
        if m.value.row == top.value.row and m.value.column == top.value.column:
            return m.item is not None and m.item >= ctx.settings.min_field_score
        if m.value.row == top.value.row:
            return m.column is not None and m.column >= ctx.settings.min_field_score
        if m.year_ok and m.value.year != top.value.year:
            return True  # rows that are years are named by the year ('between 2021 and 2022')
        return m.row is not None and m.row >= ctx.settings.min_field_score

    named = [m for m in siblings if m.score >= top.score - ctx.settings.operand_slack and names_it(m)]
    if intent.total:
        # a sum adds parts: a cell labelled as the total is the answer itself, never one more part
        if is_total(top):
            return [top]
        return [top, *[m for m in named if not is_total(m)][:5]]
    return [top, *named[:1]]


def compute(intent: Intent, cells: list[TableValue], cites: Citations) -> list[Computation]:
    """Difference, sum, share of total, ratio or comparison of the first numeric cells, shown step by step."""
    numeric = [c for c in cells if c.number is not None]
    if not intent.arithmetic or len(numeric) < 2:
        return []
    a, b = numeric[0], numeric[1]
    ids = [a.id, b.id]
    na, nb = cites.add(cell_citation(a)), cites.add(cell_citation(b))
    unit = a.unit if a.unit and all(c.unit == a.unit for c in numeric) else None
    if intent.share_of_total and b.number:
        result = a.number / b.number * 100
        expr = f"Share: {a.value} [{na}] ÷ {b.value} [{nb}] × 100 = {format_number(round(result, 2))}%"
        return [Computation(operation="ratio", operands=ids, expression=expr, result=result)]
    if intent.difference:
        big, small = (a, b) if a.number >= b.number else (b, a)
        result = big.number - small.number
        expr = (
            f"Difference: {big.value} [{cites.add(cell_citation(big))}] − {small.value} "
            f"[{cites.add(cell_citation(small))}] = {with_unit(format_number(result), unit)}"
        )
        return [
            Computation(operation="difference", operands=[big.id, small.id], expression=expr, result=result)
        ]
    if intent.total:
        result = sum(c.number for c in numeric)
        parts = " + ".join(f"{c.value} [{cites.add(cell_citation(c))}]" for c in numeric)
        return [
            Computation(
                operation="sum",
                operands=[c.id for c in numeric],
                expression=f"Total: {parts} = {with_unit(format_number(result), unit)}",
                result=result,
            )
        ]
    if intent.ratio and b.number:
        result = a.number / b.number
        expr = f"Ratio: {a.value} [{na}] ÷ {b.value} [{nb}] = {format_number(round(result, 3))}"
        return [Computation(operation="ratio", operands=ids, expression=expr, result=result)]
    larger, smaller = (a, b) if a.number >= b.number else (b, a)
    label = lambda c: c.item or (c.row if c.row != a.row or c.row != b.row else c.column)  # noqa: E731
    expr = (
        f"Comparison: {label(larger)} ({larger.value}) is larger than {label(smaller)} ({smaller.value}); "
        f"difference {with_unit(format_number(larger.number - smaller.number), unit)}"
    )
    return [
        Computation(
            operation="compare",
            operands=[larger.id, smaller.id],
            expression=expr,
            result=larger.number - smaller.number,
        )
    ]


def extreme_cells(ctx: AnswerContext, top: ValueMatch, candidates: list[ValueMatch]) -> list[ValueMatch]:
    """For 'Which ... the highest <column>?': every figure of the column the question names (one unit,
    no total row), when it names the column and no row; else empty."""
    min_field = ctx.settings.min_field_score
    if top.row is not None and top.row >= min_field:
        return []
    return column_figures(top, candidates)


def column_figures(top: ValueMatch, candidates: list[ValueMatch]) -> list[ValueMatch]:
    """The figures of ``top``'s column among ``candidates`` (one unit, no total row); empty when fewer
    than two, as nothing is then compared."""
    column = [
        m
        for m in candidates
        if m.value.table == top.value.table
        and m.value.column == top.value.column
        and m.value.item == top.value.item
        and m.value.number is not None
        and m.value.unit == top.value.unit
        and not is_total(m)
    ]
    return column if len(column) >= 2 else []


def extreme(which: str, cells: list[TableValue], cites: Citations) -> list[Computation]:
    """The row holding the column's highest (lowest) figure, every row cited."""
    ranked = sorted(cells, key=lambda c: c.number or 0.0, reverse=which == "max")
    word = "Highest" if which == "max" else "Lowest"
    order = ", ".join(f"{c.row} {c.value} [{cites.add(cell_citation(c))}]" for c in ranked)
    return [
        Computation(
            operation="compare",
            operands=[c.id for c in ranked],
            expression=f"{word} {ranked[0].column}: {ranked[0].row} ({ranked[0].value}); in order: {order}",
            result=float(ranked[0].number or 0.0),
        )
    ]


def _is_extreme(ev: Evidence, which: str) -> list[Candidate]:
    """'Did the diglyme electrolyte give the highest initial capacity?': Yes when the named row holds the
    named column's highest (lowest) figure, else No, with every figure of the column cited."""
    top = ev.matches[0]
    min_field = ev.ctx.settings.min_field_score
    if not top.fully_named or top.row is None or top.row < min_field or top.year_ok is False:
        return []
    column = column_figures(top, ev.matches)
    if not column:
        return []
    answer = compose_cells(ev, column, "arithmetic", lambda cells, cites: extreme(which, cells, cites))
    winner = answer.computations[0].operands[0]
    answer.short_answer = "Yes" if winner == top.value.id else "No"
    return [answer]


def propose(ev: Evidence) -> list[Candidate]:
    """The arithmetic the question asks for, on the best cell and the siblings it names."""
    intent = ev.question.intent
    if intent.extreme and ev.matches and ev.question.answer_type == "yesno":
        return _is_extreme(ev, intent.extreme)
    if intent.extreme and ev.matches:
        # the row is what is asked, so no cell is named in full: the column must be, outright
        top = ev.matches[0]
        # named outright before the order decay ('the lowest share ... seen within the target time': the
        # column is named late, after the row's own words, which ranks siblings but names it no less)
        named = top.named[1] if top.named[1] is not None else top.column
        column = extreme_cells(ev.ctx, top, ev.matches) if (named or 0.0) >= FULLY_NAMED else []
        if column and top.year_ok is not False:
            which = intent.extreme
            answer = compose_cells(
                ev, column, "arithmetic", lambda cells, cites: extreme(which, cells, cites)
            )
            winner = next(m.value for m in column if m.value.id == answer.computations[0].operands[0])
            answer.short_answer = winner.row  # the question asks which row, not the figure
            return [answer]
        if not (intent.difference or intent.total or intent.ratio or intent.share_of_total):
            # 'Which detail saw the fewest cycles?' without a column named outright: the highest of two
            # cells the question half-names (of two columns, in two units) is no answer to it
            return []
    if not intent.arithmetic or not use_table(ev):
        return []
    chosen = arithmetic_cells(ev.ctx, ev.confident[0], ev.matches or ev.confident, intent)
    return [compose_cells(ev, chosen, "arithmetic", lambda cells, cites: compute(intent, cells, cites))]
