"""Eval summary -> a Markdown report with a PNG bar chart of the main metrics."""

from __future__ import annotations

from pathlib import Path

COLUMNS = [
    ("questions", "n"), ("recall@5", "R@5"), ("recall@10", "R@10"), ("mrr", "MRR"),
    ("citation_precision", "cite P"), ("citation_recall", "cite R"),
    ("alce_citation_recall", "ALCE R"), ("alce_citation_precision", "ALCE P"),
    ("topic_precision", "topic P"), ("topic_recall", "topic R"),
    ("digest_citation_precision", "digest cite P"), ("digest_alce_recall", "digest ALCE R"), ("key_facts", "key facts"), ("abstention_accuracy", "abstain ok"),
    ("false_abstention", "false abstain"), ("latency_p50_s", "p50 s"), ("latency_p95_s", "p95 s"),
]
PLOTTED = ["recall@5", "mrr", "citation_precision", "citation_recall", "alce_citation_recall",
           "alce_citation_precision", "key_facts", "abstention_accuracy"]
GROUP_ORDER = ["factual", "compare", "topic", "unanswerable", "all"]


def _cell(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return str(value)
    return f"{value:.3f}"


def metrics_table(summary: dict[str, dict]) -> str:
    groups = [g for g in GROUP_ORDER if g in summary] + sorted(set(summary) - set(GROUP_ORDER))
    columns = [(key, label) for key, label in COLUMNS if any(summary[g].get(key) is not None for g in groups)]
    lines = ["| type | " + " | ".join(label for _, label in columns) + " |",
             "|---|" + "---|" * len(columns)]
    for group in groups:
        lines.append(f"| {group} | " + " | ".join(_cell(summary[group].get(k)) for k, _ in columns) + " |")
    return "\n".join(lines)


def plot(summary: dict[str, dict], path: Path) -> Path | None:
    """Bar chart of the overall main metrics; None when nothing is plottable."""
    overall = summary.get("all", {})
    names = [name for name in PLOTTED if overall.get(name) is not None]
    if not names:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(8, 3.2), dpi=100)
    values = [overall[name] for name in names]
    axes.bar(names, values, color="#4c72b0")
    axes.set_ylim(0, 1)
    axes.set_title("Main metrics, all questions")
    for index, value in enumerate(values):
        axes.text(index, value + 0.02, f"{value:.2f}", ha="center", fontsize=8)
    pyplot.setp(axes.get_xticklabels(), rotation=30, ha="right", fontsize=8)
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)
    return path


def write_report(summary: dict[str, dict], path: Path, title: str, notes: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = plot(summary, path.with_suffix(".png"))
    parts = [f"# {title}", "", metrics_table(summary), ""]
    if image:
        parts += [f"![main metrics]({image.name})", ""]
    parts += [f"- {note}" for note in notes]
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
