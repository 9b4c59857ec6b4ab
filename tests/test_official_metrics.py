"""The official Qasper and SQuAD 2.0 metrics against small cases worked out by hand."""

from __future__ import annotations

import pytest

from qa.evaluation.official import (
    compute_exact,
    compute_f1,
    evaluate_qasper,
    evaluate_squad2,
    normalize_answer,
    paragraph_f1_score,
    qasper_references,
    squad_gold_answers,
    token_f1_score,
)


def annotation(**fields):
    base = {
        "unanswerable": False,
        "yes_no": None,
        "free_form_answer": "",
        "extractive_spans": [],
        "evidence": [],
    }
    return base | fields


def test_normalize_answer_drops_case_punctuation_articles_and_extra_space():
    assert normalize_answer("  The Cat,  sat on AN old-mat! ") == "cat sat on oldmat"
    assert normalize_answer("a") == ""


def test_token_f1_by_hand():
    # prediction {cat, sat}, gold {cat, sat, on, mat}: P = 1, R = 1/2, F1 = 2/3
    assert token_f1_score("The cat sat", "cat sat on the mat") == pytest.approx(2 / 3)
    assert token_f1_score("dog", "cat") == 0.0
    assert token_f1_score("Yes", "yes.") == 1.0
    assert token_f1_score("", "") == 0.0  # Qasper's version: no overlap, no credit


def test_paragraph_f1_by_hand():
    assert paragraph_f1_score([], []) == 1.0  # empty gold and empty prediction
    assert paragraph_f1_score(["p1"], []) == 0.0
    assert paragraph_f1_score([], ["p1"]) == 0.0
    assert paragraph_f1_score(["p1", "p2"], ["p1"]) == pytest.approx(2 / 3)  # P 1/2, R 1
    assert paragraph_f1_score(["p1"], ["p1", "p2", "p3"]) == pytest.approx(0.5)  # P 1, R 1/3
    # precision divides by the prediction list's length, duplicates included, as in the script
    assert paragraph_f1_score(["p1", "p1"], ["p1"]) == pytest.approx(2 / 3)


def test_references_follow_the_answer_type_order_and_drop_float_evidence():
    refs = qasper_references(
        [
            annotation(unanswerable=True, evidence=["ignored"]),
            annotation(
                extractive_spans=["BERT", "ELMo"],
                free_form_answer="x",
                evidence=["p1", "FLOAT SELECTED: Table 1"],
            ),
            annotation(free_form_answer="a small model", evidence=["p2"]),
            annotation(yes_no=True),
            annotation(yes_no=False, evidence=["FLOAT SELECTED: Figure 2"]),
        ]
    )
    assert refs == [
        {"answer": "Unanswerable", "evidence": [], "type": "none"},
        {"answer": "BERT, ELMo", "evidence": ["p1"], "type": "extractive"},
        {"answer": "a small model", "evidence": ["p2"], "type": "abstractive"},
        {"answer": "Yes", "evidence": [], "type": "boolean"},
        {"answer": "No", "evidence": [], "type": "boolean"},
    ]
    with pytest.raises(ValueError):
        qasper_references([annotation()])


def test_evaluate_qasper_by_hand():
    gold = {
        "q1": qasper_references(
            [annotation(extractive_spans=["cat", "dog"], evidence=["p1"]), annotation(unanswerable=True)]
        ),
        "q2": qasper_references([annotation(yes_no=True, evidence=["FLOAT SELECTED: Table 1"])]),
        "q3": qasper_references([annotation(unanswerable=True), annotation(free_form_answer="something")]),
        "q4": qasper_references([annotation(free_form_answer="x")]),
    }
    predicted = {
        "q1": {"answer": "cat dog", "evidence": ["p1"]},  # answer 1.0 (extractive), evidence 1.0
        "q2": {"answer": "Unanswerable", "evidence": []},  # answer 0 (boolean), evidence: empty/empty = 1.0
        "q3": {"answer": "nothing like it", "evidence": ["p9"]},  # all 0: ties keep the first type (none)
    }  # q4 missing: 0 and 0
    result = evaluate_qasper(gold, predicted)
    assert result["answer_f1"] == pytest.approx(100 * 1 / 4)
    assert result["evidence_f1"] == pytest.approx(100 * 2 / 4)
    assert result["missing_predictions"] == 1
    assert result["answer_f1_by_type"] == {
        "extractive": 100.0,
        "abstractive": 0.0,
        "boolean": 0.0,
        "none": 0.0,
    }
    assert result["by_type_count"] == {"extractive": 1, "abstractive": 0, "boolean": 1, "none": 1}


def test_evaluate_qasper_takes_the_best_annotator_for_answer_and_evidence_apart():
    gold = {
        "q": qasper_references(
            [
                annotation(free_form_answer="a long free answer", evidence=["p1"]),
                annotation(extractive_spans=["exact span"], evidence=["p2"]),
            ]
        )
    }
    result = evaluate_qasper(gold, {"q": {"answer": "exact span", "evidence": ["p1"]}})
    assert result["answer_f1"] == 100.0 and result["by_type_count"]["extractive"] == 1
    assert result["evidence_f1"] == 100.0  # from the other annotator


def test_evidence_is_compared_with_white_space_folded():
    gold = {"q": qasper_references([annotation(free_form_answer="x", evidence=["two  spaces\n here "])])}
    result = evaluate_qasper(gold, {"q": {"answer": "x", "evidence": ["two spaces here"]}})
    assert result["evidence_f1"] == 100.0


def test_squad_exact_and_f1_by_hand():
    assert compute_exact("the 10th century", "10th Century.") == 1
    assert compute_f1("10th century", "the 10th") == pytest.approx(2 / 3)  # P 1, R 1/2
    assert compute_f1("", "") == 1.0  # both abstain
    assert compute_f1("", "France") == 0.0
    assert compute_f1("France", "") == 0.0
    assert squad_gold_answers([]) == [""]
    assert squad_gold_answers(["the", "France"]) == ["France"]  # answers empty after normalising drop out


def test_evaluate_squad2_by_hand():
    gold = {"a": ["France", "in France"], "b": [], "c": ["10th century"], "d": [], "e": ["x"]}
    predicted = {
        "a": "france",
        "b": "",
        "c": "the 10th",
        "d": "Paris",
    }  # e missing: left out, as in the script
    result = evaluate_squad2(gold, predicted)
    assert result["total"] == 4 and result["missing_predictions"] == 1
    assert result["exact"] == pytest.approx(100 * 2 / 4)
    assert result["f1"] == pytest.approx(100 * (1 + 1 + 2 / 3 + 0) / 4)
    assert result["HasAns_total"] == 2 and result["NoAns_total"] == 2
    assert result["HasAns_exact"] == pytest.approx(50.0)
    assert result["HasAns_f1"] == pytest.approx(100 * (1 + 2 / 3) / 2)
    assert result["NoAns_exact"] == pytest.approx(50.0)
