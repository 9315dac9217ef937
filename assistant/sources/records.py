"""Read structured sources (JSON, JSON Lines, CSV) record by record into Papers or Rejections.

Each record is a mapping of fields (see `assistant.sources.fields` for the fields read). An element with a
`paper` object is an entry of the Hugging Face Daily Papers API (the paper, and the day it was
listed as the entry's `publishedAt`). A bad record becomes a Rejection at its 1-based line and the
rest are still read; an unusable file raises FileProblem.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator

from assistant.sources.fields import RecordError, json_type_name, paper_from_daily_entry, paper_from_record
from assistant.schema import Paper, Rejection

JSON_SPACE = re.compile(r"[ \t\n\r]*")


class FileProblem(ValueError):
    """The whole file is unusable; the message says why."""


def parse_jsonl(text: str, source: str) -> Iterator[Paper | Rejection]:
    """One JSON object per line; blank lines are skipped."""
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = _loads(line)
        except json.JSONDecodeError as error:
            yield Rejection(source, number, f"invalid JSON on this line, column {error.colno}: {error.msg}")
            continue
        except FileProblem as problem:
            yield Rejection(source, number, str(problem))
            continue
        yield _record(value, source, number)


def parse_json(text: str, source: str) -> Iterator[Paper | Rejection]:
    """A JSON array of records, an object with a `papers` array, or one record object."""
    try:
        data = _loads(text)
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
    daily = isinstance(data, list) and any(isinstance(v, dict) and isinstance(v.get("paper"), dict)
                                           for v in data)
    for offset, value in located:
        line += text.count("\n", previous_offset, offset)
        previous_offset = offset
        yield _record(value, source, line, daily)


def _loads(text: str) -> object:
    """json.loads, with its two non-syntax failures as FileProblem: a number too long for
    Python's integer conversion limit, and nesting deeper than the recursion limit."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except ValueError as error:  # "Exceeds the limit (4300 digits) for integer string conversion"
        raise FileProblem(f"invalid JSON: a number is too long ({' '.join(str(error).split())})") from None
    except RecursionError:
        raise FileProblem("invalid JSON: nested too deeply (arrays or objects inside each other "
                          "more than about 1,000 levels)") from None


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
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # e.g. a field over csv.field_size_limit(): that record only
            yield Rejection(source, end_of_previous_row + 1, f"CSV error, record skipped: {error}")
            end_of_previous_row = reader.line_num
            continue
        line, end_of_previous_row = end_of_previous_row + 1, reader.line_num
        if any(cell.strip() for cell in row):
            yield _record(dict(zip(header, row)), source, line)


def _record(value: object, source: str, line: int, daily: bool = False) -> Paper | Rejection:
    """The Paper a decoded record makes, or the Rejection saying why it makes none.

    `daily`: the file is a Daily Papers API list, so an element without `paper` is a broken entry.
    """
    if not isinstance(value, dict):
        return Rejection(source, line, f"record is not a JSON object (found {json_type_name(value)})")
    try:
        if daily or isinstance(value.get("paper"), dict):
            return paper_from_daily_entry(value, source, line)
        return paper_from_record(value, source, line)
    except RecordError as error:
        return Rejection(source, line, str(error))
