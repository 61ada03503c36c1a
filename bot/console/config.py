"""The settings' console page: /config, /config moderator-role, log-channel and
confidence-threshold for the console's one local server."""

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


async def _show(console: Console, named: dict[str, str], words: list[str]) -> str:
    role = await console.app.config.moderator_role(CONSOLE_GUILD)
    channel = await console.app.config.log_channel(CONSOLE_GUILD)
    return (
        f"Moderator role: {role if role is not None else 'none (Manage Server only)'}\n"
        f"Log channel: {'#' + channel if channel else 'none'}\n"
        "Change them with /config moderator-role and /config log-channel."
    )


class ConsoleNoticePoster:
    """Shows the notices for the console's moderator (the user) after a command's answer."""

    def __init__(self) -> None:
        self.printed: list[str] = []

    async def post(self, channel_id: str, text: str, nonce: str) -> str:
        """Keep the notice's text for the console to print."""
        self.printed.append(f"[notice in #{channel_id}]\n{text}")
        return f"console-{nonce}"


def register_console(console: Console) -> None:
    """Add /config, /config moderator-role and /config log-channel to a console, and print
    the notices for its moderators after each command."""
    poster = ConsoleNoticePoster()
    notices = console.app.config.notice_sender(poster)

    async def print_notices() -> str:
        await notices.run_once(None, only_guild=CONSOLE_GUILD)
        printed, poster.printed = poster.printed, []
        return "\n\n".join(printed)

    console.after_command.append(print_notices)
    console.register(ConsoleCommand("config", _show, (), "this server's settings"))
    console.register(
        ConsoleCommand(
            "config moderator-role", _moderator_role, ("role",), "choose the moderator role"
        )
    )
    register_log_channel(console)
    console.register(
        ConsoleCommand(
            "config confidence-threshold",
            _threshold,
            ("threshold",),
            "how sure a reading must be not to be marked unconfirmed",
        )
    )


async def _threshold(console: Console, named: dict[str, str], words: list[str]) -> str:
    text = named.get("threshold") or (words[0] if words else "")
    value = await console.app.review.set_threshold(CONSOLE_GUILD, text, console.user_id)
    return (
        f"Confidence threshold: {value:.0%}. Automatic readings less sure than that are shown"
        " as unconfirmed here, and held for review by subscriptions that hold uncertain items."
    )


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
