"""Chunking never crosses a section, loses no text, and gives tables chunks of their own."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from qa.indexing.chunking import chunk_document
from qa.parsing import load_document, parse_document
from qa.settings import ChunkingSettings
from tests.conftest import PAPER


def covered(doc, chunks) -> set[int]:
    spans = set()
    for c in chunks:
        if c.kind == "text":
            spans.update(range(c.start, c.end))
    return spans


def assert_chunking_invariants(doc, chunks):
    spans = covered(doc, chunks)
    for section in doc.sections:
        for para in section.paragraphs:
            missing = [i for i in range(para.start, para.end) if i not in spans and not doc.text[i].isspace()]
            assert not missing, (
                f"uncovered text in {section.path}: {doc.text[missing[0] : missing[0] + 40]!r}"
            )
    sections = {s.id: s for s in doc.sections}
    for c in chunks:
        if c.kind == "text":
            assert doc.text[c.start : c.end] == c.text
            section = sections[c.section_id]
            inside = any(
                p.start <= c.start and c.end <= section.paragraphs[-1].end for p in section.paragraphs
            )
            assert inside, f"chunk {c.id} leaves its section"
    assert len({c.id for c in chunks}) == len(chunks)


def test_paper_chunks_cover_the_body_and_stay_in_their_sections():
    doc = load_document(PAPER)
    chunks = chunk_document(doc, ChunkingSettings())
    assert_chunking_invariants(doc, chunks)
    kinds = {c.kind for c in chunks}
    assert kinds == {"text", "table", "table_row", "metadata"}
    assert sum(c.kind == "table" for c in chunks) == 5
    assert sum(c.kind == "table_row" for c in chunks) == 12  # 1 + 1 + 1 + 4 + 5 rows
    table4 = next(c for c in chunks if c.id == "table4.table")
    assert "CASA-1000 Energy Project: Estimated Investment (USD Billion) 1.5" in table4.text


def test_chunk_ids_are_stable():
    doc = load_document(PAPER)
    first = [c.id for c in chunk_document(doc, ChunkingSettings())]
    second = [c.id for c in chunk_document(load_document(PAPER), ChunkingSettings())]
    assert first == second


def test_consecutive_chunks_overlap_by_one_sentence():
    doc = load_document(PAPER)
    chunks = [
        c
        for c in chunk_document(doc, ChunkingSettings(max_chars=300, overlap_sentences=1))
        if c.kind == "text"
    ]
    pairs = [(a, b) for a, b in itertools.pairwise(chunks) if a.section_id == b.section_id]
    assert pairs
    for a, b in pairs:
        # a window of one long sentence cannot share it (the next window would repeat it whole)
        expected = a.sentence_ids[-1] if len(a.sentence_ids) > 1 else None
        assert b.sentence_ids[0] == expected or (expected is None and b.sentence_ids[0] != a.sentence_ids[0])


words = st.text(alphabet="abcdefgh ", min_size=1, max_size=40).map(lambda s: s.strip() or "word")
sentence = st.tuples(words, st.sampled_from([".", "!", "?"])).map(lambda t: t[0].capitalize() + t[1])
paragraph = st.lists(sentence, min_size=1, max_size=6).map(" ".join)
section = st.tuples(st.sampled_from(["##", "###"]), words, st.lists(paragraph, min_size=0, max_size=4))


@settings(max_examples=60, deadline=None)
@given(st.lists(section, min_size=1, max_size=6), st.integers(100, 800), st.integers(0, 2))
def test_chunks_cover_every_character_of_any_body(sections, max_chars, overlap):
    text = "\n\n".join(f"{h} {title.title()}\n\n" + "\n\n".join(paras) for h, title, paras in sections) + "\n"
    doc = parse_document(text)
    chunks = chunk_document(doc, ChunkingSettings(max_chars=max_chars, overlap_sentences=overlap))
    assert_chunking_invariants(doc, chunks)
