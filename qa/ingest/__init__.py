"""Turn a paper file into the clean Markdown the parser reads.

This is the minimal Markdown-only reader the library is coded against; the readers branch (issue 9,
format readers) replaces this module with plain-text and PDF readers behind the same interface::

    ingest(path, *, max_bytes=None) -> IngestedPaper

Errors raise :class:`~qa.errors.CorpusError` with one line that names the path.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from qa.errors import CorpusError

SUPPORTED_SUFFIXES: dict[str, Literal["md", "txt", "pdf"]] = {".md": "md", ".markdown": "md"}
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.M)


class IngestedPaper(BaseModel):
    """A paper read from a file: its clean Markdown and what the reader noticed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    markdown: str = Field(description="The clean Markdown the parser reads (front matter optional).")
    title: str = Field(description="Title from the front matter or the first heading; else the file name.")
    format: Literal["md", "txt", "pdf"]
    source_sha256: str = Field(description="sha256 of the file's bytes (recognises a paper added twice).")
    warnings: list[str] = Field(default_factory=list, description="What the reader had to guess.")


def ingest(path: Path, *, max_bytes: int | None = None) -> IngestedPaper:
    """Read the paper at ``path``.

    Args:
        path: A ``.md`` file (the readers branch adds ``.txt`` and ``.pdf``).
        max_bytes: Refuse larger files before reading them.

    Raises:
        CorpusError: the file is missing, empty, too large, of an unsupported kind, or not UTF-8 text.
    """
    path = Path(path)
    fmt = SUPPORTED_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise CorpusError(
            f"{path}: cannot read '{path.suffix or 'no extension'}' files (supported: {kinds})."
        )
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise CorpusError(f"{path} is not a file.")
        if size == 0:
            raise CorpusError(f"{path} is empty (0 bytes).")
        if max_bytes is not None and size > max_bytes:
            raise CorpusError(f"{path} is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB.")
        data = path.read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"File not found: {path}.") from None
    except OSError as exc:
        raise CorpusError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusError(
            f"{path} is not UTF-8 text (byte {exc.start}); is it really a '{path.suffix}' file?"
        ) from None
    if "\x00" in text:
        raise CorpusError(f"{path} holds binary data; is it really a '{path.suffix}' file?")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise CorpusError(f"{path} holds no text.")
    return IngestedPaper(
        markdown=text,
        title=_title(text) or path.stem,
        format=fmt,
        source_sha256=hashlib.sha256(data).hexdigest(),
    )


def _title(text: str) -> str | None:
    """The front matter's ``title``, else the first heading's text."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end > 0:
            try:
                meta = yaml.safe_load(text[4:end])
            except yaml.YAMLError:
                meta = None
            if isinstance(meta, dict) and str(meta.get("title") or "").strip():
                return str(meta["title"]).strip()
    match = _HEADING.search(text)
    return match.group(1).strip() if match else None
