"""The settings' console page: /config moderator-role for the console's one local server."""

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
    """Add /config moderator-role to a console."""
    console.register(
        ConsoleCommand(
            "config moderator-role", _moderator_role, ("role",), "choose the moderator role"
        )
    )
