"""Ingestion (issue 9): .md, .txt and .pdf in, the parser's Markdown out; bad input is one line."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paper_pdf import chromium, minimal_pdf, render_pdf

from qa.errors import CorpusError
from qa.ingest import IngestedPaper, ingest, load_paper
from qa.ingest.batch import markdown_to_plain_text
from qa.ingest.compare import compare_documents, faithfulness
from qa.ingest.structure import (
    blocks_to_markdown,
    heading_style,
    join_lines,
    merge_continuation_rows,
    text_to_blocks,
)
from qa.parsing.markdown import FRONT_MATTER_SECTION, parse_document
from qa.settings import PROJECT_ROOT

RAW = PROJECT_ROOT / "corpus" / "raw" / "paper.txt"
PAPER = PROJECT_ROOT / "corpus" / "paper.md"
QASPER = PROJECT_ROOT.parent / "shared" / "benchmarks" / "qasper"
QASPER = QASPER if QASPER.exists() else Path("/work/shared/benchmarks/qasper")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _doc(paper: IngestedPaper):
    return parse_document(paper.markdown, source="ingested")


@pytest.fixture(scope="module")
def reference():
    return parse_document(PAPER.read_text(encoding="utf-8"), source=str(PAPER))


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory) -> Path:
    if chromium() is None:
        pytest.skip("chromium is not installed (make test installs it)")
    out = tmp_path_factory.mktemp("pdf") / "paper.pdf"
    return render_pdf(PAPER, out)


# --- the seed paper, three ways --------------------------------------------------------------------


def test_markdown_is_used_as_written():
    paper = ingest(PAPER)
    assert paper.format == "md" and paper.warnings == []
    assert paper.markdown == PAPER.read_text(encoding="utf-8")
    assert paper.title.startswith("The Future of")


def test_raw_text_meets_the_issue_figures(reference):
    paper = ingest(RAW)
    result = compare_documents(_doc(paper), reference)
    assert result.title_recall >= 0.9, result.missing_titles
    assert result.cell_recall >= 0.9, result.missing_cells
    assert paper.format == "txt"
    assert paper.title == reference.metadata["title"]


def test_raw_text_invents_nothing_and_keeps_every_number():
    paper = ingest(RAW)
    faith = faithfulness(_doc(paper), RAW.read_text(encoding="utf-8"))
    assert faith.missing_numbers == []
    # the only sentences not found verbatim are the abstract's, whose lines the two-column layout
    # interleaved with the article-info box in the extraction
    assert faith.sentences_in_source >= faith.sentences - 3, faith.invented


def test_raw_text_front_matter(reference):
    meta = _doc(ingest(RAW)).metadata
    assert [a["name"] for a in meta["authors"]] == [a["name"] for a in reference.metadata["authors"]]
    assert meta["authors"][1]["affiliation"] == reference.metadata["authors"][1]["affiliation"]
    assert meta["keywords"] == reference.metadata["keywords"]
    assert meta["journal"]["name"] == reference.metadata["journal"]["name"]
    assert meta["corresponding_author"] == reference.metadata["corresponding_author"]


def test_pdf_rendering_meets_the_issue_figures(seed_pdf, reference):
    paper = ingest(seed_pdf)
    doc = _doc(paper)
    result = compare_documents(doc, reference)
    assert result.title_recall >= 0.9, result.missing_titles
    assert result.cell_recall >= 0.9, result.missing_cells
    assert paper.format == "pdf" and paper.title == reference.metadata["title"]
    assert result.sentence_recall == 1.0
    # Chromium's running header (date, title) and footer (file URL, "n/14") are gone
    assert "file://" not in paper.markdown
    assert not re.search(r"^\d+/\d+$", paper.markdown, re.MULTILINE)
    # every number of the paper's body and tables survives
    body = " ".join(
        [s.text for s in reference.sentences if s.section != FRONT_MATTER_SECTION]
        + [c for t in reference.tables for r in [t.header, *t.rows] for c in r]
    )
    missing = set(NUMBER.findall(body)) - set(NUMBER.findall(paper.markdown))
    assert not missing


def test_two_column_pdf_keeps_reading_order(tmp_path_factory, reference):
    # journals print in two columns: lines of neighbouring columns must not be read across
    if chromium() is None:
        pytest.skip("chromium is not installed (make test installs it)")
    pdf = render_pdf(PAPER, tmp_path_factory.mktemp("pdf2") / "paper.pdf", columns=2)
    result = compare_documents(_doc(ingest(pdf)), reference)
    assert result.title_recall >= 0.9, result.missing_titles
    assert result.sentence_recall >= 0.95
    # tables split over a column or page break are only partly recovered (measured 29/45 cells)
    assert result.cell_recall >= 0.5


# --- a plain-text paper as the corpus -----------------------------------------------------------------

_FIELD_REPORT = """A Field Report on Two Trenches

1. Introduction

We excavated two trenches on a coastal promontory in 2021.

2. Results

Finds varied between the trenches (Table 1).

Table 1: Finds by trench
Trench\tArea (m²)\tPottery sherds (n)
Trench 1\t48\t212
Trench 2\t36\t87

The pottery is coarse and local.
"""


def test_a_plain_text_corpus_is_ingested_not_read_as_markdown(tmp_path):
    # handed straight to the Markdown parser, an aligned table is prose and the numbered headings are
    # not sections; `--corpus paper.txt` must read it the way `qa library add` does
    path = tmp_path / "report.txt"
    path.write_text(_FIELD_REPORT, encoding="utf-8")
    assert parse_document(_FIELD_REPORT).tables == []
    doc = load_paper(path, 10**6)
    assert [t.caption for t in doc.tables] == ["Table 1: Finds by trench"]
    assert doc.tables[0].rows == [["Trench 1", "48", "212"], ["Trench 2", "36", "87"]]
    assert {"1. Introduction", "2. Results"} <= {s.title for s in doc.sections}
    markdown = tmp_path / "report.md"
    markdown.write_text("# Notes\n\nTrench 1 held 212 sherds.\n", encoding="utf-8")
    assert load_paper(markdown, 10**6).tables == []  # Markdown is read as written


def test_a_plain_text_corpus_refuses_bad_input_in_one_line(tmp_path):
    with pytest.raises(CorpusError, match=re.escape(str(tmp_path / "gone.txt"))):
        load_paper(tmp_path / "gone.txt", 10**6)
    big = tmp_path / "big.txt"
    big.write_text("word " * 400, encoding="utf-8")
    with pytest.raises(CorpusError, match="limit"):
        load_paper(big, 1000)


@pytest.mark.model
def test_a_plain_text_corpus_answers_from_its_table(tmp_path, embedder):
    from qa import Assistant
    from tests.conftest import make_settings

    path = tmp_path / "report.txt"
    path.write_text(_FIELD_REPORT, encoding="utf-8")
    assistant = Assistant.load(make_settings(path, tmp_path / "index"), embedder=embedder)
    answer = assistant.ask("How many pottery sherds came from Trench 2?")
    assert answer.short_answer == "87"
    assert answer.strategy.startswith("table")


# --- degrade, never fail ---------------------------------------------------------------------------


def test_text_without_headings_is_one_section(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("just a note, no headings.\n\nsecond paragraph, still none.\n", encoding="utf-8")
    paper = ingest(path)
    doc = _doc(paper)
    assert len(doc.sections) == 1
    assert [p.text for p in doc.sections[0].paragraphs] == [
        "just a note, no headings.",
        "second paragraph, still none.",
    ]
    assert any("one section" in w for w in paper.warnings)


def test_malformed_table_becomes_prose(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text(
        "Results\n\nTable 1: Broken grid\n\nA\tB\tC\n1\t2\n3\t4\t5\t6\t7\n\nAfter the table.\n",
        encoding="utf-8",
    )
    paper = ingest(path)
    doc = _doc(paper)
    assert doc.tables == []
    text = " ".join(s.text for s in doc.sentences)
    for number in "1234567":
        assert number in text
    assert any("kept as text" in w for w in paper.warnings)


def test_wrapped_text_with_page_breaks(tmp_path):
    path = tmp_path / "wrapped.txt"
    header = "Journal of Tests, Vol. 1"
    path.write_text(
        f"{header}\nA Study of Things\nAnn Lee, Bob Roe\n\n1 Introduction\nThe first para-\ngraph runs over"
        f" two lines.\n\nMore text here and\n\f{header}\n2\nit continues after the page break.\n\n"
        f"2 Methods\nWe counted.\n\f{header}\n3\nThe end.\n",
        encoding="utf-8",
    )
    paper = ingest(path)
    doc = _doc(paper)
    assert [s.title for s in doc.sections if s.title not in ("Front matter", "Preamble")] == [
        "1 Introduction",
        "2 Methods",
    ]
    texts = [p.text for s in doc.sections for p in s.paragraphs]
    assert "The first paragraph runs over two lines." in texts
    assert "More text here and it continues after the page break." in texts
    assert header not in paper.markdown.split("---")[-1]
    assert doc.metadata["title"] == "A Study of Things"
    assert [a["name"] for a in doc.metadata["authors"]] == ["Ann Lee", "Bob Roe"]


# --- bad input: one line naming the path ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.md", b"  \n\n ", "no text"),
        ("image.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "binary"),
        ("fake.pdf", b"just text pretending\n", "not a PDF"),
        ("real-pdf.txt", b"%PDF-1.4\n%%EOF\n", "is a PDF"),
        ("broken.pdf", b"%PDF-1.4 garbage garbage", "damaged"),
        ("scan.pdf", minimal_pdf(b"0 0 1 rg 100 100 200 200 re f"), "no text layer"),
        ("locked.pdf", minimal_pdf(b"BT ET", encrypted=True), "encrypted"),
        ("paper.docx", b"PK\x03\x04", "unsupported file type"),
    ],
)
def test_bad_files_give_one_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CorpusError, match=message) as err:
        ingest(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(CorpusError, match=re.escape(str(tmp_path / "nope.txt"))):
        ingest(tmp_path / "nope.txt")


def test_oversized_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.pdf"
    with open(path, "wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, nothing on disk
    with pytest.raises(CorpusError, match=r"209\.7 MB is over the 50 MB limit"):
        ingest(path)
    small = tmp_path / "small.txt"
    small.write_text("x" * 100, encoding="utf-8")
    with pytest.raises(CorpusError, match="over"):
        ingest(small, max_bytes=10)


def test_spaces_and_unicode_in_the_path(tmp_path):
    folder = tmp_path / "my papers é"
    folder.mkdir()
    path = folder / "Über paper 论文.txt"
    path.write_text("Introduction\n\nSome text about things that matter a lot.\n", encoding="utf-8")
    paper = ingest(path)
    assert "Some text about things" in paper.markdown
    with pytest.raises(CorpusError, match=re.escape(str(folder / "leer datei.txt"))):
        (folder / "leer datei.txt").write_bytes(b"")
        ingest(folder / "leer datei.txt")


def test_compare_command_reports_one_line_for_bad_input(tmp_path):
    empty = tmp_path / "empty paper.txt"
    empty.write_bytes(b"")
    run = subprocess.run(
        [sys.executable, "-m", "qa.ingest.compare", str(empty), str(PAPER)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0 and str(empty) in run.stderr and "Traceback" not in run.stderr


def test_compare_command_on_the_seed():
    run = subprocess.run(
        [sys.executable, "-m", "qa.ingest.compare", str(RAW), str(PAPER)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert run.returncode == 0, run.stderr
    titles = re.search(r"section titles found: (\d+)/(\d+)", run.stdout)
    cells = re.search(r"table cells found .*?: (\d+)/(\d+)", run.stdout)
    assert int(titles.group(1)) / int(titles.group(2)) >= 0.9
    assert int(cells.group(1)) / int(cells.group(2)) >= 0.9


# --- pieces -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "style"),
    [
        ("2.1 Data Collection", "numbered"),
        ("INTRODUCTION", "named"),
        ("RELATED WORK", "caps"),
        ("Results and findings", "named"),
        ("Diplomatic Challenges and Trust Deficit", "title"),
        ("Evidence:", "title"),
        ("The study ends here.", None),
        ("Email: someone@example.org", None),
        ("Table 3: Counts", None),
        ("we measured the rest", None),
    ],
)
def test_heading_styles(line, style):
    assert heading_style(line) == style


def test_join_lines_hyphenation():
    assert join_lines(["a conse-", "quence"]) == "a consequence"
    assert join_lines(["the post-", "Taliban era"]) == "the post-Taliban era"
    vocabulary = Counter({"refugee-related": 2})
    assert join_lines(["refugee-", "related data"], vocabulary) == "refugee-related data"


def test_header_broken_over_two_lines_is_rejoined():
    rows = [
        ["Year", "Registered Afghan", "Percentage"],
        ["", "Refugees", "Change"],
        ["2024", "1,400,000", "-1.4%"],
    ]
    assert merge_continuation_rows(rows) == [
        ["Year", "Registered Afghan Refugees", "Percentage Change"],
        ["2024", "1,400,000", "-1.4%"],
    ]


def test_a_space_aligned_header_over_a_label_column_without_one():
    # the header starts right of every row label and runs over two lines, as a PDF's text layer gives it
    text = (
        "Table 1. Visitors by gallery\n\n"
        "                              Fleet Gallery      Voices Gallery\n"
        "                              (object-led)       (story-led)\n"
        "  Visitors tracked (n)             210                210\n"
        "  Visiting with children (%)        38                 41\n"
    )
    doc = parse_document(blocks_to_markdown(text_to_blocks(text)).markdown)
    [table] = doc.tables
    assert table.header == ["", "Fleet Gallery (object-led)", "Voices Gallery (story-led)"]
    assert table.rows == [["Visitors tracked (n)", "210", "210"], ["Visiting with children (%)", "38", "41"]]
    # a header's second line goes under the cells it sits under, not into the first free ones
    text = (
        "Table 3. Stopping by zone\n\n"
        "  Zone  Theme                           Visitors stopping   Mean stop\n"
        "                                              (%)           time (min)\n"
        "  V1    The harbour in the 1880s              74               1.2\n"
        "  V4    The storm of January 1953             81               3.4\n"
    )
    [table] = parse_document(blocks_to_markdown(text_to_blocks(text)).markdown).tables
    assert table.header == ["Zone", "Theme", "Visitors stopping (%)", "Mean stop time (min)"]
    assert table.rows[1] == ["V4", "The storm of January 1953", "81", "3.4"]


def test_page_headers_and_numbers_of_a_text_without_page_breaks_are_dropped(tmp_path):
    body = "The galleries were compared over six weeks in spring.\nVisitors were tracked at random.\n\n"
    text = (
        "Journal of Visitor Studies\n\nStories or Objects? Dwell Time and Recall in Two Galleries\n\n"
        "Ada Byrne\n\n1. Introduction\n\n"
        + body
        + "118        Journal of Visitor Studies 14(2)\n\n"
        + body
        + "                                  119\n\n"
        + "              Stories or Objects? Dwell Time and Recall\n\n"
        + body
        + "120        Journal of Visitor Studies 14(2)\n\n2. Results\n\n"
        + body
    )
    path = tmp_path / "paper.txt"
    path.write_text(text, encoding="utf-8")
    paper = ingest(path)
    assert "4 page header/footer lines removed" in paper.warnings
    for gone in ("14(2)", "119", "Dwell Time and Recall\n"):
        assert gone not in paper.markdown
    assert [s.title for s in _doc(paper).sections if s.level][-2:] == ["1. Introduction", "2. Results"]
    # a paragraph cut by the dropped lines is one paragraph again
    text = (
        "Journal of Visitor Studies\n\nStories or Objects? Dwell Time and Recall in Two Galleries\n\n"
        "1. Results\n\nIn the Voices\n\n121        Journal of Visitor Studies 14(2)\n\n"
        "Gallery 58% of visitors were moved.\n\n122        Journal of Visitor Studies 14(2)\n\n"
        "Fewer were in the Fleet Gallery.\n"
    )
    path.write_text(text, encoding="utf-8")
    doc = _doc(ingest(path))
    assert "In the Voices Gallery 58% of visitors were moved." in doc.text
    assert [p.text for s in doc.sections for p in s.paragraphs][-2:] == [
        "In the Voices Gallery 58% of visitors were moved.",
        "Fewer were in the Fleet Gallery.",
    ]


# --- papers nobody here wrote -----------------------------------------------------------------------


@pytest.mark.skipif(not QASPER.exists(), reason="the shared Qasper benchmark is not on this machine")
def test_qasper_sample_ingests_as_markdown_and_as_plain_text(tmp_path):
    papers = sorted((QASPER / "validation").glob("*.md"))[:25]
    found = total = 0
    for path in papers:
        paper = ingest(path)
        doc = _doc(paper)
        assert doc.sections, path
        plain = markdown_to_plain_text(paper.markdown)
        text_path = tmp_path / f"{path.stem}.txt"
        text_path.write_text(plain, encoding="utf-8")
        result = compare_documents(_doc(ingest(text_path)), doc)
        found += result.section_titles_found
        total += result.section_titles
    assert found / total >= 0.6


# --- properties -------------------------------------------------------------------------------------

_PIECES = [
    "Table 1: Counts (2024)",
    "Keywords: a, b",
    "1. Introduction",
    "ABSTRACT",
    "Ann Lee¹, Bob Roe²",
    "Year\tA\tB",
    "2024\t1,400\t35",
    "\t\tx",
    "---",
    "| a | b |",
    "| --- | --- |",
    "Corresponding Author: Ann Lee Email: a@b.co",
    "¹Affil 7, Email: x@y.org",
    "- item 3",
    "References",
    "Journal of X",
    "Vol. 3, No. 2, pp. 1-9",
    "doi 10.1000/xyz.12",
    "The end of a sen-",
    "tence and more.",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.sampled_from(_PIECES),
            st.text(alphabet="abcXYZ019 \t-:|#*.,;()¹²•–\x0c", max_size=40),
        ),
        max_size=30,
    ),
    st.sampled_from(["\n", "\n\n", " "]),
)
def test_any_text_becomes_parseable_markdown_keeping_every_number(parts, joiner):
    text = joiner.join(parts)
    markdown = blocks_to_markdown(text_to_blocks(text)).markdown
    parse_document(markdown, source="fuzz")  # never raises
    missing = Counter(re.findall(r"[0-9]+", text)) - Counter(re.findall(r"[0-9]+", markdown))
    assert not missing


def test_markdown_without_headings_is_one_section(tmp_path):
    path = tmp_path / "plain.md"
    path.write_text("Just one paragraph of notes.\n", encoding="utf-8")
    paper = ingest(path)
    assert paper.warnings == ["no section headings found; the text is one section"]
    assert [s.title for s in _doc(paper).sections] == ["Preamble"]


def test_batch_command_counts_failures(tmp_path):
    (tmp_path / "a.md").write_text("# A paper\n\n## Intro\n\nText.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text(
        "Introduction\n\nSome text that is long enough to read.\n", encoding="utf-8"
    )
    (tmp_path / "c.txt").write_bytes(b"")
    run = subprocess.run(
        [sys.executable, "-m", "qa.ingest.batch", str(tmp_path), "--as-text"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert run.returncode == 1
    assert "papers: 3; ingested: 2; failures: 1" in run.stdout
    assert "c.txt" in run.stdout and "empty" in run.stdout
    assert "as plain text: failures: 0" in run.stdout
