"""What kind of answer a question wants (pure, English question patterns only)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMERIC = re.compile(
    r"\bhow (?:many|much|large|big|high|low|long|far|often)\b|\bwhat (?:percentage|percent|share|proportion|"
    r"fraction|number|amount|value|figure|total|sum|level|volume|size|rate)\b|\bhow many\b|%|\bpercent",
    re.IGNORECASE,
)
_COUNT = re.compile(r"\bhow many\b|\bnumber of\b", re.IGNORECASE)
_LIST = re.compile(
    r"^\s*(?:list|name|enumerate)\b|\bwhat are (?:the|its|their)\b|\bwhich (?:\w+ )?(?:\w+s)\b|\bwho are\b|"
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|all)\s+\w+",
    re.IGNORECASE,
)
_COMPARE = re.compile(
    r"\b(?:which|who|what) (?:is|was|has|had|have|are|were)?\s*(?:the )?(?:larger|largest|bigger|biggest|higher|"
    r"highest|greater|greatest|smaller|smallest|lower|lowest|more|most|less|least|fewer)\b|\bcompare|\bcompared\b"
    r"|\bmore than\b|\bless than\b",
    re.IGNORECASE,
)
_DIFFERENCE = re.compile(r"\bdifference\b|\bgap\b|\bhow much (?:more|less|higher|lower)\b", re.IGNORECASE)
_SUM = re.compile(r"\b(?:total of|sum of|combined|together|add up|in total)\b", re.IGNORECASE)
_RATIO = re.compile(r"\b(?:ratio|times (?:as|more|larger|bigger))\b", re.IGNORECASE)
_WHO = re.compile(r"^\s*(?:who|whom|whose)\b|\bwhich (?:author|authors|scholar|researcher)s?\b", re.IGNORECASE)
_WHEN = re.compile(r"^\s*when\b|\bwhat (?:date|year|day|month)\b|\bin which year\b", re.IGNORECASE)


@dataclass(frozen=True)
class Intent:
    numeric: bool
    count: bool
    listing: bool
    compare: bool
    difference: bool
    total: bool
    ratio: bool
    who: bool
    when: bool

    @property
    def arithmetic(self) -> bool:
        return self.compare or self.difference or self.total or self.ratio


def detect_intent(question: str) -> Intent:
    """Classify ``question`` by the answer form it expects."""
    return Intent(
        numeric=bool(_NUMERIC.search(question)),
        count=bool(_COUNT.search(question)),
        listing=bool(_LIST.search(question)),
        compare=bool(_COMPARE.search(question)),
        difference=bool(_DIFFERENCE.search(question)),
        total=bool(_SUM.search(question)),
        ratio=bool(_RATIO.search(question)),
        who=bool(_WHO.search(question)),
        when=bool(_WHEN.search(question)),
    )
