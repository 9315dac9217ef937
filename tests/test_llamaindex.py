"""The llama-index adapters: a real Assistant (fake embedder, scripted model) behind them."""

import json

from assistant.llamaindex import CheckedQueryEngine, HybridRetriever
from conftest import ScriptedGenerator

PAPERS = [
    {"title": "TinyCLIP: CLIP Distillation via Affinity Mimicking and Weight Inheritance",
     "abstract": "We propose TinyCLIP, a cross-modal distillation method for large-scale "
                 "language-image pre-trained models. TinyCLIP reduces the size of CLIP by 50%."},
    {"title": "Robust Speech Recognition", "abstract": "We train a speech recognition model on "
                                                       "680,000 hours of multilingual audio."},
]


def _assistant(tmp_path, embedder, reply):
    from assistant.app import Assistant
    from assistant.settings import Settings
    from assistant.store import Store

    source = tmp_path / "papers.jsonl"
    source.write_text("".join(json.dumps(p) + "\n" for p in PAPERS))
    settings = Settings(store=tmp_path / "store", min_relevance=0.1, min_evidence=0.0)
    assistant = Assistant(settings, Store(settings.store, embedder.name, embedder.dimension),
                          embedder, ScriptedGenerator(reply))
    assistant.ingest([source])
    return assistant


def test_hybrid_retriever_gives_one_node_a_paper_with_offsets(tmp_path, fake_embedder):
    assistant = _assistant(tmp_path, fake_embedder, "")
    nodes = HybridRetriever(assistant, k=2).retrieve("What does TinyCLIP distil?")
    assert nodes[0].node.metadata["title"].startswith("TinyCLIP")
    assert len({n.node.metadata["paper_id"] for n in nodes}) == len(nodes)
    abstract = PAPERS[0]["abstract"]
    node = nodes[0].node
    assert abstract[node.start_char_idx:node.end_char_idx] == node.text


def test_checked_query_engine_returns_only_checked_sentences_and_cited_sources(tmp_path, fake_embedder):
    reply = ("TinyCLIP is a cross-modal distillation method for large-scale language-image "
             "pre-trained models [1]. TinyCLIP was invented on the moon in 1802 [1].")
    engine = CheckedQueryEngine(assistant=_assistant(tmp_path, fake_embedder, reply))
    response = engine.query("What does TinyCLIP distil?")
    assert "cross-modal distillation" in response.response and "1802" not in response.response
    assert response.source_nodes and all(n.node.metadata["title"].startswith("TinyCLIP")
                                         for n in response.source_nodes)
    assert response.metadata["abstained"] is False
