"""Ingest many papers and report the count, the failures and the time.

``python -m qa.ingest.batch ../shared/benchmarks/qasper/train ../shared/benchmarks/qasper/validation``
ingests every ``.md``, ``.txt`` and ``.pdf`` file under the given folders (or the given files) and
parses the result as the assistant would. ``--as-text`` also strips each Markdown paper to plain text
(heading marks, table rules and front matter removed, the words kept), ingests that through the
plain-text reader and reports how many of the Markdown version's section titles it recovered: a
measure of the text reader on papers nobody on this project wrote.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

from qa.errors import QAError
from qa.ingest import FORMATS, ingest
from qa.ingest.compare import compare_documents
from qa.parsing.markdown import parse_document


def markdown_to_plain_text(markdown: str) -> str:
    """The words of a Markdown paper without its marks: '#' heading marks, bold markers, table
    separator rows and pipes (cells become tab-separated), front matter and list markers kept as text."""
    if markdown.startswith("---\n") and (end := markdown.find("\n---\n", 4)) > 0:
        markdown = markdown[end + 5 :]
    out = []
    for line in markdown.split("\n"):
        if re.match(r"^\s*\|?\s*:?-{3,}", line) and set(line.replace(" ", "")) <= set("|:-"):
            continue
        line = re.sub(r"^#{1,6}\s+", "", line)
        line = line.replace("**", "")
        if line.lstrip().startswith("|") and line.rstrip().endswith("|"):
            line = "\t".join(c.strip() for c in line.strip().strip("|").split("|"))
        out.append(line)
    return "\n".join(out)


def papers_under(paths: list[Path]) -> list[Path]:
    """Every supported file under ``paths``, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix.lower() in FORMATS and p.is_file())
        else:
            found.append(path)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.ingest.batch", description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, help="files or folders of papers")
    parser.add_argument("--as-text", action="store_true", help="also ingest each .md as plain text")
    parser.add_argument("--show", type=int, default=10, help="failures to list")
    args = parser.parse_args(argv)
    papers = papers_under(args.paths)
    failures: list[str] = []
    warned = 0
    titles = found = 0
    text_failures: list[str] = []
    started = time.perf_counter()
    text_seconds = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for path in papers:
            try:
                paper = ingest(path)
                doc = parse_document(paper.markdown, source=str(path))
                warned += bool(paper.warnings)
            except QAError as exc:
                failures.append(str(exc))
                continue
            except Exception as exc:  # a bug, not bad input: count it and keep going
                failures.append(f"{path}: unexpected {type(exc).__name__}: {exc}")
                continue
            if args.as_text and paper.format == "md":
                t0 = time.perf_counter()
                plain = Path(tmp) / f"{path.stem}.txt"
                plain.write_text(markdown_to_plain_text(paper.markdown), encoding="utf-8")
                try:
                    as_text = ingest(plain)
                    result = compare_documents(parse_document(as_text.markdown, source=str(plain)), doc)
                    titles += result.section_titles
                    found += result.section_titles_found
                except Exception as exc:
                    text_failures.append(f"{path} (as text): {type(exc).__name__}: {exc}")
                text_seconds += time.perf_counter() - t0
    elapsed = time.perf_counter() - started - text_seconds
    print(
        f"papers: {len(papers)}; ingested: {len(papers) - len(failures)}; failures: {len(failures)}; "
        f"with warnings: {warned}; time: {elapsed:.1f} s ({1000 * elapsed / max(1, len(papers)):.1f} ms/paper)"
    )
    for line in failures[: args.show]:
        print(f"  failed: {line}")
    if args.as_text:
        recall = 100 * found / titles if titles else 100.0
        print(
            f"as plain text: failures: {len(text_failures)}; section titles found: {found}/{titles} "
            f"({recall:.1f}%); time: {text_seconds:.1f} s"
        )
        for line in text_failures[: args.show]:
            print(f"  failed: {line}")
    return 1 if failures or text_failures else 0


if __name__ == "__main__":
    sys.exit(main())
