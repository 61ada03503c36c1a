"""Petitions a guild runs: create, edit, sign, count, close, export; milestones and retention.

Only what a signer chooses to give is stored besides their user id; nothing about a signer is
ever logged. The cog and the console are thin faces over :class:`Petitions`.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
import json
import logging
import re
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from dateutil import parser as date_parser

from bot.privacy import CONSENT_VERSION, ConsentRequired
from bot.service import Banwatch, BanwatchError
from bot.store import Store
from bot.store._petitions import Petition, Revision, Signature, SignatureOutcome

log = logging.getLogger(__name__)

__all__ = [
    "GOAL_MILESTONES",
    "Petition",
    "PetitionExport",
    "Petitions",
    "Revision",
    "SignReceipt",
    "Signature",
    "goal_milestones_crossed",
    "parse_petition_id",
    "progress_bar",
    "render_open_petitions",
]

GOAL_MILESTONES = (25, 50, 75, 100)
DEADLINE_WARNING = dt.timedelta(days=2)
DEFAULT_RETENTION_DAYS = 180

MAX_TITLE = 100
MAX_TARGET = 100
MAX_DEMAND = 2000
MAX_PUBLIC_NAME = 64
MAX_REASON = 500
MAX_GOAL = 10_000_000
MAX_ZIP = 20
ZIP_PLUS_FOUR = re.compile(r"^(\d{5})-?\d{4}$")
WARD_TEXT = re.compile(r"^[\w .#-]+$")
# Spreadsheet programs run cells starting with these as formulas.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Notifier = Callable[..., Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class SignReceipt:
    """The answer to a signature: whether it is new, the count now, milestones it reached."""

    petition: Petition
    count: int
    already_signed: bool = False
    milestones: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PetitionExport:
    """Delivery files: signatures CSV, counts by ward CSV, OSDI JSON (no user ids anywhere)."""

    petition: Petition
    files: dict[str, bytes] = field(default_factory=dict)
    osdi: dict[str, Any] = field(default_factory=dict)


def goal_milestones_crossed(previous: int, current: int, goal: int) -> list[int]:
    """Goal percentages passed when the count went from ``previous`` to ``current``."""
    if goal <= 0:
        return []
    return [p for p in GOAL_MILESTONES if previous * 100 < p * goal <= current * 100]


def progress_bar(count: int, goal: int, width: int = 20) -> str:
    """``[#######.............] 35%`` toward the goal (capped at full)."""
    fraction = min(count / goal, 1.0) if goal > 0 else 0.0
    filled = round(fraction * width)
    percent = int(count * 100 / goal) if goal > 0 else 0
    return f"[{'#' * filled}{'.' * (width - filled)}] {percent}%"


def parse_petition_id(value: int | str) -> int:
    """``12`` or ``#12`` as an id; BanwatchError otherwise."""
    text = str(value).strip().lstrip("#")
    if not text.isdigit() or len(text) > 12 or int(text) < 1:
        raise BanwatchError(f"{str(value)[:20]!r} is not a petition number, e.g. `12`.")
    return int(text)


def _clean(text: str | None, limit: int, what: str, *, required: bool = False) -> str | None:
    cleaned = " ".join((text or "").split()) if what != "demand" else (text or "").strip()
    if not cleaned:
        if required:
            raise BanwatchError(f"The petition needs a {what}.")
        return None
    if len(cleaned) > limit:
        raise BanwatchError(f"The {what} is too long ({len(cleaned)} characters; at most {limit}).")
    return cleaned


def clean_zip(text: str | None) -> str | None:
    """A ZIP code (ZIP+4 cut to five digits: no more precise than needed) or a short ward name."""
    value = " ".join((text or "").split())
    if not value:
        return None
    match = ZIP_PLUS_FOUR.match(value)
    if match:
        return match.group(1)
    if len(value) > MAX_ZIP or not WARD_TEXT.match(value):
        raise BanwatchError("ZIP/ward: a ZIP code like `60614` or a ward like `Ward 32`.")
    return value


def clean_public_name(text: str | None) -> str | None:
    """A name to list publicly; mentions and markup are neutralised."""
    value = _clean(text, MAX_PUBLIC_NAME, "public name")
    if value is None:
        return None
    value = value.replace("@", "").replace("`", "").replace("*", "").replace("_", " ").strip()
    return value or None


def parse_deadline(text: str | None, now: dt.datetime) -> str | None:
    """An ISO date (end of that day, UTC) or date-time; must be in the future."""
    value = (text or "").strip()
    if not value:
        return None
    try:
        parsed = date_parser.isoparse(value)
    except (ValueError, OverflowError):
        raise BanwatchError(
            f"Deadline {value[:30]!r}: write it as a date like `2025-12-31`."
        ) from None
    if len(value) <= 10:  # a plain date: signable through that whole day
        parsed = parsed.replace(hour=23, minute=59, second=59)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    parsed = parsed.astimezone(dt.UTC)
    if parsed <= now:
        raise BanwatchError("The deadline must be in the future.")
    return parsed.isoformat(timespec="seconds")


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def _default_notifier() -> Notifier | None:
    """The alerts outbox's ``enqueue_guild_notice`` once that module provides it."""
    try:
        module = importlib.import_module("bot.alerts.service")
    except ImportError:
        return None
    return getattr(module, "enqueue_guild_notice", None)


def _spreadsheet_safe(text: str | None) -> str:
    value = text or ""
    return "'" + value if value.startswith(FORMULA_START) else value


class Petitions:
    """Petition commands over the store; every read and write is scoped to one guild."""

    def __init__(
        self,
        app: Banwatch,
        *,
        notify: Notifier | None = None,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.app = app
        self.store: Store = app.store
        self._notify = notify
        self.retention_days = retention_days
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    # -- moderators ---------------------------------------------------------------------------

    async def create(
        self,
        *,
        guild_id: str,
        created_by: str,
        title: str,
        demand: str,
        target: str,
        goal: int | str,
        place: str | None = None,
        deadline: str | None = None,
    ) -> Petition:
        """Open a new petition in a guild."""
        clean_title = _clean(title, MAX_TITLE, "title", required=True)
        clean_demand = _clean(demand, MAX_DEMAND, "demand", required=True)
        clean_target = _clean(target, MAX_TARGET, "target", required=True)
        try:
            goal_number = int(str(goal).strip().replace(",", ""))
        except ValueError:
            raise BanwatchError(f"The goal must be a number of signatures, not {goal!r}.") from None
        if not 1 <= goal_number <= MAX_GOAL:
            raise BanwatchError(f"The goal must be between 1 and {MAX_GOAL:,} signatures.")
        jurisdiction = await self.app.resolve_place(place) if place and place.strip() else None
        petition = await self.store.create_petition(
            guild_id=guild_id,
            title=clean_title or "",
            demand=clean_demand or "",
            target=clean_target or "",
            jurisdiction_key=jurisdiction.key if jurisdiction else None,
            jurisdiction=jurisdiction.display if jurisdiction else None,
            goal=goal_number,
            deadline=parse_deadline(deadline, self._clock()),
            created_by=created_by,
        )
        await self.store.record_audit(
            actor_id=created_by,
            action="petition.create",
            target=str(petition.id),
            guild_id=guild_id,
        )
        log.info("petition %s created in guild %s", petition.id, guild_id)
        return petition

    async def edit(
        self,
        petition_id: int | str,
        *,
        guild_id: str,
        edited_by: str,
        title: str | None = None,
        demand: str | None = None,
        target: str | None = None,
    ) -> tuple[Petition, list[Revision]]:
        """Change a petition's text; each change is kept in its revision history."""
        petition = await self.get(petition_id, guild_id=guild_id)
        if petition.status != "open":
            raise BanwatchError(f"Petition #{petition.id} is closed; its text can't change.")
        changes = {
            name: value
            for name, value in (
                ("title", _clean(title, MAX_TITLE, "title")),
                ("demand", _clean(demand, MAX_DEMAND, "demand")),
                ("target", _clean(target, MAX_TARGET, "target")),
            )
            if value is not None
        }
        if not changes:
            raise BanwatchError("Nothing to change: give a new title, demand or target.")
        revisions = await self.store.edit_petition(petition.id, changes, revised_by=edited_by)
        if revisions:
            await self.store.record_audit(
                actor_id=edited_by,
                action="petition.edit",
                target=str(petition.id),
                detail={"fields": [r.field for r in revisions]},
                guild_id=guild_id,
            )
        return await self.get(petition.id, guild_id=guild_id), revisions

    async def close(self, petition_id: int | str, *, guild_id: str, closed_by: str) -> Petition:
        """Close a petition to new signatures and announce it."""
        petition = await self.get(petition_id, guild_id=guild_id)
        if not await self.store.close_petition(petition.id, closed_by=closed_by):
            raise BanwatchError(f"Petition #{petition.id} is already closed.")
        await self.store.record_audit(
            actor_id=closed_by, action="petition.close", target=str(petition.id), guild_id=guild_id
        )
        closed = await self.get(petition.id, guild_id=guild_id)
        await self._announce(closed, "closed")
        return closed

    async def export(self, petition_id: int | str, *, guild_id: str) -> PetitionExport:
        """CSV and OSDI JSON for delivery to the target; no user ids, private names withheld."""
        petition = await self.get(petition_id, guild_id=guild_id)
        signatures = await self.store.signatures(petition.id)
        stem = f"petition-{petition.id}"
        files = {f"{stem}-signatures.csv": _signatures_csv(signatures).encode("utf-8")}
        wards = _ward_counts(petition, signatures)
        if wards:
            files[f"{stem}-by-ward.csv"] = _wards_csv(wards).encode("utf-8")
        osdi = _osdi(petition, signatures)
        files[f"{stem}.osdi.json"] = json.dumps(osdi, indent=2, ensure_ascii=False).encode("utf-8")
        return PetitionExport(petition, files, osdi)

    # -- everyone -----------------------------------------------------------------------------

    async def get(self, petition_id: int | str, *, guild_id: str) -> Petition:
        """A petition of this guild; other guilds' petitions don't exist from here."""
        number = parse_petition_id(petition_id)
        petition = await self.store.get_petition(number)
        if petition is None or petition.guild_id != guild_id:
            raise BanwatchError(f"There is no petition #{number} in this server.")
        return petition

    async def revisions(self, petition: Petition) -> list[Revision]:
        """The petition's text changes, oldest first."""
        return await self.store.petition_revisions(petition.id)

    async def list(self, *, guild_id: str, place: str | None = None) -> list[Petition]:
        """A guild's petitions (open first), optionally about one place."""
        key = (await self.app.resolve_place(place)).key if place and place.strip() else None
        petitions = await self.store.list_petitions(guild_id, jurisdiction_key=key)
        return sorted(petitions, key=lambda p: (p.status != "open", -p.id))

    async def open_for_place(self, *, guild_id: str, place_key: str) -> list[Petition]:
        """Open petitions about one place (for /status)."""
        return await self.store.list_petitions(guild_id, status="open", jurisdiction_key=place_key)

    async def sign(
        self,
        petition_id: int | str,
        user_id: str,
        *,
        guild_id: str,
        public_name: str | None = None,
        zip_code: str | None = None,
        reason: str | None = None,
        consent: bool = False,
    ) -> SignReceipt:
        """Sign once; a first-time signer must have seen and accepted the privacy notice."""
        number = parse_petition_id(petition_id)
        name = clean_public_name(public_name)
        ward = clean_zip(zip_code)
        why = _clean(reason, MAX_REASON, "reason")
        # Refuse a closed or expired petition before asking for consent; the transaction
        # below checks again, so a petition closing meanwhile is still refused.
        current = await self.get(number, guild_id=guild_id)
        if current.status != "open":
            self._checked(number, SignatureOutcome("closed", current, 0, 0))
        if current.is_expired(_iso(self._clock())):
            self._checked(number, SignatureOutcome("expired", current, 0, 0))
        if (await self.store.consent_version(user_id) or 0) < CONSENT_VERSION:
            if not consent:
                raise ConsentRequired()
            await self.store.record_consent(user_id, CONSENT_VERSION)
        outcome = await self.store.record_signature(
            number, user_id, public_name=name, zip_code=ward, reason=why, guild_id=guild_id
        )
        petition = self._checked(number, outcome)
        if outcome.result == "already_signed":
            return SignReceipt(petition, outcome.count, already_signed=True)
        reached = []
        for percent in goal_milestones_crossed(
            outcome.previous_count, outcome.count, petition.goal
        ):
            if await self.store.claim_milestone(petition.id, f"goal-{percent}"):
                reached.append(f"goal-{percent}")
        if reached:
            # One jump past several marks (a small goal) announces only the highest.
            await self._post(petition, reached[-1], count=outcome.count)
        return SignReceipt(petition, outcome.count, milestones=tuple(reached))

    async def unsign(self, petition_id: int | str, user_id: str, *, guild_id: str) -> SignReceipt:
        """Withdraw one's signature (while the petition is open)."""
        number = parse_petition_id(petition_id)
        petition = await self.get(number, guild_id=guild_id)
        if petition.status != "open":
            raise BanwatchError(
                f"Petition #{number} is closed. To erase your signature anyway, use"
                " `/privacy forget`."
            )
        outcome = await self.store.remove_signature(number, user_id, guild_id=guild_id)
        petition = self._checked(number, outcome)
        if outcome.result == "not_signed":
            raise BanwatchError(f"You haven't signed petition #{number}.")
        return SignReceipt(petition, outcome.count)

    async def has_signed(self, petition: Petition, user_id: str) -> bool:
        """Whether the user's signature is on the petition."""
        return await self.store.has_signed(petition.id, user_id)

    @staticmethod
    def _checked(number: int, outcome: SignatureOutcome) -> Petition:
        if outcome.petition is None or outcome.result == "missing":
            raise BanwatchError(f"There is no petition #{number} in this server.")
        if outcome.result == "closed":
            raise BanwatchError(f"Petition #{number} is closed and no longer takes signatures.")
        if outcome.result == "expired":
            deadline = (outcome.petition.deadline or "")[:10]
            raise BanwatchError(
                f"Petition #{number}'s deadline ({deadline}) has passed; it no longer takes"
                " signatures."
            )
        return outcome.petition

    # -- background work ----------------------------------------------------------------------

    async def tick(self) -> list[str]:
        """Warn of near deadlines, close expired petitions, drop old signer details.

        Returns what was done (for logs and tests).
        """
        now = self._clock()
        done = []
        for petition in await self.store.open_petitions_due_before(_iso(now + DEADLINE_WARNING)):
            if petition.is_expired(_iso(now)):
                if await self.store.close_petition(petition.id, closed_by="deadline"):
                    closed = await self.store.get_petition(petition.id)
                    if closed is not None and await self._announce(closed, "closed"):
                        done.append(f"closed #{petition.id}")
            elif await self._announce(petition, "deadline"):
                done.append(f"deadline warning #{petition.id}")
        cutoff = _iso(now - dt.timedelta(days=self.retention_days))
        for petition_id in await self.store.purge_signer_details(cutoff):
            log.info("dropped signer details of petition %s (retention)", petition_id)
            done.append(f"purged #{petition_id}")
        return done

    async def _announce(
        self, petition: Petition, milestone: str, *, count: int | None = None
    ) -> bool:
        """Post a milestone to the guild's alert channels, once; True if it was new."""
        if not await self.store.claim_milestone(petition.id, milestone):
            return False
        await self._post(petition, milestone, count=count)
        return True

    async def _post(self, petition: Petition, milestone: str, *, count: int | None) -> None:
        """Hand a milestone notice to the alerts outbox; a failure there never undoes a
        signature or a closing."""
        notify = self._notify or _default_notifier()
        if notify is None:
            log.warning("alerts outbox not available; petition milestone %s not posted", milestone)
            return
        title, description = milestone_text(petition, milestone, count)
        try:
            await notify(
                self.store,
                petition.guild_id,
                f"petition:{petition.id}:{milestone}",
                title,
                description,
                url=None,
            )
        except Exception:
            log.exception("could not queue milestone %s of petition %s", milestone, petition.id)


def milestone_text(petition: Petition, milestone: str, count: int | None = None) -> tuple[str, str]:
    """Title and description of a milestone notice (counts only, never signers)."""
    count = petition.signature_count if count is None else count
    progress = f"{count:,} of {petition.goal:,} signatures. {progress_bar(count, petition.goal)}"
    if milestone.startswith("goal-"):
        percent = milestone.removeprefix("goal-")
        if percent == "100":
            title = f"Petition #{petition.id} reached its goal!"
        else:
            title = f"Petition #{petition.id} is {percent}% of the way to its goal"
        return title, f"**{petition.title}** (to {petition.target})\n{progress}"
    if milestone == "deadline":
        deadline = (petition.deadline or "")[:10]
        return (
            f"Petition #{petition.id} closes soon ({deadline})",
            f"**{petition.title}** (to {petition.target})\n{progress}\nSign with "
            f"`/petition sign {petition.id}` before the deadline.",
        )
    return (
        f"Petition #{petition.id} is closed",
        f"**{petition.title}** (to {petition.target})\nFinal count: {progress}",
    )


# -- rendering ---------------------------------------------------------------------------------


def render_petition(
    petition: Petition, revisions: list[Revision] | None = None, *, show_demand: bool = True
) -> str:
    """A petition as plain text (console and embed description)."""
    lines = [f"Petition #{petition.id}: {petition.title} [{petition.status}]"]
    lines.append(f"To: {petition.target}")
    if petition.jurisdiction:
        lines.append(f"Place: {petition.jurisdiction}")
    if show_demand:
        lines.append("")
        lines.append(petition.demand)
        lines.append("")
    lines.append(
        f"{petition.signature_count:,} of {petition.goal:,} signatures "
        f"{progress_bar(petition.signature_count, petition.goal)}"
    )
    if petition.deadline:
        lines.append(f"Deadline: {petition.deadline[:10]}")
    if petition.closed_at:
        lines.append(f"Closed: {petition.closed_at[:10]}")
    if revisions:
        lines.append("Revision history:")
        for revision in revisions:
            lines.append(f"  {revision_line(revision)}")
    return "\n".join(lines)


def revision_line(revision: Revision, *, escape: Callable[[str], str] = str) -> str:
    """One text change: when, which field, and the old and new text (shortened)."""

    def short(text: str) -> str:
        flat = " ".join(text.split())
        return escape(flat if len(flat) <= 60 else flat[:59] + "…")

    when = revision.revised_at[:16].replace("T", " ")
    return (
        f'{when} {revision.field} changed: "{short(revision.old_value)}"'
        f' -> "{short(revision.new_value)}"'
    )


def render_petition_list(petitions: list[Petition]) -> str:
    """One line per petition."""
    if not petitions:
        return "No petitions yet."
    return "\n".join(
        f"#{p.id} {p.title} [{p.status}] {p.signature_count:,}/{p.goal:,}"
        + (f" - {p.jurisdiction}" if p.jurisdiction else "")
        for p in petitions
    )


def render_open_petitions(petitions: list[Petition], *, escape: Callable[[str], str] = str) -> str:
    """One line per open petition (the /status listing): id, title, count toward the goal."""
    return "\n".join(
        f"#{p.id} {escape(p.title)}: {p.signature_count:,}/{p.goal:,} signatures"
        f" (/petition show {p.id})"
        for p in petitions
    )


def _ward_counts(petition: Petition, signatures: list[Signature]) -> dict[str, int]:
    if petition.ward_counts is not None:
        wards = dict(petition.ward_counts)
    else:
        wards = dict(Counter(s.zip or "" for s in signatures))
    if set(wards) <= {""}:
        return {}
    return dict(sorted(wards.items(), key=lambda item: (item[0] == "", item[0])))


def _signatures_csv(signatures: list[Signature]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    with_zip = any(s.zip for s in signatures)
    header = ["number", "name", "signed_on", "comment"]
    if with_zip:
        header.insert(2, "zip_or_ward")
    writer.writerow(header)
    for number, signature in enumerate(signatures, start=1):
        row = [
            str(number),
            _spreadsheet_safe(signature.public_name) or "(name withheld)",
            signature.signed_at[:10],
            _spreadsheet_safe(signature.reason),
        ]
        if with_zip:
            row.insert(2, _spreadsheet_safe(signature.zip))
        writer.writerow(row)
    return buffer.getvalue()


def _wards_csv(wards: dict[str, int]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["zip_or_ward", "signatures"])
    for ward, count in wards.items():
        writer.writerow([_spreadsheet_safe(ward) or "(not given)", count])
    return buffer.getvalue()


def _osdi(petition: Petition, signatures: list[Signature]) -> dict[str, Any]:
    """The petition and its signatures in the OSDI shape (osdi:petition / osdi:signatures)."""
    osdi_signatures = []
    for signature in signatures:
        entry: dict[str, Any] = {"action_date": signature.signed_at}
        if signature.reason:
            entry["comments"] = signature.reason
        person: dict[str, Any] = {}
        if signature.public_name:
            person["name"] = signature.public_name
        if signature.zip:
            person["postal_addresses"] = [{"postal_code": signature.zip}]
        if person:
            entry["person"] = person
        osdi_signatures.append(entry)
    data: dict[str, Any] = {
        "origin_system": "banwatch",
        "identifiers": [f"banwatch:petition-{petition.id}"],
        "title": petition.title,
        "petition_text": petition.demand,
        "target": [{"name": petition.target}],
        "total_signatures": petition.signature_count,
        "created_date": petition.created_at,
        "status": petition.status,
        "signatures": osdi_signatures,
    }
    if petition.deadline:
        data["end_date"] = petition.deadline
    if petition.jurisdiction:
        data["jurisdiction"] = petition.jurisdiction
    return data
