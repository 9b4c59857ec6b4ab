"""Render a clean Markdown paper as a printed-looking PDF with headless Chromium (for ingest tests).

The HTML is what a journal page looks like: masthead, title, authors with footnote marks,
affiliations, keywords, then the sections, lists and ruled tables. Chromium adds its own running
header and footer (date, title, file URL, page numbers), which the PDF reader must remove.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import yaml

SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹"


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _front_matter_html(meta: dict) -> list[str]:
    out = []
    journal = meta.get("journal") or {}
    if isinstance(journal, dict) and journal.get("name"):
        out.append(f"<p class='mast'>{html.escape(str(journal['name']))}</p>")
        issn = " ".join(
            f"{label} ISSN: {journal[key]}"
            for label, key in (("Online", "online_issn"), ("Print", "print_issn"))
            if journal.get(key)
        )
        if issn:
            out.append(f"<p class='mast'>{html.escape(issn)}</p>")
        if journal.get("volume"):
            out.append(
                f"<p class='mast'>Volume {journal['volume']}, Number {journal.get('issue', '')}, "
                f"{journal.get('year', '')}, Pages {html.escape(str(journal.get('pages', '')))}</p>"
            )
    out.append(f"<h1>{html.escape(str(meta.get('title', '')))}</h1>")
    authors = meta.get("authors") or []
    names = [
        f"{html.escape(a['name'])}<sup>{i}</sup>" if isinstance(a, dict) else html.escape(str(a))
        for i, a in enumerate(authors, 1)
    ]
    if names:
        out.append(
            "<p class='authors'>"
            + ", ".join(names[:-1])
            + (" &amp; " if len(names) > 1 else "")
            + names[-1]
            + "</p>"
        )
    for i, a in enumerate(authors, 1):
        if isinstance(a, dict) and a.get("affiliation"):
            email = f", Email: {a['email']}" if a.get("email") else ""
            out.append(f"<p class='note'><sup>{i}</sup>{html.escape(a['affiliation'] + email)}</p>")
    history = meta.get("article_history") or {}
    for key, value in history.items():
        out.append(
            f"<p class='note'>{html.escape(key.replace('_', ' ').title())}: {html.escape(str(value))}</p>"
        )
    if meta.get("keywords"):
        out.append("<p class='note'>Keywords: " + html.escape(", ".join(meta["keywords"])) + "</p>")
    corresponding = meta.get("corresponding_author")
    if isinstance(corresponding, dict):
        out.append(
            f"<p class='note'>Corresponding Author: {html.escape(corresponding.get('name', ''))} "
            f"Email: {html.escape(corresponding.get('email', ''))}</p>"
        )
    return out


def markdown_to_html(markdown: str, *, columns: int = 1) -> str:
    """HTML for the Markdown subset of corpus/paper.md."""
    meta: dict = {}
    if markdown.startswith("---\n"):
        end = markdown.index("\n---\n", 4)
        meta = yaml.safe_load(markdown[4:end]) or {}
        markdown = markdown[end + 5 :]
    body = _front_matter_html(meta) if meta else []
    lines = markdown.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if m := re.match(r"^(#{1,6})\s+(.*)$", line):
            level = min(len(m.group(1)), 6)
            body.append(f"<h{level}>{html.escape(m.group(2))}</h{level}>")
        elif line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                    rows.append(cells)
                i += 1
            head = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0])
            trs = "".join(
                "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows[1:]
            )
            body.append(f"<table><tr>{head}</tr>{trs}</table>")
            continue
        elif re.match(r"^(?:- |\d+\. )", line):
            ordered = line[0].isdigit()
            items = []
            while i < len(lines) and re.match(r"^(?:- |\d+\. )", lines[i]):
                items.append(re.sub(r"^(?:- |\d+\. )", "", lines[i]))
                i += 1
            tag = "ol" if ordered else "ul"
            body.append(f"<{tag}>" + "".join(f"<li>{html.escape(t)}</li>" for t in items) + f"</{tag}>")
            continue
        elif line.strip():
            para = [line]
            while (
                i + 1 < len(lines)
                and lines[i + 1].strip()
                and not re.match(r"^(#|\||- |\d+\. )", lines[i + 1])
            ):
                i += 1
                para.append(lines[i])
            body.append(f"<p>{html.escape(' '.join(para))}</p>")
        i += 1
    style = (
        "body{font-family:'Liberation Serif',serif;font-size:11pt;margin:0 1.5cm} p{text-align:justify}"
        "table{border-collapse:collapse;margin:8pt 0;width:100%} td,th{border:1px solid #000;padding:3pt;font-size:10pt}"
        ".mast{font-size:9pt;margin:2pt 0} .note{font-size:8pt;margin:2pt 0} h1{font-size:18pt}"
    )
    if columns > 1:  # a journal's two-column body under a full-width masthead
        split = next((i for i, b in enumerate(body) if b.startswith("<h2")), len(body))
        body = [
            *body[:split],
            f"<div style='column-count:{columns};column-gap:1cm'>",
            *body[split:],
            "</div>",
        ]
    title = html.escape(str(meta.get("title", "paper")))
    return f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title><style>{style}</style></head><body>{''.join(body)}</body></html>"


def render_pdf(markdown_path: Path, out_pdf: Path, *, columns: int = 1, timeout: float = 120) -> Path:
    """Write ``out_pdf`` from ``markdown_path`` with headless Chromium's print-to-PDF."""
    browser = chromium()
    if browser is None:
        raise RuntimeError("chromium is not installed")
    page = out_pdf.with_suffix(".html")
    page.write_text(
        markdown_to_html(markdown_path.read_text(encoding="utf-8"), columns=columns), encoding="utf-8"
    )
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={out_pdf.parent / 'chromium-profile'}",
            f"--print-to-pdf={out_pdf}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=timeout,
    )
    return out_pdf


def minimal_pdf(content: bytes, *, encrypted: bool = False) -> bytes:
    """A one-page PDF whose page draws ``content`` (a content stream); ``encrypted`` adds a standard
    security handler whose user password is not empty, so no reader can open it without one."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    if encrypted:
        objs.append(
            b"<< /Filter /Standard /V 1 /R 2 /O <" + b"ab" * 32 + b"> /U <" + b"cd" * 32 + b"> /P -4 >>"
        )
    out = b"%PDF-1.4\n"
    offsets = []
    for number, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    extra = b" /Encrypt 5 0 R /ID [<%s> <%s>]" % (b"01" * 16, b"01" * 16) if encrypted else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, extra, xref)
    return out
