"""Read source files into Paper records, with one Rejection naming file and line for each problem.

Formats: saved Hugging Face Daily Papers listing pages (.txt, .md), JSON (.json, including the
Daily Papers API's answers), JSON Lines (.jsonl), CSV (.csv) and arXiv API Atom feeds (.atom, .xml).
A problem with the whole file gives one Rejection at line 0; a problem with one record gives one
Rejection at that record's line, and the other records are still read. Duplicates are kept: the
ingest stage decides what a repeat means. Listing pages print month and day without a year; a
ListingDates (the year, or the listing's date) resolves them to ISO dates.
"""

from __future__ import annotations

import logging
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from assistant.dates import month_day, resolve_month_day
from assistant.sanitize import clean_text
from assistant.sources.feeds import parse_feed
from assistant.sources.records import FileProblem, parse_csv, parse_json, parse_jsonl
from assistant.schema import AssistantError, ListingDates, Paper, ParseResult, Rejection, paper_id_for

logger = logging.getLogger(__name__)

Item = Paper | Rejection

BOILERPLATE = frozenset({
    "new",
    "Get trending papers in your email inbox!",
    "Get trending papers in your email inbox once a day!",
    "Subscribe",
    "Daily Papers",
    "byAK and the research community",
})
# Two saved pages glue the Subscribe button onto the first title: "SubscribeScaling Multimodal ...".
GLUED_SUBSCRIBE = re.compile(r"^Subscribe(?=[A-Z0-9])")
# Measured on the shipped corpus (653 entries): titles are 6-180 characters and abstracts
# 423-1,920, nothing in between. 300 sits in that gap with room either side (1.7x the longest
# title, 0.7x the shortest abstract): a line of 300+ characters is an abstract, a shorter one a title.
ABSTRACT_MIN_CHARS = 300
# The page cuts long abstracts mid-sentence; a complete one ends with . ! or ?, maybe then a
# closing quote or bracket.
SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]}]*$")
SUFFIXES = ".txt, .md, .json, .jsonl, .csv, .atom or .xml"
LISTING_SUFFIXES = frozenset({".txt", ".md"})


def parse_paths(paths: Iterable[Path], dating: ListingDates | None = None) -> ParseResult:
    """Parse files and folders (recursively, sorted, hidden files skipped), keeping every record.

    `dating` dates the entries of listing pages (see ListingDates); other formats carry their own.
    """
    papers: list[Paper] = []
    rejections: list[Rejection] = []
    entries = 0
    for path in paths:
        if not path.exists():
            rejections.append(Rejection(str(path), 0, "no such file or folder"))
            continue
        files = _files_under(path) if path.is_dir() else [path]
        if not files:
            rejections.append(Rejection(str(path), 0, "folder holds no files to ingest"))
        for file in files:
            result = parse_file(file, dating)
            papers.extend(result.papers)
            rejections.extend(result.rejections)
            entries += result.entries
    return ParseResult(papers, rejections, entries)


def parse_file(path: Path, dating: ListingDates | None = None) -> ParseResult:
    """Parse one file, choosing the format by its suffix; a FIFO, socket or device is refused
    unread (reading a FIFO would wait for a writer forever)."""
    kind = _special_kind(path)
    if kind:
        return _file_rejected(path, f"not a regular file ({kind}): skipped")
    parser = _PARSERS.get(path.suffix.lower())
    if parser is None:
        kind = f"'{path.suffix}'" if path.suffix else "(no suffix)"
        return _file_rejected(path, f"unsupported file type {kind} (expected {SUFFIXES})")
    try:
        items = list(parser(_read_text(path), str(path)))
    except FileProblem as problem:
        return _file_rejected(path, str(problem))
    if dating and path.suffix.lower() in LISTING_SUFFIXES:
        items = [_dated(item, dating) for item in items]
    papers = [item for item in items if isinstance(item, Paper)]
    rejections = [item for item in items if isinstance(item, Rejection)]
    logger.debug("%s: %d papers, %d rejected", path, len(papers), len(rejections))
    return ParseResult(papers, rejections, entries=len(items))


def _files_under(folder: Path) -> list[Path]:
    """Every regular or special file under `folder` (special ones are then rejected, not skipped
    in silence); folders and hidden files are left out."""
    files = (path for path in folder.rglob("*") if path.is_file() or _special_kind(path))
    return sorted(path for path in files if not _is_hidden(path.relative_to(folder)))


def _special_kind(path: Path) -> str | None:
    """"a FIFO", "a socket", "a device" for a file that is not regular or a folder; else None."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # reading reports it
    for test, kind in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device")):
        if test(mode):
            return kind
    return None


def _is_hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _file_rejected(path: Path, reason: str) -> ParseResult:
    return ParseResult([], [Rejection(str(path), 0, reason)], entries=0)


def _read_text(path: Path) -> str:
    """The file's text, decoded strictly as UTF-8 (a byte-order mark is dropped)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileProblem("no such file or folder") from None
    except OSError as error:
        raise FileProblem(f"cannot read the file: {error.strerror or error}") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem("UTF-16 text is not supported: save the file as UTF-8")
    if b"\x00" in data:
        raise FileProblem(f"binary file (NUL byte at byte offset {data.index(0)}), not text")
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        bad_byte = data[error.start]
        raise FileProblem(f"not UTF-8 text: byte 0x{bad_byte:02x} at byte offset {error.start}") from None
    if not text.strip():
        raise FileProblem("empty file" if not data else "empty file (only white space)")
    return text


def _parse_listing(text: str, source: str) -> list[Item]:
    lines = list(_content_lines(clean_text(text)))
    if not lines:
        raise FileProblem("empty file (only page boilerplate, no papers)")
    items = list(_listing_items(lines, source))
    if not any(isinstance(item, Paper) for item in items):
        raise FileProblem(
            "no title + abstract pair found (expected a title line followed by an abstract "
            f"paragraph of {ABSTRACT_MIN_CHARS}+ characters)"
        )
    return items


def _content_lines(text: str) -> Iterator[tuple[int, str]]:
    """(1-based line number, stripped text) of every line that is not blank or page boilerplate."""
    before_first_title = True
    for number, raw_line in enumerate(text.split("\n"), start=1):
        line = raw_line.strip()
        if before_first_title and line and not _listing_date(line):
            line = GLUED_SUBSCRIBE.sub("", line)
            before_first_title = line in BOILERPLATE
        if line and line not in BOILERPLATE:
            yield number, line


def _listing_items(lines: Iterable[tuple[int, str]], source: str) -> Iterator[Item]:
    """Pair each title line with the abstract line after it; reject what does not pair up."""
    title: tuple[int, str] | None = None
    listing_date: str | None = None
    for number, line in lines:
        date = _listing_date(line)
        if date or len(line) < ABSTRACT_MIN_CHARS:
            if title:
                yield _title_without_abstract(source, *title)
            title = None if date else (number, line)
            listing_date = date or listing_date
        elif title is None:
            reason = f"abstract with no title ({len(line)} characters starting {line[:40]!r})"
            yield Rejection(source, number, reason)
        else:
            yield _listing_paper(source, title, line, listing_date)
            title = None
    if title:
        yield _title_without_abstract(source, *title)


def _listing_date(line: str) -> str | None:
    """ "Sep 3", "September 3" or "sept. 03" -> "Sep 3"; None when the line is not a month and day."""
    return month_day(line)


def _dated(item: Item, dating: ListingDates) -> Item:
    """A listing paper with `listed_on` set: the given listing date, else its date line in the year."""
    if not isinstance(item, Paper):
        return item
    if dating.listed_on is not None:
        return replace(item, listed_on=dating.listed_on.isoformat())
    if dating.year is None or item.listing_date is None:
        return item
    try:
        listed_on = resolve_month_day(item.listing_date, dating.year)
    except AssistantError as error:
        return Rejection(item.source, item.line, f"listing date {error}: {item.title[:80]!r}")
    return replace(item, listed_on=listed_on.isoformat())


def _title_without_abstract(source: str, line: int, title: str) -> Rejection:
    return Rejection(source, line, f"title with no abstract: {title[:80]!r}")


def _listing_paper(source: str, title: tuple[int, str], abstract: str, listing_date: str | None) -> Paper:
    line, title_text = title
    title_text = " ".join(title_text.split())
    return Paper(
        paper_id=paper_id_for(title_text),
        title=title_text,
        abstract=abstract,
        listing_date=listing_date,
        source=source,
        line=line,
        truncated=not SENTENCE_END.search(abstract),
    )


_PARSERS: dict[str, Callable[[str, str], Iterable[Item]]] = {
    ".txt": _parse_listing,
    ".md": _parse_listing,
    ".json": parse_json,
    ".jsonl": parse_jsonl,
    ".csv": parse_csv,
    ".atom": parse_feed,
    ".xml": parse_feed,
}
SUPPORTED_SUFFIXES = tuple(_PARSERS)  # what an upload may be called (see assistant.ui.serving)
