"""The paper parses into every section and every table cell; the parser is generic (tiny paper)."""

from __future__ import annotations

import pytest

from qa.errors import CorpusError
from qa.parsing import load_document, parse_document
from tests.conftest import DATA, PAPER

EXPECTED_PATHS = [
    "Front matter",
    "Abstract",
    "Introduction",
    "Research Problem",
    "Objectives",
    "Research Questions",
    "Literature Review",
    "Literature Review > Diplomatic Challenges and Trust Deficit",
    "Literature Review > Security Issues and Cross-Border Militancy",
    "Literature Review > Economic Cooperation and Trade Barriers",
    "Literature Review > Humanitarian Issues and the Refugee Crisis",
    "Literature Review > Geopolitical Influences and Regional Dynamics",
    "Theoretical Background",
    "Research Methodology",
    "Research Methodology > Data Collection",
    "Research Methodology > Data Collection > Secondary Sources",
    "Research Methodology > Data Collection > Secondary Sources > Official Statements, Policy Documents, and Agreements",
    "Research Methodology > Data Collection > Secondary Sources > Reports from International Organizations and Think Tanks",
    "Research Methodology > Data Collection > Secondary Sources > Scholarly Articles, Books, and News Archives",
    "Research Methodology > Data Collection > Quantitative Data",
    "Research Methodology > Data Collection > Quantitative Data > Trade Data",
    "Research Methodology > Data Collection > Quantitative Data > Refugee Statistics",
    "Research Methodology > Data Collection > Quantitative Data > Security Incident Reports",
    "Research Methodology > Ethical Considerations",
    "Results and findings",
    *[
        f"Results and findings > {n}. {t}{suffix}"
        for n, t in [
            (1, "Diplomatic Engagement and Trust Deficit"),
            (2, "Security Challenges and Counterterrorism Efforts"),
            (3, "Economic Cooperation and Trade Barriers"),
            (4, "Refugee Crisis and Humanitarian Concerns"),
            (5, "Regional Geopolitics and External Influences"),
            (6, "Public Perception and Societal Ties"),
            (7, "Opportunities for Future Cooperation"),
        ]
        for suffix in ("", " > " + ("Finding" if n == 6 else "Findings"), " > Evidence")
    ],
    "Results and findings > Table 1: Projected Bilateral Trade between Pakistan and Afghanistan (2024) (Values in USD Millions)",
    "Results and findings > Table 2: Projected Afghan Refugees in Pakistan (2024) (Number of Registered Refugees)",
    "Results and findings > Table 3: Projected Security Incidents Along the Pakistan-Afghanistan Border (2024) (Number of Reported Incidents)",
    "Results and findings > Table 4: Progress on Regional Trade Connectivity Initiatives (2024) (Potential Economic Impact)",
    "Results and findings > Table 5: Projected Public Opinion on Bilateral Relations (2024 Survey) (Percentage of Respondents)",
    "Discussion",
    "Discussion > Security Challenges and Realist Perspectives",
    "Discussion > Trust Deficit and Constructivist Insights",
    "Discussion > Economic Interdependence and Liberalist Perspectives",
    "Discussion > Regional Geopolitics and External Influences",
    "Discussion > Public Perception and the Path Forward",
    "Conclusion",
    "Recommendations",
    "References",
]

M, B, N, P = "USD millions", "USD billion", None, "%"
EXPECTED_CELLS = [
    # table, row, column, item, value, number, unit
    ("Table 1", "2024", "Exports from Pakistan to Afghanistan", None, "1,400", 1400, M),
    ("Table 1", "2024", "Imports to Pakistan from Afghanistan", None, "350", 350, M),
    ("Table 1", "2024", "Total Trade Volume", None, "1,750", 1750, M),
    ("Table 1", "2024", "Trade Balance (Pakistan)", None, "+1,050", 1050, M),
    (
        "Table 2",
        "2024",
        "Registered Afghan Refugees",
        None,
        "1,400,000",
        1400000,
        "number of registered refugees",
    ),
    ("Table 2", "2024", "Percentage Change", None, "-1.4%", -1.4, P),
    ("Table 2", "2024", "Major Host Provinces (Punjab, KP, Balochistan)", "KP", "60%", 60, P),
    ("Table 2", "2024", "Major Host Provinces (Punjab, KP, Balochistan)", "Punjab", "20%", 20, P),
    ("Table 2", "2024", "Major Host Provinces (Punjab, KP, Balochistan)", "Balochistan", "15%", 15, P),
    ("Table 3", "2024", "Cross-Border Attacks", None, "140", 140, "number of reported incidents"),
    ("Table 3", "2024", "Militant Activities", None, "80", 80, "number of reported incidents"),
    ("Table 3", "2024", "Counterterrorism Operations", None, "70", 70, "number of reported incidents"),
    ("Table 3", "2024", "Total Incidents", None, "290", 290, "number of reported incidents"),
    *[
        ("Table 4", row, col, None, value, number, unit)
        for row, values in [
            (
                "China-Pakistan Economic Corridor (CPEC)",
                ("65", 65, "12", 12, "Security concerns, political instability"),
            ),
            (
                "Afghanistan-Pakistan Transit Trade Agreement (APTTA)",
                ("N/A", None, "3", 3, "Bureaucratic hurdles, trust deficit"),
            ),
            ("CASA-1000 Energy Project", ("1.5", 1.5, "0.8", 0.8, "Delays in implementation, funding gaps")),
            ("TAPI Gas Pipeline", ("12", 12, "2.0", 2.0, "Geopolitical tensions, security risks")),
        ]
        for col, value, number, unit in [
            ("Estimated Investment (USD Billion)", values[0], values[1], B),
            ("Expected Increase in Trade Volume (USD Billion)", values[2], values[3], B),
            ("Key Challenges", values[4], None, N),
        ]
    ],
    *[
        ("Table 5", row, col, None, str(v), v, P)
        for row, pk, af in [
            ("Positive view of bilateral relations", 30, 20),
            ("Negative view of bilateral relations", 55, 65),
            ("Neutral/no opinion", 15, 15),
            ("Support for increased trade", 75, 70),
            ("Support for joint counterterrorism efforts", 55, 45),
        ]
        for col, v in [("Pakistan (%)", pk), ("Afghanistan (%)", af)]
    ],
]


@pytest.fixture(scope="module")
def paper():
    return load_document(PAPER)


def test_every_section_is_found_with_its_path(paper):
    assert [s.path for s in paper.sections] == EXPECTED_PATHS


def test_all_five_tables_parse_with_every_cell_number_and_unit(paper):
    assert [t.label for t in paper.tables] == ["Table 1", "Table 2", "Table 3", "Table 4", "Table 5"]
    got = [(v.table, v.row, v.column, v.item, v.value, v.number, v.unit) for v in paper.table_values]
    assert got == [
        (t, r, c, i, val, None if n is None else float(n), u) for t, r, c, i, val, n, u in EXPECTED_CELLS
    ]
    assert len(got) == 35
    assert all(v.year == 2024 for v in paper.table_values)


def test_table_values_cite_caption_row_and_column(paper):
    first = paper.table_values[0]
    assert first.section == (
        "Table 1: Projected Bilateral Trade between Pakistan and Afghanistan (2024) (Values in USD Millions)"
        " > 2024 > Exports from Pakistan to Afghanistan"
    )


def test_front_matter_is_parsed(paper):
    meta = paper.metadata
    assert meta["journal"]["name"] == "Journal for Social Science Archives"
    assert meta["journal"]["volume"] == 3 and meta["journal"]["pages"] == "1168 – 1183"
    assert meta["authors"][0]["name"] == "Dr Nadia Zaheer Ali"
    assert meta["article_history"]["received"] == "February 09, 2025"
    assert len(meta["keywords"]) == 5


def test_paragraph_offsets_point_into_the_clean_text(paper):
    for section in paper.sections:
        for para in section.paragraphs:
            assert paper.text[para.start : para.end] == para.text
    for sentence in paper.sentences:
        if not sentence.section_id.endswith("front-matter"):
            assert paper.text[sentence.start : sentence.end] == sentence.text


def test_generic_parser_on_a_tiny_paper():
    doc = load_document(DATA / "mini.md")
    assert [s.path for s in doc.sections] == [
        "Front matter",
        "Introduction",
        "Methods",
        "Methods > Data",
        "Recommendations",
    ]
    (table,) = doc.tables
    assert table.label == "Table 1" and table.caption.startswith("Table 1: Widget output by plant")
    values = {(v.row, v.column, v.item): (v.value, v.number, v.unit, v.year) for v in doc.table_values}
    assert values[("North Plant", "Output", None)] == ("1,200", 1200.0, "number of widgets", 2022)
    assert values[("South Plant", "Output", None)] == ("N/A", None, "number of widgets", 2022)
    assert values[("South Plant", "Share of exports", "North")] == ("10%", 10.0, "%", 2022)
    assert values[("North Plant", "Share of exports", None)] == ("40%", 40.0, "%", 2022)
    recommendations = doc.sections[-1]
    assert [p.text for p in recommendations.paragraphs] == ["Build more widgets.", "Count them twice."]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\ntitle: [unclosed\n---\n## A\n\nx", "not valid YAML"),
        ("---\ntitle: x\n## A\n", "never closed"),
    ],
)
def test_broken_markdown_gives_a_clear_error(text, message):
    with pytest.raises(CorpusError, match=message):
        parse_document(text, source="bad.md")


def test_text_without_headings_is_one_section():
    # issue 9: a document without headings degrades to one section instead of failing
    doc = parse_document("no headings at all.\n\nA second paragraph.\n", source="plain.md")
    assert [s.title for s in doc.sections] == ["Preamble"]
    assert [p.text for p in doc.sections[0].paragraphs] == ["no headings at all.", "A second paragraph."]
    assert [s.text for s in doc.sentences] == ["no headings at all.", "A second paragraph."]


def test_pipe_lines_without_separator_stay_prose():
    # real in Qasper papers: a paragraph line that starts with '|' is not a table
    doc = parse_document("## A\n\n| a | b |\n| 1 | 2 |\n\nNext.\n", source="x.md")
    assert doc.tables == []
    texts = [p.text for p in doc.sections[0].paragraphs]
    assert texts == ["| a | b |\n| 1 | 2 |", "Next."]


def test_missing_corpus_names_the_path(tmp_path):
    with pytest.raises(CorpusError, match=str(tmp_path / "nope.md")):
        load_document(tmp_path / "nope.md")


def test_a_caption_unit_does_not_reach_columns_that_give_their_own():
    text = """## Results

Table 1: Results on three tasks (%)

| Model | Params (M) | Accuracy | Odds ratio (95% CI) | Group A (n=30) | Balance (Acme) |
| --- | --- | --- | --- | --- | --- |
| Ours | 118 | 90.4 | 0.76 (0.59–0.98) | 12 | 5 |

Table 2: Indicators (KES per month; thousands of workers; per cent)

| Year | Wage (KES/month) | Jobs (thousands) | Share (%) |
| --- | --- | --- | --- |
| 2020 | 13,572 | 812 | 76.1 |
"""
    units = {(v.table, v.column): v.unit for v in parse_document(text).table_values}
    # a column's own unit, or a parenthesis like one we cannot read, keeps the caption's '%' away
    assert units[("Table 1", "Params (M)")] is None
    assert units[("Table 1", "Odds ratio (95% CI)")] is None  # '95%' is the interval's level
    assert units[("Table 1", "Accuracy")] == "%"
    # a sample size or a name in the header is no unit of its own: the caption's applies
    assert units[("Table 1", "Group A (n=30)")] == "%"
    assert units[("Table 1", "Balance (Acme)")] == "%"
    # a caption listing several units gives none; the headers' own units stay
    assert units[("Table 2", "Wage (KES/month)")] is None
    assert units[("Table 2", "Jobs (thousands)")] == "thousands"
    assert units[("Table 2", "Share (%)")] == "%"


def test_a_value_printed_in_per_cent_gets_no_second_sign():
    from qa.answering.context import with_unit

    assert with_unit("0.8 percent", "%") == "0.8 percent"
    assert with_unit("55", "%") == "55%"


def test_unit_symbols_in_headers_are_units_with_their_case():
    text = """## Results

Table 1: Fish by species

| Species | Length (mm) | Growth (µm/year) | Time (min) | Params (M) | Condition (K) | Aged (n) |
| --- | --- | --- | --- | --- | --- | --- |
| Cod | 61.4 | 210 | 27 | 3 | 0.97 | 148 |
"""
    units = {v.column: v.unit for v in parse_document(text).table_values}
    assert units["Length (mm)"] == "mm"
    assert units["Growth (µm/year)"] == "µm/year"
    assert units["Time (min)"] == "min"
    # a capital 'M', 'K' or a sample size 'n' is not read as metres, kelvin or a unit at all
    assert units["Params (M)"] is None and units["Condition (K)"] is None and units["Aged (n)"] is None


def test_a_caption_in_bold_is_read_with_its_label():
    # '**Table 2.** ...' (pandoc's and many authors' way) is a caption like 'Table 2: ...'
    text = """## Results

**Table 2.** Maize grain yield by treatment (kg/ha).

| Treatment | Yield |
| --- | --- |
| Fallow | 9,840 |

*Table 3*: Soil water at sowing (mm)

| Treatment | Water |
| --- | --- |
| Fallow | 168 |
"""
    tables = parse_document(text).tables
    assert [(t.label, t.caption) for t in tables] == [
        ("Table 2", "Table 2. Maize grain yield by treatment (kg/ha)."),
        ("Table 3", "Table 3: Soil water at sowing (mm)"),
    ]
    assert [v.unit for v in parse_document(text).table_values] == ["kg/ha", "mm"]
