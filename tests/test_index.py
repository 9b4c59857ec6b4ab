"""The index: save/load round trip, manifest checks, rebuilds, atomic writes."""

from __future__ import annotations

import json

import pytest

from qa import Assistant
from qa.errors import IndexStateError
from qa.indexing import store
from qa.settings import INDEX_FORMAT_VERSION


def load(settings, embedder, **kwargs):
    return Assistant.load(settings, embedder=embedder, **kwargs)


def build_dir(settings):
    manifest = json.loads((settings.paths.index_dir / "manifest.json").read_text())
    return settings.paths.index_dir / manifest["build_dir"], manifest


def test_build_writes_manifest_and_files(mini_settings, embedder):
    load(mini_settings, embedder)
    folder, manifest = build_dir(mini_settings)
    assert manifest["model"]["name"] == "all-MiniLM-L6-v2" and manifest["model"]["dimension"] == 384
    assert manifest["chunking"] == mini_settings.chunking.model_dump()
    assert len(manifest["corpus_sha256"]) == 64 and manifest["format_version"] == INDEX_FORMAT_VERSION
    for name in ("chunks.jsonl", "dense.faiss", "sentences.npy", "table_values.npy"):
        assert (folder / name).is_file() and name in manifest["files"]
    assert any(name.startswith("bm25/") for name in manifest["files"])
    assert manifest["counts"]["table_values"] == 5
    assert not list(folder.rglob("*.pkl")) and not list(folder.rglob("*.pickle"))


def test_saved_and_reloaded_index_answers_the_same(mini_settings, embedder):
    first = load(mini_settings, embedder)
    before = first.ask("How many widgets did the North Plant produce?")
    manifest_before = build_dir(mini_settings)[1]
    second = load(mini_settings, embedder, rebuild=False)
    after = second.ask("How many widgets did the North Plant produce?")
    assert build_dir(mini_settings)[1] == manifest_before  # not rebuilt
    assert after.answer == before.answer and after.citations == before.citations
    assert [p.id for p in after.passages] == [p.id for p in before.passages]


def test_changed_corpus_triggers_a_rebuild(mini_settings, embedder, caplog):
    load(mini_settings, embedder)
    old = build_dir(mini_settings)[1]
    corpus = mini_settings.paths.corpus
    corpus.write_text(corpus.read_text().replace("120 units", "125 units"))
    with caplog.at_level("WARNING"):
        assistant = load(mini_settings, embedder)
    assert "corpus changed" in caplog.text
    assert build_dir(mini_settings)[1]["corpus_sha256"] != old["corpus_sha256"]
    assert "125" in assistant.ask("How many widget units were produced in 2020?").answer


@pytest.mark.parametrize("damage", ["truncate", "delete", "garble_manifest"])
def test_damaged_index_is_detected_and_rebuilt(mini_settings, embedder, caplog, damage):
    load(mini_settings, embedder)
    folder, _ = build_dir(mini_settings)
    if damage == "truncate":
        data = (folder / "dense.faiss").read_bytes()
        (folder / "dense.faiss").write_bytes(data[: len(data) // 2])
    elif damage == "delete":
        (folder / "chunks.jsonl").unlink()
    else:
        (mini_settings.paths.index_dir / "manifest.json").write_text("{not json")
    with pytest.raises(IndexStateError, match="qa index"):
        load(mini_settings, embedder, rebuild=False)
    with caplog.at_level("WARNING"):
        assistant = load(mini_settings, embedder)
    assert "Building the index" in caplog.text
    assert not assistant.ask("What does the Widget Export Council track?").abstained


def test_other_chunking_settings_trigger_a_rebuild(mini_settings, embedder):
    load(mini_settings, embedder)
    other = mini_settings.model_copy(
        update={"chunking": mini_settings.chunking.model_copy(update={"max_chars": 200})}
    )
    with pytest.raises(IndexStateError, match="chunking settings changed"):
        load(other, embedder, rebuild=False)


def test_crash_mid_build_leaves_the_previous_index_whole(mini_settings, embedder, monkeypatch):
    good = load(mini_settings, embedder)
    answer = good.ask("What does the Widget Export Council track?")
    manifest = build_dir(mini_settings)[1]

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(store, "_save_bm25", explode)
    with pytest.raises(OSError, match="disk full"):
        load(mini_settings, embedder, force_rebuild=True)
    monkeypatch.undo()
    assert build_dir(mini_settings)[1] == manifest
    again = load(mini_settings, embedder, rebuild=False)  # still valid: no rebuild needed
    assert again.ask("What does the Widget Export Council track?").answer == answer.answer


def test_query_embedding_equals_batch_embedding(embedder):
    import numpy as np

    text = "How much does Pakistan export to Afghanistan in 2024?"
    assert np.allclose(embedder.encode_query(text), embedder.encode([text, "another text"])[0], atol=1e-5)


def test_a_package_version_lookup_that_misses_once_is_retried_and_fixed_for_the_process(monkeypatch):
    # a thread changing sys.path made one lookup miss: 'unknown' then went into a manifest
    from importlib import metadata

    from qa.indexing import store

    calls = []

    def flaky(name):
        calls.append(name)
        if len(calls) == 1:
            raise metadata.PackageNotFoundError(name)
        return "9.9"

    store._package_version.cache_clear()
    monkeypatch.setattr(store.importlib_metadata, "version", flaky)
    assert store._package_version("some-model-package") == "9.9"
    assert store._package_version("some-model-package") == "9.9"
    assert len(calls) == 2  # one miss, one hit, then the cached answer
    store._package_version.cache_clear()
