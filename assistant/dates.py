"""Calendar helpers: strict ISO dates, ISO weeks, listing month-days and the date a paper goes by.

Pure functions over `datetime.date`; a bad value raises AssistantError with a one-line message that
names it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta

from assistant.schema import AssistantError, Paper
from assistant.reports import Window

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_WEEK = re.compile(r"(\d{4})-?W(\d{2})", re.IGNORECASE)
MONTH_DAY = re.compile(r"([a-z]{3,9})\.? +(\d{1,2})", re.IGNORECASE)
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")


def parse_iso_date(text: str) -> date:
    """ "2023-09-03" -> date(2023, 9, 3); only the YYYY-MM-DD form is accepted."""
    value = (text or "").strip()
    if not ISO_DATE.fullmatch(value):
        raise AssistantError(f"not a date: {text!r} (expected YYYY-MM-DD, e.g. 2023-09-03)")
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise AssistantError(f"not a date: {text!r} ({error})") from None


def parse_week(text: str) -> tuple[date, date]:
    """ "2026-W47" -> (Monday, Sunday) of that ISO week; "2026W47" and lower-case "w" are accepted too."""
    match = ISO_WEEK.fullmatch((text or "").strip())
    if not match:
        raise AssistantError(f"not an ISO week: {text!r} (expected YYYY-Www, e.g. 2026-W47)")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        weeks = date(year, 12, 28).isocalendar().week  # 28 December always falls in the last week
        raise AssistantError(f"not an ISO week: {text!r} ({year} has weeks 1 to {weeks})") from None
    return monday, monday + timedelta(days=6)


def week_days(monday: date, sunday: date) -> list[date]:
    """Every day from `monday` to `sunday`, both included."""
    return [monday + timedelta(days=offset) for offset in range((sunday - monday).days + 1)]


def month_day(text: str) -> str | None:
    """ "Sep 3", "September 3" or "sept. 03" -> "Sep 3"; None when the text is not a month and day."""
    match = MONTH_DAY.fullmatch((text or "").strip())
    month = _month_number(match.group(1)) if match else 0
    if not month or not 1 <= int(match.group(2)) <= 31:
        return None
    return f"{MONTHS[month - 1][:3].title()} {int(match.group(2))}"


def resolve_month_day(text: str, year: int) -> date:
    """ "Sep 3" (as a listing prints it; "September 3" and "sept. 3" too) in `year` -> date(year, 9, 3)."""
    match = MONTH_DAY.fullmatch((text or "").strip())
    month = _month_number(match.group(1)) if match else 0
    if not month:
        raise AssistantError(f"not a month and day: {text!r} (expected e.g. 'Sep 3')")
    try:
        return date(year, month, int(match.group(2)))
    except ValueError as error:
        raise AssistantError(f"{text!r} is not a date in {year} ({error})") from None


def _month_number(word: str) -> int:
    """1-12 for a month's name or a prefix of it of three letters or more ("Sep", "Sept"); else 0."""
    word = word.lower()
    return next((number for number, name in enumerate(MONTHS, 1) if name.startswith(word)), 0)


def listed_label(paper: Paper) -> str | None:
    """When a listing showed the paper, for people: "2025-03-03", or "Mar 3 (no year)" from a
    listing dump that prints no year (a year guessed from the ingest day could be a year off)."""
    if paper.listed_on:
        return paper.listed_on
    if paper.listing_date:
        return f"{month_day(paper.listing_date) or paper.listing_date} (no year)"
    return None


def paper_date(paper: Paper, added: str | date | None) -> tuple[date | None, str]:
    """The date a digest files the paper under, and which one it is.

    "listed" (the day a listing showed it) beats "published" (the source's date), which beats
    "added" (the day it was ingested); the date is None only when all three are missing.
    """
    if paper.listed_on:
        return parse_iso_date(paper.listed_on), "listed"
    if paper.published:
        return parse_iso_date(paper.published), "published"
    if isinstance(added, date):
        return added, "added"
    return (parse_iso_date(added) if added else None), "added"


def make_window(week: str | None = None, since: str | None = None, until: str | None = None,
                every: bool = False, optional: bool = False) -> Window | None:
    """One of: an ISO week, a --since/--until range (either end may be open), or every date;
    None when none is given and that is `optional` (the caller picks the latest week)."""
    ranged = since is not None or until is not None
    if optional and not (week is not None or ranged or every):
        return None
    if sum((week is not None, ranged, every)) != 1:
        raise AssistantError("give one of --week YYYY-Www, --since/--until YYYY-MM-DD, or --all")
    if every:
        return Window(None, None, "all dates")
    if week is not None:
        monday, sunday = parse_week(week)
        iso = monday.isocalendar()
        return Window(monday, sunday, f"{iso.year}-W{iso.week:02d} ({monday} to {sunday})")
    start = parse_iso_date(since) if since is not None else None
    end = parse_iso_date(until) if until is not None else None
    if start and end and start > end:
        raise AssistantError(f"--since {start} is after --until {end}")
    return Window(start, end, f"{start or 'the beginning'} to {end or 'today'}")


def week_window(day: date, note: str = "") -> Window:
    """The ISO week (Monday to Sunday) that holds `day`."""
    iso = day.isocalendar()
    monday = date.fromisocalendar(iso.year, iso.week, 1)
    label = f"{iso.year}-W{iso.week:02d} ({monday} to {monday + timedelta(days=6)})"
    return Window(monday, monday + timedelta(days=6), label + (f", {note}" if note else ""))


def latest_week(dated: Iterable[tuple[date | None, str]]) -> Window | None:
    """The week of the latest listed or published date; failing that, of the latest ingest day
    (said in the label); None when nothing has a date."""
    dated = [(day, kind) for day, kind in dated if day]
    real = [day for day, kind in dated if kind != "added"]
    if real:
        return week_window(max(real), "the latest week with dated papers")
    if dated:
        return week_window(max(day for day, _ in dated), "papers dated by the day they were ingested")
    return None
