"""Candidates and the evidence they are proposed from (pure given arrays).

:func:`gather` collects, once per question, what every strategy reads: the retrieved sentences
scored against the question, those that pass the checks for this kind of question, and the table
values confident enough to answer with. Each strategy turns that :class:`Evidence` into
:class:`Candidate` answers; the arbiter picks one."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import numpy as np

from qa.answering.context import AnswerContext
from qa.answering.evidence import SentenceScore, fact_years
from qa.answering.ranker import cited
from qa.answering.spans import asks_per_group, distributive
from qa.question import NEGATIONS, AnalysedQuestion
from qa.question.scope import ASKS_FOR_REFERENCES
from qa.retrieval.tables import ValueMatch
from qa.schema import Citation, Computation, Conflict, Passage, TableValueHit
from qa.text import is_money

logger = logging.getLogger(__name__)

# what a sentence that denies something says: a negation word, or a verb or preposition of absence
# or exception (a closed class of English words)
DENYING = re.compile(
    r"\b(?:"
    + "|".join(sorted(NEGATIONS))
    + r"|fail\w*|lack\w*|unable|except|absent|rather than|instead of)\b|n't\b",
    re.IGNORECASE,
)


@dataclass
class Candidate:
    """One proposed answer: what it says and cites, which strategy proposed it, and how strong it is."""

    strategy: str
    answer: str
    abstained: bool = False
    citations: list[Citation] = field(default_factory=list)
    table_values: list[TableValueHit] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    computations: list[Computation] = field(default_factory=list)
    related_sections: list[str] = field(default_factory=list)
    short_answer: str | None = None
    score: float = 0.0
    features: dict[str, float] = field(default_factory=dict)


@dataclass
class Evidence:
    """What the strategies read, gathered once per question."""

    ctx: AnswerContext
    question: AnalysedQuestion
    passages: list[Passage]
    matches: list[ValueMatch]
    scored: list[SentenceScore]
    good: list[SentenceScore]
    confident: list[ValueMatch]
    owner: dict[int, str]
    # the sentences to quote, lead first (see quoted_sentences); ``good`` itself without a ranker
    quoted: list[SentenceScore] = field(default_factory=list)
    ranker_logits: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def best_sentence(self) -> SentenceScore | None:
        return self.good[0] if self.good else None

    @property
    def best_cell(self) -> ValueMatch | None:
        return self.confident[0] if self.confident else None


RANK_DECAY = 0.5  # prior of a sentence in the passage at rank r: 1 / (1 + RANK_DECAY * r)


def gather(
    ctx: AnswerContext, question: AnalysedQuestion, passages: list[Passage], matches: list[ValueMatch]
) -> Evidence:
    """Score the sentences of the retrieved passages and keep what can answer ``question``."""
    candidates: list[int] = []
    prior: dict[int, float] = {}
    owner: dict[int, str] = {}
    for rank, passage in enumerate(passages):
        for i in ctx.chunk_sentences.get(passage.id, []):
            if i not in prior:
                candidates.append(i)
                prior[i] = 1.0 / (1.0 + RANK_DECAY * rank)
                owner[i] = passage.id
    terms = question.terms
    ranked, logits = ranked_paragraphs(ctx, question)
    for k in ranked:
        for i in ctx.paragraphs.sentences[k]:  # type: ignore[union-attr]
            if i not in prior:
                candidates.append(i)
                prior[i] = 1.0
    if ctx.reference_sentences and not ASKS_FOR_REFERENCES.search(question.text):
        candidates = [i for i in candidates if i not in ctx.reference_sentences]
    if question.scope is not None:
        # the question names a part of the paper: its sentences and tables only, all of them
        inside = ctx.in_scope(question.scope)
        allowed = set(inside)
        candidates = [i for i in candidates if i in allowed]
        for i in inside:
            if i not in prior:
                candidates.append(i)
                prior[i] = 1.0
        matches = [m for m in matches if ctx.table_section.get(m.value.table) in question.scope.section_ids]
    if question.exclusion is not None:  # 'leaving X aside': no cell labelled X answers or is added
        matches = [m for m in matches if not question.exclusion.names_cell(m.value)]
    scored = ctx.evidence.score(terms, question.vector, candidates, prior) if terms.content else []
    good = [s for s in scored if sentence_ok(ctx, s, question)]
    confident = [m for m in matches if cell_ok(ctx, m, question)]
    quoted = quoted_sentences(ctx, question, good, scored, ranked, logits)
    return Evidence(ctx, question, passages, matches, scored, good, confident, owner, quoted, logits)


def quoted_sentences(
    ctx: AnswerContext,
    question: AnalysedQuestion,
    good: list[SentenceScore],
    scored: list[SentenceScore],
    ranked: list[int],
    logits: np.ndarray,
) -> list[SentenceScore]:
    """The sentences to quote, lead first, when the learned ranker has a say; else ``good``.

    The lead is the good sentence with the best blend of the hand score (relative to the best one)
    and its paragraph's ranker logit (relative to the best paragraph), weighted by
    ``ranker_weight``; a sentence outside every paragraph (front matter, table rows) gets no ranker
    term. When the lead lies in a paragraph and the question is no list question (whose items spread
    over sentences), the quote is the lead and the best good sentence of each other paragraph the
    ranker cites; otherwise the hand composition runs on ``good`` led by the lead. When that lead lies
    in a paragraph the ranker does not cite at all (and ``ranker_overrides_lead``), the quotes follow
    the ranker instead (:func:`ranker_quotes`).
    """
    if not ranked or not good:
        return good
    best_logit = float(logits[ranked[0]])
    top = good[0].score or 1.0

    def blend(s: SentenceScore) -> float:
        k = ctx.paragraph_of.get(s.index)
        bonus = 0.0 if k is None else float(logits[k]) - best_logit
        return s.score / top + ctx.settings.ranker_weight * bonus

    lead = max(good, key=blend)
    lead_paragraph = ctx.paragraph_of.get(lead.index)
    if lead_paragraph is None or question.intent.listing:
        return [lead, *(s for s in good if s is not lead)]
    if (
        lead_paragraph not in ranked
        and ctx.settings.ranker_overrides_lead
        and question.answer_type in ctx.settings.ranker_lead_types
    ):
        followed = ranker_quotes(ctx, question, good, scored, ranked)
        if followed:
            return followed
    chosen = {lead_paragraph: lead}
    for s in good:  # good is best first: each other cited paragraph's best sentence
        k = ctx.paragraph_of.get(s.index)
        if k in ranked and k not in chosen:
            chosen[k] = s
    order = {k: n for n, k in enumerate(ranked)}
    rest = sorted(
        (s for k, s in chosen.items() if k != lead_paragraph), key=lambda s: order[ctx.paragraph_of[s.index]]
    )
    return [lead, *rest]


def ranker_quotes(
    ctx: AnswerContext,
    question: AnalysedQuestion,
    good: list[SentenceScore],
    scored: list[SentenceScore],
    ranked: list[int],
) -> list[SentenceScore]:
    """One sentence of each paragraph the ranker cites, in its order: the best good sentence there, or
    else its closest scored sentence that passes the question's checks on the kind of answer (a
    number, a date, the year or name asked, a denial) but not the closeness thresholds: those were
    set on short factual questions, and on research questions the ranker finds the evidence paragraph
    more often than they do. Empty when the ranker's first paragraph has no such sentence."""
    best: dict[int, SentenceScore] = {}
    for s in good:  # best first
        k = ctx.paragraph_of.get(s.index)
        if k in ranked and k not in best:
            best[k] = s
    for s in scored:
        k = ctx.paragraph_of.get(s.index)
        if k in ranked and k not in best and sentence_ok(ctx, s, question, closeness=False):
            best[k] = s
    return [best[k] for k in ranked if k in best] if ranked[0] in best else []


def ranked_paragraphs(ctx: AnswerContext, question: AnalysedQuestion) -> tuple[list[int], np.ndarray]:
    """The paragraphs the learned ranker cites for ``question``, best first, and every paragraph's
    logit (nothing without a ranker)."""
    if ctx.ranker is None or ctx.paragraphs is None or not ctx.paragraphs.spans:
        return [], np.zeros(0)
    x = ctx.paragraphs.features(
        set(question.terms.content), question.vector, ctx.evidence.vectors, question.answer_type
    )
    scores = ctx.ranker.scores(x)
    pool = scores
    if question.scope is not None:  # cite only paragraphs of the sections the question names
        inside = np.array([s in question.scope.section_ids for s in ctx.paragraph_section], dtype=bool)
        if not inside.any():
            return [], scores
        pool = np.where(inside, scores, -np.inf)
    return cited(pool, ctx.ranker.margin, ctx.settings.max_evidence_paragraphs), scores


def cell_ok(ctx: AnswerContext, match: ValueMatch, question: AnalysedQuestion | None = None) -> bool:
    """A table value named clearly enough (each naming field, the year, the overall score) to answer with.

    With ``question``: also, every name the question is about must appear somewhere in the value's
    table (caption, headers, rows or cells, or an exact synonym): a table cannot answer a question
    about a thing it never mentions.
    """
    if question is not None:
        words = ctx.table_terms.get(match.value.table, set())
        if not all(question.terms.covered(e, words) for e in question.terms.entities):
            return False
    # how well each field is named, before the order decay (which ranks siblings named in the same
    # question, but does not make a field named late in the question less named)
    named = match.named if any(f is not None for f in match.named) else (match.row, match.column, match.item)
    fields_ok = all(f is None or f >= ctx.settings.min_field_score for f in named)
    any_field = any(f is not None and f >= ctx.settings.min_field_score for f in named)
    return (
        fields_ok
        and (any_field or match.named_table)
        and match.year_ok is not False
        and match.score >= ctx.settings.min_cell_score
    )


def sentence_ok(
    ctx: AnswerContext, s: SentenceScore, question: AnalysedQuestion, closeness: bool = True
) -> bool:
    """A sentence close enough to the question, naming its year, date, entity or number when asked.

    ``closeness=False`` skips the closeness thresholds (score and coverage) and keeps the checks on
    the kind of answer: for a sentence in a paragraph the learned ranker cites (see
    :func:`ranker_quotes`)."""
    terms, intent = question.terms, question.intent
    s_min_cov = ctx.settings.min_sentence_coverage
    # a close paraphrase ('Which doctor oversaw ...' for '... supervised by Dr. ...') shares few words
    # with the question; the answerability model then decides whether it is an answer
    paraphrase = s.dense >= ctx.settings.paraphrase_dense and s.coverage >= ctx.settings.paraphrase_coverage
    if closeness and not paraphrase:
        if s.score < ctx.settings.min_sentence_score or s.coverage < s_min_cov - ctx.settings.coverage_slack:
            return False
        if s.coverage < ctx.settings.min_sentence_coverage and s.score < ctx.settings.strong_sentence_score:
            return False
    if terms.years:
        # a year the question states as a fact must be a year the sentence (or its section) is about;
        # a year the question gives as a citation ("Haider (2022)") must appear in the sentence at all
        asked = fact_years(terms.text) & set(terms.years)
        cited_years = set(terms.years) - asked
        stated = ctx.evidence.years[s.index] | ctx.context_years[s.index]
        if asked and not asked & stated:
            return False
        if cited_years and not cited_years & ctx.all_years[s.index]:
            return False
    if intent.when and not ctx.dates[s.index]:
        return False
    if intent.month and not any(
        d.kind == "date" and re.search(r"[A-Za-z]", d.text) for d in ctx.dates[s.index]
    ):
        return False
    if len(terms.names) == 1:
        # the one name the question is about must be named by the evidence (or its section): by its
        # rarest word when it has several ('Dunmoran' of 'Dunmoran Bridge')
        entity = max(terms.names[0], key=ctx.vocab.weight)
        names = {entity} | {
            t
            for t, src in terms.expansion_source.items()
            if terms.content[src] == entity and terms.expansion_weight.get(t, 0) >= 1.0
        }
        if not names & (ctx.evidence.terms[s.index] | ctx.evidence.title_terms[s.index]):
            return False
    text = ctx.doc.sentences[s.index].text
    if (
        question.answer_type != "yesno"
        and (question.denies or question.prefix_negations)
        and not DENYING.search(text)
    ):
        # a sentence that denies nothing answers neither 'What cannot be solved by ...?' (the question was
        # built from it with a 'not' the paper never says) nor 'What is impossible for ...?' when it says
        # '... it is possible that ...'
        if question.denies:
            return False
        words = {w.lower() for w in re.findall(r"[^\W\d_]+", text)}
        if any(base in words and word not in words for word, base in question.prefix_negations):
            return False
    if question.counted is not None and intent.count:
        # a count of something else is no answer: 'How many women ...?' is not '3,240 households'
        said = ctx.evidence.terms[s.index] | ctx.evidence.title_terms[s.index]
        if not ({question.counted} | ctx.vocab.expand({question.counted})) & said:
            return False
    if intent.numeric and not intent.listing:
        numbers = ctx.evidence.numbers[s.index]
        if intent.count:
            # a count is no share and, unless money is asked, no amount of money ('cost £23,760')
            numbers = [
                m for m in numbers if not m.percent and (intent.money or not is_money(text, m.start, m.end))
            ] or ctx.evidence.cardinals[s.index]
            if not asks_per_group(question.text):
                # 'Within each district, three schools ...' does not say how many schools in all
                numbers = [m for m in numbers if not distributive(text, m.start, m.end)]
        if intent.money:
            # 'How much did the capsules cost?' is not answered by '2,000 IU' or 'Grade 8'
            numbers = [m for m in numbers if is_money(text, m.start, m.end)]
        if not numbers:
            return False
    return True


def evidence_features(ev: Evidence) -> dict[str, float]:
    """What the evidence looked like, for the answerability model and for inspection."""
    top = ev.scored[0] if ev.scored else None
    cell = ev.matches[0] if ev.matches else None
    logits = np.sort(ev.ranker_logits)[::-1]
    return {
        "sentence_score": top.score if top else 0.0,
        "sentence_coverage": top.coverage if top else 0.0,
        "sentence_dense": top.dense if top else 0.0,
        "passed_sentences": float(len(ev.good)),
        "cell_score": cell.score if cell else 0.0,
        "confident_cells": float(len(ev.confident)),
        "unknown_share": ev.question.terms.unknown_share,
        "content_terms": float(len(ev.question.terms.content)),
        "passage_score": ev.passages[0].score if ev.passages else 0.0,
        "ranker_top": float(logits[0]) if len(logits) else 0.0,
        "ranker_gap": float(logits[0] - logits[1]) if len(logits) > 1 else 0.0,
    }
