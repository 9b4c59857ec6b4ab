"""Items: a list question ('Which three theories ...?') answered by the sentence that lists them.

Only for questions that say how many items they want. The sentences of the retrieved passages are
searched, closest first, for a coordinated list ('A, B and C', 'A and B together with C') of that
many items; the sentence need only be among the retrieved ones (the lead-in sentence that names the
question's words often does not hold the items). The short answer is the list itself.
"""

from __future__ import annotations

from qa.answering.candidate import Candidate, Evidence
from qa.answering.context import Citations, sentence_citation
from qa.answering.spans import best_span, list_items


def propose(ev: Evidence) -> list[Candidate]:
    question = ev.question
    count = question.expected_count
    if question.answer_type != "list" or not count:
        return []  # without a number of items, the sentences strategy quotes every listing sentence
    pool = ev.scored[: ev.ctx.settings.list_search_depth]
    stems = set(question.terms.content) | set(question.terms.expansions)
    for scored in pool:
        sentence = ev.ctx.doc.sentences[scored.index]
        span = best_span(sentence.text, "list", question.text, stems, count=count)
        if span is None or len(list_items(span.text)) != count:
            continue
        cites = Citations()
        n = cites.add(sentence_citation(ev.ctx, scored.index, ev.owner.get(scored.index)))
        return [
            Candidate(
                strategy="items",
                answer=f"“{sentence.text}” [{n}]",
                citations=cites.items,
                short_answer=span.text,
                score=scored.score,
            )
        ]
    return []
