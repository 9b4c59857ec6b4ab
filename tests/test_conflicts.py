"""The contradiction finder on small documents (pure: no model, no paper).

Each case is a shape of sentence met on papers nobody tuned for (issue 8 probes): the finder must
report the figure a sentence gives for a cell's row and column when it differs from the cell, and
nothing for figures that belong to something else.
"""

from __future__ import annotations

import numpy as np

from qa.answering.conflicts import ConflictFinder
from qa.answering.evidence import EvidenceBase
from qa.parsing import parse_document
from qa.retrieval.query import build_vocabulary


def conflicts(text: str, tmp_path) -> dict[tuple[str, str], list[str]]:
    """(row, column) -> the figures sentences give against that cell."""
    doc = parse_document(text, source="paper.md")
    vocab = build_vocabulary(doc, tmp_path / "none.json")
    evidence = EvidenceBase(doc, np.zeros((len(doc.sentences), 4), dtype=np.float32), vocab)
    finder = ConflictFinder(doc.table_values, evidence, vocab)
    out = {}
    for v in doc.table_values:
        found = finder.find(v)
        if found:
            out[(v.row, v.column)] = [m.mention.text for m in found]
    return out


def table(caption: str, header: list[str], rows: list[list[str]]) -> str:
    lines = [f"Table 1: {caption}", "", "| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


ELECTROLYTES = table(
    "Cell performance by electrolyte",
    ["Electrolyte", "Initial capacity (mAh/g)", "ICE (%)", "Retention after 500 cycles (%)"],
    [
        ["Baseline", "291", "78.4", "71.2"],
        ["FEC", "296", "82.1", "84.6"],
        ["VC", "288", "80.7", "79.3"],
        ["FEC + VC", "299", "83.5", "88.9"],
        ["Diglyme", "274", "86.2", "92.4"],
    ],
)


def test_a_nested_label_owns_the_figure_after_it(tmp_path):
    text = f"""## Results

{ELECTROLYTES}

Both additives helped, and their combination was best: the FEC + VC cells retained 87.1% of their capacity after 500 cycles, against 71.2% for the baseline.
"""
    assert conflicts(text, tmp_path) == {("FEC + VC", "Retention after 500 cycles (%)"): ["87.1%"]}


def test_a_sentence_giving_the_cells_own_figure_gives_others_for_other_things(tmp_path):
    text = f"""## Results

{ELECTROLYTES}

All formulations delivered capacities close to 290 mAh/g with the exception of the diglyme electrolyte, which gave 274 mAh/g.
The diglyme electrolyte gave the highest coulombic efficiency (ICE) of 86.2%, compared with 78.4% for the baseline.
"""
    assert conflicts(text, tmp_path) == {}


SURVEY = table(
    "Trust in news by age group (%)",
    [
        "Age group",
        "Respondents (n)",
        "Trust local news (%)",
        "Trust national TV (%)",
        "Weekly local news use (%)",
    ],
    [
        ["18–29", "412", "41.3", "38.7", "27.4"],
        ["60–74", "547", "63.8", "54.9", "68.2"],
        ["75 and over", "236", "66.4", "61.2", "71.5"],
    ],
)


def test_a_label_of_caption_words_and_numbers_in_a_label_are_not_figures(tmp_path):
    # 'trust', 'local', 'news' are all in the caption, yet together they name the column; '60' and
    # '74' name the row, they are not figures for it
    text = f"""## Results

{SURVEY}

Among respondents aged 60–74, 65.1% said they trusted local news.
Trust in local news rose with age, from 41.3% among the youngest respondents to 66.4% among those aged 75 and over.
"""
    assert conflicts(text, tmp_path) == {("60–74", "Trust local news (%)"): ["65.1%"]}


def test_a_figure_for_a_named_year_among_several(tmp_path):
    text = (
        """## Results

"""
        + table(
            "Employment",
            ["Year", "Informal share of employment (%)"],
            [["2020", "79.6"], ["2021", "79.0"], ["2022", "80.3"]],
        )
        + """

The informal share of employment reached 81.4 percent in 2022, although the increase from 2021 is small compared with the jump in 2020.
"""
    )
    assert conflicts(text, tmp_path) == {("2022", "Informal share of employment (%)"): ["81.4 percent"]}


STACKS = table(
    "Performance at 2% loss (milliseconds unless noted)",
    ["Stack", "Handshake time", "Median page load"],
    [["TCP", "163", "1,390"], ["alphaquic", "84", "1,041"], ["betaquic", "88", "1,118"]],
)


def test_figures_with_another_unit_or_for_what_is_compared_are_not_the_cells(tmp_path):
    text = f"""## Results

{STACKS}

At 10% loss the median page load of TCP took 6.4 seconds compared with 4.4 to 5.0 seconds for the other stacks.
The alphaquic stack completed its handshake in 79 ms, a shorter handshake time than betaquic.
"""
    assert conflicts(text, tmp_path) == {("alphaquic", "Handshake time"): ["79"]}


def test_a_figure_compared_with_a_label_named_after_it_is_not_that_labels(tmp_path):
    text = (
        """## Results

"""
        + table(
            "Accuracy (%)",
            ["Model", "Hyperpartisan", "ECtHR"],
            [["Longformer", "88.1", "71.2"], ["Ours", "90.4", "73.5"]],
        )
        + """

Ours obtains the best accuracy on both benchmarks. On Hyperpartisan it reaches 91.2 percent, more than three points above Longformer.
"""
    )
    assert ("Longformer", "Hyperpartisan") not in conflicts(text, tmp_path)


def test_a_figure_for_a_list_of_rows_is_no_one_rows(tmp_path):
    text = (
        """## Methods

"""
        + table(
            "Schools and gains by district",
            ["District", "Schools", "Treatment gain"],
            [["Restinga", "6", "15.9"], ["Partenon", "6", "13.1"], ["Sarandi", "6", "12.0"]],
        )
        + """

We recruited 24 schools in the districts of Restinga, Partenon and Sarandi.
Students in Restinga's programme schools gained 17.2 points.
"""
    )
    found = conflicts(text, tmp_path)
    assert ("Restinga", "Schools") not in found  # 24 is for all three; 17.2 points counts no schools


def test_a_word_of_the_cells_own_table_does_not_name_another_tables_row(tmp_path):
    # 'cover' is in Table 1's caption and a column; it does not make 'Cover plate end' of Table 2 the
    # owner of the corrosion rate
    text = """## Results

Table 1: Concrete cover and corrosion of the deck

| Bridge | Cover depth (mm) | Corrosion rate (µm/year) |
| --- | --- | --- |
| Dunmore Bridge | 32 | 17.9 |
| Ballyhale Flyover | 52 | 2.8 |

Table 2: Fatigue by welded detail

| Detail type | Stress range (MPa) | Longest crack at end (mm) |
| --- | --- | --- |
| Cover plate end | 42.6 | 14.2 |
| Splice plate hole | 22.4 | 3.4 |
| Connection plate | 35.7 | 9.8 |
| Bearing stiffener | 18.9 | 2.1 |

Dunmore Bridge combined the thinnest cover with the most chloride, and the highest corrosion rate of the campaign, 19.4 µm/year, was recorded there.
"""
    assert conflicts(text, tmp_path) == {("Dunmore Bridge", "Corrosion rate (µm/year)"): ["19.4"]}


SITES = table(
    "Site conditions",
    ["Site", "Depth (m)", "Water temperature (°C)", "Salinity (PSU)"],
    [
        ["Carrick Point", "2.1", "12.8", "31.4"],
        ["Selkie Inlet", "1.7", "13.4", "29.8"],
        ["Brannock Flats", "1.5", "13.9", "30.2"],
    ],
)


def test_test_statistics_and_range_ends_are_no_cells_figures(tmp_path):
    text = f"""## Results

{SITES}

We selected sites at depths between 1.5 and 3.5 m: Carrick Point, Selkie Inlet and Brannock Flats.
Water temperature did not differ among sites (F = 1.42, p = 0.27), although Brannock Flats was the warmest.
Water temperature at Brannock Flats averaged 14.4 °C over the season.
"""
    # the F statistic and p-value are not temperatures, nor are the bounds of a range the depth of
    # one site; a plain figure for one site still is
    assert conflicts(text, tmp_path) == {("Brannock Flats", "Water temperature (°C)"): ["14.4"]}


def test_a_sample_size_named_by_the_column_is_still_its_figure(tmp_path):
    text = (
        "## Results\n\n"
        + table(
            "Fish aged by species",
            ["Species", "Fish aged (n)", "Mean age (days)"],
            [["Cod", "148", "104"], ["Ling", "57", "98"]],
        )
        + "\n\nCod were the most numerous of the fish aged (n = 152).\n"
    )
    assert conflicts(text, tmp_path) == {("Cod", "Fish aged (n)"): ["152"]}


def test_a_unit_symbol_in_a_header_is_a_unit_not_a_name(tmp_path):
    # 'mm' in 'Mean total length (mm)' must not make '0.62 mm per day' a length; '24 minutes' is in the
    # unit of a column headed '(min)'
    text = (
        "## Results\n\n"
        + table(
            "Growth and time by species",
            ["Species", "Mean total length (mm)", "Growth rate (mm per day)", "Handling time (min)"],
            [["Atlantic cod", "61.4", "0.58", "27"], ["Pollack", "72.8", "0.66", "31"]],
        )
        + "\n\nJuvenile Atlantic cod grew at a mean rate of 0.62 mm per day.\n"
        + "The handling time of each Pollack was 24 minutes.\n"
    )
    assert conflicts(text, tmp_path) == {
        ("Atlantic cod", "Growth rate (mm per day)"): ["0.62"],
        ("Pollack", "Handling time (min)"): ["24"],
    }


def test_twin_columns_told_apart_by_before_and_after(tmp_path):
    # the columns differ only by a function word; 'afterwards' says 'after', and the unit word after a
    # figure does not hide the word that says which column it is for
    text = (
        "## Results\n\n"
        + table(
            "Door-to-provider time by hospital",
            ["Hospital", "Median door-to-provider before (min)", "Median door-to-provider after (min)"],
            [["Northgate General", "52", "31"], ["Riverside District", "47", "27"]],
        )
        + "\n\nAt Riverside District, the median door-to-provider time fell from 47 minutes before the "
        "intervention to 24 minutes afterwards.\n"
    )
    assert conflicts(text, tmp_path) == {
        ("Riverside District", "Median door-to-provider after (min)"): ["24"]
    }


def test_the_letters_of_a_unit_name_no_column(tmp_path):
    # 'kg N/ha' after the rye's figure must not make the vetch's figure the 'Fertiliser N' column's
    text = (
        "## Results\n\n"
        + table(
            "Nitrogen by winter treatment",
            ["Treatment", "Residual nitrate at harvest (kg N/ha)", "Fertiliser N to maize (kg N/ha)"],
            [["Cereal rye", "41", "250"], ["Hairy vetch", "58", "190"]],
        )
        + "\n\nResidual soil nitrate at harvest was lowest after cereal rye (41 kg N/ha), while hairy vetch "
        "plots retained 52 kg N/ha despite the reduced fertiliser rate.\n"
    )
    assert conflicts(text, tmp_path) == {("Hairy vetch", "Residual nitrate at harvest (kg N/ha)"): ["52"]}


def test_the_word_after_a_figure_and_its_unit_says_which_column(tmp_path):
    # '47.3 hours to be merged' is the merge column's figure (and the table's own), not a second figure
    # for the time to first review
    text = (
        "## Results\n\n"
        + table(
            "Review latency by organisation",
            ["Organisation", "Median time to first review (hours)", "Median time to merge (hours)"],
            [["Birch", "2.8", "14.1"], ["Cedar", "9.6", "47.3"]],
        )
        + "\n\nCedar was the slowest: its PRs waited a median of 8.4 hours for a first review and 47.3 "
        "hours to be merged.\n"
    )
    assert conflicts(text, tmp_path) == {("Cedar", "Median time to first review (hours)"): ["8.4"]}


def test_measures_as_rows_and_a_plural_column_name_that_counts_nothing(tmp_path):
    # the rows are the measures, with their unit; 'Voices' looks like a plural noun but its cells are
    # not whole numbers, so '16.5 minutes' is not a count of something else
    text = (
        "## Results\n\n"
        + table(
            "Dwell time by gallery",
            ["Measure", "Fleet", "Voices", "p"],
            [
                ["Median dwell time (min)", "11.5", "18.5", "<0.001"],
                ["Mean stops per visit", "7.4", "9.1", "0.002"],
            ],
        )
        + "\n\nVisitors in the Voices Gallery stayed a median of 16.5 minutes, against 11.5 minutes in the "
        "Fleet Gallery (p < 0.001).\n"
    )
    assert conflicts(text, tmp_path) == {("Median dwell time (min)", "Voices"): ["16.5"]}
    units = {(v.row, v.column): v.unit for v in parse_document(text).table_values}
    assert units[("Median dwell time (min)", "Voices")] == "min"
    assert units[("Median dwell time (min)", "p")] is None  # a test statistic is not in minutes


def test_a_change_and_a_caption_state_no_cells_figure(tmp_path):
    # 'a 60 kg N/ha cut' and 'fell by 21 minutes' are differences; '(n = 210)' in a caption describes
    # the table, and a caption is no claim about its cells
    text = (
        "## Results\n\nTable 1: Stops by gallery (n = 210)\n\n| Measure | Fleet | Voices |\n| --- | --- | --- |\n"
        "| Stops per visit (n) | 7.4 | 9.1 |\n| Dwell time (min) | 11.5 | 18.5 |\n\n"
        "Table 2: Nitrogen by treatment\n\n| Treatment | Fertiliser N (kg N/ha) |\n| --- | --- |\n"
        "| Hairy vetch | 190 |\n| Fallow | 250 |\n\n"
        "Hairy vetch allowed a 60 kg N/ha cut in fertiliser. In the Voices gallery, dwell time rose by 7 minutes.\n"
    )
    assert conflicts(text, tmp_path) == {}
    text += "\nIn the Voices gallery, the dwell time was 16.5 minutes.\n"
    assert conflicts(text, tmp_path) == {("Dwell time (min)", "Voices"): ["16.5"]}
