"""The state of bans and moratoria per jurisdiction, derived from its events (TAXONOMY.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.models import Event, Jurisdiction
from bot.taxonomy import IN_FORCE_STATUS, PENDING_ACTIONS

MEASURE_ACTIONS = frozenset({"ban_enacted", "moratorium_enacted"})
RESTRICTION_ACTIONS = frozenset({"regulation_or_oversight_law", "agency_order_or_suspension"})


@dataclass(frozen=True, slots=True)
class JurisdictionStatus:
    """A jurisdiction's status with what it rests on and the whole dated timeline."""

    jurisdiction: Jurisdiction
    status: str
    scope: str
    since: dt.date | None
    basis: tuple[Event, ...] = ()
    pending: tuple[Event, ...] = ()
    events: tuple[Event, ...] = field(default=())
    # A short summary of each source article, by article id (filled for answers people read).
    notes: dict[str, str] = field(default_factory=dict, compare=False)

    def others(self, latest: int) -> list[Event]:
        """The ``latest`` most recent events the status does not rest on, newest first."""
        basis = {event.article_id for event in self.basis}
        found: list[Event] = []
        for event in reversed(self.events):
            if len(found) == latest:
                break
            if event.article_id not in basis:
                found.append(event)
        return found

    @property
    def latest(self) -> Event | None:
        """The most recent event, if any."""
        return self.events[-1] if self.events else None


def chronological(events: list[Event]) -> list[Event]:
    """Oldest first; undated events sort first so dated ones decide the status."""
    return sorted(
        events,
        key=lambda e: (
            e.date or dt.date.min,
            e.published_at or dt.datetime.min.replace(tzinfo=dt.UTC),
            e.article_id,
        ),
    )


def derive_status(
    jurisdiction: Jurisdiction, events: list[Event], *, in_order: bool = False
) -> JurisdictionStatus:
    """Apply TAXONOMY.md's status rules to a jurisdiction's events (``in_order``: they are
    already in :func:`chronological` order, as the store returns them)."""
    ordered = list(events) if in_order else chronological(events)
    measure: Event | None = None
    restriction: Event | None = None
    repeal: Event | None = None
    adoption: Event | None = None
    pending: list[Event] = []
    for event in ordered:
        action = event.action
        if action in MEASURE_ACTIONS:
            measure, repeal, pending = event, None, []
        elif action in RESTRICTION_ACTIONS:
            restriction, pending = event, []
        elif action == "ban_repealed_or_weakened":
            # A repeal ends the measure in force; with none on record it still tells of one.
            measure, repeal, pending = None, event, []
        elif action in PENDING_ACTIONS:
            pending.append(event)
        elif action == "use_expanded_or_adopted":
            adoption = event
        # Lawsuits, settlements and company policies appear in the timeline only.

    if measure is not None:
        status, scope, since, basis = (
            IN_FORCE_STATUS[measure.action],
            measure.scope,
            measure,
            [measure],
        )
    elif restriction is not None:
        status, scope, since, basis = "restricted", restriction.scope, restriction, [restriction]
    elif repeal is not None:
        status, scope, since, basis = "repealed", repeal.scope, repeal, [repeal]
    elif pending:
        # Since the first dated pending event: an undated one can't say when it began.
        first = next((event for event in pending if event.date), pending[0])
        status, scope, since, basis = "pending", pending[-1].scope, first, list(pending)
    elif adoption is not None:
        status, scope, since, basis = "in_use", adoption.scope, adoption, [adoption]
    else:
        status, scope, since, basis = "no_action", "unknown", None, []
    return JurisdictionStatus(
        jurisdiction=jurisdiction,
        status=status,
        scope=scope,
        since=since.date if since else None,
        basis=tuple(basis),
        pending=tuple(pending),
        events=tuple(ordered),
    )
