"""The FAISS vector store: plain files in one folder, exact while small, HNSW past a measured size.

Layout of ``folder``::

    store.json            format, dimension, counts, kind and the current generation (written last)
    gen-<n>-<id>/
        vectors.npy       every vector, float32, papers one after another (opened memory-mapped)
        papers.json       paper id -> first row, row count, version, in row order
        index.faiss       the HNSW index over vectors.npy (only when kind is "hnsw")

Opening reads the two small JSON files and memory-maps ``vectors.npy``; the search index is made on
the first search over all papers (an ``IndexFlatIP`` filled from the vectors, or ``index.faiss``
read). A search within given papers is always exact and never needs that index: a dot product over
those papers' rows of the memory-mapped vectors.

Changes (:meth:`FaissStore.add`, :meth:`FaissStore.delete`) live in memory until
:meth:`FaissStore.persist`: added papers are searched exactly beside the persisted index, and papers
deleted or replaced since the last persist are tombstones filtered out of the index's results.
``persist`` writes a new generation folder (each file atomically), then replaces ``store.json``, then
removes older generations: a crash at any moment leaves the previous ``store.json`` and its folder
whole. Deleted rows are compacted on persist. HNSW cannot remove vectors, so a persist after a delete
or a replacement rebuilds the HNSW index; a persist that only adds papers appends to it.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import threading
import uuid
from collections.abc import Collection
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from qa.errors import IndexStateError
from qa.indexing.files import write_atomic, write_json_atomic
from qa.indexing.vectors import (
    Hit,
    SearchOne,
    check_k,
    check_queries,
    check_vectors,
    folder_bytes,
    rank_hits,
)
from qa.settings import VectorStoreSettings

logger = logging.getLogger(__name__)

STORE = "store.json"
VECTORS = "vectors.npy"
PAPERS = "papers.json"
INDEX = "index.faiss"
FORMAT_VERSION = 1
STORE_KIND = "qa-vector-store"
GENERATION = re.compile(r"gen-(\d{6})-[0-9a-f]{8}")
# Map the HNSW index's vectors in place instead of reading them: opening 70k vectors (127 MB) takes
# 6-12 ms instead of 115 ms, same search latency (qa/evaluation/vector_bench.py, issue 10 notes).
READ_FLAGS = getattr(faiss, "IO_FLAG_MMAP_IFC", 0)
MAX_JSON_BYTES = 200_000_000  # papers.json is ~100 bytes a paper; a million papers fit


class FaissStore(SearchOne):
    """A :class:`~qa.indexing.vectors.VectorStore` on FAISS and ``.npy``/JSON files in ``folder``."""

    engine = "faiss"

    def __init__(self, folder: Path, dimension: int, settings: VectorStoreSettings) -> None:
        self.folder = Path(folder)
        self.dimension = int(dimension)
        self.settings = settings
        self._pending: dict[str, tuple[np.ndarray, str]] = {}  # added since the last persist
        self._removed: set[str] = set()  # persisted papers deleted or replaced since then
        self._pending_matrix: tuple[np.ndarray, list[tuple[str, int]]] | None = None
        self._index: faiss.Index | None = None
        self._lock = threading.Lock()
        self._open()

    # ----------------------------------------------------------------------------- reading
    def _open(self) -> None:
        """Read ``store.json`` and ``papers.json``; memory-map the vectors (nothing else is read)."""
        self._generation: str | None = None
        self._kind = "flat"
        self._base = np.zeros((0, self.dimension), dtype=np.float32)
        self._papers: dict[str, tuple[int, int, str]] = {}  # id -> (start, count, version)
        self._order: list[str] = []
        self._starts = np.zeros(0, dtype=np.int64)
        self._index = None
        self._hnsw_params: dict[str, int] | None = None
        manifest = _read_json(self.folder / STORE)
        if manifest is None:
            return
        if manifest.get("kind_of_folder") != STORE_KIND or manifest.get("format") != FORMAT_VERSION:
            raise IndexStateError(
                f"{self.folder / STORE} is not a vector store of format {FORMAT_VERSION}; "
                "rebuild the library's vectors (qa index --rebuild)."
            )
        if manifest.get("dimension") != self.dimension:
            raise IndexStateError(
                f"The vector store in {self.folder} holds {manifest.get('dimension')}-dimensional vectors, "
                f"not {self.dimension}; it was built with another embedding model: rebuild it "
                "(qa index --rebuild)."
            )
        generation = str(manifest.get("generation", ""))
        if not GENERATION.fullmatch(generation):
            raise IndexStateError(f"{self.folder / STORE} names no valid generation folder; rebuild it.")
        folder = self.folder / generation
        papers = _read_json(folder / PAPERS)
        try:
            base = np.load(folder / VECTORS, mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise IndexStateError(
                f"Cannot read {folder / VECTORS} ({exc}); rebuild the vector store."
            ) from None
        rows = int(manifest.get("vectors", -1))
        if papers is None or base.dtype != np.float32 or base.shape != (rows, self.dimension):
            raise IndexStateError(
                f"The vector store in {self.folder} is damaged (vectors or papers file missing or of the "
                "wrong size); rebuild it (qa index --rebuild)."
            )
        start = 0
        try:
            for entry in papers["papers"]:
                if entry["start"] != start or entry["id"] in self._papers:
                    raise IndexStateError(
                        f"{folder / PAPERS} does not cover the vectors in order; rebuild it."
                    )
                self._papers[entry["id"]] = (int(entry["start"]), int(entry["count"]), str(entry["version"]))
                self._order.append(entry["id"])
                start += int(entry["count"])
        except (KeyError, TypeError, ValueError):
            raise IndexStateError(
                f"{folder / PAPERS} is not a list of papers; rebuild the vector store."
            ) from None
        if start != rows:
            raise IndexStateError(
                f"{folder / PAPERS} counts {start} vectors, the file holds {rows}; rebuild it."
            )
        self._starts = np.array([self._papers[paper][0] for paper in self._order], dtype=np.int64)
        self._base = base
        self._kind = manifest.get("index", "flat")
        self._hnsw_params = manifest.get("hnsw")
        self._generation = generation

    def _search_index(self) -> faiss.Index:
        """The index over the persisted vectors, made on first use (once, if threads race)."""
        with self._lock:
            return self._make_search_index()

    def _make_search_index(self) -> faiss.Index:
        if self._index is None:
            if self._kind == "hnsw":
                path = self.folder / str(self._generation) / INDEX
                try:
                    self._index = faiss.read_index(str(path), READ_FLAGS)
                except RuntimeError as exc:
                    raise IndexStateError(f"Cannot read {path} ({exc}); rebuild the vector store.") from None
                if self._index.ntotal != len(self._base) or self._index.d != self.dimension:
                    raise IndexStateError(
                        f"{path} does not match the stored vectors; rebuild the vector store."
                    )
            else:
                self._index = faiss.IndexFlatIP(self.dimension)
                if len(self._base):
                    self._index.add(np.ascontiguousarray(self._base))
        return self._index

    # ----------------------------------------------------------------------------- changes
    def add(self, paper: str, vectors: np.ndarray, version: str = "") -> None:
        """Hold ``vectors`` for ``paper`` (replacing what it had) until :meth:`persist`."""
        _check_paper(paper)
        array = check_vectors(vectors, self.dimension, f"Vectors of paper '{paper}'")
        if paper in self._papers:
            self._removed.add(paper)
        self._pending[paper] = (array.copy(), str(version))
        self._pending_matrix = None

    def delete(self, paper: str) -> None:
        """Forget ``paper``'s vectors (a tombstone until :meth:`persist` compacts them)."""
        if self._pending.pop(paper, None) is not None:
            self._pending_matrix = None
        if paper in self._papers:
            self._removed.add(paper)

    def versions(self) -> dict[str, str]:
        found = {paper: entry[2] for paper, entry in self._papers.items() if paper not in self._removed}
        found.update({paper: version for paper, (_, version) in self._pending.items()})
        return found

    def count(self, paper: str | None = None) -> int:
        if paper is not None:
            if paper in self._pending:
                return len(self._pending[paper][0])
            if paper in self._papers and paper not in self._removed:
                return self._papers[paper][1]
            return 0
        removed = sum(self._papers[paper][1] for paper in self._removed)
        return len(self._base) - removed + sum(len(vectors) for vectors, _ in self._pending.values())

    # ----------------------------------------------------------------------------- search
    def search_many(
        self, vectors: np.ndarray, k: int, papers: Collection[str] | None = None
    ) -> list[list[Hit]]:
        """:meth:`search` for each row of ``vectors``; within ``papers`` the search is exact."""
        queries = check_queries(vectors, self.dimension)
        k = check_k(k)
        if k == 0:
            return [[] for _ in queries]
        if papers is not None:
            wanted = {papers} if isinstance(papers, str) else set(papers)
            stored = len(self._papers) - len(self._removed) + len(self._pending)
            if len(wanted) < stored or not wanted.issuperset(self.versions()):
                return self._search_within(wanted, queries, k)
            # every stored paper: the same as no filter, and the index is faster than a scan
        found = self._search_persisted(queries, k)
        matrix, labels = self._pending_vectors()
        if len(labels):
            for hits, scores in zip(found, queries @ matrix.T, strict=True):
                hits.extend(Hit(labels[i][0], labels[i][1], float(scores[i])) for i in _top(scores, k))
        return [rank_hits(hits, k) for hits in found]

    def _search_persisted(self, queries: np.ndarray, k: int) -> list[list[Hit]]:
        """Top hits of the persisted index, without tombstoned papers."""
        found: list[list[Hit]] = [[] for _ in queries]
        dead = sum(self._papers[paper][1] for paper in self._removed)
        wanted = min(len(self._base), k + dead)
        if wanted <= 0 or dead >= len(self._base):
            return found
        index = self._search_index()
        if self._kind == "hnsw":
            index.hnsw.efSearch = max(self.settings.ef_search, wanted)
        faiss.omp_set_num_threads(self.settings.search_threads)
        scores, ids = index.search(queries, wanted)
        owners = np.searchsorted(self._starts, ids, side="right") - 1
        for hits, row_scores, row_ids, row_owners in zip(found, scores, ids, owners, strict=True):
            for score, label, owner in zip(row_scores, row_ids, row_owners, strict=True):
                if label < 0:
                    continue
                paper = self._order[owner]
                if paper not in self._removed:
                    hits.append(Hit(paper, int(label - self._starts[owner]), float(score)))
        return found

    def _pending_vectors(self) -> tuple[np.ndarray, list[tuple[str, int]]]:
        if self._pending_matrix is None:
            blocks = [vectors for vectors, _ in self._pending.values()]
            labels = [
                (paper, row) for paper, (vectors, _) in self._pending.items() for row in range(len(vectors))
            ]
            matrix = np.concatenate(blocks) if blocks else np.zeros((0, self.dimension), dtype=np.float32)
            self._pending_matrix = (matrix, labels)
        return self._pending_matrix

    def _paper_rows(self, paper: str) -> np.ndarray | None:
        if paper in self._pending:
            return self._pending[paper][0]
        if paper in self._papers and paper not in self._removed:
            start, count, _ = self._papers[paper]
            return self._base[start : start + count]
        return None

    def _search_within(self, papers: set[str], queries: np.ndarray, k: int) -> list[list[Hit]]:
        """Exact search over the rows of ``papers`` (unknown ids are ignored)."""
        blocks, owners, rows = [], [], []
        for paper in sorted(papers):
            block = self._paper_rows(paper)
            if block is not None and len(block):
                blocks.append(block)
                owners.extend([paper] * len(block))
                rows.extend(range(len(block)))
        if not blocks:
            return [[] for _ in queries]
        matrix = blocks[0] if len(blocks) == 1 else np.concatenate(blocks)
        results = []
        for scores in queries @ np.asarray(matrix).T:
            results.append(rank_hits([Hit(owners[i], rows[i], float(scores[i])) for i in _top(scores, k)], k))
        return results

    # ----------------------------------------------------------------------------- persist
    @property
    def kind(self) -> str:
        """flat or hnsw: the kind of the persisted index."""
        return self._kind

    def changed(self) -> bool:
        """Whether there are changes :meth:`persist` has not yet written."""
        return bool(self._pending or self._removed) or self._generation is None

    def persist(self) -> None:
        """Write a new generation (vectors, papers, index), then ``store.json``, then drop old ones."""
        if not self.changed():
            return
        appended_only = not self._removed and self._kind == "hnsw"
        entries, blocks, start = [], [], 0
        for paper in self._order:
            if paper not in self._removed:
                first, count, version = self._papers[paper]
                entries.append({"id": paper, "start": start, "count": count, "version": version})
                blocks.append(self._base[first : first + count])
                start += count
        persisted_rows = start
        for paper, (vectors, version) in self._pending.items():
            entries.append({"id": paper, "start": start, "count": len(vectors), "version": version})
            blocks.append(vectors)
            start += len(vectors)
        vectors = np.concatenate(blocks) if blocks else np.zeros((0, self.dimension), dtype=np.float32)
        kind = "hnsw" if len(vectors) >= self.settings.approximate_from else "flat"

        self.folder.mkdir(parents=True, exist_ok=True)
        number = int(GENERATION.fullmatch(self._generation).group(1)) + 1 if self._generation else 1
        generation = f"gen-{number:06d}-{uuid.uuid4().hex[:8]}"
        target = self.folder / generation
        target.mkdir()
        index: faiss.Index | None = None
        try:
            write_atomic(target / VECTORS, lambda tmp: _save_npy(tmp, vectors))
            write_json_atomic(target / PAPERS, {"papers": entries})
            if kind == "hnsw":
                index = self._hnsw(vectors, persisted_rows if appended_only else 0)
                write_atomic(target / INDEX, lambda tmp: faiss.write_index(index, str(tmp)))
            write_json_atomic(
                self.folder / STORE, self._manifest(generation, kind, len(vectors), len(entries))
            )
        except BaseException:
            self._index = None  # an appended-to HNSW index no longer matches the persisted vectors
            shutil.rmtree(target, ignore_errors=True)
            raise
        logger.info(
            "vector store %s: %d vectors of %d papers, %s index",
            self.folder,
            len(vectors),
            len(entries),
            kind,
        )

        self._pending.clear()
        self._removed.clear()
        self._pending_matrix = None
        self._open()
        self._index = index
        self._remove_old_generations()

    def _hnsw(self, vectors: np.ndarray, reuse_rows: int) -> faiss.Index:
        """An HNSW index over ``vectors``: the persisted one extended when its first rows are unchanged
        and it was built with the current parameters."""
        params = {"m": self.settings.hnsw_m, "ef_construction": self.settings.ef_construction}
        if reuse_rows and self._hnsw_params == params:
            # read into memory: a memory-mapped index cannot grow
            index = faiss.read_index(str(self.folder / str(self._generation) / INDEX))
        else:
            index = faiss.IndexHNSWFlat(self.dimension, self.settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = self.settings.ef_construction
            reuse_rows = 0
        index.add(np.ascontiguousarray(vectors[reuse_rows:]))
        return index

    def _manifest(self, generation: str, kind: str, vectors: int, papers: int) -> dict[str, Any]:
        manifest: dict[str, Any] = {
            "kind_of_folder": STORE_KIND,
            "format": FORMAT_VERSION,
            "engine": self.engine,
            "dimension": self.dimension,
            "generation": generation,
            "vectors": vectors,
            "papers": papers,
            "index": kind,
        }
        if kind == "hnsw":
            manifest["hnsw"] = {"m": self.settings.hnsw_m, "ef_construction": self.settings.ef_construction}
        return manifest

    def _remove_old_generations(self) -> None:
        """Delete generation folders other than the current one (only folders named like ours)."""
        for path in self.folder.iterdir():
            if path.name != self._generation and GENERATION.fullmatch(path.name) and path.is_dir():
                shutil.rmtree(path, ignore_errors=True)

    def close(self) -> None:
        """Drop the index and the memory map (pending changes not persisted are lost)."""
        self._index = None
        self._pending.clear()
        self._removed.clear()
        self._pending_matrix = None
        self._base = np.zeros((0, self.dimension), dtype=np.float32)
        self._papers, self._order = {}, []
        self._starts = np.zeros(0, dtype=np.int64)

    def describe(self) -> dict:
        generation = self.folder / self._generation if self._generation else None
        on_disk = (folder_bytes(generation) if generation else 0) + (
            (self.folder / STORE).stat().st_size if (self.folder / STORE).exists() else 0
        )
        return {
            "engine": self.engine,
            "kind": self._kind,
            "vectors": self.count(),
            "papers": len(self.versions()),
            "bytes": on_disk,
            "unpersisted_changes": bool(self._pending or self._removed),
            "approximate_from": self.settings.approximate_from,
            "ef_search": self.settings.ef_search if self._kind == "hnsw" else None,
        }


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` best scores and of every score tied with the k-th (for stable ties)."""
    if k >= len(scores):
        return np.arange(len(scores))
    kth = np.partition(scores, len(scores) - k)[len(scores) - k]
    return np.flatnonzero(scores >= kth)


def _check_paper(paper: str) -> None:
    if not isinstance(paper, str) or not paper:
        raise IndexStateError(f"A paper id must be a non-empty string, got {paper!r}.")


def _save_npy(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as handle:
        np.save(handle, np.ascontiguousarray(array, dtype=np.float32), allow_pickle=False)


def _read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from ``path``; None when the file does not exist.

    Raises:
        IndexStateError: the file is unreadable, too large or not a JSON object.
    """
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise IndexStateError(f"{path} is larger than any vector store file; rebuild the vector store.")
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexStateError(f"Cannot read {path} ({exc}); rebuild the vector store.") from None
    if not isinstance(data, dict):
        raise IndexStateError(f"{path} is not a vector store file; rebuild the vector store.")
    return data
