"""Typed values passed between the layers: document structure, chunks, retrieval hits and answers.

Everything is a pydantic model with ``extra="forbid"``; values are frozen. The JSON printed by
``qa ask --json`` is ``Answer.model_dump_json()``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

RetrieverMode = Literal["bm25", "dense", "hybrid"]
RETRIEVER_MODES: tuple[str, ...] = ("bm25", "dense", "hybrid")


class Value(BaseModel):
    """Base for immutable values."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Sentence(Value):
    """One sentence (or list item) of the clean text, with its character span in that text."""

    id: str
    section_id: str
    section: str = Field(description="Readable section path, e.g. 'Literature Review > Security Issues'.")
    text: str
    start: int
    end: int


class Paragraph(Value):
    """A paragraph or list item of a section body; ``start``/``end`` index the clean text."""

    text: str
    start: int
    end: int
    kind: Literal["text", "list_item"] = "text"


class Section(Value):
    """A heading and the body text directly under it (not its subsections)."""

    id: str
    title: str
    level: int = Field(description="1 for top-level sections, 2 for their subsections, ...")
    path: str = Field(description="Titles from the top-level section down, joined by ' > '.")
    parent_id: str | None = None
    paragraphs: list[Paragraph] = Field(default_factory=list)
    table_labels: list[str] = Field(default_factory=list)
    heading_start: int = 0


class Table(Value):
    """A Markdown table with its caption, as printed."""

    label: str = Field(description="'Table 1', 'Table 2', ...")
    caption: str = Field(description="The full caption as printed, including the label.")
    section_id: str
    section: str
    header: list[str]
    rows: list[list[str]]
    start: int
    end: int

    @property
    def key(self) -> str:
        """Id prefix of the table's chunks and values: 'Table 1' -> 'table1'."""
        return self.label.lower().replace(" ", "")


class TableValue(Value):
    """One cell (or one labelled part of a cell) of a table, with its parsed number and unit."""

    id: str
    table: str = Field(description="Table label, e.g. 'Table 1'.")
    caption: str
    row: str = Field(description="The row's label (its first cell).")
    column: str = Field(description="The column header.")
    item: str | None = Field(default=None, description="Label of a part inside a 'label: value, ...' cell.")
    value: str = Field(description="The cell (or part) exactly as printed.")
    number: float | None = Field(default=None, description="Parsed number; None for text or N/A.")
    unit: str | None = Field(default=None, description="Unit from the cell, the header or the caption.")
    year: int | None = Field(default=None, description="Year given by the row, the header or the caption.")
    section: str = Field(default="", description="Citation path: caption > row > column[ > item].")


class Document(Value):
    """The parsed paper: metadata, sections in reading order, tables and their values."""

    metadata: dict[str, Any]
    sections: list[Section]
    tables: list[Table]
    table_values: list[TableValue]
    sentences: list[Sentence]
    text: str = Field(description="The clean Markdown text all offsets refer to.")
    source: str = Field(default="", description="Path of the Markdown file.")

    def paper_title(self) -> str | None:
        """The paper's title: the front matter's, else the first top-level heading's, else None."""
        title = str(self.metadata.get("title") or "").strip()
        return title or next((s.title for s in self.sections if s.level == 1), None)


ChunkKind = Literal["text", "table", "table_row", "metadata"]


class Chunk(Value):
    """A retrievable unit: a window of sentences in one section, a table, a table row or metadata."""

    id: str
    section_id: str
    section: str
    kind: ChunkKind
    start: int
    end: int
    text: str
    table: str | None = None
    sentence_ids: list[str] = Field(default_factory=list)


class Passage(Value):
    """A retrieved chunk with its score."""

    id: str
    section: str
    text: str
    score: float
    kind: ChunkKind = "text"
    start: int = 0
    end: int = 0
    paper: str | None = Field(default=None, description="Id of the paper in the library, when asked there.")


class Citation(Value):
    """Where a statement of the answer comes from: a sentence, a table cell or a metadata field."""

    id: str
    section: str = Field(description="Readable path; for a table cell it contains 'Table N'.")
    quote: str = Field(description="The cited sentence or cell, verbatim.")
    kind: Literal["sentence", "table_cell", "metadata"] = "sentence"
    start: int | None = Field(default=None, description="Start offset of the quote in the clean text.")
    end: int | None = Field(default=None, description="End offset of the quote in the clean text.")
    passage_id: str | None = Field(default=None, description="The chunk that holds the quote, if any.")
    paper: str | None = Field(default=None, description="Id of the paper in the library, when asked there.")


class TableValueHit(Value):
    """A table value matched to a question."""

    id: str
    table: str
    caption: str
    row: str
    column: str
    item: str | None = None
    value: str
    number: float | None = None
    unit: str | None = None
    year: int | None = None
    score: float = 0.0


class ConflictValue(Value):
    """One of the differing figures, with where it is printed."""

    value: str
    number: float
    unit: str | None = None
    citation_id: str
    section: str


class Conflict(Value):
    """The paper gives different figures for what looks like the same measure."""

    measure: str
    values: list[ConflictValue]


class Computation(Value):
    """Arithmetic done in code on cited table cells."""

    operation: Literal["difference", "sum", "ratio", "compare"]
    operands: list[str] = Field(description="Citation ids of the cells used.")
    expression: str = Field(description="The arithmetic as shown to the reader.")
    result: float


class Answer(Value):
    """What ``Assistant.ask`` returns; the JSON contract of ``qa ask --json``."""

    question: str
    resolved_question: str
    answer: str
    abstained: bool
    short_answer: str | None = Field(
        default=None,
        description="The span or value that answers the question ('270', '911', 'Rollo', 'Yes'), always inside "
        "a cited quote or cell (or the result of shown arithmetic on cited cells); None when only a passage fits.",
    )
    answer_type: str = Field(
        default="span",
        description="What the question asks for: yesno, number, date, person, place, list or span.",
    )
    confidence: float | None = Field(
        default=None,
        description="Estimated probability that the answer (or the abstention) is right, from the model "
        "`qa calibrate` trains; None when no model is installed.",
    )
    strategy: str = Field(
        default="",
        description="The answer strategy the arbiter chose (table:cells, arithmetic, sentences, items, listing, "
        "unit, abstain, ...).",
    )
    evidence_scores: dict[str, float] = Field(
        default_factory=dict,
        description="What the evidence looked like (best sentence score and coverage, best cell score, ...): "
        "the inputs of the confidence model.",
    )
    citations: list[Citation] = Field(default_factory=list)
    table_values: list[TableValueHit] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    computations: list[Computation] = Field(default_factory=list)
    section_scope: str | None = Field(
        default=None,
        description="The section the question names ('according to the conclusion'): the answer comes from "
        "it and its subsections only. None when the question names no section.",
    )
    related_sections: list[str] = Field(
        default_factory=list, description="For an abstention: the closest sections, as a pointer."
    )
    retriever: RetrieverMode = "hybrid"
    timings_ms: dict[str, float] = Field(default_factory=dict)
