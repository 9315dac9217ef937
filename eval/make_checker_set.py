"""Write eval/checker_dev.jsonl: labelled (claim, source) pairs for the support checker.

Sources are real abstract sentences of data/daily_papers. Each is paired with itself (verbatim),
with meaning-preserving rewrites and hand-written paraphrases (supported), and with perturbations
a model might write (contradicted): a swapped number, a wrong unit, a reversed relation, a flipped
direction word, a foreign entity, a flipped negation, a wrong comparison target, a fragment.
Deterministic: the same corpus gives the same file. Papers, not pairs, are split into tune/test
halves, so no source sentence is in both.

    python eval/make_checker_set.py [--out eval/checker_dev.jsonl]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.sources import parse_paths  # noqa: E402
from assistant.text import coined_names, is_boilerplate, sentences  # noqa: E402

sys.path.insert(0, str(ROOT / "eval"))
from checker_paraphrases import HAND_PARAPHRASES  # noqa: E402

PER_KIND = 90  # pairs of each generated kind, at most
SUPPORTED = ("verbatim", "rewrite", "paraphrase")

_NUMBER = re.compile(r"(?<![\w.\-/])(\d+(?:\.\d+)?)(?![\w.\-/]*[A-Za-z])")
_UNIT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(\s?)(%|x|×|times|-fold|B|M|billion|million)(?![\w])(?!\s*\d)")
_OTHER_UNIT = {"%": "x", "x": "%", "×": "%", "times": "%", "-fold": "%", "B": "M", "M": "B",
               "billion": "million", "million": "billion"}
_ANTONYMS = dict(pair for a, b in [
    ("increases", "reduces"), ("increase", "reduce"), ("increased", "reduced"), ("increasing", "reducing"),
    ("improves", "degrades"), ("improve", "degrade"), ("improved", "degraded"), ("improving", "degrading"),
    ("improvement", "degradation"), ("improvements", "degradations"), ("outperforms", "underperforms"),
    ("outperform", "underperform"), ("outperforming", "underperforming"), ("higher", "lower"),
    ("more", "fewer"), ("better", "worse"), ("faster", "slower"), ("larger", "smaller"),
    ("boosts", "reduces"), ("enhances", "degrades"), ("accelerates", "slows down"), ("gains", "losses"),
    ("best", "worst"), ("stronger", "weaker"), ("superior", "inferior"), ("maximize", "minimize"),
    ("surpasses", "trails"), ("decreases", "increases"), ("lowers", "raises"), ("fewer", "more"),
] for pair in ((a, b), (b, a)))
_DIRECTION = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _ANTONYMS), key=len, reverse=True)) + r")\b")
_COMPARE = re.compile(r"\b(outperforms?|surpasses|surpassing|outperforming|beats|than|compared (?:to|with))\s+")
_OBJECT_END = re.compile(r"\s(?:on|in|by|with|across|for|at|when|while|and|using|under)\s|[,.;:(]")
_FALSE_TARGETS = ["rule-based expert systems", "random search baselines", "human annotators",
                  "supervised fine-tuning alone", "recurrent sequence models"]
_FROM_TO = re.compile(r"\bfrom ((?:[\w\-']+ ){0,5}?[\w\-']+) (to|into) ((?:[\w\-']+ ){0,4}?[\w\-']+)(?=[,.;]| (?:to|for|by|with|in|and|while|which|that|during)\b)")
_SUBJECT_VERB = re.compile(r"(^|, |that )(?!(?:and|thus|it|this|also) )((?:(?!which |while |when |if |and )[\w\-/.']+ ){0,5}?[\w\-/.']+?)"
                           r"((?: significantly| notably| consistently| clearly| substantially| greatly| also)?"
                           r" (?:outperforms?|surpasses|beats)) ")
_NEGATE = [(re.compile(r"\b(is|are|was|were)\b(?! not)"), r"\1 not"), (re.compile(r"\bcan\b"), "cannot"),
           (re.compile(r"\b(achieves|outperforms|improves|enables|requires|reduces|provides|yields|"
                       r"leads|allows|performs|generalizes|learns|uses|produces|matches)\b"), None)]
_UNNEGATE = [(re.compile(r"\bcannot\b"), "can"), (re.compile(r"\b(is|are|was|were|do|does) not "), r"\1 "),
             (re.compile(r"\bwithout\b"), "with"), (re.compile(r"\bno "), "")]
_REWRITES = [
    (re.compile(r"^(?:Moreover|Furthermore|Additionally|In addition|However|Specifically|Finally|"
                r"To this end|Notably|Overall|Importantly|Consequently|Therefore|As a result), "), ""),
    (re.compile(r"^In this (?:paper|work), we\b"), "The authors"), (re.compile(r"^We\b"), "The authors"),
    (re.compile(r"\butiliz(e|es|ing)\b"), r"us\1"), (re.compile(r"\bdemonstrate(s?)\b"), r"show\1"),
    (re.compile(r"\bin order to\b"), "to"), (re.compile(r"\b(?:is|are) able to\b"), "can"),
    (re.compile(r"\ba (?:wide )?variety of\b"), "various"), (re.compile(r"\bnovel\b"), "new"),
]
_CLAUSE_CUT = re.compile(r", (?:which|while|where|thereby|thus|enabling|allowing|making) ")
_LIST_CUT = re.compile(r"\b(including|such as|e\.g\.,?)\s")


def usable(sentence: str) -> bool:
    count = len(sentence.split())
    return 8 <= count <= 45 and sentence.endswith(".") and not is_boilerplate(sentence) \
        and "{" not in sentence and "\\" not in sentence and "?" not in sentence


def swapped_number(sentence: str, _: list[str]) -> str | None:
    match = _NUMBER.search(sentence)
    if not match:
        return None
    value = match.group(1)
    new = f"{float(value) + 1.3:.{len(value.split('.')[1])}f}" if "." in value else str(int(value) * 2 + 1)
    return sentence[:match.start(1)] + new + sentence[match.end(1):]


def wrong_unit(sentence: str, _: list[str]) -> str | None:
    match = _UNIT.search(sentence)
    if not match:
        return None
    unit = _OTHER_UNIT[match.group(3)]
    return sentence[:match.start(2)] + (" " if unit.isalpha() and len(unit) > 1 else "") + unit \
        + sentence[match.end(3):]


def reversed_relation(sentence: str, _: list[str]) -> str | None:
    match = _FROM_TO.search(sentence)
    if match and not re.search(r"\b(?:rang\w*|var\w*) $", sentence[:match.start()]) and match.group(1).lower() != match.group(3).lower():
        return sentence[:match.start()] + f"from {match.group(3)} {match.group(2)} {match.group(1)}" \
            + sentence[match.end():]
    match = _SUBJECT_VERB.search(sentence)
    if not match:
        return None
    rest = sentence[match.end():]
    end = _OBJECT_END.search(rest)
    target = rest[:end.start()] if end else rest.rstrip(".")
    if len(target.split()) > 6 or not target:
        return None
    start, subject = match.start(2), match.group(2)
    if " that " in f" {subject} ":  # "Results show that our approach": the subject follows "that"
        cut = f" {subject} ".rindex(" that ") + 5
        start, subject = start + cut, subject[cut:]
    if not subject:
        return None
    return sentence[:start] + f"{target}{match.group(3)} {subject}" + rest[len(target):]


def flipped_direction(sentence: str, _: list[str]) -> str | None:
    match = _DIRECTION.search(sentence)
    if not match:
        return None
    return sentence[:match.start()] + _ANTONYMS[match.group(1)] + sentence[match.end():]


def foreign_entity(sentence: str, names: list[str]) -> str | None:
    own = coined_names(sentence)
    candidates = [n for n in own if len(n) >= 4 and not n[0].isdigit()]
    if not candidates:
        return None
    name = candidates[0]
    lowered = sentence.lower()
    pool = [n for n in names if n.lower() not in lowered and n.lower() != name.lower()]
    if not pool:
        return None
    other = pool[zlib.crc32(sentence.encode()) % len(pool)]
    return re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", other, sentence)


def flipped_negation(sentence: str, _: list[str]) -> str | None:
    for pattern, replacement in _UNNEGATE:
        if pattern.search(sentence):
            flipped = pattern.sub(replacement, sentence, count=1)
            return flipped[0].upper() + flipped[1:]
    for pattern, replacement in _NEGATE:
        match = pattern.search(sentence)
        if match and replacement:
            return pattern.sub(replacement, sentence, count=1)
        if match:
            verb = match.group(1)
            base = verb[:-1] if not verb.endswith(("es",)) or verb.endswith(("ires", "uces", "ates", "izes")) else verb[:-2]
            return sentence[:match.start()] + f"does not {base}" + sentence[match.end():]
    return None


def wrong_target(sentence: str, _: list[str]) -> str | None:
    match = _COMPARE.search(sentence)
    if not match:
        return None
    rest = sentence[match.end():]
    end = _OBJECT_END.search(rest)
    target = rest[:end.start()] if end else rest.rstrip(".")
    if not 1 <= len(target.split()) <= 8 or target[:1].isdigit():
        return None
    other = next(t for t in _FALSE_TARGETS[zlib.crc32(sentence.encode()) % 5:] + _FALSE_TARGETS
                 if t.split()[0] not in sentence.lower())
    return sentence[:match.end()] + other + rest[len(target):]


def fragment(sentence: str, _: list[str]) -> str | None:
    match = _LIST_CUT.search(sentence)
    if not match or match.start() < 20:
        return None
    return sentence[:match.end(1)].rstrip(",") + "."


def rewrite(sentence: str, _: list[str]) -> str | None:
    """Meaning-preserving rewording: discourse openers dropped, "we" as "the authors", plainer
    verbs, and a trailing clause cut off (a sentence's main clause is entailed by it)."""
    text = sentence
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    cut = _CLAUSE_CUT.search(text)
    if cut and len(text[:cut.start()].split()) >= 7:
        text = text[:cut.start()] + "."
    text = text[0].upper() + text[1:]
    return text if text != sentence else None


PERTURBATIONS = {"number": swapped_number, "unit": wrong_unit, "relation": reversed_relation,
                 "direction": flipped_direction, "entity": foreign_entity, "negation": flipped_negation,
                 "target": wrong_target, "fragment": fragment, "rewrite": rewrite}


def split_of(paper_id: str) -> str:
    return "tune" if zlib.crc32(paper_id.encode()) % 2 == 0 else "test"


def build(corpus: Path) -> list[dict]:
    papers = sorted(parse_paths([corpus]).papers, key=lambda p: p.paper_id)
    names = sorted({n for p in papers for n in coined_names(p.abstract) if len(n) >= 4 and not n[0].isdigit()})
    counts = dict.fromkeys(["verbatim", *PERTURBATIONS], 0)
    rows: list[dict] = []
    seen: set[str] = set()
    for paper in papers:
        if paper.abstract in seen:  # the corpus lists a few papers twice
            continue
        seen.add(paper.abstract)
        usable_sentences = [s.strip() for s in sentences(paper.abstract) if usable(s.strip())]
        if not usable_sentences:
            continue
        offset = zlib.crc32(paper.paper_id.encode()) % len(usable_sentences)
        ordered = usable_sentences[offset:] + usable_sentences[:offset]
        split = split_of(paper.paper_id)
        if counts["verbatim"] < PER_KIND:
            counts["verbatim"] += 1
            rows.append(_row(ordered[0], ordered[0], "verbatim", split, paper.title))
        for kind, perturb in PERTURBATIONS.items():
            if counts[kind] >= PER_KIND:
                continue
            for sentence in ordered:
                claim = perturb(sentence, names)
                if claim and claim != sentence:
                    counts[kind] += 1
                    rows.append(_row(claim, sentence, kind, split, paper.title))
                    break
    return rows + _hand_paraphrases(papers)


def _hand_paraphrases(papers) -> list[dict]:
    by_title = {p.title: p for p in papers}
    rows = []
    for title, fragment_text, claim in HAND_PARAPHRASES:
        paper = next(p for t, p in by_title.items() if t.startswith(title))
        source = next(s.strip() for s in sentences(paper.abstract) if fragment_text in s)
        rows.append(_row(claim, source, "paraphrase", split_of(paper.paper_id), paper.title))
    return rows


def _row(claim: str, source: str, kind: str, split: str, title: str) -> dict:
    label = "supported" if kind in SUPPORTED else "contradicted"
    return {"claim": claim, "source": source, "label": label, "kind": kind, "split": split, "paper": title}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "data" / "daily_papers")
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "checker_dev.jsonl")
    args = parser.parse_args()
    rows = build(args.corpus)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"wrote {len(rows)} pairs to {args.out}")


if __name__ == "__main__":
    main()
