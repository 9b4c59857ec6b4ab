"""Pure helpers for showing answers in a page: Markdown escaping, sentence highlighting, the table
behind cited cells, chart data, example questions. The Streamlit page (ui/app.py) stays thin."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from qa.question.scope import BOILERPLATE, NUMBERING
from qa.schema import Answer, Citation, Document

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|$~:])")


# GFM turns bare addresses into links after escapes are resolved ("www.x.org”" even links a wrong
# host), so escaping cannot stop it: a word joiner (U+2060, invisible) after "www"/the scheme and
# before "@" breaks the pattern while the reader sees the same text.
WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(
    r"(?i)(?<![\w\u2060])(www|https?|ftp|mailto|javascript|data|vbscript)(?=\\?[.:])|(?=@)"
)
_LINK_OR_HTML = re.compile(r"([\\<>\[\]`])")


def break_autolinks(text: str) -> str:
    """``text`` with bare web and mail addresses made unlinkable (an invisible word joiner inside)."""
    return _AUTOLINK.sub(lambda m: (m.group(1) or "") + WORD_JOINER, text)


def escape_markdown(text: str) -> str:
    """Text shown literally by a Markdown renderer: '<script>' stays text, '$x$' is not maths,
    '[a](b)' is not a link, and neither is a bare 'www.x.org' or 'http://x'."""
    return break_autolinks(_MARKDOWN_SPECIAL.sub(r"\\\1", text)).replace("\n", "  \n")


def escape_links_and_html(text: str) -> str:
    """Lighter escaping for a Markdown file (the transcript): no raw HTML, no links of any kind
    (``[x](javascript:...)``, ``<http://...>``, bare addresses); other punctuation stays readable."""
    return break_autolinks(_LINK_OR_HTML.sub(r"\\\1", text))


@dataclass(frozen=True)
class Segment:
    text: str
    highlighted: bool


def highlight(passage: str, quote: str) -> list[Segment]:
    """Split ``passage`` around the first occurrence of ``quote`` (the cited sentence)."""
    at = passage.find(quote) if quote else -1
    if at < 0:
        return [Segment(passage, False)]
    parts = [Segment(passage[:at], False), Segment(quote, True), Segment(passage[at + len(quote) :], False)]
    return [p for p in parts if p.text]


def highlighted_markdown(passage: str, quote: str) -> str:
    """Markdown of ``passage`` (escaped) with the cited sentence on a coloured background."""
    out = []
    for seg in highlight(passage, quote):
        text = escape_markdown(seg.text)
        out.append(f":orange-background[**{text}**]" if seg.highlighted else text)
    return "".join(out)


def answer_markdown(answer: Answer) -> str:
    """The answer text, escaped, with its citation markers in bold ('[1]') and its '- ' lines as a list."""
    lines = []
    for line in answer.answer.split("\n"):
        bullet = line.startswith("- ")
        text = escape_markdown(line[2:] if bullet else line)
        text = re.sub(r"\\\[(\d+)\\\]", r"**[\1]**", text)
        lines.append(("- " + text) if bullet else text)
    out = []
    for n, line in enumerate(lines):
        # a list needs a blank line before it; plain lines keep their line breaks
        if n and line.startswith("- ") != lines[n - 1].startswith("- "):
            out.append("")
        out.append(line)
    return "\n".join(line if line.startswith("- ") or not line else line + "  " for line in out)


def passage_for(doc: Document, citation: Citation) -> str:
    """The paragraph that holds a cited sentence (the context to show around the highlight)."""
    if citation.start is None:
        return citation.quote
    for section in doc.sections:
        for para in section.paragraphs:
            if para.start <= citation.start and citation.end is not None and citation.end <= para.end:
                return para.text
    return citation.quote


def table_frame(doc: Document, table_label: str, marked: set[str] = frozenset()) -> pd.DataFrame:
    """The table as printed, one row per table row; cells whose value id is in ``marked`` are
    prefixed with '▶ ' so a reader sees which cells the answer used."""
    table = next(t for t in doc.tables if t.label == table_label)
    marked_cells = {(v.row, v.column) for v in doc.table_values if v.id in marked and v.table == table_label}
    rows = []
    for row in table.rows:
        cells = {}
        for c, header in enumerate(table.header):
            value = row[c]
            cells[header] = f"▶ {value}" if (row[0], header) in marked_cells else value
        rows.append(cells)
    return pd.DataFrame(rows, columns=table.header)


def chart_frame(doc: Document, table_label: str) -> pd.DataFrame | None:
    """Numbers of a table for a bar chart: rows x columns (or rows x parts for 'label: value' cells),
    keeping the unit most of its numbers share. None when fewer than two numbers share a unit."""
    values = [v for v in doc.table_values if v.table == table_label and v.number is not None]
    if not values:
        return None
    units: dict[str | None, int] = {}
    for v in values:
        units[v.unit] = units.get(v.unit, 0) + 1
    unit = max(units, key=lambda u: units[u])
    values = [v for v in values if v.unit == unit and v.item is None] or [v for v in values if v.unit == unit]
    if len(values) < 2:
        return None
    data: dict[str, dict[str, float]] = {}
    single_row = len({v.row for v in values}) == 1
    for v in values:
        series = v.item or v.column
        index = (v.column if single_row and not v.item else v.row) if not v.item else v.item
        if single_row and not v.item:
            data.setdefault(f"{unit or 'value'}", {})[series] = v.number
        else:
            data.setdefault(series, {})[index] = v.number
    frame = pd.DataFrame(data)
    frame.index.name = "row"
    return frame


def load_examples(path: Path) -> list[str]:
    """Example questions from the corpus folder; an absent or unreadable file gives none."""
    try:
        questions = json.loads(path.read_text(encoding="utf-8")).get("questions", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [str(q) for q in questions if str(q).strip()]


def section_text(doc: Document, section_id: str) -> str:
    """The body text of a section (its paragraphs; list items as '- ' lines)."""
    section = next(s for s in doc.sections if s.id == section_id)
    if section.id.endswith("front-matter"):
        return "\n".join(s.text for s in doc.sentences if s.section_id == section.id)
    lines = [("- " if p.kind == "list_item" else "") + p.text for p in section.paragraphs]
    return "\n\n".join(lines)


def generated_examples(doc: Document, limit: int = 6) -> list[str]:
    """Example questions for a paper without ``examples.json``, made from its own tables and headings.

    One question per table asks for a real cell ('What is the <column> for <row>?'); one per
    top-level section asks what it says (boilerplate such as 'References' or 'Abstract' is skipped;
    a lone title heading above the sections does not count as a level).
    Table questions take at most half the places while there are section questions to fill the rest.
    """
    table_questions = []
    for table in doc.tables:
        value = next(
            (v for v in doc.table_values if v.table == table.label and v.number is not None and v.row), None
        )
        if value is not None:
            if re.fullmatch(r"\d{4}", value.row.strip()):
                table_questions.append(f"What is the {value.column} in {value.row}?")
                continue
            year = (
                f" in {value.year}" if value.year and str(value.year) not in value.row + value.column else ""
            )
            table_questions.append(f"What is the {value.column} for {value.row}{year}?")
        else:
            table_questions.append(f"What does {table.label} show?")
    by_level: dict[int, list[str]] = {}
    for section in doc.sections:
        title = NUMBERING.sub("", section.title).strip()
        if (
            section.id.endswith("front-matter")
            or not title
            or BOILERPLATE.match(title)
            or title.lower().startswith("table ")
        ):
            continue
        by_level.setdefault(section.level, []).append(title)
    # the shallowest level with two sections or more: a lone '#' title heading is not a section
    level = next((n for n in sorted(by_level) if len(by_level[n]) >= 2), min(by_level, default=0))
    section_questions = [f"What does the paper say in “{title}”?" for title in by_level.get(level, [])]
    n_tables = min(len(table_questions), max(limit // 2, limit - len(section_questions)))
    picked = table_questions[:n_tables] + section_questions[: limit - n_tables]
    return list(dict.fromkeys(picked))[:limit]


def answer_paper(answer: Answer) -> str | None:
    """The library paper an answer came from (its citations and passages name it), if any."""
    for item in [*answer.citations, *answer.passages]:
        if item.paper:
            return item.paper
    return None
