"""Question analysis against the paper's vocabulary (pure): content terms, typo repair, synonyms.

The vocabulary and abbreviation table are derived from the parsed document; synonym groups come from
two data files: general English ones shipped in ``qa/data/synonyms.json`` and optional paper-specific
ones beside the corpus. Nothing here is keyed to a particular paper.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from qa.errors import CorpusError
from qa.schema import Document
from qa.text import QUESTION_FRAME_WORDS, STOPWORDS, is_year, raw_tokens, stem

_ABBREVIATION = re.compile(r"\(([A-Z][A-Za-z0-9]*[A-Z0-9](?:-\d+)?)\)")


def _stems(phrase: str) -> tuple[str, ...]:
    return tuple(stem(t) if not t[0].isdigit() else t for t in raw_tokens(phrase) if t not in STOPWORDS)


def find_abbreviations(text: str) -> dict[str, str]:
    """Abbreviations the text defines as 'Long Form (ABBR)', e.g. 'Belt and Road Initiative (BRI)' or
    'recurrent neural network (RNN)'.

    The long form is accepted when the initials of the words just before the parenthesis
    (hyphenated parts count separately, function words skipped), in either case, spell the
    abbreviation's capital letters.
    """
    found: dict[str, str] = {}
    for match in _ABBREVIATION.finditer(text):
        abbr = match.group(1)
        letters = [c for c in abbr if c.isalpha() and c.isupper()]
        words = re.findall(r"[A-Za-z][\w']*(?:-[\w']+)*", text[max(0, match.start() - 120) : match.start()])
        parts: list[tuple[str, int]] = []  # (initial, index of word)
        for w_index, word in enumerate(words):
            for part in word.split("-"):
                if part[:1].isupper() or (part[:1].isalpha() and part.lower() not in STOPWORDS):
                    parts.append((part[0].upper(), w_index))
        need = list(reversed(letters))
        start_word = None
        for initial, w_index in reversed(parts):
            if not need:
                break
            if initial == need[0]:
                need.pop(0)
                start_word = w_index
            else:
                break
        if not need and start_word is not None:
            found[abbr] = " ".join(words[start_word:])
    return found


@dataclass
class Vocabulary:
    """What words the paper uses, how rare they are, and which words mean the same."""

    stems: set[str]
    words: dict[str, str]  # surface word -> stem, for typo repair
    idf: dict[str, float]
    synonyms: dict[tuple[str, ...], set[tuple[str, ...]]] = field(default_factory=dict)
    equivalent: dict[tuple[str, ...], set[tuple[str, ...]]] = field(default_factory=dict)
    _median: float | None = None
    analysed: dict[str, QueryTerms] = field(default_factory=dict, repr=False)
    # 'hyperparameters' -> ('hyper', 'parameters') when the paper writes 'hyper-parameters'
    compounds: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def known(self, term: str) -> bool:
        return term in self.stems

    def weight(self, term: str) -> float:
        """Inverse document frequency over sentences; an unknown term weighs as a typical word."""
        if term in self.idf:
            return self.idf[term]
        if self._median is None:
            values = sorted(self.idf.values()) or [1.0]
            self._median = values[len(values) // 2]
        return self._median

    def expand(self, terms: set[str], *, phrases: bool = False) -> set[str]:
        """``terms`` plus their one-word synonyms; with ``phrases``, also the words of multi-word
        synonyms of a one-word term (an abbreviation's long form)."""
        out = set(terms)
        for term in terms:
            for other in self.synonyms.get((term,), ()):
                if len(other) == 1 or phrases:
                    out.update(other)
        return out


def _load_groups(path: Path | None) -> list[list[str]]:
    if path is None:
        text = resources.files("qa").joinpath("data/synonyms.json").read_text(encoding="utf-8")
        source = "qa/data/synonyms.json"
    elif path.is_file():
        try:
            text, source = path.read_text(encoding="utf-8"), str(path)
        except (OSError, UnicodeDecodeError) as exc:
            reason = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else exc.strerror or exc
            raise CorpusError(f"Cannot read the synonyms file {path}: {reason}.") from None
    else:
        return []
    try:
        groups = json.loads(text).get("groups", [])
    except (ValueError, AttributeError):
        raise CorpusError(
            f'{source} is not valid JSON of the form {{"groups": [["word", "synonym"], ...]}}.'
        ) from None
    return [[str(w) for w in group] for group in groups if isinstance(group, list)]


def find_truncations(doc: Document, words: dict[str, str]) -> list[list[str]]:
    """Table labels cut short ('Params' for 'parameters'): a label word the prose never uses whose
    start (without a plural 's') begins exactly one longer word of the paper, by stem."""
    prose = {t for s in doc.sentences for t in raw_tokens(s.text)}
    labels = {t for v in doc.table_values for t in raw_tokens(f"{v.row} {v.column}")}
    pairs = []
    for token in sorted(labels - prose):
        if not token.isalpha() or not 3 <= len(token) <= 7 or token in STOPWORDS:
            continue
        head = token[:-1] if token.endswith("s") and len(token) > 3 else token
        longer = {w for w in words if w.startswith(head) and len(w) >= len(head) + 3}
        if len({words[w] for w in longer}) == 1 and stem(token) not in {words[w] for w in longer}:
            pairs.append([token, min(longer, key=len)])
    return pairs


def build_vocabulary(doc: Document, synonyms_file: Path | None = None) -> Vocabulary:
    """Collect the paper's vocabulary, IDF over sentences and table values, and synonym groups."""
    units = (
        [s.text for s in doc.sentences]
        + [s.title for s in doc.sections]
        + [
            f"{v.caption} {v.row} {v.column} {v.item or ''} {v.value} {v.unit or ''}"
            for v in doc.table_values
        ]
    )
    df: Counter[str] = Counter()
    words: dict[str, str] = {}
    for unit in units:
        tokens = [t for t in raw_tokens(unit) if t not in STOPWORDS]
        for token in tokens:
            if not token[0].isdigit():
                words.setdefault(token, stem(token))
        df.update({stem(t) if not t[0].isdigit() else t for t in tokens})
    n = max(1, len(units))
    idf = {term: math.log(1 + n / count) for term, count in df.items()}
    vocab = Vocabulary(stems=set(df), words=words, idf=idf)
    for hyphenated in set(re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)+", doc.text)):
        parts = tuple(raw_tokens(hyphenated))
        joined = "".join(parts)
        if len(parts) > 1 and joined not in words:
            vocab.compounds[joined] = parts

    general = _load_groups(None)
    exact = _load_groups(synonyms_file) + [[a, long] for a, long in find_abbreviations(doc.text).items()]
    exact += find_truncations(doc, words)
    for groups, exact_group in ((general, False), (exact, True)):
        for group in groups:
            members = {_stems(m) for m in group} - {()}
            for member in members:
                vocab.synonyms.setdefault(member, set()).update(members - {member})
                if exact_group:
                    vocab.equivalent.setdefault(member, set()).update(members - {member})
    return vocab


@dataclass
class QueryTerms:
    """A question as terms: what it asks about, what the paper never mentions, and expansions."""

    text: str
    content: list[str]
    unknown: list[str]
    expansions: list[str]
    years: list[int]
    corrected: dict[str, str]
    expansion_weight: dict[str, float] = field(default_factory=dict)
    expansion_source: dict[str, int] = field(default_factory=dict)
    unknown_share: float = 0.0
    unknown_named: list[str] = field(default_factory=list)
    unknown_words: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    phrases: list[tuple[str, ...]] = field(default_factory=list)
    # content term -> its exact synonyms (an abbreviation and its long form, both ways), each a tuple
    # of stems: evidence holding every word of one covers the term
    exact_alternatives: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    unknown_quantities: list[str] = field(default_factory=list)  # '1000 cycles' the paper never states
    # the names the question uses, each the stems of its run of capitalised words ('Dunmoran Bridge')
    names: list[tuple[str, ...]] = field(default_factory=list)

    def covered(self, term: str, words: set[str]) -> bool:
        """Whether evidence with ``words`` names ``term`` itself or one of its exact synonyms in full."""
        return term in words or any(set(alt) <= words for alt in self.exact_alternatives.get(term, ()))


_SELF_REFERENCE = frozenset({"paper", "study", "article", "text", "this", "it"})
_INTERROGATIVES = frozenset(
    """
    what which who whom whose when where why how is are was were do does did the a an of
    """.split()
)


def _join_compounds(tokens: list[str], vocab: Vocabulary) -> list[str]:
    """'counter terrorism' -> 'counterterrorism' when the paper writes it as one word."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if i + 1 < len(tokens) and not tokens[i][0].isdigit() and not tokens[i + 1][0].isdigit():
            joined = tokens[i] + tokens[i + 1]
            if joined in vocab.words and (
                stem(tokens[i]) not in vocab.stems
                or stem(tokens[i + 1]) not in vocab.stems
                or len(joined) >= 10
            ):
                out.append(joined)
                i += 2
                continue
        out.append(tokens[i])
        i += 1
    return out


def _repair(token: str, vocab: Vocabulary, *, named: bool) -> str | None:
    """The paper word ``token`` is most likely a misspelling of, or None.

    A typo keeps its first letter and its length within two letters. A capitalised word is probably a
    name, so it is repaired only when very close and not longer than the paper's word ('Pakistn' ->
    'Widget', while a longer name stays itself rather than becoming a shorter paper word).
    """
    cutoff = 0.9 if named else 0.8
    for close in difflib.get_close_matches(token, vocab.words.keys(), n=3, cutoff=cutoff):
        if close[0] != token[0] or abs(len(close) - len(token)) > 2:
            continue
        if named and len(token) > len(close):
            continue
        return close
    return None


# English nominalisation changes the end of a Latin verb stem, and the Snowball stemmer keeps the two
# apart: admit/admission, decide/decision, respond/response, reduce/reduction, describe/description,
# receive/reception, assume/assumption, solve/solution. A closed set of English suffix alternations (no
# library here knows derivations offline), read both ways, on stems of five letters or more.
_DERIVED_ENDINGS = (
    ("mit", "miss"),
    ("d", "s"),
    ("c", "ct"),
    ("b", "pt"),
    ("iv", "pt"),
    ("m", "mpt"),
    ("lv", "lut"),
)


def _derived(term: str, vocab: Vocabulary) -> str | None:
    """The paper's stem that ``term`` is a derivation of ('admit' -> 'admiss' when the paper writes
    only 'admission'), when exactly one alternation gives a stem the paper uses; else None."""
    if len(term) < 5 or not term.isalpha():
        return None
    found = {
        term[: -len(a)] + b for x, y in _DERIVED_ENDINGS for a, b in ((x, y), (y, x)) if term.endswith(a)
    } & vocab.stems
    return found.pop() if len(found) == 1 else None


def _has_known_synonym(term: str, vocab: Vocabulary) -> bool:
    return any(all(t in vocab.stems for t in other) for other in vocab.synonyms.get((term,), ()))


def analyse_question(question: str, vocab: Vocabulary) -> QueryTerms:
    """Content terms of ``question`` with typos repaired against the paper's words and synonyms added.

    A word the paper never uses is first matched to a close paper word (difflib ratio >= 0.8, words
    of 4+ letters); if none is close it is reported in ``unknown``. Results are memoised per
    vocabulary (treat them as read-only).
    """
    cached = vocab.analysed.get(question)
    if cached is None:
        cached = _analyse(question, vocab)
        if len(vocab.analysed) >= 512:
            vocab.analysed.clear()
        vocab.analysed[question] = cached
    return cached


def _is_condition(token: str, kept: list[str], vocab: Vocabulary) -> bool:
    """A figure the question states as a condition ('after 1,000 cycles', 'at 12.5 kHz'): not a year,
    100 or more or with decimals (smaller counts are often written as words), and followed by a word
    the paper uses."""
    if not re.fullmatch(r"\d+(?:\.\d+)?", token) or is_year(token):
        return False
    if float(token) < 100 and "." not in token:
        return False
    at = kept.index(token)
    following = kept[at + 1] if at + 1 < len(kept) else None
    return following is not None and following.isalpha() and stem(following) in vocab.stems


# a run of capitalised words not at the start of a sentence: one name ('Dunmoran Bridge')
_NAME_RUN = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*")


def _analyse(question: str, vocab: Vocabulary) -> QueryTerms:
    tokens = [t for t in raw_tokens(question) if t not in STOPWORDS]
    capitalised = {
        m.group(0).lower() for m in re.finditer(r"(?<!^)(?<![.?!]\s)\b[A-Z][\w-]*", question.strip())
    }
    content: list[str] = []
    unknown: list[str] = []
    unknown_named: list[str] = []
    unknown_words: list[str] = []
    unknown_quantities: list[str] = []
    corrected: dict[str, str] = {}
    tokens = _join_compounds(tokens, vocab)
    tokens = [part for t in tokens for part in vocab.compounds.get(t, (t,))]
    kept = [t for t in tokens if t not in QUESTION_FRAME_WORDS]
    if not kept:
        # "Who are the authors of the paper?": the frame words are the question
        kept = [t for t in tokens if t not in _INTERROGATIVES and t not in _SELF_REFERENCE]
    for token in kept:
        term = token if token[0].isdigit() else stem(token)
        if (
            not token[0].isdigit()
            and term not in vocab.stems
            and len(token) >= 4
            and not _has_known_synonym(term, vocab)
        ):
            close = _repair(token, vocab, named=token in capitalised)
            if close:
                corrected[token] = close
                term = vocab.words[close]
            elif (derived := _derived(term, vocab)) is not None:
                corrected[token] = next(w for w, st in vocab.words.items() if st == derived)
                term = derived
        if term not in vocab.stems and not _has_known_synonym(term, vocab):
            unknown.append(term)
            if not token[0].isdigit() or is_year(token):
                typed = re.search(rf"\b{re.escape(token)}\b", question, re.IGNORECASE)
                unknown_words.append(typed.group(0) if typed else token)
            if token in capitalised and not token[0].isdigit():
                unknown_named.append(token)
            if _is_condition(token, kept, vocab):
                # 'after 1,000 cycles' when the paper only reports 500: a condition it never states
                following = kept[kept.index(token) + 1]
                digits = re.sub(r"(\d)(?=(?:\d{3})+(?:\.|$))", r"\1,?", token).replace(".", r"\.")
                typed = re.search(rf"\b{digits}\s+{re.escape(following)}\w*", question, re.IGNORECASE)
                unknown_quantities.append(typed.group(0) if typed else f"{token} {following}")
                unknown_words.append(unknown_quantities[-1])
        content.append(term)
    expansions: list[str] = []
    weight: dict[str, float] = {}
    source: dict[str, int] = {}
    phrases: list[tuple[str, ...]] = []
    alternatives: dict[str, list[tuple[str, ...]]] = {}
    seq = tuple(content)
    for member, others in vocab.synonyms.items():
        size = len(member)
        where = [i for i in range(len(seq) - size + 1) if seq[i : i + size] == member]
        if not where:
            continue
        exact = vocab.equivalent.get(member, set())
        # a general synonym of several words ('trade balance' for 'surplus') is specific enough to
        # name the term when it appears whole; a one-word one ('cost' for 'investment') is not
        for other in exact | {o for o in others if len(o) > 1}:
            for i in where:
                for term in seq[i : i + size]:
                    alternatives.setdefault(term, []).append(other)
        for other in others:
            if len(other) > 1 and other not in phrases:
                phrases.append(other)
            for t in other:
                if t in content:
                    continue
                if t not in expansions:
                    expansions.append(t)
                weight[t] = max(weight.get(t, 0.0), 1.0 if other in exact else 0.7)
                source[t] = min(source.get(t, where[0]), where[0])
    years = [int(t) for t in content if is_year(t)]
    weights = [vocab.weight(t) for t in content if not t[0].isdigit() or is_year(t)]
    # a general word the synonym lists know ('begin' when the paper says 'ran from ... to ...') is
    # understood, not a subject the paper lacks: it does not count toward the unknown share
    unknown_weight = sum(
        vocab.weight(t) for t in unknown if (not t[0].isdigit() or is_year(t)) and (t,) not in vocab.synonyms
    )
    share = unknown_weight / sum(weights) if sum(weights) else 0.0
    entities = [stem(t) for t in kept if t in capitalised and not t[0].isdigit() and stem(t) in vocab.stems]
    names = []
    for run in _NAME_RUN.finditer(question.strip()):
        stems = tuple(
            stem(w.lower())
            for w in run.group(0).split()
            if w.lower() not in STOPWORDS and stem(w.lower()) in vocab.stems
        )
        if stems and stems not in names:
            names.append(stems)
    return QueryTerms(
        question,
        content,
        unknown,
        expansions,
        years,
        corrected,
        weight,
        source,
        share,
        unknown_named,
        unknown_words,
        entities,
        phrases,
        alternatives,
        unknown_quantities,
        names,
    )
