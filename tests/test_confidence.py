"""The answerability model: fitting, the abstention cut, JSON round trip, and its use in ``ask``."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qa.answering.confidence import (
    FEATURE_NAMES,
    QUESTION_DIMENSIONS,
    AnswerabilityModel,
    features,
    load_model,
)
from qa.evaluation.calibrate import Row, choose_cut, fit

NO_VECTOR = [0.0] * QUESTION_DIMENSIONS


def _rows(n: int, seed: int = 0) -> list[Row]:
    """Synthetic rows whose rightness follows the best sentence's coverage."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        coverage = float(rng.uniform())
        evidence = {"sentence_score": coverage, "sentence_coverage": coverage, "sentence_dense": 0.3}
        x = features(evidence, "sentences", "span", False, NO_VECTOR)
        rows.append(Row("qasper" if i % 2 else "squad2", x, bool(rng.uniform() < coverage), False))
    return rows


def test_fit_learns_the_signal_and_records_its_data():
    model = fit(_rows(400), holdout={"squad2"}, seed=13, precision=0.8)
    low = model.probability(
        features({"sentence_score": 0.1, "sentence_coverage": 0.1}, "sentences", "span", False, NO_VECTOR)
    )
    high = model.probability(
        features({"sentence_score": 0.9, "sentence_coverage": 0.9}, "sentences", "span", False, NO_VECTOR)
    )
    assert low < 0.5 < high
    assert model.record["seed"] == 13 and model.record["rows_by_source"]["qasper"] == 200
    assert model.record["scores"]["train"]["roc_auc"] > 0.7
    assert model.record["scores"]["held_out_squad2"]["rows"] == 200


def test_the_cut_keeps_abstentions_as_precise_as_asked():
    p = np.array([0.1] * 30 + [0.2] * 10 + [0.3] * 10 + [0.8] * 30)
    right = np.array([0] * 40 + [0, 1] * 5 + [1] * 30)
    everyone = np.ones(len(p), dtype=bool)
    for precision, expected in ((0.8, 0.8), (0.99, 0.3)):
        cut = choose_cut(p, right, everyone, precision=precision)
        assert cut == expected and (1 - right[p < cut]).mean() >= precision
    assert choose_cut(p, np.ones(len(p), dtype=int), everyone, precision=0.8) is None


def test_json_round_trip_and_refusal_of_other_features(tmp_path):
    model = fit(_rows(200), holdout=set(), seed=1, precision=0.8)
    path = tmp_path / "m.json"
    path.write_text(json.dumps(model.to_json()))
    again = load_model(path)
    x = features({"sentence_score": 0.5}, "table:cells", "number", True, NO_VECTOR)
    assert again is not None and again.probability(x) == pytest.approx(model.probability(x))
    data = model.to_json()
    data["features"] = data["features"][:-1]
    path.write_text(json.dumps(data))
    assert load_model(path) is None
    path.write_text("{not json")
    assert load_model(path) is None
    assert load_model(tmp_path / "missing.json") is None
    with pytest.raises(ValueError, match="dimensions"):
        features({}, "sentences", "span", False, [0.0] * 3)


def test_the_question_vector_is_an_input():
    """Two questions with the same evidence but different vectors can get different probabilities."""
    rows = []
    rng = np.random.default_rng(3)
    for i in range(300):
        vector = [0.0] * QUESTION_DIMENSIONS
        vector[0] = 1.0 if i % 2 else -1.0  # 'kind of question': odd ones are answerable
        x = features({"sentence_score": 0.5}, "sentences", "span", False, vector)
        rows.append(Row("qasper", x, bool(i % 2) if rng.uniform() < 0.9 else not i % 2, False))
    model = fit(rows, holdout=set(), seed=2, precision=0.8)
    up, down = [0.0] * QUESTION_DIMENSIONS, [0.0] * QUESTION_DIMENSIONS
    up[0], down[0] = 1.0, -1.0
    same = {"sentence_score": 0.5}
    assert model.probability(features(same, "sentences", "span", False, up)) > 0.6
    assert model.probability(features(same, "sentences", "span", False, down)) < 0.4


@pytest.mark.model
def test_ask_reports_confidence_and_abstains_below_the_cut(tmp_path, paper_settings, embedder):
    from qa import Assistant

    def install(bias: float, cut: float | None) -> Assistant:
        model = AnswerabilityModel(
            names=FEATURE_NAMES,
            weights=tuple(0.0 for _ in FEATURE_NAMES),
            bias=bias,
            mean=tuple(0.0 for _ in FEATURE_NAMES),
            scale=tuple(1.0 for _ in FEATURE_NAMES),
            cut=cut,
            record={},
        )
        path = tmp_path / f"model-{bias}.json"
        path.write_text(json.dumps(model.to_json()))
        answer = paper_settings.answer.model_copy(
            update={"confidence_model": path, "confidence_abstains": True}
        )
        return Assistant.load(paper_settings.model_copy(update={"answer": answer}), embedder=embedder)

    question = "How much does Pakistan export to Afghanistan in 2024?"
    sure = install(bias=3.0, cut=0.5).ask(question)
    assert not sure.abstained and sure.confidence == pytest.approx(1 / (1 + np.exp(-3.0)), abs=1e-4)
    assert sure.strategy == "table:cells" and sure.evidence_scores["cell_score"] > 0
    doubtful = install(bias=-3.0, cut=0.5).ask(question)
    assert doubtful.abstained and doubtful.strategy == "abstain:low-confidence" and doubtful.citations == []
    assert doubtful.confidence == pytest.approx(1 - 1 / (1 + np.exp(3.0)), abs=1e-4)
    no_model = Assistant.load(
        paper_settings.model_copy(
            update={"answer": paper_settings.answer.model_copy(update={"confidence_model": None})}
        ),
        embedder=embedder,
    ).ask(question)
    assert no_model.confidence is None and not no_model.abstained
    # by default the cut withholds an answer, never a yes/no one (Settings.confidence_exempt_types)
    path = tmp_path / "model--3.0.json"
    default = paper_settings.answer.model_copy(update={"confidence_model": path})
    assert default.confidence_abstains and default.confidence_exempt_types == ("yesno",)
    assistant = Assistant.load(paper_settings.model_copy(update={"answer": default}), embedder=embedder)
    assert assistant.ask(question).strategy == "abstain:low-confidence"
    yes_no = assistant.ask("Does the paper discuss refugees?")
    assert yes_no.answer_type == "yesno" and not yes_no.abstained and yes_no.short_answer in ("Yes", "No")
    assert yes_no.confidence == pytest.approx(1 / (1 + np.exp(3.0)), abs=1e-4)
    # switched off, the model only reports confidence
    reporting = default.model_copy(update={"confidence_abstains": False})
    only = Assistant.load(paper_settings.model_copy(update={"answer": reporting}), embedder=embedder).ask(
        question
    )
    assert not only.abstained and only.confidence == pytest.approx(1 / (1 + np.exp(3.0)), abs=1e-4)


@pytest.mark.model
def test_a_paper_shorter_than_the_models_training_papers_gets_no_confidence(mini_settings, embedder):
    from qa import Assistant

    assert mini_settings.answer.confidence_min_paragraphs == 10  # tests/data/mini.md has 6
    short = Assistant.load(mini_settings, embedder=embedder)
    answer = short.ask("When does counting happen?")
    assert answer.confidence is None and not answer.abstained and "March" in answer.answer
    longer = mini_settings.answer.model_copy(update={"confidence_min_paragraphs": 1})
    rated = Assistant.load(mini_settings.model_copy(update={"answer": longer}), embedder=embedder)
    assert rated.ask("When does counting happen?").confidence is not None
