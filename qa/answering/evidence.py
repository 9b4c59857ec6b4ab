"""Sentence-level evidence (pure given precomputed arrays): scoring sentences against a question,
the years a sentence states as facts (not citation years), and which figure in a sentence belongs to
which named thing."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from qa.retrieval.query import QueryTerms, Vocabulary
from qa.schema import Document, Section, Sentence
from qa.settings import ScoringSettings
from qa.text import YEAR, find_cardinal_words, find_numbers, stem, tokenize

_MONTHS = {
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
}
_CITATION_PARENS = re.compile(r"\([^()]*\b(?:19|20)\d\d[a-z]?\b[^()]*\)")
_YEAR_PREPOSITION = re.compile(
    r"\b(?:in|since|from|to|by|during|until|of|between|and|for)\s*$", re.IGNORECASE
)


def fact_years(text: str) -> set[int]:
    """Years a sentence states as facts: citation years ('(SATP, 2023)', 'Khan (2021)', 'World Bank
    2023') are left out; 'in 2021', 'August 2021', 'from 2020' count."""
    stripped = _CITATION_PARENS.sub(" ", text)
    years: set[int] = set()
    for match in YEAR.finditer(stripped):
        before = stripped[: match.start()].rstrip()
        prev = before.rsplit(None, 1)[-1] if before else ""
        prev_clean = prev.strip(",;:")
        # "World Bank 2023", "Khan 2021" read as citations unless a month or a preposition precedes
        capitalised = prev_clean[:1].isupper() and prev_clean.lower() not in _MONTHS and before[-1:] != "."
        if capitalised and not _YEAR_PREPOSITION.search(before):
            continue
        years.add(int(match.group(0)))
    return years


@dataclass
class SentenceScore:
    index: int
    score: float
    coverage: float
    dense: float
    matched: frozenset[str]


# '**Participants.** We invited ...': a bold lead-in opening a paragraph heads it like a small section
_RUN_IN = re.compile(r"\s*(?:\*\*|__)([^*_\n]{1,60}?)[.:]?(?:\*\*|__)")


def run_in_heading(section: Section | None, start: int) -> set[str]:
    """The terms of the run-in heading of the paragraph of ``section`` holding offset ``start``."""
    for paragraph in section.paragraphs if section else ():
        if paragraph.start <= start < paragraph.end:
            heading = _RUN_IN.match(paragraph.text)
            return set(tokenize(heading.group(1))) if heading else set()
    return set()


class EvidenceBase:
    """Per-sentence data computed once when the assistant loads."""

    def __init__(
        self, doc: Document, vectors: np.ndarray, vocab: Vocabulary, scoring: ScoringSettings | None = None
    ) -> None:
        self.doc = doc
        self.w = scoring or ScoringSettings()
        self.sentences: list[Sentence] = doc.sentences
        self.vectors = vectors
        self.vocab = vocab
        self.position = {s.id: i for i, s in enumerate(self.sentences)}
        sections = {s.id: s for s in doc.sections}
        self.terms = [set(tokenize(s.text)) for s in self.sentences]
        self.title_terms = [
            set(tokenize(sections[s.section_id].path)) | run_in_heading(sections.get(s.section_id), s.start)
            if s.section_id in sections
            else set()
            for s in self.sentences
        ]
        self.years = [fact_years(s.text) for s in self.sentences]
        self.numbers = [
            [m for m in find_numbers(s.text) if not _is_year_mention(s.text, m.start, m.end)]
            for s in self.sentences
        ]
        self.cardinals = [
            find_cardinal_words(s.text) for s in self.sentences
        ]  # 'two regions': counts as words

    def score(
        self,
        terms: QueryTerms,
        query_vector: np.ndarray,
        candidates: list[int],
        prior: dict[int, float],
    ) -> list[SentenceScore]:
        """Score candidate sentences by weighted term coverage, dense similarity and retrieval prior."""
        weights = {
            t: self.vocab.weight(t) for t in terms.content if t in self.vocab.stems or t not in terms.unknown
        }
        total = sum(weights.values()) or 1.0
        expansions = set(terms.expansions)
        exact = {t for t in expansions if terms.expansion_weight.get(t, 0) >= 1.0}
        single = len(terms.content) == 1
        dense = self.vectors[candidates] @ query_vector if candidates else np.zeros(0)
        out = []
        for n, i in enumerate(candidates):
            own, title = self.terms[i], self.title_terms[i]
            got = 0.0
            matched = set()
            for t, w in weights.items():
                if t in own:
                    got += w
                    matched.add(t)
                elif t in title:
                    got += self.w.section_title * w
                    matched.add(t)
            for t in expansions & own:
                source = terms.content[terms.expansion_source[t]] if t in terms.expansion_source else None
                if source in weights and source not in matched:
                    # a synonym stands in for the question's word (at its synonym weight)
                    got += weights[source] * terms.expansion_weight.get(t, self.w.expansion)
                    matched.add(source)
            coverage = min(1.0, got / total)
            d = float(dense[n])
            score = (
                self.w.sentence_coverage * coverage
                + self.w.sentence_dense * d
                + self.w.sentence_prior * prior.get(i, 0.0)
            )
            if single and exact and exact <= own:
                # the sentence spells out what the question abbreviates (a definition)
                score += self.w.definition
            out.append(SentenceScore(i, score, coverage, d, frozenset(matched)))
        out.sort(key=lambda s: -s.score)
        return out


def _is_year_mention(text: str, start: int, end: int) -> bool:
    token = text[start:end].strip()
    return bool(re.fullmatch(r"(?:19|20)\d\d", token))


_UNIT_WORDS = {
    "%",
    "percent",
    "billion",
    "million",
    "thousand",
    "trillion",
    "dollars",
    "dollar",
    "usd",
    "of",
    "in",
}


def word_positions(text: str) -> list[tuple[int, str]]:
    """(character offset, stem) of each word token in ``text``."""
    out = []
    for match in re.finditer(r"[^\W_]+(?:[-'][^\W_]+)*", text):
        for part_match in re.finditer(r"[^\W_]+", match.group(0)):
            word = part_match.group(0).lower()
            out.append((match.start() + part_match.start(), word if word[0].isdigit() else stem(word)))
    return out
