"""Short answers: expected answer types, span extraction (pure), and the short answer of real answers."""

from __future__ import annotations

import re

import numpy as np
import pytest

from qa.answering.context import with_unit
from qa.answering.spans import best_span, date_spans, kind_span, list_items, list_spans, name_spans
from qa.answering.strategies.yesno import yes_or_no
from qa.evaluation.gold import load_gold
from qa.question import analyse
from qa.question.intent import answer_type, counted_noun, detect_intent, expected_count
from qa.retrieval.query import Vocabulary
from qa.text import find_numbers, stem, tokenize
from tests.conftest import GOLD


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Do they use BERT?", "yesno"),
        ("Is the corpus public?", "yesno"),
        ("Is the model trained on news or tweets?", "span"),
        ("When was the Duchy of Normandy founded?", "date"),
        ("In what year did the treaty end?", "date"),
        ("Who was the Norse leader?", "person"),
        ("In what country is Normandy located?", "place"),
        ("How many security incidents were there in 2020?", "number"),
        ("What percentage of respondents agree?", "number"),
        ("Which three theories does the paper use?", "list"),
        ("What is the main contribution?", "span"),
        # 'was', 'has', 'analysis' end in s without being plurals
        ("Which county was used as the comparison area?", "place"),
        ("Which analysis was used?", "span"),
        ("Which datasets were used?", "list"),
        ("Which three cities were the traces recorded in?", "list"),  # three places: a list
        ("Which author writes about the two neighbours?", "person"),
        ("Which doctor oversaw the blood tests?", "person"),
        ("What engineer designed the sensors?", "person"),
        # 'how fast', 'how deep', 'how old', ...: a measure, answered by a figure with its unit
        ("How fast did juvenile cod grow per day?", "number"),
        ("How deep was the deepest trench?", "number"),
        ("how old were the pupils?", "number"),
        # the measure noun heading a longer phrase
        ("What was the overall left-without-being-seen rate before the new model?", "number"),
        ("What is the error rate of the tagger?", "number"),
        ("What is the learning rate schedule?", "span"),
    ],
)
def test_answer_type(question, kind):
    assert answer_type(question) == kind


def test_expected_count():
    assert expected_count("Which three theories does the paper use?") == 3
    assert expected_count("Name 2 datasets they evaluate on") == 2
    assert expected_count("How many theories are there?") is None
    assert expected_count("What is the main contribution?") is None


@pytest.mark.parametrize(
    ("sentence", "date"),
    [
        ("The duchy was founded in 911 by treaty.", "911"),
        ("The battle took place in 1066 AD near the coast.", "1066 AD"),
        ("Growth was fastest in the 1990s overall.", "1990s"),
        ("It spread during the 10th century across the region.", "10th century"),
        ("The report appeared on March 15, 2025 in print.", "March 15, 2025"),
        ("The Taliban returned to power in August 2021.", "August 2021"),
    ],
)
def test_dates_of_any_form(sentence, date):
    assert date in [s.text for s in date_spans(sentence)]


def test_a_plain_count_is_not_a_date():
    assert [s.text for s in date_spans("They trained 300 models on 12 tasks.")] == []


def _span(sentence: str, kind: str, question: str, **kw):
    span = best_span(sentence, kind, question, set(tokenize(question)), **kw)
    return span.text if span else None


def test_a_capitalised_first_word_that_is_an_ordinary_word_is_no_name():
    sentence = "Otolith-based estimates for the species aged from otoliths are in the appendix."
    assert _span(sentence, "person", "Who aged the fish from their otoliths?") is None
    assert _span("Rao read each otolith twice.", "person", "Who read the otoliths?") == "Rao"
    # a compound with a lower-case part is an adjective even when its root does not recur
    assert _span("Otolith-based estimates are in the appendix.", "person", "Who aged the fish?") is None
    assert _span("Ferreira-Lund skippered the boat.", "person", "Who skippered the boat?") == "Ferreira-Lund"


def test_person_place_and_list_spans():
    assert (
        _span(
            "The Norse, led by their leader Rollo, agreed to swear fealty to King Charles III.",
            "person",
            "Who was the Norse leader?",
        )
        == "Rollo"
    )
    assert (
        _span(
            "The Normans gave their name to Normandy, a region in France.",
            "place",
            "In what country is Normandy located?",
        )
        == "France"
    )
    sentence = "They came from Denmark, Iceland and Norway under their leader."
    assert _span(sentence, "list", "Which three countries did they come from?", count=3) == (
        "Denmark, Iceland and Norway"
    )
    assert list_items("Denmark, Iceland and Norway") == ["Denmark", "Iceland", "Norway"]
    assert [s.text for s in list_spans("This study uses realism, liberalism and constructivism here.")] == [
        "realism, liberalism and constructivism"
    ]


def test_a_name_the_question_already_says_is_not_the_answer():
    names = [s.text for s in name_spans("Rollo met King Charles in Normandy.")]
    assert "Rollo" in names
    assert _span("Rollo met King Charles in Normandy.", "person", "Whom did Rollo meet?") == "King Charles"


def test_a_label_of_a_table_or_figure_is_no_name():
    """'Table 2' labels a part of the paper: it answers no 'who' question; a name beside it still does."""
    sentence = "The estimates of the age of each species are given in Table 2."
    assert [s.text for s in name_spans(sentence)] == []
    assert _span(sentence, "person", "Who aged the fish?") is None
    assert [s.text for s in name_spans("Table 2 and Fig. 3 were drawn by Anjali Rao.")] == ["Anjali Rao"]
    assert [s.text for s in name_spans("They met at Table Mountain.")] == ["Table Mountain"]


def test_a_connective_opening_a_sentence_is_no_name():
    assert [s.text for s in name_spans("Second, we used otolith microstructure to age the fish.")] == []
    assert [s.text for s in name_spans("However, Rollo stayed in Normandy.")] == ["Rollo", "Normandy"]


def test_a_word_the_paper_writes_in_lower_case_is_no_name_for_opening_a_caption():
    caption = "Table 2: Length, age and growth of the fish caught."
    assert [s.text for s in name_spans(caption)] == ["Length"]  # capitalised, never lower case here
    assert [s.text for s in name_spans(caption, frozenset({"length", "age"}))] == []
    # a name that opens a sentence stays one: the paper never writes it in lower case
    assert [s.text for s in name_spans("Rollo, a Viking, took Rouen.", frozenset({"length"}))] == [
        "Rollo",
        "Viking",
        "Rouen",
    ]


def test_numbers_pick_the_asked_year_of_a_change_statement():
    sentence = "Incidents soared between 2020 and 2021 when numbers increased to 370 from 270 (SATP, 2023)."
    assert _span(sentence, "number", "How many incidents in 2020?", years=[2020]) == "270"
    assert _span(sentence, "number", "How many incidents in 2021?", years=[2021]) == "370"


def test_a_count_is_no_amount_of_money():
    sentence = "Dating the samples cost £23,760."
    assert _span(sentence, "number", "How many samples were dated?", percent=False) is None
    assert _span(sentence, "number", "How much did dating cost?", money=True) == "23,760"
    assert (
        _span(sentence.replace("cost", "took 27 days and"), "number", "How many days?", percent=False) == "27"
    )


def test_numbers_respect_percent_or_count():
    sentence = "Of 1,200 people asked, 60% agreed."
    assert _span(sentence, "number", "What percentage agreed?", percent=True) == "60%"
    assert _span(sentence, "number", "How many people were asked?", percent=False) == "1,200"


def test_a_count_written_as_a_word_answers_when_no_figure_does():
    assert _span("Only two regions were surveyed.", "number", "How many regions?", percent=False) == "two"
    assert _span("It lasted twenty-one days.", "number", "How many days?", percent=False) == "twenty-one"
    # a figure wins over a word, and 'one' is a pronoun more often than a count
    assert _span("Two teams counted 40 birds.", "number", "How many birds?", percent=False) == "40"
    assert _span("No one was asked.", "number", "How many were asked?", percent=False) is None


def test_the_figure_comes_from_the_clause_that_names_what_is_asked():
    sentence = "Twenty-nine participants in the treated group and thirty-four in the placebo group withdrew."
    asked = "How many participants in the placebo group withdrew?"
    assert _span(sentence, "number", asked, percent=False) == "thirty-four"
    sentence = "The treated group lost 29 participants, while the placebo group lost 34."
    assert _span(sentence, "number", "How many did the treated group lose?", percent=False) == "29"


def test_a_count_is_a_whole_number():
    sentence = "The mean age of the 612 participants was 72.4 years."
    assert _span(sentence, "number", "How many participants were there?", percent=False) == "612"
    assert _span("The mean age was 72.4 years.", "number", "How many took part?", percent=False) is None


def test_a_figure_counting_something_else_is_not_the_count():
    sentence = "Outcomes at 12 months: 104 participants had an infection."
    asked = "How many participants had an infection?"
    assert _span(sentence, "number", asked, percent=False, counted="particip") == "104"
    assert _span("Outcomes at 12 months.", "number", asked, percent=False, counted="particip") is None


def test_the_figure_that_names_the_counted_noun_is_the_count():
    # digits of another thing ('2 x Xeon') do not beat a word count that names what is counted
    sentence = "The testbed consisted of six bare-metal servers (2 x Xeon Gold, 256 GB RAM) on one switch."
    asked = "How many bare-metal servers made up the testbed?"
    assert stem(counted_noun(asked)) == "server"
    assert _span(sentence, "number", asked, percent=False, counted="server") == "six"
    # 'How many points' counts a measure: '17.2 points' answers it, not 'twelve weeks'
    sentence = "Students in programme schools gained 17.2 points over the twelve weeks."
    asked = "How many points did students gain?"
    assert _span(sentence, "number", asked, percent=False, counted="point") == "17.2"
    # naming the noun does not outweigh the clause that names the group asked about
    sentence = "Twenty-nine participants in the treated group and thirty-four in the placebo group withdrew."
    asked = "How many participants in the placebo group withdrew?"
    assert _span(sentence, "number", asked, percent=False, counted="particip") == "thirty-four"


def test_a_figure_whose_plural_noun_follows_a_modifier_counts_that_noun():
    # 'three regional hospitals' counts hospitals, not the nurses asked about
    sentence = "The zone halved the rate across three regional hospitals."
    asked = "How many nurses were trained for the zone?"
    assert _span(sentence, "number", asked, percent=False, counted="nurs") is None
    sentence = "Fourteen triage nurses completed the training."
    assert _span(sentence, "number", asked, percent=False, counted="nurs") == "Fourteen"


def test_the_counted_noun_as_a_modifier_of_another_plural_is_no_count_of_it():
    asked = "How many schools were randomised?"
    sentence = "Porridge was served on 176 of the 190 planned school days."
    assert _span(sentence, "number", asked, percent=False, counted="school") is None
    sentence = "Thirty-two primary schools were randomised; porridge was served on 190 planned school days."
    assert _span(sentence, "number", asked, percent=False, counted="school") == "Thirty-two"


def test_a_count_split_into_parts_is_answered_by_the_whole():
    sentence = (
        "Of 1,046 screened, 612 met the criteria and were randomised, 306 to vitamin D3 and 306 to placebo."
    )
    asked = "How many participants were randomised?"
    assert _span(sentence, "number", asked, percent=False, counted="particip") == "612"
    # a question naming one part's clause asks for that part
    assert _span(sentence, "number", "How many were randomised to placebo?", percent=False) == "306"


def test_a_count_written_as_a_word_that_counts_something_else_is_not_the_count():
    asked = "How many points did students gain?"
    assert _span("It ran over twelve weeks.", "number", asked, percent=False, counted="point") is None


def test_a_number_inside_a_name_is_not_a_quantity():
    sentence = "Pupils in Grade 8 tutored younger pupils at a cost of 3 dollars each."
    assert _span(sentence, "number", "How much did tutoring cost?") == "3"


def test_a_how_much_answer_keeps_a_unit_symbol_but_not_a_noun():
    sentence = "The emulator added jitter of 12 ms to every packet."
    assert _span(sentence, "number", "How much jitter did the emulator add?") == "12 ms"
    sentence = "The emulator added 12 packets of jitter."
    assert _span(sentence, "number", "How much jitter did the emulator add?") == "12"


def test_a_title_or_a_passive_by_marks_the_person():
    sentence = "Voucher specimens were identified to species by Dr. Lukas Meier of the University of Bern."
    assert _span(sentence, "person", "Who identified the specimens?") == "Dr. Lukas Meier"


def test_what_kind_of_noun_is_answered_by_the_words_in_front_of_it():
    def kind(sentence: str, question: str) -> str | None:
        span = kind_span(sentence, question, set(tokenize(question)))
        return span.text if span else None

    q = "What type of Turing machine can check several branches at once?"
    assert kind("A non-deterministic Turing machine may check several branches.", q) == (
        "non-deterministic Turing machine"
    )
    # the mention nearest the question's other words, not the first one
    q = "What kind of problems are the main topic of complexity theory?"
    sentence = "Many problems exist, and decision problems are the main topic of complexity theory."
    assert kind(sentence, q) == "decision problems"
    # the words in front stop at a verb form, a figure, a word the question has, punctuation
    assert kind("Results were obtained using sparse matrices.", "What kind of matrices were used?") == (
        "sparse matrices"
    )
    assert kind("It reported 3 matrices.", "What kind of matrices were reported?") is None
    assert kind("We used matrices.", "What kind of matrices were used?") is None
    # a coordinated noun is not reached by its first word; other questions get no phrase
    q = "What kind of repetitive and slow activities does it handle?"
    assert kind("First, it reduces repetitive and slow activities.", q) is None
    assert kind("We used sparse matrices.", "What matrices were used?") is None
    assert kind("We used sparse matrices and dense ones.", "What kinds of matrices were used?") is None


def test_a_figure_for_each_group_is_not_the_total():
    def count(sentence: str, question: str) -> str | None:
        stems = set(tokenize(question))
        span = best_span(sentence, "number", question, stems, percent=False, counted=stem("schools"))
        return span.text if span else None

    total = "How many schools took part?"
    assert count("We recruited 24 schools, six schools per district.", total) == "24"
    assert count("Within each district, three schools were assigned to the programme.", total) is None
    later_clause = "On each, a lane was marked on the road, and eighteen schools were upgraded."
    assert count(later_clause, "How many schools were upgraded?") == "eighteen"
    per_district = "How many schools per district were assigned to the programme?"
    assert (
        count("Within each district, three schools were assigned to the programme.", per_district) == "three"
    )


def test_a_start_or_end_question_takes_that_end_of_a_date_range():
    sentence = "Fieldwork ran from 6 September 2021 to 19 February 2022 and was done by trained interviewers."
    for question, date in [
        ("When did the interviews begin?", "6 September 2021"),
        ("When did the interviews finish?", "19 February 2022"),
    ]:
        assert best_span(sentence, "date", question, set(tokenize(question))).text == date


def test_per_ten_years_is_a_rate_not_a_list_of_ten():
    assert answer_type("By how many days per ten years has flowering advanced?") == "number"


def test_a_measure_question_keeps_the_unit_word():
    sentence = "Training takes 36 hours on eight GPUs and 10 epochs."
    assert _span(sentence, "number", "How long does training take?") == "36 hours"
    assert _span(sentence, "number", "How many epochs are used?") == "10"
    growth = "Juvenile cod grew at a mean rate of 0.62 mm per day."
    assert _span(growth, "number", "How fast did juvenile cod grow?") == "0.62 mm"
    # a size is a figure of something too: 'How big ...?' -> '970 hours'
    corpus = "The corpus consists of 970 hours of audio data."
    assert _span(corpus, "number", "How big is the corpus?") == "970 hours"
    assert _span(corpus, "number", "What is the size of the corpus?") == "970 hours"


def test_the_date_comes_from_the_clause_that_names_what_is_asked():
    sentence = "The baseline test was given on 14 March 2022 and the endline test on 20 June 2022."
    assert _span(sentence, "date", "On what date was the baseline test given?") == "14 March 2022"
    assert _span(sentence, "date", "When was the endline test?") == "20 June 2022"
    # the subject is shared by both clauses; the verb tells them apart, across the 'and'
    fieldwork = "Fieldwork began on 6 February 2023 and closed on 28 April 2023."
    assert _span(fieldwork, "date", "When did fieldwork close?") == "28 April 2023"
    assert _span(fieldwork, "date", "When did fieldwork begin?") == "6 February 2023"


def test_a_table_or_figure_number_is_a_label_not_a_quantity():
    assert (
        _span("Table 1: Gadget sales by region (2019)", "number", "How many regions?", percent=False) is None
    )
    assert [m.text for m in find_numbers("see Fig. 3 and Section 2.1; 40 of them")] == ["40"]


def test_units_are_printed_once():
    assert with_unit("55", "%") == "55%"
    assert with_unit("55%", "%") == "55%"
    assert with_unit("1,400", "USD millions") == "1,400 USD millions"
    assert with_unit("N/A", None) == "N/A"


def _question(text: str):
    vocab = Vocabulary(stems=set(tokenize(text)), words={}, idf={})
    return analyse(text, vocab, np.zeros(4, dtype=np.float32))


def test_yes_or_no_reads_negation_on_both_sides():
    assert yes_or_no("We use BERT as the encoder.", _question("Do they use BERT?")) == "Yes"
    assert yes_or_no("We do not use BERT.", _question("Do they use BERT?")) == "No"
    assert yes_or_no("We do not use BERT.", _question("Don't they use BERT?")) == "Yes"


# --- the short answers of real answers on the paper (model) -------------------------------------


@pytest.mark.model
def test_short_answers_on_the_paper(assistant):
    assert assistant.ask("How many security incidents were there in 2020?").short_answer == "270"
    percent = assistant.ask("What percentage of Pakistanis view relations negatively?")
    assert percent.short_answer is not None and "%" in percent.short_answer
    assert "55%" in percent.answer  # the cell keeps its unit from the header
    conflict = assistant.ask("How much investment does CPEC involve?")
    assert "65" in conflict.short_answer and "62" in conflict.short_answer
    assert assistant.ask("When did the Taliban return to power?").short_answer == "August 2021"
    assert assistant.ask("What is Pakistan's GDP?").short_answer is None
    # a synonym pair works from the full name too, not only from the abbreviation
    assert assistant.ask("What is the Khyber Pakhtunkhwa share of refugees?").short_answer == "60%"
    theories = assistant.ask("Which three theories explain the relations?").short_answer
    assert all(t in theories for t in ("realism", "constructivism", "liberalism"))


@pytest.mark.model
def test_every_short_answer_is_inside_what_the_answer_cites(assistant):
    checked = 0
    for q in load_gold(GOLD):
        answer = assistant.ask(q.question, history=q.history)
        if answer.short_answer is None or answer.short_answer in ("Yes", "No"):
            continue
        checked += 1
        cited = " ".join(c.quote for c in answer.citations)
        if answer.computations:
            continue  # a computed result; the expression is shown in the answer
        for number in find_numbers(answer.short_answer):
            assert any(abs(m.base - number.base) < 1e-9 for m in find_numbers(cited)), (
                q.id,
                answer.short_answer,
            )
        words = [w for w in re.findall(r"[A-Za-z]{3,}", answer.short_answer) if w not in ("USD", "or")]
        if not answer.conflicts:
            assert all(
                w.lower() in (cited + " " + " ".join(v.unit or "" for v in answer.table_values)).lower()
                for w in words
            ), (q.id, answer.short_answer)
    assert checked >= 50


# --- spellings that differ between a question and the paper (pure) ---------------------------------


def test_accents_hyphens_and_lowercase_abbreviations_match():
    from qa.parsing import parse_document
    from qa.retrieval.query import analyse_question, build_vocabulary, find_abbreviations
    from qa.text import raw_tokens

    assert raw_tokens("Hervé") == raw_tokens("Herve") == ["herve"]
    assert find_abbreviations("We train a recurrent neural network (RNN) on it.") == {
        "RNN": "recurrent neural network"
    }
    doc = parse_document(
        "## Setup\n\nHervé tuned the hyper-parameters of a recurrent neural network (RNN) by hand.\n"
    )
    vocab = build_vocabulary(doc, None)
    assert analyse_question("Who tuned the hyperparameters?", vocab).unknown == []
    assert analyse_question("Did Herve tune them?", vocab).unknown == []
    terms = analyse_question("Which RNN did they use?", vocab)
    assert {"recurr", "neural", "network"} <= set(terms.expansions)


# --- front matter: the value of the field the question names ---------------------------------------

HISTORY = (
    "article_history:\n  received: January 5, 2024\n  revised: February 2, 2024\n  accepted: March 15, 2024"
)


def test_metadata_values_follow_the_field_the_question_names():
    from qa.answering.strategies.span import metadata_values

    assert metadata_values(HISTORY, {"paper", "accept"}) == ["March 15, 2024"]
    # a key is named with the keys above it: 'corresponding_author: / name:'
    block = "corresponding_author:\n  name: Dr Ada Example\n  email: ada@example.org"
    assert metadata_values(block, {"correspond", "author"}) == ["Dr Ada Example", "ada@example.org"]
    assert metadata_values(block, {"email"}) == ["ada@example.org"]
    assert metadata_values(HISTORY, {"publish"}) == []  # no field named: no value by position


def test_a_front_matter_quote_gets_the_named_fields_value_as_short_answer():
    from qa.answering.strategies import sentences, span
    from tests.conftest import DATA
    from tests.test_strategies import Tiny

    text = (DATA / "mini.md").read_text(encoding="utf-8").replace("keywords:", HISTORY + "\nkeywords:", 1)
    tiny = Tiny(text)
    for question, expected in [
        ("When was the paper accepted?", ["March 15, 2024"]),
        ("When was the paper received?", ["January 5, 2024"]),
        # two named fields with two different dates: the block answers, no bold date is picked
        ("When was the revised paper received?", []),
    ]:
        ev = tiny.evidence(question)
        [candidate, *_] = sentences.propose(ev)
        assert candidate.citations[0].kind == "metadata"
        assert span.propose(ev, candidate) == expected, question


def test_a_list_stops_where_its_last_item_runs_into_the_question():
    sentence = "Both Alphaland and Betaland hold unfavorable views toward their connection since both hold old resentment and lack trust."
    asked = "Which two countries hold unfavorable views toward their connection?"
    assert _span(sentence, "list", asked, count=2) == "Alphaland and Betaland"


def test_the_ends_of_two_clauses_joined_by_and_are_no_list():
    # 'Task 6 and the ...': an item ending with a function word is a clause boundary, not a list item
    sentence = "One system ranked first in Task 6 and the other one ranked second."
    assert _span(sentence, "list", "What are the state-of-the-art systems?") is None
    # an item may start with one
    sentence = "The benchmarks were Hyperpartisan, the ECtHR dataset and arXiv-Classes."
    # ... and a verb of being ends the lead-in before the first item
    assert (
        _span(sentence, "list", "Which benchmarks were used?")
        == "Hyperpartisan, the ECtHR dataset and arXiv-Classes"
    )


def test_a_place_is_a_name_a_locative_preposition_points_to():
    sentence = "Row and column filters are pretrained on unlabelled data in Edinburgh."
    assert _span(sentence, "place", "Where are the filters pretrained?") == "Edinburgh"
    # a capitalised word no preposition points to is no place
    assert (
        _span("Row filters are pretrained on unlabelled data.", "place", "Where are the filters pretrained?")
        is None
    )


def test_a_hyphenated_question_word_anchors_its_span():
    # the question's terms are split at the hyphen; the sentence's 'back-translated' is still its word
    sentence = "It was translated into Portuguese by Marta Sequeira and back-translated by Dr. Tomás Brandão."
    asked = "Who back-translated the questionnaire?"
    assert (
        best_span(sentence, "person", asked, {"back", "translat", "questionnair"}).text == "Dr. Tomás Brandão"
    )


def test_superlatives_of_size_and_age_ask_for_the_extreme_row():
    assert detect_intent("Which trench was dug the deepest?").extreme == "max"
    assert detect_intent("Which site had the shallowest water?").extreme == "min"
    assert detect_intent("Who was the youngest participant?").extreme == "min"
    assert detect_intent("Which trench was dug first?").extreme is None
