"""Read structured sources (JSON, JSON Lines, CSV) record by record into Papers or Rejections.

Each record is a mapping of fields. Required: `title` and `abstract` (`summary` is accepted for
the abstract). Optional: `id`, `arxiv_id`, `authors`, `published`, `url`. A bad record becomes a
Rejection at its 1-based line and the rest are still read; an unusable file raises FileProblem.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime

from assistant.schema import Paper, Rejection, paper_id_for

# New-style ids (2401.12345, 0704.0001) and old-style ones (hep-th/9901001, math.GT/0309136).
_ID_PATTERN = r"(\d{4}\.\d{4,5}(?!\d)|[a-z][a-z\-]*(?:\.[a-z]{2})?/\d{7}(?!\d))"
_VERSION = r"(?:v\d+)?"
ARXIV_ID = re.compile(rf"(?:arxiv:)?{_ID_PATTERN}{_VERSION}", re.IGNORECASE)
# Hugging Face paper pages are keyed by the arXiv id too, so their links identify the paper.
ARXIV_URL = re.compile(
    rf"(?:arxiv\.org/(?:abs|pdf)|huggingface\.co/papers)/{_ID_PATTERN}{_VERSION}", re.IGNORECASE
)
JSON_SPACE = re.compile(r"[ \t\n\r]*")
ISO_DATE_OR_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:[Tt ].+)?")

_JSON_TYPE_NAMES = {dict: "object", list: "array", str: "string", int: "number",
                    float: "number", bool: "boolean", type(None): "null"}


class FileProblem(ValueError):
    """The whole file is unusable; the message says why."""


class RecordError(ValueError):
    """A record that cannot become a Paper; the message says why."""


def parse_jsonl(text: str, source: str) -> Iterator[Paper | Rejection]:
    """One JSON object per line; blank lines are skipped."""
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            yield Rejection(source, number, f"invalid JSON on this line, column {error.colno}: {error.msg}")
            continue
        yield _record(value, source, number)


def parse_json(text: str, source: str) -> Iterator[Paper | Rejection]:
    """A JSON array of records, an object with a `papers` array, or one record object."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise FileProblem(
            f"invalid or truncated JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    start = JSON_SPACE.match(text).end()
    if isinstance(data, dict) and "papers" in data:
        if not isinstance(data["papers"], list):
            raise FileProblem(f"'papers' must be an array, not {json_type_name(data['papers'])}")
        located = _array_elements(text, _member_offset(text, start, "papers"))
    elif isinstance(data, list):
        located = _array_elements(text, start)
    elif isinstance(data, dict):
        located = iter([(start, data)])
    else:
        raise FileProblem(
            "expected an array of paper objects, an object with a 'papers' array or one paper "
            f"object; found a {json_type_name(data)}"
        )
    line, previous_offset = 1, 0
    for offset, value in located:
        line += text.count("\n", previous_offset, offset)
        previous_offset = offset
        yield _record(value, source, line)


def _array_elements(text: str, offset: int) -> Iterator[tuple[int, object]]:
    """(offset, value) of each element of the valid JSON array that starts at `offset`."""
    decoder = json.JSONDecoder()
    offset = JSON_SPACE.match(text, offset + 1).end()
    while text[offset] != "]":
        value, end = decoder.raw_decode(text, offset)
        yield offset, value
        offset = JSON_SPACE.match(text, end).end()
        if text[offset] == ",":
            offset = JSON_SPACE.match(text, offset + 1).end()


def _member_offset(text: str, offset: int, key: str) -> int:
    """Offset of the value of `key` (the last one, as json.loads keeps) in the valid object at `offset`."""
    decoder = json.JSONDecoder()
    found = offset
    offset = JSON_SPACE.match(text, offset + 1).end()
    while text[offset] != "}":
        name, end = decoder.raw_decode(text, offset)
        offset = JSON_SPACE.match(text, JSON_SPACE.match(text, end).end() + 1).end()
        found = offset if name == key else found
        _, end = decoder.raw_decode(text, offset)
        offset = JSON_SPACE.match(text, end).end()
        if text[offset] == ",":
            offset = JSON_SPACE.match(text, offset + 1).end()
    return found


def parse_csv(text: str, source: str) -> Iterator[Paper | Rejection]:
    """A header row naming `title` and `abstract` (or `summary`), then one record per row."""
    reader = csv.reader(io.StringIO(text))
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [name for name in ("title", "abstract") if name not in header]
    if "summary" in header and "abstract" in missing:
        missing.remove("abstract")
    if missing:
        found = ", ".join(repr(name) for name in header if name) or "none"
        wanted = " and ".join(repr(name) for name in missing)
        plural = "s" if len(missing) > 1 else ""
        raise FileProblem(f"CSV header has no {wanted} column{plural} (found: {found})")
    end_of_previous_row = reader.line_num
    try:
        for row in reader:
            line, end_of_previous_row = end_of_previous_row + 1, reader.line_num
            if any(cell.strip() for cell in row):
                yield _record(dict(zip(header, row)), source, line)
    except csv.Error as error:
        yield Rejection(source, end_of_previous_row + 1, f"CSV error, rest of file skipped: {error}")


def _record(value: object, source: str, line: int) -> Paper | Rejection:
    """The Paper a decoded record makes, or the Rejection saying why it makes none."""
    if not isinstance(value, dict):
        return Rejection(source, line, f"record is not a JSON object (found {json_type_name(value)})")
    try:
        return paper_from_record(value, source, line)
    except RecordError as error:
        return Rejection(source, line, str(error))


def json_type_name(value: object) -> str:
    """The JSON name of a decoded value's type, for messages ("array", not "list")."""
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def paper_from_record(record: Mapping[str, object], source: str, line: int) -> Paper:
    """Build a Paper from one record, or raise RecordError naming the field at fault."""
    title = " ".join(_text_field(record, "title").split())
    abstract = _text_field(record, "abstract", "summary")
    if not title:
        raise RecordError("record has no title" + ("" if abstract else " and no abstract"))
    if not abstract:
        raise RecordError(f"record has no abstract (title {_shorten(title)!r})")
    arxiv_id = _arxiv_id(record)
    return Paper(
        paper_id=paper_id_for(title, arxiv_id),
        title=title,
        abstract=abstract,
        authors=_authors(record.get("authors")),
        arxiv_id=arxiv_id,
        published=_published(record.get("published")),
        url=_text_field(record, "url") or None,
        source=source,
        line=line,
    )


def _text_field(record: Mapping[str, object], *names: str) -> str:
    """The first of `names` that holds a non-empty string, stripped; "" when none does."""
    for name in names:
        value = record.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise RecordError(f"'{name}' must be a string, not {json_type_name(value)}")
        if value.strip():
            return value.strip()
    return ""


def _arxiv_id(record: Mapping[str, object]) -> str | None:
    """From `arxiv_id`, else an arXiv-looking `id`, else an arXiv link in `url`; version dropped."""
    given = record.get("arxiv_id")
    if given is not None and given != "":
        match = ARXIV_ID.fullmatch(given.strip()) if isinstance(given, str) else None
        if match is None:
            raise RecordError(f"'arxiv_id' is not an arXiv id: {given!r}")
        return match.group(1)
    record_id = record.get("id")
    if isinstance(record_id, str) and (match := ARXIV_ID.fullmatch(record_id.strip())):
        return match.group(1)
    url = record.get("url")
    if isinstance(url, str) and (match := ARXIV_URL.search(url)):
        return match.group(1)
    return None


def _authors(value: object) -> tuple[str, ...]:
    """A list of names, a list of {"name": ...} objects, or one comma/semicolon-separated string."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        # "Smith, J.; Doe, A." keeps its commas inside names: split on semicolons when there are any.
        names = value.split(";" if ";" in value else ",")
    elif isinstance(value, list):
        names = [_author_name(item) for item in value]
    else:
        raise RecordError(f"'authors' must be a list or a string, not {json_type_name(value)}")
    return tuple(" ".join(name.split()) for name in names if name.strip())


def _author_name(item: object) -> str:
    name = item.get("name") if isinstance(item, dict) else item
    if not isinstance(name, str):
        raise RecordError("each author must be a string or an object with a 'name' string")
    return name


def _published(value: object) -> str | None:
    """An ISO date (YYYY-MM-DD) or ISO date-time, reduced to the date."""
    if value is None or value == "":
        return None
    text = value.strip() if isinstance(value, str) else ""
    if ISO_DATE_OR_DATETIME.fullmatch(text):
        try:
            parsed = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text).date()
            return parsed.isoformat()
        except ValueError:
            pass
    raise RecordError(f"'published' is not an ISO date (YYYY-MM-DD or a date-time): {value!r}")


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
