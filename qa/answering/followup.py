"""Resolve elliptical follow-up questions against the earlier turns (pure).

"And in 2021?" after "How many security incidents were there in 2020?" becomes "How many security
incidents were there in 2021?": a year replaces a year; a word naming one row, column or part of a
table (or one front-matter field) replaces the words naming its sibling in the earlier question
("And imports?" after a question about exports). A follow-up that names no sibling is read together
with the earlier question. The slots come from the document's own tables and metadata keys.

"And the other way?" (the opposite direction, vice versa, in reverse) asks for the flow opposite to
the earlier one: the row or column whose 'from ... to ...' label runs the other way takes the place
of the one the earlier question named ("Imports to A from B" after "Exports from A to B"); without
such a label, the earlier question's own 'from X to Y' is turned round.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.retrieval.query import Vocabulary
from qa.schema import Document
from qa.text import STOPWORDS, is_year, raw_tokens, stem, tokenize

_LEAD = re.compile(
    r"^\s*(?:and\s+(?:what|how)\s+about|what\s+about|how\s+about|and\s+also|and|also|what\s+of|same\s+for|"
    r"same\s+question\s+for|now|then)\b[\s,:]*",
    re.IGNORECASE,
)
# a fragment after 'And ...' with a question word or verb of its own is a new question
_ASKS = re.compile(
    r"\b(?:what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|can|could|has|have|had)\b",
    re.IGNORECASE,
)
MAX_FRAGMENT_WORDS = 4  # content words a fragment may carry ('in the vitamin D3 group' has 3)
_PRONOUNS = {
    "it",
    "its",
    "they",
    "their",
    "them",
    "this",
    "that",
    "these",
    "those",
    "he",
    "she",
    "her",
    "his",
    "him",
    "one",
    "ones",
    "there",
    "same",
}
_FRAME = {
    "what",
    "which",
    "who",
    "how",
    "when",
    "where",
    "why",
    "many",
    "much",
    "is",
    "are",
    "was",
    "were",
    "does",
    "do",
    "did",
    "the",
    "a",
    "an",
    "in",
    "of",
    "for",
    "to",
}


_REVERSE = re.compile(
    r"\b(?:the\s+)?(?:other|opposite|reverse)\s+(?:way|direction)\b|\bin\s+reverse\b|\bvice[\s-]+versa\b|"
    r"\bconversely\b|\bthe\s+reverse\b",
    re.IGNORECASE,
)
_ENDPOINT = (
    r"((?:the\s+)?[^\W\d_][\w'’.-]*(?:\s+(?!from\b|to\b|into\b|towards?\b|in\b|and\b)[^\W\d_][\w'’.-]*){0,3})"
)
_FROM = re.compile(rf"\bfrom\s+{_ENDPOINT}", re.IGNORECASE)
_TO = re.compile(rf"\b(?:to|into|towards?)\s+{_ENDPOINT}", re.IGNORECASE)
_BEFORE_TO = re.compile(rf"{_ENDPOINT}\s+(?:to|into|towards?)\s", re.IGNORECASE)
_DIRECTION_WORD = re.compile(r"\b(?:from|to|into|towards?)\s+$", re.IGNORECASE)


def direction(label: str, *, loose: bool = True) -> tuple[frozenset[str], frozenset[str]] | None:
    """The (source, destination) a label names as stems: 'from X to Y', 'to Y from X' and, when
    ``loose``, 'X to Y' (a table header such as 'Alpha to Beta'); else None."""
    src, dst = _FROM.search(label), _TO.search(label)
    if src is None and loose and dst is not None:
        src = _BEFORE_TO.search(label)
    if src is None or dst is None:
        return None
    source, target = frozenset(tokenize(src.group(1))), frozenset(tokenize(dst.group(1)))
    if not source or not target or source & target or all(is_year(t) for t in source | target):
        return None
    return source, target


def _words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) for each word of ``text``, hyphenated and apostrophe forms kept whole."""
    return [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[^\W_]+(?:[-'][^\W_]+)*", text)]


def _word_stems(word: str) -> set[str]:
    """The stems of one word, its hyphenated parts apart and accents folded as the slots' labels are
    ('Gąsienicowa' -> 'gasienicowa'), so a label typed with its accents is found in a question."""
    return set(tokenize(word, keep_stopwords=True))


def _label_span(words: list[tuple[int, int, str]], label: str) -> tuple[int, int] | None:
    """Where ``label`` stands whole among ``words`` ('Hala Gąsienicowa', not only its distinctive
    'Gąsienicowa'), as (start, end) offsets, or None."""
    wanted = tokenize(label, keep_stopwords=True)
    stems = [tokenize(w, keep_stopwords=True) for _, _, w in words]
    for i in range(len(words)):
        run, j = [], i
        while j < len(words) and len(run) < len(wanted):
            run += stems[j]
            j += 1
        if run == wanted:
            return words[i][0], words[j - 1][1]
    return None


@dataclass(frozen=True)
class _Slot:
    group: str
    label: str
    terms: frozenset[str]
    direction: tuple[frozenset[str], frozenset[str]] | None = None


class FollowupResolver:
    """Knows the document's slots (table rows/columns/parts, metadata fields) to swap in follow-ups."""

    def __init__(self, doc: Document, vocab: Vocabulary, max_turns: int = 8) -> None:
        self.vocab = vocab
        self.max_turns = max_turns
        labels: dict[str, set[str]] = {}
        for v in doc.table_values:
            labels.setdefault(f"{v.table}:row", set()).add(v.row)
            labels.setdefault(f"{v.table}:column", set()).add(v.column)
            if v.item:
                labels.setdefault(f"{v.table}:item", set()).add(v.item)
        if doc.metadata:
            labels["metadata"] = {str(k).replace("_", " ") for k in doc.metadata}
        self.slots: list[_Slot] = []
        for group, names in labels.items():
            term_sets = {
                n: self.vocab.expand(set(tokenize(re.sub(r"\([^()]*%[^()]*\)", " ", n))), phrases=True)
                for n in sorted(names)  # a fixed order: ties between slots break the same way every run
            }
            for name, terms in term_sets.items():
                others = (
                    set().union(*[t for o, t in term_sets.items() if o != name])
                    if len(term_sets) > 1
                    else set()
                )
                distinctive = frozenset(t for t in terms - others if not is_year(t))
                if distinctive and len(term_sets) > 1:
                    self.slots.append(_Slot(group, name, distinctive, direction(name)))
                elif (
                    len(term_sets) > 1
                    and terms
                    and all(terms != t for o, t in term_sets.items() if o != name)
                ):
                    # 'FEC' beside 'VC' and 'FEC + VC': no word of its own, but its words are its alone
                    self.slots.append(_Slot(group, name, frozenset(terms), direction(name)))
                elif len(term_sets) > 1 and direction(name) is not None:
                    # 'A to B' beside 'B to A': the same words, told apart only by their direction
                    self.slots.append(_Slot(group, name, frozenset(terms), direction(name)))

    def is_elliptical(self, question: str) -> bool:
        rest = _LEAD.sub("", question)
        words = [w for w in raw_tokens(rest)]
        content = [w for w in words if w not in STOPWORDS and w not in _FRAME]
        if _LEAD.match(question) and len(content) <= 2:
            return True
        if _LEAD.match(question) and not _ASKS.search(rest) and len(content) <= MAX_FRAGMENT_WORDS:
            return True  # 'And in the vitamin D3 group?': a fragment with no question of its own
        return len(content) <= 2 and any(w in _PRONOUNS for w in words)

    def resolve(self, question: str, history: list[str] | None) -> str:
        """The question with the earlier turns' context carried over (unchanged if self-contained).

        Each turn is resolved against the one before it, oldest first, over the last
        ``max_turns`` turns only: a chain of follow-ups longer than that carries no more context, and
        a long chat costs the same as a short one (no recursion; the carried context is bounded).
        """
        turns = [h for h in (history or []) if h and h.strip()][-self.max_turns :]
        previous: str | None = None
        for turn in [*turns, question]:
            previous = turn if previous is None else self._resolve_turn(turn, previous)
        return previous if previous is not None else question

    def _resolve_turn(self, question: str, previous: str) -> str:
        """``question`` read against the already-resolved ``previous`` turn."""
        if _REVERSE.search(question):
            reversed_ = self._reverse(previous)
            if reversed_ is not None:
                return reversed_
        if not self.is_elliptical(question):
            return question
        rest = _LEAD.sub("", question).strip().rstrip("?").strip()
        new_years = [t for t in raw_tokens(rest) if is_year(t)]
        resolved = previous
        changed = False
        if new_years:
            old_years = [t for t in raw_tokens(previous) if is_year(t)]
            if old_years:
                resolved = re.sub(rf"\b{old_years[0]}\b", new_years[0], resolved, count=1)
                changed = True
        swapped = self._swap_slot(resolved, rest)
        if swapped is not None:
            resolved, changed = swapped, True
        if changed:
            return resolved
        stripped = question if not _LEAD.match(question) else (rest[:1].upper() + rest[1:] + "?")
        return f"{stripped} (context: {previous.rstrip()})"

    def _swap_slot(self, previous: str, followup: str) -> str | None:
        new_terms = {stem(w) for w in raw_tokens(followup) if w not in STOPWORDS and not is_year(w)}
        new_terms = self.vocab.expand(new_terms, phrases=True)
        prev_words = _words(previous)
        named = [s for s in self.slots if s.terms & new_terms]
        # the most specific slot first: the one the follow-up's words name most completely
        named.sort(key=lambda s: -len(s.terms & new_terms) / len(s.terms))
        for slot in named:
            for sibling in self.slots:
                if sibling.group != slot.group or sibling.label == slot.label:
                    continue
                hits = [(s, e) for s, e, w in prev_words if _word_stems(w) & sibling.terms]
                if not hits:
                    continue
                start, end = _label_span(prev_words, sibling.label) or (hits[0][0], hits[-1][1])
                phrase_words = [
                    w
                    for w in re.findall(r"[^\W_]+(?:[-'][^\W_]+)*", followup)
                    if w.lower() not in STOPWORDS and w.lower() not in _FRAME and w.lower() not in _PRONOUNS
                ]
                following = re.findall(r"[^\W_]+", previous[end:].lower())[:1]
                if len(phrase_words) > 1 and [phrase_words[-1].lower()] == following:
                    phrase_words = phrase_words[:-1]  # 'treated group' before '... group had': said once
                phrase = " ".join(phrase_words) or slot.label
                return previous[:start] + phrase + previous[end:]
        return None

    def _reverse(self, previous: str) -> str | None:
        """``previous`` asking about the opposite flow, or None when it names no direction."""
        words = _words(previous)
        stems_at = [_word_stems(w) for _, _, w in words]
        asked = direction(previous)

        def agrees(slot: _Slot) -> bool:
            """The slot runs the way the question itself says ("from X to Y", "X to Y"), when it says."""
            return (
                asked is not None
                and slot.direction is not None
                and all(a <= b for a, b in zip(slot.direction, asked, strict=True))
            )

        named = [s for s in self.slots if s.direction is not None and any(s.terms & st for st in stems_at)]
        # the slot running the way the question says, then the one it names most completely
        named.sort(
            key=lambda s: (not agrees(s), -sum(bool(s.terms & st) for st in stems_at) / len(s.terms), s.label)
        )
        for slot in named:
            source, target = slot.direction  # type: ignore[misc]
            for other in self.slots:
                if other.group != slot.group or other.direction != (target, source):
                    continue
                label_terms = set(tokenize(slot.label))
                hits = [i for i, st in enumerate(stems_at) if st & label_terms]
                start, end = words[hits[0]][0], words[hits[-1]][1]
                lead = _DIRECTION_WORD.search(previous[:start])
                start = lead.start() if lead else start  # 'from X ...' goes with X
                return previous[:start] + other.label + previous[end:]
        # no table names the flow: turn the question's own 'from X to Y' round
        src, dst = _FROM.search(previous), _TO.search(previous)
        if src is None or dst is None or direction(previous, loose=False) is None:
            return None
        (a, b), (c, d) = sorted([src.span(1), dst.span(1)])
        return previous[:a] + previous[c:d] + previous[b:c] + previous[a:b] + previous[d:]
