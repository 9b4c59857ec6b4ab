"""Chat with the papers: a thin Streamlit page over ``qa.Library`` (all logic lives in ``qa/``).

Run with ``make run`` (or ``streamlit run ui/app.py``). The page shows at once; the model loads in
the background while the reader looks around, and the first question waits for it if needed. The
sidebar picks a paper (or "All papers") and takes uploads (PDF, TXT, Markdown) into the library.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import streamlit as st

from qa import QAError
from qa.feedback import MAX_COMMENT_CHARS, FeedbackRecord, append_feedback
from qa.library import Library, describe, size_text
from qa.presentation import (
    answer_markdown,
    answer_paper,
    chart_frame,
    escape_markdown,
    highlighted_markdown,
    passage_for,
    section_text,
    table_frame,
)
from qa.render import render_transcript
from qa.schema import RETRIEVER_MODES
from qa.settings import load_settings

st.set_page_config(page_title="Ask the paper", page_icon="📄", layout="wide")

# Turns drawn in full (sources, tables, charts, feedback). Older turns are drawn as one collapsed
# block, so the time per question stays flat however long the chat gets (measured in tests/test_ui.py).
LIVE_TURNS = 3


ALL = "__all__"


@st.cache_resource(show_spinner=False)
def get_library() -> Library:
    """The one library of this server process (its papers share one embedding model)."""
    return Library.open()


@st.cache_resource(show_spinner=False)
def assistant_loader() -> Future:
    """Start loading the default paper's assistant (and the model) in the background."""
    library = get_library()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qa-load")
    return pool.submit(lambda: library.assistant(library.papers()[0].id))


def build_index_if_needed(library: Library) -> None:
    """First start (or a changed paper): build missing indexes with a visible progress bar."""
    checked = st.session_state.setdefault("index_checked", set())
    for entry in library.papers():
        if entry.id in checked:
            continue
        checked.add(entry.id)
        problem = library.index_problem(entry.id)
        if problem is None:
            continue
        bar = st.progress(0.0, text=f"Building the index of {entry.id} ({problem})…")

        def progress(stage: str, fraction: float, bar=bar, paper=entry.id) -> None:
            bar.progress(min(1.0, fraction), text=f"Building the index of {paper}: {stage}…")

        with st.spinner("Loading the model…"):
            library.embedder  # noqa: B018 - loads the model
        library.assistant(entry.id, progress=progress)
        bar.empty()


def wait_for_default_assistant() -> None:
    loader = assistant_loader()
    if not loader.done():
        with st.spinner("Loading the model (only the first question waits)…"):
            loader.result()
    loader.result()


def show_answer(library: Library, turn: int, answer) -> None:
    paper = answer_paper(answer)
    doc = library.document(paper or library.papers()[0].id)
    titles = {e.id: e.title for e in library.papers()}
    if paper and len(titles) > 1:
        st.caption(f"From: {escape_markdown(titles.get(paper, paper))}")
    if answer.resolved_question != answer.question:
        st.caption(f"Understood as: {escape_markdown(answer.resolved_question)}")
    if answer.section_scope:
        st.caption(f"Searched only the section you named: {escape_markdown(answer.section_scope)}")
    if answer.abstained:
        st.info(escape_markdown(answer.answer), icon="🤷")
        return
    if answer.short_answer:
        st.markdown(f"#### **{escape_markdown(answer.short_answer)}**")
    st.markdown(answer_markdown(answer))
    for conflict in answer.conflicts:
        figures = "\n".join(
            f"- **{escape_markdown(v.value)}** — {escape_markdown(v.section)}" for v in conflict.values
        )
        st.warning(
            f"The paper gives different figures for {escape_markdown(conflict.measure)}:\n\n{figures}",
            icon="⚠️",
        )
    cited_cells = {c.id for c in answer.citations if c.kind == "table_cell"}
    value_table = {v.id: v.table for v in doc.table_values}
    for label in dict.fromkeys(v.table for v in answer.table_values if v.id in cited_cells):
        used = [v for v in answer.table_values if v.table == label and v.id in cited_cells]
        st.dataframe(
            [
                {
                    "row": v.row,
                    "column": v.column + (f" — {v.item}" if v.item else ""),
                    "value": v.value,
                    "number": v.number,
                    "unit": v.unit or "",
                }
                for v in used
            ],
            hide_index=True,
            width="stretch",
        )
        chart = chart_frame(doc, label)
        if chart is not None:
            st.caption(f"{label}: the table's figures")
            st.bar_chart(chart, stack=False)
    with st.expander(f"Sources ({len(answer.citations)})"):
        for n, citation in enumerate(answer.citations, 1):
            st.markdown(f"**[{n}] {escape_markdown(citation.section)}**")
            if citation.paper:
                st.caption(f"Paper: {escape_markdown(titles.get(citation.paper, citation.paper))}")
            if citation.id in value_table:
                st.dataframe(
                    table_frame(doc, value_table[citation.id], cited_cells), hide_index=True, width="stretch"
                )
            else:
                st.markdown(highlighted_markdown(passage_for(doc, citation), citation.quote))
    feedback(answer, turn)


def feedback(answer, turn: int) -> None:
    cols = st.columns([1, 4, 1])
    with cols[0]:
        rating = st.feedback("thumbs", key=f"rating-{turn}")
    with cols[1]:
        comment = st.text_input(
            "Comment (optional)",
            key=f"comment-{turn}",
            label_visibility="collapsed",
            placeholder=f"What was right or wrong? (optional, up to {MAX_COMMENT_CHARS:,} characters)",
            max_chars=MAX_COMMENT_CHARS,
        )
    with cols[2]:
        if st.button("Send feedback", key=f"send-{turn}", disabled=rating is None):
            record = FeedbackRecord(
                question=answer.question,
                resolved_question=answer.resolved_question,
                answer=answer.answer,
                rating="up" if rating == 1 else "down",
                comment=(comment or "")[:MAX_COMMENT_CHARS],
                cited_sections=[c.section for c in answer.citations],
                abstained=answer.abstained,
            )
            try:
                append_feedback(load_settings().paths.feedback, record)
                st.session_state.feedback_sent.add(turn)
            except QAError as exc:
                st.error(str(exc))
    if turn in st.session_state.feedback_sent:
        st.caption("Thanks, your feedback was saved.")


def collapsed_markdown(entry: dict) -> str:
    """An earlier turn as one block of Markdown (question, answer, sources), made once and kept."""
    if "collapsed" not in entry:
        question = escape_markdown(entry["question"]) or "_(empty question)_"
        if "error" in entry:
            body = escape_markdown(entry["error"])
        else:
            answer = entry["answer"]
            body = escape_markdown(answer.answer) if answer.abstained else answer_markdown(answer)
            sources = "  \n".join(
                f"[{n}] {escape_markdown(c.section)}" for n, c in enumerate(answer.citations, 1)
            )
            body += f"\n\n_Sources:_  \n{sources}" if sources else ""
        entry["collapsed"] = f"**You:** {question}\n\n{body}"
    return entry["collapsed"]


def paper_picker(library: Library) -> str:
    """The sidebar's paper choice ("All papers" or one id); returns the paper whose outline to show."""
    papers = library.papers()
    titles = {e.id: e.title for e in papers}
    if st.session_state.get("select_paper") in titles:  # a paper just added is chosen for the reader
        st.session_state.paper = st.session_state.pop("select_paper")
    if st.session_state.get("paper") not in (ALL, *titles):
        st.session_state.paper = ALL
    with st.sidebar:
        st.selectbox(
            "Paper",
            [ALL, *titles],
            format_func=lambda pid: "All papers" if pid == ALL else titles[pid],
            key="paper",
            on_change=lambda: st.session_state.pop("section", None),
        )
    chosen = st.session_state.paper
    return papers[0].id if chosen == ALL else chosen


def upload_box(library: Library) -> None:
    """Add a paper from the upload box, with a progress bar, then say what was found."""
    cap = size_text(library.settings.ingest.max_bytes)
    with st.sidebar:
        upload = st.file_uploader(
            f"Add a paper (PDF, TXT or Markdown, up to {cap})",
            type=["pdf", "txt", "md"],
            key="upload",
        )
        if upload is not None and upload.file_id != st.session_state.get("uploaded_id"):
            st.session_state.uploaded_id = upload.file_id
            bar = st.progress(0.0, text=f"Reading {upload.name}…")

            def progress(stage: str, fraction: float) -> None:
                bar.progress(min(1.0, fraction), text=f"{upload.name}: {stage}…")

            try:
                found = library.add_upload(upload.getvalue(), upload.name, progress=progress)
            except QAError as exc:
                st.session_state.upload_message = ("error", str(exc))
            else:
                verb = "Already in the library" if found.status == "unchanged" else found.status.capitalize()
                text = f"{verb}: {found.title} ({found.id}) — {describe(found)}"
                text += "".join(f"\n\nNote: {w}" for w in found.warnings)
                st.session_state.upload_message = ("success", text)
                st.session_state.select_paper = found.id
                st.session_state.index_checked = st.session_state.get("index_checked", set()) | {found.id}
            bar.empty()
            st.rerun()
        kind, text = st.session_state.get("upload_message", (None, ""))
        if kind == "error":
            st.error(escape_markdown(text))
        elif kind == "success":
            st.success(escape_markdown(text))


def sidebar(library: Library, paper_id: str) -> None:
    doc = library.document(paper_id)
    meta = doc.metadata
    with st.sidebar:
        title = meta.get("title") or library.entry(paper_id).title
        st.markdown(f"### {escape_markdown(str(title))}")
        authors = ", ".join(a.get("name", "") for a in meta.get("authors", []) if isinstance(a, dict))
        if authors:
            st.caption(escape_markdown(authors))
        journal = meta.get("journal")
        if isinstance(journal, dict):
            st.caption(
                escape_markdown(
                    f"{journal.get('name', '')}, {journal.get('volume', '')}({journal.get('issue', '')}), "
                    f"{journal.get('year', '')}, pp. {journal.get('pages', '')}"
                )
            )
        st.selectbox("Retrieval", RETRIEVER_MODES, index=RETRIEVER_MODES.index("hybrid"), key="mode")
        st.slider("Passages", 1, 12, 6, key="k")
        examples = library.examples(paper_id)
        if examples:
            st.markdown("**Try asking**")
            for i, example in enumerate(examples):
                if st.button(example, key=f"example-{i}", width="stretch"):
                    st.session_state.pending = example
        st.markdown("**Outline**")
        labels = {s.id: ("  " * (s.level - 1)) + s.title for s in doc.sections}
        chosen = st.selectbox(
            "Section",
            list(labels),
            format_func=labels.get,
            index=None,
            placeholder="Choose a section to read",
            key="section",
        )
        if chosen:
            table = next((t for t in doc.tables if t.section_id == chosen), None)
            st.text(section_text(doc, chosen)[:4000])
            if table is not None:
                st.dataframe(table_frame(doc, table.label), hide_index=True)
        if st.button("Clear chat", key="clear"):
            st.session_state.turns = []
            st.session_state.feedback_sent = set()
            st.rerun()


def transcript_button(title: str) -> None:
    """Rendered after the new question is answered, so the transcript includes it."""
    with st.sidebar:
        answers = [t["answer"] for t in st.session_state.turns if t.get("answer") is not None]
        st.session_state.transcript = render_transcript(answers, title)
        st.download_button(
            "Download transcript",
            st.session_state.transcript,
            file_name="transcript.md",
            mime="text/markdown",
            key="download",
            disabled=not answers,
        )


def main() -> None:
    st.session_state.setdefault("turns", [])
    st.session_state.setdefault("feedback_sent", set())
    st.title("Ask the paper")
    try:
        library = get_library()
        if not library.papers():
            raise QAError(f"The library in {library.root} is empty: add a paper with `qa add FILE`.")
        build_index_if_needed(library)
        assistant_loader()  # the model starts loading now, in the background
        paper_id = paper_picker(library)
        upload_box(library)
        sidebar(library, paper_id)
    except QAError as exc:
        st.error(escape_markdown(str(exc)))
        st.stop()
    chosen = st.session_state.paper
    typed = st.chat_input("Ask a question about the paper", key="question")
    question = st.session_state.pop("pending", None) or typed
    if question is not None:
        history = [t["question"] for t in st.session_state.turns if t.get("answer") is not None]
        try:
            wait_for_default_assistant()
            answer = library.ask(
                question,
                paper=None if chosen == ALL else chosen,
                history=history,
                retriever=st.session_state.mode,
                k=st.session_state.k,
            )
            st.session_state.turns.append({"question": answer.question, "answer": answer})
        except QAError as exc:
            st.session_state.turns.append({"question": question, "error": str(exc)})
    transcript_button(
        "all papers" if chosen == ALL and len(library.papers()) > 1 else library.entry(paper_id).title
    )
    turns = st.session_state.turns
    earlier = max(0, len(turns) - LIVE_TURNS)
    if earlier:
        with st.expander(f"Earlier questions ({earlier})"):
            st.markdown("\n\n---\n\n".join(collapsed_markdown(entry) for entry in turns[:earlier]))
    for turn, entry in enumerate(turns[earlier:], start=earlier):
        with st.chat_message("user"):
            st.markdown(escape_markdown(entry["question"]) or "_(empty question)_")
        with st.chat_message("assistant"):
            if "error" in entry:
                st.error(escape_markdown(entry["error"]))
            else:
                show_answer(library, turn, entry["answer"])


main()
