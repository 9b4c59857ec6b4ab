"""Quoted sentences: the lead sentence (the best that passes the question's checks, blended with the
learned ranker's view of its paragraph), the next ones that are nearly as close or add words of the
question the lead lacks (more for list questions), and the best sentence of each other paragraph the
ranker cites. When the ranker has a say, a further sentence from a paragraph it does not cite is quoted
only when the hand score clearly prefers it to the lead (``outside_ranker_ratio``)."""

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
    lead = ev.quoted[0] if ev.quoted else ev.good[0]
    ordered = [lead, *(s for s in ev.good if s is not lead)]
    if ev.quoted is ev.good or ev.question.intent.listing or ev.ctx.paragraph_of.get(lead.index) is None:
        return [_compose_sentences(ev.ctx, ordered, ev.owner, Citations(), ev.question.intent)]
    # the learned ranker had a say: outside the paragraphs it chose, only a sentence the hand score
    # clearly prefers to the lead is quoted, not a near tie
    chosen = {ev.ctx.paragraph_of.get(s.index) for s in ev.quoted}
    floor = ev.ctx.settings.outside_ranker_ratio * lead.score
    ordered = [
        s for s in ordered if s is lead or ev.ctx.paragraph_of.get(s.index) in chosen or s.score >= floor
    ]
    candidate = _compose_sentences(ev.ctx, ordered, ev.owner, Citations(), ev.question.intent)
    # the learned ranker cites more paragraphs: add the best sentence of each one not yet quoted
    cites = Citations()
    for c in candidate.citations:
        cites.add(c)
    position = ev.ctx.evidence.position  # sentence id -> index
    quoted = {ev.ctx.paragraph_of.get(position[c.id]) for c in candidate.citations if c.id in position}
    parts = [candidate.answer]
    for s in ev.quoted[1:]:
        if ev.ctx.paragraph_of.get(s.index) in quoted:
            continue
        n = cites.add(sentence_citation(ev.ctx, s.index, ev.owner.get(s.index)))
        parts.append(f"“{ev.ctx.doc.sentences[s.index].text}” [{n}]")
    return [
        Candidate(strategy="sentences", answer=" ".join(parts), citations=cites.items, score=candidate.score)
    ]
