"""Turn a parsed Markdown table into :class:`TableValue` records (pure, generic).

The first column holds row labels; every other cell becomes a value. A cell printed as
``label: value, label: value`` is split into one value per labelled part. Units come from the cell
('%'), else the column header's parenthesis ("Country A (%)", "(USD Billion)"), else the caption's
parenthesis ("(Values in USD Millions)"); years from the row label, else the header, else the caption.
The caption's unit is not given to a column whose own parenthesis says something else ("Params (M)",
"Hazard ratio (95% CI)"), and a caption listing several units ("(KES per month; thousands; per cent)")
gives none: which column has which is not written down.
"""

from __future__ import annotations

import re

from qa.schema import Table, TableValue
from qa.text import parse_number, years_in

_PARENS = re.compile(r"\(([^()]*)\)")
_CURRENCIES = r"USD|US\$|EUR|GBP|PKR|INR|AFN|CNY|JPY|\$|€|£"
_UNIT_HINT = re.compile(
    rf"%|percent|\b(?:{_CURRENCIES})|\bnumber of\b|\bcount\b|\b(?:thousands?|millions?|billions?|trillions?)\b"
    r"|\b(?:km|kg|tons?|tonnes?|mw|gw|kwh|hours?|days?|people|persons?)\b",
    re.IGNORECASE,
)
_PART = re.compile(r"^\s*([^:,]{1,40}?)\s*:\s*([^,]+?)\s*$")

# Unit symbols and their written-out names ('79 ms' against a column in milliseconds): SI and common
# symbols, a closed class written down once. Symbols are matched with their case ('MB' is not 'mb',
# and 'M', 'K' or 'n' in a header are counts, kelvin or a sample size often enough to be left alone).
UNIT_SYMBOLS: dict[str, tuple[str, ...]] = {
    "ms": ("millisecond", "milliseconds"),
    "s": ("second", "seconds"),
    "min": ("minute", "minutes"),
    "h": ("hour", "hours"),
    "hr": ("hour", "hours"),
    "yr": ("year", "years"),
    "km": ("kilometre", "kilometres", "kilometer", "kilometers"),
    "m": ("metre", "metres", "meter", "meters"),
    "cm": ("centimetre", "centimetres", "centimeter", "centimeters"),
    "mm": ("millimetre", "millimetres", "millimeter", "millimeters"),
    "µm": ("micrometre", "micrometres", "micrometer", "micrometers", "micron", "microns"),
    "kg": ("kilogram", "kilograms"),
    "g": ("gram", "grams"),
    "mg": ("milligram", "milligrams"),
    "l": ("litre", "litres", "liter", "liters"),
    "L": ("litre", "litres", "liter", "liters"),
    "ml": ("millilitre", "millilitres", "milliliter", "milliliters"),
    "mL": ("millilitre", "millilitres", "milliliter", "milliliters"),
    "kB": ("kilobyte", "kilobytes"),
    "KB": ("kilobyte", "kilobytes"),
    "MB": ("megabyte", "megabytes"),
    "GB": ("gigabyte", "gigabytes"),
    "kW": ("kilowatt", "kilowatts"),
    "MW": ("megawatt", "megawatts"),
    "kWh": ("kilowatt-hour", "kilowatt-hours"),
    "°C": ("degree", "degrees", "celsius"),
    "°F": ("degree", "degrees", "fahrenheit"),
}
# a header's parenthesis that is a unit symbol, alone or per something: 'mm', 'µm/year', 'km/h', 'mm per day'
_SYMBOL_UNIT = re.compile(
    r"(?:" + "|".join(re.escape(u) for u in sorted(UNIT_SYMBOLS, key=len, reverse=True)) + r")"
    r"(?:\s*(?:/|\bper\b)\s*[^\W\d_]+)?"
)


def normalise_unit(text: str) -> str | None:
    """A readable unit from a parenthesis or header, or None when the text is not a unit.

    'Values in USD Millions' -> 'USD millions'; '%' -> '%'; 'Percentage of Respondents' -> '%';
    'Number of Reported Incidents' -> 'number of reported incidents'; 'mm', 'µm/year' -> as written;
    'Potential Economic Impact' -> None.
    """
    text = text.strip()
    if _SYMBOL_UNIT.fullmatch(text):
        return text  # 'mm', 'µm/year', 'min': printed as the paper prints it
    if not text or not _UNIT_HINT.search(text) or re.search(r"\d\s*(?:%|per\s?cent)", text, re.IGNORECASE):
        return None  # '95% CI' is a statistic's level, not a unit
    if re.search(r"%|\bpercent", text, re.IGNORECASE):
        return "%"
    text = re.sub(r"^(?:values?|figures?|amounts?)\s+(?:in|are in)\s+|^in\s+", "", text, flags=re.IGNORECASE)
    words = [w if re.fullmatch(_CURRENCIES, w) else w.lower() for w in text.split()]
    return " ".join(words)


def _unit_of(text: str) -> str | None:
    for inner in reversed(_PARENS.findall(text)):
        unit = normalise_unit(inner)
        if unit:
            return unit
    return None


# parentheses that qualify a header without being a unit or overriding the caption's: 'n=306', '2024'
_NEUTRAL = re.compile(r"^\s*(?:n\s*=\s*[\d,]+|(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)?\d\d)?)\s*$", re.IGNORECASE)


# ... and those that look like a unit or a statistic we cannot read: 'M', 'KES/month', '95% CI'
_UNIT_LIKE = re.compile(r"\d|%|/|^\s*[^\W\d_]{1,3}\.?\s*$")


# a column of test statistics beside the measures ('p', 'p-value', 't', 'SE'): not in the row's unit
_STATISTIC_HEADER = re.compile(
    r"^\s*(?:p(?:[\s-]*values?)?|[tfz]|χ2|chi2|se|sd|df|ci|95%\s*ci)\s*$", re.IGNORECASE
)


def _own_qualifier(column: str) -> bool:
    """The header's own parenthesis gives a unit or statistic we cannot read, so the caption's unit may
    not be this column's ('Params (M)' under a '(%)' caption); 'Balance (Acme)' is not one."""
    return any(
        not normalise_unit(inner) and not _NEUTRAL.match(inner) and _UNIT_LIKE.search(inner)
        for inner in _PARENS.findall(column)
    )


def _caption_unit(caption: str) -> str | None:
    """The caption's unit, unless its parenthesis lists several ('KES per month; thousands of workers')."""
    if any(";" in inner and normalise_unit(inner) for inner in _PARENS.findall(caption)):
        return None
    return _unit_of(caption)


def _split_parts(cell: str) -> list[tuple[str | None, str]]:
    pieces = [p for p in cell.split(",")]
    parts = [_PART.match(p) for p in pieces]
    if len(pieces) >= 2 and all(parts) and all(parse_number(m.group(2)) is not None for m in parts if m):
        return [(m.group(1), m.group(2)) for m in parts if m]
    return [(None, cell)]


def table_values(table: Table) -> list[TableValue]:
    """Every value cell of ``table`` as a :class:`TableValue`, in reading order."""
    caption_unit = _caption_unit(table.caption)
    caption_years = years_in(table.caption)
    out: list[TableValue] = []
    for r, row in enumerate(table.rows):
        row_label = row[0]
        row_unit = _unit_of(row_label)
        row_years = years_in(row_label) if re.fullmatch(r"\s*(19|20)\d\d\s*", row_label) else []
        for c in range(1, len(table.header)):
            column = table.header[c]
            column_years = years_in(column)
            for p, (item, printed) in enumerate(_split_parts(row[c])):
                number = parse_number(printed)
                if number is not None and printed.strip().endswith("%"):
                    unit = "%"
                elif (
                    number is None
                    and not re.search(r"\d", printed)
                    and printed.strip().upper() not in {"N/A", "NA", "-", "—"}
                ):
                    unit = None  # a text cell
                else:
                    unit = _unit_of(column)
                    if unit is None and not _own_qualifier(column):
                        # a table whose rows are the measures ('Median dwell time (min)' under the columns
                        # 'Fleet' and 'Voices') gives the unit in the row label, not to a 'p' column
                        unit = (None if _STATISTIC_HEADER.match(column) else row_unit) or caption_unit
                year_list = row_years or column_years or caption_years
                path = f"{table.caption} > {row_label} > {column}" + (f" > {item}" if item else "")
                out.append(
                    TableValue(
                        id=f"{table.key}.r{r + 1}c{c + 1}" + (f"p{p + 1}" if item else ""),
                        table=table.label,
                        caption=table.caption,
                        row=row_label,
                        column=column,
                        item=item,
                        value=printed.strip(),
                        number=number,
                        unit=unit,
                        year=year_list[0] if year_list else None,
                        section=path,
                    )
                )
    return out
