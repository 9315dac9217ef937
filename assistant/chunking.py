"""Paper -> Chunk, through llama-index's sentence-aware node parser.

Each chunk keeps the character offsets of its text inside the abstract, so that the UI can
highlight it and evidence can point back at the exact source span.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.schema import Chunk, Paper
from assistant.text import sentences

_TOKEN = re.compile(r"\w+|[^\w\s]")


def word_tokens(text: str) -> list[str]:
    """A cheap tokenizer close to word-piece counts for English prose (no model download)."""
    return _TOKEN.findall(text)


class Chunker:
    """Splits abstracts into sentence-aligned chunks of at most `chunk_size` tokens."""

    def __init__(self, chunk_size: int = 160, chunk_overlap: int = 32):
        try:
            from llama_index.core.node_parser import SentenceSplitter
        except ImportError as error:  # pragma: no cover - install problem
            raise ImportError("chunking needs llama-index-core: pip install llama-index-core") from error
        self._splitter = SentenceSplitter(
            chunk_size=chunk_size, chunk_overlap=min(chunk_overlap, chunk_size // 2),
            tokenizer=word_tokens, chunking_tokenizer_fn=sentences,
            include_metadata=False, include_prev_next_rel=False,
        )

    def chunk(self, papers: Iterable[Paper]) -> list[Chunk]:
        chunks: list[Chunk] = []
        for paper in papers:
            chunks.extend(_with_offsets(paper, self._splitter.split_text(paper.abstract)))
        return chunks


def _with_offsets(paper: Paper, pieces: list[str]) -> list[Chunk]:
    """Locate each piece in the abstract, searching forward from the previous piece's start."""
    chunks = []
    cursor = 0
    for index, piece in enumerate(pieces):
        start = paper.abstract.find(piece, cursor)
        if start < 0:  # the splitter normalised white space: fall back to a loose search
            start = paper.abstract.find(piece[:40], cursor)
        start = max(start, 0)
        end = start + len(piece)
        chunks.append(Chunk(
            chunk_id=f"{paper.paper_id}#{paper.content_hash[:8]}#{index}", paper_id=paper.paper_id,
            title=paper.title, text=paper.abstract[start:end], start=start, end=end,
        ))
        cursor = start + 1
    return chunks
