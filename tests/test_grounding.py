"""Every number in every answer to every gold question appears in what the answer cites (a cited
sentence or cell, its section path) or in arithmetic shown on cited cells."""

from __future__ import annotations

import re

import pytest

from qa.evaluation.gold import load_gold
from tests.conftest import GOLD

NUMBER = re.compile(r"(?<![\w.])[+-]?\d+(?:[.,]\d+)*")


def numbers(text: str) -> set[str]:
    return {n.strip("+-").replace(",", "") for n in NUMBER.findall(text)}


@pytest.fixture(scope="module")
def answers(assistant):
    return [(q, assistant.ask(q.question, history=q.history or None)) for q in load_gold(GOLD)]


def test_every_number_in_an_answer_is_grounded(answers):
    ungrounded = {}
    for q, a in answers:
        allowed = set()
        for c in a.citations:
            allowed |= numbers(c.quote) | numbers(c.section)
        for comp in a.computations:
            allowed |= numbers(comp.expression)
            cited_ids = {c.id for c in a.citations}
            assert set(comp.operands) <= cited_ids, f"{q.id}: arithmetic on uncited cells"
        if a.abstained:
            allowed |= numbers(q.question) | numbers(" ".join(a.related_sections))
        text = re.sub(r"\[\d+\]", " ", a.answer)  # citation markers are not claims
        extra = numbers(text) - allowed
        if extra:
            ungrounded[q.id] = sorted(extra)
    assert not ungrounded, f"numbers not found in any cited source: {ungrounded}"


def test_abstentions_cite_nothing(answers):
    assert all(not a.citations and not a.table_values for _, a in answers if a.abstained)


def test_cited_quotes_are_verbatim(assistant, answers):
    doc = assistant.document
    cells = {v.id: v for v in doc.table_values}
    for q, a in answers:
        for c in a.citations:
            if c.kind in ("sentence", "metadata"):
                assert doc.text[c.start : c.end] == c.quote, q.id
            elif c.id in cells:
                assert cells[c.id].value == c.quote, q.id
