"""Parse the clean Markdown form of a paper into a :class:`Document`.

The accepted subset is small and documented in ``corpus/README.md``: YAML front matter, ATX headings
(``#`` .. ``######``), paragraphs (one or more lines), list items (``-``, ``*`` or ``1.``) and pipe
tables. A table's caption is the heading it sits under when that heading starts with "Table N", else
the paragraph just before it when that paragraph does. All offsets index the file's text.
"""

from __future__ import annotations

import itertools
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from qa.errors import CorpusError
from qa.indexing.files import read_regular_file
from qa.parsing.tables import table_values
from qa.schema import Document, Paragraph, Section, Sentence, Table
from qa.settings import LimitSettings
from qa.text import split_sentences

logger = logging.getLogger(__name__)

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+")
# 'Table 2: ...', 'Table 2. ...' and, as pandoc and many authors write it, '**Table 2.** ...'
_TABLE_LABEL = re.compile(
    r"^[*_]{0,2}(Table\s+\d+[A-Za-z]?)\s*[:.\-–]?[*_]{0,2}\s*(?<=[:.\-–*_])", re.IGNORECASE
)
_EMPHASIS = re.compile(r"(?<!\w)[*_]{1,2}|[*_]{1,2}(?!\w)")
_SEPARATOR_CELL = re.compile(r"^:?-{3,}:?$")

FRONT_MATTER_SECTION = "Front matter"
DEFAULT_MAX_CORPUS_BYTES = LimitSettings.model_fields["max_corpus_bytes"].default


def load_document(path: Path, max_bytes: int = DEFAULT_MAX_CORPUS_BYTES) -> Document:
    """Read and parse the Markdown paper at ``path`` (a regular file of at most ``max_bytes``).

    Raises:
        CorpusError: the file is missing, unreadable, not a regular file, too large, not UTF-8 or not
            valid Markdown for this parser.
    """
    try:
        data = read_regular_file(path, max_bytes)
    except FileNotFoundError:
        raise CorpusError(
            f"Corpus file not found: {path}. Point QA_PATHS__CORPUS at the paper's Markdown file."
        ) from None
    except OSError as exc:
        raise CorpusError(f"Cannot read corpus file {path}: {exc.strerror or exc}.") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"Corpus file {path} is not UTF-8 text (byte {exc.start}).") from None
    return parse_document(text, source=str(path))


@dataclass
class _OpenSection:
    id: str
    title: str
    level: int
    path: str
    parent_id: str | None
    heading_start: int
    paragraphs: list[Paragraph] = field(default_factory=list)
    table_labels: list[str] = field(default_factory=list)


def _split_front_matter(text: str, source: str) -> tuple[dict[str, Any], int]:
    if not text.startswith("---\n"):
        return {}, 0
    end = text.find("\n---\n", 4)
    if end < 0:
        raise CorpusError(f"{source}: the YAML front matter opened by '---' on line 1 is never closed.")
    try:
        metadata = yaml.safe_load(text[4:end]) or {}
    except yaml.YAMLError as exc:
        raise CorpusError(f"{source}: the YAML front matter is not valid YAML ({exc}).") from None
    if not isinstance(metadata, dict):
        raise CorpusError(f"{source}: the YAML front matter must be a mapping of keys to values.")
    return metadata, end + len("\n---\n")


def _lines_with_offsets(text: str, start: int) -> list[tuple[int, str]]:
    out = []
    pos = start
    for line in text[start:].split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def _table_cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return [cell.strip() for cell in inner.split("|")]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "section"


def parse_document(text: str, source: str = "<memory>") -> Document:
    """Parse Markdown text into a :class:`Document` (pure; no I/O).

    Raises:
        CorpusError: the front matter is broken.
    """
    metadata, body_start = _split_front_matter(text, source)
    lines = _lines_with_offsets(text, body_start)
    # a text without any heading is one section ("Preamble"), not an error: plain extractions have none
    min_level = min((len(m.group(1)) for _, ln in lines if (m := _HEADING.match(ln))), default=1)

    sections: list[_OpenSection] = []
    stack: list[_OpenSection] = []
    tables: list[Table] = []
    i = 0
    pending: list[tuple[int, str]] = []  # lines of the paragraph being read

    def current() -> _OpenSection:
        if not sections:
            sections.append(_OpenSection("sec-00-preamble", "Preamble", 1, "Preamble", None, body_start))
            stack.append(sections[-1])
        return sections[-1]

    def flush_paragraph() -> None:
        if not pending:
            return
        start = pending[0][0]
        end = pending[-1][0] + len(pending[-1][1].rstrip())
        lead = len(pending[0][1]) - len(pending[0][1].lstrip())
        current().paragraphs.append(Paragraph(text=text[start + lead : end], start=start + lead, end=end))
        pending.clear()

    while i < len(lines):
        offset, line = lines[i]
        heading = _HEADING.match(line)
        if heading:
            flush_paragraph()
            level = len(heading.group(1)) - min_level + 1
            title = heading.group(2).strip()
            while stack and stack[-1].level >= level:
                stack.pop()
            parent = stack[-1] if stack else None
            path = f"{parent.path} > {title}" if parent else title
            section = _OpenSection(
                f"sec-{len(sections) + 1:02d}-{_slug(title)}",
                title,
                level,
                path,
                parent.id if parent else None,
                offset,
            )
            sections.append(section)
            stack.append(section)
            i += 1
            continue
        if line.lstrip().startswith("|"):
            flush_paragraph()
            block = []
            while i < len(lines) and lines[i][1].lstrip().startswith("|"):
                block.append(lines[i])
                i += 1
            if _is_table(block):
                tables.append(_parse_table(block, current(), len(tables) + 1, source))
            else:
                # lines that start with '|' but are no table (no '| --- |' separator) stay prose
                logger.debug("%s: '|' lines at character %d are not a table; kept as text", source, offset)
                pending.extend(block)
                flush_paragraph()
            continue
        if _LIST_ITEM.match(line):
            flush_paragraph()
            marker = _LIST_ITEM.match(line)
            start = offset + marker.end()
            end = offset + len(line.rstrip())
            current().paragraphs.append(
                Paragraph(text=text[start:end], start=start, end=end, kind="list_item")
            )
            i += 1
            continue
        if not line.strip():
            flush_paragraph()
        else:
            pending.append((offset, line))
        i += 1
    flush_paragraph()

    frozen_sections = [Section(**vars(s)) for s in sections]
    front = Section(
        id="sec-00-front-matter",
        title=FRONT_MATTER_SECTION,
        level=1,
        path=FRONT_MATTER_SECTION,
        heading_start=0,
    )
    sentences = _metadata_sentences(metadata, text, body_start, front) + _sentences(frozen_sections)
    if metadata:
        frozen_sections.insert(0, front)
    values = [v for table in tables for v in table_values(table)]
    logger.debug(
        "parsed %s: %d sections, %d tables, %d sentences", source, len(sections), len(tables), len(sentences)
    )
    return Document(
        metadata=metadata,
        sections=frozen_sections,
        tables=tables,
        table_values=values,
        sentences=sentences,
        text=text,
        source=source,
    )


def _is_table(block: list[tuple[int, str]]) -> bool:
    """A pipe table needs a header line and a '| --- |' separator line under it."""
    if len(block) < 2:
        return False
    separator = _table_cells(block[1][1])
    return bool(separator) and all(_SEPARATOR_CELL.match(c.replace(" ", "")) for c in separator)


def _parse_table(block: list[tuple[int, str]], section: _OpenSection, number: int, source: str) -> Table:
    rows = [_table_cells(line) for _, line in block]
    header, body = rows[0], rows[2:]
    width = len(header)
    body = [(r + [""] * width)[:width] for r in body]
    caption, label = "", f"Table {number}"
    heading_label = _TABLE_LABEL.match(section.title)
    if heading_label:
        caption, label = section.title, heading_label.group(1)
    elif section.paragraphs and (para_label := _TABLE_LABEL.match(section.paragraphs[-1].text)):
        caption, label = section.paragraphs[-1].text, para_label.group(1)
    caption = _EMPHASIS.sub("", caption).strip()
    label = re.sub(r"\s+", " ", label).title()
    section.table_labels.append(label)
    return Table(
        label=label,
        caption=caption or label,
        section_id=section.id,
        section=section.path,
        header=header,
        rows=body,
        start=block[0][0],
        end=block[-1][0] + len(block[-1][1]),
    )


def _sentences(sections: list[Section]) -> list[Sentence]:
    out = []
    for section in sections:
        n = 0
        for para in section.paragraphs:
            spans = [(0, len(para.text))] if para.kind == "list_item" else split_sentences(para.text)
            for start, end in spans:
                n += 1
                out.append(
                    Sentence(
                        id=f"{section.id}.s{n}",
                        section_id=section.id,
                        section=section.path,
                        text=para.text[start:end],
                        start=para.start + start,
                        end=para.start + end,
                    )
                )
    return out


def _render(value: Any) -> str:
    if isinstance(value, dict):
        name = value.get("name")
        rest = "; ".join(f"{str(k).replace('_', ' ')}: {_render(v)}" for k, v in value.items() if k != "name")
        return f"{name} ({rest})" if name and rest else str(name or rest)
    if isinstance(value, list):
        return "; ".join(_render(v) for v in value)
    return str(value)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` without surrounding white space, so ``text[start:end]`` is the verbatim lines."""
    while end > start and text[end - 1].isspace():
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    return start, end


def _list_item_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The spans of the YAML list items (``- ...`` and their indented lines) between start and end."""
    starts = [start + m.start(1) for m in re.finditer(r"(?m)^([ \t]*- )", text[start:end])]
    bounds = [*starts, end]
    return [_trimmed(text, a, b) for a, b in itertools.pairwise(bounds)]


def _metadata_sentences(metadata: dict[str, Any], text: str, end: int, section: Section) -> list[Sentence]:
    """One readable line per front-matter field ("Received: February 09, 2025"); lists of records give
    one line per record. Spans point at the field's (or the record's) verbatim YAML lines, which a
    citation quotes."""
    out: list[Sentence] = []
    keys = list(metadata)
    for n, key in enumerate(keys):
        label = str(key).replace("_", " ").strip().capitalize()
        start = text.find(f"\n{key}:", 0, end) + 1
        stop = text.find(f"\n{keys[n + 1]}:", start, end) if n + 1 < len(keys) else end - len("\n---\n")
        span = _trimmed(text, max(start, 0), stop if stop > start else end)
        value = metadata[key]
        lines: list[tuple[str, tuple[int, int]]] = []
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            singular = label[:-1] if label.endswith("s") else label
            items = _list_item_spans(text, *span)
            if len(items) != len(value):
                items = [span] * len(value)
            lines += [(f"{singular} {i}: {_render(v)}", items[i - 1]) for i, v in enumerate(value, 1)]
        else:
            lines.append((f"{label}: {_render(value)}", span))
        for line, (line_start, line_end) in lines:
            out.append(
                Sentence(
                    id=f"{section.id}.s{len(out) + 1}",
                    section_id=section.id,
                    section=section.path,
                    text=line,
                    start=line_start,
                    end=line_end,
                )
            )
    return out
