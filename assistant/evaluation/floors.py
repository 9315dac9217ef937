"""Floors an eval must clear, absolute or relative to the baselines measured in the same run.

A floors file maps mode ("retrieval", "generation") -> group ("all", "factual", ...) -> metric ->
bound, where a bound is one of, or a list of:
- a number: the metric is at least this (an absolute sanity floor);
- {"max": n}: the metric is at most n;
- {"over": BASELINE, "by": m}: the metric is at least BASELINE's value of it + m (m may be negative:
  "MRR no lower than dense-only - 0.01" is {"over": "dense_only", "by": -0.01});
- {"under": BASELINE, "by": m}: the metric is at most BASELINE's value + m.
A group named "baselines" holds floors of the baselines themselves (name -> group -> metric ->
bound): "BM25 alone still finds the papers" fails when BM25 is broken, whatever the system scores.
Keys starting with "_" are comments.
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.schema import AssistantError


def read_floors(path: Path, mode: str) -> dict:
    try:
        floors = json.loads(Path(path).read_text(encoding="utf-8")).get(mode, {})
    except (OSError, json.JSONDecodeError, AttributeError) as error:
        raise AssistantError(f"cannot read floors file {path}: {error}") from None
    return {group: wanted for group, wanted in floors.items() if not group.startswith("_")}


def _shown(value) -> str:
    return "missing" if value is None else f"{value:.3f}"


def _failure(where: str, value, bound, baselines: dict) -> str | None:
    """The failure message of one bound, or None when it holds."""
    if isinstance(bound, (int, float)):
        return None if value is not None and value >= bound else f"{where}: {_shown(value)} < {bound}"
    if not isinstance(bound, dict):
        raise AssistantError(f"floor of {where} must be a number or an object, not {bound!r}")
    if "max" in bound:
        return None if value is not None and value <= bound["max"] else \
            f"{where}: {_shown(value)} > {bound['max']}"
    side = "over" if "over" in bound else "under" if "under" in bound else None
    if side is None:
        raise AssistantError(f"floor of {where} needs max, over or under: {bound!r}")
    name, margin = bound[side], float(bound.get("by", 0.0))
    group, metric = where.split(" ", 1)
    reference = baselines.get(name, {}).get(group, {}).get(metric)
    if reference is None:
        return f"{where}: baseline {name} has no value"
    limit = reference + margin
    text = f"{name} {reference:.3f} {'+' if margin >= 0 else '-'} {abs(margin):g}"
    if side == "over":
        return None if value is not None and value >= limit - 1e-9 else f"{where}: {_shown(value)} < {text}"
    return None if value is not None and value <= limit + 1e-9 else f"{where}: {_shown(value)} > {text}"


def check_floors(summary: dict[str, dict], floors: dict[str, dict],
                 baselines: dict[str, dict] | None = None) -> list[str]:
    """One message per bound that does not hold. `summary` and each baseline map group -> metrics."""
    failures = []
    for name, groups in floors.get("baselines", {}).items():
        own = check_floors((baselines or {}).get(name, {}), groups, baselines)
        failures += [f"baseline {name}: {failure}" for failure in own]
    for group, wanted in floors.items():
        if group == "baselines":
            continue
        for metric, bounds in wanted.items():
            value = summary.get(group, {}).get(metric)
            for bound in bounds if isinstance(bounds, list) else [bounds]:
                failure = _failure(f"{group} {metric}", value, bound, baselines or {})
                if failure:
                    failures.append(failure)
    return failures
