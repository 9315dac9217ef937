"""Answerability, not only relevance: does any evidence sentence carry what the question asks for?

Retrieval and evidence selection find sentences on the question's topic; a question about "the
learning-rate schedule of LLaMA 2" can get on-topic sentences that state no schedule. This module
reads the asked aspects from the question's wording (the number of "how many X", the head noun
phrase of "what/which X does Y ...", "what is the X of Y"), and a sentence carries an aspect when it
names the aspect's telling word or a cue of it from a small lexicon of words of ML abstracts, and,
when the question names whose aspect it is, that name is in the sentence or its paper's title (a
paper comparing cosine schedules does not state LLaMA 2's). A sentence counts only when its
evidence score reaches `min_score`. What is not carried comes back as a NOT_STATED reason naming
it; the caller abstains when nothing asked is carried.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.schema import NOT_STATED, Evidence, Reason
from assistant.text import Quantity, asked_quantity, states_quantity, stems

MIN_CARRIER_SCORE = 0.0  # chosen by eval/tune.py on the tune split of eval/questions.jsonl
_AUX = r"(?:does|do|did|is|are|was|were|has|have|had|can|could|would|will|should)"
_WHAT_ASPECT = re.compile(
    rf"\b(?:what|which)\s+(?P<what>(?:(?!{_AUX}\b)[\w\-']+\s+){{0,5}}?(?!{_AUX}\b)[\w\-']+)\s+{_AUX}\b"
    rf"\s*(?P<who>.*)$", re.I)
_WHAT_IS_THE = re.compile(
    r"\bwhat\s+(?:is|are|was|were)\s+the\s+(?P<what>(?:[\w\-]+\s+){0,3}?[\w\-]+?)\s+(?:used\s+)?"
    r"(?:of|for|in|by)\s+(?P<who>.+)$", re.I)
_HOW_MANY_WHO = re.compile(rf"\bhow\s+(?P<much>many|much)\s+(?P<what>.+?)\s+{_AUX}\s+(?P<who>.+)$",
                           re.I)
# A new clause starts at ", what ...", ", and how ..." or "and how ..." ("What X and which Y does Z
# use?" stays one clause: its aspects share one subject).
_CLAUSE = re.compile(r",\s*(?:and\s+)?(?=(?:what|which|how|why|where|when|on|in|by|to)\b)|"
                     r"\s+and\s+(?=(?:how|why|where|when|on what|in what|by how|to what)\b)", re.I)
# The subject ends where its verb or a preposition starts: "GaLore [use when pre-training ...]".
_TRAILING = re.compile(
    r"\s+(?:use|uses|used|using|have|has|need|needs|take|takes|introduce|introduces|adopt|adopts|"
    r"apply|applies|report|reports|employ|employs|support|supports|rely on|train|trained|pre-?train|"
    r"pre-?trained|derive|reach|achieve|learn|build|choose|be|scale|place|combine|call|cover|allow|"
    r"generate|contain|handle|reduce|improve|distil|distill|adapt|propose|predict|compare|give|run|"
    r"release|released|"
    r"with|when|during|for|on|in|to)(?=\s|$).*$", re.I)
_PRONOUN = re.compile(r"^(?:it|its|they|their|them|that|this|this model|the model)\b", re.I)
# "[used to train] X", "are [in] the training set of X": the subject follows
_PASSIVE = re.compile(
    r"^(?:(?:used|needed|required|taken)\s+(?:to\s+(?:train|pre-?train|build)|for|in|by)|in|of|for|on)\s+",
    re.I)
# Words that name the kind of answer, not the thing asked: "masking *strategy*", "batch *size*",
# "what *paper*". They are dropped, so the telling word is the one before them.
_GENERIC = frozenset(stems(
    "problem problems idea ideas method methods approach approaches technique techniques mechanism "
    "contribution task tasks goal purpose strategy strategies way ways kind kinds type types role "
    "component components module result results finding findings insight improvement change changes "
    "trick design procedure scheme framework model models paper papers work study studies system "
    "systems algorithm size sizes number numbers count amount rate rates range ratio value values "
    "setting settings choice choices detail details new main key two three specific exact original"))
# Several words a sentence stating the aspect may use instead of the asked word itself.
_COMPOUNDS = {"learning rate": r"learning[- ]rates?|\blr\b", "weight decay": r"weight[- ]decay",
              "context length": r"context|\d+k?\s?tokens|sequence length|long sequences"}
_LEXICON = {  # the telling word's stem -> cues of a sentence that states it
    "schedul": r"schedul|warm-?up|cosine|annealing|linear decay|step decay",
    "optim": r"optimi[sz]er|\badam|\bsgd\b|\blion\b|adafactor|shampoo|muon",
    "optimis": r"optimi[sz]er|\badam|\bsgd\b|\blion\b|adafactor|shampoo|muon",
    "optimiz": r"optimi[sz]er|\badam|\bsgd\b|\blion\b|adafactor|shampoo|muon",
    "decay": r"decay",
    "dropout": r"dropout|drop[- ]path|stochastic depth",
    "licens": r"licen[cs]|apache|\bmit\b|cc[- ]by|open[- ]source|commercial use",
    "licenc": r"licen[cs]|apache|\bmit\b|cc[- ]by|open[- ]source|commercial use",
    "hardwar": r"hardware|\b[gt]pus?\b|a100|h100|v100|\bcpus?\b|devices?|mobile|edge|laptop|chips?",
    "rout": r"rout|gating|top-\d|experts?",
    "vocabulari": r"vocabular|\bbpe\b|byte[- ]pair|sentencepiece",
    "token": r"tokeni[sz]|\bbpe\b|byte[- ]pair|sentencepiece|k-mers?|nucleotide|characters?",
    "tokenis": r"tokeni[sz]|\bbpe\b|byte[- ]pair|sentencepiece|k-mers?|nucleotide|characters?",
    "tokeniz": r"tokeni[sz]|\bbpe\b|byte[- ]pair|sentencepiece|k-mers?|nucleotide|characters?",
    "data": r"data|corpus|corpora|benchmarks?|images|videos|hours|tokens|samples|trained on",
    "dataset": r"data|corpus|corpora|benchmarks?|images|videos|hours|tokens|samples|trained on",
    "architectur": r"architecture|transformer|backbone|encoder|decoder|mixture[- ]of[- ]experts|\bmoe\b|"
                   r"convolution|attention|layers?|state[- ]space",
    "backbon": r"backbone|\bvit|resnet|transformer|encoder",
    "loss": r"loss|objective",
    "object": r"objective|loss|predict|denois|mask",
    "head": r"\bheads?\b",
    "step": r"\bsteps?\b|iterations?|epochs?",
    "epoch": r"epochs?|\bsteps?\b|iterations?",
    "precis": r"precision|\d+-bit|\bbits?\b|\bint\d|\bfp\d|bf16|float",
    "format": r"format|\bfp\d|\bint\d|bf16|float|\d+-bit",
    "resolut": r"resolution|\d+\s?[x\u00d7]\s?\d+|\d+p\b|pixels?",
    "languag": r"languages?|english|chinese|multilingual|lingual",
    "budget": r"budget|memory|\d\s?gb\b|gpus?",
    "hyperparamet": r"hyper-?parameters?|learning[- ]rates?|batch[- ]size|weight[- ]decay|warm-?up",
    "gpu": r"\bgpus?\b|a100|h100|v100|\btpus?\b",
}


@dataclass(frozen=True)
class Aspect:
    """One thing a question asks for: `phrase` names it for the reader ("the learning-rate schedule
    of LLaMA 2"); `cues` are what a sentence stating it says, or `quantity` for an asked number."""

    phrase: str
    cues: re.Pattern | None = None
    quantity: Quantity | None = None  # for "how many X": a number of the asked kind
    subject: re.Pattern | None = None  # the names of whose aspect it is ("LLaMA 2")

    def carried_by(self, sentence: str, paper: str = "") -> bool:
        """The sentence states the aspect, of the asked subject when it names one (in the sentence
        or in `paper`, what is known of its paper: a cosine schedule in a paper on schedules is not
        LLaMA 2's schedule)."""
        if self.quantity is not None and not states_quantity(sentence, self.quantity):
            return False
        if self.cues is not None and self.cues.search(sentence) is None:
            return False
        return self.subject is None or self.subject.search(f"{paper}\n{sentence}") is not None


@dataclass(frozen=True)
class Asked:
    """What a question asks, clause by clause: its checkable aspects, and how many clauses ask
    something this module cannot check ("What does X change?")."""

    aspects: tuple[Aspect, ...]
    unchecked: int


def clauses(question: str) -> list[str]:
    """ "What does X do, and what accuracy does it reach?" -> its two questions."""
    return [part.strip() for part in _CLAUSE.split(question) if part and part.strip()]


def _cues(words: str) -> re.Pattern | None:
    """Cues of an aspect's words: a known compound, else its telling (last non-generic) word."""
    lowered = re.sub(r"[\s\-]+", " ", words.lower())
    for compound, cue in _COMPOUNDS.items():
        if lowered.endswith(compound):
            return re.compile(cue, re.I)
    telling = [w for w in re.split(r"[\s\-]+", lowered) if len(w) > 1 and not w.isdigit()
               and stems(w) and stems(w)[0] not in _GENERIC]
    if not telling:
        return None
    stem = stems(telling[-1])[0]
    # "imagery" stems to "imageri": the cue is the stem without the ending the stemmer rewrote
    return re.compile(_LEXICON.get(stem, re.escape(stem.rstrip("ie") if len(stem) > 4 else stem)), re.I)


_NAME_RUN = re.compile(r"(?:[\w\-.+]*[A-Z0-9][\w\-.+]*)(?:\s+[\w\-.+]*[A-Z0-9][\w\-.+]*)*")


def subject_names(subject: str) -> re.Pattern | None:
    """The names in a subject, each a run of capitalised or numbered words ("OpenAI's Whisper
    models" -> OpenAI, Whisper; "the Mixtral 8x7B model" -> "Mixtral 8x7B"); None without any."""
    runs = [run for run in _NAME_RUN.findall(subject) if not run.isdigit() and len(run) > 1]
    if not runs:
        return None
    spelled = [r"[\s\-]*".join(re.escape(part) for part in re.split(r"[\s\-]+", run)) for run in runs]
    return re.compile("|".join(spelled), re.I)


def _subject(who: str) -> str:
    # " " first: a subject that starts with its verb ("used when ...") has none
    who = _TRAILING.sub("", " " + _PASSIVE.sub("", who.strip().rstrip("?").strip()))
    return who.strip(" ,")


def _clause_aspects(clause: str, subject: str) -> tuple[list[Aspect], str]:
    """The aspects one clause asks for, and its subject ("" when it names none)."""
    match = _WHAT_IS_THE.search(clause) or _WHAT_ASPECT.search(clause) or _HOW_MANY_WHO.search(clause)
    who = _subject(match.group("who")) if match else ""
    who = subject if (not who or _PRONOUN.match(who)) and subject else who
    if subject:  # "... and how many hours does it take?": "it" is the first clause's subject
        clause = re.sub(rf"\b({_AUX})\s+(?:it|they)\b", rf"\1 {subject}", clause, flags=re.I)
    names = subject_names(who)
    quantity = asked_quantity(clause)
    if quantity is not None:
        phrase, cues = quantity.aspect, None
        if match is not None and match.re is _HOW_MANY_WHO:
            many = match.group("much").lower() == "many"
            phrase = f"the {'number' if many else 'amount'} of {match.group('what')}"
            phrase += f" of {who}" if who else ""
            # "how many attention heads": with no unit known for the noun, any number will not do
            cues = _cues(match.group("what")) if many and quantity.cues.pattern == "." else None
        return [Aspect(phrase, cues, quantity, names)], who or subject
    if match is None or match.re is _HOW_MANY_WHO:
        return [], who or subject
    parts = re.split(r"\s*(?:,|\band\b|\bor\b)\s*(?:which\s+|what\s+|the\s+)?", match.group("what"))
    found = []
    for part in (p for p in parts if p):
        cues = _cues(part)
        if cues is not None:
            found.append(Aspect(f"the {part}" + (f" of {who}" if who else ""), cues, subject=names))
    return found, who or subject


def asked(question: str) -> Asked:
    """Every checkable aspect of the question, and the number of clauses with none."""
    aspects, unchecked, subject = [], 0, ""
    for clause in clauses(question):
        found, subject = _clause_aspects(clause, subject)
        aspects += found
        unchecked += not found
    return Asked(tuple(aspects), unchecked)


@dataclass(frozen=True)
class Answerability:
    """What the evidence leaves unstated: `missing` names each asked aspect no carrying sentence
    states; `nothing_stated` when that is all the question asks (then there is nothing to answer,
    otherwise the answer notes the missing part)."""

    missing: tuple[str, ...] = ()
    nothing_stated: bool = False

    @property
    def reason(self) -> Reason | None:
        return Reason(NOT_STATED, aspects=self.missing) if self.missing else None


def paper_context(evidence: Sequence[Evidence]) -> dict[str, str]:
    """paper id -> its title and evidence sentences: where a paper says its own name ("we propose
    GAPretrain") when a later sentence only says "we achieve"."""
    context: dict[str, list[str]] = {}
    for e in evidence:
        context.setdefault(e.paper_id, [e.title]).append(e.text)
    return {paper_id: "\n".join(parts) for paper_id, parts in context.items()}


def answerability(question: str, evidence: Sequence[Evidence],
                  min_score: float = MIN_CARRIER_SCORE) -> Answerability:
    """Which asked aspects no evidence sentence scoring `min_score` or more carries."""
    question_asks = asked(question)
    context = paper_context(evidence)
    carriers = [e for e in evidence if e.score >= min_score]
    missing = tuple(a.phrase for a in question_asks.aspects
                    if not any(a.carried_by(e.text, context[e.paper_id]) for e in carriers))
    whole = bool(missing) and not question_asks.unchecked and len(missing) == len(question_asks.aspects)
    return Answerability(missing, whole)
