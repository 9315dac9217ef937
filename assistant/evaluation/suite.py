"""One eval run: the system and its baselines on the same questions, scored by an independent judge.

Baselines, all measured in the same run:
- extractive: the same pipeline (retrieval, evidence, abstention, checks) with the model switched
  off, so every answer, table paragraph and digest quotes its best evidence sentences;
- dense_only, bm25_only: one side of hybrid retrieval (with the title boost);
- no_title_boost: hybrid retrieval without the lift for papers the question names.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assistant.evaluation.authorship import read_cell_labels
from assistant.evaluation.metrics import summarise
from assistant.evaluation.run import SEARCH_DEPTH, run, write_records
from assistant.evaluation.scoring import (
    judge_dev_path, judge_name, judge_support, measure_judge, read_judge_dev,
)

from assistant.models.generators import ExtractiveGenerator

ROOT = Path(__file__).resolve().parents[2]
CELL_LABELS = ROOT / "eval" / "compare_cells.jsonl"
RETRIEVAL_BASELINES = {"dense_only": {"lexical": False}, "bm25_only": {"dense": False},
                       "no_title_boost": {"title_boost": 0.0}}
BASELINES = ("extractive", *RETRIEVAL_BASELINES)


def extractive_assistant(assistant):
    """The same assistant (store, embedder, judge, settings, retriever) without a model."""
    from assistant.app import Assistant

    quiet = Assistant(assistant.settings, assistant.store, assistant.embedder, ExtractiveGenerator(),
                      assistant.judge)
    quiet.retriever = assistant.retriever  # the very same retrieval, not a rebuilt copy
    return quiet


def ablated_retriever(assistant, name: str):
    from assistant.retrieval import Retriever

    options = {"title_boost": assistant.retriever.title_boost, **RETRIEVAL_BASELINES[name]}
    return Retriever(assistant.store, assistant.embedder, **options)


def search_records(retriever, questions: Sequence[dict]) -> list[dict]:
    return [{"id": q["id"], "type": q["type"], "question": q["question"],
             "retrieved": [p.title for p in retriever.search(q["question"], SEARCH_DEPTH)]}
            for q in questions]


def _cell_labels() -> dict:
    """The hand-labelled comparison cells (eval/compare_cells.jsonl), when the checkout has them."""
    return read_cell_labels(CELL_LABELS) if CELL_LABELS.is_file() else {}


def _sibling(out: Path, name: str) -> Path:
    return out.with_name(f"{out.stem}.{name}{out.suffix}")


def evaluate(assistant, questions: Sequence[dict], out: Path, retrieval_only: bool = False,
             score_judge=None, progress=None, judge_dev: Path | None = None) -> tuple[list[dict], dict]:
    """Run the system and every baseline; write records (the system's to `out`, each generating
    baseline's beside it) and return the system's records and {"system", "baselines", "judges"}."""
    by_id = {q["id"]: q for q in questions}
    steps = 1 if retrieval_only else 2
    step = (lambda offset: (lambda done, total: progress(done + offset * total, steps * total))
            if progress else None)
    records = write_records(run(assistant, questions, retrieval_only, step and step(0)), out)
    baselines = {name: summarise(search_records(ablated_retriever(assistant, name), questions), by_id)
                 for name in RETRIEVAL_BASELINES}
    if retrieval_only:
        return records, {"system": summarise(records, by_id), "baselines": baselines}
    abstracts = {p.title: p.abstract for p in assistant.papers()}
    scorer = score_judge or assistant.judge
    judged = {"abstracts": abstracts, "supports": judge_support(scorer),
              "pipeline_supports": judge_support(assistant.judge), "cell_labels": _cell_labels()}
    quoted = write_records(run(extractive_assistant(assistant), questions, False, step and step(1)),
                           _sibling(out, "extractive"))
    baselines = {"extractive": summarise(quoted, by_id, **judged), **baselines}
    dev = judge_dev or judge_dev_path(ROOT)
    judges = {"pipeline": judge_name(assistant.judge), "score": judge_name(scorer),
              "score_dev": measure_judge(scorer, read_judge_dev(dev)) if dev.is_file()
              else {"pairs": 0, "missing": str(dev)}}
    return records, {"system": summarise(records, by_id, **judged), "baselines": baselines,
                     "judges": judges}
