"""The petitions' console page: /petition commands, acting as the console's local user."""

from __future__ import annotations

from pathlib import Path

from bot.console import CONSOLE_GUILD, YES, Console, ConsoleCommand
from bot.errors import BanwatchError
from bot.petitions import Petitions, render_petition, render_petition_list
from bot.privacy import CONSENT_QUESTION, ConsentRequired
from bot.render import plural


def _petitions(console: Console) -> Petitions:
    return console.app.petitions


def _petition_id(named: dict[str, str], words: list[str]) -> str:
    value = named.get("id") or (words.pop(0) if words else "")
    if not value:
        raise BanwatchError("Which petition? Give its number, e.g. `/petition show 3`.")
    return value


async def _create(console: Console, named: dict[str, str], words: list[str]) -> str:
    petition = await _petitions(console).create(
        guild_id=CONSOLE_GUILD,
        created_by=console.user_id,
        title=named.get("title") or " ".join(words),
        demand=named.get("demand", ""),
        target=named.get("target", ""),
        goal=named.get("goal", ""),
        place=named.get("place"),
        deadline=named.get("deadline"),
    )
    return "Created.\n" + render_petition(petition)


async def _list(console: Console, named: dict[str, str], words: list[str]) -> str:
    place = named.get("place") or " ".join(words) or None
    return render_petition_list(await _petitions(console).list(guild_id=CONSOLE_GUILD, place=place))


async def _show(console: Console, named: dict[str, str], words: list[str]) -> str:
    petitions = _petitions(console)
    petition = await petitions.get(_petition_id(named, words), guild_id=CONSOLE_GUILD)
    return render_petition(petition, await petitions.revisions(petition))


async def _sign(console: Console, named: dict[str, str], words: list[str]) -> str:
    number = _petition_id(named, words)
    try:
        receipt = await _petitions(console).sign(
            number,
            console.user_id,
            guild_id=CONSOLE_GUILD,
            public_name=named.get("public_name"),
            zip_code=named.get("zip"),
            reason=named.get("reason"),
            consent=named.get("agree", "").lower() in YES,
        )
    except ConsentRequired as question:
        # A question before a first signature, not an error.
        return f"{question.notice}\n\n{CONSENT_QUESTION}"
    petition = receipt.petition
    if receipt.already_signed:
        return (
            f"You have already signed petition #{petition.id}"
            f" ({plural(receipt.count, 'signature')})."
        )
    return f"Signed petition #{petition.id}: {receipt.count:,} of {petition.goal:,} signatures."


async def _unsign(console: Console, named: dict[str, str], words: list[str]) -> str:
    receipt = await _petitions(console).unsign(
        _petition_id(named, words), console.user_id, guild_id=CONSOLE_GUILD
    )
    return (
        f"Your signature on petition #{receipt.petition.id} is withdrawn ({receipt.count:,} left)."
    )


async def _close(console: Console, named: dict[str, str], words: list[str]) -> str:
    petition = await _petitions(console).close(
        _petition_id(named, words), guild_id=CONSOLE_GUILD, closed_by=console.user_id
    )
    return f"Closed petition #{petition.id} with {petition.signature_count:,} signatures."


async def _edit(console: Console, named: dict[str, str], words: list[str]) -> str:
    petition, revisions = await _petitions(console).edit(
        _petition_id(named, words),
        guild_id=CONSOLE_GUILD,
        edited_by=console.user_id,
        title=named.get("title"),
        demand=named.get("demand"),
        target=named.get("target"),
    )
    changed = ", ".join(r.field for r in revisions) or "nothing (same text)"
    return f"Changed {changed}.\n" + render_petition(petition)


async def _export(console: Console, named: dict[str, str], words: list[str]) -> str:
    export = await _petitions(console).export(_petition_id(named, words), guild_id=CONSOLE_GUILD)
    directory = named.get("dir")
    if directory:
        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        for name, content in export.files.items():
            (target / name).write_bytes(content)
        return "Wrote " + ", ".join(str(target / name) for name in export.files)
    return "\n\n".join(
        f"== {name}\n{content.decode('utf-8').rstrip()}" for name, content in export.files.items()
    )


COMMANDS = (
    ConsoleCommand(
        "petition create",
        _create,
        ("title", "demand", "target", "place", "goal", "deadline"),
        "new petition (title: demand: target: goal: [place:] [deadline:])",
    ),
    ConsoleCommand("petition list", _list, ("place",), "petitions, optionally for a place"),
    ConsoleCommand("petition show", _show, ("id",), "one petition with its progress"),
    ConsoleCommand(
        "petition sign",
        _sign,
        ("id", "public_name", "zip", "reason", "agree"),
        "sign (first time: agree:yes after reading the notice)",
    ),
    ConsoleCommand("petition unsign", _unsign, ("id",), "withdraw your signature"),
    ConsoleCommand("petition close", _close, ("id",), "close a petition"),
    ConsoleCommand(
        "petition edit", _edit, ("id", "title", "demand", "target"), "change a petition's text"
    ),
    ConsoleCommand("petition export", _export, ("id", "dir"), "CSV and OSDI JSON for delivery"),
)


def register_console(console: Console) -> None:
    """Add the /petition commands to a console."""
    for command in COMMANDS:
        console.register(command)
