"""Event dates worked out from a weekday the text names and the publication date."""

from __future__ import annotations

import datetime as dt

from bot.extraction import extract
from bot.models import Article


def article(published: dt.datetime) -> Article:
    return Article(
        id="a1",
        title="Boston City Council votes to ban facial recognition",
        excerpt="BOSTON, Mass. The Boston City Council voted Wednesday to ban the city's use of"
        " facial recognition technology.",
        published_at=published,
    )


def test_a_date_without_a_time_on_the_weekday_named_is_that_day() -> None:
    # Published Wednesday 2020-09-09 with no time (midnight UTC): "voted Wednesday" is the
    # same day, not a week earlier (shifting midnight UTC to US Eastern made it Tuesday).
    reading = extract(article(dt.datetime(2020, 9, 9, tzinfo=dt.UTC)))
    assert reading.event_date == dt.date(2020, 9, 9)


def test_a_late_evening_us_story_keeps_its_local_day() -> None:
    # 01:30 UTC Thursday is Wednesday evening in Boston: the vote was that Wednesday.
    reading = extract(article(dt.datetime(2020, 9, 10, 1, 30, tzinfo=dt.UTC)))
    assert reading.event_date == dt.date(2020, 9, 9)
