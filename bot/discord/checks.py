"""Permission checks: what Discord shows (``default_permissions``) and what the bot enforces."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import discord
from discord import app_commands

from bot.discord.client import NotModerator
from bot.errors import BanwatchError
from bot.log_notices import home_guild

T = TypeVar("T")

NOT_IN_GUILD = "This command works only inside a server."
NOT_MODERATOR = (
    "Sorry, only moderators can do that: members with the Manage Server permission"
    " or the moderator role set with `/config moderator-role`."
)
NOT_HOME = (
    "Feeds are shared by every server and managed by the moderators of banwatch's home"
    " server; ask them there."
)
NO_HOME = (
    "banwatch is in several servers and none is its home: the host sets BANWATCH_HOME_GUILD"
    " to the server whose moderators manage feeds."
)
NOT_MANAGER = "Sorry, only members with the Manage Server permission can change the settings."


async def is_moderator(interaction: discord.Interaction) -> bool:
    """Manage Server, or the guild's configured moderator role."""
    member = interaction.user
    if interaction.guild_id is None or not isinstance(member, discord.Member):
        return False
    if member.guild_permissions.manage_guild:
        return True
    config = interaction.client.app.config  # type: ignore[attr-defined]
    role_id = await config.moderator_role(interaction.guild_id)
    return role_id is not None and any(role.id == role_id for role in member.roles)


async def ensure_reviewer(interaction: discord.Interaction) -> None:
    """Raise (with a private, polite reason) unless the user may review readings: a
    moderator of the home server (see :mod:`bot.review`)."""
    if interaction.guild_id is None:
        raise NotModerator(NOT_IN_GUILD)
    if not await is_moderator(interaction):
        raise NotModerator(NOT_MODERATOR)
    review = interaction.client.app.review  # type: ignore[attr-defined]
    guild_ids = [guild.id for guild in interaction.client.guilds]
    try:
        review.check_reviewer(interaction.guild_id, guild_ids)
    except BanwatchError as exc:
        raise NotModerator(str(exc)) from None


def reviewer_only() -> Callable[[T], T]:
    """Enforce :func:`ensure_reviewer`: readings are shared by every server, so only the
    home server's moderators change them."""

    async def predicate(interaction: discord.Interaction) -> bool:
        await ensure_reviewer(interaction)
        return True

    return app_commands.check(predicate)


def moderator_only() -> Callable[[T], T]:
    """Enforce :func:`is_moderator`, refusing politely (ephemeral) otherwise.

    No ``default_permissions`` here: Discord would then hide the command from members who
    hold only the moderator role, and the role is banwatch's own setting.
    """

    async def predicate(interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            raise NotModerator(NOT_IN_GUILD)
        if not await is_moderator(interaction):
            raise NotModerator(NOT_MODERATOR)
        return True

    return app_commands.check(predicate)


def manager_only() -> Callable[[T], T]:
    """Manage Server, shown by Discord as the command's default permission and enforced here."""

    async def predicate(interaction: discord.Interaction) -> bool:
        member = interaction.user
        if interaction.guild_id is None or not isinstance(member, discord.Member):
            raise NotModerator(NOT_IN_GUILD)
        if not member.guild_permissions.manage_guild:
            raise NotModerator(NOT_MANAGER)
        return True

    def decorator(function: T) -> T:
        checked = app_commands.check(predicate)(function)
        return app_commands.default_permissions(manage_guild=True)(checked)

    return decorator


def home_guild_id(client: discord.Client) -> int | None:
    """The home server: BANWATCH_HOME_GUILD, else the one server the bot is in."""
    configured = client.app.home_guild_id  # type: ignore[attr-defined]
    return home_guild(configured, [guild.id for guild in client.guilds])


def home_moderator_only() -> Callable[[T], T]:
    """A moderator (:func:`is_moderator`) of the home server: for what every server shares,
    such as the feeds that fill the one corpus."""

    async def predicate(interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            raise NotModerator(NOT_IN_GUILD)
        home = home_guild_id(interaction.client)
        if home is None:
            raise NotModerator(NO_HOME)
        if interaction.guild_id != home:
            raise NotModerator(NOT_HOME)
        if not await is_moderator(interaction):
            raise NotModerator(NOT_MODERATOR)
        return True

    return app_commands.check(predicate)
