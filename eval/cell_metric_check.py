"""Does the eval's table-cell accuracy move when cell choice is removed? The labelled comparison
questions of eval/compare_cells.jsonl, asked of the configured store without a model (cells do not
depend on it), scored by `table_cell_accuracy` as chosen and with every row given the abstract's
first sentence (the row-ranking feature removed).

    ASSISTANT_STORE=... python eval/cell_metric_check.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant import environment  # noqa: E402


def first_sentence_cells(queries, paper, embedder):
    """Every row the abstract's first sentence: what cells are without ranking sentences for rows."""
    from assistant.cells import sentence_spans

    spans = sentence_spans(paper)
    return {row.name: (spans[0], 1.0) for row in queries.rows} if spans else {}


def accuracy(assistant, questions: list[str], labels) -> float | None:
    from assistant.evaluation.authorship import comparison_metrics
    from assistant.export import comparison_dict
    from assistant.reports import Comparison

    records = []
    for index, question in enumerate(questions):
        result = assistant.ask(question)
        if not isinstance(result, Comparison):  # answered as a question, as the eval would score it
            print(f"not a comparison: {question}")
            continue
        made = comparison_dict(result)
        records.append({"id": str(index), "kind": "comparison", "abstained": made["abstained"],
                        "question": question, "papers": [p["title"] for p in made["papers"]],
                        "table": made["table"]})
    gold = {r["id"]: [] for r in records}
    return comparison_metrics(records, gold, gold, labels).get("table_cell_accuracy")


def main() -> None:
    environment.apply()
    from assistant import compare
    from assistant.cli.common import assistant
    from assistant.evaluation.authorship import read_cell_labels
    from assistant.evaluation.suite import CELL_LABELS, extractive_assistant

    labels = read_cell_labels(CELL_LABELS)
    questions = list(dict.fromkeys(question for question, _ in labels))
    quiet = extractive_assistant(assistant())
    chosen = accuracy(quiet, questions, labels)
    compare.pick_cells = first_sentence_cells
    removed = accuracy(quiet, questions, labels)
    print(f"table_cell_accuracy on {len(questions)} labelled comparisons: {chosen:.3f} as built, "
          f"{removed:.3f} with every row given the first sentence")


if __name__ == "__main__":
    main()
