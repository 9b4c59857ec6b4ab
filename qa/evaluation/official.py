"""The official metrics of Qasper and SQuAD 2.0, re-implemented from their evaluation scripts.

Sources (behaviour reproduced line for line; names kept so the two can be read side by side):

- Qasper: ``qasper_evaluator.py`` of https://github.com/allenai/qasper (Dasigi et al., NAACL 2021):
  ``normalize_answer``, ``token_f1_score``, ``paragraph_f1_score``, ``get_answers_and_evidence`` (with
  ``text_evidence_only=True``) and ``evaluate``. The script reports fractions; here they are x100.
- SQuAD 2.0: ``evaluate-v2.0.py`` of https://rajpurkar.github.io/SQuAD-explorer/ (Rajpurkar et al.,
  2018) without a no-answer probability file: ``normalize_answer``, ``get_tokens``, ``compute_exact``,
  ``compute_f1``, ``get_raw_scores`` and ``make_eval_dict`` (+ ``HasAns_``/``NoAns_`` subsets).

One deliberate difference, in :func:`evaluate_qasper` only: evidence strings are compared after
:func:`fold_whitespace` on both sides, because the Markdown copies of the papers do not keep every
paragraph's inner white space byte for byte (the benchmark harness measures how often it matters).
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

QASPER_TYPES = ("extractive", "abstractive", "boolean", "none")
UNANSWERABLE = "Unanswerable"
_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_PUNCTUATION = frozenset(string.punctuation)


def overlap_f1(prediction_tokens: list[str], ground_truth_tokens: list[str]) -> float:
    """Token-overlap F1, the core both official scripts share (they differ only on empty strings)."""
    num_same = sum((Counter(prediction_tokens) & Counter(ground_truth_tokens)).values())
    if num_same == 0:
        return 0.0
    precision = num_same / len(prediction_tokens)
    recall = num_same / len(ground_truth_tokens)
    return (2 * precision * recall) / (precision + recall)


def normalize_answer(s: str) -> str:
    """Lower-case, drop punctuation, drop the articles a/an/the, fold white space (SQuAD v1.1 rule)."""
    s = s.lower()
    s = "".join(ch for ch in s if ch not in _PUNCTUATION)
    s = _ARTICLES.sub(" ", s)
    return " ".join(s.split())


def fold_whitespace(text: str) -> str:
    """Strip and collapse runs of white space to one space."""
    return " ".join(text.split())


# --- Qasper -------------------------------------------------------------------------------------


def token_f1_score(prediction: str, ground_truth: str) -> float:
    """Token F1 of two answer strings after :func:`normalize_answer` (Qasper's version).

    Unlike SQuAD 2.0's ``compute_f1``, two empty strings score 0 here, as in the Qasper script.
    """
    return overlap_f1(normalize_answer(prediction).split(), normalize_answer(ground_truth).split())


def paragraph_f1_score(prediction: list[str], ground_truth: list[str]) -> float:
    """F1 of predicted against gold evidence paragraphs (exact strings); both empty scores 1.0."""
    if not ground_truth and not prediction:
        # the question is unanswerable and the prediction is empty
        return 1.0
    num_same = len(set(ground_truth).intersection(set(prediction)))
    if num_same == 0:
        return 0.0
    precision = num_same / len(prediction)
    recall = num_same / len(ground_truth)
    return (2 * precision * recall) / (precision + recall)


def qasper_references(answers: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One reference per annotator: ``answer`` string, text-only ``evidence`` and ``type``.

    Follows ``get_answers_and_evidence(..., text_evidence_only=True)``: unanswerable -> "Unanswerable"
    with no evidence; extractive spans joined by ", "; else the free-form answer; else "Yes"/"No".
    Evidence strings that contain "FLOAT SELECTED" (a table or figure) are dropped.

    Raises:
        ValueError: an annotation holds no answer of any kind (the official script raises too).
    """
    references = []
    for info in answers:
        if info["unanswerable"]:
            references.append({"answer": UNANSWERABLE, "evidence": [], "type": "none"})
            continue
        if info["extractive_spans"]:
            answer, kind = ", ".join(info["extractive_spans"]), "extractive"
        elif info["free_form_answer"]:
            answer, kind = info["free_form_answer"], "abstractive"
        elif info["yes_no"]:
            answer, kind = "Yes", "boolean"
        elif info["yes_no"] is not None:
            answer, kind = "No", "boolean"
        else:
            raise ValueError("An annotation does not contain an answer.")
        evidence = [text for text in info["evidence"] if "FLOAT SELECTED" not in text]
        references.append({"answer": answer, "evidence": evidence, "type": kind})
    return references


def _mean(values: list[float]) -> float:
    return 100.0 * sum(values) / len(values) if values else 0.0


def qasper_scores(prediction: Mapping[str, Any], references: list[dict[str, Any]]) -> dict[str, Any]:
    """Best answer F1 (and that annotator's type) and best evidence F1 of one question, as fractions."""
    # sorted(..., reverse=True)[0] in the script keeps the first annotator among ties: so does max()
    answer_f1, kind = max(
        ((token_f1_score(prediction["answer"], r["answer"]), r["type"]) for r in references),
        key=lambda pair: pair[0],
    )
    predicted = [fold_whitespace(e) for e in prediction["evidence"]]
    evidence_f1 = max(
        paragraph_f1_score(predicted, [fold_whitespace(e) for e in r["evidence"]]) for r in references
    )
    return {"answer_f1": answer_f1, "type": kind, "evidence_f1": evidence_f1}


def evaluate_qasper(
    gold: Mapping[str, list[dict[str, Any]]], predicted: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """Qasper's ``evaluate``: Answer F1 (overall and by type), Evidence F1, missing predictions.

    Args:
        gold: question id -> references from :func:`qasper_references`.
        predicted: question id -> ``{"answer": str, "evidence": [paragraph strings]}``.

    Returns:
        Scores x100 plus ``questions`` and ``by_type_count`` (how many questions each type averages).
    """
    answer_f1s: list[float] = []
    evidence_f1s: list[float] = []
    by_type: dict[str, list[float]] = {kind: [] for kind in QASPER_TYPES}
    missing = 0
    for question_id, references in gold.items():
        if question_id not in predicted:
            missing += 1
            answer_f1s.append(0.0)
            evidence_f1s.append(0.0)
            continue
        scores = qasper_scores(predicted[question_id], references)
        answer_f1s.append(scores["answer_f1"])
        by_type[scores["type"]].append(scores["answer_f1"])
        evidence_f1s.append(scores["evidence_f1"])
    return {
        "answer_f1": _mean(answer_f1s),
        "answer_f1_by_type": {kind: _mean(values) for kind, values in by_type.items()},
        "evidence_f1": _mean(evidence_f1s),
        "missing_predictions": missing,
        "questions": len(gold),
        "by_type_count": {kind: len(values) for kind, values in by_type.items()},
    }


# --- SQuAD 2.0 ----------------------------------------------------------------------------------


def get_tokens(s: str) -> list[str]:
    """Normalised tokens; the empty string (an abstention) has none."""
    return normalize_answer(s).split() if s else []


def compute_exact(a_gold: str, a_pred: str) -> int:
    """1 when the normalised strings are equal."""
    return int(normalize_answer(a_gold) == normalize_answer(a_pred))


def compute_f1(a_gold: str, a_pred: str) -> float:
    """Token F1; when either side is empty (no answer), 1 if both are, else 0."""
    gold_toks = get_tokens(a_gold)
    pred_toks = get_tokens(a_pred)
    if not gold_toks or not pred_toks:
        return float(gold_toks == pred_toks)
    return overlap_f1(pred_toks, gold_toks)


def squad_gold_answers(answer_texts: Iterable[str]) -> list[str]:
    """Gold answers that survive normalisation; ``[""]`` for an unanswerable question."""
    kept = [text for text in answer_texts if normalize_answer(text)]
    return kept or [""]


def evaluate_squad2(gold: Mapping[str, list[str]], predicted: Mapping[str, str]) -> dict[str, Any]:
    """``evaluate-v2.0.py`` without a no-answer threshold: EM and F1 overall, HasAns and NoAns.

    Args:
        gold: question id -> the ``answers[].text`` list (empty for an unanswerable question).
        predicted: question id -> answer string, "" for an abstention.

    Returns:
        ``exact``, ``f1``, ``total``, ``HasAns_*``, ``NoAns_*`` (x100) and ``missing_predictions``.
        As in the script, a question without a prediction is left out of every average.
    """
    exact: dict[str, float] = {}
    f1: dict[str, float] = {}
    for qid, texts in gold.items():
        if qid not in predicted:
            continue
        answers = squad_gold_answers(texts)
        exact[qid] = max(compute_exact(a, predicted[qid]) for a in answers)
        f1[qid] = max(compute_f1(a, predicted[qid]) for a in answers)

    def subset(qids: list[str]) -> dict[str, float]:
        return {
            "exact": _mean([exact[q] for q in qids]),
            "f1": _mean([f1[q] for q in qids]),
            "total": len(qids),
        }

    has_ans = [q for q in exact if gold[q]]
    no_ans = [q for q in exact if not gold[q]]
    out: dict[str, Any] = subset(list(exact))
    if has_ans:
        out.update({f"HasAns_{k}": v for k, v in subset(has_ans).items()})
    if no_ans:
        out.update({f"NoAns_{k}": v for k, v in subset(no_ans).items()})
    out["missing_predictions"] = len(gold) - len(exact)
    return out
