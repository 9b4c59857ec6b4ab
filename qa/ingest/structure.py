"""Recover a paper's structure from plain lines of text and write it as clean Markdown (pure).

The plain-text and PDF readers both reduce their input to :class:`Block` values (paragraph lines,
table rows, optional font hints) and hand them to :func:`blocks_to_markdown`. The rules are the
generic habits of printed papers, nothing of one paper:

- headings: a short line on its own that is numbered ("2.1 Data"), all capitals, in title case, or
  a usual section name ("Abstract", "Results and findings"); a PDF's larger or bold type overrides;
- paragraphs re-joined across line and page breaks, hyphenation at line ends removed;
- tables from tab- or space-aligned lines (or a PDF's table detection) with their "Table N" caption;
  a block that does not hold together as a table stays prose;
- title, authors (with their footnote affiliations), journal, volume/issue/pages, ISSN, DOI,
  keywords and the corresponding author, taken from the lines before the first heading.

Nothing is invented: each output sentence is source text up to white space and hyphenation.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

logger = logging.getLogger(__name__)

BlockKind = Literal["text", "table", "list_item", "heading", "caption"]


@dataclass
class Block:
    """A run of source text: paragraph lines, or the rows of a table.

    ``heading_size`` is a PDF reader's hint (font size of a bold or large single-line block); ``None``
    means "decide from the words alone".
    """

    kind: BlockKind
    lines: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    heading_size: float | None = None
    level: int = 0
    title_hint: bool = False

    @property
    def text(self) -> str:
        return join_lines(self.lines)


_SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹⁰"
_SUPER_TO_DIGIT = str.maketrans(_SUPERSCRIPTS, "1234567890")
_NUMBERED = re.compile(r"^((?:\d{1,2}\.)*\d{1,2}\.?|[IVX]{1,5}\.|[A-H]\.)\s+(?=\S)")
_CAPTION = re.compile(r"^(Table|Tab\.)\s*(\d+[A-Za-z]?|[IVX]+)\s*[:.\-–—]?\s*", re.IGNORECASE)
_LIST_MARKER = re.compile(r"^(?:[-*•▪◦●‣–]\s+|\(?\d{1,3}[.)]\s+|\(?[a-z][.)]\s+)")
_BULLET = re.compile(r"^[•▪◦●‣]\s*")
_MARKDOWN_LIST = re.compile(r"^(?:[-*+]|\d+[.)])[ \t]+")  # what qa/parsing/markdown.py reads as a list item
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*$")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+[^\s\"<>.,;])")
_ISSN = re.compile(r"(?:\b([A-Za-z]+)\s+)?(?:ISSN|ISSN\s*No\.?)\s*[:#]?\s*(\d{4}-\d{3}[\dXx])")
_VOLUME = re.compile(r"\bVol(?:ume|\.)?\s*(\d+)", re.IGNORECASE)
_ISSUE = re.compile(r"\b(?:Number|Issue|No\.)\s*(\d+)", re.IGNORECASE)
_PAGES = re.compile(r"\b(?:Pages|pp\.)\s*(\d+\s*[–—-]\s*\d+)", re.IGNORECASE)
_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")
_KEYWORDS = re.compile(r"^\s*(?:key\s*words|index\s+terms)\s*[:—–-]?\s*(.*)$", re.IGNORECASE)
_CORRESPONDING = re.compile(r"^\s*Corresponding\s+Author\s*[:—–-]?\s*(.*)$", re.IGNORECASE)
_JOURNAL = re.compile(r"\b(journal|proceedings|transactions|review|letters|annals|bulletin)\b", re.IGNORECASE)
_NAME_WORD = re.compile(
    r"^(?:[A-Z][a-zA-Z'’\-]+|[A-Z]\.(?:-?[A-Z]\.)*|van|von|de|der|da|del|la|le|bin|al|el)$"
)
_SMALL_WORDS = set(
    "a an and as at by for from in into of on or the to vs via with between under over without within "
    "its their per nor but is are versus through toward towards among against".split()
)
# Usual names of a paper's top-level sections; a heading that is one of these (or starts or ends with
# one, as in "Results and findings" or "Research Methodology") is a top-level section.
_SECTION_WORDS = set(
    "abstract introduction background literature methods method methodology materials results findings "
    "discussion conclusion conclusions recommendations references bibliography acknowledgements "
    "acknowledgments appendix limitations summary experiments evaluation analysis".split()
)


def join_lines(lines: list[str], vocabulary: Counter[str] | None = None) -> str:
    """Join wrapped lines into one paragraph; other line breaks become one space.

    A line-end hyphen between two lower-case word parts ("conse-" + "quence") is dropped, unless the
    document writes the hyphenated word elsewhere and never the joined one ("refugee-" + "related").
    """
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if out.endswith("-") and len(out) > 1 and out[-2].isalpha() and not line[:1].islower():
            out += line  # "post-" + "war": a compound broken at its hyphen
        elif (
            out.endswith("-")
            and len(out) > 1
            and out[-2].isalpha()
            and out[-2].islower()
            and line[:1].islower()
        ):
            head = re.search(r"([^\W\d_]+)-$", out)
            tail = re.match(r"[^\W\d_]+", line)
            keep = False
            if vocabulary is not None and head and tail:
                joined, hyphened = (
                    (head.group(1) + tail.group(0)).lower(),
                    f"{head.group(1)}-{tail.group(0)}".lower(),
                )
                keep = vocabulary[hyphened] > 0 and vocabulary[joined] == 0
            out = out + line if keep else out[:-1] + line
        elif out:
            out = f"{out} {line}"
        else:
            out = line
    return re.sub(r"[ \t]+", " ", out)


def word_counts(blocks: list[Block]) -> Counter[str]:
    """How often each (lower-cased, possibly hyphenated) word occurs in the blocks' lines."""
    counts: Counter[str] = Counter()
    for block in blocks:
        for line in block.lines:
            counts.update(w.lower() for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", line))
    return counts


# --- classification -------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_][\w'’\-]*", text)


def is_section_name(text: str) -> bool:
    words = [w.lower() for w in _words(_NUMBERED.sub("", text))]
    return bool(words) and len(words) <= 5 and (words[0] in _SECTION_WORDS or words[-1] in _SECTION_WORDS)


def heading_style(text: str) -> str | None:
    """The kind of heading a one-line block looks like ("numbered", "caps", "title", "named"), or None."""
    line = text.strip()
    bare = line.rstrip(":").strip()
    if not bare or len(bare) > 110 or len(bare.split()) > 14:
        return None
    if _CAPTION.match(bare) or re.match(r"^(Figure|Fig\.)\s*\d", bare, re.IGNORECASE):
        return None
    if _EMAIL.search(bare) or "http" in bare or "www." in bare:
        return None
    if bare[-1] in ".,;!?" and not _NUMBERED.fullmatch(bare + " "):
        return None
    if _LIST_MARKER.match(line) and not _NUMBERED.match(line):
        return None
    rest = _NUMBERED.sub("", bare, count=1)
    words = _words(rest)
    if not words or not (rest[:1].isupper() or rest[:1].isdigit()):
        return None
    if line[0] in _SUPERSCRIPTS:
        return None
    if _NUMBERED.match(bare) and (words[0][0].isupper()):
        # "2.1 Data" or "1. Diplomatic Engagement"; a numbered sentence fragment has lower-case words
        lower = [w for w in words if w[0].islower() and w.lower() not in _SMALL_WORDS]
        if len(lower) <= max(1, len(words) // 3):
            return "numbered"
    if is_section_name(bare):
        return "named"
    letters = [c for c in rest if c.isalpha()]
    if len(letters) >= 3 and all(c.isupper() for c in letters):
        return "caps"
    content = [w for w in words if w.lower() not in _SMALL_WORDS]
    if content and all(w[0].isupper() for w in content):
        return "title"
    return None


def _numbering_depth(text: str) -> int:
    match = _NUMBERED.match(text.strip())
    if not match:
        return 0
    token = match.group(1).rstrip(".")
    return token.count(".") + 1 if token[:1].isdigit() else 1


# --- tables ---------------------------------------------------------------------------------------


def split_cells(line: str) -> list[str]:
    """Cells of an aligned line: tab-separated, else separated by runs of 2+ spaces."""
    cells = line.rstrip("\n").split("\t") if "\t" in line else re.split(r" {2,}", line.strip())
    while cells and not cells[-1].strip():
        cells.pop()
    return [c.strip() for c in cells]


def is_aligned(line: str) -> bool:
    return len([c for c in split_cells(line) if c]) >= 2 and (
        "\t" in line or bool(re.search(r"\S {2,}\S", line))
    )


_ALIGNED_CELL = re.compile(r"\S+(?: \S+)*")  # a cell of a space-aligned line: words one space apart


def aligned_rows(lines: list[str]) -> list[list[str]]:
    """The cells of aligned lines. A space-aligned line that starts right of every row label (a header
    over a label column that has none, a header's or a label's second line) gets an empty first cell, as
    a tab-separated one would; when it continues the line above, each of its cells goes under the cell
    of that line whose middle is nearest, so that ``merge_continuation_rows`` joins the right ones."""
    rows = [split_cells(ln) for ln in lines]
    if any("\t" in ln for ln in lines):
        return rows
    spans = [[(m.start(), m.end()) for m in _ALIGNED_CELL.finditer(ln)] for ln in lines]
    indents = [len(ln) - len(ln.lstrip(" ")) for ln in lines]
    least = min(indents)
    labels_end = max(i + len(r[0]) for i, r in zip(indents, rows, strict=True) if i == least and r)
    out: list[list[str]] = []
    for k, row in enumerate(rows):
        if indents[k] < labels_end + 2:
            out.append(row)
            continue
        placed = _under(spans[k], row, spans[k - 1], len(out[-1])) if out else None
        out.append(placed or ["", *row])
    return out


def _under(
    spans: list[tuple[int, int]], row: list[str], above: list[tuple[int, int]], width: int
) -> list[str] | None:
    """``row`` spread under the cells of the line above (``width`` cells, the first ones possibly empty
    cells it was given), or None when two of its cells would fall under one or under the first."""
    if len(spans) != len(row) or not above:
        return None
    offset = width - len(above)
    placed = [""] * width
    for (start, end), text in zip(spans, row, strict=True):
        middle = (start + end) / 2
        j = offset + min(range(len(above)), key=lambda a: abs((above[a][0] + above[a][1]) / 2 - middle))
        if j == 0 or placed[j]:
            return None
        placed[j] = text
    return placed


def merge_continuation_rows(rows: list[list[str]]) -> list[list[str]]:
    """A row whose first cell is empty continues the row above (a header or cell broken over lines)."""
    out: list[list[str]] = []
    for row in rows:
        if out and row and not row[0] and any(row):
            prev = out[-1]
            width = max(len(prev), len(row))
            prev += [""] * (width - len(prev))
            for i, cell in enumerate(row):
                if cell:
                    prev[i] = f"{prev[i]} {cell}".strip()
        else:
            out.append(list(row))
    return out


def table_rows(rows: list[list[str]], *, captioned: bool) -> list[list[str]] | None:
    """Rows that form a table (header first, every row as wide as the header), or None."""
    rows = merge_continuation_rows([r for r in rows if any(c.strip() for c in r)])
    if len(rows) < 2:
        return None
    width = len(rows[0])
    if any(len(r) > width for r in rows):
        return None  # a row wider than the header: the grid is not what it seems
    rows = [r + [""] * (width - len(r)) for r in rows]
    header = rows[0]
    if width < 2 or sum(1 for c in header if c) < 2 or any("|" in c for r in rows for c in r):
        return None
    if not captioned:
        # without a caption, only a tidy grid counts: full header, short cells, every row filled
        if not all(header) or any(len(c) > 120 for r in rows for c in r):
            return None
        if any(sum(1 for c in r if c) < 2 for r in rows[1:]):
            return None
    return rows


def block_as_prose(rows: list[list[str]]) -> list[Block]:
    """A tab block that is no table (a two-column page layout, a garbled box) read as prose.

    When one column holds most of the text (the running text of a two-column layout), its cells are
    joined into one paragraph; every other cell becomes its own line, in reading order.
    """
    width = max((len(r) for r in rows), default=0)
    totals = [sum(len(r[i]) for r in rows if i < len(r)) for i in range(width)]
    out: list[Block] = []
    if totals:
        main = max(range(width), key=lambda i: totals[i])
        cells = [r[main] for r in rows if main < len(r) and r[main]]
        if totals[main] > 0.5 * sum(totals) and len(cells) >= 3:
            for r in rows:
                out += [Block("text", [c]) for i, c in enumerate(r) if c and i != main]
            head = []
            if heading_style(cells[0]) in ("caps", "named") and not _SENTENCE_END.search(cells[0]):
                head = [Block("heading", [cells[0]])]
                cells = cells[1:]
            return [*out, *head, Block("text", cells)]
    return [Block("text", [" ".join(c for c in r if c)]) for r in rows if any(r)]


# --- from lines to blocks -------------------------------------------------------------------------


def text_to_blocks(text: str) -> list[Block]:
    """Split plain text into blocks at blank lines; aligned lines become table blocks, marked list
    lines list items; a heading-like first line of a wrapped paragraph becomes its own block."""
    blocks: list[Block] = []
    text = text.replace("\f", "\n")
    for chunk in re.split(r"\n[ \t]*\n", text):
        lines = [ln for ln in chunk.split("\n") if ln.strip()]
        if not lines:
            continue
        run: list[str] = []
        run_aligned: bool | None = None
        for line in lines:
            aligned = is_aligned(line) or (line.startswith("\t") and bool(line.strip()))
            if run and aligned != run_aligned:
                blocks += _lines_to_blocks(run, run_aligned)
                run = []
            run.append(line)
            run_aligned = aligned
        blocks += _lines_to_blocks(run, run_aligned)
    return blocks


def _lines_to_blocks(lines: list[str], aligned: bool | None) -> list[Block]:
    if not lines:
        return []
    if aligned:
        return [Block("table", rows=aligned_rows(lines))]
    out: list[Block] = []
    current: list[str] = []
    for line in lines:
        starts_item = bool(_LIST_MARKER.match(line.strip())) or line.strip()[:1] in _SUPERSCRIPTS
        if current and starts_item:
            out.append(Block("text", current))
            current = []
        current.append(line)
    out.append(Block("text", current))
    if len(out) == 1 and len(lines) > 1 and heading_style(lines[0]) in ("numbered", "caps", "named"):
        return [Block("text", [lines[0]]), Block("text", lines[1:])]
    return out


# --- the document pass ----------------------------------------------------------------------------


@dataclass
class Recovered:
    """The result of structure recovery: Markdown text, the metadata found and notes on what degraded."""

    markdown: str
    metadata: dict[str, Any]
    warnings: list[str]


def ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text.rstrip()))


def _rejoin_broken_paragraphs(blocks: list[Block]) -> list[Block]:
    """A paragraph cut by a page break (or a footnote between) continues in the next text block that
    starts in lower case."""
    out: list[Block] = []
    for block in blocks:
        if block.kind == "text" and block.lines and block.heading_size is None:
            first = block.lines[0].strip()
            target = next(
                (b for b in reversed(out[-4:]) if b.kind == "text" and b.heading_size is None), None
            )
            if (
                target is not None
                and first[:1].islower()
                and not ends_sentence(target.text)
                and not _LIST_MARKER.match(target.lines[0].strip())
                and all(_is_footnote(b) or b is target for b in out[out.index(target) :])
            ):
                target.lines += block.lines
                continue
        out.append(block)
    return out


def _join_caption_lines(blocks: list[Block]) -> list[Block]:
    """A caption set in heading type and broken over a page or column ("Table 1: ... between X" +
    "(2024) (Values ...)") is one caption: the next block in the same type continues it."""
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.heading_size is not None
            and block.heading_size == prev.heading_size
            and _CAPTION.match(prev.text)
            and not _CAPTION.match(block.text)
            and heading_style(block.text) not in ("numbered", "named")
            and block.text[:1] in "(["
        ):
            prev.lines = [f"{prev.text} {block.text}"]
            continue
        out.append(block)
    return out


def _is_footnote(block: Block) -> bool:
    return block.kind == "text" and bool(block.lines) and block.lines[0].strip()[:1] in _SUPERSCRIPTS


def _sentence_case_heading(blocks: list[Block], i: int) -> bool:
    """A short sentence-case line ("Related work") between a finished paragraph and a long one."""
    line = blocks[i].lines[0].strip()
    words = line.rstrip(":").split()
    if not 1 <= len(words) <= 6 or len(line) > 60 or not line[:1].isupper() or line[-1] in ".,;!?)":
        return False
    if _LIST_MARKER.match(line) or _EMAIL.search(line) or line[0] in _SUPERSCRIPTS:
        return False
    if sum(c.isdigit() for c in line) > 2 or not re.fullmatch(r"[\w\s'’\-:/&(),+]+", line):
        return False
    nxt = blocks[i + 1] if i + 1 < len(blocks) else None
    prev = blocks[i - 1] if i > 0 else None
    if nxt is None or nxt.kind != "text" or len(nxt.text) < 150 or heading_style(nxt.text):
        return False
    return prev is None or prev.kind != "text" or ends_sentence(prev.text) or bool(heading_style(prev.text))


def _continues_list(blocks: list[Block], i: int) -> bool:
    """ "12. Smith, J. (2020) ..." after "11. ..." is the next item of a numbered list, not a heading."""
    number = re.match(r"^\(?(\d{1,3})[.)]\s", blocks[i].lines[0].strip())
    if not number or i == 0:
        return False
    prev = blocks[i - 1]
    before = re.match(r"^(?:[-*•]\s+)?\(?(\d{1,3})[.)]\s", prev.lines[0].strip()) if prev.lines else None
    return bool(before) and int(before.group(1)) + 1 == int(number.group(1))


def _classify(blocks: list[Block]) -> None:
    """Mark headings, captions and list items (in place)."""
    for i, block in enumerate(blocks):
        if block.kind != "text" or len(block.lines) != 1:
            if block.kind == "text" and _LIST_MARKER.match(block.lines[0].strip()):
                block.kind = "list_item"
            continue
        line = block.lines[0].strip()
        if _CAPTION.match(line):
            block.kind = "caption"
        elif _continues_list(blocks, i):
            block.kind = "list_item"
        elif block.heading_size is not None or heading_style(line):
            block.kind = "heading"
        elif _LIST_MARKER.match(line) or _BULLET.match(line):
            block.kind = "list_item"
        elif _sentence_case_heading(blocks, i):
            block.kind = "heading"


def _assign_levels(blocks: list[Block]) -> None:
    """Give each heading a level (1 = top).

    With font hints (PDF), larger type is higher. Otherwise: usual section names are top-level;
    numbers give depth ("2.1" under "2"), nested under a named section when the paper numbers only its
    subsections; other headings directly under a heading are its children, and after body text they
    are siblings of the last heading of their kind in the same top-level section.
    """
    headings = [b for b in blocks if b.kind == "heading"]
    if not headings:
        return
    if any(b.heading_size is not None for b in headings):
        sizes = sorted({round(b.heading_size or 0, 1) for b in headings}, reverse=True)
        for b in headings:
            b.level = min(sizes.index(round(b.heading_size or 0, 1)) + 1, 6)
        return
    numbered_top = any(
        _numbering_depth(b.text) == 1 and is_section_name(b.text) for b in headings if _NUMBERED.match(b.text)
    )
    top: Block | None = None
    last: Block | None = None  # the last heading seen
    last_by_style: dict[str, int] = {}  # level of the last heading of each look, in this top section
    adjacent = False  # no body text since the last heading
    for block in blocks:
        if block.kind != "heading":
            adjacent = False
            continue
        style = heading_style(block.text) or "title"
        key = f"{style}:{block.text.rstrip().endswith(':')}"
        depth = _numbering_depth(block.text)
        if depth:
            level = depth if numbered_top else (top.level + depth if top else depth)
        elif adjacent and last is not None:
            level = last.level + 1
        elif style == "named":
            level = 1
        elif key in last_by_style:
            level = last_by_style[key]
        elif last is not None and last.level > 1:
            level = last.level
        else:
            level = top.level + 1 if top else 1
        block.level = max(1, min(level, 6))
        if block.level == 1:
            top = block
            last_by_style = {}
        last_by_style[key] = block.level
        last = block
        adjacent = True


def _author_names(line: str) -> list[tuple[str, str]] | None:
    """(name, footnote marks) for each author on an author line, or None if it is not one."""
    if len(line) > 400 or _EMAIL.search(line) or (ends_sentence(line) and not line.rstrip().endswith(".")):
        return None
    parts = [p for p in re.split(r"\s*(?:,|&|;|\band\b)\s*", line) if p.strip()]
    if not parts or len(parts) > 30:
        return None
    out = []
    for part in parts:
        marks = "".join(c for c in part if c in _SUPERSCRIPTS or c in "*†‡§")
        name = re.sub(rf"[{_SUPERSCRIPTS}*†‡§\d]+", " ", part).strip().rstrip(".")
        name = re.sub(r"\s+", " ", name)
        words = name.split()
        if not 2 <= len(words) <= 6 or not all(_NAME_WORD.match(w) for w in words):
            return None
        out.append((name, marks.translate(_SUPER_TO_DIGIT)))
    return out


def _footnote_text(block: Block) -> tuple[str, str]:
    text = block.text.strip()
    marks = ""
    while text and text[0] in _SUPERSCRIPTS:
        marks += text[0]
        text = text[1:]
    return marks.translate(_SUPER_TO_DIGIT), text.strip()


def _split_email(text: str) -> tuple[str, str | None]:
    match = re.search(
        r"[,;]?\s*(?:E-?mail\s*:?\s*)?(?:<[a-z]+>)?\s*(" + _EMAIL.pattern + r")", text, re.IGNORECASE
    )
    if not match:
        return text.strip().rstrip(",;"), None
    email = match.group(1)
    rest = (text[: match.start()] + text[match.end() :]).strip()
    rest = re.sub(r"<[^>]+>", "", rest).strip().rstrip(",;:").strip()
    rest = re.sub(r"[,;]?\s*E-?mail\s*:?\s*$", "", rest, flags=re.IGNORECASE).strip().rstrip(",;")
    return rest, email


def _front_matter(blocks: list[Block], first_heading: int) -> tuple[dict[str, Any], set[int]]:
    """Metadata from the blocks before the first heading; returns it and the blocks it consumed."""
    meta: dict[str, Any] = {}
    used: set[int] = set()
    pre = [(i, b) for i, b in enumerate(blocks[:first_heading]) if b.kind in ("text", "list_item", "heading")]
    authors_at = None
    for i, b in pre:
        names = _author_names(b.text)
        if names and i > 0:
            authors_at = i
            break
    title_at = None
    hinted = [i for i, b in pre if b.title_hint]
    if hinted:
        title_at = hinted[0]
    elif authors_at is not None:
        title_at = next(
            (
                i
                for i, b in reversed(pre)
                if i < authors_at and 10 <= len(b.text) <= 300 and not _EMAIL.search(b.text)
            ),
            None,
        )
    else:
        for i, b in pre[:12]:
            t = b.text
            if (
                3 <= len(t.split()) <= 30
                and not ends_sentence(t)
                and not _EMAIL.search(t)
                and "http" not in t
                and "ISSN" not in t
                and not _JOURNAL.search(t)
            ):
                title_at = i
                break
    if title_at is not None:
        meta["title"] = blocks[title_at].text
        used.add(title_at)
    if authors_at is None and title_at is not None:
        nxt = next((i for i, _ in pre if i > title_at), None)
        if nxt is not None and _author_names(blocks[nxt].text):
            authors_at = nxt
    if authors_at is not None and (title_at is None or authors_at > title_at):
        footnotes = {
            _footnote_text(b)[0]: (i, _footnote_text(b)[1])
            for i, b in enumerate(blocks)
            if _is_footnote(b) and i < first_heading + 40
        }
        authors = []
        for name, marks in _author_names(blocks[authors_at].text) or []:
            record: dict[str, Any] = {"name": name}
            for mark in marks:
                if mark in footnotes:
                    at, note = footnotes[mark]
                    affiliation, email = _split_email(note)
                    if affiliation:
                        record["affiliation"] = affiliation
                    if email:
                        record["email"] = email
                    used.add(at)
            authors.append(record)
        meta["authors"] = authors
        if not re.search(r"\d", blocks[authors_at].text):  # ASCII marks ("Lee1,2") would be lost
            used.add(authors_at)
    journal: dict[str, Any] = {}
    for i, b in pre:
        if i in used:
            continue
        text = b.text
        if (
            "name" not in journal
            and _JOURNAL.search(text)
            and len(text) <= 120
            and not ends_sentence(text)
            and (title_at is None or i < title_at)
        ):
            journal["name"] = text
        for label, key in ((_VOLUME, "volume"), (_ISSUE, "issue"), (_PAGES, "pages")):
            if key not in journal and (m := label.search(text)) and not ends_sentence(text):
                journal[key] = m.group(1)
        if (
            "volume" in journal
            and "year" not in journal
            and _VOLUME.search(text)
            and (m := _YEAR.search(text))
        ):
            journal["year"] = m.group(1)
        for m in _ISSN.finditer(text):
            kind = (m.group(1) or "").lower()
            journal[f"{kind}_issn" if kind in ("online", "print", "electronic") else "issn"] = m.group(2)
    if journal:
        meta["journal"] = journal
    window = [(i, b) for i, b in enumerate(blocks[: first_heading + 12]) if b.kind in ("text", "list_item")]
    for n, (_, b) in enumerate(window):
        if "keywords" not in meta and (m := _KEYWORDS.match(b.text)):
            words = m.group(1).strip()
            if not words and n + 1 < len(window):
                words = window[n + 1][1].text
            keys = [k.strip().rstrip(".") for k in re.split(r"[,;·•]", words) if k.strip().rstrip(".")]
            if keys:
                meta["keywords"] = keys
        if "corresponding_author" not in meta and (m := _CORRESPONDING.match(b.text)) and m.group(1):
            name, email = _split_email(m.group(1))
            record = {"name": name} if name else {}
            if email:
                record["email"] = email
            if record:
                meta["corresponding_author"] = record
    for _, b in window:
        if "doi" not in meta and (m := _DOI.search(b.text)):
            meta["doi"] = m.group(1)
    return meta, used


def _body_start(blocks: list[Block]) -> int:
    """Index of the first section heading: the first usual section name ("Abstract", "1 Introduction")
    when there is one early on, else the first heading that is not the title."""
    headings = [i for i, b in enumerate(blocks) if b.kind == "heading" and not b.title_hint]
    named = [
        i
        for i in headings[:20]
        if heading_style(blocks[i].text) in ("named", "numbered") and is_section_name(blocks[i].text)
    ]
    if named:
        return named[0]
    return headings[0] if headings else len(blocks)


def _printable(value: Any) -> Any:
    """Metadata without control characters (YAML refuses some of them)."""
    if isinstance(value, str):
        return re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", " ", value)
    if isinstance(value, dict):
        return {k: _printable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_printable(v) for v in value]
    return value


def _markdown_table(rows: list[list[str]]) -> str:
    header, body = rows[0], rows[1:]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in body]
    return "\n".join(lines)


def blocks_to_markdown(blocks: list[Block]) -> Recovered:
    """Recover headings, tables, captions and front matter from ``blocks`` and write Markdown."""
    warnings: list[str] = []
    expanded: list[Block] = []
    for block in blocks:
        if block.kind != "table":
            expanded.append(block)
            continue
        prev = next((b for b in reversed(expanded) if b.kind != "table"), None)
        captioned = prev is not None and bool(_CAPTION.match(prev.text.strip())) and prev is expanded[-1]
        last = expanded[-1] if expanded else None
        if (
            last is not None
            and last.kind == "table"
            and len(block.rows[0]) == len(last.rows[0])
            and not _CAPTION.match(" ".join(block.rows[0]))
        ):
            last.rows += block.rows  # a table continued over a page or column break
            continue
        rows = table_rows(block.rows, captioned=captioned)
        if rows is None:
            if captioned:
                warnings.append(f"a table after '{prev.text[:40]}' could not be read as a grid; kept as text")
            expanded += block_as_prose(block.rows)
        else:
            expanded.append(Block("table", rows=rows))
    blocks = _rejoin_broken_paragraphs(_join_caption_lines(expanded))
    _classify(blocks)
    first_heading = _body_start(blocks)
    # a hard-wrapped masthead ("Title" / "Ann Lee, Bob Roe" on consecutive lines) is one line a field
    split: list[Block] = []
    for block in blocks[:first_heading]:
        if block.kind == "text" and len(block.lines) > 1 and any(_author_names(ln) for ln in block.lines[1:]):
            split += [Block("text", [ln]) for ln in block.lines]
        else:
            split.append(block)
    blocks = split + blocks[first_heading:]
    first_heading = len(split)
    for block in blocks[:first_heading]:
        if block.kind == "heading" and not block.title_hint:
            block.kind = "text"  # a masthead line ("Journal of ...", "ARTICLE INFO") is no section
    meta, used = _front_matter(blocks, first_heading)
    blocks = [b for i, b in enumerate(blocks) if i not in used]
    if not any(b.kind == "heading" for b in blocks):
        warnings.append("no section headings found; the text is one section")
    _assign_levels(blocks)

    vocabulary = word_counts(blocks)
    parts: list[str] = []
    meta = _printable(meta)
    body_starts_like_yaml = next((b.text for b in blocks), "").startswith("---")
    if meta or body_starts_like_yaml:  # an empty front matter keeps a leading '---' line from being one
        parts.append("---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=10**6) + "---")
    for block in blocks:
        if block.kind == "heading":
            text = block.text.strip().rstrip(":").strip()
            parts.append("#" * (min(block.level, 5) + 1) + " " + text)
        elif block.kind == "table":
            parts.append(_markdown_table(block.rows))
        elif block.kind == "list_item":
            text = _BULLET.sub("", join_lines(block.lines, vocabulary))
            parts.append(text if _MARKDOWN_LIST.match(text) else f"- {text}")
        elif text := join_lines(block.lines, vocabulary):
            parts.append(text)
    markdown = "\n\n".join(parts) + "\n"
    return Recovered(markdown=markdown, metadata=meta, warnings=warnings)
