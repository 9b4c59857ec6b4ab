"""The `qa` command's fast exit: a process that loaded the model ends without tearing torch down,
yet prints everything, keeps its exit code and runs its exit handlers."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from qa.settings import PROJECT_ROOT


def qa_command(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    return subprocess.run(
        [sys.executable, "-m", "qa.cli", *args], env=env, capture_output=True, text=True, timeout=600
    )


def test_a_cold_ask_prints_whole_json_and_keeps_exit_codes(paper_settings, assistant):
    index = ["--index-dir", str(paper_settings.paths.index_dir)]
    questions = ["What is the total trade volume in 2024?", "What is Pakistan's GDP?"]
    run = qa_command(*index, "ask", "--json", *questions)
    assert run.returncode == 0, run.stderr
    answers = [json.loads(line) for line in run.stdout.splitlines()]
    assert [a["question"] for a in answers] == questions and answers[1]["abstained"] is True
    assert run.stderr == ""
    bad = qa_command(*index, "ask", "--paper", "no-such-paper", "Who?")
    assert bad.returncode == 2 and bad.stderr.startswith("error: ") and bad.stdout == ""


def test_exit_now_runs_exit_handlers_and_flushes(tmp_path):
    marker = tmp_path / "handler-ran"
    code = (
        "import atexit, sys, pathlib, torch\n"
        "from qa.cli import exit_now\n"
        f"atexit.register(lambda: pathlib.Path({str(marker)!r}).write_text('yes'))\n"
        "sys.stdout.write('unflushed output')\n"
        "exit_now(3)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 3 and run.stdout == "unflushed output"
    assert marker.read_text() == "yes"
