"""The README's "Running on Discord" walkthrough, step by step as a new user follows it,
against the loopback Discord server: .env, invite, sync, start, moderator role, subscribe,
doctor."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest

from bot.console.cli import COMMAND_MODULES, COMMANDS, build_parser
from bot.settings import load_settings
from bot.store import Store
from tests.discord.harness import start_banwatch
from tests.loopback.server import LoopbackDiscord


async def banwatch(*argv: str) -> int:
    """``banwatch ARGV...`` in this process, settings found as a user's shell would."""
    args = build_parser().parse_args(list(argv))
    settings = load_settings().with_db(args.db).with_corpus(args.corpus)
    if args.command in COMMAND_MODULES:
        importlib.import_module(COMMAND_MODULES[args.command])
    return await COMMANDS[args.command](args, settings)


async def test_the_readme_walkthrough_in_order(
    loopback_discord: LoopbackDiscord,
    tmp_path: Path,
    corpus_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server, guild = loopback_discord, loopback_discord.guild
    for name in [n for n in os.environ if n.startswith(("BANWATCH_", "DISCORD_", "DEV_GUILD"))]:
        monkeypatch.delenv(name)
    home = tmp_path / "banwatch"
    home.mkdir()
    monkeypatch.chdir(home)
    # 1-2. The application exists; its token goes in .env (here with the server's address).
    (home / ".env").write_text(
        f"DISCORD_TOKEN={server.token}\n"
        f"DISCORD_API_BASE={server.api_base}\n"
        f"BANWATCH_CORPUS={corpus_dir}\n"
    )
    for name in ("DISCORD_TOKEN", "DISCORD_API_BASE", "BANWATCH_CORPUS"):
        monkeypatch.setenv(name, "")  # undone after the test, whatever the .env set
        monkeypatch.delenv(name)
    # 3. Invite: the link with this application's id (asked of Discord: not in this token).
    assert await banwatch("invite") == 0
    out = capsys.readouterr().out
    assert f"client_id={server.application_id}&scope=bot+applications.commands" in out
    # 4. Sync to the server, by its id.
    assert await banwatch("sync", "--guild", str(guild.id)) == 0
    assert f"to guild {guild.id}" in capsys.readouterr().out
    assert server.commands_for(guild)
    # 5. Start it (the database is where the quick start puts it: the working directory).
    settings = load_settings()
    assert settings.db_path == home / "banwatch.db"
    async with (
        await Store.open(settings.db_path) as store,
        start_banwatch(server, store, settings.corpus_dir) as harness,
    ):
        # 6. A manager sets the moderator role; 7. a moderator subscribes a channel.
        helpers = server.add_role("FR helpers")
        helper = server.add_member("helper", roles=[helpers])
        answer = await harness.slash("config moderator-role", {"role": helpers}, as_moderator=True)
        assert "now banwatch moderators" in answer["data"]["content"]
        news = server.add_channel(guild, "fr-news")
        answer = await harness.slash("alerts subscribe", {"channel": news}, member=helper)
        assert answer["data"]["content"].startswith("Subscribed")
        # 8. Check it.
        code = await banwatch("doctor")
    out = capsys.readouterr().out
    assert code == 0, out
    assert "ok   alerts #1: #fr-news in Loopback Guild (text): the bot can post there" in out
    assert "All checks passed." in out
