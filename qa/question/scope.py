"""Section scope: a question that names a part of the paper is answered from that part only.

"... according to the opening section?", "In the concluding section, what ...?", "What does the
methodology section say about ethics?", "... according to the theoretical background?".

The phrase is found by pattern, from closed-class English only (prepositions, ordinal words and
'section'/'part'/'chapter'), and resolved against the paper's own headings (:class:`Outline`):
- ordinal words ('opening', 'first', 'final', 'concluding', ...) name the first or the last body
  section (boilerplate such as 'Abstract' or 'References' is not a body section);
- other words name every section whose title holds all of them and at least half of whose title
  words they are ('methodology' names 'Research Methodology'), with its subsections.
Words that name no heading leave the question unscoped and its words untouched ("according to the
2024 projection" is about a year, not a section). The phrase is taken out of the text whose terms
are matched, so "opening section" does not count as words the answer must cover.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.schema import Document, Section
from qa.text import tokenize

# headings that are no part of the argument: never "the first" or "the last" section
BOILERPLATE = re.compile(
    r"^(abstract|references|bibliography|acknowledg\w*|keywords?|appendix\w*|front matter|"
    r"(table of )?contents|authors?|funding|conflicts? of interest|declarations?|notes?)\b",
    re.IGNORECASE,
)
# the list of works cited: evidence only for a question about references
REFERENCE_LIST = re.compile(r"^(references|bibliography|works cited|literature cited)\b", re.IGNORECASE)
ASKS_FOR_REFERENCES = re.compile(
    r"\b(references?|cit(?:e|es|ed|ing|ation)\w*|bibliograph\w*|works cited)\b", re.I
)
NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[IVXLC]+\.)\s+")
FIRST_WORDS = frozenset({"opening", "first", "initial", "introductory", "beginning"})
LAST_WORDS = frozenset({"final", "last", "closing", "concluding", "ending"})
PREFIX = 6  # letters an ordinal shares with a title word to name it ('concluding' ~ 'Conclusion')

# without 'section', only an attribution names a part: "in the dataset" is about a dataset, even
# in a paper with a section called 'Dataset'; "according to the conclusion" is about a section
_ATTRIBUTION = r"(?:according to|as (?:stated|described|discussed|said|mentioned|explained|reported|noted|argued|shown) in)"
_LEAD = rf"(?:{_ATTRIBUTION}|in|from|within|based on|per)"
_BODY = r"(?P<body>[^\W\d_][\w'’-]*(?:\s+[\w'’-]+){0,3}?)"
_PART = r"(?:section|part|chapter)"
# most specific first: a lead-in and 'section'; 'the X section' anywhere; an attribution at either end
_PATTERNS = (
    re.compile(rf",?\s*\b{_LEAD}\s+the\s+{_BODY}\s+{_PART}\b", re.IGNORECASE),
    re.compile(rf"\bthe\s+{_BODY}\s+{_PART}\b", re.IGNORECASE),
    re.compile(rf",?\s*\b{_ATTRIBUTION}\s+the\s+{_BODY}\s*(?=[?.!]?\s*$)", re.IGNORECASE),
    re.compile(rf"^\s*{_ATTRIBUTION}\s+the\s+{_BODY}\s*,\s*", re.IGNORECASE),
)


@dataclass(frozen=True)
class SectionScope:
    """The sections a question limits itself to, and the phrase that said so."""

    phrase: str  # as printed in the question
    section_ids: frozenset[str]  # the named sections and their subsections
    label: str  # the named section's title, for messages


@dataclass(frozen=True)
class Outline:
    """A paper's headings as a question can name them."""

    sections: tuple[Section, ...]
    body: tuple[Section, ...]  # top-level sections of the argument, in order
    title_terms: dict[str, frozenset[str]]
    descendants: dict[str, frozenset[str]]

    @classmethod
    def of(cls, doc: Document) -> Outline:
        sections = tuple(doc.sections)
        children: dict[str, list[str]] = {}
        for s in sections:
            if s.parent_id:
                children.setdefault(s.parent_id, []).append(s.id)

        def below(section_id: str) -> frozenset[str]:
            out = {section_id}
            for child in children.get(section_id, []):
                out |= below(child)
            return frozenset(out)

        top = [s for s in sections if s.parent_id is None and not s.id.endswith("front-matter")]
        if len(top) == 1 and children.get(top[0].id):  # a lone title heading above the sections
            top = [s for s in sections if s.parent_id == top[0].id]
        body = tuple(s for s in top if not BOILERPLATE.match(NUMBERING.sub("", s.title)))
        return cls(
            sections=sections,
            body=body,
            title_terms={s.id: frozenset(tokenize(s.title)) for s in sections},
            descendants={s.id: below(s.id) for s in sections},
        )

    def named(self, body: str) -> list[Section]:
        """The sections ``body`` (the words before 'section', or after 'according to the') names."""
        words = [w.lower() for w in re.findall(r"[\w'’-]+", body)]
        if not words:
            return []
        ordinal = set(words) - {"paper's", "paper", "very"}
        if ordinal and ordinal <= FIRST_WORDS | LAST_WORDS and self.body:
            # 'concluding' names a 'Conclusion' wherever it stands; else the word names a position
            kin = [
                s
                for s in self.body
                if any(
                    a[:PREFIX] == b[:PREFIX]
                    for a in ordinal
                    for b in s.title.lower().split()
                    if len(a) >= PREFIX
                )
            ]
            if kin:
                return kin[:1]
            return [self.body[0]] if ordinal <= FIRST_WORDS else [self.body[-1]]
        terms = set(tokenize(body))
        if not terms:
            return []
        return [
            s
            for s in self.sections
            if terms <= self.title_terms[s.id] and 2 * len(terms) >= len(self.title_terms[s.id])
        ]


def find_scope(text: str, outline: Outline | None) -> SectionScope | None:
    """The section scope ``text`` states, resolved against ``outline`` (None when it names none)."""
    if outline is None or not outline.sections:
        return None
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            sections = outline.named(match.group("body"))
            if sections:
                ids = frozenset().union(*(outline.descendants[s.id] for s in sections))
                return SectionScope(phrase=match.group(0), section_ids=ids, label=sections[0].title)
    return None


def without(text: str, scope: SectionScope | None) -> str:
    """``text`` with the scope's phrase taken out (the words left are what the answer must cover)."""
    if scope is None:
        return text
    rest = text.replace(scope.phrase, " ", 1)
    return re.sub(r"\s+([?.!,])", r"\1", re.sub(r"\s{2,}", " ", rest)).strip()
