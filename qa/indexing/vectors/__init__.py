"""The vector-store seam: one protocol, a FAISS store (default) and a Qdrant store.

A store holds unit vectors grouped by paper. Each paper's vectors keep the order they were given to
:meth:`VectorStore.add`, so a :class:`Hit` names a vector by ``(paper, row)`` and the caller maps that
back to its own chunk list. Stores take vectors, never text: the model lives outside them.

``open_store(folder, dimension, settings)`` opens (or creates empty) the store persisted in ``folder``;
``settings.engine`` picks the implementation. Changes become durable on :meth:`VectorStore.persist`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from qa.errors import IndexStateError, InvalidOptionError
from qa.settings import VectorStoreSettings

# float32 unit vectors are within ~1e-6 of length 1; anything further off was not normalised.
UNIT_NORM_TOLERANCE = 1e-3
ENGINES = ("faiss", "qdrant")


@dataclass(frozen=True)
class Hit:
    """One search result: a paper's vector, named by its row, and its cosine to the query."""

    paper: str  # paper id
    row: int  # the vector's row within that paper (0..n-1, the order given to add)
    score: float  # inner product of unit vectors (= cosine)


@runtime_checkable
class VectorStore(Protocol):
    """Unit vectors grouped by paper: add/replace, delete, search (optionally within papers), persist."""

    dimension: int

    def add(self, paper: str, vectors: np.ndarray, version: str = "") -> None:
        """Store ``(n, dimension)`` float32 unit vectors for ``paper``, replacing any it had."""
        ...

    def delete(self, paper: str) -> None:
        """Remove the paper's vectors; a no-op when absent."""
        ...

    def versions(self) -> dict[str, str]:
        """Paper id -> the version string given to :meth:`add`, for every stored paper."""
        ...

    def count(self, paper: str | None = None) -> int:
        """Vectors stored (for one paper, or in all)."""
        ...

    def search(self, vector: np.ndarray, k: int, papers: Collection[str] | None = None) -> list[Hit]:
        """The ``k`` closest vectors, best first; ``papers`` restricts to those ids (None = all)."""
        ...

    def search_many(
        self, vectors: np.ndarray, k: int, papers: Collection[str] | None = None
    ) -> list[list[Hit]]:
        """:meth:`search` for each row of ``vectors``."""
        ...

    def persist(self) -> None:
        """Make every change durable; a crash midway leaves the previous state whole."""
        ...

    def close(self) -> None:
        """Release files and handles."""
        ...

    def describe(self) -> dict:
        """engine, kind (flat/hnsw/...), vectors, papers, bytes on disk."""
        ...


def open_store(folder: Path, dimension: int, settings: VectorStoreSettings | None = None) -> VectorStore:
    """Open (or create empty) the store persisted in ``folder`` with the engine ``settings.engine``.

    Raises:
        InvalidOptionError: the engine name is not one of :data:`ENGINES`.
        IndexStateError: the folder holds a store of another dimension, or a damaged one.
    """
    settings = settings or VectorStoreSettings()
    if settings.engine == "faiss":
        from qa.indexing.vectors.faiss_store import FaissStore

        return FaissStore(Path(folder), dimension, settings)
    if settings.engine == "qdrant":
        from qa.indexing.vectors.qdrant_store import QdrantStore

        return QdrantStore(Path(folder), dimension, settings)
    raise InvalidOptionError(
        f"Unknown vector store engine '{settings.engine}'; use one of {', '.join(ENGINES)}."
    )


def recall_at_k(approx: list[list[Hit]], exact: list[list[Hit]], k: int = 10) -> float:
    """Mean share of each exact top-``k`` ``(paper, row)`` set that the approximate top-``k`` found.

    A query whose exact list is empty counts as fully recalled.
    """
    if len(approx) != len(exact):
        raise ValueError(f"{len(approx)} approximate result lists against {len(exact)} exact ones")
    if not exact:
        return 1.0
    shares = []
    for found, truth in zip(approx, exact, strict=True):
        wanted = {(hit.paper, hit.row) for hit in truth[:k]}
        if not wanted:
            shares.append(1.0)
            continue
        got = {(hit.paper, hit.row) for hit in found[:k]}
        shares.append(len(wanted & got) / len(wanted))
    return float(np.mean(shares))


def check_vectors(vectors: np.ndarray, dimension: int, what: str) -> np.ndarray:
    """``vectors`` as a C-contiguous float32 ``(n, dimension)`` array of unit rows.

    Raises:
        IndexStateError: wrong shape or dimension, non-finite values, or rows not of length 1.
    """
    array = np.asarray(vectors)
    if array.ndim != 2 or array.shape[1] != dimension:
        raise IndexStateError(
            f"{what}: expected vectors of shape (n, {dimension}), got {tuple(array.shape)}; "
            "the store was built with another embedding model, rebuild it (qa index --rebuild)."
        )
    array = np.ascontiguousarray(array, dtype=np.float32)
    if array.size and not np.isfinite(array).all():
        raise IndexStateError(f"{what}: vectors contain NaN or infinite values.")
    if len(array):
        norms = np.linalg.norm(array, axis=1)
        if np.abs(norms - 1.0).max() > UNIT_NORM_TOLERANCE:
            raise IndexStateError(f"{what}: vectors must be unit length (normalised embeddings).")
    return array


class SearchOne:
    """``search`` for one vector, shared by the stores: the first row of :meth:`search_many`."""

    dimension: int

    def search(self, vector: np.ndarray, k: int, papers: Collection[str] | None = None) -> list[Hit]:
        """The ``k`` closest vectors, best first (ties: paper id, then row)."""
        return self.search_many(check_queries(vector, self.dimension), k, papers)[0]

    def search_many(
        self, vectors: np.ndarray, k: int, papers: Collection[str] | None = None
    ) -> list[list[Hit]]:
        raise NotImplementedError


def check_queries(vectors: np.ndarray, dimension: int) -> np.ndarray:
    """Query vectors as float32 ``(m, dimension)``; one ``(dimension,)`` vector becomes ``(1, dimension)``.

    Raises:
        IndexStateError: wrong dimension or non-finite values.
    """
    array = np.asarray(vectors, dtype=np.float32)
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2 or array.shape[1] != dimension:
        raise IndexStateError(
            f"The query vector has shape {tuple(np.asarray(vectors).shape)} but the store holds "
            f"{dimension}-dimensional vectors; embed it with the model that built the store."
        )
    if not np.isfinite(array).all():
        raise IndexStateError("The query vector contains NaN or infinite values.")
    return np.ascontiguousarray(array)


def check_k(k: int) -> int:
    if not isinstance(k, int | np.integer) or k < 0:
        raise InvalidOptionError(f"k must be a whole number of at least 0, got {k!r}.")
    return int(k)


def rank_hits(candidates: list[Hit], k: int) -> list[Hit]:
    """The best ``k`` of ``candidates``: highest score first, ties broken by paper id then row."""
    return sorted(candidates, key=lambda hit: (-hit.score, hit.paper, hit.row))[:k]


def folder_bytes(folder: Path) -> int:
    """Bytes of the regular files under ``folder`` (0 when it does not exist)."""
    if not folder.exists():
        return 0
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


__all__ = [
    "ENGINES",
    "Hit",
    "VectorStore",
    "open_store",
    "recall_at_k",
]
