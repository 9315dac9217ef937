"""Follow-up questions -> standalone questions, before retrieval.

"And how does it compare with LoRA?" means nothing to a search engine on its own. When a question
refers back (a pronoun such as "it" or "this paper", or an elliptical opener such as "and ...",
"what about ...") the papers named in the latest earlier turn that named any are carried over, as
the user wrote them: "How does TinyCLIP compare with LoRA?". A question that does not refer back is
returned unchanged. Deterministic and model-free: names are found with the retriever's name index
(`Retriever.names.named_in`), passed in as a function so this module stays pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence

NamedIn = Callable[[str], Collection[str]]  # text -> ids of the papers it names

LOOK_BACK = 3  # earlier turns searched for a subject; older ones are a different conversation
MAX_NAME_WORDS = 12  # longest name (a full title) looked for in an earlier question

# A reference to the earlier subject, longest first so "this paper" wins over "this".
_REFERENCE = re.compile(
    r"\b(?:(?:this|that|the|these|those|both)\s+(?:papers?|methods?|models?|approach(?:es)?|works?"
    r"|techniques?|frameworks?|ones?)|the\s+two|both\s+of\s+them|its|their|it|they|them)\b",
    re.IGNORECASE,
)
_POSSESSIVE_REFERENCE = frozenset({"its", "their"})
_ANTECEDENT = re.compile(r"\b(?<!this )(?<!that )(?<!the )(?:papers?|methods?|models?|approach(?:es)?)\b",
                         re.IGNORECASE)
_OPENER = re.compile(r"^(?:and|also|so|then|but|ok(?:ay)?|and\s+also)\b[\s,]*", re.IGNORECASE)
_WHAT_ABOUT = re.compile(r"^(?:and\s+)?(?:what|how)\s+about\s+(?P<other>.+?)\s*\??$", re.IGNORECASE)
_EDGE_PUNCTUATION = "?!.,;:\"'()[]{}"


def standalone_question(question: str, earlier: Sequence[str], named_in: NamedIn) -> str:
    """The question as it should be searched: rewritten only when it refers to an earlier turn.

    `earlier` holds the conversation's earlier questions, oldest first, already standalone.
    """
    question = " ".join(question.split())
    if not question:
        return question
    previous, subject = last_subject(earlier, named_in)
    if not subject:
        return question
    about = _WHAT_ABOUT.match(question)
    if about:
        return _what_about(about.group("other"), previous, subject, named_in)
    body = _OPENER.sub("", question)
    opened = body != question
    if mentions(body, named_in) == subject:
        return _capitalised(body) if opened else question
    replaced = _replace_reference(body, subject, named_in)
    if replaced != body:
        return _capitalised(replaced)
    return _for_subject(body, subject) if opened else question


def last_subject(earlier: Sequence[str], named_in: NamedIn) -> tuple[str, list[str]]:
    """The latest earlier question (of the last few) that names papers, and those names."""
    for previous in reversed(earlier[-LOOK_BACK:]):
        names = mentions(previous, named_in)
        if names:
            return previous, names
    return "", []


def mentions(text: str, named_in: NamedIn) -> list[str]:
    """Paper names in the text as written there, in order: the longest name starting at each word."""
    words = [_bare(word) for word in text.split()]
    found: list[str] = []
    start = 0
    while start < len(words):
        end = _name_end(words, start, named_in)
        if end:
            found.append(" ".join(words[start:end]))
            start = end
        else:
            start += 1
    return found


def _name_end(words: list[str], start: int, named_in: NamedIn) -> int:
    """The end of the longest name that starts at `start` (0 when none does)."""
    if not words[start]:
        return 0
    for end in range(min(len(words), start + MAX_NAME_WORDS), start, -1):
        found = set(named_in(" ".join(words[start:end])))
        for shorter in (words[start + 1:end], words[start:end - 1]):
            found -= set(named_in(" ".join(shorter))) if shorter else set()
        if found:  # the whole span, and no part of it, names these papers
            return end
    return 0


def _bare(word: str) -> str:
    word = word.strip(_EDGE_PUNCTUATION)
    return word[:-2] if word.lower().endswith(("'s", "\u2019s")) else word


def _joined(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _replace_reference(text: str, subject: Sequence[str], named_in: NamedIn) -> str:
    """The first reference to the earlier subject replaced by its names; unchanged when the
    question gives the reference its own antecedent first ("Which papers ..., and do they ...")."""
    match = _REFERENCE.search(text)
    if match is None or _has_antecedent(text[:match.start()], named_in):
        return text
    said = match.group(0).lower()
    names = [f"{n}'s" for n in subject] if said in _POSSESSIVE_REFERENCE else subject
    return text[:match.start()] + _joined(names) + text[match.end():]


def _has_antecedent(text: str, named_in: NamedIn) -> bool:
    return bool(_ANTECEDENT.search(text) or mentions(text, named_in))


def _what_about(other: str, previous: str, subject: Sequence[str], named_in: NamedIn) -> str:
    """"What about LoRA?" asks the previous question of another paper; "what about the data?"
    asks about another aspect of the same papers."""
    names_other = mentions(other, named_in) or other[:1].isupper()
    if names_other and len(subject) == 1 and subject[0] in previous:
        return previous.replace(subject[0], other, 1)
    return _for_subject(f"What about {other}", subject)


def _for_subject(body: str, subject: Sequence[str]) -> str:
    stem = body.rstrip(" ?")
    return _capitalised(f"{stem} for {_joined(subject)}?")


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
