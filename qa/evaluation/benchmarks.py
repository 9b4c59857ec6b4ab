"""Outside benchmarks (Qasper, SQuAD 2.0) asked through ``Assistant.ask`` and scored officially.

Each paper (or SQuAD article) becomes a Markdown file the assistant loads with
``Assistant.load(settings, embedder=shared)``; its index is cached under ``--cache-dir`` so a second
run does not embed again. Only ``Assistant.load``/``ask``, the ``Answer`` and the ``Document`` are
used: nothing here reaches into retrieval or answering. The data formats are described in
``../shared/benchmarks/README.md``; the metrics live in :mod:`qa.evaluation.official`.

How an :class:`~qa.schema.Answer` becomes a prediction:

- abstained -> "Unanswerable" (Qasper) or "" (SQuAD), with no evidence;
- else the answer string is ``answer.short_answer`` when the Answer has one, else the cited quotes
  joined with a space (never the display text with its markers and headers);
- Qasper evidence = the source text of the Document paragraphs that hold a cited sentence (found by
  the citation's offsets). A list item's source text includes its marker ("1. ..."), as in the
  Qasper JSON; evidence strings are compared with white space folded (see ``official.py``).

For training data (e.g. a calibration model), iterate the questions with their Answers::

    for item in iter_qasper(DEFAULT_DATA["qasper"], "train", DEFAULT_CACHE):
        label = qasper_scores(qasper_prediction(item), item.gold)["answer_f1"]
        ...  # item.record, item.answer (an Answer), item.document (the paper's Document)
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa.errors import BenchmarkDataError, InvalidOptionError, QAError
from qa.evaluation.official import (
    UNANSWERABLE,
    compute_exact,
    compute_f1,
    evaluate_qasper,
    evaluate_squad2,
    fold_whitespace,
    qasper_references,
    qasper_scores,
    squad_gold_answers,
)
from qa.schema import RETRIEVER_MODES, Answer, Document, Paragraph
from qa.settings import PROJECT_ROOT, Settings, load_settings

logger = logging.getLogger(__name__)

BENCHMARKS = ("qasper", "squad2")
SPLITS = ("train", "validation")
DEFAULT_DATA = {
    "qasper": PROJECT_ROOT.parent / "shared" / "benchmarks" / "qasper",
    "squad2": PROJECT_ROOT.parent / "shared" / "benchmarks" / "squad2" / "small.json",
}
DEFAULT_CACHE = PROJECT_ROOT / ".cache" / "bench"
TOP_K = (1, 5)  # retrieval ceiling: is a gold answer inside the top-1 / top-5 returned passages


@dataclass
class BenchItem:
    """One benchmark question with its gold answers, the assistant's Answer and the Document asked."""

    record: dict[str, Any]
    gold: Any  # Qasper: references (qasper_references); SQuAD: the answers[].text list
    answer: Answer | None  # None when the question could not be asked (see ``error``)
    document: Document
    error: str | None = None


@dataclass
class LoadLog:
    """What happened while loading documents: how many, which failed and why, how long it took."""

    loaded: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


# --- predictions ---------------------------------------------------------------------------------


def answer_string(answer: Answer, abstention: str) -> str:
    """The string scored for an Answer: the abstention, the short answer, or the cited quotes."""
    if answer.abstained:
        return abstention
    short = getattr(answer, "short_answer", None)
    if short is not None:
        return short
    return " ".join(c.quote for c in answer.citations)


def paragraphs(doc: Document) -> list[Paragraph]:
    """Every paragraph and list item of the Document, in reading order."""
    return [p for section in doc.sections for p in section.paragraphs]


def paragraph_source(doc: Document, paragraph: Paragraph) -> str:
    """The paragraph as written in the file: a list item keeps its "1. " marker, as in Qasper's JSON."""
    if paragraph.kind != "list_item":
        return paragraph.text
    line_start = doc.text.rfind("\n", 0, paragraph.start) + 1
    return doc.text[line_start : paragraph.end].lstrip()


def cited_paragraphs(answer: Answer, doc: Document) -> list[str]:
    """Source text of the paragraphs that hold the Answer's cited sentences, in citation order."""
    if answer.abstained:
        return []
    found: list[str] = []
    all_paragraphs = paragraphs(doc)
    for citation in answer.citations:
        if citation.start is None or citation.end is None:
            continue
        for p in all_paragraphs:
            if p.start < citation.end and citation.start < p.end:
                text = paragraph_source(doc, p)
                if text not in found:
                    found.append(text)
                break
    return found


def evidence_coverage(references: list[dict[str, Any]], doc: Document) -> Counter:
    """How many gold evidence strings equal a parsed paragraph exactly, after white-space folding,
    or a section heading (which no paragraph can match)."""
    sources = [paragraph_source(doc, p) for p in paragraphs(doc)]
    exact, folded = set(sources), {fold_whitespace(s) for s in sources}
    titles = {fold_whitespace(s.title) for s in doc.sections}
    counts: Counter = Counter()
    for reference in references:
        for text in reference["evidence"]:
            counts["gold"] += 1
            counts["exact"] += text in exact
            counts["folded"] += fold_whitespace(text) in folded
            counts["heading"] += fold_whitespace(text) in titles
    return counts


# --- loading -----------------------------------------------------------------------------------


def settings_with(base: Settings, corpus: Path, index_dir: Path) -> Settings:
    """``base`` with another corpus and index folder."""
    paths = base.paths.model_copy(update={"corpus": corpus, "index_dir": index_dir})
    return base.model_copy(update={"paths": paths})


def _load(corpus: Path, index_dir: Path, base: Settings, embedder, log: LoadLog, name: str):
    """Load one document's assistant; on failure note why in ``log`` and return None."""
    from qa.assistant import Assistant

    started = time.perf_counter()
    try:
        assistant = Assistant.load(settings_with(base, corpus, index_dir), embedder=embedder)
    except Exception as exc:  # any paper that cannot be loaded is reported, not fatal to the run
        log.failed[name] = f"{type(exc).__name__}: {exc}"
        logger.warning("%s failed to load: %s", name, exc)
        return None
    finally:
        log.seconds += time.perf_counter() - started
    log.loaded += 1
    return assistant


def _ask(assistant, question: str, retriever: str | None) -> tuple[Answer | None, str | None]:
    try:
        return assistant.ask(question, retriever=retriever), None
    except QAError as exc:
        return None, f"{type(exc).__name__}: {exc}"


def _require(path: Path, what: str) -> Path:
    if not path.exists():
        raise BenchmarkDataError(f"{what} not found: {path}. Pass --data PATH.")
    return path


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BenchmarkDataError(f"{path} is not readable JSON ({exc}).") from None


# --- Qasper ------------------------------------------------------------------------------------


def qasper_papers(data_dir: Path, split: str) -> tuple[list[Path], dict[str, list[dict]]]:
    """The split's paper files (sorted by id) and its questions grouped by paper id.

    Raises:
        BenchmarkDataError: the folder, the paper folder or the questions file is missing or broken.
    """
    if split not in SPLITS:
        raise InvalidOptionError(f"Unknown split '{split}'. Valid splits: {', '.join(SPLITS)}.")
    _require(data_dir, "Qasper data folder")
    papers = sorted(_require(data_dir / split, f"Qasper {split} folder").glob("*.md"))
    questions = _read_json(_require(data_dir / f"questions_{split}.json", f"Qasper {split} questions"))
    if not isinstance(questions, list):
        raise BenchmarkDataError(
            f"{data_dir / f'questions_{split}.json'} must hold a JSON list of questions."
        )
    by_paper: dict[str, list[dict]] = {}
    for q in questions:
        by_paper.setdefault(q["paper_id"], []).append(q)
    return papers, by_paper


def iter_qasper(
    data_dir: Path,
    split: str,
    cache_dir: Path,
    *,
    embedder=None,
    limit: int | None = None,
    retriever: str | None = None,
    settings: Settings | None = None,
    log: LoadLog | None = None,
    ask: bool = True,
) -> Iterator[BenchItem]:
    """Yield every question of the split's first ``limit`` papers, asked through ``Assistant.ask``.

    Args:
        data_dir: The Qasper folder (``<split>/<paper_id>.md`` and ``questions_<split>.json``).
        split: 'train' or 'validation'.
        cache_dir: Root of the cached indexes; each paper's is ``<cache_dir>/qasper/<split>/<id>``.
        embedder: One loaded Embedder shared by every paper (loaded here when None).
        limit: Only the first N papers (sorted by id); None for all.
        retriever: Retriever mode passed to ``ask`` (default from settings).
        settings: Base settings (model, chunking, retrieval); paths are replaced per paper.
        log: Filled with the number of papers loaded, those that failed and the load time.
        ask: False only builds (or checks) the cached indexes and yields nothing.

    Yields:
        One :class:`BenchItem` per question; ``gold`` is the list of annotator references.
    """
    papers, by_paper = qasper_papers(data_dir, split)
    base = settings or load_settings()
    embedder = embedder or _embedder(base)
    log = log if log is not None else LoadLog()
    for paper in papers[:limit] if limit is not None else papers:
        assistant = _load(paper, cache_dir / "qasper" / split / paper.stem, base, embedder, log, paper.stem)
        if assistant is None or not ask:
            continue
        for record in by_paper.get(paper.stem, []):
            answer, error = _ask(assistant, record["question"], retriever)
            yield BenchItem(record, qasper_references(record["answers"]), answer, assistant.document, error)


def qasper_prediction(item: BenchItem) -> dict[str, Any]:
    """``{"answer", "evidence"}`` for Qasper's scorer."""
    if item.answer is None:
        return {"answer": "", "evidence": []}
    return {
        "answer": answer_string(item.answer, UNANSWERABLE),
        "evidence": cited_paragraphs(item.answer, item.document),
    }


def run_qasper(
    data_dir: Path, split: str, cache_dir: Path, *, embedder=None, limit: int | None = None, **options
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Ask the split's questions, score them; return (metrics, per-question rows).

    Questions of a paper that fails to load count as missing predictions (F1 0), as in the script.
    """
    started = time.perf_counter()
    papers, by_paper = qasper_papers(data_dir, split)
    selected = papers[:limit] if limit is not None else papers
    gold = {
        q["question_id"]: qasper_references(q["answers"]) for p in selected for q in by_paper.get(p.stem, [])
    }
    log = LoadLog()
    predicted: dict[str, dict] = {}
    rows: list[dict] = []
    coverage: Counter = Counter()
    for item in iter_qasper(data_dir, split, cache_dir, embedder=embedder, limit=limit, log=log, **options):
        qid = item.record["question_id"]
        prediction = qasper_prediction(item)
        predicted[qid] = prediction
        coverage += evidence_coverage(item.gold, item.document)
        rows.append(_row(item, prediction, qasper_scores(prediction, item.gold)))
    metrics = evaluate_qasper(gold, predicted)
    metrics.update(
        benchmark="qasper",
        split=split,
        papers=len(selected),
        papers_loaded=log.loaded,
        papers_failed=log.failed,
        ask_errors=sum(1 for r in rows if r["error"]),
        abstained=sum(1 for r in rows if r["answer"] and r["answer"]["abstained"]),
        evidence_coverage=_coverage(coverage),
        load_seconds=round(log.seconds, 1),
        seconds=round(time.perf_counter() - started, 1),
    )
    return metrics, rows


def _coverage(counts: Counter) -> dict[str, Any]:
    gold = counts["gold"]

    def share(key: str) -> float | None:
        return round(100.0 * counts[key] / gold, 2) if gold else None

    return {
        "gold_text_evidence": gold,
        "exact_paragraph_pct": share("exact"),
        "folded_whitespace_pct": share("folded"),
        "section_heading_pct": share("heading"),
    }


# --- SQuAD 2.0 ---------------------------------------------------------------------------------


def article_markdown(article: dict[str, Any]) -> str:
    """One SQuAD article as Markdown: its title as the heading, each context as a paragraph."""
    title = article["title"].replace("_", " ")
    contexts = [" ".join(p["context"].split()) for p in article["paragraphs"]]
    return f"# {title}\n\n" + "\n\n".join(contexts) + "\n"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60] or "article"


def write_article(article: dict[str, Any], folder: Path) -> Path:
    """Write the article's Markdown into ``folder`` (atomically; untouched when unchanged)."""
    from qa.indexing.files import write_text_atomic

    target = folder / f"{_slug(article['title'])}.md"
    text = article_markdown(article)
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        write_text_atomic(target, text)
    return target


def squad_articles(path: Path) -> list[dict[str, Any]]:
    """The ``data`` list of a SQuAD 2.0 JSON file."""
    data = _read_json(_require(path, "SQuAD file"))
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise BenchmarkDataError(f"{path} is not SQuAD JSON: expected {{'data': [articles]}}.")
    return data["data"]


def iter_squad(
    path: Path,
    cache_dir: Path,
    *,
    embedder=None,
    limit: int | None = None,
    retriever: str | None = None,
    settings: Settings | None = None,
    log: LoadLog | None = None,
) -> Iterator[BenchItem]:
    """Yield the first ``limit`` questions of a SQuAD 2.0 file, each asked against its article.

    Each article is written as Markdown to ``<cache_dir>/squad2/<file stem>/`` with its index beside
    it. ``gold`` is the ``answers[].text`` list (empty for an unanswerable question).
    """
    articles = squad_articles(path)
    base = settings or load_settings()
    embedder = embedder or _embedder(base)
    log = log if log is not None else LoadLog()
    folder = cache_dir / "squad2" / path.stem
    remaining = limit
    for article in articles:
        if remaining is not None and remaining <= 0:
            return
        records = [
            {**qa, "title": article["title"]}
            for paragraph in article["paragraphs"]
            for qa in paragraph["qas"]
        ]
        if remaining is not None:
            records, remaining = records[:remaining], remaining - len(records[:remaining])
        corpus = write_article(article, folder)
        assistant = _load(corpus, folder / corpus.stem, base, embedder, log, article["title"])
        if assistant is None:
            continue
        for record in records:
            answer, error = _ask(assistant, record["question"], retriever)
            gold = [a["text"] for a in record["answers"]]
            yield BenchItem(record, gold, answer, assistant.document, error)


def squad_selected(path: Path, limit: int | None) -> dict[str, list[str]]:
    """Question id -> gold answer texts for the first ``limit`` questions."""
    gold = {
        qa["id"]: [a["text"] for a in qa["answers"]]
        for article in squad_articles(path)
        for paragraph in article["paragraphs"]
        for qa in paragraph["qas"]
    }
    return dict(list(gold.items())[:limit]) if limit is not None else gold


def in_passages(gold: list[str], answer: Answer | None, k: int) -> bool:
    """A gold answer text occurs verbatim in one of the first ``k`` returned passages."""
    if answer is None:
        return False
    return any(text and text in p.text for p in answer.passages[:k] for text in gold)


def run_squad(
    path: Path, cache_dir: Path, *, embedder=None, limit: int | None = None, **options
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Ask the file's questions, score them; return (metrics, per-question rows)."""
    started = time.perf_counter()
    gold = squad_selected(path, limit)
    log = LoadLog()
    predicted: dict[str, str] = {}
    rows: list[dict] = []
    ceiling: Counter = Counter()
    for item in iter_squad(path, cache_dir, embedder=embedder, limit=limit, log=log, **options):
        prediction = "" if item.answer is None else answer_string(item.answer, "")
        predicted[item.record["id"]] = prediction
        if item.gold:
            ceiling["answerable"] += 1
            for k in TOP_K:
                ceiling[f"top{k}"] += in_passages(item.gold, item.answer, k)
        answers = squad_gold_answers(item.gold)
        scores = {
            "exact": max(compute_exact(a, prediction) for a in answers),
            "f1": max(compute_f1(a, prediction) for a in answers),
        }
        rows.append(_row(item, {"answer": prediction}, scores))
    metrics = evaluate_squad2(gold, predicted)
    answerable = ceiling["answerable"]
    metrics.update(
        benchmark="squad2",
        data=str(path),
        articles_loaded=log.loaded,
        articles_failed=log.failed,
        ask_errors=sum(1 for r in rows if r["error"]),
        abstained=sum(1 for r in rows if r["answer"] and r["answer"]["abstained"]),
        retrieval_ceiling={
            f"top{k}_pct": round(100.0 * ceiling[f"top{k}"] / answerable, 2) if answerable else None
            for k in TOP_K
        },
        load_seconds=round(log.seconds, 1),
        seconds=round(time.perf_counter() - started, 1),
    )
    return metrics, rows


# --- shared helpers and the CLI ----------------------------------------------------------------


def _embedder(settings: Settings):
    from qa.indexing.embedder import Embedder

    return Embedder(settings.model)


def _row(item: BenchItem, prediction: dict[str, Any], scores: dict[str, Any]) -> dict[str, Any]:
    """One line of ``--predictions``: the question, gold, prediction, scores and the whole Answer."""
    record = {k: v for k, v in item.record.items() if k != "answers"}
    return {
        "record": record,
        "gold": item.gold,
        "prediction": prediction,
        "scores": scores,
        "error": item.error,
        "answer": item.answer.model_dump(mode="json") if item.answer is not None else None,
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The benchmark options of ``qa eval`` (without ``--benchmark`` they are not used)."""
    parser.add_argument(
        "--benchmark",
        choices=BENCHMARKS,
        default=None,
        help="run an outside benchmark instead of the gold set",
    )
    parser.add_argument(
        "--data", type=Path, default=None, help="benchmark data (default ../shared/benchmarks/...)"
    )
    parser.add_argument("--split", choices=SPLITS, default="validation", help="Qasper split")
    parser.add_argument(
        "--limit", type=int, default=None, help="first N papers (Qasper) or questions (SQuAD)"
    )
    parser.add_argument(
        "--cache-dir", type=Path, default=None, help=f"cached indexes (default {DEFAULT_CACHE})"
    )
    parser.add_argument("--predictions", type=Path, default=None, help="write per-question JSONL here")
    parser.add_argument(
        "--warm-cache", action="store_true", help="only build the Qasper indexes of the split; ask nothing"
    )


def _summary(metrics: dict[str, Any]) -> str:
    if metrics["benchmark"] == "qasper":
        by_type = ", ".join(
            f"{kind} {metrics['answer_f1_by_type'][kind]:.2f} (n={metrics['by_type_count'][kind]})"
            for kind in metrics["answer_f1_by_type"]
        )
        cov = metrics["evidence_coverage"]
        lines = [
            f"Qasper {metrics['split']}: {metrics['questions']} questions on {metrics['papers']} papers "
            f"({metrics['papers_loaded']} loaded, {len(metrics['papers_failed'])} failed to load)",
            f"Answer F1 {metrics['answer_f1']:.2f}; by type: {by_type}",
            f"Evidence F1 {metrics['evidence_f1']:.2f}; missing predictions {metrics['missing_predictions']}; "
            f"abstained {metrics['abstained']}; ask errors {metrics['ask_errors']}",
            f"Gold text evidence found as a paragraph: {cov['exact_paragraph_pct']}% exact, "
            f"{cov['folded_whitespace_pct']}% with white space folded, {cov['section_heading_pct']}% are "
            f"section headings (of {cov['gold_text_evidence']})",
        ]
        failed = metrics["papers_failed"]
    else:
        ceiling = metrics["retrieval_ceiling"]
        lines = [
            f"SQuAD 2.0 {Path(metrics['data']).name}: {metrics['total']} questions "
            f"({metrics.get('HasAns_total', 0)} answerable, {metrics.get('NoAns_total', 0)} not)",
            f"EM {metrics['exact']:.2f}  F1 {metrics['f1']:.2f}; HasAns EM {metrics.get('HasAns_exact', 0):.2f} "
            f"F1 {metrics.get('HasAns_f1', 0):.2f}; NoAns accuracy {metrics.get('NoAns_exact', 0):.2f}",
            f"abstained {metrics['abstained']}; ask errors {metrics['ask_errors']}; "
            f"gold answer in top-1 passage {ceiling['top1_pct']}%, top-5 {ceiling['top5_pct']}%",
        ]
        failed = metrics["articles_failed"]
    lines += [f"failed to load {name}: {why}" for name, why in failed.items()]
    lines.append(f"{metrics['seconds']}s ({metrics['load_seconds']}s loading/building indexes)")
    return "\n".join(lines)


def run_cli(args: argparse.Namespace) -> int:
    """``qa eval --benchmark qasper|squad2 ...``: run, print a summary (or JSON), write predictions."""
    retriever = args.retriever or None
    if retriever is not None and retriever not in RETRIEVER_MODES:
        raise InvalidOptionError(
            f"Unknown retriever '{retriever}' for a benchmark. Valid: {', '.join(RETRIEVER_MODES)}."
        )
    if args.limit is not None and args.limit < 0:
        raise InvalidOptionError("--limit must be 0 or more.")
    data = args.data or DEFAULT_DATA[args.benchmark]
    cache_dir = args.cache_dir or DEFAULT_CACHE
    if args.warm_cache:
        if args.benchmark != "qasper":
            raise InvalidOptionError("--warm-cache builds Qasper indexes; use it with --benchmark qasper.")
        return _warm(data, args.split, cache_dir, args.limit, args.json)
    if args.benchmark == "qasper":
        metrics, rows = run_qasper(data, args.split, cache_dir, limit=args.limit, retriever=retriever)
    else:
        metrics, rows = run_squad(data, cache_dir, limit=args.limit, retriever=retriever)
    if args.predictions:
        from qa.indexing.files import write_text_atomic

        write_text_atomic(args.predictions, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    print(json.dumps(metrics, ensure_ascii=False) if args.json else _summary(metrics))
    return 0


def _warm(data: Path, split: str, cache_dir: Path, limit: int | None, as_json: bool) -> int:
    started = time.perf_counter()
    log = LoadLog()
    for _ in iter_qasper(data, split, cache_dir, limit=limit, log=log, ask=False):
        pass
    report = {
        "benchmark": "qasper",
        "split": split,
        "papers_loaded": log.loaded,
        "papers_failed": log.failed,
        "seconds": round(time.perf_counter() - started, 1),
    }
    if as_json:
        print(json.dumps(report))
    else:
        print(
            f"Qasper {split}: {log.loaded} indexes ready in {cache_dir / 'qasper' / split}, "
            f"{len(log.failed)} papers failed to load, {report['seconds']}s"
        )
        for name, why in log.failed.items():
            print(f"failed to load {name}: {why}")
    return 0
