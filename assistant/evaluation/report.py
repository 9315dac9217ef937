"""Eval result -> a Markdown report: the system next to its baselines, per question type, the judges,
and a PNG chart of the main metrics for the system and each baseline."""

from __future__ import annotations

from pathlib import Path

COLUMNS = [
    ("questions", "n"), ("recall@5", "R@5"), ("recall@10", "R@10"), ("mrr", "MRR"),
    ("citation_precision", "cite P"), ("citation_recall", "cite R"),
    ("alce_citation_recall", "ALCE R (score judge)"), ("alce_citation_precision", "ALCE P (score judge)"),
    ("pipeline_alce_citation_recall", "ALCE R (pipeline judge)"),
    ("pipeline_alce_citation_precision", "ALCE P (pipeline judge)"),
    ("own_sentences", "own sentences"),
    ("table_paper_recall", "table papers R"), ("table_paper_precision", "table papers P"),
    ("table_cell_accuracy", "table cell accuracy"), ("table_key_facts", "table key facts"),
    ("paragraph_key_facts", "paragraph key facts"), ("paragraph_contrasts", "paragraph contrasts"),
    ("paragraph_own_sentences", "paragraph own sentences"),
    ("topic_precision", "topic P"), ("topic_recall", "topic R"),
    ("digest_citation_precision", "digest cite P"),
    ("digest_alce_recall", "digest ALCE R (score judge)"),
    ("pipeline_digest_alce_recall", "digest ALCE R (pipeline judge)"),
    ("digest_fragments", "digest fragments"), ("digest_own_sentences", "digest own sentences"),
    ("key_facts", "key facts"), ("abstention_accuracy", "abstain ok"),
    ("false_abstention", "false abstain"), ("latency_p50_s", "p50 s"), ("latency_p95_s", "p95 s"),
]
PLOTTED = ["recall@5", "mrr", "citation_precision", "citation_recall", "alce_citation_recall",
           "key_facts", "own_sentences", "abstention_accuracy"]
GROUP_ORDER = ["factual", "compare", "topic", "unanswerable", "all"]


def _cell(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return str(value)
    return f"{value:.3f}"


def metrics_table(summary: dict[str, dict]) -> str:
    """One row per question type, one column per metric (the system alone)."""
    groups = [g for g in GROUP_ORDER if g in summary] + sorted(set(summary) - set(GROUP_ORDER))
    columns = [(key, label) for key, label in COLUMNS if any(summary[g].get(key) is not None for g in groups)]
    lines = ["| type | " + " | ".join(label for _, label in columns) + " |",
             "|---|" + "---|" * len(columns)]
    for group in groups:
        lines.append(f"| {group} | " + " | ".join(_cell(summary[group].get(k)) for k, _ in columns) + " |")
    return "\n".join(lines)


def side_by_side(result: dict, group: str = "all") -> str:
    """One row per metric, the system and every baseline side by side (one question group)."""
    runs = {"system": result["system"], **result.get("baselines", {})}
    names = [n for n in runs if group in runs[n]]
    rows = [(key, label) for key, label in COLUMNS
            if any(runs[n][group].get(key) is not None for n in names)]
    lines = ["| metric | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for key, label in rows:
        lines.append(f"| {label} | " + " | ".join(_cell(runs[n][group].get(key)) for n in names) + " |")
    return "\n".join(lines)


def judges_text(judges: dict) -> list[str]:
    if not judges:
        return []
    dev = judges.get("score_dev", {})
    lines = [f"- pipeline judge (filters the answers; its ALCE figures are a consistency check): "
             f"{judges['pipeline']}", f"- scoring judge (independent ALCE figures): {judges['score']}"]
    if dev.get("pairs"):
        lines.append(f"- scoring judge on the SciFact claim/rationale dev set ({dev['pairs']} pairs): "
                     f"accuracy {_cell(dev['accuracy'])}, passes {_cell(dev['not_entailment_pass_rate'])} "
                     "of the not_entailment claims")
    else:
        lines.append(f"- scoring judge not measured: no judge dev set at {dev.get('missing')}")
    return lines


def plot(result: dict, path: Path) -> Path | None:
    """Grouped bars of the overall main metrics, system and baselines; None when nothing is plottable."""
    runs = {"system": result["system"], **result.get("baselines", {})}
    runs = {name: summary.get("all", {}) for name, summary in runs.items()}
    names = [m for m in PLOTTED if any(r.get(m) is not None for r in runs.values())]
    if not names:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(10, 3.6), dpi=100)
    width = 0.8 / len(runs)
    for index, (run_name, overall) in enumerate(runs.items()):
        positions = [m + index * width for m in range(len(names))]
        axes.bar(positions, [overall.get(m) or 0.0 for m in names], width, label=run_name)
    axes.set_xticks([m + 0.4 - width / 2 for m in range(len(names))], names)
    axes.set_ylim(0, 1.05)
    axes.set_title("Main metrics, all questions: system and baselines")
    axes.legend(fontsize=7, ncols=len(runs))
    pyplot.setp(axes.get_xticklabels(), rotation=20, ha="right", fontsize=8)
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)
    return path


def write_report(result: dict, path: Path, title: str, notes: list[str],
                 failures: list[str] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = plot(result, path.with_suffix(".png"))
    parts = [f"# {title}", "", "## System and baselines (all questions)", "", side_by_side(result), ""]
    if image:
        parts += [f"![main metrics]({image.name})", ""]
    parts += ["## System by question type", "", metrics_table(result["system"]), ""]
    parts += ["## Judges", "", *judges_text(result.get("judges", {})), ""]
    if failures is not None:
        parts += ["## Floors", ""] + ([f"- FAILED {f}" for f in failures] or ["- all floors hold"]) + [""]
    parts += [f"- {note}" for note in notes]
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
