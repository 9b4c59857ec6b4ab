"""Run the gold set through ``Assistant.ask`` and report (text, Markdown or JSON)."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from qa.errors import InvalidOptionError
from qa.evaluation.gold import GoldQuestion, load_gold
from qa.evaluation.metrics import Judgement, aggregate, failures, judge
from qa.feedback import read_feedback
from qa.schema import RETRIEVER_MODES
from qa.settings import PROJECT_ROOT

DEFAULT_GOLD = PROJECT_ROOT / "corpus" / "gold.jsonl"
COMPARED = (
    "answer_accuracy",
    "citation_accuracy",
    "hit@1",
    "hit@5",
    "mrr",
    "abstention_f1",
    "conflict_recall",
    "followup_accuracy",
    "total_p50_ms",
)


def evaluate(assistant, gold: list[GoldQuestion], mode: str) -> tuple[dict, list[Judgement]]:
    """Ask every gold question (with its history) and score the answers."""
    judgements = []
    started = time.perf_counter()
    for q in gold:
        answer = assistant.ask(q.question, history=q.history or None, retriever=mode)
        judgements.append(judge(q, answer))
    metrics = aggregate(judgements)
    metrics["retriever"] = mode
    metrics["seconds"] = round(time.perf_counter() - started, 2)
    return metrics, judgements


def flat_metrics(metrics: dict) -> dict[str, float | None]:
    """The headline metrics as one flat mapping (report columns, quality-gate keys)."""
    return {
        "answer_accuracy": metrics["answer_accuracy"],
        "citation_accuracy": metrics["citation_accuracy"],
        "hit@1": metrics["retrieval"]["hit@1"],
        "hit@5": metrics["retrieval"]["hit@5"],
        "mrr": metrics["retrieval"]["mrr"],
        "abstention_precision": metrics["abstention"]["precision"],
        "abstention_recall": metrics["abstention"]["recall"],
        "abstention_f1": metrics["abstention"]["f1"],
        "conflict_recall": metrics["conflict_recall"],
        "followup_accuracy": metrics["followup_accuracy"],
        "total_p50_ms": metrics["latency_ms"].get("total", {}).get("p50"),
    }


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and value <= 1.0:
        return f"{value:.1%}"
    return f"{value}"


def render_markdown(
    results: dict[str, dict], fails: dict[str, list[dict]], gold_path: Path, feedback: list | None = None
) -> str:
    """The report: comparison table, the detailed metrics of each retriever, every failure."""
    modes = list(results)
    out = [f"# Evaluation on {gold_path.name}", ""]
    first = results[modes[0]]
    out.append(f"{first['questions']} questions; retrievers: {', '.join(modes)}.")
    out.append("")
    out.append("| metric | " + " | ".join(modes) + " |")
    out.append("|---|" + "---|" * len(modes))
    for key in COMPARED:
        out.append(f"| {key} | " + " | ".join(_fmt(flat_metrics(results[m])[key]) for m in modes) + " |")
    for mode in modes:
        m = results[mode]
        out += ["", f"## {mode}", ""]
        ab = m["abstention"]
        out.append(
            f"- answer accuracy (answerable): {_fmt(m['answer_accuracy'])}; overall: {_fmt(m['overall_accuracy'])}"
        )
        out.append(f"- citation accuracy: {_fmt(m['citation_accuracy'])}")
        out.append(
            f"- retrieval: hit@1 {_fmt(m['retrieval']['hit@1'])}, hit@5 {_fmt(m['retrieval']['hit@5'])}, "
            f"MRR {m['retrieval']['mrr']}"
        )
        out.append(
            f"- abstention: precision {_fmt(ab['precision'])}, recall {_fmt(ab['recall'])}, F1 {_fmt(ab['f1'])}"
        )
        out.append(
            f"- conflict recall: {_fmt(m['conflict_recall'])} (conflict list filled: {_fmt(m['conflicts_flagged'])}); "
            f"follow-up accuracy: {_fmt(m['followup_accuracy'])}"
        )
        out += ["", "| type | questions | answer accuracy | citation accuracy |", "|---|---|---|---|"]
        for qtype, t in m["by_type"].items():
            out.append(
                f"| {qtype} | {t['questions']} | {_fmt(t['answer_accuracy'])} | {_fmt(t['citation_accuracy'])} |"
            )
        out += ["", "| stage | p50 ms | p95 ms |", "|---|---|---|"]
        for stage, lat in m["latency_ms"].items():
            out.append(f"| {stage} | {lat['p50']} | {lat['p95']} |")
        out += ["", f"### Failures ({len(fails[mode])})", ""]
        for f in fails[mode]:
            out.append(f"- **{f['id']}** ({f['type']}) {f['question']}")
            if f["resolved"]:
                out.append(f"  - understood as: {f['resolved']}")
            out.append(f"  - expected: {json.dumps(f['expected'], ensure_ascii=False)}")
            if f["missing"]:
                out.append(f"  - missing: {json.dumps(f['missing'], ensure_ascii=False)}")
            answered = f["answered"].replace("\n", " ")
            out.append(f"  - answered: {answered[:400]}{'…' if len(answered) > 400 else ''}")
            out.append(f"  - cited: {'; '.join(f['cited']) or 'nothing'}")
    if feedback is not None:
        out += ["", f"## Questions users marked wrong ({len(feedback)})", ""]
        for r in feedback:
            comment = f" — “{r.comment}”" if r.comment else ""
            out.append(f"- {r.at}: {r.question}{comment}")
    return "\n".join(out) + "\n"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``qa eval``."""
    parser.add_argument("--gold", type=Path, default=None, help=f"gold JSONL (default {DEFAULT_GOLD})")
    parser.add_argument("--retriever", default="hybrid", help="bm25, dense, hybrid or all")
    parser.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    parser.add_argument("--report", type=Path, default=None, help="also write the report as Markdown")
    parser.add_argument("--feedback", type=Path, default=None, help="also list questions users marked wrong")
    parser.add_argument("--no-rebuild", action="store_true", help="fail instead of rebuilding a stale index")


def run_cli(args: argparse.Namespace, assistant) -> int:
    """``qa eval``: run, print the summary (or JSON), optionally write the Markdown report."""
    mode = args.retriever or "hybrid"
    modes = list(RETRIEVER_MODES) if mode == "all" else [mode]
    for m in modes:
        if m not in RETRIEVER_MODES:
            raise InvalidOptionError(f"Unknown retriever '{m}'. Valid: {', '.join(RETRIEVER_MODES)}, all.")
    gold_path = args.gold or DEFAULT_GOLD
    gold = load_gold(gold_path)
    results, fails = {}, {}
    for m in modes:
        metrics, judgements = evaluate(assistant, gold, m)
        results[m], fails[m] = metrics, failures(judgements)
    feedback = None
    if getattr(args, "feedback", None) is not None:
        records, _bad = read_feedback(args.feedback)
        feedback = [r for r in records if r.rating == "down"]
    report = render_markdown(results, fails, gold_path, feedback)
    if args.report:
        from qa.indexing.files import write_text_atomic

        write_text_atomic(args.report, report)
    if args.json:
        payload = results[modes[0]] if len(modes) == 1 else {"retrievers": results}
        payload = dict(payload)
        payload["failures"] = fails[modes[0]] if len(modes) == 1 else fails
        print(json.dumps(payload, ensure_ascii=False))
    else:
        summary = report.split("\n### Failures")[0] if len(modes) == 1 else report.split("\n## ")[0]
        print(summary.rstrip())
        for m in modes:
            print(
                f"\n{m}: {len(fails[m])} failing questions" + (f" (see {args.report})" if args.report else "")
            )
    return 0
