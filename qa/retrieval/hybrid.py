"""Hybrid retrieval: BM25 and dense rankings fused by reciprocal rank fusion."""

from __future__ import annotations

import numpy as np

from qa.retrieval.dense import DenseRetriever
from qa.retrieval.fusion import reciprocal_rank_fusion
from qa.retrieval.lexical import BM25Retriever
from qa.retrieval.query import QueryTerms
from qa.schema import Passage


class HybridRetriever:
    """Takes ``candidates`` hits from each retriever and fuses them (RRF)."""

    def __init__(
        self,
        lexical: BM25Retriever,
        dense: DenseRetriever,
        rrf_k: int = 60,
        candidates: int = 20,
        dense_weight: float = 1.0,
    ) -> None:
        self.lexical = lexical
        self.dense = dense
        self.rrf_k = rrf_k
        self.candidates = candidates
        self.dense_weight = dense_weight

    def search(
        self, query: str, k: int, *, query_vector: np.ndarray | None = None, terms: QueryTerms | None = None
    ) -> list[Passage]:
        depth = max(k, self.candidates)
        rankings = [
            self.lexical.search(query, depth, terms=terms),
            self.dense.search(query, depth, query_vector=query_vector),
        ]
        return reciprocal_rank_fusion(rankings, k=self.rrf_k, limit=k, weights=[1.0, self.dense_weight])
