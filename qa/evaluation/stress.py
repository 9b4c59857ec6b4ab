"""Stress test of the on-disk index: one loader loop and several builder loops on one index folder.

``qa bench --stress SECONDS`` runs it on the paper (the audit's setting: one loader, two builders,
120 s). Builders rebuild the index again and again (``force_rebuild``); the loader loads it (rebuilding
allowed) and asks one question each round. Every exception in any loop is an error; every loaded
answer must equal the first one. A correct index never lets a reader see half of a swap.
"""

from __future__ import annotations

import multiprocessing
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

STRESS_QUESTION = "What does the paper recommend?"


def _settings(corpus: Path, index_dir: Path):
    from qa.settings import load_settings

    settings = load_settings()
    paths = settings.paths.model_copy(update={"corpus": corpus, "index_dir": index_dir})
    return settings.model_copy(update={"paths": paths})


def _loop(role: str, corpus: str, index_dir: str, seconds: float, question: str, queue, go) -> None:
    """One process: load the model, wait for the others, then build or load for ``seconds``."""
    from qa.assistant import Assistant
    from qa.indexing.embedder import Embedder

    settings = _settings(Path(corpus), Path(index_dir))
    embedder = Embedder(settings.model)
    if role == "loader":  # the first index exists before the clock starts
        Assistant.load(settings, embedder=embedder)
    queue.put("ready")
    go.wait()
    deadline = time.time() + seconds
    rounds, errors, answers = 0, [], set()
    while time.time() < deadline:
        try:
            assistant = Assistant.load(settings, embedder=embedder, force_rebuild=role == "builder")
            if role == "loader":
                answer = assistant.ask(question)
                answers.add((answer.answer, tuple(c.id for c in answer.citations)))
            rounds += 1
        except Exception as exc:  # everything counts: the point is to see any failure
            errors.append(f"{type(exc).__name__}: {exc}".splitlines()[0][:300])
            if len(errors) == 1:
                errors.append(traceback.format_exc()[-1500:])
    queue.put({"role": role, "rounds": rounds, "errors": errors, "answers": sorted(answers)})


def run_stress(
    corpus: Path, seconds: float, builders: int = 2, question: str = STRESS_QUESTION
) -> dict[str, Any]:
    """Run one loader and ``builders`` builder processes for ``seconds`` on a fresh index folder.

    Returns:
        Rounds per role, the errors seen (0 is the target) and how many distinct answers the loader got
        (1 is the target).
    """
    context = multiprocessing.get_context("spawn")  # no fork of a process that holds torch threads
    with tempfile.TemporaryDirectory(prefix="qa-stress-") as tmp:
        index_dir = Path(tmp) / "index"
        queue, go = context.Queue(), context.Event()
        roles = ["loader"] + ["builder"] * builders
        processes = [
            context.Process(
                target=_loop, args=(role, str(corpus), str(index_dir), seconds, question, queue, go)
            )
            for role in roles
        ]
        for process in processes:
            process.start()
        for _ in processes:  # the clock starts once every process has its model
            queue.get(timeout=600)
        go.set()
        results = [queue.get(timeout=seconds + 600) for _ in processes]
        for process in processes:
            process.join(timeout=60)
    loader = next(r for r in results if r["role"] == "loader")
    errors = [e for r in results for e in r["errors"] if not e.startswith("Traceback")]
    return {
        "seconds": seconds,
        "builders": builders,
        "loader_rounds": loader["rounds"],
        "builder_rounds": sum(r["rounds"] for r in results if r["role"] == "builder"),
        "errors": len(errors),
        "error_samples": [e for r in results for e in r["errors"]][:6],
        "distinct_answers": len(loader["answers"]),
    }
