"""Compose a grounded answer from retrieved passages and matched table values (pure given arrays).

The answer text is made only of the paper's own sentences (quoted verbatim) and table cells (as
printed), each followed by its citation number; arithmetic on cells is done here and shown. When
the evidence does not cover the question the answer says so, cites nothing, and names the closest
sections as a pointer.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import numpy as np

from qa.answering.conflicts import ConflictFinder
from qa.answering.evidence import EvidenceBase, SentenceScore, fact_years
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
from qa.text import format_number, is_year, tokenize, years_in

logger = logging.getLogger(__name__)

# Thresholds calibrated with `qa eval` on answerable vs unanswerable questions (see tests/quality_thresholds.json).
MIN_SENTENCE_SCORE = 0.42
MIN_SENTENCE_COVERAGE = 0.5
STRONG_SENTENCE_SCORE = 0.55  # a sentence this close to the question may leave a tenth more of it uncovered
MIN_CELL_SCORE = 0.55
MIN_FIELD_SCORE = 0.5
SECOND_SENTENCE_RATIO = 0.88
NEAR_TIE_RATIO = 0.96
PLURAL_SENTENCE_RATIO = 0.8
LIST_SENTENCE_RATIO = 0.6
MAX_UNKNOWN_SHARE = 0.6
_MONTH_NAME = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\b"
)
_DATE = re.compile(
    r"\b(?:19|20)\d\d\b|\b(?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December)\b"
)


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

    def __init__(
        self,
        doc: Document,
        evidence: EvidenceBase,
        matcher: TableMatcher,
        vocab: Vocabulary,
        chunk_sentences: dict[str, list[int]],
        settings: AnswerSettings,
    ) -> None:
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
        self.context_years = [set(years_in(s.section)) for s in doc.sentences]
        self.all_years = [set(years_in(s.text)) for s in doc.sentences]


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
    # a metadata line is read from the YAML header: its citation quotes the header's own lines and
    # its section names the field (or record, "Author 2") the readable line was built from
    quote = ctx.doc.text[s.start : s.end] if kind == "metadata" else s.text
    section = f"{s.section} > {s.text.split(':', 1)[0]}" if kind == "metadata" else s.section
    return Citation(
        id=s.id,
        section=section,
        quote=quote,
        kind=kind,
        start=s.start,
        end=s.end,
        passage_id=passage_id,
    )


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
    if s.score < MIN_SENTENCE_SCORE or s.coverage < MIN_SENTENCE_COVERAGE - 0.1:
        return False
    if s.coverage < MIN_SENTENCE_COVERAGE and s.score < STRONG_SENTENCE_SCORE:
        return False
    if terms.years:
        # a year the question states as a fact must be a year the sentence (or its section) is about;
        # a year the question gives as a citation ("Haider (2022)") must appear in the sentence at all
        asked = fact_years(terms.text) & set(terms.years)
        cited_years = set(terms.years) - asked
        stated = ctx.evidence.years[s.index] | ctx.context_years[s.index]
        if asked and not asked & stated:
            return False
        if cited_years and not cited_years & ctx.all_years[s.index]:
            return False
    if intent.when and not _DATE.search(ctx.doc.sentences[s.index].text):
        return False
    if intent.month and not _MONTH_NAME.search(ctx.doc.sentences[s.index].text):
        return False
    if len(set(terms.entities)) == 1:
        # the one name the question is about must be named by the evidence (or its section)
        entity = terms.entities[0]
        names = {entity} | {
            t
            for t, src in terms.expansion_source.items()
            if terms.content[src] == entity and terms.expansion_weight.get(t, 0) >= 1.0
        }
        if not names & (ctx.evidence.terms[s.index] | ctx.evidence.title_terms[s.index]):
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
    weights = {t: ctx.vocab.weight(t) for t in terms.content if not is_year(t) and t in ctx.vocab.stems}
    total = sum(weights.values()) or 1.0
    best: tuple[float, Section] | None = None
    for section in ctx.doc.sections:
        title = ctx.section_terms[section.id]
        if not title or not title <= query:
            continue
        if not ctx.section_sentences.get(section.id) and not ctx.children.get(section.id):
            continue
        share = sum(w for t, w in weights.items() if t in title) / total
        needed = 0.3 if intent.ordinal is not None else 0.5
        if share >= needed and (best is None or share > best[0]):
            best = (share, section)
    if best is None:
        return None
    section = best[1]
    body = ctx.section_sentences.get(section.id, [])
    is_list = any(p.kind == "list_item" for p in section.paragraphs)
    if is_list or (intent.listing and (len(body) <= ctx.settings.max_list_items)) or not body:
        return section
    if intent.ordinal is not None and is_list:
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
    if intent.unit:
        table = _best_table(ctx, terms)
        if table is not None:
            return _compose_unit(ctx, table, cites)
    listing = _section_listing(ctx, terms, intent)
    if listing is not None and not (confident and confident[0].score > (good[0].score if good else 0) + 0.1):
        return _compose_listing(ctx, listing, cites, intent.ordinal)

    if intent.missing and not confident:
        missing = _missing_values(ctx, matches)
        if missing:
            return _compose_missing(missing, cites)
    line = _whole_line(ctx, matches) or _whole_table(ctx, matches, confident)
    if line and (not confident or line[0].score > confident[0].score):
        return _compose_table(ctx, terms, intent, line, cites, whole_line=True)

    rows = _table_row_listing(ctx, terms, intent, matches)
    if rows is not None and not (confident and confident[0].row is not None and confident[0].row >= 0.9):
        return _compose_rows(rows, cites)

    best_sentence = good[0] if good else None
    best_cell = confident[0] if confident else None
    use_table = best_cell is not None and (
        best_sentence is None
        or best_cell.named_table
        or best_cell.coverage >= best_sentence.coverage - 0.15
        or (
            all(f is None or f >= 0.9 for f in (best_cell.row, best_cell.column, best_cell.item))
            and best_cell.coverage >= best_sentence.coverage - 0.3
        )
        or bool(ctx.conflicts.find(best_cell.value))
        or (intent.arithmetic and sum(m.value.table == best_cell.value.table for m in confident) >= 2)
    )
    if use_table and best_cell is not None:
        return _compose_table(ctx, terms, intent, confident, cites, matches=matches)
    if best_sentence is None:
        return _abstain(passages, "no sentence or cell covers the question")
    return _compose_sentences(ctx, good, owner, cites, intent)


def _compose_listing(
    ctx: AnswerContext, section: Section, cites: _Citations, ordinal: int | None = None
) -> Composed:
    lines = []
    body = ctx.section_sentences.get(section.id, [])
    if ordinal is not None and body and -len(body) <= (ordinal - 1 if ordinal > 0 else ordinal) < len(body):
        # "the second objective": that item only
        i = body[ordinal - 1 if ordinal > 0 else ordinal]
        n = cites.add(sentence_citation(ctx, i))
        which = _ORDINAL_WORDS.get(ordinal, "last")
        return Composed(
            answer=f"{section.title}, the {which} item: “{ctx.doc.sentences[i].text}” [{n}]",
            abstained=False,
            citations=cites.items,
        )
    body = body[: ctx.settings.max_list_items]
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


def _compose_sentences(
    ctx: AnswerContext, good: list[SentenceScore], owner: dict[int, str], cites: _Citations, intent: Intent
) -> Composed:
    chosen = [good[0]]
    covered = set(good[0].matched)
    limit = ctx.settings.max_list_items if intent.listing else ctx.settings.max_sentences
    for s in good[1:]:
        if len(chosen) >= limit:
            break
        adds_terms = not s.matched <= covered
        ratio = PLURAL_SENTENCE_RATIO if (intent.listing or intent.plural) else SECOND_SENTENCE_RATIO
        if (
            intent.listing
            and s.coverage >= good[0].coverage
            and s.score >= LIST_SENTENCE_RATIO * good[0].score
        ):
            # another item that matches the question as fully as the best one (e.g. each author)
            chosen.append(s)
            covered |= s.matched
            continue
        if (
            s.score >= NEAR_TIE_RATIO * good[0].score
            or (adds_terms and s.score >= ratio * good[0].score)
            or ((intent.listing or intent.plural) and s.score >= ratio * good[0].score)
        ):
            chosen.append(s)
            covered |= s.matched
    parts = []
    for s in chosen:
        n = cites.add(sentence_citation(ctx, s.index, owner.get(s.index)))
        parts.append(f"“{ctx.doc.sentences[s.index].text}” [{n}]")
    return Composed(answer=" ".join(parts), abstained=False, citations=cites.items)


def _missing_values(ctx: AnswerContext, matches: list[ValueMatch]) -> list[TableValue]:
    """Cells printed without a number (N/A) in the column the question names."""
    top = next((m for m in matches if m.column is not None and m.column >= 0.9), None)
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


def _compose_missing(values: list[TableValue], cites: _Citations) -> Composed:
    lines = [f"- {v.row}: {v.value} [{cites.add(cell_citation(v))}]" for v in values]
    return Composed(
        answer=f"{values[0].caption} — no figure is given for {values[0].column} here:\n" + "\n".join(lines),
        abstained=False,
        citations=cites.items,
        table_values=[ValueMatch(v, 1.0, None, None, None, 1.0, 0.0, None, False).hit() for v in values],
    )


WHOLE_LINE_COVERAGE = 0.8
_ORDINAL_WORDS = {
    1: "first",
    2: "second",
    3: "third",
    4: "fourth",
    5: "fifth",
    6: "sixth",
    7: "seventh",
    8: "eighth",
    9: "ninth",
    10: "tenth",
}


def _whole_line(ctx: AnswerContext, matches: list[ValueMatch]) -> list[ValueMatch]:
    """All cells of the row (or column) a question names when it names no column (row): 'in each country'."""
    for m in matches[:3]:
        if m.coverage < WHOLE_LINE_COVERAGE or m.year_ok is False:
            continue
        if m.row is not None and m.row >= 0.9 and (m.column is None or m.column < MIN_FIELD_SCORE):
            return [o for o in matches if o.value.table == m.value.table and o.value.row == m.value.row]
        if m.column is not None and m.column >= 0.9 and (m.row is None or m.row < MIN_FIELD_SCORE):
            return [o for o in matches if o.value.table == m.value.table and o.value.column == m.value.column]
    return []


WHOLE_TABLE_COVERAGE = 0.8


def _whole_table(
    ctx: AnswerContext, matches: list[ValueMatch], confident: list[ValueMatch]
) -> list[ValueMatch]:
    """All cells of a table when the question is about the table as a whole (it matches the caption
    and the question's words are all explained by the table) but names no row or column."""
    if not matches:
        return []
    top = matches[0]
    if top.coverage < WHOLE_TABLE_COVERAGE or top.year_ok is False or _confident(top):
        return []
    if confident and confident[0].value.table == top.value.table:
        return []
    return [m for m in matches if m.value.table == top.value.table]


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


def _compose_unit(ctx: AnswerContext, table, cites: _Citations) -> Composed:
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
    return Composed(
        answer=f"{table.caption} [{n}]\nUnits by column: {parts}.", abstained=False, citations=cites.items
    )


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


def _compose_rows(values: list[TableValue], cites: _Citations) -> Composed:
    lines = []
    for v in values:
        n = cites.add(
            Citation(id=f"{v.id}.row", section=f"{v.caption} > {v.row}", quote=v.row, kind="table_cell")
        )
        lines.append(f"- {v.row} [{n}]")
    return Composed(
        answer=f"{values[0].caption}, rows:\n" + "\n".join(lines), abstained=False, citations=cites.items
    )


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


def _arithmetic_cells(top: ValueMatch, candidates: list[ValueMatch], intent: Intent) -> list[ValueMatch]:
    """The cells a comparison or sum is about: the best one and its best siblings in the same row or
    column; for 'share of the total', the best part and the table's total."""
    siblings = [
        m
        for m in candidates
        if m is not top
        and m.value.table == top.value.table
        and m.value.number is not None
        and (m.value.row == top.value.row or m.value.column == top.value.column)
    ]
    if intent.share_of_total:
        total = [m for m in siblings if re.search(r"\btotal\b", f"{m.value.column} {m.value.row}", re.I)]
        if re.search(r"\btotal\b", f"{top.value.column} {top.value.row}", re.I):
            parts = [m for m in siblings if m.score >= top.score - 0.3]
            return [parts[0], top] if parts else [top]
        return [top, total[0]] if total else [top]

    def names_it(m: ValueMatch) -> bool:
        # the question must name what tells this cell apart from the best one
        if m.value.row == top.value.row and m.value.column == top.value.column:
            return m.item is not None and m.item >= MIN_FIELD_SCORE
        if m.value.row == top.value.row:
            return m.column is not None and m.column >= MIN_FIELD_SCORE
        return m.row is not None and m.row >= MIN_FIELD_SCORE

    named = [m for m in siblings if m.score >= top.score - 0.25 and names_it(m)]
    if intent.total:
        return [top, *named[:5]]
    return [top, *named[:1]]


def _compose_table(
    ctx: AnswerContext,
    terms: QueryTerms,
    intent: Intent,
    confident: list[ValueMatch],
    cites: _Citations,
    whole_line: bool = False,
    matches: list[ValueMatch] | None = None,
) -> Composed:
    top = confident[0]
    chosen = [top]
    if whole_line:
        chosen = confident[:12]
    elif intent.arithmetic:
        chosen = _arithmetic_cells(top, matches or confident, intent)
    else:
        for m in confident[1:]:
            if _same_group(top, m) and m.score >= top.score - 0.08 and len(chosen) < 6:
                chosen.append(m)
        if not intent.listing and len(chosen) > 1:
            # keep only cells as strong as the best, and named as clearly on the field where they differ
            chosen = [m for m in chosen if m.score >= top.score - 0.02 and _named_as_clearly(m, top)] or [top]
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
        values = [
            ConflictValue(
                value=m.value.value,
                number=float(m.value.number or 0),
                unit=m.value.unit,
                citation_id=m.value.id,
                section=m.value.section,
            )
        ]
        notes = [
            f"{m.value.table} gives {m.value.value}{' ' + m.value.unit if m.value.unit else ''} [{cites.add(cell_citation(m.value))}]"
        ]
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
    # also offer the full hit list (for display) beyond the chosen cells
    return Composed(
        answer=text,
        abstained=False,
        citations=cites.items,
        table_values=hits,
        conflicts=conflicts,
        computations=computations,
    )


def _arithmetic(intent: Intent, cells: list[TableValue], cites: _Citations) -> list[Computation]:
    numeric = [c for c in cells if c.number is not None]
    if not intent.arithmetic or len(numeric) < 2:
        return []
    a, b = numeric[0], numeric[1]
    ids = [a.id, b.id]
    na, nb = cites.add(cell_citation(a)), cites.add(cell_citation(b))
    unit = f" {a.unit}" if a.unit and a.unit == b.unit else ""
    if intent.share_of_total and b.number:
        result = a.number / b.number * 100
        expr = f"Share: {a.value} [{na}] ÷ {b.value} [{nb}] × 100 = {format_number(round(result, 2))}%"
        return [Computation(operation="ratio", operands=ids, expression=expr, result=result)]
    if intent.difference:
        big, small = (a, b) if a.number >= b.number else (b, a)
        result = big.number - small.number
        expr = (
            f"Difference: {big.value} [{cites.add(cell_citation(big))}] − {small.value} "
            f"[{cites.add(cell_citation(small))}] = {format_number(result)}{unit}"
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
                expression=f"Total: {parts} = {format_number(result)}{unit}",
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
        f"difference {format_number(larger.number - smaller.number)}{unit}"
    )
    return [
        Computation(
            operation="compare",
            operands=[larger.id, smaller.id],
            expression=expr,
            result=larger.number - smaller.number,
        )
    ]
