"""The pipeline as llama-index components, for users who build with llama-index.

`HybridRetriever` is a llama-index `BaseRetriever` over our hybrid retriever (dense + BM25 fused by
reciprocal rank, one node per paper, named papers lifted); `CheckedQueryEngine` is a query engine
over the checked answer path: its response holds only sentences that passed the support check (or
quotes), and its source nodes are the cited evidence sentences with their offsets.

    from assistant.app import Assistant
    from assistant.llamaindex import CheckedQueryEngine, HybridRetriever
    assistant = Assistant.from_settings(Settings())
    nodes = HybridRetriever(assistant).retrieve("What does TinyCLIP distil?")
    response = CheckedQueryEngine(assistant).query("What does TinyCLIP distil?")

Why our own fusion rather than llama-index's QueryFusionRetriever: ours keeps one result per paper,
lifts papers the question names, and carries the dense cosine that abstention needs; the fusion
itself is the same reciprocal-rank formula (Cormack et al., 2009).
"""

from __future__ import annotations

from typing import Any

from llama_index.core.base.response.schema import Response
from llama_index.core.query_engine import CustomQueryEngine
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from assistant.schema import Answer, Evidence, Passage
from assistant.reports import Comparison
from assistant.wording import answer_text


def passage_node(passage: Passage) -> NodeWithScore:
    """A retrieved chunk as a llama-index node: its text, paper and character offsets."""
    chunk = passage.chunk
    node = TextNode(id_=chunk.chunk_id, text=chunk.text, start_char_idx=chunk.start,
                    end_char_idx=chunk.end,
                    metadata={"paper_id": chunk.paper_id, "title": chunk.title,
                              "dense_similarity": passage.dense_similarity})
    return NodeWithScore(node=node, score=passage.score)


def evidence_node(item: Evidence) -> NodeWithScore:
    """A cited evidence sentence as a node, with its marker."""
    node = TextNode(id_=f"{item.paper_id}@{item.start}", text=item.text, start_char_idx=item.start,
                    end_char_idx=item.end,
                    metadata={"paper_id": item.paper_id, "title": item.title, "marker": item.marker})
    return NodeWithScore(node=node, score=item.score)


class HybridRetriever(BaseRetriever):
    """llama-index retriever over `Assistant.search`: the k best papers, one node each."""

    def __init__(self, assistant: Any, k: int = 10, **kwargs: Any) -> None:
        self._assistant = assistant
        self._k = k
        super().__init__(**kwargs)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [passage_node(p) for p in self._assistant.search(query_bundle.query_str, self._k)]


class CheckedQueryEngine(CustomQueryEngine):
    """Answers through `Assistant.ask`: checked, cited sentences; abstentions say why."""

    assistant: Any

    def custom_query(self, query_str: str) -> Response:
        result = self.assistant.ask(query_str)
        answer: Answer = result.answer if isinstance(result, Comparison) else result
        cited = {c.marker for c in answer.citations}
        sources = [evidence_node(e) for e in answer.evidence if e.marker in cited]
        return Response(response=answer_text(answer), source_nodes=sources,
                        metadata={"abstained": answer.abstained,
                                  "reason": answer.reason.kind if answer.reason else None,
                                  "sentences": [(s.text, s.action) for s in answer.sentences
                                                if s.shown]})
