"""The answerability model: the probability that an answer (or an abstention) is right (pure).

A logistic regression over what the evidence looked like (:func:`features`): the scores of the best
sentence and cell, how much of the question the paper knows, which strategy answered and what kind
of answer the question wanted. It is trained by ``qa calibrate`` (qa/evaluation/calibrate.py) on
Qasper train, the SQuAD file and the seed paper's evaluation questions, and stored as plain JSON (weights, feature names,
standardisation, the abstention cut and a record of data, seed and scores). No pickle.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.indexing.files import load_json_model
from qa.question.intent import ANSWER_TYPES

EVIDENCE = (
    "sentence_score",
    "sentence_coverage",
    "sentence_dense",
    "passed_sentences",
    "cell_score",
    "confident_cells",
    "unknown_share",
    "content_terms",
    "passage_score",
    "ranker_top",  # the learned ranker's best paragraph logit (0 without a ranker)
    "ranker_gap",  # ... minus the second best
)
QUESTION_DIMENSIONS = 384  # the question's MiniLM vector is an input too (what kind of question it is)
STRATEGY_GROUPS = ("abstain", "table", "arithmetic", "sentences", "items", "listing", "unit", "yesno")


def strategy_group(strategy: str) -> str:
    """'table:cells' -> 'table', 'abstain:unknown-words' -> 'abstain'."""
    return strategy.split(":", 1)[0]


FEATURE_NAMES: tuple[str, ...] = (
    *EVIDENCE,
    *(f"strategy={g}" for g in STRATEGY_GROUPS),
    *(f"type={t}" for t in ANSWER_TYPES),
    "has_short_answer",
    *(f"question_vector_{i}" for i in range(QUESTION_DIMENSIONS)),
)


def features(
    evidence: dict[str, float], strategy: str, answer_type: str, has_short: bool, vector: Sequence[float]
) -> list[float]:
    """The model's inputs, in :data:`FEATURE_NAMES` order (``vector``: the question's embedding)."""
    group = strategy_group(strategy)
    if len(vector) != QUESTION_DIMENSIONS:
        raise ValueError(f"the question vector has {len(vector)} dimensions, not {QUESTION_DIMENSIONS}")
    return [
        *(float(evidence.get(name, 0.0)) for name in EVIDENCE),
        *(1.0 if group == g else 0.0 for g in STRATEGY_GROUPS),
        *(1.0 if answer_type == t else 0.0 for t in ANSWER_TYPES),
        1.0 if has_short else 0.0,
        *np.asarray(vector, dtype=np.float64).tolist(),
    ]


@dataclass(frozen=True)
class AnswerabilityModel:
    """Standardised logistic regression: p = sigmoid(w . (x - mean) / scale + b)."""

    names: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    cut: float | None
    record: dict[str, Any]

    def __post_init__(self) -> None:
        # w / s and the mean as arrays once, so each question costs one dot product
        scale = np.array([s or 1.0 for s in self.scale], dtype=np.float64)
        object.__setattr__(self, "_slope", np.asarray(self.weights, dtype=np.float64) / scale)
        object.__setattr__(self, "_centre", np.asarray(self.mean, dtype=np.float64))

    def probability(self, x: Sequence[float]) -> float:
        values = np.asarray(x, dtype=np.float64)
        if values.shape != self._centre.shape:
            raise ValueError(f"the model reads {len(self._centre)} features, not {len(values)}")
        z = self.bias + float(self._slope @ (values - self._centre))
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "logistic-regression",
            "features": list(self.names),
            "weights": list(self.weights),
            "bias": self.bias,
            "mean": list(self.mean),
            "scale": list(self.scale),
            "abstain_below": self.cut,
            "record": self.record,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AnswerabilityModel:
        return cls(
            names=tuple(data["features"]),
            weights=tuple(float(w) for w in data["weights"]),
            bias=float(data["bias"]),
            mean=tuple(float(m) for m in data["mean"]),
            scale=tuple(float(s) for s in data["scale"]),
            cut=None if data.get("abstain_below") is None else float(data["abstain_below"]),
            record=dict(data.get("record", {})),
        )


def load_model(path: Path) -> AnswerabilityModel | None:
    """The model at ``path``, or None when there is none or it does not fit these features (then
    answers carry no confidence; a log line says why)."""
    return load_json_model(
        path,
        AnswerabilityModel.from_json,
        lambda m: (
            m.names == FEATURE_NAMES and len(m.weights) == len(m.mean) == len(m.scale) == len(FEATURE_NAMES)
        ),
        "answerability model",
    )
