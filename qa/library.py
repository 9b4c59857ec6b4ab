"""A library of papers: add, list and remove them; ask one paper or all of them.

Layout (the library folder defaults to the corpus file's folder, ``corpus/``)::

    corpus/library.json             the registry, written atomically; the default paper comes first
    corpus/paper.md                 the default (seed) paper, listed in place
    corpus/papers/<id>/paper.md     an added paper's clean Markdown (what the parser reads)
    corpus/papers/<id>/source.pdf   the file as it was added
    corpus/papers/<id>/synonyms.json, examples.json, question sets   optional extras, beside the paper

    index/                          the default paper's index (what ``Assistant.load()`` uses)
    index/papers/<id>/              an added paper's index: one paper, one index folder
    index/library/                  the library-wide vector store: every paper's chunk vectors, used
                                    to pick the papers worth reading when the whole library is asked

Without ``library.json`` the library is the default paper alone; the file is written on the first
``add``. Every change of the registry happens under one lock (``.library.lock``) and ends with an
atomic rename, so a crash in the middle of ``add`` leaves the library as it was and a process that
asks meanwhile sees either the old or the new registry. Indexes are content-addressed through their
manifest (sha256 of ``paper.md``): an unchanged paper is never re-embedded.

Asking the whole library does not read every paper: the question's vector is searched once in the
library-wide store (:mod:`qa.indexing.vectors`), and only the ``route_papers`` papers owning the
closest chunks are loaded (at most ``max_loaded_papers`` stay in memory) and answer. The store is
brought up to date from the registry on first use (papers added, changed or removed since), so it
never needs to be written in the same step as ``library.json``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import re
import shutil
import tempfile
import threading
import time
import unicodedata
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qa.errors import CorpusError
from qa.indexing.files import sha256_file, write_json_atomic
from qa.indexing.store import claim_index_folder
from qa.parsing import load_document, parse_document
from qa.schema import Answer, Document
from qa.settings import Settings, load_settings

logger = logging.getLogger(__name__)

REGISTRY = "library.json"
PAPERS = "papers"
LOCK = ".library.lock"
PAPER_FILE = "paper.md"
REGISTRY_VERSION = 1
STORE_DIR = "library"  # under the index root: the library-wide vector store
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

ProgressCallback = Callable[[str, float], None]


def slugify(text: str, max_chars: int = 48) -> str:
    """A paper id from a title or file name: lower-case ASCII words joined by '-', cut at a word.

    '../' and every other character outside ``[a-z0-9]`` become separators, so an id can never name a
    folder outside the library.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_chars:
            break
        slug = candidate
    return slug or (words[0][:max_chars] if words else "")


def size_text(n_bytes: float) -> str:
    """'200 MB', '1.5 MB', '2 kB': a size as a person reads it."""
    if n_bytes < 1e6:
        return f"{n_bytes / 1e3:,.0f} kB"
    return f"{n_bytes / 1e6:,.1f}".removesuffix(".0") + " MB"


def check_id(paper_id: str, max_chars: int = 48) -> str:
    """Return ``paper_id`` if it is a valid id, else raise a one-line :class:`CorpusError`."""
    if not isinstance(paper_id, str) or not _ID.match(paper_id) or len(paper_id) > max_chars:
        raise CorpusError(
            f"'{paper_id}' is not a valid paper id: use lower-case letters, digits and '-' "
            f"(at most {max_chars} characters), e.g. '{slugify(str(paper_id), max_chars) or 'my-paper'}'."
        )
    return paper_id


class PaperEntry(BaseModel):
    """One paper of the library, as ``library.json`` lists it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    path: str = Field(description="The clean Markdown file, relative to the library folder.")
    format: Literal["md", "txt", "pdf"] = "md"
    source_name: str = Field(default="", description="The file name as it was added.")
    source_sha256: str | None = Field(default=None, description="sha256 of the added file's bytes.")
    markdown_sha256: str | None = Field(default=None, description="sha256 of the paper's clean Markdown.")
    added_at: str | None = None
    warnings: list[str] = Field(default_factory=list)
    counts: dict[str, int] | None = Field(
        default=None,
        description="What the parser found when the paper was added (sections, tables, table_values, "
        "sentences), so listing a large library does not parse every paper.",
    )


class Registry(BaseModel):
    """The contents of ``library.json``."""

    model_config = ConfigDict(extra="forbid")

    version: int = REGISTRY_VERSION
    papers: list[PaperEntry] = Field(default_factory=list)


class PaperSummary(BaseModel):
    """What was found in a paper (printed by ``qa add``, shown by the page)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    format: Literal["md", "txt", "pdf"]
    status: Literal["added", "updated", "unchanged", "listed"] = "listed"
    default: bool = False
    sections: int = 0
    tables: int = 0
    table_values: int = 0
    sentences: int = 0
    warnings: list[str] = Field(default_factory=list)
    seconds: float = 0.0


def document_counts(doc: Document) -> dict[str, int]:
    """What the parser found in ``doc``."""
    return {
        "sections": len(doc.sections),
        "tables": len(doc.tables),
        "table_values": len(doc.table_values),
        "sentences": len(doc.sentences),
    }


def summarise(entry: PaperEntry, doc: Document | None, **extra) -> PaperSummary:
    """Counts of what the parser found in ``doc`` (or, without it, the counts the registry kept)."""
    counts = document_counts(doc) if doc is not None else dict(entry.counts or {})
    return PaperSummary(
        id=entry.id, title=entry.title, format=entry.format, warnings=entry.warnings, **counts, **extra
    )


class QueryMemo:
    """An embedder that remembers its last question vectors, so asking every paper embeds once.

    Delegates everything else to the wrapped :class:`~qa.indexing.embedder.Embedder`.
    """

    def __init__(self, embedder, size: int = 32) -> None:
        self.inner = embedder
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.misses = 0

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def clear(self) -> None:
        """Forget the remembered vectors (a benchmark times a new question this way)."""
        with self._lock:
            self._vectors.clear()

    def encode_query(self, text: str) -> np.ndarray:
        with self._lock:
            vector = self._vectors.get(text)
            if vector is not None:
                self._vectors.move_to_end(text)
                return vector
        vector = self.inner.encode_query(text)
        vector.setflags(write=False)
        with self._lock:
            self.misses += 1
            self._vectors[text] = vector
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return vector


@dataclass(frozen=True)
class PaperAnswer:
    """One paper's answer to a question asked of the whole library."""

    paper: str
    answer: Answer
    similarity: float  # cosine of the question and the paper's closest chunk


def answer_score(candidate: PaperAnswer) -> float:
    """The answer's confidence when the answerer gives one, else the question's similarity to the paper."""
    confidence = getattr(candidate.answer, "confidence", None)
    return float(confidence) if confidence is not None else candidate.similarity


def choose_answer(candidates: list[PaperAnswer]) -> PaperAnswer:
    """The answer shown when all papers are asked.

    Rule: answers beat abstentions; among those, the highest :func:`answer_score` wins; a tie goes to
    the paper listed first.
    """
    if not candidates:
        raise ValueError("no candidates")
    answered = [c for c in candidates if not c.answer.abstained] or candidates
    return max(answered, key=answer_score)  # max keeps the first of equal scores


def tag_answer(answer: Answer, paper_id: str) -> Answer:
    """The answer with every citation and passage naming its paper."""
    return answer.model_copy(
        update={
            "citations": [c.model_copy(update={"paper": paper_id}) for c in answer.citations],
            "passages": [p.model_copy(update={"paper": paper_id}) for p in answer.passages],
        }
    )


class Library:
    """The papers in a library folder, each answered by its own :class:`~qa.assistant.Assistant`."""

    def __init__(self, root: Path, settings: Settings, *, embedder=None, rebuild: bool = True) -> None:
        self.root = Path(root)
        self.settings = settings
        self.rebuild = rebuild
        self._embedder = QueryMemo(embedder) if embedder is not None else None
        self._registry: Registry | None = None
        self._registry_stamp: tuple | None = None
        self._assistants: OrderedDict[str, tuple[tuple, object]] = OrderedDict()  # least recent first
        self._documents: dict[str, tuple[tuple, Document]] = {}
        self._lock = threading.RLock()  # guards the caches; never held while a model or index loads
        self._model_lock = threading.Lock()
        self._paper_locks: dict[str, threading.Lock] = {}
        self._store = None
        self._store_synced: tuple | None = None  # the registry stamp the store was last synced with
        self._store_lock = threading.Lock()

    @classmethod
    def open(cls, path: Path | str | None = None, *, settings: Settings | None = None, **kwargs) -> Library:
        """The library in ``path`` (default: the corpus file's folder, ``corpus/``).

        Args:
            path: The library folder.
            settings: Model, index and limit settings (defaults from the environment).
            embedder: An already-loaded embedder to share (else one per process, loaded on first need).
            rebuild: Build missing or stale indexes (False: refuse them, as ``--no-rebuild``).
        """
        settings = settings or load_settings()
        return cls(Path(path) if path is not None else settings.library_path(), settings, **kwargs)

    # ----------------------------------------------------------------------------------- registry

    def _seed_file(self) -> Path:
        """The default paper when ``library.json`` does not exist yet."""
        corpus = Path(self.settings.paths.corpus)
        same_folder = corpus.parent.resolve() == self.root.resolve()
        return corpus if same_folder else self.root / PAPER_FILE

    def _implicit_registry(self) -> Registry:
        seed = self._seed_file()
        if not seed.is_file():
            return Registry()
        doc = load_document(seed)
        title = doc.paper_title() or seed.stem
        max_chars = self.settings.library.max_id_chars
        entry = PaperEntry(
            id=slugify(title, max_chars) or slugify(seed.stem, max_chars) or "paper",
            title=title,
            path=seed.name,
            source_name=seed.name,
        )
        return Registry(papers=[entry])

    def _read_registry(self) -> Registry:
        """``library.json`` (re-read when another process changed it)."""
        path = self.root / REGISTRY
        try:
            stat = path.stat()
            stamp: tuple = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except FileNotFoundError:
            stamp = ("implicit", self._seed_file().exists())
        with self._lock:
            if self._registry is not None and stamp == self._registry_stamp:
                return self._registry
            if stamp[0] == "implicit":
                registry = self._implicit_registry()
            else:
                try:
                    registry = Registry.model_validate_json(path.read_bytes())
                except (OSError, ValueError, ValidationError) as exc:
                    first = str(exc).splitlines()[0]
                    raise CorpusError(
                        f"{path} is damaged ({first}); restore it or delete it to start again from the default paper."
                    ) from None
                self._check_registry(registry, path)
            self._registry, self._registry_stamp = registry, stamp
            return registry

    def _check_registry(self, registry: Registry, path: Path) -> None:
        seen = set()
        root = self.root.resolve()
        for entry in registry.papers:
            check_id(entry.id, max(self.settings.library.max_id_chars, len(entry.id)))
            target = (self.root / entry.path).resolve()
            if entry.id in seen or not target.is_relative_to(root):
                raise CorpusError(f"{path}: paper '{entry.id}' is listed twice or lies outside the library.")
            seen.add(entry.id)

    def _write_registry(self, registry: Registry) -> None:
        write_json_atomic(self.root / REGISTRY, registry.model_dump(mode="json"))
        with self._lock:
            self._registry = None  # re-read (and re-stamped) on next use

    @contextlib.contextmanager
    def _writable(self) -> Iterator[None]:
        """Turn a failure to write the library (permissions, a full disk) into one line."""
        try:
            yield
        except OSError as exc:
            where = exc.filename or self.root
            raise CorpusError(
                f"Cannot write to the library in {self.root} ({where}: {exc.strerror or exc}); nothing was changed."
            ) from None

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Serialise changes of the library between processes."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK, "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # ------------------------------------------------------------------------------------ reading

    def papers(self) -> list[PaperEntry]:
        """The papers, the default one first."""
        return list(self._read_registry().papers)

    @property
    def default(self) -> PaperEntry | None:
        papers = self.papers()
        return papers[0] if papers else None

    def entry(self, paper_id: str) -> PaperEntry:
        """The paper with ``paper_id``; a one-line error lists the ids when there is none."""
        papers = self.papers()
        for entry in papers:
            if entry.id == paper_id:
                return entry
        known = ", ".join(e.id for e in papers) or "none yet; add one with `qa add FILE`"
        raise CorpusError(f"No paper with id '{paper_id}' in {self.root}. Papers: {known}.")

    def paper_file(self, entry: PaperEntry) -> Path:
        return self.root / entry.path

    @staticmethod
    def _is_added(entry: PaperEntry) -> bool:
        """Whether the library owns the paper's folder (``papers/<id>/``), so may replace or delete it."""
        return entry.path == f"{PAPERS}/{entry.id}/{PAPER_FILE}"

    def _is_seed(self, entry: PaperEntry) -> bool:
        return self.paper_file(entry).resolve() == Path(self.settings.paths.corpus).resolve()

    def index_dir(self, entry: PaperEntry) -> Path:
        """The paper's index folder: the default index for the corpus paper, else ``index/papers/<id>``.

        The default index folder is claimed (marked as an index folder) before a paper's folder is put
        inside it, so the default paper's own build still recognises the folder as its own.
        """
        index_root = Path(self.settings.paths.index_dir)
        if self._is_seed(entry):
            return index_root
        claim_index_folder(index_root)
        return index_root / PAPERS / entry.id

    def paper_settings(self, entry: PaperEntry) -> Settings:
        """Settings whose corpus and index are this paper's (extras are read beside the paper)."""
        if self._is_seed(entry):
            return self.settings
        paths = self.settings.paths.model_copy(
            update={
                "corpus": self.paper_file(entry),
                "index_dir": self.index_dir(entry),
                "synonyms": None,
                "examples": None,
            }
        )
        return self.settings.model_copy(update={"paths": paths})

    def _stamp(self, entry: PaperEntry) -> tuple:
        try:
            stat = self.paper_file(entry).stat()
        except OSError:
            return (entry.id, None)
        return (entry.id, entry.path, stat.st_mtime_ns, stat.st_size)

    def document(self, paper_id: str) -> Document:
        """The parsed paper (cached until its file changes)."""
        entry = self.entry(paper_id)
        stamp = self._stamp(entry)
        with self._lock:
            cached = self._documents.get(entry.id)
            if cached and cached[0] == stamp:
                return cached[1]
        doc = load_document(self.paper_file(entry))
        with self._lock:
            self._documents[entry.id] = (stamp, doc)
        return doc

    def summary(self, paper_id: str) -> PaperSummary:
        entry = self.entry(paper_id)
        current = entry.counts is not None and self._is_added(entry)  # an added paper's file never changes
        doc = None if current else self.document(entry.id)
        return summarise(entry, doc, default=entry.id == self.papers()[0].id)

    def examples(self, paper_id: str) -> list[str]:
        """The paper's ``examples.json``, else questions generated from its headings and tables."""
        from qa.presentation import generated_examples, load_examples

        entry = self.entry(paper_id)
        return load_examples(self.paper_settings(entry).examples_path()) or generated_examples(
            self.document(entry.id), self.settings.library.examples
        )

    @property
    def embedder(self) -> QueryMemo:
        """The one embedding model of this library (the process's shared one unless given)."""
        with self._model_lock:
            if self._embedder is None:
                from qa.indexing.embedder import shared_embedder

                self._embedder = QueryMemo(shared_embedder(self.settings.model))
            return self._embedder

    def index_problem(self, paper_id: str) -> str | None:
        """Why the paper's index must be built before answering, or None (no model needed)."""
        from qa.assistant import Assistant

        return Assistant.index_problem(self.paper_settings(self.entry(paper_id)))

    def assistant(self, paper_id: str, *, progress: ProgressCallback | None = None):
        """The paper's :class:`~qa.assistant.Assistant`, loaded once (building its index if needed)."""
        from qa.assistant import Assistant

        entry = self.entry(paper_id)
        stamp = (entry.source_sha256, *self._stamp(entry))
        with self._lock:
            paper_lock = self._paper_locks.setdefault(entry.id, threading.Lock())
        with paper_lock:  # one load per paper; other papers and the registry stay readable meanwhile
            with self._lock:
                cached = self._assistants.get(entry.id)
                if cached and cached[0] == stamp:
                    self._assistants.move_to_end(entry.id)
                    return cached[1]
            assistant = Assistant.load(
                self.paper_settings(entry), rebuild=self.rebuild, embedder=self.embedder, progress=progress
            )
            with self._lock:
                self._assistants[entry.id] = (stamp, assistant)
                self._assistants.move_to_end(entry.id)
                while len(self._assistants) > self.settings.library.max_loaded_papers:
                    self._assistants.popitem(last=False)
            return assistant

    def loaded_papers(self) -> list[str]:
        """Ids of the papers whose answerer is in memory, least recently asked first."""
        with self._lock:
            return list(self._assistants)

    # ------------------------------------------------------------------------- library-wide store

    def store_dir(self) -> Path:
        """The library-wide vector store's folder (``index/library/``), inside a claimed index root."""
        index_root = Path(self.settings.paths.index_dir)
        claim_index_folder(index_root)
        return index_root / STORE_DIR

    def vector_store(self, dimension: int | None = None):
        """The library-wide store of chunk vectors, opened once (no paper file is read).

        Args:
            dimension: The vectors' dimension (default: the embedding model's, which loads it).
        """
        from qa.indexing.vectors import open_store

        with self._store_lock:
            if self._store is None:
                dimension = dimension or self.embedder.dimension
                self._store = open_store(self.store_dir(), dimension, self.settings.vectors)
            return self._store

    def _store_version(self, entry: PaperEntry) -> str:
        """What the store records for a paper: its content and everything that shapes its chunks."""
        from qa.settings import INDEX_FORMAT_VERSION

        content = entry.source_sha256 if self._is_added(entry) else None
        if content is None:
            try:
                content = sha256_file(self.paper_file(entry))
            except OSError:
                content = "unreadable"
        chunking = self.settings.chunking.model_dump_json()
        shape = f"{INDEX_FORMAT_VERSION}|{self.settings.model.name}|{self.settings.model.package}|{chunking}"
        return f"{content}:{hashlib.sha256(shape.encode()).hexdigest()[:12]}"

    def sync_store(self, *, progress: ProgressCallback | None = None) -> dict[str, int]:
        """Bring the library-wide store in line with the registry; persist it when anything changed.

        Papers listed but missing or stale in the store get their chunk vectors from their own index
        (built first when missing); papers no longer listed are deleted. Cheap when nothing changed:
        the registry and the store's own record are compared, no paper file is opened.

        Returns:
            Counts: ``added``, ``removed``, ``papers`` (listed), ``vectors`` (in the store).
        """
        from qa.indexing.store import identity, read_chunk_vectors

        registry = self._read_registry()
        store = self.vector_store()
        with self._store_lock:
            if self._store_synced == self._registry_stamp and self._store_synced is not None:
                return {"added": 0, "removed": 0, "papers": len(registry.papers), "vectors": store.count()}
        report = progress or (lambda stage, fraction: None)
        with self._writable(), self._exclusive():
            registry = self._fresh_registry()
            stamp = self._registry_stamp
            with self._store_lock:
                stored = store.versions()
                wanted = {e.id: self._store_version(e) for e in registry.papers}
                stale = [e for e in registry.papers if stored.get(e.id) != wanted[e.id]]
                extra = [pid for pid in stored if pid not in wanted]
            for pid in extra:
                store.delete(pid)
            for done, entry in enumerate(stale):
                report(f"library search index: {entry.id}", done / max(1, len(stale)))
                settings = self.paper_settings(entry)
                expected = identity(sha256_file(self.paper_file(entry)), settings, store.dimension)
                vectors, reason = read_chunk_vectors(Path(settings.paths.index_dir), expected)
                if vectors is None:
                    if not self.rebuild:
                        raise CorpusError(
                            f"The index of paper '{entry.id}' cannot be used ({reason}); run `qa index` "
                            "or drop --no-rebuild."
                        )
                    self.assistant(entry.id)  # builds the paper's index
                    vectors, reason = read_chunk_vectors(Path(settings.paths.index_dir), expected)
                if vectors is None:
                    raise CorpusError(f"The index of paper '{entry.id}' cannot be read: {reason}.")
                store.add(entry.id, vectors, wanted[entry.id])
            if stale or extra:
                report("library search index: writing", 0.99)
                store.persist()
            with self._store_lock:
                self._store_synced = stamp
        if stale or extra:
            logger.info("library store: %d papers added or updated, %d removed", len(stale), len(extra))
        return {"added": len(stale), "removed": len(extra), "papers": len(wanted), "vectors": store.count()}

    def route(self, question: str, history: list[str] | None = None) -> list[tuple[str, float]]:
        """Papers ranked by how close their best chunk is to the question: ``[(paper_id, cosine)]``.

        A follow-up question is routed with the previous question too, so "and in 2021?" goes to the
        paper the conversation is about.
        """
        self.sync_store()
        store = self.vector_store()
        texts = [question] + ([history[-1]] if history else [])
        best: dict[str, float] = {}
        for text in texts:
            vector = np.asarray(self.embedder.encode_query(text), dtype=np.float32)
            for hit in store.search(vector, self.settings.library.route_hits):
                if hit.score > best.get(hit.paper, -2.0):
                    best[hit.paper] = hit.score
        order = {e.id: i for i, e in enumerate(self.papers())}
        ranked = [(pid, score) for pid, score in best.items() if pid in order]
        return sorted(ranked, key=lambda item: (-item[1], order[item[0]]))

    # ------------------------------------------------------------------------------------- asking

    def ask(
        self,
        question: str,
        paper: str | None = None,
        history: list[str] | None = None,
        *,
        retriever: str | None = None,
        k: int | None = None,
    ) -> Answer:
        """Answer from one paper, or from all of them (the best answer by :func:`choose_answer`).

        Every citation and passage of the returned answer names its paper.

        Raises:
            CorpusError: no such paper, or the library is empty.
            InvalidQuestionError, InvalidOptionError: as :meth:`Assistant.ask`.
        """
        ids = [self.entry(paper).id] if paper is not None else [e.id for e in self.papers()]
        if not ids:
            raise CorpusError(f"The library in {self.root} is empty: add a paper with `qa add FILE`.")
        started = time.perf_counter()
        routed = len(ids) > self.settings.library.route_papers
        if routed:  # read only the papers whose chunks are closest to the question
            ranked = self.route(question, history)[: self.settings.library.route_papers]
            chosen = ranked or [(pid, 0.0) for pid in ids[: self.settings.library.route_papers]]
        else:
            chosen = [(pid, None) for pid in ids]
        candidates = []
        for paper_id, similarity in chosen:
            assistant = self.assistant(paper_id)
            answer = assistant.ask(question, history=history, retriever=retriever, k=k)
            if similarity is None:
                similarity = self._paper_similarity(assistant, answer) if len(ids) > 1 else 0.0
            candidates.append(PaperAnswer(paper_id, answer, similarity))
        best = choose_answer(candidates)
        logger.info(
            "library answer from %s; scores %s",
            best.paper,
            {c.paper: (round(answer_score(c), 4), c.answer.abstained) for c in candidates},
        )
        answer = tag_answer(best.answer, best.paper)
        if len(ids) > 1:
            timings = dict(answer.timings_ms) | {
                "library_total": round((time.perf_counter() - started) * 1000, 3)
            }
            update: dict = {"timings_ms": timings}
            if answer.abstained:
                title = self.entry(best.paper).title
                read = (
                    f"No paper of the {len(ids)} answers this question (the {len(chosen)} closest to it "
                    "were read)."
                    if routed
                    else f"None of the {len(ids)} papers answers this question."
                )
                update["answer"] = f"{read} Closest: {best.paper} ({title}): {answer.answer}"
                update["related_sections"] = [f"{best.paper}: {s}" for s in answer.related_sections]
            answer = answer.model_copy(update=update)
        return answer

    def _paper_similarity(self, assistant, answer: Answer) -> float:
        """Cosine of the (resolved) question and the paper's closest chunk."""
        vector = self.embedder.encode_query(answer.resolved_question)
        if not assistant.index.dense.ntotal:
            return 0.0
        scores, _ = assistant.index.dense.search(np.asarray(vector, dtype=np.float32)[None, :], 1)
        return float(scores[0][0])

    # ------------------------------------------------------------------------------------ changes

    def _content_owner(self, registry: Registry, source_sha: str, markdown_sha: str) -> PaperEntry | None:
        """The listed paper with this content (as added, or as clean Markdown), else None.

        Recorded checksums are compared first; only papers listed without one (the default paper,
        entries written before checksums were kept) have their file hashed, so adding to a library of
        a thousand papers does not read a thousand files.
        """
        for entry in registry.papers:
            if entry.source_sha256 == source_sha or entry.markdown_sha256 in (source_sha, markdown_sha):
                return entry
        for entry in registry.papers:
            if entry.markdown_sha256 is not None and self._is_added(entry):
                continue
            try:
                if sha256_file(self.paper_file(entry)) in (source_sha, markdown_sha):
                    return entry
            except OSError:
                continue
        return None

    def add(self, file: Path | str, *, paper_id: str | None = None) -> str:
        """Add a paper (see :meth:`add_paper`); returns its id (an existing id when the content is known)."""
        return self.add_paper(file, paper_id=paper_id).id

    def add_paper(
        self,
        file: Path | str,
        *,
        paper_id: str | None = None,
        name: str | None = None,
        progress: ProgressCallback | None = None,
    ) -> PaperSummary:
        """Copy a paper into the library, build its index and register it; say what was found.

        The same content added again changes nothing (status 'unchanged'); a changed file with the
        same file name and id replaces the earlier version (status 'updated'); another paper whose id
        is taken is refused.

        Args:
            file: A .md, .txt or .pdf file (what :func:`qa.ingest.ingest` reads).
            paper_id: The id to use (default: a slug of the title, else of the file name).
            name: The file's name as the user knows it (an upload's original name).
            progress: Callback ``(stage, fraction)``.

        Raises:
            CorpusError: unreadable, empty, too large, not what its extension says, no text, an id
                that is invalid or taken by another paper. The library is left as it was.
        """
        from qa.ingest import ingest

        report = progress or (lambda stage, fraction: None)
        started = time.perf_counter()
        file = Path(file)
        shown = name or file.name
        max_chars = self.settings.library.max_id_chars
        if paper_id is not None:
            check_id(paper_id, max_chars)
        self._check_file(file)
        report("reading", 0.02)
        paper = ingest(file, max_bytes=self.settings.ingest.max_bytes)
        markdown = paper.markdown.encode("utf-8")
        markdown_sha = hashlib.sha256(markdown).hexdigest()
        doc = parse_document(paper.markdown, source=str(file))
        report("parsed", 0.05)

        with self._writable(), self._exclusive():
            registry = self._fresh_registry()
            owner = self._content_owner(registry, paper.source_sha256, markdown_sha)
            if owner is not None:
                return summarise(owner, self.document(owner.id), status="unchanged")
            pid = (
                paper_id
                or slugify(paper.title, max_chars)
                or slugify(Path(shown).stem, max_chars)
                or f"paper-{paper.source_sha256[:8]}"
            )
            existing = next((e for e in registry.papers if e.id == pid), None)
            if existing is not None:
                if not self._is_added(existing):
                    raise CorpusError(
                        f"{file}: the id '{pid}' is the default paper's; add this one with --id ANOTHER-ID."
                    )
                if existing.source_name != shown:  # only the same file, edited, replaces a paper
                    raise CorpusError(
                        f"{file}: the id '{pid}' is taken by \"{existing.title}\" ({existing.source_name}); "
                        f"add it with --id ANOTHER-ID, or `qa remove {pid}` first."
                    )
            entry = PaperEntry(
                id=pid,
                title=paper.title,
                path=f"{PAPERS}/{pid}/{PAPER_FILE}",
                format=paper.format,
                source_name=shown,
                source_sha256=paper.source_sha256,
                markdown_sha256=markdown_sha,
                added_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                warnings=list(paper.warnings),
                counts=document_counts(doc),
            )
            self._install(entry, file, markdown, markdown_sha, doc, existing is not None, report)
            papers = [entry if e.id == pid else e for e in registry.papers]
            if existing is None:
                papers.append(entry)
            try:
                self._write_registry(Registry(papers=papers))
            except BaseException:
                if existing is None:  # unlisted files of a new paper are not left behind
                    shutil.rmtree(self.root / PAPERS / pid, ignore_errors=True)
                    self._drop_empty_papers_folder()
                raise
            self._remove_old_sources(entry, file)
        report("done", 1.0)
        status = "updated" if existing is not None else "added"
        seconds = round(time.perf_counter() - started, 2)
        return summarise(entry, doc, status=status, seconds=seconds)

    def add_upload(self, data: bytes, name: str, *, progress: ProgressCallback | None = None) -> PaperSummary:
        """Add a paper received as bytes (the page's upload box) under the name the user gave it.

        The name only supplies the extension and a fallback id: folders in it ('../') are dropped and
        the bytes are written to a private temporary folder first.

        Raises:
            CorpusError: as :meth:`add_paper`; a file over the size cap is refused before it is written.
        """
        shown = re.split(r"[\\/]", str(name))[-1].strip() or "upload"
        cap = self.settings.ingest.max_bytes
        if len(data) > cap:
            raise CorpusError(
                f"{shown} is {size_text(len(data))}; the limit is {size_text(cap)} (QA_INGEST__MAX_BYTES)."
            )
        suffix = re.sub(r"[^a-z0-9.]", "", Path(shown).suffix.lower())[:10]
        with tempfile.TemporaryDirectory(prefix="qa-upload-") as folder:
            file = Path(folder) / f"upload{suffix}"
            file.write_bytes(data)
            try:
                return self.add_paper(file, name=shown, progress=progress)
            except CorpusError as exc:  # name the file as the user knows it, not the temporary copy
                raise CorpusError(str(exc).replace(str(file), shown)) from None

    def _check_file(self, file: Path) -> None:
        """Refuse before reading: not a file, empty, larger than the cap."""
        cap = self.settings.ingest.max_bytes
        try:
            if not file.is_file():
                raise CorpusError(f"{file} is not a file." if file.exists() else f"File not found: {file}.")
            size = file.stat().st_size
        except OSError as exc:
            raise CorpusError(f"Cannot read {file}: {exc.strerror or exc}.") from None
        if size == 0:
            raise CorpusError(f"{file} is empty (0 bytes).")
        if size > cap:
            raise CorpusError(
                f"{file} is {size_text(size)}; the limit is {size_text(cap)} (QA_INGEST__MAX_BYTES)."
            )

    def _fresh_registry(self) -> Registry:
        with self._lock:
            self._registry = None
        return self._read_registry()

    def _install(
        self,
        entry: PaperEntry,
        file: Path,
        markdown: bytes,
        markdown_sha: str,
        doc: Document,
        replace: bool,
        report: ProgressCallback,
    ) -> None:
        """Stage the paper's files, build its index, then move the files into place.

        The registry is written after this returns: until then the library lists what it listed.
        """
        from qa.indexing.store import build_index, check_index, identity

        papers_dir = self.root / PAPERS
        folder = papers_dir / entry.id
        staging = papers_dir / f".staging-{entry.id}-{uuid.uuid4().hex[:8]}"
        try:
            staging.mkdir(parents=True)
            (staging / PAPER_FILE).write_bytes(markdown)
            shutil.copyfile(file, staging / self._source_name(entry, file))
            settings = self.paper_settings(entry)
            index_dir = Path(settings.paths.index_dir)
            if check_index(index_dir, identity(markdown_sha, settings)) is not None:
                embedder = self.embedder

                def building(stage: str, fraction: float) -> None:
                    report(f"index: {stage}", 0.05 + 0.9 * fraction)

                build_index(doc, markdown_sha, settings, embedder.encode, embedder.dimension, building)
            else:
                logger.info("the index of '%s' is current; not re-embedding", entry.id)
            if replace:
                folder.mkdir(parents=True, exist_ok=True)
                for part in sorted(staging.iterdir()):
                    os.replace(part, folder / part.name)
            else:
                if folder.exists():  # left by a crash before the registry listed it
                    shutil.rmtree(folder)
                os.replace(staging, folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            self._drop_empty_papers_folder()
        with self._lock:
            self._assistants.pop(entry.id, None)
            self._documents.pop(entry.id, None)

    def _drop_empty_papers_folder(self) -> None:
        with contextlib.suppress(OSError):
            (self.root / PAPERS).rmdir()  # only succeeds when empty

    @staticmethod
    def _source_name(entry: PaperEntry, file: Path) -> str:
        suffix = re.sub(r"[^a-z0-9.]", "", file.suffix.lower())[:10] or f".{entry.format}"
        return f"source{suffix}"

    def _remove_old_sources(self, entry: PaperEntry, file: Path) -> None:
        keep = self._source_name(entry, file)
        for old in (self.root / PAPERS / entry.id).glob("source.*"):
            if old.name != keep:
                old.unlink(missing_ok=True)

    def remove(self, paper_id: str) -> PaperEntry:
        """Unlist a paper, then delete its folder and its index. The default paper cannot be removed.

        Raises:
            CorpusError: no such paper, or it is the default paper.
        """
        with self._writable(), self._exclusive():
            registry = self._fresh_registry()
            entry = self.entry(paper_id)
            if not self._is_added(entry):  # listed in place, like the default corpus/paper.md
                raise CorpusError(
                    f"'{entry.id}' is the default paper ({self.paper_file(entry)}) and cannot be removed."
                )
            self._write_registry(Registry(papers=[e for e in registry.papers if e.id != entry.id]))
            folder = (self.root / PAPERS / entry.id).resolve()
            if folder.is_relative_to((self.root / PAPERS).resolve()):
                shutil.rmtree(folder, ignore_errors=True)
                self._drop_empty_papers_folder()
            index_dir = self.index_dir(entry)
            if index_dir != Path(self.settings.paths.index_dir):
                shutil.rmtree(index_dir, ignore_errors=True)
        with self._lock:
            self._assistants.pop(entry.id, None)
            self._documents.pop(entry.id, None)
        return entry


def describe(summary: PaperSummary) -> str:
    """One line of what a paper holds, as ``qa add`` and ``qa papers`` print it."""
    tables = f"{summary.tables} table{'s' * (summary.tables != 1)}"
    if summary.tables:
        tables += f" ({summary.table_values} values)"
    return f"{summary.sections} sections, {tables}, {summary.sentences} sentences" + (
        f"; indexed in {summary.seconds:.1f}s" if summary.seconds else ""
    )
