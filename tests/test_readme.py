"""The README is true: its `qa ask` commands run, its printed examples are what the CLI prints,
and CI runs its test command."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from qa.render import render_answer
from qa.settings import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.DOTALL)


def test_setup_commands_exist_and_ci_runs_the_test_command():
    setup = blocks("sh")[0]
    assert "make run" in setup and "make test" in setup
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (PROJECT_ROOT / ".ci" / "run").read_text()


ASK_LINES = [
    line.split("#")[0].strip() for line in blocks("sh")[1].splitlines() if line.startswith(".venv/bin/qa ask")
]


@pytest.mark.parametrize("line", ASK_LINES)
def test_readme_ask_commands_run(line, paper_settings, assistant):
    import shlex

    args = shlex.split(line)[1:]
    env = os.environ | {"QA_PATHS__INDEX_DIR": str(paper_settings.paths.index_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "qa.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PROJECT_ROOT,
    )
    assert result.returncode == 0, result.stderr
    if "--json" in args:
        answers = [json.loads(x) for x in result.stdout.strip().splitlines()]
        assert len(answers) == len([a for a in args[1:] if not a.startswith("--")])
        assert all("answer" in a and "citations" in a for a in answers)
    else:
        assert "Sources:" in result.stdout


def test_readme_example_answers_are_what_the_cli_prints(assistant):
    shown = blocks("text")[0].strip()
    questions = re.findall(r"^Q: (.*)$", shown, re.M)
    assert len(questions) == 3
    printed = "\n\n".join(render_answer(assistant.ask(q)) for q in questions)
    assert printed == shown
