"""Plain-text rendering of answers for the terminal and Markdown transcripts (pure)."""

from __future__ import annotations

from qa.schema import Answer, Citation


def cited_where(citation: Citation) -> str:
    """The citation's section path, after its paper's id when the answer came from a library."""
    return f"{citation.paper}: {citation.section}" if citation.paper else citation.section


def render_answer(answer: Answer, *, show_question: bool = True) -> str:
    """A readable answer with its numbered sources, as the CLI prints it."""
    lines = []
    if show_question:
        lines.append(f"Q: {answer.question}")
    if answer.resolved_question != answer.question:
        lines.append(f"(Understood as: {answer.resolved_question})")
    if answer.section_scope:
        lines.append(f"(Searched only the section you named: {answer.section_scope})")
    if answer.short_answer:
        lines.append(("A: " if show_question else "") + f"**{answer.short_answer}**")
        lines.append(answer.answer)
    else:
        lines.append(("A: " if show_question else "") + answer.answer)
    if answer.citations:
        lines.append("Sources:")
        for n, c in enumerate(answer.citations, 1):
            lines.append(f"  [{n}] {cited_where(c)}")
            lines.append(f"      “{c.quote}”")
    if answer.conflicts:
        lines.append(f"Conflicting figures: {len(answer.conflicts)} (see the note above).")
    return "\n".join(lines)


def render_transcript(turns: list[Answer], title: str) -> str:
    """Markdown transcript of a conversation with every answer's citations and quotes.

    Every text is escaped so that the file carries no raw HTML (``<script>``) and no links
    (``[x](javascript:...)``, bare web addresses), whatever was asked or quoted.
    """
    from qa.presentation import escape_links_and_html as esc

    out = [f"# Conversation about: {esc(title)}", ""]
    for n, a in enumerate(turns, 1):
        out.append(f"## {n}. {esc(a.question)}")
        if a.resolved_question != a.question:
            out.append(f"_Understood as: {esc(a.resolved_question)}_")
        if a.section_scope:
            out.append(f"_Searched only the section you named: {esc(a.section_scope)}_")
        out.append("")
        if a.short_answer:
            out.append(f"**{esc(a.short_answer)}**")
            out.append("")
        out.append(esc(a.answer))
        out.append("")
        if a.citations:
            out.append("**Sources**")
            out.append("")
            for i, c in enumerate(a.citations, 1):
                quote = " ".join(c.quote.split())
                out.append(f"{i}. {esc(cited_where(c))} — “{esc(quote)}”")
            out.append("")
        if a.abstained:
            out.append("_The paper does not answer this; no sources._")
            out.append("")
    return "\n".join(out)
