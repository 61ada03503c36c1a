"""The alerts' console page: /alerts commands, and alerts printed as text as the corpus grows.

The console is one local "server" (:data:`bot.models.CONSOLE_GUILD`); its channels are names
typed by the user.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.alerts.models import AlertMessage, OutboxEntry
from bot.alerts.service import render_text, subscription_line
from bot.errors import BanwatchError
from bot.models import CONSOLE_GUILD

if TYPE_CHECKING:
    from bot.console import Console


# The console's own "channel": where its moderator (the user) is told what went wrong.
CONSOLE_CHANNEL = "console"


class ConsolePoster:
    """Delivers alerts by collecting them as text for the console to print."""

    def __init__(self) -> None:
        self.printed: list[str] = []

    async def post(self, entry: OutboxEntry, message: AlertMessage) -> str:
        """Keep the alert's text; the console prints it after the command's answer."""
        self.printed.append(f"[alert in #{entry.channel_id}]\n{render_text(message)}")
        return f"console-{entry.id}"

    async def edit(self, entry: OutboxEntry, message: AlertMessage) -> None:
        """Show the grown post again."""
        self.printed.append(f"[alert updated in #{entry.channel_id}]\n{render_text(message)}")

    async def find_post(
        self, entry: OutboxEntry, pace: Callable[[], Awaitable[None]]
    ) -> str | None:
        """The console has no forums: nothing to look for."""
        return None

    async def reachable(self, channel_id: str) -> bool:
        """A console channel is a name: always there."""
        return True



class ConsoleAlerts:
    """The /alerts commands in the console, and printing alerts as the corpus gains items."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.alerts = console.app.alerts
        self.poster = ConsolePoster()
        self.sender = self.alerts.sender(self.poster, rate=1000.0, only_guild=CONSOLE_GUILD)

    async def deliver(self, rescan: bool = False) -> str:
        """Ingest (optionally), match new items and return the alerts as text."""
        if rescan:
            await self.console.app.ingest()
        await self.alerts.scan()
        await self.sender.run_once()
        printed, self.poster.printed = self.poster.printed, []
        return "\n\n".join(printed)

    async def subscribe(self, console: Console, named: dict[str, str], words: list[str]) -> str:
        channel = named.get("channel") or (words[0] if words else "")
        if not channel:
            raise BanwatchError("Which channel? e.g. `/alerts subscribe channel:news state:MA`.")
        try:
            hour = int(named["digest_hour"]) if "digest_hour" in named else None
            backfill = int(named.get("backfill", "0"))
        except ValueError:
            raise BanwatchError("`digest_hour` and `backfill` are whole numbers.") from None
        subscription, queued = await self.alerts.subscribe(
            guild_id=CONSOLE_GUILD,
            channel_id=channel.lstrip("#"),
            actor_id=console.user_id,
            channel_kind=named.get("kind", "text"),
            place=named.get("place"),
            state=named.get("state"),
            country=named.get("country"),
            actions=named.get("actions"),
            keywords=named.get("keywords"),
            mode=named.get("mode", "item"),
            digest_hour=hour,
            role_id=named.get("role"),
            backfill=backfill,
            review=named.get("review"),
            created_in=CONSOLE_CHANNEL,
        )
        answer = f"Subscribed: {subscription_line(subscription)}. It starts from now"
        answer += f"; {queued} earlier item(s) queued as backfill." if queued else "."
        return answer

    async def review(self, console: Console, named: dict[str, str], words: list[str]) -> str:
        mode = named.get("mode") or (words[1] if len(words) > 1 else "")
        subscription = await self.alerts.set_review_mode(
            CONSOLE_GUILD, _id(named, words), mode, console.user_id
        )
        return f"Subscription #{subscription.id} now {subscription.describe_review()}."

    async def list(self, console: Console, named: dict[str, str], words: list[str]) -> str:
        subscriptions = await self.alerts.subscriptions(CONSOLE_GUILD)
        paused = await self.alerts.paused(CONSOLE_GUILD)
        lines = ["Alerts are PAUSED."] if paused else []
        lines += [subscription_line(s) for s in subscriptions] or ["No alert subscriptions."]
        return "\n".join(lines)

    async def unsubscribe(self, console: Console, named: dict[str, str], words: list[str]) -> str:
        subscription = await self.alerts.unsubscribe(
            CONSOLE_GUILD, _id(named, words), console.user_id
        )
        return f"Removed subscription #{subscription.id} ({subscription.channel_id})."

    async def preview(self, console: Console, named: dict[str, str], words: list[str]) -> str:
        messages = await self.alerts.preview(CONSOLE_GUILD, _id(named, words))
        if not messages:
            return "No item matches this subscription yet."
        return "\n\n".join(render_text(message) for message in messages)

    async def pause(self, console: Console, named: dict[str, str], words: list[str]) -> str:
        changed = await self.alerts.set_paused(CONSOLE_GUILD, True, console.user_id)
        return "Alerts paused." if changed else "Alerts were already paused."

    async def resume(self, console: Console, named: dict[str, str], words: list[str]) -> str:
        changed = await self.alerts.set_paused(CONSOLE_GUILD, False, console.user_id)
        await self.alerts.recheck(self.sender, guild_id=CONSOLE_GUILD)
        return "Alerts resumed." if changed else "Alerts were not paused."

    async def why(self, console: Console, named: dict[str, str], words: list[str]) -> str:
        article_id = named.get("item") or " ".join(words)
        answers = await self.alerts.why(CONSOLE_GUILD, article_id)
        return "\n".join(f"#{s.id} → {s.channel_id}: {text}" for s, text in answers)

    async def check(self, console: Console, named: dict[str, str], words: list[str]) -> str:
        await self.alerts.recheck(self.sender, guild_id=CONSOLE_GUILD)
        delivered = await self.deliver(rescan=True)
        return delivered or "No new alerts."


def _id(named: dict[str, str], words: list[str]) -> int:
    text = (named.get("id") or (words[0] if words else "")).lstrip("#")
    # ASCII digits only: int() would also read "-3", "²" is a digit to str.isdigit.
    if not (text.isascii() and text.isdigit()):
        raise BanwatchError("Give the subscription number, e.g. `/alerts preview 2`.")
    return int(text)


def register_console(console: Console) -> None:
    """Add the /alerts commands to the console."""
    from bot.console import ConsoleCommand

    part = ConsoleAlerts(console)
    # After any command (an /article add or import, a correction, /alerts ...), print the
    # alerts the console's channels get for what the corpus gained.
    console.after_command.append(part.deliver)
    # The options of the Discord command, named as there.
    filters = ("channel", "place", "state", "country", "actions", "keywords", "mode", "digest_hour")
    commands = (
        (
            "subscribe",
            part.subscribe,
            (*filters, "kind", "role", "backfill", "review"),
            "add alerts (review: all, hold or confirmed)",
        ),
        ("review", part.review, ("id", "mode"), "hold a subscription's uncertain items or not"),
        ("list", part.list, (), "this server's alert subscriptions"),
        ("unsubscribe", part.unsubscribe, ("id",), "remove a subscription"),
        ("preview", part.preview, ("id",), "what a subscription would post"),
        ("pause", part.pause, (), "pause every alert"),
        ("resume", part.resume, (), "resume alerts"),
        ("why", part.why, ("item",), "why an item was or wasn't posted"),
        ("check", part.check, (), "re-read the corpus and print new alerts"),
    )
    for name, handler, options, summary in commands:
        console.register(ConsoleCommand(f"alerts {name}", handler, options, summary))
