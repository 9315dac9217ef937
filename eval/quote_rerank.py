"""Can an instruct model choose the sentences to quote better than the embedder does?

    python eval/quote_rerank.py --store STORE --model X.gguf [--split tune]

For every answerable factual question of the split with key facts: the evidence the pipeline
selects, quoted two ways: the pipeline's own choice (writing.best_quotes) and the two sentences the
model gives the highest P(yes) for "does this sentence answer the question?" (llama.cpp, first-token
probabilities). Prints the key-fact coverage of each and the model's seconds a question.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SYSTEM = ("You judge whether a sentence from a paper's abstract answers a question. "
          "Answer with one word: yes or no.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--split", default="tune")
    parser.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions.jsonl")
    arguments = parser.parse_args()
    from assistant import environment

    environment.apply(allow_network=False)
    from assistant.app import Assistant
    from assistant.evaluation.metrics import key_fact_coverage
    from assistant.models.llama_cpp import LlamaCppGenerator
    from assistant.settings import Settings
    from assistant.writing import best_quotes

    settings = Settings(store=arguments.store)
    assistant = Assistant.from_settings(settings, read_only=True)
    model = LlamaCppGenerator(arguments.model, max_new_tokens=1, threads=settings.threads, decode_threads=1)
    questions = [json.loads(line) for line in arguments.questions.read_text().splitlines() if line.strip()]
    questions = [q for q in questions if q.get("split") == arguments.split and q["type"] == "factual"
                 and q.get("key_facts")]

    def covered(picks, facts):
        text = " ".join(e.text for e in sorted(picks, key=lambda e: e.marker))
        return key_fact_coverage({"answer": text}, facts)

    pipeline, chosen, seconds = [], [], 0.0
    for question in questions:
        answer = assistant.ask(question["question"])
        if answer.abstained or not answer.evidence:
            continue
        started = time.perf_counter()
        scores = {e.marker: model.yes_probability([
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"Question: {question['question']}\nPaper: {e.title}\n"
                                        f"Sentence: {e.text}\nDoes the sentence answer the question?"}])
            for e in answer.evidence}
        seconds += time.perf_counter() - started
        pipeline.append(covered(best_quotes(question["question"], answer.evidence), question["key_facts"]))
        chosen.append(covered(sorted(answer.evidence, key=lambda e: -scores[e.marker])[:2],
                              question["key_facts"]))
    count = len(pipeline)
    print(json.dumps({"model": arguments.model.name, "split": arguments.split, "questions": count,
                      "key_facts_pipeline_quotes": sum(pipeline) / count,
                      "key_facts_model_quotes": sum(chosen) / count, "model_s_per_question": seconds / count}))


if __name__ == "__main__":
    main()
