"""A loopback Discord-compatible server (REST v10 + gateway) for end-to-end tests."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime
import json
import logging
import math
import re
import secrets
import time
import zlib
from collections.abc import Awaitable, Callable, Generator, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

from aiohttp import WSMsgType, web

from tests.loopback.model import (
    BOT_PERMISSIONS,
    EVERYONE_PERMISSIONS,
    Channel,
    ChannelType,
    Guild,
    Member,
    Overwrite,
    OverwriteType,
    Permission,
    Role,
    Upload,
    User,
    iso_now,
    new_snowflake,
)
from tests.loopback.validation import (
    autocomplete_errors,
    is_empty_message,
    message_errors,
)

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
DEFAULT_TOKEN = "loopback-bot-token"
NONCE_WINDOW_SECONDS = 300.0
EPHEMERAL = 1 << 6
LOADING = 1 << 7
GUILD_MESSAGES_INTENT = 1 << 9
DEFAULT_WAIT_SECONDS = 5.0

T = TypeVar("T")
RECORD = web.RequestKey("record", "RecordedRequest")

# Interaction types (payload "type") and callback types, as numbered by Discord.
APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
AUTOCOMPLETE = 4
MODAL_SUBMIT = 5
CALLBACK_MESSAGE = 4
CALLBACK_DEFERRED_MESSAGE = 5
CALLBACK_DEFERRED_UPDATE = 6
CALLBACK_UPDATE_MESSAGE = 7
CALLBACK_AUTOCOMPLETE = 8
CALLBACK_MODAL = 9

OPTION_TYPES = {str: 3, int: 4, bool: 5, float: 10}


class DiscordError(Exception):
    """A Discord-shaped error answer raised inside a route handler."""

    def __init__(self, status: int, code: int, message: str, errors: dict | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message, "code": code}
        if errors:
            self.body["errors"] = errors


def unknown(kind: str, code: int) -> DiscordError:
    """Discord's 404 for an id it does not know (Unknown Channel, Unknown Message, ...)."""
    return DiscordError(404, code, f"Unknown {kind}")


@dataclass
class RecordedFile:
    """A file uploaded in a multipart request."""

    field_name: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class RecordedRequest:
    """One HTTP request the server received, and the status it answered."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any = None
    files: list[RecordedFile] = field(default_factory=list)
    status: int = 0
    response: Any = None

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status}"


@dataclass
class Fault:
    """Answer the next ``remaining`` requests matching ``pattern`` with ``status`` instead."""

    pattern: re.Pattern[str]
    status: int
    remaining: int
    method: str | None = None
    retry_after: float = 0.1
    is_global: bool = False
    scope: str = "user"
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to ``method path`` (path without /api/v10)."""
        if self.remaining <= 0:
            return False
        if self.method is not None and self.method != method:
            return False
        return self.pattern.search(path) is not None


@dataclass
class ChannelBucket:
    """One channel's message-create rate limit window: opens with its first request."""

    remaining: int
    resets_at: float  # time.monotonic()


# Message creation in a channel, the route Discord limits per channel.
CHANNEL_MESSAGE_ROUTE = re.compile(r"^/channels/(\d+)/messages$")
# Discord's bucket ids are opaque hashes shared by every channel's message route; the major
# parameter (the channel id) tells the channels' windows apart.
CHANNEL_MESSAGE_BUCKET = "7f3a1c0e9d5b2a4c8e6f1d3b5a7c9e0f"


class InteractionHandle:
    """An interaction the server sent to the bot; await it for the bot's first callback."""

    def __init__(
        self,
        server: LoopbackDiscord,
        payload: dict[str, Any],
        channel_id: int,
        message_id: int | None = None,
    ) -> None:
        self.server = server
        self.payload = payload
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.channel_id = channel_id
        self.created_at = time.monotonic()
        self.callbacks: list[dict[str, Any]] = []
        self.original_message_id: int | None = message_id
        self.has_original = False
        self.followup_ids: list[int] = []
        self.rejections: list[dict[str, Any]] = []

    def __repr__(self) -> str:
        return f"<InteractionHandle id={self.id} type={self.payload['type']}>"

    @property
    def response(self) -> dict[str, Any] | None:
        """The first callback body ({"type", "data"}), or None if there is none yet."""
        return self.callbacks[0] if self.callbacks else None

    @property
    def original(self) -> dict[str, Any] | None:
        """The message the response created or updated (``@original``), if any."""
        if not self.has_original or self.original_message_id is None:
            return None
        return self.server.messages.get(self.original_message_id)

    @property
    def followups(self) -> list[dict[str, Any]]:
        """Follow-up messages sent through the interaction webhook, oldest first."""
        return [self.server.messages[m] for m in self.followup_ids if m in self.server.messages]

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        """Autocomplete choices the bot answered with (None if it has not answered)."""
        for callback in self.callbacks:
            if callback["type"] == CALLBACK_AUTOCOMPLETE:
                return callback["data"].get("choices", [])
        return None

    @property
    def modal(self) -> dict[str, Any] | None:
        """The modal the bot opened in response, if it did."""
        for callback in self.callbacks:
            if callback["type"] == CALLBACK_MODAL:
                return callback["data"]
        return None

    async def wait_response(self, timeout: float = DEFAULT_WAIT_SECONDS) -> dict[str, Any]:
        """Wait for the bot's first callback to this interaction."""
        return await self.server.wait_for(
            lambda: self.response, timeout, f"a response to interaction {self.id}"
        )

    async def wait_followups(
        self, count: int = 1, timeout: float = DEFAULT_WAIT_SECONDS
    ) -> list[dict[str, Any]]:
        """Wait until the bot has sent at least ``count`` follow-ups."""
        await self.server.wait_for(
            lambda: len(self.followup_ids) >= count, timeout, f"{count} follow-up(s) to {self.id}"
        )
        return self.followups

    async def wait_original(
        self,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = DEFAULT_WAIT_SECONDS,
    ) -> dict[str, Any]:
        """Wait until ``@original`` exists and satisfies ``predicate`` (e.g. has been edited)."""

        def ready() -> dict[str, Any] | None:
            message = self.original
            if message is None or (predicate is not None and not predicate(message)):
                return None
            return message

        return await self.server.wait_for(ready, timeout, f"the original response of {self.id}")

    async def wait_edited(self, timeout: float = DEFAULT_WAIT_SECONDS) -> dict[str, Any]:
        """Wait until ``@original`` has been edited (deferred "thinking" replaced by content)."""
        return await self.wait_original(lambda m: m.get("edited_timestamp") is not None, timeout)

    async def wait_rejection(self, timeout: float = DEFAULT_WAIT_SECONDS) -> dict[str, Any]:
        """Wait for the server to have refused a callback/follow-up for this interaction."""
        return await self.server.wait_for(
            lambda: self.rejections[0] if self.rejections else None,
            timeout,
            f"a rejected response to {self.id}",
        )

    def __await__(self) -> Generator[Any, None, dict[str, Any]]:
        return self.wait_response().__await__()


class _GatewayConnection:
    """One websocket, with an ordered writer so sync code can queue events."""

    def __init__(self, ws: web.WebSocketResponse, compress: bool) -> None:
        self.ws = ws
        self.compressor = zlib.compressobj() if compress else None
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self.session: _Session | None = None
        self.writer = asyncio.create_task(self._write_loop())

    def send(self, payload: dict[str, Any]) -> None:
        self.queue.put_nowait(payload)

    async def _write_loop(self) -> None:
        while (payload := await self.queue.get()) is not None:
            text = json.dumps(payload)
            try:
                if self.compressor is None:
                    await self.ws.send_str(text)
                else:
                    data = self.compressor.compress(text.encode())
                    data += self.compressor.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(data)
            except (ConnectionError, RuntimeError):
                return

    async def close(self, code: int) -> None:
        self.queue.put_nowait(None)
        with contextlib.suppress(Exception):
            await self.writer
        await self.ws.close(code=code)


@dataclass
class _Session:
    """A gateway session; it outlives its websocket so the bot can RESUME."""

    id: str
    intents: int
    shard: tuple[int, int]
    sequence: int = 0
    buffer: list[dict[str, Any]] = field(default_factory=list)
    connection: _GatewayConnection | None = None

    def send_event(self, name: str, data: Any) -> None:
        self.sequence += 1
        payload = {"op": 0, "t": name, "s": self.sequence, "d": data}
        self.buffer.append(payload)
        if self.connection is not None:
            self.connection.send(payload)


class LoopbackDiscord:
    """An in-process Discord look-alike on 127.0.0.1: REST v10, gateway, state and fault injection.

    Everything is recorded: ``requests`` (every HTTP request), ``unknown_requests`` (routes the
    server does not implement), ``gateway_ops`` (every op the bot sent), ``messages`` by id and
    ``channel_messages`` per channel, ``global_commands`` / ``guild_commands`` after a sync.
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_name: str = "loopback-bot",
        application_id: int | None = None,
        application_flags: int = 0,
        heartbeat_interval_ms: int = 41_250,
        heartbeat_ack_seconds: float = 0.02,
        global_rate_limit: int | None = None,
    ) -> None:
        self.token = token
        self.application_id = application_id or new_snowflake()
        self.application_flags = application_flags
        self.bot_user = User(id=self.application_id, name=bot_name, bot=True)
        self.owner = User(id=new_snowflake(), name="loopback-owner")
        self.heartbeat_interval_ms = heartbeat_interval_ms
        # Heartbeats are acked after a network's round trip, as Discord's are. discord.py
        # notes when a heartbeat went out only once its send has returned (on its heartbeat
        # thread), so an ack quicker than that reads as a whole interval late: "Can't keep
        # up, websocket is 41.3s behind", and a latency of 41 s.
        self.heartbeat_ack_seconds = heartbeat_ack_seconds

        self.guilds: dict[int, Guild] = {}
        self.deleted_channel_ids: set[int] = set()
        self.messages: dict[int, dict[str, Any]] = {}
        self.channel_messages: dict[int, list[int]] = collections.defaultdict(list)
        self.files: dict[int, bytes] = {}
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.interactions: dict[int, InteractionHandle] = {}
        self._interactions_by_token: dict[str, InteractionHandle] = {}
        self._nonces: dict[tuple[int, str], tuple[int, float]] = {}

        self.requests: list[RecordedRequest] = []
        self.unknown_requests: list[RecordedRequest] = []
        self.gateway_ops: list[dict[str, Any]] = []
        self.gateway_paths: list[str] = []
        self.faults: list[Fault] = []
        self.global_rate_limit = global_rate_limit
        self.rate_limited_count = 0
        self._request_times: collections.deque[float] = collections.deque()
        # Per-channel limits on posting messages: (limit, seconds), opt-in (set_channel_rate_limit).
        self.channel_rate_limit: tuple[int, float] | None = None
        self._channel_buckets: dict[int, ChannelBucket] = {}

        self._sessions: dict[str, _Session] = {}
        self._connections: set[_GatewayConnection] = set()
        self._changed = asyncio.Event()
        self._background: set[asyncio.Task[None]] = set()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ----- lifetime -------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on a random free port on 127.0.0.1."""
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        self._add_routes(app)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        # The runner's public list of bound addresses: (host, port) for a TCP site.
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        """Drop every websocket and stop listening."""
        for connection in list(self._connections):
            await connection.close(1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LoopbackDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """The value for ``DISCORD_API_BASE``."""
        return self.url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        """The websocket URL ``GET /gateway/bot`` hands out."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        """The websocket URL sent in READY for resumes (a distinct path, so tests can tell)."""
        return f"ws://127.0.0.1:{self.port}/gateway-resume"

    # ----- world configuration --------------------------------------------------------------

    def add_guild(
        self,
        name: str = "Loopback Guild",
        *,
        guild_id: int | None = None,
        everyone_permissions: int = EVERYONE_PERMISSIONS,
        bot_permissions: int = BOT_PERMISSIONS,
        default_channels: bool = True,
    ) -> Guild:
        """Add a guild with @everyone, the bot (with a managed role) and, by default, channels
        ``general`` (text), ``announcements`` (announcement) and ``forum`` (forum)."""
        guild_id = guild_id or new_snowflake()
        guild = Guild(id=guild_id, name=name, owner_id=self.owner.id)
        guild.roles[guild_id] = Role(
            id=guild_id, name="@everyone", permissions=everyone_permissions
        )
        bot_role = Role(
            id=new_snowflake(),
            name=self.bot_user.name,
            permissions=bot_permissions,
            position=1,
            managed=True,
            bot_id=self.bot_user.id,
        )
        guild.roles[bot_role.id] = bot_role
        guild.members[self.owner.id] = Member(user=self.owner)
        guild.members[self.bot_user.id] = Member(user=self.bot_user, role_ids=[bot_role.id])
        self.guilds[guild_id] = guild
        if default_channels:
            self.add_channel(guild, "general", ChannelType.text, notify=False)
            self.add_channel(guild, "announcements", ChannelType.announcement, notify=False)
            self.add_channel(guild, "forum", ChannelType.forum, notify=False)
        for session in self._sessions.values():
            if self._session_has_guild(session, guild_id):
                session.send_event("GUILD_CREATE", guild.to_payload())
        return guild

    @property
    def guild(self) -> Guild:
        """The first guild (the usual single-guild test setup)."""
        if not self.guilds:
            raise LookupError("no guild configured: call add_guild() first")
        return next(iter(self.guilds.values()))

    def add_channel(
        self,
        guild: Guild | None,
        name: str,
        channel_type: ChannelType = ChannelType.text,
        *,
        topic: str | None = None,
        parent_id: int | None = None,
        tags: Iterable[str] = (),
        notify: bool = True,
    ) -> Channel:
        """Add a channel to ``guild`` (default: the first guild); ``tags`` name forum tags."""
        guild = guild or self.guild
        channel = Channel(
            id=new_snowflake(),
            guild_id=guild.id,
            name=name,
            type=channel_type,
            position=len(guild.channels),
            topic=topic,
            parent_id=parent_id,
            available_tags=[
                {
                    "id": str(new_snowflake()),
                    "name": tag,
                    "moderated": False,
                    "emoji_id": None,
                    "emoji_name": None,
                }
                for tag in tags
            ],
        )
        guild.channels[channel.id] = channel
        if notify:
            self._dispatch_to_guild(guild.id, "CHANNEL_CREATE", channel.to_payload())
        return channel

    def add_role(
        self, name: str, permissions: int | Iterable[Permission] = 0, *, guild: Guild | None = None
    ) -> Role:
        """Add a role; ``permissions`` is a bit field or an iterable of ``Permission``."""
        guild = guild or self.guild
        if not isinstance(permissions, int):
            permissions = _combine(permissions)
        role = Role(
            id=new_snowflake(), name=name, permissions=permissions, position=len(guild.roles)
        )
        guild.roles[role.id] = role
        self._dispatch_to_guild(
            guild.id, "GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role.to_payload()}
        )
        return role

    def add_member(
        self,
        name: str,
        *,
        roles: Iterable[Role] = (),
        guild: Guild | None = None,
        user_id: int | None = None,
        bot: bool = False,
    ) -> Member:
        """Add a member with ``roles`` (their permissions add to @everyone's)."""
        guild = guild or self.guild
        member = Member(
            user=User(id=user_id or new_snowflake(), name=name, bot=bot),
            role_ids=[role.id for role in roles],
        )
        guild.members[member.id] = member
        payload = member.to_payload()
        payload["guild_id"] = str(guild.id)
        self._dispatch_to_guild(guild.id, "GUILD_MEMBER_ADD", payload)
        return member

    def set_overwrite(
        self,
        channel: Channel,
        target: Role | Member,
        *,
        allow: int | Iterable[Permission] = 0,
        deny: int | Iterable[Permission] = 0,
        notify: bool = True,
    ) -> Overwrite:
        """Set ``channel``'s permission overwrite for a role or member (as Edit Channel
        Permissions does), replacing any it had."""
        guild, _ = self.find_channel(channel.id)
        kind = OverwriteType.role if isinstance(target, Role) else OverwriteType.member
        overwrite = Overwrite(
            id=target.id,
            type=kind,
            allow=allow if isinstance(allow, int) else _combine(allow),
            deny=deny if isinstance(deny, int) else _combine(deny),
        )
        channel.overwrites[target.id] = overwrite
        if notify:
            self._dispatch_to_guild(guild.id, "CHANNEL_UPDATE", channel.to_payload())
        return overwrite

    def bot_role(self, guild: Guild | None = None) -> Role:
        """The bot's managed role in ``guild`` (default: the first guild)."""
        guild = guild or self.guild
        return next(role for role in guild.roles.values() if role.bot_id == self.bot_user.id)

    def archive_thread(self, thread_id: int, *, notify: bool = False) -> Channel:
        """Archive a thread (auto-archive or a moderator closing it); it leaves the active list."""
        guild, thread = self.find_channel(thread_id)
        thread.archived = True
        thread.archive_timestamp = iso_now()
        if notify:
            self._dispatch_to_guild(guild.id, "THREAD_UPDATE", thread.to_payload())
        return thread

    def delete_channel(self, channel_id: int, *, notify: bool = False) -> None:
        """Delete a channel: REST calls on it answer 404 Unknown Channel (10003) from now on."""
        guild, channel = self.find_channel(channel_id)
        del guild.channels[channel_id]
        self.deleted_channel_ids.add(channel_id)
        if notify:
            self._dispatch_to_guild(guild.id, "CHANNEL_DELETE", channel.to_payload())

    def find_channel(self, channel_id: int) -> tuple[Guild, Channel]:
        """The guild and channel with id ``channel_id`` (KeyError if there is none)."""
        for guild in self.guilds.values():
            if channel_id in guild.channels:
                return guild, guild.channels[channel_id]
        raise KeyError(channel_id)

    def messages_in(self, channel: Channel | int) -> list[dict[str, Any]]:
        """Messages currently in a channel (ephemeral ones are not), oldest first."""
        channel_id = channel if isinstance(channel, int) else channel.id
        return [self.messages[m] for m in self.channel_messages.get(channel_id, [])]

    def requests_matching(self, pattern: str, method: str | None = None) -> list[RecordedRequest]:
        """Recorded requests whose path (without /api/v10) matches the regex ``pattern``."""
        regex = re.compile(pattern)
        return [
            request
            for request in self.requests
            if (method is None or request.method == method) and regex.search(request.path)
        ]

    def commands_for(self, guild: Guild | int | None = None) -> dict[str, dict[str, Any]]:
        """Synced application commands by name, global (default) or for one guild."""
        if guild is None:
            commands = self.global_commands
        else:
            guild_id = guild if isinstance(guild, int) else guild.id
            commands = self.guild_commands.get(guild_id, [])
        return {command["name"]: command for command in commands}

    # ----- fault injection ------------------------------------------------------------------

    def inject_fault(
        self,
        pattern: str,
        status: int,
        *,
        count: int = 1,
        method: str | None = None,
        retry_after: float = 0.1,
        is_global: bool = False,
        scope: str = "user",
    ) -> Fault:
        """Answer the next ``count`` requests whose path (without /api/v10) matches the regex
        ``pattern`` with ``status``: 429 is a Discord rate limit, 404 Unknown, 5xx an outage."""
        fault = Fault(
            pattern=re.compile(pattern),
            status=status,
            remaining=count,
            method=method,
            retry_after=retry_after,
            is_global=is_global,
            scope=scope,
        )
        self.faults.append(fault)
        return fault

    def rate_limit_next(
        self,
        pattern: str,
        *,
        count: int = 1,
        retry_after: float = 0.1,
        method: str | None = None,
        is_global: bool = False,
        scope: str = "user",
    ) -> Fault:
        """Answer 429 (Retry-After, X-RateLimit-* headers) to the next ``count`` matches."""
        return self.inject_fault(
            pattern,
            429,
            count=count,
            method=method,
            retry_after=retry_after,
            is_global=is_global,
            scope=scope,
        )

    def fail_next(
        self, pattern: str, status: int = 500, *, count: int = 1, method: str | None = None
    ) -> Fault:
        """Answer ``status`` (default 500) to the next ``count`` matching requests."""
        return self.inject_fault(pattern, status, count=count, method=method)

    def set_global_rate_limit(self, per_second: int | None = 50) -> None:
        """Answer 429 (global) once more than ``per_second`` bot requests arrive within a second;
        interaction callbacks and follow-ups are exempt, as on Discord. None turns it off."""
        self.global_rate_limit = per_second
        self._request_times.clear()

    def set_channel_rate_limit(self, limit: int | None = 5, per_seconds: float = 5.0) -> None:
        """Limit message posts to ``limit`` per ``per_seconds`` in each channel, as Discord does
        (5 per 5 s): every answer to ``POST /channels/{id}/messages`` carries the
        X-RateLimit-* and X-RateLimit-Bucket headers, and a post over the limit gets Discord's
        429 (``global: false``, scope "user"). Each channel's window opens with its first post
        and resets ``per_seconds`` later. Off by default; None turns it off. Counted on top of
        the global limit, which a request passes first."""
        self.channel_rate_limit = None if limit is None else (limit, per_seconds)
        self._channel_buckets.clear()

    def drop_gateway(self, code: int = 4000) -> None:
        """Close every websocket with ``code``; sessions stay resumable (the RESUME path)."""
        for connection in list(self._connections):
            task = asyncio.get_running_loop().create_task(connection.close(code))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    def invalidate_sessions(self) -> None:
        """Forget all sessions, so the next RESUME gets INVALID_SESSION."""
        self._sessions.clear()

    # ----- waiting ------------------------------------------------------------------------

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(
        self,
        predicate: Callable[[], T | None],
        timeout: float = DEFAULT_WAIT_SECONDS,
        what: str = "a condition",
    ) -> T:
        """Wait until ``predicate()`` is truthy (re-checked whenever the server's state changes)."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    changed = self._changed
                    result = predicate()
                    if result:
                        return result
                    await changed.wait()
        except TimeoutError:
            missing = ", ".join(str(r) for r in self.unknown_requests) or "none"
            raise AssertionError(
                f"timed out after {timeout}s waiting for {what}; unknown routes hit: {missing}"
            ) from None

    async def wait_for_messages(
        self, channel: Channel | int, count: int = 1, timeout: float = DEFAULT_WAIT_SECONDS
    ) -> list[dict[str, Any]]:
        """Wait until ``channel`` holds at least ``count`` messages and return them."""
        return await self.wait_for(
            lambda: self.messages_in(channel) if len(self.messages_in(channel)) >= count else None,
            timeout,
            f"{count} message(s) in channel {channel}",
        )

    async def wait_for_session(self, timeout: float = DEFAULT_WAIT_SECONDS) -> None:
        """Wait until some bot has identified on the gateway."""
        await self.wait_for(lambda: self._sessions, timeout, "a gateway IDENTIFY")

    # ----- gateway --------------------------------------------------------------------------

    def dispatch(self, event: str, data: Any, *, guild_id: int | None = None) -> None:
        """Send a gateway DISPATCH to every session (or to those holding ``guild_id``)."""
        for session in self._sessions.values():
            if guild_id is None or self._session_has_guild(session, guild_id):
                session.send_event(event, data)

    def _dispatch_to_guild(self, guild_id: int, event: str, data: Any) -> None:
        self.dispatch(event, data, guild_id=guild_id)

    @staticmethod
    def _session_has_guild(session: _Session, guild_id: int) -> bool:
        shard_id, shard_count = session.shard
        return (guild_id >> 22) % shard_count == shard_id

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        connection = _GatewayConnection(ws, compress=request.query.get("compress") == "zlib-stream")
        self._connections.add(connection)
        self.gateway_paths.append(request.path)
        connection.send(
            {
                "op": 10,
                "d": {"heartbeat_interval": self.heartbeat_interval_ms},
                "s": None,
                "t": None,
            }
        )
        try:
            async for message in ws:
                if message.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    await self._on_gateway_op(connection, json.loads(message.data))
        finally:
            self._connections.discard(connection)
            if connection.session is not None and connection.session.connection is connection:
                connection.session.connection = None
            connection.queue.put_nowait(None)
            self._notify()
        return ws

    async def _on_gateway_op(self, connection: _GatewayConnection, payload: dict[str, Any]) -> None:
        op, data = payload.get("op"), payload.get("d")
        recorded = dict(payload)
        if isinstance(data, dict) and "token" in data:
            recorded["d"] = {**data, "token": "<redacted>"}
        self.gateway_ops.append(recorded)
        self._notify()
        if op == 1:
            asyncio.get_running_loop().call_later(
                self.heartbeat_ack_seconds,
                connection.send,
                {"op": 11, "d": None, "s": None, "t": None},
            )
        elif op == 2:
            await self._identify(connection, data)
        elif op == 6:
            await self._resume(connection, data)
        elif op == 8:
            self._request_members(connection, data)

    async def _identify(self, connection: _GatewayConnection, data: dict[str, Any]) -> None:
        if data.get("token") != self.token:
            await connection.close(4004)
            return
        shard = tuple(data.get("shard") or (0, 1))
        session = _Session(
            id=secrets.token_hex(16),
            intents=int(data.get("intents", 0)),
            shard=(int(shard[0]), int(shard[1])),
        )
        session.connection = connection
        connection.session = session
        self._sessions[session.id] = session
        guilds = [g for g in self.guilds.values() if self._session_has_guild(session, g.id)]
        ready = {
            "v": 10,
            "user": {
                **self.bot_user.to_payload(),
                "verified": True,
                "mfa_enabled": False,
                "email": None,
            },
            "guilds": [{"id": str(guild.id), "unavailable": True} for guild in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "shard": list(session.shard),
            "application": {"id": str(self.application_id), "flags": self.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "geo_ordered_rtc_regions": [],
            "_trace": ["loopback"],
        }
        session.send_event("READY", ready)
        for guild in guilds:
            session.send_event("GUILD_CREATE", guild.to_payload())
        self._notify()

    async def _resume(self, connection: _GatewayConnection, data: dict[str, Any]) -> None:
        session = self._sessions.get(data.get("session_id", ""))
        if session is None or data.get("token") != self.token:
            connection.send({"op": 9, "d": False, "s": None, "t": None})
            return
        last_seen = int(data.get("seq") or 0)
        session.connection = connection
        connection.session = session
        for payload in session.buffer:
            if payload["s"] > last_seen:
                connection.send(payload)
        session.send_event("RESUMED", {"_trace": ["loopback"]})
        self._notify()

    def _request_members(self, connection: _GatewayConnection, data: dict[str, Any]) -> None:
        if connection.session is None:
            return
        guild = self.guilds.get(int(data["guild_id"]))
        if guild is None:
            return
        connection.session.send_event(
            "GUILD_MEMBERS_CHUNK",
            {
                "guild_id": str(guild.id),
                "members": [member.to_payload() for member in guild.members.values()],
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": [],
                "presences": [],
                "nonce": data.get("nonce"),
            },
        )

    # ----- interactions ---------------------------------------------------------------------

    def _interaction_base(
        self,
        interaction_type: int,
        channel: Channel | None,
        member: Member | None,
        permissions: int | None,
    ) -> tuple[dict[str, Any], Guild, Channel]:
        if channel is None:
            guild = self.guild
            channel = guild.channel_named("general")
        else:
            guild, channel = self.find_channel(channel.id)
        if member is None:
            member = next(
                (m for m in guild.members.values() if not m.user.bot and m.id != guild.owner_id),
                None,
            ) or self.add_member("tester", guild=guild)
        member_permissions = guild.permissions_of(member) if permissions is None else permissions
        bot_member = guild.members[self.bot_user.id]
        payload: dict[str, Any] = {
            "id": str(new_snowflake()),
            "application_id": str(self.application_id),
            "type": interaction_type,
            "token": "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48),
            "version": 1,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "channel_id": str(channel.id),
            "channel": channel.to_payload(len(self.channel_messages.get(channel.id, []))),
            "member": member.to_payload(member_permissions),
            "app_permissions": str(guild.permissions_in(bot_member, channel)),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        return payload, guild, channel

    def _send_interaction(
        self, payload: dict[str, Any], channel: Channel, message_id: int | None = None
    ) -> InteractionHandle:
        handle = InteractionHandle(self, payload, channel.id, message_id)
        self.interactions[handle.id] = handle
        self._interactions_by_token[handle.token] = handle
        self._dispatch_to_guild(channel.guild_id, "INTERACTION_CREATE", payload)
        return handle

    def _find_command(self, name: str, guild: Guild) -> dict[str, Any] | None:
        return self.commands_for(guild).get(name) or self.commands_for(None).get(name)

    def _command_data(
        self,
        qualified_name: str,
        options: dict[str, Any],
        guild: Guild,
        focused: str | None = None,
    ) -> dict[str, Any]:
        root_name, *sub_names = qualified_name.split()
        command = self._find_command(root_name, guild)
        # Walk the synced schema down the subcommand path: each step is a group (2) or,
        # last, a subcommand (1); without a synced command, guess from the position.
        level = command.get("options", []) if command else []
        kinds: list[int] = []
        for position, sub_name in enumerate(sub_names):
            entry = next((o for o in level if o.get("name") == sub_name), None)
            is_last = position == len(sub_names) - 1
            kinds.append(entry["type"] if entry else (1 if is_last else 2))
            level = entry.get("options", []) if entry else []
        resolved: dict[str, dict[str, Any]] = {}
        nested = [
            self._option_payload(name, value, level, guild, resolved, focused == name)
            for name, value in options.items()
        ]
        for sub_name, kind in reversed(list(zip(sub_names, kinds, strict=True))):
            nested = [{"name": sub_name, "type": kind, "options": nested}]
        data: dict[str, Any] = {
            "id": command["id"] if command else str(new_snowflake()),
            "name": root_name,
            "type": 1,
            "options": nested,
        }
        if command and command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return data

    def _option_payload(
        self,
        name: str,
        value: Any,
        schema: list[dict[str, Any]],
        guild: Guild,
        resolved: dict[str, dict[str, Any]],
        focused: bool,
    ) -> dict[str, Any]:
        entry = next((o for o in schema if o.get("name") == name), None)
        option_type = entry["type"] if entry else None
        if isinstance(value, Member):
            option_type = option_type or 6
            resolved.setdefault("users", {})[str(value.id)] = value.user.to_payload()
            member_payload = value.to_payload(guild.permissions_of(value))
            del member_payload["user"]
            resolved.setdefault("members", {})[str(value.id)] = member_payload
            value = str(value.id)
        elif isinstance(value, Channel):
            option_type = option_type or 7
            channel_payload = value.to_payload()
            channel_payload["permissions"] = str(Permission.view_channel | Permission.send_messages)
            resolved.setdefault("channels", {})[str(value.id)] = channel_payload
            value = str(value.id)
        elif isinstance(value, Role):
            option_type = option_type or 8
            resolved.setdefault("roles", {})[str(value.id)] = value.to_payload()
            value = str(value.id)
        elif isinstance(value, Upload):
            option_type = option_type or 11
            attachment = self._upload_attachment(value)
            resolved.setdefault("attachments", {})[attachment["id"]] = attachment
            value = attachment["id"]
        option_type = option_type or OPTION_TYPES.get(type(value), 3)
        payload: dict[str, Any] = {"name": name, "type": option_type, "value": value}
        if focused:
            payload["focused"] = True
        return payload

    def _upload_attachment(self, upload: Upload) -> dict[str, Any]:
        """Keep an uploaded file's bytes and describe it as Discord does in ``resolved``; its
        ``url`` points back at this server, so ``Attachment.read()`` works offline."""
        attachment_id = new_snowflake()
        self.files[attachment_id] = upload.data
        url = f"{self.url}/attachments/0/{attachment_id}/{quote(upload.filename)}"
        return {
            "id": str(attachment_id),
            "filename": upload.filename,
            "content_type": upload.content_type,
            "size": len(upload.data) if upload.size is None else upload.size,
            "url": url,
            "proxy_url": url,
            "ephemeral": True,
        }

    def dispatch_slash(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        channel: Channel | None = None,
        member: Member | None = None,
        permissions: int | None = None,
    ) -> InteractionHandle:
        """Send a slash-command interaction (type 2) and return its handle.

        ``name`` is the qualified name ("watch", "alerts subscribe", "admin feeds add");
        ``options`` maps option names to values (Member/Channel/Role/Upload values are resolved;
        an Upload's bytes are served from this server at the attachment's ``url``).
        Option types come from the synced command when there is one. ``member`` defaults to a
        plain non-owner member; ``permissions`` overrides the computed permission bits.
        """
        payload, guild, channel = self._interaction_base(
            APPLICATION_COMMAND, channel, member, permissions
        )
        payload["data"] = self._command_data(name, options or {}, guild)
        return self._send_interaction(payload, channel)

    def dispatch_autocomplete(
        self,
        name: str,
        focused: str,
        value: str = "",
        options: dict[str, Any] | None = None,
        *,
        channel: Channel | None = None,
        member: Member | None = None,
    ) -> InteractionHandle:
        """Send an autocomplete interaction (type 4) with ``focused`` being typed as ``value``."""
        payload, guild, channel = self._interaction_base(AUTOCOMPLETE, channel, member, None)
        all_options = {**(options or {}), focused: value}
        payload["data"] = self._command_data(name, all_options, guild, focused=focused)
        return self._send_interaction(payload, channel)

    def dispatch_component(
        self,
        message: dict[str, Any] | int,
        custom_id: str,
        *,
        component_type: int = 2,
        values: list[str] | None = None,
        member: Member | None = None,
    ) -> InteractionHandle:
        """Click a button (or pick ``values`` in a select) on a stored ``message``."""
        if isinstance(message, int):
            message = self.messages[message]
        _, channel = self.find_channel(int(message["channel_id"]))
        payload, _, channel = self._interaction_base(MESSAGE_COMPONENT, channel, member, None)
        payload["message"] = message
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        payload["data"] = data
        return self._send_interaction(payload, channel, message_id=int(message["id"]))

    def dispatch_modal_submit(
        self,
        values: dict[str, str],
        *,
        custom_id: str | None = None,
        opened_by: InteractionHandle | None = None,
        channel: Channel | None = None,
        member: Member | None = None,
    ) -> InteractionHandle:
        """Submit a modal: ``values`` maps text-input custom_ids to text. With ``opened_by`` (the
        interaction the bot answered with a modal) its custom_id and layout are reused."""
        modal = opened_by.modal if opened_by is not None else None
        if modal is None and custom_id is None:
            raise ValueError("give custom_id, or opened_by an interaction that opened a modal")
        custom_id = custom_id or modal["custom_id"]  # type: ignore[index]
        if modal is not None:
            components = [_fill_modal_component(c, values) for c in modal.get("components", [])]
        else:
            components = [
                {"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]}
                for key, value in values.items()
            ]
        if channel is None and opened_by is not None:
            channel = self.find_channel(opened_by.channel_id)[1]
        if member is None and opened_by is not None:
            guild = self.find_channel(opened_by.channel_id)[0]
            member = guild.members.get(int(opened_by.payload["member"]["user"]["id"]))
        payload, _, channel = self._interaction_base(MODAL_SUBMIT, channel, member, None)
        payload["data"] = {"custom_id": custom_id, "components": components}
        if opened_by is not None and "message" in opened_by.payload:
            payload["message"] = opened_by.payload["message"]
        return self._send_interaction(payload, channel)

    # ----- HTTP plumbing --------------------------------------------------------------------

    def _add_routes(self, app: web.Application) -> None:
        api: list[tuple[str, str, Callable[..., Awaitable[Any]]]] = [
            ("GET", "/gateway", self._get_gateway),
            ("GET", "/gateway/bot", self._get_gateway_bot),
            ("GET", "/users/@me", self._get_me),
            ("GET", "/users/@me/guilds", self._get_my_guilds),
            ("GET", "/oauth2/applications/@me", self._get_application),
            ("GET", "/applications/@me", self._get_application),
            ("GET", "/applications/{app}/commands", self._get_commands),
            ("PUT", "/applications/{app}/commands", self._put_commands),
            ("POST", "/applications/{app}/commands", self._post_command),
            ("GET", "/applications/{app}/guilds/{guild}/commands", self._get_commands),
            ("PUT", "/applications/{app}/guilds/{guild}/commands", self._put_commands),
            ("POST", "/applications/{app}/guilds/{guild}/commands", self._post_command),
            ("GET", "/guilds/{guild}", self._get_guild),
            ("GET", "/guilds/{guild}/channels", self._get_guild_channels),
            ("GET", "/guilds/{guild}/roles", self._get_roles),
            ("GET", "/guilds/{guild}/members/{user}", self._get_member),
            ("GET", "/channels/{channel}", self._get_channel),
            ("GET", "/channels/{channel}/messages", self._get_messages),
            ("POST", "/channels/{channel}/messages", self._post_message),
            ("GET", "/channels/{channel}/messages/{message}", self._get_message),
            ("PATCH", "/channels/{channel}/messages/{message}", self._patch_message),
            ("DELETE", "/channels/{channel}/messages/{message}", self._delete_message),
            ("POST", "/channels/{channel}/messages/{message}/crosspost", self._crosspost),
            ("POST", "/channels/{channel}/threads", self._post_thread),
            ("GET", "/guilds/{guild}/threads/active", self._get_active_threads),
            ("GET", "/channels/{channel}/threads/archived/public", self._get_archived_threads),
            ("POST", "/interactions/{interaction}/{token}/callback", self._post_callback),
            ("POST", "/webhooks/{app}/{token}", self._post_followup),
            ("GET", "/webhooks/{app}/{token}/messages/{message}", self._get_webhook_message),
            ("PATCH", "/webhooks/{app}/{token}/messages/{message}", self._patch_webhook_message),
            ("DELETE", "/webhooks/{app}/{token}/messages/{message}", self._delete_webhook_message),
        ]
        for method, path, handler in api:
            app.router.add_route(method, API_PREFIX + path, _json_handler(handler))
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/gateway-resume", self._gateway)
        app.router.add_get("/attachments/{channel}/{attachment}/{filename}", self._get_attachment)
        app.router.add_route("*", "/{tail:.*}", self._unknown_route)

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        path = request.path[len(API_PREFIX) :]
        record = RecordedRequest(
            method=request.method,
            path=path,
            query=dict(request.query),
            headers={k: v for k, v in request.headers.items() if k.lower() != "authorization"},
        )
        await _read_body(request, record)
        request[RECORD] = record
        self.requests.append(record)
        response = self._fault_response(record) or self._global_limit_response(record, path)
        limit_headers: dict[str, str] = {}
        if response is None:
            response, limit_headers = self._channel_limit_response(record)
        if response is None:
            response = await handler(request)
            response.headers.update(limit_headers)
        record.status = response.status
        if isinstance(response, web.Response) and response.body is not None:
            with contextlib.suppress(ValueError, TypeError):
                record.response = json.loads(response.body)  # type: ignore[arg-type]
        self._notify()
        return response

    def _fault_response(self, record: RecordedRequest) -> web.Response | None:
        for fault in self.faults:
            if fault.matches(record.method, record.path):
                fault.remaining -= 1
                fault.hits += 1
                if fault.status == 429:
                    self.rate_limited_count += 1
                    return _rate_limited(fault.retry_after, fault.is_global, fault.scope)
                if fault.status == 404:
                    return _error_response(unknown("Channel", 10003))
                return _json_response(
                    {"message": f"{fault.status}: injected by the loopback server", "code": 0},
                    status=fault.status,
                )
        return None

    def _global_limit_response(self, record: RecordedRequest, path: str) -> web.Response | None:
        if self.global_rate_limit is None:
            return None
        if path.startswith(("/interactions/", "/webhooks/")):
            return None
        now = time.monotonic()
        while self._request_times and now - self._request_times[0] >= 1.0:
            self._request_times.popleft()
        if len(self._request_times) >= self.global_rate_limit:
            self.rate_limited_count += 1
            retry_after = max(0.001, 1.0 - (now - self._request_times[0]))
            return _rate_limited(retry_after, True, "global")
        self._request_times.append(now)
        return None

    def _channel_limit_response(
        self, record: RecordedRequest
    ) -> tuple[web.Response | None, dict[str, str]]:
        """A 429 for a post over its channel's limit, else the rate limit headers to send."""
        if self.channel_rate_limit is None or record.method != "POST":
            return None, {}
        match = CHANNEL_MESSAGE_ROUTE.match(record.path)
        if match is None:
            return None, {}
        limit, per_seconds = self.channel_rate_limit
        channel_id = int(match.group(1))
        now = time.monotonic()
        bucket = self._channel_buckets.get(channel_id)
        if bucket is None or now >= bucket.resets_at:
            bucket = ChannelBucket(remaining=limit, resets_at=now + per_seconds)
            self._channel_buckets[channel_id] = bucket
        reset_after = math.ceil((bucket.resets_at - now) * 1000) / 1000
        if bucket.remaining <= 0:
            self.rate_limited_count += 1
            return _rate_limited(
                reset_after, False, "user", limit=limit, bucket=CHANNEL_MESSAGE_BUCKET
            ), {}
        bucket.remaining -= 1
        return None, _limit_headers(limit, bucket.remaining, reset_after, CHANNEL_MESSAGE_BUCKET)

    async def _unknown_route(self, request: web.Request) -> web.Response:
        record = request.get(RECORD) or RecordedRequest(
            request.method, request.path, dict(request.query), {}
        )
        record.status = 404
        self.unknown_requests.append(record)
        log.warning("loopback Discord: no route for %s %s", request.method, request.path)
        return _json_response(
            {
                "message": f"404: loopback server has no route for {request.method} {request.path}",
                "code": 0,
            },
            status=404,
        )

    def _check_auth(self, request: web.Request) -> None:
        if request.headers.get("Authorization") != f"Bot {self.token}":
            raise DiscordError(401, 0, "401: Unauthorized")

    # ----- REST handlers: application ---------------------------------------------------------

    async def _get_gateway(self, request: web.Request) -> Any:
        return {"url": self.gateway_url}

    async def _get_gateway_bot(self, request: web.Request) -> Any:
        self._check_auth(request)
        return {
            "url": self.gateway_url,
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 0,
                "max_concurrency": 1,
            },
        }

    async def _get_me(self, request: web.Request) -> Any:
        self._check_auth(request)
        return {
            **self.bot_user.to_payload(),
            "verified": True,
            "mfa_enabled": False,
            "email": None,
            "locale": "en-US",
        }

    async def _get_my_guilds(self, request: web.Request) -> Any:
        """The bot's guilds as partial guilds, by id, paged with ``after`` and ``limit``."""
        self._check_auth(request)
        after = int(request.query.get("after", 0))
        limit = int(request.query.get("limit", 200))
        if not 1 <= limit <= 200:
            raise _form_error("limit", "NUMBER_TYPE_MAX", "int value should be between 1 and 200.")
        guilds = sorted(
            (g for g in self.guilds.values() if self.bot_user.id in g.members and g.id > after),
            key=lambda g: g.id,
        )[:limit]
        return [
            {
                "id": str(guild.id),
                "name": guild.name,
                "icon": None,
                "banner": None,
                "owner": False,
                "permissions": str(guild.permissions_of(guild.members[self.bot_user.id])),
                "features": [],
            }
            for guild in guilds
        ]

    async def _get_application(self, request: web.Request) -> Any:
        self._check_auth(request)
        return {
            "id": str(self.application_id),
            "name": self.bot_user.name,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": False,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": self.application_flags,
            "owner": self.owner.to_payload(),
            "team": None,
            "bot": self.bot_user.to_payload(),
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "tags": [],
            "install_params": None,
            "integration_types_config": {"0": {}},
        }

    def _command_list(self, request: web.Request) -> list[dict[str, Any]]:
        guild_id = request.match_info.get("guild")
        if guild_id is None:
            return self.global_commands
        return self.guild_commands.setdefault(int(guild_id), [])

    def _store_command(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        command = {
            "id": str(new_snowflake()),
            "application_id": str(self.application_id),
            "version": str(new_snowflake()),
            "type": 1,
            "default_member_permissions": None,
            "dm_permission": True,
            "nsfw": False,
            "description": "",
            "options": [],
            **body,
        }
        if "guild" in request.match_info:
            command["guild_id"] = request.match_info["guild"]
        return command

    async def _get_commands(self, request: web.Request) -> Any:
        self._check_auth(request)
        return self._command_list(request)

    async def _put_commands(self, request: web.Request) -> Any:
        self._check_auth(request)
        body = request[RECORD].json or []
        commands = [self._store_command(request, command) for command in body]
        names = [c["name"] for c in commands]
        if len(names) != len(set(names)):
            raise _form_error(
                "_root", "APPLICATION_COMMANDS_DUPLICATE_NAME", "Command names must be unique"
            )
        self._command_list(request)[:] = commands
        return commands

    async def _post_command(self, request: web.Request) -> Any:
        self._check_auth(request)
        command = self._store_command(request, request[RECORD].json)
        commands = self._command_list(request)
        commands[:] = [c for c in commands if c["name"] != command["name"]] + [command]
        return command

    # ----- REST handlers: guilds and channels ---------------------------------------------

    def _guild(self, request: web.Request) -> Guild:
        guild = self.guilds.get(int(request.match_info["guild"]))
        if guild is None:
            raise unknown("Guild", 10004)
        return guild

    def _channel(self, request: web.Request) -> tuple[Guild, Channel]:
        try:
            return self.find_channel(int(request.match_info["channel"]))
        except (KeyError, ValueError):
            raise unknown("Channel", 10003) from None

    async def _get_guild(self, request: web.Request) -> Any:
        self._check_auth(request)
        payload = self._guild(request).to_payload()
        for key in ("members", "channels", "threads", "presences", "voice_states"):
            payload.pop(key)
        return payload

    async def _get_guild_channels(self, request: web.Request) -> Any:
        self._check_auth(request)
        guild = self._guild(request)
        return [c.to_payload() for c in guild.channels.values() if not c.is_thread]

    async def _get_roles(self, request: web.Request) -> Any:
        self._check_auth(request)
        return [role.to_payload() for role in self._guild(request).roles.values()]

    async def _get_member(self, request: web.Request) -> Any:
        self._check_auth(request)
        member = self._guild(request).members.get(int(request.match_info["user"]))
        if member is None:
            raise unknown("Member", 10007)
        return member.to_payload()

    async def _get_channel(self, request: web.Request) -> Any:
        self._check_auth(request)
        _, channel = self._channel(request)
        return channel.to_payload(len(self.channel_messages.get(channel.id, [])))

    async def _get_messages(self, request: web.Request) -> Any:
        self._check_auth(request)
        _, channel = self._channel(request)
        limit = int(request.query.get("limit", 50))
        return list(reversed(self.messages_in(channel)))[:limit]

    def _stored_message(self, channel: Channel, request: web.Request) -> dict[str, Any]:
        message = self.messages.get(int(request.match_info["message"]))
        if message is None or int(message["channel_id"]) != channel.id:
            raise unknown("Message", 10008)
        return message

    async def _get_message(self, request: web.Request) -> Any:
        self._check_auth(request)
        _, channel = self._channel(request)
        return self._stored_message(channel, request)

    async def _post_message(self, request: web.Request) -> Any:
        self._check_auth(request)
        guild, channel = self._channel(request)
        record: RecordedRequest = request[RECORD]
        body = record.json or {}
        self._check_can_send(guild, channel)
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            seen = self._nonces.get((channel.id, str(nonce)))
            if (
                seen
                and time.monotonic() - seen[1] < NONCE_WINDOW_SECONDS
                and seen[0] in self.messages
            ):
                return self.messages[seen[0]]
        self._validate_message(body, bool(record.files))
        message = self._create_message(channel, body, record.files, author=self.bot_user)
        if nonce is not None:
            self._nonces[(channel.id, str(nonce))] = (int(message["id"]), time.monotonic())
        return message

    def _bot_permissions_in(self, guild: Guild, channel: Channel) -> int:
        return guild.permissions_in(guild.members[self.bot_user.id], channel)

    def _check_can_send(self, guild: Guild, channel: Channel) -> None:
        needed = Permission.view_channel | (
            Permission.send_messages_in_threads if channel.is_thread else Permission.send_messages
        )
        if self._bot_permissions_in(guild, channel) & needed != needed:
            raise DiscordError(403, 50013, "Missing Permissions")
        if channel.type == ChannelType.forum:
            raise DiscordError(400, 50008, "Cannot send messages in a non-text channel")

    async def _patch_message(self, request: web.Request) -> Any:
        self._check_auth(request)
        _, channel = self._channel(request)
        message = self._stored_message(channel, request)
        record: RecordedRequest = request[RECORD]
        return self._edit_message(message, record.json or {}, record.files)

    async def _delete_message(self, request: web.Request) -> Any:
        self._check_auth(request)
        _, channel = self._channel(request)
        self._remove_message(self._stored_message(channel, request))
        return None

    async def _crosspost(self, request: web.Request) -> Any:
        self._check_auth(request)
        _, channel = self._channel(request)
        message = self._stored_message(channel, request)
        if channel.type != ChannelType.announcement:
            raise DiscordError(400, 50068, "Invalid message type for this operation")
        message["flags"] = message.get("flags", 0) | 1
        return message

    async def _post_thread(self, request: web.Request) -> Any:
        self._check_auth(request)
        guild, parent = self._channel(request)
        record: RecordedRequest = request[RECORD]
        body = record.json or {}
        if parent.type != ChannelType.forum:
            raise unknown("Message", 10008)  # a thread without a message must come from a forum
        # A forum post needs Send Messages ("Create Posts" in a forum's settings).
        needed = Permission.view_channel | Permission.send_messages
        if self._bot_permissions_in(guild, parent) & needed != needed:
            raise DiscordError(403, 50013, "Missing Permissions")
        first = body.get("message") or {}
        errors = message_errors(first, ["message"])
        if not body.get("name"):
            errors["name"] = {
                "_errors": [{"code": "BASE_TYPE_REQUIRED", "message": "This field is required"}]
            }
        elif len(body["name"]) > 100:
            errors["name"] = {
                "_errors": [
                    {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 100 or fewer in length."}
                ]
            }
        if errors:
            raise DiscordError(400, 50035, "Invalid Form Body", errors)
        if is_empty_message(first, bool(record.files)):
            raise DiscordError(400, 50006, "Cannot send an empty message")
        thread = Channel(
            id=new_snowflake(),
            guild_id=guild.id,
            name=body["name"],
            type=ChannelType.public_thread,
            parent_id=parent.id,
            owner_id=self.bot_user.id,
            applied_tags=[int(tag) for tag in body.get("applied_tags", [])],
            auto_archive_duration=int(body.get("auto_archive_duration") or 4320),
        )
        guild.channels[thread.id] = thread
        self._dispatch_to_guild(
            guild.id, "THREAD_CREATE", {**thread.to_payload(), "newly_created": True}
        )
        message = self._create_message(
            thread, first, record.files, author=self.bot_user, message_id=thread.id
        )
        return {**thread.to_payload(1), "message": message}

    def _thread_member(self, thread: Channel) -> dict[str, Any]:
        return {
            "id": str(thread.id),
            "user_id": str(self.bot_user.id),
            "join_timestamp": thread.created_at,
            "flags": 0,
        }

    async def _get_active_threads(self, request: web.Request) -> Any:
        """Every unarchived thread of the guild, and the bot's membership of those it made."""
        self._check_auth(request)
        guild = self._guild(request)
        threads = [c for c in guild.channels.values() if c.is_thread and not c.archived]
        return {
            "threads": [t.to_payload(len(self.channel_messages.get(t.id, []))) for t in threads],
            "members": [self._thread_member(t) for t in threads if t.owner_id == self.bot_user.id],
        }

    async def _get_archived_threads(self, request: web.Request) -> Any:
        """A forum's or text channel's archived public threads, most recently archived first."""
        self._check_auth(request)
        guild, parent = self._channel(request)
        needed = Permission.view_channel | Permission.read_message_history
        if self._bot_permissions_in(guild, parent) & needed != needed:
            raise DiscordError(403, 50013, "Missing Permissions")
        limit = int(request.query.get("limit", 50))
        if not 2 <= limit <= 100:
            raise _form_error("limit", "NUMBER_TYPE_MAX", "int value should be between 2 and 100.")
        before = request.query.get("before")
        threads = sorted(
            (
                c
                for c in guild.channels.values()
                if c.type == ChannelType.public_thread and c.parent_id == parent.id and c.archived
            ),
            key=lambda c: c.archive_timestamp or "",
            reverse=True,
        )
        if before:
            cutoff = datetime.datetime.fromisoformat(before)
            threads = [
                t
                for t in threads
                if datetime.datetime.fromisoformat(t.archive_timestamp or t.created_at) < cutoff
            ]
        page = threads[:limit]
        return {
            "threads": [t.to_payload(len(self.channel_messages.get(t.id, []))) for t in page],
            "members": [self._thread_member(t) for t in page if t.owner_id == self.bot_user.id],
            "has_more": len(threads) > limit,
        }

    # ----- REST handlers: interactions --------------------------------------------------------

    def _interaction(self, request: web.Request) -> InteractionHandle:
        handle = self.interactions.get(int(request.match_info["interaction"]))
        if handle is None or handle.token != request.match_info["token"]:
            raise unknown("interaction", 10062)
        return handle

    async def _post_callback(self, request: web.Request) -> Any:
        handle = self._interaction(request)
        record: RecordedRequest = request[RECORD]
        body = record.json or {}
        try:
            callback = self._apply_callback(handle, body, record.files)
        except DiscordError as error:
            handle.rejections.append(error.body)
            raise
        handle.callbacks.append(callback)
        if request.query.get("with_response", "").lower() not in ("1", "true"):
            return web.Response(status=204)
        return self._callback_response(handle, callback["type"])

    def _apply_callback(
        self, handle: InteractionHandle, body: dict[str, Any], files: list[RecordedFile]
    ) -> dict[str, Any]:
        if handle.callbacks:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        callback_type = body.get("type")
        data = body.get("data") or {}
        interaction_type = handle.payload["type"]
        _, channel = self.find_channel(handle.channel_id)
        if callback_type == CALLBACK_MESSAGE:
            self._validate_message(data, bool(files), prefix=["data"])
            message = self._create_message(
                channel, data, files, author=self.bot_user, interaction=handle
            )
            handle.original_message_id, handle.has_original = int(message["id"]), True
        elif callback_type == CALLBACK_DEFERRED_MESSAGE:
            flags = LOADING | (data.get("flags", 0) & EPHEMERAL)
            message = self._create_message(
                channel,
                {"content": "", "flags": flags},
                [],
                author=self.bot_user,
                interaction=handle,
            )
            handle.original_message_id, handle.has_original = int(message["id"]), True
        elif callback_type in (CALLBACK_DEFERRED_UPDATE, CALLBACK_UPDATE_MESSAGE):
            if (
                interaction_type not in (MESSAGE_COMPONENT, MODAL_SUBMIT)
                or not handle.original_message_id
            ):
                raise _invalid_callback_type()
            handle.has_original = True
            if callback_type == CALLBACK_UPDATE_MESSAGE:
                self._validate_message(data, bool(files), prefix=["data"], allow_empty=True)
                self._edit_message(self.messages[handle.original_message_id], data, files)
        elif callback_type == CALLBACK_AUTOCOMPLETE:
            if interaction_type != AUTOCOMPLETE:
                raise _invalid_callback_type()
            errors = autocomplete_errors(data)
            if errors:
                raise DiscordError(400, 50035, "Invalid Form Body", errors)
        elif callback_type == CALLBACK_MODAL:
            if interaction_type in (AUTOCOMPLETE, MODAL_SUBMIT):
                raise _invalid_callback_type()
            if not data.get("custom_id") or not data.get("title"):
                raise _form_error("data", "MODAL_INVALID", "custom_id and title are required")
        else:
            raise _form_error(
                "type", "BASE_TYPE_CHOICES", f"Value {callback_type!r} is not a valid enum value."
            )
        return {"type": callback_type, "data": data, "files": files}

    def _callback_response(self, handle: InteractionHandle, callback_type: int) -> dict[str, Any]:
        message = handle.original
        interaction: dict[str, Any] = {"id": str(handle.id), "type": handle.payload["type"]}
        response: dict[str, Any] = {"interaction": interaction}
        if (
            callback_type
            in (
                CALLBACK_MESSAGE,
                CALLBACK_DEFERRED_MESSAGE,
                CALLBACK_UPDATE_MESSAGE,
                CALLBACK_DEFERRED_UPDATE,
            )
            and message is not None
        ):
            interaction["response_message_id"] = message["id"]
            interaction["response_message_loading"] = callback_type == CALLBACK_DEFERRED_MESSAGE
            interaction["response_message_ephemeral"] = bool(message.get("flags", 0) & EPHEMERAL)
            response["resource"] = {"type": callback_type, "message": message}
        elif callback_type == CALLBACK_MODAL:
            response["resource"] = {"type": callback_type}
        return response

    def _webhook_interaction(self, request: web.Request) -> InteractionHandle:
        handle = self._interactions_by_token.get(request.match_info["token"])
        if handle is None or request.match_info["app"] != str(self.application_id):
            raise unknown("Webhook", 10015)
        return handle

    def _webhook_message(self, handle: InteractionHandle, request: web.Request) -> dict[str, Any]:
        message_ref = request.match_info["message"]
        if message_ref == "@original":
            if not handle.callbacks or handle.original is None:
                raise unknown("Message", 10008)
            return handle.original
        message = self.messages.get(int(message_ref))
        if message is None or int(message_ref) not in [
            *handle.followup_ids,
            handle.original_message_id,
        ]:
            raise unknown("Message", 10008)
        return message

    async def _post_followup(self, request: web.Request) -> Any:
        handle = self._webhook_interaction(request)
        record: RecordedRequest = request[RECORD]
        body = record.json or {}
        if not handle.callbacks:
            raise unknown("Webhook", 10015)  # follow-ups need an acknowledged interaction
        try:
            self._validate_message(body, bool(record.files))
        except DiscordError as error:
            handle.rejections.append(error.body)
            raise
        _, channel = self.find_channel(handle.channel_id)
        original = handle.original
        if original is not None and original.get("flags", 0) & LOADING:
            # The first follow-up after a deferral replaces the "thinking" message, as on Discord.
            message = self._edit_message(original, body, record.files)
            original["flags"] = (original["flags"] & ~LOADING) | (body.get("flags", 0) & EPHEMERAL)
        else:
            message = self._create_message(
                channel, body, record.files, author=self.bot_user, interaction=handle
            )
        handle.followup_ids.append(int(message["id"]))
        return (
            message
            if request.query.get("wait") in ("1", "true", "True")
            else web.Response(status=204)
        )

    async def _get_webhook_message(self, request: web.Request) -> Any:
        handle = self._webhook_interaction(request)
        return self._webhook_message(handle, request)

    async def _patch_webhook_message(self, request: web.Request) -> Any:
        handle = self._webhook_interaction(request)
        message = self._webhook_message(handle, request)
        record: RecordedRequest = request[RECORD]
        body = record.json or {}
        try:
            self._validate_message(body, bool(record.files), allow_empty=True)
        except DiscordError as error:
            handle.rejections.append(error.body)
            raise
        edited = self._edit_message(message, body, record.files)
        edited["flags"] = edited.get("flags", 0) & ~LOADING
        return edited

    async def _delete_webhook_message(self, request: web.Request) -> Any:
        handle = self._webhook_interaction(request)
        self._remove_message(self._webhook_message(handle, request))
        return None

    async def _get_attachment(self, request: web.Request) -> web.Response:
        data = self.files.get(int(request.match_info["attachment"]))
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data)

    # ----- message store ------------------------------------------------------------------

    def _validate_message(
        self,
        body: dict[str, Any],
        has_files: bool,
        prefix: list[str] | None = None,
        allow_empty: bool = False,
    ) -> None:
        errors = message_errors(body, prefix)
        if errors:
            raise DiscordError(400, 50035, "Invalid Form Body", errors)
        if not allow_empty and is_empty_message(body, has_files):
            raise DiscordError(400, 50006, "Cannot send an empty message")

    def _attachments(
        self, channel_id: int, body: dict[str, Any], files: list[RecordedFile]
    ) -> list[dict[str, Any]]:
        described = {str(a.get("id")): a for a in body.get("attachments") or []}
        attachments = []
        for index, upload in enumerate(files):
            attachment_id = new_snowflake()
            self.files[attachment_id] = upload.data
            url = f"{self.url}/attachments/{channel_id}/{attachment_id}/{upload.filename}"
            meta = described.get(str(index), {})
            attachments.append(
                {
                    "id": str(attachment_id),
                    "filename": upload.filename,
                    "description": meta.get("description"),
                    "content_type": upload.content_type,
                    "size": len(upload.data),
                    "url": url,
                    "proxy_url": url,
                    "ephemeral": False,
                }
            )
        return attachments

    def _create_message(
        self,
        channel: Channel,
        body: dict[str, Any],
        files: list[RecordedFile],
        *,
        author: User,
        interaction: InteractionHandle | None = None,
        message_id: int | None = None,
    ) -> dict[str, Any]:
        message_id = message_id or new_snowflake()
        flags = int(body.get("flags") or 0)
        message: dict[str, Any] = {
            "id": str(message_id),
            "channel_id": str(channel.id),
            "guild_id": str(channel.guild_id),
            "author": author.to_payload(),
            "content": body.get("content") or "",
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts")),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": self._attachments(channel.id, body, files),
            "embeds": [{"type": "rich", **embed} for embed in body.get("embeds") or []],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": flags,
        }
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        if body.get("message_reference"):
            message["message_reference"] = body["message_reference"]
            message["type"] = 19
        if interaction is not None:
            message["webhook_id"] = str(self.application_id)
            message["application_id"] = str(self.application_id)
            if interaction.payload["type"] == APPLICATION_COMMAND:
                message["type"] = 20
        self.messages[message_id] = message
        if not flags & EPHEMERAL:
            self.channel_messages[channel.id].append(message_id)
            self._dispatch_message_event("MESSAGE_CREATE", message)
        self._notify()
        return message

    def _edit_message(
        self, message: dict[str, Any], body: dict[str, Any], files: list[RecordedFile]
    ) -> dict[str, Any]:
        for key in ("content", "components"):
            if key in body:
                message[key] = body[key] or ([] if key == "components" else "")
        if "embeds" in body:
            message["embeds"] = [{"type": "rich", **embed} for embed in body["embeds"] or []]
        if "attachments" in body or files:
            kept_ids = {str(a.get("id")) for a in body.get("attachments") or []}
            kept = [a for a in message["attachments"] if a["id"] in kept_ids]
            message["attachments"] = kept + self._attachments(
                int(message["channel_id"]), body, files
            )
        message["edited_timestamp"] = iso_now()
        if not message.get("flags", 0) & EPHEMERAL:
            self._dispatch_message_event("MESSAGE_UPDATE", message)
        self._notify()
        return message

    def _remove_message(self, message: dict[str, Any]) -> None:
        message_id, channel_id = int(message["id"]), int(message["channel_id"])
        self.messages.pop(message_id, None)
        with contextlib.suppress(ValueError):
            self.channel_messages[channel_id].remove(message_id)
        self._dispatch_message_event(
            "MESSAGE_DELETE",
            {"id": str(message_id), "channel_id": str(channel_id), "guild_id": message["guild_id"]},
        )
        self._notify()

    def _dispatch_message_event(self, event: str, data: dict[str, Any]) -> None:
        guild_id = int(data["guild_id"])
        payload = {**data}
        for session in self._sessions.values():
            if session.intents & GUILD_MESSAGES_INTENT and self._session_has_guild(
                session, guild_id
            ):
                session.send_event(event, payload)


# ----- helpers ------------------------------------------------------------------------------


def _combine(permissions: Iterable[Permission]) -> int:
    value = 0
    for permission in permissions:
        value |= permission
    return value


def _fill_modal_component(component: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """A submitted copy of a modal component: text inputs carry ``values``, layout is kept."""
    if component.get("type") == 1:
        return {
            "type": 1,
            "components": [
                _fill_modal_component(c, values) for c in component.get("components", [])
            ],
        }
    if component.get("type") == 18:
        return {
            "type": 18,
            "id": component.get("id"),
            "component": _fill_modal_component(component["component"], values),
        }
    custom_id = component.get("custom_id")
    submitted: dict[str, Any] = {"type": component.get("type"), "custom_id": custom_id}
    if component.get("type") == 4:
        submitted["value"] = values.get(custom_id, "")
    return submitted


def _limit_headers(limit: int, remaining: int, reset_after: float, bucket: str) -> dict[str, str]:
    """Discord's X-RateLimit-* headers; times rounded up to the millisecond, as Discord's are,
    so a client that waits exactly ``Reset-After`` never comes back early."""
    reset_after = math.ceil(reset_after * 1000) / 1000
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": f"{math.ceil((time.time() + reset_after) * 1000) / 1000:.3f}",
        "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": bucket,
    }


def _rate_limited(
    retry_after: float,
    is_global: bool,
    scope: str,
    *,
    limit: int = 5,
    bucket: str = "loopback-bucket",
) -> web.Response:
    headers = {
        "Retry-After": str(math.ceil(retry_after)),
        **_limit_headers(limit, 0, retry_after, bucket),
        "X-RateLimit-Scope": scope,
        # discord.py treats a 429 without Via as a Cloudflare ban and gives up.
        "Via": "1.1 google",
    }
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    body = {
        "message": "You are being rate limited.",
        "retry_after": retry_after,
        "global": is_global,
    }
    if scope == "shared":
        body["code"] = 0
    return _json_response(body, status=429, headers=headers)


def _json_response(
    body: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """A JSON answer with Content-Type exactly ``application/json``: discord.py compares the
    header verbatim and treats anything else (aiohttp adds "; charset=utf-8") as text."""
    return web.Response(
        body=json.dumps(body).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


def _invalid_callback_type() -> DiscordError:
    return DiscordError(400, 40004, "Interaction response type is invalid for this interaction")


def _form_error(path: str, code: str, message: str) -> DiscordError:
    """A 50035 Invalid Form Body error for one field."""
    return DiscordError(
        400, 50035, "Invalid Form Body", {path: {"_errors": [{"code": code, "message": message}]}}
    )


def _error_response(error: DiscordError) -> web.Response:
    return _json_response(error.body, status=error.status)


def _json_handler(
    handler: Callable[[web.Request], Awaitable[Any]],
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            result = await handler(request)
        except DiscordError as error:
            return _error_response(error)
        if isinstance(result, web.StreamResponse):
            return result
        if result is None:
            return web.Response(status=204)
        return _json_response(result)

    return wrapped


async def _read_body(request: web.Request, record: RecordedRequest) -> None:
    if request.content_type == "application/json":
        raw = await request.read()
        record.json = json.loads(raw) if raw else None
    elif request.content_type == "multipart/form-data":
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            name = part.name or ""  # type: ignore[union-attr]
            data = await part.read()  # type: ignore[union-attr]
            if name == "payload_json":
                record.json = json.loads(data)
            else:
                record.files.append(
                    RecordedFile(
                        field_name=name,
                        filename=part.filename or name,  # type: ignore[union-attr]
                        content_type=part.headers.get("Content-Type", "application/octet-stream"),  # type: ignore[union-attr]
                        data=bytes(data),
                    )
                )
