"""Read a PDF's text layer into :class:`~qa.ingest.structure.Block` values with pdfplumber.

Why pdfplumber (MIT, on pdfminer.six): it keeps the reading order of a one-column page, gives every
character's font and size (so headings, the title and superscript footnote marks can be told apart
from body text) and it detects ruled tables with their cells. pypdf (BSD) gives neither fonts per
line nor tables; PyMuPDF is faster but AGPL-licensed, which this project cannot take on. pdfplumber's
cost (about 0.1-0.3 s a page) is paid once, when the paper is ingested.

Per page: ruled tables are found and read cell by cell; the other characters are grouped into lines,
lines into blocks at vertical gaps or changes of type, running headers and footers dropped (lines at
the top or bottom that recur on many pages, bare page numbers), raised small digits written as the
superscripts they are (footnote marks). Bold or larger single blocks carry their size as a heading
hint; the largest type on the first page is the title.
"""

from __future__ import annotations

import io
import itertools
import logging
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from qa.errors import CorpusError
from qa.ingest.readers import remove_running_lines
from qa.ingest.structure import _LIST_MARKER, Block, join_lines

logger = logging.getLogger(__name__)

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass
class _Line:
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    bold: bool
    text: str
    page: int = 0


def _line_from_chars(chars: list[dict]) -> _Line | None:
    chars = sorted(chars, key=lambda c: c["x0"])
    if not chars:
        return None
    sizes = Counter(round(c["size"], 1) for c in chars if c["text"].strip())
    if not sizes:
        return None
    size = sizes.most_common(1)[0][0]
    body_bottom = max((c["bottom"] for c in chars if round(c["size"], 1) == size), default=chars[0]["bottom"])
    text = ""
    prev = None
    for c in chars:
        glyph = c["text"]
        small_raised = c["size"] < 0.9 * size and c["bottom"] < body_bottom - 0.2 * size
        if small_raised and glyph.isdigit():
            glyph = glyph.translate(_SUPERSCRIPT)
        if (
            prev is not None
            and c["x0"] - prev["x1"] > 0.2 * min(size, prev["size"])
            and not text.endswith(" ")
        ):
            text += " "
        text += glyph
        prev = c
    text = " ".join(text.split())
    bold = all("bold" in c.get("fontname", "").lower() for c in chars if c["text"].strip())
    top, bottom = min(c["top"] for c in chars), max(c["bottom"] for c in chars)
    return _Line(top, bottom, chars[0]["x0"], max(c["x1"] for c in chars), size, bold, text)


def _page_lines(page, tables) -> list[tuple[float, _Line | list[list[str]]]]:
    """Lines and tables of one page, in reading order (top to bottom)."""
    boxes = [t.bbox for t in tables]

    def outside(obj: dict) -> bool:
        return not any(
            x0 - 1 <= obj["x0"] and obj["x1"] <= x1 + 1 and t - 1 <= obj["top"] and obj["bottom"] <= b + 1
            for x0, t, x1, b in boxes
        )

    chars = [c for c in page.chars if outside(c)]
    rows = _rows(chars)
    # list bullets are drawn as small shapes, not characters: put a "•" back before their line
    bullets = [
        o
        for o in [*page.curves, *page.rects]
        if o["width"] < 8 and o["height"] < 8 and outside(o) and o.get("fill", True)
    ]
    segments = [seg for row in rows for seg in _segments(row)]
    gutter = _gutter(segments, page.width)
    if gutter is not None:
        # two columns: lines that span the gutter (a full-width title or abstract) apart, then each
        # column's characters grouped into lines on their own, so neighbouring columns never mix
        spanning = {
            id(c)
            for seg in segments
            if min(c["x0"] for c in seg) < gutter < max(c["x1"] for c in seg)
            for c in seg
        }
        wide = [c for c in chars if id(c) in spanning]
        left = [c for c in chars if id(c) not in spanning and c["x0"] < gutter]
        right = [c for c in chars if id(c) not in spanning and c["x0"] >= gutter]
        rows = _rows(wide) + _rows(left) + _rows(right)
    lines = [ln for row in rows if (ln := _line_from_segments(_segments(row)))]
    for line in lines:
        if any(
            b["x1"] <= line.x0
            and line.x0 - b["x1"] < 20
            and line.top <= (b["top"] + b["bottom"]) / 2 <= line.bottom
            for b in bullets
        ):
            line.text = "• " + line.text
    placed: list[tuple[float, float, float, _Line | list[list[str]]]] = [
        (ln.top, ln.x0, ln.x1, ln) for ln in lines
    ]
    for table in tables:
        cells = [[join_lines((cell or "").split("\n")) for cell in r] for r in table.extract()]
        if cells:
            x0, top, x1, _ = table.bbox
            placed.append((top, x0, x1, cells))
    return [(top, item) for top, _, _, item in _reading_order(placed, gutter)]


def _rows(chars: list[dict]) -> list[list[dict]]:
    """Characters grouped into text rows: a character joins a row it overlaps vertically by half its
    height (so raised superscripts stay on their line)."""
    rows: list[list] = []  # [top, bottom, chars]
    for c in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        height = max(c["bottom"] - c["top"], 0.1)
        for row in reversed(rows[-3:]):
            overlap = min(row[1], c["bottom"]) - max(row[0], c["top"])
            if overlap >= 0.5 * min(height, row[1] - row[0]):
                row[2].append(c)
                row[0], row[1] = min(row[0], c["top"]), max(row[1], c["bottom"])
                break
        else:
            rows.append([c["top"], c["bottom"], [c]])
    return [r[2] for r in rows]


def _segments(row: list[dict]) -> list[list[dict]]:
    """A row's characters split where the horizontal gap is wider than two characters (columns,
    table cells aligned with spaces)."""
    chars = sorted(row, key=lambda c: c["x0"])
    out: list[list[dict]] = [[chars[0]]]
    for c in chars[1:]:
        prev = out[-1][-1]
        if c["x0"] - prev["x1"] > 2.0 * min(c["size"], prev["size"]):
            out.append([c])
        else:
            out[-1].append(c)
    return out


def _gutter(segments: list[list[dict]], width: float) -> float | None:
    """The x of a two-column page's gutter: the middle of the widest vertical band in the middle third
    that few segments cross while many lie wholly on either side; None for a one-column page."""
    spans = [(min(c["x0"] for c in s), max(c["x1"] for c in s)) for s in segments if len(s) > 3]
    if len(spans) < 10:
        return None
    good: list[tuple[int, float]] = []
    for step in range(61):
        x = width * (0.35 + 0.3 * step / 60)
        crossing = sum(1 for a, b in spans if a < x < b)
        left = sum(1 for _, b in spans if b <= x)
        right = sum(1 for a, _ in spans if a >= x)
        if left >= 0.25 * len(spans) and right >= 0.25 * len(spans) and crossing <= 0.15 * len(spans):
            good.append((crossing, x))
    if not good:
        return None
    fewest = min(c for c, _ in good)
    band = [x for c, x in good if c == fewest]
    return (band[0] + band[-1]) / 2


def _line_from_segments(parts: list[list[dict]]) -> _Line | None:
    """One line from a row's segments; segments far apart are joined with a tab (aligned cells)."""
    lines = [ln for p in parts if (ln := _line_from_chars(p)) is not None and ln.text]
    if not lines:
        return None
    first = lines[0]
    if len(lines) == 1:
        return first
    return _Line(
        min(ln.top for ln in lines),
        max(ln.bottom for ln in lines),
        first.x0,
        lines[-1].x1,
        Counter(ln.size for ln in lines).most_common(1)[0][0],
        all(ln.bold for ln in lines),
        "\t".join(ln.text for ln in lines),
    )


def _reading_order(items: list[tuple], gutter: float | None) -> list[tuple]:
    """``(top, x0, x1, item)`` top to bottom; on a two-column page, between items that span both
    columns, the left column first, then the right."""
    items = sorted(items, key=lambda i: (i[0], i[1]))
    if gutter is None:
        return items
    out: list[tuple] = []
    band: list[tuple] = []
    for item in items:
        if item[1] < gutter < item[2]:
            out += sorted(band, key=lambda i: (i[1] >= gutter, i[0]))
            band = []
            out.append(item)
        else:
            band.append(item)
    return out + sorted(band, key=lambda i: (i[1] >= gutter, i[0]))


def _pdf_error(exc: Exception, path: Path) -> CorpusError:
    """One line for anything pdfminer raises (pdfplumber wraps its errors in PdfminerException)."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    causes = [exc, *exc.args, exc.__cause__]
    if (
        any(isinstance(c, PDFPasswordIncorrect | PDFEncryptionError) for c in causes)
        or "password" in repr(exc).lower()
    ):
        return CorpusError(
            f"Cannot read {path}: the PDF is encrypted (password-protected); save an unlocked copy."
        )
    detail = next((c for c in causes if isinstance(c, Exception) and c is not exc), exc)
    return CorpusError(f"Cannot read {path}: the PDF is damaged or not a PDF ({type(detail).__name__}).")


def pdf_blocks(data: bytes, path: Path) -> tuple[list[Block], list[str]]:
    """Blocks of the PDF's text, ready for structure recovery.

    Raises:
        CorpusError: the file is not a readable PDF, is encrypted, or has no text layer.
    """
    import pdfplumber

    warnings: list[str] = []
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:
        raise _pdf_error(exc, path) from None
    pages: list[list[tuple[float, _Line | list[list[str]]]]] = []
    with pdf:
        try:
            for page in pdf.pages:
                tables = [t for t in page.find_tables() if len(t.columns) >= 2]
                pages.append(_page_lines(page, tables))
        except Exception as exc:
            raise _pdf_error(exc, path) from None
    if not pages:
        raise CorpusError(f"Cannot read {path}: the PDF has no pages.")
    if not any(page for page in pages):
        raise CorpusError(
            f"Cannot read {path}: the PDF has no text layer (scanned images only?); run OCR on it first."
        )
    pages, dropped = _drop_running_lines(pages)
    if dropped:
        warnings.append(f"{dropped} page header/footer lines removed")
    for number, page in enumerate(pages):
        for _, item in page:
            if isinstance(item, _Line):
                item.page = number
    items = [item for page in pages for _, item in page]
    return _group(items), warnings


def _drop_running_lines(pages):
    """Running headers and footers out (see :func:`remove_running_lines`); tables stay."""
    texts = [[item.text if isinstance(item, _Line) else "\t" for _, item in page] for page in pages]
    kept, dropped = remove_running_lines(texts)
    out = []
    for page, page_kept in zip(pages, kept, strict=True):
        keep = Counter(page_kept)
        new = []
        for top, item in page:
            key = item.text if isinstance(item, _Line) else "\t"
            if keep[key] > 0:
                keep[key] -= 1
                new.append((top, item))
        out.append(new)
    return out, dropped


def _group(items: list[_Line | list[list[str]]]) -> list[Block]:
    """Lines into blocks: a new block at a vertical gap, a change of size or weight, a list marker, a
    footnote mark or after a short line; bold or larger short blocks carry their size as a heading
    hint, the largest type near the start is the title; tab-joined lines become table rows."""
    lines = [i for i in items if isinstance(i, _Line)]
    if not lines:
        return [Block("table", rows=i) for i in items if not isinstance(i, _Line)]
    body: Counter[float] = Counter()
    for ln in lines:
        body[ln.size] += len(ln.text)
    body_size = body.most_common(1)[0][0]
    pitches = [
        b.top - a.top
        for a, b in itertools.pairwise(lines)
        if a.size == b.size == body_size and 0 < b.top - a.top < 3 * body_size
    ]
    pitch = statistics.median(pitches) if pitches else 1.2 * body_size
    title_size = max((ln.size for ln in lines[:40]), default=body_size)
    blocks: list[Block] = []
    prev: _Line | None = None
    current: list[_Line] = []
    rights: dict[tuple[int, int], float] = {}

    def column_right(line: _Line) -> float:
        """The right edge of the line's column on its page (most lines there reach it; shorter lines
        end a paragraph)."""
        key = (line.page, round(line.x0 / 40))
        if key not in rights:
            ends = sorted(
                ln.x1
                for ln in lines
                if ln.page == line.page and abs(ln.x0 - line.x0) < 40 and ln.size == body_size
            )
            rights[key] = ends[int(0.8 * (len(ends) - 1))] if ends else line.x1
        return rights[key]

    def flush() -> None:
        if not current:
            return
        first = current[0]
        joined = join_lines([c.text for c in current])
        hinted = (
            (first.bold or first.size > 1.15 * body_size)
            and len(current) <= 3
            and len(joined) <= 200
            and not joined.endswith(".")
        )
        if hinted:
            block = Block("text", [joined], heading_size=first.size)
            block.title_hint = (
                first.size == title_size
                and title_size > 1.3 * body_size
                and not any(b.title_hint for b in blocks)
            )
        else:
            block = Block("text", [c.text for c in current])
        blocks.append(block)
        current.clear()

    for item in items:
        if not isinstance(item, _Line):
            flush()
            prev = None
            blocks.append(Block("table", rows=item))
            continue
        if "\t" in item.text:  # cells aligned with white space: rows of a table (checked later)
            flush()
            if blocks and blocks[-1].kind == "table" and prev is not None and "\t" in prev.text:
                blocks[-1].rows.append(item.text.split("\t"))
            else:
                blocks.append(Block("table", rows=[item.text.split("\t")]))
            prev = item
            continue
        right = column_right(item)
        new_block = (
            prev is None
            or item.top - prev.top > 1.3 * max(pitch, 0.9 * item.size) * max(1.0, item.size / body_size)
            or item.top < prev.top  # a new page or column
            or item.size != prev.size
            or item.bold != prev.bold
            or bool(_LIST_MARKER.match(item.text))
            or item.text[:1] in "¹²³⁴⁵⁶⁷⁸⁹"
            or (item.size < body_size and bool(re.match(r"^[A-Z][\w ]{0,30}:\s", item.text)))  # "Keywords: "
            or (prev.x1 < right - 0.25 * (right - prev.x0) and not item.bold)  # a short line ends a paragraph
        )
        if new_block:
            flush()
        current.append(item)
        prev = item
    flush()
    return blocks
