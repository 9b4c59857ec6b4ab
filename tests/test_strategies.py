"""Each answer strategy on a tiny document with fixed vectors (no model, no paper), and the arbiter's rule.

The vectors are a hashed bag of words: texts sharing words point the same way, which is all the
dense part of the scoring needs here.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest

from qa.answering.arbiter import PRECEDENCE, choose, compose_answer
from qa.answering.candidate import Candidate, gather
from qa.answering.context import AnswerContext
from qa.answering.evidence import EvidenceBase
from qa.answering.strategies import abstain, arithmetic, items, listing, sentences, span, table, unit, yesno
from qa.indexing.chunking import chunk_document
from qa.indexing.store import describe_value
from qa.parsing import parse_document
from qa.question import analyse
from qa.retrieval.query import build_vocabulary
from qa.retrieval.tables import TableMatcher
from qa.schema import Passage
from qa.settings import AnswerSettings, ChunkingSettings
from qa.text import tokenize
from tests.conftest import DATA

DIM = 64


def fixed_vector(text: str) -> np.ndarray:
    """A deterministic unit vector per text: the normalised sum of one fixed vector per word stem."""
    total = np.zeros(DIM, dtype=np.float32)
    for token in tokenize(text):
        seed = int(hashlib.sha256(token.encode()).hexdigest()[:8], 16)
        total += np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    norm = float(np.linalg.norm(total))
    return total / norm if norm else total


class Tiny:
    """The mini paper, its evidence and a retriever that ranks chunks by shared words."""

    def __init__(self, text: str | None = None) -> None:
        text = text if text is not None else (DATA / "mini.md").read_text(encoding="utf-8")
        self.doc = parse_document(text, source="mini.md")
        self.vocab = build_vocabulary(self.doc, None)
        self.chunks = chunk_document(self.doc, ChunkingSettings())
        sentence_vectors = np.stack([fixed_vector(s.text) for s in self.doc.sentences])
        value_vectors = np.array(
            [fixed_vector(describe_value(v)) for v in self.doc.table_values], dtype=np.float32
        )
        value_vectors = value_vectors.reshape(len(self.doc.table_values), DIM)
        positions = {s.id: i for i, s in enumerate(self.doc.sentences)}
        chunk_sentences = {c.id: [positions[s] for s in c.sentence_ids] for c in self.chunks}
        self.matcher = TableMatcher(self.doc.table_values, value_vectors, self.vocab)
        evidence = EvidenceBase(self.doc, sentence_vectors, self.vocab)
        self.ctx = AnswerContext(
            self.doc, evidence, self.matcher, self.vocab, chunk_sentences, AnswerSettings()
        )

    def evidence(self, text: str):
        question = analyse(text, self.vocab, fixed_vector(text), outline=self.ctx.outline)
        words = set(tokenize(text))
        ranked = sorted(self.chunks, key=lambda c: -len(words & set(tokenize(f"{c.section} {c.text}"))))
        passages = [
            Passage(
                id=c.id,
                section=c.section,
                text=c.text,
                score=1.0 / (n + 1),
                kind=c.kind,
                start=c.start,
                end=c.end,
            )
            for n, c in enumerate(ranked)
        ]
        matches = self.matcher.match(question.terms, question.vector)
        return gather(self.ctx, question, passages, matches)

    def answer(self, text: str) -> Candidate:
        """The arbiter's answer to ``text`` over every strategy, with its short answer."""
        ev = self.evidence(text)
        return compose_answer(self.ctx, ev.question, ev.passages, ev.matches)


@pytest.fixture(scope="module")
def tiny() -> Tiny:
    return Tiny()


def quotes(candidate: Candidate) -> list[str]:
    return [c.quote for c in candidate.citations]


def test_abstain_is_decisive_for_words_the_paper_never_uses(tiny):
    [candidate] = abstain.propose(tiny.evidence("What does the Gadget Bureau say about Zanzibar?"))
    assert candidate.strategy == "abstain:unknown-words" and candidate.abstained
    assert "Zanzibar" in candidate.answer and candidate.citations == []


def test_abstain_otherwise_offers_only_a_fallback(tiny):
    [candidate] = abstain.propose(tiny.evidence("Why did widget production fall in 2021?"))
    assert candidate.strategy == "abstain" and candidate.related_sections


def test_unit_names_each_column_unit(tiny):
    [candidate] = unit.propose(tiny.evidence("In what unit is widget output measured?"))
    assert "Output: number of widgets" in candidate.answer
    assert unit.propose(tiny.evidence("How many widgets does the North Plant make?")) == []
    assert unit.propose(tiny.evidence("How many units of widgets were produced in 2020?")) == []


def test_listing_quotes_the_section_items(tiny):
    [candidate] = listing.propose(tiny.evidence("What are the recommendations?"))
    assert quotes(candidate) == ["Build more widgets.", "Count them twice."]
    [second] = listing.propose(tiny.evidence("What is the second recommendation?"))
    assert quotes(second) == ["Count them twice."]


def test_table_cell_is_cited_by_row_and_column(tiny):
    candidates = table.propose(tiny.evidence("What is the output of the North Plant?"))
    cells = [c for c in candidates if c.strategy == "table:cells"]
    assert cells and quotes(cells[0]) == ["1,200"]
    assert "North Plant > Output" in cells[0].citations[0].section


def test_table_lists_cells_printed_without_a_figure(tiny):
    candidates = table.propose(tiny.evidence("Which plants have no output figure?"))
    missing = [c for c in candidates if c.strategy == "table:missing"]
    assert missing and quotes(missing[0]) == ["N/A"]


def test_arithmetic_is_computed_on_cited_cells(tiny):
    ev = tiny.evidence(
        "What is the difference between the North and South share of exports of the South Plant?"
    )
    [candidate] = arithmetic.propose(ev)
    [computation] = candidate.computations
    assert computation.operation == "difference" and computation.result == 5
    assert set(computation.operands) <= {c.id for c in candidate.citations}


def test_sentences_quote_the_closest_sentence(tiny):
    [candidate] = sentences.propose(tiny.evidence("Why did widget production fall in 2021?"))
    assert quotes(candidate)[0] == "It fell to 90 units in 2021 because of supply problems."


def test_span_takes_the_value_from_the_chosen_sentence(tiny):
    ev = tiny.evidence("How many units of widgets were produced in 2020?")
    [candidate] = sentences.propose(ev)
    assert span.propose(ev, candidate)[0] == "120"


def test_yesno_reads_the_evidence(tiny):
    ev = tiny.evidence("Do they count widgets by hand?")
    [candidate] = sentences.propose(ev)
    assert yesno.propose(ev, candidate) == ["Yes"]
    assert yesno.propose(tiny.evidence("How many widgets are counted?"), candidate) == []


def test_items_finds_the_sentence_listing_the_asked_number_of_items():
    tiny = Tiny(
        "## Background\n\nThe study draws on three theories. Its lens combines realism and "
        "constructivism together with liberalism. Sources include reports, interviews and surveys.\n"
    )
    [candidate] = items.propose(tiny.evidence("Which three theories does the study draw on?"))
    assert candidate.short_answer == "realism and constructivism together with liberalism"
    assert quotes(candidate) == ["Its lens combines realism and constructivism together with liberalism."]
    assert items.propose(tiny.evidence("Which theories does the study draw on?")) == []


def test_yesno_about_the_paper_is_no_when_the_paper_never_says_so(tiny):
    [candidate] = yesno.propose_absent(tiny.evidence("Do they count gadgets with robots?"))
    assert candidate.strategy == "yesno:unknown-words" and candidate.short_answer == "No"
    assert "never" in candidate.answer and candidate.citations == []
    question = "Does the paper count widgets?"
    text = question
    chosen = compose_answer(tiny.ctx, analyse(text, tiny.vocab, fixed_vector(text)), *_retrieved(tiny, text))
    assert chosen.strategy == "sentences" and chosen.short_answer == "Yes"
    # a yes/no question about the world is not answered from silence
    assert yesno.propose_absent(tiny.evidence("Is the moon made of widgets?")) == []
    world = "Is the moon made of widgets?"
    assert compose_answer(
        tiny.ctx, analyse(world, tiny.vocab, fixed_vector(world)), *_retrieved(tiny, world)
    ).abstained


def _retrieved(tiny: Tiny, text: str):
    ev = tiny.evidence(text)
    return ev.passages, ev.matches


def test_the_arbiter_rule_is_precedence_then_score():
    def make(strategy: str, score: float) -> Candidate:
        return Candidate(strategy=strategy, answer=strategy, score=score)

    assert choose([make("sentences", 0.9), make("table:cells", 0.1)]).strategy == "table:cells"
    assert choose([make("sentences", 0.4), make("sentences", 0.8)]).score == 0.8
    assert choose([make("abstain", 0.0), make("sentences", 0.1)]).strategy == "sentences"
    assert choose([make("abstain:unknown-words", 0.0), make("unit", 1.0)]).abstained is False
    assert PRECEDENCE[0] == "abstain:unknown-words" and PRECEDENCE[-1] == "abstain"


def test_every_strategy_name_has_a_place_in_the_rule(tiny):
    names = set()
    for text in (
        "In what unit is widget output measured?",
        "What are the recommendations?",
        "What is the output of the North Plant?",
        "Which plants have no output figure?",
        "Why did widget production fall in 2021?",
        "What is the difference between the North and South share of exports of the South Plant?",
        "What does the Gadget Bureau say about Zanzibar?",
    ):
        ev = tiny.evidence(text)
        for strategy in (abstain, unit, listing, table, arithmetic, sentences):
            names |= {c.strategy for c in strategy.propose(ev)}
    assert names <= set(PRECEDENCE)


def test_compose_answer_end_to_end_on_fixed_vectors(tiny):
    text = "How many units of widgets were produced in 2020?"
    question = analyse(text, tiny.vocab, fixed_vector(text))
    ev = tiny.evidence(text)
    chosen = compose_answer(tiny.ctx, question, ev.passages, ev.matches)
    assert chosen.strategy == "sentences" and chosen.short_answer == "120"
    assert re.search(r"\[1\]", chosen.answer) and chosen.features["sentence_score"] > 0


def test_a_count_in_words_beats_a_caption_whose_only_number_is_its_label():
    survey = Tiny((DATA / "gadgets.md").read_text(encoding="utf-8"))
    chosen = survey.answer("How many regions were surveyed?")
    assert quotes(chosen) == ["Only two regions were surveyed."] and chosen.short_answer == "two"


TRIAL = """## Results

We gave 2,000 IU of the drug to the treated group; at least one infection was seen less often
(hazard ratio 0.76). In the treated group, 104 participants had at least one infection.
The point estimate for infections was a fall of 0.8 percent, with a 95 percent interval.
The share of infections reached 81.4 percent in 2022, the highest value in the series.

Table 1: Outcomes (number of participants)

| Outcome | Treated (n=306) | Hazard ratio (95% CI) |
| --- | --- | --- |
| At least one infection | 98 | 0.76 (0.59–0.98) |

Table 2: Yearly figures (%)

| Year | Share of infections |
| --- | --- |
| 2022 | 80.3 |
"""


def test_conflicts_keep_only_figures_for_the_same_measure():
    trial = Tiny(TRIAL)
    cells = {(v.table, v.row): v for v in trial.doc.table_values if v.column.startswith(("Treated", "Share"))}
    found = lambda cell: sorted(m.mention.text for m in trial.ctx.conflicts.find(cell))  # noqa: E731
    # the dose ('2,000 IU') and the hazard ratio (its own column) are not counts of participants
    assert found(cells[("Table 1", "At least one infection")]) == ["104"]
    # 'percent' is how a figure is written, not a synonym naming the share; 'in 2022,' is a year
    assert found(cells[("Table 2", "2022")]) == ["81.4 percent"]


PROJECTS = """## Results

Table 1: Projects (USD billion)

| Project | Cost | Benefit |
| --- | --- | --- |
| North Line | 4 | 9 |
| South Line | 6 | 7 |
"""


@pytest.mark.parametrize(
    ("asked", "winner"),
    [
        ("Which project costs more, the North Line or the South Line?", "South Line"),
        ("Which project costs less, the North Line or the South Line?", "North Line"),
        ("How much more does the South Line cost than the North Line?", "2 USD billion"),
    ],
)
def test_a_choice_between_named_rows_is_compared_and_answered_by_name(asked, winner):
    chosen = Tiny(PROJECTS).answer(asked)
    assert chosen.strategy == "arithmetic" and chosen.computations
    assert chosen.short_answer == winner


WAGES = """## Results

Table 1: Wages by year (KES per month)

| Year | Minimum wage | Formal jobs |
| --- | --- | --- |
| 2021 | 13,572 | 812 |
| 2022 | 15,201 | 826 |
"""


@pytest.mark.parametrize(
    "asked",
    [
        "By how much did the minimum wage rise between 2021 and 2022?",
        "What is the difference in the minimum wage between 2021 and 2022?",
    ],
)
def test_a_difference_between_two_years_subtracts_their_rows(asked):
    chosen = Tiny(WAGES).answer(asked)
    assert chosen.strategy == "arithmetic" and [c.operation for c in chosen.computations] == ["difference"]
    assert chosen.computations[0].result == 1629


@pytest.mark.parametrize(
    ("asked", "row"),
    [
        ("Which project has the highest benefit?", "North Line"),
        ("Which project has the lowest cost?", "North Line"),
        ("Which project has the largest cost?", "South Line"),
    ],
)
def test_the_highest_or_lowest_of_a_named_column_is_found_in_code(asked, row):
    chosen = Tiny(PROJECTS).answer(asked)
    assert chosen.strategy == "arithmetic" and chosen.short_answer == row
    assert len(chosen.computations[0].operands) == 2  # every row of the column is weighed and cited


def test_a_count_of_something_else_does_not_answer_how_many():
    survey = Tiny(
        "## Data\n\nThe survey sample covers 3,240 households in the city. Women run most small firms.\n"
    )
    for asked, answered in (
        ("How many households does the sample cover?", True),
        ("How many women were in the survey sample?", False),  # households are not women
    ):
        assert survey.answer(asked).abstained is not answered, asked


def test_an_amount_of_money_does_not_answer_how_many():
    """The closer sentence gives only a cost: a count question is answered by the count."""
    dating = Tiny(
        "## Samples\n\nRadiocarbon dating of the samples cost £23,760. Twenty-seven samples were submitted.\n"
    )
    chosen = dating.answer("How many samples were submitted for radiocarbon dating?")
    assert chosen.short_answer == "Twenty-seven"
    assert dating.answer("How much did radiocarbon dating of the samples cost?").short_answer == "23,760"


def test_a_list_question_takes_the_bullets_after_a_lead_in_colon():
    field = Tiny(
        "## Methods\n\nFieldwork began in June. We focused on three plant species:\n\n"
        "- Campanula alpina (bellflower)\n- Geum montanum\n- Ranunculus montanus\n\nThe plots were small.\n"
    )
    chosen = field.answer("Which three plant species did the study focus on?")
    assert chosen.strategy == "items"
    assert chosen.short_answer == "Campanula alpina (bellflower), Geum montanum and Ranunculus montanus"
    assert len(chosen.citations) == 4  # the lead-in and each item


def test_a_bold_run_in_heading_heads_its_paragraph():
    from qa.answering.evidence import run_in_heading
    from qa.schema import Paragraph, Section

    text = "**Participants.** We invited residents. Of 1,046 screened, 612 were randomised."
    section = Section(
        id="s1",
        title="Methods",
        level=1,
        path="Methods",
        paragraphs=[Paragraph(text=text, start=100, end=100 + len(text))],
    )
    assert "particip" in run_in_heading(section, 140)  # a later sentence of the paragraph
    assert run_in_heading(section, 10) == set()  # outside the paragraph
    plain = Section(
        id="s2",
        title="Methods",
        level=1,
        path="Methods",
        paragraphs=[Paragraph(text="We invited.", start=0, end=11)],
    )
    assert run_in_heading(plain, 3) == set()


STACKS = """## Results

Table 1: Performance of each stack (ms)

| Stack | Handshake time | Throughput |
| --- | --- | --- |
| alphaquic | 86 | 47.2 |
| betaquic | 88 | 45.3 |

The alphaquic stack completed its handshake in 79 ms, the shortest handshake time of all stacks.
"""


def test_a_sentence_figure_a_table_contradicts_shows_both_figures():
    # the question is answered from the sentence (it covers 'complete'); the table says 86, not 79
    chosen = Tiny(STACKS).answer("How long did alphaquic take to complete its handshake?")
    assert chosen.strategy == "sentences"
    assert chosen.conflicts
    figures = {v.value.replace(" ms", "") for v in chosen.conflicts[0].values}
    assert figures == {"86", "79"}
    assert "79" in chosen.short_answer and "86" in chosen.short_answer
    assert "different figures" in chosen.answer
    assert any(c.kind == "table_cell" for c in chosen.citations)


CAPSULES = """## Methods

Participants took one capsule each morning containing 2,000 IU of vitamin D3 or a placebo.
The low-cost programme enrolled 612 adults.
"""


def test_a_money_question_is_not_answered_by_a_figure_of_something_else():
    chosen = Tiny(CAPSULES).answer("How much did the vitamin D3 capsules cost?")
    assert chosen.abstained, chosen.answer
    priced = Tiny(CAPSULES + "Each vitamin D3 capsule cost $8 to make.\n")
    assert priced.answer("How much did the vitamin D3 capsules cost?").short_answer == "$8"


CAPACITY = """## Results

Table 1: Initial capacity by electrolyte (mAh/g)

| Electrolyte | Initial capacity |
| --- | --- |
| Baseline | 291 |
| FEC | 296 |
| Diglyme | 274 |
"""


def test_a_yes_no_superlative_is_decided_on_the_whole_column():
    tiny = Tiny(CAPACITY)
    no = tiny.answer("Did the Diglyme electrolyte give the highest initial capacity?")
    assert no.short_answer == "No" and no.computations and "FEC" in no.computations[0].expression
    assert tiny.answer("Did the FEC electrolyte give the highest initial capacity?").short_answer == "Yes"
    assert tiny.answer("Did the Diglyme electrolyte give the lowest initial capacity?").short_answer == "Yes"


def test_a_condition_the_paper_never_states_is_a_decisive_abstention():
    tiny = Tiny("## Results\n\nThe cells retained 87.1% of their capacity after 500 cycles.\n")
    chosen = tiny.answer("What was the capacity retention after 1,000 cycles?")
    assert chosen.strategy == "abstain:unknown-words" and "'1,000 cycles'" in chosen.answer
    assert not tiny.answer("What was the capacity retention after 500 cycles?").abstained


AGES = """# Lowland Frisian Use by Age

## Results

Table 1: Use and attitudes by age group

| Age group (years) | Respondents (n) | Daily use (%) | Positive attitude (%) |
|---|---|---|---|
| 18–29 | 356 | 6.8 | 71.3 |
| 30–49 | 441 | 14.9 | 66.2 |
| 50–69 | 512 | 27.5 | 69.8 |
"""


def test_a_column_named_late_in_the_question_is_still_named():
    # 'daily' comes last, after the row and the paper's subject: the order decay ranks siblings named
    # in one question but does not make a field named late unnamed; 'Lowland Frisian' is the title's
    # subject, which every table of the paper is about
    ages = Tiny(AGES)
    answer = ages.answer(
        "What share of surveyed adults aged 50–69 reported speaking Lowland Frisian at home daily?"
    )
    assert answer.strategy == "table:cells"
    assert quotes(answer) == ["27.5"] and answer.short_answer == "27.5%"


def test_a_count_for_each_group_does_not_answer_how_many_in_all():
    trial = Tiny(
        "## Design\n\nThe trial recruited 24 schools in four districts. Within each district, three schools "
        "in the trial were programme schools.\n"
    )
    answer = trial.answer("How many schools were in the trial?")
    assert answer.short_answer == "24"
    assert quotes(answer)[0] == "The trial recruited 24 schools in four districts."


def test_a_question_about_what_is_denied_needs_a_sentence_that_denies_something():
    plant = Tiny("## Methods\n\nWidgets are counted by hand every March in the north plant.\n")
    assert plant.answer("What is not counted by hand every March in the north plant?").abstained
    assert not plant.answer("What is counted by hand every March in the north plant?").abstained
    # 'or not' denies nothing
    assert not plant.answer("Is it widgets or not that are counted by hand every March?").abstained
    denied = Tiny("## Methods\n\nGadgets are not counted by hand every March in the north plant.\n")
    answer = denied.answer("What is not counted by hand every March in the north plant?")
    assert not answer.abstained and "Gadgets" in quotes(answer)[0]


def test_denial_is_read_from_the_question_verb():
    vocab = build_vocabulary(parse_document("## A\n\nModels solve tasks.\n", source="a.md"), None)

    def denies(text: str) -> bool:
        return analyse(text, vocab, np.zeros(4)).denies

    assert denies("Which tasks does the model not improve on?")
    assert denies("What can't be solved by a machine?")
    assert not denies("How do they decide whether a joke is funny or not?")
    assert not denies("Which models use not only words but also characters?")


def test_a_word_negated_by_its_prefix_is_not_answered_by_its_base():
    paper = Tiny("## Methods\n\nIt is possible that every class collapses into one class of problems.\n")
    assert paper.answer("What is impossible for every class of problems?").abstained
    assert not paper.answer("What is possible for every class of problems?").abstained
    # 'inform' is a verb, not a negated 'form'; a sentence that denies ('not possible') may answer
    assert [
        w for w, _ in analyse("Which impossible forms inform us?", paper.vocab, np.zeros(4)).prefix_negations
    ] == ["impossible"]
    denied = Tiny("## Methods\n\nIt is not possible that every class collapses into one class of problems.\n")
    assert not denied.answer("What is impossible for every class of problems?").abstained


def test_a_question_about_one_multiword_name_needs_evidence_naming_it():
    paper = Tiny(
        "## Results\n\nThe monitoring system on Kelso Bridge cost EUR 212,000 to install. Repairs at "
        "Marlow Bridge cost EUR 90,000.\n"
    )
    # 'Kelso Bridge' is in the paper but not in the sentence on repairs: Marlow's figure is no answer
    answer = paper.answer("How much did the repairs at Kelso Bridge cost?")
    assert answer.short_answer != "90,000"
    assert paper.answer("How much did the repairs at Marlow Bridge cost?").short_answer == "90,000"


def test_a_close_paraphrase_passes_with_few_shared_words(tiny):
    from qa.answering.candidate import sentence_ok
    from qa.answering.evidence import SentenceScore

    question = tiny.evidence("Who oversaw the widget tallies?").question
    few_words = dict(index=0, score=0.35, coverage=0.32, matched=frozenset({"widget"}))
    # close by embedding: a paraphrase; the answerability model decides on it
    assert sentence_ok(tiny.ctx, SentenceScore(dense=0.65, **few_words), question)
    # not close: the shared words are too few
    assert not sentence_ok(tiny.ctx, SentenceScore(dense=0.4, **few_words), question)
    # close, but sharing almost nothing
    assert not sentence_ok(tiny.ctx, SentenceScore(**(few_words | {"coverage": 0.1}), dense=0.9), question)


FISH = """## Methods

All otolith preparation and increment counts were carried out by Anjali Rao.

## Results

Table 1: Fish aged by species

| Species | Fish aged (n) | Mean age (days) |
| --- | --- | --- |
| Cod | 148 | 104 |
| Whiting | 57 | 98 |
"""


def test_a_who_question_is_not_answered_by_figures():
    # 'aged' and 'fish' name the 'Fish aged (n)' column, but a count is not a person
    fish = Tiny(FISH)
    ev = fish.evidence("Who aged the fish?")
    assert ev.question.answer_type == "person"
    assert not [c for c in table.propose(ev) if c.strategy in ("table:cells", "table:line")]
    assert [c.strategy for c in table.propose(fish.evidence("How many fish were aged for cod?"))] == [
        "table:cells"
    ]


TRIAGE = """## Results

Table 1: Waiting times by triage category

| Triage category | Visits (n) | Median wait (min) | Seen within target (%) |
| --- | --- | --- | --- |
| Category 1 (Resuscitation) | 412 | 0 | 99.5 |
| Category 2 (Emergency) | 6,830 | 9 | 81.7 |
| Category 3 (Urgent) | 21,560 | 26 | 68.9 |
| Category 4 (Semi-urgent) | 26,940 | 34 | 74.3 |
"""


def test_the_extreme_row_of_a_column_named_late_in_the_question():
    # the order decay ranks siblings; it does not make a column named after the row's words less named
    chosen = Tiny(TRIAGE).answer(
        "Which triage category had the lowest share of patients seen within the target time?"
    )
    assert chosen.strategy == "arithmetic"
    assert chosen.short_answer == "Category 3 (Urgent)"


WELDS = """## Results

Table 1: Stress ranges and fatigue crack growth by welded detail type

| Detail type | Stress range, 99th percentile (MPa) | Cycles above 15 MPa per day |
| --- | --- | --- |
| Cover plate end | 42.6 | 1,340 |
| Transverse stiffener weld | 28.3 | 610 |
| Bearing stiffener | 18.9 | 150 |
"""


def test_an_extreme_question_is_not_a_comparison_of_two_columns():
    # no column is named outright, so no row is the answer; comparing 610 cycles with 28.3 MPa is none
    ev = Tiny(WELDS).evidence("Which kind of welded detail saw the fewest daily stress cycles over 15 MPa?")
    assert ev.question.intent.extreme == "min"
    for candidate in arithmetic.propose(ev):
        columns = {v.column for v in candidate.table_values}
        assert len(columns) == 1, candidate.answer


def test_items_takes_the_list_a_sentence_announces_before_a_colon():
    fish = Tiny(
        "## Methods\n\nSite positions were fixed for the duration of the survey, whatever the habitat. "
        "First, we compared the density of juvenile fishes among three habitat types: eelgrass meadows, "
        "kelp-forest margins and unvegetated sand. It examined three outcomes: door-to-provider time, ED "
        "length of stay, and the rate of patients who left without being seen.\n"
    )
    [candidate] = items.propose(fish.evidence("which habitats were compared in the survey"))
    assert candidate.short_answer == "eelgrass meadows, kelp-forest margins and unvegetated sand"
    # a list that ends its sentence keeps its last item whole
    [candidate] = items.propose(fish.evidence("Which outcomes did the researchers look at?"))
    assert candidate.short_answer.endswith("and the rate of patients who left without being seen")
    # no colon naming what is asked: no items answer
    assert items.propose(fish.evidence("Which fishes were counted?")) == []


def test_an_enumeration_after_such_as_or_including_is_announced_too():
    from qa.answering.strategies.items import enumeration

    stems = set(tokenize("Which benchmarks do they evaluate on?"))
    sentence = "We evaluate on several benchmarks, including SQuAD, NewsQA and TriviaQA."
    assert enumeration(sentence, stems) == "SQuAD, NewsQA and TriviaQA"
    assert enumeration("Benchmarks such as SQuAD and NewsQA are common.", stems) == "SQuAD and NewsQA"
    assert enumeration("We use SQuAD, NewsQA and TriviaQA.", stems) is None  # nothing announces them


def test_the_announced_list_must_be_of_the_thing_asked_for():
    from qa.answering.strategies.items import asked_nouns

    assert asked_nouns("What kinds of material were radiocarbon dated?") == {"materi"}
    assert asked_nouns("Which evaluation metrics are used?") == {"evalu", "metric"}
    assert asked_nouns("What are the baselines?") == {"baselin"}
    theory = Tiny(
        "## Background\n\nTwo questions guide the theory of hierarchies: proving upper bounds, lower bounds "
        "and gaps. The time and space hierarchy theorems answer such questions.\n"
    )
    # 'questions' is a word of the question but not what it asks for (theorems): no list answers it
    assert items.propose(theory.evidence("What theorems answer questions of time and space?")) == []


def test_a_yes_no_question_about_the_world_the_paper_half_ignores_abstains():
    # the paper never mentions women or men, so whether one group counts more than the other cannot be
    # read from a sentence about counting by hand
    tiny = Tiny("## Methods\n\nThe staff count widgets by hand every morning. Gadgets are weighed at noon.\n")
    asked = "Do women count widgets more than men?"  # half its weighted words unknown: under 0.6
    chosen = compose_answer(
        tiny.ctx, analyse(asked, tiny.vocab, fixed_vector(asked)), *_retrieved(tiny, asked)
    )
    assert chosen.abstained and chosen.strategy == "abstain:unknown-words" and chosen.short_answer is None
    assert "'women'" in chosen.answer and "'men'" in chosen.answer
    asked = "Do the staff count widgets by hand?"  # every word known: answered from the sentence
    chosen = compose_answer(
        tiny.ctx, analyse(asked, tiny.vocab, fixed_vector(asked)), *_retrieved(tiny, asked)
    )
    assert chosen.short_answer == "Yes"
