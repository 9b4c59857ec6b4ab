"""Build progress: the ETA helper (fake clock), the build's encoder (same vectors as plain encode, progress
reported as it goes) and the CLI's progress output (stderr only, never in --json stdout)."""

from __future__ import annotations

import io
import json
import shutil

import numpy as np
import pytest

from qa.cli import StderrProgress, main
from qa.indexing.progress import Eta, duration_text
from tests.conftest import DATA, make_settings


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_duration_text_reads_like_a_person_writes():
    assert duration_text(0) == "0 s"
    assert duration_text(11.2) == "12 s"  # rounded up: never promise less than is left
    assert duration_text(60) == "1 min"
    assert duration_text(185) == "3 min 5 s"
    assert duration_text(3600 + 120) == "1 h 2 min"


def test_eta_follows_the_measured_rate():
    clock = FakeClock()
    eta = Eta(1210, clock=clock)
    assert eta.seconds_left(0) is None and eta.text(0) == "embedding 0/1,210 texts"
    clock.now += 10
    assert eta.seconds_left(340) == pytest.approx(870 * 10 / 340)
    assert eta.text(340) == "embedding 340/1,210 texts · 26 s left"
    clock.now += 30  # slower since: the estimate grows with the measured rate
    assert eta.seconds_left(440) == pytest.approx(770 * 40 / 440)
    assert eta.rate(440) == pytest.approx(11.0)
    clock.now += 5
    assert eta.text(1210) == "embedding 1,210/1,210 texts"  # done: no estimate


def test_eta_without_elapsed_time_or_work_gives_no_estimate():
    clock = FakeClock()
    eta = Eta(10, clock=clock)
    assert eta.seconds_left(5) is None and eta.rate(5) is None
    assert Eta(0, clock=clock).text(0) == "embedding 0/0 texts"


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_progress_is_one_line_rewritten_then_erased():
    stream = Tty()
    progress = StderrProgress("adding x.md", stream=stream)
    progress("embedding 10/20 texts · 3 s left", 0.5)
    progress("writing", 0.95)
    assert (
        "\n" not in stream.getvalue()
        and "adding x.md: embedding 10/20 texts · 3 s left (50%)" in stream.getvalue()
    )
    progress("done", 1.0)
    assert stream.getvalue().endswith("\r\x1b[2K")


def test_without_a_terminal_only_a_long_embedding_prints_occasional_lines():
    clock, stream = FakeClock(), io.StringIO()
    progress = StderrProgress("adding x.md", quiet_lines=True, stream=stream, clock=clock)
    progress("reading", 0.02)
    progress("index: embedding 0/900 texts", 0.05)
    clock.now += 5
    progress("index: embedding 256/900 texts · 13 s left", 0.3)
    assert stream.getvalue() == ""  # a short job prints nothing extra
    clock.now += 6
    progress("index: embedding 512/900 texts · 9 s left", 0.5)
    assert stream.getvalue() == "adding x.md: index: embedding 512/900 texts · 9 s left (50%)\n"
    silent = io.StringIO()
    quiet = StderrProgress("building the index", stream=silent, clock=clock)
    quiet("embedding 1/2 texts", 0.5)
    clock.now += 60
    quiet("embedding 2/2 texts", 0.9)
    assert silent.getvalue() == ""


def test_build_encoder_gives_plain_encode_vectors_and_reports_progress(embedder):
    from qa.indexing.store import encode_with_progress, index_texts
    from qa.parsing import load_document

    doc = load_document(DATA / "mini.md")
    _, sentences, values = index_texts(doc, [])
    texts = (sentences + values) * 3  # several groups of batches
    texts += ["a much longer text " * 40, "short"]
    small = embedder.settings.model_copy(update={"batch_size": 4, "progress_batches": 2})
    assert len(texts) > 3 * small.batch_size * small.progress_batches
    embedder.settings, saved = small, embedder.settings
    try:
        reports: list[tuple[int, int]] = []
        ours = encode_with_progress(embedder.encode, texts, lambda done, total: reports.append((done, total)))
    finally:
        embedder.settings = saved
    plain = embedder.model.encode(texts, batch_size=4, normalize_embeddings=True, convert_to_numpy=True)
    assert ours.dtype == np.float32 and ours.shape == plain.shape
    assert np.abs(ours - plain).max() < 1e-5
    assert reports[0] == (0, len(texts)) and reports[-1] == (len(texts), len(texts))
    assert len(reports) == 1 + -(-len(texts) // 8)
    assert [d for d, _ in reports] == sorted(d for d, _ in reports)


def test_add_with_json_ask_keeps_stdout_clean(tmp_path, embedder, capsys, monkeypatch):
    """A build during `qa add` and `qa ask --json` reports progress on stderr only."""
    import qa.indexing.embedder as emb

    monkeypatch.setattr(emb, "shared_embedder", lambda settings=None: embedder)
    monkeypatch.setattr("qa.cli.QUIET_PROGRESS_SECONDS", 0.0)  # every embedding report prints a line
    root = tmp_path / "library"
    root.mkdir()
    shutil.copy(DATA / "mini.md", root / "paper.md")
    settings = make_settings(root / "paper.md", tmp_path / "index")
    args = ["--corpus", str(settings.paths.corpus), "--index-dir", str(settings.paths.index_dir)]
    assert main([*args, "add", str(DATA / "gadgets.md")]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("added gadget-survey")
    assert "adding gadgets.md: index: embedding" in err and " texts" in err  # the quiet lines, on stderr
    # all papers are asked: the default paper's index is built now, silently (stderr is not a terminal)
    assert main([*args, "ask", "--json", "How many gadgets did the East region sell?"]) == 0
    out, _ = capsys.readouterr()
    assert [json.loads(line)["question"] for line in out.splitlines()] == [
        "How many gadgets did the East region sell?"
    ]
