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
import fcntl
import json
import logging
import os
import re
import shutil
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

from qa.errors import IndexStateError
from qa.indexing.chunking import chunk_document, search_text
from qa.indexing.files import sha256_file, write_atomic, write_json_atomic, write_text_atomic
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


def identity(doc_sha256: str, settings: Settings, dimension: int | None = None) -> dict[str, Any]:
    """What must match between an index and the current run for the index to be used."""
    try:
        package_version = importlib_metadata.version(settings.model.package.replace("_", "-"))
    except importlib_metadata.PackageNotFoundError:
        package_version = "unknown"
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


@contextlib.contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """Serialise builds between processes (a UI and a CLI starting at once)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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
        encode: Turns a list of texts into unit vectors (the model lives outside the index).
        dimension: Embedding dimension.
        progress: Optional callback ``(stage, fraction_done)`` for progress bars.

    Returns:
        The manifest written.
    """
    report = progress or (lambda stage, fraction: None)
    started = time.perf_counter()
    index_dir = settings.paths.index_dir
    chunks = chunk_document(doc, settings.chunking)
    report("chunking", 0.05)

    texts = [search_text(c) for c in chunks]
    sentence_texts = [s.text for s in doc.sentences]
    value_texts = [describe_value(v) for v in doc.table_values]
    everything = texts + sentence_texts + value_texts
    vectors = np.zeros((0, dimension), dtype=np.float32)
    step = 64
    parts = []
    for i in range(0, len(everything), step):
        parts.append(encode(everything[i : i + step]))
        report("embedding", 0.05 + 0.85 * min(1.0, (i + step) / max(1, len(everything))))
    if parts:
        vectors = np.vstack(parts).astype(np.float32)
    chunk_vectors = vectors[: len(texts)]
    sentence_vectors = vectors[len(texts) : len(texts) + len(sentence_texts)]
    value_vectors = vectors[len(texts) + len(sentence_texts) :]

    dense = faiss.IndexFlatIP(dimension)
    dense.add(chunk_vectors)
    bm25 = bm25s.BM25()
    bm25.index([tokenize(t) or [""] for t in texts], show_progress=False)
    report("writing", 0.95)

    with build_lock(index_dir):
        build_name = (
            f"build-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        )
        build = index_dir / build_name
        build.mkdir(parents=True)
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
        write_json_atomic(index_dir / MANIFEST, manifest)
        for old in index_dir.glob("build-*"):
            if old.name != build_name:
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


def _build_dir(index_dir: Path, manifest: dict[str, Any]) -> Path:
    name = str(manifest.get("build_dir", ""))
    if not re.fullmatch(r"build-[\w.-]+", name):
        raise ValueError("bad build folder name")
    return index_dir / name


def check_index(index_dir: Path, expected: dict[str, Any]) -> str | None:
    """Why the index in ``index_dir`` cannot be used with ``expected`` identity, or None if it can."""
    manifest_path = index_dir / MANIFEST
    if not manifest_path.is_file():
        return (
            "no index has been built yet"
            if not any(index_dir.glob("build-*"))
            else "the manifest is missing (an earlier build did not finish)"
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        build = _build_dir(index_dir, manifest)
    except (OSError, ValueError, AttributeError):
        return "the manifest is damaged"
    if manifest.get("format_version") != expected["format_version"]:
        return f"index format {manifest.get('format_version')} != {expected['format_version']}"
    if manifest.get("corpus_sha256") != expected["corpus_sha256"]:
        return "the corpus changed since the index was built"
    for key in ("name", "package", "package_version"):
        if manifest.get("model", {}).get(key) != expected["model"][key]:
            return f"the embedding model changed ({key})"
    if manifest.get("chunking") != expected["chunking"]:
        return "the chunking settings changed"
    for name, meta in manifest.get("files", {}).items():
        path = build / name
        if not path.is_file():
            return f"{name} is missing"
        if path.stat().st_size != meta.get("bytes"):
            return f"{name} is truncated or altered (size differs)"
        if sha256_file(path) != meta.get("sha256"):
            return f"{name} is damaged (checksum differs)"
    if not manifest.get("files"):
        return "the manifest lists no files"
    return None


def load_index(index_dir: Path) -> LoadedIndex:
    """Read an index that :func:`check_index` accepted.

    Raises:
        IndexStateError: a file cannot be read or the parts disagree in size.
    """
    try:
        manifest = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
        build = _build_dir(index_dir, manifest)
        with open(build / CHUNKS, encoding="utf-8") as handle:
            chunks = [Chunk.model_validate_json(line) for line in handle if line.strip()]
        dense = faiss.read_index(str(build / DENSE))
        sentence_vectors = np.load(build / SENTENCE_VECTORS, allow_pickle=False)
        value_vectors = np.load(build / VALUE_VECTORS, allow_pickle=False)
        bm25 = bm25s.BM25.load(str(build / BM25_DIR), load_corpus=False)
    except Exception as exc:  # any unreadable part means the index is unusable
        raise IndexStateError(
            f"Cannot read the index in {index_dir}: {exc}. Rebuild it with `qa index`."
        ) from None
    counts = manifest.get("counts", {})
    if dense.ntotal != len(chunks) or counts.get("chunks") != len(chunks):
        raise IndexStateError(
            f"The index in {index_dir} is inconsistent (chunk counts differ). Rebuild it with `qa index`."
        )
    return LoadedIndex(manifest, chunks, dense, sentence_vectors, value_vectors, bm25)
