"""Tests for assistant.dates: ISO dates, ISO weeks, listing month-days and the date a paper goes by."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.dates import listed_label, paper_date, parse_iso_date, parse_week, resolve_month_day, week_days
from assistant.schema import AssistantError, Paper


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2023-09-03", date(2023, 9, 3)), (" 2024-02-29 ", date(2024, 2, 29)), ("0001-01-01", date(1, 1, 1))],
)
def test_parse_iso_date_reads_year_month_day(text, expected):
    assert parse_iso_date(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [("2023-02-29", "day is out of range for month"), ("2023-13-01", "month must be in 1..12"),
     ("20230903", "expected YYYY-MM-DD"), ("2023-W36-1", "expected YYYY-MM-DD"),
     ("2023-09-03T10:00", "expected YYYY-MM-DD"), ("Sep 3", "expected YYYY-MM-DD"), ("", "expected YYYY-MM-DD")],
)
def test_parse_iso_date_rejects_anything_else_in_one_line_naming_the_value(text, reason):
    with pytest.raises(AssistantError) as raised:
        parse_iso_date(text)
    message = str(raised.value)
    assert message.startswith(f"not a date: {text!r}") and reason in message and "\n" not in message


@pytest.mark.parametrize(
    ("text", "monday", "sunday"),
    [
        ("2026-W47", date(2026, 11, 16), date(2026, 11, 22)),
        ("2026-W01", date(2025, 12, 29), date(2026, 1, 4)),  # week 1 starts in the year before
        ("2025-W01", date(2024, 12, 30), date(2025, 1, 5)),
        ("2020-W53", date(2020, 12, 28), date(2021, 1, 3)),  # a 53-week year, ending in the next
        ("2026-W53", date(2026, 12, 28), date(2027, 1, 3)),
        ("2015-W53", date(2015, 12, 28), date(2016, 1, 3)),
        ("2026W47", date(2026, 11, 16), date(2026, 11, 22)),
        (" 2026-w47 ", date(2026, 11, 16), date(2026, 11, 22)),
    ],
)
def test_parse_week_gives_monday_and_sunday_of_the_iso_week(text, monday, sunday):
    assert parse_week(text) == (monday, sunday)


@pytest.mark.parametrize(
    ("text", "reason"),
    [("2021-W53", "2021 has weeks 1 to 52"), ("2026-W54", "2026 has weeks 1 to 53"),
     ("2026-W00", "2026 has weeks 1 to 53"), ("2026-W4", "expected YYYY-Www"), ("2026-47", "expected YYYY-Www"),
     ("W47", "expected YYYY-Www"), ("2026-W47-1", "expected YYYY-Www"), ("", "expected YYYY-Www")],
)
def test_parse_week_rejects_bad_weeks_in_one_line_naming_the_value(text, reason):
    with pytest.raises(AssistantError) as raised:
        parse_week(text)
    message = str(raised.value)
    assert message.startswith(f"not an ISO week: {text!r}") and reason in message and "\n" not in message


def test_week_days_are_the_seven_days_from_monday_to_sunday_across_a_year_end():
    days = week_days(*parse_week("2020-W53"))
    assert days == [date(2020, 12, 28), date(2020, 12, 29), date(2020, 12, 30), date(2020, 12, 31),
                    date(2021, 1, 1), date(2021, 1, 2), date(2021, 1, 3)]
    assert [day.isoweekday() for day in days] == [1, 2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [("Sep 3", 2023, date(2023, 9, 3)), ("Mar 14", 2024, date(2024, 3, 14)),
     ("September 3", 2023, date(2023, 9, 3)), ("sept. 03", 2023, date(2023, 9, 3)),
     ("Feb 29", 2024, date(2024, 2, 29)), ("Dec 31", 2023, date(2023, 12, 31)),
     ("May 1", 2023, date(2023, 5, 1))],
)
def test_resolve_month_day_puts_a_listing_date_in_the_given_year(text, year, expected):
    assert resolve_month_day(text, year) == expected


@pytest.mark.parametrize(
    ("text", "year", "message"),
    [("Feb 29", 2023, "'Feb 29' is not a date in 2023 (day is out of range for month)"),
     ("Sep 31", 2023, "'Sep 31' is not a date in 2023 (day is out of range for month)"),
     ("Foo 3", 2023, "not a month and day: 'Foo 3' (expected e.g. 'Sep 3')"),
     ("Mayday 3", 2023, "not a month and day: 'Mayday 3' (expected e.g. 'Sep 3')"),
     ("3 Sep", 2023, "not a month and day: '3 Sep' (expected e.g. 'Sep 3')")],
)
def test_resolve_month_day_rejects_impossible_or_unreadable_dates(text, year, message):
    with pytest.raises(AssistantError) as raised:
        resolve_month_day(text, year)
    assert str(raised.value) == message


def _paper(**dates) -> Paper:
    return Paper(paper_id="p", title="T", abstract="A.", **dates)


@pytest.mark.parametrize(
    ("dates", "added", "expected"),
    [
        ({"listed_on": "2026-11-16", "published": "2026-11-12"}, "2026-11-20", (date(2026, 11, 16), "listed")),
        ({"published": "2026-11-12"}, "2026-11-20", (date(2026, 11, 12), "published")),
        ({}, "2026-11-20", (date(2026, 11, 20), "added")),
        ({}, date(2026, 11, 21), (date(2026, 11, 21), "added")),
        ({}, "", (None, "added")),
        ({}, None, (None, "added")),
        ({"listing_date": "Sep 3"}, "2026-11-20", (date(2026, 11, 20), "added")),  # no year: not a date
    ],
)
def test_paper_date_prefers_listed_then_published_then_added(dates, added, expected):
    assert paper_date(_paper(**dates), added) == expected


@pytest.mark.parametrize(
    ("dates", "expected"),
    [({"listed_on": "2025-03-03", "listing_date": "Mar 3"}, "2025-03-03"),
     ({"listing_date": "March 3"}, "Mar 3 (no year)"),
     ({"listing_date": "sometime"}, "sometime (no year)"),
     ({}, None)],
)
def test_listed_label_says_when_a_listing_printed_no_year(dates, expected):
    assert listed_label(Paper("p", "T", "A.", **dates)) == expected
