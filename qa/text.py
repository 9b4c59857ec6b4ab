"""Pure text helpers: cleaning, sentence splitting, tokenising, stemming and reading numbers.

Nothing here knows about any particular paper.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

# "How many ...?" / "the number of ...": a question that wants a count, not a percentage.
COUNT_QUESTION = re.compile(r"\bhow many\b|\bnumber of\b", re.IGNORECASE)

# Unicode categories of characters that are never seen: controls, format characters (zero-width
# space/joiners, BOM, direction marks and overrides, soft hyphen) and lone surrogates.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
_SPACES = re.compile(r"\s+")

# Words that frame a question rather than carry its content ("what does the paper say about X").
QUESTION_FRAME_WORDS = frozenset(
    """
    what which who whom whose when where why how much many does do did is are was were be been
    being according paper study article authors author text say says said mention mentions
    mentioned state states stated tell describe describes explain explains discuss discusses
    discussed give gives given list name names report reports reported show shows shown find found
    value figure number amount exactly please the a an of in on for to and or by with about from as
    at this that these those there it its their can could would should will may might value values
    per cent kind type sort also argue argues argued argument claim claims claimed believe believes
    think thinks cite cites cited citing one two three four five six seven eight nine ten eleven
    twelve first second third fourth fifth sixth seventh several various get gets got far month
    months date dates day section sections part parts difference compare compared comparison
    combined figures numbers amounts details
    """.split()
)

# A standard English stopword list (function words only; no content words).
STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are aren as at be because been before being
    below between both but by can cannot could couldn did didn do does doesn doing don down during
    each few for from further had hadn has hasn have haven having he her here hers herself him
    himself his how i if in into is isn it its itself just let me more most mustn my myself no nor
    not of off on once only or other ought our ours ourselves out over own same shan she should
    shouldn so some such than that the their theirs them themselves then there these they this
    those through to too under until up very was wasn we were weren what when where which while who
    whom why will with won would wouldn you your yours yourself yourselves s t d ll m re ve y vs
    versus also
    """.split()
)

_ABBREVIATIONS = (
    "e.g.",
    "i.e.",
    "etc.",
    "dr.",
    "mr.",
    "mrs.",
    "ms.",
    "prof.",
    "no.",
    "vol.",
    "fig.",
    "al.",
    "u.s.",
)

_stemmer = Stemmer.Stemmer("english")


def clean_text(text: str) -> str:
    """Delete invisible characters, normalise Unicode (NFKC) and fold runs of white space.

    Invisible characters (controls, zero-width and direction marks, BOM, soft hyphen, lone surrogates,
    the replacement character left by undecodable bytes) are deleted, not turned into spaces, so one
    inside a word leaves the word whole; white space of any kind (tabs, line and paragraph separators)
    becomes one space.

    Args:
        text: Anything a user typed or pasted.

    Returns:
        The cleaned single-line text.
    """
    text = "".join(
        " " if char.isspace() else char
        for char in text
        if char.isspace() or (char != "\ufffd" and unicodedata.category(char) not in _INVISIBLE_CATEGORIES)
    )
    text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub(" ", text).strip()


# Irregular English forms the Porter stemmer cannot join to their base ("fallen" -> "fall").
_IRREGULAR = {
    "fell": "fall",
    "fallen": "fall",
    "rose": "rise",
    "risen": "rise",
    "grew": "grow",
    "grown": "grow",
    "gave": "give",
    "given": "give",
    "took": "take",
    "taken": "take",
    "began": "begin",
    "begun": "begin",
    "brought": "bring",
    "bought": "buy",
    "sold": "sell",
    "made": "make",
    "held": "hold",
    "led": "lead",
    "left": "leave",
    "lost": "lose",
    "paid": "pay",
    "sent": "send",
    "spent": "spend",
    "thought": "think",
    "told": "tell",
    "wrote": "write",
    "written": "write",
    "saw": "see",
    "seen": "see",
    "came": "come",
    "went": "go",
    "gone": "go",
    "knew": "know",
    "known": "know",
    "shown": "show",
    "drove": "drive",
    "driven": "drive",
    "fought": "fight",
    "sought": "seek",
    "won": "win",
    "built": "build",
    "met": "meet",
    "kept": "keep",
    "stood": "stand",
    "understood": "understand",
    "chose": "choose",
    "chosen": "choose",
}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball (Porter 2) stem of one lowercase word (irregular verb forms first mapped to their base)."""
    return _stemmer.stemWord(_IRREGULAR.get(word, word))


_TOKEN = re.compile(r"[+-]?\$?\d+(?:[.,]\d+)*%?|[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)


def fold_accents(text: str) -> str:
    """'Hervé' -> 'Herve': letters without their combining accents, so spellings with and without
    accents match (Unicode decomposition, not a hand-made table)."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def raw_tokens(text: str) -> list[str]:
    """Lowercase word and number tokens, accents folded; numbers lose thousands separators, signs
    and '$'/'%'."""
    out = []
    for match in _TOKEN.finditer(fold_accents(text.lower())):
        token = match.group(0)
        if token[0].isdigit() or token[0] in "+-$":
            token = number_token(token)
            if not token:
                continue
        elif token.endswith("'s"):
            token = token[:-2]
        out.append(token)
    return out


def number_token(token: str) -> str:
    """Canonical form of a numeric token: '1,400' -> '1400', '-1.4%' -> '1.4', '$2' -> '2'."""
    token = token.strip("+-$%")
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", token):
        token = token.replace(",", "")
    token = token.replace(",", ".") if re.fullmatch(r"\d+,\d{1,2}", token) else token
    if "." in token:
        token = token.rstrip("0").rstrip(".") if re.fullmatch(r"\d+\.\d+", token) else token
    return token


def tokenize(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Stemmed tokens for lexical matching (BM25 and coverage), stopwords removed by default."""
    tokens = raw_tokens(text)
    if not keep_stopwords:
        tokens = [t for t in tokens if t not in STOPWORDS]
    return [stem(t) if not t[0].isdigit() else t for t in tokens]


_SENTENCE_END = re.compile(r"[.!?](?:[\"')\]]+)?\s+(?=[\"'(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split a paragraph into sentence spans.

    Splits after '.', '!' or '?' followed by white space and a capital letter or digit, but not after
    common abbreviations or single initials ("U.S.", "e.g.", "S.").

    Args:
        text: One paragraph.

    Returns:
        ``(start, end)`` spans into ``text``; together they cover every non-space character.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start() + 1
        before = text[start:end]
        last_word = before.rsplit(None, 1)[-1].lower().lstrip("(\"'[") if before.strip() else ""
        if last_word in _ABBREVIATIONS or re.fullmatch(r"\(?[a-z]\.", last_word):
            continue
        # keep closing quotes/brackets with the sentence they close
        stop = match.end()
        while stop > end and text[stop - 1].isspace():
            stop -= 1
        spans.append((start, stop))
        start = match.end()
    if text[start:].strip():
        end = len(text.rstrip())
        spans.append((start, end))
    return spans


_MULTIPLIERS = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
# the abbreviated multipliers written onto the figure ('836M parameters', '66K', '$2bn', '10k'); 'm' and
# 'b' in lower case are left out, since '5m' is five metres and '3b' is mostly a label
_ABBREVIATED = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "bn": 1e9}
_NUMBER = re.compile(
    r"(?<![\w.])(?<![^\W\d_]-)(?P<sign>[+-])?(?P<cur>\$|USD\s?|US\$)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:(?P<abbr>(?-i:[kKMB]|bn))(?!\w))?"
    r"(?P<pct>\s?%|\s?percent\b)?(?:\s?(?P<mult>thousand|million|billion|trillion)\b)?",
    re.IGNORECASE,
)


# Money. The currency signs and names are a closed class of words, so a list: the common ISO codes,
# symbols and English names, enough to tell '$8 per student' from '2,000 IU' or 'Grade 8'.
_CURRENCY = (
    # a sign, or a code or name starting a word ('covers 3,240' holds no 'Rs', 'brand 5' no 'rand')
    r"(?:[$€£¥₹₩₦₱₺]|(?<![A-Za-z])(?:R\$|US\$|Rs\.?|"
    # codes in capitals only, so 'try' or 'cad' in prose is not a currency
    r"(?-i:(?:USD|EUR|GBP|JPY|CNY|INR|KES|NGN|ZAR|BRL|MXN|CHF|CAD|AUD|SEK|NOK|DKK|PLN|RUB|TRY|EGP|BDT|IDR|PHP|KRW|"
    r"VND|THB|MYR|SGD|HKD|NZD|AED|SAR|GHS|TZS|UGX|ETB)\b)|"
    # names; 'won' and 'real' are left out, as the verb and the adjective are far commoner in papers
    r"(?:dollars?|euros?|pounds?\s+sterling|pounds?|rupees?|yen|yuan|renminbi|francs?|pesos?|reais|shillings?|"
    r"rand|naira|cedis?|lira|kron[aeo]r?|zloty|roubles?|rubles?|dinars?|dirhams?|riyals?|taka|baht|ringgit|"
    r"rupiah|cents?|pence)\b))"
)
_MONEY_BEFORE = re.compile(rf"{_CURRENCY}\s?$", re.IGNORECASE)
_MONEY_AFTER = re.compile(rf"^\s?(?:(?:thousand|million|billion|trillion)\s+)?{_CURRENCY}", re.IGNORECASE)
MONEY_QUESTION = re.compile(
    r"\b(?:cost|costs|costed|price|prices|priced|spend|spends|spent|spending|paid|pay|pays|budget|budgets|fee|"
    r"fees|salary|salaries|wage|wages|revenue|revenues|earn|earns|earned|earnings|worth|expenditure)\b",
    re.IGNORECASE,
)


def is_money(text: str, start: int, end: int) -> bool:
    """Whether the figure printed at ``text[start:end]`` is an amount of money: a currency sign or
    name printed with it or next to it."""
    return bool(
        re.match(rf"\s*[+-]?{_CURRENCY}", text[start:end], re.IGNORECASE)
        or _MONEY_BEFORE.search(text[max(0, start - 16) : start])
        or _MONEY_AFTER.match(text[end : end + 40])
    )


# A number after one of these labels names a part of the document ('Table 1', 'Fig. 2'), not a quantity.
_LABEL_BEFORE = re.compile(
    r"\b(?:tables?|tab|figures?|fig|sections?|sec|chapters?|appendix|equations?|eqs?|algorithms?|footnotes?)"
    r"\.?\s*$",
    re.IGNORECASE,
)


def is_part_label(word: str) -> bool:
    """Whether ``word`` names a numbered part of the document ('Table', 'Fig.', 'Section')."""
    return _LABEL_BEFORE.match(word) is not None


# Cardinals written as words, for counts ('Only two regions were surveyed'). A closed class of English
# words, so a list; 'one' alone is left out because it is more often a pronoun ('one of the', 'no one').
_SMALL = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_CARDINAL = re.compile(
    rf"\b(?:(?P<tens>{'|'.join(_TENS)})(?:[-\s](?P<unit>{'|'.join(_SMALL[1:10])}))?|"
    rf"(?P<small>{'|'.join(w for w in _SMALL if w != 'one')}))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class NumberMention:
    """A number found in text: its value as printed (with multiplier applied) and how it was printed."""

    text: str
    value: float
    base: float
    percent: bool
    multiplier: str | None
    start: int
    end: int


def find_numbers(text: str) -> list[NumberMention]:
    """All numbers in ``text`` with '%', currency and 'million'/'billion' understood.

    '1,400' -> 1400; '-1.4%' -> -1.4 (percent); '$1.9 billion' -> 1.9e9 (base 1.9); '+1,050' -> 1050.
    """
    out = []
    for m in _NUMBER.finditer(text):
        if _LABEL_BEFORE.search(text[max(0, m.start() - 12) : m.start()]):
            continue
        base = float(m.group("num").replace(",", ""))
        if m.group("sign") == "-":
            base = -base
        mult = (m.group("mult") or "").lower() or m.group("abbr")
        value = base * (_MULTIPLIERS.get(mult) or _ABBREVIATED[mult]) if mult else base
        out.append(
            NumberMention(
                text=m.group(0).strip(),
                value=value,
                base=base,
                percent=bool(m.group("pct")),
                multiplier=mult,
                start=m.start(),
                end=m.end(),
            )
        )
    return out


def find_cardinal_words(text: str) -> list[NumberMention]:
    """Counts written as words: 'two regions' -> 2, 'twenty-one' -> 21 ('one' alone is not read)."""
    out = []
    for m in _CARDINAL.finditer(text):
        if m.group("small"):
            value = float(_SMALL.index(m.group("small").lower()))
        else:
            value = 20.0 + 10 * _TENS.index(m.group("tens").lower())
            value += _SMALL.index(m.group("unit").lower()) if m.group("unit") else 0
        out.append(NumberMention(m.group(0), value, value, False, None, m.start(), m.end()))
    return out


def parse_number(cell: str) -> float | None:
    """The number printed in a table cell, or None ('N/A', text, or several numbers).

    '1,400' -> 1400.0; '-1.4%' -> -1.4; '+1,050' -> 1050.0; 'N/A' -> None.
    """
    cell = cell.strip()
    mentions = find_numbers(cell)
    if len(mentions) != 1:
        return None
    mention = mentions[0]
    rest = (cell[: mention.start] + cell[mention.end :]).strip()
    if re.search(r"[^\W\d_]{2,}", rest):
        return None
    return abs(mention.base) if cell.startswith("+") else mention.base


def is_year(token: str) -> bool:
    """True for a plausible calendar year (1900-2099)."""
    return bool(re.fullmatch(r"(19|20)\d\d", token))


# A year 1900-2099 standing alone: "in 2022, the ..." is one; "2,022" and "2022,500" are not.
YEAR = re.compile(r"(?<![\d,.])(?:19|20)\d\d(?!\d|,\d)")


def years_in(text: str) -> list[int]:
    """Years mentioned in ``text``, in order, without repeats."""
    seen: list[int] = []
    for match in YEAR.finditer(text):
        year = int(match.group(0))
        if year not in seen:
            seen.append(year)
    return seen


def format_number(value: float) -> str:
    """Print a computed number without float noise: 1050.0 -> '1,050', 0.25 -> '0.25'."""
    if abs(value - round(value)) < 1e-9:
        return f"{round(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")
