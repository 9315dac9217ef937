"""Which corpus papers do names refer to? Titles and acronyms first, then fuzzy titles, then retrieval.

"TinyCLIP", "tinyclip", "TinyCLP" (a typo), "Scaling Laws for Neural Language Models" and "the
paper on sharp monocular metric depth in under a second" all name papers. A coined name that
occurs nowhere in the corpus ("FooNet") is *missing*: reported, never answered from memory. A
word the corpus uses but no title owns ("CLIP", "LoRA") is a concept, not a paper.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.schema import Passage, normalise_title
from assistant.text import coined_names, words

NAME_SIMILARITY = 90  # rapidfuzz ratio (0-100) for a misspelt name: "tinyclp" ~ "tinyclip" (93),
# not "lora" ~ "lora+" (89)
# A description resolves to the paper whose best chunk is this close to it, and clearly closer
# than any other paper's (on the sample corpus a described paper leads by 0.11-0.13; the title of
# a paper the corpus lacks finds neighbours within 0.02 of each other).
DESCRIPTION_SIMILARITY = 0.45
DESCRIPTION_MARGIN = 0.08
DESCRIPTION_WORDS = 4  # names this long may describe a paper rather than name it

Search = Callable[[str, int], list[Passage]]

# An explicit request to compare ("compared with training from scratch" and "different
# hyperparameters" are not), or a plural question over named papers ("How do X and Y ...").
_COMPARATIVE = re.compile(
    r"\b(?:compare|comparison|differ|differs|difference|differences|differently|versus|vs\.?|"
    r"contrast|contrasts)\b",
    re.IGNORECASE,
)
_PLURAL = re.compile(r"\s*(?:how|what|why|where|in what ways?)\s+do\b", re.IGNORECASE)


@dataclass(frozen=True)
class Resolution:
    """Paper ids in the order they were named, and the names no paper answers to."""

    paper_ids: list[str]
    missing: list[str]


class PaperResolver:
    """Resolves names against one corpus: its titles, its name index and its search."""

    def __init__(self, titles: dict[str, str], named_in: Callable[[str], set[str]],
                 vocabulary: frozenset[str], search: Search):
        self.titles = titles
        self.named_in = named_in
        self.vocabulary = vocabulary
        self.search = search
        self._normalised = {pid: normalise_title(t) for pid, t in titles.items()}
        self._heads = {pid: normalise_title(t.partition(":")[0]) for pid, t in titles.items()
                       if ":" in t}
        # "LoRA+" and "LoRA" normalise alike: the head as written tells them apart
        self._written_heads = {t.partition(":")[0].strip().lower(): pid for pid, t in titles.items()
                               if ":" in t}

    def resolve(self, name: str) -> str | None:
        """The one paper a name (id, title, acronym, misspelling or description) refers to."""
        name = name.strip()
        if name in self.titles:
            return name
        if name.lower() in self._written_heads:
            return self._written_heads[name.lower()]
        named = self.named_in(name)
        if named:
            return self._closest_title(name, named)
        fuzzy = self._fuzzy(name)
        if fuzzy or len(name.split()) < DESCRIPTION_WORDS:
            return fuzzy
        return self._described(name)

    def _described(self, description: str) -> str | None:
        ranked = sorted(((p.dense_similarity or 0.0, p.paper_id) for p in self.search(description, 5)),
                        reverse=True)
        if not ranked or ranked[0][0] < DESCRIPTION_SIMILARITY:
            return None
        if len(ranked) > 1 and ranked[0][0] - ranked[1][0] < DESCRIPTION_MARGIN:
            return None
        return ranked[0][1]

    def resolve_all(self, names: Sequence[str]) -> Resolution:
        found, missing = [], []
        for name in names:
            paper_id = self.resolve(name)
            if paper_id is None:
                missing.append(name.strip())
            elif paper_id not in found:
                found.append(paper_id)
        return Resolution(found, missing)

    def in_question(self, question: str) -> Resolution:
        """Papers a question names, in the order it names them, and coined names it uses that
        occur nowhere in the corpus."""
        named = self.named_in(question)
        lowered = normalise_title(question)
        order = sorted(sorted(named), key=lambda pid: self._position(pid, lowered))
        missing = []
        for token in coined_names(question):
            if self._owned(token, order):  # "VideoMAE" of "VideoMAE V2", a paper already named
                continue
            if token.lower() in self._written_heads:
                fuzzy = self._written_heads[token.lower()]
            elif self._known(token) or self._owned(token, order):
                continue
            else:
                fuzzy = self._fuzzy(token)
            if fuzzy is None:
                missing.append(token)
            elif fuzzy not in order:
                order.append(fuzzy)
        return Resolution(order, missing)

    def _position(self, paper_id: str, question: str) -> int:
        """Where the question first names the paper (by title, the part before its colon, or a
        coined word of its title)."""
        keys = [self._normalised[paper_id], self._heads.get(paper_id, "")]
        keys += [normalise_title(n) for n in coined_names(self.titles[paper_id])]
        found = [m.start() for key in keys if key
                 for m in [re.search(rf"\b{re.escape(key)}\b", question)] if m]
        return min(found, default=len(question))

    def _known(self, token: str) -> bool:
        """The corpus uses the word, or every part of it ("LoRA-style": "lora", "style")."""
        return all(w in self.vocabulary or all(p in self.vocabulary for p in re.split(r"[-+./]", w) if p)
                   for w in words(token))

    def _owned(self, token: str, paper_ids: Sequence[str]) -> bool:
        key = normalise_title(token)
        return any(key in self._normalised[pid] for pid in paper_ids)

    def _closest_title(self, name: str, candidates: set[str]) -> str:
        from rapidfuzz import fuzz

        key = normalise_title(name)
        return max(sorted(candidates), key=lambda pid: fuzz.ratio(key, self._normalised[pid]))

    def _fuzzy(self, name: str) -> str | None:
        """A title, or the name before a title's colon, spelt nearly like `name`."""
        from rapidfuzz import fuzz, process

        key = _lowered(name)
        if len(key) < 4:
            return None
        choices = {**{f"h:{pid}": head for head, pid in self._written_heads.items()},
                   **{f"t:{pid}": _lowered(title) for pid, title in self.titles.items()}}
        best = process.extractOne(key, choices, scorer=fuzz.ratio, score_cutoff=NAME_SIMILARITY)
        return best[2][2:] if best else None


def is_comparative(question: str, named_papers: int) -> bool:
    """A question asks for a comparison when it says so, or asks "How do ..." of two papers or more."""
    if _COMPARATIVE.search(question):
        return True
    return named_papers >= 2 and _PLURAL.match(question) is not None



def _lowered(text: str) -> str:
    return " ".join(text.lower().split())
