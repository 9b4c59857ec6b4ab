from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.answering.evidence import fact_years
from qa.text import clean_text, find_cardinal_words, find_numbers, parse_number, split_sentences, tokenize


@pytest.mark.parametrize(
    ("cell", "number"),
    [
        ("1,400", 1400.0),
        ("-1.4%", -1.4),
        ("+1,050", 1050.0),
        ("N/A", None),
        ("0.8", 0.8),
        ("2.0", 2.0),
        ("1,400,000", 1400000.0),
        ("Security concerns, political instability", None),
        ("KP: 60%, Punjab: 20%", None),
    ],
)
def test_parse_number(cell, number):
    assert parse_number(cell) == number


def test_find_numbers_understands_units_and_scale():
    found = {
        m.text: (m.value, m.percent)
        for m in find_numbers("rose to $1.9 billion in 2022; 60% of them; CASA-1000")
    }
    assert found["$1.9 billion"] == (1.9e9, False)
    assert found["60%"] == (60.0, True)
    assert "1000" not in " ".join(found) and "-1000" not in found  # part of a name, not a figure


def test_an_abbreviated_multiplier_belongs_to_its_figure():
    found = {
        m.text: m.value
        for m in find_numbers("around 836M parameters, 66K of them bytes; $2bn; a 1.2M-token set")
    }
    assert found == {"836M": 836e6, "66K": 66e3, "$2bn": 2e9, "1.2M": 1.2e6}
    # lower-case 'm' and 'b' are metres and labels; a spaced letter is no multiplier
    assert [m.text for m in find_numbers("5m deep, part 3b, a 5 M solution")] == ["5", "3", "5"]


def test_cardinal_words_are_read_as_counts():
    found = [
        (m.text, m.value)
        for m in find_cardinal_words("Two teams, twenty-one sites, ninety nine days; one of them")
    ]
    assert found == [("Two", 2.0), ("twenty-one", 21.0), ("ninety nine", 99.0)]
    assert find_numbers("two teams") == []  # words are read only where a count is asked for


def test_sentences_do_not_split_abbreviations():
    text = "The U.S. troop withdrawal (e.g. BBC) happened. Then 2023 came. Ahmed, S. (2021). Next?"
    parts = [text[a:b] for a, b in split_sentences(text)]
    assert parts == [
        "The U.S. troop withdrawal (e.g. BBC) happened.",
        "Then 2023 came.",
        "Ahmed, S. (2021).",
        "Next?",
    ]


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_sentences_cover_every_non_space_character(text):
    spans = split_sentences(text)
    covered = set()
    for a, b in spans:
        assert 0 <= a <= b <= len(text)
        covered.update(range(a, b))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


def test_clean_text_removes_control_characters():
    assert clean_text("  How\x00 much\u200b\tis\nit?\x1b ") == "How much is it?"


def test_fact_years_skip_citations():
    assert fact_years("Trade fell to 1.2 billion in 2021 (State Bank of Pakistan, 2023).") == {2021}
    assert fact_years("According to Khan (2021) the line is disputed.") == set()
    assert fact_years("The Taliban returned in August 2021.") == {2021}
    assert fact_years("Investment of 62 billion according to World Bank 2023.") == set()


def test_tokenize_stems_and_drops_stopwords():
    assert tokenize("How much does Pakistan export to Afghanistan in 2024?") == [
        "much",
        "pakistan",
        "export",
        "afghanistan",
        "2024",
    ]
    assert tokenize("1,400 exports") == ["1400", "export"]


def test_a_year_before_a_comma_is_a_year():
    from qa.text import years_in

    assert years_in("in 2016, 2017 and 2018") == [2016, 2017, 2018]
    assert fact_years("It reached 81.4 percent in 2022, the highest value.") == {2022}
    assert years_in("a budget of 2022,500 dollars") == []


@pytest.mark.parametrize(
    ("text", "money"),
    [
        ("It cost $8 per student.", ["$8"]),
        ("Each capsule held 2,000 IU of vitamin D.", []),
        ("Grade 8 pupils paid KES 4,500 a year.", ["4,500"]),
        ("The budget was 3.2 million euros.", ["3.2 million"]),
        ("TLS 1.3 was used.", []),
        ("We try 5 times; the team won 3 games.", []),  # 'try' and 'won' are not currencies here
        # a currency name or code must start its word: 'covers' does not end in 'Rs', 'brand' in 'rand'
        ("The sample covers 3,240 households; the brand 5 model costs Rs. 900.", ["900"]),
    ],
)
def test_money_is_a_figure_printed_with_a_currency(text, money):
    from qa.text import find_numbers, is_money

    assert [m.text for m in find_numbers(text) if is_money(text, m.start, m.end)] == money
