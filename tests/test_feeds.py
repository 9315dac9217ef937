"""API answers as sources: Hugging Face Daily Papers JSON (assistant.sources.records) and arXiv API Atom feeds
(assistant.sources.feeds, .atom/.xml), from recorded fixtures, into Papers and Rejections."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.schema import paper_id_for
from assistant.sources import parse_file, parse_paths

FIXTURES = Path(__file__).resolve().parent / "fixtures"
QUERY_FEED = FIXTURES / "arxiv_query.atom"
MALFORMED_FEED = FIXTURES / "arxiv_malformed.atom"
DAILY = FIXTURES / "daily_papers_2026-11-16.json"
DAILY_MALFORMED = FIXTURES / "daily_papers_malformed.json"
DAILY_TRUNCATED = FIXTURES / "daily_papers_truncated.json"


def reasons(result) -> list[tuple[int, str]]:
    return [(rejection.line, rejection.reason) for rejection in result.rejections]


# Hugging Face Daily Papers API JSON ------------------------------------------------------------


def test_daily_papers_answer_maps_each_entry_to_a_paper_with_its_dates_and_upvotes():
    result = parse_file(DAILY)
    assert result.rejections == [] and result.entries == 4
    assert [(p.paper_id, p.published, p.listed_on, p.upvotes) for p in result.papers] == [
        ("arxiv:2611.08421", "2026-11-12", "2026-11-16", 42),
        ("arxiv:2611.07995", "2026-11-11", "2026-11-16", 17),
        ("arxiv:2611.08177", "2026-11-12", "2026-11-16", 88),
        ("arxiv:2611.06512", "2026-11-10", "2026-11-16", 0),
    ]
    third = result.papers[2]
    assert third.title == "Draft, Verify, Merge: Speculative Decoding for Mixture-of-Experts Models"
    assert third.authors == ("Aditya Kulkarni", "Hannah Becker", "Tom\u00e1s Ortega", "Yuki Tanaka")
    assert third.abstract == json.loads(DAILY.read_text(encoding="utf-8"))[2]["paper"]["summary"]
    assert [paper.line for paper in result.papers] == [2, 32, 56, 83]


def test_malformed_daily_papers_entries_are_rejected_at_their_lines_naming_the_api_fields():
    result = parse_file(DAILY_MALFORMED)
    assert [paper.arxiv_id for paper in result.papers] == ["2611.09001"]
    assert reasons(result) == [
        (15, "Daily Papers entry has no 'paper' object"),
        (21, "record has no abstract (title 'A Paper Listed Before Its Abstract Was Processed')"),
        (33, "'paper.upvotes' must be a whole number of 0 or more, not 'many'"),
        (46, "'publishedAt' is not an ISO date (YYYY-MM-DD or a date-time): 'not a date'"),
    ]
    assert result.entries == 5


def test_truncated_daily_papers_answer_is_rejected_whole():
    result = parse_file(DAILY_TRUNCATED)
    assert result.papers == []
    assert reasons(result) == [
        (0, "invalid or truncated JSON at line 15, column 18: Unterminated string starting at")]


@pytest.mark.parametrize(
    ("entry", "reason"),
    [({"paper": "2611.08421"}, "Daily Papers entry has a 'paper' string, not an object"),
     ({"paper": {"id": "2611.1", "title": 7, "summary": "x"}}, "'paper.title' must be a string, not number"),
     ({"paper": {"title": "T", "summary": "x", "authors": "A"}, "publishedAt": "2026-13-01"},
      "'publishedAt' is not an ISO date (YYYY-MM-DD or a date-time): '2026-13-01'")],
)
def test_daily_papers_entry_problems_name_the_field(tmp_path, entry, reason):
    path = tmp_path / "daily.json"
    good = {"paper": {"id": "2611.00001", "title": "Good", "summary": "Fine."}}
    path.write_text(json.dumps([good, entry]), encoding="utf-8")
    assert reasons(parse_file(path)) == [(1, reason)]


def test_daily_papers_entries_are_recognised_in_json_lines_too(tmp_path):
    path = tmp_path / "daily.jsonl"
    entries = json.loads(DAILY.read_text(encoding="utf-8"))[:2]
    path.write_text("".join(json.dumps(entry) + "\n" for entry in entries), encoding="utf-8")
    result = parse_file(path)
    assert [(p.arxiv_id, p.listed_on, p.line) for p in result.papers] == [
        ("2611.08421", "2026-11-16", 1), ("2611.07995", "2026-11-16", 2)]


def test_paper_id_that_is_not_an_arxiv_id_falls_back_to_the_title(tmp_path):
    path = tmp_path / "daily.json"
    path.write_text(json.dumps([{"paper": {"id": "abc", "title": "Odd", "summary": "Text."}}]))
    paper = parse_file(path).papers[0]
    assert (paper.arxiv_id, paper.paper_id) == (None, paper_id_for("Odd"))


# arXiv API Atom feeds ----------------------------------------------------------------------------


def test_arxiv_feed_entries_become_papers_with_ids_authors_and_published_dates():
    result = parse_file(QUERY_FEED)
    assert result.rejections == [] and result.entries == 3
    assert [(p.arxiv_id, p.paper_id, p.published) for p in result.papers] == [
        ("2611.08421", "arxiv:2611.08421", "2026-11-12"),
        ("2610.13377", "arxiv:2610.13377", "2026-10-22"),
        ("cs/0112017", "arxiv:cs/0112017", "2001-12-14"),  # an old-style id
    ]
    first = result.papers[0]
    assert first.authors == ("Mira Okafor", "Jonas Lindqvist", "Priya Raman")
    assert first.url == "http://arxiv.org/abs/2611.08421v2"
    assert (first.listed_on, first.upvotes, first.listing_date) == (None, None, None)


def test_arxiv_feed_title_and_summary_have_white_space_collapsed_and_entities_decoded():
    first = parse_file(QUERY_FEED).papers[0]
    assert first.title == "Sparse Rehearsal: Continual Instruction Tuning without Replaying the Past"
    assert first.abstract.startswith("Continual instruction tuning lets a language model pick up new skills, but each")
    assert "(p < 0.01 against replay)" in first.abstract
    assert "\n" not in first.abstract and "  " not in first.abstract
    assert first.abstract.endswith("after 15 tasks.")


def test_arxiv_feed_papers_point_at_the_line_of_their_entry_tag():
    lines = QUERY_FEED.read_text(encoding="utf-8").split("\n")
    papers = parse_file(QUERY_FEED).papers
    assert [paper.line for paper in papers] == [10, 41, 64]
    assert all(lines[paper.line - 1].strip() == "<entry>" for paper in papers)


def test_xml_suffix_reads_the_same_feed(tmp_path):
    copy = shutil.copy(QUERY_FEED, tmp_path / "query.xml")
    assert [p.title for p in parse_file(Path(copy)).papers] == [p.title for p in parse_file(QUERY_FEED).papers]


def test_feed_entries_without_title_or_summary_are_rejected_by_index_and_the_rest_kept():
    result = parse_file(MALFORMED_FEED)
    assert [paper.arxiv_id for paper in result.papers] == ["2611.09001"]
    assert reasons(result) == [(17, "entry 2: no summary"), (23, "entry 3: no title")]
    assert result.entries == 3


def test_entry_is_named_by_index_at_line_zero_when_entry_tags_cannot_be_counted(tmp_path):
    # A comment mentioning <entry> makes the tag count disagree with the entries.
    text = MALFORMED_FEED.read_text(encoding="utf-8").replace("<feed ", "<!-- <entry> --><feed ", 1)
    path = tmp_path / "commented.atom"
    path.write_text(text, encoding="utf-8")
    result = parse_file(path)
    assert reasons(result) == [(0, "entry 2: no summary"), (0, "entry 3: no title")]
    assert result.papers[0].line == 0


NOT_FEEDS = [
    ("page.xml", "<!DOCTYPE html>\n<html><body><p>Rate limited</p></body></html>\n",
     "not an Atom feed: no <feed> element (expected an arXiv API answer)"),
    ("note.xml", "<?xml version='1.0'?>\n<note><to>you</to></note>\n",
     "not an Atom feed: no <feed> element (expected an arXiv API answer)"),
    ("records.atom", '{"title": "A", "abstract": "B"}\n',
     "not an Atom feed: not well-formed (invalid token) at line 1"),
    ("words.atom", "just some words\n", "not an Atom feed: syntax error at line 1"),
    ("mismatched.xml", '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n</fed>\n',
     "not an Atom feed: mismatched tag at line 3"),
]


@pytest.mark.parametrize(("name", "content", "reason"), NOT_FEEDS, ids=[case[0] for case in NOT_FEEDS])
def test_file_that_is_not_a_feed_is_rejected_whole_with_feedparsers_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = parse_file(path)
    assert result.papers == [] and result.entries == 0
    assert reasons(result) == [(0, reason)]


def test_cut_off_feed_keeps_entries_read_and_rejects_where_the_xml_breaks(tmp_path):
    text = QUERY_FEED.read_text(encoding="utf-8")
    path = tmp_path / "cut.atom"
    path.write_text(text[: text.index("pseudo-items drawn")], encoding="utf-8")
    result = parse_file(path)
    assert [paper.arxiv_id for paper in result.papers] == ["2611.08421", "2610.13377"]
    assert reasons(result) == [
        (64, "entry 3: no summary"),
        (71, "feed is not well-formed XML (no element found at line 71); the entries above were read leniently"),
    ]


def test_arxiv_api_error_entry_is_a_rejection_with_the_api_message(tmp_path):
    path = tmp_path / "error.atom"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        "  <entry>\n    <id>http://arxiv.org/api/errors#incorrect_id_format_for_2611.x</id>\n"
        "    <title>Error</title>\n    <summary>incorrect id format for 2611.x</summary>\n"
        "  </entry>\n</feed>\n", encoding="utf-8")
    result = parse_file(path)
    assert result.papers == []
    assert reasons(result) == [(3, "entry 1: arXiv API error: incorrect id format for 2611.x")]


def test_feed_with_no_entries_gives_no_papers_and_no_rejections(tmp_path):
    path = tmp_path / "empty.atom"
    path.write_text('<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
                    "<title>ArXiv Query</title></feed>\n", encoding="utf-8")
    result = parse_file(path)
    assert (result.papers, result.rejections, result.entries) == ([], [], 0)


def test_feed_entry_without_an_arxiv_id_is_keyed_by_its_title(tmp_path):
    path = tmp_path / "other.atom"
    path.write_text('<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
                    "<id>tag:example.org,2026:1</id><title>Elsewhere</title><summary>Text.</summary>"
                    "</entry></feed>\n", encoding="utf-8")
    paper = parse_file(path).papers[0]
    assert (paper.arxiv_id, paper.paper_id, paper.published) == (None, paper_id_for("Elsewhere"), None)


def test_feed_and_daily_papers_answer_of_the_same_paper_share_its_id():
    result = parse_paths([QUERY_FEED, FIXTURES / "daily_papers_2026-11-16.json"])
    ids = [paper.paper_id for paper in result.papers]
    assert ids.count("arxiv:2611.08421") == 2  # ingest keeps the first and counts the repeat
