"""`qa bench --library`: the growth benchmark runs end to end on a tiny folder of papers."""

from __future__ import annotations

import json
import shutil

from qa.cli import main
from qa.evaluation.library_bench import measure_questions, paper_id, table
from tests.conftest import DATA


def test_library_bench_on_a_folder_of_papers(tmp_path, capsys):
    """One build, then the question measurements and a re-run on the same work folder."""
    source = tmp_path / "papers"
    source.mkdir()
    for name in ("mini.md", "gadgets.md"):
        shutil.copy(DATA / name, source / name)
    work, figure = tmp_path / "work", tmp_path / "growth.svg"
    code = main(
        [
            "bench",
            "--library",
            "2",
            "--from",
            str(source),
            "--work-dir",
            str(work),
            "--figure",
            str(figure),
            "--open-runs",
            "1",
            "--json",
        ]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    (stage,) = report["stages"]
    assert (
        stage["papers"] == 2 and stage["build"]["papers_added"] == 2 and not stage["build"]["papers_failed"]
    )
    assert stage["build"]["texts_embedded"] > 0 and stage["build"]["texts_per_s"] > 0
    assert stage["vectors"]["store"] == report["stages"][0]["build"]["store"]["vectors"] > 0
    assert 0 < stage["open"]["open_s"] < stage["open"]["open_with_model_s"]
    assert stage["build_vs_encode"]["texts"] > 0 and stage["build_vs_encode"]["ratio"] > 0
    assert figure.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert "| 2 |" in table(report)
    gadget = {
        "question_id": "g1",
        "question": "How many gadgets did the East region sell?",
        "paper": paper_id(source / "gadgets.md"),
        "answers": [
            {
                "unanswerable": False,
                "extractive_spans": ["200"],
                "yes_no": None,
                "free_form_answer": "",
                "evidence": ["| East | 200 |"],
            }
        ],
    }
    result = measure_questions(work, [gadget])
    assert result["questions"] == 1
    assert result["right_paper_cited_first_pct"] == 100.0 and result["right_paper_routed_pct"] == 100.0
    assert result["answer_f1_library"] == result["answer_f1_one_paper"] > 0
    assert result["warm_all_ms"]["p50"] > 0 and result["peak_rss_mb"] > 0
    # a second run on the same work folder reports the build as it was measured, without re-embedding
    args = ["bench", "--library", "2", "--from", str(source), "--work-dir", str(work), "--open-runs", "1"]
    assert main([*args, "--json"]) == 0
    again = json.loads(capsys.readouterr().out)["stages"][0]["build"]
    assert again["papers_from_log"] == 2 and again["texts_embedded"] == stage["build"]["texts_embedded"]
