"""Retrieval: lexical (BM25) and dense (FAISS) retrievers behind one ``search`` protocol, reciprocal
rank fusion, and matching of table values to a question."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np

from qa.schema import Passage

if TYPE_CHECKING:
    from qa.retrieval.query import QueryTerms


class Retriever(Protocol):
    """Anything that returns the ``k`` best passages for a question."""

    def search(
        self, query: str, k: int, *, query_vector: np.ndarray | None = None, terms: QueryTerms | None = None
    ) -> list[Passage]: ...
