"""``qa bench --library N``: how build time, search, latency, memory and quality grow with the library.

One run builds a library of N papers in a work folder (default: the Qasper validation papers, then
the train papers, from ``../shared/benchmarks/qasper/``) in stages of 10, 100 and N papers. After
each stage it measures, side by side:

- build throughput: papers/min and embedded texts/s of ``Library.add_paper`` (chunk, sentence and
  table-value texts), plus the time to bring the library-wide vector store up to date;
- size on disk of the papers and of the indexes;
- cold library open in a fresh process, the model excluded and included (median of three);
- in a fresh process, Qasper validation questions of the papers present: warm latency p50/p95
  asked of one paper and of the whole library, first-touch latency (papers not yet in memory),
  peak RSS, evidence and answer F1 (official scorer) and how often the right paper is cited first;
- approximate search recall@10 against exact search, and Qdrant (local mode) top-10 overlap with
  FAISS exact, on the same question vectors.

Timings depend on the machine, so they are reported here, never asserted by tests.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from qa.evaluation.metrics import percentile

STAGES = (10, 100)
QASPER = Path(__file__).resolve().parents[2].parent / "shared" / "benchmarks" / "qasper"


# --- papers ---------------------------------------------------------------------------------------


def paper_id(path: Path) -> str:
    """A library id for a benchmark file: 'q-' and the file stem in id characters (1909.00694 -> q-1909-00694)."""
    stem = "".join(ch if ch.isalnum() else "-" for ch in path.stem.lower()).strip("-")
    return f"q-{stem}"[:48]


def source_papers(folder: Path | None, limit: int) -> tuple[list[Path], dict[str, list[dict]]]:
    """The first ``limit`` papers and the validation questions by paper id.

    Qasper's folder gives validation papers first (their questions are asked), then train papers;
    another folder gives its ``.md``, ``.txt`` and ``.pdf`` files in name order and no questions.
    """
    from qa.evaluation.benchmarks import qasper_papers

    if folder is None or (folder / "questions_validation.json").is_file():
        data = folder or QASPER
        validation, questions = qasper_papers(data, "validation")
        train, _ = qasper_papers(data, "train")
        return (validation + train)[:limit], {paper_id(Path(k + ".md")): v for k, v in questions.items()}
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".md", ".txt", ".pdf"))
    return files[:limit], {}


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


# --- the library under test ----------------------------------------------------------------------


def library_settings(work: Path):
    """Settings whose library and index live in ``work`` (no default paper)."""
    from qa.settings import load_settings

    base = load_settings()
    paths = base.paths.model_copy(
        update={
            "corpus": work / "corpus" / "paper.md",  # absent: the library starts empty
            "index_dir": work / "index",
            "library": work / "corpus",
            "synonyms": None,
            "examples": None,
        }
    )
    return base.model_copy(update={"paths": paths})


def _texts_embedded(library, ids: list[str]) -> int:
    """Chunk, sentence and table-value texts embedded for ``ids`` (read from their index manifests)."""
    total = 0
    for pid in ids:
        manifest = json.loads((library.index_dir(library.entry(pid)) / "manifest.json").read_text())
        counts = manifest["counts"]
        total += counts["chunks"] + counts["sentences"] + counts["table_values"]
    return total


BUILD_LOG = "bench-build.json"  # in the work folder: what each paper's add cost when it was embedded


def _read_log(work: Path) -> dict[str, dict[str, Any]]:
    try:
        return json.loads((work / BUILD_LOG).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def seed_indexes(folder: Path, donors: list[Path], files: list[Path]) -> int:
    """Copy into ``folder`` the paper indexes other stage folders already built, so no stage embeds a
    paper twice; returns how many were copied."""
    from qa.indexing.store import claim_index_folder

    copied = 0
    for file in files:
        target = folder / "index" / "papers" / paper_id(file)
        if (target / "manifest.json").is_file():
            continue
        for donor in donors:
            source = donor / "index" / "papers" / paper_id(file)
            if (source / "manifest.json").is_file():
                claim_index_folder(folder / "index")  # an index folder is marked before anything goes in
                shutil.copytree(source, target, dirs_exist_ok=True)
                copied += 1
                break
    return copied


def build_stage(library, files: list[Path], work: Path) -> dict[str, Any]:
    """Add ``files`` to the library, then update its vector store; time both.

    Each paper's add time and texts are logged in ``work/bench-build.json`` when it is embedded, so
    a paper whose index was already there (a re-run with ``--work-dir``, or an index copied from a
    smaller stage) is reported as it was measured then (``papers_from_log``) instead of timing a no-op.
    """
    from qa.indexing.files import write_json_atomic

    log = _read_log(work)
    seconds, texts, ids, failed, from_log, unmeasured = 0.0, 0, [], {}, 0, 0
    papers_index = Path(library.settings.paths.index_dir) / "papers"
    for file in files:
        pid = paper_id(file)
        had_index = (papers_index / pid / "manifest.json").is_file()  # built before: not embedded now
        started = time.perf_counter()
        try:
            summary = library.add_paper(file, paper_id=pid)
        except Exception as exc:  # a paper that cannot be added is reported, the run goes on
            failed[file.name] = f"{type(exc).__name__}: {exc}"[:200]
            continue
        took = time.perf_counter() - started
        ids.append(summary.id)
        if had_index or summary.status == "unchanged":
            if summary.id in log:
                seconds += log[summary.id]["seconds"]
                texts += log[summary.id]["texts"]
                from_log += 1
            else:
                unmeasured += 1
            continue
        n = _texts_embedded(library, [summary.id])
        log[summary.id] = {"seconds": round(took, 3), "texts": n, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ")}
        write_json_atomic(work / BUILD_LOG, log)
        seconds += took
        texts += n
    started = time.perf_counter()
    synced = library.sync_store()
    store_seconds = time.perf_counter() - started
    return {
        "papers_added": len(ids),
        "papers_from_log": from_log,
        "papers_unmeasured": unmeasured,
        "papers_failed": failed,
        "texts_embedded": texts,
        "add_seconds": round(seconds, 2),
        "papers_per_min": round(60 * len(ids) / seconds, 1) if seconds else None,
        "texts_per_s": round(texts / seconds, 1) if seconds else None,
        "store_seconds": round(store_seconds, 2),
        "store": synced,
    }


def build_vs_encode(files: list[Path], embedder, rounds: int = 2) -> dict[str, Any]:
    """Side by side on the same papers: a whole ``add_paper`` (read, parse, chunk, embed, index, write)
    against plain ``SentenceTransformer.encode`` of the same texts, alternating, best round of each.

    The machine is shared, so alternating exposes both sides to the same load.
    """
    from qa.evaluation.embed_bench import _plain, paper_texts
    from qa.library import Library

    texts = [t for group in paper_texts(files, library_settings(Path(tempfile.gettempdir()))) for t in group]
    best_add, best_plain = float("inf"), float("inf")
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="qa-build-vs-encode-") as folder:
            scratch = Library(Path(folder) / "corpus", library_settings(Path(folder)), embedder=embedder)
            started = time.perf_counter()
            for file in files:
                scratch.add_paper(file, paper_id=paper_id(file))
            best_add = min(best_add, time.perf_counter() - started)
        started = time.perf_counter()
        _plain(embedder, texts)
        best_plain = min(best_plain, time.perf_counter() - started)
    return {
        "papers": len(files),
        "texts": len(texts),
        "add_texts_per_s": round(len(texts) / best_add, 1),
        "plain_encode_texts_per_s": round(len(texts) / best_plain, 1),
        "ratio": round(best_plain / best_add, 3),
    }


# --- measurements in a fresh process -------------------------------------------------------------

OPEN_PROBE = """
import json, sys, time
t0 = time.perf_counter()
from pathlib import Path
from qa.evaluation.library_bench import library_settings
from qa.library import Library
t1 = time.perf_counter()
lib = Library.open(Path(sys.argv[1]) / "corpus", settings=library_settings(Path(sys.argv[1])))
papers = lib.papers()
store = lib.vector_store(int(sys.argv[2]))
store.search(__import__("numpy").ones(int(sys.argv[2]), "float32") / int(sys.argv[2]) ** 0.5, 10)
t2 = time.perf_counter()
lib.embedder.encode_query("warm up")
t3 = time.perf_counter()
print(json.dumps({"papers": len(papers), "vectors": store.count(), "import_s": t1 - t0, "open_s": t2 - t1,
                  "open_with_model_s": t3 - t0}))
"""


def cold_open(work: Path, dimension: int, runs: int = 3) -> dict[str, Any]:
    """Median seconds to open the library in a fresh process, the model excluded and included.

    ``open_s``: read the registry, open the vector store and run its first search (the package is
    imported first: ``import_s``); ``open_with_model_s``: from the first import to the model ready.
    """
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", OPEN_PROBE, str(work), str(dimension)],
            capture_output=True,
            text=True,
            check=True,
            env=_child_env(),
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {
        "import_s": round(statistics.median(r["import_s"] for r in results), 3),
        "open_s": round(statistics.median(r["open_s"] for r in results), 3),
        "open_with_model_s": round(statistics.median(r["open_with_model_s"] for r in results), 3),
    }


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def peak_rss_mb() -> float:
    """This process's peak resident set (MiB), from ``VmHWM``.

    Not ``getrusage``: on Linux its ``ru_maxrss`` survives ``exec``, so a child started by a large
    parent reports the parent's peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def model_only_rss() -> float:
    """Peak RSS (MiB) of a fresh process that only loads the model and embeds one question."""
    probe = (
        "from qa.indexing.embedder import Embedder; from qa.evaluation.library_bench import peak_rss_mb;"
        "Embedder().encode_query('warm up'); print(peak_rss_mb())"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=_child_env()
    )
    return round(float(out.stdout.strip().splitlines()[-1]), 1)


def measure_questions(work: Path, questions: list[dict], seed: int = 0) -> dict[str, Any]:
    """Ask ``questions`` (Qasper records with ``paper`` = library id) of one paper and of the library.

    Runs in the current process: call it through :func:`measure_in_child` for a clean RSS figure.
    """
    from qa.evaluation.benchmarks import UNANSWERABLE, answer_string, cited_paragraphs
    from qa.evaluation.official import evaluate_qasper, qasper_references
    from qa.library import Library

    lib = Library.open(work / "corpus", settings=library_settings(work))
    lib.embedder.encode_query("warm up")
    lib.sync_store()
    first_touch, warm_all, warm_one = [], [], []
    gold, predicted_one, predicted_all = {}, {}, {}
    first_cited, routed_in = 0, 0
    order = list(questions)
    random.Random(seed).shuffle(order)
    for record in order:
        text, true_paper = record["question"], record["paper"]
        # first touch: a new question, and the papers it is routed to may not be loaded yet
        lib.embedder.clear()
        started = time.perf_counter()
        answer = lib.ask(text)
        first_touch.append(time.perf_counter() - started)
        # warm: the papers are loaded (by the ask above), the question is new again (not remembered)
        lib.embedder.clear()
        started = time.perf_counter()
        answer = lib.ask(text)
        warm_all.append(time.perf_counter() - started)
        lib.assistant(true_paper)
        lib.embedder.clear()
        started = time.perf_counter()
        own = lib.ask(text, paper=true_paper)
        warm_one.append(time.perf_counter() - started)
        routed = [pid for pid, _ in lib.route(text)[: lib.settings.library.route_papers]]
        routed_in += true_paper in routed
        cited = answer.citations[0].paper if answer.citations else None
        first_cited += cited == true_paper
        qid = record["question_id"]
        gold[qid] = qasper_references(record["answers"])
        predicted_one[qid] = {
            "answer": answer_string(own, UNANSWERABLE),
            "evidence": cited_paragraphs(own, lib.document(true_paper)),
        }
        answered_from = cited or true_paper
        predicted_all[qid] = {
            "answer": answer_string(answer, UNANSWERABLE),
            "evidence": cited_paragraphs(answer, lib.document(answered_from)) if cited else [],
        }
    one, every = evaluate_qasper(gold, predicted_one), evaluate_qasper(gold, predicted_all)
    ms = [1000 * t for t in first_touch]
    return {
        "questions": len(order),
        "warm_one_ms": _percentiles(warm_one),
        "warm_all_ms": _percentiles(warm_all),
        "first_touch_all_ms": {"p50": round(percentile(ms, 0.5), 1), "p95": round(percentile(ms, 0.95), 1)},
        "right_paper_cited_first_pct": round(100 * first_cited / max(1, len(order)), 1),
        "right_paper_routed_pct": round(100 * routed_in / max(1, len(order)), 1),
        "evidence_f1_one_paper": round(one["evidence_f1"], 2),
        "evidence_f1_library": round(every["evidence_f1"], 2),
        "answer_f1_one_paper": round(one["answer_f1"], 2),
        "answer_f1_library": round(every["answer_f1"], 2),
        "loaded_papers": len(lib.loaded_papers()),
        "peak_rss_mb": peak_rss_mb(),
    }


def _percentiles(seconds: list[float]) -> dict[str, float]:
    ms = [1000 * t for t in seconds]
    return {"p50": round(percentile(ms, 0.5), 2), "p95": round(percentile(ms, 0.95), 2)}


def measure_in_child(work: Path, questions: list[dict]) -> dict[str, Any]:
    """:func:`measure_questions` in a fresh Python process (so peak RSS is the asking process's alone)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(questions, handle)
        path = handle.name
    try:
        code = (
            "import json, sys; from pathlib import Path; from qa.evaluation.library_bench import measure_questions;"
            "print(json.dumps(measure_questions(Path(sys.argv[1]), json.load(open(sys.argv[2])))))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code, str(work), path], capture_output=True, text=True, env=_child_env()
        )
        if out.returncode != 0:
            raise RuntimeError(f"the measuring process failed: {out.stderr.strip()[-800:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        os.unlink(path)


def search_agreement(library, questions: list[dict], k: int = 10) -> dict[str, Any]:
    """Recall@k of the store's own search, and Qdrant local mode's top-k overlap, against exact search."""
    from qa.indexing.vectors import Hit, open_store, recall_at_k

    store = library.vector_store()
    vectors = np.vstack([library.embedder.encode_query(q["question"]) for q in questions]).astype(np.float32)
    ids, matrix = _all_vectors(library)
    scores = vectors @ matrix.T
    top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    exact = [[Hit(ids[j][0], ids[j][1], float(scores[i, j])) for j in row] for i, row in enumerate(top)]
    started = time.perf_counter()
    ours = store.search_many(vectors, k)
    ours_ms = 1000 * (time.perf_counter() - started) / max(1, len(questions))
    result = {
        "store": store.describe(),
        "recall_at_10": round(recall_at_k(ours, exact, k), 4),
        "search_ms_per_question": round(ours_ms, 3),
    }
    # Qdrant's local mode in memory: on disk it writes ~13 ms per point (15 min for 70k), same search
    settings = library.settings.vectors.model_copy(update={"engine": "qdrant", "qdrant_url": ":memory:"})
    with tempfile.TemporaryDirectory(prefix="qa-qdrant-") as folder:
        started = time.perf_counter()
        qdrant = open_store(Path(folder), store.dimension, settings)
        for paper, rows in _by_paper(ids, matrix).items():
            qdrant.add(paper, rows)
        qdrant.persist()
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        theirs = qdrant.search_many(vectors, k)
        qdrant_ms = 1000 * (time.perf_counter() - started) / max(1, len(questions))
        qdrant.close()
    result["qdrant_overlap_at_10"] = round(recall_at_k(theirs, exact, k), 4)
    result["qdrant_search_ms_per_question"] = round(qdrant_ms, 2)
    result["qdrant_load_s"] = round(load_s, 1)
    return result


def _all_vectors(library) -> tuple[list[tuple[str, int]], np.ndarray]:
    """Every (paper, row) chunk vector of the library, read from the papers' own indexes."""
    from qa.indexing.files import sha256_file
    from qa.indexing.store import identity, read_chunk_vectors

    ids: list[tuple[str, int]] = []
    parts = []
    dimension = library.embedder.dimension
    for entry in library.papers():
        settings = library.paper_settings(entry)
        expected = identity(sha256_file(library.paper_file(entry)), settings, dimension)
        rows, _ = read_chunk_vectors(Path(settings.paths.index_dir), expected)
        if rows is None:
            continue
        ids += [(entry.id, r) for r in range(len(rows))]
        parts.append(rows)
    return ids, (np.vstack(parts) if parts else np.zeros((0, dimension), np.float32))


def _by_paper(ids: list[tuple[str, int]], matrix: np.ndarray) -> dict[str, np.ndarray]:
    out: dict[str, list[int]] = {}
    for i, (paper, _) in enumerate(ids):
        out.setdefault(paper, []).append(i)
    return {paper: matrix[rows] for paper, rows in out.items()}


# --- the run -------------------------------------------------------------------------------------


def run_library_bench(
    n: int,
    *,
    source: Path | None = None,
    work: Path | None = None,
    questions_per_stage: int = 300,
    figure: Path | None = None,
    seed: int = 0,
    open_runs: int = 3,
    log=print,
) -> dict[str, Any]:
    """Build a library of ``n`` papers in stages and measure each stage (see the module docstring)."""
    from qa.library import Library

    files, questions = source_papers(source, n)
    if not files:
        raise SystemExit(f"no papers found in {source or QASPER}")
    work_dir = Path(work or tempfile.mkdtemp(prefix="qa-library-bench-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    settings = library_settings(work_dir)
    library = Library(work_dir / "corpus", settings)
    dimension = library.embedder.dimension
    sizes = sorted({s for s in STAGES if s < len(files)} | {len(files)})
    report: dict[str, Any] = {
        "papers_source": str(source or QASPER),
        "work_dir": str(work_dir),
        "settings": {
            "route_papers": settings.library.route_papers,
            "route_hits": settings.library.route_hits,
            "max_loaded_papers": settings.library.max_loaded_papers,
            "vectors": settings.vectors.model_dump(mode="json"),
        },
        "cpu_count": os.cpu_count(),
        "model_only_rss_mb": model_only_rss(),
        "stages": [],
    }
    folders = {size: work_dir if size == sizes[-1] else work_dir / f"stage-{size}" for size in sizes}
    for size in sizes:
        folder = folders[size]
        stage_lib = (
            library
            if folder == work_dir
            else Library(folder / "corpus", library_settings(folder), embedder=library.embedder.inner)
        )
        copied = seed_indexes(folder, [f for f in folders.values() if f != folder], files[:size])
        log(f"stage {size} papers: adding {size} papers ({copied} indexes copied from other stages) ...")
        stage: dict[str, Any] = {"papers": size, "folder": str(folder)}
        stage["build"] = build_stage(stage_lib, files[:size], work_dir)
        stage["disk_mb"] = {
            "papers": round(folder_bytes(folder / "corpus") / 1e6, 1),
            "indexes": round(folder_bytes(folder / "index") / 1e6, 1),
            "store": round(folder_bytes(stage_lib.store_dir()) / 1e6, 1),
        }
        store = stage_lib.vector_store()
        stage["vectors"] = {
            "store": store.count(),
            "store_raw_mb": round(store.count() * dimension * 4 / 1e6, 1),
            "all_raw_mb": round(
                _texts_embedded(stage_lib, [e.id for e in stage_lib.papers()]) * dimension * 4 / 1e6, 1
            ),
        }
        present = {e.id for e in stage_lib.papers()}
        asked = [dict(q, paper=pid) for pid, qs in questions.items() if pid in present for q in qs]
        random.Random(seed).shuffle(asked)
        asked = asked[:questions_per_stage]
        stage["open"] = cold_open(folder, dimension, open_runs)
        if size == sizes[-1]:
            log(f"build against plain encode, side by side on {len(files[:3])} papers ...")
            stage["build_vs_encode"] = build_vs_encode(files[:3], library.embedder.inner)
        if asked:
            log(f"stage {size} papers: asking {len(asked)} questions in a fresh process ...")
            stage["questions"] = measure_in_child(folder, asked)
            stage["search"] = search_agreement(stage_lib, asked)
        report["stages"].append(stage)
        log(stage_line(stage))
    report["targets"] = targets(report)
    if figure is not None:
        write_figure(report, figure)
        report["figure"] = str(figure)
    return report


def targets(report: dict[str, Any]) -> dict[str, Any]:
    """The issue's targets, checked on the largest stage."""
    last = report["stages"][-1]
    q, s, b = last.get("questions"), last.get("search"), last["build"]
    out: dict[str, Any] = {"papers": last["papers"]}
    if q:
        ratio = q["warm_all_ms"]["p50"] / max(1e-9, q["warm_one_ms"]["p50"])
        out["all_vs_one_p50"] = {"value": round(ratio, 2), "target": "<= 2", "met": ratio <= 2}
        budget = report["model_only_rss_mb"] + 2 * last["vectors"]["all_raw_mb"]
        out["peak_rss_mb"] = {
            "value": q["peak_rss_mb"],
            "target": f"<= {budget:.0f}",
            "met": q["peak_rss_mb"] <= budget,
        }
    if s:
        out["recall_at_10"] = {
            "value": s["recall_at_10"],
            "target": ">= 0.98",
            "met": s["recall_at_10"] >= 0.98,
        }
        overlap = s["qdrant_overlap_at_10"]
        out["qdrant_overlap"] = {"value": overlap, "target": ">= 0.98", "met": overlap >= 0.98}
    out["open_s"] = {"value": last["open"]["open_s"], "target": "<= 1", "met": last["open"]["open_s"] <= 1}
    out["build_texts_per_s"] = {"value": b["texts_per_s"]}
    side = last.get("build_vs_encode")
    if side:
        out["build_vs_plain_encode"] = {
            "value": side["ratio"],
            "target": ">= 0.9",
            "met": side["ratio"] >= 0.9,
        }
    return out


def stage_line(stage: dict[str, Any]) -> str:
    b, q = stage["build"], stage.get("questions") or {}
    parts = [
        f"{stage['papers']:>5} papers",
        f"build {b['papers_per_min']} papers/min, {b['texts_per_s']} texts/s",
        f"disk {stage['disk_mb']['indexes']} MB",
        f"open {stage['open']['open_s']} s ({stage['open']['open_with_model_s']} s with model)",
    ]
    if q:
        parts.append(f"p50 one {q['warm_one_ms']['p50']} ms / all {q['warm_all_ms']['p50']} ms")
        parts.append(f"RSS {q['peak_rss_mb']} MB")
        parts.append(f"right paper first {q['right_paper_cited_first_pct']}%")
    return " · ".join(parts)


def table(report: dict[str, Any]) -> str:
    """The growth table as Markdown."""
    head = (
        "| papers | build papers/min | build texts/s | store update s | index MB | open s (with model) "
        "| one-paper p50/p95 ms | all-papers p50/p95 ms | first touch p50 ms | peak RSS MB "
        "| evidence F1 one / all | right paper first | recall@10 | Qdrant overlap |"
    )
    rows = [head, "|" + "---|" * 14]
    for st in report["stages"]:
        b, q, s = st["build"], st.get("questions") or {}, st.get("search") or {}

        def pq(key: str, q: dict = q) -> str:
            v = q.get(key)
            return f"{v['p50']} / {v['p95']}" if v else "-"

        rows.append(
            f"| {st['papers']} | {b['papers_per_min']} | {b['texts_per_s']} | {b['store_seconds']} "
            f"| {st['disk_mb']['indexes']} | {st['open']['open_s']} ({st['open']['open_with_model_s']}) "
            f"| {pq('warm_one_ms')} | {pq('warm_all_ms')} | {q.get('first_touch_all_ms', {}).get('p50', '-')} "
            f"| {q.get('peak_rss_mb', '-')} | {q.get('evidence_f1_one_paper', '-')} / {q.get('evidence_f1_library', '-')} "
            f"| {q.get('right_paper_cited_first_pct', '-')}% | {s.get('recall_at_10', '-')} "
            f"| {s.get('qdrant_overlap_at_10', '-')} |"
        )
    return "\n".join(rows)


def write_figure(report: dict[str, Any], path: Path) -> None:
    """Growth curves (latency, memory, disk, build throughput against papers) as an SVG or PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from qa.indexing.files import write_atomic

    stages = report["stages"]
    x = [s["papers"] for s in stages]
    fig, axes = plt.subplots(1, 4, figsize=(16, 3.6))

    def series(key: str, sub: str) -> list[float | None]:
        return [((s.get("questions") or {}).get(key) or {}).get(sub) for s in stages]

    def plot(ax, ys: list, style: str, label: str) -> None:
        points = [(a, b) for a, b in zip(x, ys, strict=True) if b is not None]
        if points:
            ax.plot(*zip(*points, strict=True), style, label=label)

    plot(axes[0], series("warm_one_ms", "p50"), "o-", "one paper p50")
    plot(axes[0], series("warm_all_ms", "p50"), "o-", "all papers p50")
    plot(axes[0], series("warm_all_ms", "p95"), "o--", "all papers p95")
    axes[0].set_ylabel("warm question, ms")
    plot(axes[1], [(s.get("questions") or {}).get("peak_rss_mb") for s in stages], "o-", "peak RSS")
    axes[1].axhline(report["model_only_rss_mb"], color="grey", ls=":", label="model alone")
    axes[1].set_ylabel("MB")
    plot(axes[2], [s["disk_mb"]["indexes"] for s in stages], "o-", "indexes on disk")
    plot(axes[2], [s["vectors"]["all_raw_mb"] for s in stages], "o--", "raw vectors")
    axes[2].set_ylabel("MB")
    plot(axes[3], [s["build"]["texts_per_s"] for s in stages], "o-", "build texts/s")
    plot(axes[3], [s["open"]["open_s"] * 1000 for s in stages], "o--", "open ms (no model)")
    for ax in axes:
        if len(set(x)) > 1:
            ax.set_xscale("log")
        ax.set_xlabel("papers in the library")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    fig.suptitle(f"qa bench --library {x[-1]} ({report['cpu_count']} CPU cores)", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = path.suffix.lstrip(".") or "svg"
    write_atomic(path, lambda tmp: fig.savefig(tmp, format=fmt))
    plt.close(fig)


def run_cli(args: argparse.Namespace) -> int:
    """``qa bench --library N [--from FOLDER] [--work-dir DIR] [--figure PATH] [--json]``."""
    log = (lambda *a: print(*a, file=sys.stderr, flush=True)) if args.json else print
    report = run_library_bench(
        args.library_papers,
        source=args.source,
        work=args.work_dir,
        questions_per_stage=args.questions_per_stage,
        figure=args.figure,
        open_runs=args.open_runs,
        log=log,
    )
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(table(report))
        print(json.dumps(report["targets"], indent=2))
    if args.work_dir is None:
        shutil.rmtree(report["work_dir"], ignore_errors=True)
    return 0
