"""The Qdrant vector store (qdrant-client): embedded local mode in a folder, or a server/cluster.

One collection (``settings.qdrant_collection``) with cosine distance; each point is one vector with
the payload ``{"paper": id, "row": n}`` and a deterministic id (uuid5 of paper and row), so adding a
paper again overwrites its points. A paper is replaced by deleting its points by filter, then
upserting the new ones; a search within papers is a ``MatchAny`` filter on ``paper`` (on a server
the field has a keyword payload index).

Local mode (``QdrantClient(path=folder/"qdrant")``, the default) keeps the points in the folder and
searches them exactly (brute force in numpy): it is for tests and small libraries; its latency at
library size is in the issue notes. With ``settings.qdrant_url`` the same code talks to a server
(HNSW, sharding, replication are the server's).

Versions: ``versions.json`` in the folder maps paper id -> version (written atomically by
:meth:`QdrantStore.persist`) and lists the papers whose points are being written. Qdrant writes
points at each call, so ``add`` and ``delete`` first add the paper to that list on disk; ``persist``
empties it. Opening after a crash deletes the points of the listed papers and forgets them, so the
store never holds a paper half written or a version that does not match its points (the caller sees
the paper missing and adds it again). With a server, ``versions.json`` stays in the local folder:
one library folder per collection.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Collection
from pathlib import Path

import numpy as np

from qa.errors import IndexStateError
from qa.indexing.files import write_json_atomic
from qa.indexing.vectors import Hit, SearchOne, check_k, check_queries, check_vectors, folder_bytes, rank_hits
from qa.settings import VectorStoreSettings

logger = logging.getLogger(__name__)

VERSIONS = "versions.json"
LOCAL_FOLDER = "qdrant"
MEMORY = ":memory:"  # qdrant_url value for an in-process local-mode store that is never written
NAMESPACE = uuid.UUID("6f1c9d1e-2b0a-4d43-9a53-3f1f6c1b8a11")  # fixed: point ids must not change
UPSERT_BATCH = 512
TIE = 1e-6  # scores this close are a tie (float32 vectors, float64 scores)


def point_id(paper: str, row: int) -> str:
    """The point id of ``paper``'s vector ``row``: the same on every machine and run."""
    return str(uuid.uuid5(NAMESPACE, f"{paper}\x00{row}"))


class QdrantStore(SearchOne):
    """A :class:`~qa.indexing.vectors.VectorStore` on Qdrant."""

    engine = "qdrant"

    def __init__(self, folder: Path, dimension: int, settings: VectorStoreSettings) -> None:
        try:
            from qdrant_client import QdrantClient, models
        except ImportError:
            raise IndexStateError(
                "The qdrant engine needs qdrant-client: run `pip install qdrant-client`, or set "
                "QA_VECTORS__ENGINE=faiss."
            ) from None
        self._models = models
        self.folder = Path(folder)
        self.dimension = int(dimension)
        self.settings = settings
        self.collection = settings.qdrant_collection
        self.folder.mkdir(parents=True, exist_ok=True)
        self._server = settings.qdrant_url not in (None, MEMORY)
        try:
            if settings.qdrant_url == MEMORY:  # in-process, nothing written: for benchmarks
                self._client = QdrantClient(location=MEMORY)
            elif self._server:
                self._client = QdrantClient(url=settings.qdrant_url, api_key=settings.qdrant_api_key)
            else:
                self._client = QdrantClient(path=str(self.folder / LOCAL_FOLDER))
        except (RuntimeError, OSError, ValueError) as exc:
            raise IndexStateError(f"Cannot open the Qdrant store at {self._where()}: {exc}") from None
        self._saved, self._writing = self._read_versions()  # as in versions.json
        self._versions = dict(self._saved)  # as of now
        self._counts: dict[str, int] = {}
        self._ensure_collection()
        if self._writing:  # a crash while these papers' points were written: drop them whole
            for paper in sorted(self._writing):
                self._delete_points(paper)
                self._versions.pop(paper, None)
                self._saved.pop(paper, None)
            self._writing = set()
            self._write_versions(self._saved)

    def _where(self) -> str:
        if self.settings.qdrant_url is not None:
            return str(self.settings.qdrant_url)
        return str(self.folder / LOCAL_FOLDER)

    def _ensure_collection(self) -> None:
        models = self._models
        if self._client.collection_exists(self.collection):
            info = self._client.get_collection(self.collection)
            size = info.config.params.vectors.size
            if size != self.dimension:
                raise IndexStateError(
                    f"The Qdrant collection '{self.collection}' at {self._where()} holds {size}-dimensional "
                    f"vectors, not {self.dimension}; it was built with another embedding model: rebuild it."
                )
            return
        self._client.create_collection(
            self.collection,
            vectors_config=models.VectorParams(size=self.dimension, distance=models.Distance.COSINE),
        )
        if self._server:  # local mode has no payload indexes (it warns and ignores them)
            self._client.create_payload_index(
                self.collection, field_name="paper", field_schema=models.PayloadSchemaType.KEYWORD
            )

    def _read_versions(self) -> tuple[dict[str, str], set[str]]:
        """``versions.json``: the persisted versions, and the papers whose points were being written."""
        path = self.folder / VERSIONS
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}, set()
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise IndexStateError(f"Cannot read {path} ({exc}); rebuild the vector store.") from None
        versions = data.get("versions", {}) if isinstance(data, dict) else None
        writing = data.get("writing", []) if isinstance(data, dict) else None
        if (
            not isinstance(versions, dict)
            or not all(isinstance(v, str) for v in versions.values())
            or not isinstance(writing, list)
            or not all(isinstance(v, str) for v in writing)
        ):
            raise IndexStateError(f"{path} is not a versions file; rebuild the vector store.")
        return dict(versions), set(writing)

    def _write_versions(self, versions: dict[str, str]) -> None:
        write_json_atomic(self.folder / VERSIONS, {"versions": versions, "writing": sorted(self._writing)})

    def _mark_writing(self, paper: str) -> None:
        """Record on disk, before its points change, that ``paper`` is being written (see module doc)."""
        if paper not in self._writing:
            self._writing.add(paper)
            self._write_versions(self._saved)

    def _may_have_points(self, paper: str) -> bool:
        # every point write is preceded by _mark_writing, so another paper has no points
        return paper in self._saved or paper in self._versions or paper in self._writing

    def _paper_filter(self, papers: Collection[str]):
        models = self._models
        return models.Filter(
            must=[models.FieldCondition(key="paper", match=models.MatchAny(any=sorted(papers)))]
        )

    # ----------------------------------------------------------------------------- changes
    def add(self, paper: str, vectors: np.ndarray, version: str = "") -> None:
        """Replace ``paper``'s points with ``vectors`` (written now; the version on :meth:`persist`)."""
        if not isinstance(paper, str) or not paper:
            raise IndexStateError(f"A paper id must be a non-empty string, got {paper!r}.")
        array = check_vectors(vectors, self.dimension, f"Vectors of paper '{paper}'")
        if self._may_have_points(paper):  # a delete by filter scans every point in local mode
            self._delete_points(paper)
        self._mark_writing(paper)
        models = self._models
        for start in range(0, len(array), UPSERT_BATCH):
            block = array[start : start + UPSERT_BATCH]
            rows = range(start, start + len(block))
            self._client.upsert(
                self.collection,
                points=models.Batch(
                    ids=[point_id(paper, row) for row in rows],
                    vectors=block.tolist(),
                    payloads=[{"paper": paper, "row": row} for row in rows],
                ),
            )
        self._versions[paper] = str(version)
        self._counts[paper] = len(array)

    def _delete_points(self, paper: str) -> None:
        self._client.delete(
            self.collection, points_selector=self._models.FilterSelector(filter=self._paper_filter([paper]))
        )

    def delete(self, paper: str) -> None:
        if not self._may_have_points(paper):
            return
        self._mark_writing(paper)
        self._delete_points(paper)
        self._versions.pop(paper, None)
        self._counts.pop(paper, None)

    def versions(self) -> dict[str, str]:
        return dict(self._versions)

    def count(self, paper: str | None = None) -> int:
        if paper is not None and paper in self._counts:
            return self._counts[paper]
        count_filter = self._paper_filter([paper]) if paper is not None else None
        return int(self._client.count(self.collection, count_filter=count_filter, exact=True).count)

    # ----------------------------------------------------------------------------- search
    def search_many(
        self, vectors: np.ndarray, k: int, papers: Collection[str] | None = None
    ) -> list[list[Hit]]:
        queries = check_queries(vectors, self.dimension)
        k = check_k(k)
        if papers is not None:
            papers = {papers} if isinstance(papers, str) else set(papers)
        if k == 0 or len(queries) == 0 or (papers is not None and not papers):
            return [[] for _ in queries]
        models = self._models
        query_filter = self._paper_filter(papers) if papers is not None else None
        requests = [
            models.QueryRequest(query=query.tolist(), limit=k + 1, filter=query_filter, with_payload=True)
            for query in queries
        ]
        responses = self._client.query_batch_points(self.collection, requests=requests)
        results = []
        for query, response in zip(queries, responses, strict=True):
            points = response.points
            if len(points) > k and points[k].score >= points[k - 1].score - TIE:
                # the k-th place is tied: fetch every point tied with it so the tie-break is by id
                points = self._client.query_points(
                    self.collection,
                    query=query.tolist(),
                    query_filter=query_filter,
                    limit=self.count(),
                    score_threshold=points[k - 1].score - TIE,
                    with_payload=True,
                ).points
            hits = [Hit(str(p.payload["paper"]), int(p.payload["row"]), float(p.score)) for p in points]
            results.append(rank_hits(hits, k))
        return results

    # ----------------------------------------------------------------------------- persist
    def persist(self) -> None:
        """Write ``versions.json`` atomically (Qdrant itself has written the points)."""
        self._writing = set()
        self._write_versions(self._versions)
        self._saved = dict(self._versions)

    def close(self) -> None:
        self._client.close()

    def describe(self) -> dict:
        return {
            "engine": self.engine,
            "kind": "qdrant-server" if self._server else "qdrant-local",
            "vectors": self.count(),
            "papers": len(self._versions),
            "bytes": folder_bytes(self.folder),
            "collection": self.collection,
            "url": self.settings.qdrant_url,
        }
