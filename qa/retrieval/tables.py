"""Match table values to a question (pure): lexical evidence per field plus dense similarity.

Each value is described by its table's caption, its row label, its column header, an optional part
label, its unit and year. A question term counts for a field in proportion to how *distinctive* it
is there: a word shared by every row of a table says nothing about which row is meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from qa.retrieval.query import QueryTerms, Vocabulary
from qa.schema import TableValue, TableValueHit
from qa.settings import ScoringSettings
from qa.text import COUNT_QUESTION, STOPWORDS, is_year, raw_tokens, tokenize

_PERCENT = re.compile(r"%|\bpercent|\bshare\b|\bproportion|\bfraction\b|\bhow much of\b", re.IGNORECASE)
# 'How long did they wait?' wants a duration (or a length): a value in such a unit fits it
_HOW_LONG = re.compile(r"\bhow long\b(?!\s+ago)", re.IGNORECASE)
_TIME_OR_LENGTH_UNIT = re.compile(
    r"(?:ms|s|sec|secs|seconds?|min|mins|minutes?|h|hrs?|hours?|days?|weeks?|months?|years?|yrs?|"
    r"mm|cm|m|km|metres?|meters?|miles?)",
    re.IGNORECASE,
)


FULLY_NAMED = 0.9  # a field score this high means the question names that row/column outright


@dataclass(frozen=True)
class ValueMatch:
    """A table value with its score and the evidence behind it."""

    value: TableValue
    score: float
    row: float | None
    column: float | None
    item: float | None
    coverage: float
    dense: float
    year_ok: bool | None
    named_table: bool
    # every field that tells this value apart is named outright by the question (before the order
    # decay, which ranks siblings but does not make a named field less named)
    fully_named: bool = False
    # the row, column and part scores before the order decay: how well each field is named at all
    named: tuple[float | None, float | None, float | None] = (None, None, None)

    def hit(self) -> TableValueHit:
        return TableValueHit(**self.value.model_dump(exclude={"section"}), score=round(self.score, 4))


def _terms(text: str | None) -> set[str]:
    return set(tokenize(text or ""))


def _label_terms(label: str | None) -> set[str]:
    """Words of a row/column label without a unit in parentheses ('(USD Billion)', '(%)')."""
    from qa.parsing.tables import normalise_unit

    if not label:
        return set()
    kept = re.sub(r"\(([^()]*)\)", lambda m: " " if normalise_unit(m.group(1)) else f" {m.group(1)} ", label)
    return _terms(kept)


def function_words(label: str | None) -> set[str]:
    """The function words of a label outside its parentheses ('Median wait after (min)' -> after)."""
    return {t for t in raw_tokens(re.sub(r"\([^()]*\)", " ", label or "")) if t.isalpha() and t in STOPWORDS}


def _core_terms(label: str | None) -> set[str]:
    """Words of a label outside its parentheses ('Flower density (stems/m²)' -> flower, density)."""
    return _terms(re.sub(r"\([^()]*\)", " ", label or ""))


class TableMatcher:
    """Scores every :class:`TableValue` against a question."""

    def __init__(
        self,
        values: list[TableValue],
        vectors: np.ndarray,
        vocab: Vocabulary,
        scoring: ScoringSettings | None = None,
    ) -> None:
        self.values = values
        self.w = scoring or ScoringSettings()
        self.vectors = vectors
        self.vocab = vocab
        self._function_labels: set[str] = set()  # function words that make up a whole label
        self._fields = [self._field_weights(v) for v in values]
        # each field's total weight, and its terms as a set for the phrase test: fixed per paper
        self._field_totals = [
            {name: (sum(f.values()), set(f)) for name, f in fields.items() if f is not None}
            for fields in self._fields
        ]
        self._all_terms = [
            _terms(f"{v.caption} {v.row} {v.column} {v.item or ''} {v.unit or ''} {v.value}") for v in values
        ]
        self._caption_terms = {
            v.table: _label_terms(re.sub(r"^Table\s+\d+\w?\s*[:.]", "", v.caption)) for v in values
        }
        self._caption_weight = {
            table: sum(vocab.weight(t) for t in terms) or 1.0 for table, terms in self._caption_terms.items()
        }

    def _field_weights(self, v: TableValue) -> dict[str, dict[str, float] | None]:
        same_table = [o for o in self.values if o.table == v.table]
        out: dict[str, dict[str, float] | None] = {}
        for name in ("row", "column", "item"):
            own = _label_terms(getattr(v, name))
            siblings = {getattr(o, name) for o in same_table} - {getattr(v, name)}
            if name == "item":
                siblings = {o.item for o in same_table if o.column == v.column and o.row == v.row} - {v.item}
            if not _core_terms(getattr(v, name)) and name != "item":
                # 'Before (min)' / 'After (min)': a label of function words only is named by those words
                words = {
                    t for t in raw_tokens(re.sub(r"\([^()]*\)", " ", getattr(v, name) or "")) if t.isalpha()
                }
                own = words or own
                self._function_labels |= words
            if not own or (name == "row" and is_year(v.row.strip())) or not siblings:
                out[name] = None  # not a way to tell this value apart
                continue
            core = _core_terms(getattr(v, name))
            if core and name != "item" and core not in [_core_terms(s) for s in siblings]:
                # '(stems/m²)', '(n=306)': a parenthesis the siblings are told apart without is optional
                own = core
            twins = [s for s in siblings if _label_terms(s) == _label_terms(getattr(v, name))]
            if name != "item" and core and twins:
                # 'Median wait before (min)' / 'Median wait after (min)': the function words the twins
                # differ by name each of them
                extra = function_words(getattr(v, name)) - set().union(*[function_words(t) for t in twins])
                own = own | extra
                self._function_labels |= extra
            sibling_terms = [_label_terms(s) | function_words(s) for s in siblings]
            weights = {}
            for term in own:
                shared = sum(term in s for s in sibling_terms) / len(sibling_terms)
                weights[term] = self.vocab.weight(term) * (1.0 - shared)
            out[name] = weights if sum(weights.values()) > 0 else None
        return out

    def match(
        self, terms: QueryTerms, query_vector: np.ndarray | None, limit: int | None = None
    ) -> list[ValueMatch]:
        """All values scored against the question, best first."""
        w = self.w
        weights = {t: 1.0 for t in terms.content}
        position = {t: i for i, t in reversed(list(enumerate(terms.content)))}
        for t in self._function_labels & set(raw_tokens(terms.text)):
            weights.setdefault(t, 1.0)  # 'before the scheme' names the 'Before' column
            position.setdefault(t, len(terms.content))
        single = {t for t in terms.expansions if not any(t in p for p in terms.phrases)}
        for t in terms.expansions:
            if t in single:
                weights.setdefault(t, terms.expansion_weight.get(t, w.expansion))
            position.setdefault(t, terms.expansion_source.get(t, len(terms.content)))
        weighed = [(t, self.vocab.weight(t)) for t in terms.content if not is_year(t)]
        content_weight = sum(weight for _, weight in weighed) or 1.0
        named = {f"Table {n}" for n in re.findall(r"\btable\s+(\d+)\b", terms.text, re.IGNORECASE)}
        percent_wanted = (
            True if _PERCENT.search(terms.text) else (False if COUNT_QUESTION.search(terms.text) else None)
        )
        how_long = bool(_HOW_LONG.search(terms.text))
        dense = (
            self.vectors @ np.asarray(query_vector, dtype=np.float32)
            if query_vector is not None and len(self.vectors)
            else np.zeros(len(self.values), dtype=np.float32)
        )
        caption_cover = {  # per table, not per value: every value of a table shares its caption
            table: sum(self.vocab.weight(t) * weights.get(t, 0.0) for t in caption)
            / self._caption_weight[table]
            for table, caption in self._caption_terms.items()
        }
        out = []
        for i, v in enumerate(self.values):
            fields = self._fields[i]
            scores: dict[str, float | None] = {}
            named_fields = 0  # fields named outright, before the order decay; -1 once one is not
            undecayed: dict[str, float | None] = {}
            for name, field in fields.items():
                if field is None:
                    scores[name] = None
                    continue
                total, field_terms = self._field_totals[i][name]
                # a multi-word synonym (an abbreviation's long form) counts only where it appears whole
                local = dict(weights)
                for phrase in terms.phrases:
                    if set(phrase) <= field_terms | set(terms.content):
                        for t in phrase:
                            local.setdefault(t, terms.expansion_weight.get(t, w.expansion))
                matched = [t for t in field if t in local]
                score = sum(w * local.get(t, 0.0) for t, w in field.items()) / total
                if any(field[t] >= self.vocab.weight(t) - 1e-9 and local[t] >= 1.0 for t in matched):
                    # a word only this label has among its siblings is enough to pick it
                    score = max(score, w.distinctive_floor)
                if named_fields >= 0:
                    named_fields = named_fields + 1 if score >= FULLY_NAMED else -1
                undecayed[name] = score
                if matched:
                    # among siblings both named, the one named first is the subject ("people of A ... with B")
                    score *= 1.0 - w.order_decay * min(position[t] for t in matched)
                scores[name] = score
            own = self._all_terms[i]
            coverage = sum(weight for t, weight in weighed if terms.covered(t, own)) / content_weight
            year_ok = None
            if terms.years and v.year is not None:
                year_ok = v.year in terms.years
            if scores["item"] is not None and scores["item"] >= w.item_names_column:
                # naming a part of a cell ("KP: 60%, ...") names its column too
                scores["column"] = max(scores["column"] or 0.0, scores["item"])
                undecayed["column"] = max(undecayed.get("column") or 0.0, undecayed["item"] or 0.0)
            score = (
                w.table_coverage * coverage
                + w.table_dense * float(dense[i])
                + w.table_caption * caption_cover[v.table]
            )
            if percent_wanted is not None and v.number is not None:
                score += w.percent_match if (v.unit == "%") == percent_wanted else -w.percent_match
            if how_long and v.number is not None and v.unit:
                # the same weight as a percentage's: the unit says whether the value is of the asked kind
                fits = bool(_TIME_OR_LENGTH_UNIT.fullmatch(v.unit.strip()))
                score += w.percent_match if fits else -w.percent_match
            score += w.table_row * (scores["row"] if scores["row"] is not None else w.unnamed_field)
            score += w.table_column * (scores["column"] if scores["column"] is not None else w.unnamed_field)
            if scores["item"] is not None:
                score += w.table_item * scores["item"] - w.table_item_penalty
            if year_ok is True:
                score += w.year_match
            elif year_ok is False:
                score -= w.year_mismatch
            is_named = v.table in named
            if is_named:
                score += w.named_table
            out.append(
                ValueMatch(
                    v,
                    score,
                    scores["row"],
                    scores["column"],
                    scores["item"],
                    coverage,
                    float(dense[i]),
                    year_ok,
                    is_named,
                    named_fields > 0,
                    (undecayed.get("row"), undecayed.get("column"), undecayed.get("item")),
                )
            )
        out.sort(key=lambda m: -m.score)
        return out[:limit] if limit is not None else out
