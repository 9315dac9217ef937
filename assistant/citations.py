"""Citation markers: find [n] in text, map them to papers, drop the ones that point nowhere."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from assistant.schema import Citation, Evidence

_MARKER = re.compile(r"\s*\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")
_TRAILING_PUNCTUATION = ".!?;:,"


def find_markers(text: str) -> tuple[int, ...]:
    """Every marker number in order of first appearance: "[1, 3] ... [2]" -> (1, 3, 2)."""
    seen: dict[int, None] = {}
    for group in _MARKER.findall(text):
        for number in re.split(r"\s*[,;]\s*", group):
            seen.setdefault(int(number), None)
    return tuple(seen)


def strip_markers(text: str) -> str:
    return re.sub(r"\s+([.!?,;:])", r"\1", _MARKER.sub("", text)).strip()


def with_markers(claim: str, markers: Sequence[int]) -> str:
    """The claim with its markers written once, before its final punctuation: "X holds [1][3]."."""
    body = strip_markers(claim)
    if not markers:
        return body
    end = len(body.rstrip(_TRAILING_PUNCTUATION))
    tags = "".join(f"[{m}]" for m in markers)
    return f"{body[:end]} {tags}{body[end:] or '.'}"


def citations_for(markers: Iterable[int], evidence: Sequence[Evidence]) -> list[Citation]:
    """One citation per marker that points at evidence, in marker order; unknown markers dropped."""
    by_marker = {e.marker: e for e in evidence}
    return [Citation(marker=m, paper_id=by_marker[m].paper_id, title=by_marker[m].title)
            for m in sorted(set(markers)) if m in by_marker]


def reference_list(citations: Sequence[Citation]) -> list[tuple[list[int], str, str]]:
    """Cited papers once each, with all the markers that point at them: ([1, 3], id, title)."""
    grouped: dict[str, tuple[list[int], str]] = {}
    for citation in citations:
        markers, _ = grouped.setdefault(citation.paper_id, ([], citation.title))
        markers.append(citation.marker)
    return [(markers, paper_id, title) for paper_id, (markers, title) in grouped.items()]
