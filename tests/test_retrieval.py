import json

import pytest

from assistant.chunking import Chunker
from assistant.ingest import ingest
from assistant.retrieval import NameIndex, Retriever

PAPERS = [
    ("TinyCLIP: CLIP Distillation via Affinity Mimicking and Weight Inheritance",
     "We propose a cross-modal distillation method for language-image models. " * 6),
    ("FerKD: Surgical Label Adaptation for Efficient Distillation",
     "We present an efficient knowledge distillation framework with partial soft-hard labels. " * 6),
    ("Scaling Laws for Neural Language Models",
     "We study empirical scaling laws for language model performance on the cross-entropy loss. " * 6),
    ("Robust Speech Recognition via Large-Scale Weak Supervision",
     "We study speech processing systems trained to predict transcripts of audio on the internet. " * 6),
]


@pytest.fixture
def retriever(tmp_path, fake_embedder, make_store):
    source = tmp_path / "papers.jsonl"
    source.write_text("".join(json.dumps({"title": t, "abstract": a}) + "\n" for t, a in PAPERS))
    store = make_store(tmp_path / "store", fake_embedder)
    ingest([source], store, fake_embedder, lambda: Chunker(40, 8))
    return Retriever(store, fake_embedder, title_boost=1.0)


def test_question_naming_a_paper_ranks_it_first(retriever):
    results = retriever.search("What does TinyCLIP distil?", k=4)
    assert results[0].title.startswith("TinyCLIP")
    assert retriever.search("how does ferkd's method work", k=4)[0].title.startswith("FerKD")


def test_results_are_one_per_paper(retriever):
    results = retriever.search("distillation method for language-image models", k=10)
    assert len({p.paper_id for p in results}) == len(results) <= len(PAPERS)
    assert retriever.size > len(PAPERS)  # several chunks per paper, one result per paper


def test_descriptive_question_finds_the_paper_without_its_name(retriever):
    titles = [p.title for p in retriever.search("empirical scaling of language model loss", k=2)]
    assert titles[0].startswith("Scaling Laws")


def test_every_result_carries_a_dense_similarity(retriever):
    for passage in retriever.search("speech transcripts", k=4):
        assert passage.dense_similarity is not None and -1.0 <= passage.dense_similarity <= 1.0


@pytest.mark.parametrize("question, expected", [
    ("What does TinyCLIP distil?", {"t"}),
    ("Explain tinyclip", {"t"}),
    ("Is Swin3D pretrained?", {"s"}),
    ("What is distillation via affinity mimicking and weight inheritance?", set()),
    ("Tell me about distillation", set()),
    ("TinyCLIPX is not a paper", set()),
])
def test_name_index_finds_names_as_whole_words(question, expected):
    index = NameIndex({
        "t": "TinyCLIP: CLIP Distillation via Affinity Mimicking and Weight Inheritance",
        "s": "Swin3D: A Pretrained Transformer Backbone for 3D Indoor Scene Understanding",
    })
    assert index.named_in(question) == expected


def test_a_word_shared_by_many_titles_is_not_a_name():
    titles = {str(i): f"LLM Study Number {i}: Something" for i in range(5)}
    assert NameIndex(titles).named_in("What do LLM studies show?") == set()


@pytest.mark.parametrize("question, expected", [
    ("How does QLoRA's 4-bit NormalFloat work?", set()),
    ("What does BiT transfer?", {"b"}),
    ("Which compute-optimal ratio did Chinchilla derive?", set()),
    ("What routing does a mixture-of-experts model use?", set()),
    ("Is DINOv3 trained on satellite images?", {"d"}),
])
def test_plain_words_and_lower_case_short_names_are_not_names(question, expected):
    index = NameIndex({
        "b": "Big Transfer (BiT): General Visual Representation Learning",
        "c": "Scaling Laws and Compute-Optimal Training Beyond Fixed Training Durations",
        "m": "Mixture-of-Supernets: Improving Weight-Sharing Supernet Training with "
             "Architecture-Routed Mixture-of-Experts",
        "d": "DINOv3",
    })
    assert index.named_in(question) == expected


def test_a_name_inside_a_longer_name_does_not_count():
    from assistant.retrieval import NameIndex

    index = NameIndex({"v1": "VideoMAE: Masked Autoencoders are Data-Efficient Learners for "
                             "Self-Supervised Video Pre-Training",
                       "v2": "VideoMAE V2: Scaling Video Masked Autoencoders with Dual Masking"})
    assert index.named_in("What masking does VideoMAE V2 introduce?") == {"v2"}
    assert "v1" in index.named_in("What does VideoMAE learn from video?")  # shared by both titles
    assert index.named_in("How do VideoMAE and VideoMAE V2 differ?") == {"v1", "v2"}
