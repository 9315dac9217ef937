"""Which generator earns its place? The same questions, the same store and the same pipeline, with
each generator in turn and with none (extractive: the best evidence sentences quoted), in one run.

    python eval/generators.py --store STORE [--questions eval/questions.jsonl] [--split test]
        [--generators extractive,SmolLM2-135M-Instruct@transformers,...] [--out eval/out/generators]

A generator is a name as `ASSISTANT_GENERATOR` takes it, optionally `@backend` (transformers or
llama.cpp). Prints a Markdown table and writes it with the per-question records (JSON Lines).
Per generator: key facts, citation precision / recall, abstention, false abstention, the share of
shown sentences that are the model's own checked sentences (kept or re-cited) against quoted ones,
answer seconds p50 / p95, seconds to the first shown sentence p50 (a quote, when quotes come first)
and to the model's first shown checked sentence p50.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant import environment  # noqa: E402

environment.apply(allow_network=False)

DEFAULT = ("extractive,SmolLM2-135M-Instruct@transformers,SmolLM2-135M-Instruct@llama.cpp,"
           "qwen2.5-coder-0.5b-instruct,qwen2.5-coder-1.5b-instruct")
ANSWERABLE = ("factual", "compare", "topic")


def build(spec: str, base):
    """The Assistant for one generator spec, sharing the store and embedder of `base`."""
    from assistant.app import Assistant
    from assistant.models import build_generator

    name, _, backend = spec.partition("@")
    settings = base.settings.model_copy(update={"generator": name,
                                                "generator_backend": backend or "auto"})
    generator = build_generator(settings)
    return Assistant(base.settings, base.store, base.embedder, generator, base.judge)


def ask_timed(assistant, question: str) -> tuple[dict, float, float | None, float | None]:
    """The result as `ask --json` gives it, total seconds, seconds to the first shown sentence (a
    quote, when quotes come first) and to the model's first shown checked sentence (None: none)."""
    from assistant.evaluation.authorship import OWN
    from assistant.export import result_dict

    started = time.perf_counter()
    first = own = None
    for event in assistant.ask_stream(question):
        if first is None and getattr(event, "shown", False):
            first = time.perf_counter() - started
        if own is None and getattr(event, "shown", False) and getattr(event, "action", "") in OWN:
            own = time.perf_counter() - started
        result = event
    total = time.perf_counter() - started
    record = result_dict(result)
    if record["kind"] == "comparison":
        record["answer"] = record["text"]
        first = first or total  # a comparison shows its table and paragraph at once
    return record, total, first, own


def summary(records: list[dict], questions: dict[str, dict]) -> dict:
    from assistant.evaluation.authorship import OWN
    from assistant.evaluation.metrics import citation_precision, citation_recall, key_fact_coverage

    def mean(values):
        values = [v for v in values if v is not None]
        return sum(values) / len(values) if values else None

    answerable = [r for r in records if r["type"] in ANSWERABLE]
    gold = {r["id"]: questions[r["id"]]["gold_titles"] for r in records}
    shown = [s for r in records for s in r["sentences"] if s["action"] != "dropped"]
    own = sum(s["action"] in OWN for s in shown)
    seconds = sorted(r["seconds"] for r in records)
    firsts = [r["first_sentence_s"] for r in records if r["first_sentence_s"] is not None]
    owns = [r["first_own_s"] for r in records if r.get("first_own_s") is not None]
    return {
        "questions": len(records),
        "key_facts": mean(key_fact_coverage(r, questions[r["id"]]["key_facts"]) for r in answerable),
        "citation_precision": mean(citation_precision(r, gold[r["id"]]) for r in answerable),
        "citation_recall": mean(citation_recall(r, gold[r["id"]]) for r in answerable),
        "abstention": mean(float(r["abstained"]) for r in records if r["type"] == "unanswerable"),
        "false_abstention": mean(float(r["abstained"]) for r in answerable),
        "model_sentences": own, "quoted_sentences": len(shown) - own,
        "p50_s": statistics.median(seconds) if seconds else None,
        "p95_s": seconds[min(len(seconds) - 1, round(0.95 * (len(seconds) - 1)))] if seconds else None,
        "first_sentence_p50_s": statistics.median(firsts) if firsts else None,
        "first_own_p50_s": statistics.median(owns) if owns else None,
    }


def table(rows: dict[str, dict]) -> str:
    def cell(value, digits=3):
        return "–" if value is None else f"{value:.{digits}f}" if isinstance(value, float) else str(value)

    lines = ["| generator | key facts | cite P | cite R | abstain ok | false abstain | "
             "model's own / quoted sentences | p50 / p95 s | first sentence p50 s | "
             "model's first checked sentence p50 s |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, m in rows.items():
        lines.append(f"| {name} | {cell(m['key_facts'])} | {cell(m['citation_precision'])} | "
                     f"{cell(m['citation_recall'])} | {cell(m['abstention'], 2)} | "
                     f"{cell(m['false_abstention'], 2)} | {m['model_sentences']} / "
                     f"{m['quoted_sentences']} | {cell(m['p50_s'], 1)} / {cell(m['p95_s'], 1)} | "
                     f"{cell(m['first_sentence_p50_s'], 1)} | {cell(m['first_own_p50_s'], 1)} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions.jsonl")
    parser.add_argument("--split", default=None, help="only questions of this split (tune / test)")
    parser.add_argument("--every", type=int, default=1)
    parser.add_argument("--generators", default=DEFAULT)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "out" / "generators")
    arguments = parser.parse_args()
    from assistant.app import Assistant
    from assistant.settings import Settings

    questions = [json.loads(line) for line in arguments.questions.read_text().splitlines() if line.strip()]
    questions = [q for q in questions if arguments.split in (None, q.get("split"))][::arguments.every]
    overrides = {"store": arguments.store}
    if arguments.threads:
        overrides["threads"] = arguments.threads
    base = Assistant.from_settings(Settings(**overrides))
    by_id = {q["id"]: q for q in questions}
    arguments.out.mkdir(parents=True, exist_ok=True)
    rows = {}
    for spec in arguments.generators.split(","):
        assistant = build(spec, base)
        assistant.ask(questions[0]["question"])  # warm-up: loads the model
        records = []
        for question in questions:
            record, total, first, own = ask_timed(assistant, question["question"])
            records.append({"id": question["id"], "type": question["type"], **record,
                            "seconds": total, "first_sentence_s": first, "first_own_s": own})
        (arguments.out / f"{spec.replace('/', '_').replace('@', '-')}.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in records))
        rows[spec] = summary(records, by_id)
        print(f"{spec}: {json.dumps(rows[spec])}", file=sys.stderr, flush=True)
    text = table(rows)
    (arguments.out / "generators.md").write_text(
        f"{len(questions)} questions of {arguments.questions.name}"
        f"{' (' + arguments.split + ')' if arguments.split else ''}\n\n{text}\n")
    (arguments.out / "generators.json").write_text(json.dumps(rows, indent=2))
    print(text)


if __name__ == "__main__":
    main()
