"""An entailment judge: a language model asked whether the cited sources support a claim.

It wraps any model that can give the probability that its answer to a chat starts with "yes"
(`YesProbabilityModel`; the llama.cpp generator has one). The consistency gate of
`assistant.models.judges` runs first and vetoes: its rules take microseconds, a model takes seconds
a pair, and they catch the wrong numbers and reversed relations small models miss. Only its name
check is left to the model (`names=False`, the default): measured with eval/entail_tune.py, a
claim naming something its cited sentence lacks is mostly an abstraction of the abstract (SciFact:
96 of 370 supported pairs), which the model can pass, while the foreign names of this corpus's
perturbations get P(yes) under the threshold from Qwen2.5-Coder-1.5B.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from assistant.citations import strip_markers
from assistant.models.judges import consistent
from assistant.prompts import Prompt, load_prompt


class YesProbabilityModel(Protocol):
    def yes_probability(self, messages: list[dict]) -> float:
        """P(the reply to these chat messages starts with "yes"), 0 to 1."""


class EntailmentJudge:
    """Support = P(yes | "does the premise support the claim?"), after the rule gate."""

    def __init__(self, model: YesProbabilityModel, threshold: float = 0.5, prompt: Prompt | None = None,
                 names: bool = False):
        self.model = model
        self.threshold = threshold
        self.prompt = prompt or load_prompt("entail")
        self.name = getattr(model, "name", type(model).__name__)
        self.names = names  # False: a name the source lacks is the model's to judge, not a veto

    def support(self, claim: str, sources: Sequence[str]) -> float:
        claim = strip_markers(claim)
        premise = " ".join(source.strip() for source in sources)
        if not claim or not premise or not consistent(claim, premise, self.names):
            return 0.0
        probability = self.model.yes_probability(self.prompt.messages(premise=premise, claim=claim))
        return max(0.0, min(1.0, float(probability)))
