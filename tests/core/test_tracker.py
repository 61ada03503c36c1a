"""Status rules of TAXONOMY.md applied to sequences of events."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import render
from bot.models import Event, Jurisdiction
from bot.tracker import TERM_HINTS, derive_status, measure_end

PLACE = Jurisdiction("city:US:MA:Springfield", "city", "Springfield", "MA", "US")


def event(
    action: str,
    day: int,
    scope: str = "police",
    article_id: str | None = None,
    title: str | None = None,
) -> Event:
    return Event(
        article_id=article_id or f"a{day:03d}{action[:4]}",
        title=title or f"{action} on day {day}",
        url=f"https://example.org/{day}",
        provider="Example",
        published_at=None,
        event_date=dt.date(2020, 1, 1) + dt.timedelta(days=day),
        action=action,
        scope=scope,
        place_key=PLACE.key,
    )


@pytest.mark.parametrize(
    ("actions", "status"),
    [
        ([], "no_action"),
        # A debate or campaign followed by an adoption: the place uses FR, nothing pending.
        (["ordinance_debated", "use_expanded_or_adopted"], "in_use"),
        (["campaign_or_petition", "use_expanded_or_adopted"], "in_use"),
        (["lawsuit_or_court_challenge"], "no_action"),
        (["ban_proposed"], "pending"),
        (["ordinance_debated", "vote_postponed"], "pending"),
        (["campaign_or_petition"], "pending"),
        (["ban_proposed", "ban_enacted"], "ban"),
        (["moratorium_enacted"], "moratorium"),
        (["ban_enacted", "ban_repealed_or_weakened"], "repealed"),
        (["ban_enacted", "ban_repealed_or_weakened", "moratorium_enacted"], "moratorium"),
        (["regulation_or_oversight_law"], "restricted"),
        (["agency_order_or_suspension", "ban_enacted"], "ban"),
        (["use_expanded_or_adopted"], "in_use"),
        (["use_expanded_or_adopted", "campaign_or_petition"], "pending"),
        (["ban_enacted", "use_expanded_or_adopted"], "ban"),
        (["settlement", "company_policy"], "no_action"),
    ],
)
def test_status_follows_taxonomy_rules(actions: list[str], status: str) -> None:
    events = [event(action, day) for day, action in enumerate(actions, start=1)]
    assert derive_status(PLACE, events).status == status


def test_since_scope_and_basis_come_from_the_measure_in_force() -> None:
    events = [
        event("ban_proposed", 1, scope="government"),
        event("ban_enacted", 10, scope="government"),
        event("lawsuit_or_court_challenge", 20, scope="private"),
    ]
    result = derive_status(PLACE, events)
    assert result.status == "ban"
    assert result.scope == "government"
    assert result.since == dt.date(2020, 1, 11)
    assert [e.action for e in result.basis] == ["ban_enacted"]
    assert [e.action for e in result.events] == [e.action for e in events]


# Headlines of real items labelled ban_repealed_or_weakened (tests/data), and whether each
# only loosens the ban in force or ends it.
LOOSENING_OR_ENDING = [
    ("San Francisco loosens facial recognition ban to allow newer iPhones", True),
    ("San Francisco tweaks facial recognition ban so city workers can use iPhones", True),
    ("After leading the ban on facial recognition software, S.F. supervisor paves way for more"
     " exemptions", True),
    ("San Francisco is changing its facial recognition ban after it accidentally made the"
     " iPhones it gave to city employees illegal", True),
    ("New Orleans City Council votes to allow police to use facial recognition technology", False),
    ("New Orleans City Council approves police use of facial recognition, reversing earlier ban",
     False),
    ("California's ban on facial recognition in police body cameras expires", False),
    ("Privacy Advocates Lambast Virginia for Ditching Police Facial Recognition Ban", False),
    ("Mayor LaToya Cantrell moves to end ban on facial recognition, other crime-fighting"
     " surveillance", False),
]  # fmt: skip


@pytest.mark.parametrize(("title", "only_loosens"), LOOSENING_OR_ENDING)
def test_a_loosened_ban_stays_in_force_an_ended_one_is_repealed(
    title: str, only_loosens: bool
) -> None:
    events = [
        event("ban_enacted", 1, scope="government"),
        event("ban_repealed_or_weakened", 5, title=title),
        event("campaign_or_petition", 9),
    ]
    result = derive_status(PLACE, events)
    if only_loosens:
        assert (result.status, result.scope, result.since) == (
            "ban",
            "government",
            dt.date(2020, 1, 2),
        )
        assert [e.action for e in result.basis] == ["ban_enacted", "ban_repealed_or_weakened"]
        assert f"Ban loosened: {title}" in render.render_status(result)
    else:
        assert (result.status, result.since) == ("repealed", dt.date(2020, 1, 6))
    # Loosened or ended, the campaign after it is pending.
    assert [e.action for e in result.pending] == ["campaign_or_petition"]


def test_a_loosening_with_no_ban_in_force_tells_of_a_repeal_and_a_later_end_ends_it() -> None:
    loosening = "Council loosens its facial recognition ban"
    assert derive_status(PLACE, [event("ban_repealed_or_weakened", 1, title=loosening)]).status == (
        "repealed"
    )
    events = [
        event("ban_enacted", 1),
        event("ban_repealed_or_weakened", 5, title=loosening),
        event("ban_repealed_or_weakened", 9, title="Council repeals its facial recognition ban"),
    ]
    assert derive_status(PLACE, events).status == "repealed"
    # A partial end is a loosening (a headline written for this test).
    partly = "Council partially lifts its facial recognition ban for missing-child searches"
    events = [event("ban_enacted", 1), event("ban_repealed_or_weakened", 5, title=partly)]
    assert derive_status(PLACE, events).status == "ban"


def test_pending_beside_a_ban_is_reported() -> None:
    events = [event("ban_enacted", 1), event("ordinance_debated", 30)]
    result = derive_status(PLACE, events)
    assert result.status == "ban"
    assert [e.action for e in result.pending] == ["ordinance_debated"]


def test_pending_since_the_first_open_event() -> None:
    events = [event("vote_postponed", 9), event("ordinance_debated", 2)]
    result = derive_status(PLACE, events)
    assert result.status == "pending"
    assert result.since == dt.date(2020, 1, 3)
    assert [e.action for e in result.events] == ["ordinance_debated", "vote_postponed"]


def test_events_arrive_in_any_order() -> None:
    events = [event("ban_repealed_or_weakened", 40), event("ban_enacted", 5)]
    assert derive_status(PLACE, events).status == "repealed"
    assert derive_status(PLACE, list(reversed(events))).status == "repealed"


def test_other_events_are_the_latest_the_status_does_not_rest_on() -> None:
    events = [event("ban_enacted", 1)]
    events += [event("ordinance_debated", day) for day in range(10, 40)]
    events += [event("lawsuit_or_court_challenge", day) for day in range(50, 60)]
    result = derive_status(PLACE, events)
    assert result.status == "ban"
    others = result.others(5)
    start = dt.date(2020, 1, 1)
    assert [(e.event_date - start).days for e in others] == [59, 58, 57, 56, 55]  # newest first
    assert all(e.action == "lawsuit_or_court_challenge" for e in others)
    assert [e.action for e in result.basis] == ["ban_enacted"]
    assert len(result.pending) == 30


def test_console_status_lists_only_the_latest_pending_beside_a_measure() -> None:
    from bot.render import render_status

    events = [event("ban_enacted", 1)] + [event("ordinance_debated", d) for d in range(5, 25)]
    text = render_status(derive_status(PLACE, events))
    assert "(15 earlier not shown: see the timeline)" in text
    assert "ordinance_debated on day 24" in text and "ordinance_debated on day 5" not in text


# --- Measures with a term ("three-year moratorium") ---------------------------------------


@pytest.mark.parametrize(
    ("title", "end"),
    [
        ("Governor signs three-year ban on facial recognition in cameras", dt.date(2023, 1, 2)),
        ("3-year ban on police use of facial recognition to start in 2020", dt.date(2023, 1, 2)),
        ("State issues 2-year moratorium on facial recognition in schools", dt.date(2022, 1, 2)),
        ("Council bans facial recognition for five years", dt.date(2025, 1, 2)),
        ("City approves 90-day pause on facial recognition", dt.date(2020, 4, 1)),
        # A year or month named: kept in force to the end of it.
        ("Country bans facial recognition in public places until 2023", dt.date(2024, 1, 1)),
        ("City extends facial recognition moratorium through June 2024", dt.date(2024, 7, 1)),
        ("State extends its facial recognition moratorium to 2025", dt.date(2026, 1, 1)),
        # No term: open-ended, a floor, or a number that is not one.
        ("Council bans facial recognition", None),
        ("State bans facial recognition in schools until at least 2022", None),
        ("Two years after its ban, the city reviews it", None),
        ("Portland votes 5-0 to ban facial recognition", None),
    ],
)
def test_a_measure_ends_by_the_term_its_headline_states(title: str, end: dt.date | None) -> None:
    assert measure_end(event("ban_enacted", 1, title=title)) == end
    if end is not None:
        # A status sample finds the headlines that state a term by these words (SQL LIKE).
        assert any(hint.strip("%").lower() in title.lower() for hint in TERM_HINTS)
    # Only a ban or moratorium has a term: a campaign for a five-year ban is no measure.
    assert measure_end(event("ban_proposed", 1, title=title)) is None


def test_a_measure_in_force_says_until_when_and_runs_out_on_that_day() -> None:
    events = [event("moratorium_enacted", 1, title="Governor signs three-year moratorium")]
    ends = dt.date(2023, 1, 2)
    before = derive_status(PLACE, events, today=dt.date(2022, 12, 31))
    assert (before.status, before.since, before.ends, before.expired_on) == (
        "moratorium",
        dt.date(2020, 1, 2),
        ends,
        None,
    )
    assert "Moratorium in force (police) since 2020-01-02 until 2023-01-02" in (
        render.status_headline(before)
    )
    after = derive_status(PLACE, events, today=ends)
    # TAXONOMY.md: a moratorium in force is one "not expired or repealed"; one that ran out
    # is repealed, and says so in words.
    assert (after.status, after.since, after.ends, after.expired_on) == (
        "repealed",
        ends,
        None,
        ends,
    )
    assert [e.action for e in after.basis] == ["moratorium_enacted"]
    assert render.status_label(after) == "Moratorium expired"
    assert render.status_json(after)["expired_on"] == "2023-01-02"


def test_events_after_a_measure_ran_out_follow_it_and_an_extension_renews_it() -> None:
    term = "Council approves one-year moratorium on facial recognition"
    # Adopted after the moratorium ran out: the end is what the status rests on, the
    # adoption a later event (a repeal outranks an adoption, TAXONOMY.md).
    ran_out = derive_status(PLACE, [event("moratorium_enacted", 1, title=term),
                                    event("use_expanded_or_adopted", 400)])  # fmt: skip
    assert (ran_out.status, ran_out.expired_on) == ("repealed", dt.date(2021, 1, 2))
    # Renewed before its end: in force, by the new one's term.
    renewed = derive_status(
        PLACE,
        [event("moratorium_enacted", 1, title=term), event("moratorium_enacted", 300, title=term)],
        today=dt.date(2021, 6, 1),
    )
    assert (renewed.status, renewed.ends) == ("moratorium", dt.date(2021, 10, 27))
    # A new measure after the end replaces it; a restriction in force outranks the end.
    replaced = derive_status(PLACE, [event("moratorium_enacted", 1, title=term),
                                     event("ban_enacted", 500)])  # fmt: skip
    assert (replaced.status, replaced.ends, replaced.expired_on) == ("ban", None, None)
    restricted = derive_status(PLACE, [event("regulation_or_oversight_law", 1),
                                       event("moratorium_enacted", 2, title=term)])  # fmt: skip
    assert restricted.status == "restricted"
    # What was pending beside it stays pending once it has run out.
    pending = derive_status(PLACE, [event("moratorium_enacted", 1, title=term),
                                    event("ban_proposed", 200)])  # fmt: skip
    assert pending.status == "repealed"
    assert [e.action for e in pending.pending] == ["ban_proposed"]


def test_a_term_stated_once_stands_when_the_measure_is_told_again() -> None:
    term = "Governor signs three-year moratorium on facial recognition in body cameras"
    again = "State's moratorium on facial recognition in body cameras takes effect"
    events = [
        event("moratorium_enacted", 1, title=term),
        event("moratorium_enacted", 80, title=again),
    ]
    result = derive_status(PLACE, events, today=dt.date(2024, 1, 1))
    assert (result.status, result.expired_on) == ("repealed", dt.date(2023, 1, 2))
    # A different measure afterwards is a new one: a ban with no term stays in force.
    events.append(event("ban_enacted", 120, title="State bans facial recognition in body cameras"))
    assert derive_status(PLACE, events, today=dt.date(2024, 1, 1)).status == "ban"
