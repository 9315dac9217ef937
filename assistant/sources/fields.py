"""One record's fields -> Paper: the field rules shared by JSON, JSON Lines, CSV and Daily Papers entries.

Required: `title` and `abstract` (`summary` is accepted for the abstract). Optional: `id`,
`arxiv_id`, `authors`, `published`, `listed_on`, `upvotes`, `url`. A field that cannot be read
raises RecordError naming it; the caller turns that into a Rejection at the record's line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime

from assistant.sanitize import ARXIV_BARE_ID, clean_text
from assistant.schema import Paper, paper_id_for

_ID_PATTERN = rf"({ARXIV_BARE_ID})"
_VERSION = r"(?:v\d+)?"
ARXIV_ID = re.compile(rf"(?:arxiv:)?{_ID_PATTERN}{_VERSION}", re.IGNORECASE)
# Hugging Face paper pages are keyed by the arXiv id too, so their links identify the paper.
ARXIV_URL = re.compile(
    rf"(?:arxiv\.org/(?:abs|pdf)|huggingface\.co/papers)/{_ID_PATTERN}{_VERSION}", re.IGNORECASE
)
ISO_DATE_OR_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:[Tt ].+)?")

# Record field -> where a Daily Papers API entry keeps it: the paper's publishedAt is the day it
# appeared on arXiv; the entry's is when it was submitted to Daily Papers, which can be days
# before the listing. The day a paper was listed is the `?date=` the answer was fetched for: a day
# file's name (DAY_FILE), when there is one, else the entry's publishedAt.
DAILY_FIELDS = {
    "title": "paper.title", "abstract": "paper.summary", "id": "paper.id", "authors": "paper.authors",
    "published": "paper.publishedAt", "listed_on": "publishedAt", "upvotes": "paper.upvotes",
}
QUOTED_FIELD = re.compile(r"'(\w+)'")
DAY_FILE = re.compile(r"(?:^|[\\/])(?:daily_papers_)?(\d{4}-\d{2}-\d{2})\.json$")  # fetch.py names them so too

_JSON_TYPE_NAMES = {dict: "object", list: "array", str: "string", int: "number",
                    float: "number", bool: "boolean", type(None): "null"}


class RecordError(ValueError):
    """A record that cannot become a Paper; the message says why."""


def json_type_name(value: object) -> str:
    """The JSON name of a decoded value's type, for messages ("array", not "list")."""
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def paper_from_daily_entry(entry: Mapping[str, object], source: str, line: int) -> Paper:
    """A Daily Papers API entry: {"paper": {id, title, summary, authors, publishedAt, upvotes},
    "publishedAt"} -> Paper, or RecordError; from a day file, listed on the file's day."""
    paper = entry.get("paper")
    if not isinstance(paper, dict):
        found = "no 'paper' object" if paper is None else f"a 'paper' {json_type_name(paper)}, not an object"
        raise RecordError(f"Daily Papers entry has {found}")
    record = {name: (paper if place.startswith("paper.") else entry).get(place.split(".")[-1])
              for name, place in DAILY_FIELDS.items()}
    try:
        parsed = paper_from_record(record, source, line)  # the entry's own dates are checked too
        day = DAY_FILE.search(source)
        return replace(parsed, listed_on=day.group(1)) if day else parsed
    except RecordError as error:  # name the field as the API spells it
        message = str(error)
        quoted = QUOTED_FIELD.match(message)
        if quoted and quoted.group(1) in DAILY_FIELDS:
            message = f"'{DAILY_FIELDS[quoted.group(1)]}'{message[quoted.end():]}"
        raise RecordError(message) from None


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
        published=_iso_date(record, "published"),
        listed_on=_iso_date(record, "listed_on"),
        upvotes=_upvotes(record.get("upvotes")),
        url=_text_field(record, "url") or None,
        source=source,
        line=line,
    )


def _text_field(record: Mapping[str, object], *names: str) -> str:
    """The first of `names` that holds a non-empty string, cleaned and stripped; "" when none does."""
    for name in names:
        value = record.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise RecordError(f"'{name}' must be a string, not {json_type_name(value)}")
        if clean_text(value).strip():
            return clean_text(value).strip()
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
    return tuple(" ".join(clean_text(name).split()) for name in names if clean_text(name).strip())


def _author_name(item: object) -> str:
    name = item.get("name") if isinstance(item, dict) else item
    if not isinstance(name, str):
        raise RecordError("each author must be a string or an object with a 'name' string")
    return name


def _iso_date(record: Mapping[str, object], name: str) -> str | None:
    """Field `name` as an ISO date (YYYY-MM-DD); an ISO date-time is reduced to its date."""
    value = record.get(name)
    if value is None or value == "":
        return None
    text = value.strip() if isinstance(value, str) else ""
    if ISO_DATE_OR_DATETIME.fullmatch(text):
        try:
            parsed = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text).date()
            return parsed.isoformat()
        except ValueError:
            pass
    raise RecordError(f"'{name}' is not an ISO date (YYYY-MM-DD or a date-time): {value!r}")


def _upvotes(value: object) -> int | None:
    """A whole number of 0 or more (CSV gives it as digits)."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise RecordError(f"'upvotes' must be a whole number of 0 or more, not {value!r}")


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
