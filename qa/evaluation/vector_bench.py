"""Measure the vector stores: exact vs HNSW search latency, build time, recall@10, open time, memory.

``bench_vectors(...)`` returns one row per size; ``qa bench --library`` (wired by the library
integration) or ``python -m qa.evaluation.vector_bench`` print them. The numbers behind
``VectorStoreSettings`` (approximate_from, hnsw_m, ef_construction, ef_search) come from this.

Vectors: real all-MiniLM-L6-v2 vectors when a cache is given (``--vectors`` .npy of paragraph
vectors, ``--queries`` .npy of question vectors), used for the sizes they cover; larger sizes use
"real-derived" vectors (the real ones cycled, each with Gaussian noise, real questions as queries:
:func:`real_derived`), or without a cache synthetic clustered unit vectors (:func:`clustered`, their
spread fitted to the real ones). Each row says which it used. To make a cache (~20 texts/s on the
shared 2 cores): embed paragraphs with ``Embedder().encode`` and ``np.save`` them (not in the repo).

Commands behind the settings (issue 10 notes):
    python -m qa.evaluation.vector_bench --what crossover --sizes 1000,2000,5000,10000,20000,30000,50000,70000
    python -m qa.evaluation.vector_bench --what sweep --sizes 70000 --vectors P.npy --queries Q.npy
    python -m qa.evaluation.vector_bench --what sizes --sizes 1000,6000,10000,50000,70000,100000 --vectors P.npy --queries Q.npy
    python -m qa.evaluation.vector_bench --what qdrant --sizes 10000 --vectors P.npy --queries Q.npy
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from qa.indexing.vectors import Hit, open_store, recall_at_k
from qa.settings import VectorStoreSettings

DIMENSION = 384
CHUNKS_PER_PAPER = 60  # a Qasper paper gives ~60 chunks at the default chunking


def unit(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def clustered(
    n: int,
    seed: int,
    dimension: int = DIMENSION,
    spread: float = 0.9,
    shared: float = 0.7,
    per_cluster: int = 60,
) -> np.ndarray:
    """``n`` unit vectors in clusters of about ``per_cluster`` (one "paper" each) around random centres.

    Every vector also carries one ``shared`` direction (text embeddings of one genre are not centred).
    The defaults match real MiniLM vectors of Qasper paragraphs: mean cosine of a random pair 0.195
    (synthetic 0.22), of a vector to its nearest neighbour 0.71 (synthetic 0.69), measured on 4,000 of each.
    Take queries from the same call (split the last rows off) so they share the clusters.
    """
    rng = np.random.default_rng(seed)
    clusters = max(1, n // per_cluster)
    common = rng.normal(size=dimension).astype(np.float32)
    centres = rng.normal(size=(clusters, dimension)).astype(np.float32)
    labels = rng.integers(0, clusters, size=n)
    noise = spread * rng.normal(size=(n, dimension)).astype(np.float32)
    return unit(shared * common + centres[labels] + noise)


def synthetic_with_queries(n: int, seed: int, queries: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """``n`` clustered vectors and ``queries`` further vectors drawn from the same clusters."""
    both = clustered(n + queries, seed, per_cluster=60 * (n + queries) // max(n, 1))
    return both[:n], both[n:]


def real_derived(real: np.ndarray, n: int, seed: int, sigma: float = 0.033) -> np.ndarray:
    """``n`` vectors made from real ones: each real vector plus Gaussian noise, cycling through them.

    Keeps the real vectors' layout (topics, the shared direction) at sizes beyond the real cache;
    ``sigma`` 0.033 per coordinate puts two copies of one vector at cosine ~0.71, the real mean
    nearest-neighbour cosine. Real questions stay the queries.
    """
    rng = np.random.default_rng(seed)
    rows = real[np.arange(n) % len(real)]
    return unit(rows + sigma * rng.normal(size=rows.shape).astype(np.float32))


def _p50_ms(fn, queries: np.ndarray, repeat: int = 1) -> float:
    times = []
    for query in queries:
        start = time.perf_counter()
        for _ in range(repeat):
            fn(query[None, :])
        times.append((time.perf_counter() - start) / repeat * 1000)
    return statistics.median(times)


def _ids(index: faiss.Index, queries: np.ndarray, k: int) -> list[list[Hit]]:
    _, ids = index.search(queries, k)
    return [[Hit("", int(i), 0.0) for i in row if i >= 0] for row in ids]


def measure_size(
    vectors: np.ndarray, queries: np.ndarray, source: str, settings: VectorStoreSettings, k: int = 10
) -> dict[str, Any]:
    """Flat vs HNSW on ``vectors`` (latency at 1 and 2 threads, build time, recall@k), and the store's
    open time and bytes for the same vectors split into papers of CHUNKS_PER_PAPER."""
    n = len(vectors)
    row: dict[str, Any] = {"vectors": n, "source": source, "raw_mb": round(vectors.nbytes / 1e6, 1)}
    start = time.perf_counter()
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    row["flat_build_s"] = round(time.perf_counter() - start, 3)
    exact = _ids(flat, queries, k)
    hnsw = faiss.IndexHNSWFlat(vectors.shape[1], settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = settings.ef_construction
    start = time.perf_counter()
    hnsw.add(vectors)
    row["hnsw_build_s"] = round(time.perf_counter() - start, 2)
    hnsw.hnsw.efSearch = max(settings.ef_search, k)
    row["recall_at_10"] = round(recall_at_k(_ids(hnsw, queries, k), exact, k), 4)
    sample = queries[: min(len(queries), 200)]
    for threads in (1, 2):
        faiss.omp_set_num_threads(threads)
        row[f"flat_p50_ms_{threads}t"] = round(_p50_ms(lambda q: flat.search(q, k), sample), 3)
        row[f"hnsw_p50_ms_{threads}t"] = round(_p50_ms(lambda q: hnsw.search(q, k), sample), 3)
    faiss.omp_set_num_threads(2)
    row["hnsw_graph_mb"] = round((faiss.serialize_index(hnsw).nbytes - vectors.nbytes) / 1e6, 1)

    with tempfile.TemporaryDirectory(prefix="qa-vector-bench-") as tmp:
        store = open_store(Path(tmp), vectors.shape[1], settings)
        for paper, first in enumerate(range(0, n, CHUNKS_PER_PAPER)):
            store.add(f"paper-{paper:05d}", vectors[first : first + CHUNKS_PER_PAPER], version="v")
        start = time.perf_counter()
        store.persist()
        row["store_persist_s"] = round(time.perf_counter() - start, 2)
        store.close()
        start = time.perf_counter()
        store = open_store(Path(tmp), vectors.shape[1], settings)
        row["store_open_ms"] = round((time.perf_counter() - start) * 1000, 1)
        start = time.perf_counter()
        store.search(sample[0], k)
        row["store_first_search_ms"] = round((time.perf_counter() - start) * 1000, 1)
        row["store_kind"] = store.describe()["kind"]
        row["store_mb"] = round(store.describe()["bytes"] / 1e6, 1)
        row["store_p50_ms_all"] = round(_p50_ms(lambda q: store.search_many(q, k), sample), 3)
        row["store_p50_ms_one_paper"] = round(
            _p50_ms(lambda q: store.search_many(q, k, papers=["paper-00007"]), sample), 3
        )
        store.close()
    return row


def sweep_hnsw(
    vectors: np.ndarray,
    queries: np.ndarray,
    ms=(16, 32),
    ef_constructions=(40, 80),
    ef_searches=(16, 32, 64, 128),
    k=10,
) -> list[dict[str, Any]]:
    """recall@k and 1-thread p50 for each (M, efConstruction, efSearch): the data for choosing them."""
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    exact = _ids(flat, queries, k)
    rows = []
    faiss.omp_set_num_threads(2)
    for m in ms:
        for ef_construction in ef_constructions:
            index = faiss.IndexHNSWFlat(vectors.shape[1], m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = ef_construction
            start = time.perf_counter()
            index.add(vectors)
            build = time.perf_counter() - start
            for ef_search in ef_searches:
                index.hnsw.efSearch = ef_search
                faiss.omp_set_num_threads(1)
                p50 = _p50_ms(lambda q, index=index: index.search(q, k), queries[:200])
                faiss.omp_set_num_threads(2)
                rows.append(
                    {
                        "vectors": len(vectors),
                        "m": m,
                        "ef_construction": ef_construction,
                        "ef_search": ef_search,
                        "build_s": round(build, 2),
                        "recall_at_10": round(recall_at_k(_ids(index, queries, k), exact, k), 4),
                        "p50_ms_1t": round(p50, 3),
                    }
                )
    return rows


def flat_crossover(sizes, budget_ms: float, k: int = 10, seed: int = 0) -> dict[str, Any]:
    """1-thread flat p50 at each size, and the first size whose p50 exceeds ``budget_ms``."""
    faiss.omp_set_num_threads(1)
    queries = clustered(200, seed + 1)  # latency of flat search does not depend on where queries lie
    latencies = {}
    for n in sizes:
        flat = faiss.IndexFlatIP(DIMENSION)
        flat.add(clustered(n, seed))
        latencies[n] = round(_p50_ms(lambda q, flat=flat: flat.search(q, k), queries), 3)
    faiss.omp_set_num_threads(2)
    crossing = next((n for n in sizes if latencies[n] > budget_ms), None)
    return {"budget_ms": budget_ms, "flat_p50_ms_1t": latencies, "first_size_over_budget": crossing}


def qdrant_latency(vectors: np.ndarray, queries: np.ndarray, k: int = 10) -> dict[str, Any]:
    """Qdrant local mode: upload time, p50 all-paper and one-paper search, top-10 overlap with FAISS exact."""
    settings = VectorStoreSettings(engine="qdrant")
    with tempfile.TemporaryDirectory(prefix="qa-qdrant-bench-") as tmp:
        store = open_store(Path(tmp), vectors.shape[1], settings)
        start = time.perf_counter()
        for paper, first in enumerate(range(0, len(vectors), CHUNKS_PER_PAPER)):
            store.add(f"paper-{paper:05d}", vectors[first : first + CHUNKS_PER_PAPER])
        store.persist()
        upload = time.perf_counter() - start
        store.close()
        start = time.perf_counter()
        store = open_store(Path(tmp), vectors.shape[1], settings)
        opened = time.perf_counter() - start
        sample = queries[:50]
        p50_all = _p50_ms(lambda q: store.search_many(q, k), sample)
        p50_one = _p50_ms(lambda q: store.search_many(q, k, papers=["paper-00007"]), sample)
        found = store.search_many(queries[:200], k)
        store.close()
    faiss_store = VectorStoreSettings(approximate_from=len(vectors) + 1)
    with tempfile.TemporaryDirectory(prefix="qa-faiss-bench-") as tmp:
        store = open_store(Path(tmp), vectors.shape[1], faiss_store)
        for paper, first in enumerate(range(0, len(vectors), CHUNKS_PER_PAPER)):
            store.add(f"paper-{paper:05d}", vectors[first : first + CHUNKS_PER_PAPER])
        exact = store.search_many(queries[:200], k)
        store.close()
    return {
        "vectors": len(vectors),
        "upload_s": round(upload, 1),
        "open_s": round(opened, 2),
        "p50_ms_all": round(p50_all, 2),
        "p50_ms_one_paper": round(p50_one, 2),
        "top10_overlap_with_faiss_exact": round(recall_at_k(found, exact, k), 4),
    }


def bench_vectors(
    sizes=(1_000, 10_000, 50_000, 100_000),
    vectors_path: Path | None = None,
    queries_path: Path | None = None,
    settings: VectorStoreSettings | None = None,
) -> list[dict[str, Any]]:
    """One :func:`measure_size` row per size (real vectors where the cache covers the size)."""
    settings = settings or VectorStoreSettings()
    real = np.load(vectors_path) if vectors_path else np.zeros((0, DIMENSION), dtype=np.float32)
    real_queries = np.load(queries_path) if queries_path else np.zeros((0, DIMENSION), dtype=np.float32)
    rows = []
    for n in sizes:
        if n <= len(real) and len(real_queries):
            rows.append(measure_size(unit(real[:n]), unit(real_queries), "real MiniLM (Qasper)", settings))
        elif len(real) and len(real_queries):
            data = real_derived(unit(real), n, seed=n)
            rows.append(
                measure_size(data, unit(real_queries), f"real-derived ({len(real)} real + noise)", settings)
            )
        else:
            data, queries = synthetic_with_queries(n, seed=n)
            rows.append(measure_size(data, queries, "synthetic clustered", settings))
    return rows


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vectors", type=Path, help=".npy of real paragraph vectors")
    parser.add_argument("--queries", type=Path, help=".npy of real question vectors")
    parser.add_argument("--sizes", default="1000,10000,50000,100000")
    parser.add_argument("--what", default="sizes", choices=["sizes", "sweep", "crossover", "qdrant"])
    parser.add_argument("--budget-ms", type=float, default=2.0)
    parser.add_argument(
        "--grid", default="16,32/40,80/16,32,64,128", help="sweep: M values/efConstruction/efSearch"
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.what == "sizes":
        rows: Any = bench_vectors(sizes, args.vectors, args.queries)
    elif args.what == "crossover":
        rows = flat_crossover(sizes, args.budget_ms)
    else:
        real = unit(np.load(args.vectors)) if args.vectors else np.zeros((0, DIMENSION), dtype=np.float32)
        if len(real) >= sizes[0] and args.queries:
            data, queries = real[: sizes[0]], unit(np.load(args.queries))
        elif len(real) and args.queries:
            data, queries = real_derived(real, sizes[0], seed=0), unit(np.load(args.queries))
        else:
            data, queries = synthetic_with_queries(sizes[0], seed=0)
        ms, ef_constructions, ef_searches = (
            [int(v) for v in part.split(",")] for part in args.grid.split("/")
        )
        if args.what == "sweep":
            rows = sweep_hnsw(data, queries, ms, ef_constructions, ef_searches)
        else:
            rows = qdrant_latency(data, queries)
    print(json.dumps({"rows": rows, "peak_rss_mb": round(_rss_mb(), 1)}, indent=1))


if __name__ == "__main__":
    main()
