"""Which items a subscription wants, and which earlier post a new item's coverage belongs to."""

from __future__ import annotations

import datetime as dt

from bot.alerts.models import AlertMessage, Subscription
from bot.models import Article, Jurisdiction

# The same event (place and action) reported again within this many days is folded.
FOLD_WINDOW = dt.timedelta(days=4)


def filter_miss(subscription: Subscription, article: Article) -> str | None:
    """Why ``subscription`` does not want ``article`` (None when it does)."""
    reading = article.extraction
    if reading is None or not reading.is_policy:
        return "not policy news"
    places = reading.places
    if subscription.place_key and subscription.place_key not in {p.key for p in places}:
        where = reading.place.display if reading.place else "no place"
        return f"about {where}, not {subscription.place_key}"
    if subscription.state and not any(
        (p.state or "").casefold() == subscription.state.casefold() for p in places
    ):
        return f"not in state {subscription.state}"
    if subscription.country and not any(
        (p.country or "").casefold() == subscription.country.casefold() for p in places
    ):
        return f"not in country {subscription.country}"
    if subscription.actions and reading.action not in subscription.actions:
        return f"action {reading.action} is not one of {', '.join(subscription.actions)}"
    if subscription.keywords:
        text = article.text.casefold()
        if not any(keyword.casefold() in text for keyword in subscription.keywords):
            return "none of the keywords " + ", ".join(subscription.keywords)
    return None


def place_miss(subscription: Subscription, jurisdiction: Jurisdiction) -> str | None:
    """Why ``subscription`` does not want a status change of ``jurisdiction``."""
    if subscription.place_key and subscription.place_key != jurisdiction.key:
        return f"about {jurisdiction.display}, not {subscription.place_key}"
    if (
        subscription.state
        and (jurisdiction.state or "").casefold() != subscription.state.casefold()
    ):
        return f"not in state {subscription.state}"
    if subscription.country and (
        (jurisdiction.country or "").casefold() != subscription.country.casefold()
    ):
        return f"not in country {subscription.country}"
    return None


def same_event(earlier: AlertMessage, later: AlertMessage) -> bool:
    """Two item alerts about one event: same place and action, dated within the fold window."""
    if not earlier.place_key or earlier.place_key != later.place_key:
        return False
    if earlier.action != later.action or not earlier.date or not later.date:
        return False
    gap = abs(dt.date.fromisoformat(earlier.date) - dt.date.fromisoformat(later.date))
    return gap <= FOLD_WINDOW
