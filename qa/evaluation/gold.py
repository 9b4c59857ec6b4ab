"""Load and validate a gold question file (JSONL, one question per line)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qa.errors import QAError


class GoldSetError(QAError):
    """The gold question file is malformed."""

    exit_code = 2


QuestionType = Literal["table", "prose", "list", "unanswerable", "conflict", "followup"]
QUESTION_TYPES: tuple[str, ...] = get_args(QuestionType)


class GoldQuestion(BaseModel):
    """One gold question with what a correct answer must contain and cite."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    type: QuestionType
    answers: list[str] = Field(default_factory=list, description="Any one must appear in the answer.")
    must_include: list[str] = Field(default_factory=list, description="All must appear in the answer.")
    sections: list[str] = Field(default_factory=list, description="Any one must be cited.")
    history: list[str] = Field(default_factory=list, description="Earlier turns, oldest first.")


def load_gold(path: Path) -> list[GoldQuestion]:
    """Read ``path``; every problem is reported with the file name and line number.

    Raises:
        GoldSetError: unreadable file, bad JSON, unknown type, missing keys, duplicate ids, or no questions.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise GoldSetError(f"Gold file not found: {path}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldSetError(f"Cannot read gold file {path}: {exc}.") from None
    questions: list[GoldQuestion] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldSetError(
                f"{path}, line {number}: not valid JSON ({exc.msg} at column {exc.colno})."
            ) from None
        if not isinstance(data, dict):
            raise GoldSetError(f"{path}, line {number}: expected a JSON object, got {type(data).__name__}.")
        if "type" in data and data["type"] not in QUESTION_TYPES:
            raise GoldSetError(
                f"{path}, line {number}: unknown type {data['type']!r}; valid types: {', '.join(QUESTION_TYPES)}."
            )
        try:
            question = GoldQuestion.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'line'}: {err['msg']}" for err in exc.errors()
            )
            raise GoldSetError(f"{path}, line {number}: {problems}.") from None
        if question.id in seen:
            raise GoldSetError(
                f"{path}, line {number}: duplicate id {question.id!r} (first used on line {seen[question.id]})."
            )
        seen[question.id] = number
        questions.append(question)
    if not questions:
        raise GoldSetError(f"{path} contains no questions.")
    return questions
