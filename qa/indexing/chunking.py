"""Sentence-aware chunking (pure).

Prose chunks are windows of whole sentences inside one section (never across a section boundary),
about ``max_chars`` long, with ``overlap_sentences`` shared between neighbours. Every table becomes
one chunk (caption plus each row written as a sentence) and one chunk per row, so a table question
is found by both lexical and dense search. Front-matter lines become ``metadata`` chunks.
"""

from __future__ import annotations

import re
from collections import defaultdict

from qa.schema import Chunk, Document, Sentence, Table
from qa.settings import ChunkingSettings


def _windows(sentences: list[Sentence], max_chars: int, overlap: int) -> list[list[Sentence]]:
    windows: list[list[Sentence]] = []
    i = 0
    while i < len(sentences):
        window = [sentences[i]]
        j = i + 1
        while j < len(sentences) and sentences[j].end - window[0].start <= max_chars:
            window.append(sentences[j])
            j += 1
        windows.append(window)
        if j >= len(sentences):
            break
        i = max(j - overlap, i + 1)
    return windows


def _metadata_groups(sentences: list[Sentence]) -> list[list[Sentence]]:
    """Front-matter lines grouped by the field they come from (all authors together): a field of
    several records gives lines 'Author 1: ...', 'Author 2: ...', which share the label 'Author'."""
    groups: list[list[Sentence]] = []
    for sentence in sentences:
        if groups and _field_of(groups[-1][0]) == _field_of(sentence):
            groups[-1].append(sentence)
        else:
            groups.append([sentence])
    return groups


def _field_of(sentence: Sentence) -> str:
    label = sentence.text.split(":", 1)[0]
    return re.sub(r"\s+\d+$", "", label)


def row_sentence(table: Table, row: list[str]) -> str:
    """A table row written as one sentence: 'Row label: Header 2 value; Header 3 value.'"""
    cells = "; ".join(f"{table.header[c]} {row[c]}" for c in range(1, len(table.header)))
    return f"{table.header[0]} {row[0]}: {cells}."


def chunk_document(doc: Document, settings: ChunkingSettings) -> list[Chunk]:
    """Split ``doc`` into retrievable chunks, in reading order.

    Args:
        doc: The parsed paper.
        settings: Target chunk size and sentence overlap.

    Returns:
        Prose, metadata, table and table-row chunks with stable ids.
    """
    by_section: dict[str, list[Sentence]] = defaultdict(list)
    for sentence in doc.sentences:
        by_section[sentence.section_id].append(sentence)
    tables_by_section: dict[str, list[Table]] = defaultdict(list)
    for table in doc.tables:
        tables_by_section[table.section_id].append(table)

    chunks: list[Chunk] = []
    for section in doc.sections:
        sentences = by_section.get(section.id, [])
        metadata = section.id.endswith("front-matter")
        windows = (
            _metadata_groups(sentences)
            if metadata
            else _windows(sentences, settings.max_chars, settings.overlap_sentences)
        )
        for n, window in enumerate(windows, 1):
            start, end = window[0].start, max(s.end for s in window)
            text = "\n".join(s.text for s in window) if metadata else doc.text[start:end]
            chunks.append(
                Chunk(
                    id=f"{section.id}.c{n}",
                    section_id=section.id,
                    section=section.path,
                    kind="metadata" if metadata else "text",
                    start=start,
                    end=end,
                    text=text,
                    sentence_ids=[s.id for s in window],
                )
            )
        for table in tables_by_section.get(section.id, []):
            key = table.key
            rows = [row_sentence(table, row) for row in table.rows]
            chunks.append(
                Chunk(
                    id=f"{key}.table",
                    section_id=section.id,
                    section=section.path,
                    kind="table",
                    start=table.start,
                    end=table.end,
                    text=f"{table.caption}.\n" + "\n".join(rows),
                    table=table.label,
                )
            )
            for r, row_text in enumerate(rows, 1):
                chunks.append(
                    Chunk(
                        id=f"{key}.row{r}",
                        section_id=section.id,
                        section=section.path,
                        kind="table_row",
                        start=table.start,
                        end=table.end,
                        text=f"{table.caption}. {row_text}",
                        table=table.label,
                    )
                )
    return chunks


def search_text(chunk: Chunk) -> str:
    """What is embedded and indexed for a chunk: its section path (context) and its text."""
    return f"{chunk.section}.\n{chunk.text}"
