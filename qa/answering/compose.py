"""Compose a grounded answer from retrieved passages and matched table values (pure given arrays).

The answer text is made only of the paper's own sentences (quoted verbatim) and table cells (as
printed), each followed by its citation number; arithmetic on cells is done here and shown. When
the evidence does not cover the question the answer says so, cites nothing, and names the closest
sections as a pointer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from qa.answering.conflicts import ConflictFinder
from qa.answering.evidence import EvidenceBase, SentenceScore
from qa.answering.intent import Intent
from qa.retrieval.query import QueryTerms, Vocabulary
from qa.retrieval.tables import TableMatcher, ValueMatch
from qa.schema import (
    Citation,
    Computation,
    Conflict,
    ConflictValue,
    Document,
    Passage,
    Section,
    TableValue,
    TableValueHit,
)
from qa.settings import AnswerSettings
from qa.text import format_number, is_year, tokenize

logger = logging.getLogger(__name__)

# Calibrated on the gold set's answerable vs unanswerable questions (see `qa eval`).
MIN_SENTENCE_SCORE = 0.42
MIN_SENTENCE_COVERAGE = 0.5
MIN_CELL_SCORE = 0.55
MIN_FIELD_SCORE = 0.5
SECOND_SENTENCE_RATIO = 0.88
MAX_UNKNOWN_SHARE = 0.3


@dataclass
class Composed:
    """The parts of an :class:`~qa.schema.Answer` the composer decides."""

    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    table_values: list[TableValueHit] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    computations: list[Computation] = field(default_factory=list)
    related_sections: list[str] = field(default_factory=list)


class AnswerContext:
    """Everything composition needs, computed once per loaded assistant."""

    def __init__(self, doc: Document, evidence: EvidenceBase, matcher: TableMatcher, vocab: Vocabulary,
                 chunk_sentences: dict[str, list[int]], settings: AnswerSettings) -> None:
        self.doc = doc
        self.evidence = evidence
        self.matcher = matcher
        self.vocab = vocab
        self.chunk_sentences = chunk_sentences
        self.settings = settings
        self.conflicts = ConflictFinder(doc.table_values, evidence, vocab)
        self.sections = {s.id: s for s in doc.sections}
        self.children: dict[str, list[Section]] = {}
        for s in doc.sections:
            if s.parent_id:
                self.children.setdefault(s.parent_id, []).append(s)
        self.section_terms = {s.id: set(tokenize(s.title)) for s in doc.sections}
        self.section_sentences: dict[str, list[int]] = {}
        for i, s in enumerate(doc.sentences):
            self.section_sentences.setdefault(s.section_id, []).append(i)


class _Citations:
    """Numbers citations in order of first use."""

    def __init__(self) -> None:
        self.items: list[Citation] = []

    def add(self, citation: Citation) -> int:
        for n, existing in enumerate(self.items, 1):
            if existing.id == citation.id:
                return n
        self.items.append(citation)
        return len(self.items)


def sentence_citation(ctx: AnswerContext, index: int, passage_id: str | None = None) -> Citation:
    s = ctx.doc.sentences[index]
    kind = "metadata" if s.section_id.endswith("front-matter") else "sentence"
    return Citation(id=s.id, section=s.section, quote=s.text, kind=kind,
                    start=None if kind == "metadata" else s.start, end=None if kind == "metadata" else s.end,
                    passage_id=passage_id)


def cell_citation(value: TableValue) -> Citation:
    return Citation(id=value.id, section=value.section, quote=value.value, kind="table_cell")


def _cell_phrase(value: TableValue) -> str:
    label = f"{value.row} — {value.column}" + (f" — {value.item}" if value.item else "")
    unit = f" {value.unit}" if value.unit and value.unit != "%" and value.number is not None else ""
    year = f" ({value.year})" if value.year and str(value.year) not in label else ""
    return f"{label}{year}: {value.value}{unit}"


def _confident(match: ValueMatch) -> bool:
    fields_ok = all(f is None or f >= MIN_FIELD_SCORE for f in (match.row, match.column, match.item))
    any_field = any(f is not None and f >= MIN_FIELD_SCORE for f in (match.row, match.column, match.item))
    return (
        fields_ok
        and (any_field or match.named_table)
        and match.year_ok is not False
        and match.score >= MIN_CELL_SCORE
    )


def _needs_number(intent: Intent) -> bool:
    return intent.numeric and not intent.listing


def _sentence_ok(ctx: AnswerContext, s: SentenceScore, terms: QueryTerms, intent: Intent) -> bool:
    if s.score < MIN_SENTENCE_SCORE or s.coverage < MIN_SENTENCE_COVERAGE:
        return False
    years = [y for y in terms.years]
    if years:
        stated = ctx.evidence.years[s.index]
        if not stated & set(years):
            return False
    if _needs_number(intent):
        numbers = ctx.evidence.numbers[s.index]
        if intent.count:
            numbers = [m for m in numbers if not m.percent]
        if not numbers:
            return False
    return True


def _section_listing(ctx: AnswerContext, terms: QueryTerms, intent: Intent) -> Section | None:
    """A section whose title the question names and that is the question's whole topic."""
    query = set(terms.content) | set(terms.expansions)
    weights = {t: ctx.vocab.weight(t) for t in terms.content if not is_year(t)}
    total = sum(weights.values()) or 1.0
    best: tuple[float, Section] | None = None
    for section in ctx.doc.sections:
        title = ctx.section_terms[section.id]
        if not title or not title <= query:
            continue
        if not ctx.section_sentences.get(section.id) and not ctx.children.get(section.id):
            continue
        share = sum(w for t, w in weights.items() if t in title) / total
        if share >= 0.5 and (best is None or share > best[0]):
            best = (share, section)
    if best is None:
        return None
    section = best[1]
    body = ctx.section_sentences.get(section.id, [])
    is_list = any(p.kind == "list_item" for p in section.paragraphs)
    if is_list or (intent.listing and (len(body) <= ctx.settings.max_list_items)) or not body:
        return section
    return None


def _abstain(passages: list[Passage], reason: str, unknown_words: list[str] | None = None) -> Composed:
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
    return Composed(answer=text, abstained=True, related_sections=related)


def compose_answer(
    ctx: AnswerContext,
    terms: QueryTerms,
    intent: Intent,
    passages: list[Passage],
    query_vector: np.ndarray,
    matches: list[ValueMatch],
) -> Composed:
    """Decide the answer: table cells, a section's items, quoted sentences, or an abstention.

    Args:
        ctx: Precomputed document evidence.
        terms: The (resolved) question's terms.
        intent: What form of answer the question expects.
        passages: Retrieved passages, best first (the sentences considered come from these).
        query_vector: The question's embedding.
        matches: Table values scored against the question, best first.

    Returns:
        The composed parts of the answer.
    """
    if not terms.content:
        return _abstain([], "no content words")
    unknown_years = [u for u in terms.unknown if is_year(u)]
    if terms.unknown_named or unknown_years or terms.unknown_share >= MAX_UNKNOWN_SHARE:
        return _abstain(passages, "words the paper never uses", terms.unknown_words)

    # Candidate sentences: those inside the retrieved passages, with a prior from the passage rank.
    candidates: list[int] = []
    prior: dict[int, float] = {}
    owner: dict[int, str] = {}
    for rank, passage in enumerate(passages):
        for i in ctx.chunk_sentences.get(passage.id, []):
            if i not in prior:
                candidates.append(i)
                prior[i] = 1.0 / (1.0 + 0.5 * rank)
                owner[i] = passage.id
    scored = ctx.evidence.score(terms, query_vector, candidates, prior)
    good = [s for s in scored if _sentence_ok(ctx, s, terms, intent)]
    confident = [m for m in matches if _confident(m)]

    cites = _Citations()
    listing = _section_listing(ctx, terms, intent)
    if listing is not None and not (confident and confident[0].score > (good[0].score if good else 0) + 0.1):
        return _compose_listing(ctx, listing, cites)

    best_sentence = good[0] if good else None
    best_cell = confident[0] if confident else None
    use_table = best_cell is not None and (
        best_sentence is None
        or best_cell.named_table
        or best_cell.score >= best_sentence.score - 0.05
        or (_needs_number(intent) and best_cell.value.number is not None)
    )
    if use_table and best_cell is not None:
        return _compose_table(ctx, terms, intent, confident, cites)
    if best_sentence is None:
        return _abstain(passages, "no sentence or cell covers the question")
    return _compose_sentences(ctx, good, owner, cites)


def _compose_listing(ctx: AnswerContext, section: Section, cites: _Citations) -> Composed:
    lines = []
    body = ctx.section_sentences.get(section.id, [])[: ctx.settings.max_list_items]
    for i in body:
        n = cites.add(sentence_citation(ctx, i))
        lines.append(f"- {ctx.doc.sentences[i].text} [{n}]")
    for child in ctx.children.get(section.id, [])[: ctx.settings.max_list_items]:
        first = (ctx.section_sentences.get(child.id) or [None])[0]
        if first is None:
            lines.append(f"- {child.title}")
            continue
        n = cites.add(sentence_citation(ctx, first))
        lines.append(f"- {child.title}: {ctx.doc.sentences[first].text} [{n}]")
    head = f"{section.title} ({section.path}):" if section.path != section.title else f"{section.title}:"
    return Composed(answer=head + "\n" + "\n".join(lines), abstained=False, citations=cites.items)


def _compose_sentences(ctx: AnswerContext, good: list[SentenceScore], owner: dict[int, str],
                       cites: _Citations) -> Composed:
    chosen = [good[0]]
    covered = set(good[0].matched)
    for s in good[1:]:
        if len(chosen) >= ctx.settings.max_sentences:
            break
        if s.score >= SECOND_SENTENCE_RATIO * good[0].score and not s.matched <= covered | set():
            chosen.append(s)
            covered |= s.matched
    parts = []
    for s in chosen:
        n = cites.add(sentence_citation(ctx, s.index, owner.get(s.index)))
        parts.append(f"“{ctx.doc.sentences[s.index].text}” [{n}]")
    return Composed(answer=" ".join(parts), abstained=False, citations=cites.items)


def _same_group(a: ValueMatch, b: ValueMatch) -> bool:
    return a.value.table == b.value.table


def _compose_table(ctx: AnswerContext, terms: QueryTerms, intent: Intent, confident: list[ValueMatch],
                   cites: _Citations) -> Composed:
    top = confident[0]
    chosen = [top]
    for m in confident[1:]:
        if _same_group(top, m) and m.score >= top.score - 0.08 and len(chosen) < 6:
            chosen.append(m)
    if not intent.arithmetic and not intent.listing and len(chosen) > 1:
        # keep only cells as strong as the best on every field the best one matched on
        chosen = [m for m in chosen if m.score >= top.score - 0.02] or [top]
    lines = []
    hits = []
    for m in chosen:
        n = cites.add(cell_citation(m.value))
        lines.append(f"{_cell_phrase(m.value)} [{n}]")
        hits.append(m.hit())
    caption = top.value.caption
    text = f"{caption}:\n" + "\n".join(f"- {line}" for line in lines)

    computations = _arithmetic(intent, [m.value for m in chosen], cites)
    for comp in computations:
        text += f"\n{comp.expression}"

    conflicts = []
    for m in chosen:
        mismatches = ctx.conflicts.find(m.value)
        if not mismatches:
            continue
        values = [ConflictValue(value=m.value.value, number=float(m.value.number or 0), unit=m.value.unit,
                                citation_id=m.value.id, section=m.value.section)]
        notes = [f"{m.value.table} gives {m.value.value}{' ' + m.value.unit if m.value.unit else ''} [{cites.add(cell_citation(m.value))}]"]
        for mismatch in mismatches:
            citation = sentence_citation(ctx, mismatch.sentence_index)
            n = cites.add(citation)
            values.append(ConflictValue(value=mismatch.mention.text, number=mismatch.mention.value,
                                        unit="%" if mismatch.mention.percent else None,
                                        citation_id=citation.id, section=citation.section))
            notes.append(f"{citation.section} gives {mismatch.mention.text}: “{citation.quote}” [{n}]")
        measure = f"{m.value.row} — {m.value.column}" + (f" — {m.value.item}" if m.value.item else "")
        conflicts.append(Conflict(measure=measure, values=values))
        text += f"\nNote: the paper gives different figures for {measure}: " + "; ".join(notes) + ". These figures differ."
    # also offer the full hit list (for display) beyond the chosen cells
    return Composed(answer=text, abstained=False, citations=cites.items, table_values=hits,
                    conflicts=conflicts, computations=computations)


def _arithmetic(intent: Intent, cells: list[TableValue], cites: _Citations) -> list[Computation]:
    numeric = [c for c in cells if c.number is not None]
    if not intent.arithmetic or len(numeric) < 2:
        return []
    a, b = numeric[0], numeric[1]
    ids = [a.id, b.id]
    na, nb = cites.add(cell_citation(a)), cites.add(cell_citation(b))
    unit = f" {a.unit}" if a.unit and a.unit == b.unit else ""
    if intent.difference:
        result = a.number - b.number
        expr = f"Difference: {a.value} [{na}] − {b.value} [{nb}] = {format_number(result)}{unit}"
        return [Computation(operation="difference", operands=ids, expression=expr, result=result)]
    if intent.total:
        result = sum(c.number for c in numeric)
        parts = " + ".join(f"{c.value} [{cites.add(cell_citation(c))}]" for c in numeric)
        return [Computation(operation="sum", operands=[c.id for c in numeric],
                            expression=f"Total: {parts} = {format_number(result)}{unit}", result=result)]
    if intent.ratio and b.number:
        result = a.number / b.number
        expr = f"Ratio: {a.value} [{na}] ÷ {b.value} [{nb}] = {format_number(round(result, 3))}"
        return [Computation(operation="ratio", operands=ids, expression=expr, result=result)]
    larger, smaller = (a, b) if a.number >= b.number else (b, a)
    label = lambda c: c.item or (c.row if c.row != a.row or c.row != b.row else c.column)  # noqa: E731
    expr = (f"Comparison: {label(larger)} ({larger.value}) is larger than {label(smaller)} ({smaller.value}); "
            f"difference {format_number(larger.number - smaller.number)}{unit}")
    return [Computation(operation="compare", operands=[larger.id, smaller.id], expression=expr,
                        result=larger.number - smaller.number)]
