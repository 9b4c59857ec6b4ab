"""What every answer strategy shares: the document's precomputed evidence (:class:`AnswerContext`),
citation numbering, and how cells and sentences are cited and printed (pure)."""

from __future__ import annotations

import re

from qa.answering.conflicts import ConflictFinder
from qa.answering.evidence import EvidenceBase
from qa.answering.ranker import Paragraphs, RankerModel
from qa.answering.spans import date_spans
from qa.question.scope import NUMBERING, REFERENCE_LIST, Outline, SectionScope
from qa.retrieval.query import Vocabulary
from qa.retrieval.tables import TableMatcher
from qa.schema import Citation, Document, Section, TableValue
from qa.settings import AnswerSettings
from qa.text import tokenize, years_in


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
        ranker: RankerModel | None = None,
    ) -> None:
        self.doc = doc
        self.evidence = evidence
        self.matcher = matcher
        self.vocab = vocab
        self.chunk_sentences = chunk_sentences
        self.settings = settings
        self.ranker = ranker
        self.paragraphs = Paragraphs.of(doc) if ranker is not None else None
        self.paragraph_of = self.paragraphs.of_sentence() if self.paragraphs is not None else {}
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
        self.dates = [date_spans(s.text) for s in doc.sentences]
        # words the document writes in lower case somewhere: a capitalised one opening a sentence is no name
        self.lowercase_words = frozenset(re.findall(r"(?<![\w'’-])[a-z][a-z'’-]*", doc.text))
        # every table of a paper is about the paper's subject: its title's names count as the table's
        title_terms = set(tokenize(doc.paper_title() or ""))
        self.table_terms: dict[str, set[str]] = {}
        for v in doc.table_values:
            self.table_terms.setdefault(v.table, set(title_terms)).update(
                tokenize(f"{v.caption} {v.row} {v.column} {v.item or ''} {v.value} {v.unit or ''}")
            )
        self.all_years = [set(years_in(s.text)) for s in doc.sentences]
        self.outline = Outline.of(doc)
        # sentences of a reference list ('Smith, J. (2020). Title. Publisher.'): they share
        # words with many questions but answer only questions about the references themselves
        listed = frozenset().union(
            *(
                self.outline.descendants[s.id]
                for s in doc.sections
                if REFERENCE_LIST.match(NUMBERING.sub("", s.title))
            )
        )
        self.reference_sentences = frozenset(i for i, s in enumerate(doc.sentences) if s.section_id in listed)
        self.table_section = {t.label: t.section_id for t in doc.tables}
        self.paragraph_section = (
            [doc.sentences[group[0]].section_id if group else None for group in self.paragraphs.sentences]
            if self.paragraphs is not None
            else []
        )

    def in_scope(self, scope: SectionScope) -> list[int]:
        """The sentences of the sections ``scope`` names, in reading order."""
        return sorted(i for section in scope.section_ids for i in self.section_sentences.get(section, []))


class Citations:
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


def cell_text(value: str, unit: str | None) -> str:
    """A cell as printed, with its '%' when the unit is only in the header ('55' in 'Country A (%)' -> '55%')."""
    if unit == "%" and not re.search(r"%|\bper\s?cent\b", value, re.IGNORECASE) and re.search(r"\d", value):
        return f"{value}%"
    return value


def with_unit(value: str, unit: str | None) -> str:
    """'55%', '1,400 USD millions', 'N/A': a printed figure and its unit, each once."""
    shown = cell_text(value, unit)
    if unit and unit != "%" and re.search(r"\d", value) and unit.lower() not in value.lower():
        return f"{shown} {unit}"
    return shown


def value_with_unit(value: TableValue) -> str:
    """A table value and its unit, each once."""
    return with_unit(value.value, value.unit if value.number is not None else None)


def cell_phrase(value: TableValue) -> str:
    """'Row — Column (year): value unit'."""
    label = f"{value.row} — {value.column}" + (f" — {value.item}" if value.item else "")
    year = f" ({value.year})" if value.year and str(value.year) not in label else ""
    return f"{label}{year}: {value_with_unit(value)}"
