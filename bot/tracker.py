"""The state of bans and moratoria per jurisdiction, derived from its events (TAXONOMY.md)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field, replace

from bot.models import Event, Jurisdiction, ReviewState
from bot.taxonomy import IN_FORCE_STATUS, PENDING_ACTIONS

MEASURE_ACTIONS = frozenset({"ban_enacted", "moratorium_enacted"})
RESTRICTION_ACTIONS = frozenset({"regulation_or_oversight_law", "agency_order_or_suspension"})
REPEAL_ACTION = "ban_repealed_or_weakened"
ADOPTION_ACTION = "use_expanded_or_adopted"
# Events after which earlier proposals, debates and campaigns no longer count as pending:
# an enactment, restriction or repeal settles them, and so does an adoption (the council
# debated, then approved the contract: the place uses FR, nothing is pending).
RESETTING_ACTIONS = MEASURE_ACTIONS | RESTRICTION_ACTIONS | {REPEAL_ACTION, ADOPTION_ACTION}
# Of these, only the newest event of each action can decide a status (see StatusSample).
DECIDING_ACTIONS = RESETTING_ACTIONS
# TAXONOMY.md has one action for a ban "repealed, expired, or loosened", but a loosened ban is
# still a ban in force ("not repealed later"). A headline that tells of loosening (a carve-out,
# an exemption, a tweak) and of no end keeps the measure, loosened; any other ends it.
_LOOSENING = re.compile(
    r"\b(?:loosen\w*|tweak\w*|eas(?:e|es|ed|ing)\b|relax\w*|exempt\w*|exceptions?\b"
    r"|carve[- ]?outs?\b|narrow\w*|chang(?:e|es|ed|ing)\b|modif\w*|paves? way)",
    re.IGNORECASE,
)
_ENDING = re.compile(
    r"\b(?:repeal\w*|lift\w*|overturn\w*|rescind\w*|revers\w*|end(?:s|ed|ing)?\b|expir\w*"
    r"|laps\w*|scrap\w*|ditch\w*|drop\w*|abolish\w*|revok\w*|strik\w*|kill\w*|no longer)",
    re.IGNORECASE,
)


_PARTLY = re.compile(r"\b(?:partial(?:ly)?|partly|in part)\b", re.IGNORECASE)


def loosens(event: Event) -> bool:
    """Whether a repeal-or-weakening event only loosens the measure (see _LOOSENING); a
    partial end ("partially lifts") is a loosening too."""
    if event.action != REPEAL_ACTION:
        return False
    title = event.title
    if _PARTLY.search(title):
        return True
    return _LOOSENING.search(title) is not None and _ENDING.search(title) is None


# A measure's stated term, read from its headline: "three-year moratorium", "bans ... for
# five years", "until 2023", "through June 2024". "Until at least 2022" is a floor, not an
# end, and is not read.
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "eighteen": 18,
}  # fmt: skip
_COUNT = r"(?P<count>\d{1,3}|" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + ")"
_UNIT = r"(?P<unit>year|month|week|day)s?"
_MEASURE_NOUN = r"(?:moratori(?:um|a)|ban|bans|pause|freeze|halt|suspension|prohibition)"
_TERMS = (
    # "three-year moratorium", "90-day pause", "2-year facial recognition ban"
    re.compile(
        rf"\b{_COUNT}[- ]{_UNIT}[- ](?:(?!(?:after|since|ago|before|into|later|of)\b)[\w-]+\s+)"
        rf"{{0,2}}?{_MEASURE_NOUN}\b",
        re.IGNORECASE,
    ),
    # "bans facial recognition for five years", "for the next year"
    re.compile(
        rf"\bfor\s+(?:the\s+next\s+|up\s+to\s+|another\s+)?{_COUNT}\s+{_UNIT}\b",
        re.IGNORECASE,
    ),
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
         ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
         ("september", "sept", "sep"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")),
        start=1,
    )
    for name in names
}  # fmt: skip
_UNTIL = re.compile(
    r"\b(?:(?:until|till|through)\s+(?P<floor>at\s+least\s+)?(?:the\s+end\s+of\s+)?"
    r"(?:(?P<month>[A-Za-z]{3,9})\.?\s+)?|to\s+)(?P<year>20\d\d)\b",
    re.IGNORECASE,
)


# Words every headline that states a term contains (SQL LIKE patterns, case-blind for
# ASCII): what a status sample looks for among a place's bans and moratoria. A superset of
# what measure_end reads ("day" meets "Monday" too), so no stated term is missed.
TERM_HINTS = ("%year%", "%month%", "%week%", "%day%", "%until%", "%till%", "%through%", "% to 20%")


def current_day() -> dt.date:
    """The day by which measures' terms are judged (UTC)."""
    return dt.datetime.now(dt.UTC).date()


def measure_end(event: Event) -> dt.date | None:
    """When a ban or moratorium ends by its own terms, as its headline states them (from its
    date: "three-year moratorium" signed on 2019-10-09 ends on 2022-10-09), else None."""
    if event.action not in MEASURE_ACTIONS:
        return None
    title = event.title
    until = _UNTIL.search(title)
    if until and not until.group("floor"):
        year = int(until.group("year"))
        month_word = (until.group("month") or "").lower()
        month = _MONTHS.get(month_word)
        if month_word and month is None:
            return None  # "until Congress 2023": not a date
        # The whole of the month or year named ("until 2023", "through June 2024"): a
        # measure is kept in force to the latest day its words allow.
        if month is None:
            return dt.date(year + 1, 1, 1)
        return dt.date(year + (month == 12), month % 12 + 1, 1)
    term = next((match for pattern in _TERMS if (match := pattern.search(title))), None)
    start = event.date
    if term is None or start is None:
        return None
    raw = term.group("count").lower()
    count = int(raw) if raw.isdigit() else _NUMBERS.get(raw)
    unit = term.group("unit").lower()
    if not count:
        return None
    if unit == "day":
        return start + dt.timedelta(days=count)
    if unit == "week":
        return start + dt.timedelta(weeks=count)
    months = count * 12 if unit == "year" else count
    year, month = divmod(start.month - 1 + months, 12)
    day = min(start.day, calendar.monthrange(start.year + year, month + 1)[1])
    return dt.date(start.year + year, month + 1, day)


# What a status answer keeps of long lists: the latest this many of what it rests on, of
# what is pending, and of all events (a timeline has them all).
STATUS_KEEPS = 10


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
    # How many events and pending events there are when the tuples above hold only the
    # latest (a status answer, see :func:`brief`); None when they hold them all.
    total_events: int | None = None
    total_pending: int | None = None
    # For a state or country with no events of its own: the tracked places inside it.
    within: tuple[Jurisdiction, ...] = field(default=(), compare=False)
    # The in-force measure's end by its own terms ("three-year moratorium"), when stated.
    ends: dt.date | None = None
    # When the last measure ended by its own terms, if that is what ended it (the status is
    # then "repealed": TAXONOMY.md's repeal covers a measure that expires).
    expired_on: dt.date | None = None

    # The review state of each event's reading, by article id (filled for answers people
    # read): what marks a status or an event as unconfirmed.
    reviews: dict[str, ReviewState] = field(default_factory=dict, compare=False)

    def review_of(self, event: Event) -> ReviewState:
        """The review state of an event's reading (automatic, confidence unknown, if not
        looked up)."""
        return self.reviews.get(event.article_id) or ReviewState()

    def unconfirmed(self, threshold: float) -> bool:
        """Whether the status rests only on automatic readings less sure than ``threshold``."""
        return bool(self.basis) and all(
            self.review_of(event).unconfirmed(threshold) for event in self.basis
        )

    @property
    def event_count(self) -> int:
        """How many events the place has, listed or not."""
        return len(self.events) if self.total_events is None else self.total_events

    @property
    def pending_count(self) -> int:
        """How many pending events stand beside (or make) the status, listed or not."""
        return len(self.pending) if self.total_pending is None else self.total_pending

    def others(self, latest: int) -> list[Event]:
        """Up to ``latest`` of the most recent events the status does not rest on, newest
        first (in a brief answer, from among the latest :data:`STATUS_KEEPS`)."""
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
    jurisdiction: Jurisdiction,
    events: list[Event],
    *,
    in_order: bool = False,
    today: dt.date | None = None,
) -> JurisdictionStatus:
    """Apply TAXONOMY.md's status rules to a jurisdiction's events (``in_order``: they are
    already in :func:`chronological` order, as the store returns them). A measure whose
    headline states its term (:func:`measure_end`) ends on that day, as a repeal would;
    ``today`` (default: the UTC date) decides whether it has."""
    ordered = list(events) if in_order else chronological(events)
    day = today or current_day()
    measure: Event | None = None
    ends: dt.date | None = None
    expired_on: dt.date | None = None
    loosened: list[Event] = []
    restriction: Event | None = None
    repeal: Event | None = None
    adoption: Event | None = None
    pending: list[Event] = []
    for event in ordered:
        action = event.action
        if ends is not None and event.date is not None and event.date >= ends:
            # The measure ran out before this event: it ended as a repeal would (what was
            # pending beside it stays pending).
            measure, loosened, repeal, expired_on, ends = None, [], measure, ends, None
        if action in MEASURE_ACTIONS:
            stated = measure_end(event)
            if stated is None and measure is not None and measure.action == action:
                # The same measure told again ("California's ban on ..."), or renewed: a
                # term stated earlier stands until a headline states another.
                stated = ends
            measure, loosened, repeal, pending = event, [], None, []
            ends, expired_on = stated, None
        elif action in RESTRICTION_ACTIONS:
            restriction, pending = event, []
        elif action == REPEAL_ACTION and measure is not None and loosens(event):
            # Loosened, not ended: the measure stays in force, and the loosening is part of
            # what its status rests on.
            loosened.append(event)
            pending = []
        elif action == REPEAL_ACTION:
            # A repeal ends the measure in force; with none on record it still tells of one.
            measure, loosened, repeal, pending = None, [], event, []
            ends, expired_on = None, None
        elif action in PENDING_ACTIONS:
            pending.append(event)
        elif action == ADOPTION_ACTION:
            # Proposals and campaigns before an adoption did not stop it: none is pending.
            adoption, pending = event, []
        # Lawsuits, settlements and company policies appear in the timeline only.

    if ends is not None and day >= ends:
        measure, loosened, repeal, expired_on, ends = None, [], measure, ends, None
    if measure is not None:
        status, scope, since, basis = (
            IN_FORCE_STATUS[measure.action],
            measure.scope,
            measure,
            [measure, *loosened],
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
    expired = status == "repealed" and expired_on is not None
    return JurisdictionStatus(
        jurisdiction=jurisdiction,
        status=status,
        scope=scope,
        since=expired_on if expired else (since.date if since else None),
        ends=ends if measure is not None else None,
        expired_on=expired_on if expired else None,
        basis=tuple(basis),
        pending=tuple(pending),
        events=tuple(ordered),
    )


def brief(
    result: JurisdictionStatus,
    keep: int = STATUS_KEEPS,
    *,
    event_count: int | None = None,
    pending_count: int | None = None,
) -> JurisdictionStatus:
    """A status answer keeping only the latest ``keep`` of its basis, pending and events,
    with how many there are in all (by default, as many as ``result`` holds): what
    ``/status`` shows and what is kept in memory per place."""
    if result.total_events is not None:
        return result
    return replace(
        result,
        basis=result.basis[-keep:],
        pending=result.pending[-keep:],
        events=result.events[-keep:],
        total_events=len(result.events) if event_count is None else event_count,
        total_pending=len(result.pending) if pending_count is None else pending_count,
    )


@dataclass(frozen=True, slots=True)
class StatusSample:
    """The few events of a place that decide its status, read without reading them all.

    :func:`derive_status` looks at events in order and keeps only the newest of each
    deciding action (a ban, a moratorium, each kind of restriction, a repeal, an adoption)
    and the pending events after the newest resetting one. So the status, scope, since and
    basis derived from ``events`` below equal those derived from every event, when
    ``events`` holds, in timeline order:

    - the newest event of each of :data:`DECIDING_ACTIONS`, every repeal-or-weakening
      (whether each loosens or ends the measure depends on its headline; a place has few)
      and every ban and moratorium whose headline may state a term (:data:`TERM_HINTS`: a
      term stated once stands when the measure is told again, :func:`measure_end`);
    - of the pending events after the newest of :data:`RESETTING_ACTIONS`: the oldest dated
      (it gives "since"; with none dated, "since" is None from any of them) and the latest
      ``keep``;
    - the latest ``keep`` events of any kind (the recent ones an answer lists).

    ``event_count`` and ``pending_count`` count all of them, the left-out ones included.
    """

    events: list[Event]
    event_count: int
    pending_count: int


def status_from_sample(
    jurisdiction: Jurisdiction, sample: StatusSample, keep: int = STATUS_KEEPS
) -> JurisdictionStatus:
    """The brief status answer from a :class:`StatusSample`, equal to
    ``brief(derive_status(jurisdiction, every_event), keep)``."""
    derived = derive_status(jurisdiction, sample.events, in_order=True)
    return brief(derived, keep, event_count=sample.event_count, pending_count=sample.pending_count)
