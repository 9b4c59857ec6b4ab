"""Retrieval on tiny data: BM25 agrees with a textbook implementation; fusion and modes behave."""

from __future__ import annotations

import math

import bm25s
import numpy as np
import pytest

from qa.assistant import validate_mode
from qa.errors import InvalidOptionError
from qa.parsing import parse_document
from qa.retrieval.fusion import reciprocal_rank_fusion
from qa.retrieval.lexical import BM25Retriever
from qa.retrieval.query import build_vocabulary, find_abbreviations
from qa.schema import Chunk, Passage

DOCS = [
    "widget production rose sharply in the north plant",
    "the south plant counts widgets by hand",
    "exports of widgets fell after the crisis",
    "nothing about production here at all",
]


def textbook_bm25(query: list[str], docs: list[list[str]], k1: float = 1.5, b: float = 0.75) -> list[float]:
    """Lucene's BM25 (bm25s' default variant), slowly: idf = ln(1 + (N - df + 0.5) / (df + 0.5)) and
    tf / (tf + k1 (1 - b + b dl / avgdl)); Lucene drops the constant (k1 + 1) factor of Robertson's form."""
    n = len(docs)
    avgdl = sum(len(d) for d in docs) / n
    scores = []
    for d in docs:
        s = 0.0
        for term in query:
            df = sum(term in other for other in docs)
            if df == 0:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            tf = d.count(term)
            s += idf * tf / (tf + k1 * (1 - b + b * len(d) / avgdl))
        scores.append(s)
    return scores


def table_matcher(text: str, source: str, tmp_path):
    """A table matcher (no vectors) over ``text`` parsed as Markdown, and its vocabulary."""
    from qa.retrieval.tables import TableMatcher

    doc = parse_document(text, source=source)
    vocab = build_vocabulary(doc, tmp_path / "none.json")
    return TableMatcher(
        doc.table_values, np.zeros((len(doc.table_values), 4), dtype=np.float32), vocab
    ), vocab


def test_bm25s_scores_match_the_textbook_formula():
    tokenized = [d.split() for d in DOCS]
    model = bm25s.BM25(k1=1.5, b=0.75)
    model.index(tokenized, show_progress=False)
    for query in (["widget", "production"], ["plant"], ["crisis", "hand", "widgets"]):
        fast = model.get_scores(query)
        slow = textbook_bm25(query, tokenized)
        assert np.allclose(fast, slow, atol=1e-5)


def _passages(ids):
    return [Passage(id=i, section="s", text=i, score=1.0) for i in ids]


def test_rrf_rewards_agreement_and_sorts_scores():
    fused = reciprocal_rank_fusion([_passages(["a", "b", "c"]), _passages(["b", "c", "d"])], k=60)
    assert [p.id for p in fused][:2] == ["b", "c"]
    scores = [p.score for p in fused]
    assert scores == sorted(scores, reverse=True)
    assert fused[0].score == pytest.approx(1 / 62 + 1 / 61, abs=1e-6)


def test_rrf_limit():
    assert len(reciprocal_rank_fusion([_passages(list("abcdef"))], limit=3)) == 3


@pytest.fixture(scope="module")
def lexical():
    text = "## Widgets\n\n" + "\n\n".join(s.capitalize() + "." for s in DOCS) + "\n"
    doc = parse_document(text)
    chunks = [
        Chunk(
            id=f"c{i}",
            section_id=s.section_id,
            section=s.section,
            kind="text",
            start=s.start,
            end=s.end,
            text=s.text,
            sentence_ids=[s.id],
        )
        for i, s in enumerate(doc.sentences)
    ]
    from qa.text import tokenize

    model = bm25s.BM25()
    model.index([tokenize(c.text) for c in chunks], show_progress=False)
    return BM25Retriever(model, chunks, build_vocabulary(doc, None))


@pytest.mark.parametrize("k", [1, 2, 4, 10])
def test_hits_are_min_k_n_and_sorted(lexical, k):
    hits = lexical.search("north plant production", k)
    assert len(hits) == min(k, 4)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].id == "c0"


def test_unknown_words_are_ignored(lexical):
    with_noise = lexical.search("north plant production qwertyuiop zzzz", 2)
    plain = lexical.search("north plant production", 2)
    assert [h.id for h in with_noise] == [h.id for h in plain]
    assert all(h.score == 0 for h in lexical.search("qwertyuiop", 3))


def test_typos_are_repaired(lexical):
    assert lexical.search("nort plnat productoin", 1)[0].id == "c0"


def test_unknown_mode_lists_the_valid_ones():
    with pytest.raises(InvalidOptionError, match="bm25, dense, hybrid"):
        validate_mode("semantic")


def test_abbreviations_defined_in_text_are_found():
    found = find_abbreviations(
        "the Belt and Road Initiative (BRI) and the China-Pakistan Economic Corridor (CPEC)."
    )
    assert found == {"BRI": "Belt and Road Initiative", "CPEC": "China-Pakistan Economic Corridor"}


def test_a_general_synonym_of_several_words_covers_the_term_only_when_whole(tmp_path):
    from qa.retrieval.query import analyse_question

    doc = parse_document(
        "## Results\n\nThe trade balance grew. Investment costs rose. The balance sheet shrank.\n"
    )
    vocab = build_vocabulary(doc, tmp_path / "no-paper-synonyms.json")  # general synonyms only
    terms = analyse_question("What is the surplus?", vocab)
    # 'trade balance' (qa/data/synonyms.json) names 'surplus' when both its words are there ...
    assert terms.covered("surplus", {"trade", "balanc"})
    # ... one of them alone does not
    assert not terms.covered("surplus", {"balanc", "sheet"})
    # a one-word general synonym widens retrieval but does not count as naming the term
    assert not analyse_question("What was the investment?", vocab).covered("invest", {"cost"})


def test_a_derivation_the_stemmer_keeps_apart_names_the_papers_word(tmp_path):
    from qa.retrieval.query import analyse_question

    doc = parse_document("## Results\n\nHospital admissions were rare. Responses were late. Costs fell.\n")
    vocab = build_vocabulary(doc, tmp_path / "none.json")
    # 'admitted' and 'responded' are not the paper's words; 'admission' and 'response' are
    terms = analyse_question("How many were admitted to hospital after they responded?", vocab)
    assert {"admiss", "respons"} <= set(terms.content) and not terms.unknown
    # a word the paper has no derivation of stays unknown
    assert analyse_question("How many were vaccinated?", vocab).unknown == ["vaccin"]


def test_a_table_label_cut_short_is_a_synonym_of_the_word_it_abbreviates(tmp_path):
    from qa.retrieval.query import analyse_question, find_truncations

    doc = parse_document(
        "## Results\n\nOur model uses fewer parameters. We share code.\n\n"
        "Table 1: Models\n\n| Model | Params (M) | Share |\n| --- | --- | --- |\n| Ours | 118 | 3 |\n"
    )
    vocab = build_vocabulary(doc, tmp_path / "none.json")
    # 'Params' never appears in the prose and begins only 'parameters'; 'share' is a word the prose uses
    assert find_truncations(doc, vocab.words) == [["params", "parameters"]]
    assert analyse_question("How many parameters does it have?", vocab).covered("paramet", {"param"})


STACKS = """## Results

Table 1: Performance of each stack (milliseconds)

| Stack | Handshake time | Median page load | 95th percentile page load |
| --- | --- | --- | --- |
| quiche | 84 | 1,041 | 1,720 |
| msquic | 86 | 1,096 | 1,810 |
| picoquic | 88 | 1,118 | 1,760 |
"""


def test_a_row_named_late_in_the_question_is_still_named_outright(tmp_path):
    # the order decay ranks siblings named in one question; it must not make 'quiche' less than named
    from qa.retrieval.query import analyse_question
    from qa.retrieval.tables import FULLY_NAMED

    matcher, vocab = table_matcher(STACKS, "stacks.md", tmp_path)
    top = matcher.match(analyse_question("What was the median page load time for quiche?", vocab), None)[0]
    assert (top.value.row, top.value.column) == ("quiche", "Median page load")
    assert top.row is not None and top.row < FULLY_NAMED  # decayed: named last of five words
    assert top.fully_named
    second = matcher.match(analyse_question("What was the page load for quiche?", vocab), None)[0]
    assert not second.fully_named  # 'page load' does not name one of the two page-load columns


def test_a_parenthesis_the_columns_are_told_apart_without_is_optional(tmp_path):
    from qa.retrieval.query import analyse_question
    from qa.retrieval.tables import FULLY_NAMED

    text = """## Results

Table 1: Meadows

| Site | Elevation (m) | Flower density (stems/m²) | Visits (per 10 min) |
| --- | --- | --- | --- |
| North | 1,200 | 35 | 6.1 |
| South | 1,500 | 22 | 2.9 |
"""
    matcher, vocab = table_matcher(text, "meadows.md", tmp_path)
    top = matcher.match(analyse_question("What was the flower density at North?", vocab), None)[0]
    assert (top.value.row, top.value.column) == ("North", "Flower density (stems/m²)")
    assert top.column is not None and top.column >= FULLY_NAMED


def test_general_synonyms_cover_common_verbs_and_dimension_words(tmp_path):
    from qa.retrieval.query import analyse_question

    doc = parse_document(
        "## Methods\n\nCycling began on 17 January 2023. The corridor length is 2.7 km.\n", source="m.md"
    )
    vocab = build_vocabulary(doc, tmp_path / "none.json")
    assert analyse_question("When did cycling start?", vocab).unknown == []
    assert "length" in analyse_question("How long is the corridor?", vocab).expansions
    doc = parse_document(
        "## Results\n\nMean waste was 7.8%. Daily use fell. Children were supervised by Dr. Ode, and the "
        "total outlay was EUR 4 million.\n",
        source="r.md",
    )
    vocab = build_vocabulary(doc, tmp_path / "none.json")
    for question in [
        "What was the average waste?",
        "Did everyday use fall?",
        "Which doctor oversaw the kids?",
        "How much was spent in total?",
    ]:
        assert analyse_question(question, vocab).unknown == [], question


def test_a_general_word_the_paper_never_uses_is_not_a_missing_subject(tmp_path):
    from qa.retrieval.query import analyse_question

    doc = parse_document(
        "## Methods\n\nInterviews ran from 6 September 2021 to 19 February 2022.\n", source="m.md"
    )
    vocab = build_vocabulary(doc, tmp_path / "none.json")
    begin = analyse_question("When did the interviews begin?", vocab)
    assert begin.unknown == ["begin"] and begin.unknown_share == 0.0  # known English, not the paper's
    assert analyse_question("When did the interviews pause?", vocab).unknown_share >= 0.5


def test_a_column_named_by_function_words_is_found_by_them(tmp_path):
    from qa.retrieval.query import analyse_question

    text = "## Results\n\nTable 1: Journey time by corridor\n\n| Corridor | Before (min) | After (min) |\n| --- | --- | --- |\n| Eastgate | 22.9 | 19.2 |\n| Mill Road | 18.6 | 15.9 |\n"
    matcher, vocab = table_matcher(text, "t.md", tmp_path)
    for asked, column in [("before the scheme", "Before (min)"), ("after the lanes opened", "After (min)")]:
        top = matcher.match(analyse_question(f"What was the journey time on Eastgate {asked}?", vocab), None)[
            0
        ]
        assert (top.value.row, top.value.column) == ("Eastgate", column)


def test_twin_columns_are_told_apart_by_the_function_word_they_differ_by(tmp_path):
    from qa.retrieval.query import analyse_question
    from qa.retrieval.tables import FULLY_NAMED

    text = (
        "## Results\n\nTable 1: Door-to-provider time by hospital\n\n"
        "| Hospital | Median door-to-provider before (min) | Median door-to-provider after (min) | Stay after (h) |\n"
        "| --- | --- | --- | --- |\n| Northgate | 52 | 31 | 4.6 |\n| Riverside | 47 | 27 | 3.9 |\n"
    )
    matcher, vocab = table_matcher(text, "t.md", tmp_path)
    for asked, column in [
        ("after the intervention", "Median door-to-provider after (min)"),
        ("before the change", "Median door-to-provider before (min)"),
    ]:
        question = f"What was Riverside's median door-to-provider time {asked}?"
        top, second = matcher.match(analyse_question(question, vocab), None)[:2]
        assert (top.value.row, top.value.column) == ("Riverside", column)
        assert top.named[1] >= FULLY_NAMED > second.named[1]


def test_how_long_wants_a_value_in_a_unit_of_time_or_length(tmp_path):
    from qa.retrieval.query import analyse_question

    text = (
        "## Results\n\nTable 1: Participating organisations\n\n"
        "| Organisation | Pull requests analysed (n) | Share reviewed (%) |\n| --- | --- | --- |\n"
        "| Cedar | 6,940 | 91.2 |\n| Elm | 2,310 | 97.5 |\n\n"
        "Table 2: Review latency\n\n| Organisation | Median time to first review (hours) |\n| --- | --- |\n"
        "| Cedar | 9.6 |\n| Elm | 1.9 |\n"
    )
    matcher, vocab = table_matcher(text, "t.md", tmp_path)
    asked = "How long did Cedar's pull requests typically wait before someone first reviewed them?"
    top = matcher.match(analyse_question(asked, vocab), None)[0]
    assert (top.value.row, top.value.value) == ("Cedar", "9.6")
    asked = "How many pull requests from Cedar were analysed?"
    assert matcher.match(analyse_question(asked, vocab), None)[0].value.value == "6,940"


def test_a_condition_the_paper_never_states_is_unknown(tmp_path):
    from qa.retrieval.query import analyse_question

    text = "## Results\n\nThe cells retained 87.1% of their capacity after 500 cycles, and 3 cells failed.\n"
    vocab = build_vocabulary(parse_document(text, source="r.md"), tmp_path / "none.json")
    assert analyse_question("What was the retention after 1,000 cycles?", vocab).unknown_quantities == [
        "1,000 cycles"
    ]
    assert analyse_question("What was the retention after 500 cycles?", vocab).unknown_quantities == []
    # small counts are often written as words, and a figure with no known noun after it is no condition
    assert analyse_question("Did 4 cells fail?", vocab).unknown_quantities == []
    assert analyse_question("Was retention above 90.5?", vocab).unknown_quantities == []
