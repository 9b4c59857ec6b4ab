"""``qa bench``: warm ``ask`` latency, index build time, peak memory and page timings.

Speed and memory targets are checked here and reported, not asserted by tests (timings depend on
the machine). Every figure comes from running the real code: 50 varied questions from the gold set
in one process, a fresh index build into a temporary folder, and child processes whose peak RSS
is read with ``getrusage``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from qa.evaluation.gold import load_gold
from qa.evaluation.metrics import percentile
from qa.evaluation.run import DEFAULT_GOLD

MODEL_ONLY = "from qa.indexing.embedder import Embedder; e = Embedder(); e.encode_query('warm up')"


def _peak_rss_mb(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``cmd`` in a child of a fresh Python; return (peak RSS in MiB, wall seconds)."""
    probe = (
        "import resource, subprocess, sys, time, json;"
        "t = time.perf_counter();"
        f"r = subprocess.run({cmd!r}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL);"
        "w = time.perf_counter() - t;"
        "print(json.dumps([resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, w, r.returncode]))"
    )
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    rss, wall, code = json.loads(out.stdout)
    if code != 0:
        raise RuntimeError(f"{cmd} exited with {code}")
    return rss, wall


def _questions(n: int) -> list[tuple[str, list[str]]]:
    gold = load_gold(DEFAULT_GOLD)
    # spread over the types: round-robin by type so the 50 are varied
    by_type: dict[str, list] = {}
    for q in gold:
        by_type.setdefault(q.type, []).append(q)
    picked = []
    while len(picked) < n and any(by_type.values()):
        for qs in by_type.values():
            if qs and len(picked) < n:
                q = qs.pop(0)
                picked.append((q.question, q.history))
    return picked


def run_benchmark(args: argparse.Namespace) -> int:
    from qa.assistant import Assistant
    from qa.settings import load_settings

    report: dict = {"machine": {"cpus": os.cpu_count()}}
    settings = load_settings()
    if getattr(args, "fuzz", None):
        from qa.evaluation.fuzz import run_fuzz

        started = time.perf_counter()
        result = run_fuzz(Assistant.load(settings), args.fuzz)
        result["seconds"] = round(time.perf_counter() - started, 1)
        print(json.dumps(result, indent=None if args.json else 2, ensure_ascii=True))
        return 0 if result["crashes"] == 0 else 1
    if getattr(args, "stress", None):
        from qa.evaluation.stress import run_stress

        result = run_stress(settings.paths.corpus, args.stress)
        print(json.dumps(result, indent=None if args.json else 2))
        return 0 if result["errors"] == 0 and result["distinct_answers"] == 1 else 1

    if getattr(args, "cold", None):
        from qa.evaluation.cold_start import measure_cold_start, summary

        result = measure_cold_start(args.cold)
        print(json.dumps(result) if args.json else summary(result))
        return 0
    if getattr(args, "embed", None):
        from qa.evaluation.embed_bench import default_papers, measure_embedding, paper_texts
        from qa.indexing.embedder import Embedder

        texts = paper_texts(default_papers(args.embed, settings), settings)
        result = measure_embedding(texts, Embedder(settings.model))
        print(
            json.dumps(result)
            if args.json
            else f"embedding {result['texts']:,} texts ({result['calls']} papers): index build "
            f"{result['ours_texts_per_s']} texts/s, plain encode {result['plain_texts_per_s']} texts/s, "
            f"ratio {result['ratio']} (target >= 0.9)"
        )
        return 0

    started = time.perf_counter()
    assistant = Assistant.load(settings)
    report["load_seconds"] = round(time.perf_counter() - started, 2)

    questions = _questions(args.questions)
    for q, h in questions[:5]:  # warm-up
        assistant.ask(q, history=h or None)
    stages: dict[str, list[float]] = {}
    for q, h in questions:
        answer = assistant.ask(q, history=h or None)
        for stage, ms in answer.timings_ms.items():
            stages.setdefault(stage, []).append(ms)
    report["ask_ms"] = {
        stage: {"p50": percentile(v, 0.5), "p95": percentile(v, 0.95), "mean": round(statistics.fmean(v), 3)}
        for stage, v in sorted(stages.items())
    }
    report["ask_ms"]["questions"] = len(questions)
    compose_share = [c for c in stages.get("compose", [])]
    report["compose_p50_ms"] = percentile(compose_share, 0.5)

    with tempfile.TemporaryDirectory() as tmp:
        paths = settings.paths.model_copy(update={"index_dir": Path(tmp) / "index"})
        fresh = settings.model_copy(update={"paths": paths})
        from qa.indexing.files import sha256_file
        from qa.indexing.store import build_index

        t = time.perf_counter()
        build_index(
            assistant.document,
            sha256_file(settings.paths.corpus),
            fresh,
            assistant.embedder.encode,
            assistant.embedder.dimension,
        )
        report["index_build_seconds"] = round(time.perf_counter() - t, 2)

    env = dict(os.environ)
    model_rss, model_wall = _peak_rss_mb([sys.executable, "-c", MODEL_ONLY], env)
    qa_cmd = [sys.executable, "-m", "qa.cli", "ask", questions[0][0]]
    ask_rss, ask_wall = _peak_rss_mb(qa_cmd, env)
    report["memory_mb"] = {
        "model_only_peak": round(model_rss, 1),
        "qa_ask_peak": round(ask_rss, 1),
        "ratio": round(ask_rss / model_rss, 3),
    }
    report["cold_start_seconds"] = {"model_only": round(model_wall, 2), "qa_ask": round(ask_wall, 2)}

    if args.json:
        print(json.dumps(report))
    else:
        lat = report["ask_ms"]
        print(
            f"warm ask over {lat['questions']} questions: total p50 {lat['total']['p50']} ms, "
            f"p95 {lat['total']['p95']} ms (embed p50 {lat['embed']['p50']} ms, "
            f"compose p50 {lat['compose']['p50']} ms)"
        )
        for stage, v in lat.items():
            if stage != "questions":
                print(f"  {stage:>9}: p50 {v['p50']:>8} ms  p95 {v['p95']:>8} ms")
        print(f"index build (chunk + embed + write): {report['index_build_seconds']} s")
        mem = report["memory_mb"]
        print(
            f"peak memory: qa ask {mem['qa_ask_peak']} MiB vs model only {mem['model_only_peak']} MiB "
            f"(ratio {mem['ratio']})"
        )
        print(
            f"cold start: qa ask {report['cold_start_seconds']['qa_ask']} s, "
            f"model only {report['cold_start_seconds']['model_only']} s"
        )
    if args.ui:
        ui = _ui_timings()
        report["ui"] = ui
        print(
            f"page: first load with an existing index {ui['first_load_seconds']} s (server side, fresh process; "
            f"the first question then took {ui['first_answer_seconds']} s while the model finished loading); "
            f"question to answer rendered p50 {ui['answer_p50_ms']} ms, p95 {ui['answer_p95_ms']} ms "
            f"over {ui['questions']} questions"
        ) if not args.json else None
    if args.json:
        print(json.dumps(report))
    return 0


UI_PROBE = """
import json, time
t = time.perf_counter()
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({app!r}, default_timeout=300)
at.run()
first = time.perf_counter() - t
questions = {questions!r}
t = time.perf_counter()
at.chat_input[0].set_value(questions[0]).run()  # the first question waits for the model if needed
first_answer = time.perf_counter() - t
times = []
for q in questions:
    t = time.perf_counter()
    at.chat_input[0].set_value(q).run()
    times.append((time.perf_counter() - t) * 1000)
    assert not at.exception, at.exception
print(json.dumps({{"first": first, "first_answer": first_answer, "times": times}}))
"""


def _ui_timings(n: int = 10) -> dict:
    """Server-side page timings in a fresh process: the first run of the page (imports, model, index)
    and, after a warm-up, the rerun that answers a typed question and renders it."""
    from qa.settings import PROJECT_ROOT

    questions = [q for q, h in _questions(40) if not h][:n]
    code = UI_PROBE.format(app=str(PROJECT_ROOT / "ui" / "app.py"), questions=questions)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return {
        "first_load_seconds": round(data["first"], 2),
        "first_answer_seconds": round(data["first_answer"], 2),
        "answer_p50_ms": percentile(data["times"], 0.5),
        "answer_p95_ms": percentile(data["times"], 0.95),
        "questions": len(data["times"]),
    }
