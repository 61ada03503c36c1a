"""What banwatch may do in a server, derived from its features.

Each cog declares, next to its code, the permissions it uses and why, as a module-level
``PERMISSIONS`` tuple of :class:`Need` (an empty tuple when its answers are only interaction
replies, which need no channel permission). The invite link (``banwatch invite``) asks for
exactly their union, and ``banwatch doctor`` checks each alert channel for the ones declared
for its kind. A new cog must declare its own (tests/discord/test_permissions.py fails
otherwise).
"""

from __future__ import annotations

import base64
import binascii
import importlib
from collections.abc import Iterable
from dataclasses import dataclass

import discord

from bot.discord.client import EXTENSIONS

# The OAuth2 scopes: the bot user joins the server, and its slash commands are allowed there.
SCOPES = ("bot", "applications.commands")
SCOPE_REASONS = {
    "bot": "the bot joins the server as a member (with the permissions below)",
    "applications.commands": "its slash commands can be used there",
}

# How Discord's settings name the flags where discord.py's name, title-cased, would not do.
LABELS = {
    "mention_everyone": "Mention @everyone, @here, and All Roles",
    "send_messages_in_threads": "Send Messages in Threads",
    "use_external_emojis": "Use External Emojis",
}


# A forum channel's settings name two of them after its posts.
FORUM_LABELS = {
    "send_messages": "Create Posts (Send Messages)",
    "send_messages_in_threads": "Send Messages in Posts",
}


@dataclass(frozen=True, slots=True)
class Need:
    """A permission a feature uses, why, and the kinds of channel ``banwatch doctor`` checks
    it in (alert channels: ``text``, ``announcement``, ``forum``; ``role`` for role pings)."""

    permission: str
    why: str
    checked_in: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.permission not in discord.Permissions.VALID_FLAGS:
            raise ValueError(f"{self.permission!r} is not a Discord permission (discord.py name)")

    @property
    def label(self) -> str:
        """The permission as Discord's settings show it."""
        return permission_label(self.permission)

    def label_in(self, kind: str) -> str:
        """The permission as a channel of ``kind`` (``forum``, ``text``...) shows it."""
        if kind == "forum":
            return FORUM_LABELS.get(self.permission, self.label)
        return self.label


def permission_label(name: str) -> str:
    """``send_messages`` -> ``Send Messages``."""
    return LABELS.get(name) or name.replace("_", " ").title()


def declared_needs(extensions: Iterable[str] = EXTENSIONS) -> dict[str, tuple[Need, ...]]:
    """Each extension's declared needs, by extension name (default: the shipped cogs)."""
    found = {}
    for name in extensions:
        module = importlib.import_module(name)
        needs = getattr(module, "PERMISSIONS", None)
        if needs is None:
            raise LookupError(
                f"{name} declares no PERMISSIONS: add a tuple of bot.discord.permissions.Need"
                " (empty if it only answers interactions)"
            )
        found[name] = tuple(needs)
    return found


def required_permissions(needs: dict[str, tuple[Need, ...]]) -> discord.Permissions:
    """The union of every declared need."""
    permissions = discord.Permissions.none()
    for declared in needs.values():
        for need in declared:
            setattr(permissions, need.permission, True)
    return permissions


def reasons(needs: dict[str, tuple[Need, ...]]) -> list[tuple[str, int, list[str]]]:
    """(label, bit, why for each feature that needs it), in Discord's bit order."""
    by_flag: dict[str, list[str]] = {}
    for extension, declared in needs.items():
        feature = extension.rsplit(".", 1)[-1]
        for need in declared:
            by_flag.setdefault(need.permission, []).append(f"{feature}: {need.why}")
    rows = []
    for flag, why in by_flag.items():
        bit = getattr(discord.Permissions, flag).flag
        rows.append((permission_label(flag), bit, why))
    rows.sort(key=lambda row: row[1])
    return rows


def needs_in(needs: dict[str, tuple[Need, ...]], kind: str) -> list[Need]:
    """The needs checked in a kind of channel (``text``, ``forum``, ``role``...), once each."""
    found: dict[str, Need] = {}
    for declared in needs.values():
        for need in declared:
            if kind in need.checked_in:
                found.setdefault(need.permission, need)
    return list(found.values())


def invite_url(
    application_id: int, permissions: discord.Permissions, guild_id: int | None = None
) -> str:
    """The OAuth2 link that adds the bot with these permissions and banwatch's scopes."""
    options = {"guild": discord.Object(guild_id)} if guild_id else {}
    return discord.utils.oauth_url(
        application_id, permissions=permissions, scopes=SCOPES, **options
    )


def application_id_from_token(token: str) -> int | None:
    """The bot's id, which is its application's id: a token's first part is it in base64."""
    head = token.strip().split(".", 1)[0]
    try:
        decoded = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return int(decoded) if decoded.isdigit() and 15 <= len(decoded) <= 21 else None
