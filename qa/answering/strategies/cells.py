"""Answers made of table cells (shared by the table and arithmetic strategies): each cell cited as
caption > row > column, printed with its unit, followed by any arithmetic on the cells and by a note
for every cell the paper contradicts elsewhere."""

from __future__ import annotations

from collections.abc import Callable

from qa.answering.candidate import Candidate, Evidence
from qa.answering.conflicts import Mismatch
from qa.answering.context import (
    AnswerContext,
    Citations,
    cell_citation,
    cell_phrase,
    sentence_citation,
    value_with_unit,
    with_unit,
)
from qa.retrieval.tables import ValueMatch
from qa.schema import Computation, Conflict, ConflictValue, TableValue

Compute = Callable[[list[TableValue], Citations], list[Computation]]


def compose_cells(
    ev: Evidence,
    chosen: list[ValueMatch],
    strategy: str,
    compute: Compute | None = None,
    cites: Citations | None = None,
) -> Candidate:
    """An answer quoting the ``chosen`` cells (best first), with ``compute``'s arithmetic and conflict notes."""
    ctx = ev.ctx
    cites = cites or Citations()
    top = chosen[0]
    lines = []
    hits = []
    for m in chosen:
        n = cites.add(cell_citation(m.value))
        lines.append(f"{cell_phrase(m.value)} [{n}]")
        hits.append(m.hit())
    caption = top.value.caption.rstrip(" .:")  # 'Table 2. Yields by site.' is introduced with one colon
    text = f"{caption}:\n" + "\n".join(f"- {line}" for line in lines)

    computations = compute([m.value for m in chosen], cites) if compute else []
    for comp in computations:
        text += f"\n{comp.expression}"

    conflicts = []
    for m in chosen:
        mismatches = ctx.conflicts.find(m.value)
        if mismatches:
            conflict, note = describe_conflict(ctx, m.value, mismatches, cites)
            conflicts.append(conflict)
            text += note
    return Candidate(
        strategy=strategy,
        answer=text,
        score=top.score,
        citations=cites.items,
        table_values=hits,
        conflicts=conflicts,
        computations=computations,
    )


def describe_conflict(
    ctx: AnswerContext, cell: TableValue, mismatches: list[Mismatch], cites: Citations
) -> tuple[Conflict, str]:
    """The contradiction between ``cell`` and the sentences giving other figures, and the note that
    says so in the answer (each figure cited)."""
    values = [
        ConflictValue(
            value=cell.value,
            number=float(cell.number or 0),
            unit=cell.unit,
            citation_id=cell.id,
            section=cell.section,
        )
    ]
    notes = [f"{cell.table} gives {value_with_unit(cell)} [{cites.add(cell_citation(cell))}]"]
    for mismatch in mismatches:
        citation = sentence_citation(ctx, mismatch.sentence_index)
        n = cites.add(citation)
        values.append(
            ConflictValue(
                value=mismatch.mention.text,
                number=mismatch.mention.value,
                unit="%" if mismatch.mention.percent else None,
                citation_id=citation.id,
                section=citation.section,
            )
        )
        notes.append(f"{citation.section} gives {mismatch.mention.text}: “{citation.quote}” [{n}]")
    measure = f"{cell.row} — {cell.column}" + (f" — {cell.item}" if cell.item else "")
    note = (
        f"\nNote: the paper gives different figures for {measure}: "
        + "; ".join(notes)
        + ". These figures differ."
    )
    return Conflict(measure=measure, values=values), note


def use_table(ev: Evidence) -> bool:
    """Whether the best confident cell answers better than the best sentence."""
    s = ev.ctx.settings
    best_sentence, best_cell = ev.best_sentence, ev.best_cell
    if best_cell is None:
        return False
    return (
        best_sentence is None
        or best_cell.named_table
        or best_cell.coverage >= best_sentence.coverage - s.cell_coverage_slack
        or (
            best_cell.fully_named
            and best_cell.coverage >= best_sentence.coverage - s.named_cell_coverage_slack
        )
        or bool(ev.ctx.conflicts.find(best_cell.value))
        or (
            ev.question.intent.arithmetic
            and sum(m.value.table == best_cell.value.table for m in ev.confident) >= 2
        )
    )


# how many of the question's best table matches are checked for a figure a quoted sentence contradicts
CONFLICT_MATCHES = 10


def reveal_table_conflict(ev: Evidence, chosen: Candidate) -> None:
    """When the figure a quoted sentence answers with is one a table cell contradicts ('79 ms' in the
    text, 86 in the table), say so: the cell is cited, the note added and both figures made the short
    answer. The contradiction is the :class:`ConflictFinder`'s, found from the cell's side."""
    if chosen.strategy != "sentences" or chosen.conflicts or not chosen.short_answer:
        return
    position = ev.ctx.evidence.position
    quoted = {position[c.id] for c in chosen.citations if c.kind == "sentence" and c.id in position}
    for m in ev.matches[:CONFLICT_MATCHES]:
        mismatches = ev.ctx.conflicts.find(m.value)
        if not any(
            x.sentence_index in quoted and x.mention.text.strip() in chosen.short_answer for x in mismatches
        ):
            continue
        cites = Citations()
        for citation in chosen.citations:
            cites.add(citation)
        conflict, note = describe_conflict(ev.ctx, m.value, mismatches, cites)
        others = [
            with_unit(v.value, v.unit) for v in conflict.values if v.value.strip() not in chosen.short_answer
        ]
        figures = dict.fromkeys([chosen.short_answer, *others])
        chosen.answer += note
        chosen.citations = cites.items
        chosen.table_values.append(m.hit())
        chosen.conflicts.append(conflict)
        chosen.short_answer = " or ".join(figures) + " (the paper gives different figures)"
        return
