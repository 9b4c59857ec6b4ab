"""Items: a list question ('Which three theories ...?') answered by the sentence that lists them.

A list question without a count (or a 'what <plural> ...?' question) takes the list a sentence
announces for the noun the question asks for, after a colon, 'such as', 'including' or 'namely'
('... among three habitat types: A, B and C' for 'Which habitats ...?'). Otherwise only questions
that say how many items they want are answered here: the sentences of the retrieved passages are
searched, closest first, for a coordinated list ('A, B and C', 'A and B together with C') of that
many items, or for a lead-in ending in a colon that a bulleted list of that many items follows
('... three focal species:' then '- A', '- B', '- C'); the sentence need only be among the retrieved
ones (the lead-in sentence that names the question's words often does not hold the items). The short
answer is the list itself.
"""

from __future__ import annotations

import re

from qa.answering.candidate import Candidate, Evidence
from qa.answering.context import AnswerContext, Citations, sentence_citation
from qa.answering.evidence import SentenceScore
from qa.answering.spans import best_span, list_items, list_spans
from qa.text import tokenize


def _bullets_after(ctx: AnswerContext, index: int) -> list[int]:
    """For a sentence ending in a colon: the first sentence of each list item right after its paragraph."""
    sentence = ctx.doc.sentences[index]
    if not sentence.text.rstrip().endswith(":"):
        return []
    paragraphs = ctx.sections[sentence.section_id].paragraphs
    at = next((k for k, p in enumerate(paragraphs) if p.start <= sentence.start < p.end), None)
    if at is None:
        return []
    items = []
    for p in paragraphs[at + 1 :]:
        if p.kind != "list_item":
            break
        first = next(
            (
                j
                for j in range(index + 1, len(ctx.doc.sentences))
                if p.start <= ctx.doc.sentences[j].start < p.end
            ),
            None,
        )
        if first is not None:
            items.append(first)
    return items


def _compose_bullets(ev: Evidence, lead: SentenceScore, bullets: list[int]) -> Candidate:
    """The lead-in and its items, each cited; the short answer joins the items."""
    ctx = ev.ctx
    cites = Citations()
    n = cites.add(sentence_citation(ctx, lead.index, ev.owner.get(lead.index)))
    lines = [f"“{ctx.doc.sentences[lead.index].text}” [{n}]"]
    texts = []
    for j in bullets:
        text = ctx.doc.sentences[j].text.strip().rstrip(".;,")
        texts.append(text)
        lines.append(f"- {text} [{cites.add(sentence_citation(ctx, j, ev.owner.get(j)))}]")
    short = ", ".join(texts[:-1]) + " and " + texts[-1] if len(texts) > 1 else texts[0]
    return Candidate(
        strategy="items",
        answer="\n".join(lines),
        citations=cites.items,
        short_answer=short,
        score=lead.score,
    )


# a lead-in that names the kind of thing listed just before a colon: 'three habitat types: A, B and C'
LEAD_WORDS = 4  # how many words before the colon (or "such as", "including", "namely") may name it
# a preposition or relative pronoun that carries the last item's noun phrase on ('the rate of ...')
_CONTINUES = re.compile(r"(?:of|for|in|on|at|with|without|from|by|who|which|that|whose)\b", re.IGNORECASE)
# 'What datasets ...?', 'Which evaluation metrics ...?': a plural right after the question word (or one
# word later), so several things may answer; 'process', 'hypothesis' or 'status' are not plurals
_ASKS_PLURAL = re.compile(
    r"\s*(?:what|which)\s+(?:[a-z-]+\s+)?(?!\w*(?:ss|is|us)\b|(?:does|goes)\b)[a-z]{3,}s\b", re.IGNORECASE
)
# the noun a 'what/which' question asks for: 'which habitats', 'what kinds of material', 'what are the
# baselines', 'which evaluation metrics' (its first two words)
_ASKED = re.compile(
    r"\b(?:what|which)\s+(?:(?:are|were|is|was)\s+(?:the\s+)?)?(?:(?:kinds?|types?|sorts?|forms?)\s+of\s+)?"
    r"([^\W\d_][\w-]*)(?:\s+([^\W\d_][\w-]*))?",
    re.IGNORECASE,
)


def asked_nouns(question: str) -> set[str]:
    """Stems of the noun a 'what/which' question asks for (its first two words), or an empty set."""
    match = _ASKED.search(question)
    if match is None:
        return set()
    return set(tokenize(" ".join(w for w in match.groups() if w)))


_LEAD = re.compile(r":|,?\s+(?:such as|including|namely)\s", re.IGNORECASE)


def enumeration(sentence: str, stems: set[str]) -> str | None:
    """The items a sentence lists after a colon (or 'such as', 'including', 'namely'), when one of the
    last words before it is one of ``stems`` ('... among three habitat types: eelgrass meadows,
    kelp-forest margins and unvegetated sand.' for 'Which habitats ...?'). After a colon the rest of the
    sentence is the list; otherwise a last item that a preposition or relative pronoun carries to the
    end of the sentence is kept whole ('and the rate of patients who left without being seen')."""
    lead = _LEAD.search(sentence)
    if lead is None or not set(tokenize(" ".join(sentence[: lead.start()].split()[-LEAD_WORDS:]))) & stems:
        return None
    tail = sentence[lead.end() :]
    if lead.group(0) == ":":
        # after a colon the enumeration is the rest of the sentence, items with their own parentheses
        # and clauses ('iron (as sodium iron EDTA), zinc and folic acid')
        listed = tail.strip().rstrip(" .!")
        return listed if len(list_items(listed)) >= 2 else None
    spans = list_spans(tail)
    if not spans:
        return None
    span = spans[0]
    rest = tail[span.end :].strip()
    if _CONTINUES.match(rest) and re.fullmatch(r"[\w\s'’-]*[.!]?", rest):
        # 'and the rate of patients who left without being seen.': the last item runs to the sentence's end
        return tail[span.start :].rstrip(" .!")
    return span.text


def _quoted(ev: Evidence, scored: SentenceScore, listed: str) -> Candidate:
    """The sentence that lists the items, cited; the short answer is the list."""
    cites = Citations()
    n = cites.add(sentence_citation(ev.ctx, scored.index, ev.owner.get(scored.index)))
    return Candidate(
        strategy="items",
        answer=f"“{ev.ctx.doc.sentences[scored.index].text}” [{n}]",
        citations=cites.items,
        short_answer=listed,
        score=scored.score,
    )


def propose(ev: Evidence) -> list[Candidate]:
    question = ev.question
    count = question.expected_count
    if question.answer_type != "list" and not (
        question.answer_type == "span" and _ASKS_PLURAL.match(question.text)
    ):
        return []
    pool = ev.scored[: ev.ctx.settings.list_search_depth]
    stems = set(question.terms.content) | set(question.terms.expansions)
    if not count:
        # without a number of items: a sentence that announces the kind of thing the question asks for
        # and lists it after a colon; else the sentences strategy quotes every listing sentence
        asked = asked_nouns(question.text)
        for scored in pool if asked else []:
            sentence = ev.ctx.doc.sentences[scored.index].text
            listed = enumeration(sentence, asked)
            if listed is not None:
                return [_quoted(ev, scored, listed)]
        return []
    for scored in pool:
        sentence = ev.ctx.doc.sentences[scored.index]
        bullets = _bullets_after(ev.ctx, scored.index)
        if len(bullets) == count:
            return [_compose_bullets(ev, scored, bullets)]
        span = best_span(sentence.text, "list", question.text, stems, count=count)
        if span is None or len(list_items(span.text)) != count:
            continue
        return [_quoted(ev, scored, span.text)]
    return []
