"""The privacy console page: /privacy mydata and forget, for the console's local user."""

from __future__ import annotations

import json

from bot.console import YES, Console, ConsoleCommand
from bot.privacy import render_forget, render_mydata


async def _mydata(console: Console, named: dict[str, str], words: list[str]) -> str:
    data = await console.app.privacy.mydata(console.user_id)
    return render_mydata(data) + "\n\n" + json.dumps(data, indent=2, ensure_ascii=False)


async def _forget(console: Console, named: dict[str, str], words: list[str]) -> str:
    confirmed = named.get("confirm", "").lower() in YES or [w.lower() for w in words] == ["yes"]
    if not confirmed:
        return (
            "This erases everything banwatch holds about you, signatures included."
            " Type `/privacy forget confirm:yes` to go ahead."
        )
    return render_forget(await console.app.privacy.forget(console.user_id))


COMMANDS = (
    ConsoleCommand("privacy mydata", _mydata, (), "everything banwatch holds about you"),
    ConsoleCommand("privacy forget", _forget, ("confirm",), "erase everything about you"),
)


def register_console(console: Console) -> None:
    """Add the /privacy commands to a console."""
    for command in COMMANDS:
        console.register(command)
