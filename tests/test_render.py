import html as html_module
import re
from pathlib import Path

from assistant.compare import not_compared
from assistant.schema import NOT_IN_CORPUS, Reason
from assistant.ui.render import (
    highlight, library_rows, paper_card, paper_links, paper_meta, render_answer, render_deleted, render_ingest, render_partial, render_references,
    render_result, render_rewrite, render_stats, text,
)
from assistant.schema import (
    Answer, Citation, Evidence, IngestReport, Paper, Rejection, SentenceCheck,
)
from assistant.reports import Cell, Comparison

PAPER = Paper(paper_id="p1", title="TinyCLIP: <Distillation>",
              abstract="First sentence here. Second & last sentence.")


def _answer(**overrides):
    values = dict(
        question="q", text="First sentence here [1].", abstained=False,
        citations=[Citation(1, "p1", PAPER.title)], passages=[],
        evidence=[Evidence(1, "p1", PAPER.title, "First sentence here.", 0, 20, 1.0)],
        sentences=[SentenceCheck("First sentence here [1].", "x", (1,), 0.9, True, "kept"),
                   SentenceCheck("", "Nonsense claim.", (), 0.1, False, "dropped")])
    values.update(overrides)
    return Answer(**values)


def test_highlight_marks_spans_and_escapes_the_rest():
    assert highlight(PAPER.abstract, [(0, 20)]) == (
        "<mark>First sentence here.</mark> Second &amp; last sentence.")
    assert highlight("a<b", []) == "a&lt;b"


def test_render_answer_shows_only_shown_sentences_with_badges():
    html = render_answer(_answer(), [PAPER])
    assert "First sentence here [1]." in html and "(checked)" in html
    assert "Nonsense" not in html


def test_references_are_cards_with_highlighted_abstracts_and_escaped_titles():
    html = render_references(_answer(), [PAPER])
    assert html.startswith('<details class="paper-card"><summary>[1] TinyCLIP: &lt;Distillation&gt;</summary>')
    assert "<mark>First sentence here.</mark>" in html


def test_abstained_answer_says_the_corpus_does_not_answer():
    html = render_answer(_answer(abstained=True, text="The corpus does not answer this question.",
                                 citations=[], sentences=[]), [])
    assert "does not answer" in html and "<details>" not in html


def test_partial_answer_escapes_model_text():
    checks = [SentenceCheck("A <b>bold</b> claim [1].", "x", (1,), 0.9, True, "kept")]
    assert render_partial(checks) == "A &lt;b&gt;bold&lt;/b&gt; claim [1]."


def test_rewrite_note_appears_only_when_the_question_was_rewritten():
    assert render_rewrite("what data does it use?", "what data does it use?") == ""
    assert render_rewrite("  what data  does it use? ", "what data does it use?") == ""
    note = render_rewrite("what data does it use?", "What data does <TinyCLIP> use?")
    assert "Searched as:" in note and "&lt;TinyCLIP&gt;" in note


def _records():
    return [(Paper("p1", "TinyCLIP: <Distillation>", "a", listed_on="2023-09-04",
                   published="2023-09-01", source="/x/data/sep04.txt"), "2026-11-20"),
            (Paper("p2", "Scaling Laws", "b", listing_date="Sep 3", source="feed.atom"), "")]


def test_library_rows_show_dates_and_file_name_and_filter_on_every_word():
    rows = library_rows(_records())
    assert rows[0] == ["TinyCLIP: <Distillation>", "2023-09-04", "2023-09-01", "2026-11-20",
                       "sep04.txt", "p1"]
    assert rows[1][1:5] == ["Sep 3 (no year)", "", "", "feed.atom"]
    assert [r[-1] for r in library_rows(_records(), "tinyclip 2023-09")] == ["p1"]
    assert [r[-1] for r in library_rows(_records(), "ATOM")] == ["p2"]
    assert library_rows(_records(), "tinyclip atom") == []
    assert len(library_rows(_records(), None)) == 2  # the search box before it is rendered


def test_ingest_summary_counts_and_lists_each_rejection_with_file_and_line():
    report = IngestReport(added=2, updated=1, unchanged=3, chunks_embedded=4, seconds=1.25,
                          rejected=[Rejection("/store/uploads/bad.jsonl", 7, "no 'title' field"),
                                    Rejection("evil.exe", 0, "not an ingestible file type")])
    text = render_ingest(report)
    assert text.startswith("**Added 2, updated 1, unchanged 3, rejected 2** (4 chunks embedded in 1.2 s).")
    assert "- bad.jsonl line 7: no &#x27;title&#x27; field" in text
    assert "- evil.exe: not an ingestible file type" in text
    assert "line 0" not in text


def test_stats_table_names_the_models_and_escapes_values():
    text = render_stats({"papers": 548, "chunks": 1038, "embedder": "all-MiniLM-L6-v2",
                         "dimension": 384, "generator": "SmolLM2-135M-Instruct", "store": "<s>"},
                        "offline")
    assert text.splitlines() == [
        "- **Papers**: 548 (1,038 chunks)", "- **Embedder**: all-MiniLM-L6-v2 (384 dimensions)",
        "- **Generator**: SmolLM2-135M-Instruct", "- **Support judge**: offline",
        "- **Store**: &lt;s&gt;"]


def test_deleted_message_names_the_paper_or_says_none_matched():
    assert render_deleted("p1", "A *bold* <title>") == "Deleted **A &#42;bold&#42; &lt;title&gt;**."
    assert render_deleted("nope", None) == "No stored paper has the id nope."


def test_comparison_result_shows_the_table_then_the_cited_cards():
    other = Paper(paper_id="p2", title="Scaling Laws", abstract="Loss falls as a power law.")
    evidence = Evidence(1, "p1", PAPER.title, "First sentence here.", 0, 20, 1.0)
    comparison = Comparison(
        "How do they differ?", [PAPER, other], ["method"],
        [Cell("method", "p1", evidence), Cell("method", "p2", None)],
        _answer(text="They differ [1].", evidence=[evidence],
                sentences=[SentenceCheck("They differ [1].", "x", (1,), 0.9, True, "kept")]))
    html = render_result(comparison, [PAPER, other])
    table, cards = html.split("<details", 1)
    assert "| **method** | First sentence here. [1] |" in table and "They differ [1]." in table
    assert "References" not in html  # the cards are the references
    assert "<mark>First sentence here.</mark>" in cards


def test_comparison_that_could_not_be_made_says_what_is_missing():
    comparison = not_compared("How does FooNet compare with TinyCLIP?", [PAPER], ["FooNet"],
                              Reason(NOT_IN_CORPUS, ("FooNet",)), {})
    html = render_result(comparison, [])
    assert "**FooNet** is not in the corpus." in html and "<details>" not in html


def test_answer_result_is_the_answer_with_badges():
    assert render_result(_answer(), [PAPER]) == render_answer(_answer(), [PAPER])


HOSTILE = Path(__file__).parent / "fixtures" / "hostile_ui.jsonl"
# What must never reach a Markdown or HTML renderer from source text: markup that makes a browser
# fetch something, run something, or follow a link the app did not build.
ACTIVE = re.compile(r"<(img|script|iframe|b)\b|\]\(|https?://127|<\|im_")


def _hostile_papers() -> list[Paper]:
    from assistant.sources import parse_file

    return parse_file(HOSTILE).papers


def test_hostile_titles_and_abstracts_render_as_inert_text():
    for paper in _hostile_papers():
        card = paper_card(paper)
        assert not ACTIVE.search(card), card
        assert html_module.unescape(text(paper.title)) == " ".join(paper.title.split())  # shown as is
        assert card.count("<a ") == len(paper_links(paper))


def test_text_keeps_citation_markers_and_breaks_links_images_and_bare_urls():
    assert text("A claim [1][2].") == "A claim [1][2]."
    out = text("![x](http://127.0.0.1:9/a) [l](www.e.invalid) `c` | *b* <s>")
    assert out == ("&#33;&#91;x&#93;(http&#58;//127.0.0.1:9/a) &#91;l&#93;(www&#46;e.invalid) "
                   "&#96;c&#96; &#124; &#42;b&#42; &lt;s&gt;")
    assert "](" not in text("[1](http://127.0.0.1:9/x)")


def test_links_come_only_from_a_well_formed_arxiv_id():
    paper = Paper("p", "T", "A.", arxiv_id="2406.01234", url="http://127.0.0.1:9/evil")
    assert paper_links(paper) == [("arXiv", "https://arxiv.org/abs/2406.01234"),
                                  ("HF", "https://huggingface.co/papers/2406.01234")]
    assert paper_links(Paper("p", "T", "A.", arxiv_id='1"onmouseover="x')) == []


def test_card_meta_shows_authors_dates_and_upvotes():
    paper = Paper("p", "T", "A.", authors=("A", "B", "C", "D"), published="2024-06-03",
                  listed_on="2024-06-04", upvotes=12)
    assert paper_meta(paper) == "A, B, C et al. · published 2024-06-03 · listed 2024-06-04 · ▲ 12"


def test_an_undated_listing_day_shows_without_a_year_in_cards_and_the_library():
    paper = Paper("p", "T", "A.", listing_date="Mar 3")
    assert paper_meta(paper) == "listed Mar 3 (no year)"
    assert library_rows([(paper, "2026-12-01")])[0][1] == "Mar 3 (no year)"
