"""Contradiction rules: why a source contradicts a claim that shares most of its words.

Embedding similarity and word overlap cannot see that "from the student models to their teacher
counterparts" reverses "from the teacher models to their student counterparts", or that "increases
the size by 50%" flips "reduce the size by 50%". Each rule looks for one such pattern, by words near
each other in one clause, and returns a short reason; the judges' gate calls `find_contradiction`.
Deterministic and lexical on purpose: cheap enough to run on every pair before a model does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from assistant.text import GENRE_WORDS, content_terms, names_in, stems, words

WINDOW = 5  # words each side of a relation word that count as its context


@dataclass(frozen=True)
class Word:
    text: str  # lower-cased, as written
    term: str | None  # its stem, None for stopwords
    clause: int  # words of different clauses are never each other's context
    sentence: int


_SENTENCE = re.compile(r"[.!?](?=\s|$)")
_CLAUSE = re.compile(r"[,;:()\[\]]|\s(?:and|but|while|whereas|which|that|who)\s")


def split_words(text: str) -> list[Word]:
    text = re.sub(r"n't\b", " not", text.lower())
    found: list[Word] = []
    clauses = [(sentence, clause) for sentence, part in enumerate(_SENTENCE.split(text))
               for clause in _CLAUSE.split(part)]
    for index, (sentence, clause) in enumerate(clauses):
        found.extend(Word(w, next(iter(stems(w)), None), index, sentence) for w in words(clause))
    return found


def _near(ws: Sequence[Word], index: int, before: int, after: int) -> set[str]:
    clause = ws[index].clause
    span = list(ws[max(0, index - before):index]) + list(ws[index + 1:index + 1 + after])
    return {w.term for w in span if w.clause == clause and w.term}


def _left(ws: Sequence[Word], index: int) -> set[str]:
    """The context before a relation word; for one that opens its clause (", surpassing X") the
    sentence so far, which holds the relation's subject."""
    near = _near(ws, index, WINDOW, 0)
    if near:
        return near
    return {w.term for w in ws[:index] if w.term and w.sentence == ws[index].sentence}


# --- direction: pairs of opposite words, as whole-word patterns --------------------------------
_OPPOSITES = [
    (r"increas\w*|rais(?:e|es|ed|ing)|grow(?:s|n|th|ing)?|grew|boost\w*|enlarg\w*|expand\w*|amplif\w*",
     r"decreas\w*|reduc\w*|cut(?:s|ting)?|shrink\w*|shrank|drop(?:s|ped)?|declin\w*|diminish\w*"),
    (r"improv\w*|enhanc\w*|better|strengthen\w*",
     r"degrad\w*|wors(?:e|en|ens|ened|ening)|hurt\w*|harm\w*|impair\w*|weaken\w*"),
    (r"outperform\w*|surpass\w*|exceed\w*|beat(?:s|ing)?|superior|outscor\w*",
     r"underperform\w*|trail(?:s|ed|ing)?|lag(?:s|ged|ging)?|inferior"),
    (r"higher|highest", r"lower|lowest"), (r"more|most", r"fewer|fewest|less|least"),
    (r"faster|fastest|quicker|accelerat\w*", r"slower|slowest|decelerat\w*"),
    (r"larger|largest|bigger|biggest", r"smaller|smallest|tinier"), (r"gains?", r"loss(?:es)?"),
    (r"stronger|strongest", r"weaker|weakest"), (r"best", r"worst"), (r"maximi[sz]\w*", r"minimi[sz]\w*"),
]
_SIDES = [(re.compile(f"(?:{a})"), re.compile(f"(?:{b})")) for a, b in _OPPOSITES]


def direction_of(word: str) -> tuple[int, int] | None:
    """(pair, side) of a direction word: "increases" -> (0, 0), "reduce" -> (0, 1)."""
    return next(((pair, side) for pair, sides in enumerate(_SIDES) for side, pattern in enumerate(sides)
                 if pattern.fullmatch(word)), None)


def _context(ws: Sequence[Word], index: int) -> set[str]:
    return {t for t in _near(ws, index, WINDOW - 1, WINDOW - 1) if direction_of(t) is None}


def flipped_direction(claim: list[Word], source: list[Word]) -> str | None:
    """The claim says "increase" where the source, about the same words, says "reduce"."""
    for i, word in enumerate(claim):
        direction = direction_of(word.text)
        context = _context(claim, i) if direction else set()
        if not context:
            continue
        same, opposite, opposite_word = 0, 0, ""
        for j, other in enumerate(source):
            other_direction = direction_of(other.text)
            if not other_direction or other_direction[0] != direction[0]:
                continue
            shared = len(_context(source, j) & context)
            if other_direction == direction:
                same = max(same, shared)
            elif shared > opposite:
                opposite, opposite_word = shared, other.text
        if opposite > same:  # the opposite word is the one about the same things
            return f'says "{word.text}" where the source says "{opposite_word}"'
    return None


# --- relations with two sides: X outperforms Y, from X to Y -------------------------------------
_COMPARATIVE = re.compile(r"outperform\w*|surpass\w*|beat(?:s|ing)?|exceed\w*|than|underperform\w*")
_GENERIC_TARGETS = content_terms(
    "existing prior previous baseline baselines state-of-the-art sota competing other current "
    "standard conventional traditional strong strongest leading alternative alternatives counterparts")


def _relations(ws: Sequence[Word]) -> list[tuple[str, set[str], set[str]]]:
    """(relation, one side, other side) of every comparative and every "from X to Y"."""
    found = []
    for i, word in enumerate(ws):
        if _COMPARATIVE.fullmatch(word.text):
            found.append(("compare", _left(ws, i), _near(ws, i, 0, WINDOW)))
        elif word.text == "from" and (i == 0 or not ws[i - 1].text.startswith(("rang", "vary", "vari"))):
            for j in range(i + 1, min(i + 8, len(ws))):
                if ws[j].text in ("to", "into") and ws[j].clause == word.clause:
                    between = {w.term for w in ws[i + 1:j] if w.term}
                    found.append(("from-to", between, _near(ws, j, 0, WINDOW)))
                    break
    return [relation for relation in found if relation[1] and relation[2]]


def reversed_relation(claim: list[Word], source: list[Word]) -> str | None:
    """The claim relates X to Y where the source relates Y to X."""
    for kind, left, right in _relations(claim):
        first, second = left - right, right - left
        for other_kind, other_left, other_right in _relations(source):
            if other_kind != kind:
                continue
            # a word that crossed to the other side is the evidence; the frame ("models",
            # "counterparts") may stay where it was
            if first & (other_right - other_left) and second & (other_left - other_right):
                what = "direction of transfer" if kind == "from-to" else "comparison"
                moved = sorted(second & (other_left - other_right))[0]
                return f"reverses the {what}: the source puts {moved!r} first"
    return None


def wrong_target(claim: list[Word], source: list[Word]) -> str | None:
    """The claim compares with something its source never mentions."""
    known = {w.term for w in source if w.term}
    for i, word in enumerate(claim):
        if _COMPARATIVE.fullmatch(word.text) or word.text in ("compared", "versus", "vs", "against"):
            target = {t for t in _near(claim, i, 0, 3) if not t[0].isdigit()} - _GENERIC_TARGETS
            if target and len(target - known) * 2 > len(target):
                return f"compares with {' '.join(sorted(target))!r}, which the source does not mention"
    return None


# --- negation -------------------------------------------------------------------------------------
_NEGATIONS = frozenset("not no never cannot without neither nor none unable fails fail failed".split())


def _negated(ws: Sequence[Word]) -> list[set[str]]:
    """What each negation of a text negates: the first terms after it, in its clause ("not
    only" is not a negation of what follows)."""
    scopes = [set([w.term for w in ws[i + 1:i + 6] if w.term and w.clause == word.clause][:2])
              for i, word in enumerate(ws) if word.text in _NEGATIONS
              and (ws[i + 1].text if i + 1 < len(ws) else "") not in ("only", "just", "merely")]
    return [scope for scope in scopes if scope]


def flipped_negation(claim: list[Word], source: list[Word]) -> str | None:
    """The claim negates what its source affirms, or affirms what its source negates."""
    claim_scopes, source_scopes = _negated(claim), _negated(source)
    for scope in claim_scopes:
        if not any(scope & other for other in source_scopes):
            return f"negates {' '.join(sorted(scope))!r}, which the source does not negate"
    terms = {w.term for w in claim if w.term}
    if not any(w.text in _NEGATIONS for w in claim):
        for scope in source_scopes:
            if scope <= terms:
                return f"drops the source's negation of {' '.join(sorted(scope))!r}"
    return None


# --- quantities with units ------------------------------------------------------------------------
_QUANTITY = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s*(%|percent\b|x\b|×|times\b|-?fold\b|k\b|m\b|b\b|thousand\b|"
    r"million\b|billion\b|trillion\b)", re.I)
_UNITS = {"percent": "%", "×": "x", "times": "x", "fold": "x", "-fold": "x", "k": "thousand", "m": "million",
          "b": "billion"}


def quantities(text: str) -> set[tuple[str, str]]:
    """Numbers with a unit, normalised: "50%" -> ("50", "%"), "2 times" -> ("2", "x"), "7B"."""
    return {(value, _UNITS.get(unit.lower(), unit.lower())) for value, unit in _QUANTITY.findall(text)}


def wrong_unit(claim: str, source: str) -> str | None:
    """ "50x" where the source says "50%", "7M" where it says "7B"."""
    known = quantities(source)
    for value, unit in sorted(quantities(claim) - known):
        others = sorted(u for v, u in known if v == value)
        if others:
            return f'says "{value}{unit}" where the source says "{value}{others[0]}"'
    return None


# --- roles: "BLEU as the reward function" -------------------------------------------------------
_NAME = r"(?P<filler>[\w\-.]+)"
_ROLE = r"(?P<role>(?:[a-z\-]+ ){0,2}[a-z\-]+)"
_ADVERB = r"(?:directly |only |simply |also |then )?"
_CLAIMED_ROLE = [
    re.compile(rf"\bthe {_ROLE} (?:\w+ )?(?:(?:by|in|of|for) (?:[\w\-.]+ )?)?(?:is|was) (?:the |an? )?{_NAME}"),
    re.compile(rf"{_NAME} {_ADVERB}(?:as|is|was) (?:the|its|their) {_ROLE}"),
]
_STATED_ROLE = re.compile(rf"{_NAME} {_ADVERB}(?:as|is|was) (?:the|its|their|an?) {_ROLE}")


def _bindings(text: str, patterns) -> list[tuple[set[str], str, str]]:
    """(role's terms, filler's term, role as written) of every "X as the Y" / "the Y ... is X"."""
    matches = [match for pattern in patterns for match in pattern.finditer(text.lower())]
    return [(content_terms(m["role"]), min(content_terms(m["filler"])), m["role"]) for m in matches
            if content_terms(m["role"]) and content_terms(m["filler"])]


def wrong_role(claim: str, source: str) -> str | None:
    """The claim gives a role ("the reward function") to what the source gives another role."""
    stated = _bindings(source, [_STATED_ROLE])
    for role, filler, written in _bindings(claim, _CLAIMED_ROLE):
        same_role = [f for r, f, _ in stated if r & role]
        if same_role and filler not in same_role:
            return f"the source gives {same_role[0]!r} as the {written}, not {filler!r}"
    return None


# --- qualifiers: "unlabeled 2D pose data" for "RGB-D data" ----------------------------------------
_SAME = {t: "larg" for t in content_terms("big huge large-scale massive")} | \
        {t: "small" for t in content_terms("tiny compact lightweight")}
_NOT_QUALIFIERS = frozenset("first also then only further still just even authors between among".split())


def _qualifies(word: Word, names: bool = False) -> bool:
    """A word that can narrow the noun after it: not an adverb, genre word, direction (or name)."""
    return bool(word.term) and not word.text.endswith("ly") and word.text not in _NOT_QUALIFIERS \
        and word.text not in GENRE_WORDS and (names or not names_in(word.text)) and not direction_of(word.text)


def _variants(claimed: str, stated: str) -> bool:
    """Spellings or abbreviations of one another: leukaemia/leukemia, HQ/high-quality, PQ."""
    plain, other = claimed.replace("-", ""), stated.replace("-", "")
    return plain in other or other in plain or len(stated) <= 3 or any(c.isdigit() for c in stated) \
        or stated == "".join(p[:1] for p in claimed.split("-")) \
        or SequenceMatcher(None, plain, other).ratio() > 0.75


def swapped_qualifier(claim: list[Word], source: list[Word]) -> str | None:
    """The claim qualifies a noun of its source with a word the source never uses, where the
    source always qualifies that noun with another word ("pose data" for "RGB-D data")."""
    known = {_SAME.get(w.term, w.term) for w in source if w.term}
    claim_terms = {_SAME.get(w.term, w.term) for w in claim if w.term}
    for modifier, head in zip(claim, claim[1:]):
        if modifier.clause != head.clause or not _qualifies(modifier) or not _qualifies(head) \
                or head.term not in known or _SAME.get(modifier.term, modifier.term) in known:
            continue
        before = [(a, b) for a, b in zip(source, source[1:]) if b.term == head.term]
        qualified = [a for a, b in before if a.clause == b.clause and _qualifies(a, names=True)
                     and _SAME.get(a.term, a.term) not in claim_terms and not _variants(modifier.text, a.text)]
        if before and len(qualified) == len(before):
            return f'says "{modifier.text} {head.text}" where the source says "{qualified[0].text} {head.text}"'
    return None


# --- vacuous fragments ----------------------------------------------------------------------------
_OPEN_ENDS = frozenset("including include includes such as like namely e.g i.e following between "
                       "from to of and or with by than the a an for in on via into across among".split())
_FILLER = content_terms("combination combinations technique techniques various several different "
                        "number set kind type way ways thing things aspect aspects variety range")


def vacuous(claim: str) -> str | None:
    """ "uses a combination of techniques, including.": a fragment that states nothing."""
    tokens = words(claim)
    if tokens and tokens[-1] in _OPEN_ENDS:
        return f'stops at "{tokens[-1]}" before saying what'
    if len(content_terms(claim) - _FILLER) < 2:
        return "states nothing specific"
    return None


_TEXT_RULES: list[Callable[[str, str], str | None]] = [wrong_unit, wrong_role]
_WORD_RULES: list[Callable[[list[Word], list[Word]], str | None]] = [
    flipped_negation, flipped_direction, reversed_relation, wrong_target, swapped_qualifier]


def find_contradiction(claim: str, source: str) -> str | None:
    """The first reason the source contradicts the claim, or None when no rule finds one."""
    claim_words, source_words = split_words(claim), split_words(source)
    checks = [lambda: vacuous(claim)] + [lambda rule=rule: rule(claim, source) for rule in _TEXT_RULES] \
        + [lambda rule=rule: rule(claim_words, source_words) for rule in _WORD_RULES]
    return next((reason for check in checks if (reason := check())), None)
