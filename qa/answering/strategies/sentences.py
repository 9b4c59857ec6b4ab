"""Quoted sentences: the best sentence that passes the question's checks, and the next ones that
are nearly as close or add words of the question the first one lacks (more for list questions)."""

from __future__ import annotations

from qa.answering.candidate import Candidate, Evidence
from qa.answering.context import AnswerContext, Citations, sentence_citation
from qa.answering.evidence import SentenceScore
from qa.question.intent import Intent


def _compose_sentences(
    ctx: AnswerContext, good: list[SentenceScore], owner: dict[int, str], cites: Citations, intent: Intent
) -> Candidate:
    chosen = [good[0]]
    covered = set(good[0].matched)
    limit = ctx.settings.max_list_items if intent.listing else ctx.settings.max_sentences
    for s in good[1:]:
        if len(chosen) >= limit:
            break
        adds_terms = not s.matched <= covered
        ratio = (
            ctx.settings.plural_sentence_ratio
            if (intent.listing or intent.plural)
            else ctx.settings.second_sentence_ratio
        )
        if (
            intent.listing
            and s.coverage >= good[0].coverage
            and s.score >= ctx.settings.list_sentence_ratio * good[0].score
        ):
            # another item that matches the question as fully as the best one (e.g. each author)
            chosen.append(s)
            covered |= s.matched
            continue
        if (
            s.score >= ctx.settings.near_tie_ratio * good[0].score
            or (adds_terms and s.score >= ratio * good[0].score)
            or ((intent.listing or intent.plural) and s.score >= ratio * good[0].score)
        ):
            chosen.append(s)
            covered |= s.matched
    parts = []
    for s in chosen:
        n = cites.add(sentence_citation(ctx, s.index, owner.get(s.index)))
        parts.append(f"“{ctx.doc.sentences[s.index].text}” [{n}]")
    return Candidate(strategy="sentences", answer=" ".join(parts), citations=cites.items, score=good[0].score)


def propose(ev: Evidence) -> list[Candidate]:
    if not ev.good:
        return []
    return [_compose_sentences(ev.ctx, ev.good, ev.owner, Citations(), ev.question.intent)]
