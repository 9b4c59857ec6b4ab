"""The library: add, list, remove, ask one paper or all; every bad input leaves it untouched."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from qa.errors import CorpusError
from qa.library import (
    REGISTRY,
    Library,
    PaperAnswer,
    check_id,
    choose_answer,
    slugify,
)
from tests.conftest import DATA, make_settings
from tests.paper_pdf import minimal_pdf

GADGETS = DATA / "gadgets.md"


def minimal_pdf_without_text() -> bytes:
    """A valid one-page PDF with no text layer (what a scanned paper looks like to a reader)."""
    return minimal_pdf(b"")


@pytest.fixture
def lib_settings(tmp_path):
    """A library folder whose default paper is a copy of the tiny test paper."""
    root = tmp_path / "library"
    root.mkdir()
    shutil.copy(DATA / "mini.md", root / "paper.md")
    return make_settings(root / "paper.md", tmp_path / "index")


@pytest.fixture
def library(lib_settings, embedder) -> Library:
    return Library.open(settings=lib_settings, embedder=embedder)


@pytest.fixture
def offline_library(lib_settings) -> Library:
    """A library that must never need the model (bad input is refused before embedding)."""

    class NoModel:
        def __getattr__(self, name):
            raise AssertionError("the model was used")

    return Library.open(settings=lib_settings, embedder=NoModel())


def snapshot(*folders: Path) -> dict[str, bytes]:
    """Every file under ``folders`` with its bytes (lock files aside: taking a lock is not a change)."""
    out = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.exists() else []:
            if path.is_file() and not path.name.endswith(".lock"):
                out[str(path)] = path.read_bytes()
            elif path.is_dir():
                out[str(path) + "/"] = b""
    return out


def state(library: Library) -> dict[str, bytes]:
    return snapshot(library.root, Path(library.settings.paths.index_dir))


# --------------------------------------------------------------------------------------- pure parts


def test_slugify_makes_safe_short_ids():
    assert slugify("Attention Is All You Need") == "attention-is-all-you-need"
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("Über Ökonomie — eine Studie") == "uber-okonomie-eine-studie"
    assert slugify("数据") == ""
    long = slugify("word " * 30, 20)
    assert len(long) <= 20 and not long.endswith("-") and long.startswith("word-word")


@pytest.mark.parametrize("bad", ["../evil", "a/b", "Paper", "", "-x", "x" * 49, "päper"])
def test_check_id_refuses_unsafe_ids(bad):
    with pytest.raises(CorpusError, match="not a valid paper id"):
        check_id(bad)
    assert check_id("my-paper-2") == "my-paper-2"


def fake(abstained: bool, similarity: float, paper: str, confidence: float | None = None) -> PaperAnswer:
    answer = SimpleNamespace(abstained=abstained, confidence=confidence)
    return PaperAnswer(paper, answer, similarity)  # type: ignore[arg-type]


def test_choose_answer_prefers_answers_then_the_best_score_then_library_order():
    assert choose_answer([fake(True, 0.9, "a"), fake(False, 0.2, "b")]).paper == "b"
    assert choose_answer([fake(False, 0.3, "a"), fake(False, 0.6, "b")]).paper == "b"
    assert choose_answer([fake(False, 0.5, "a"), fake(False, 0.5, "b")]).paper == "a"
    assert choose_answer([fake(True, 0.1, "a"), fake(True, 0.4, "b")]).paper == "b"
    # an answerer's confidence, when it gives one, decides over retrieval similarity
    assert choose_answer([fake(False, 0.9, "a", 0.2), fake(False, 0.1, "b", 0.8)]).paper == "b"


# -------------------------------------------------------------------------------------- registry


def test_without_a_registry_the_library_is_the_default_paper(offline_library, lib_settings):
    papers = offline_library.papers()
    assert [p.id for p in papers] == ["a-tiny-paper-about-widgets"]
    assert papers[0].path == "paper.md" and papers[0].title == "A Tiny Paper About Widgets"
    assert not (offline_library.root / REGISTRY).exists(), "listing must not write"
    # the default paper shares the index Assistant.load() uses with the same settings
    assert offline_library.index_dir(papers[0]) == lib_settings.paths.index_dir
    assert offline_library.paper_settings(papers[0]) == lib_settings


def test_a_damaged_registry_is_one_clear_error(offline_library):
    (offline_library.root / REGISTRY).write_text("{not json")
    with pytest.raises(CorpusError, match=r"library\.json is damaged"):
        offline_library.papers()


def test_a_registry_path_outside_the_library_is_refused(offline_library):
    (offline_library.root / REGISTRY).write_text(
        '{"papers": [{"id": "x", "title": "X", "path": "../outside.md"}]}'
    )
    with pytest.raises(CorpusError, match="outside the library"):
        offline_library.papers()


# ------------------------------------------------------------------------------ add / list / remove


def test_add_list_and_remove(library, tmp_path):
    source = tmp_path / "my paper ü.md"  # spaces and unicode in the path
    shutil.copy(GADGETS, source)
    found = library.add_paper(source)
    assert (found.status, found.id, found.title) == ("added", "gadget-survey", "Gadget Survey")
    assert (found.sections, found.tables, found.table_values) == (4, 1, 2) and found.sentences >= 5
    assert [p.id for p in library.papers()] == ["a-tiny-paper-about-widgets", "gadget-survey"]
    folder = library.root / "papers" / "gadget-survey"
    assert (folder / "paper.md").read_bytes() == GADGETS.read_bytes()
    assert (folder / "source.md").is_file()
    index_dir = Path(library.settings.paths.index_dir) / "papers" / "gadget-survey"
    assert (index_dir / "manifest.json").is_file()
    entry = library.entry("gadget-survey")
    assert entry.source_name == "my paper ü.md" and entry.format == "md"

    # another process sees the new paper
    other = Library.open(library.root, settings=library.settings, embedder=library.embedder.inner)
    assert [p.id for p in other.papers()] == ["a-tiny-paper-about-widgets", "gadget-survey"]

    removed = library.remove("gadget-survey")
    assert removed.id == "gadget-survey"
    assert [p.id for p in library.papers()] == ["a-tiny-paper-about-widgets"]
    assert not folder.exists() and not index_dir.exists()
    assert [p.id for p in other.papers()] == ["a-tiny-paper-about-widgets"]


def test_the_default_paper_cannot_be_removed_and_unknown_ids_are_named(offline_library):
    before = state(offline_library)
    with pytest.raises(CorpusError, match="default paper"):
        offline_library.remove("a-tiny-paper-about-widgets")
    with pytest.raises(CorpusError, match=r"No paper with id 'nope'.*a-tiny-paper-about-widgets"):
        offline_library.remove("nope")
    with pytest.raises(CorpusError, match="not a valid paper id"):
        offline_library.add_paper(GADGETS, paper_id="../../escape")
    assert state(offline_library) == before


def test_same_content_is_recognised_not_duplicated(library, tmp_path):
    library.add_paper(GADGETS)
    before = state(library)
    copy = tmp_path / "renamed copy.md"
    shutil.copy(GADGETS, copy)
    again = library.add_paper(copy)
    assert (again.status, again.id) == ("unchanged", "gadget-survey")
    assert library.add(copy) == "gadget-survey"  # the short form returns the id
    # the default paper is recognised by content too
    seed = library.add_paper(library.root / "paper.md")
    assert (seed.status, seed.id) == ("unchanged", "a-tiny-paper-about-widgets")
    assert state(library) == before


def test_unchanged_paper_is_not_re_embedded_and_a_changed_one_is_rebuilt(library, tmp_path, monkeypatch):
    import qa.indexing.store as store

    builds = []
    real_build = store.build_index
    monkeypatch.setattr(store, "build_index", lambda *a, **kw: builds.append(1) or real_build(*a, **kw))
    source = tmp_path / "gadgets.md"
    shutil.copy(GADGETS, source)
    library.add_paper(source)
    assert len(builds) == 1
    (library.root / "papers" / "gadget-survey" / "synonyms.json").write_text('{"gb": ["gadget board"]}')
    source.write_text(GADGETS.read_text() + "\nA new closing sentence about gadgets.\n")
    updated = library.add_paper(source)
    assert (updated.status, updated.id, len(builds)) == ("updated", "gadget-survey", 2)
    folder = library.root / "papers" / "gadget-survey"
    assert "new closing sentence" in (folder / "paper.md").read_text()
    assert (folder / "synonyms.json").is_file(), "extras beside the paper survive an update"
    assert library.add_paper(source).status == "unchanged" and len(builds) == 2
    answer = library.ask("What is the new closing sentence about?", paper="gadget-survey")
    assert "new closing sentence" in answer.answer


def test_an_id_taken_by_another_paper_is_refused(library, tmp_path):
    library.add_paper(GADGETS)
    before = state(library)
    other = tmp_path / "other.md"
    other.write_text("# Gadget Survey\n\n## Intro\n\nA different survey of gadgets entirely.\n")
    with pytest.raises(
        CorpusError, match=r"id 'gadget-survey' is taken by \"Gadget Survey\" \(gadgets.md\).*--id"
    ):
        library.add_paper(other)
    assert state(library) == before
    assert library.add_paper(other, paper_id="gadget-survey-2").id == "gadget-survey-2"
    # an added paper whose title makes the default paper's id
    clash = tmp_path / "clash.md"
    clash.write_text("# A Tiny Paper About Widgets\n\n## Intro\n\nNot the same paper.\n")
    before = state(library)
    with pytest.raises(CorpusError, match="default paper's"):
        library.add_paper(clash)
    assert state(library) == before


def test_dot_dot_in_a_title_or_name_stays_inside_the_library(library, tmp_path):
    sneaky = tmp_path / "..evil.md"
    sneaky.write_text("# ../../Escape\n\n## Intro\n\nA paper that tries to escape.\n")
    found = library.add_paper(sneaky, name="../../../../etc/passwd.md")
    assert found.id == "escape"
    assert (library.root / "papers" / "escape" / "paper.md").is_file()
    assert not (library.root.parent / "Escape").exists()


# ------------------------------------------------------------------------------------ bad input


def _bad_files(tmp_path: Path) -> dict[str, Path]:
    files = {}
    files["zero bytes"] = tmp_path / "empty.md"
    files["zero bytes"].write_bytes(b"")
    files["200 MB"] = tmp_path / "huge paper.md"
    with open(files["200 MB"], "wb") as handle:  # sparse: no disk used
        handle.truncate(200_000_000)
    files["png named .md"] = tmp_path / "picture.md"
    files["png named .md"].write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    files["text named .pdf"] = tmp_path / "not really.pdf"
    files["text named .pdf"].write_text("just some words, no PDF at all")
    files["pdf without text"] = tmp_path / "scanned ü.pdf"
    files["pdf without text"].write_bytes(minimal_pdf_without_text())
    files["missing"] = tmp_path / "does not exist.md"
    files["a folder"] = tmp_path / "folder.md"
    files["a folder"].mkdir()
    files["unsupported"] = tmp_path / "paper.docx"
    files["unsupported"].write_bytes(b"PK\x03\x04 not a paper")
    return files


BAD = [
    "zero bytes",
    "200 MB",
    "png named .md",
    "text named .pdf",
    "pdf without text",
    "missing",
    "a folder",
    "unsupported",
]


@pytest.mark.parametrize("kind", BAD)
def test_bad_input_is_one_line_and_leaves_the_library_untouched(offline_library, tmp_path, kind):
    file = _bad_files(tmp_path)[kind]
    before = state(offline_library)
    with pytest.raises(CorpusError) as caught:
        offline_library.add_paper(file)
    message = str(caught.value)
    assert "\n" not in message and str(file.name) in message
    if kind == "200 MB":
        assert "is 200 MB; the limit is 50 MB" in message
    assert state(offline_library) == before
    assert not (offline_library.root / REGISTRY).exists()


@pytest.mark.parametrize("kind", ["zero bytes", "200 MB", "png named .md", "pdf without text", "missing"])
def test_bad_input_on_the_command_line(lib_settings, tmp_path, capsys, kind):
    from qa.cli import main

    file = _bad_files(tmp_path)[kind]
    args = ["--corpus", str(lib_settings.paths.corpus), "--index-dir", str(lib_settings.paths.index_dir)]
    code = main([*args, "add", str(file)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1 and "Traceback" not in err


# ----------------------------------------------------------------------------------------- crashes


def test_a_crash_mid_add_leaves_the_library_as_it_was(library, tmp_path, monkeypatch):
    import qa.indexing.store as store

    library.add_paper(GADGETS)
    before = state(library)

    def crash(*args, **kwargs):
        raise RuntimeError("power cut while embedding")

    monkeypatch.setattr(store, "build_index", crash)
    new = tmp_path / "new.md"
    new.write_text("# Another Survey\n\n## Intro\n\nSomething else entirely, about sprockets.\n")
    with pytest.raises(RuntimeError):
        library.add_paper(new)
    changed = tmp_path / "gadgets.md"
    changed.write_text(GADGETS.read_text() + "\nChanged.\n")
    with pytest.raises(RuntimeError):
        library.add_paper(changed)  # an update that crashes keeps the old version
    after = state(library)
    assert after == before
    assert not list((library.root / "papers").glob(".staging-*"))
    assert [p.id for p in library.papers()] == ["a-tiny-paper-about-widgets", "gadget-survey"]
    library.remove("gadget-survey")
    before = state(library)
    with pytest.raises(RuntimeError):
        library.add_paper(new)  # the first added paper: not even an empty papers/ folder stays
    assert snapshot(library.root) == snapshot_of(before, library.root)


def test_a_full_disk_is_one_line_and_leaves_the_library_as_it_was(library, monkeypatch):
    import qa.library

    before = state(library)

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device", str(library.root / REGISTRY))

    monkeypatch.setattr(qa.library, "write_json_atomic", full)
    with pytest.raises(CorpusError, match=r"No space left on device\); nothing was changed\.$"):
        library.add_paper(GADGETS)
    assert snapshot(library.root) == snapshot_of(before, library.root)
    assert [p.id for p in library.papers()] == ["a-tiny-paper-about-widgets"]


def snapshot_of(state_: dict[str, bytes], folder: Path) -> dict[str, bytes]:
    return {k: v for k, v in state_.items() if k.startswith(str(folder))}


def test_concurrent_adds_both_land(lib_settings, embedder, tmp_path):
    """Two processes adding at once: the lock serialises the registry update, neither is lost."""
    second = tmp_path / "sprockets.md"
    second.write_text("# Sprocket Notes\n\n## Intro\n\nSprockets turn chains in bicycles.\n")
    errors = []

    def add(file: Path) -> None:
        try:
            Library.open(settings=lib_settings, embedder=embedder).add_paper(file)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(f,)) for f in (GADGETS, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    ids = [p.id for p in Library.open(settings=lib_settings).papers()]
    assert ids[0] == "a-tiny-paper-about-widgets" and sorted(ids[1:]) == ["gadget-survey", "sprocket-notes"]


# ------------------------------------------------------------------------------------------- asking


def test_ask_all_papers_names_the_paper_of_every_citation(library):
    library.add_paper(GADGETS)
    gadgets = library.ask("How many gadgets did the East region sell?")
    assert not gadgets.abstained and "200" in gadgets.answer
    assert gadgets.citations and {c.paper for c in gadgets.citations} == {"gadget-survey"}
    assert {p.paper for p in gadgets.passages} == {"gadget-survey"}
    widgets = library.ask("What does the Widget Export Council track?")
    assert {c.paper for c in widgets.citations} == {"a-tiny-paper-about-widgets"}
    nothing = library.ask("What is the GDP of France?")
    assert nothing.abstained and nothing.answer.startswith("None of the 2 papers answers this question.")


def test_ask_one_paper_and_one_model_for_all(library):
    library.add_paper(GADGETS)
    only = library.ask("What does the Widget Export Council track?", paper="gadget-survey")
    assert all(c.paper == "gadget-survey" for c in only.citations)
    with pytest.raises(CorpusError, match="No paper with id 'nope'"):
        library.ask("Anything?", paper="nope")
    a = library.assistant("a-tiny-paper-about-widgets")
    b = library.assistant("gadget-survey")
    assert a.embedder is b.embedder is library.embedder
    misses = library.embedder.misses
    library.ask("Which region sold fewer gadgets?")
    assert library.embedder.misses == misses + 1, "the question is embedded once for all papers"


def test_follow_ups_work_across_the_library(library):
    library.add_paper(GADGETS)
    first = library.ask("How many gadgets did the East region sell?")
    second = library.ask("And the West region?", history=[first.question])
    assert "100" in second.answer and second.citations[0].paper == "gadget-survey"


def test_cli_add_papers_ask_remove(lib_settings, embedder, capsys, monkeypatch):
    import qa.indexing.embedder as emb
    from qa.cli import main

    monkeypatch.setattr(emb, "shared_embedder", lambda settings=None: embedder)
    args = ["--corpus", str(lib_settings.paths.corpus), "--index-dir", str(lib_settings.paths.index_dir)]
    assert main([*args, "add", str(GADGETS)]) == 0
    out = capsys.readouterr().out
    assert out.startswith('added gadget-survey: "Gadget Survey" (md) — 4 sections, 1 table (2 values)')
    assert main([*args, "add", str(GADGETS)]) == 0
    assert "unchanged gadget-survey" in capsys.readouterr().out
    assert main([*args, "papers"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("* a-tiny-paper-about-widgets") and lines[1].startswith("  gadget-survey")
    # without --corpus the library is found from the corpus setting; several papers: all are asked
    assert main([*args, "ask", "How many gadgets did the East region sell?"]) == 0
    assert "[1] gadget-survey: Table 1: Gadget sales by region" in capsys.readouterr().out
    replies = iter(["Who counts the gadgets?", "exit"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(replies))
    assert main([*args, "chat", "--paper", "gadget-survey"]) == 0
    chat = capsys.readouterr().out
    assert (
        chat.startswith("Ask about: Gadget Survey")
        and "[1] gadget-survey: Gadget Survey > Background" in chat
    )
    assert main([*args, "ask", "--paper", "nope", "Who?"]) == 2
    assert "No paper with id 'nope'" in capsys.readouterr().err
    assert main([*args, "remove", "gadget-survey"]) == 0
    assert capsys.readouterr().out == 'removed gadget-survey: "Gadget Survey"\n'
    assert main([*args, "add", "--id", "x", str(GADGETS), str(GADGETS)]) == 2


def test_the_readme_library_commands_parse():
    """Every `qa` line of the README's "Your own papers" block is a valid command line."""
    import re
    import shlex

    from qa.cli import build_parser
    from qa.settings import PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Your own papers", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL).group(1)
    lines = [line.split("  #")[0].strip() for line in block.splitlines() if line.startswith(".venv/bin/qa")]
    assert [shlex.split(line)[1] for line in lines] == ["add", "papers", "ask", "ask", "remove"]
    for line in lines:
        build_parser().parse_args(shlex.split(line)[1:])


def test_a_library_started_empty(lib_settings, embedder, tmp_path):
    empty = Library.open(tmp_path / "empty", settings=lib_settings, embedder=embedder)
    assert empty.papers() == []
    with pytest.raises(CorpusError, match="is empty: add a paper with `qa add FILE`"):
        empty.ask("Anything?")
    assert empty.add(GADGETS) == "gadget-survey"
    assert empty.default.id == "gadget-survey"
    assert (tmp_path / "index" / "papers" / "gadget-survey" / "manifest.json").is_file()
    empty.remove("gadget-survey")  # an added paper can go, even when it is the first
    assert empty.papers() == []


# ------------------------------------------------------------------------------ a library of many papers

SPROCKETS = """# Sprocket Notes

## Findings

Sprocket factories in the valley employed 1,200 workers in 2019. The workers formed a union in 2021.
The union asked for a shorter week, and the factories agreed to a thirty-five hour week.
"""


@pytest.fixture(params=["faiss"])
def routed(request, lib_settings, embedder, tmp_path) -> Library:
    """Three papers; an all-papers question reads only the closest one, and one answerer stays loaded."""
    library_settings = lib_settings.library.model_copy(update={"route_papers": 1, "max_loaded_papers": 1})
    vectors = lib_settings.vectors.model_copy(update={"engine": request.param})
    settings = lib_settings.model_copy(update={"library": library_settings, "vectors": vectors})
    lib = Library.open(settings=settings, embedder=embedder)
    lib.add_paper(GADGETS)
    sprockets = tmp_path / "sprockets.md"
    sprockets.write_text(SPROCKETS, encoding="utf-8")
    lib.add_paper(sprockets)
    return Library.open(settings=settings, embedder=embedder)  # a fresh process: nothing loaded yet


@pytest.mark.parametrize("routed", ["faiss", "qdrant"], indirect=True)
def test_asking_all_papers_reads_only_the_closest_ones(routed):
    assert routed.loaded_papers() == []
    answer = routed.ask("How many workers did the sprocket factories employ in 2019?")
    assert not answer.abstained and "1,200" in answer.answer
    assert {c.paper for c in answer.citations} == {"sprocket-notes"}
    assert routed.loaded_papers() == ["sprocket-notes"], "only the routed paper was loaded"
    assert routed.route("How many gadgets did the East region sell?")[0][0] == "gadget-survey"
    gadgets = routed.ask("How many gadgets did the East region sell?")
    assert {c.paper for c in gadgets.citations} == {"gadget-survey"}
    assert routed.loaded_papers() == ["gadget-survey"], "max_loaded_papers=1 dropped the older answerer"


def test_a_routed_abstention_says_how_many_papers_were_read(routed):
    nothing = routed.ask("What is the GDP of France?")
    assert nothing.abstained
    assert nothing.answer.startswith(
        "No paper of the 3 answers this question (the 1 closest to it were read)."
    )


@pytest.mark.parametrize("routed", ["faiss", "qdrant"], indirect=True)
def test_the_library_store_follows_adds_and_removes_made_elsewhere(routed, lib_settings, embedder):
    assert routed.sync_store()["added"] == 3, "the store is filled from the papers' own indexes on first use"
    store = routed.vector_store()
    assert set(store.versions()) == {"a-tiny-paper-about-widgets", "gadget-survey", "sprocket-notes"}
    other = Library.open(settings=routed.settings, embedder=embedder)  # another process
    other.remove("sprocket-notes")
    assert routed.sync_store()["removed"] == 1
    assert "sprocket-notes" not in routed.vector_store().versions()
    assert all(
        h.paper != "sprocket-notes"
        for h in routed.vector_store().search(embedder.encode_query("sprocket"), 10)
    )
    assert routed.sync_store() == {"added": 0, "removed": 0, "papers": 2, "vectors": store.count()}


def test_opening_a_library_reads_no_paper(routed, monkeypatch):
    import qa.library

    routed.sync_store()
    parsed = qa.library.document_counts(routed.document("gadget-survey"))
    fresh = Library.open(settings=routed.settings, embedder=routed.embedder.inner)

    def no_paper(*args, **kwargs):
        raise AssertionError("a paper was read while opening the library")

    monkeypatch.setattr(qa.library, "load_document", no_paper)
    assert len(fresh.papers()) == 3
    listed = fresh.summary("gadget-survey")  # `qa papers` on a large library parses nothing
    assert listed.tables == 1 and {key: getattr(listed, key) for key in parsed} == parsed
    assert fresh.vector_store().count() == routed.vector_store().count()
    assert fresh.route("union of sprocket workers")[0][0] == "sprocket-notes"


def test_cli_add_fills_the_library_store_once_papers_are_routed(lib_settings, embedder, capsys, monkeypatch):
    import qa.indexing.embedder as emb
    from qa.cli import main

    monkeypatch.setattr(emb, "shared_embedder", lambda settings=None: embedder)
    monkeypatch.setenv("QA_LIBRARY__ROUTE_PAPERS", "1")
    args = ["--corpus", str(lib_settings.paths.corpus), "--index-dir", str(lib_settings.paths.index_dir)]
    assert main([*args, "add", str(GADGETS)]) == 0
    capsys.readouterr()
    store = Library.open(settings=lib_settings, embedder=embedder).vector_store()
    assert set(store.versions()) == {"a-tiny-paper-about-widgets", "gadget-survey"}
    assert main([*args, "ask", "How many gadgets did the East region sell?"]) == 0
    assert "[1] gadget-survey: Table 1: Gadget sales by region" in capsys.readouterr().out
