"""Answers made of table cells (shared by the table and arithmetic strategies): each cell cited as
caption > row > column, printed with its unit, followed by any arithmetic on the cells and by a note
for every cell the paper contradicts elsewhere."""

from __future__ import annotations

from collections.abc import Callable

from qa.answering.candidate import Candidate, Evidence
from qa.answering.context import Citations, cell_citation, cell_phrase, sentence_citation, value_with_unit
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
    caption = top.value.caption
    text = f"{caption}:\n" + "\n".join(f"- {line}" for line in lines)

    computations = compute([m.value for m in chosen], cites) if compute else []
    for comp in computations:
        text += f"\n{comp.expression}"

    conflicts = []
    for m in chosen:
        mismatches = ctx.conflicts.find(m.value)
        if not mismatches:
            continue
        values = [
            ConflictValue(
                value=m.value.value,
                number=float(m.value.number or 0),
                unit=m.value.unit,
                citation_id=m.value.id,
                section=m.value.section,
            )
        ]
        notes = [f"{m.value.table} gives {value_with_unit(m.value)} [{cites.add(cell_citation(m.value))}]"]
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
        measure = f"{m.value.row} — {m.value.column}" + (f" — {m.value.item}" if m.value.item else "")
        conflicts.append(Conflict(measure=measure, values=values))
        text += (
            f"\nNote: the paper gives different figures for {measure}: "
            + "; ".join(notes)
            + ". These figures differ."
        )
    return Candidate(
        strategy=strategy,
        answer=text,
        score=top.score,
        citations=cites.items,
        table_values=hits,
        conflicts=conflicts,
        computations=computations,
    )


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
