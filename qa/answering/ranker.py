"""The learned evidence ranker: how likely each paragraph of the paper is to hold the answer (pure).

Every paragraph is described by generic features of the question against it (:data:`FEATURES`): the
MiniLM similarity of its closest sentences, an IDF-weighted word overlap and a BM25-style score, each
also as a rank and a gap to the paper's best, how much of the question its section title names, and
where it sits in the paper. A small MLP (one hidden ReLU layer) turns them into a score. It is trained
by ``qa calibrate`` (:mod:`qa.evaluation.train_ranker`) on the evidence paragraphs that Qasper
**train** annotators marked, and stored as plain JSON (weights, standardisation, a record of data,
seed and scores). Nothing in it names a paper, a word list or a domain.

The answer layer cites sentences from the paragraphs this ranks first (see ``candidate.gather``).
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.indexing.files import load_json_model
from qa.schema import Document
from qa.text import find_cardinal_words, tokenize

FEATURES: tuple[str, ...] = (
    "dense_max",  # cosine of the paragraph's closest sentence to the question
    "dense_top2",  # mean cosine of its two closest sentences
    "dense_mean",  # mean cosine of its sentences
    "dense_max_rank",  # 1 / (1 + rank of dense_max among the paper's paragraphs)
    "dense_max_gap",  # dense_max minus the paper's best
    "dense_max_z",  # dense_max standardised within the paper
    "overlap_rank",
    "overlap_gap",
    "overlap_z",
    "bm25_rank",
    "bm25_gap",
    "bm25_z",
    "overlap",  # IDF-weighted share of the question's words the paragraph holds
    "coverage",  # plain share of the question's words the paragraph holds
    "bm25",  # BM25-style score (k1 1.2, b 0.75; IDF over the paper's paragraphs)
    "title_coverage",  # share of the question's words its section title holds
    "position",  # 0 for the first paragraph, 1 for the last
    "log_length",  # log(1 + words)
    "first",  # the first paragraph (usually the abstract)
    "sentences",  # number of sentences
    # what the paragraph holds against the kind of answer asked (question type x paragraph form)
    "digits_if_number",  # figures (digits or number words) per word, for a question that wants a number
    "commas_if_list",  # commas per word, for a question that wants a list (else 0)
    "acronyms_if_span",  # acronym or mixed-case words per word ('BERT', 'GloVe'), for a phrase question
    "digits",  # figures (digits or number words) per word
    "acronyms",  # acronym or mixed-case words per word
    "yesno_question",  # 1 for a yes/no question
)
# a word with a capital and a later capital or digit, not after a sentence end: 'BERT', 'GloVe', 'GPT2'
_ACRONYM = re.compile(r"(?<![.!?]\s)\b[A-Z][A-Za-z]*[A-Z0-9]\w*")
_FIGURE = re.compile(r"\d+(?:\.\d+)?")
_COMMA = re.compile(",")
K1, B = 1.2, 0.75  # the usual BM25 constants (Robertson & Zaragoza), not tuned


@dataclass(frozen=True)
class Paragraphs:
    """The paper's paragraphs with what the ranker reads, computed once per loaded paper."""

    spans: list[tuple[int, int]]  # (start, end) in the Document's text
    sentences: list[list[int]]  # sentence indexes of each paragraph, in order
    tokens: list[list[str]]
    title_tokens: list[set[str]]
    df: dict[str, int]
    average_length: float
    # for vectorised features: each word's paragraphs and counts there; sentences grouped by paragraph
    postings: dict[str, tuple[np.ndarray, np.ndarray]]
    lengths: np.ndarray
    grouped: np.ndarray  # sentence indexes, paragraph after paragraph (paragraphs with sentences only)
    group_starts: np.ndarray  # where each non-empty paragraph starts in ``grouped``
    nonempty: np.ndarray  # the paragraphs that have sentences
    title_postings: dict[str, np.ndarray]  # each word's paragraphs whose section title holds it
    form: np.ndarray  # per paragraph: figures, commas and acronyms per word (3 columns)

    @classmethod
    def of(cls, doc: Document) -> Paragraphs:
        spans: list[tuple[int, int]] = []
        titles: list[set[str]] = []
        texts: list[str] = []
        for section in doc.sections:
            title = set(tokenize(section.title))
            for p in section.paragraphs:
                spans.append((p.start, p.end))
                titles.append(title)
                texts.append(p.text)
        groups: list[list[int]] = [[] for _ in spans]
        starts = [s for s, _ in spans]
        for i, s in enumerate(doc.sentences):
            k = bisect.bisect_right(starts, s.start) - 1
            if k >= 0 and spans[k][0] <= s.start < spans[k][1]:
                groups[k].append(i)
        tokens = [tokenize(t) for t in texts]
        df: dict[str, int] = {}
        counts: dict[str, dict[int, int]] = {}
        for k, toks in enumerate(tokens):
            for t in set(toks):
                df[t] = df.get(t, 0) + 1
            for t in toks:
                counts.setdefault(t, {}).setdefault(k, 0)
                counts[t][k] += 1
        postings = {
            t: (np.fromiter(c.keys(), dtype=np.int64), np.fromiter(c.values(), dtype=np.float64))
            for t, c in counts.items()
        }
        lengths = np.array([len(t) for t in tokens], dtype=np.float64)
        average = float(lengths.mean()) if len(tokens) else 1.0
        nonempty = np.array([k for k, g in enumerate(groups) if g], dtype=np.int64)
        sizes = [len(groups[k]) for k in nonempty]
        grouped = np.array([i for k in nonempty for i in groups[k]], dtype=np.int64)
        group_starts = (
            np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64) if sizes else np.zeros(0, np.int64)
        )
        in_title: dict[str, list[int]] = {}
        for k, words in enumerate(titles):
            for t in words:
                in_title.setdefault(t, []).append(k)
        return cls(
            spans,
            groups,
            tokens,
            titles,
            df,
            average or 1.0,
            postings,
            lengths,
            grouped,
            group_starts,
            nonempty,
            {t: np.array(ks, dtype=np.int64) for t, ks in in_title.items()},
            np.array([_form(t) for t in texts], dtype=np.float64).reshape(len(texts), 3),
        )

    def of_sentence(self) -> dict[int, int]:
        """Sentence index -> paragraph index."""
        return {i: k for k, group in enumerate(self.sentences) for i in group}

    def features(
        self, words: set[str], vector: np.ndarray, sentence_vectors: np.ndarray, answer_type: str = "span"
    ) -> np.ndarray:
        """One row of :data:`FEATURES` per paragraph for a question with stems ``words`` that wants an
        answer of ``answer_type`` (see :func:`qa.question.intent.answer_type`)."""
        n = len(self.spans)
        if n == 0:
            return np.zeros((0, len(FEATURES)))
        dense = np.full((n, 3), -1.0)
        if len(self.grouped):
            cos = (sentence_vectors[self.grouped] @ np.asarray(vector, dtype=np.float32)).astype(np.float64)
            sizes = np.diff(np.append(self.group_starts, len(cos)))
            group = np.repeat(np.arange(len(sizes)), sizes)
            ranked = cos[np.lexsort((-cos, group))]  # paragraph after paragraph, best sentence first
            best = ranked[self.group_starts]
            second = np.where(sizes > 1, ranked[np.minimum(self.group_starts + 1, len(cos) - 1)], best)
            dense[self.nonempty] = np.stack(
                [best, (best + second) / 2, np.add.reduceat(cos, self.group_starts) / sizes], axis=1
            )
        idf = {t: math.log((n + 1) / (self.df.get(t, 0) + 0.5)) for t in words}
        total = sum(idf.values()) or 1.0
        overlap, hits, bm25 = np.zeros(n), np.zeros(n), np.zeros(n)
        norm = K1 * (1 - B + B * self.lengths / self.average_length)
        for t in words:
            if t not in self.postings:
                continue
            where, tf = self.postings[t]
            overlap[where] += idf[t]
            hits[where] += 1
            bm25[where] += idf[t] * tf * (K1 + 1) / (tf + norm[where])
        overlap /= total
        coverage = hits / (len(words) or 1)
        title = np.zeros(n)
        for t in words:
            if t in self.title_postings:
                title[self.title_postings[t]] += 1
        title /= len(words) or 1
        position = np.arange(n) / max(n - 1, 1)
        length = np.log1p(self.lengths)
        first_paragraph = (np.arange(n) == 0).astype(float)
        count = np.array([len(g) for g in self.sentences], dtype=float)
        columns = [dense[:, 0], dense[:, 1], dense[:, 2]]
        for x in (dense[:, 0], overlap, bm25):
            columns += list(_relative(x))
        columns += [overlap, coverage, bm25, title, position, length, first_paragraph, count]
        digits, commas, acronyms = self.form[:, 0], self.form[:, 1], self.form[:, 2]
        columns += [
            digits * (answer_type == "number"),
            commas * (answer_type == "list"),
            acronyms * (answer_type == "span"),
            digits,
            acronyms,
            np.full(n, float(answer_type == "yesno")),
        ]
        return np.stack(columns, axis=1)


def _form(text: str) -> tuple[float, float, float]:
    """Figures (in digits or words: 'Twenty-seven samples'), commas and acronyms per word of ``text``."""
    words = 1 + len(text.split())
    figures = len(_FIGURE.findall(text)) + len(find_cardinal_words(text))
    return figures / words, len(_COMMA.findall(text)) / words, len(_ACRONYM.findall(text)) / words


def cited(scores: np.ndarray, margin: float, limit: int) -> list[int]:
    """The best paragraph and those within ``margin`` of it, best first, at most ``limit``."""
    if len(scores) == 0:
        return []
    order = np.argsort(-scores, kind="stable")[:limit]
    return [int(k) for k in order if scores[k] >= scores[order[0]] - margin]


def _relative(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rank as 1/(1+rank), gap to the best and z-score of ``x`` within the paper."""
    order = np.argsort(-x, kind="stable")
    rank = np.empty(len(x))
    rank[order] = np.arange(len(x))
    return 1.0 / (1.0 + rank), x - x.max(), (x - x.mean()) / (x.std() + 1e-6)


@dataclass(frozen=True)
class RankerModel:
    """Standardised inputs, one hidden ReLU layer, one output logit."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    hidden_weights: np.ndarray
    hidden_bias: np.ndarray
    output_weights: np.ndarray
    output_bias: float
    margin: float  # paragraphs within this many logits of the best are cited with it
    record: dict[str, Any]

    def scores(self, x: np.ndarray) -> np.ndarray:
        """The logit of each row (higher: more likely an evidence paragraph)."""
        if len(x) == 0:
            return np.zeros(0)
        h = np.maximum(0.0, ((x - self.mean) / self.scale) @ self.hidden_weights + self.hidden_bias)
        return h @ self.output_weights + self.output_bias

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "mlp-relu-1",
            "features": list(self.features),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "hidden_weights": self.hidden_weights.tolist(),
            "hidden_bias": self.hidden_bias.tolist(),
            "output_weights": self.output_weights.tolist(),
            "output_bias": self.output_bias,
            "margin": self.margin,
            "record": self.record,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RankerModel:
        model = cls(
            features=tuple(data["features"]),
            mean=np.asarray(data["mean"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
            hidden_weights=np.asarray(data["hidden_weights"], dtype=np.float64),
            hidden_bias=np.asarray(data["hidden_bias"], dtype=np.float64),
            output_weights=np.asarray(data["output_weights"], dtype=np.float64),
            output_bias=float(data["output_bias"]),
            margin=float(data["margin"]),
            record=dict(data.get("record", {})),
        )
        d, h = len(model.features), len(model.hidden_bias)
        if (
            model.mean.shape != (d,)
            or model.scale.shape != (d,)
            or model.hidden_weights.shape != (d, h)
            or model.output_weights.shape != (h,)
        ):
            raise ValueError("the weights do not have the shapes their features need")
        return model


def load_ranker(path: Path) -> RankerModel | None:
    """The ranker at ``path``, or None when there is none or it does not fit :data:`FEATURES` (then
    evidence is chosen by the hand-set scorer alone; a log line says why)."""
    return load_json_model(path, RankerModel.from_json, lambda m: m.features == FEATURES, "evidence ranker")
