"""Features whose earlier tests passed with the feature removed (issue #10), each tested so that
removing it fails: comparative routing in `ask`, the Assistant's model lock, the boilerplate
penalty of evidence selection, the cue gate of comparison rows, the digest's topic term weight."""

import json
import threading
import time

import numpy as np

from assistant.compare import table_cells
from assistant.topic_filter import on_topic
from assistant.evidence import select_evidence
from assistant.schema import Paper
from assistant.reports import Comparison
from conftest import ScriptedGenerator
from test_compare import TINYCLIP, TINYVIT


def _assistant(tmp_path, embedder, generator, papers=(TINYCLIP, TINYVIT)):
    from assistant.app import Assistant
    from assistant.settings import Settings
    from assistant.store import Store

    source = tmp_path / "papers.jsonl"
    source.write_text("".join(json.dumps({"title": p.title, "abstract": p.abstract}) + "\n" for p in papers))
    settings = Settings(store=tmp_path / "store", min_relevance=0.1, min_evidence=0.0)
    assistant = Assistant(settings, Store(settings.store, embedder.name, embedder.dimension), embedder,
                          generator)
    assistant.ingest([source])
    return assistant


def test_ask_routes_a_comparative_question_to_a_comparison(tmp_path, fake_embedder):
    assistant = _assistant(tmp_path, fake_embedder, ScriptedGenerator("TinyCLIP mimics affinities [1]."))
    result = assistant.ask("How do TinyCLIP and TinyViT differ?")
    assert isinstance(result, Comparison)
    assert {p.title for p in result.papers} == {TINYCLIP.title, TINYVIT.title}
    assert not isinstance(assistant.ask("What does TinyCLIP distil?"), Comparison)


class _SlowGenerator(ScriptedGenerator):
    """Streams slowly and records how many streams run at once."""

    def __init__(self, reply):
        super().__init__(reply)
        self.active = self.peak = 0
        self._count = threading.Lock()

    def stream(self, messages, max_new_tokens=None):
        with self._count:
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            for piece in super().stream(messages, max_new_tokens):
                time.sleep(0.02)
                yield piece
        finally:
            with self._count:
                self.active -= 1


def test_the_assistant_runs_one_model_call_at_a_time(tmp_path, fake_embedder):
    generator = _SlowGenerator("TinyCLIP is a cross-modal distillation method for CLIP models [1].")
    assistant = _assistant(tmp_path, fake_embedder, generator)
    start, answers = threading.Barrier(3), []

    def ask():
        start.wait()
        answers.append(assistant.ask("What does TinyCLIP distil?"))

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == 3 and len(generator.calls) == 3
    assert generator.peak == 1


def test_boilerplate_sentences_lose_to_content_in_evidence_selection(fake_embedder):
    paper = Paper("p1", "TinyCLIP", "TinyCLIP distils CLIP into small models. "
                  "Code for TinyCLIP distil models is available at https://github.com/tinyclip/distil.")
    best = select_evidence("What does TinyCLIP distil?", [paper], fake_embedder, 1)
    assert [e.text for e in best] == ["TinyCLIP distils CLIP into small models."]


def test_a_comparison_row_is_not_stated_when_no_sentence_bears_on_it(fake_embedder):
    paper = Paper("p1", "Zebras", "Zebras graze in the savanna at dawn.")
    rows, cells = table_cells(None, [paper], fake_embedder)
    assert rows == ["problem", "key idea", "data / scale", "results"]
    assert [c.evidence for c in cells] == [None] * 4  # below every row's threshold: "not stated"
    stated = Paper("p2", "Zebras", "Zebras graze in the savanna at dawn. We propose a zebra counter.")
    _, cells = table_cells(None, [stated], fake_embedder)
    assert {c.row: c.evidence and c.evidence.text for c in cells}["key idea"] == "We propose a zebra counter."


class _AxisEmbedder:
    """Every query is the first axis, so a paper's similarity is its vector's first component."""

    def embed_query(self, text):
        return np.eye(4, dtype=np.float32)[0]


def test_topic_words_in_a_paper_lift_it_over_the_topic_threshold():
    papers = [Paper("a", "Zebra counting", "We count zebras from drone images."),
              Paper("b", "Lion tracking", "We track lions from camera traps.")]
    vectors = np.asarray([[0.3, 0.9, 0, 0], [0.3, 0.9, 0, 0]], dtype=np.float32)  # equally similar
    assert on_topic("zebra counting", papers, vectors, _AxisEmbedder(), 0.4) == [0]
