"""Drains the alerts outbox through a transport-agnostic poster, paced, retried and recorded."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bot.alerts.models import FAILED, PAUSED, AlertMessage, OutboxEntry, Subscription
from bot.taxonomy import ACTION_LABELS

if TYPE_CHECKING:
    from bot.store import Store

log = logging.getLogger(__name__)

# Discord allows 50 requests/s per bot. The sender's own requests (posts, forum threads and
# edits alike) stay at 48/s, leaving ~2/s for the bot's other REST calls; interaction
# replies don't count (Discord exempts them from the global limit). BANWATCH_ALERTS_RATE.
DEFAULT_RATE = 48.0
# Tokens the bucket may save up: 1 means evenly spaced, so no one-second window ever sees
# more than ``rate + 1`` requests from the sender, however late the event loop runs.
DEFAULT_BURST = 1
MAX_ATTEMPTS = 12
# Channels served at once, each by a lane posting its rows in order. Discord also limits each
# channel (5 posts per 5 s): discord.py reads the bucket headers and makes a busy channel's
# next post wait on its route, and only that channel's lane waits with it. 64 lanes are more
# than the global rate serves in a second, so waiting lanes never starve the others.
DEFAULT_CONCURRENCY = 64
# Rows a lane takes at a time before asking for more of its channel: a busy channel's backlog
# never fills a batch ahead of other channels.
ROWS_PER_CHANNEL = 5
# While lanes run, how often the sender looks for due rows of channels it isn't serving yet
# (it also looks whenever a quarter of the lanes are free).
REFILL_SECONDS = 0.5


class DeliveryRetry(Exception):
    """The post may succeed later: rate limited (``retry_after`` known), 5xx or network.

    A rate limit is the channel's own (its route's bucket) unless ``is_global``: then every
    request waits, else only that channel's.
    """

    def __init__(
        self, reason: str, retry_after: float | None = None, *, is_global: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.is_global = is_global


class DeliveryRejected(Exception):
    """Discord refused this one post (a 4xx other than 403/404/429): fail it, not the channel."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DeliveryBroken(Exception):
    """The channel is gone or the bot may not post there (404/403): stop trying."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Poster(Protocol):
    """Sends one alert somewhere; raises DeliveryRetry or DeliveryBroken on failure."""

    async def post(self, entry: OutboxEntry, message: AlertMessage) -> str:
        """Post ``message`` for ``entry`` (using ``entry.nonce``) and return the message id."""
        ...

    async def edit(self, entry: OutboxEntry, message: AlertMessage) -> None:
        """Replace the content of the post ``entry.message_id``."""
        ...

    async def find_post(
        self, entry: OutboxEntry, pace: Callable[[], Awaitable[None]]
    ) -> str | None:
        """The message id of a post an unconfirmed attempt made for ``entry``, if any.

        Asked only for forum rows (a thread has no nonce); ``pace`` before each request.
        """
        ...

    async def reachable(self, channel_id: str) -> bool:
        """Whether alerts could be posted in the channel now (it exists, the bot may post)."""
        ...


def channel_mention(channel_id: str) -> str:
    """``<#123>`` for a Discord channel id (Discord shows its name), ``#news`` otherwise."""
    return f"<#{channel_id}>" if channel_id.isdigit() else f"#{channel_id}"


async def notify_moderators(
    store: Store, subscription: Subscription, event: str, text: str
) -> bool:
    """Queue a notice for a subscription's moderators, once per ``event`` of each time it
    broke: posted in the server's log channel (``/config log-channel``), else in the channel
    where the subscription was made (:mod:`bot.log_notices`). False if already queued."""
    return await store.queue_log_notice(
        subscription.guild_id,
        f"alerts:{subscription.id}:{subscription.broken_at}:{event}",
        text,
        fallback_channel_id=subscription.created_in,
    )


class Pacer:
    """A token bucket: ``rate`` requests per second, at most ``burst`` at once after a pause.

    Kept as the time the next request is due at the steady rate (the generic cell rate
    algorithm), so a late wake-up does not lower the rate. Requests are released one at a
    time under a lock, so a stalled event loop never lets a backlog out at once: any one-second
    window sees about ``rate + burst`` requests at most.
    """

    def __init__(
        self,
        rate: float = DEFAULT_RATE,
        burst: int = DEFAULT_BURST,
        *,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("the pacer needs a positive rate and a burst of at least 1")
        self.rate = rate
        self.burst = burst
        # The event loop's clock by default; tests pass a fake one to check the schedule exactly.
        self._clock = clock
        self._sleep = sleep
        self._due = 0.0
        self._held_until = 0.0
        self._lock = asyncio.Lock()

    @property
    def interval(self) -> float:
        """Seconds between two requests at the steady rate."""
        return 1.0 / self.rate

    async def wait(self) -> None:
        """Return when the next request may go out (and count it)."""
        async with self._lock:
            now = self._now()
            earliest = max(self._due - (self.burst - 1) * self.interval, self._held_until)
            slot = max(now, earliest)
            self._due = max(self._due, slot) + self.interval
            if slot > now:
                await self._sleep(slot - now)

    def _now(self) -> float:
        return self._clock() if self._clock else asyncio.get_running_loop().time()

    def hold(self, seconds: float) -> None:
        """Push every later request back (after a global rate limit)."""
        now = self._now()
        self._held_until = max(self._held_until, now + seconds)
        self._due = max(self._due, self._held_until)


@dataclass(slots=True)
class DrainResult:
    """What one pass of the sender did."""

    delivered: int = 0
    retried: int = 0
    failed: int = 0
    paused: int = 0
    edited: int = 0
    digests: int = 0


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def backoff_seconds(attempts: int, base: float) -> float:
    """1, 2, 4, ... times ``base``, at most five minutes."""
    return min(300.0, base * 2 ** max(0, attempts - 1))


def digest_message(day: dt.date, entries: list[OutboxEntry]) -> AlertMessage:
    """One daily digest from the held items."""
    lines = []
    for entry in entries:
        item = entry.payload
        if item is None:
            continue
        label = ACTION_LABELS.get(item.action or "", item.action or "")
        where = f"{item.place}: " if item.place else ""
        link = f" <{item.url}>" if item.url else ""
        lines.append(f"• {where}{label} — {item.title}{link}"[:400])
    return AlertMessage(
        kind="digest",
        title=f"Facial-recognition policy digest, {day.isoformat()} ({len(lines)} items)",
        lines=lines[:25],
    )


class Sender:
    """Takes due outbox rows, posts them through ``poster`` and records each outcome.

    A row's delivery is recorded in the same step as the poster confirms it; a crash between
    the two leaves it queued, and the resend carries the same nonce so Discord (with
    ``enforce_nonce``) returns the first message instead of posting again. A forum thread has
    no nonce: the row records when an attempt first went out (``attempted_at``) before the
    request, and a later attempt first asks the poster for the thread that one may have made.

    Each channel is served by a lane of its own, in row order, up to ``concurrency`` channels
    at once, all paced together at ``rate``: a channel that waits (on its Discord bucket,
    or after its own 429) holds back only itself. A row that must be retried ends its
    channel's turn for the pass, so the channel's later rows never overtake it. With
    ``pass_seconds``, a pass starts no new post after that long, so the caller's loop comes
    round (and finds new items) even while a busy channel works through a backlog.
    """

    def __init__(
        self,
        store: Store,
        poster: Poster,
        *,
        rate: float = DEFAULT_RATE,
        burst: int = DEFAULT_BURST,
        concurrency: int = DEFAULT_CONCURRENCY,
        backoff_base: float = 1.0,
        pass_seconds: float | None = None,
        only_guild: str | None = None,
        except_guild: str | None = None,
        on_broken: Callable[[OutboxEntry, str], Awaitable[None]] | None = None,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.store = store
        self.poster = poster
        self.pacer = Pacer(rate, burst)
        self.concurrency = concurrency
        self.backoff_base = backoff_base
        self.pass_seconds = pass_seconds
        self.only_guild = only_guild
        self.except_guild = except_guild
        self.on_broken = on_broken
        self.clock = clock
        # Channels rate limited on their own route, and when they may post again.
        self._held_channels: dict[str, dt.datetime] = {}
        # Edits that failed and may succeed later: outbox id -> (attempts, not before). Kept
        # in memory: a restart only retries an edit sooner.
        self._edit_backoff: dict[int, tuple[int, dt.datetime]] = {}

    async def run_once(self) -> DrainResult:
        """Queue due digests, deliver every due row, apply pending edits."""
        result = DrainResult()
        result.digests = await self.queue_digests()
        await _Pass(self, result).run()
        for entry in await self.store.pending_edits():
            if not self._mine(entry) or entry.payload is None:
                continue
            attempts, not_before = self._edit_backoff.get(entry.id, (0, None))
            if not_before is not None and self.clock() < not_before:
                continue
            await self.pacer.wait()
            try:
                await self.poster.edit(entry, entry.payload)
            except DeliveryRetry as exc:
                # The same capped back-off as a post: 1, 2, 4 ... s, at most MAX_ATTEMPTS.
                attempts += 1
                if attempts < MAX_ATTEMPTS:
                    delay = exc.retry_after
                    if delay is None:
                        delay = backoff_seconds(attempts, self.backoff_base)
                    else:
                        self.pacer.hold(delay)
                    when = self.clock() + dt.timedelta(seconds=delay)
                    self._edit_backoff[entry.id] = (attempts, when)
                    continue
                log.info(
                    "alerts: gave up editing post %s after %d attempts: %s",
                    entry.message_id,
                    attempts,
                    exc.reason,
                )
            except (DeliveryBroken, DeliveryRejected) as exc:
                log.info("alerts: can't edit post %s: %s", entry.message_id, exc.reason)
            self._edit_backoff.pop(entry.id, None)
            await self.store.mark_edited(entry.id)
            result.edited += 1
        return result

    def _mine(self, entry: OutboxEntry) -> bool:
        if self.only_guild is not None and entry.guild_id != self.only_guild:
            return False
        return not (self.except_guild is not None and entry.guild_id == self.except_guild)

    def _held(self) -> list[str]:
        """Channels still waiting out their own rate limit."""
        now = self.clock()
        for channel_id, until in list(self._held_channels.items()):
            if until <= now:
                del self._held_channels[channel_id]
        return list(self._held_channels)

    async def _deliver(
        self, entry: OutboxEntry, result: DrainResult, paused: set[str], broken: set[int]
    ) -> bool:
        """Deliver one row; False when it must be retried (its channel waits)."""
        if entry.guild_id in paused:
            await self.store.mark_outbox_state(entry.id, PAUSED, "alerts are paused in this server")
            result.paused += 1
            return True
        if entry.subscription_id in broken or entry.payload is None:
            await self.store.mark_outbox_state(entry.id, FAILED, "subscription broken")
            result.failed += 1
            return True
        # Recorded before any request: a crash from here on leaves ``attempted_at`` behind.
        await self.store.start_delivery_attempt(entry.id)
        try:
            message_id = None
            if entry.channel_kind == "forum" and entry.unconfirmed:
                message_id = await self.poster.find_post(entry, self.pacer.wait)
                if message_id is not None:
                    log.info(
                        "alerts: post %d was already in the forum (thread %s)", entry.id, message_id
                    )
            if message_id is None:
                # Paced right before the request, so a slow database write can't bunch them up.
                await self.pacer.wait()
                message_id = await self.poster.post(entry, entry.payload)
        except DeliveryRetry as exc:
            attempts = entry.attempts + 1
            if attempts >= MAX_ATTEMPTS:
                await self.store.mark_outbox_state(
                    entry.id, FAILED, f"gave up after {attempts} attempts: {exc.reason}"
                )
                result.failed += 1
                return True
            delay = exc.retry_after
            if delay is None:
                delay = backoff_seconds(attempts, self.backoff_base)
            when = self.clock() + dt.timedelta(seconds=delay)
            if exc.retry_after is not None and exc.is_global:
                self.pacer.hold(delay)
            elif exc.retry_after is not None:
                # The channel's own limit: only this channel waits, the others go on.
                self._held_channels[entry.channel_id] = when
            await self.store.mark_retry(
                entry.id, f"{exc.reason}; retry {attempts + 1} queued", _iso(when)
            )
            log.info("alerts: post %d will be retried in %.1fs: %s", entry.id, delay, exc.reason)
            result.retried += 1
            return False
        except DeliveryRejected as exc:
            # This post only (a 400 for its content, say): the next one may well go.
            await self.store.mark_outbox_state(entry.id, FAILED, exc.reason)
            log.info("alerts: post %d was refused: %s", entry.id, exc.reason)
            result.failed += 1
        except DeliveryBroken as exc:
            broken.add(entry.subscription_id)
            await self.store.mark_outbox_state(entry.id, FAILED, exc.reason)
            result.failed += 1
            if await self.store.mark_subscription_broken(entry.subscription_id, exc.reason):
                log.warning(
                    "alerts: subscription %d in guild %s is broken: %s",
                    entry.subscription_id,
                    entry.guild_id,
                    exc.reason,
                )
                await self.store.record_audit(
                    actor_id="banwatch",
                    action="alerts.subscription_broken",
                    target=f"subscription {entry.subscription_id}",
                    detail={"channel": entry.channel_id, "reason": exc.reason},
                    guild_id=entry.guild_id,
                )
                subscription = await self.store.subscription(entry.subscription_id)
                if subscription is not None:
                    await notify_moderators(
                        self.store,
                        subscription,
                        "broken",
                        f"Alerts to {channel_mention(entry.channel_id)} (subscription"
                        f" #{subscription.id}) stopped: {exc.reason}. banwatch checks the"
                        " channel every hour and resumes by itself once it can post there;"
                        " `/alerts check` checks now.",
                    )
                if self.on_broken is not None:
                    await self.on_broken(entry, exc.reason)
        else:
            await self.store.mark_delivered(entry.id, message_id)
            result.delivered += 1
        return True

    async def queue_digests(self) -> int:
        """Queue today's digest for every digest subscription whose hour has come."""
        now = self.clock()
        queued = 0
        # Read every pass: only the digest subscriptions, not all of them.
        for subscription in await self.store.subscriptions(mode="digest"):
            if subscription.mode != "digest" or not subscription.active:
                continue
            if now.hour < (subscription.digest_hour or 0):
                continue
            held = await self.store.held_entries(subscription.id)
            if not held:
                continue
            message = digest_message(now.date(), held)
            if await self.store.create_digest(
                subscription.id, now.date(), message, [e.id for e in held]
            ):
                queued += 1
        return queued


class _Pass:
    """One pass of the sender over the due rows: a lane per channel, refilled as lanes end."""

    def __init__(self, sender: Sender, result: DrainResult) -> None:
        self.sender = sender
        self.result = result
        self.loop = asyncio.get_running_loop()
        self.stop_at = (
            None if sender.pass_seconds is None else self.loop.time() + sender.pass_seconds
        )
        self.lanes: dict[str, asyncio.Task[None]] = {}
        # Channels whose turn ended in this pass (a row to retry): not served again in it.
        self.rested: set[str] = set()
        self.paused: set[str] = set()
        self.broken: set[int] = set()

    def over(self) -> bool:
        """Whether the pass may start no new post."""
        return self.stop_at is not None and self.loop.time() >= self.stop_at

    async def due(self, **options: object) -> list[OutboxEntry]:
        sender = self.sender
        return await sender.store.due_outbox(
            _iso(sender.clock()),
            only_guild=sender.only_guild,
            except_guild=sender.except_guild,
            **options,  # type: ignore[arg-type]
        )

    async def run(self) -> None:
        self.paused = await self.sender.store.paused_guilds()
        try:
            await self._serve()
        finally:
            for lane in self.lanes.values():
                lane.cancel()
            await asyncio.gather(*self.lanes.values(), return_exceptions=True)

    async def _serve(self) -> None:
        concurrency = self.sender.concurrency
        refill_when_free = max(1, concurrency // 4)
        last_refill = -float("inf")
        while True:
            now = self.loop.time()
            free = concurrency - len(self.lanes)
            if not self.over() and free > 0 and (
                free >= refill_when_free
                or not self.lanes
                or now - last_refill >= REFILL_SECONDS
            ):
                last_refill = now
                await self._refill(free)
            if not self.lanes:
                return
            done, _ = await asyncio.wait(
                self.lanes.values(),
                timeout=REFILL_SECONDS,
                return_when=asyncio.FIRST_COMPLETED,
            )
            for channel_id, lane in list(self.lanes.items()):
                if lane in done:
                    del self.lanes[channel_id]
                    lane.result()  # a lane's failure ends the pass (the rest are cancelled)

    async def _refill(self, free: int) -> None:
        """Start lanes for due rows of channels not served, rested or held."""
        skip = [*self.lanes, *self.rested, *self.sender._held()]
        # At most ``free`` rows: every row read is served (reading a row costs as much as
        # posting it takes of the pace), and a channel that has more asks for them itself.
        due = await self.due(limit=free, per_channel=ROWS_PER_CHANNEL, except_channels=skip)
        by_channel: dict[str, list[OutboxEntry]] = defaultdict(list)
        for entry in due:
            by_channel[entry.channel_id].append(entry)
        for channel_id, entries in by_channel.items():
            self.lanes[channel_id] = asyncio.create_task(self._lane(channel_id, entries))

    async def _lane(self, channel_id: str, entries: list[OutboxEntry]) -> None:
        """Post one channel's rows in order until none is due, one must wait, or time is up."""
        while entries:
            for entry in entries:
                if self.over():
                    return
                delivered = await self.sender._deliver(
                    entry, self.result, self.paused, self.broken
                )
                if not delivered:
                    self.rested.add(channel_id)
                    return
            if len(entries) < ROWS_PER_CHANNEL or self.over():
                return  # the channel had no more due rows when they were read
            entries = await self.due(limit=ROWS_PER_CHANNEL, channel_id=channel_id)
