"""Embedding throughput: the index build's encoder against plain ``SentenceTransformer.encode``.

Both run in one process on the same texts, interleaved round by round (the machine is shared, so a
busy moment hurts both sides alike), and the best round of each is kept. ``ours`` is exactly what
:func:`qa.indexing.store.build_index` runs (:func:`~qa.indexing.store.encode_with_progress` over
:meth:`Embedder.encode` with a progress callback); ``plain`` is ``model.encode(texts, batch_size=32)``.

    python -m qa.evaluation.embed_bench [--papers 20] [--rounds 2] [--batch-sizes 16,32,64,128]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from qa.settings import PROJECT_ROOT, Settings, load_settings

QASPER = PROJECT_ROOT.parent / "shared" / "benchmarks" / "qasper"
PLAIN_BATCH_SIZE = 32  # SentenceTransformer.encode's default


def paper_texts(paths: list[Path], settings: Settings) -> list[list[str]]:
    """For each paper file, the texts its index build embeds (chunks, sentences, table values)."""
    from qa.indexing.chunking import chunk_document
    from qa.indexing.store import index_texts
    from qa.ingest import load_paper

    out = []
    for path in paths:
        doc = load_paper(path, settings.limits.max_corpus_bytes)
        chunks, sentences, values = index_texts(doc, chunk_document(doc, settings.chunking))
        out.append(chunks + sentences + values)
    return out


def default_papers(n_qasper: int, settings: Settings) -> list[Path]:
    """The seed paper and the first ``n_qasper`` Qasper validation papers (sorted by id)."""
    qasper = sorted((QASPER / "validation").glob("*.md"))[:n_qasper]
    return [Path(settings.paths.corpus), *qasper]


def _ours(embedder, texts: list[str]) -> np.ndarray:
    from qa.indexing.store import encode_with_progress

    return encode_with_progress(embedder.encode, texts, lambda done, total: None)


def _plain(embedder, texts: list[str], batch_size: int = PLAIN_BATCH_SIZE) -> np.ndarray:
    return embedder.model.encode(
        texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True
    )


def _steps(embedder, texts: list[str], step: int) -> np.ndarray:
    """The build before issue 10: ``encode`` in steps of ``step`` texts (each step sorted on its own)."""
    return np.vstack([embedder.encode(texts[i : i + step]) for i in range(0, len(texts), step)])


def measure_embedding(
    texts: list[str] | list[list[str]],
    embedder,
    *,
    rounds: int = 2,
    batch_sizes: tuple[int, ...] = (),
    legacy_step: int | None = None,
) -> dict[str, Any]:
    """Texts per second of our build encoder and of plain ``encode``, side by side.

    Args:
        texts: The texts, or one list per paper (then each paper is one call, as a build of that
            paper would make it; plain encode gets the same calls).
        embedder: A loaded :class:`~qa.indexing.embedder.Embedder`.
        rounds: Interleaved rounds; the best of each side is reported.
        batch_sizes: Extra plain-encode batch sizes to time (one round each after the main rounds).
        legacy_step: Also time the earlier build (``encode`` in steps of this many texts) each round.

    Returns:
        ``{"texts", "ours_texts_per_s", "plain_texts_per_s", "ratio", "max_abs_diff", ...}``; the
        target of issue 10 is ``ratio >= 0.9``.
    """
    groups = [texts] if texts and isinstance(texts[0], str) else [list(g) for g in texts]
    groups = [g for g in groups if g]
    n = sum(len(g) for g in groups)
    if not n:
        raise ValueError("no texts to embed")

    def run_all(fn):
        started = time.perf_counter()
        vectors = [fn(g) for g in groups]
        return n / (time.perf_counter() - started), np.vstack(vectors)

    _plain(embedder, groups[0][:8])  # warm up (first call allocates)
    ours_rates, plain_rates, legacy_rates, diff = [], [], [], 0.0
    for _ in range(max(1, rounds)):
        if legacy_step:
            legacy_rates.append(run_all(lambda g: _steps(embedder, g, legacy_step))[0])
        rate, ours_vectors = run_all(lambda g: _ours(embedder, g))
        ours_rates.append(rate)
        rate, plain_vectors = run_all(lambda g: _plain(embedder, g))
        plain_rates.append(rate)
        diff = max(diff, float(np.abs(ours_vectors - plain_vectors).max()))
    result: dict[str, Any] = {
        "texts": n,
        "calls": len(groups),
        "mean_chars": round(sum(len(t) for g in groups for t in g) / n, 1),
        "rounds": max(1, rounds),
        "threads": _threads(),
        "batch_size": embedder.settings.batch_size,
        "ours_texts_per_s": round(max(ours_rates), 1),
        "plain_texts_per_s": round(max(plain_rates), 1),
        "ours_all": [round(r, 1) for r in ours_rates],
        "plain_all": [round(r, 1) for r in plain_rates],
        "ratio": round(max(ours_rates) / max(plain_rates), 3),
        "max_abs_diff": diff,
        "load_average": round(os.getloadavg()[0], 2),
    }
    if legacy_rates:
        result["legacy_step"] = legacy_step
        result["legacy_texts_per_s"] = round(max(legacy_rates), 1)
        result["legacy_ratio"] = round(max(legacy_rates) / max(plain_rates), 3)
    if batch_sizes:
        result["plain_by_batch_size"] = {
            str(size): round(run_all(lambda g, size=size: _plain(embedder, g, size))[0], 1)
            for size in batch_sizes
        }
    return result


def _threads() -> int:
    import torch

    return torch.get_num_threads()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.evaluation.embed_bench", description=__doc__)
    parser.add_argument("--papers", type=int, default=20, help="Qasper validation papers besides the seed")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batch-sizes", default="", help="extra plain batch sizes, e.g. 16,32,64,128")
    parser.add_argument("--one-call", action="store_true", help="all papers' texts in one call")
    parser.add_argument("--legacy-step", type=int, default=None, help="also time encode in steps of N")
    args = parser.parse_args(argv)
    from qa.indexing.embedder import Embedder

    settings = load_settings()
    groups = paper_texts(default_papers(args.papers, settings), settings)
    if args.one_call:
        groups = [[t for g in groups for t in g]]
    sizes = tuple(int(s) for s in args.batch_sizes.split(",") if s.strip())
    result = measure_embedding(
        groups, Embedder(settings.model), rounds=args.rounds, batch_sizes=sizes, legacy_step=args.legacy_step
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
