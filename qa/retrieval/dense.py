"""Dense retrieval: inner product over unit vectors in a FAISS ``IndexFlatIP`` (cosine similarity)."""

from __future__ import annotations

from collections.abc import Callable

import faiss
import numpy as np

from qa.retrieval.lexical import passage_of
from qa.schema import Chunk, Passage


class DenseRetriever:
    """Searches chunk vectors; the model lives outside and is passed in as ``encode_query``."""

    def __init__(
        self, index: faiss.Index, chunks: list[Chunk], encode_query: Callable[[str], np.ndarray]
    ) -> None:
        self.index = index
        self.chunks = chunks
        self.encode_query = encode_query

    def search(
        self, query: str, k: int, *, query_vector: np.ndarray | None = None, terms=None
    ) -> list[Passage]:
        """The ``min(k, n)`` chunks most similar to the question."""
        vector = self.encode_query(query) if query_vector is None else query_vector
        k = min(k, self.index.ntotal)
        if k <= 0:
            return []
        scores, ids = self.index.search(np.asarray(vector, dtype=np.float32).reshape(1, -1), k)
        return [passage_of(self.chunks[i], s) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0]
