"""The learned evidence ranker: its features, its JSON, its training, and how answers use it (no model)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qa.answering.context import AnswerContext
from qa.answering.ranker import FEATURES, Paragraphs, RankerModel, cited, load_ranker
from qa.answering.strategies import sentences
from qa.evaluation.train_ranker import MAX_PARAGRAPHS, Question, train
from qa.parsing import parse_document
from qa.question import analyse
from qa.settings import AnswerSettings
from qa.text import tokenize
from tests.test_strategies import Tiny, fixed_vector

TEXT = """# Three Paragraphs

## Data

We collect reviews of cameras from a shopping site. The reviews are in English.

## Model

Our model is a recurrent network with attention. It reads the reviews word by word.

## Results

The recurrent network beats the baseline by four points. The baseline is a bag of words.
"""


def _paragraphs(text: str = TEXT):
    doc = parse_document(text, source="three.md")
    vectors = np.stack([fixed_vector(s.text) for s in doc.sentences])
    return doc, Paragraphs.of(doc), vectors


def test_every_body_sentence_belongs_to_its_paragraph():
    doc, table, _ = _paragraphs()
    owner = table.of_sentence()
    assert len(table.spans) == 3
    for i, s in enumerate(doc.sentences):
        start, end = table.spans[owner[i]]
        assert start <= s.start < end
    assert [len(g) for g in table.sentences] == [2, 2, 2]


def test_features_favour_the_paragraph_that_holds_the_question_words():
    _, table, vectors = _paragraphs()
    question = "Which baseline does the recurrent network beat?"
    x = table.features(set(tokenize(question)), fixed_vector(question), vectors)
    assert x.shape == (3, len(FEATURES)) and np.isfinite(x).all()
    column = {name: x[:, i] for i, name in enumerate(FEATURES)}
    assert int(np.argmax(column["overlap"])) == 2 and int(np.argmax(column["bm25"])) == 2
    assert int(np.argmax(column["dense_max"])) == 2
    assert column["overlap_rank"][2] == 1.0 and column["overlap_gap"][2] == 0.0
    assert column["first"].tolist() == [1.0, 0.0, 0.0]
    assert column["position"].tolist() == [0.0, 0.5, 1.0]
    # a question that shares no word: no overlap anywhere, still finite
    empty = table.features(set(), fixed_vector("zzz"), vectors)
    assert np.isfinite(empty).all() and not empty[:, FEATURES.index("overlap")].any()


def _model(weights: dict[str, float], margin: float = 0.0) -> RankerModel:
    """A ranker whose logit is a plain weighted sum of the named (unscaled) features."""
    d = len(FEATURES)
    hidden = np.zeros((d, 2))
    for name, w in weights.items():  # relu(w x) - relu(-w x) = w x
        hidden[FEATURES.index(name)] = (w, -w)
    return RankerModel(
        FEATURES, np.zeros(d), np.ones(d), hidden, np.zeros(2), np.array([1.0, -1.0]), 0.0, margin, {}
    )


def test_features_say_what_form_of_answer_a_paragraph_holds_for_the_kind_asked():
    text = TEXT.replace("beats the baseline by four points", "scores 81.2 against 77.0 for BERT and GloVe")
    _, table, vectors = _paragraphs(text)
    column = lambda x, name: x[:, FEATURES.index(name)]  # noqa: E731
    number = table.features({"score"}, fixed_vector("What does it score?"), vectors, "number")
    assert int(np.argmax(column(number, "digits_if_number"))) == 2 and column(number, "digits")[
        :2
    ].tolist() == [0, 0]
    assert not column(number, "commas_if_list").any() and not column(number, "yesno_question").any()
    phrase = table.features({"score"}, fixed_vector("What is compared?"), vectors, "span")
    assert (
        int(np.argmax(column(phrase, "acronyms_if_span"))) == 2
        and not column(phrase, "digits_if_number").any()
    )
    yes_no = table.features({"score"}, fixed_vector("Is it better?"), vectors, "yesno")
    assert column(yes_no, "yesno_question").tolist() == [1.0, 1.0, 1.0]


def test_json_round_trip_and_refusals(tmp_path):
    model = _model({"position": 2.0}, margin=0.5)
    path = tmp_path / "ranker.json"
    path.write_text(json.dumps(model.to_json()))
    again = load_ranker(path)
    x = np.random.default_rng(0).standard_normal((4, len(FEATURES)))
    assert again is not None and again.margin == 0.5
    assert np.allclose(again.scores(x), model.scores(x)) and np.allclose(
        model.scores(x), 2.0 * x[:, FEATURES.index("position")]
    )
    data = model.to_json()
    data["features"] = data["features"][:-1]
    path.write_text(json.dumps(data))
    assert load_ranker(path) is None  # other features
    data = model.to_json()
    data["hidden_weights"] = data["hidden_weights"][:-1]
    path.write_text(json.dumps(data))
    assert load_ranker(path) is None  # shapes that do not fit
    path.write_text("{not json")
    assert load_ranker(path) is None
    assert load_ranker(tmp_path / "missing.json") is None


def test_cited_keeps_the_best_and_those_within_the_margin():
    scores = np.array([0.1, 2.0, 1.6, 1.9, 1.95])
    assert cited(scores, 0.0, MAX_PARAGRAPHS) == [1]
    assert cited(scores, 0.2, MAX_PARAGRAPHS) == [1, 4, 3][:MAX_PARAGRAPHS]
    assert cited(scores, 10.0, MAX_PARAGRAPHS) == [1, 4, 3]  # never more than MAX_PARAGRAPHS


def test_training_learns_which_feature_marks_evidence_and_records_it():
    rng = np.random.default_rng(5)
    questions = []
    for paper in range(60):
        for _ in range(3):
            x = rng.standard_normal((8, len(FEATURES)))
            y = np.zeros(8, dtype=np.int64)
            y[int(rng.integers(8))] = 1
            x[y == 1, FEATURES.index("overlap")] += 3.0  # evidence overlaps the question more
            texts = [f"p{paper}-{i}" for i in range(8)]
            questions.append(Question(paper, x, y, texts, [[texts[int(np.argmax(y))]]]))
    model = train(questions, seed=3)
    hits = [int(np.argmax(model.scores(q.x))) == int(np.argmax(q.y)) for q in questions]
    assert np.mean(hits) > 0.8
    record = model.record
    assert record["seed"] == 3 and record["questions"] == 180 and record["papers"] == 60
    assert str(model.margin) in record["evidence_f1_out_of_fold_by_margin"]
    with pytest.raises(ValueError, match="too few"):
        train(questions[:3], seed=3)


def _quoted_paragraphs(tiny: Tiny, question: str, weight: float = -5.0, **settings) -> list[int]:
    """The paragraph of each quote, in order, with a ranker preferring late (``weight`` > 0) or early
    paragraphs, the best one alone cited (margin 0)."""
    tiny.ctx = AnswerContext(
        tiny.doc,
        tiny.ctx.evidence,
        tiny.matcher,
        tiny.vocab,
        tiny.ctx.chunk_sentences,
        AnswerSettings(**settings),
        ranker=_model({"position": weight}),
    )
    ev = tiny.evidence(question)
    assert ev.ranker_logits.shape == (len(tiny.ctx.paragraphs.spans),)
    (candidate,) = sentences.propose(ev)
    starts = {s.start: i for i, s in enumerate(tiny.doc.sentences)}
    return [tiny.ctx.paragraph_of[starts[c.start]] for c in candidate.citations]


def _lead_paragraph(tiny: Tiny, question: str, weight: float = -5.0, **settings) -> int:
    return _quoted_paragraphs(tiny, question, weight, **settings)[0]


def test_the_ranker_decides_which_paragraph_is_quoted():
    """Two paragraphs answer equally well by hand; the ranker's preference decides the lead quote."""
    text = TEXT.replace(
        "The reviews are in English.", "The recurrent network baseline is trained on the reviews."
    )
    question = "What is the recurrent network baseline trained on?"
    quoted = {w: _lead_paragraph(Tiny(text), question, w, ranker_weight=10.0) for w in (5.0, -5.0)}
    assert quoted[5.0] == 2 and quoted[-5.0] == 0  # late paragraphs first, or early ones first


@pytest.mark.model
def test_collect_labels_the_annotators_evidence_paragraphs(tmp_path, embedder):
    """Rows from real papers (the vendored Qasper sample) through the real model: one feature row per
    paragraph, labelled where an annotator's text evidence is that paragraph."""
    from pathlib import Path

    from qa.evaluation.official import fold_whitespace
    from qa.evaluation.train_ranker import collect
    from qa.settings import load_settings

    sample = Path(__file__).parent / "data" / "benchmarks" / "qasper"
    questions = collect(tmp_path, load_settings(), embedder, data_dir=sample, split="validation")
    assert questions and {q.paper for q in questions} == {0, 1}
    for q in questions:
        assert q.x.shape == (len(q.texts), len(FEATURES)) and np.isfinite(q.x).all()
        gold = {e for r in q.references for e in r}
        assert [bool(v) for v in q.y] == [t in gold for t in q.texts]
        assert all(t == fold_whitespace(t) for t in q.texts)
    assert sum(int(q.y.sum()) for q in questions) > 0


def test_a_lead_outside_every_paragraph_the_ranker_cites_gives_way_to_the_ranker():
    """The hand checks pass only sentences sharing the question's words (Model, Results); the ranker
    cites Data alone. The quote follows the ranker unless ``ranker_overrides_lead`` is off."""
    tiny = Tiny(TEXT)
    question = "What does the recurrent network beat?"
    assert _lead_paragraph(tiny, question, ranker_overrides_lead=False) in (1, 2)
    assert _lead_paragraph(tiny, question) == 0


def test_the_ranker_never_leads_with_a_sentence_that_fails_the_questions_checks():
    """The ranker's paragraph may lack the question's words, not the year the question asks about."""
    tiny = Tiny(TEXT.replace("by four points", "in 2020"))
    question = "What does the recurrent network beat in 2020?"
    assert analyse(question, tiny.vocab, fixed_vector(question)).answer_type == "span"
    assert _lead_paragraph(tiny, question) == 2


def test_a_question_for_a_number_date_person_or_place_keeps_the_hand_lead():
    """Data now holds a figure too: only the answer type keeps the ranker from leading with it."""
    tiny = Tiny(TEXT.replace("The reviews are in English.", "Each review is worth 5 points."))
    question = "How many points does the recurrent network beat the baseline by?"
    assert _lead_paragraph(tiny, question, ranker_lead_types=("span", "list", "yesno", "number")) == 0
    assert _lead_paragraph(tiny, question) == 2


def test_a_near_tie_outside_the_rankers_paragraphs_is_not_quoted():
    """Model and Results both say what the network beats, Model a little better by hand; the ranker
    cites Results alone. Model's sentence joins the quote only when the hand score clearly prefers it
    (``outside_ranker_ratio``): not as a near tie, but still when the ratio is lowered."""
    tiny = Tiny(
        TEXT.replace("It reads the reviews word by word.", "The recurrent network beats a bag of words.")
    )
    question = "What does the recurrent network beat?"
    assert _quoted_paragraphs(tiny, question, 5.0) == [2]
    by_paragraph: dict[int, float] = {}
    for s in tiny.evidence(question).good:  # each paragraph's best score
        k = tiny.ctx.paragraph_of[s.index]
        by_paragraph[k] = max(by_paragraph.get(k, 0.0), s.score)
    assert 1.0 < by_paragraph[1] / by_paragraph[2] < AnswerSettings().outside_ranker_ratio  # a near tie
    assert _quoted_paragraphs(tiny, question, 5.0, outside_ranker_ratio=1.0) == [2, 1]
