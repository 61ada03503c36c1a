"""The tracker's console page: /status, /timeline and /cities, as the tracker cog answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import render
from bot.models import CONSOLE_GUILD
from bot.petitions import render_open_petitions

if TYPE_CHECKING:
    from bot.console import Console


def _place_argument(named: dict[str, str], words: list[str], key: str = "place") -> str:
    return named.get(key) or " ".join(words)


async def _status(console: Console, named: dict[str, str], words: list[str]) -> str:
    result = await console.app.status(_place_argument(named, words))
    answer = render.render_status(
        result, threshold=await console.app.review.threshold(CONSOLE_GUILD)
    )
    petitions = await console.app.petitions.open_for_place(
        guild_id=CONSOLE_GUILD, place_key=result.jurisdiction.key
    )
    if petitions:
        answer += "\n\nOpen petitions:\n" + render_open_petitions(petitions)
    return answer


async def _timeline(console: Console, named: dict[str, str], words: list[str]) -> str:
    result = await console.app.timeline(_place_argument(named, words))
    threshold = await console.app.review.threshold(CONSOLE_GUILD)
    return render.render_timeline(result, threshold=threshold)


async def _cities(console: Console, named: dict[str, str], words: list[str]) -> str:
    status = named.get("status")
    state = named.get("state")
    for word in words:
        if status is None and word.lower() in render.STATUS_LABELS:
            status = word
        elif state is None:
            state = word
    results = await console.app.cities(status=status, state=state)
    return render.render_cities(results, await console.app.review.threshold(CONSOLE_GUILD))


def register_console(console: Console) -> None:
    """Add /status, /timeline and /cities to a console."""
    from bot.console import ConsoleCommand

    for command in (
        ConsoleCommand("status", _status, ("place",), "status of a place"),
        ConsoleCommand("timeline", _timeline, ("place",), "dated events for a place"),
        ConsoleCommand("cities", _cities, ("status", "state"), "places by status"),
    ):
        console.register(command)
