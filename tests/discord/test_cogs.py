"""Meta-tests: every cog loads, no command names clash, syncing only when the tree changed."""

from __future__ import annotations

import collections
import pkgutil
from collections.abc import Callable, Iterable
from pathlib import Path

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.client import EXTENSIONS, BanwatchBot, command_tree_hash, sync_commands
from bot.service import Banwatch
from bot.settings import Settings
from bot.store import Store
from tests.conftest import Ran
from tests.discord.harness import BanwatchHarness

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def every_cog_module() -> list[str]:
    """``cogs.<name>`` for every public module and package in cogs/ (a big cog is a package)."""
    return sorted(
        f"cogs.{module.name}"
        for module in pkgutil.iter_modules([str(PROJECT_ROOT / "cogs")])
        if not module.name.startswith("_")
    )


def command_clashes(cogs: Iterable[commands.Cog]) -> list[str]:
    """Qualified command names that more than one cog defines (or one cog twice)."""
    names = collections.Counter(
        command.qualified_name for cog in cogs for command in cog.walk_app_commands()
    )
    return sorted(name for name, count in names.items() if count > 1)


def test_the_clash_check_finds_a_name_two_cogs_share() -> None:
    class First(commands.Cog):
        @app_commands.command(name="status", description="One")
        async def first(self, interaction: discord.Interaction) -> None: ...

    class Second(commands.Cog):
        @app_commands.command(name="status", description="Two")
        async def second(self, interaction: discord.Interaction) -> None: ...

    assert command_clashes([First(), Second()]) == ["status"]
    assert command_clashes([First()]) == []


async def test_every_cog_loads_without_command_clashes(db_path: Path, corpus_dir: Path) -> None:
    modules = every_cog_module()
    assert set(EXTENSIONS) <= set(modules)
    async with await Store.open(db_path) as store:
        settings = Settings(db_path=db_path, corpus_dir=corpus_dir)
        bot = BanwatchBot(Banwatch(store, corpus_dir), settings, extensions=())
        async with bot:
            for module in modules:
                # A clash of top-level names makes add_cog raise CommandAlreadyRegistered.
                await bot.load_extension(module)
            # Counted from each cog's own commands, not from the tree (which keeps one of
            # each name).
            assert command_clashes(bot.cogs.values()) == []
            leaves = {
                command.qualified_name
                for command in bot.tree.walk_commands()
                if isinstance(command, app_commands.Command)
            }
            assert leaves == {
                command.qualified_name
                for cog in bot.cogs.values()
                for command in cog.walk_app_commands()
                if isinstance(command, app_commands.Command)
            }
            for command in bot.tree.walk_commands():
                assert command.description, command.qualified_name
                if isinstance(command, app_commands.Command):
                    for parameter in command.parameters:
                        assert parameter.description != "…", (command.name, parameter.name)


async def test_sync_only_when_the_tree_changed(banwatch_bot: BanwatchHarness) -> None:
    server, bot = banwatch_bot.server, banwatch_bot.bot
    guild = discord.Object(banwatch_bot.guild.id)
    puts = len(server.requests_matching(r"/commands$", "PUT"))
    assert await sync_commands(bot, banwatch_bot.guild.id) is None
    assert len(server.requests_matching(r"/commands$", "PUT")) == puts
    stored = await banwatch_bot.store.synced_tree_hash(str(banwatch_bot.guild.id))
    assert stored == command_tree_hash(bot.tree, guild)

    @app_commands.command(name="extra", description="A new command")
    async def extra(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("hi")

    bot.tree.add_command(extra, guild=guild)
    count = len(bot.tree.get_commands(guild=guild))
    assert await sync_commands(bot, banwatch_bot.guild.id) == count
    assert "extra" in server.commands_for(banwatch_bot.guild)
    assert await sync_commands(bot, banwatch_bot.guild.id, force=True) == count


def test_run_without_token_exits_with_a_clear_message(
    tmp_path: Path, banwatch: Callable[..., Ran]
) -> None:
    result = banwatch("run", env={"BANWATCH_DB": str(tmp_path / "never.db")})
    assert result.returncode == 2
    assert "DISCORD_TOKEN is not set" in result.stderr
    assert "banwatch console" in result.stderr
    assert not (tmp_path / "never.db").exists()
