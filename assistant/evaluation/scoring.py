"""The eval's scoring judge, chosen apart from the pipeline's own, and a measure of how far to trust it.

SPEC (`assistant eval --score-judge SPEC`):
- `offline`: a fresh EvidenceJudge (embedding similarity and word overlap) at its default threshold;
- `nli:MODEL`: an NLI cross-encoder (Hugging Face id or local path);
- `entailment:MODEL`: an instruct model asked "does the source entail the claim?", scored by its
  probability of "yes". MODEL is a model name or a GGUF path; `ENTAILMENT_LOADERS` is where a
  loader of an object with `yes_probability(messages) -> float` plugs in (see `entailment_judge`).

The judge is measured on a labelled claim/rationale set (SciFact, ../shared/real/judge_dev/): its
accuracy, and how often it passes a claim its rationale contradicts.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from assistant.citations import strip_markers
from assistant.models.judges import EvidenceJudge, NLIJudge, SupportJudge
from assistant.schema import AssistantError
from assistant.text import split_sentences

DEFAULT_THRESHOLD = 0.5
JUDGE_DEV = Path("shared") / "real" / "judge_dev" / "scifact_rte_train.tsv"  # under the repo's parent

class YesNoModel(Protocol):
    def yes_probability(self, messages: list[dict[str, str]]) -> float: ...


def _installed_model(target: str) -> YesNoModel:
    """A registry model name or a GGUF path, run by llama.cpp (the model cache of the settings)."""
    from assistant.models import yes_model
    from assistant.settings import Settings

    return yes_model(target, Settings())


# name -> loader(model name or GGUF path) -> object with yes_probability(messages)
ENTAILMENT_LOADERS: dict[str, Callable[[str], YesNoModel]] = {"default": _installed_model}


def entailment_judge(target: str, loader: Callable[[str], YesNoModel] | None = None) -> SupportJudge:
    from assistant.models.entailment import EntailmentJudge

    from assistant.settings import Settings

    model = (loader or ENTAILMENT_LOADERS["default"])(target)
    # the pipeline's entailment judge, at the threshold chosen on the checker's tune half
    judge = EntailmentJudge(model, Settings().entailment_threshold)
    judge.name = f"entailment:{target}"
    return judge


def parse_spec(spec: str) -> tuple[str, str]:
    """(kind, target) of a SPEC, checked before any model loads; a bad SPEC is a one-line error."""
    kind, _, target = (spec or "").strip().partition(":")
    if (kind in ("auto", "offline") and not target) or (kind in ("nli", "entailment") and target):
        return kind, target
    raise AssistantError(f"unknown score judge {spec!r}: use auto, offline, nli:MODEL or entailment:MODEL")


def strongest_installed(cache_dir: Path) -> str | None:
    """The largest verified model of `assistant models list`, or None when none is installed."""
    from assistant.models import install

    verified = [m for m in install.REGISTRY.values() if install.status(m, cache_dir).verified]
    return max(verified, key=lambda m: m.size).name if verified else None


def resolve_spec(spec: str, cache_dir: Path) -> str:
    """`auto` (the default): the strongest installed instruct model as an entailment judge, which
    the pipeline's judge is not; `offline` when no model is installed. Other SPECs as given."""
    if parse_spec(spec)[0] != "auto":
        return spec
    strongest = strongest_installed(cache_dir)
    return f"entailment:{strongest}" if strongest else "offline"


def build_score_judge(spec: str, embedder, threads: int = 1,
                      loader: Callable[[str], YesNoModel] | None = None) -> SupportJudge:
    """The scoring judge named by SPEC (`auto` resolved first, see resolve_spec)."""
    kind, target = parse_spec(spec)
    if kind == "auto":
        raise AssistantError("resolve the score judge `auto` first (resolve_spec)")
    if kind == "offline":
        judge = EvidenceJudge(embedder, DEFAULT_THRESHOLD)
        judge.name = "offline"
        return judge
    if kind == "nli":
        return NLIJudge(target, DEFAULT_THRESHOLD, threads)
    return entailment_judge(target, loader)


def judge_name(judge) -> str:
    return getattr(judge, "name", type(judge).__name__)


def judge_dev_path(root: Path) -> Path:
    return root.parent / JUDGE_DEV


def read_judge_dev(path: Path) -> list[tuple[str, str, bool]]:
    """(rationale, claim, entailed) rows of the SciFact RTE file."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [(row["sentence1"], row["sentence2"], row["entailment"] == "entailment") for row in rows]


def measure_judge(judge: SupportJudge, pairs: Sequence[tuple[str, str, bool]]) -> dict:
    """Accuracy on labelled pairs, and the share of not-entailed claims it passes (lower is better)."""
    if not pairs:
        return {"pairs": 0, "accuracy": None, "not_entailment_pass_rate": None}
    verdicts = []
    for rationale, claim, entailed in pairs:
        sentences = [rationale[s:e] for s, e in split_sentences(rationale)] or [rationale]
        verdicts.append((judge.support(claim, sentences) >= judge.threshold, entailed))
    wrong_passes = [passed for passed, entailed in verdicts if not entailed]
    return {"pairs": len(verdicts),
            "accuracy": sum(passed == entailed for passed, entailed in verdicts) / len(verdicts),
            "not_entailment_pass_rate": (sum(wrong_passes) / len(wrong_passes)) if wrong_passes else None}


def judge_support(judge: SupportJudge) -> Callable[[str, Sequence[str]], bool]:
    """ALCE's support test with a judge: the claim against the sentences of the cited abstracts."""

    def supports(claim: str, abstracts: Sequence[str]) -> bool:
        sentences = [a[s:e] for a in abstracts for s, e in split_sentences(a)]
        return judge.support(strip_markers(claim), sentences) >= judge.threshold

    return supports
