"""The chat page driven by Streamlit's AppTest with the real assistant."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from qa.settings import PROJECT_ROOT

APP = str(PROJECT_ROOT / "ui" / "app.py")


def plain(markdown: str) -> str:
    """Markdown source as a reader sees it (backslash escapes and invisible word joiners removed)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


@pytest.fixture(autouse=True)
def _no_magic():
    """The page uses no Streamlit magic. Without it Streamlit compiles the script directly instead of
    through ast.parse, which CPython 3.11 can fail when another thread parses at the same time ("AST
    constructor recursion depth mismatch": twice in one CI run while the library loaded in the
    background). ``make run`` passes the same option."""
    from streamlit import config

    before = config.get_option("runner.magicEnabled")
    config.set_option("runner.magicEnabled", False)
    yield
    config.set_option("runner.magicEnabled", before)


@pytest.fixture
def page(paper_settings, assistant, monkeypatch, tmp_path):
    """The page on the session's prebuilt index, with feedback going to a temporary file."""
    import streamlit as st

    st.cache_resource.clear()
    monkeypatch.setenv("QA_PATHS__INDEX_DIR", str(paper_settings.paths.index_dir))
    monkeypatch.setenv("QA_PATHS__FEEDBACK", str(tmp_path / "feedback.jsonl"))
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception
    return at


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    assert not at.exception
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [w.value for w in at.warning] + [e.value for e in at.error]
    return plain("\n".join(parts))


def test_table_question_shows_value_citation_and_chart(page):
    ask(page, "How much does Pakistan export to Afghanistan in 2024?")
    shown = texts(page)
    assert "1,400" in shown
    assert any(e.label.startswith("Sources") for e in page.expander)
    assert "[1] Table 1: Projected Bilateral Trade" in shown
    assert page.get("vega_lite_chart"), "no chart of the table"
    assert page.dataframe


def test_unanswerable_question_shows_no_sources(page):
    ask(page, "What is Pakistan's GDP?")
    assert page.info and plain(page.info[0].value).startswith("The paper does not give")
    assert not any(e.label.startswith("Sources") for e in page.expander)


def test_follow_up_uses_the_earlier_turn(page):
    ask(page, "How much does Pakistan export to Afghanistan in 2024?")
    ask(page, "And imports?")
    shown = texts(page)
    assert "Understood as: How much does Pakistan imports to Afghanistan in 2024?" in shown
    assert "350" in shown


def test_a_question_naming_a_section_says_only_that_section_was_searched(page):
    ask(page, "According to the conclusion, what should Pakistan and Afghanistan do?")
    assert "Searched only the section you named: Conclusion" in texts(page)


def test_clicking_an_example_asks_it(page):
    example = next(b for b in page.button if b.key == "example-0")
    example.click().run()
    assert not page.exception
    assert plain(page.chat_message[0].markdown[0].value) == example.label
    assert "1,400" in texts(page)


def test_conflict_shows_a_notice(page):
    ask(page, "What share of Pakistanis view bilateral relations with Afghanistan negatively?")
    warning = plain(page.warning[0].value)
    assert "different figures" in warning and "Table 5" in warning and "Introduction" in warning


def test_transcript_holds_the_conversation(page):
    ask(page, "How much does Pakistan export to Afghanistan in 2024?")
    ask(page, "What is Pakistan's GDP?")
    transcript = page.session_state["transcript"]
    assert "How much does Pakistan export to Afghanistan in 2024?" in transcript
    assert "Table 1: Projected Bilateral Trade" in transcript and "“1,400”" in transcript
    assert "What is Pakistan's GDP?" in transcript and "no sources" in transcript
    assert page.get("download_button")


def test_feedback_is_written(page, tmp_path):
    ask(page, "How much does Pakistan export to Afghanistan in 2024?")
    page.feedback[0].set_value(0).run()
    page.text_input(key="comment-0").input("wrong year").run()
    page.button(key="send-0").click().run()
    assert not page.exception
    records = [json.loads(line) for line in (tmp_path / "feedback.jsonl").read_text().splitlines()]
    assert records[0]["rating"] == "down" and records[0]["comment"] == "wrong year"
    assert records[0]["question"] == "How much does Pakistan export to Afghanistan in 2024?"
    assert "saved" in texts(page)


@pytest.mark.parametrize(
    ("question", "message"), [("   ", "The question is empty"), ("x" * 2500, "limit is 2,000")]
)
def test_bad_input_shows_the_message_in_the_chat(page, question, message):
    ask(page, question)
    assert message in plain(page.error[0].value)


def test_script_and_links_in_a_question_are_shown_literally(page):
    ask(page, "<script>alert(1)</script> [click](http://evil.example) what is CPEC?")
    user = page.chat_message[0].markdown[0].value
    assert "\\<script\\>" in user and "\\[click\\]\\(http" in user
    assert plain(user).startswith("<script>alert(1)</script> [click](http://evil.example)")


def test_outline_shows_a_section(page):
    page.selectbox(key="section").select("sec-58-recommendations").run()
    assert any("prioritize economic cooperation" in t.value for t in page.sidebar.text)


def test_first_start_without_an_index_builds_it(monkeypatch, tmp_path, mini_corpus):
    import streamlit as st

    st.cache_resource.clear()
    monkeypatch.setenv("QA_PATHS__CORPUS", str(mini_corpus))
    monkeypatch.setenv("QA_PATHS__INDEX_DIR", str(tmp_path / "fresh-index"))
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception
    assert (tmp_path / "fresh-index" / "manifest.json").is_file()
    ask(at, "What does the Widget Export Council track?")
    assert "Widget Export Council" in texts(at)
    st.cache_resource.clear()


# ------------------------------------------------------------------------------ the library on the page

GADGETS = (PROJECT_ROOT / "tests" / "data" / "gadgets.md").read_bytes()


@pytest.fixture
def library_page(monkeypatch, tmp_path, mini_corpus):
    """The page over a private library whose default paper is the tiny test paper."""
    import shutil

    import streamlit as st

    st.cache_resource.clear()
    root = tmp_path / "library"
    root.mkdir()
    shutil.copy(mini_corpus, root / "paper.md")
    monkeypatch.setenv("QA_PATHS__CORPUS", str(root / "paper.md"))
    monkeypatch.setenv("QA_PATHS__INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("QA_PATHS__FEEDBACK", str(tmp_path / "feedback.jsonl"))
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception
    yield at, root
    st.cache_resource.clear()


def test_upload_adds_a_paper_shows_what_was_found_and_answers_from_it(library_page):
    at, root = library_page
    picker = at.selectbox(key="paper")
    assert picker.options == ["All papers", "A Tiny Paper About Widgets"]
    assert "up to 50 MB" in at.file_uploader(key="upload").label
    at.file_uploader(key="upload").upload("my gädgets ü.md", GADGETS, "text/markdown").run()
    assert not at.exception
    found = plain(at.success[0].value)
    assert found.startswith("Added: Gadget Survey (gadget-survey) — 4 sections, 1 table (2 values)")
    assert at.selectbox(key="paper").value == "gadget-survey", "the new paper is chosen"
    assert (root / "papers" / "gadget-survey" / "paper.md").read_bytes() == GADGETS
    # no examples.json: questions come from the paper's own table and headings
    examples = [b.label for b in at.button if b.key and b.key.startswith("example-")]
    assert examples[0] == "What is the Sales for East in 2019?"
    assert "What does the paper say in “Limitations”?" in examples
    next(b for b in at.button if b.key == "example-0").click().run()
    shown = texts(at)
    assert "200" in shown and "From: Gadget Survey" in shown and "Paper: Gadget Survey" in shown

    # "All papers": each answer comes from the paper that has it, and says which
    at.selectbox(key="paper").select("__all__").run()
    ask(at, "What does the Widget Export Council track?")
    last = at.chat_message[-1]
    assert "From: A Tiny Paper About Widgets" in plain("\n".join(c.value for c in last.caption))


def test_uploading_the_same_paper_twice_does_not_duplicate_it(library_page):
    at, root = library_page
    at.file_uploader(key="upload").upload("gadgets.md", GADGETS, "text/markdown").run()
    at.file_uploader(key="upload").clear().run()
    at.file_uploader(key="upload").upload("copy of gadgets.md", GADGETS, "text/markdown").run()
    assert not at.exception
    assert plain(at.success[0].value).startswith("Already in the library: Gadget Survey (gadget-survey)")
    assert at.selectbox(key="paper").options == ["All papers", "A Tiny Paper About Widgets", "Gadget Survey"]
    assert sorted(p.name for p in (root / "papers").iterdir()) == ["gadget-survey"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.md", b"", "empty.md is empty (0 bytes)."),
        (
            "../../picture.md",
            b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
            "Cannot read picture.md: it is a binary file",
        ),
        ("huge.md", b"# T\n\n## A\n\n" + b"x" * 3000, "huge.md is 3 kB; the limit is 2 kB"),
    ],
)
def test_a_bad_upload_is_one_message_and_leaves_the_library_untouched(
    library_page, monkeypatch, name, data, message
):
    at, root = library_page
    monkeypatch.setenv("QA_INGEST__MAX_BYTES", "2000")
    import streamlit as st

    st.cache_resource.clear()  # the library is re-opened with the smaller cap
    at.run()
    at.file_uploader(key="upload").upload(name, data, "text/markdown").run()
    assert not at.exception
    shown = plain(at.sidebar.error[0].value)
    assert shown.startswith(message) and "\n" not in shown and "Traceback" not in shown
    assert sorted(p.name for p in root.iterdir()) in (["paper.md"], [".library.lock", "paper.md"])
    assert at.selectbox(key="paper").options == ["All papers", "A Tiny Paper About Widgets"]


def test_a_long_feedback_comment_is_capped_not_an_exception(page, tmp_path):
    ask(page, "How much does Pakistan export to Afghanistan in 2024?")
    box = page.text_input(key="comment-0")
    assert box.max_chars == 5000 and "5,000 characters" in box.placeholder
    page.feedback[0].set_value(0).run()
    box.set_value("y" * 6000).run()  # what a client bypassing the box could send
    page.button(key="send-0").click().run()
    assert not page.exception
    record = json.loads((tmp_path / "feedback.jsonl").read_text().splitlines()[0])
    assert len(record["comment"]) == 5000


def test_the_transcript_carries_no_html_and_no_links(page):
    ask(page, "<script>alert(1)</script> [x](javascript:alert(1)) <http://evil.example> www.evil.example?")
    ask(page, "What is the title of the paper?")
    transcript = page.session_state["transcript"]
    assert not re.search(r"(?<!\\)[<\[]", transcript.split("\n", 1)[1])  # no raw HTML, no link syntax
    assert "www.evil" not in transcript and "http://" not in transcript
    assert "\\<script\\>" in transcript


def test_addresses_in_questions_and_quotes_are_not_links(page):
    from qa.presentation import escape_markdown

    ask(page, "Is www.evil.example or https://evil.example in the paper?")
    user = page.chat_message[0].markdown[0].value
    assert "www." not in user.replace("\\", "") and "https:" not in user.replace("\\", "")
    shown = escape_markdown("data from www.satp.org” and others")
    assert "www.satp" not in shown.replace("\\", "")


def test_time_per_question_stays_flat(page):
    """Question 100 takes at most 1.5x as long as question 1 (older turns are drawn collapsed)."""
    import time

    questions = ["How much does Pakistan export to Afghanistan in 2024?", "What is Pakistan's GDP?"]

    def timed(n: int) -> float:
        started = time.perf_counter()
        ask(page, questions[n % 2])
        return time.perf_counter() - started

    first = [timed(n) for n in range(3)]
    for n in range(3, 97):
        ask(page, questions[n % 2])
    last = [timed(n) for n in range(97, 100)]
    assert len(page.session_state["turns"]) == 100
    print(f"page time per question: first {sorted(first)[1]:.3f}s, at 100 {sorted(last)[1]:.3f}s")
    assert sorted(last)[1] <= 1.5 * sorted(first)[1]
