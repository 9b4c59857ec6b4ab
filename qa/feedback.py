"""User feedback on answers: appended to a JSONL file one record per line, read back by ``qa eval``."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qa.errors import FeedbackError
from qa.indexing.files import append_line_durably

MAX_COMMENT_CHARS = 5000  # a comment is a sentence or two; the page caps its input box at this


class FeedbackRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    question: str
    resolved_question: str = ""
    answer: str
    rating: Literal["up", "down"]
    comment: str = Field(default="", max_length=MAX_COMMENT_CHARS)
    cited_sections: list[str] = Field(default_factory=list)
    abstained: bool = False
    at: str = Field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))


def append_feedback(path: Path, record: FeedbackRecord) -> None:
    """Append one record; earlier lines are never rewritten, so a crash cannot corrupt them."""
    try:
        append_line_durably(path, record.model_dump_json())
    except OSError as exc:
        raise FeedbackError(f"Could not save feedback to {path}: {exc.strerror or exc}.") from None


def read_feedback(path: Path) -> tuple[list[FeedbackRecord], int]:
    """All readable records and the number of unreadable lines (e.g. one cut short by a crash)."""
    if not path.is_file():
        return [], 0
    records, bad = [], 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            records.append(FeedbackRecord.model_validate(json.loads(line)))
        except (ValueError, ValidationError):
            bad += 1
    return records, bad
