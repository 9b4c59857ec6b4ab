"""Atomic file writes: write beside the target under a temporary name, fsync, then rename.

A crash at any point leaves either the old file or the new one, never a half-written file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

_UMASK = os.umask(0)
os.umask(_UMASK)


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path in ``target``'s folder; on success rename it over ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644 & ~_UMASK)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(target: Path, writer: Callable[[Path], Any]) -> None:
    """Call ``writer(tmp_path)`` and move the result to ``target`` atomically."""
    with atomic_path(target) as tmp:
        writer(tmp)


def write_text_atomic(target: Path, text: str) -> None:
    write_atomic(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json_atomic(target: Path, data: Any) -> None:
    write_text_atomic(target, json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


def load_json_model(path: Path, build: Callable[[Any], T], fits: Callable[[T], bool], what: str) -> T | None:
    """A trained model stored as JSON at ``path``: ``build(data)`` makes it, ``fits(model)`` checks it
    matches the features the code computes. None (with a log line saying why) when the file is missing,
    unreadable, malformed or trained on other features: the caller then does without it."""
    import logging

    log = logging.getLogger(__name__)
    if not path.is_file():
        return None
    try:
        model = build(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring the %s %s: %s", what, path, exc)
        return None
    if not fits(model):
        log.warning("ignoring the %s %s: it was trained on other features", what, path)
        return None
    return model


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def append_line_durably(path: Path, line: str) -> None:
    """Append one line to a JSONL file with a single write and fsync.

    A crash can at worst leave this line incomplete; earlier lines are never rewritten. A missing
    final newline from an earlier crash is repaired first so the new record starts on its own line.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (line.rstrip("\n") + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        if size:
            with open(path, "rb") as handle:
                handle.seek(size - 1)
                if handle.read(1) != b"\n":
                    data = b"\n" + data
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """Read a regular file of at most ``max_bytes``; refuse FIFOs, devices and folders.

    Opening with ``O_NONBLOCK`` keeps a FIFO from hanging the open; the type and size are checked on
    the opened file, so the check and the read see the same file.

    Raises:
        OSError: the file cannot be opened, is not a regular file, or is larger than ``max_bytes``
            (``strerror`` says which).
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(0, "not a regular file", str(path))
        if info.st_size > max_bytes:
            raise OSError(0, f"larger than the {max_bytes:,}-byte limit", str(path))
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(max_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise OSError(0, f"larger than the {max_bytes:,}-byte limit", str(path))
    return data
