"""Review: moderators of the home server confirm or correct uncertain readings.

Readings are global (one corpus serves every server), so their review is too: the reviewers
are the moderators of the bot's home server (``BANWATCH_HOME_GUILD``; with a single server,
that one). Moderators of other servers can report a reading, which puts it in the queue.

Every answer is made against the reading the moderator saw (its token, a fingerprint of the
reading): when another moderator changed it meanwhile, nothing is stored and the newer
reading is shown to be answered again, so no correction is lost silently. Every answer is
written to the audit log, changes statuses at once and tells the alerts (held items are
posted or dropped, posted ones edited).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.errors import AmbiguousPlace, BanwatchError
from bot.log_notices import home_guild
from bot.models import (
    DEFAULT_CONFIDENCE_THRESHOLD,
    Article,
    Correction,
    Extraction,
    Jurisdiction,
    Place,
    ReviewState,
)
from bot.store import ReviewCandidate, ReviewRecord, ReviewReport, utcnow
from bot.taxonomy import ACTION_LABELS, ACTIONS
from bot.tracker import derive_status

if TYPE_CHECKING:
    from bot.articles import Actor
    from bot.service import Banwatch

# How many items the queue orders at a time (the least sure, decisive ones first).
QUEUE_WINDOW = 200
MAX_REASON_CHARS = 300
NOT_REVIEWER = (
    "Only the moderators of banwatch's home server can change readings: they are shared by"
    " every server. Use `/report` to ask them to look at this one."
)
NO_HOME = (
    "No home server is set and banwatch is in several servers, so nobody can review"
    " readings yet: set BANWATCH_HOME_GUILD to the id of the server whose moderators review."
)
QUEUE_EMPTY = "Nothing waits for review: every uncertain reading has been answered."


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One reading as a reviewer sees it: the article, its reading, how sure, the reports."""

    article: Article
    state: ReviewState
    token: str
    reports: tuple[ReviewReport, ...] = ()
    changes_status: bool = False
    waiting: int = 0

    @property
    def headline(self) -> str:
        """The article's headline on one line."""
        return " ".join(self.article.title.split())


@dataclass(frozen=True, slots=True)
class ReviewOutcome:
    """What an answer did: stored (with the item as it is now), or refused as stale (with
    the newer reading to be answered again)."""

    applied: bool
    item: ReviewItem
    what: str = ""


def parse_threshold(text: str) -> float:
    """A threshold typed as 0.8, .8 or 80%."""
    raw = (text or "").strip().rstrip("%").strip()
    try:
        value = float(raw)
    except ValueError:
        raise BanwatchError("Give the threshold as a number from 0 to 1, e.g. 0.8.") from None
    if (text or "").strip().endswith("%") or value > 1:
        value /= 100
    if not 0 <= value <= 1:
        raise BanwatchError("The threshold is between 0 and 1 (0% and 100%).")
    return round(value, 3)


class Review:
    """The review queue, the reviewers' answers, reports and each server's threshold."""

    def __init__(self, app: Banwatch) -> None:
        self.app = app
        self.store = app.store

    # -- who reviews ----------------------------------------------------------------------

    def home(self, guild_ids: Sequence[int]) -> int | None:
        """The home server (``BANWATCH_HOME_GUILD``, else the bot's only server), given the
        servers the bot is in."""
        return home_guild(self.app.home_guild_id, guild_ids)

    def check_reviewer(self, guild_id: int | None, guild_ids: Sequence[int]) -> None:
        """Raise unless ``guild_id`` is the home server (the caller checked moderatorship)."""
        home = self.home(guild_ids)
        if home is None:
            raise BanwatchError(NO_HOME)
        if guild_id != home:
            raise BanwatchError(NOT_REVIEWER)

    # -- thresholds -------------------------------------------------------------------------

    async def threshold(self, guild_id: str | int | None) -> float:
        """The confidence below which a server sees automatic readings as unconfirmed."""
        if guild_id is None:
            return DEFAULT_CONFIDENCE_THRESHOLD
        chosen = await self.store.review_threshold(str(guild_id))
        return DEFAULT_CONFIDENCE_THRESHOLD if chosen is None else chosen

    async def set_threshold(self, guild_id: str, text: str | None, actor_id: str) -> float:
        """Set a server's threshold (empty: back to the default); audited. Returns it."""
        value = parse_threshold(text) if text and text.strip() else None
        await self.store.set_review_threshold(guild_id, value, actor_id)
        await self.store.record_audit(
            actor_id=actor_id,
            guild_id=guild_id,
            action="config.confidence_threshold",
            target=None if value is None else str(value),
        )
        return DEFAULT_CONFIDENCE_THRESHOLD if value is None else value

    # -- the queue --------------------------------------------------------------------------

    async def queue(self, limit: int = 25) -> list[ReviewCandidate]:
        """What waits for review, most important first: items that would change a place's
        status, then reported ones, then the least sure."""
        return (await self._ordered())[0][:limit]

    async def _ordered(self) -> tuple[list[ReviewCandidate], set[str]]:
        """The queue in order, and which of its items would change a place's status."""
        candidates = await self.store.review_candidates(QUEUE_WINDOW)
        deciding = await self._status_deciding(candidates)
        candidates.sort(
            key=lambda c: (
                c.article_id not in deciding,
                -c.reports,
                -1.0 if c.confidence is None else c.confidence,
                c.article_id,
            )
        )
        return candidates, deciding

    async def _status_deciding(self, candidates: Sequence[ReviewCandidate]) -> set[str]:
        """The candidates whose place would have another status without them."""
        by_place: dict[str, list[str]] = defaultdict(list)
        for candidate in candidates:
            if candidate.place_key:
                by_place[candidate.place_key].append(candidate.article_id)
        deciding: set[str] = set()
        async for key, events in self.store.events_by_place(list(by_place)):
            place = Place.from_key(key)
            jurisdiction = Jurisdiction(key, place.level, place.name, place.state, place.country)
            now = derive_status(jurisdiction, events, in_order=True).status
            for article_id in by_place[key]:
                rest = [event for event in events if event.article_id != article_id]
                if derive_status(jurisdiction, rest, in_order=True).status != now:
                    deciding.add(article_id)
        return deciding

    async def next_item(self, after: str | None = None) -> ReviewItem | None:
        """The first item of the queue (or the one after ``after``: skipped), or None."""
        queue, deciding = await self._ordered()
        ids = [candidate.article_id for candidate in queue]
        start = ids.index(after) + 1 if after in ids else 0
        if start >= len(queue):
            return None
        candidate = queue[start]
        return await self.item(
            candidate.article_id,
            changes_status=candidate.article_id in deciding,
            waiting=len(queue) - start,
        )

    async def item(
        self, article_id: str, *, changes_status: bool = False, waiting: int = 0
    ) -> ReviewItem:
        """One article's reading as a reviewer sees it."""
        article = await self.app.article(article_id)
        token = await self.store.reading_token(article.id)
        if token is None:
            raise BanwatchError(f"Article {article.id} has no reading to review.")
        states = await self.store.review_states([article.id])
        return ReviewItem(
            article=article,
            state=states.get(article.id, ReviewState()),
            token=token,
            reports=tuple(await self.store.open_reports(article.id)),
            changes_status=changes_status,
            waiting=waiting,
        )

    # -- answers ----------------------------------------------------------------------------

    async def confirm(self, article_id: str, token: str, actor: Actor) -> ReviewOutcome:
        """The automatic reading is right: pin it as it stands."""
        item = await self.item(article_id)
        reading = item.article.extraction
        if reading is None:
            raise BanwatchError(f"Article {article_id} has no reading to confirm.")
        correction = Correction(
            article_id=item.article.id,
            corrected_by=actor.user_id,
            corrected_at=utcnow(),
            is_policy=reading.is_policy,
            action=reading.action,
            scope=reading.scope,
            event_date=reading.event_date,
            place_key=reading.place.key if reading.place else None,
        )
        return await self._answer(
            item, token, correction, "confirmed", actor, "review.confirm", "Confirmed"
        )

    async def not_policy(self, article_id: str, token: str, actor: Actor) -> ReviewOutcome:
        """The item is not policy news: it leaves every status and is never alerted."""
        item = await self.item(article_id)
        correction = Correction(
            article_id=item.article.id,
            corrected_by=actor.user_id,
            corrected_at=utcnow(),
            is_policy=False,
            action="none",
        )
        return await self._answer(
            item, token, correction, "corrected", actor, "review.not_policy", "Marked not policy"
        )

    async def change_action(
        self, article_id: str, token: str, action: str, actor: Actor
    ) -> ReviewOutcome:
        """Another action is right (``none``: not policy)."""
        action = (action or "").strip().lower()
        if action not in ACTIONS:
            raise BanwatchError(f"Unknown action {action!r}. Choose one of: {', '.join(ACTIONS)}.")
        item = await self.item(article_id)
        correction = Correction(
            article_id=item.article.id,
            corrected_by=actor.user_id,
            corrected_at=utcnow(),
            is_policy=action != "none",
            action=action,
        )
        label = ACTION_LABELS.get(action, action)
        return await self._answer(
            item, token, correction, "corrected", actor, "review.action", f"Action set to {label}"
        )

    async def change_place(
        self, article_id: str, token: str, place: str, actor: Actor
    ) -> ReviewOutcome:
        """Another place is right; raises AmbiguousPlace when the name means several (the
        face then offers them, and sends back the chosen one's key)."""
        jurisdiction = await self.app.resolve_place(place)
        item = await self.item(article_id)
        correction = Correction(
            article_id=item.article.id,
            corrected_by=actor.user_id,
            corrected_at=utcnow(),
            place_key=jurisdiction.key,
        )
        return await self._answer(
            item,
            token,
            correction,
            "corrected",
            actor,
            "review.place",
            f"Place set to {jurisdiction.display}",
            extra_place=jurisdiction.place,
        )

    async def _answer(
        self,
        item: ReviewItem,
        token: str,
        correction: Correction,
        state: str,
        actor: Actor,
        action: str,
        what: str,
        *,
        extra_place: Place | None = None,
    ) -> ReviewOutcome:
        before = item.article.extraction
        stored = await self.store.save_review(
            correction, state, expected_token=token, extra_place=extra_place
        )
        if not stored:
            # Someone changed the reading since this moderator saw it: show them the newer one.
            await self.store.record_audit(
                actor_id=actor.user_id,
                guild_id=actor.guild_id,
                action="review.stale",
                target=item.article.id,
                detail={"tried": action},
            )
            return ReviewOutcome(False, await self.item(item.article.id), "")
        fresh = await self.item(item.article.id)
        after = fresh.article.extraction
        await self.store.record_audit(
            actor_id=actor.user_id,
            guild_id=actor.guild_id,
            action=action,
            target=item.article.id,
            detail={"before": _reading_detail(before), "after": _reading_detail(after)},
        )
        await self.app.alerts.reviewed(item.article.id)
        return ReviewOutcome(True, fresh, what)

    async def report(self, article_id: str, actor: Actor, reason: str = "") -> ReviewItem:
        """Ask the home server's moderators to look at a reading again (any server's
        moderator may); the item joins the queue. Audited."""
        article = await self.app.article(article_id)
        reason = " ".join((reason or "").split())[:MAX_REASON_CHARS]
        await self.store.add_report(article.id, actor.guild_id, actor.user_id, reason)
        await self.store.record_audit(
            actor_id=actor.user_id,
            guild_id=actor.guild_id,
            action="review.report",
            target=article.id,
            detail={"reason": reason},
        )
        return await self.item(article.id)

    # -- corrections teach ---------------------------------------------------------------------

    async def export_labels(self) -> list[dict[str, object]]:
        """Every reading a moderator confirmed or corrected, as labelled-set items (the shape
        of tests/data/labelled/*.yaml), with where it came from and who reviewed it."""
        items: list[dict[str, object]] = []
        after = ""
        while ids := await self.store.reviewed_articles(after=after, limit=500):
            articles = await self.store.get_articles(ids)
            records = await self.store.review_records(ids)
            for article_id in ids:
                article, record = articles.get(article_id), records.get(article_id)
                # A bundled item comes from a labelled set: its correction belongs there.
                if article is None or record is None or article.origin == "bundled":
                    continue
                if article.extraction:
                    items.append(labelled_item(article, record))
            after = ids[-1]
        return items


def labelled_item(article: Article, record: ReviewRecord) -> dict[str, object]:
    """One reviewed article as a labelled-set item."""
    reading = article.extraction
    assert reading is not None
    place = reading.place
    jurisdiction: dict[str, object] = {
        "city": place.city if place and place.level == "city" else None,
        "state": place.state if place else None,
        "country": place.country if place else None,
    }
    if place and place.county:
        jurisdiction["county"] = place.county
    if place and place.company:
        jurisdiction["company"] = place.company
    published = article.published_at.date().isoformat() if article.published_at else None
    return {
        "id": f"rv-{article.id}",
        "title": article.title,
        "excerpt": article.excerpt,
        "published": published,
        "source_domain": article.provider_domain,
        "url": article.url,
        "labels": {
            "is_policy": reading.is_policy,
            "jurisdiction": jurisdiction,
            "level": place.level if place else None,
            "action": reading.action,
            "scope": reading.scope,
            "event_date": reading.event_date.isoformat() if reading.event_date else None,
        },
        "source": {
            "kind": "moderator review",
            "review": record.state,
            "reviewed_by": record.reviewed_by,
            "reviewed_at": record.reviewed_at,
            "article_id": article.id,
            "corpus_file": record.source_path,
            "provider": article.provider_name,
        },
    }


def _reading_detail(reading: object) -> dict[str, object] | None:
    """A reading as the audit log keeps it."""
    if not isinstance(reading, Extraction):
        return None
    return {
        "is_policy": reading.is_policy,
        "action": reading.action,
        "scope": reading.scope,
        "place": reading.place.key if reading.place else None,
        "event_date": reading.event_date.isoformat() if reading.event_date else None,
    }


def place_candidates(error: AmbiguousPlace) -> list[tuple[str, str]]:
    """(label, key) of the places an ambiguous name could mean, for a select."""
    return [(j.display, j.key) for j in error.candidates[:25]]


__all__ = [
    "NOT_REVIEWER",
    "QUEUE_EMPTY",
    "Review",
    "ReviewItem",
    "ReviewOutcome",
    "parse_threshold",
    "place_candidates",
]
