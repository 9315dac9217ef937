"""Score support judges on labelled (claim, source) pairs: pass rates per label and per kind.

The offline judge always; with --model PATH.gguf also the entailment judge over that model
(the product's llama.cpp generator, one thread, first-token P(yes)), with seconds per pair. Two sets: eval/checker_dev.jsonl (this
corpus, one split) and ../shared/real/judge_dev/scifact_rte_train.tsv (read in place, never copied).
A claim "passes" when the judge scores it at least its threshold; a good judge passes supported
pairs and fails contradicted ones.

    python eval/checker_eval.py [--split test] [--scifact-split test] [--model PATH] [--sample N] [--threshold T]

eval/entail_tune.py measures the entailment model once a pair and chooses its threshold and gate.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
import zlib
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "eval"))
from scifact_split import assign_splits  # noqa: E402

from assistant import environment  # noqa: E402
from assistant.models.entailment import EntailmentJudge  # noqa: E402
from assistant.models.judges import EvidenceJudge, SupportJudge  # noqa: E402
from assistant.prompts import load_prompt  # noqa: E402
from assistant.settings import Settings  # noqa: E402

DEV_SET = ROOT / "eval" / "checker_dev.jsonl"
SCIFACT = ROOT.parent / "shared" / "real" / "judge_dev" / "scifact_rte_train.tsv"


def load_dev(path: Path = DEV_SET, split: str = "test") -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if split == "all" or r["split"] == split]


def load_scifact(path: Path = SCIFACT, split: str = "all") -> list[dict]:
    """SciFact's pairs, each with its half (eval/scifact_split.py: by claim, fixed seed)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        rows = [{"claim": r["sentence2"], "source": r["sentence1"], "kind": "scifact",
                 "label": "supported" if r["entailment"] == "entailment" else "contradicted"}
                for r in reader]
    return [r for r in assign_splits(rows) if split == "all" or r["split"] == split]


def sample(rows: list[dict], size: int | None) -> list[dict]:
    """A deterministic sample of at most `size` rows, spread over the kinds."""
    if not size or size >= len(rows):
        return rows
    ordered = sorted(rows, key=lambda r: zlib.crc32(r["claim"].encode()))
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for row in ordered:
        by_kind[row["kind"]].append(row)
    chosen: list[dict] = []
    while len(chosen) < size:
        for kind in sorted(by_kind):
            if by_kind[kind] and len(chosen) < size:
                chosen.append(by_kind[kind].pop(0))
    return chosen


def score(judge: SupportJudge, rows: Sequence[dict]) -> dict:
    """Pass counts per label and per kind, the scores, and seconds per pair."""
    passed: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    scores = []
    start = time.perf_counter()
    for row in rows:
        value = judge.support(row["claim"], [row["source"]])
        scores.append(value)
        for key in (f"label:{row['label']}", f"kind:{row['kind']}"):
            passed[key][0] += value >= judge.threshold
            passed[key][1] += 1
    seconds = (time.perf_counter() - start) / max(1, len(rows))
    return {"passed": dict(passed), "scores": scores, "seconds_per_pair": seconds}


def rate(result: dict, key: str) -> float:
    passed, total = result["passed"].get(key, (0, 0))
    return passed / total if total else float("nan")


def report(name: str, result: dict) -> str:
    seconds = result.get("seconds_per_pair")
    lines = [name + (f": {seconds:.3f} s a pair" if seconds is not None else "")]
    for key in sorted(result["passed"], key=lambda k: (not k.startswith("label"), k)):
        passed, total = result["passed"][key]
        lines.append(f"  {key:<22} passes {passed:>4}/{total:<4} = {passed / total:6.1%}")
    return "\n".join(lines)


class Ungated:
    """The entailment model alone, without the rule gate: what the model adds is measured
    against this and against the offline judge."""

    def __init__(self, judge: EntailmentJudge):
        self.judge, self.threshold = judge, judge.threshold

    def support(self, claim: str, sources: Sequence[str]) -> float:
        messages = self.judge.prompt.messages(premise=" ".join(sources), claim=claim)
        return self.judge.model.yes_probability(messages)


def offline_judge(threshold: float | None = None) -> EvidenceJudge:
    from assistant.models.embedders import SentenceTransformerEmbedder

    settings = Settings()
    return EvidenceJudge(SentenceTransformerEmbedder(settings.embedder, threads=1),
                         settings.support_threshold if threshold is None else threshold)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=["tune", "test", "all"])
    parser.add_argument("--model", type=Path, help="a GGUF chat model for the entailment judge")
    parser.add_argument("--sample", type=int, help="score the entailment judge on this many pairs a set")
    parser.add_argument("--threshold", type=float, help="the entailment judge's threshold (default: settings)")
    parser.add_argument("--ungated", action="store_true", help="also score the model without the rule gate")
    parser.add_argument("--model-only", action="store_true",
                        help="score only the model without the gate (the gated score is 0 where the gate "
                        "fails and the same P(yes) elsewhere, so it follows from these scores)")
    parser.add_argument("--no-scifact", action="store_true", help="skip the SciFact set")
    parser.add_argument("--scifact-split", default="test", choices=["tune", "test", "all"])
    parser.add_argument("--name-gate", action="store_true",
                        help="let the name rule veto for the entailment judge too (by default the model judges names)")
    parser.add_argument("--no-offline", action="store_true", help="skip the offline judge")
    parser.add_argument("--json", type=Path, help="also write every score here")
    args = parser.parse_args()
    environment.apply(allow_network=False)
    sets = {f"checker_dev[{args.split}]": load_dev(DEV_SET, args.split)}
    if SCIFACT.exists() and not args.no_scifact:
        sets[f"scifact[{args.scifact_split}]"] = load_scifact(split=args.scifact_split)
    judges = {} if args.no_offline else {"offline": (offline_judge(), None)}
    if args.model:
        threshold = Settings().entailment_threshold if args.threshold is None else args.threshold
        from assistant.models.llama_cpp import LlamaCppGenerator

        judge = EntailmentJudge(LlamaCppGenerator(args.model, max_new_tokens=1, threads=1), threshold,
                                load_prompt("entail", ROOT / "prompts"), names=args.name_gate)
        if not args.model_only:
            judges[f"entailment[{args.model.name}, t={threshold}]"] = (judge, args.sample)
        if args.ungated or args.model_only:
            judges[f"model alone[{args.model.name}, t={threshold}]"] = (Ungated(judge), args.sample)
    results = {}
    for set_name, rows in sets.items():
        for judge_name, (judge, size) in judges.items():
            chosen = sample(rows, size)
            result = score(judge, chosen)
            results[f"{set_name} / {judge_name}"] = {**result, "rows": chosen}
            print(report(f"{set_name} / {judge_name} ({len(chosen)} pairs)", result), flush=True)
            if args.json:  # after every set: a long run that is stopped keeps what it measured
                args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
