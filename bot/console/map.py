"""The map's console page: /map draws the picture the map cog posts, into a PNG file."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.console import CONSOLE_GUILD, Console, ConsoleCommand
from bot.console.cli import command, open_app
from bot.errors import BanwatchError
from bot.settings import Settings

DEFAULT_PICTURE = "banwatch-map.png"


async def _map(console: Console, named: dict[str, str], words: list[str]) -> str:
    region = named.get("region") or (words[0] if words else "us")
    target = Path(named.get("out") or DEFAULT_PICTURE).expanduser()
    if target.is_dir():
        target = target / DEFAULT_PICTURE
    if not target.parent.is_dir():
        raise BanwatchError(f"The folder {target.parent} does not exist.")
    picture = await console.app.map.picture(region, named.get("state"), guild_id=CONSOLE_GUILD)
    try:
        target.write_bytes(picture.png)
    except OSError as exc:
        raise BanwatchError(f"Can't write {target}: {exc.strerror or exc}") from None
    return f"Map written to {target}.\n{picture.caption()}"


def register_console(console: Console) -> None:
    """Add /map to a console."""
    console.register(
        ConsoleCommand(
            "map", _map, ("region", "state", "out"), "draw the map of statuses into a PNG file"
        )
    )


@command("map")
async def cmd_map(args: argparse.Namespace, settings: Settings) -> int:
    """``banwatch map --out map.png [--region R | --state S]``."""
    target = Path(args.out).expanduser()
    async with open_app(settings, ingest=True) as app:
        picture = await app.map.picture(args.region, args.state)
    try:
        target.write_bytes(picture.png)
    except OSError as exc:
        raise BanwatchError(f"Can't write {target}: {exc.strerror or exc}") from None
    print(f"Map written to {target}.\n{picture.caption()}")
    return 0


@command("site")
async def cmd_site(args: argparse.Namespace, settings: Settings) -> int:
    """``banwatch site --out DIR``."""
    async with open_app(settings, ingest=True) as app:
        result = await app.map.site(Path(args.out).expanduser())
    print(f"Status page written to {result.path} ({result.places} places).")
    return 0
