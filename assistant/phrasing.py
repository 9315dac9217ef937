"""Is a sentence fit to show, and how is it said in the third person or as a contrast?

`is_fragment` catches what a cut abstract or a small model leaves behind ("Experimental studies
on multiple downstream tasks show that LOOK [12].", "leveraging pre [35]."): a sentence with no
verb, or one that ends mid-phrase. `third_person` rewrites an abstract's "In this paper, we
propose X" as "<Name> proposes X" only where the rewrite is mechanical; otherwise it returns
None and the sentence is not used as paragraph text. `contrast_share` measures how much of a
comparison paragraph actually compares.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.citations import find_markers, strip_markers
from assistant.schema import SentenceCheck
from assistant.text import words

# A sentence may not stop on these: an article, a preposition, a conjunction, a bare prefix.
_DANGLING = frozenset(
    "a an the of to with for in on at by from as than that which who whose whereas while and or "
    "but nor via into onto over under between among such both either its their our this these "
    "those is are was were be been being has have had can could will would should may might must "
    "pre post self multi non co cross semi inter intra sub super".split())
# Finite verbs and auxiliaries abstracts use; any word ending in -ed/-es also counts as a verb.
_VERBS = frozenset(
    "is are was were be has have had do does did can could will would shall should may might must "
    "show shows propose proposes present presents introduce introduces achieve achieves outperform "
    "outperforms use uses reach reaches reduce reduces improve improves provide provides enable "
    "enables learn learns train trains apply applies make makes take takes allow allows yield yields "
    "remain remains require requires find finds lead leads offer offers obtain obtains surpass "
    "surpasses match matches demonstrate demonstrates study studies distil distils distill distills "
    "extend extends scale scales build builds design designs report reports evaluate evaluates "
    "explore explores address addresses focus focuses rely relies consist consists suggest suggests "
    "produce produces perform performs combine combines cover covers".split())
_THAT_TAIL = re.compile(r"\b(?:that|than|whether|which)\s+\S+(?:\s+\S+)?\s*[.!?]?$", re.I)
_OPENERS = re.compile(r"^(?:in this (?:paper|work|study)|here|to this end|to address (?:this|these)"
                      r"(?: \w+)?|to tackle (?:this|these)(?: \w+)?|specifically|in particular|"
                      r"as a remedy|to alleviate this issue)\s*,\s*", re.I)
_WE_VERB = re.compile(r"^we (propose|introduce|present|design|develop|build|train|study|show|find|"
                      r"demonstrate|investigate|explore|release|describe|analy[sz]e|extend|apply)\b", re.I)
_MAKES = {"propose", "introduce", "present", "design", "develop", "build", "release", "describe"}
# Connectives that set one paper against another; "while" and "compared to" are left out because
# abstracts use them about themselves ("while using 11% of the parameters").
CONTRAST = re.compile(r"\b(?:whereas|whilst|unlike|in contrast|by contrast|on the other hand|"
                      r"rather than|instead of|differs? from)\b", re.I)


def is_fragment(sentence: str) -> bool:
    """True for text that is not a whole sentence: no verb, too short, or cut mid-phrase."""
    text = strip_markers(sentence).strip()
    tokens = words(text)
    if len(tokens) < 4 or not text[:1].isupper() and not text[:1].isdigit():
        return True
    if tokens[-1] in _DANGLING or text.rstrip(".!? ").endswith(("-", ",", ":", ";", "(")):
        return True
    if text.count("(") != text.count(")") or text.count('"') % 2:
        return True
    if _THAT_TAIL.search(text) and len(_THAT_TAIL.search(text).group(0).split()) <= 3:
        return True  # "... show that LOOK." stops before saying what
    return not any(t in _VERBS or (len(t) > 4 and t.endswith(("ed", "es"))) for t in tokens)


def third_person(sentence: str, name: str) -> str | None:
    """ "In this paper, we propose X." -> "<name> proposes X."; a sentence without "we"/"our" is
    returned as it is; None when the first person cannot be rewritten mechanically."""
    text = _OPENERS.sub("", sentence.strip())
    match = _WE_VERB.match(text)
    if match:
        verb, rest = match.group(1).lower(), text[match.end():]
        spelled = r"\s+".join(map(re.escape, name.split()))  # an abstract may break the name's lines
        named = re.match(rf"\s+(?:the\s+)?{spelled}(?!\w)(\s*\([^()]*\))?", rest, re.I)
        appositive = named and re.match(r",\s+(?:an?|the)\s", rest[named.end():], re.I)
        if appositive and verb in _MAKES:  # "we propose X, a method" -> "X is a method"
            subject = rest[:named.end()].strip()
            text = f"{subject[:1].upper()}{subject[1:]} is{rest[named.end() + 1:]}"
        else:  # "we introduce X to ..." -> "The paper introduces X to ...", not "X introduces X"
            text = f"{'The paper' if named else name} {_third(verb)}{rest}"
    elif text[:1].islower() and text != sentence.strip():
        text = text[:1].upper() + text[1:]
    if re.search(r"\b(?:we|our|us|ours|ourselves)\b", text, re.I):
        return None  # "we then design", "our results": not safe to rewrite
    return text


def _third(verb: str) -> str:
    if verb.endswith(("sh", "ch", "s", "x")):
        return verb + "es"
    if verb.endswith("y") and verb[-2:] != "ey":
        return verb[:-1] + "ies"
    return verb + "s"


def contrast_share(sentences: Sequence[SentenceCheck], marker_paper: dict[int, str]) -> float:
    """Share of shown sentences that compare: they cite two papers or more, or use a contrast
    connective ("whereas", "unlike", "while"). 0.0 for a paragraph with no shown sentence."""
    shown = [s for s in sentences if s.shown]
    if not shown:
        return 0.0
    comparing = [s for s in shown if len({marker_paper.get(m) for m in find_markers(s.text)} - {None}) >= 2
                 or CONTRAST.search(strip_markers(s.text))]
    return len(comparing) / len(shown)


def fragment_share(sentences: Sequence[SentenceCheck]) -> float:
    """Share of shown sentences that are fragments (the digest's should be 0)."""
    shown = [s for s in sentences if s.shown]
    return sum(is_fragment(s.text) for s in shown) / len(shown) if shown else 0.0
