"""eval/compare_cells.py's model arm: the model's reply is used only when it is a sentence number in
range (0 meaning "none"); anything else leaves the embedder's cell."""

import sys

import pytest

from assistant.prompts import load_prompt
from assistant.schema import Paper
from conftest import ROOT, ScriptedGenerator

sys.path.insert(0, str(ROOT / "eval"))
from compare_cells import model_sentence  # noqa: E402

PAPER = Paper("p", "Zebra counting", "Counting is slow. We propose ZebraNet. It is 2x faster.")
SPANS = [(0, 17), (18, 38), (39, 55)]  # split_sentences of the abstract


@pytest.mark.parametrize("reply, index", [
    ("2", 1), (" [3].", 2), ("0", None), ("4", -1), ("Sentence 2", -1), ("", -1),
])
def test_model_reply_is_used_only_when_it_is_a_sentence_number_in_range(reply, index):
    generator = ScriptedGenerator(reply)
    prompt = load_prompt("cell_sentence", ROOT / "prompts")
    assert model_sentence(generator, prompt, PAPER, SPANS, "the key idea") == index


def test_model_sees_the_numbered_sentences_and_what_the_row_asks():
    generator = ScriptedGenerator("2")
    model_sentence(generator, load_prompt("cell_sentence", ROOT / "prompts"), PAPER, SPANS, "the key idea")
    prompt = generator.calls[0][-1]["content"]
    assert "[1] Counting is slow.\n[2] We propose ZebraNet.\n[3] It is 2x faster." in prompt
    assert "which sentence states the key idea?" in prompt


@pytest.mark.slow
def test_table_cell_accuracy_falls_when_cells_are_not_chosen_by_row(sample_store, real_embedder, monkeypatch):
    """The eval's cell metric on the real corpus and embedder: the labelled comparisons as built,
    then with every row given the abstract's first sentence (the row ranking removed)."""
    from assistant.app import Assistant
    from assistant.evaluation.authorship import read_cell_labels
    from assistant.evaluation.suite import CELL_LABELS
    from assistant.models.generators import ExtractiveGenerator
    from assistant.settings import Settings
    from assistant.store import Store
    from cell_metric_check import accuracy, first_sentence_cells

    store = Store(sample_store, real_embedder.name, real_embedder.dimension)
    assistant = Assistant(Settings(store=sample_store), store, real_embedder, ExtractiveGenerator())
    labels = read_cell_labels(CELL_LABELS)
    questions = list(dict.fromkeys(question for question, _ in labels))
    built = accuracy(assistant, questions, labels)
    monkeypatch.setattr("assistant.compare.pick_cells", first_sentence_cells)
    removed = accuracy(assistant, questions, labels)
    assert built >= 0.75 and removed <= 0.3
