"""Fuzz the question, history and command-line paths (hypothesis): no exception other than a
documented QAError, and exit 2 with one line for bad input. `qa bench --fuzz 10000` is the long run."""

from __future__ import annotations

from qa.evaluation.fuzz import run_fuzz


def test_fuzzed_inputs_never_crash(assistant):
    result = run_fuzz(assistant, inputs=400, seed=11)
    assert result["inputs"] >= 400
    assert result["crashes"] == 0, result["crash_samples"]
    assert result["outcomes"]["answered"] and result["outcomes"]["refused (QAError)"]
    assert result["outcomes"]["cli exit 2, one line"]
