"""The loopback server's world: guilds, channels, roles and members as Discord payloads."""

from __future__ import annotations

import datetime
import itertools
import time
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000
_snowflake_counter = itertools.count()


def new_snowflake() -> int:
    """A fresh, increasing Discord snowflake for the current time."""
    milliseconds = int(time.time() * 1000) - DISCORD_EPOCH_MS
    return (milliseconds << 22) | (next(_snowflake_counter) % 4096)


def iso_now() -> str:
    """The current time as Discord writes timestamps."""
    return datetime.datetime.now(datetime.UTC).isoformat()


@dataclass(frozen=True)
class Upload:
    """A file a user attaches to a slash-command option (type 11); the server serves its bytes."""

    filename: str
    data: bytes
    content_type: str = "application/octet-stream"
    # The size Discord reports; defaults to len(data) (set it to fake a huge file cheaply).
    size: int | None = None


class ChannelType(IntEnum):
    """The channel types the loopback server models."""

    text = 0
    category = 4
    announcement = 5
    announcement_thread = 10
    public_thread = 11
    private_thread = 12
    forum = 15


class Permission(IntEnum):
    """Discord permission bits the tests are likely to care about."""

    create_instant_invite = 1 << 0
    kick_members = 1 << 1
    ban_members = 1 << 2
    administrator = 1 << 3
    manage_channels = 1 << 4
    manage_guild = 1 << 5
    add_reactions = 1 << 6
    view_channel = 1 << 10
    send_messages = 1 << 11
    manage_messages = 1 << 13
    embed_links = 1 << 14
    attach_files = 1 << 15
    read_message_history = 1 << 16
    mention_everyone = 1 << 17
    use_external_emojis = 1 << 18
    manage_roles = 1 << 28
    manage_webhooks = 1 << 29
    use_application_commands = 1 << 31
    manage_threads = 1 << 34
    create_public_threads = 1 << 35
    send_messages_in_threads = 1 << 38


ALL_PERMISSIONS = (1 << 53) - 1

EVERYONE_PERMISSIONS = (
    Permission.create_instant_invite
    | Permission.add_reactions
    | Permission.view_channel
    | Permission.send_messages
    | Permission.embed_links
    | Permission.attach_files
    | Permission.read_message_history
    | Permission.use_external_emojis
    | Permission.use_application_commands
    | Permission.create_public_threads
    | Permission.send_messages_in_threads
)

BOT_PERMISSIONS = EVERYONE_PERMISSIONS | Permission.manage_messages | Permission.manage_threads


@dataclass
class User:
    """A Discord user."""

    id: int
    name: str
    bot: bool = False

    def to_payload(self) -> dict[str, Any]:
        """The user object Discord sends."""
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": self.name,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "system": False,
            "public_flags": 0,
            "flags": 0,
        }


@dataclass
class Role:
    """A guild role; the @everyone role has the guild's id."""

    id: int
    name: str
    permissions: int = 0
    position: int = 0
    managed: bool = False
    bot_id: int | None = None
    mentionable: bool = False

    def to_payload(self) -> dict[str, Any]:
        """The role object Discord sends."""
        payload: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            payload["tags"] = {"bot_id": str(self.bot_id)}
        return payload


@dataclass
class Member:
    """A guild member: a user plus role ids."""

    user: User
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)

    @property
    def id(self) -> int:
        """The member's user id."""
        return self.user.id

    def to_payload(self, permissions: int | None = None) -> dict[str, Any]:
        """The guild member object Discord sends (with ``permissions`` inside interactions)."""
        payload: dict[str, Any] = {
            "user": self.user.to_payload(),
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "roles": [str(role_id) for role_id in self.role_ids],
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if permissions is not None:
            payload["permissions"] = str(permissions)
        return payload


class OverwriteType(IntEnum):
    """Whom a permission overwrite is for."""

    role = 0
    member = 1


@dataclass
class Overwrite:
    """A channel's permission overwrite for one role or member."""

    id: int
    type: OverwriteType
    allow: int = 0
    deny: int = 0

    def to_payload(self) -> dict[str, Any]:
        """The overwrite object Discord sends inside a channel."""
        return {
            "id": str(self.id),
            "type": int(self.type),
            "allow": str(self.allow),
            "deny": str(self.deny),
        }


@dataclass
class Channel:
    """A guild channel or thread."""

    id: int
    guild_id: int
    name: str
    type: ChannelType = ChannelType.text
    position: int = 0
    topic: str | None = None
    parent_id: int | None = None
    owner_id: int | None = None
    available_tags: list[dict[str, Any]] = field(default_factory=list)
    applied_tags: list[int] = field(default_factory=list)
    # Threads: when it was made, and whether (since when) it is archived.
    created_at: str = field(default_factory=iso_now)
    archived: bool = False
    archive_timestamp: str | None = None
    auto_archive_duration: int = 4320
    # Permission overwrites by role or member id (threads follow their parent's).
    overwrites: dict[int, Overwrite] = field(default_factory=dict)

    @property
    def is_thread(self) -> bool:
        """Whether this channel is a thread."""
        return self.type in (
            ChannelType.announcement_thread,
            ChannelType.public_thread,
            ChannelType.private_thread,
        )

    def to_payload(self, message_count: int = 0) -> dict[str, Any]:
        """The channel object Discord sends."""
        payload: dict[str, Any] = {
            "id": str(self.id),
            "guild_id": str(self.guild_id),
            "type": int(self.type),
            "name": self.name,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "flags": 0,
        }
        if self.is_thread:
            payload.update(
                owner_id=str(self.owner_id),
                message_count=message_count,
                member_count=1,
                total_message_sent=message_count,
                rate_limit_per_user=0,
                applied_tags=[str(tag) for tag in self.applied_tags],
                thread_metadata={
                    "archived": self.archived,
                    "auto_archive_duration": self.auto_archive_duration,
                    "archive_timestamp": self.archive_timestamp or self.created_at,
                    "locked": False,
                    "create_timestamp": self.created_at,
                },
            )
            return payload
        payload.update(
            position=self.position,
            permission_overwrites=[o.to_payload() for o in self.overwrites.values()],
            nsfw=False,
            topic=self.topic,
            rate_limit_per_user=0,
            last_message_id=None,
        )
        if self.type == ChannelType.forum:
            payload.update(
                available_tags=self.available_tags,
                default_reaction_emoji=None,
                default_thread_rate_limit_per_user=0,
                default_sort_order=None,
                default_forum_layout=0,
            )
        return payload


@dataclass
class Guild:
    """A guild with its roles, channels and members."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)

    @property
    def everyone(self) -> Role:
        """The @everyone role."""
        return self.roles[self.id]

    def channel_named(self, name: str) -> Channel:
        """The channel called ``name``."""
        for channel in self.channels.values():
            if channel.name == name:
                return channel
        raise KeyError(f"no channel named {name!r} in guild {self.name!r}")

    def role_named(self, name: str) -> Role:
        """The role called ``name``."""
        for role in self.roles.values():
            if role.name == name:
                return role
        raise KeyError(f"no role named {name!r} in guild {self.name!r}")

    def member_named(self, name: str) -> Member:
        """The member whose username is ``name``."""
        for member in self.members.values():
            if member.user.name == name:
                return member
        raise KeyError(f"no member named {name!r} in guild {self.name!r}")

    def permissions_of(self, member: Member) -> int:
        """Guild-level permissions of ``member`` (owner and administrator get everything)."""
        if member.id == self.owner_id:
            return ALL_PERMISSIONS
        permissions = self.everyone.permissions
        for role_id in member.role_ids:
            role = self.roles.get(role_id)
            if role is not None:
                permissions |= role.permissions
        if permissions & Permission.administrator:
            return ALL_PERMISSIONS
        return permissions

    def permissions_in(self, member: Member, channel: Channel) -> int:
        """``member``'s permissions in ``channel``, overwrites applied as Discord does:
        @everyone's, then the member's roles' (denies, then allows), then the member's own.
        A thread has its parent's."""
        permissions = self.permissions_of(member)
        if permissions == ALL_PERMISSIONS:
            return permissions
        if channel.is_thread and channel.parent_id in self.channels:
            channel = self.channels[channel.parent_id]
        overwrites = channel.overwrites
        everyone = overwrites.get(self.id)
        if everyone is not None:
            permissions = (permissions & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for role_id in member.role_ids:
            overwrite = overwrites.get(role_id)
            if overwrite is not None and overwrite.type == OverwriteType.role:
                allow |= overwrite.allow
                deny |= overwrite.deny
        permissions = (permissions & ~deny) | allow
        own = overwrites.get(member.id)
        if own is not None and own.type == OverwriteType.member:
            permissions = (permissions & ~own.deny) | own.allow
        if not permissions & Permission.view_channel:
            return 0
        return permissions

    def to_payload(self, *, channels_filter: bool = True) -> dict[str, Any]:
        """The GUILD_CREATE payload for this guild."""
        channels = [c.to_payload() for c in self.channels.values() if not c.is_thread]
        threads = [c.to_payload() for c in self.channels.values() if c.is_thread]
        for payload in channels:
            del payload["guild_id"]
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [role.to_payload() for role in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "preferred_locale": "en-US",
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "joined_at": iso_now(),
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "voice_states": [],
            "members": [member.to_payload() for member in self.members.values()],
            "channels": channels,
            "threads": threads,
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }
