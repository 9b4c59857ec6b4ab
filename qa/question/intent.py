"""What kind of answer a question wants (pure, English question patterns only)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

from qa.text import COUNT_QUESTION, MONEY_QUESTION

# 'how fast', 'how deep', 'how old' ... ask for a measure; 'how quickly' is left out, as it is often answered
# by a manner ('in less than quadratic time', a SQuAD training question)
_NUMERIC = re.compile(
    r"\bhow (?:many|much|large|big|high|low|long|far|often|fast|slow|deep|tall|heavy|wide|old|thick|warm|cold|hot)\b|\bwhat (?:percentage|percent|share|proportion|"
    r"fraction|number|amount|value|figure|total|sum|level|volume|size|rate)\b|\bhow many\b|%|\bpercent"
    # the measure noun heading a longer phrase: 'What was the overall left-without-being-seen rate before ...?'
    r"|\bwhat (?:is|was|are|were) the (?:[\w-]+ ){0,3}(?:percentage|share|proportion|fraction|number|amount|"
    r"total|level|rate|size)(?=\s+(?:of|in|at|for|among|before|after|during|between|per|across|on|by|from|with)\b"
    r"|\s*\?|\s*$)",
    re.IGNORECASE,
)
_LIST = re.compile(
    r"^\s*(?:list|name|enumerate)\b|\blist\b|\bwhat are (?:the|its|their)\b|\bwhich (?:\w+ )?(?!\w*(?:ss|is|us)\b|(?:was|has|does)\b)\w+s\b|\bwho are\b|"
    r"(?<!per )(?<!every )\b(?:two|three|four|five|six|seven|eight|nine|ten|all)\s+\w+",
    re.IGNORECASE,
)
_COMPARE = re.compile(
    r"\b(?:which|who|what) (?:is|was|has|had|have|are|were)?\s*(?:the )?(?:larger|largest|bigger|biggest|higher|"
    r"highest|greater|greatest|smaller|smallest|lower|lowest|more|most|less|least|fewer)\b|\bcompare|\bcompared\b"
    r"|\bmore than\b|\bless than\b",
    re.IGNORECASE,
)
# 'Which project adds more, A or B?': a choice between named options by a comparative is a comparison
_CHOICE_COMPARATIVE = re.compile(
    r"^\s*(?:which|who|what)\b(?=.*\b(?:larger|bigger|higher|greater|smaller|lower|more|less|fewer)\b)"
    r"(?=.*\bor\b(?!\s+not\b))",
    re.IGNORECASE,
)
_DIFFERENCE = re.compile(
    r"\bdifference\b|\bgap\b|\bby how (?:much|many)\b|\bhow (?:much|many)(?: \w+){0,2} (?:more|less|higher|lower|fewer|greater)\b"
    r"|\b(?:more|less|higher|lower|fewer|greater|bigger|smaller|larger) than\b",
    re.IGNORECASE,
)
_SUM = re.compile(
    r"\b(?:total of|sum of|combined|together|add(?:ing|ed)? up|in total|altogether|summed)\b", re.IGNORECASE
)
_SHARE_OF = re.compile(
    r"\b(?:share|proportion|percentage|fraction|percent) of (?:the )?(?:\w+ ){0,4}(?:total|all)\b"
    r"|\bmake up what\b|\bwhat (?:share|proportion|percentage|fraction) of\b.*\b(?:total|volume)\b",
    re.IGNORECASE,
)
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "5th": 5,
    "6th": 6,
    "7th": 7,
    "8th": 8,
    "9th": 9,
    "10th": 10,
    "last": -1,
}
_ORDINAL = re.compile(r"\b(" + "|".join(_ORDINALS) + r")\b", re.IGNORECASE)
_MISSING = re.compile(r"\b(?:no|missing|not given|not available|without|lacks?|n/a)\b", re.IGNORECASE)
_RATIO = re.compile(r"\b(?:ratio|times (?:as|more|larger|bigger))\b", re.IGNORECASE)
_WHO = re.compile(
    r"^\s*(?:who|whom|whose)\b|\bwhich (?:author|authors|scholar|researcher)s?\b", re.IGNORECASE
)
_PLURAL = re.compile(r"\b[a-z]{3,}(?:ies|[^su'\s]s)\b")
_UNIT = re.compile(
    r"\b(?:what|which|in what|in which) (?:unit|units|currency)\b|\bmeasured in\b|(?<!many )\bunits? (?:of|are|is)\b",
    re.IGNORECASE,
)
_WHEN = re.compile(r"^\s*when\b|\b(?:what|which) (?:date|year|day|month)\b|\bin which year\b", re.IGNORECASE)
_MONTH = re.compile(r"\bmonth\b", re.IGNORECASE)
# a change in money may be answered by a percentage: 'By how much did costs rise?'
_CHANGE = re.compile(
    r"\bby how much\b|%|\bpercent|\bshare\b|\b(?:rise|rose|risen|increase[ds]?|fall|fell|fallen|decrease[ds]?|grow|grew|"
    r"grown|drop(?:ped)?|change[ds]?|cut)\b",
    re.IGNORECASE,
)


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
    plural: bool = False
    unit: bool = False
    month: bool = False
    share_of_total: bool = False
    ordinal: int | None = None
    missing: bool = False
    extreme: str | None = None  # 'max' or 'min': 'Which model has the highest average?'
    money: bool = False  # 'How much did the capsules cost?': an amount of money, not any figure

    @property
    def arithmetic(self) -> bool:
        return (
            self.compare
            or self.difference
            or self.total
            or self.ratio
            or self.share_of_total
            or bool(self.extreme)
        )


_EXTREME = re.compile(
    r"^\s*(?:which|who|what|is|are|was|were|do|does|did|has|have|had)\b.*?\b(?:(?P<max>highest|largest|biggest|greatest|most|"
    r"deepest|longest|widest|heaviest|farthest|tallest|oldest)|"
    r"(?P<min>lowest|smallest|least|fewest|shallowest|shortest|narrowest|lightest|youngest))\b",
    re.IGNORECASE,
)


def _extreme(question: str) -> str | None:
    """'max' for 'Which ... the highest ...?' (or 'Did X give the highest ...?'), 'min' for '... the
    lowest ...', else None."""
    m = _EXTREME.search(question)
    if m is None or _CHOICE.search(question):
        return None  # 'Which is larger, A or B?' compares the named options instead
    return "max" if m.group("max") else "min"


_AFTER_COUNTED = frozenset(
    "were was are is did does do have has had will would can could in of on at per for from with there".split()
)


def counted_noun(question: str) -> str | None:
    """What a 'how many' question counts: the last word of the phrase after 'how many', which ends at a
    verb or preposition ('How many security incidents occurred ...' -> 'incidents'); None when unclear."""
    m = re.search(r"\bhow many\s+(.*)", question, re.IGNORECASE)
    if m is None:
        return None
    words = re.findall(r"[^\W\d_][\w'-]*", m.group(1).lower())
    for k, word in enumerate(words[:5]):
        if k and (word in _AFTER_COUNTED or (word.endswith("ed") and len(word) > 4)):
            return words[k - 1]
    # 'How many bare-metal servers made up ...': no stop word; the first plural noun is what is counted
    return next((w for w in words[:3] if _PLURAL.fullmatch(w)), None)


def detect_intent(question: str) -> Intent:
    """Classify ``question`` by the answer form it expects."""
    return Intent(
        numeric=bool(_NUMERIC.search(question)),
        count=bool(COUNT_QUESTION.search(question)),
        listing=bool(_LIST.search(question)) and not _CHOICE_COMPARATIVE.search(question),  # one of A or B
        compare=bool(_COMPARE.search(question) or _CHOICE_COMPARATIVE.search(question)),
        difference=bool(_DIFFERENCE.search(question)),
        total=bool(_SUM.search(question)),
        ratio=bool(_RATIO.search(question)),
        who=bool(_WHO.search(question)),
        when=bool(_WHEN.search(question)),
        plural=bool(_PLURAL.search(question)) and not COUNT_QUESTION.search(question),
        unit=bool(_UNIT.search(question)),
        month=bool(_MONTH.search(question)),
        share_of_total=bool(_SHARE_OF.search(question)),
        ordinal=_ORDINALS[m.group(1).lower()] if (m := _ORDINAL.search(question)) else None,
        missing=bool(_MISSING.search(question)),
        extreme=_extreme(question),
        money=bool(MONEY_QUESTION.search(question))
        and bool(_NUMERIC.search(question))
        and not COUNT_QUESTION.search(question)
        and not _CHANGE.search(question),
    )


# ---------------------------------------------------------------------------------------------------
# Expected answer type. The patterns are English question syntax (interrogatives, auxiliaries and
# the nouns that name a kind of answer), a closed class of words, not knowledge about any paper.

AnswerType = Literal["yesno", "number", "date", "person", "place", "list", "span"]
ANSWER_TYPES: tuple[str, ...] = get_args(AnswerType)

_AUXILIARY_START = re.compile(
    r"^\s*(?:(?:and|so|but|then|also)\s*,?\s+)?(?:is|are|was|were|do|does|did|can|could|has|have|had|will|would|"
    r"should|shall|may|might|must|isn't|aren't|wasn't|weren't|doesn't|don't|didn't)\b",
    re.IGNORECASE,
)
_CHOICE = re.compile(r"\bor\b(?!\s+not\b)", re.IGNORECASE)
_DATE_TYPE = re.compile(
    r"^\s*(?:since|until)?\s*when\b|\b(?:what|which|in what|in which)\s+(?:\w+\s+)?(?:year|years|date|day|month|"
    r"decade|century|period|time)\b|\bhow long ago\b",
    re.IGNORECASE,
)
_PERSON_TYPE = re.compile(
    r"^\s*(?:who|whom|whose)\b|\b(?:which|what)\s+(?:\w+\s+)?(?:person|people|author|authors|leader|leaders|"
    r"scholar|researcher|king|queen|president|minister|ruler|founder|writer|scientist|doctor|physician|nurse|"
    r"professor|engineer|investigator|supervisor|coordinator|director|officer|manager|chair|editor)\b|\bby whom\b",
    re.IGNORECASE,
)
_PLACE_TYPE = re.compile(
    r"^\s*where\b|\b(?:what|which|in what|in which|from what|from which)\s+(?:\w+\s+)?(?:country|countries|city|"
    r"cities|region|regions|place|places|province|provinces|state|states|continent|location|area|town|river|"
    r"county|counties|district|districts|village|villages|municipality|municipalities|island|islands|capital)\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_COUNTED = re.compile(
    r"\b(two|three|four|five|six|seven|eight|nine|ten|\d)\s+(?:main\s+|key\s+|major\s+)?\w+", re.I
)


_ABOUT_THE_PAPER = re.compile(
    r"^\s*(?:(?:and|so|but|then|also)\s*,?\s+)?(?:do|does|did|is|are|was|were|can|could|has|have|had|will|would)"
    r"(?:n't|\s+not)?\s+(?:they|we|you|the authors?|this (?:paper|work|study|article|research)|the (?:paper|study|"
    r"article|work|research|authors?|proposed\b[\w\s-]*|model|method|approach|system|dataset|corpus|data|experiments?|"
    r"evaluation|results?))\b",
    re.IGNORECASE,
)


def about_the_paper(question: str) -> bool:
    """A yes/no question about what the paper itself does ('Do they use BERT?', 'Is the dataset
    public?'): when the paper never says so, 'No' is the answer, not silence."""
    return bool(_ABOUT_THE_PAPER.match(question))


def expected_count(question: str) -> int | None:
    """'Which three theories ...' -> 3: how many items a list question asks for, if it says."""
    match = _COUNTED.search(question)
    if not match or re.match(r"^\s*how\b", question, re.IGNORECASE):
        return None
    word = match.group(1).lower()
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


_ASKS_FOR_ITEMS = re.compile(
    r"^\s*(?:which|what|name|list)\s+(?:the\s+)?(?:two|three|four|five|six|seven|eight|nine|ten|[2-9])\b",
    re.IGNORECASE,
)


def answer_type(question: str, intent: Intent | None = None) -> AnswerType:
    """The kind of answer ``question`` wants: a yes/no, a number, a date, a person, a place, a list of
    items, or a span of text. A choice question ('Is it A or B?') wants a span, not a yes/no."""
    intent = intent or detect_intent(question)
    if _AUXILIARY_START.match(question) and not _CHOICE.search(question):
        return "yesno"
    if _DATE_TYPE.search(question) or intent.when:
        return "date"
    if intent.numeric and not intent.listing:
        return "number"
    if _ASKS_FOR_ITEMS.search(question):
        return "list"  # 'Which three cities ...?' wants three places: a list first
    if _PERSON_TYPE.search(question):
        return "person"
    if _PLACE_TYPE.search(question):
        return "place"
    if intent.listing or expected_count(question):
        return "list"
    return "span"
