"""When the reported action happened: weekdays, "yesterday", explicit dates near publication."""

from __future__ import annotations

import datetime as dt
import re

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
# "May 9", "May 9, 2022", "9 May 2022"; "May" alone is too often the verb.
_MONTH_DAY = re.compile(
    rf"\b{_MONTH}\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>(?:19|20)\d\d))?",
    re.IGNORECASE,
)
_DAY_MONTH = re.compile(
    rf"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+{_MONTH}(?:,?\s+(?P<year>(?:19|20)\d\d))?\b",
    re.IGNORECASE,
)
_ISO = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b")
_WEEKDAY = re.compile(
    r"\b(?:on\s+|last\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.IGNORECASE,
)
_RELATIVE = re.compile(
    r"\b(today|tonight|this\s+(?:morning|afternoon|evening)|yesterday|last\s+night)\b",
    re.IGNORECASE,
)
# Dates that are not when the action happened: when something takes effect or is due.
_NOT_EVENT = re.compile(
    r"\b(?:beginning|begins|effective|starting|starts|until|through|by|before|after|from|since|"
    r"expires?|deadline|revisit|scheduled|set\s+for|due|in\s+effect)\s+(?:on\s+)?$",
    re.IGNORECASE,
)
# Vague times: the text says when only roughly, so the publish date would be a guess.
VAGUE = re.compile(
    r"\b(?:last|this|earlier\s+this|past)\s+(?:week|month|year|spring|summer|fall|autumn|winter)\b|"
    r"\b(?:recently|earlier\s+this\s+year|in\s+(?:january|february|march|april|june|july|august|"
    r"september|october|november|december))\b",
    re.IGNORECASE,
)


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    """A date, or None if the parts do not make one."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _explicit(text: str, published: dt.date | None) -> dt.date | None:
    """The first explicit calendar date in ``text`` that is not after publication or a due date."""
    found: list[tuple[int, dt.date]] = []
    for regex in (_ISO, _MONTH_DAY, _DAY_MONTH):
        for match in regex.finditer(text):
            if _NOT_EVENT.search(text[max(0, match.start() - 25) : match.start()]):
                continue
            month_text = match.group("month")
            month = int(month_text) if month_text.isdigit() else _MONTHS[month_text[:3].lower()]
            year_text = match.group("year")
            if year_text:
                year = int(year_text)
            elif published:
                year = published.year
            else:
                continue
            date = _safe_date(year, month, int(match.group("day")))
            if date is None:
                continue
            if not year_text and published and (date - published).days > 60:
                # "Dec. 15" read in January is last year's.
                date = _safe_date(year - 1, month, date.day)
            if date is None or (published and date > published):
                continue
            if not year_text and published and (published - date).days > 180:
                # Far behind the publish date without a year: most likely next year's, a due date.
                continue
            if published and (published - date).days > 400:
                continue
            found.append((match.start(), date))
    return min(found)[1] if found else None


def _weekday(text: str, published: dt.date) -> dt.date | None:
    """The weekday named first in ``text``, on or before the publish date."""
    match = _WEEKDAY.search(text)
    if not match:
        return None
    target = _WEEKDAYS.index(match.group(1).lower())
    back = (published.weekday() - target) % 7
    if match.group(0).lower().startswith("last") and back == 0:
        back = 7
    return published - dt.timedelta(days=back)


def _relative(text: str, published: dt.date) -> dt.date | None:
    """Today, tonight, yesterday, last night, relative to the publish date."""
    match = _RELATIVE.search(text)
    if not match:
        return None
    word = match.group(1).lower()
    if word in ("yesterday", "last night"):
        return published - dt.timedelta(days=1)
    return published


def event_date(
    texts: list[str],
    published: dt.date | None,
    fallback_to_published: bool,
    latest: dt.date | None = None,
) -> dt.date | None:
    """The action's own date: the first clue in the first text that has one, else maybe published.

    ``latest`` bounds explicit dates when only the publication month is known.
    """
    for text in texts:
        if not text:
            continue
        date = _explicit(text, published or latest)
        if published:
            relative = _relative(text, published) or _weekday(text, published)
            # Prefer the nearer clue to the news: a weekday beats an old date in the same text.
            if relative and (date is None or relative > date):
                date = relative
        if date:
            return date
    if fallback_to_published and published and not any(VAGUE.search(t) for t in texts if t):
        return published
    return None
