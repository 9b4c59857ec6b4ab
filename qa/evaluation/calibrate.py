"""``qa calibrate``: train the evidence ranker, then the answerability model, from questions with
known answers. One command; ``--only ranker|answerability`` runs one step.

The evidence ranker (:mod:`qa.evaluation.train_ranker`) learns from the Qasper train annotators'
evidence paragraphs. The answerability model is then trained on answers given with that ranker
installed:

Data (training splits only; the Qasper test split is never used): Qasper train papers, the SQuAD
2.0 file and the seed paper's gold set. Every question is asked through ``Assistant.ask`` with no
model installed, and the answer is labelled right or wrong:

- an abstention is right when the question has no answer (a Qasper annotator marked it
  unanswerable, a SQuAD question is impossible, a gold question is of type 'unanswerable');
- on Qasper, an answer is right when it scores more on the official metrics (answer F1 + evidence
  F1) than "Unanswerable" with no evidence would, and an abstention when it scores at least as
  much (with the earlier label, "cites gold evidence or F1 >= 0.5", the model reached ROC AUC 0.557
  on Qasper validation; with this one 0.668, issue 8 notes); on SQuAD when a gold answer is inside a cited quote
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
    iter_qasper,
    iter_squad,
    qasper_prediction,
)
from qa.evaluation.gold import load_gold
from qa.evaluation.metrics import judge
from qa.evaluation.official import UNANSWERABLE, compute_f1, qasper_scores
from qa.indexing.files import write_json_atomic
from qa.question.intent import ANSWER_TYPES
from qa.schema import Answer
from qa.settings import PROJECT_ROOT, Settings

logger = logging.getLogger(__name__)

DEFAULT_MODEL = PROJECT_ROOT / "qa" / "data" / "answerability.json"
DEFAULT_RANKER = PROJECT_ROOT / "qa" / "data" / "evidence_ranker.json"
STEPS = ("ranker", "answerability")
DEFAULT_GOLD = PROJECT_ROOT / "corpus" / "gold.jsonl"
SOURCES = ("qasper", "squad2", "gold")
RIGHT_F1 = 0.5  # token F1 at which an answer string counts as right (SQuAD's usual cut for 'correct')


@dataclass
class Row:
    source: str
    x: list[float]
    right: bool
    abstained: bool
    answer_type: str = "span"


def row_of(source: str, answer: Answer, right: bool, embedder) -> Row:
    """The model's inputs for ``answer``; the question vector is ``ask``'s (the resolved text, embedded)."""
    vector = embedder.encode_query(answer.resolved_question)
    x = features(
        answer.evidence_scores, answer.strategy, answer.answer_type, answer.short_answer is not None, vector
    )
    return Row(source, x, right, answer.abstained, answer.answer_type)


def qasper_rows(limit: int | None, cache: Path, settings: Settings, embedder) -> Iterator[Row]:
    for item in iter_qasper(
        DEFAULT_DATA["qasper"], "train", cache, embedder=embedder, limit=limit, settings=settings
    ):
        if item.answer is None:
            continue
        # right = worth more than the other choice on Qasper's own metrics (answer F1 + evidence F1):
        # an answer beats saying "Unanswerable" with no evidence, or an abstention is at least as good
        # as the answer would have been (annotators who found no text evidence make that common)
        scored = qasper_scores(qasper_prediction(item), item.gold)
        abstaining = qasper_scores({"answer": UNANSWERABLE, "evidence": []}, item.gold)
        answered = scored["answer_f1"] + scored["evidence_f1"]
        held_back = abstaining["answer_f1"] + abstaining["evidence_f1"]
        right = held_back >= answered if item.answer.abstained else answered > held_back
        yield row_of("qasper", item.answer, right, embedder)


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
        yield row_of("squad2", item.answer, right, embedder)


def gold_rows(path: Path, settings: Settings, embedder) -> Iterator[Row]:
    from qa.assistant import Assistant

    assistant = Assistant.load(settings, embedder=embedder)
    for q in load_gold(path):
        answer = assistant.ask(q.question, history=q.history or None)
        yield row_of("gold", answer, judge(q, answer).correct, embedder)


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


def fit(
    rows: list[Row], holdout: set[str], seed: int, precision: float, c: float = 0.05
) -> AnswerabilityModel:
    from sklearn.linear_model import LogisticRegression

    train = [r for r in rows if r.source not in holdout]
    held = [r for r in rows if r.source in holdout]
    if len({r.right for r in train}) < 2:
        raise InvalidOptionError("Calibration needs both right and wrong answers in the training data.")
    x = np.array([r.x for r in train], dtype=np.float64)
    y = np.array([r.right for r in train], dtype=np.int64)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0  # a constant feature (std 0 up to rounding) is left unscaled
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # one BLAS thread: the same rows give the same weights on every run
        model = LogisticRegression(C=c, max_iter=5000, random_state=seed).fit((x - mean) / scale, y)
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
    types = np.array([r.answer_type for r in train])
    record = {
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seed": seed,
        "rows_by_source": {s: sum(r.source == s for r in rows) for s in SOURCES},
        "held_out_sources": sorted(holdout),
        "label": "Qasper: answering scores more (answer F1 + evidence F1) than abstaining, or abstaining at least as "
        "much; SQuAD: a gold answer inside a cited quote or short-answer F1 >= 0.5, abstention right on impossible "
        "questions; gold set: the `qa eval` judgement",
        "abstain_precision_target": precision,
        "answered_rows_by_type": {t: int((answered & (types == t)).sum()) for t in ANSWER_TYPES},
        "regularization_c": c,
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
        "--qasper-papers",
        type=int,
        default=None,
        help="Qasper train papers for the answerability model (default: all 888)",
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
    parser.add_argument(
        "--c",
        type=float,
        default=0.05,
        help="inverse L2 strength of the logistic regression (0.05: keeps the 384 question-vector weights small)",
    )
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_MODEL, help=f"model JSON (default {DEFAULT_MODEL})"
    )
    parser.add_argument(
        "--ranker-output",
        type=Path,
        default=DEFAULT_RANKER,
        help=f"evidence ranker JSON (default {DEFAULT_RANKER})",
    )
    parser.add_argument(
        "--only",
        choices=STEPS,
        default=None,
        help="train only the evidence ranker, or only the answerability model (with the ranker installed)",
    )
    parser.add_argument("--json", action="store_true", help="print the record as JSON")


def run_cli(args: argparse.Namespace, settings: Settings) -> int:
    """Train the evidence ranker (Qasper train), then the answerability model with that ranker
    installed (answers asked with no answerability model), and write both as JSON."""
    sources = [s.strip() for s in args.sources.split(",") if s.strip()]
    holdout = {s.strip() for s in args.holdout.split(",") if s.strip()}
    unknown = [s for s in [*sources, *holdout] if s not in SOURCES]
    if unknown:
        raise InvalidOptionError(f"Unknown source {unknown[0]!r}. Valid: {', '.join(SOURCES)}.")
    if not 0.5 <= args.precision < 1.0:
        raise InvalidOptionError("--precision must be at least 0.5 and below 1.")
    if args.c <= 0:
        raise InvalidOptionError("--c must be above 0.")
    random.seed(args.seed)
    np.random.seed(args.seed)
    from qa.indexing.embedder import shared_embedder

    embedder = shared_embedder(settings.model)
    records: dict[str, Any] = {}
    if args.only in (None, "ranker"):
        from qa.evaluation.train_ranker import collect, train

        ranker_settings = settings.model_copy(
            update={
                "answer": settings.answer.model_copy(
                    update={"evidence_ranker": None, "confidence_model": None}
                )
            }
        )
        ranker = train(collect(args.cache_dir, ranker_settings, embedder), args.seed)
        write_json_atomic(args.ranker_output, ranker.to_json())
        records["ranker"] = ranker.record | {"margin": ranker.margin, "output": str(args.ranker_output)}
    if args.only in (None, "answerability"):
        settings = settings.model_copy(
            update={
                "answer": settings.answer.model_copy(
                    update={"confidence_model": None, "evidence_ranker": args.ranker_output}
                )
            }
        )
        rows: list[Row] = []
        if "qasper" in sources:
            rows += qasper_rows(args.qasper_papers, args.cache_dir, settings, embedder)
        if "squad2" in sources:
            rows += squad_rows(args.cache_dir, settings, embedder)
        if "gold" in sources:
            gold_settings = settings.model_copy(
                update={
                    "paths": settings.paths.model_copy(update={"index_dir": args.cache_dir / "gold-index"})
                }
            )
            rows += gold_rows(args.gold, gold_settings, embedder)
        model = fit(rows, holdout, args.seed, args.precision, args.c)
        write_json_atomic(args.output, model.to_json())
        records["answerability"] = model.record | {
            "abstain_below": model.cut,
            "output": str(args.output),
        }
    print(json.dumps(records, indent=None if args.json else 2))
    return 0
