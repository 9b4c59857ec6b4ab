"""Train the evidence ranker (:mod:`qa.answering.ranker`) on Qasper **train** evidence paragraphs.

One row per (question, paragraph) of every Qasper train paper: the ranker's features, labelled 1 when
an annotator gave that paragraph as text evidence. An MLP (scikit-learn, one hidden ReLU layer of 32,
L2 1e-3, 60 epochs of Adam, fixed seed) is fitted on all rows; the citation margin (paragraphs within
that many logits of the best are cited with it, at most :data:`MAX_PARAGRAPHS`, by
:func:`qa.answering.ranker.cited`, the rule answers use) is chosen on
out-of-fold scores (5 folds by paper), maximising Qasper evidence F1. The validation split is never
read here; the Qasper test split is never read anywhere.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.answering.ranker import FEATURES, Paragraphs, RankerModel, cited
from qa.evaluation.benchmarks import (
    DEFAULT_DATA,
    LoadLog,
    _load,
    paragraph_source,
    paragraphs,
    qasper_papers,
)
from qa.evaluation.official import fold_whitespace, paragraph_f1_score, qasper_references
from qa.question import analyse
from qa.settings import AnswerSettings, Settings

logger = logging.getLogger(__name__)

# most paragraphs cited for one answer: the answers' own setting, so training scores what answers do
MAX_PARAGRAPHS: int = AnswerSettings.model_fields["max_evidence_paragraphs"].default
MARGINS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
FOLDS = 5
EPOCHS = 60


@dataclass
class Question:
    paper: int
    x: np.ndarray  # features, one row per paragraph
    y: np.ndarray  # 1 for a gold evidence paragraph
    texts: list[str]  # each paragraph's text, white space folded
    references: list[list[str]]  # each annotator's text evidence, folded


def collect(
    cache: Path,
    settings: Settings,
    embedder,
    limit: int | None = None,
    data_dir: Path = DEFAULT_DATA["qasper"],
    split: str = "train",
) -> list[Question]:
    """Features and labels of every question of the split (papers loaded from the benchmark cache,
    built there when missing). Training uses the train split only."""
    papers, by_paper = qasper_papers(data_dir, split)
    log = LoadLog()
    out: list[Question] = []
    for number, paper in enumerate(papers[:limit] if limit else papers):
        records = by_paper.get(paper.stem, [])
        if not records:
            continue
        assistant = _load(paper, cache / "qasper" / split / paper.stem, settings, embedder, log, paper.stem)
        if assistant is None:
            continue
        doc = assistant.document
        table = Paragraphs.of(doc)
        texts = [fold_whitespace(paragraph_source(doc, p)) for p in paragraphs(doc)]
        for record in records:
            refs = [[fold_whitespace(e) for e in r["evidence"]] for r in qasper_references(record["answers"])]
            gold = {e for r in refs for e in r}
            q = analyse(record["question"], assistant.vocab, embedder.encode_query(record["question"]))
            x = table.features(
                set(q.terms.content), q.vector, assistant.index.sentence_vectors, q.answer_type
            )
            y = np.array([t in gold for t in texts], dtype=np.int64)
            out.append(Question(number, x, y, texts, refs))
    logger.info("ranker rows: %d questions from %d papers", len(out), log.loaded)
    return out


def fit_mlp(questions: list[Question], seed: int):
    from sklearn.neural_network import MLPClassifier

    x = np.vstack([q.x for q in questions])
    y = np.concatenate([q.y for q in questions])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits

    # one BLAS thread: a multi-threaded matrix product sums in varying order, and 60 epochs of Adam
    # turn that rounding into different weights on every run
    with warnings.catch_warnings(), threadpool_limits(1):
        # a fixed 60 epochs: out-of-fold evidence F1 is as high as with early stopping (23.8 vs 23.7)
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPClassifier(hidden_layer_sizes=(32,), alpha=1e-3, max_iter=EPOCHS, random_state=seed).fit(
            (x - mean) / scale, y
        )
    return mean, scale, mlp


def as_model(mean, scale, mlp, margin: float, record: dict[str, Any]) -> RankerModel:
    return RankerModel(
        features=FEATURES,
        mean=mean,
        scale=scale,
        hidden_weights=mlp.coefs_[0],
        hidden_bias=mlp.intercepts_[0],
        output_weights=mlp.coefs_[1][:, 0],
        output_bias=float(mlp.intercepts_[1][0]),
        margin=margin,
        record=record,
    )


def evidence_f1(questions: list[Question], scores: list[np.ndarray], margin: float) -> float:
    """Qasper evidence F1 (x100) when each question cites :func:`cited` paragraphs."""
    total = 0.0
    for q, s in zip(questions, scores, strict=True):
        predicted = [q.texts[i] for i in cited(s, margin, MAX_PARAGRAPHS)]
        total += max(paragraph_f1_score(predicted, r) for r in q.references)
    return 100.0 * total / max(len(questions), 1)


def train(questions: list[Question], seed: int) -> RankerModel:
    """Fit on every question; choose the margin on out-of-fold scores."""
    if len(questions) < FOLDS * 2 or not any(q.y.any() for q in questions):
        raise ValueError("too few labelled Qasper train questions to train the ranker")
    started = time.perf_counter()
    out_of_fold: list[np.ndarray] = [np.zeros(0)] * len(questions)
    for fold in range(FOLDS):
        fitted = fit_mlp([q for q in questions if q.paper % FOLDS != fold], seed)
        model = as_model(*fitted, margin=0.0, record={})
        for i, q in enumerate(questions):
            if q.paper % FOLDS == fold:
                out_of_fold[i] = model.scores(q.x)
    by_margin = {m: round(evidence_f1(questions, out_of_fold, m), 2) for m in MARGINS}
    margin = max(MARGINS, key=lambda m: (by_margin[m], -m))
    final = as_model(*fit_mlp(questions, seed), margin=margin, record={})
    in_sample = [final.scores(q.x) for q in questions]
    record = {
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "data": "Qasper train: every question of every paper; label = paragraph given as text evidence "
        "by any annotator",
        "questions": len(questions),
        "papers": len({q.paper for q in questions}),
        "rows": int(sum(len(q.y) for q in questions)),
        "positive_rows": int(sum(int(q.y.sum()) for q in questions)),
        "seed": seed,
        "model": f"MLPClassifier(hidden_layer_sizes=(32,), alpha=1e-3, max_iter={EPOCHS})",
        "evidence_f1_out_of_fold_by_margin": {str(m): v for m, v in by_margin.items()},
        "evidence_f1_in_sample": round(evidence_f1(questions, in_sample, margin), 2),
        "seconds": round(time.perf_counter() - started, 1),
    }
    return RankerModel(
        final.features,
        final.mean,
        final.scale,
        final.hidden_weights,
        final.hidden_bias,
        final.output_weights,
        final.output_bias,
        margin,
        record,
    )
