"""How close an ingested paper comes to a hand-made Markdown version of it, and how faithful it is.

``python -m qa.ingest.compare corpus/raw/paper.txt corpus/paper.md`` ingests the first file, parses
both, and prints

- section-title recall: the reference's section titles found among the ingested ones (case, white
  space and a trailing colon ignored);
- table-cell recall: the reference's cells found with the same table label, row label, column
  header and value;
- reading order: the reference's body sentences found whole in the ingested text;
- faithfulness to the source: the share of the ingested sentences found in the source text (up to
  white space and hyphenation) and the source's numbers missing from the ingested text.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from qa.errors import QAError
from qa.parsing.markdown import FRONT_MATTER_SECTION, parse_document
from qa.schema import Document

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


class Comparison(BaseModel):
    """Recall of the reference's structure in the ingested document."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    section_titles: int
    section_titles_found: int
    missing_titles: list[str]
    table_cells: int
    table_cells_found: int
    missing_cells: list[str]
    sentences: int = 0
    sentences_found: int = 0

    @property
    def title_recall(self) -> float:
        return self.section_titles_found / self.section_titles if self.section_titles else 1.0

    @property
    def cell_recall(self) -> float:
        return self.table_cells_found / self.table_cells if self.table_cells else 1.0

    @property
    def sentence_recall(self) -> float:
        return self.sentences_found / self.sentences if self.sentences else 1.0


class Faithfulness(BaseModel):
    """What the ingested text holds that the source does not, and the reverse, for numbers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sentences: int
    sentences_in_source: int
    invented: list[str]
    numbers: int
    missing_numbers: list[str]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(":").strip().lower()


def _titles(doc: Document) -> list[str]:
    return [_norm(s.title) for s in doc.sections if s.title not in (FRONT_MATTER_SECTION, "Preamble")]


def _captions(doc: Document) -> list[str]:
    return [_norm(t.caption) for t in doc.tables]


def _cells(doc: Document) -> list[tuple[str, str, str, str]]:
    out = []
    for table in doc.tables:
        for row in table.rows:
            for header, cell in zip(table.header, row, strict=False):
                out.append((table.label.lower(), _norm(row[0]), _norm(header), _norm(cell)))
    return out


def compare_documents(ingested: Document, reference: Document) -> Comparison:
    """Section-title and table-cell recall of ``reference`` in ``ingested`` (a table caption counts as
    a title either way)."""
    # a caption written as a heading in one version and as a caption line in the other is the same title
    # the paper's title is a '#' heading in some Markdown papers and a front-matter field in others
    extra = [c for c in _captions(ingested) if c not in _titles(ingested)]
    title = ingested.metadata.get("title")
    if isinstance(title, str) and _norm(title) not in _titles(ingested):
        extra.append(_norm(title))
    found_titles = Counter(_titles(ingested) + extra)
    missing_titles = []
    wanted = _titles(reference)
    for title in wanted:
        if found_titles[title] > 0:
            found_titles[title] -= 1
        else:
            missing_titles.append(title)
    found_cells = Counter(_cells(ingested))
    missing_cells = []
    cells = _cells(reference)
    for cell in cells:
        if found_cells[cell] > 0:
            found_cells[cell] -= 1
        else:
            missing_cells.append(" / ".join(cell))
    # reading order: the reference's body sentences found whole (white space and hyphens aside)
    text = _squash(ingested.text)
    body = [s.text for s in reference.sentences if s.section != FRONT_MATTER_SECTION]
    return Comparison(
        sentences=len(body),
        sentences_found=sum(1 for s in body if _squash(s) in text),
        section_titles=len(wanted),
        section_titles_found=len(wanted) - len(missing_titles),
        missing_titles=missing_titles,
        table_cells=len(cells),
        table_cells_found=len(cells) - len(missing_cells),
        missing_cells=missing_cells,
    )


def _squash(text: str) -> str:
    """Text with white space and line-end hyphens removed, for 'is this in the source' checks."""
    return re.sub(r"[\s\-\u00ad]+", "", text).lower()


def faithfulness(ingested: Document, source_text: str) -> Faithfulness:
    """Every ingested sentence should be in the source; every source number in the ingested text."""
    source = _squash(source_text)
    body = [s for s in ingested.sentences if s.section != FRONT_MATTER_SECTION]
    invented = [s.text for s in body if _squash(s.text) not in source]
    have = Counter(_NUMBER.findall(ingested.text))
    missing = []
    for number, count in Counter(_NUMBER.findall(source_text)).items():
        if have[number] < count:
            missing += [number] * (count - have[number])
    return Faithfulness(
        sentences=len(body),
        sentences_in_source=len(body) - len(invented),
        invented=invented,
        numbers=sum(Counter(_NUMBER.findall(source_text)).values()),
        missing_numbers=missing,
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m qa.ingest.compare SOURCE REFERENCE.md [--write OUT.md]``."""
    from qa.ingest import ingest

    parser = argparse.ArgumentParser(prog="python -m qa.ingest.compare", description=__doc__.split("\n")[0])
    parser.add_argument("source", type=Path, help="the paper as .txt, .pdf or .md")
    parser.add_argument("reference", type=Path, help="a hand-made clean Markdown version")
    parser.add_argument("--write", type=Path, help="also save the ingested Markdown here")
    parser.add_argument("--show", action="store_true", help="list what was missed")
    args = parser.parse_args(argv)
    try:
        paper = ingest(args.source)
        reference = ingest(args.reference)
        ingested_doc = parse_document(paper.markdown, source=str(args.source))
        reference_doc = parse_document(reference.markdown, source=str(args.reference))
    except QAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    if args.write:
        from qa.indexing.files import write_text_atomic

        write_text_atomic(args.write, paper.markdown)
    result = compare_documents(ingested_doc, reference_doc)
    print(f"source: {args.source} ({paper.format}); reference: {args.reference}")
    print(
        f"section titles found: {result.section_titles_found}/{result.section_titles} "
        f"({100 * result.title_recall:.1f}%)"
    )
    print(
        f"table cells found (table, row, column, value): {result.table_cells_found}/{result.table_cells} "
        f"({100 * result.cell_recall:.1f}%)"
    )
    print(
        f"reference body sentences found whole: {result.sentences_found}/{result.sentences} "
        f"({100 * result.sentence_recall:.1f}%)"
    )
    if paper.format == "txt":
        source_text = args.source.read_text(encoding="utf-8", errors="replace")
        faith = faithfulness(ingested_doc, source_text)
        print(
            f"sentences found in the source: {faith.sentences_in_source}/{faith.sentences}; "
            f"source numbers missing: {len(faith.missing_numbers)}/{faith.numbers}"
        )
        if args.show:
            for s in faith.invented:
                print(f"  not in source: {s[:100]}")
            if faith.missing_numbers:
                print(f"  missing numbers: {faith.missing_numbers}")
    for warning in paper.warnings:
        print(f"warning: {warning}")
    if args.show:
        for title in result.missing_titles:
            print(f"  missing title: {title}")
        for cell in result.missing_cells:
            print(f"  missing cell: {cell}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
