"""Short span: the value or span of the chosen answer that answers the question (pure).

- arithmetic on cells: the computed result (the expression is shown in the answer);
- one table cell: the cell as printed with its unit; when the paper contradicts it, every figure;
- quoted sentences: the span of the wanted kind (number, date, person, place, list, phrase) closest
  to the question's words in the first cited sentence that has one (see :mod:`qa.answering.spans`);
- quoted front matter ('key: value' lines): the span of the wanted kind in the value of the field
  the question names (:func:`metadata_values`).

None when only a passage fits (several cells, a section's items, no span of the wanted kind).
"""

from __future__ import annotations

import re

from qa.answering.candidate import Candidate, Evidence
from qa.answering.context import with_unit
from qa.answering.spans import best_span, kind_span
from qa.text import format_number, tokenize

_PERCENT = re.compile(r"%|\bpercent|\bshare\b|\bproportion", re.IGNORECASE)
_WHICH = re.compile(r"^\s*(?:which|who|what)\b(?!\s+(?:is|was)\s+the\s+(?:difference|gap)\b)", re.IGNORECASE)
_SMALLER = re.compile(r"\b(?:less|least|smaller|smallest|lower|lowest|fewer|fewest)\b", re.IGNORECASE)
_FIELD = re.compile(r"^(?P<indent>\s*)(?:-\s+)?(?P<key>[\w -]+?):\s*(?P<value>.*)$")


def metadata_values(quote: str, stems: set[str]) -> list[str]:
    """The values of the front-matter fields the question names, from a quoted 'key: value' block.

    Each field is named by its key and the keys it sits under ('corresponding_author: / name:'); the
    fields whose names share most words with the question are returned (several on a tie), only
    fields with a value count. Empty when no field's names share a word with the question: then the
    block is the answer, not one value picked by position.
    """
    best: list[str] = []
    best_overlap = 0
    parents: list[tuple[int, str]] = []  # (indent, key) of the keys above this line
    for line in quote.splitlines():
        field = _FIELD.match(line)
        if field is None:
            continue
        indent = len(field["indent"])
        parents = [(i, k) for i, k in parents if i < indent]
        key = field["key"].replace("_", " ")
        value = field["value"].strip()
        if not value:
            parents.append((indent, key))
            continue
        overlap = len(set(tokenize(" ".join([*(k for _, k in parents), key]))) & stems)
        if overlap > best_overlap:
            best, best_overlap = [value], overlap
        elif overlap == best_overlap and overlap:
            best.append(value)
    return best


def propose(ev: Evidence, chosen: Candidate) -> list[str]:
    """Short answers for ``chosen``, best first (empty when only the passage fits)."""
    if chosen.abstained or not chosen.citations:
        return []
    if chosen.computations:
        computed = chosen.computations[0]
        if computed.operation == "compare" and _WHICH.search(ev.question.text):
            # 'Which ... more, A or B?' is answered by the winner's name, not by the margin
            cells = {h.id: h for h in chosen.table_values}
            if all(i in cells for i in computed.operands[:2]):
                larger, smaller = (cells[i] for i in computed.operands[:2])
                winner = smaller if _SMALLER.search(ev.question.text) else larger
                for field in ("item", "row", "column"):
                    if getattr(larger, field) != getattr(smaller, field) and getattr(winner, field):
                        return [getattr(winner, field)]
        units = {h.unit for h in chosen.table_values if h.id in computed.operands}
        # a sum, difference or comparison keeps its operands' one unit; a ratio or share has none
        unit = units.pop() if computed.operation != "ratio" and len(units) == 1 else None
        return [with_unit(format_number(computed.result), unit)]
    first = chosen.citations[0]
    if first.kind == "table_cell":
        cited = {c.id for c in chosen.citations if c.kind == "table_cell"}
        hits = [h for h in chosen.table_values if h.id in cited]
        if len(hits) != 1:
            return []
        if chosen.conflicts:
            # never hide a contradiction behind one bold figure: give each figure the paper prints
            figures = [with_unit(v.value, v.unit) for v in chosen.conflicts[0].values]
            return [" or ".join(dict.fromkeys(figures)) + " (the paper gives different figures)"]
        return [with_unit(hits[0].value, hits[0].unit)]
    question = ev.question
    stems = set(question.terms.content) | set(question.terms.expansions)
    if question.answer_type == "span":
        # a phrase is picked by rule only for 'what kind of N' (the words in front of N); otherwise the
        # quoted passage is the answer
        kinds = (kind_span(c.quote, question.text, stems) for c in chosen.citations if c.kind == "sentence")
        return [span.text for span in kinds if span is not None][:1]
    percent = True if _PERCENT.search(question.text) else (False if question.intent.count else None)
    out = []
    for citation in chosen.citations:
        if citation.kind == "metadata":
            # the one span of the wanted kind among the fields the question names; none when they
            # tie with different answers ('revised ... received': two dates)
            found = {
                span.text
                for value in metadata_values(citation.quote, stems)
                if (span := best_span(value, question.answer_type, question.text, set(), percent=percent))
            }
            if len(found) == 1:
                out.append(found.pop())
            continue
        if citation.kind != "sentence":
            continue
        span = best_span(
            citation.quote,
            question.answer_type,
            question.text,
            stems,
            percent=percent,
            count=question.expected_count,
            years=question.terms.years,
            counted=question.counted,
            money=question.intent.money,
            lowercase=ev.ctx.lowercase_words,
        )
        if span is not None:
            out.append(span.text)
    return out
