"""The command line: readable and JSON answers, conversations, bad input and exit codes."""

from __future__ import annotations

import json

import pytest

from qa.cli import main


@pytest.fixture
def cli(paper_settings, assistant, capsys):
    """Run `qa ...` in-process against the session's index (built by the `assistant` fixture)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--index-dir", str(paper_settings.paths.index_dir), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_ask_prints_a_readable_answer_with_citations(cli):
    code, out, _ = cli("ask", "How much does Pakistan export to Afghanistan in 2024?")
    assert code == 0
    assert "1,400" in out and "Sources:" in out and "[1] Table 1:" in out


def test_ask_json_prints_one_answer_per_line(cli):
    code, out, _ = cli("ask", "--json", "What is the total trade volume in 2024?", "What is Pakistan's GDP?")
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert "1,750" in first["answer"] and first["citations"]
    assert second["abstained"] is True and second["citations"] == []


def test_conversation_passes_earlier_turns(cli):
    code, out, _ = cli(
        "ask", "--json", "--conversation", "How many security incidents were there in 2020?", "And in 2021?"
    )
    second = json.loads(out.strip().splitlines()[1])
    assert code == 0 and second["resolved_question"] == "How many security incidents were there in 2021?"


@pytest.mark.parametrize(
    ("question", "fragment"), [("", "empty"), ("   ", "empty"), ("x" * 2001, "limit is 2,000")]
)
def test_bad_question_is_one_line_and_exit_code_2(cli, question, fragment):
    code, out, err = cli("ask", question)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and fragment in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_unknown_retriever_exit_code_2(cli):
    code, _, err = cli("ask", "--retriever", "magic", "Who wrote it?")
    assert code == 2 and "bm25, dense, hybrid" in err


def test_missing_corpus_names_the_path(cli, tmp_path):
    code, _, err = cli("--corpus", str(tmp_path / "gone.md"), "ask", "Who wrote it?")
    assert code == 2 and "gone.md" in err and "Traceback" not in err


def test_no_rebuild_refuses_a_missing_index(capsys, tmp_path):
    code = main(["--index-dir", str(tmp_path / "empty"), "ask", "--no-rebuild", "Who wrote it?"])
    err = capsys.readouterr().err
    assert code == 3 and "qa index" in err


def test_eval_rejects_a_bad_gold_file(cli, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "question": "q", "type": "weird"}\n')
    code, _, err = cli("eval", "--gold", str(bad))
    assert code == 2 and "bad.jsonl, line 1" in err and "unanswerable" in err


def test_eval_writes_report_and_json(cli, tmp_path):
    small = tmp_path / "small.jsonl"
    small.write_text(
        json.dumps(
            {
                "id": "a",
                "question": "How much does Pakistan export to Afghanistan in 2024?",
                "type": "table",
                "answers": ["1,400"],
                "must_include": [],
                "sections": ["Table 1"],
                "history": [],
            }
        )
        + "\n"
        + json.dumps(
            {
                "id": "b",
                "question": "What is the GDP of Mars?",
                "type": "unanswerable",
                "answers": [],
                "must_include": [],
                "sections": [],
                "history": [],
            }
        )
        + "\n"
    )
    report = tmp_path / "report.md"
    code, out, _ = cli("eval", "--gold", str(small), "--retriever", "all", "--json", "--report", str(report))
    data = json.loads(out)
    assert code == 0 and set(data["retrievers"]) == {"bm25", "dense", "hybrid"}
    assert data["retrievers"]["hybrid"]["answer_accuracy"] == 1.0
    text = report.read_text()
    assert "| metric | bm25 | dense | hybrid |" in text and "### Failures" in text


def test_terminal_chat_keeps_history(cli, monkeypatch):
    typed = iter(["How many security incidents were there in 2020?", "And in 2021?", "", "exit"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(typed))
    code, out, _ = cli("chat")
    assert code == 0
    assert "270" in out and "Understood as: How many security incidents were there in 2021?" in out
    assert "error: The question is empty" in out  # a bad turn is reported and the chat goes on


def test_eval_lists_questions_people_marked_wrong(cli, tmp_path):
    from qa.feedback import FeedbackRecord, append_feedback

    feedback = tmp_path / "feedback.jsonl"
    append_feedback(
        feedback, FeedbackRecord(question="Who wrote it?", answer="x", rating="down", comment="wrong")
    )
    append_feedback(feedback, FeedbackRecord(question="Fine one", answer="y", rating="up"))
    with open(feedback, "a") as handle:
        handle.write('{"question": "cut off by a cra')  # a torn last line is skipped, not fatal
    small = tmp_path / "one.jsonl"
    small.write_text(
        json.dumps(
            {
                "id": "a",
                "question": "What is the total trade volume in 2024?",
                "type": "table",
                "answers": ["1,750"],
                "must_include": [],
                "sections": ["Table 1"],
                "history": [],
            }
        )
        + "\n"
    )
    report = tmp_path / "r.md"
    code, _, _ = cli("eval", "--gold", str(small), "--feedback", str(feedback), "--report", str(report))
    text = report.read_text()
    assert code == 0 and "Questions users marked wrong (1)" in text and "Who wrote it? — “wrong”" in text
    assert "Fine one" not in text
