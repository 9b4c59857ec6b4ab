"""The vector stores (qa/indexing/vectors): one suite, run on the FAISS and the Qdrant engine.

No model: random unit vectors with a fixed seed, clustered ones for the approximate index, and a few
hand-made vectors whose nearest neighbours are known.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from qa.errors import IndexStateError, QAError
from qa.indexing.vectors import Hit, VectorStore, open_store, recall_at_k
from qa.settings import Settings, VectorStoreSettings

DIM = 16


def unit(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def random_unit(n: int, seed: int, dim: int = DIM) -> np.ndarray:
    return unit(np.random.default_rng(seed).normal(size=(n, dim)))


def clustered_unit(n: int, seed: int, dim: int = 32, clusters: int = 40) -> np.ndarray:
    """Unit vectors around ``clusters`` centres: closer to text embeddings than uniform noise."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dim))
    return unit(centres[rng.integers(0, clusters, size=n)] + 0.35 * rng.normal(size=(n, dim)))


def brute_force(store_data: dict[str, np.ndarray], query: np.ndarray, k: int) -> list[tuple[str, int]]:
    """Textbook exact search: every (paper, row) scored, best first, ties by paper then row."""
    scored = [
        (-float(np.dot(vector, query)), paper, row)
        for paper, vectors in store_data.items()
        for row, vector in enumerate(vectors)
    ]
    return [(paper, row) for _, paper, row in sorted(scored)[:k]]


@pytest.fixture(params=["faiss", "qdrant"])
def engine(request) -> str:
    return request.param


@pytest.fixture
def make_store(engine, tmp_path):
    opened: list[VectorStore] = []

    def make(folder=None, dimension: int = DIM, **settings) -> VectorStore:
        store = open_store(
            folder or tmp_path / "store", dimension, VectorStoreSettings(engine=engine, **settings)
        )
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


def hand_made() -> dict[str, np.ndarray]:
    eye = np.eye(DIM, dtype=np.float32)
    return {
        "alpha": unit(np.stack([eye[0], eye[1], eye[0] + 0.2 * eye[2]])),
        "beta": unit(np.stack([eye[2], eye[0] + 0.5 * eye[1]])),
    }


def test_store_satisfies_the_protocol(make_store):
    assert isinstance(make_store(), VectorStore)


def test_search_returns_nearest_first_with_paper_and_row(make_store):
    store = make_store()
    for paper, vectors in hand_made().items():
        store.add(paper, vectors)
    hits = store.search(np.eye(DIM, dtype=np.float32)[0], 3)
    assert [(hit.paper, hit.row) for hit in hits] == [("alpha", 0), ("alpha", 2), ("beta", 1)]
    assert hits[0].score == pytest.approx(1.0, abs=1e-5)
    assert all(a.score >= b.score for a, b in itertools.pairwise(hits))


def test_search_matches_brute_force_on_random_vectors(make_store):
    store = make_store()
    data = {f"p{i}": random_unit(20 + i, seed=i) for i in range(6)}
    for paper, vectors in data.items():
        store.add(paper, vectors)
    store.persist()
    for query in random_unit(5, seed=99):
        assert [(h.paper, h.row) for h in store.search(query, 10)] == brute_force(data, query, 10)


def test_len_of_hits_is_min_of_k_and_size(make_store):
    store = make_store()
    store.add("only", random_unit(4, seed=1))
    assert len(store.search(random_unit(1, seed=2)[0], 10)) == 4
    assert len(store.search(random_unit(1, seed=2)[0], 2)) == 2
    assert store.search(random_unit(1, seed=2)[0], 0) == []


def test_ties_are_broken_by_paper_then_row(make_store):
    store = make_store()
    same = unit(np.ones((3, DIM)))
    store.add("b", same)
    store.add("a", same)
    hits = store.search(same[0], 4)
    assert [(h.paper, h.row) for h in hits] == [("a", 0), ("a", 1), ("a", 2), ("b", 0)]


def test_adding_a_paper_again_replaces_its_vectors(make_store):
    store = make_store()
    store.add("p", random_unit(10, seed=1), version="v1")
    store.persist()
    replacement = random_unit(3, seed=2)
    store.add("p", replacement, version="v2")
    assert store.count("p") == 3
    assert store.count() == 3
    assert store.versions() == {"p": "v2"}
    hits = store.search(replacement[2], 10)
    assert len(hits) == 3 and (hits[0].paper, hits[0].row) == ("p", 2)
    store.persist()
    assert store.count() == 3 and len(store.search(replacement[2], 10)) == 3


def test_delete_removes_a_paper_and_is_a_no_op_when_absent(make_store):
    store = make_store()
    data = {"keep": random_unit(5, seed=1), "drop": random_unit(5, seed=2)}
    for paper, vectors in data.items():
        store.add(paper, vectors, version=paper)
    store.persist()
    store.delete("drop")
    store.delete("never-added")
    assert store.versions() == {"keep": "keep"}
    assert store.count() == 5 and store.count("drop") == 0
    assert {hit.paper for hit in store.search(data["drop"][0], 10)} == {"keep"}
    store.persist()
    assert {hit.paper for hit in store.search(data["drop"][0], 10)} == {"keep"}
    assert store.search(data["drop"][0], 10, papers=["drop"]) == []


def test_paper_filter_one_and_several_papers(make_store):
    store = make_store()
    data = {f"p{i}": random_unit(15, seed=10 + i) for i in range(5)}
    for paper, vectors in data.items():
        store.add(paper, vectors)
    store.persist()
    query = random_unit(1, seed=77)[0]
    one = store.search(query, 5, papers=["p3"])
    assert [(h.paper, h.row) for h in one] == brute_force({"p3": data["p3"]}, query, 5)
    several = store.search(query, 8, papers={"p1", "p4", "unknown"})
    assert [(h.paper, h.row) for h in several] == brute_force({p: data[p] for p in ("p1", "p4")}, query, 8)
    assert store.search(query, 5, papers="p2") == store.search(query, 5, papers=["p2"])
    every = store.search(query, 7, papers=[*data, "unknown"])
    assert [(h.paper, h.row) for h in every] == brute_force(data, query, 7)
    assert store.search(query, 5, papers=[]) == []


def test_search_many_equals_search_one_by_one(make_store):
    store = make_store()
    for i in range(4):
        store.add(f"p{i}", random_unit(12, seed=i))
    queries = random_unit(6, seed=50)
    for papers in (None, ["p1"]):
        batch = store.search_many(queries, 5, papers=papers)
        single = [store.search(q, 5, papers=papers) for q in queries]
        assert [[(h.paper, h.row) for h in hits] for hits in batch] == [
            [(h.paper, h.row) for h in hits] for hits in single
        ]
        # a batched matrix product may round the last float32 bit differently
        assert [h.score for hits in batch for h in hits] == pytest.approx(
            [h.score for hits in single for h in hits], abs=1e-6
        )


def test_persist_and_reopen_answer_the_same(make_store, tmp_path):
    store = make_store()
    for i in range(5):
        store.add(f"p{i}", random_unit(30, seed=i), version=f"sha{i}")
    store.persist()
    queries = random_unit(8, seed=123)
    before = store.search_many(queries, 10)
    within = store.search_many(queries, 10, papers=["p2", "p4"])
    store.close()
    again = make_store()
    assert again.versions() == {f"p{i}": f"sha{i}" for i in range(5)}
    assert again.count() == 150 and again.count("p3") == 30
    for old, new in zip(
        before + within,
        again.search_many(queries, 10) + again.search_many(queries, 10, papers=["p2", "p4"]),
        strict=True,
    ):
        assert [(h.paper, h.row) for h in old] == [(h.paper, h.row) for h in new]
        assert [h.score for h in old] == pytest.approx([h.score for h in new], abs=1e-5)


def test_versions_not_persisted_are_not_durable(make_store, engine):
    store = make_store()
    store.add("p", random_unit(3, seed=1), version="v1")
    store.persist()
    store.add("q", random_unit(3, seed=2), version="v1")
    store.delete("p")
    store.close()
    again = make_store()
    # FAISS changes nothing on disk before persist; Qdrant had begun deleting p, so it drops p whole
    assert again.versions() == ({"p": "v1"} if engine == "faiss" else {})
    assert again.count() == sum(again.count(paper) for paper in again.versions())
    assert {hit.paper for hit in again.search(random_unit(1, seed=3)[0], 10)} <= set(again.versions())


def test_a_crash_while_qdrant_writes_a_paper_leaves_no_half_paper(tmp_path, monkeypatch):
    from qa.indexing.vectors import qdrant_store

    monkeypatch.setattr(qdrant_store, "UPSERT_BATCH", 4)
    settings = VectorStoreSettings(engine="qdrant")
    store = open_store(tmp_path / "s", DIM, settings)
    store.add("whole", random_unit(6, seed=1), version="v1")
    store.persist()
    calls = []
    upsert = store._client.upsert

    def crash_on_second_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("killed")
        return upsert(*args, **kwargs)

    monkeypatch.setattr(store._client, "upsert", crash_on_second_batch)
    with pytest.raises(OSError, match="killed"):
        store.add("half", random_unit(10, seed=2), version="v1")
    store.close()
    again = open_store(tmp_path / "s", DIM, settings)
    assert again.versions() == {"whole": "v1"}
    assert again.count() == 6 and again.count("half") == 0
    again.close()


def test_a_paper_without_vectors_is_stored_with_its_version(make_store):
    store = make_store()
    store.add("first", random_unit(4, seed=1))
    store.add("empty", np.zeros((0, DIM), dtype=np.float32), version="v0")
    store.add("last", random_unit(4, seed=2))
    store.persist()
    store.close()
    again = make_store()
    assert again.versions()["empty"] == "v0" and again.count("empty") == 0
    data = {"first": random_unit(4, seed=1), "last": random_unit(4, seed=2)}
    query = random_unit(1, seed=3)[0]
    assert [(h.paper, h.row) for h in again.search(query, 8)] == brute_force(data, query, 8)
    assert again.search(query, 3, papers=["empty"]) == []


def test_empty_store(make_store):
    store = make_store()
    assert store.search(random_unit(1, seed=1)[0], 5) == []
    assert store.search_many(random_unit(3, seed=1), 5) == [[], [], []]
    assert store.search(random_unit(1, seed=1)[0], 5, papers=["x"]) == []
    assert store.count() == 0 and store.versions() == {}
    store.persist()
    assert store.describe()["vectors"] == 0


def test_describe_names_engine_kind_and_sizes(make_store, engine):
    store = make_store()
    store.add("p", random_unit(7, seed=1))
    store.persist()
    info = store.describe()
    assert info["engine"] == engine
    assert info["vectors"] == 7 and info["papers"] == 1 and info["bytes"] > 0
    assert info["kind"] in {"flat", "hnsw", "qdrant-local", "qdrant-server"}


def test_wrong_dimension_is_a_clear_error(make_store, tmp_path):
    store = make_store()
    with pytest.raises(IndexStateError, match="shape"):
        store.add("p", random_unit(3, seed=1, dim=DIM + 1))
    with pytest.raises(IndexStateError, match="dimension"):
        store.search(random_unit(1, seed=1, dim=DIM + 1)[0], 3)
    store.add("p", random_unit(3, seed=1))
    store.persist()
    store.close()
    with pytest.raises(QAError, match="another embedding model"):
        make_store(dimension=DIM * 2)


def test_vectors_that_are_not_unit_length_are_refused(make_store):
    store = make_store()
    with pytest.raises(IndexStateError, match="unit length"):
        store.add("p", 3 * random_unit(3, seed=1))
    with pytest.raises(IndexStateError, match="NaN"):
        store.add("p", np.full((2, DIM), np.nan, dtype=np.float32))
    assert store.count() == 0


def test_engines_agree_on_the_top_ten(tmp_path):
    data = {f"p{i}": clustered_unit(60, seed=i, dim=DIM) for i in range(20)}
    queries = clustered_unit(40, seed=1000, dim=DIM)
    results = {}
    for engine in ("faiss", "qdrant"):
        store = open_store(tmp_path / engine, DIM, VectorStoreSettings(engine=engine))
        for paper, vectors in data.items():
            store.add(paper, vectors)
        store.persist()
        results[engine] = store.search_many(queries, 10)
        store.close()
    assert recall_at_k(results["qdrant"], results["faiss"], 10) >= 0.98


def test_faiss_switches_to_hnsw_past_the_threshold_and_keeps_recall(tmp_path):
    data = {f"p{i}": clustered_unit(100, seed=i) for i in range(30)}  # 3,000 vectors
    queries = clustered_unit(100, seed=500)
    settings = VectorStoreSettings(approximate_from=2_000)
    store = open_store(tmp_path / "s", 32, settings)
    for paper, vectors in list(data.items())[:15]:
        store.add(paper, vectors)
    store.persist()
    assert store.describe()["kind"] == "flat"
    for paper, vectors in list(data.items())[15:]:
        store.add(paper, vectors)
    store.persist()
    assert store.describe()["kind"] == "hnsw"
    exact = [[Hit(paper, row, 0.0) for paper, row in brute_force(data, query, 10)] for query in queries]
    assert recall_at_k(store.search_many(queries, 10), exact, 10) >= 0.98
    store.close()
    reopened = open_store(tmp_path / "s", 32, settings)
    assert reopened.describe()["kind"] == "hnsw"
    assert recall_at_k(reopened.search_many(queries, 10), exact, 10) >= 0.98
    # appending keeps the index approximate and complete; deleting below the threshold goes back to flat
    late = clustered_unit(50, seed=999)
    reopened.add("late", late)
    reopened.persist()
    assert reopened.count() == 3_050 and reopened.describe()["kind"] == "hnsw"
    assert [(h.paper, h.row) for h in (hits[0] for hits in reopened.search_many(late, 1))] == [
        ("late", row) for row in range(50)
    ]
    for paper in list(data)[:20]:
        reopened.delete(paper)
    reopened.persist()
    assert reopened.describe()["kind"] == "flat" and reopened.count() == 1_050
    reopened.close()


def test_recall_at_k_counts_overlap():
    exact = [[Hit("a", 0, 1.0), Hit("a", 1, 0.9)], [Hit("b", 0, 1.0), Hit("b", 1, 0.5)]]
    approx = [[Hit("a", 1, 0.9), Hit("a", 0, 1.0)], [Hit("b", 0, 1.0), Hit("c", 3, 0.4)]]
    assert recall_at_k(approx, exact, 2) == pytest.approx(0.75)
    assert recall_at_k(exact, exact) == 1.0


def test_a_crash_during_persist_leaves_the_previous_store_whole(tmp_path, monkeypatch):
    from qa.indexing.vectors import faiss_store

    settings = VectorStoreSettings(approximate_from=50)
    store = open_store(tmp_path / "s", DIM, settings)
    store.add("old", random_unit(40, seed=1), version="v1")
    store.persist()
    query = random_unit(1, seed=5)[0]
    before = store.search(query, 5)
    store.add("new", random_unit(40, seed=2), version="v1")  # crosses 50: the persist builds HNSW

    def crash(index, path):
        with open(path, "wb") as handle:
            handle.write(b"half an index")
        raise OSError("disk full")

    monkeypatch.setattr(faiss_store.faiss, "write_index", crash)
    with pytest.raises(OSError, match="disk full"):
        store.persist()
    monkeypatch.undo()
    reopened = open_store(tmp_path / "s", DIM, settings)
    assert reopened.versions() == {"old": "v1"}
    assert reopened.describe()["kind"] == "flat"
    assert reopened.search(query, 5) == before
    reopened.add("new", random_unit(40, seed=2), version="v1")
    reopened.persist()
    assert reopened.describe()["kind"] == "hnsw"
    assert len([p for p in (tmp_path / "s").iterdir() if p.name.startswith("gen-")]) == 1


def test_a_damaged_store_is_refused_with_a_clear_message(tmp_path):
    store = open_store(tmp_path / "s", DIM, VectorStoreSettings())
    store.add("p", random_unit(5, seed=1))
    store.persist()
    generation = next(p for p in (tmp_path / "s").iterdir() if p.name.startswith("gen-"))
    vectors = generation / "vectors.npy"
    vectors.write_bytes(vectors.read_bytes()[:-64])
    with pytest.raises(IndexStateError, match="rebuild"):
        open_store(tmp_path / "s", DIM, VectorStoreSettings())
    (tmp_path / "s" / "store.json").write_text("{not json")
    with pytest.raises(IndexStateError, match="rebuild"):
        open_store(tmp_path / "s", DIM, VectorStoreSettings())


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError):
        VectorStoreSettings(engine="milvus")


def test_settings_read_the_engine_from_the_environment(monkeypatch):
    monkeypatch.setenv("QA_VECTORS__ENGINE", "qdrant")
    monkeypatch.setenv("QA_VECTORS__APPROXIMATE_FROM", "1234")
    settings = Settings()
    assert settings.vectors.engine == "qdrant" and settings.vectors.approximate_from == 1234


def test_vector_bench_reports_a_row_per_size():
    from qa.evaluation.vector_bench import bench_vectors

    rows = bench_vectors(sizes=(400,), settings=VectorStoreSettings(approximate_from=300))
    (row,) = rows
    assert row["vectors"] == 400 and row["source"] == "synthetic clustered"
    assert row["store_kind"] == "hnsw" and row["recall_at_10"] >= 0.98
    assert row["flat_p50_ms_1t"] > 0 and row["store_open_ms"] >= 0 and row["store_mb"] > 0
