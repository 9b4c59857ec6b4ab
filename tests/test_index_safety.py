"""The index folder: only what the index wrote is ever deleted, links are never followed, a damaged
or wrong-type manifest or a corrupted file leads to a rebuild (or a clear error), never a traceback."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from qa import Assistant
from qa.cli import main
from qa.errors import IndexStateError
from qa.indexing import store
from qa.indexing.files import sha256_file

QUESTION = "What does the Widget Export Council track?"


def load(settings, embedder, **kwargs):
    return Assistant.load(settings, embedder=embedder, **kwargs)


def manifest_of(settings) -> dict:
    return json.loads((settings.paths.index_dir / "manifest.json").read_text())


def test_a_foreign_folder_is_refused_and_left_untouched(mini_settings, embedder, capsys):
    folder = mini_settings.paths.index_dir
    (folder / "build-tools").mkdir(parents=True)
    (folder / "build-tools" / "f").write_text("x\n")
    (folder / "manifest.json").write_text('{"app":1}\n')
    with pytest.raises(IndexStateError, match="not an index folder"):
        load(mini_settings, embedder)
    code = main(["--corpus", str(mini_settings.paths.corpus), "--index-dir", str(folder), "index"])
    err = capsys.readouterr().err
    assert code == 3 and err.startswith("error: ") and len(err.strip().splitlines()) == 1
    assert (folder / "build-tools" / "f").read_text() == "x\n"
    assert (folder / "manifest.json").read_text() == '{"app":1}\n'
    assert sorted(p.name for p in folder.iterdir()) == ["build-tools", "manifest.json"]


def test_a_rebuild_deletes_only_its_own_build_folders(mini_settings, embedder):
    load(mini_settings, embedder)
    folder = mini_settings.paths.index_dir
    (folder / "build-notes").mkdir()
    (folder / "build-notes" / "keep.txt").write_text("mine")
    first = manifest_of(mini_settings)["build_dir"]
    load(mini_settings, embedder, force_rebuild=True)
    second = manifest_of(mini_settings)["build_dir"]
    assert second != first and not (folder / first).exists() and (folder / second).is_dir()
    assert (folder / "build-notes" / "keep.txt").read_text() == "mine"


def test_an_empty_folder_is_adopted(mini_settings, embedder):
    mini_settings.paths.index_dir.mkdir()
    assert not load(mini_settings, embedder).ask(QUESTION).abstained
    assert (mini_settings.paths.index_dir / ".qa-index").is_file()


def test_a_pre_marker_index_is_adopted_not_refused(mini_settings, embedder):
    load(mini_settings, embedder)
    (mini_settings.paths.index_dir / ".qa-index").unlink()  # as written by an earlier version
    assert load(mini_settings, embedder, rebuild=False).ask(QUESTION).citations


def test_a_symlinked_lock_is_not_followed(mini_settings, embedder, tmp_path, capsys):
    victim = tmp_path / "victim"
    victim.write_text("secret\n")
    folder = mini_settings.paths.index_dir
    load(mini_settings, embedder)  # an index folder of ours, with its own lock file
    (folder / ".lock").unlink()
    (folder / ".lock").symlink_to(victim)
    code = main(["--corpus", str(mini_settings.paths.corpus), "--index-dir", str(folder), "index"])
    err = capsys.readouterr().err
    assert victim.read_text() == "secret\n"
    assert code == 3 and "symbolic link" in err and len(err.strip().splitlines()) == 1


def test_the_index_folder_being_a_file_is_one_line(mini_settings, tmp_path, capsys):
    target = tmp_path / "a-file"
    target.write_text("data")
    code = main(["--corpus", str(mini_settings.paths.corpus), "--index-dir", str(target), "index"])
    err = capsys.readouterr().err
    assert code == 3 and "not a folder" in err and len(err.strip().splitlines()) == 1
    assert target.read_text() == "data"


def test_an_unwritable_index_folder_is_one_line(mini_settings, capsys):
    code = main(["--corpus", str(mini_settings.paths.corpus), "--index-dir", "/sys/qa-index", "index"])
    err = capsys.readouterr().err
    assert code == 3 and err.startswith("error: ") and len(err.strip().splitlines()) == 1


def _set(manifest: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    for key in parents:
        manifest = manifest[key]
    manifest[last] = value


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("files", [1, 2]),
        ("model", "x"),
        ("counts", None),
        ("counts.chunks", "7"),
        ("build_dir", "../../etc"),
        ("counts.chunks", 999),  # wrong value, right type
        ("model.dimension", 17),  # wrong value, right type
    ],
)
def test_a_wrong_manifest_is_rebuilt_or_refused(mini_settings, embedder, caplog, field, value):
    answer = load(mini_settings, embedder).ask(QUESTION)
    manifest = manifest_of(mini_settings)
    _set(manifest, field, value)
    (mini_settings.paths.index_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexStateError, match="qa index"):
        load(mini_settings, embedder, rebuild=False)
    with caplog.at_level("WARNING"):
        again = load(mini_settings, embedder)
    assert "Building the index" in caplog.text
    assert again.ask(QUESTION).model_dump(exclude={"timings_ms"}) == answer.model_dump(exclude={"timings_ms"})


def _rewrite_npy(array: np.ndarray):
    def write(path):
        with open(path, "wb") as handle:
            np.save(handle, array, allow_pickle=False)

    return write


def _corruptions():
    """Damage that keeps each file readable; the test then updates the manifest's checksums too."""

    def npy(name, change):
        return name, lambda path: _rewrite_npy(change(np.load(path)))(path)

    def lines(change):
        return "chunks.jsonl", lambda path: path.write_text(
            "".join(
                json.dumps(c) + "\n" for c in change([json.loads(x) for x in path.read_text().splitlines()])
            )
        )

    def edit(chunk_list, key, value, at=0):
        chunk_list[at][key] = value
        return chunk_list

    return {
        "sentences: one row dropped": npy("sentences.npy", lambda a: a[:-1]),
        "sentences: one row added": npy("sentences.npy", lambda a: np.vstack([a, a[:1]])),
        "sentences: scaled": npy("sentences.npy", lambda a: a * 2),
        "sentences: NaN": npy(
            "sentences.npy",
            lambda a: np.where(np.arange(a.size).reshape(a.shape) == 5, np.nan, a).astype(np.float32),
        ),
        "sentences: float64": npy("sentences.npy", lambda a: a.astype(np.float64)),
        "sentences: transposed": npy("sentences.npy", lambda a: np.ascontiguousarray(a.T)),
        "values: zeros": npy("table_values.npy", lambda a: np.zeros_like(a)),
        "values: one row dropped": npy("table_values.npy", lambda a: a[1:]),
        "bm25 indices out of range": npy("bm25/indices.csc.index.npy", lambda a: a + 1000),
        "bm25 negative scores": npy("bm25/data.csc.index.npy", lambda a: -a),
        "bm25 indptr shuffled": npy("bm25/indptr.csc.index.npy", lambda a: a[::-1].copy()),
        "chunks: one line dropped": lines(lambda c: c[:-1]),
        "chunks: duplicated id": lines(lambda c: edit(c, "id", c[1]["id"])),
        "chunks: text changed": lines(lambda c: edit(c, "text", c[0]["text"] + " not in the paper")),
        "chunks: offsets changed": lines(lambda c: edit(c, "start", c[0]["start"] + 1)),
        "chunks: negative offset": lines(lambda c: edit(c, "start", -5)),
    }


CORRUPTIONS = _corruptions()


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_corruption_with_updated_checksums_is_caught(mini_settings, embedder, name):
    answer = load(mini_settings, embedder).ask(QUESTION)
    manifest = manifest_of(mini_settings)
    build = mini_settings.paths.index_dir / manifest["build_dir"]
    file, damage = CORRUPTIONS[name]
    damage(build / file)
    manifest["files"][file] = {"sha256": sha256_file(build / file), "bytes": os.path.getsize(build / file)}
    (mini_settings.paths.index_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexStateError, match="qa index"):
        load(mini_settings, embedder, rebuild=False)
    again = load(mini_settings, embedder)
    assert again.ask(QUESTION).answer == answer.answer


def test_a_file_vanishing_during_the_check_is_a_reason_not_a_crash(mini_settings, embedder, monkeypatch):
    load(mini_settings, embedder)
    real = store.sha256_file

    def vanish(path):
        raise FileNotFoundError(2, "No such file or directory", str(path))

    monkeypatch.setattr(store, "sha256_file", vanish)
    assert "missing" in store.check_index(
        mini_settings.paths.index_dir, {**manifest_of(mini_settings), "model": {}}
    )
    monkeypatch.setattr(store, "sha256_file", real)


def test_stress_one_loader_two_builders_sees_no_error(mini_corpus):
    """The short version of `qa bench --stress 120` (see the README for the long run)."""
    from qa.evaluation.stress import run_stress

    result = run_stress(mini_corpus, seconds=15, question=QUESTION)
    assert result["errors"] == 0, result["error_samples"]
    assert result["loader_rounds"] >= 2 and result["builder_rounds"] >= 2
    assert result["distinct_answers"] == 1


def test_a_write_error_during_a_build_is_one_line_and_leaves_no_half_build(
    mini_settings, monkeypatch, capsys
):
    import errno

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store, "_save_bm25", disk_full)
    folder = mini_settings.paths.index_dir
    code = main(["--corpus", str(mini_settings.paths.corpus), "--index-dir", str(folder), "index"])
    err = capsys.readouterr().err
    assert code == 3 and "No space left on device" in err and len(err.strip().splitlines()) == 1
    assert not list(folder.glob("build-*")) and not (folder / "manifest.json").exists()
