"""Short answers: the span of a cited sentence that answers the question (pure).

Given one sentence and the analysed question, propose the spans of the kind the question asks for
(numbers with their units, dates of any form, names of people, places and organisations, a
coordinated list of items) and pick the one standing closest to the words the sentence shares with
the question, never a span the question itself already says. ``None`` means no span of the wanted
kind is in the sentence: then the passage is the answer.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from qa.answering.evidence import fact_years
from qa.text import STOPWORDS, find_cardinal_words, find_numbers, is_money, is_part_label, stem

_MONTH_NAMES = frozenset(m for m in list(calendar.month_name) + list(calendar.month_abbr) if m)
_MONTHS = "|".join(m for m in list(calendar.month_name)[1:] + list(calendar.month_abbr)[1:] if m)
_ORDINAL = r"(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|twenty-first)"
_DATE_PATTERNS = [
    # 15 March 2025 / March 15, 2025 / March 2025 / March
    re.compile(rf"\b(?:\d{{1,2}}\s+)?(?:{_MONTHS})\.?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s+\d{{3,4}})?\b"),
    # the 1990s, the 1060s
    re.compile(r"\b(?:early |mid-|mid |late )?\d{2,3}0s\b"),
    # the 10th century, the early eleventh century
    re.compile(
        rf"\b(?:early |mid-|mid |late )?{_ORDINAL}[ -]century(?:\s+(?:BC|BCE|AD|CE))?\b", re.IGNORECASE
    ),
    # 911, 1066 AD, 44 BC: a year of any century, with its era when printed
    re.compile(
        r"\b\d{1,4}\s*(?:BC|BCE|AD|CE)\b|\b(?:AD|CE)\s*\d{1,4}\b|(?<![\d.,$])\b\d{3,4}\b(?![.,]\d|\s*%)"
    ),
]
_YEAR_CONTEXT = re.compile(
    r"(?:\b(?:in|since|from|until|till|by|of|year|years|around|about|circa|c\.|before|after|during|between|and|to|"
    r"early|late|mid)\s*)$",
    re.IGNORECASE,
)
_NAME_WORD = r"(?:[A-Z][\w'’.-]*|[A-Z]{2,}\d*)"
_NAME = re.compile(
    rf"{_NAME_WORD}(?:\s+(?:(?:of|de|da|del|della|di|du|la|le|van|von|der|den|al|bin|ibn|the|y|and)\s+)?{_NAME_WORD})*"
)
# 'Table 2', 'Fig. 3', 'Section 4', 'Appendix B': a label of a part of the document, not a name
_PART_NUMBER = re.compile(r"\.?\s*(?:\d|[A-Z]\b|[IVX]+\b|S\d)")
# words that open an English sentence as a connective ('Second, we used ...', 'However, ...'): a closed
# class, like STOPWORDS; capitalised there, they are no name
_CONNECTIVES = frozenset(
    "first second third fourth fifth sixth seventh eighth ninth tenth finally lastly however moreover "
    "furthermore overall thus hence therefore additionally next meanwhile nevertheless nonetheless instead "
    "similarly likewise conversely consequently accordingly indeed notably importantly specifically "
    "initially subsequently afterwards later earlier recently currently today here there together".split()
)
_PLACE_LEAD = re.compile(
    r"\b(?:in|at|from|to|near|into|across|throughout|within|of)\s+(?:the\s+)?$", re.IGNORECASE
)
_ITEM_WORD = r"[^\W_][\w'’-]*(?:\.[\w'’-]+)*"
_ITEM = rf"{_ITEM_WORD}(?:\s+{_ITEM_WORD}){{0,5}}"
_CONJUNCTION = r"(?:and|or|as well as|together with|along with)"
_LIST = re.compile(rf"{_ITEM}(?:\s*(?:,|\s{_CONJUNCTION})\s*{_ITEM})*,?\s+{_CONJUNCTION}\s+{_ITEM}")
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


# Span scores are minus the words between a span and the question's words, adjusted by these, in
# words of distance. Set by hand on the SQuAD file's who/where questions and the examples in
# tests/test_short_answers.py; candidates for a learned span ranker (issue 8 notes).
PLACE_AFTER_PREPOSITION = 2.0  # 'in France': a place usually follows in/at/from/to
PERSON_AFTER_PREPOSITION = 1.0  # ... and a person seldom does
# 'identified by Dr. Lukas Meier': a passive's 'by' and, more surely, a personal title mark a person
PERSON_AFTER_BY = 2.0
PERSON_TITLE = 3.0
NAME_REPEATS_QUESTION = 2.0  # per question word a name repeats: such a name is the question's subject
# per question word only a figure's own clause has ('... and thirty-four in the placebo group'); any value
# from 2 to 10 scores the same on the SQuAD file (1 a little lower)
CLAUSE_WORD = 3.0
# words a clause break between a figure or date and a question word counts for ('began on 6 February
# and closed on 28 April': 'closed' is not near the first date); set on the examples in
# tests/test_short_answers.py, checked on the SQuAD file
CLAUSE_CROSSING = 2.0


RANGE_END = 10.0  # the asked end of a 'from ... to ...' range wins over the other end, however far the question's words are
_STARTS = re.compile(
    r"\b(?:start|starts|started|begin|begins|began|begun|commence[sd]?|open|opened|launch(?:ed)?)\b", re.I
)
_ENDS = re.compile(r"\b(?:end|ends|ended|finish|finished|close|closed|conclude[sd]?|complete[sd]?)\b", re.I)
_RANGE_FROM = re.compile(r"\b(?:from|between|since)\s+$", re.IGNORECASE)
_RANGE_TO = re.compile(r"\b(?:to|until|till|through|and)\s+$", re.IGNORECASE)
_MEASURE_QUESTION = re.compile(
    r"\bhow (?:long|far|old|tall|heavy|deep|wide|high|thick|fast|slow|warm|cold|hot|much time|big|large|small)\b"
    r"|\bwhat (?:is|was|are|were) the sizes?\b|\bwhat size\b",
    re.IGNORECASE,
)
_HOW_MUCH = re.compile(r"\bhow much\b", re.IGNORECASE)
_UNIT_SYMBOL = re.compile(r"[\s-]*([^\W\d_]{1,3})\b(?![-'’])")  # 'ms', 'GB', 'kg', 'pp'; not 'students'

_TITLE = re.compile(r"(?:Dr|Prof|Professor|Mr|Mrs|Ms|Sir|Dame|Lord|Lady)\b\.?\s")
_BY = re.compile(r"\bby\s+$", re.IGNORECASE)
_UNIT_AFTER = re.compile(r"[\s-]*([^\W\d_]{1,12})\b")


@dataclass(frozen=True)
class Span:
    """A candidate short answer: its text as printed, its offsets in the sentence, its kind and score."""

    text: str
    start: int
    end: int
    kind: str
    score: float = 0.0


def _stems(text: str) -> set[str]:
    return {stem(w.lower()) for w in _WORD.findall(text) if w.lower() not in STOPWORDS}


# 'Grade 8 students', 'Phase 2': a figure right after a capitalised word inside a sentence is part of a name
_NAMED_BY = re.compile(r"(?<=[\w,;] )[A-Z][a-z]+\s$")


def number_spans(sentence: str) -> list[Span]:
    """Numbers with their currency, percent sign and multiplier ('$1.9 billion', '60%', '1,400'), not
    the numbers of names ('Grade 8')."""
    out = []
    for m in find_numbers(sentence):
        start = m.start + (len(sentence[m.start : m.end]) - len(sentence[m.start : m.end].lstrip()))
        named = _NAMED_BY.search(sentence[max(0, start - 20) : start])
        if named is None or named.group(0).strip() in _MONTH_NAMES:
            out.append(Span(m.text, start, m.end, "number"))
    return out


def date_spans(sentence: str) -> list[Span]:
    """Dates in any form: days, months, years of any century (with era), decades, centuries."""
    found: list[Span] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(sentence):
            text = m.group(0).strip()
            if not text:
                continue
            if pattern is _DATE_PATTERNS[-1] and re.fullmatch(r"\d{3,4}", text):
                # a bare 3-4 digit number is a year when it looks like one or is introduced like one
                value = int(text)
                before = sentence[: m.start()]
                if not (1000 <= value <= 2100 or _YEAR_CONTEXT.search(before)):
                    continue
            if any(s.start <= m.start() and m.end() <= s.end for s in found):
                continue
            found = [s for s in found if not (m.start() <= s.start and s.end <= m.end())]
            found.append(Span(text, m.start(), m.start() + len(text), "date"))
    return sorted(found, key=lambda s: s.start)


def name_spans(sentence: str, lowercase: frozenset[str] = frozenset()) -> list[Span]:
    """Runs of capitalised words (names of people, places, organisations), connectors allowed inside.

    ``lowercase``: words the document also writes in lower case ('length' for 'Table 2: Length, age
    ...'); capitalised only because they open a sentence or follow a colon, they are no name."""
    out = []
    for m in _NAME.finditer(sentence):
        text = m.group(0).rstrip(".")
        start = m.start()
        if start == 0 or re.search(r"[.!?:]\s*[\"'“(]?$", sentence[:start]):
            # a capitalised first word of a sentence may be an ordinary word: drop it if lower-case elsewhere
            first = text.split()[0]
            # ('Otolith-based estimates ... otoliths': its stem is an ordinary word too; and a compound with
            # a lower-case part is an adjective, not a name: 'Otolith-based', but 'Ferreira-Lund' stays)
            root = re.split(r"[-‐]", first)[0].lower()
            if (
                first.lower() in STOPWORDS
                or first.lower() in _CONNECTIVES
                or first.lower() in lowercase
                or re.search(r"[-‐][a-z]", first)
                or re.search(rf"\b(?:{re.escape(first.lower())}\b|{re.escape(root)})", sentence[len(first) :])
            ):
                rest = text[len(first) :].lstrip()
                if not rest or not rest[0].isupper():
                    continue
                start += len(text) - len(rest)
                text = rest
        text = re.sub(r"\s+(?:and|of|the|de|van|von)$", "", text)
        if is_part_label(text) and _PART_NUMBER.match(sentence, start + len(text)):
            continue  # 'given in Table 2': the label of a table, not who or where
        if text and text.lower() not in STOPWORDS:
            out.append(Span(text, start, start + len(text), "name"))
    return out


_LEAD_VERBS = frozenset("is are was were be been being has have had".split())


def list_spans(sentence: str) -> list[Span]:
    """Coordinated lists 'A, B and C': items are trimmed to about the length of the list's other items
    (a lead-in such as 'This study uses' is not part of the first item) and the last item stops at the
    first function word after it ('Norway under their leader' -> 'Norway')."""
    out = []
    for m in _LIST.finditer(sentence):
        items = list_items(m.group(0))
        if len(items) < 2:
            continue
        last = items[-1].split()
        cut = next((i for i, w in enumerate(last) if i and w.lower() in STOPWORDS), len(last))
        items[-1] = " ".join(last[:cut])
        width = max(len(i.split()) for i in items[1:])
        first = items[0].split()
        keep = first[-width:]
        # 'The benchmarks were Hyperpartisan, ...': a verb of being or having ends the lead-in
        verb = max((i for i, w in enumerate(keep) if w.lower() in _LEAD_VERBS), default=-1)
        keep = keep[verb + 1 :]
        while keep and keep[0].lower() in STOPWORDS:
            keep = keep[1:]
        if not keep:
            continue
        start = m.start() + m.group(0).rfind(" ".join(keep), 0, len(m.group(0)) - len(" ".join(items[1:])))
        start = max(start, m.start())
        end = sentence.find(items[-1], start) + len(items[-1])
        text = sentence[start:end]
        if len(list_items(text)) >= 2 and all(_whole_item(i) for i in list_items(text)):
            out.append(Span(text, start, end, "list"))
    return out


def _whole_item(item: str) -> bool:
    """An item is a phrase of its own: it does not end with a function word ('Task 6 and the', 'corpus and
    the' are the ends of two clauses, not a list); it may start with one ('the ECtHR dataset')."""
    words = item.split()
    return bool(words) and words[-1].lower().strip(".,;:") not in STOPWORDS


def _before_question_words(sentence: str, span: Span, question_stems: set[str]) -> Span | None:
    """A list cut where its last item runs into the question's own words ('Belarus and Ukraine hold
    unfavorable views' -> 'Belarus and Ukraine'); None when fewer than two items are left."""
    last = span.text.rfind(list_items(span.text)[-1])
    for m in _WORD.finditer(span.text, max(0, last)):
        if m.start() > last and stem(m.group(0).lower()) in question_stems:
            text = span.text[: m.start()].rstrip(" ,;")
            return (
                Span(text, span.start, span.start + len(text), span.kind)
                if len(list_items(text)) >= 2
                else None
            )
    return span


def list_items(text: str) -> list[str]:
    """The items of a coordinated list span."""
    parts = re.split(rf"\s*,\s*(?:and\s+|or\s+)?|\s+{_CONJUNCTION}\s+", text)
    return [p.strip() for p in parts if p.strip()]


_FROM = re.compile(r"\bfrom\s+(?:(?!to\b)[A-Za-z]+\s+){0,4}$", re.IGNORECASE)
_TO = re.compile(r"\bto\s+(?:(?!from\b)[A-Za-z]+\s+){0,2}$", re.IGNORECASE)


def _change_figure(sentence: str, spans: list[Span], years: list[int]) -> Span | None:
    """In 'between 2020 and 2021 ... increased to 370 from 270', the figure of the asked year."""
    stated = sorted(fact_years(sentence))
    asked = [y for y in years if y in stated]
    if len(stated) != 2 or len(asked) != 1:
        return None
    before = {s: sentence[: s.start] for s in spans}
    origin = [s for s in spans if _FROM.search(before[s])]
    target = [s for s in spans if _TO.search(before[s])]
    if len(origin) != 1 or len(target) != 1 or origin[0] == target[0]:
        return None
    return origin[0] if asked[0] == stated[0] else target[0]


# a parenthesis is an aside of its own: '(2 x Xeon, 256 GB RAM)' does not count the servers
_CLAUSE_BREAK = re.compile(
    r"[,;:()]|\s(?:and|but|while|whereas|versus|vs\.|compared\s+with)\s", re.IGNORECASE
)


def _clause_hits(sentence: str, spans: list[Span], question_stems: set[str]) -> dict[int, int]:
    """Per span start: the question words its own clause has that the other candidates' clauses lack.
    'Twenty-nine in the treated group and thirty-four in the placebo group' -> 'placebo' tells them apart."""
    cuts = [0, *[m.start() for m in _CLAUSE_BREAK.finditer(sentence)], len(sentence)]

    def clause(pos: int) -> tuple[int, int]:
        lo = max(c for c in cuts if c <= pos)
        return lo, min(c for c in cuts if c > lo)

    words = {c: _stems(sentence[c[0] : c[1]]) & question_stems for c in {clause(s.start) for s in spans}}
    shared = set.intersection(*words.values()) if len(words) > 1 else set().union(*words.values())
    return {s.start: len(words[clause(s.start)] - shared) for s in spans}


def _plural(word: str) -> bool:
    return len(word) >= 4 and word.endswith("s") and not word.endswith(("ss", "us", "is"))


# '176 of the 190 planned school days': a part counts what its whole counts
_PART_OF = re.compile(r"\s+(?:out\s+)?of\s+(?:the\s+|all\s+)?\d[\d,]*(?:\.\d+)?", re.IGNORECASE)


def _following_words(sentence: str, span: Span) -> list[str]:
    """The up to three words right after the figure, lower-cased ('planned school days'); after a part's
    'of the 190', the words after the whole."""
    part = _PART_OF.match(sentence, span.end)
    following = _FOLLOWING_NOUN.match(sentence, part.end() if part else span.end)
    return [w.lower() for w in _WORD.findall(following.group(0))] if following else []


def _counts_something_else(sentence: str, span: Span, counted: str, question_stems: set[str]) -> bool:
    """'12 months', '3,240 households', 'three regional hospitals' or '190 planned school days' when the
    question counts participants, nurses or schools: within the three words after the figure, the first
    plural noun is neither the counted one nor another word of the question. Another question word before
    it settles it the other way ('12 reported symptoms'); the counted noun itself does not, as a modifier
    ('school days') is not what is counted."""
    for word in _following_words(sentence, span):
        if _plural(word):
            return stem(word) != counted and stem(word) not in question_stems
        if stem(word) != counted and stem(word) in question_stems:
            return False
    return False


def _typed_figures(
    sentence: str, spans: list[Span], percent: bool | None, counted: str | None, question_stems: set[str]
) -> list[Span]:
    """The figures of the wanted kind: percentages or not, a count whole and not counting something else."""
    if percent is not None:
        typed = [s for s in spans if ("%" in s.text or "percent" in s.text.lower()) == percent]
        spans = typed or ([] if percent else spans)
    if percent is False:
        spans = [s for s in spans if not re.search(r"\d\.\d", s.text)]  # a count is whole: not '72.4'
    if counted:
        spans = [s for s in spans if not _counts_something_else(sentence, s, counted, question_stems)]
    return spans


# 'Within each district, three schools ...', 'six schools per district': a figure given for each of
# several groups is not the total a plain 'how many' asks for (English syntax, not a paper's words)
_EACH_LEAD = re.compile(r"^\s*(?:within|in|for|at|from|on)\s+(?:each|every)\b[^,;:]*,", re.IGNORECASE)
_PER_AFTER = re.compile(r"(?:\s+[^\W\d_][\w'’-]*){0,3}?\s+(?:per|each|every)\b", re.IGNORECASE)
_NEXT_CLAUSE = re.compile(r"[;:]|,\s*(?:and|but|while|whereas)\s|\s(?:but|while|whereas)\s", re.IGNORECASE)
_PER_QUESTION = re.compile(r"\b(?:each|every|per)\b", re.IGNORECASE)


def distributive(sentence: str, start: int, end: int) -> bool:
    """The figure at ``start:end`` is given for each of several groups: in the clause after a lead such as
    'Within each district,' (not in a later clause: '..., and eighteen junctions were upgraded') or
    followed within three words by 'per' / 'each' / 'every' ('six schools per district')."""
    lead = _EACH_LEAD.match(sentence)
    if lead and start >= lead.end() and not _NEXT_CLAUSE.search(sentence, lead.end(), start):
        return True
    return bool(_PER_AFTER.match(sentence, end))


def _span_value(span: Span) -> float | None:
    found = find_numbers(span.text) or find_cardinal_words(span.text)
    return found[0].value if len(found) == 1 else None


def _without_parts(sentence: str, spans: list[Span], question_stems: set[str]) -> list[Span]:
    """'612 were randomised, 306 to vitamin D3 and 306 to placebo': two later figures that add up to an
    earlier one split it into parts, and a plain count is the whole. The parts stay when the question
    names what one part's clause says ('How many were randomised to placebo?')."""
    values = {s: _span_value(s) for s in spans}
    for whole in spans:
        later = [s for s in spans if s.start >= whole.end and values[s] is not None]
        parts = next(
            (
                [a, b]
                for i, a in enumerate(later)
                for b in later[i + 1 :]
                if values[whole] and abs(values[a] + values[b] - values[whole]) < 1e-9  # type: ignore[operator]
            ),
            None,
        )
        if parts and not any(_clause_hits(sentence, [whole, *parts], question_stems)[p.start] for p in parts):
            return [s for s in spans if s not in parts]
    return spans


def asks_per_group(question_text: str) -> bool:
    """'How many schools per district ...?': the question itself asks for a figure for each group."""
    return bool(_PER_QUESTION.search(question_text))


# up to two modifiers between a figure and its noun: 'six bare-metal servers', '24 municipal schools'
_FOLLOWING_NOUN = re.compile(r"(?:\s+(?:[^\W\d_][\w'’-]*)){1,3}")


def _names_counted(sentence: str, span: Span, counted: str) -> bool:
    """The figure is followed, within three words, by the counted noun ('six bare-metal servers'), and
    not as the modifier of another plural noun ('190 planned school days' counts days)."""
    words = _following_words(sentence, span)
    at = next((i for i, w in enumerate(words) if stem(w) == counted), None)
    return at is not None and not any(_plural(w) for w in words[at + 1 :])


def _anchor_positions(sentence: str, question_stems: set[str]) -> list[tuple[int, int]]:
    """(start, end) of each word of the sentence that the question shares."""
    return [(m.start(), m.end()) for m in _WORD.finditer(sentence) if _shared(m.group(0), question_stems)]


def _shared(word: str, question_stems: set[str]) -> bool:
    """Whether the question has this word: whole, or every part of a hyphenated one ('back-translated'
    when the question's terms were split at the hyphen)."""
    lowered = word.lower()
    if stem(lowered) in question_stems:
        return True
    parts = [p for p in re.split(r"[-'’]", lowered) if p] if any(c in lowered for c in "-'’") else []
    return len(parts) > 1 and all(stem(p) in question_stems for p in parts)


def _distance(span: Span, anchors: list[tuple[int, int]], sentence: str, crossing: float = 0.0) -> float:
    """Words between the span and the nearest word the sentence shares with the question (the shared
    word itself not counted, on either side), plus ``crossing`` per clause break in between."""
    if not anchors:
        return 10.0
    best = None
    for a, a_end in anchors:
        if span.start <= a < span.end:
            continue
        lo, hi = (a_end, span.start) if a < span.start else (span.end, a)
        words = len(_WORD.findall(sentence[lo:hi])) + crossing * len(_CLAUSE_BREAK.findall(sentence[lo:hi]))
        best = words if best is None else min(best, words)
    return float(best if best is not None else 10.0)


def best_span(
    sentence: str,
    kind: str,
    question_text: str,
    question_stems: set[str],
    *,
    percent: bool | None = None,
    count: int | None = None,
    years: list[int] | None = None,
    counted: str | None = None,
    money: bool = False,
    lowercase: frozenset[str] = frozenset(),
) -> Span | None:
    """The span of ``kind`` ('number', 'date', 'person', 'place', 'list') in ``sentence`` that best answers
    the question, or None.

    Args:
        sentence: The cited sentence.
        kind: The question's expected answer type ('span' gives None: a phrase is not picked by rule).
        question_text: The question (spans it already contains are not answers).
        question_stems: Stems of the question's content words (and their synonyms).
        percent: For numbers: True when a percentage is wanted, False when a count is, None if either.
        count: For lists: how many items the question names, if it does.
        years: Years the question asks about: in a change statement ('between 2020 and 2021 ... rose to
            370 from 270') the earlier year takes the 'from' figure and the later one the 'to' figure.
        money: The question asks for an amount of money: only figures printed with a currency answer.
        counted: The stem of what a 'how many' question counts: a figure followed by a count of
            something else ('12 months', '3,240 households') is not its answer.
        lowercase: Words the document also writes in lower case (see :func:`name_spans`).
    """
    if kind == "number":
        spans = [s for s in number_spans(sentence) if not re.fullmatch(r"(?:1[0-9]|20)\d\d", s.text)]
        words = [Span(m.text, m.start, m.end, "number") for m in find_cardinal_words(sentence)]
        # 'six bare-metal servers', '17.2 points': a figure that names what is counted can answer the
        # count, whether printed in digits or words, whole or not; it competes with the others by place
        naming = [
            s
            for s in spans + words
            if counted and percent is not True and _names_counted(sentence, s, counted)
        ]
        spans = _typed_figures(sentence, spans, percent, counted, question_stems)
        if percent is False and not spans:
            # a count written as a word ('Only two regions'), when no figure gives it
            spans = [
                s
                for s in words
                if not (counted and _counts_something_else(sentence, s, counted, question_stems))
            ]
        spans += [s for s in naming if s not in spans]
        if percent is False and not asks_per_group(question_text):
            spans = [s for s in spans if not distributive(sentence, s.start, s.end)]
            spans = _without_parts(sentence, spans, question_stems)
        if money:
            spans = [s for s in spans if is_money(sentence, s.start, s.end)]
        elif percent is False:  # a count is no amount of money
            spans = [s for s in spans if not is_money(sentence, s.start, s.end)]
        changed = _change_figure(sentence, spans, years or [])
        if changed is not None:
            return changed
    elif kind == "date":
        spans = date_spans(sentence)
    elif kind in ("person", "place"):
        spans = name_spans(sentence, lowercase)
        if kind == "place":
            spans = [s for s in spans if _PLACE_LEAD.search(sentence[: s.start])]
    elif kind == "list":
        spans = [_before_question_words(sentence, s, question_stems) for s in list_spans(sentence)]
        spans = [s for s in spans if s is not None]
        if count:
            exact = [s for s in spans if len(list_items(s.text)) == count]
            spans = exact or spans
    else:
        return None
    asked = question_text.lower()
    spans = [
        s
        for s in spans
        if s.text.lower() not in asked and not (_stems(s.text) and _stems(s.text) <= question_stems)
    ]
    if not spans:
        return None
    anchors = _anchor_positions(sentence, question_stems)
    # figures and dates are stated clause by clause ('29 in A and 34 in B'); a name is often in an apposition
    clause_hits = _clause_hits(sentence, spans, question_stems) if kind in ("number", "date") else {}
    scored = []
    for s in spans:
        # a figure or date belongs to its own clause: a question word across a clause break is farther
        near = _distance(s, anchors, sentence, CLAUSE_CROSSING if clause_hits else 0.0)
        score = -near + CLAUSE_WORD * clause_hits.get(s.start, 0)
        if kind == "date":
            # 'ran from 6 September to 19 February': the start is the 'from' date, the end the 'to' date
            score += RANGE_END * (
                (bool(_STARTS.search(question_text)) and bool(_RANGE_FROM.search(sentence[: s.start])))
                + (bool(_ENDS.search(question_text)) and bool(_RANGE_TO.search(sentence[: s.start])))
            )
        if kind == "place" and _PLACE_LEAD.search(sentence[: s.start]):
            score += PLACE_AFTER_PREPOSITION
        if kind == "person" and _PLACE_LEAD.search(sentence[: s.start]):
            score -= PERSON_AFTER_PREPOSITION
        if kind == "person":
            score += PERSON_TITLE * bool(_TITLE.match(s.text)) + PERSON_AFTER_BY * bool(
                _BY.search(sentence[: s.start])
            )
        if kind in ("person", "place"):
            # a name that repeats a question word is about the question, not its answer
            score -= NAME_REPEATS_QUESTION * len(_stems(s.text) & question_stems)
        scored.append(Span(s.text, s.start, s.end, s.kind, score))
    scored.sort(key=lambda s: (-s.score, s.start))
    best = scored[0]
    if kind == "number" and (_MEASURE_QUESTION.search(question_text) or _HOW_MUCH.search(question_text)):
        # 'How long ...?' -> '36 hours', not '36': a bare figure does not say what it measures; after
        # 'how much' only a unit symbol is taken ('±12 ms'), as a longer word may be what is counted
        pattern = _UNIT_AFTER if _MEASURE_QUESTION.search(question_text) else _UNIT_SYMBOL
        unit = pattern.match(sentence, best.end)
        if unit and unit.group(1).lower() not in STOPWORDS:
            best = Span(sentence[best.start : unit.end(1)], best.start, unit.end(1), best.kind, best.score)
    return best


# 'What kind of problems ...?' asks for a sort of the named noun, and a text names a sort by the words
# in front of the noun ('decision problems'): English question syntax, not knowledge about a paper.
# 'What kinds of ...' (plural) asks for several and is left to the list and passage answers.
_KIND_OF = re.compile(
    r"\b(?:what|which)\s+(?:kind|type|class|sort|form|category|variety)\s+of\s+"
    r"(?P<focus>[^\W\d_][\w'’-]*(?:\s+[^\W\d_][\w'’-]*){0,2})",
    re.IGNORECASE,
)
_COORDINATED = re.compile(r"\s*(?:,|and\b|or\b|&)", re.IGNORECASE)
# a verb form or an adverb ('using', 'closely') ends the run of words in front of the noun
_NOT_A_MODIFIER = re.compile(r"(?:ing|ly)$", re.IGNORECASE)


def kind_span(sentence: str, question_text: str, question_stems: set[str]) -> Span | None:
    """For 'What kind / type / class of N ...?': the words in front of N in ``sentence`` together with N
    ('non-deterministic Turing machine' for 'What type of Turing machine ...?'), or None.

    N is the question's words after 'of' up to the first function word, found whole and in order in the
    sentence. The words in front stop at punctuation, a function word, a word the question has, a
    figure, a verb form in -ing or an adverb in -ly; at least one must be left. Of several mentions of
    N the one nearest the question's other words is taken. A coordinated N ('what kind of repetitive and
    time-consuming activities') gives None: its first word is not the noun.
    """
    match = _KIND_OF.search(question_text)
    if match is None:
        return None
    focus, focus_end = [], match.start("focus")
    for word in _WORD.finditer(question_text, match.start("focus"), match.end("focus")):
        if word.group(0).lower() in STOPWORDS:
            break
        focus.append(stem(word.group(0).lower()))
        focus_end = word.end()
    if _COORDINATED.match(question_text, focus_end):
        return None  # 'what kind of repetitive and time-consuming activities': the noun is not reached yet
    words = list(_WORD.finditer(sentence))
    stems = [stem(w.group(0).lower()) for w in words]
    found = []
    for i in range(len(words) - len(focus) + 1):
        if not focus or stems[i : i + len(focus)] != focus:
            continue
        if any(sentence[words[k].end() : words[k + 1].start()].strip() for k in range(i, i + len(focus) - 1)):
            continue
        start = i
        while start > 0:
            word = words[start - 1].group(0)
            if (
                sentence[words[start - 1].end() : words[start].start()].strip()
                or word.lower() in STOPWORDS
                or _shared(word, question_stems)
                or _NOT_A_MODIFIER.search(word)
                or word[0].isdigit()
            ):
                break
            start -= 1
        if start < i:
            begin, end = words[start].start(), words[i + len(focus) - 1].end()
            found.append(Span(sentence[begin:end], begin, end, "span"))
    if not found:
        return None
    anchors = _anchor_positions(sentence, question_stems - set(focus))
    return min(found, key=lambda s: (_distance(s, anchors, sentence), s.start))
