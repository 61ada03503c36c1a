"""Alerts without Discord: subscriptions, matching new items into the outbox, why and preview."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from bot import places
from bot.alerts.matching import filter_miss, place_miss, same_event
from bot.alerts.models import (
    BEFORE_SUBSCRIPTION,
    CHANNEL_KINDS,
    DEFAULT_REVIEW_MODE,
    DELIVERED,
    DUPLICATE,
    FAILED,
    FILTERED,
    HELD,
    MODES,
    PAUSED,
    QUEUED,
    REVIEW,
    REVIEW_MODES,
    AlertMessage,
    NewOutboxRow,
    OutboxEntry,
    Subscription,
)
from bot.alerts.sender import Poster, Sender, channel_mention, notify_moderators
from bot.errors import BanwatchError
from bot.models import DEFAULT_CONFIDENCE_THRESHOLD, Article, Event, Jurisdiction, ReviewState
from bot.summary import summarize
from bot.taxonomy import ACTION_LABELS, ACTIONS
from bot.tracker import derive_status

if TYPE_CHECKING:
    from bot.service import Banwatch
    from bot.store import Store

log = logging.getLogger(__name__)
# SQLite's largest integer: a bigger number typed as an id is no subscription.
MAX_SUBSCRIPTION_ID = 2**63 - 1

MAX_SUBSCRIPTIONS_PER_GUILD = 50
MAX_BACKFILL = 25
# Unseen items a scan matches per transaction: a first scan of a big corpus then holds this
# many in memory at a time, and other commands get the database between chunks.
SCAN_CHUNK = 500
MAX_KEYWORDS = 10
DEFAULT_DIGEST_HOUR = 9
BUNDLED_DETAIL = "part of the corpus bundled with banwatch, not news"
UNCONFIRMED_TEXT = (
    "Unconfirmed: read automatically and not yet checked by a moderator; it may be wrong."
)
WITHDRAWN_TEXT = "Withdrawn: a moderator found this item is not policy news."


async def enqueue_guild_notice(
    store: Store,
    guild_id: str,
    key: str,
    title: str,
    description: str,
    url: str | None = None,
) -> int:
    """Post a notice (e.g. a petition milestone) to every channel where ``guild_id`` gets alerts.

    It goes through the alerts outbox, so it is delivered once, paced and retried like any
    alert, and survives restarts. ``key`` makes it idempotent per channel: calling again with
    the same key queues nothing new (use e.g. ``f"petition:{id}:milestone:{n}"``). One post per
    channel even when several subscriptions share it; broken or removed subscriptions are
    skipped; a paused guild records the notice as paused. Returns how many posts were queued.
    """
    subscriptions = [s for s in await store.subscriptions(guild_id) if s.active]
    paused = await store.alerts_paused(guild_id)
    seen_channels: set[str] = set()
    rows = []
    message = AlertMessage(
        kind="notice", title=title[:256], description=description[:4000], url=url
    )
    for subscription in subscriptions:
        if subscription.channel_id in seen_channels:
            continue
        seen_channels.add(subscription.channel_id)
        rows.append(
            NewOutboxRow(
                subscription_id=subscription.id,
                kind="notice",
                subject=key[:200],
                state=PAUSED if paused else QUEUED,
                detail="alerts are paused in this server" if paused else "",
                payload=message,
            )
        )
    added = await store.enqueue_outbox(rows)
    return 0 if paused else added


def review_state(article: Article) -> ReviewState:
    """An article's review state, as the store loaded it with its reading."""
    reading = article.extraction
    return ReviewState(article.review, reading.confidence if reading else None)


def item_message(
    article: Article, status_change: str | None = None, *, threshold: float | None = None
) -> AlertMessage:
    """The alert for one news item; with a ``threshold``, marked unconfirmed when its reading
    is automatic and less sure than that."""
    reading = article.extraction
    place = reading.place if reading else None
    date = None
    if reading and reading.event_date:
        date = reading.event_date.isoformat()
    elif article.published_at:
        date = article.published_at.date().isoformat()
    return AlertMessage(
        kind="item",
        title=" ".join(article.title.split()),
        description=summarize(article),
        url=article.url,
        provider=article.provider_name or article.provider_domain,
        date=date,
        place=place.display if place else None,
        place_key=place.key if place else None,
        action=reading.action if reading else None,
        status_change=status_change,
        unconfirmed=threshold is not None and review_state(article).unconfirmed(threshold),
        withdrawn=reading is not None and not reading.is_policy,
    )


def status_message(
    jurisdiction: Jurisdiction, before: str, after: str, cause: Event, *, unconfirmed: bool = False
) -> AlertMessage:
    """The alert for a status change, e.g. "Springfield, MA: pending -> moratorium"
    (``unconfirmed``: the item it rests on was read automatically and is uncertain)."""
    return AlertMessage(
        kind="status",
        title=f"{jurisdiction.display}: {before} -> {after}",
        description=f"After: {cause.title}",
        url=cause.url,
        provider=cause.provider,
        date=cause.date.isoformat() if cause.date else None,
        place=jurisdiction.display,
        place_key=jurisdiction.key,
        action=cause.action,
        status_change=f"{before} -> {after}",
        unconfirmed=unconfirmed,
    )


def render_text(message: AlertMessage) -> str:
    """An alert as plain text (the console, the CLI, previews)."""
    if message.kind == "digest":
        return "\n".join([f"== {message.title} ==", *message.lines])
    head = f"** {message.title} **"
    meta = " · ".join(
        part
        for part in (
            message.provider,
            message.date,
            message.place,
            ACTION_LABELS.get(message.action or "", message.action or ""),
        )
        if part
    )
    lines = [head]
    if message.withdrawn:
        lines.append(WITHDRAWN_TEXT)
    elif message.unconfirmed:
        lines.append(UNCONFIRMED_TEXT)
    if meta:
        lines.append(meta)
    if message.description:
        lines.append(message.description)
    if message.status_change and message.kind == "item":
        lines.append(f"Status now: {message.status_change}")
    if message.also_covered:
        lines.append("Also covered by " + ", ".join(message.also_covered))
    if message.url:
        lines.append(message.url)
    return "\n".join(lines)


def _review_mode(text: str) -> str:
    mode = (text or "").strip().lower()
    if mode not in REVIEW_MODES:
        raise BanwatchError(
            f"Unknown review mode {mode!r}. Choose one of: {', '.join(REVIEW_MODES)}"
            " (all: post everything at once; hold: hold uncertain items for review;"
            " confirmed: post reviewed items only)."
        )
    return mode


def _parse_list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").replace(";", ",").split(",") if part.strip()]


class Alerts:
    """Subscriptions, the matcher that fills the outbox, and the answers about it."""

    def __init__(self, app: Banwatch) -> None:
        self.app = app
        self.store: Store = app.store

    # -- subscriptions ------------------------------------------------------------------------

    async def subscribe(
        self,
        *,
        guild_id: str,
        channel_id: str,
        actor_id: str,
        channel_kind: str = "text",
        place: str | None = None,
        state: str | None = None,
        country: str | None = None,
        actions: str | None = None,
        keywords: str | None = None,
        mode: str = "item",
        digest_hour: int | None = None,
        role_id: str | None = None,
        backfill: int = 0,
        review: str | None = None,
        created_in: str | None = None,
    ) -> tuple[Subscription, int]:
        """Add a subscription starting now; ``backfill`` queues that many latest matches.

        ``review`` says what it posts before review (:data:`REVIEW_MODES`); new
        subscriptions hold uncertain items until a moderator confirms them. ``created_in``
        is the channel the command was typed in (moderators are told there if the
        subscription breaks and the server has no log channel). The same channel with the
        same filters and mode twice is refused: every item would be posted twice.
        """
        review = _review_mode(review or DEFAULT_REVIEW_MODE)
        if channel_kind not in CHANNEL_KINDS:
            raise BanwatchError(f"Alerts can go to a {', '.join(CHANNEL_KINDS)} channel only.")
        mode = (mode or "item").strip().lower()
        if mode not in MODES:
            raise BanwatchError(f"Unknown mode {mode!r}. Choose one of: {', '.join(MODES)}.")
        if digest_hour is not None and not 0 <= digest_hour <= 23:
            raise BanwatchError("The digest hour is 0 to 23 (UTC).")
        if digest_hour is not None and mode != "digest":
            raise BanwatchError(
                "`digest_hour` is the hour of a daily digest: add `mode:digest` to get one."
            )
        if mode == "digest" and digest_hour is None:
            digest_hour = DEFAULT_DIGEST_HOUR
        if not 0 <= backfill <= MAX_BACKFILL:
            raise BanwatchError(f"`backfill` is 0 to {MAX_BACKFILL}.")
        place_key = (await self.app.resolve_place(place)).key if place else None
        state_code = None
        if state:
            state_code = places.state_code(state.strip()) or state.strip().upper()[:40]
        country_code = country.strip().upper()[:2] if country else None
        action_list = [a.lower() for a in _parse_list(actions)]
        unknown = [a for a in action_list if a not in ACTIONS]
        if unknown:
            raise BanwatchError(
                f"Unknown action {unknown[0]!r}. Choose from: {', '.join(ACTIONS[:-1])}."
            )
        keyword_list = [k[:60] for k in _parse_list(keywords)][:MAX_KEYWORDS]
        existing = await self.store.subscriptions(guild_id)
        wanted = (channel_id, place_key, state_code, country_code, sorted(action_list),
                  sorted(k.casefold() for k in keyword_list), mode, digest_hour)  # fmt: skip
        for other in existing:
            same = (other.channel_id, other.place_key, other.state, other.country,
                    sorted(other.actions), sorted(k.casefold() for k in other.keywords),
                    other.mode, other.digest_hour)  # fmt: skip
            if same == wanted:
                raise BanwatchError(
                    f"This channel already gets these alerts (subscription #{other.id}):"
                    " subscribing again would post every item twice."
                )
        if len(existing) >= MAX_SUBSCRIPTIONS_PER_GUILD:
            raise BanwatchError(
                f"This server has {len(existing)} subscriptions, the most allowed."
                " Remove one with /alerts unsubscribe first."
            )
        subscription = await self.store.add_subscription(
            guild_id=guild_id,
            channel_id=channel_id,
            channel_kind=channel_kind,
            created_by=actor_id,
            place_key=place_key,
            state=state_code,
            country=country_code,
            actions=action_list,
            keywords=keyword_list,
            mode=mode,
            digest_hour=digest_hour,
            role_id=role_id,
            review=review,
            created_in=created_in,
        )
        await self.store.record_audit(
            actor_id=actor_id,
            action="alerts.subscribe",
            target=f"subscription {subscription.id}",
            detail={
                "channel": channel_id,
                "filters": subscription.describe_filters(),
                "mode": mode,
                "review": review,
                "backfill": backfill,
            },
            guild_id=guild_id,
        )
        queued = await self.backfill(subscription, backfill) if backfill else 0
        return subscription, queued

    async def backfill(self, subscription: Subscription, count: int) -> int:
        """Queue the ``count`` latest items the subscription would have posted, oldest first."""
        matches = (await self._matching_articles(subscription, count))[::-1]
        threshold = await self.app.review.threshold(subscription.guild_id)
        rows = []
        for article in matches:
            # A backfilled item waits for review as a new one would.
            hold = _held(subscription, article, threshold)
            state = HELD if subscription.mode == "digest" else QUEUED
            rows.append(
                NewOutboxRow(
                    subscription_id=subscription.id,
                    kind="item",
                    subject=article.id,
                    article_id=article.id,
                    state=REVIEW if hold else state,
                    detail=f"backfill, {hold}" if hold else "backfill",
                    payload=item_message(article, threshold=threshold),
                )
            )
        return await self.store.enqueue_outbox(rows)

    async def _matching_articles(self, subscription: Subscription, count: int) -> list[Article]:
        found = []
        for article in await self.store.all_articles():
            if filter_miss(subscription, article) is None:
                found.append(article)
                if len(found) >= count:
                    break
        return found

    async def subscriptions(self, guild_id: str | None = None) -> list[Subscription]:
        """A guild's subscriptions (every guild's with None), broken ones included."""
        return await self.app.store.subscriptions(guild_id)

    async def paused(self, guild_id: str) -> bool:
        """Whether a guild's moderators paused its alerts."""
        return await self.app.store.alerts_paused(guild_id)

    async def outbox(
        self, *, guild_id: str | None, states: list[str] | None, limit: int
    ) -> list[OutboxEntry]:
        """The latest outbox rows, optionally of one guild and in these states."""
        return await self.app.store.outbox_entries(guild_id=guild_id, states=states, limit=limit)

    async def recheck(self, sender: Sender, *, guild_id: str | None = None) -> list[Subscription]:
        """Clear the broken subscriptions (of one guild, or all) whose channel the sender's
        poster can reach again, telling their moderators once; returns those cleared.

        Run every hour, and at once on ``/alerts check`` and ``/alerts resume``.
        """
        recovered = []
        for subscription in await self.store.subscriptions(guild_id):
            if subscription.broken_at is None:
                continue
            if not await sender.poster.reachable(subscription.channel_id):
                continue
            if not await self.store.clear_subscription_broken(subscription.id):
                continue  # another check got there first
            recovered.append(subscription)
            log.info("alerts: subscription %d works again", subscription.id)
            await self.store.record_audit(
                actor_id="banwatch",
                action="alerts.subscription_recovered",
                target=f"subscription {subscription.id}",
                detail={"channel": subscription.channel_id},
                guild_id=subscription.guild_id,
            )
            await notify_moderators(
                self.store,
                subscription,
                "recovered",
                f"Alerts to {channel_mention(subscription.channel_id)} (subscription"
                f" #{subscription.id}) works again: new items are posted there from now.",
            )
        return recovered

    def sender(self, poster: Poster, **options: Any) -> Sender:
        """The outbox's sender through ``poster`` (Discord's, or the console's printer)."""
        return Sender(self.app.store, poster, **options)

    async def subscription_in(self, guild_id: str, subscription_id: int) -> Subscription:
        """A live subscription of this guild, or a BanwatchError."""
        if not 1 <= subscription_id <= MAX_SUBSCRIPTION_ID:
            raise BanwatchError(f"This server has no alert subscription #{subscription_id}.")
        subscription = await self.store.subscription(subscription_id)
        if subscription is None or subscription.guild_id != guild_id or subscription.removed_at:
            raise BanwatchError(f"This server has no alert subscription #{subscription_id}.")
        return subscription

    async def unsubscribe(self, guild_id: str, subscription_id: int, actor_id: str) -> Subscription:
        """Stop a subscription; its queued posts are dropped."""
        subscription = await self.subscription_in(guild_id, subscription_id)
        await self.store.remove_subscription(guild_id, subscription_id)
        await self.store.record_audit(
            actor_id=actor_id,
            action="alerts.unsubscribe",
            target=f"subscription {subscription_id}",
            guild_id=guild_id,
        )
        return subscription

    async def set_review_mode(
        self, guild_id: str, subscription_id: int, mode: str, actor_id: str
    ) -> Subscription:
        """Choose what a subscription posts before review; audited. Items already held stay
        held until reviewed."""
        subscription = await self.subscription_in(guild_id, subscription_id)
        mode = _review_mode(mode)
        await self.store.set_review_mode(subscription.id, mode)
        await self.store.record_audit(
            actor_id=actor_id,
            action="alerts.review_mode",
            target=f"subscription {subscription.id}",
            detail={"review": mode},
            guild_id=guild_id,
        )
        found = await self.store.subscription(subscription.id)
        assert found is not None
        return found

    async def set_paused(self, guild_id: str, paused: bool, actor_id: str) -> bool:
        """Pause or resume every alert of the guild; False when nothing changed."""
        changed = await self.store.set_alerts_paused(guild_id, paused, actor_id)
        if changed:
            await self.store.record_audit(
                actor_id=actor_id,
                action="alerts.pause" if paused else "alerts.resume",
                guild_id=guild_id,
            )
        return changed

    async def preview(
        self, guild_id: str, subscription_id: int, count: int = 3
    ) -> list[AlertMessage]:
        """What the last few matching items would have looked like (nothing is posted)."""
        subscription = await self.subscription_in(guild_id, subscription_id)
        return [item_message(a) for a in await self._matching_articles(subscription, count)]

    async def why(self, guild_id: str, article_id: str) -> list[tuple[Subscription, str]]:
        """For each subscription of the guild: why this item was or was not posted there."""
        article = await self.app.article(article_id)
        entries = {
            e.subscription_id: e
            for e in await self.store.outbox_entries(
                guild_id=guild_id, article_id=article.id, limit=500
            )
            if e.kind == "item"
        }
        arrival, added_at = (await self.store.article_arrivals([article.id])).get(
            article.id, (0, "")
        )
        answers = []
        for subscription in await self.store.subscriptions(guild_id, include_removed=True):
            entry = entries.get(subscription.id)
            if entry is not None:
                answers.append((subscription, entry.describe()))
            elif subscription.removed_at:
                continue
            elif arrival <= subscription.last_article_rowid:
                miss = filter_miss(subscription, article)
                answer = f"filtered out: {miss}" if miss else "older than the subscription"
                answers.append((subscription, answer + f" (item added {added_at[:10]})"))
            else:
                answers.append((subscription, "not matched yet (waiting for the next scan)"))
        if not answers:
            raise BanwatchError("This server has no alert subscriptions.")
        return answers

    # -- after a review ----------------------------------------------------------------------

    async def reviewed(self, article_id: str) -> int:
        """A moderator reviewed an item's reading: its posts follow. Held ones are matched
        again (posted once, or dropped for good when it is not policy news or no longer
        matches); queued and posted ones say what the review says (posted ones are edited).
        Returns how many held posts were released to be posted."""
        article = await self.app.article(article_id)
        thresholds = await self.store.review_thresholds()
        released = 0
        for entry in await self.store.outbox_entries(article_id=article.id, limit=1000):
            if entry.kind != "item":
                continue
            subscription = await self.store.subscription(entry.subscription_id)
            if subscription is None:
                continue
            threshold = thresholds.get(subscription.guild_id, DEFAULT_CONFIDENCE_THRESHOLD)
            message = item_message(article, threshold=threshold)
            if entry.payload is not None:
                message.also_covered = entry.payload.also_covered
                message.status_change = entry.payload.status_change
            if entry.state == REVIEW:
                released += await self._release(subscription, entry, article, message, threshold)
            elif entry.state in (QUEUED, HELD, PAUSED) and message.withdrawn:
                # Not sent yet, and not policy news after all: it never will be.
                await self.store.drop_unsent(
                    entry.id, "not policy news, after a moderator's review"
                )
            elif entry.state in (QUEUED, HELD, PAUSED, DELIVERED) and entry.payload != message:
                await self.store.revise_payload(entry.id, message)
        return released

    async def _release(
        self,
        subscription: Subscription,
        entry: OutboxEntry,
        article: Article,
        message: AlertMessage,
        threshold: float,
    ) -> int:
        """Post or drop one item held for review; 1 if it was released to be posted."""
        reading = article.extraction
        if article.retracted or reading is None or not reading.is_policy:
            await self.store.release_reviewed(
                entry.id, FILTERED, "not policy news, after a moderator's review", None
            )
            return 0
        if _held(subscription, article, threshold) is not None:
            return 0  # reviewed, yet still not confirmed enough for this subscription
        miss = filter_miss(subscription, article)
        if miss:
            await self.store.release_reviewed(
                entry.id, FILTERED, f"filtered out after a moderator's review: {miss}", message
            )
            return 0
        if subscription.mode == "digest":
            state, detail = HELD, f"for the digest at {subscription.digest_hour or 0:02d}:00 UTC"
        else:
            state, detail = QUEUED, ""
        released = await self.store.release_reviewed(entry.id, state, detail, message)
        return int(released and state == QUEUED)

    # -- matching new items into the outbox -------------------------------------------------

    async def scan(self) -> int:
        """Match items the alerts have not seen against every subscription; returns rows queued.

        Idempotent and crash-safe: each chunk of items is written in one transaction with
        its rows, its "seen" marks and the status changes it caused, and the last with every
        place's status and the tracker revision; an interrupted scan is redone from the
        items left. A first scan of a big corpus (100,000 unseen items) goes
        :data:`SCAN_CHUNK` items at a time, so it neither holds them all in memory nor keeps
        the database from other commands for long.
        """
        unseen = await self.store.unprocessed_alert_articles()
        revision = await self.store.tracker_revision()
        revised = revision != await self.store.alerts_seen_revision()
        if not unseen and not revised:
            return 0
        subscriptions = [s for s in await self.store.subscriptions() if not s.removed_at]
        paused = await self.store.paused_guilds()
        thresholds = await self.store.review_thresholds()
        changes, statuses, befores = await self._status_changes(set(unseen), revised=revised)
        change_by_article = {cause.article_id: (j, b, a, cause) for j, b, a, cause in changes}
        ids = list(unseen)  # in arrival order
        chunks = [ids[start : start + SCAN_CHUNK] for start in range(0, len(ids), SCAN_CHUNK)]
        queued = 0
        for number, chunk in enumerate(chunks or [[]]):
            first, last = number == 0, number == max(len(chunks) - 1, 0)
            # The status changes this chunk's items caused (a moderator's change, caused by
            # no unseen item, goes with the first), written with the snapshot that says so.
            in_chunk = set(chunk)
            caused = {
                cause_id: change
                for cause_id, change in change_by_article.items()
                if cause_id in in_chunk or (first and cause_id not in unseen)
            }
            # The first write also keeps what places new to the snapshot were before this
            # scan (with no version, so they are worked out again): redone after a crash,
            # the scan compares with that, not with a state half of its items made.
            chunk_statuses: dict[str, tuple[str, int | None]] = (
                {key: (before, None) for key, before in befores.items()} if first else {}
            )
            chunk_statuses.update(
                statuses if last else {c[0].key: statuses[c[0].key] for c in caused.values()}
            )
            articles: list[Article] = []
            if subscriptions:  # with none, there is nothing to decide: the items are just seen
                articles = sorted(
                    (await self.store.get_articles(chunk)).values(), key=_chronological
                )
            rows: list[NewOutboxRow] = []
            for subscription in subscriptions:
                rows.extend(
                    await self._rows_for(
                        subscription,
                        articles,
                        unseen,
                        change_by_article,
                        caused,
                        paused,
                        thresholds.get(subscription.guild_id, DEFAULT_CONFIDENCE_THRESHOLD),
                    )
                )
            queued += sum(1 for row in rows if row.state == QUEUED)
            await self.store.record_alert_scan(
                chunk,
                rows,
                chunk_statuses,
                revision if last else None,
                scanned_upto=max(unseen.values()) if last and unseen else None,
            )
        if unseen:
            log.info(
                "alerts: matched %d new item(s) against %d subscription(s), %d post(s) queued",
                len(unseen),
                len(subscriptions),
                queued,
            )
        return queued

    async def _status_changes(
        self, new_ids: set[str], *, revised: bool = False
    ) -> tuple[
        list[tuple[Jurisdiction, str, str, Event]],
        dict[str, tuple[str, int]],
        dict[str, str],
    ]:
        """Places whose status changed (by new items, or by ``revised`` moderator changes such
        as a correction); the status now, with its version, of every place whose events
        changed since the last scan (the others' statuses cannot have moved); and the status
        before these items of each such place the last scan did not know."""
        known = {j.key: j for j in await self.store.known_jurisdictions()}
        snapshot = await self.store.alert_place_statuses()
        versions = await self.store.place_versions()
        moved = [
            key
            for key, version in versions.items()
            if key in known and (key not in snapshot or snapshot[key][1] != version)
        ]
        changes = []
        statuses = {}
        befores = {}
        async for key, events in self.store.events_by_place(moved):
            jurisdiction = known[key]
            after = derive_status(jurisdiction, events, in_order=True)
            statuses[key] = (after.status, versions[key])
            fresh = [e for e in after.events if e.article_id in new_ids]
            if not fresh:
                # No new item here; a moderator's change may still have moved the status.
                # A place first named by a correction had no status before: no_action.
                before = snapshot[key][0] if key in snapshot else "no_action" if snapshot else None
                if key not in snapshot:
                    befores[key] = before or after.status
                if revised and before is not None and before != after.status and after.events:
                    cause = after.basis[-1] if after.basis else after.events[-1]
                    changes.append((jurisdiction, before, after.status, cause))
                continue
            before = snapshot[key][0] if key in snapshot else None
            if before is None:
                old = [e for e in events if e.article_id not in new_ids]
                before = befores[key] = derive_status(jurisdiction, old, in_order=True).status
            if before != after.status:
                cause = (after.basis[-1] if after.basis else None) or fresh[-1]
                if cause.article_id not in new_ids:
                    cause = fresh[-1]
                changes.append((jurisdiction, before, after.status, cause))
        return changes, statuses, befores

    async def _rows_for(
        self,
        subscription: Subscription,
        articles: list[Article],
        added_at: dict[str, int],
        changes: dict[str, tuple[Jurisdiction, str, str, Event]],
        status_changes: dict[str, tuple[Jurisdiction, str, str, Event]],
        paused: set[str],
        threshold: float = DEFAULT_CONFIDENCE_THRESHOLD,
    ) -> list[NewOutboxRow]:
        """Rows for ``articles`` (each with its status change, if it caused one, told in its
        message) and, for a status subscription, one for each of ``status_changes``.

        An item the subscription's review mode holds waits in the outbox, with its message,
        until a moderator's review posts it or drops it (:meth:`reviewed`).
        """
        rows: list[NewOutboxRow] = []
        bundled = {article.id for article in articles if article.origin == "bundled"}
        # Items read automatically and less sure than the server's threshold: a status change
        # they cause is told as unconfirmed.
        unsure = {
            article.id for article in articles if review_state(article).unconfirmed(threshold)
        }
        if subscription.removed_at:
            return rows
        earlier: list[tuple[NewOutboxRow | OutboxEntry, AlertMessage]] = []
        if subscription.mode in ("item", "digest"):
            earlier = [
                (entry, entry.payload)
                for entry in await self.store.recent_item_entries(subscription.id)
                if entry.payload is not None
            ]
        for article in articles:
            state, detail = self._decide(subscription, article, added_at, paused)
            if state == QUEUED and subscription.mode == "status":
                state, detail = FILTERED, "this subscription takes status changes only"
            message = None
            hold = _held(subscription, article, threshold) if state == QUEUED else None
            if hold is not None:
                change = changes.get(article.id)
                change_text = f"{change[1]} -> {change[2]}" if change else None
                message = item_message(article, change_text, threshold=threshold)
                state, detail = REVIEW, hold
            elif state in (QUEUED, PAUSED):
                # Only what may be posted gets a message (summarising the article): a first
                # scan of a big corpus records most items as before the subscription.
                change = changes.get(article.id)
                change_text = f"{change[1]} -> {change[2]}" if change else None
                message = item_message(article, change_text, threshold=threshold)
                original = next((e for e in earlier if same_event(e[1], message)), None)
                if original is not None:
                    state = DUPLICATE
                    detail = f"folded into the post of {original[1].title[:80]!r}"
                    provider = message.provider or message.url or article.id
                    if (
                        provider not in original[1].also_covered
                        and provider != original[1].provider
                    ):
                        original[1].also_covered.append(provider)
                        if isinstance(original[0], OutboxEntry):
                            await self.store.fold_into(original[0].id, original[1])
            if state == QUEUED and subscription.mode == "digest":
                state, detail = (
                    HELD,
                    f"for the digest at {subscription.digest_hour or 0:02d}:00 UTC",
                )
            row = NewOutboxRow(
                subscription_id=subscription.id,
                kind="item",
                subject=article.id,
                article_id=article.id,
                state=state,
                detail=detail,
                payload=message if state in (QUEUED, HELD, PAUSED, REVIEW) else None,
            )
            rows.append(row)
            if message is not None and state in (QUEUED, HELD, PAUSED):
                earlier.append((row, message))
        for jurisdiction, before, after, cause in status_changes.values():
            if subscription.mode != "status":
                continue
            state, detail = QUEUED, ""
            miss = place_miss(subscription, jurisdiction)
            if miss:
                state, detail = FILTERED, miss
            elif (
                # A change caused by a moderator's correction happens now, whatever the age
                # of the article it rests on; one caused by a new item is as old as the item.
                cause.article_id in added_at
                and added_at[cause.article_id] <= subscription.last_article_rowid
            ):
                state, detail = BEFORE_SUBSCRIPTION, "the change came before this subscription"
            elif cause.article_id in bundled:
                state, detail = BEFORE_SUBSCRIPTION, BUNDLED_DETAIL
            elif subscription.broken_at:
                state, detail = FAILED, f"subscription broken: {subscription.broken_reason}"
            elif subscription.guild_id in paused:
                state, detail = PAUSED, "alerts are paused in this server"
            rows.append(
                NewOutboxRow(
                    subscription_id=subscription.id,
                    kind="status",
                    subject=f"{jurisdiction.key}|{before}|{after}|{cause.article_id}",
                    article_id=cause.article_id,
                    state=state,
                    detail=detail,
                    payload=status_message(
                        jurisdiction,
                        before,
                        after,
                        cause,
                        unconfirmed=cause.article_id in unsure,
                    ),
                )
            )
        return rows

    @staticmethod
    def _decide(
        subscription: Subscription, article: Article, added_at: dict[str, int], paused: set[str]
    ) -> tuple[str, str]:
        miss = filter_miss(subscription, article)
        if miss:
            return FILTERED, miss
        if added_at.get(article.id, 0) <= subscription.last_article_rowid:
            return BEFORE_SUBSCRIPTION, f"item was in the corpus before {subscription.created_at}"
        if article.origin == "bundled":
            # Years-old news loaded with banwatch is no alert, whenever it is first loaded.
            return BEFORE_SUBSCRIPTION, BUNDLED_DETAIL
        if subscription.broken_at:
            return FAILED, f"subscription broken: {subscription.broken_reason}"
        if subscription.guild_id in paused:
            return PAUSED, "alerts are paused in this server"
        return QUEUED, ""


def _held(subscription: Subscription, article: Article, threshold: float) -> str | None:
    """Why the subscription's review mode holds the item (None: it does not)."""
    state = review_state(article)
    if subscription.review == "confirmed" and not state.confirmed:
        return "this subscription posts reviewed items only"
    if subscription.review == "hold" and state.unconfirmed(threshold):
        return (
            f"the automatic reading is {state.confidence or 0:.0%} sure, under this server's"
            f" threshold of {threshold:.0%}"
        )
    return None


def _chronological(article: Article) -> tuple[dt.datetime, str]:
    return (article.published_at or dt.datetime.min.replace(tzinfo=dt.UTC), article.id)


def subscription_line(subscription: Subscription) -> str:
    """ "#3 → #news: state MA · one post per item" plus broken or role notes."""
    line = (
        f"#{subscription.id} → {subscription.channel_id} ({subscription.channel_kind}):"
        f" {subscription.describe_filters()} · {subscription.describe_mode()}"
        f" · {subscription.describe_review()}"
    )
    if subscription.role_id:
        line += f" · mentions role {subscription.role_id}"
    if subscription.broken_at:
        line += f"\n   BROKEN since {subscription.broken_at[:16]}: {subscription.broken_reason}"
    return line
