"""Chat with the paper: a thin Streamlit page over ``qa.Assistant`` (all logic lives in ``qa/``).

Run with ``make run`` (or ``streamlit run ui/app.py``). The page shows at once; the model loads in
the background while the reader looks around, and the first question waits for it if needed.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import streamlit as st

from qa import Assistant, QAError
from qa.feedback import MAX_COMMENT_CHARS, FeedbackRecord, append_feedback
from qa.indexing.embedder import shared_embedder
from qa.parsing import load_document
from qa.presentation import (
    answer_markdown,
    chart_frame,
    escape_markdown,
    highlighted_markdown,
    load_examples,
    passage_for,
    section_text,
    table_frame,
)
from qa.render import render_transcript
from qa.schema import RETRIEVER_MODES, Document
from qa.settings import load_settings

st.set_page_config(page_title="Ask the paper", page_icon="📄", layout="wide")

# Turns drawn in full (sources, tables, charts, feedback). Older turns are drawn as one collapsed
# block, so the time per question stays flat however long the chat gets (measured in tests/test_ui.py).
LIVE_TURNS = 3


@st.cache_resource(show_spinner=False)
def get_document() -> Document:
    return load_document(load_settings().paths.corpus)


@st.cache_resource(show_spinner=False)
def assistant_loader() -> Future:
    """Start loading the one assistant of this server process in the background."""
    settings = load_settings()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qa-load")
    return pool.submit(lambda: Assistant.load(settings, embedder=shared_embedder(settings.model)))


def build_index_if_needed() -> None:
    """First start (or a changed paper): build the index with a visible progress bar."""
    if st.session_state.get("index_checked"):
        return
    settings = load_settings()
    problem = Assistant.index_problem(settings)
    st.session_state.index_checked = True
    if problem is None:
        return
    bar = st.progress(0.0, text=f"Building the index ({problem})…")

    def progress(stage: str, fraction: float) -> None:
        bar.progress(min(1.0, fraction), text=f"Building the index: {stage}…")

    with st.spinner("Loading the model…"):
        embedder = shared_embedder(settings.model)
    Assistant.load(settings, embedder=embedder, progress=progress)
    bar.empty()
    assistant_loader.clear()


def wait_for_assistant() -> Assistant:
    loader = assistant_loader()
    if not loader.done():
        with st.spinner("Loading the model (only the first question waits)…"):
            return loader.result()
    return loader.result()


def show_answer(doc: Document, turn: int, answer) -> None:
    if answer.resolved_question != answer.question:
        st.caption(f"Understood as: {escape_markdown(answer.resolved_question)}")
    if answer.abstained:
        st.info(escape_markdown(answer.answer), icon="🤷")
        return
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


def sidebar(doc: Document) -> None:
    meta = doc.metadata
    with st.sidebar:
        st.markdown(f"### {escape_markdown(str(meta.get('title', 'The paper')))}")
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
        examples = load_examples(load_settings().examples_path())
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


def transcript_button(doc: Document) -> None:
    """Rendered after the new question is answered, so the transcript includes it."""
    with st.sidebar:
        answers = [t["answer"] for t in st.session_state.turns if t.get("answer") is not None]
        st.session_state.transcript = render_transcript(answers, str(doc.metadata.get("title", "the paper")))
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
        build_index_if_needed()
        doc = get_document()
    except QAError as exc:
        st.error(str(exc))
        st.stop()
    assistant_loader()  # the model starts loading now, in the background
    sidebar(doc)
    typed = st.chat_input("Ask a question about the paper", key="question")
    question = st.session_state.pop("pending", None) or typed
    if question is not None:
        history = [t["question"] for t in st.session_state.turns if t.get("answer") is not None]
        try:
            assistant = wait_for_assistant()
            answer = assistant.ask(
                question, history=history, retriever=st.session_state.mode, k=st.session_state.k
            )
            st.session_state.turns.append({"question": answer.question, "answer": answer})
        except QAError as exc:
            st.session_state.turns.append({"question": question, "error": str(exc)})
    transcript_button(doc)
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
                show_answer(doc, turn, entry["answer"])


main()
