"""What banwatch holds about a person, the notice they accept before signing, and erasure."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from bot.errors import BanwatchError
from bot.store import Store

log = logging.getLogger(__name__)

# Raise the version whenever CONSENT_TEXT changes what is stored or who sees it: every signer
# is then asked again before their next signature.
CONSENT_VERSION = 1
CONSENT_TEXT = (
    "**Before you sign: what banwatch keeps about you**\n"
    "- **Stored:** your Discord user id, and only what you choose to add: a public name, a ZIP "
    "code or ward, a reason; plus the time you signed. Nothing else from your profile, and "
    "never photos or biometric data.\n"
    "- **Why:** to count one signature per person, and to hand the petition to its target.\n"
    "- **Who sees it:** this server's moderators get counts and a delivery file. The file lists "
    'your public name only if you gave one (otherwise "name withheld"), your ZIP/ward and '
    "reason if given, and the date. Your user id is never exported or shown.\n"
    "- **How to remove it:** `/petition unsign` withdraws a signature; `/privacy mydata` shows "
    "everything held about you; `/privacy forget` erases it all. Signer details are deleted "
    "automatically some months after a petition closes (counts are kept)."
)
# The same notice in at most 4000 characters for a modal, and a one-line version for labels.
CONSENT_SHORT = (
    "Stored: your user id, the optional name/ZIP/reason below, and the time. Moderators export "
    "names only if you give one; your id is never exported. Remove it any time with "
    "/petition unsign or /privacy forget."
)


CONSENT_QUESTION = "Do you accept? To sign, repeat the command with `agree:yes`."


class ConsentRequired(BanwatchError):
    """The user has not yet accepted the signer privacy notice."""

    def __init__(self) -> None:
        super().__init__(CONSENT_TEXT + "\n\n" + CONSENT_QUESTION)
        self.notice = CONSENT_TEXT


@dataclass(frozen=True, slots=True)
class ForgetReport:
    """What ``forget`` removed or redacted, per table (row counts, no content)."""

    rows: dict[str, int]

    @property
    def total(self) -> int:
        """Rows touched in all tables."""
        return sum(self.rows.values())


class Privacy:
    """``mydata`` and ``forget`` over the whole database, not only the petition tables."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def mydata(self, user_id: str) -> dict[str, Any]:
        """Everything held about ``user_id``: every row of every table that names them."""
        user_id = _checked_user(user_id)
        records = await self.store.rows_mentioning(user_id)
        consent = records.get("privacy_consents", [])
        signatures = records.get("petition_signatures", [])
        return {
            "user_id": user_id,
            "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "summary": {
                "signatures": len(signatures),
                "consent_given_at": consent[0]["consented_at"] if consent else None,
                "tables": {table: len(rows) for table, rows in records.items()},
            },
            "notice": CONSENT_TEXT,
            "records": records,
        }

    async def signed_petitions(self, user_id: str) -> list[int]:
        """The petitions ``user_id`` signed (their posts' counts change when they are forgotten)."""
        records = await self.store.rows_mentioning(_checked_user(user_id))
        return [row["petition_id"] for row in records.get("petition_signatures", [])]

    async def forget(self, user_id: str) -> ForgetReport:
        """Erase the user: their signatures (counts lowered) and consent go, other records that
        name them (as moderator, in the audit log, in alerts) are redacted."""
        user_id = _checked_user(user_id)
        rows = await self.store.forget_user(user_id)
        log.info("forget request carried out: %d rows", sum(rows.values()))
        return ForgetReport(rows)


def _checked_user(user_id: str) -> str:
    value = str(user_id).strip()
    if not value:
        raise BanwatchError("No user id given.")
    return value


def render_mydata(data: dict[str, Any]) -> str:
    """A readable summary of ``mydata`` (the JSON attachment carries the full rows)."""
    records = data["records"]
    if not records:
        return "banwatch holds nothing about you."
    lines = ["What banwatch holds about you:"]
    for signature in records.get("petition_signatures", []):
        extras = [
            f"{label}: {signature[key]}"
            for key, label in (
                ("public_name", "public name"),
                ("zip", "ZIP/ward"),
                ("reason", "reason"),
            )
            if signature.get(key)
        ]
        detail = f" ({'; '.join(extras)})" if extras else ""
        lines.append(
            f"- signature on petition #{signature['petition_id']},"
            f" {signature['signed_at'][:10]}{detail}"
        )
    consent = data["summary"]["consent_given_at"]
    if consent:
        lines.append(f"- you accepted the signer privacy notice on {consent[:10]}")
    others = {
        table: len(rows)
        for table, rows in records.items()
        if table not in ("petition_signatures", "privacy_consents")
    }
    for table, count in sorted(others.items()):
        lines.append(f"- {count} row(s) in {table} name you")
    lines.append("Use /privacy forget to erase all of it.")
    return "\n".join(lines)


def render_forget(report: ForgetReport) -> str:
    """The answer to ``forget``."""
    if not report.total:
        return "banwatch held nothing about you; there was nothing to erase."
    parts = ", ".join(f"{table}: {count}" for table, count in sorted(report.rows.items()))
    return f"Done. Everything banwatch held about you is erased ({parts})."
