"""Support judges: how well do source texts support a claim? One method, two implementations.

`EvidenceJudge` (the offline default) needs no extra model: embedding similarity and word overlap,
gated by hard consistency checks (numbers, coined names, quoted phrases, negation). `NLIJudge` uses
an NLI or fact-checking cross-encoder chosen by Hugging Face id or path (e.g. an NLI DeBERTa), for
users who have one; the same consistency gate applies.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from assistant.citations import strip_markers
from assistant.models.contradictions import find_contradiction
from assistant.models.embedders import Embedder
from assistant.schema import AssistantError
from assistant.text import content_terms, names_in, words

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")
_NEGATION = re.compile(r"\b(?:not|no|never|none|neither|nor|cannot|without|fails?)\b|n't\b", re.I)
_PROPER = re.compile(r"(?<=[a-z0-9,;:)] )([A-Z][a-z]{2,})\b")
_QUOTED = re.compile(r"[\"“]([^\"”]{3,})[\"”]")


class SupportJudge(Protocol):
    threshold: float

    def support(self, claim: str, sources: Sequence[str]) -> float:
        """How well the sources support the claim, 0 (not at all) to 1 (fully)."""


def numbers_in(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def proper_nouns(text: str) -> set[str]:
    """Capitalised words inside a sentence (Swahili, Kinetics), lower-cased: a claim that names a
    language, dataset or place its source never mentions is not supported by it."""
    return {m.group(1).lower() for m in _PROPER.finditer(text)}


def inconsistency(claim: str, source: str, names: bool = True) -> str | None:
    """Why the source cannot support the claim, in a few words, or None: a number, coined name or
    quoted phrase of the claim that the source lacks, a negation it does not have, or a
    contradiction found by the rules of `assistant.models.contradictions`. With `names=False` a
    name the source lacks is left to a model to judge (an abstract's title may define it)."""
    missing_numbers = numbers_in(claim) - numbers_in(source)
    if missing_numbers:
        return f"the source does not state {sorted(missing_numbers)[0]}"
    if _NEGATION.search(claim) and not _NEGATION.search(source):
        return "negates what the source does not negate"
    known = names_in(source) | {part for word in words(source) for part in (word, *word.split("-"))}
    unknown = (names_in(claim) | proper_nouns(claim)) - known
    if unknown and names:
        return f"the source does not mention {sorted(unknown)[0]}"
    lowered = source.lower()
    for phrase in _QUOTED.findall(claim):
        if phrase.lower() not in lowered:
            return f'the source does not say "{phrase}"'
    return find_contradiction(claim, source)


def consistent(claim: str, source: str, names: bool = True) -> bool:
    """Every number, coined name and quoted phrase of the claim occurs in the source, a negated
    claim has a negation in its source ("X does not improve Y" is not "X improves Y"), and no
    contradiction rule fires (reversed relation, flipped direction, wrong unit...)."""
    return inconsistency(claim, source, names) is None


def why_unsupported(claim: str, sources: Sequence[str]) -> str | None:
    """The consistency gate's reason for failing a claim against its sources, for the UI."""
    return inconsistency(strip_markers(claim), " ".join(sources))


class EvidenceJudge:
    """Offline judge: embedding similarity and word overlap, gated by numbers and names."""

    def __init__(self, embedder: Embedder, threshold: float = 0.5):
        self.embedder = embedder
        self.threshold = threshold
        self._vectors: dict[str, np.ndarray] = {}

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            self._vectors.update(zip(missing, self.embedder.embed(missing)))
        return np.asarray([self._vectors[t] for t in texts])

    def support(self, claim: str, sources: Sequence[str]) -> float:
        claim = strip_markers(claim)
        if not sources or not claim:
            return 0.0
        joined = " ".join(sources)
        if not consistent(claim, joined):
            return 0.0
        similarity = float(np.max(self._embed(list(sources)) @ self._embed([claim])[0]))
        terms = content_terms(claim)
        overlap = len(terms & content_terms(joined)) / len(terms) if terms else 1.0
        return max(0.0, min(1.0, 0.5 * similarity + 0.5 * overlap))


def entailment_index(id2label: dict) -> int:
    """The output that means "supported": an NLI model's entailment label, or a fact checker's
    positive class ("supported", or label 1 of a two-label model)."""
    labels = {int(i): str(label).lower() for i, label in id2label.items()}
    for index, label in labels.items():
        if "entail" in label or label in ("supported", "support", "consistent", "factual"):
            return index
    if len(labels) == 2:
        return 1
    raise AssistantError(f"cannot tell which output of the judge model means entailment: {labels}")


class NLIJudge:
    """A cross-encoder judge: P(entailment | premise = cited sources, hypothesis = claim)."""

    def __init__(self, model: str, threshold: float = 0.5, threads: int = 1):
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError as error:
            raise AssistantError(f"the NLI judge needs transformers: {error}") from None
        torch.set_num_threads(threads)
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(model)
            self._model = AutoModelForSequenceClassification.from_pretrained(model).eval()
        except OSError as error:
            raise AssistantError(
                f"judge model {model!r} is not available locally ({str(error).splitlines()[0]}): "
                "set ASSISTANT_JUDGE to a local path, or ASSISTANT_ALLOW_NETWORK=true to download it"
            ) from None
        self.name = model
        self.threshold = threshold
        self._entailment = entailment_index(self._model.config.id2label)

    def support(self, claim: str, sources: Sequence[str]) -> float:
        import torch

        claim = strip_markers(claim)
        premise = " ".join(sources)
        if not claim or not premise or not consistent(claim, premise):
            return 0.0
        inputs = self._tokenizer(premise, claim, truncation="only_first", max_length=512,
                                 return_tensors="pt")
        with torch.inference_mode():
            logits = self._model(**inputs).logits[0]
        return float(torch.softmax(logits, dim=-1)[self._entailment])
