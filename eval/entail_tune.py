"""Tune and measure the entailment judge from saved model scores: the model once a pair, every gate
and threshold after.

The model is the slow part (seconds a pair on one thread), the rules take microseconds. `score`
asks the model for P(yes) once a pair, on the pairs the name-free rule gate lets through (the others
score 0 under every gate measured here), and appends one JSON line a pair, so a stopped run keeps
what it measured and a second run resumes. `report` then scores each gate and threshold from those
lines. A whole half is too slow on a loaded machine, so pairs may be sampled; a rate is then a
stratified estimate: for each (label, gate outcome) stratum, its share of the whole half times the
model's pass rate on the stratum's scored pairs. Thresholds are chosen on SciFact's tune half and
reported on its test half and on the corpus test half.

    python eval/entail_tune.py score --model PATH.gguf --set scifact:tune --sample 40 --out S.jsonl
    python eval/entail_tune.py report S.jsonl
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from checker_eval import load_dev, load_scifact  # noqa: E402
from scifact_split import stratified  # noqa: E402

from assistant import environment  # noqa: E402
from assistant.models.judges import consistent  # noqa: E402
from assistant.prompts import load_prompt  # noqa: E402

GATES = {"rules": True, "rules without names": False}  # gate name -> `names` of the judge
GRID = [step / 20 for step in range(1, 20)]
CONTRADICTED_TARGET = 0.05


def load_set(spec: str) -> list[dict]:
    """The rows of "scifact:tune|test|all" or "corpus:tune|test|all"."""
    name, _, split = spec.partition(":")
    if name == "scifact":
        return load_scifact(split=split or "all")
    if name == "corpus":
        return load_dev(split=split or "test")
    raise SystemExit(f"unknown set {spec!r}: use scifact:SPLIT or corpus:SPLIT")


def stratum(row: dict) -> str:
    """Which gates let the pair through: "rules" (both), "names" (only the name-free one), "vetoed"."""
    return _stratum(row["claim"], row["source"])


@functools.lru_cache(maxsize=None)  # the report asks again at every threshold
def _stratum(claim: str, source: str) -> str:
    if consistent(claim, source):
        return "rules"
    return "names" if consistent(claim, source, names=False) else "vetoed"


def score(model, rows: Sequence[dict], out: Path, model_name: str, set_name: str,
          prompts: Path = ROOT / "prompts") -> None:
    """P(yes) of every row the name-free gate lets through, one line each, skipping rows in `out`."""
    prompt = load_prompt("entail", prompts)
    done = {(r["model"], r["set"], r["claim"], r["source"]) for r in read_scores([out])} if out.exists() else set()
    for row in rows:
        if (model_name, set_name, row["claim"], row["source"]) in done or stratum(row) == "vetoed":
            continue
        start = time.perf_counter()
        probability = model.yes_probability(prompt.messages(premise=row["source"], claim=row["claim"]))
        line = {"model": model_name, "set": set_name, "claim": row["claim"], "source": row["source"],
                "label": row["label"], "kind": row["kind"], "p_yes": probability,
                "seconds": time.perf_counter() - start}
        with out.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")


def read_scores(paths: Sequence[Path]) -> list[dict]:
    return [json.loads(line) for path in paths for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def estimate(rows: Sequence[dict], scores: dict[tuple[str, str], float], names: bool,
             threshold: float) -> dict[str, tuple[float, int]]:
    """Per label: the estimated pass rate of the gated judge on `rows` and how many pairs the model
    scored. A stratum with pairs but no scored pair makes the rate NaN (not measured)."""
    allowed = ("rules",) if names else ("rules", "names")
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["label"], stratum(row)].append(row)
    result = {}
    for label in sorted({row["label"] for row in rows}):
        total = sum(len(g) for (lab, _), g in groups.items() if lab == label)
        passed, scored = 0.0, 0
        for kind in allowed:
            values = [scores[r["claim"], r["source"]] for r in groups[label, kind]
                      if (r["claim"], r["source"]) in scores]
            if groups[label, kind] and not values:
                passed = float("nan")
            elif values:
                passed += len(groups[label, kind]) * sum(v >= threshold for v in values) / len(values)
            scored += len(values)
        result[label] = (passed / total, scored)
    return result


def choose_threshold(rows: Sequence[dict], scores: dict, names: bool) -> tuple[float, str]:
    """On a tune half: the threshold passing the most supported pairs with at most 5% of the
    contradicted ones (the issue's target); where no threshold meets it, the one maximising
    supported minus contradicted pass rates."""
    rates = {t: estimate(rows, scores, names, t) for t in GRID}
    meeting = [t for t in GRID if rates[t]["contradicted"][0] <= CONTRADICTED_TARGET]
    if meeting:
        return max(meeting, key=lambda t: (rates[t]["supported"][0], -t)), "target"
    return max(GRID, key=lambda t: (rates[t]["supported"][0] - rates[t]["contradicted"][0], -t)), "balance"


def report(paths: Sequence[Path]) -> str:
    lines = read_scores(paths)
    halves = {spec: load_set(spec) for spec in ("scifact:tune", "scifact:test", "corpus:test")}
    out = ["model | gate | threshold (chosen by) | set | supported pass | contradicted pass | s a call"]
    for model in sorted({line["model"] for line in lines}):
        seconds = defaultdict(list)
        scores: dict[str, dict] = defaultdict(dict)
        for line in (item for item in lines if item["model"] == model):
            scores[line["set"]][line["claim"], line["source"]] = line["p_yes"]
            seconds[line["set"].split(":")[0]].append(line["seconds"])
        for gate, names in GATES.items():
            if not scores["scifact:tune"]:
                continue
            threshold, why = choose_threshold(halves["scifact:tune"], scores["scifact:tune"], names)
            for spec, rows in halves.items():
                if not scores[spec]:
                    continue
                rates = estimate(rows, scores[spec], names, threshold)
                cells = [f"{rates[label][0]:.1%} (n={rates[label][1]})" for label in ("supported", "contradicted")]
                timing = seconds[spec.split(":")[0]]
                out.append(f"{model} | {gate} | {threshold:.2f} ({why}) | {spec} | {cells[0]} | {cells[1]} | "
                           f"{sum(timing) / len(timing):.1f}")
    return "\n".join(out)


def curve(paths: Sequence[Path], spec: str, model: str, names: bool) -> str:
    """Estimated pass rates of one model and gate on one half at every threshold of the grid."""
    scores = {(line["claim"], line["source"]): line["p_yes"] for line in read_scores(paths)
              if line["model"] == model and line["set"] == spec}
    rows = load_set(spec)
    out = [f"{model} on {spec}, gate {'rules' if names else 'rules without names'}: threshold supported contradicted"]
    for threshold in GRID:
        rates = estimate(rows, scores, names, threshold)
        out.append(f"  {threshold:.2f} {rates['supported'][0]:6.1%} {rates['contradicted'][0]:6.1%}")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("score", help="ask a GGUF model for P(yes) on a set, one line a pair")
    run.add_argument("--model", type=Path, required=True)
    run.add_argument("--set", required=True, help="scifact:tune, scifact:test or corpus:test")
    run.add_argument("--stratum", choices=["rules", "names"], help="only pairs of this gate outcome")
    run.add_argument("--sample", type=int, help="a stratified sample of this many pairs (by label)")
    run.add_argument("--out", type=Path, required=True)
    run.add_argument("--prompts", type=Path, help="a folder with another entail.yaml (its name tags the lines)")
    shown = commands.add_parser("report", help="thresholds chosen on tune, rates on the test halves")
    shown.add_argument("scores", type=Path, nargs="+")
    shown.add_argument("--curve", metavar="MODEL@SET", help="every threshold for one model and set, both gates")
    args = parser.parse_args()
    environment.apply(allow_network=False)
    if args.command == "report":
        if args.curve:
            model, _, spec = args.curve.rpartition("@")
            print("\n".join(curve(args.scores, spec, model, names) for names in GATES.values()))
        else:
            print(report(args.scores))
        return
    from assistant.models.llama_cpp import LlamaCppGenerator

    rows = [row for row in load_set(args.set) if args.stratum in (None, stratum(row))]
    model = LlamaCppGenerator(args.model, max_new_tokens=1, threads=1)
    name = args.model.stem + (f"@{args.prompts.name}" if args.prompts else "")
    score(model, stratified(rows, args.sample) if args.sample else rows, args.out, name, args.set,
          args.prompts or ROOT / "prompts")


if __name__ == "__main__":
    main()
