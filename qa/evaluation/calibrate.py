"""``qa calibrate``: train the answerability model from questions with known answers.

Data (training splits only; the Qasper test split is never used): Qasper train papers, the SQuAD
2.0 file and the seed paper's gold set. Every question is asked through ``Assistant.ask`` with no
model installed, and the answer is labelled right or wrong:

- an abstention is right when the question has no answer (a Qasper annotator marked it
  unanswerable, a SQuAD question is impossible, a gold question is of type 'unanswerable');
- an answer is right on Qasper when it cites a gold evidence paragraph or its answer string
  reaches token F1 >= 0.5 against an annotator; on SQuAD when a gold answer is inside a cited quote
  or the short answer reaches F1 >= 0.5; on the gold set when `qa eval` judges it correct.

A logistic regression (scikit-learn, fixed seed) is fitted on standardised features and written
as JSON with its record: data counts, seed, and its scores (log loss, Brier score, ROC AUC) on the
training rows and on the rows of the data sets held out by ``--holdout`` (cross-data check). The
abstention cut is the highest probability below which answers are at least ``--precision`` wrong on
the training rows (an answer is turned into an abstention only when that is right that often);
None when no cut reaches it.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.answering.confidence import FEATURE_NAMES, AnswerabilityModel, features
from qa.errors import InvalidOptionError
from qa.evaluation.benchmarks import (
    DEFAULT_CACHE,
    DEFAULT_DATA,
    cited_paragraphs,
    iter_qasper,
    iter_squad,
)
from qa.evaluation.gold import load_gold
from qa.evaluation.metrics import judge
from qa.evaluation.official import compute_f1, fold_whitespace, token_f1_score
from qa.indexing.files import write_json_atomic
from qa.schema import Answer
from qa.settings import PROJECT_ROOT, Settings

logger = logging.getLogger(__name__)

DEFAULT_MODEL = PROJECT_ROOT / "qa" / "data" / "answerability.json"
DEFAULT_GOLD = PROJECT_ROOT / "corpus" / "gold.jsonl"
SOURCES = ("qasper", "squad2", "gold")
RIGHT_F1 = 0.5  # token F1 at which an answer string counts as right (SQuAD's usual cut for 'correct')


@dataclass
class Row:
    source: str
    x: list[float]
    right: bool
    abstained: bool


def row_of(source: str, answer: Answer, right: bool) -> Row:
    x = features(answer.evidence_scores, answer.strategy, answer.answer_type, answer.short_answer is not None)
    return Row(source, x, right, answer.abstained)


def qasper_rows(limit: int | None, cache: Path, settings: Settings, embedder) -> Iterator[Row]:
    for item in iter_qasper(
        DEFAULT_DATA["qasper"], "train", cache, embedder=embedder, limit=limit, settings=settings
    ):
        if item.answer is None:
            continue
        refs = item.gold
        if item.answer.abstained:
            right = any(r["type"] == "none" for r in refs)
        else:
            cited = {fold_whitespace(p) for p in cited_paragraphs(item.answer, item.document)}
            text = item.answer.short_answer or " ".join(c.quote for c in item.answer.citations)
            right = any(
                cited & {fold_whitespace(e) for e in r["evidence"]}
                or token_f1_score(text, r["answer"]) >= RIGHT_F1
                for r in refs
                if r["type"] != "none"
            )
        yield row_of("qasper", item.answer, right)


def squad_rows(cache: Path, settings: Settings, embedder) -> Iterator[Row]:
    for item in iter_squad(DEFAULT_DATA["squad2"], cache, embedder=embedder, settings=settings):
        if item.answer is None:
            continue
        gold = item.gold
        if item.answer.abstained:
            right = not gold
        else:
            quotes = " ".join(c.quote for c in item.answer.citations)
            short = item.answer.short_answer or ""
            right = bool(gold) and any(g in quotes or compute_f1(g, short) >= RIGHT_F1 for g in gold)
        yield row_of("squad2", item.answer, right)


def gold_rows(path: Path, settings: Settings, embedder) -> Iterator[Row]:
    from qa.assistant import Assistant

    assistant = Assistant.load(settings, embedder=embedder)
    for q in load_gold(path):
        answer = assistant.ask(q.question, history=q.history or None)
        yield row_of("gold", answer, judge(q, answer).correct)


def _scores(p: np.ndarray, y: np.ndarray) -> dict[str, float | int | None]:
    from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

    if len(y) == 0:
        return {"rows": 0}
    both = len(set(y.tolist())) == 2
    return {
        "rows": len(y),
        "right": int(y.sum()),
        "log_loss": round(float(log_loss(y, p, labels=[0, 1])), 4),
        "brier": round(float(brier_score_loss(y, p)), 4),
        "roc_auc": round(float(roc_auc_score(y, p)), 4) if both else None,
    }


def choose_cut(p: np.ndarray, y: np.ndarray, answered: np.ndarray, precision: float) -> float | None:
    """The highest cut such that answers below it are wrong at least ``precision`` of the time."""
    order = np.argsort(p[answered])
    probs, rights = p[answered][order], y[answered][order]
    best = None
    wrong = 0
    for i, (prob, right) in enumerate(zip(probs, rights, strict=True), 1):
        wrong += int(not right)
        if i >= 20 and wrong / i >= precision and (i == len(probs) or probs[i] > prob):
            best = float(probs[i]) if i < len(probs) else float(prob) + 1e-6
    return best


def fit(rows: list[Row], holdout: set[str], seed: int, precision: float) -> AnswerabilityModel:
    from sklearn.linear_model import LogisticRegression

    train = [r for r in rows if r.source not in holdout]
    held = [r for r in rows if r.source in holdout]
    if len({r.right for r in train}) < 2:
        raise InvalidOptionError("Calibration needs both right and wrong answers in the training data.")
    x = np.array([r.x for r in train], dtype=np.float64)
    y = np.array([r.right for r in train], dtype=np.int64)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0  # a constant feature (std 0 up to rounding) is left unscaled
    model = LogisticRegression(C=1.0, max_iter=2000, random_state=seed).fit((x - mean) / scale, y)
    result = AnswerabilityModel(
        names=FEATURE_NAMES,
        weights=tuple(float(w) for w in model.coef_[0]),
        bias=float(model.intercept_[0]),
        mean=tuple(float(m) for m in mean),
        scale=tuple(float(s) for s in scale),
        cut=None,
        record={},
    )

    def probs(rs: list[Row]) -> np.ndarray:
        return np.array([result.probability(r.x) for r in rs])

    p_train = probs(train)
    answered = np.array([not r.abstained for r in train])
    cut = choose_cut(p_train, y, answered, precision)
    record = {
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seed": seed,
        "rows_by_source": {s: sum(r.source == s for r in rows) for s in SOURCES},
        "held_out_sources": sorted(holdout),
        "label": "answer right (cites gold evidence or token F1 >= 0.5; gold set: `qa eval` judgement) "
        "or abstention right (question has no answer)",
        "abstain_precision_target": precision,
        "scores": {
            "train": _scores(p_train, y),
            **{
                f"held_out_{s}": _scores(
                    probs([r for r in held if r.source == s]),
                    np.array([r.right for r in held if r.source == s], dtype=np.int64),
                )
                for s in sorted(holdout)
            },
        },
    }
    return AnswerabilityModel(
        result.names, result.weights, result.bias, result.mean, result.scale, cut, record
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--qasper-papers", type=int, default=200, help="Qasper train papers to use (default 200)"
    )
    parser.add_argument(
        "--sources", default=",".join(SOURCES), help=f"comma-separated, from {', '.join(SOURCES)}"
    )
    parser.add_argument(
        "--holdout", default="", help="sources to score but not train on (a cross-data check)"
    )
    parser.add_argument(
        "--precision", type=float, default=0.8, help="wanted share of right abstentions (0.8)"
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_MODEL, help=f"model JSON (default {DEFAULT_MODEL})"
    )
    parser.add_argument("--json", action="store_true", help="print the record as JSON")


def run_cli(args: argparse.Namespace, settings: Settings) -> int:
    """Collect the rows (answers asked with no model installed), fit, write the model JSON."""
    sources = [s.strip() for s in args.sources.split(",") if s.strip()]
    holdout = {s.strip() for s in args.holdout.split(",") if s.strip()}
    unknown = [s for s in [*sources, *holdout] if s not in SOURCES]
    if unknown:
        raise InvalidOptionError(f"Unknown source {unknown[0]!r}. Valid: {', '.join(SOURCES)}.")
    if not 0.5 <= args.precision < 1.0:
        raise InvalidOptionError("--precision must be at least 0.5 and below 1.")
    random.seed(args.seed)
    np.random.seed(args.seed)
    settings = settings.model_copy(
        update={"answer": settings.answer.model_copy(update={"confidence_model": None})}
    )
    from qa.indexing.embedder import shared_embedder

    embedder = shared_embedder(settings.model)
    rows: list[Row] = []
    if "qasper" in sources:
        rows += qasper_rows(args.qasper_papers, args.cache_dir, settings, embedder)
    if "squad2" in sources:
        rows += squad_rows(args.cache_dir, settings, embedder)
    if "gold" in sources:
        gold_settings = settings.model_copy(
            update={"paths": settings.paths.model_copy(update={"index_dir": args.cache_dir / "gold-index"})}
        )
        rows += gold_rows(args.gold, gold_settings, embedder)
    model = fit(rows, holdout, args.seed, args.precision)
    write_json_atomic(args.output, model.to_json())
    record: dict[str, Any] = model.record | {"abstain_below": model.cut, "output": str(args.output)}
    print(json.dumps(record, indent=None if args.json else 2))
    return 0
