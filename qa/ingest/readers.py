"""One reader per format; each returns ``(markdown, title, warnings)`` or raises one-line CorpusErrors."""

from __future__ import annotations

import logging
import re
from collections import Counter
from pathlib import Path

from qa.errors import CorpusError
from qa.ingest.structure import blocks_to_markdown, ends_sentence, text_to_blocks
from qa.parsing.markdown import parse_document

logger = logging.getLogger(__name__)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\u200b-\u200f\u2028-\u202e\ufeff]")
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?\s*$", re.IGNORECASE)

Result = tuple[str, str, list[str]]


def _sniff(data: bytes, path: Path, expected: str) -> None:
    """Refuse content that is plainly another format than the extension says."""
    head = data[:1024].lstrip()
    if expected != "pdf" and head.startswith(b"%PDF-"):
        raise CorpusError(f"Cannot read {path}: it is a PDF file, not {expected} text; rename it to .pdf.")
    if expected == "pdf" and not head.startswith(b"%PDF-") and b"%PDF-" not in data[:1024]:
        raise CorpusError(f"Cannot read {path}: it is not a PDF file (no '%PDF-' header).")
    if expected != "pdf":
        if head.startswith((b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x7fELF")):
            raise CorpusError(
                f"Cannot read {path}: it is a binary file (archive, image or program), not text."
            )
        if b"\x00" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise CorpusError(f"Cannot read {path}: it is a binary file, not text (it contains NUL bytes).")


def decode_text(data: bytes, path: Path) -> tuple[str, list[str]]:
    """UTF-8 (with or without BOM, or UTF-16 with BOM); else Windows-1252 with a warning."""
    warnings: list[str] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise CorpusError(f"Cannot read {path}: it is not valid UTF-16 text.") from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            text = data.decode("cp1252", errors="replace")
            if text.count("\ufffd") > max(3, len(text) // 1000):
                raise CorpusError(f"Cannot read {path}: it is not UTF-8 text (byte {exc.start}).") from None
            warnings.append(f"not UTF-8 (byte {exc.start}); read as Windows-1252")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    if not text.strip():
        raise CorpusError(f"Cannot read {path}: the file holds no text (only white space).")
    return text, warnings


def remove_running_lines(pages: list[list[str]]) -> tuple[list[list[str]], int]:
    """Drop page headers and footers: lines at the top or bottom of a page that recur (digits aside)
    on many pages, and bare page numbers there. Returns the pages and how many lines were dropped."""
    if len(pages) < 2:
        return pages, 0

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", line.strip().lower())

    def margins(lines: list[str]) -> list[int]:
        filled = [i for i, ln in enumerate(lines) if ln.strip()]
        return sorted(set(filled[:2] + filled[-2:]))

    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({key(lines[i]) for i in margins(lines)})
    threshold = max(2, int(0.4 * len(pages)))
    out, dropped = [], 0
    for lines in pages:
        drop = {
            i for i in margins(lines) if counts[key(lines[i])] >= threshold or _PAGE_NUMBER.match(lines[i])
        }
        dropped += len(drop)
        out.append([ln for i, ln in enumerate(lines) if i not in drop])
    return out, dropped


def remove_running_blocks(text: str) -> tuple[str, int]:
    """Page headers and footers of a text without page breaks, each a line standing alone between blank
    lines: a bare page number; a line of a page number or four words or more that recurs (digits
    aside); a line of four words or more repeating part of the title below it (a running title).
    Returns the text and how many lines were dropped."""
    chunks = re.split(r"(\n[ \t]*\n)", text)

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", line.lower())

    lines = {
        i: " ".join(chunks[i].split()) for i in range(0, len(chunks), 2) if "\n" not in chunks[i].strip()
    }
    counts = Counter(key(line) for line in lines.values() if line)
    head_lines = text.strip().split("\n")[:10]
    head = " ".join(" ".join(head_lines).split())
    below_head = len("\n".join(head_lines))
    gone: set[int] = set()
    at = 0
    for i, chunk in enumerate(chunks):
        line = lines.get(i, "")
        long = len(line.split()) >= 4
        if line and (
            _PAGE_NUMBER.match(line)
            or (counts[key(line)] >= 2 and (long or re.search(r"\d", line)) and not line.endswith("."))
            or (long and at > below_head and line in head)
        ):
            gone.add(i)
        at += len(chunk)
    # a page break is a line break: the text on both sides of dropped lines is one paragraph, unless the
    # text before them ends a sentence
    out: list[str] = []
    gap = False
    for i in range(0, len(chunks), 2):
        if i in gone:
            gap = True
            continue
        if out:
            out.append(("\n\n" if ends_sentence(out[-1]) else "\n") if gap else chunks[i - 1])
        out.append(chunks[i])
        gap = False
    return "".join(out), len(gone)


def read_text(data: bytes, path: Path) -> Result:
    """A plain-text extraction (no Markdown): recover its structure."""
    _sniff(data, path, "txt")
    text, warnings = decode_text(data, path)
    if "\f" in text:
        pages, dropped = remove_running_lines([p.split("\n") for p in text.split("\f")])
        if dropped:
            warnings.append(f"{dropped} page header/footer lines removed")
        # a page break is a line break: a paragraph cut by it is re-joined like any other
        text = "\n".join("\n".join(lines) for lines in pages)
    else:
        text, dropped = remove_running_blocks(text)
        if dropped:
            warnings.append(f"{dropped} page header/footer lines removed")
    recovered = blocks_to_markdown(text_to_blocks(text))
    return _checked(recovered.markdown, recovered.metadata.get("title"), path, warnings + recovered.warnings)


def read_markdown(data: bytes, path: Path) -> Result:
    """A Markdown paper is used as written (only line ends normalised); its structure is checked."""
    _sniff(data, path, "md")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"Cannot read {path}: it is not UTF-8 text (byte {exc.start}).") from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise CorpusError(f"Cannot read {path}: the file holds no text (only white space).")
    doc = parse_document(text, source=str(path))
    warnings = []
    if all(s.title in ("Front matter", "Preamble") for s in doc.sections):
        warnings.append("no section headings found; the text is one section")
    title = doc.metadata.get("title") if isinstance(doc.metadata.get("title"), str) else None
    if not title:
        title = next((s.title for s in doc.sections if s.title not in ("Front matter", "Preamble")), None)
    return text, title or path.stem, warnings


def read_pdf(data: bytes, path: Path) -> Result:
    """A PDF with a text layer: lines, fonts and tables from pdfplumber, then structure recovery."""
    _sniff(data, path, "pdf")
    from qa.ingest.pdf import pdf_blocks

    blocks, warnings = pdf_blocks(data, path)
    recovered = blocks_to_markdown(blocks)
    return _checked(recovered.markdown, recovered.metadata.get("title"), path, warnings + recovered.warnings)


def _checked(markdown: str, title: str | None, path: Path, warnings: list[str]) -> Result:
    """Parse the Markdown we wrote: a reader bug must surface here as a clear error, not downstream."""
    parse_document(markdown, source=str(path))
    return markdown, title or path.stem, warnings
