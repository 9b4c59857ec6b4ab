"""The quality gate: `qa eval` on the gold set with the real model must stay at or above the
thresholds recorded in tests/quality_thresholds.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.evaluation.gold import load_gold
from qa.evaluation.run import evaluate, flat_metrics
from qa.settings import PROJECT_ROOT

THRESHOLDS = json.loads((Path(__file__).parent / "quality_thresholds.json").read_text())


@pytest.mark.parametrize("mode", sorted(THRESHOLDS["retrievers"]))
def test_gold_set_meets_recorded_thresholds(assistant, mode):
    gold = load_gold(PROJECT_ROOT / THRESHOLDS["gold"])
    metrics, _ = evaluate(assistant, gold, mode)
    got = flat_metrics(metrics)
    below = {
        k: (got[k], t) for k, t in THRESHOLDS["retrievers"][mode].items() if got[k] is None or got[k] < t
    }
    assert not below, f"{mode}: metrics below threshold (measured, threshold): {below}"


def test_holdout_set_meets_recorded_thresholds(assistant):
    holdout = THRESHOLDS["holdout"]
    metrics, _ = evaluate(assistant, load_gold(PROJECT_ROOT / holdout["file"]), "hybrid")
    got = flat_metrics(metrics)
    below = {k: (got[k], t) for k, t in holdout["hybrid"].items() if got[k] is None or got[k] < t}
    assert not below, f"hold-out: metrics below threshold (measured, threshold): {below}"


def test_gold_set_has_the_required_coverage():
    gold = load_gold(PROJECT_ROOT / THRESHOLDS["gold"])
    by_type: dict[str, int] = {}
    for q in gold:
        by_type[q.type] = by_type.get(q.type, 0) + 1
    assert len(gold) >= 150
    assert by_type["unanswerable"] >= 25 and by_type["conflict"] >= 5 and by_type["followup"] >= 10
    assert all(q.history for q in gold if q.type == "followup")
