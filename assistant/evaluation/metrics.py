"""Eval metrics over result records (one dict per question, as `assistant eval` writes them).

Pure functions of the records, so they are tested on hand-made files with known values.
Sentence-level citation recall and precision follow ALCE (Gao et al., 2023): a sentence's
citations recall it when they support it together; a citation is precise unless it neither
supports the sentence alone nor is needed by the others. ALCE figures come twice when both judges
are given: `supports` is the eval's independent scoring judge ("alce_*"), `pipeline_supports` the
pipeline's own ("pipeline_alce_*", a consistency check: it is the judge that filtered the sentences).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence

from assistant.evaluation import authorship

ANSWERABLE = ("factual", "compare", "topic")
Support = Callable[[str, Sequence[str]], bool]  # claim, cited abstracts -> supported?


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def recall_at(record: dict, gold: Sequence[str], k: int) -> float | None:
    if not gold:
        return None
    return len(set(record["retrieved"][:k]) & set(gold)) / len(set(gold))


def reciprocal_rank(record: dict, gold: Sequence[str]) -> float | None:
    if not gold:
        return None
    for rank, title in enumerate(record["retrieved"], 1):
        if title in gold:
            return 1.0 / rank
    return 0.0


def citation_precision(record: dict, gold: Sequence[str]) -> float | None:
    cited = {c["title"] for c in record.get("citations", [])}
    return len(cited & set(gold)) / len(cited) if cited and gold else None


def citation_recall(record: dict, gold: Sequence[str]) -> float | None:
    if not gold or record.get("abstained") is None:
        return None
    cited = {c["title"] for c in record.get("citations", [])}
    return len(cited & set(gold)) / len(set(gold))


def key_fact_coverage(record: dict, facts: Sequence[str]) -> float | None:
    if not facts or record.get("answer") is None:
        return None
    answer = record["answer"].lower()
    return sum(fact.lower() in answer for fact in facts) / len(facts)


def alce(record: dict, abstracts: dict[str, str], supports: Support) -> tuple[list[int], list[int]]:
    """Per shown sentence: 1/0 citation recall; per citation: 1/0 citation precision."""
    recall, precision = [], []
    for sentence in record.get("sentences", []):
        if not sentence.get("text"):
            continue
        cited = [abstracts[t] for t in dict.fromkeys(sentence.get("cited_titles", [])) if t in abstracts]
        together = bool(cited) and supports(sentence["text"], cited)
        recall.append(int(together))
        for index, source in enumerate(cited):
            alone = supports(sentence["text"], [source])
            others = cited[:index] + cited[index + 1:]
            needed = not (others and supports(sentence["text"], others))
            precision.append(int(alone or (together and needed)))
    return recall, precision


def summarise(records: Sequence[dict], questions: dict[str, dict], abstracts: dict[str, str] | None = None,
              supports: Support | None = None, pipeline_supports: Support | None = None,
              cell_labels: authorship.CellLabels | None = None) -> dict[str, dict]:
    """Metrics per question type and overall ("all")."""
    groups: dict[str, list[dict]] = {"all": list(records)}
    for record in records:
        groups.setdefault(record["type"], []).append(record)
    judges = {"": supports, "pipeline_": pipeline_supports}
    return {name: _group_metrics(group, questions, abstracts, judges, cell_labels)
            for name, group in groups.items()}


def _alce_pooled(records, abstracts, supports) -> tuple[float | None, float | None]:
    recall, precision = [], []
    for record in records:
        r, p = alce(record, abstracts, supports)
        recall += r
        precision += p
    return _mean(recall), _mean(precision)


def _judged(records, abstracts, judges, prefix: str) -> dict:
    """ALCE recall and precision under each judge given (named by its prefix)."""
    metrics = {}
    for name, supports in judges.items():
        if abstracts is not None and supports is not None:
            recall, precision = _alce_pooled(records, abstracts, supports)
            metrics[f"{name}{prefix}alce_recall" if prefix else f"{name}alce_citation_recall"] = recall
            metrics[f"{name}{prefix}alce_precision" if prefix else f"{name}alce_citation_precision"] = precision
    return metrics


def _group_metrics(records, questions, abstracts, judges, cell_labels) -> dict:
    gold = {r["id"]: questions[r["id"]].get("gold_titles", []) for r in records}
    facts = {r["id"]: questions[r["id"]].get("key_facts", []) for r in records}
    answered = [r for r in records if r.get("answer") is not None]
    metrics = {
        "questions": len(records),
        "recall@5": _mean(v for r in records if (v := recall_at(r, gold[r["id"]], 5)) is not None),
        "recall@10": _mean(v for r in records if (v := recall_at(r, gold[r["id"]], 10)) is not None),
        "mrr": _mean(v for r in records if (v := reciprocal_rank(r, gold[r["id"]])) is not None),
    }
    topical = [r for r in records if "topic_papers" in r and gold[r["id"]]]
    if topical:  # the digest's --topic filter against the gold list
        metrics["topic_precision"] = _mean(
            len(set(r["topic_papers"]) & set(gold[r["id"]])) / len(r["topic_papers"])
            if r["topic_papers"] else 0.0 for r in topical)
        metrics["topic_recall"] = _mean(len(set(r["topic_papers"]) & set(gold[r["id"]]))
                                        / len(set(gold[r["id"]])) for r in topical)
    digests = [r for r in records if "digest" in r]
    if digests:  # the digest's paragraph for the topic: does it cite on-topic papers, is it grounded?
        metrics["digest_citation_precision"] = _mean(
            v for r in digests if (v := citation_precision(r["digest"], gold[r["id"]])) is not None)
        metrics.update(_judged([r["digest"] for r in digests], abstracts, judges, "digest_"))
        metrics.update(authorship.digest_metrics(digests))
    if answered:
        metrics.update(_answer_metrics(answered, gold, facts, abstracts, judges))
        metrics.update(authorship.answer_metrics(answered))
        metrics.update(authorship.comparison_metrics(answered, gold, facts, cell_labels))
    return metrics


def _answer_metrics(records, gold, facts, abstracts, judges) -> dict:
    answerable = [r for r in records if r["type"] in ANSWERABLE]
    unanswerable = [r for r in records if r["type"] == "unanswerable"]
    seconds = [r["seconds"] for r in records if r.get("seconds") is not None]
    metrics = {
        "citation_precision": _mean(v for r in answerable
                                    if (v := citation_precision(r, gold[r["id"]])) is not None),
        "citation_recall": _mean(v for r in answerable
                                 if (v := citation_recall(r, gold[r["id"]])) is not None),
        "key_facts": _mean(v for r in answerable if (v := key_fact_coverage(r, facts[r["id"]])) is not None),
        "abstention_accuracy": _mean(float(r["abstained"]) for r in unanswerable),
        "false_abstention": _mean(float(r["abstained"]) for r in answerable),
        "latency_p50_s": statistics.median(seconds) if seconds else None,
        "latency_p95_s": _percentile(seconds, 95),
    }
    metrics.update(_judged(records, abstracts, judges, ""))
    return metrics


def _percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
