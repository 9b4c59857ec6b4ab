"""Find places where the paper gives a different figure for the same measure as a table cell (pure).

A sentence states the same measure as a cell when it names the cell's row and column (by their
distinctive words, abbreviations or synonyms), states no year other than the cell's, and carries a
figure of a comparable unit that the sentence attaches to that row and column. When that figure
differs from the cell, the two are reported together. Nothing here knows which contradictions a
particular paper has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.answering.evidence import EvidenceBase, word_positions
from qa.parsing.tables import UNIT_SYMBOLS, normalise_unit
from qa.retrieval.query import Vocabulary
from qa.retrieval.tables import function_words
from qa.schema import TableValue
from qa.text import STOPWORDS, NumberMention, is_year, raw_tokens, stem, tokenize

_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_TIGHT_LINKS = {"of", "in", "among", "amongst", "for"}
_UNIT_STEMS = {stem(w) for w in ("percent", "billion", "million", "thousand", "trillion", "dollars", "usd")}
MENTION_THRESHOLD = 0.5
RARE_WORD_IDF = 3.0  # a word this rare that only one label has names that label on its own
OWNER_WINDOW = 6  # words before a figure, in its clause, in which a label named whole owns it
_CLAUSE_BREAK = re.compile(r"[,;:()]|\s(?:and|but|while|whereas)\s", re.IGNORECASE)


# 'afterwards' says 'after' ('fell from 47 minutes before to 24 minutes afterwards'): adverbs of the
# function words that tell twin labels apart ('... before (min)' / '... after (min)'), a closed class
_ADVERBS = {"afterward": "after", "beforehand": stem("before")}


def _positions(text: str) -> list[tuple[int, str]]:
    """:func:`word_positions` with 'afterwards' read as 'after'."""
    return [(p, _ADVERBS.get(w, w)) for p, w in word_positions(text)]


def _function_stems(label: str) -> set[str]:
    """Stems of a label's function words outside its parentheses ('Median wait after (min)' -> after)."""
    return {stem(t) for t in function_words(label)}


@dataclass(frozen=True)
class Mismatch:
    sentence_index: int
    mention: NumberMention


def _alternatives(label: str) -> list[str]:
    """'Widget Export Council (WEC)' -> ['Widget Export Council', 'WEC'];
    a parenthesis that is a unit ('(USD Billion)', '(%)') is dropped."""
    inner = re.findall(r"\(([^()]*)\)", label)
    outer = re.sub(r"\([^()]*\)", " ", label).strip()
    alts = [outer] if outer else []
    alts += [i for i in inner if i.strip() and not normalise_unit(i) and tokenize(i)]
    return alts or [label]


class ConflictFinder:
    """Precomputes, for every table, the distinctive words of its rows and columns."""

    def __init__(self, values: list[TableValue], evidence: EvidenceBase, vocab: Vocabulary) -> None:
        self.values = values
        self.evidence = evidence
        self.vocab = vocab
        self._found: dict[str, list[Mismatch]] = {}
        self._names: dict[tuple[str, str], dict[str, list[dict[str, float]]]] = {}
        self._table_words: dict[str, set[str]] = {}  # per table: its caption's, rows' and columns' stems
        self._function_words: set[str] = set()  # function words that tell twin labels apart
        for table in {v.table for v in values}:
            cells = [v for v in values if v.table == table]
            # columns holding figures, printed alone or not ('0.76 (0.59–0.98)'): a figure the sentence
            # gives for one of them is not a figure for another
            numeric_columns = sorted(
                {v.column for v in cells if v.number is not None or re.search(r"\d", v.value)}
            )
            rows = sorted({v.row for v in cells})
            # words of the caption or of the other dimension's labels cannot tell a row (column) apart
            caption = set(tokenize(cells[0].caption)) if cells else set()
            row_words = set().union(*[set(tokenize(r)) for r in rows]) if rows else set()
            column_words = (
                set().union(*[set(tokenize(c)) for c in {v.column for v in cells}]) if cells else set()
            )
            self._table_words[table] = caption | row_words | column_words
            self._names[(table, "row")] = self._distinctive(rows, caption | column_words)
            self._names[(table, "column")] = self._distinctive(numeric_columns, caption | row_words)
        # a table's caption describes the table and states no figure for its cells ('(n = 210)')
        captions = {v.caption for v in values}
        self._captions = {
            i for i, s in enumerate(evidence.sentences) if any(s.text.strip() in c for c in captions)
        }
        # per sentence, the twin labels' function words it says ('afterwards' as 'after'), read once
        self._said: list[set[str]] = [
            {w for _, w in _positions(s.text)} & self._function_words if self._function_words else set()
            for s in evidence.sentences
        ]

    def _names_in(self, term: str, sentence_terms: set[str]) -> bool:
        # a synonym that is a unit word ('percent' for 'share') says how a figure is written, not what it measures
        if term in sentence_terms or (self.vocab.expand({term}) - _UNIT_STEMS) & sentence_terms:
            return True
        return any(len(o) > 1 and set(o) <= sentence_terms for o in self.vocab.synonyms.get((term,), ()))

    def _distinctive(self, labels: list[str], ambiguous: set[str]) -> dict[str, list[dict[str, float]]]:
        """label -> list of alternatives, each a {stem: weight} of words that tell it from its siblings."""
        alt_terms = {
            label: [set(tokenize(a)) - _UNIT_STEMS - ambiguous for a in _alternatives(label)]
            for label in labels
        }
        content = {label: set(tokenize(re.sub(r"\([^()]*\)", " ", label))) for label in labels}
        for label, alts in alt_terms.items():
            twins = [o for o in labels if o != label and content[o] == content[label] and content[label]]
            if twins and alts:
                # 'Median wait before (min)' / 'Median wait after (min)': the function words they differ by
                extra = _function_stems(label) - set().union(*[_function_stems(t) for t in twins])
                alts[0] = alts[0] | extra
                self._function_words |= extra
        for label, alts in alt_terms.items():
            if not any(alts) and not is_year(label.strip()):
                # a label made only of words the caption also uses ('Trust local news (%)' under a caption
                # on trust in local news) is still told from its siblings by its own words together
                alts[0] = set(tokenize(_alternatives(label)[0])) - _UNIT_STEMS
        out: dict[str, list[dict[str, float]]] = {}
        for label, alts in alt_terms.items():
            siblings = [set().union(*alt_terms[o]) | _function_stems(o) for o in labels if o != label]
            weighted = []
            for terms in alts:
                weights = {}
                for term in terms:
                    shared = sum(term in s for s in siblings) / len(siblings) if siblings else 0.0
                    if shared < 1.0:
                        weights[term] = self.vocab.weight(term) * (1.0 - shared)
                if weights:
                    weighted.append(weights)
            out[label] = weighted
        return out

    def _mention(self, alts: list[dict[str, float]], terms: set[str]) -> float:
        """How fully a sentence with ``terms`` names a label; a word only that label has counts as naming it."""
        best = 0.0
        for weights in alts:
            total = sum(weights.values())
            hits = [t for t in weights if self._names_in(t, terms)]
            got = sum(weights[t] for t in hits)
            score = got / total if total else 0.0
            if any(weights[t] >= self.vocab.weight(t) - 1e-9 and weights[t] >= RARE_WORD_IDF for t in hits):
                score = max(score, MENTION_THRESHOLD)
            best = max(best, score)
        return best

    def _owner(
        self,
        text: str,
        mention: NumberMention,
        names: dict[str, list[dict[str, float]]],
        mentioned: list[str],
    ) -> str | None:
        """Which mentioned label the figure belongs to (see module docstring)."""
        if len(mentioned) == 1:
            return mentioned[0]
        stems_of = {
            label: self.vocab.expand(set().union(*[set(a) for a in names[label]])) for label in mentioned
        }

        own_words = {label: set().union(*[set(a) for a in names[label]]) for label in mentioned}

        def label_of(word: str) -> str | None:
            hits = [label for label, stems in stems_of.items() if word in stems]
            return hits[0] if len(hits) == 1 else None

        # the letters of a figure's unit ('41 kg N/ha') name no label, even where one is called 'N'
        units = {m.start() + k for m in _UNIT_AFTER_FIGURE.finditer(text) for k in range(len(m.group(0)))}
        words = [(pos, w) for pos, w in _positions(text) if pos not in units]
        placed = [(pos, w) for pos, w in words if pos >= mention.end and w not in _UNIT_STEMS]
        if placed and _UNIT_WORD.fullmatch(text[placed[0][0] :].split(maxsplit=1)[0].strip(".,;:")):
            placed = placed[1:]  # '24 minutes afterwards': the unit says how, the next word what
        after = [w for _, w in placed]
        if after and after[0] in self._function_words and label_of(after[0]):
            return label_of(after[0])  # '47 minutes before the ...': 'before' is said of the figure
        # 'the FEC + VC cells retained 87.1%': the label named whole just before the figure, the most
        # specific when labels nest ('FEC + VC' over 'FEC' and 'VC')
        clause = max([m.end() for m in _CLAUSE_BREAK.finditer(text[: mention.start])], default=0)
        before = {w for _, w in [(p, w) for p, w in words if clause <= p < mention.start][-OWNER_WINDOW:]}
        whole = [
            label for label, stems in stems_of.items() if own_words[label] and own_words[label] <= before
        ]
        if whole:
            widest = max(len(own_words[label]) for label in whole)
            best = [label for label in whole if len(own_words[label]) == widest]
            if len(best) == 1:
                return best[0]
        end = _CLAUSE_BREAK.search(text, mention.end)
        named = next(
            (w for pos, w in placed if w not in STOPWORDS and (end is None or pos < end.start())), None
        )
        if named and label_of(named):
            # '24 schools': the noun the figure counts names its label; '47.3 hours to be merged': so
            # does the first word after it that is not a function word
            return label_of(named)
        for k, word in enumerate(after[:5]):
            if word in _TIGHT_LINKS and k + 1 < len(after):
                at = k + 1 if label_of(after[k + 1]) else k + 2
                label = label_of(after[at]) if at < len(after) else None
                if label:
                    # 'in the districts of Restinga, Partenon and Sarandi': a figure for them all
                    listed = _listed(text, placed, at, label, label_of, lambda w, lb: w in stems_of[lb])
                    return None if listed else label
        for _, word in reversed([(p, w) for p, w in words if p < mention.start]):
            label = label_of(word)
            if label:
                return label
        for word in after:
            label = label_of(word)
            if label:
                return label
        return None

    def find(self, cell: TableValue) -> list[Mismatch]:
        """Sentences giving a different figure than ``cell`` for the same row and column (memoised)."""
        if cell.id not in self._found:
            self._found[cell.id] = self._find(cell)
        return self._found[cell.id]

    def _find(self, cell: TableValue) -> list[Mismatch]:
        if cell.number is None:
            return []
        rows = self._names[(cell.table, "row")]
        columns = self._names[(cell.table, "column")]
        year_row = is_year(cell.row.strip())
        foreign = {
            f"{table}:{label}": alts
            for (table, dim), names in self._names.items()
            if dim == "row" and table != cell.table
            for label, alts in names.items()
            if not is_year(label.strip())
        }
        row_cells = {v.column: v for v in self.values if v.table == cell.table and v.row == cell.row}
        own_table_terms = self._table_words[cell.table]
        out = []
        for i, numbers in enumerate(self.evidence.numbers):
            if not numbers or i in self._captions:
                continue
            terms = self.evidence.terms[i] | self._said[i] if self._said[i] else self.evidence.terms[i]
            years = self.evidence.years[i]
            if cell.year is not None and years and cell.year not in years:
                continue
            if year_row:
                mentioned_rows = [cell.row] if (cell.year in years or not years) else []
            else:
                mentioned_rows = [r for r in rows if self._mention(rows[r], terms) >= MENTION_THRESHOLD]
            mentioned_cols = [c for c in columns if self._mention(columns[c], terms) >= MENTION_THRESHOLD]
            if cell.row not in mentioned_rows or cell.column not in mentioned_cols:
                continue
            text = self.evidence.sentences[i].text
            # a word the cell's own table uses ('cover' in 'Concrete cover, ...') is that table's, not a
            # mention of another table's row ('Cover plate end')
            elsewhere = terms - own_table_terms
            mentioned_foreign = [
                f for f in foreign if self._mention(foreign[f], elsewhere) >= MENTION_THRESHOLD
            ]
            own_rows = {} if year_row else {r: rows[r] for r in mentioned_rows}
            label_numbers = {
                t for label in [*mentioned_rows, *mentioned_cols] for t in raw_tokens(label) if t[0].isdigit()
            }
            found = []  # the figures this sentence gives for the cell's row and column
            for mention in numbers:
                if not _comparable(cell, mention) or _foreign_unit(cell, text, mention):
                    continue
                if mention.text.strip().lower() in label_numbers:
                    continue  # 'aged 60–74', 'after 500 cycles': part of a label the sentence names
                if _statistic(cell, text, mention) or _range_end(text, mention):
                    continue  # '(F = 1.42, p = 0.27)'; 'depths between 1.5 and 3.5 m' spans the rows
                if _change(text, mention):
                    continue  # 'a 60 kg N/ha cut in fertiliser', 'fell by 21 minutes': a difference
                if mentioned_foreign:
                    # a figure the sentence gives for something another table lists (a row elsewhere)
                    # is not a figure for this table's measure
                    everyone = own_rows | {f: foreign[f] for f in mentioned_foreign}
                    if self._owner(text, mention, everyone, list(everyone)) in mentioned_foreign:
                        continue
                if year_row:
                    # '81.4 percent in 2022, ... the increase from 2021': the year the figure is given for
                    stated = {str(y): [{str(y): 1.0}] for y in sorted(years)}
                    owner = self._owner(text, mention, stated, list(stated)) if len(stated) > 1 else None
                    row_owner = cell.row if len(stated) <= 1 or owner == str(cell.year) else None
                else:
                    row_owner = self._owner(text, mention, rows, _owning(text, mention, mentioned_rows, rows))
                # a percentage belongs to a column of percentages, not to the respondents' count beside it
                fitting = [
                    c
                    for c in mentioned_cols
                    if (c not in row_cells or _comparable(row_cells[c], mention))
                    and not _counts_other(text, mention, c, row_cells.get(c))
                ]
                col_owner = self._owner(text, mention, columns, fitting)
                if row_owner != cell.row or col_owner != cell.column:
                    continue
                found.append(mention)
            if any(_same_value(cell, m) for m in found):
                continue  # the sentence gives the cell's own figure for it: the others are for other things
            out += [Mismatch(i, m) for m in found]
        return out


# the short words of a unit right after a figure: '52 kg N/ha', '2.1 mg cm-2' (not '24 schools')
_UNIT_AFTER_FIGURE = re.compile(r"(?<=\d)\s*(?:[^\W\d_]{1,3}\b[\s/·]*){1,3}")

_COMPARISON = r"\b(?:above|below|than|over|under|against|versus|vs\.?|compared\s+(?:with|to)|relative\s+to|ahead\s+of|behind)\s+"
_COMPARED = re.compile(rf"{_COMPARISON}(?:the\s+|that\s+of\s+|those\s+of\s+)?$", re.IGNORECASE)
_COMPARED_WITH = re.compile(
    r"\b(?:than|against|versus|vs\.?|compared\s+(?:with|to)|relative\s+to)\s", re.IGNORECASE
)


def _owning(
    text: str, mention: NumberMention, mentioned: list[str], names: dict[str, list[dict[str, float]]]
) -> list[str]:
    """The mentioned labels that may own a figure: not one named only after the figure as what it is
    compared with ('it reaches 91.2 percent, three points above Longformer-base'), nor one named
    before a comparison the figure follows ('TCP took 6.4 s compared with 4.4')."""
    words = _positions(text)
    keep = []
    for label in mentioned:
        stems = set().union(*[set(a) for a in names[label]])
        positions = [p for p, w in words if w in stems]
        if (
            positions
            and min(positions) > mention.end
            and _COMPARED.search(text[mention.end : min(positions)])
        ):
            continue
        if (
            positions
            and max(positions) < mention.start
            and _COMPARED_WITH.search(text[max(positions) : mention.start])
        ):
            continue  # 'X took 6.4 s compared with 4.4': the figure after the comparison is another's
        keep.append(label)
    return keep


def _listed(text: str, placed: list[tuple[int, str]], at: int, label: str, label_of, part_of) -> bool:
    """Whether the label named at ``placed[at]`` is followed, across a comma or 'and'/'or', by another
    label: a coordinated list of labels ('Restinga, Partenon and Sarandi')."""
    k = at
    while k + 1 < len(placed):
        between = text[placed[k][0] : placed[k + 1][0]]
        between = between[len(re.match(r"[^\W_]*", between).group(0)) :]
        if re.fullmatch(r"\s+", between) and part_of(placed[k + 1][1], label):
            k += 1  # still the same label ('Hala Kondratowa')
            continue
        if not re.fullmatch(r"\s*(?:[,;]\s*)?(?:(?:and|or|&)\s+)?", between, re.IGNORECASE) or not re.search(
            r"[,;&]|\b(?:and|or)\b", between, re.IGNORECASE
        ):
            return False
        following = [label_of(w) for _, w in placed[k + 1 : k + 3]]
        return any(other is not None and other != label for other in following)
    return False


_NOUN_AFTER = re.compile(r"\s+([^\W\d_]{4,}s)\b")


def _counts_other(text: str, mention: NumberMention, column: str, cell: TableValue | None = None) -> bool:
    """'17.2 points' is not a figure for a column that counts something ('Schools'): the figure is
    followed by a plural noun that is not the column's one word. A column whose cell in the row is not
    a whole number ('Voices': 18.5) counts nothing."""
    if cell is not None and cell.number is not None and cell.number != int(cell.number):
        return False
    label = [w for w in raw_tokens(re.sub(r"\([^()]*\)", " ", column)) if w not in STOPWORDS]
    noun = _NOUN_AFTER.match(text, mention.end)
    if len(label) != 1 or not _NOUN_AFTER.fullmatch(f" {label[0]}") or noun is None:
        return False  # not a column of counts ('Placebo', 'Treatment gain')
    return stem(noun.group(1).lower()) != stem(label[0])


def _cell_scale(cell: TableValue) -> float:
    unit = (cell.unit or "").lower()
    for word, scale in _SCALE.items():
        if word in unit:
            return scale
    return 1.0


def _comparable(cell: TableValue, mention: NumberMention) -> bool:
    unit = (cell.unit or "").lower()
    if unit == "%":
        return mention.percent
    if mention.percent:
        return False
    if _cell_scale(cell) > 1.0:
        return mention.multiplier is not None
    return mention.multiplier is None


_SHORT_UNIT = re.compile(r"\s*([^\W\d_]{1,3})\b")
# a unit's other spellings, both ways: 'ms' <-> 'milliseconds', 'min' <-> 'minutes'
_SPELLINGS: dict[str, set[str]] = {}
for _symbol, _names in UNIT_SYMBOLS.items():
    for _spelling in (_symbol.lower(), *_names):
        _SPELLINGS.setdefault(_spelling, set()).update({_symbol.lower(), *_names})
# units of measure written out: a closed class of words, so a list (not counted things like 'schools')
_UNIT_WORD = re.compile(
    r"\s*((?:milli|micro|nano|kilo|centi)?(?:seconds?|metres?|meters?|grams?|litres?|liters?|watts?|volts?|"
    r"hertz|bytes?|bits?)|minutes?|hours?|days?|weeks?|months?|years?|miles?|feet|foot|inch(?:es)?|tonnes?|"
    r"tons?|pounds?|ounces?|degrees?|kelvin|joules?|calories?|gallons?|acres?|hectares?)\b",
    re.IGNORECASE,
)


def _foreign_unit(cell: TableValue, text: str, mention: NumberMention) -> bool:
    """The figure carries a unit of its own ('2,000 IU', '5 mg', '6.4 seconds') that the cell's labels
    never use."""
    after = _SHORT_UNIT.match(text, mention.end) or _UNIT_WORD.match(text, mention.end)
    if after is None or after.group(1).lower() in STOPWORDS:
        return False
    context = f"{cell.caption} {cell.column} {cell.row} {cell.unit or ''}".lower()
    unit = after.group(1).lower()
    return not any(re.search(rf"\b{re.escape(u)}\b", context) for u in {unit, *_SPELLINGS.get(unit, ())})


# a test statistic's value: 'F = 1.42', 'p < 0.001', 'F(2, 9) = 1.42', 'r = 0.4'
_STATISTIC = re.compile(r"\b([^\W\d_]{1,2}\d?)\s*(?:\(\s*\d+\s*(?:,\s*\d+\s*)?\))?\s*[=<>≤≥]\s*$")
# the ends of a range: 'between 1.5 and 3.5 m'
_RANGE_START = re.compile(r"\bbetween\s+(?:about\s+|approximately\s+|roughly\s+)?$", re.IGNORECASE)
_RANGE_END = re.compile(
    r"\bbetween\s+(?:about\s+|approximately\s+|roughly\s+)?[-+]?[\d.,]+\s*\S{0,3}\s+and\s+$", re.IGNORECASE
)


def _statistic(cell: TableValue, text: str, mention: NumberMention) -> bool:
    """The figure is a test statistic or p-value ('F = 1.42', 'p = 0.27'), unless its symbol is one the
    cell's labels use ('n = 148' for a column 'Fish aged (n)')."""
    match = _STATISTIC.search(text, 0, mention.start)
    if match is None:
        return False
    labels = f"{cell.column} {cell.row}".lower()
    return not re.search(rf"\b{re.escape(match.group(1).lower())}\b", labels)


# words saying a figure is a difference, not a level: a closed class, so a list
_CHANGE_AFTER = re.compile(
    r"(?:(?:[^\W\d_]{1,3}|minutes?|hours?|days?|weeks?|months?|years?|points?|percent(?:age points?)?)\b[\s/·]*)"
    r"{0,3}(?:cut|cuts|reduction|reductions|less|more|fewer|lower|higher|"
    r"increase|increases|decrease|decreases|drop|drops|rise|rises|gain|gains|saving|savings)\b",
    re.IGNORECASE,
)
_CHANGE_BEFORE = re.compile(
    r"\b(?:rose|fell|increased|decreased|dropped|grew|declined|cut|reduced|improved|lengthened|shortened|"
    r"raised|lowered)\s+by\s+(?:about\s+|around\s+|approximately\s+|nearly\s+|almost\s+)?$",
    re.IGNORECASE,
)


def _change(text: str, mention: NumberMention) -> bool:
    """The figure is a change ('a 60 kg N/ha cut', '21 minutes less', 'fell by 21 minutes'), not a level."""
    after = text[mention.end :].lstrip()
    return bool(_CHANGE_AFTER.match(after) or _CHANGE_BEFORE.search(text[: mention.start]))


def _range_end(text: str, mention: NumberMention) -> bool:
    """The figure bounds a range ('between 1.5 and 3.5 m'): a span over several things, not one cell."""
    before = text[: mention.start]
    return bool(_RANGE_START.search(before) or _RANGE_END.search(before))


def _same_value(cell: TableValue, mention: NumberMention) -> bool:
    if cell.number is None:
        return False
    if mention.multiplier is not None:
        return abs(cell.number * _cell_scale(cell) - abs(mention.value)) < 1e-6 * max(1.0, abs(mention.value))
    return abs(cell.number - mention.base) < 1e-9
