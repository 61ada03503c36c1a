"""The names banwatch uses for actions, scopes, levels and statuses (see TAXONOMY.md)."""

from __future__ import annotations

ACTIONS: tuple[str, ...] = (
    "ban_enacted",
    "moratorium_enacted",
    "ban_proposed",
    "moratorium_proposed",
    "ordinance_debated",
    "vote_postponed",
    "ban_repealed_or_weakened",
    "lawsuit_or_court_challenge",
    "settlement",
    "regulation_or_oversight_law",
    "agency_order_or_suspension",
    "use_expanded_or_adopted",
    "campaign_or_petition",
    "company_policy",
    "none",
)

SCOPES: tuple[str, ...] = ("police", "government", "private", "all", "unknown")

LEVELS: tuple[str, ...] = ("city", "county", "state", "national", "company")

STATUSES: tuple[str, ...] = (
    "ban",
    "moratorium",
    "restricted",
    "repealed",
    "pending",
    "in_use",
    "no_action",
)

# Actions that put a measure in force, and the status each gives.
IN_FORCE_STATUS: dict[str, str] = {
    "ban_enacted": "ban",
    "moratorium_enacted": "moratorium",
    "regulation_or_oversight_law": "restricted",
    "agency_order_or_suspension": "restricted",
}

# Actions that mean a measure is being sought but is not in force yet.
PENDING_ACTIONS: frozenset[str] = frozenset(
    {
        "ban_proposed",
        "moratorium_proposed",
        "ordinance_debated",
        "vote_postponed",
        "campaign_or_petition",
    }
)

ACTION_LABELS: dict[str, str] = {
    "ban_enacted": "Ban enacted",
    "moratorium_enacted": "Moratorium enacted",
    "ban_proposed": "Ban proposed",
    "moratorium_proposed": "Moratorium proposed",
    "ordinance_debated": "Ordinance debated",
    "vote_postponed": "Vote postponed",
    "ban_repealed_or_weakened": "Ban repealed or weakened",
    "lawsuit_or_court_challenge": "Lawsuit or court challenge",
    "settlement": "Settlement",
    "regulation_or_oversight_law": "Regulation or oversight law",
    "agency_order_or_suspension": "Agency order or suspension",
    "use_expanded_or_adopted": "Use expanded or adopted",
    "campaign_or_petition": "Campaign or petition",
    "company_policy": "Company policy",
    "none": "Not policy news",
}


def validate_action(action: str) -> str:
    """Return ``action`` if it is a taxonomy action name, else raise ValueError."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; expected one of: {', '.join(ACTIONS)}")
    return action


def validate_scope(scope: str) -> str:
    """Return ``scope`` if it is a taxonomy scope name, else raise ValueError."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; expected one of: {', '.join(SCOPES)}")
    return scope
