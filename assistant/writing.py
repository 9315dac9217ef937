"""The generate-and-check loop shared by answers, comparisons and digests.

The model streams; each finished sentence is checked against the evidence (`assistant.checking`)
before it is yielded, and the model is stopped once enough is shown, when it repeats itself, or
when it keeps failing. If nothing it wrote survives, the best source sentences are quoted. An
answer (`quotes`) puts the best source sentences first, quoted, and then at most LEAD_SENTENCES
checked model sentences that say something the quotes do not (or the model's lead first and the
quotes it does not already say after it), so that the model adds to what quoting gives and never
replaces the source's own words.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from assistant.answerability import asked, paper_context
from assistant.checking import check_sentence, extractive_fallback, stream_sentences
from assistant.citations import strip_markers
from assistant.models.generators import Generator
from assistant.models.judges import SupportJudge
from assistant.phrasing import is_fragment
from assistant.schema import Evidence, SentenceCheck, normalise_title
from assistant.text import content_terms

MAX_SENTENCES = 4  # a short answer: the 135M default model rambles and repeats after that
LEAD_SENTENCES = 2  # the model's sentences before the quotes, when quotes follow
MAX_WRITTEN = 6  # sentences read from the model, shown or not, before it is stopped
NEAR_DUPLICATE = 0.7  # share of content terms two shown sentences may have in common at most
GIVE_UP_AFTER = 3  # model sentences that all failed their check: stop the model and quote


def write_checked(
    messages: list[dict[str, str]],
    evidence: Sequence[Evidence],
    generator: Generator,
    judge: SupportJudge,
    max_new_tokens: int,
    fallback: Sequence[Evidence] | None = None,
    quotes: str = "fallback",
) -> Iterator[SentenceCheck]:
    """The model's sentences, each checked against the evidence, and the best source sentences
    (`fallback`, else the first two of `evidence`) quoted: with `quotes` "fallback" only when no
    model sentence survives; "first" before at most LEAD_SENTENCES model sentences, each shown
    only if it says something they do not; "after" after a lead of at most LEAD_SENTENCES, but
    for those the lead already says. The quotes come first without waiting for the model."""
    evidence = list(evidence)
    quoted = extractive_fallback(evidence) if fallback is None else extractive_fallback(fallback, len(fallback))
    shown_terms: list[set[str]] = []  # filled by _checked as it shows the model's sentences
    if quotes == "first":
        yield from quoted
        shown_terms.extend(_terms(quote.text) for quote in quoted)
        limit = LEAD_SENTENCES
    else:
        limit = LEAD_SENTENCES if quotes == "after" else MAX_SENTENCES
    yield from _checked(generator.stream(messages, max_new_tokens), evidence, judge, limit, shown_terms)
    if quotes == "first" or (shown_terms and quotes == "fallback"):
        return
    yield from (quote for quote in quoted if not _repeats(_terms(quote.text), shown_terms))


def best_quotes(question: str, evidence: Sequence[Evidence], count: int = 2) -> list[Evidence]:
    """The evidence sentences to quote when no model sentence survives: those of the best-ranked
    paper first (evidence comes grouped by paper in retrieval order), and within a paper the
    sentences carrying more of what the question asks before the others ("What mAP does X reach?"
    quotes the sentence with "46.2 mAP", "What tokenizer ..." the one naming it), then by score;
    shown in marker order."""
    aspects, context = asked(question).aspects, paper_context(evidence)
    rank = {pid: i for i, pid in enumerate(dict.fromkeys(e.paper_id for e in evidence))}
    ranked = sorted(evidence, key=lambda e: (
        rank[e.paper_id], -sum(a.carried_by(e.text, context[e.paper_id]) for a in aspects), -e.score))
    return sorted(ranked[:count], key=lambda e: e.marker)


def shown_text(checks: Sequence[SentenceCheck]) -> str:
    return " ".join(c.text for c in checks if c.shown)


def _checked(pieces: Iterator[str], evidence: list[Evidence], judge: SupportJudge, limit: int,
             shown_terms: list[set[str]]):
    """Checked sentences from the model's stream, the content terms of each shown one added to
    `shown_terms` (which may hold those of sentences shown before: the model's must not repeat
    them); stops the model once `limit` of its own are shown or it loops."""
    written: set[str] = set()
    before = len(shown_terms)
    sentences = stream_sentences(pieces)
    try:
        for sentence in sentences:
            key = normalise_title(strip_markers(sentence))
            if not key or key in written:  # the model repeats itself: stop it
                break
            written.add(key)
            check = check_sentence(sentence, evidence, judge)
            if check.shown:
                terms = _terms(check.text)
                # a list of words without a verb ("10 billion parameters PaddlePaddle platform") or
                # a repeat is not shown, however well its words match the sources
                if is_fragment(check.text) or _repeats(terms, shown_terms):
                    check = SentenceCheck("", sentence, (), check.support, check.supported, "dropped")
                else:
                    shown_terms.append(terms)
            yield check
            shown = len(shown_terms) - before
            if shown >= limit or len(written) >= MAX_WRITTEN:
                break
            if not shown and len(written) >= GIVE_UP_AFTER:  # the model is off: quote instead
                break
    finally:
        sentences.close()  # closing the chain stops generation early


def _terms(text: str) -> set[str]:
    return content_terms(strip_markers(text))


def _repeats(terms: set[str], shown_terms: Sequence[set[str]]) -> bool:
    """Says mostly what a shown sentence says (NEAR_DUPLICATE of their content terms)."""
    return any(_jaccard(terms, seen) >= NEAR_DUPLICATE for seen in shown_terms)


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0
