"""Comparisons and digests as Markdown (pure functions of the values)."""

import re
from datetime import date

from assistant.markdown import comparison_markdown, digest_markdown, inert, short_title
from assistant.schema import Answer, Citation, Evidence, Paper, SentenceCheck
from assistant.reports import Cell, Comparison, Digest, Topic, Window

A = Paper("a", "TinyCLIP: CLIP Distillation", "We propose TinyCLIP. It uses 8M | 16 parameters.")
B = Paper("b", "A Very Long Title Without Any Colon That Goes On And On About Vision", "We propose B.")
E1 = Evidence(1, "a", A.title, "We propose TinyCLIP.", 0, 20, 1.0)
E2 = Evidence(2, "a", A.title, "It uses 8M | 16 parameters.", 21, 48, 1.0)
E3 = Evidence(3, "b", B.title, "We propose B.", 0, 13, 1.0)


def _comparison(missing=(), abstained=False):
    checks = [SentenceCheck("TinyCLIP distils CLIP [1].", "x", (1,), 0.9, True, "kept")]
    answer = Answer("q", "" if abstained else "TinyCLIP distils CLIP [1].", abstained,
                    [] if abstained else [Citation(1, "a", A.title), Citation(2, "a", A.title),
                                          Citation(3, "b", B.title)], [], [E1, E2, E3], checks)
    cells = [Cell("key idea", "a", E1), Cell("key idea", "b", E3),
             Cell("data / scale", "a", E2), Cell("data / scale", "b", None)]
    return Comparison("q", [A, B], ["key idea", "data / scale"], cells, answer, list(missing))


def test_short_titles():
    assert short_title(A.title) == "TinyCLIP"
    assert short_title(B.title) == "A Very Long Title Without Any Colon That Goes…"


def test_comparison_table_has_a_column_a_paper_and_escapes_pipes():
    text = comparison_markdown(_comparison())
    assert "| | TinyCLIP | A Very Long Title Without Any Colon That Goes… |" in text
    assert "| **key idea** | We propose TinyCLIP. [1] | We propose B. [3] |" in text
    assert "| **data / scale** | It uses 8M \\| 16 parameters. [2] | not stated in the abstract |" in text
    assert "- [1][2] TinyCLIP: CLIP Distillation (a)" in text


def test_comparison_with_missing_papers_names_them_first():
    text = comparison_markdown(_comparison(missing=["FooNet"]))
    assert text.startswith("**FooNet** is not in the corpus.")
    abstained = comparison_markdown(_comparison(missing=["FooNet"], abstained=True))
    assert abstained == "**FooNet** is not in the corpus.\n"


def test_digest_sections_list_papers_with_dates_and_markers():
    answer = Answer("q", "TinyCLIP distils CLIP [1].", False, [Citation(1, "a", A.title)], [], [E1])
    window = Window(date(2026, 11, 16), date(2026, 11, 22), "2026-W47 (2026-11-16 to 2026-11-22)")
    digest = Digest(window, None, [Topic("distillation, clip", [A, B], answer)], 3,
                    {"a": ("2026-11-17", "listed"), "b": ("2026-11-20", "added"), "c": (None, "added")})
    text = digest_markdown(digest)
    assert text.startswith("# Digest: 2026-W47 (2026-11-16 to 2026-11-22)\n\n2 papers in 1 topic "
                           "(2 by added date, 1 by listed date).")
    assert "## distillation, clip (2 papers)" in text
    assert "- [1] TinyCLIP: CLIP Distillation — 2026-11-17 (listed)" in text
    assert f"- {B.title} — 2026-11-20 (added)" in text


def test_a_digest_line_filed_by_ingest_day_names_the_undated_listing_day():
    paper = Paper("b", B.title, B.abstract, listing_date="Nov 19")
    digest = Digest(Window(None, None, "all dates"), None, [Topic("t", [paper], Answer("q", "", True, [], []))], 1,
                    {"b": ("2026-11-20", "added")})
    assert f"- {B.title} — 2026-11-20 (added) — listed Nov 19 (no year)" in digest_markdown(digest)


def test_inert_text_cannot_make_images_links_html_or_table_cells():
    hostile = "![x](http://127.0.0.1:9/s) <img src=x onerror=a()> [l](www.e.invalid) `c` | *b* &lt;"
    assert inert(hostile) == ("\\!\\[x\\](http\\://127.0.0.1:9/s) \\<img src=x onerror=a()\\> "
                              "\\[l\\](www\\.e.invalid) \\`c\\` \\| \\*b\\* \\&lt;")
    assert inert("It works [1][2].\n\nNew line") == "It works [1][2]. New line"
    assert inert("[1](http://x)") == "\\[1\\](http\\://x)"


def test_hostile_titles_in_a_comparison_table_and_digest_are_inert():
    hostile = Paper("h", "Evil ![x](http://127.0.0.1:9/t) | <script>", "We propose B.")
    comparison = _comparison()
    comparison.papers[1] = hostile
    text = comparison_markdown(comparison)
    assert not re.search(r"(?<!\\)\]\(|(?<!\\)<script|(?<!\\)!\[", text), text
    assert text.splitlines()[0].count(" | ") == 2  # no extra table cell from the title's "|"
