"""Split the SciFact claim/rationale pairs into tune and test halves, deterministically.

The TSV carries no claim ids, so a claim's id is its text. Claims and rationales repeat (504 claims
and 434 rationales in 564 pairs), so pairs that share a claim or a rationale are grouped first
(connected components), and whole groups go to one half: no claim and no rationale is in both.
A group's half is a seeded hash of its smallest claim, so the split depends on nothing but the data.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence

SEED = "scifact-2026"


def split_of(claim_id: str, seed: str = SEED) -> str:
    """"tune" or "test" for one claim id, by a seeded hash (about half each)."""
    digest = hashlib.sha256(f"{seed}\n{claim_id}".encode("utf-8")).digest()
    return "tune" if digest[0] % 2 == 0 else "test"


def assign_splits(rows: Sequence[dict], seed: str = SEED) -> list[dict]:
    """Each row with a "split" key; rows sharing a claim or a source share a half."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for row in rows:
        parent[root("claim:" + row["claim"])] = root("source:" + row["source"])
    groups: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        groups[root("claim:" + row["claim"])].append(row["claim"])
    half = {group: split_of(min(claims), seed) for group, claims in groups.items()}
    return [{**row, "split": half[root("claim:" + row["claim"])]} for row in rows]


def stratified(rows: Sequence[dict], size: int, seed: str = SEED) -> list[dict]:
    """A deterministic sample of `size` rows keeping each label's share (for a model too slow to
    score a whole half): rows are ordered by a seeded hash, then taken label by label."""
    if size >= len(rows):
        return list(rows)
    by_label: dict[str, list[dict]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: hashlib.sha256(f"{seed}\n{r['claim']}\n{r['source']}".encode()).digest()):
        by_label[row["label"]].append(row)
    quotas = {label: round(size * len(group) / len(rows)) for label, group in by_label.items()}
    return [row for label in sorted(by_label) for row in by_label[label][:quotas[label]]]
