"""The settings' console page: /config moderator-role and log-channel for the console's one
local server."""

from __future__ import annotations

from bot.console import CONSOLE_GUILD, Console, ConsoleCommand
from bot.errors import BanwatchError


async def _moderator_role(console: Console, named: dict[str, str], words: list[str]) -> str:
    role = named.get("role") or (words[0] if words else "")
    if role and not role.isdigit():
        raise BanwatchError("Give the role's id (a number), or nothing to clear it.")
    await console.app.config.set_moderator_role(
        CONSOLE_GUILD, int(role) if role else None, actor_id=console.user_id, role_name=role
    )
    if role:
        return f"Members with the role {role} are now banwatch moderators."
    return "Moderator role cleared: only members with Manage Server are moderators."


def register_console(console: Console) -> None:
    """Add /config moderator-role and /config log-channel to a console."""
    console.register(
        ConsoleCommand(
            "config moderator-role", _moderator_role, ("role",), "choose the moderator role"
        )
    )
    register_log_channel(console)


async def _log_channel(console: Console, named: dict[str, str], words: list[str]) -> str:
    channel = (named.get("channel") or (words[0] if words else "")).lstrip("#")
    await console.app.config.set_log_channel(
        CONSOLE_GUILD, channel or None, actor_id=console.user_id, channel_name=channel
    )
    if channel:
        return f"Notices for moderators now go to #{channel}."
    return "Log channel cleared."


def register_log_channel(console: Console) -> None:
    """Add /config log-channel to a console."""
    console.register(
        ConsoleCommand(
            "config log-channel", _log_channel, ("channel",), "where moderators get notices"
        )
    )
