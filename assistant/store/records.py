"""A paper as Chroma metadata and back (Chroma metadata holds no None), so that the index alone
still says what every paper was: a store made before ledgers existed is adopted from it."""

from __future__ import annotations

from assistant.schema import Paper

_NONE = ""


def paper_metadata(paper: Paper, chunks: int, added: str) -> dict:
    return {
        "title": paper.title, "hash": paper.content_hash, "authors": "; ".join(paper.authors),
        "arxiv_id": paper.arxiv_id or _NONE, "published": paper.published or _NONE,
        "listing_date": paper.listing_date or _NONE, "url": paper.url or _NONE,
        "source": paper.source, "line": paper.line, "truncated": paper.truncated,
        "listed_on": paper.listed_on or _NONE,
        "upvotes": _NONE if paper.upvotes is None else paper.upvotes,
        "chunks": chunks, "added": added,
    }


def paper_from_metadata(paper_id: str, abstract: str, meta: dict) -> Paper:
    return Paper(
        paper_id=paper_id, title=meta["title"], abstract=abstract,
        authors=tuple(a for a in meta.get("authors", "").split("; ") if a),
        arxiv_id=meta.get("arxiv_id") or None, published=meta.get("published") or None,
        listing_date=meta.get("listing_date") or None, url=meta.get("url") or None,
        source=meta.get("source", ""), line=int(meta.get("line", 0)),
        truncated=bool(meta.get("truncated", False)),
        listed_on=meta.get("listed_on") or None,
        upvotes=None if meta.get("upvotes", _NONE) == _NONE else int(meta["upvotes"]),
    )
