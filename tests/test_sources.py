"""Tests for assistant.sources: listing dumps, JSON, JSON Lines and CSV into Papers and Rejections."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from assistant.schema import ListingDates, paper_id_for
from assistant.sources import ABSTRACT_MIN_CHARS, parse_file, parse_paths

CORPUS = Path(__file__).resolve().parents[1] / "data" / "daily_papers"

ABSTRACT = (
    "We study how pre-training shapes what a model can later learn from few examples. "
    "Across twelve benchmarks and three model sizes, we find that longer pre-training helps "
    "mostly when the downstream task resembles the pre-training data, and that the benefit "
    "shrinks as the fine-tuning set grows. We release code, checkpoints and evaluation scripts "
    "so that others can reproduce every number in the paper and extend the analysis."
)
OTHER_ABSTRACT = ABSTRACT.replace("pre-training", "self-supervised learning")
CUT_ABSTRACT = ABSTRACT.rstrip(".") + " and then the page cuts this sentence in the mid"


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def reasons(result) -> list[tuple[int, str]]:
    return [(rejection.line, rejection.reason) for rejection in result.rejections]


# The shipped corpus ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus():
    return parse_paths([CORPUS])


def test_real_corpus_gives_653_papers_548_distinct_and_no_rejections(corpus):
    assert len(corpus.papers) == 653
    assert corpus.rejections == []
    assert corpus.entries == 653
    assert len({paper.paper_id for paper in corpus.papers}) == 548


def test_real_corpus_glued_subscribe_titles_are_clean(corpus):
    first_titles = {Path(paper.source).name[:3]: paper.title for paper in reversed(corpus.papers)}
    assert first_titles["003"] == "Scaling Multimodal Pre-Training via Cross-Modality Gradient Harmonization"
    assert first_titles["004"].startswith("Self-supervised Pretraining for Decision Foundation Model")
    assert not [paper.title for paper in corpus.papers if "Subscribe" in paper.title]


@pytest.mark.parametrize(
    ("file_prefix", "listing_date"),
    [("000", "Sep 3"), ("001", "Mar 14"), ("002", "Mar 11"), ("003", None), ("004", None)],
)
def test_real_corpus_listing_dates_per_file(corpus, file_prefix, listing_date):
    dates = {paper.listing_date for paper in corpus.papers if Path(paper.source).name.startswith(file_prefix)}
    assert dates == {listing_date}


def test_real_corpus_titles_and_abstracts_sit_either_side_of_the_threshold(corpus):
    assert max(len(paper.title) for paper in corpus.papers) < ABSTRACT_MIN_CHARS
    assert min(len(paper.abstract) for paper in corpus.papers) >= ABSTRACT_MIN_CHARS


def test_real_corpus_papers_record_their_file_and_title_line(corpus):
    first = corpus.papers[0]
    assert first.source == str(CORPUS / "000_9c1c75a0277bd027.txt")
    assert first.line == 13
    assert first.title.startswith("Swin3D: A Pretrained Transformer Backbone")
    lines = (CORPUS / "000_9c1c75a0277bd027.txt").read_text(encoding="utf-8").split("\n")
    assert all(lines[paper.line - 1].strip().endswith(paper.title) for paper in corpus.papers[:90])


def test_real_corpus_repeated_titles_are_kept_for_ingest_to_deduplicate(corpus):
    repeats = Counter(paper.paper_id for paper in corpus.papers)
    assert sum(count - 1 for count in repeats.values()) == 653 - 548


# Listing dumps ---------------------------------------------------------------------------------


BOILERPLATE_HEAD = "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"


@pytest.mark.parametrize(
    ("layout", "content", "title_lines"),
    [
        ("blank lines between lines",
         f"{BOILERPLATE_HEAD}Sep 3\n\nFirst Paper\n\n{ABSTRACT}\n\nSecond Paper\n\n{OTHER_ABSTRACT}\n",
         [11, 15]),
        ("no blank lines",
         f"Get trending papers in your email inbox once a day!\nSubscribe\nFirst Paper\n{ABSTRACT}\n"
         f"Second Paper\n{OTHER_ABSTRACT}\n",
         [3, 5]),
        ("windows line endings",
         f"Subscribe\r\nFirst Paper\r\n{ABSTRACT}\r\nSecond Paper\r\n{OTHER_ABSTRACT}\r\n",
         [2, 4]),
    ],
)
def test_listing_dump_reads_both_layouts(tmp_path, layout, content, title_lines):
    result = parse_file(write(tmp_path, "listing.txt", content))
    assert reasons(result) == []
    assert [paper.title for paper in result.papers] == ["First Paper", "Second Paper"]
    assert [paper.abstract for paper in result.papers] == [ABSTRACT, OTHER_ABSTRACT]
    assert [paper.line for paper in result.papers] == title_lines
    assert result.entries == 2


def test_listing_dump_removes_subscribe_glued_to_first_title(tmp_path):
    content = (
        "Get trending papers in your email inbox!\nSubscribeScaling Multimodal Pre-Training\n"
        f"{ABSTRACT}\nSubscribers Prefer Short Titles\n{OTHER_ABSTRACT}\n"
    )
    result = parse_file(write(tmp_path, "glued.md", content))
    assert [paper.title for paper in result.papers] == [
        "Scaling Multimodal Pre-Training",
        "Subscribers Prefer Short Titles",
    ]
    assert result.papers[0].paper_id == paper_id_for("Scaling Multimodal Pre-Training")


@pytest.mark.parametrize(
    ("date_line", "listing_date"),
    [("Sep 3", "Sep 3"), ("Mar 14", "Mar 14"), ("September 3", "Sep 3"), ("Sept 3", "Sep 3"),
     ("march 11", "Mar 11"), ("Dec 09", "Dec 9"), ("May 31", "May 31")],
)
def test_listing_date_line_sets_the_date_of_following_entries(tmp_path, date_line, listing_date):
    content = f"Subscribe\n\n{date_line}\n\nA Paper\n\n{ABSTRACT}\n"
    result = parse_file(write(tmp_path, "dated.txt", content))
    assert [(paper.title, paper.listing_date) for paper in result.papers] == [("A Paper", listing_date)]


@pytest.mark.parametrize("title", ["Mar 32", "May the Force Be With You", "Sep 3rd Results"])
def test_lines_that_only_resemble_dates_are_titles(tmp_path, title):
    result = parse_file(write(tmp_path, "titles.txt", f"{title}\n{ABSTRACT}\n"))
    assert [(paper.title, paper.listing_date) for paper in result.papers] == [(title, None)]


def test_listing_date_changes_apply_to_entries_after_them(tmp_path):
    content = f"Before\n{ABSTRACT}\nMar 14\nMiddle\n{ABSTRACT}\nMar 11\nAfter\n{OTHER_ABSTRACT}\n"
    result = parse_file(write(tmp_path, "dates.txt", content))
    assert [paper.listing_date for paper in result.papers] == [None, "Mar 14", "Mar 11"]


@pytest.mark.parametrize(
    ("ending", "truncated"),
    [(".", False), ("!", False), ("?", False), ('."', False), (".)", False),
     (".\u201d", False), (" and the", True), (" https://github.com/org/repo", True), (",", True)],
)
def test_listing_dump_flags_abstracts_not_ending_a_sentence_as_truncated(tmp_path, ending, truncated):
    abstract = ABSTRACT.rstrip(".") + ending
    result = parse_file(write(tmp_path, "cut.txt", f"A Paper\n{abstract}\n"))
    assert [paper.truncated for paper in result.papers] == [truncated]


def test_listing_dump_collapses_white_space_in_titles(tmp_path):
    result = parse_file(write(tmp_path, "spaces.txt", f"  A   Paper\twith  Gaps \n   {ABSTRACT}   \n"))
    assert result.papers[0].title == "A Paper with Gaps"
    assert result.papers[0].abstract == ABSTRACT


def test_listing_dump_rejects_title_without_abstract(tmp_path):
    content = f"First Paper\n\n{ABSTRACT}\n\nOrphan Title\n\nThird Paper\n\n{OTHER_ABSTRACT}\n\nLast Orphan\n"
    result = parse_file(write(tmp_path, "orphans.txt", content))
    assert [paper.title for paper in result.papers] == ["First Paper", "Third Paper"]
    assert reasons(result) == [
        (5, "title with no abstract: 'Orphan Title'"),
        (11, "title with no abstract: 'Last Orphan'"),
    ]
    assert result.entries == 4


def test_listing_dump_rejects_abstract_without_title(tmp_path):
    content = f"First Paper\n{ABSTRACT}\n{OTHER_ABSTRACT}\nThird Paper\n{ABSTRACT}\n"
    result = parse_file(write(tmp_path, "no_title.txt", content))
    assert [paper.title for paper in result.papers] == ["First Paper", "Third Paper"]
    assert [line for line, _ in reasons(result)] == [3]
    assert reasons(result)[0][1].startswith("abstract with no title (")


def test_listing_dump_rejects_title_cut_off_by_a_date_line(tmp_path):
    content = f"Orphan Title\nMar 14\nA Paper\n{ABSTRACT}\n"
    result = parse_file(write(tmp_path, "dated_orphan.txt", content))
    assert reasons(result) == [(1, "title with no abstract: 'Orphan Title'")]
    assert [(paper.title, paper.listing_date) for paper in result.papers] == [("A Paper", "Mar 14")]


# Whole-file problems -----------------------------------------------------------------------------


WHOLE_FILE_CASES = [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"  \n\t\n\n", "empty file (only white space)"),
    ("blank.json", b"\n\n", "empty file (only white space)"),
    ("boilerplate.txt", b"new\n\nSubscribe\nDaily Papers\n", "empty file (only page boilerplate, no papers)"),
    ("binary.txt", b"PK\x03\x04\x00\x00rest", "binary file (NUL byte at byte offset 4), not text"),
    ("latin1.txt", "Caf\u00e9 title\n".encode("latin-1"), "not UTF-8 text: byte 0xe9 at byte offset 3"),
    ("latin1.csv", b"title,abstract\nna\xefve,x\n", "not UTF-8 text: byte 0xef at byte offset 17"),
    ("utf16.txt", "Title\n".encode("utf-16"), "UTF-16 text is not supported: save the file as UTF-8"),
    ("truncated.json", b'[\n  {"title": "A", "abstract": "B"},\n  {"title": "C", "abs',
     "invalid or truncated JSON at line 3, column 18: Unterminated string starting at"),
    ("extra.json", b'{"title": "A", "abstract": "B"}\n{"title": "C"}\n',
     "invalid or truncated JSON at line 2, column 1: Extra data"),
    ("scalar.json", b"42", "expected an array of paper objects, an object with a 'papers' array or one "
                           "paper object; found a number"),
    ("papers.json", b'{"papers": {"title": "A"}}', "'papers' must be an array, not object"),
    ("columns.csv", b"name,summary\nA,B\n", "CSV header has no 'title' column (found: 'name', 'summary')"),
    ("neither.csv", b"name,text\nA,B\n",
     "CSV header has no 'title' and 'abstract' columns (found: 'name', 'text')"),
    ("no_pairs.txt", b"Just a note\nAnother short line\n",
     f"no title + abstract pair found (expected a title line followed by an abstract paragraph "
     f"of {ABSTRACT_MIN_CHARS}+ characters)"),
    ("unsupported.pdf", b"%PDF-1.7",
     "unsupported file type '.pdf' (expected .txt, .md, .json, .jsonl, .csv, .atom or .xml)"),
    ("README", b"text", "unsupported file type (no suffix) (expected .txt, .md, .json, .jsonl, .csv, .atom or .xml)"),
]


@pytest.mark.parametrize(
    ("name", "content", "reason"), WHOLE_FILE_CASES, ids=[case[0] for case in WHOLE_FILE_CASES]
)
def test_whole_file_problem_gives_one_rejection_at_line_zero(tmp_path, name, content, reason):
    path = write(tmp_path, name, content)
    result = parse_file(path)
    assert result.papers == []
    assert result.entries == 0
    assert len(result.rejections) == 1
    rejection = result.rejections[0]
    assert (rejection.source, rejection.line) == (str(path), 0)
    assert rejection.reason.startswith(reason)


@pytest.mark.parametrize("parse", [parse_file, lambda path: parse_paths([path])])
def test_missing_path_is_rejected(tmp_path, parse):
    missing = tmp_path / "nowhere.txt"
    result = parse(missing)
    assert reasons(result) == [(0, "no such file or folder")]
    assert str(result.rejections[0]) == f"{missing}: no such file or folder"


def test_utf8_byte_order_mark_is_accepted(tmp_path):
    path = write(tmp_path, "bom.txt", b"\xef\xbb\xbfnew\nA Paper\n" + ABSTRACT.encode())
    result = parse_file(path)
    assert [(paper.title, paper.line) for paper in result.papers] == [("A Paper", 2)]


# Structured records ------------------------------------------------------------------------------


def jsonl(*records: object) -> str:
    return "".join((record if isinstance(record, str) else json.dumps(record)) + "\n" for record in records)


GOOD = {"title": "Good Paper", "abstract": "Fine."}

RECORD_ERROR_CASES = [
    ("records.jsonl",
     jsonl(GOOD, {"abstract": "No title here."}, {"title": "No Abstract"}, "{not json", [1, 2],
           {"title": "Bad Date", "abstract": "x", "published": "03/14/2024"}, "", GOOD),
     ["Good Paper", "Good Paper"],
     [(2, "record has no title"),
      (3, "record has no abstract (title 'No Abstract')"),
      (4, "invalid JSON on this line, column 2: Expecting property name enclosed in double quotes"),
      (5, "record is not a JSON object (found array)"),
      (6, "'published' is not an ISO date (YYYY-MM-DD or a date-time): '03/14/2024'")]),
    ("records.json",
     '[\n'
     '  {"title": "Good Paper", "abstract": "Fine."},\n'
     '  "just a string",\n'
     '  {\n    "title": "No Abstract"\n  },\n'
     '  {"abstract": "No title."}, {"title": "  ", "abstract": ""},\n'
     '  {"title": "Bad Date", "abstract": "x", "published": "2024-02-30"},\n'
     '  {"title": "Good Paper", "abstract": "Fine."}\n'
     ']\n',
     ["Good Paper", "Good Paper"],
     [(3, "record is not a JSON object (found string)"),
      (4, "record has no abstract (title 'No Abstract')"),
      (7, "record has no title"),
      (7, "record has no title and no abstract"),
      (8, "'published' is not an ISO date (YYYY-MM-DD or a date-time): '2024-02-30'")]),
    ("records.csv",
     'title,abstract,published\nGood Paper,Fine.,\n,No title.,\nNo Abstract,,\n\n'
     'Bad Date,x,yesterday\n"Good Paper","Fine.",2024-03-14\n',
     ["Good Paper", "Good Paper"],
     [(3, "record has no title"),
      (4, "record has no abstract (title 'No Abstract')"),
      (6, "'published' is not an ISO date (YYYY-MM-DD or a date-time): 'yesterday'")]),
    ("wrong_types.jsonl",
     jsonl({"title": 7, "abstract": "x"}, {"title": "A", "abstract": "x", "authors": 3},
           {"title": "A", "abstract": "x", "authors": [{"given": "Ann"}]},
           {"title": "A", "abstract": "x", "arxiv_id": "not-an-id"}, GOOD),
     ["Good Paper"],
     [(1, "'title' must be a string, not number"),
      (2, "'authors' must be a list or a string, not number"),
      (3, "each author must be a string or an object with a 'name' string"),
      (4, "'arxiv_id' is not an arXiv id: 'not-an-id'")]),
]


@pytest.mark.parametrize(("name", "content", "titles", "expected"), RECORD_ERROR_CASES,
                         ids=[case[0] for case in RECORD_ERROR_CASES])
def test_record_problems_are_rejected_at_their_line_and_good_records_kept(
    tmp_path, name, content, titles, expected
):
    path = write(tmp_path, name, content)
    result = parse_file(path)
    assert [paper.title for paper in result.papers] == titles
    assert reasons(result) == expected
    assert {rejection.source for rejection in result.rejections} == {str(path)}
    assert result.entries == len(titles) + len(expected)


def test_json_array_elements_report_the_line_they_start_on(tmp_path):
    records = [{"title": f"Paper {number}", "abstract": "Text.\nMore text."} for number in range(4)]
    path = write(tmp_path, "array.json", json.dumps(records, indent=2))
    lines = path.read_text().split("\n")
    result = parse_file(path)
    assert [paper.line for paper in result.papers] == [2, 6, 10, 14]
    assert all(lines[paper.line - 1].strip() == "{" for paper in result.papers)


@pytest.mark.parametrize(
    ("content", "titles_and_lines"),
    [
        ('{"source": "export", "papers": [\n{"title": "A", "abstract": "x"},\n\n'
         '{"title": "B", "summary": "y"}]}',
         [("A", 2), ("B", 4)]),
        ('{"meta": {"papers": "nested"},\n "papers": [\n  {"title": "A", "abstract": "x"}\n ]\n}',
         [("A", 3)]),
        ('\n\n{"title": "Single", "abstract": "x"}\n', [("Single", 3)]),
        ("[]", []),
    ],
)
def test_json_accepts_array_papers_object_or_single_record(tmp_path, content, titles_and_lines):
    result = parse_file(write(tmp_path, "shapes.json", content))
    assert [(paper.title, paper.line) for paper in result.papers] == titles_and_lines
    assert result.rejections == []


def test_csv_rows_report_their_first_line_even_after_multi_line_fields(tmp_path):
    content = 'Title,Summary\n"First\nPaper","An abstract\nover two lines."\nSecond Paper,Short.\n'
    result = parse_file(write(tmp_path, "multi.csv", content))
    assert [(paper.title, paper.line) for paper in result.papers] == [("First Paper", 2), ("Second Paper", 5)]
    assert result.papers[0].abstract == "An abstract\nover two lines."


def test_csv_field_over_the_size_limit_rejects_that_record_and_reads_the_rest(tmp_path):
    oversized = "x" * 200_000  # beyond the csv module's field size limit (131,072)
    content = f'title,abstract\nGood Paper,Fine.\nHuge,"{oversized}"\nAlso Read,Fine.\nLast,Too.\n'
    result = parse_file(write(tmp_path, "huge.csv", content))
    assert [paper.title for paper in result.papers] == ["Good Paper", "Also Read", "Last"]
    assert [line for line, _ in reasons(result)] == [3]
    assert reasons(result)[0][1].startswith("CSV error, record skipped: field larger than field limit")


@pytest.mark.parametrize(
    ("authors", "expected"),
    [
        (["Ada Lovelace", " Alan  Turing "], ("Ada Lovelace", "Alan Turing")),
        ([{"name": "Ada Lovelace"}, {"name": "Alan Turing", "affiliation": "NPL"}],
         ("Ada Lovelace", "Alan Turing")),
        ("Ada Lovelace, Alan Turing", ("Ada Lovelace", "Alan Turing")),
        ("Lovelace, A.; Turing, A.", ("Lovelace, A.", "Turing, A.")),
        ("", ()),
        ([], ()),
    ],
)
def test_authors_accept_names_name_objects_or_separated_string(tmp_path, authors, expected):
    path = write(tmp_path, "authors.jsonl", jsonl({**GOOD, "authors": authors}))
    assert parse_file(path).papers[0].authors == expected


def test_authors_string_is_split_in_csv(tmp_path):
    path = write(tmp_path, "authors.csv", 'title,abstract,authors\nA,x,"Ada Lovelace; Alan Turing"\n')
    assert parse_file(path).papers[0].authors == ("Ada Lovelace", "Alan Turing")


@pytest.mark.parametrize(
    ("fields", "arxiv_id"),
    [
        ({"arxiv_id": "2401.12345"}, "2401.12345"),
        ({"arxiv_id": "arXiv:2401.12345v3"}, "2401.12345"),
        ({"id": "2309.0123v2"}, "2309.0123"),
        ({"id": "hep-th/9901001"}, "hep-th/9901001"),
        ({"id": "math.GT/0309136v1"}, "math.GT/0309136"),
        ({"id": "paper-17"}, None),
        ({"url": "https://arxiv.org/abs/2401.12345v2"}, "2401.12345"),
        ({"url": "https://arxiv.org/pdf/2401.12345.pdf"}, "2401.12345"),
        ({"url": "http://arxiv.org/abs/hep-th/9901001"}, "hep-th/9901001"),
        ({"url": "https://huggingface.co/papers/2401.12345"}, "2401.12345"),
        ({"url": "https://example.org/2401.12345"}, None),
        ({"arxiv_id": "2401.11111", "id": "2401.22222", "url": "https://arxiv.org/abs/2401.33333"},
         "2401.11111"),
        ({"id": "2401.22222", "url": "https://arxiv.org/abs/2401.33333"}, "2401.22222"),
    ],
)
def test_arxiv_id_comes_from_arxiv_id_then_id_then_url_without_version(tmp_path, fields, arxiv_id):
    paper = parse_file(write(tmp_path, "ids.jsonl", jsonl({**GOOD, **fields}))).papers[0]
    assert paper.arxiv_id == arxiv_id
    assert paper.paper_id == paper_id_for("Good Paper", arxiv_id)


@pytest.mark.parametrize(
    ("published", "expected"),
    [("2024-03-14", "2024-03-14"), ("2024-03-14T09:30:00Z", "2024-03-14"),
     ("2024-03-14T23:59:59.123+05:30", "2024-03-14"), ("2024-03-14 09:30", "2024-03-14"), ("", None)],
)
def test_published_keeps_only_the_date_of_an_iso_datetime(tmp_path, published, expected):
    paper = parse_file(write(tmp_path, "dates.jsonl", jsonl({**GOOD, "published": published}))).papers[0]
    assert paper.published == expected


@pytest.mark.parametrize("published", ["2024-03", "20240314", "2024-03-14x09:30", "2024-W11-4", 20240314])
def test_published_rejects_values_that_are_not_iso_dates(tmp_path, published):
    result = parse_file(write(tmp_path, "bad_dates.jsonl", jsonl({**GOOD, "published": published})))
    assert result.papers == []
    assert reasons(result)[0][1].startswith("'published' is not an ISO date")


def test_record_fields_are_cleaned_and_kept(tmp_path):
    record = {"title": "  A\n  Spaced   Title ", "summary": "\n  The abstract.  \n",
              "url": " https://arxiv.org/abs/2401.12345 ", "unknown": "ignored"}
    paper = parse_file(write(tmp_path, "clean.json", json.dumps(record))).papers[0]
    assert (paper.title, paper.abstract) == ("A Spaced Title", "The abstract.")
    assert (paper.url, paper.arxiv_id) == ("https://arxiv.org/abs/2401.12345", "2401.12345")
    assert (paper.truncated, paper.listing_date, paper.line) == (False, None, 1)


# Paths and folders -------------------------------------------------------------------------------


def test_parse_paths_walks_folders_sorted_skipping_hidden_files_and_keeps_duplicates(tmp_path):
    folder = tmp_path / "sources"
    write(folder, "b.jsonl", jsonl(GOOD))
    write(folder, "a.txt", f"Good Paper\n{ABSTRACT}\n")
    write(folder, "nested/c.csv", "title,abstract\nGood Paper,Fine.\n")
    write(folder, ".hidden.txt", f"Hidden\n{ABSTRACT}\n")
    write(folder, ".git/d.txt", f"Hidden\n{ABSTRACT}\n")
    write(folder, "notes.docx", b"PK")
    single = write(tmp_path, "single.json", json.dumps(GOOD))
    result = parse_paths([folder, single, tmp_path / "missing"])
    assert [Path(paper.source).relative_to(tmp_path).as_posix() for paper in result.papers] == [
        "sources/a.txt", "sources/b.jsonl", "sources/nested/c.csv", "single.json"]
    assert len({paper.paper_id for paper in result.papers}) == 1
    assert [(Path(rejection.source).name, rejection.line) for rejection in result.rejections] == [
        ("notes.docx", 0), ("missing", 0)]
    assert result.entries == 4



# Listing dates: --year and --date --------------------------------------------------------------


DATED_LISTING = f"Subscribe\nSep 3\nFirst Paper\n{ABSTRACT}\nFeb 29\nLeap Paper\n{OTHER_ABSTRACT}\n"


@pytest.mark.parametrize(
    ("dating", "listed_on"),
    [
        (None, [None, None]),
        (ListingDates(year=2024), ["2024-09-03", "2024-02-29"]),
        (ListingDates(listed_on=date(2023, 9, 4)), ["2023-09-04", "2023-09-04"]),
        (ListingDates(year=2023, listed_on=date(2023, 9, 4)), ["2023-09-04", "2023-09-04"]),  # --date wins
    ],
)
def test_listing_entries_get_listed_on_from_the_year_or_the_given_date(tmp_path, dating, listed_on):
    result = parse_file(write(tmp_path, "dated.txt", DATED_LISTING), dating)
    assert reasons(result) == []
    assert [(paper.listing_date, paper.listed_on) for paper in result.papers] == [
        ("Sep 3", listed_on[0]), ("Feb 29", listed_on[1])]


def test_impossible_listing_date_in_the_year_rejects_those_entries_only(tmp_path):
    result = parse_file(write(tmp_path, "dated.txt", DATED_LISTING), ListingDates(year=2023))
    assert [(paper.title, paper.listed_on) for paper in result.papers] == [("First Paper", "2023-09-03")]
    assert reasons(result) == [
        (6, "listing date 'Feb 29' is not a date in 2023 (day is out of range for month): 'Leap Paper'")]
    assert result.entries == 2


@pytest.mark.parametrize(
    ("dating", "undated_listed_on"),
    [(ListingDates(year=2023), None), (ListingDates(listed_on=date(2023, 9, 4)), "2023-09-04")],
)
def test_listing_dates_touch_listing_files_only(tmp_path, dating, undated_listed_on):
    undated = write(tmp_path, "undated.md", f"A Paper\n{ABSTRACT}\n")
    records = write(tmp_path, "records.jsonl", jsonl({**GOOD, "listed_on": "2022-01-05"}, GOOD))
    result = parse_paths([undated, records], dating)
    assert [(Path(p.source).name, p.listed_on) for p in result.papers] == [
        ("undated.md", undated_listed_on), ("records.jsonl", "2022-01-05"), ("records.jsonl", None)]


@pytest.mark.parametrize(
    ("fields", "listed_on", "upvotes"),
    [({"listed_on": "2023-09-03"}, "2023-09-03", None), ({"listed_on": "2023-09-03T08:00:00Z"}, "2023-09-03", None),
     ({"upvotes": 12}, None, 12), ({"upvotes": "7"}, None, 7), ({"upvotes": 0}, None, 0),
     ({"listed_on": "", "upvotes": ""}, None, None)],
)
def test_records_may_carry_listed_on_and_upvotes(tmp_path, fields, listed_on, upvotes):
    paper = parse_file(write(tmp_path, "extra.jsonl", jsonl({**GOOD, **fields}))).papers[0]
    assert (paper.listed_on, paper.upvotes) == (listed_on, upvotes)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [({"listed_on": "Sep 3"}, "'listed_on' is not an ISO date (YYYY-MM-DD or a date-time): 'Sep 3'"),
     ({"upvotes": -1}, "'upvotes' must be a whole number of 0 or more, not -1"),
     ({"upvotes": 2.5}, "'upvotes' must be a whole number of 0 or more, not 2.5"),
     ({"upvotes": True}, "'upvotes' must be a whole number of 0 or more, not True")],
)
def test_bad_listed_on_or_upvotes_rejects_the_record(tmp_path, fields, reason):
    result = parse_file(write(tmp_path, "bad.jsonl", jsonl({**GOOD, **fields})))
    assert reasons(result) == [(1, reason)]


def test_csv_records_carry_listed_on_and_upvotes(tmp_path):
    path = write(tmp_path, "extra.csv", "title,abstract,listed_on,upvotes\nA,x,2023-09-03,5\n")
    paper = parse_file(path).papers[0]
    assert (paper.listed_on, paper.upvotes) == ("2023-09-03", 5)
