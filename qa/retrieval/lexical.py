"""Lexical retrieval: BM25 (bm25s) over stemmed chunk tokens, with question expansion."""

from __future__ import annotations

import bm25s
import numpy as np

from qa.retrieval.query import QueryTerms, Vocabulary, analyse_question
from qa.schema import Chunk, Passage
from qa.text import tokenize


def passage_of(chunk: Chunk, score: float) -> Passage:
    return Passage(
        id=chunk.id,
        section=chunk.section,
        text=chunk.text,
        score=round(float(score), 6),
        kind=chunk.kind,
        start=chunk.start,
        end=chunk.end,
    )


class BM25Retriever:
    """BM25 over the chunks; unknown words are ignored, typos repaired, synonyms added."""

    def __init__(self, bm25: bm25s.BM25, chunks: list[Chunk], vocab: Vocabulary) -> None:
        self.bm25 = bm25
        self.chunks = chunks
        self.vocab = vocab

    def query_tokens(self, query: str, terms: QueryTerms | None = None) -> list[str]:
        terms = terms or analyse_question(query, self.vocab)
        tokens = (
            tokenize(query)
            + [self.vocab.words[w] for w in terms.corrected.values()]
            + list(terms.content)
            + terms.expansions
        )
        return [t for t in dict.fromkeys(tokens) if t in self.bm25.vocab_dict and t != ""]

    def scores(self, query: str, terms: QueryTerms | None = None) -> np.ndarray:
        tokens = self.query_tokens(query, terms)
        if not tokens:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(tokens), dtype=np.float32)

    def search(
        self,
        query: str,
        k: int,
        *,
        query_vector: np.ndarray | None = None,
        terms: QueryTerms | None = None,
    ) -> list[Passage]:
        """The ``min(k, n)`` best chunks by BM25; chunks scoring 0 come last in reading order.

        ``terms`` is the question's analysis when the caller already has it (it is not redone)."""
        scores = self.scores(query, terms)
        k = min(k, len(self.chunks))
        order = np.argsort(-scores, kind="stable")[:k]
        return [passage_of(self.chunks[i], scores[i]) for i in order]
