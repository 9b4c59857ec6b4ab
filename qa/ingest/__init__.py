"""Any paper in: read a ``.md``, ``.txt`` or ``.pdf`` file and return clean Markdown.

One function, :func:`ingest`, picks the reader by the file's extension (and checks the content is
what the extension says). Every reader returns Markdown in the subset ``qa/parsing/markdown.py``
accepts, so everything downstream (sections, tables, the index, answers) is format-blind.

Bad input raises :class:`~qa.errors.CorpusError` with one line naming the path: a missing, empty,
oversized or unreadable file, a file that is not what its extension says, an encrypted PDF or one
without a text layer. Anything else that cannot be parsed degrades (a malformed table becomes prose,
a document without headings becomes one section) and is reported in ``warnings``.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from qa.errors import CorpusError
from qa.parsing import load_document, parse_document
from qa.schema import Document

logger = logging.getLogger(__name__)

IngestFormat = Literal["md", "txt", "pdf"]
FORMATS: dict[str, IngestFormat] = {".md": "md", ".markdown": "md", ".txt": "txt", ".pdf": "pdf"}


class IngestedPaper(BaseModel):
    """A paper read from any supported format, as clean Markdown plus what was found on the way."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    markdown: str = Field(description="Clean Markdown in the subset qa/parsing/markdown.py accepts.")
    title: str = Field(description="The paper's title as printed (or the file name when none was found).")
    format: IngestFormat
    source_sha256: str = Field(description="sha256 of the source file's bytes.")
    warnings: list[str] = Field(default_factory=list, description="What degraded (one line each).")


def _default_max_bytes() -> int:
    from qa.settings import Settings

    return Settings().ingest.max_bytes


def ingest(path: Path, *, max_bytes: int | None = None) -> IngestedPaper:
    """Read the paper at ``path`` (``.md``, ``.txt`` or ``.pdf``) into clean Markdown.

    Args:
        path: the paper's file.
        max_bytes: refuse larger files (default ``Settings().ingest.max_bytes``).

    Raises:
        CorpusError: one line naming the path, for a file that cannot be read at all.
    """
    path = Path(path)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise CorpusError(
            f"Cannot read {path}: unsupported file type '{path.suffix or '(none)'}'; use .md, .txt or .pdf."
        )
    limit = _default_max_bytes() if max_bytes is None else max_bytes
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise CorpusError(f"Paper file not found: {path}.") from None
    except OSError as exc:
        raise CorpusError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if path.is_dir():
        raise CorpusError(f"Cannot read {path}: it is a folder, not a file.")
    if size == 0:
        raise CorpusError(f"Cannot read {path}: the file is empty (0 bytes).")
    if size > limit:
        raise CorpusError(
            f"Cannot read {path}: {size / 1e6:.1f} MB is over the {limit / 1e6:.0f} MB limit "
            "(QA_INGEST__MAX_BYTES)."
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    # the readers load here, not on import: `qa ask` on a Markdown paper never needs them
    from qa.ingest.readers import read_markdown, read_pdf, read_text

    started = time.perf_counter()
    if kind == "pdf":
        markdown, title, warnings = read_pdf(data, path)
    elif kind == "txt":
        markdown, title, warnings = read_text(data, path)
    else:
        markdown, title, warnings = read_markdown(data, path)
    logger.debug("ingested %s (%s) in %.0f ms", path, kind, (time.perf_counter() - started) * 1000)
    return IngestedPaper(
        markdown=markdown,
        title=title,
        format=kind,
        source_sha256=hashlib.sha256(data).hexdigest(),
        warnings=warnings,
    )


def load_paper(path: Path, max_bytes: int) -> Document:
    """The parsed paper at ``path``: a ``.txt`` or ``.pdf`` file goes through :func:`ingest` first (its
    headings, tables and front matter recovered), anything else is read as the Markdown it should be.

    A plain-text paper handed straight to the Markdown parser loses its tables and sections (an
    aligned table is prose there), so a corpus given as ``--corpus paper.txt`` is ingested the same way
    ``qa library add`` ingests it. The index's identity stays the source file's hash.

    Raises:
        CorpusError: one line naming the path, for a file that cannot be read.
    """
    path = Path(path)
    if FORMATS.get(path.suffix.lower()) not in ("txt", "pdf"):
        return load_document(path, max_bytes)
    paper = ingest(path, max_bytes=max_bytes)
    for warning in paper.warnings:
        logger.info("%s: %s", path, warning)
    return parse_document(paper.markdown, source=str(path))


__all__ = ["FORMATS", "IngestedPaper", "ingest", "load_paper"]
