"""The benchmark runners: how an Answer becomes a prediction, and both runners end to end on the
vendored samples (tests/data/benchmarks) through the real model."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from qa.cli import main
from qa.evaluation import benchmarks
from qa.evaluation.benchmarks import (
    answer_string,
    article_markdown,
    cited_paragraphs,
    evidence_coverage,
    run_qasper,
    run_squad,
)
from qa.parsing.markdown import parse_document
from qa.schema import Answer, Citation

SAMPLES = Path(__file__).parent / "data" / "benchmarks"
PAPER = "# A paper\n\n## Method\n\nWe train a model. It is small.\n\n1. First we tokenise the text.\n\n## Results\n\nIt works well.\n"


def cite(doc, sentence: str) -> Citation:
    start = doc.text.index(sentence)
    return Citation(id="c", section="s", quote=sentence, start=start, end=start + len(sentence))


def answer(**fields) -> Answer:
    return Answer(question="q", resolved_question="q", answer="text [1]", abstained=False, **fields)


def test_answer_string_is_abstention_short_answer_or_cited_quotes():
    doc = parse_document(PAPER)
    quotes = [cite(doc, "We train a model."), cite(doc, "It works well.")]
    assert answer_string(answer(citations=quotes), "Unanswerable") == "We train a model. It works well."
    abstained = Answer(question="q", resolved_question="q", answer="no", abstained=True)
    assert answer_string(abstained, "Unanswerable") == "Unanswerable"
    assert answer_string(abstained, "") == ""
    # once Answer has short_answer, it is used when set, else the quotes
    short = SimpleNamespace(abstained=False, short_answer="a model", citations=quotes)
    assert answer_string(short, "") == "a model"
    unset = SimpleNamespace(abstained=False, short_answer=None, citations=quotes)
    assert answer_string(unset, "") == "We train a model. It works well."


def test_evidence_is_the_source_text_of_the_cited_paragraphs():
    doc = parse_document(PAPER)
    cited = answer(
        citations=[
            cite(doc, "It is small."),
            cite(doc, "We train a model."),  # same paragraph: listed once
            cite(doc, "First we tokenise the text."),  # a list item keeps its marker
        ]
    )
    assert cited_paragraphs(cited, doc) == [
        "We train a model. It is small.",
        "1. First we tokenise the text.",
    ]
    abstained = Answer(question="q", resolved_question="q", answer="no", abstained=True)
    assert cited_paragraphs(abstained, doc) == []


def test_evidence_coverage_counts_exact_folded_and_heading_matches():
    doc = parse_document(PAPER)
    refs = [{"evidence": ["It works well.", "We train a model.  It is small.", "Results", "missing"]}]
    counts = evidence_coverage(refs, doc)
    assert (counts["gold"], counts["exact"], counts["folded"], counts["heading"]) == (4, 1, 2, 1)


def test_squad_article_markdown_has_the_title_as_heading_and_each_context_as_a_paragraph():
    article = {"title": "Some_Topic", "paragraphs": [{"context": "One.\nTwo."}, {"context": "Three."}]}
    doc = parse_document(article_markdown(article))
    assert doc.sections[0].title == "Some Topic"
    assert [p.text for p in doc.sections[0].paragraphs] == ["One. Two.", "Three."]


def test_missing_benchmark_data_is_one_line_error(tmp_path, capsys):
    for bench in ("qasper", "squad2"):
        code = main(
            ["eval", "--benchmark", bench, "--data", str(tmp_path / "nope"), "--cache-dir", str(tmp_path)]
        )
        err = capsys.readouterr().err
        assert code == 2
        assert err.startswith("error: ") and err.count("\n") == 1 and "nope" in err


def test_default_data_points_at_the_shared_benchmarks():
    assert benchmarks.DEFAULT_DATA["qasper"].parts[-3:] == ("shared", "benchmarks", "qasper")
    assert benchmarks.DEFAULT_DATA["squad2"].parts[-2:] == ("squad2", "small.json")


def in_range(value: float) -> bool:
    return 0.0 <= value <= 100.0


@pytest.mark.model
def test_qasper_runner_end_to_end_on_the_sample(embedder, tmp_path):
    metrics, rows = run_qasper(SAMPLES / "qasper", "validation", tmp_path, embedder=embedder)
    assert metrics["papers"] == 2 and metrics["papers_loaded"] == 2 and metrics["papers_failed"] == {}
    assert metrics["questions"] == 9 == len(rows) and metrics["missing_predictions"] == 0
    assert in_range(metrics["answer_f1"]) and in_range(metrics["evidence_f1"])
    assert all(in_range(v) for v in metrics["answer_f1_by_type"].values())
    assert sum(metrics["by_type_count"].values()) == 9
    assert metrics["evidence_coverage"]["exact_paragraph_pct"] == 100.0
    for row in rows:
        assert row["answer"] is not None and row["error"] is None
        evidence = row["prediction"]["evidence"]
        assert (row["prediction"]["answer"] == "Unanswerable") == row["answer"]["abstained"]
        assert not row["answer"]["abstained"] or evidence == []
    manifests = sorted((tmp_path / "qasper" / "validation").glob("*/manifest.json"))
    assert len(manifests) == 2
    before = [m.read_bytes() for m in manifests]
    again, _ = run_qasper(SAMPLES / "qasper", "validation", tmp_path, embedder=embedder)
    assert [m.read_bytes() for m in manifests] == before  # the cached indexes were used, not rebuilt
    assert again["answer_f1"] == metrics["answer_f1"]


@pytest.mark.model
def test_squad_runner_end_to_end_on_the_sample(embedder, tmp_path, monkeypatch, capsys):
    metrics, rows = run_squad(SAMPLES / "squad2" / "sample.json", tmp_path, embedder=embedder)
    assert metrics["total"] == 31 == len(rows)
    assert metrics["HasAns_total"] == 14 and metrics["NoAns_total"] == 17
    assert metrics["articles_loaded"] == 1 and metrics["articles_failed"] == {}
    for key in ("exact", "f1", "HasAns_exact", "HasAns_f1", "NoAns_exact"):
        assert in_range(metrics[key]), key
    assert all(in_range(v) for v in metrics["retrieval_ceiling"].values())
    assert metrics["retrieval_ceiling"]["top1_pct"] <= metrics["retrieval_ceiling"]["top5_pct"]
    assert metrics["NoAns_exact"] == pytest.approx(
        100 * sum(r["answer"]["abstained"] for r in rows if not r["gold"]) / 17
    )

    # the same through the CLI, with --limit and --predictions
    monkeypatch.setattr(benchmarks, "_embedder", lambda settings: embedder)
    out = tmp_path / "predictions.jsonl"
    args = ["eval", "--benchmark", "squad2", "--data", str(SAMPLES / "squad2" / "sample.json")]
    code = main([*args, "--cache-dir", str(tmp_path), "--limit", "10", "--json", "--predictions", str(out)])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["total"] == 10
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 10 and {"record", "gold", "prediction", "scores", "answer"} <= set(lines[0])


def test_readme_benchmark_commands_parse():
    import re
    import shlex

    from qa.cli import build_parser
    from qa.settings import PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    lines = [
        line.split("#")[0].strip()
        for line in readme.splitlines()
        if re.match(r"\.venv/bin/qa eval --benchmark", line)
    ]
    assert len(lines) == 3
    for line in lines:
        args = build_parser().parse_args(shlex.split(line)[1:])
        assert args.benchmark in ("qasper", "squad2")
