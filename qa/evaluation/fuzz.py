"""Fuzzing the question, history and command-line paths with hypothesis.

Whatever comes in (lone surrogates, control and invisible characters, bytes, huge or option-like
text, odd ``k`` and retriever values, random argv), :meth:`Assistant.ask` either answers or raises a
documented :class:`~qa.errors.QAError`; ``qa ask``/``qa chat`` exit 0, or exit 2 with one line
``error: ...``. ``qa bench --fuzz N`` runs N inputs and reports the counts (the README quotes a
10,000-input run); ``tests/test_fuzz.py`` runs a few hundred in CI. hypothesis is a dev dependency.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections import Counter
from typing import Any

from qa.errors import QAError

INVISIBLE = "\x00\x1b\x7f\x85\u00ad\u200b\u200c\u200d\u200e\u202e\u2028\u2029\u2060\ufeff\ufffd\ud800\udcff"
PROGRESS_EVERY = 500
TRICKY = [
    "",
    " ",
    "-",
    "--",
    "-1e309",
    "--help",
    "-k",
    "?",
    "And in 2021?",
    "And it?",
    "What is it?",
    "1e309",
    "NaN",
    '{"question": "\\ud800"}',
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "www.example.com",
    "x" * 2001,
    "a " * 1000,
    "¿Qué?",
    "\u202eevil",
]


def strategies():
    """hypothesis strategies: (question, history, retriever, k, argv)."""
    from hypothesis import strategies as st

    chars = st.characters(codec=None, categories=None)  # every code point, surrogates included
    words = st.sampled_from(
        [
            "what",
            "how",
            "many",
            "much",
            "the",
            "paper",
            "table",
            "in",
            "2020",
            "2021",
            "trade",
            "and",
            "?",
            "-",
        ]
    )
    spiced = st.lists(
        st.one_of(words, st.sampled_from(list(INVISIBLE)), st.text(chars, max_size=3)), max_size=30
    ).map(" ".join)
    question = st.one_of(
        st.text(chars, max_size=200),
        spiced,
        st.sampled_from(TRICKY),
        st.binary(max_size=120),
        st.integers(),
        st.none(),
        st.text(st.sampled_from("ab ?\u200b"), min_size=1990, max_size=2010),
    )
    history = st.one_of(
        st.none(),
        st.lists(st.one_of(spiced, st.sampled_from(TRICKY), st.text(chars, max_size=60)), max_size=6),
        st.just(["And in 2021?"] * 1500),
    )
    retriever = st.one_of(
        st.none(), st.sampled_from(["bm25", "dense", "hybrid", "", "BM25", "all", "\ud800"])
    )
    k = st.one_of(st.none(), st.integers(-3, 60), st.sampled_from([True, 1.5, "3"]))
    argv_word = st.one_of(
        st.sampled_from(
            ["--json", "--conversation", "-k", "0", "3", "--retriever", "bm25", "--", "-v", "-x"]
        ),
        st.sampled_from(TRICKY[:-3]),
        st.text(chars.filter(lambda c: c != "\x00" and not 0xD800 <= ord(c) <= 0xDFFF), max_size=40),
    )
    argv = st.lists(argv_word, min_size=0, max_size=6)
    return question, history, retriever, k, argv


def _count(stats: Counter) -> None:
    stats["inputs"] += 1
    if stats["inputs"] % PROGRESS_EVERY == 0:
        print(f"fuzz: {stats['inputs']} inputs, {stats['crashes']} crashes", file=sys.stderr, flush=True)


def _ask_once(assistant, question, history, retriever, k, stats: Counter, crashes: list) -> None:
    _count(stats)
    try:
        answer = assistant.ask(question, history=history, retriever=retriever, k=k)
        answer.model_dump_json()
    except QAError:
        stats["refused (QAError)"] += 1
    except Exception as exc:
        stats["crashes"] += 1
        crashes.append(
            f"ask({question!r:.80}, history={str(history)[:60]}, {retriever!r}, {k!r}): {exc!r:.200}"
        )
    else:
        stats["answered"] += 1


def _cli_once(assistant, argv: list[str], stdin: bytes, stats: Counter, crashes: list) -> None:
    """``qa ask ARGV`` (or ``qa chat`` when ARGV is empty) in-process, with the loaded assistant."""
    import qa.cli as cli

    _count(stats)
    out, err = io.StringIO(), io.StringIO()
    real_load, real_stdin = cli._load, sys.stdin
    cli._load = lambda args, **kwargs: assistant
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(["chat"] if not argv else ["ask", *argv])
    except BaseException as exc:
        stats["crashes"] += 1
        crashes.append(f"qa ask {argv!r:.120}: {exc!r:.200}")
        return
    finally:
        cli._load, sys.stdin = real_load, real_stdin
    lines = err.getvalue().strip().splitlines()
    if code == 0:
        stats["cli exit 0"] += 1
    elif code == 2 and len(lines) == 1 and lines[0].startswith("error: "):
        stats["cli exit 2, one line"] += 1
    else:
        stats["crashes"] += 1
        crashes.append(f"qa ask {argv!r:.120}: exit {code}, stderr {err.getvalue()[:200]!r}")


def run_fuzz(assistant, inputs: int, seed: int = 0) -> dict[str, Any]:
    """Feed about ``inputs`` generated inputs (half API, a quarter long-history API, a quarter CLI).

    Returns:
        Counts per outcome; ``crashes`` (target 0) and the first few crash descriptions.
    """
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis import strategies as st

    question, history, retriever, k, argv = strategies()
    stats: Counter = Counter()
    crashes: list[str] = []
    config = settings(
        max_examples=max(1, inputs // 2),
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=False,
    )

    @hypothesis_seed(seed)
    @config
    @given(question, history, retriever, k)
    def api(q, h, r, n):
        _ask_once(assistant, q, h, r, n, stats, crashes)

    @hypothesis_seed(seed + 1)
    @settings(config, max_examples=max(1, inputs // 4))
    @given(argv, st.binary(max_size=200))
    def command_line(words, stdin):
        _cli_once(assistant, words, stdin, stats, crashes)

    @hypothesis_seed(seed + 2)
    @settings(config, max_examples=max(1, inputs - inputs // 2 - inputs // 4))
    @given(question, st.lists(st.text(st.characters(codec=None), max_size=80), max_size=40))
    def long_history(q, h):
        _ask_once(assistant, q, h, None, None, stats, crashes)

    for run in (api, command_line, long_history):
        run()
    return {
        "inputs": stats["inputs"],
        "crashes": stats["crashes"],
        "outcomes": dict(stats),
        "crash_samples": crashes[:10],
    }
