"""Command line: ``qa ask``, ``qa chat``, ``qa add``, ``qa papers``, ``qa remove``, ``qa index``, ``qa eval``, ``qa bench``.

Expected mistakes print one line (``error: ...``) and exit non-zero (2 for bad input); no tracebacks.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from pathlib import Path
from typing import NoReturn

from qa.errors import InvalidQuestionError, QAError
from qa.schema import RETRIEVER_MODES

logger = logging.getLogger("qa")


def _settings(args: argparse.Namespace):
    from qa.settings import load_settings

    settings = load_settings()
    paths = settings.paths.model_copy(
        update={
            k: v
            for k, v in {
                "corpus": args.corpus,
                "index_dir": args.index_dir,
                "library": getattr(args, "library", None),
            }.items()
            if v is not None
        }
    )
    return settings.model_copy(update={"paths": paths})


QUIET_PROGRESS_SECONDS = 10.0  # without a terminal, a long embedding says how far it got this often


class StderrProgress:
    """A progress callback ``(stage, fraction)`` that writes to stderr only (``--json`` stdout stays clean).

    On a terminal: one line, rewritten in place (``adding x.pdf: embedding 340/1,210 texts · 12 s left
    (31%)``) and erased when done or on :meth:`close`. Elsewhere (a log, a pipe): nothing, unless
    ``quiet_lines`` and the embedding runs longer than ``QUIET_PROGRESS_SECONDS``; then one plain line
    every ``QUIET_PROGRESS_SECONDS``. A short job or a refused file prints nothing extra.
    """

    def __init__(self, desc: str, *, quiet_lines: bool = False, stream=None, clock=None) -> None:
        import time

        self.desc = desc
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.quiet_lines = quiet_lines
        self.clock = clock or time.monotonic
        self._shown = False
        self._since: float | None = None

    def __call__(self, stage: str, fraction: float) -> None:
        text = f"{self.desc}: {stage} ({min(1.0, max(0.0, fraction)):.0%})"
        if self.tty:
            if fraction >= 1.0:
                self.close()
                return
            import shutil

            width = shutil.get_terminal_size((100, 20)).columns - 1
            self.stream.write("\r\x1b[2K" + one_line(text)[:width])
            self.stream.flush()
            self._shown = True
            return
        if not self.quiet_lines or "embedding" not in stage or fraction >= 1.0:
            return
        now = self.clock()
        if self._since is None:
            self._since = now
        elif now - self._since >= QUIET_PROGRESS_SECONDS:
            print(one_line(text), file=self.stream, flush=True)
            self._since = now

    def close(self) -> None:
        """Erase the terminal line (before an error or the result is printed)."""
        if self._shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self._shown = False


def _library(args: argparse.Namespace):
    from qa.library import Library

    return Library.open(settings=_settings(args), rebuild=not getattr(args, "no_rebuild", False))


def _use_library(args: argparse.Namespace, library) -> bool:
    """Ask through the library with --paper, or when it holds several papers; else the one paper as before."""
    return bool(args.paper) or len(library.papers()) > 1


def _load(args: argparse.Namespace, *, force: bool = False):
    from qa.assistant import Assistant

    progress = StderrProgress("building the index")
    try:
        return Assistant.load(
            _settings(args),
            rebuild=not getattr(args, "no_rebuild", False),
            force_rebuild=force,
            progress=progress,
        )
    finally:
        progress.close()


def _read_questions(values: list[str], max_bytes: int) -> list[str]:
    """The questions given, or with '-' one per line of stdin (only '\\n' ends a line: form feeds and
    Unicode line separators inside a question are spaces, not question breaks)."""
    if values == ["-"]:
        data = sys.stdin.buffer.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise InvalidQuestionError(f"More than {max_bytes:,} bytes of questions on stdin; split them up.")
        text = data.decode("utf-8", errors="replace")
        return [line.rstrip("\r") for line in text.split("\n") if line.strip()]
    return values


def positive_int(text: str) -> int:
    """argparse type for counts such as ``-k``: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is less than 1")
    return value


def one_line(message: object) -> str:
    """``message`` on one line whatever it quotes: line breaks of every kind (``\\r``, ``\\x1c``,
    U+2028, ...), other control characters and lone surrogates are shown as escapes."""
    return "".join(
        char
        if char == " " or (char.isprintable() and not 0xD800 <= ord(char) <= 0xDFFF)
        else repr(char)[1:-1]
        for char in str(message)
    )


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a usage mistake on one line (``error: ...``) with exit code 2."""

    def error(self, message: str) -> NoReturn:
        hint = ""
        if "unrecognized arguments: -" in message or "arguments are required" in message:
            hint = "; to ask a question that starts with '-', put -- before it (qa ask -- '-1 ...?')"
        self.exit(2, f"error: {one_line(message)}{hint} (see {self.prog} --help)\n")


def cmd_ask(args: argparse.Namespace) -> int:
    from qa.assistant import clean_question, validate_mode
    from qa.render import render_answer

    settings = _settings(args)
    if args.retriever is not None:
        validate_mode(args.retriever)
    questions = _read_questions(args.questions, settings.limits.max_data_file_bytes)
    limit = settings.answer.max_question_chars
    for q in questions:  # fail fast on bad input before loading the model
        clean_question(q, limit)
    library = _library(args)
    if _use_library(args, library):
        if args.paper:
            library.entry(args.paper)  # an unknown id fails before the model loads

        def ask(question: str, history: list[str] | None):
            return library.ask(question, args.paper, history, retriever=args.retriever, k=args.k)
    else:
        assistant = _load(args)

        def ask(question: str, history: list[str] | None):
            return assistant.ask(question, history=history, retriever=args.retriever, k=args.k)

    history: list[str] = []
    for n, question in enumerate(questions):
        answer = ask(question, history if args.conversation else None)
        if args.conversation:
            history.append(answer.question)
        if args.json:
            print(answer.model_dump_json())
        else:
            if n:
                print()
            print(render_answer(answer))
        sys.stdout.flush()
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from qa.render import render_answer

    library = _library(args)
    if _use_library(args, library):
        title = library.entry(args.paper).title if args.paper else f"{len(library.papers())} papers"

        def ask(question: str, history: list[str]):
            return library.ask(question, args.paper, history, retriever=args.retriever, k=args.k)
    else:
        assistant = _load(args)
        title = assistant.document.metadata.get("title", "the paper")

        def ask(question: str, history: list[str]):
            return assistant.ask(question, history=history, retriever=args.retriever, k=args.k)

    print(f"Ask about: {title}\nType a question; 'exit' or Ctrl-D to leave, 'clear' to start over.")
    history: list[str] = []
    while True:
        try:
            question = input("\nyou> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if question.strip().lower() in {"exit", "quit"}:
            return 0
        if question.strip().lower() == "clear":
            history.clear()
            print("(conversation cleared)")
            continue
        try:
            answer = ask(question, history)
        except QAError as exc:
            print(f"error: {one_line(exc)}")
            continue
        history.append(answer.question)
        print(render_answer(answer, show_question=False))


def cmd_add(args: argparse.Namespace) -> int:
    from qa.library import describe

    if args.id and len(args.files) > 1:
        print("error: --id names one paper; add the files one at a time.", file=sys.stderr)
        return 2
    library = _library(args)
    failed = 0
    for file in args.files:
        progress = StderrProgress(f"adding {file.name}", quiet_lines=True)
        try:
            found = library.add_paper(file, paper_id=args.id, progress=progress)
        except QAError as exc:
            progress.close()  # erase the progress line before the error takes its place
            print(f"error: {exc}", file=sys.stderr)
            failed = exc.exit_code
            continue
        progress.close()
        if found.status == "unchanged":
            print(f"unchanged {found.id}: {file} is already in the library (same content); nothing to do.")
            continue
        print(f'{found.status} {found.id}: "{found.title}" ({found.format}) — {describe(found)}')
        for warning in found.warnings:
            print(f"  warning: {warning}")
    if len(library.papers()) > library.settings.library.route_papers:
        try:  # the library-wide search index now, so the first question across papers does not wait
            library.sync_store()
        except QAError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed = failed or exc.exit_code
    return failed


def cmd_papers(args: argparse.Namespace) -> int:
    from qa.library import describe

    library = _library(args)
    papers = library.papers()
    if not papers:
        print(f"No papers in {library.root}; add one with `qa add FILE`.")
    for entry in papers:
        mark = "*" if entry.id == papers[0].id else " "
        print(f'{mark} {entry.id}  ({entry.format}) "{entry.title}" — {describe(library.summary(entry.id))}')
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    entry = _library(args).remove(args.id)
    print(f'removed {entry.id}: "{entry.title}"')
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    assistant = _load(args, force=True)
    manifest = assistant.index.manifest
    counts = manifest["counts"]
    print(
        f"index written to {assistant.settings.paths.index_dir}: {counts['chunks']} chunks, "
        f"{counts['sentences']} sentences, {counts['table_values']} table values "
        f"in {manifest['build_seconds']:.2f}s"
    )
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    if args.benchmark:
        from qa.evaluation.benchmarks import run_cli as run_benchmark_cli

        return run_benchmark_cli(args)
    from qa.evaluation.run import run_cli

    return run_cli(args, _load(args))


def cmd_bench(args: argparse.Namespace) -> int:
    if args.library_papers:
        from qa.evaluation.library_bench import run_cli as run_library_cli

        return run_library_cli(args)
    from qa.evaluation.bench import run_benchmark

    return run_benchmark(args)


def cmd_calibrate(args: argparse.Namespace) -> int:
    from qa.evaluation.calibrate import run_cli

    return run_cli(args, _settings(args))


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="qa", description="Ask questions about the paper; answers cite the paper.")
    parser.add_argument("--corpus", type=Path, help="clean Markdown paper (default corpus/paper.md)")
    parser.add_argument("--index-dir", type=Path, help="index folder (default index/)")
    parser.add_argument(
        "--library", type=Path, help="library folder with library.json (default: the corpus file's folder)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--retriever", choices=None, help=f"one of {', '.join(RETRIEVER_MODES)} (default hybrid)"
        )
        p.add_argument("-k", type=positive_int, default=None, help="passages to return (default 6)")
        p.add_argument("--no-rebuild", action="store_true", help="fail instead of rebuilding a stale index")
        p.add_argument("--paper", metavar="ID", help="answer from this paper only (see `qa papers`)")

    ask = sub.add_parser("ask", help="answer one or more questions")
    ask.add_argument(
        "questions", nargs="+", metavar="QUESTION", help="question(s); '-' reads one per line from stdin"
    )
    ask.add_argument("--json", action="store_true", help="print one JSON Answer per line")
    ask.add_argument("--conversation", action="store_true", help="treat the questions as turns of one chat")
    common(ask)
    ask.set_defaults(func=cmd_ask)

    chat = sub.add_parser("chat", help="interactive terminal chat with history")
    common(chat)
    chat.set_defaults(func=cmd_chat)

    add = sub.add_parser("add", help="add papers (.md, .txt, .pdf) to the library and index them")
    add.add_argument("files", nargs="+", type=Path, metavar="FILE")
    add.add_argument("--id", help="the paper's id (default: from its title); only with one file")
    add.set_defaults(func=cmd_add)

    papers = sub.add_parser("papers", help="list the papers of the library (* marks the default)")
    papers.set_defaults(func=cmd_papers)

    remove = sub.add_parser("remove", help="remove a paper and its index from the library")
    remove.add_argument("id", metavar="ID")
    remove.set_defaults(func=cmd_remove)

    index = sub.add_parser("index", help="(re)build the index")
    index.set_defaults(func=cmd_index)

    from qa.evaluation.benchmarks import add_arguments as add_benchmark_arguments
    from qa.evaluation.run import add_arguments as add_eval_arguments

    ev = sub.add_parser("eval", help="measure answer quality on a question set with expected answers")
    add_eval_arguments(ev)
    add_benchmark_arguments(ev)
    ev.set_defaults(func=cmd_eval)

    from qa.evaluation.calibrate import add_arguments as add_calibrate_arguments

    calibrate = sub.add_parser("calibrate", help="train the answerability model (confidence, abstention cut)")
    add_calibrate_arguments(calibrate)
    calibrate.set_defaults(func=cmd_calibrate)

    bench = sub.add_parser("bench", help="measure latency, build time and memory")
    bench.add_argument("--questions", type=positive_int, default=50)
    bench.add_argument("--json", action="store_true")
    bench.add_argument("--ui", action="store_true", help="also time the chat page (server side)")
    bench.add_argument(
        "--fuzz",
        type=positive_int,
        metavar="N",
        help="instead: feed N generated questions, histories and command lines; reports crashes",
    )
    bench.add_argument(
        "--stress",
        type=positive_int,
        metavar="SECONDS",
        help="instead: one loader and two builders on one index folder for SECONDS; reports errors",
    )
    bench.add_argument(
        "--library",
        dest="library_papers",
        type=positive_int,
        metavar="N",
        help="instead: build a library of N papers (default source: the Qasper validation then train "
        "papers) and report build, search, latency, memory and quality at 10, 100 and N papers",
    )
    bench.add_argument("--from", dest="source", type=Path, help="with --library: a folder of papers to use")
    bench.add_argument(
        "--work-dir",
        type=Path,
        help="with --library: keep the built library here (default: a temporary folder)",
    )
    bench.add_argument("--figure", type=Path, help="with --library: write the growth curves (.svg or .png)")
    bench.add_argument(
        "--questions-per-stage",
        type=positive_int,
        default=300,
        help="with --library: validation questions asked at each stage (default 300)",
    )
    bench.add_argument(
        "--open-runs",
        type=positive_int,
        default=3,
        help="with --library: fresh processes timed opening the library, the median is reported (default 3)",
    )
    bench.add_argument(
        "--cold",
        type=positive_int,
        metavar="RUNS",
        help="instead: RUNS fresh `qa ask` processes; model loading vs everything else (medians)",
    )
    bench.add_argument(
        "--embed",
        type=positive_int,
        metavar="PAPERS",
        help="instead: embedding texts/s of the index build vs plain encode, on the seed and PAPERS Qasper papers",
    )
    bench.set_defaults(func=cmd_bench)
    return parser


def _tolerant_streams() -> None:
    """Never crash on the terminal's encoding: unencodable output is escaped (``PYTHONIOENCODING=ascii``),
    undecodable input becomes U+FFFD, which question cleaning removes."""
    for stream, errors in (
        (sys.stdout, "backslashreplace"),
        (sys.stderr, "backslashreplace"),
        (sys.stdin, "replace"),
    ):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # a closed or detached stream
                reconfigure(errors=errors)


def main(argv: list[str] | None = None) -> int:
    _tolerant_streams()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # a usage error (already printed on one line) or --help
        return int(exc.code or 0)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    for noisy in ("bm25s", "sentence_transformers", "transformers", "faiss"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        return args.func(args)
    except QAError as exc:
        print(f"error: {one_line(exc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


HEAVY_MODULES = ("torch", "sentence_transformers")


def exit_now(code: int) -> NoReturn:
    """End the process with ``code`` after the exit handlers, without tearing the interpreter down.

    Finalising the modules torch, transformers and sentence-transformers bring in (sklearn, pandas,
    ...) takes 1.3-2 s on every exit of a process that loaded the model (measured with
    ``python -m qa.evaluation.cold_start``), and frees only memory the OS takes back anyway. Exit
    handlers still run (logging, temporary files) and the standard streams are flushed first; a
    process that never loaded the model exits normally.
    """
    if not any(name in sys.modules for name in HEAVY_MODULES):
        sys.exit(code)
    import atexit
    import os

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed stream or a broken pipe
            stream.flush()
    os._exit(code)


def run() -> NoReturn:
    """The ``qa`` command: :func:`main`, then :func:`exit_now` (tests call :func:`main` itself)."""
    exit_now(main())


if __name__ == "__main__":
    run()
