"""Scoring one answer against one gold question, and aggregating (pure)."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from qa.evaluation.gold import GoldQuestion
from qa.schema import Answer
from qa.text import find_numbers

_UNIT_WORDS = re.compile(
    r"\b(?:usd|us|dollars?|percent|per cent|of|approximately|about|over|around)\b|[$%+~]", re.I
)


def normalise_text(text: str) -> str:
    """Lowercase, unify quotes and dashes, keep letters/digits, single spaces."""
    text = text.lower().replace("’", "'").replace("–", "-").replace("—", "-")
    return " " + re.sub(r"[^0-9a-z%.']+", " ", text).replace(" .", " ").strip() + " "


def expected_number(expected: str) -> float | None:
    """The number an expected answer denotes, if it is just a number (with unit words): '1.4 million'
    -> 1400000; '60%' -> 60; '+1,050' -> 1050; 'March 15, 2025' -> None."""
    mentions = find_numbers(expected)
    if len(mentions) != 1:
        return None
    rest = expected[: mentions[0].start] + expected[mentions[0].end :]
    if _UNIT_WORDS.sub(" ", rest).strip(" .,"):
        return None
    return abs(mentions[0].value) if expected.strip().startswith("+") else mentions[0].value


def contains(answer_text: str, expected: str) -> bool:
    """Whether ``expected`` appears in the answer: numbers compared as numbers, text case- and
    space-insensitively."""
    number = expected_number(expected)
    if number is not None:
        for m in find_numbers(answer_text):
            for candidate in {m.value, m.base, abs(m.value)}:
                if abs(candidate - number) <= 1e-9 * max(1.0, abs(number)):
                    return True
        return False
    return normalise_text(expected).strip() in normalise_text(answer_text)


def cited(answer: Answer, sections: list[str]) -> bool:
    wanted = [s.lower() for s in sections]
    return any(w in c.section.lower() for c in answer.citations for w in wanted)


def retrieval_rank(answer: Answer, sections: list[str]) -> int | None:
    """1-based rank of the first returned passage or table value from an expected section."""
    wanted = [s.lower() for s in sections]
    ranks = []
    for rank, p in enumerate(answer.passages, 1):
        if any(w in p.section.lower() for w in wanted):
            ranks.append(rank)
            break
    for rank, v in enumerate(answer.table_values, 1):
        label = f"{v.table} {v.caption}".lower()
        if any(w in label for w in wanted):
            ranks.append(rank)
            break
    return min(ranks) if ranks else None


@dataclass
class Judgement:
    """How one answer fared."""

    question: GoldQuestion
    answer: Answer
    correct: bool
    citation_ok: bool
    rank: int | None
    missing: list[str] = field(default_factory=list)


def judge(q: GoldQuestion, a: Answer) -> Judgement:
    """Score one answer: answer accuracy, citation accuracy and retrieval rank."""
    if q.type == "unanswerable":
        return Judgement(q, a, a.abstained, not a.citations, None)
    missing = [m for m in q.must_include if not contains(a.answer, m)]
    any_answer = not q.answers or any(contains(a.answer, x) for x in q.answers)
    if not any_answer:
        missing.insert(0, " | ".join(q.answers))
    correct = not a.abstained and any_answer and not missing
    return Judgement(
        q,
        a,
        correct,
        cited(a, q.sections) if q.sections else bool(a.citations),
        retrieval_rank(a, q.sections) if q.sections else None,
        missing,
    )


def _ratio(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return round(ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo), 3)


def aggregate(judgements: list[Judgement]) -> dict:
    """All metrics, overall and by question type."""
    answerable = [j for j in judgements if j.question.type != "unanswerable"]
    unanswerable = [j for j in judgements if j.question.type == "unanswerable"]
    ranked = [j for j in answerable if j.question.sections]
    abstained = [j for j in judgements if j.answer.abstained]
    true_abstain = [j for j in abstained if j.question.type == "unanswerable"]
    precision = _ratio(len(true_abstain), len(abstained))
    recall = _ratio(len(true_abstain), len(unanswerable))
    f1 = (
        round(2 * precision * recall / (precision + recall), 4)
        if precision is not None and recall is not None and precision + recall
        else None
    )
    conflicts = [j for j in judgements if j.question.type == "conflict"]
    followups = [j for j in judgements if j.question.type == "followup"]
    stages: dict[str, list[float]] = {}
    for j in judgements:
        for stage, ms in j.answer.timings_ms.items():
            stages.setdefault(stage, []).append(ms)
    by_type = {}
    for qtype in sorted({j.question.type for j in judgements}):
        group = [j for j in judgements if j.question.type == qtype]
        by_type[qtype] = {
            "questions": len(group),
            "answer_accuracy": _ratio(sum(j.correct for j in group), len(group)),
            "citation_accuracy": _ratio(sum(j.citation_ok for j in group), len(group)),
        }
    return {
        "questions": len(judgements),
        "retrieval": {
            "hit@1": _ratio(sum(j.rank == 1 for j in ranked), len(ranked)),
            "hit@5": _ratio(sum(j.rank is not None and j.rank <= 5 for j in ranked), len(ranked)),
            "mrr": round(statistics.fmean([1 / j.rank if j.rank else 0.0 for j in ranked]), 4)
            if ranked
            else None,
        },
        "answer_accuracy": _ratio(sum(j.correct for j in answerable), len(answerable)),
        "overall_accuracy": _ratio(sum(j.correct for j in judgements), len(judgements)),
        "citation_accuracy": _ratio(sum(j.citation_ok for j in judgements), len(judgements)),
        "abstention": {"precision": precision, "recall": recall, "f1": f1},
        "conflict_recall": _ratio(sum(j.correct for j in conflicts), len(conflicts)),
        "conflicts_flagged": _ratio(sum(bool(j.answer.conflicts) for j in conflicts), len(conflicts)),
        "followup_accuracy": _ratio(sum(j.correct for j in followups), len(followups)),
        "latency_ms": {
            stage: {"p50": percentile(v, 0.5), "p95": percentile(v, 0.95)}
            for stage, v in sorted(stages.items())
        },
        "by_type": by_type,
    }


def failures(judgements: list[Judgement]) -> list[dict]:
    """Every question answered wrongly or cited wrongly, with what was expected and what came back."""
    out = []
    for j in judgements:
        if j.correct and j.citation_ok:
            continue
        q, a = j.question, j.answer
        out.append(
            {
                "id": q.id,
                "type": q.type,
                "question": q.question,
                "resolved": a.resolved_question if a.resolved_question != a.question else None,
                "expected": {"answers": q.answers, "must_include": q.must_include, "sections": q.sections}
                if q.type != "unanswerable"
                else "abstain",
                "missing": j.missing,
                "answered": ("[abstained] " if a.abstained else "") + a.answer,
                "cited": [c.section for c in a.citations],
                "answer_ok": j.correct,
                "citation_ok": j.citation_ok,
            }
        )
    return out
