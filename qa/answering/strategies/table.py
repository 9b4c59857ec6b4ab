"""Table cells: the cell (or cells) the question names, a whole row or column ('in each year'), a
whole table, the rows of a table ('which initiatives ...'), or the cells printed without a figure
('which have no data'). Each candidate says when it applies; the arbiter decides between them."""

from __future__ import annotations

from qa.answering.candidate import Candidate, Evidence, cell_ok
from qa.answering.context import AnswerContext, Citations, cell_citation
from qa.answering.strategies.arithmetic import compute
from qa.answering.strategies.cells import compose_cells, use_table
from qa.question.intent import Intent
from qa.retrieval.query import QueryTerms
from qa.retrieval.tables import FULLY_NAMED, ValueMatch
from qa.schema import Citation, TableValue
from qa.text import tokenize


def _missing_values(ctx: AnswerContext, matches: list[ValueMatch]) -> list[TableValue]:
    """Cells printed without a number (N/A) in the column the question names."""
    top = next((m for m in matches if m.column is not None and m.column >= FULLY_NAMED), None)
    if top is None:
        return []
    return [
        v
        for v in ctx.doc.table_values
        if v.table == top.value.table
        and v.column == top.value.column
        and v.number is None
        and v.unit is not None
    ]


def _whole_line(ctx: AnswerContext, matches: list[ValueMatch]) -> list[ValueMatch]:
    """All cells of the row (or column) a question names when it names no column (row): 'in each country'."""
    for m in matches[:3]:
        if m.coverage < ctx.settings.whole_line_coverage or m.year_ok is False:
            continue
        if (
            m.row is not None
            and m.row >= FULLY_NAMED
            and (m.column is None or m.column < ctx.settings.min_field_score)
        ):
            return [o for o in matches if o.value.table == m.value.table and o.value.row == m.value.row]
        if (
            m.column is not None
            and m.column >= FULLY_NAMED
            and (m.row is None or m.row < ctx.settings.min_field_score)
        ):
            return [o for o in matches if o.value.table == m.value.table and o.value.column == m.value.column]
    return []


def _whole_table(
    ctx: AnswerContext, matches: list[ValueMatch], confident: list[ValueMatch]
) -> list[ValueMatch]:
    """All cells of a table when the question is about the table as a whole (it matches the caption
    and the question's words are all explained by the table) but names no row or column."""
    if not matches:
        return []
    top = matches[0]
    if top.coverage < ctx.settings.whole_table_coverage or top.year_ok is False or cell_ok(ctx, top):
        return []
    if confident and confident[0].value.table == top.value.table:
        return []
    return [m for m in matches if m.value.table == top.value.table]


def _table_row_listing(
    ctx: AnswerContext, terms: QueryTerms, intent: Intent, matches: list[ValueMatch]
) -> list[TableValue] | None:
    """For 'which initiatives ...' style questions: the rows of the table whose row-label header the
    question names (e.g. header 'Initiative'), one value per row."""
    if not intent.listing:
        return None
    query = set(terms.content) | set(terms.expansions)
    for table in ctx.doc.tables:
        if not table.rows or len(table.rows) < 2:
            continue
        header_terms = set(tokenize(table.header[0]))
        caption_terms = set(tokenize(table.caption))
        if header_terms and header_terms <= query and len(caption_terms & query) >= 1:
            firsts = {}
            for v in ctx.doc.table_values:
                if v.table == table.label and v.row not in firsts:
                    firsts[v.row] = v
            return list(firsts.values())
    return None


def _named_as_clearly(m: ValueMatch, top: ValueMatch, slack: float = 0.1) -> bool:
    """A second cell differing from the best in its row (column, part) must be named about as
    clearly there: 'people of A ... with B' names the column of A, not both."""
    for name, differs in (
        ("row", m.value.row != top.value.row),
        ("column", m.value.column != top.value.column),
        ("item", m.value.item != top.value.item),
    ):
        ours, best = getattr(m, name), getattr(top, name)
        if differs and ours is not None and best is not None and ours < best - slack:
            return False
    return True


def _same_group(a: ValueMatch, b: ValueMatch) -> bool:
    return a.value.table == b.value.table


def _compose_missing(values: list[TableValue], cites: Citations) -> Candidate:
    lines = [f"- {v.row}: {v.value} [{cites.add(cell_citation(v))}]" for v in values]
    return Candidate(
        strategy="table:missing",
        answer=f"{values[0].caption} — no figure is given for {values[0].column} here:\n" + "\n".join(lines),
        citations=cites.items,
        table_values=[ValueMatch(v, 1.0, None, None, None, 1.0, 0.0, None, False).hit() for v in values],
    )


def _compose_rows(values: list[TableValue], cites: Citations) -> Candidate:
    lines = []
    for v in values:
        n = cites.add(
            Citation(id=f"{v.id}.row", section=f"{v.caption} > {v.row}", quote=v.row, kind="table_cell")
        )
        lines.append(f"- {v.row} [{n}]")
    return Candidate(
        strategy="table:rows",
        answer=f"{values[0].caption}, rows:\n" + "\n".join(lines),
        citations=cites.items,
    )


def _chosen_cells(ev: Evidence) -> list[ValueMatch]:
    """The best cell and the siblings named as clearly (several only for list questions)."""
    s = ev.ctx.settings
    confident, intent = ev.confident, ev.question.intent
    top = confident[0]
    chosen = [top]
    for m in confident[1:]:
        if _same_group(top, m) and m.score >= top.score - s.sibling_cell_slack and len(chosen) < 6:
            chosen.append(m)
    if not intent.listing and len(chosen) > 1:
        # keep only cells as strong as the best, and named as clearly on the field where they differ
        chosen = [
            m for m in chosen if m.score >= top.score - s.equal_cell_slack and _named_as_clearly(m, top)
        ] or [top]
    return chosen


def _wrong_kind(question_type: str, cells: list[ValueMatch]) -> bool:
    """A 'who' or 'where' question is not answered by figures ('Who aged the fish?' is not the
    'Fish aged (n)' column's 57)."""
    return question_type in ("person", "place") and all(m.value.number is not None for m in cells)


def propose(ev: Evidence) -> list[Candidate]:
    """Every table answer that applies to this question (see module docstring)."""
    ctx, question, matches, confident = ev.ctx, ev.question, ev.matches, ev.confident
    intent = question.intent
    out: list[Candidate] = []
    if intent.missing and not confident:
        missing = _missing_values(ctx, matches)
        if missing:
            out.append(_compose_missing(missing, Citations()))
    line = _whole_line(ctx, matches) or _whole_table(ctx, matches, confident)
    if (
        line
        and (not confident or line[0].score > confident[0].score)
        and not _wrong_kind(question.answer_type, line)
    ):
        arithmetic = (lambda cells, cites: compute(intent, cells, cites)) if intent.arithmetic else None
        out.append(compose_cells(ev, line[:12], "table:line", arithmetic))
    rows = _table_row_listing(ctx, question.terms, intent, matches)
    if rows is not None and not (
        confident and confident[0].row is not None and confident[0].row >= FULLY_NAMED
    ):
        out.append(_compose_rows(rows, Citations()))
    if not intent.arithmetic and use_table(ev):
        cells = _chosen_cells(ev)
        if not _wrong_kind(question.answer_type, cells):
            out.append(compose_cells(ev, cells, "table:cells"))
    return out
