"""Section lists: a question whose words name a section title ('What are the recommendations?')
is answered with that section's items (or the one item an ordinal asks for: 'the second objective')."""

from __future__ import annotations

from qa.answering.candidate import Candidate, Evidence
from qa.answering.context import AnswerContext, Citations, sentence_citation
from qa.question.intent import Intent
from qa.retrieval.query import QueryTerms
from qa.schema import Section
from qa.text import is_year

_ORDINAL_WORDS = {
    1: "first",
    2: "second",
    3: "third",
    4: "fourth",
    5: "fifth",
    6: "sixth",
    7: "seventh",
    8: "eighth",
    9: "ninth",
    10: "tenth",
}


def _section_listing(ctx: AnswerContext, terms: QueryTerms, intent: Intent) -> Section | None:
    """A section whose title the question names and that is the question's whole topic."""
    query = set(terms.content) | set(terms.expansions)
    weights = {t: ctx.vocab.weight(t) for t in terms.content if not is_year(t) and t in ctx.vocab.stems}
    total = sum(weights.values()) or 1.0
    best: tuple[float, Section] | None = None
    for section in ctx.doc.sections:
        title = ctx.section_terms[section.id]
        if not title or not title <= query:
            continue
        if not ctx.section_sentences.get(section.id) and not ctx.children.get(section.id):
            continue
        share = sum(w for t, w in weights.items() if t in title) / total
        needed = (
            ctx.settings.listing_share_ordinal if intent.ordinal is not None else ctx.settings.listing_share
        )
        if share >= needed and (best is None or share > best[0]):
            best = (share, section)
    if best is None:
        return None
    section = best[1]
    body = ctx.section_sentences.get(section.id, [])
    is_list = any(p.kind == "list_item" for p in section.paragraphs)
    if is_list or (intent.listing and (len(body) <= ctx.settings.max_list_items)) or not body:
        return section
    if intent.ordinal is not None and is_list:
        return section
    return None


def _compose_listing(
    ctx: AnswerContext, section: Section, cites: Citations, ordinal: int | None = None
) -> Candidate:
    lines = []
    body = ctx.section_sentences.get(section.id, [])
    if ordinal is not None and body and -len(body) <= (ordinal - 1 if ordinal > 0 else ordinal) < len(body):
        # "the second objective": that item only
        i = body[ordinal - 1 if ordinal > 0 else ordinal]
        n = cites.add(sentence_citation(ctx, i))
        which = _ORDINAL_WORDS.get(ordinal, "last")
        return Candidate(
            strategy="listing",
            answer=f"{section.title}, the {which} item: “{ctx.doc.sentences[i].text}” [{n}]",
            abstained=False,
            citations=cites.items,
        )
    body = body[: ctx.settings.max_list_items]
    for i in body:
        n = cites.add(sentence_citation(ctx, i))
        lines.append(f"- {ctx.doc.sentences[i].text} [{n}]")
    for child in ctx.children.get(section.id, [])[: ctx.settings.max_list_items]:
        first = (ctx.section_sentences.get(child.id) or [None])[0]
        if first is None:
            lines.append(f"- {child.title}")
            continue
        n = cites.add(sentence_citation(ctx, first))
        lines.append(f"- {child.title}: {ctx.doc.sentences[first].text} [{n}]")
    head = f"{section.title} ({section.path}):" if section.path != section.title else f"{section.title}:"
    return Candidate(
        strategy="listing", answer=head + "\n" + "\n".join(lines), abstained=False, citations=cites.items
    )


def propose(ev: Evidence) -> list[Candidate]:
    """The listed section, unless a table cell answers clearly better than any sentence."""
    section = _section_listing(ev.ctx, ev.question.terms, ev.question.intent)
    if section is None:
        return []
    best = ev.best_sentence.score if ev.best_sentence else 0
    if ev.best_cell is not None and ev.best_cell.score > best + ev.ctx.settings.cell_over_listing_margin:
        return []
    return [_compose_listing(ev.ctx, section, Citations(), ev.question.intent.ordinal)]
