"""Petitions a guild runs: create, edit, sign, count, close, export; milestones and retention.

Only what a signer chooses to give is stored besides their user id; nothing about a signer is
ever logged. The cog and the console are thin faces over :class:`Petitions`. Input checks live
in ``_validate``, text renderings in ``_render``, the delivery files (CSV, OSDI) in ``_export``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.errors import BanwatchError
from bot.petitions._export import PetitionExport, build_export
from bot.petitions._render import (
    milestone_text,
    progress_bar,
    render_open_petitions,
    render_petition,
    render_petition_list,
    revision_line,
)
from bot.petitions._validate import (
    MAX_DEMAND,
    MAX_GOAL,
    MAX_REASON,
    MAX_TARGET,
    MAX_TITLE,
    clean_public_name,
    clean_text,
    clean_zip,
    parse_deadline,
    parse_petition_id,
)
from bot.privacy import CONSENT_VERSION, ConsentRequired
from bot.store import Store
from bot.store._petitions import Petition, Revision, Signature, SignatureOutcome

if TYPE_CHECKING:
    from bot.service import Banwatch

log = logging.getLogger(__name__)

__all__ = [
    "GOAL_MILESTONES",
    "Petition",
    "PetitionExport",
    "Petitions",
    "Revision",
    "SignReceipt",
    "Signature",
    "clean_public_name",
    "clean_zip",
    "goal_milestones_crossed",
    "milestone_text",
    "parse_deadline",
    "parse_petition_id",
    "progress_bar",
    "render_open_petitions",
    "render_petition",
    "render_petition_list",
    "revision_line",
]

GOAL_MILESTONES = (25, 50, 75, 100)
DEADLINE_WARNING = dt.timedelta(days=2)
DEFAULT_RETENTION_DAYS = 180

Notifier = Callable[..., Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class SignReceipt:
    """The answer to a signature: whether it is new, the count now, milestones it reached."""

    petition: Petition
    count: int
    already_signed: bool = False
    milestones: tuple[str, ...] = ()


def goal_milestones_crossed(previous: int, current: int, goal: int) -> list[int]:
    """Goal percentages passed when the count went from ``previous`` to ``current``."""
    if goal <= 0:
        return []
    return [p for p in GOAL_MILESTONES if previous * 100 < p * goal <= current * 100]


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def _default_notifier() -> Notifier | None:
    """The alerts outbox's ``enqueue_guild_notice`` once that module provides it."""
    try:
        module = importlib.import_module("bot.alerts.service")
    except ImportError:
        return None
    return getattr(module, "enqueue_guild_notice", None)


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
        clean_title = clean_text(title, MAX_TITLE, "title", required=True)
        clean_demand = clean_text(demand, MAX_DEMAND, "demand", required=True)
        clean_target = clean_text(target, MAX_TARGET, "target", required=True)
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
                ("title", clean_text(title, MAX_TITLE, "title")),
                ("demand", clean_text(demand, MAX_DEMAND, "demand")),
                ("target", clean_text(target, MAX_TARGET, "target")),
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
        return build_export(petition, await self.store.signatures(petition.id))

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

    async def posted(self, petition_id: int) -> tuple[Petition | None, list[tuple[str, str]]]:
        """A petition and where it is posted (channel id, message id), to refresh the posts."""
        petition = await self.store.get_petition(petition_id)
        if petition is None:
            return None, []
        return petition, await self.store.petition_posts(petition_id)

    async def record_post(self, petition_id: int, channel_id: str, message_id: str) -> None:
        """Remember a message showing the petition, so its count is kept current there."""
        await self.store.record_post(petition_id, channel_id, message_id)

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
        why = clean_text(reason, MAX_REASON, "reason")
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
