import pytest

from assistant.chunking import Chunker, word_tokens
from assistant.schema import Paper
from assistant.text import sentences, split_sentences
from assistant.sources import parse_paths
from conftest import SAMPLE


@pytest.fixture(scope="module")
def sample_papers():
    return parse_paths([SAMPLE]).papers


def test_chunks_are_exact_spans_of_the_abstract_within_the_size(sample_papers):
    chunker = Chunker(chunk_size=160, chunk_overlap=32)
    for paper in sample_papers[:200]:
        pieces = chunker._splitter.split_text(paper.abstract)
        chunks = chunker.chunk([paper])
        assert [c.text for c in chunks] == [p.strip() for p in pieces]
        for chunk in chunks:
            assert paper.abstract[chunk.start:chunk.end] == chunk.text
            assert len(word_tokens(chunk.text)) <= 160


def test_chunk_ids_change_with_the_content():
    paper = Paper(paper_id="p", title="T", abstract="One sentence here. Another one there.")
    changed = Paper(paper_id="p", title="T", abstract="One sentence here. A changed one there.")
    chunker = Chunker()
    assert chunker.chunk([paper])[0].chunk_id != chunker.chunk([changed])[0].chunk_id


@pytest.mark.parametrize("text, expected", [
    ("One. Two is here. Three!", ["One.", "Two is here.", "Three!"]),
    ("We use e.g. LoRA here. Next one.", ["We use e.g. LoRA here.", "Next one."]),
    ("Accuracy of 84.8% on ImageNet. Done", ["Accuracy of 84.8% on ImageNet.", "Done"]),
    ("Smith et al. show this. Then more.", ["Smith et al. show this.", "Then more."]),
    ("Cut mid-sentence without end", ["Cut mid-sentence without end"]),
])
def test_sentence_split_table(text, expected):
    assert [text[s:e] for s, e in split_sentences(text)] == expected


def test_sentences_join_back_to_the_text(sample_papers):
    for paper in sample_papers:
        assert "".join(sentences(paper.abstract)) == paper.abstract
