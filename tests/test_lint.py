"""ruff (configured in pyproject.toml) finds nothing to fix."""

from __future__ import annotations

import subprocess
import sys

from qa.settings import PROJECT_ROOT


def test_ruff_is_clean():
    for args in (["check", "qa", "ui", "tests"], ["format", "--check", "qa", "ui", "tests"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *args], cwd=PROJECT_ROOT, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr
