"""Reasons into words: the one place that says, for the CLI and the UI alike, why a result does
not answer. The core returns a typed `Reason`; nothing below the adapters writes these sentences."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.schema import (
    NO_EVIDENCE, NO_PAPER, NO_RELEVANT_PASSAGE, NOT_IN_CORPUS, NOT_STATED, ONE_PAPER, Answer, Reason,
)

NOT_ANSWERED = "The corpus does not answer this question."


def joined(names: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C" """
    names = list(names)
    return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + (names[-1] if names else "")


def missing_message(missing: Sequence[str]) -> str:
    """ "FooNet is not in the corpus." / "FooNet and BarNet are not in the corpus." """
    if not missing:
        return ""
    return f"{joined(missing)} {'is' if len(missing) == 1 else 'are'} not in the corpus."


def describe(reason: Reason | None) -> str:
    """One or two sentences for a reason; empty for None."""
    if reason is None:
        return ""
    if reason.kind == NOT_IN_CORPUS:
        return missing_message(reason.names)
    if reason.kind == NO_RELEVANT_PASSAGE:
        return f"{NOT_ANSWERED} No abstract in the corpus is close enough to the question."
    if reason.kind == NO_EVIDENCE:
        return (f"{NOT_ANSWERED} The closest abstracts are on the topic, but no sentence of them "
                "bears on what is asked.")
    if reason.kind == NOT_STATED:
        return f"The abstracts do not state {joined(reason.aspects) or reason.aspect or 'what is asked'}."
    if reason.kind == ONE_PAPER:
        return (f"Only one paper in the corpus matches this question ({joined(reason.names)}): "
                "there is nothing to compare it with.")
    if reason.kind == NO_PAPER:
        return "No paper in the corpus matches this question: there is nothing to compare."
    return NOT_ANSWERED


def answer_text(answer: Answer) -> str:
    """What a user reads for an answer: its checked sentences, or why there are none."""
    if answer.abstained:
        return describe(answer.reason) or NOT_ANSWERED
    return answer.text
