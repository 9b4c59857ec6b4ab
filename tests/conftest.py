"""Shared fixtures. The real embedding model is loaded once per test session and shared by every
test that needs it; the paper's index is built once into a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa.settings import PROJECT_ROOT, Settings

DATA = Path(__file__).parent / "data"
PAPER = PROJECT_ROOT / "corpus" / "paper.md"
GOLD = PROJECT_ROOT / "corpus" / "gold.jsonl"


def make_settings(corpus: Path, index_dir: Path, feedback: Path | None = None) -> Settings:
    settings = Settings()
    paths = settings.paths.model_copy(
        update={
            "corpus": corpus,
            "index_dir": index_dir,
            "feedback": feedback or index_dir.parent / "feedback.jsonl",
        }
    )
    return settings.model_copy(update={"paths": paths})


@pytest.fixture(scope="session")
def embedder():
    from qa.indexing.embedder import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def paper_settings(tmp_path_factory) -> Settings:
    root = tmp_path_factory.mktemp("paper")
    return make_settings(PAPER, root / "index", root / "feedback.jsonl")


@pytest.fixture(scope="session")
def assistant(paper_settings, embedder):
    from qa import Assistant

    return Assistant.load(paper_settings, embedder=embedder)


@pytest.fixture
def mini_corpus(tmp_path) -> Path:
    """A private copy of the tiny paper (tests may change it)."""
    target = tmp_path / "mini.md"
    shutil.copy(DATA / "mini.md", target)
    return target


@pytest.fixture
def mini_settings(mini_corpus, tmp_path) -> Settings:
    return make_settings(mini_corpus, tmp_path / "index")
