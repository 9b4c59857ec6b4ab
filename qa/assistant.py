"""The one entry point: ``Assistant.load()`` once, then ``assistant.ask(question, history=...)``.

The CLI, the Streamlit page, the evaluator and the benchmark all go through :meth:`Assistant.ask`.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from pathlib import Path

from qa.answering.arbiter import compose_answer
from qa.answering.confidence import features, load_model
from qa.answering.context import AnswerContext
from qa.answering.evidence import EvidenceBase
from qa.answering.followup import FollowupResolver
from qa.answering.ranker import load_ranker
from qa.answering.strategies.abstain import abstention
from qa.errors import IndexStateError, InvalidOptionError, InvalidQuestionError, QAError
from qa.indexing.chunking import chunk_document
from qa.indexing.files import sha256_file
from qa.indexing.store import build_index, check_index, identity, read_index
from qa.ingest import load_paper
from qa.question import analyse
from qa.retrieval import Retriever
from qa.retrieval.dense import DenseRetriever
from qa.retrieval.hybrid import HybridRetriever
from qa.retrieval.lexical import BM25Retriever
from qa.retrieval.query import build_vocabulary
from qa.retrieval.tables import TableMatcher
from qa.schema import RETRIEVER_MODES, Answer, Document
from qa.settings import Settings, load_settings
from qa.text import clean_text

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[str, float], None]
COMPOSE_DEPTH = 10  # passages whose sentences the composer considers


def validate_mode(mode: str) -> str:
    """Return ``mode`` if it names a retriever, else raise an error listing the valid names."""
    if not isinstance(mode, str) or mode not in RETRIEVER_MODES:
        shown = clean_text(str(mode))[:40]
        raise InvalidOptionError(
            f"Unknown retriever '{shown}'. Valid retrievers: {', '.join(RETRIEVER_MODES)}."
        )
    return mode


def clean_question(question: object, max_chars: int) -> str:
    """Clean a user's question; raise :class:`InvalidQuestionError` when it cannot be asked.

    Invisible characters (controls, zero-width, BOM, direction marks, soft hyphens, lone surrogates
    as a JSON client may send) and invalid UTF-8 are deleted rather than refused. When the input holds
    several sentences and some end with '?', only those are kept: surrounding instructions such as
    "ignore previous instructions." do not change what is asked.
    """
    if isinstance(question, bytes):
        question = question.decode("utf-8", errors="replace")
    if not isinstance(question, str):
        raise InvalidQuestionError("The question must be text.")
    text = clean_text(question)
    if not text:
        raise InvalidQuestionError("The question is empty: type a question about the paper.")
    if len(text) > max_chars:
        raise InvalidQuestionError(
            f"The question is {len(text):,} characters long; the limit is {max_chars:,}. Shorten it and ask again."
        )
    parts = re.split(r"(?<=[.!?])\s+", text)
    asked = [p for p in parts if p.endswith("?")]
    if 1 <= len(asked) < len(parts):
        text = " ".join(asked)
    return text


class Assistant:
    """Answers questions about one paper from its index."""

    def __init__(self, settings: Settings, doc: Document, index, embedder) -> None:
        self.settings = settings
        self.document = doc
        self.index = index
        self.embedder = embedder
        self.vocab = build_vocabulary(doc, settings.synonyms_path())
        self.lexical = BM25Retriever(index.bm25, index.chunks, self.vocab)
        self.dense = DenseRetriever(index.dense, index.chunks, embedder.encode_query)
        self.hybrid = HybridRetriever(
            self.lexical,
            self.dense,
            settings.retrieval.rrf_k,
            settings.retrieval.candidates,
            settings.retrieval.dense_weight,
        )
        self.matcher = TableMatcher(doc.table_values, index.value_vectors, self.vocab, settings.scoring)
        evidence = EvidenceBase(doc, index.sentence_vectors, self.vocab, settings.scoring)
        positions = {s.id: i for i, s in enumerate(doc.sentences)}
        chunk_sentences = {
            c.id: [positions[s] for s in c.sentence_ids if s in positions] for c in index.chunks
        }
        ranker_path = settings.answer.evidence_ranker
        self.context = AnswerContext(
            doc,
            evidence,
            self.matcher,
            self.vocab,
            chunk_sentences,
            settings.answer,
            ranker=load_ranker(Path(ranker_path)) if ranker_path else None,
        )
        self.followups = FollowupResolver(doc, self.vocab, settings.answer.followup_turns)
        path = settings.answer.confidence_model
        self.confidence = load_model(Path(path)) if path else None
        # a paper much shorter than those the model learned from gets no confidence (and no abstention from it)
        paragraphs = sum(len(section.paragraphs) for section in doc.sections)
        self.confidence_acts = paragraphs >= settings.answer.confidence_min_paragraphs

    @classmethod
    def load(
        cls,
        settings: Settings | None = None,
        *,
        rebuild: bool = True,
        force_rebuild: bool = False,
        embedder=None,
        progress: ProgressCallback | None = None,
    ) -> Assistant:
        """Load the paper and its index, building or rebuilding the index when needed.

        Args:
            settings: Paths, model, chunking and retrieval settings (defaults from the environment).
            rebuild: Rebuild a missing, stale or damaged index; when False such an index is an error.
            force_rebuild: Rebuild even if the index is current.
            embedder: An already-loaded :class:`~qa.indexing.embedder.Embedder` to share.
            progress: Callback ``(stage, fraction)`` while building.

        Raises:
            CorpusError: the paper cannot be read.
            IndexStateError: the index is unusable and ``rebuild`` is False.
        """
        settings = settings or load_settings()
        corpus = Path(settings.paths.corpus)
        doc = load_paper(corpus, settings.limits.max_corpus_bytes)
        corpus_sha = sha256_file(corpus)
        if embedder is None:
            from qa.indexing.embedder import Embedder

            embedder = Embedder(settings.model)
        index_dir = Path(settings.paths.index_dir)
        expected = identity(corpus_sha, settings, embedder.dimension)
        chunks = chunk_document(doc, settings.chunking)
        reason = "a rebuild was requested" if force_rebuild else None
        builds = 0
        while True:
            if reason is None:
                index, reason = read_index(index_dir, expected, chunks)
                if index is not None:
                    return cls(settings, doc, index, embedder)
            if not rebuild:
                raise IndexStateError(
                    f"The index in {index_dir} cannot be used: {reason}. "
                    "Run `qa index` to rebuild it, or drop --no-rebuild."
                )
            if builds >= settings.limits.index_builds_per_load:
                raise IndexStateError(
                    f"The index in {index_dir} still cannot be used after {builds} builds: {reason}. "
                    "Check the folder (disk space, other programs writing to it) and run `qa index`."
                )
            log = logger.info if force_rebuild else logger.warning
            log("Building the index in %s: %s.", index_dir, reason)
            build_index(doc, corpus_sha, settings, embedder.encode, embedder.dimension, progress)
            builds += 1
            reason = None

    @staticmethod
    def index_problem(settings: Settings | None = None) -> str | None:
        """Why the index must be (re)built before answering, or None when it is ready (no model needed)."""
        settings = settings or load_settings()
        corpus = Path(settings.paths.corpus)
        try:
            if not corpus.is_file():  # a FIFO would block the hash; loading reports what is wrong
                return None
            corpus_sha = sha256_file(corpus)
        except OSError:
            return None  # loading will report the unreadable corpus
        return check_index(Path(settings.paths.index_dir), identity(corpus_sha, settings))

    def retriever(self, mode: str) -> Retriever:
        """The retriever for ``mode`` ('bm25', 'dense' or 'hybrid')."""
        return {"bm25": self.lexical, "dense": self.dense, "hybrid": self.hybrid}[validate_mode(mode)]

    def ask(
        self,
        question: str,
        history: list[str] | None = None,
        *,
        retriever: str | None = None,
        k: int | None = None,
    ) -> Answer:
        """Answer one question, optionally as a turn of a conversation.

        Args:
            question: What the user typed.
            history: The user's earlier questions in this conversation, oldest first.
            retriever: 'bm25', 'dense' or 'hybrid' (default from settings).
            k: Number of passages to return (default from settings).

        Returns:
            The answer with its citations, table values, passages, conflicts and timings.

        Raises:
            InvalidQuestionError: the question is empty or too long.
            InvalidOptionError: ``retriever`` is not a valid name.
        """
        started = time.perf_counter()
        timings: dict[str, float] = {}

        def lap(stage: str, since: float) -> float:
            now = time.perf_counter()
            timings[stage] = round((now - since) * 1000, 3)
            return now

        mode = validate_mode(self.settings.retrieval.mode if retriever is None else retriever)
        k = self.settings.retrieval.k if k is None else k
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise InvalidOptionError("The number of passages must be a whole number of at least 1.")
        limit = self.settings.answer.max_question_chars
        text = clean_question(question, limit)
        if history is not None and not isinstance(history, (list, tuple)):
            raise InvalidQuestionError("The history must be a list of earlier questions.")
        turns = []
        for turn in (history or [])[-self.settings.answer.followup_turns :]:
            try:
                turns.append(clean_question(turn, limit))
            except QAError:
                continue
        t = lap("validate", started)
        resolved = self.followups.resolve(text, turns)
        t = lap("resolve", t)
        vector = self.embedder.encode_query(resolved)
        t = lap("embed", t)
        question = analyse(resolved, self.vocab, vector, asked=text, outline=self.context.outline)
        t = lap("analyse", t)
        passages = self.retriever(mode).search(
            resolved, max(k, COMPOSE_DEPTH), query_vector=question.vector, terms=question.terms
        )
        t = lap("retrieve", t)
        matches = self.matcher.match(question.terms, question.vector)
        t = lap("tables", t)
        composed = compose_answer(self.context, question, passages, matches)
        confidence = None
        if self.confidence is not None and self.confidence_acts:
            x = features(
                composed.features,
                composed.strategy,
                question.answer_type,
                composed.short_answer is not None,
                question.vector,
            )
            right = self.confidence.probability(x)
            cut = self.confidence.cut
            abstains = (
                self.settings.answer.confidence_abstains
                and question.answer_type not in self.settings.answer.confidence_exempt_types
            )
            if abstains and not composed.abstained and cut is not None and right < cut:
                low = abstention(
                    passages, "the answerability model doubts every answer", strategy="abstain:low-confidence"
                )
                low.features = composed.features
                composed, right = low, 1.0 - right
            confidence = round(right, 4)
        t = lap("compose", t)
        table_hits = composed.table_values
        if not composed.abstained:
            chosen = {h.id for h in table_hits}
            top = matches[: self.settings.retrieval.table_values]
            table_hits = table_hits + [m.hit() for m in top if m.value.id not in chosen]
        timings["total"] = round((time.perf_counter() - started) * 1000, 3)
        return Answer(
            question=text,
            resolved_question=resolved,
            answer=composed.answer,
            abstained=composed.abstained,
            short_answer=composed.short_answer,
            confidence=confidence,
            strategy=composed.strategy,
            evidence_scores={k: round(v, 4) for k, v in composed.features.items()},
            answer_type=question.answer_type,
            citations=composed.citations,
            table_values=[] if composed.abstained else table_hits,
            passages=passages[:k],
            conflicts=composed.conflicts,
            computations=composed.computations,
            section_scope=question.scope.label if question.scope is not None else None,
            related_sections=composed.related_sections,
            retriever=mode,
            timings_ms=timings,
        )
