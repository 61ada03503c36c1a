"""Delivering alerts on Discord: the embed, the poster the outbox sender drives, forum reads.

Only discord.py's public API: ``PartialMessageable.send(nonce=...)`` (discord.py sets
``enforce_nonce`` with a nonce), ``ForumChannel.create_thread``, ``PartialMessage.edit``,
``Guild.active_threads`` and ``ForumChannel.archived_threads``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import discord

from bot.alerts.forum import find_forum_post, forum_marker
from bot.alerts.models import AlertMessage, OutboxEntry
from bot.alerts.sender import DeliveryBroken, DeliveryRejected, DeliveryRetry
from bot.alerts.service import UNCONFIRMED_TEXT, WITHDRAWN_TEXT
from bot.discord.embeds import STATUS_COLOURS, SafeEmbed, clip, escape
from bot.discord.permissions import Need
from bot.discord.replies import NO_MENTIONS
from bot.taxonomy import ACTION_LABELS

_ALL_KINDS = ("text", "announcement", "forum")
# What posting alerts uses, and in which kinds of channel it is needed: `banwatch invite` asks
# for these, `banwatch doctor` and the recheck of broken subscriptions (``reachable``) check them.
# A forum alert is a new post (POST /channels/{forum}/threads), which needs Send Messages
# ("Create Posts"); nothing is written inside existing threads, so neither Create Public
# Threads nor Send Messages in Threads is asked for.
PERMISSIONS = (
    Need("view_channel", "see the channels alerts are posted in", _ALL_KINDS),
    Need(
        "send_messages",
        "post alerts; in a forum this is Create Posts (each alert opens a post)",
        _ALL_KINDS,
    ),
    Need("embed_links", "alerts are embeds (linked headline, place, action, date)", _ALL_KINDS),
    Need(
        "read_message_history",
        "after an unconfirmed forum post, find the post it made instead of posting twice",
        ("forum",),
    ),
    Need(
        "mention_everyone",
        "ping the role a subscription names when that role is not mentionable by everyone"
        " (only that role: never @everyone or @here)",
        ("role",),
    ),
)


def alert_embed(message: AlertMessage) -> discord.Embed:
    """An alert as a safe embed: linked headline, provider and date, place and action badge."""
    if message.kind == "digest":
        embed = SafeEmbed(escape(message.title), "\n".join(escape(x) for x in message.lines))
        return embed.build()
    after = (message.status_change or "").rpartition(" -> ")[2]
    embed = SafeEmbed(
        escape(message.title),
        escape(message.description),
        url=message.url,
        colour=STATUS_COLOURS.get(after),
    )
    meta = " · ".join(escape(part) for part in (message.provider, message.date) if part)
    if message.place:
        label = ACTION_LABELS.get(message.action or "", message.action or "")
        embed.field(escape(message.place), f"`{label}`" + (f" · {meta}" if meta else ""))
    if message.status_change and message.kind == "item":
        embed.field("Status now", escape(message.status_change))
    if message.also_covered:
        embed.field("Also covered by", escape(", ".join(message.also_covered)))
    if message.withdrawn:
        embed.field("Withdrawn", WITHDRAWN_TEXT.removeprefix("Withdrawn: "))
    elif message.unconfirmed:
        embed.field("⚠️ Unconfirmed", UNCONFIRMED_TEXT.removeprefix("Unconfirmed: "))
    return embed.build()


def _post_embed(entry: OutboxEntry, message: AlertMessage) -> discord.Embed:
    """The alert's embed; a forum post's footer carries the row's marker (see bot.alerts.forum)."""
    embed = alert_embed(message)
    if entry.channel_kind == "forum":
        embed.set_footer(text=forum_marker(entry.nonce))
    return embed


def _rate_limited(exc: discord.HTTPException) -> DeliveryRetry:
    """A 429 discord.py gave up on (it retries a few itself): the channel's own, unless global.

    Discord's headers say which, and for how long (``Reset-After`` in ms, else ``Retry-After``
    in whole seconds).
    """
    headers = exc.response.headers
    is_global = headers.get("X-RateLimit-Global", "").lower() == "true"
    wait = headers.get("X-RateLimit-Reset-After") or headers.get("Retry-After") or "1"
    try:
        retry_after = float(wait)
    except ValueError:
        retry_after = 1.0
    scope = "global" if is_global else "channel"
    return DeliveryRetry(f"rate limited ({scope})", retry_after=retry_after, is_global=is_global)


def _failure(exc: Exception) -> Exception:
    """A discord.py/aiohttp failure as the sender's DeliveryRetry or DeliveryBroken."""
    if isinstance(exc, discord.RateLimited):
        # Raised before any request, for a route whose wait is over max_ratelimit_timeout.
        return DeliveryRetry("rate limited (channel)", retry_after=exc.retry_after)
    if isinstance(exc, (discord.Forbidden, discord.NotFound)):
        return DeliveryBroken(f"{exc.status} {exc.text or 'refused'}")
    if isinstance(exc, discord.DiscordServerError):
        return DeliveryRetry(f"Discord error {exc.status}")
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429:
            return _rate_limited(exc)
        # Any other 4xx refuses this one request (its content, say), not the channel.
        return DeliveryRejected(f"{exc.status} {exc.text or 'rejected'}")
    return DeliveryRetry(f"network error: {exc}")


_FAILURES = (discord.RateLimited, discord.HTTPException, TimeoutError, OSError, aiohttp.ClientError)


async def _forum(client: discord.Client, forum_id: int) -> discord.ForumChannel:
    """The forum channel, from the cache or else asked of Discord."""
    channel = client.get_channel(forum_id) or await client.fetch_channel(forum_id)
    if not isinstance(channel, discord.ForumChannel):
        raise DeliveryBroken(f"channel {forum_id} is not a forum")
    return channel


def _thread_data(thread: discord.Thread) -> dict[str, Any]:
    """The fields of a thread :func:`bot.alerts.forum.find_forum_post` reads."""
    metadata: dict[str, Any] = {"archive_timestamp": thread.archive_timestamp.isoformat()}
    if thread.created_at is not None:
        metadata["create_timestamp"] = thread.created_at.isoformat()
    return {
        "id": str(thread.id),
        "parent_id": str(thread.parent_id),
        "owner_id": str(thread.owner_id),
        "name": thread.name,
        "thread_metadata": metadata,
    }


class _ForumReads:
    """The Discord reads :func:`bot.alerts.forum.find_forum_post` needs, via discord.py."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def active_threads(self, guild_id: str) -> list[dict[str, Any]]:
        guild = self.client.get_guild(int(guild_id)) or await self.client.fetch_guild(int(guild_id))
        return [_thread_data(thread) for thread in await guild.active_threads()]

    async def archived_threads(
        self, forum_id: str, before: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], bool]:
        forum = await _forum(self.client, int(forum_id))
        # One page: discord.py asks for up to ``limit`` threads in one request.
        threads = [
            _thread_data(thread)
            async for thread in forum.archived_threads(
                limit=limit, before=dt.datetime.fromisoformat(before) if before else None
            )
        ]
        return threads, len(threads) >= limit

    async def starter_message(self, thread_id: str) -> dict[str, Any] | None:
        thread = self.client.get_partial_messageable(int(thread_id))
        try:
            message = await thread.fetch_message(int(thread_id))
        except discord.NotFound:
            return None  # the starter message (or the thread) was deleted: not our post
        return {"id": str(message.id), "embeds": [embed.to_dict() for embed in message.embeds]}


class DiscordPoster:
    """Posts alerts with a nonce (discord.py adds ``enforce_nonce``); maps HTTP failures for
    the sender.

    Forum threads have no nonce: their first message's footer carries the outbox row's marker
    and :meth:`find_post` looks for it before the sender creates a thread again.
    """

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def post(self, entry: OutboxEntry, message: AlertMessage) -> str:
        """Send one alert (a thread in a forum channel) and return the message id."""
        role = [discord.Object(int(entry.role_id))] if entry.role_id else False
        mentions = discord.AllowedMentions(
            everyone=False, users=False, roles=role, replied_user=False
        )
        content = f"<@&{int(entry.role_id)}>" if entry.role_id else None
        embed = _post_embed(entry, message)
        channel_id = int(entry.channel_id)
        try:
            if entry.channel_kind == "forum":
                # No nonce for forum posts: the sender's find_post stands in for it.
                forum = await _forum(self.client, channel_id)
                created = await forum.create_thread(
                    name=clip(message.title, 100),
                    auto_archive_duration=1440,
                    content=content,
                    embed=embed,
                    allowed_mentions=mentions,
                )
                return str(created.message.id)
            channel = self.client.get_partial_messageable(channel_id)
            sent = await channel.send(
                content=content, embed=embed, allowed_mentions=mentions, nonce=entry.nonce
            )
            return str(sent.id)
        except _FAILURES as exc:
            raise _failure(exc) from exc

    async def find_post(
        self, entry: OutboxEntry, pace: Callable[[], Awaitable[None]]
    ) -> str | None:
        """The thread an unconfirmed attempt created for this forum row, if Discord has it."""
        if entry.channel_kind != "forum" or entry.payload is None or self.client.user is None:
            return None
        try:
            return await find_forum_post(
                _ForumReads(self.client),
                guild_id=entry.guild_id,
                forum_id=entry.channel_id,
                owner_id=str(self.client.user.id),
                name=clip(entry.payload.title, 100),
                nonce=entry.nonce,
                attempted_at=entry.attempted_at or entry.created_at,
                pace=pace,
            )
        except _FAILURES as exc:
            raise _failure(exc) from exc

    async def edit(self, entry: OutboxEntry, message: AlertMessage) -> None:
        """Show the grown "also covered by" on a post already sent."""
        channel_id = int(entry.message_id if entry.channel_kind == "forum" else entry.channel_id)
        channel = self.client.get_partial_messageable(channel_id)
        try:
            await channel.get_partial_message(int(entry.message_id or 0)).edit(
                embed=_post_embed(entry, message), allowed_mentions=NO_MENTIONS
            )
        except _FAILURES as exc:
            raise _failure(exc) from exc

    async def reachable(self, channel_id: str) -> bool:
        """Whether Discord shows the bot the channel and, where it can tell, lets it post."""
        try:
            channel = await self.client.fetch_channel(int(channel_id))
        except (discord.Forbidden, discord.NotFound):
            return False
        except _FAILURES:
            return False  # not known to work: the next check tries again
        guild = getattr(channel, "guild", None)
        me = guild.me if guild is not None else None
        if me is None or not isinstance(channel, discord.abc.GuildChannel):
            return True
        permissions = channel.permissions_for(me)
        kind = "forum" if isinstance(channel, discord.ForumChannel) else "text"
        return all(
            getattr(permissions, need.permission) for need in PERMISSIONS if kind in need.checked_in
        )
