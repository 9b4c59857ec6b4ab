"""What a question leaves out: "Leaving X aside, ...", "excluding X", "other than X", "apart from X".

Answering drops the table cells whose row, column or part label the excluded words name, so neither
the answer nor a sum "of the rest" includes X. The words stay in the question's terms: in "Do they
use languages other than English?" they are what the question is about. (Taking them out made no
difference on Qasper train, 18.24 answer F1 either way; it cost 0.8 yes/no F1 on Qasper validation,
which is how it was noticed.) The phrase is found by pattern from closed-class
English only; what X is comes from the question itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.schema import TableValue
from qa.text import tokenize

_X = r"(?P<x>[^,;?]+?)"
_PATTERNS = (
    # 'Leaving X aside, ...' / 'setting X aside' / 'putting X to one side'
    re.compile(rf"\b(?:leaving|setting|putting|laying)\s+{_X}\s+(?:aside|to one side)\b", re.IGNORECASE),
    # 'leaving aside X', 'excluding X', 'except (for) X', 'other than X', 'apart from X', 'not counting X'
    re.compile(
        rf"\b(?:(?:leaving|setting|putting) aside|excluding|except(?: for)?|other than|apart from|aside from|"
        rf"not counting|without counting|leaving out)\s+(?:the\s+)?{_X}(?=\s*(?:[,;?]|$))",
        re.IGNORECASE,
    ),
)


@dataclass(frozen=True)
class Exclusion:
    """The phrase that leaves something out, and the word stems naming what it leaves out."""

    phrase: str
    terms: frozenset[str]

    def names(self, label: str | None) -> bool:
        """Whether ``label`` (a row, column or part label) is what the question leaves out."""
        return bool(label) and self.terms <= set(tokenize(label))

    def names_cell(self, value: TableValue) -> bool:
        """Whether the cell is what the question leaves out: by its part's label when it is a part of a
        cell ('KP: 60%'; its column may list every part), else by its row or column."""
        if value.item:
            return self.names(value.item)
        return self.names(value.row) or self.names(value.column)


def find_exclusion(text: str) -> Exclusion | None:
    """The exclusion ``text`` states (None when it leaves nothing out or names no content words)."""
    for pattern in _PATTERNS:
        match = pattern.search(text)
        if match:
            terms = frozenset(tokenize(match.group("x")))
            if terms:
                return Exclusion(phrase=match.group(0), terms=terms)
    return None
