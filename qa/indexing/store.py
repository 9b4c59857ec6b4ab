"""The on-disk index: build it, write it atomically, and load it only when its manifest still matches.

``index/manifest.json`` names the current build folder (``index/build-<id>/``), which holds
``chunks.jsonl``, ``dense.faiss`` (an ``IndexFlatIP`` over unit vectors of the chunks),
``sentences.npy`` and ``table_values.npy`` (vectors used to pick sentences and cells) and ``bm25/``
(the bm25s sparse matrices as ``.npy`` and ``.json``). No pickle. The manifest records what built the
index (model, chunking, format version, sha256 of the corpus) and the sha256 of every file, so a
changed corpus, other settings, a missing or truncated file are all detected.

A build writes a new folder (each file atomically), then replaces the manifest atomically, then
removes older folders: a crash at any moment leaves the previous manifest and its folder whole.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import inspect
import json
import logging
import os
import re
import shutil
import stat
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import bm25s
import faiss
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from qa.errors import IndexStateError
from qa.indexing.chunking import chunk_document, search_text
from qa.indexing.files import sha256_file, write_atomic, write_json_atomic, write_text_atomic
from qa.indexing.progress import Eta
from qa.schema import Chunk, Document
from qa.settings import INDEX_FORMAT_VERSION, Settings
from qa.text import tokenize

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
CHUNKS = "chunks.jsonl"
DENSE = "dense.faiss"
SENTENCE_VECTORS = "sentences.npy"
VALUE_VECTORS = "table_values.npy"
BM25_DIR = "bm25"
LOCK = ".lock"
MARKER = ".qa-index"  # marks a folder as an index: only such a folder is ever written or cleared
BUILD_MARKER = ".qa-build"  # marks a build folder this package wrote: only such folders are deleted
INDEX_KIND = "qa-index"
BUILD_KIND = "qa-build"
MARKER_NOTE = "Written by qa: `qa index` may rebuild or clear what this marker covers."
MAX_MANIFEST_BYTES = 1 << 20  # a manifest lists a dozen files; anything larger is not ours
UNIT_NORM_TOLERANCE = 1e-3  # float32 unit vectors are within ~1e-6 of length 1; garbage is not

Encoder = Callable[[list[str]], np.ndarray]


@dataclass
class LoadedIndex:
    """Everything the retrievers need, read from ``index/``."""

    manifest: dict[str, Any]
    chunks: list[Chunk]
    dense: faiss.Index
    sentence_vectors: np.ndarray
    value_vectors: np.ndarray
    bm25: bm25s.BM25


def describe_value(value) -> str:
    """Text embedded for a table value: where it is (caption, row, column, part) and what it is."""
    item = f" {value.item}" if value.item else ""
    unit = f" {value.unit}" if value.unit else ""
    return f"{value.caption}. {value.row}. {value.column}{item}: {value.value}{unit}"


def index_texts(doc: Document, chunks: list[Chunk]) -> tuple[list[str], list[str], list[str]]:
    """The texts a build embeds: each chunk's search text, each sentence, each table value's description."""
    return (
        [search_text(c) for c in chunks],
        [s.text for s in doc.sentences],
        [describe_value(v) for v in doc.table_values],
    )


def encode_with_progress(
    encode: Encoder, texts: list[str], progress: Callable[[int, int], None]
) -> np.ndarray:
    """``encode(texts)`` in one call, reporting ``(done, total)`` as it goes.

    An encoder that takes a ``progress`` keyword (:meth:`Embedder.encode`) is called once with it, so
    its batches are sorted by length over all the texts (calling it in small steps made each step
    sort and pad on its own, and cost throughput); a plain callable is called once and reported at
    the start and the end.
    """
    try:
        takes_progress = "progress" in inspect.signature(encode).parameters
    except (TypeError, ValueError):
        takes_progress = False
    if takes_progress:
        return encode(texts, progress=progress)
    progress(0, len(texts))
    vectors = encode(texts)
    progress(len(texts), len(texts))
    return vectors


@functools.lru_cache(maxsize=8)
def _package_version(distribution: str) -> str:
    """The installed version of ``distribution``, looked up once per process.

    importlib.metadata walks ``sys.path``; a thread that changes it meanwhile (Streamlit's script
    runner adds and removes the script folder) can make one lookup miss an installed package. Such a
    miss wrote 'unknown' into a manifest, and every later check then rebuilt the index (seen as a
    flaky page test). So a miss is retried, and the answer is fixed for the process.
    """
    for _ in range(3):
        try:
            return importlib_metadata.version(distribution)
        except importlib_metadata.PackageNotFoundError:
            continue
    return "unknown"


def identity(doc_sha256: str, settings: Settings, dimension: int | None = None) -> dict[str, Any]:
    """What must match between an index and the current run for the index to be used."""
    package_version = _package_version(settings.model.package.replace("_", "-"))
    ident = {
        "format_version": INDEX_FORMAT_VERSION,
        "model": {
            "name": settings.model.name,
            "package": settings.model.package,
            "package_version": package_version,
        },
        "chunking": settings.chunking.model_dump(),
        "corpus_sha256": doc_sha256,
    }
    if dimension is not None:
        ident["model"]["dimension"] = dimension
    return ident


class IndexWriteError(IndexStateError, OSError):
    """The index could not be written (disk full, read-only or missing folder, permissions)."""


def _is_marker(path: Path, kind: str) -> bool:
    """True when ``path`` is a regular file (not a link) holding our marker of ``kind``."""
    try:
        if not stat.S_ISREG(path.lstat().st_mode) or path.lstat().st_size > 4096:
            return False
        return json.loads(path.read_text(encoding="utf-8")).get("kind") == kind
    except (OSError, ValueError, AttributeError):
        return False


def _is_our_build(folder: Path) -> bool:
    """A ``build-*`` folder this package wrote (it carries the build marker), not a link."""
    return (
        folder.name.startswith("build-")
        and not folder.is_symlink()
        and folder.is_dir()
        and _is_marker(folder / BUILD_MARKER, BUILD_KIND)
    )


def _foreign_error(index_dir: Path) -> IndexStateError:
    return IndexStateError(
        f"{index_dir} is not empty and is not an index folder (it has no {MARKER} marker); "
        "choose a new or empty folder with --index-dir or QA_PATHS__INDEX_DIR."
    )


def index_folder_state(index_dir: Path) -> str:
    """'missing', 'empty', 'ours' or 'legacy' (an index written before markers existed).

    Raises:
        IndexStateError: the path is not a folder, or it is a non-empty folder that is not an index.
    """
    try:
        if not index_dir.exists():
            return "missing"
        if not index_dir.is_dir():
            raise IndexStateError(
                f"The index folder {index_dir} is not a folder; point --index-dir at a folder."
            )
        if _is_marker(index_dir / MARKER, INDEX_KIND):
            return "ours"
        entries = list(index_dir.iterdir())
    except OSError as exc:
        raise IndexStateError(f"Cannot read the index folder {index_dir}: {exc.strerror or exc}.") from None
    lock = index_dir / LOCK
    leftovers = [e for e in entries if not (e == lock and e.is_file() and not e.is_symlink())]
    if not leftovers:
        return "empty"
    if _read_manifest(index_dir) is not None:
        return "legacy"
    raise _foreign_error(index_dir)


def claim_index_folder(index_dir: Path) -> None:
    """Create ``index_dir`` or adopt an empty (or pre-marker index) folder by writing the marker.

    Raises:
        IndexStateError: the folder belongs to something else (nothing in it is touched).
        IndexWriteError: the folder cannot be created or written.
    """
    state = index_folder_state(index_dir)
    if state == "ours":
        return
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        write_json_atomic(index_dir / MARKER, {"kind": INDEX_KIND, "note": MARKER_NOTE})
    except OSError as exc:
        raise IndexWriteError(f"Cannot create the index folder {index_dir}: {exc.strerror or exc}.") from None


@contextlib.contextmanager
def index_lock(index_dir: Path, *, exclusive: bool) -> Iterator[None]:
    """Hold ``index_dir/.lock``: exclusive while a build writes and swaps, shared while a reader
    checks and loads, so a reader always sees one whole generation.

    The lock file is opened read-only, never truncated, and never through a symbolic link. A
    reader that cannot create the lock (read-only folder) goes on without it.

    Raises:
        IndexStateError: ``.lock`` is a link or not a regular file, or (for a build) cannot be created.
    """
    path = index_dir / LOCK
    flags = os.O_RDONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise IndexStateError(
                f"{path} is a symbolic link; remove it (the index never follows links)."
            ) from None
        if not exclusive and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            yield
            return
        raise IndexWriteError(f"Cannot lock the index in {index_dir}: {exc.strerror or exc}.") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise IndexStateError(f"{path} is not a regular file; remove it.")
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """Serialise builds between processes (a UI and a CLI starting at once); claims the folder."""
    claim_index_folder(index_dir)
    with index_lock(index_dir, exclusive=True):
        yield


def build_index(
    doc: Document,
    doc_sha256: str,
    settings: Settings,
    encode: Encoder,
    dimension: int,
    progress: Callable[[str, float], None] | None = None,
) -> dict[str, Any]:
    """Chunk, embed and index ``doc``; write every file atomically into ``settings.paths.index_dir``.

    Args:
        doc: The parsed paper.
        doc_sha256: sha256 of the corpus file, recorded in the manifest.
        settings: Chunking and path settings.
        encode: Turns a list of texts into unit vectors (the model lives outside the index); when it
            takes a ``progress`` keyword (``Embedder.encode``) it is called once for all texts.
        dimension: Embedding dimension.
        progress: Optional callback ``(stage, fraction_done)`` for progress bars; while embedding the
            stage says how far it got and the time left, ``"embedding 340/1,210 texts · 12 s left"``.

    Returns:
        The manifest written.
    """
    report = progress or (lambda stage, fraction: None)
    started = time.perf_counter()
    index_dir = settings.paths.index_dir
    chunks = chunk_document(doc, settings.chunking)
    report("chunking", 0.05)

    texts, sentence_texts, value_texts = index_texts(doc, chunks)
    everything = texts + sentence_texts + value_texts
    eta = Eta(len(everything))

    def embedded(done: int, total: int) -> None:
        report(eta.text(done), 0.05 + 0.85 * done / max(1, total))

    if everything:
        vectors = encode_with_progress(encode, everything, embedded).astype(np.float32, copy=False)
        vectors = vectors.reshape(len(everything), dimension)
    else:
        vectors = np.zeros((0, dimension), dtype=np.float32)
    chunk_vectors = vectors[: len(texts)]
    sentence_vectors = vectors[len(texts) : len(texts) + len(sentence_texts)]
    value_vectors = vectors[len(texts) + len(sentence_texts) :]

    dense = faiss.IndexFlatIP(dimension)
    dense.add(chunk_vectors)
    bm25 = bm25s.BM25()
    bm25.index([tokenize(t) or [""] for t in texts], show_progress=False)
    report("writing", 0.95)

    with build_lock(index_dir):
        previous = _read_manifest(index_dir)
        build_name = (
            f"build-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        )
        build = index_dir / build_name
        try:
            build.mkdir()
            write_json_atomic(build / BUILD_MARKER, {"kind": BUILD_KIND, "note": MARKER_NOTE})
            write_text_atomic(build / CHUNKS, "".join(c.model_dump_json() + "\n" for c in chunks))
            write_atomic(build / DENSE, lambda tmp: faiss.write_index(dense, str(tmp)))
            write_atomic(build / SENTENCE_VECTORS, lambda tmp: _save_npy(tmp, sentence_vectors))
            write_atomic(build / VALUE_VECTORS, lambda tmp: _save_npy(tmp, value_vectors))
            _save_bm25(bm25, build / BM25_DIR)
            files = {
                name: {"sha256": sha256_file(build / name), "bytes": (build / name).stat().st_size}
                for name in _index_files(build)
            }
            manifest = identity(doc_sha256, settings, dimension) | {
                "build_dir": build_name,
                "corpus_path": str(settings.paths.corpus),
                "counts": {
                    "sections": len(doc.sections),
                    "tables": len(doc.tables),
                    "chunks": len(chunks),
                    "sentences": len(doc.sentences),
                    "table_values": len(doc.table_values),
                },
                "files": files,
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "build_seconds": round(time.perf_counter() - started, 3),
            }
            Manifest.model_validate(manifest)
            write_json_atomic(index_dir / MANIFEST, manifest)
        except (OSError, RuntimeError) as exc:  # faiss reports I/O errors as RuntimeError
            if build.is_dir() and _is_our_build(build):
                shutil.rmtree(build, ignore_errors=True)
            raise IndexWriteError(
                f"Cannot write the index in {index_dir}: {getattr(exc, 'strerror', None) or exc}."
            ) from None
        for old in index_dir.glob("build-*"):
            legacy = previous is not None and old.name == previous.build_dir and not old.is_symlink()
            if old.name != build_name and (_is_our_build(old) or legacy):
                shutil.rmtree(old, ignore_errors=True)
    report("done", 1.0)
    logger.info("index built in %.2fs: %d chunks", time.perf_counter() - started, len(chunks))
    return manifest


def _save_npy(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as handle:
        np.save(handle, array, allow_pickle=False)


def _save_bm25(bm25: bm25s.BM25, target: Path) -> None:
    """bm25s writes a folder of plain files; write them in a scratch folder, then move each atomically."""
    target.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".bm25-", dir=target.parent))
    try:
        bm25.save(str(scratch), allow_pickle=False, show_progress=False)
        for file in sorted(scratch.iterdir()):
            write_atomic(target / file.name, lambda tmp, src=file: shutil.copyfile(src, tmp))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _index_files(index_dir: Path) -> list[str]:
    names = [CHUNKS, DENSE, SENTENCE_VECTORS, VALUE_VECTORS]
    names += sorted(
        f"{BM25_DIR}/{p.name}" for p in (index_dir / BM25_DIR).iterdir() if not p.name.startswith(".")
    )
    return names


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class FileRecord(_Strict):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    bytes: int = Field(ge=0)


class ModelRecord(_Strict):
    name: str
    package: str
    package_version: str
    dimension: int = Field(ge=1)


class Counts(_Strict):
    sections: int = Field(ge=0)
    tables: int = Field(ge=0)
    chunks: int = Field(ge=0)
    sentences: int = Field(ge=0)
    table_values: int = Field(ge=0)


class Manifest(_Strict):
    """The schema of ``manifest.json``; anything else (wrong types, odd names) is a damaged manifest."""

    format_version: int
    model: ModelRecord
    chunking: dict[str, Any]
    corpus_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    build_dir: str = Field(pattern=r"^build-[\w.-]+$")
    corpus_path: str
    counts: Counts
    files: dict[str, FileRecord] = Field(min_length=1)
    built_at: str
    build_seconds: float = Field(ge=0)

    @field_validator("files")
    @classmethod
    def _known_names(cls, files: dict[str, FileRecord]) -> dict[str, FileRecord]:
        for name in files:
            if not _FILE_NAME.fullmatch(name) or ".." in name.split("/"):
                raise ValueError(f"unexpected file name {name!r}")
        missing = {CHUNKS, DENSE, SENTENCE_VECTORS, VALUE_VECTORS} - set(files)
        if missing or not any(n.startswith(f"{BM25_DIR}/") for n in files):
            raise ValueError(f"files missing from the list: {sorted(missing) or [BM25_DIR]}")
        return files


_FILE_NAME = re.compile(r"[\w][\w.-]*(/[\w][\w.-]*)?")


def _read_manifest(index_dir: Path) -> Manifest | None:
    """The manifest if it exists, is a regular file and fits the schema, else None."""
    path = index_dir / MANIFEST
    try:
        if not stat.S_ISREG(path.lstat().st_mode) or path.lstat().st_size > MAX_MANIFEST_BYTES:
            return None
        return Manifest.model_validate_json(path.read_bytes())
    except (OSError, ValueError):  # pydantic's ValidationError is a ValueError
        return None


def _inspect(index_dir: Path, expected: dict[str, Any]) -> tuple[Manifest | None, str | None]:
    """The manifest and None when the index matches ``expected``, else None and the reason why not."""
    if index_folder_state(index_dir) in ("missing", "empty"):
        return None, "no index has been built yet"
    if not (index_dir / MANIFEST).exists():
        builds = [b for b in index_dir.glob("build-*") if _is_our_build(b)]
        if builds:
            return None, "the manifest is missing (an earlier build did not finish)"
        return None, "no index has been built yet"
    manifest = _read_manifest(index_dir)
    if manifest is None:
        return None, "the manifest is damaged"
    if manifest.format_version != expected["format_version"]:
        return None, f"index format {manifest.format_version} != {expected['format_version']}"
    if manifest.corpus_sha256 != expected["corpus_sha256"]:
        return None, "the corpus changed since the index was built"
    model = manifest.model.model_dump()
    for key in ("name", "package", "package_version", "dimension"):
        if key in expected["model"] and model[key] != expected["model"][key]:
            return None, f"the embedding model changed ({key})"
    if manifest.chunking != expected["chunking"]:
        return None, "the chunking settings changed"
    build = index_dir / manifest.build_dir
    if not _is_our_build(build):
        return None, f"{manifest.build_dir} is missing"
    for name, meta in manifest.files.items():
        path = build / name
        try:
            if path.is_symlink() or not path.is_file():
                return None, f"{name} is missing"
            if path.stat().st_size != meta.bytes:
                return None, f"{name} is truncated or altered (size differs)"
            if sha256_file(path) != meta.sha256:
                return None, f"{name} is damaged (checksum differs)"
        except OSError:  # removed between the checks (a concurrent build)
            return None, f"{name} is missing"
    return manifest, None


def check_index(index_dir: Path, expected: dict[str, Any]) -> str | None:
    """Why the index in ``index_dir`` cannot be used with ``expected`` identity, or None if it can.

    Raises:
        IndexStateError: ``index_dir`` is not a folder or is a folder that is not an index.
    """
    if index_folder_state(index_dir) in ("missing", "empty"):
        return "no index has been built yet"
    with index_lock(index_dir, exclusive=False):
        return _inspect(index_dir, expected)[1]


def read_index(
    index_dir: Path, expected: dict[str, Any], chunks: list[Chunk] | None = None
) -> tuple[LoadedIndex | None, str | None]:
    """Check and load the index under a shared lock, so a concurrent build cannot swap it midway.

    Args:
        index_dir: The index folder.
        expected: The identity the index must have (see :func:`identity`).
        chunks: The chunks the current paper and settings give; the stored ones must equal them.

    Returns:
        The loaded index and None, or None and why the index cannot be used.
    """
    index, reason = _read_checked(index_dir, expected, _load)
    if index is not None and chunks is not None and index.chunks != chunks:
        return None, f"{CHUNKS} does not match the paper"
    return index, reason


def _read_checked(index_dir: Path, expected: dict[str, Any], reader: Callable[[Path, Manifest], Any]):
    """``(reader(index_dir, manifest), None)`` for a current index, read under a shared lock so a
    concurrent build cannot swap it midway; else ``(None, why the index cannot be used)``."""
    if index_folder_state(index_dir) in ("missing", "empty"):
        return None, "no index has been built yet"
    with index_lock(index_dir, exclusive=False):
        manifest, reason = _inspect(index_dir, expected)
        if manifest is None:
            return None, reason
        try:
            return reader(index_dir, manifest), None
        except _Damaged as exc:
            return None, str(exc)


def read_chunk_vectors(index_dir: Path, expected: dict[str, Any]) -> tuple[np.ndarray | None, str | None]:
    """The chunk vectors of a current index (rows in chunk order), without reading the rest of it.

    Used to fill the library-wide vector store: the paper's manifest and files are checked as by
    :func:`read_index`, then only ``dense.faiss`` is read.

    Returns:
        ``(vectors, None)``, or ``(None, why the index cannot be used)``.
    """
    return _read_checked(index_dir, expected, _chunk_vectors)


def _chunk_vectors(index_dir: Path, manifest: Manifest) -> np.ndarray:
    try:
        dense = faiss.read_index(str(index_dir / manifest.build_dir / DENSE))
    except RuntimeError as exc:  # faiss reports unreadable files as RuntimeError
        raise _Damaged(f"{DENSE} cannot be read ({exc})") from None
    vectors = dense.reconstruct_n(0, dense.ntotal) if dense.ntotal else np.zeros((0, dense.d), np.float32)
    _check_vectors("dense vectors", vectors, manifest.counts.chunks, manifest.model.dimension)
    return np.ascontiguousarray(vectors, dtype=np.float32)


def load_index(index_dir: Path) -> LoadedIndex:
    """Read the index named by the manifest, checking every part's shape and ranges.

    Raises:
        IndexStateError: a file cannot be read or the parts disagree.
    """
    manifest = _read_manifest(index_dir)
    if manifest is None:
        raise IndexStateError(
            f"The manifest in {index_dir} is missing or damaged. Rebuild it with `qa index`."
        )
    try:
        return _load(index_dir, manifest)
    except _Damaged as exc:
        raise IndexStateError(
            f"Cannot use the index in {index_dir}: {exc}. Rebuild it with `qa index`."
        ) from None


class _Damaged(Exception):
    """A part of the index is unreadable or inconsistent (the message says which)."""


def _load(index_dir: Path, manifest: Manifest) -> LoadedIndex:
    build = index_dir / manifest.build_dir
    counts, dimension = manifest.counts, manifest.model.dimension
    try:
        with open(build / CHUNKS, encoding="utf-8") as handle:
            chunks = [Chunk.model_validate_json(line) for line in handle if line.strip()]
        dense = faiss.read_index(str(build / DENSE))
        sentence_vectors = np.load(build / SENTENCE_VECTORS, allow_pickle=False)
        value_vectors = np.load(build / VALUE_VECTORS, allow_pickle=False)
        bm25 = bm25s.BM25.load(str(build / BM25_DIR), load_corpus=False)
    except Exception as exc:  # any unreadable part means the index is unusable
        raise _Damaged(f"a file cannot be read ({type(exc).__name__})") from None
    if len(chunks) != counts.chunks or len({c.id for c in chunks}) != len(chunks):
        raise _Damaged("chunk count or chunk ids differ from the manifest")
    if any(not (0 <= c.start <= c.end) for c in chunks):
        raise _Damaged("a chunk has offsets out of range")
    if dense.d != dimension or dense.ntotal != len(chunks):
        raise _Damaged("the dense index does not hold one vector per chunk")
    _check_vectors("dense vectors", dense.reconstruct_n(0, dense.ntotal), len(chunks), dimension)
    _check_vectors("sentence vectors", sentence_vectors, counts.sentences, dimension)
    _check_vectors("table value vectors", value_vectors, counts.table_values, dimension)
    _check_bm25(bm25, len(chunks))
    return LoadedIndex(manifest.model_dump(), chunks, dense, sentence_vectors, value_vectors, bm25)


def _check_vectors(what: str, vectors: np.ndarray, rows: int, dimension: int) -> None:
    """Unit-length float32 rows, one per item: catches altered or shuffled-in garbage."""
    if vectors.dtype != np.float32 or vectors.shape != (rows, dimension):
        raise _Damaged(f"{what} have shape {vectors.shape}, expected ({rows}, {dimension})")
    if rows and not np.all(np.abs(np.linalg.norm(vectors, axis=1) - 1.0) < UNIT_NORM_TOLERANCE):
        raise _Damaged(f"{what} are not unit length")


def _check_bm25(bm25: bm25s.BM25, documents: int) -> None:
    """The sparse score matrix must be a well-formed CSC matrix over ``documents`` rows.

    bm25s keeps the empty token in its vocabulary only when a document had no tokens, so the matrix
    has as many columns as the vocabulary or one fewer.
    """
    scores = bm25.scores
    data, indices, indptr = (np.asarray(scores[k]) for k in ("data", "indices", "indptr"))
    vocab = list(bm25.vocab_dict.values())
    if scores.get("num_docs") != documents:
        raise _Damaged("the BM25 index counts other documents than the chunks")
    if (
        sorted(vocab) != list(range(len(vocab)))
        or indptr.ndim != 1
        or len(indptr) - 1 not in (len(vocab), len(vocab) - 1)
    ):
        raise _Damaged("the BM25 vocabulary and matrix disagree")
    if len(data) != len(indices) or indptr[0] != 0 or indptr[-1] != len(data) or np.any(np.diff(indptr) < 0):
        raise _Damaged("the BM25 matrix is malformed")
    if len(indices) and (indices.min() < 0 or indices.max() >= documents):
        raise _Damaged("the BM25 matrix points at missing documents")
    if not np.all(np.isfinite(data)) or np.any(data < 0):
        raise _Damaged("the BM25 scores are not finite and non-negative")
