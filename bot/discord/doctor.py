"""``banwatch doctor``: after the checks that need no Discord (``bot.doctor``), what
Discord sees of the bot: the token, its servers and which one manages feeds, each alert
subscription's channel and role, each log channel, the slash commands. Only REST reads: the
doctor never connects to the gateway, posts or migrates anything.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord

from bot.alerts.models import Subscription
from bot.console.cli import command
from bot.discord.api_base import configure_api_base
from bot.discord.client import BanwatchBot, bot_intents, log_in
from bot.discord.permissions import declared_needs, needs_in
from bot.doctor import Finding, check_feeds, healthy, local_checks
from bot.models import CONSOLE_GUILD
from bot.service import Banwatch
from bot.settings import Settings, env_file_location
from bot.store import Store, inspect_database

PORTAL = "https://discord.com/developers/applications"
SYNC_FIX = (
    "banwatch sync --guild {guild} (instant, this server) or banwatch sync (every server;"
    " Discord may take up to an hour to show them)"
)


@command("doctor")
async def cmd_doctor(args: argparse.Namespace, settings: Settings) -> int:
    """One line per check with the fix for anything wrong; exit 1 if something is."""
    findings: list[Finding] = []

    def report(finding: Finding) -> None:
        findings.append(finding)
        print(finding.line(), flush=True)

    for finding in local_checks(settings):
        report(finding)
    async with _app(settings) as app:
        if app is not None:
            for finding in await check_feeds(app.feeds):
                report(finding)
        async for finding in discord_checks(settings, app):
            report(finding)
    problems = sum(1 for finding in findings if finding.ok is False)
    print()
    if healthy(findings):
        print("All checks passed.")
        return 0
    print(f"{problems} problem(s) found; the fix is under each FAIL line.")
    return 1


@contextlib.asynccontextmanager
async def _app(settings: Settings) -> AsyncIterator[Banwatch | None]:
    """The app over the database when that is usable as it is (None when it is not: the
    doctor migrates nothing and creates nothing)."""
    health = inspect_database(settings.db_path)
    if not health.usable or health.schema_version != health.latest_version:
        yield None
        return
    async with await Store.open(settings.db_path) as store:
        app = Banwatch.from_settings(store, settings)
        try:
            yield app
        finally:
            await app.feeds.close()


@contextlib.asynccontextmanager
async def _client(settings: Settings, app: Banwatch | None) -> AsyncIterator[discord.Client]:
    """The bot with its cogs (so its command tree is what a sync would send), or a bare
    client when there is no app (the database is not usable as it is)."""
    if app is None:
        async with discord.Client(intents=bot_intents()) as client:
            yield client
        return
    async with BanwatchBot(app, settings) as bot:
        yield bot


async def discord_checks(settings: Settings, app: Banwatch | None) -> AsyncIterator[Finding]:
    """The token, the servers, every alert subscription, log channels, the slash commands."""
    token = settings.discord_token
    if not token:
        yield Finding(
            "token",
            False,
            "DISCORD_TOKEN is not set, so nothing on Discord can be checked",
            f"at {PORTAL} open your application, Bot, Reset Token, and put the token in"
            f" {env_file_location()} as DISCORD_TOKEN=...",
        )
        return
    configure_api_base(settings.discord_api_base, settings.discord_gateway_url)
    async with _client(settings, app) as client:
        problem = await log_in(client, token, settings)
        if problem is not None:
            yield Finding(
                "token",
                False,
                problem,
                f"at {PORTAL}: your application, Bot, Reset Token; put the new token in"
                f" {settings.env_file or env_file_location()} as DISCORD_TOKEN=..."
                if "refused" in problem
                else "check the network (and DISCORD_API_BASE if you set it)",
            )
            return
        yield Finding(
            "token",
            True,
            f"Discord accepts it: the bot is {client.user} (application {client.application_id})",
        )
        try:
            async for finding in _server_checks(client, settings):
                yield finding
        except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
            status = getattr(exc, "status", None)
            yield Finding(
                "discord",
                False,
                f"Discord answered {status} to a check ({exc})" if status else f"{exc}",
                "run banwatch doctor again; if it persists, check the network",
            )


async def _server_checks(client: discord.Client, settings: Settings) -> AsyncIterator[Finding]:
    """The servers, then (with the bot's cogs loaded) the home server, subscriptions, log
    channels and commands."""
    guilds = await _guilds(client)
    if not guilds:
        yield Finding(
            "servers",
            False,
            "the bot is in no server",
            "add it with the link banwatch invite prints",
        )
    else:
        names = ", ".join(f"{guild.name} ({guild.id})" for guild in guilds.values())
        yield Finding("servers", True, f"in {len(guilds)}: {names}")
    if isinstance(client, BanwatchBot):
        yield _check_home_server(settings, guilds)
        async for finding in _subscription_checks(client, guilds):
            yield finding
        async for finding in _log_channel_checks(client, guilds):
            yield finding
        async for finding in _petition_post_checks(client, guilds):
            yield finding
        async for finding in _command_checks(client, guilds.values()):
            yield finding
        return
    health = inspect_database(settings.db_path)
    why = (
        "not checked until the next banwatch run has migrated the database"
        if health.usable
        else "not checked: the database must be usable first (see the database line)"
    )
    yield Finding("alerts", None, why)
    yield Finding("commands", None, why)


@dataclass
class _Server:
    """What the doctor read of one server: its roles (on ``guild``), its channels with their
    overwrites, and the bot's own member (None if Discord says it is not one)."""

    guild: discord.Guild
    me: discord.Member | None
    channels: dict[int, Any]

    @property
    def id(self) -> int:
        return self.guild.id

    @property
    def name(self) -> str:
        return self.guild.name


async def _guilds(client: discord.Client) -> dict[int, _Server]:
    """Every server the bot is in, with its roles, channels (and their overwrites) and the
    bot's own member, as Discord answers now."""
    servers: dict[int, _Server] = {}
    assert client.user is not None
    async for partial in client.fetch_guilds(limit=None, with_counts=False):
        guild = await client.fetch_guild(partial.id, with_counts=False)
        try:
            me: discord.Member | None = await guild.fetch_member(client.user.id)
        except discord.NotFound:
            me = None
        channels = await guild.fetch_channels()
        servers[guild.id] = _Server(guild, me, {channel.id: channel for channel in channels})
    return servers


def _kind(channel: Any) -> str:
    if isinstance(channel, discord.ForumChannel):
        return "forum"
    if getattr(channel, "type", None) == discord.ChannelType.news:
        return "announcement"
    return "text"


async def _subscription_checks(
    bot: BanwatchBot, servers: dict[int, _Server]
) -> AsyncIterator[Finding]:
    subscriptions = [
        subscription
        for subscription in await bot.app.alerts.subscriptions()
        if subscription.guild_id != CONSOLE_GUILD
    ]
    if not subscriptions:
        yield Finding(
            "alerts",
            True,
            "no alert subscriptions yet (a moderator adds one with /alerts subscribe)",
        )
        return
    needs = declared_needs()
    for subscription in subscriptions:
        yield _check_subscription(subscription, servers, needs)


def _check_subscription(
    subscription: Subscription, servers: dict[int, _Server], needs: dict[str, Any]
) -> Finding:
    name = f"alerts #{subscription.id}"
    unsubscribe = f"in that server, /alerts unsubscribe {subscription.id}, then subscribe again"
    server = servers.get(int(subscription.guild_id))
    if server is None:
        return Finding(
            name,
            False,
            f"posts to server {subscription.guild_id}, which the bot is no longer in",
            "add the bot to that server again (banwatch invite)",
        )
    channel = server.channels.get(int(subscription.channel_id))
    if channel is None:
        return Finding(
            name,
            False,
            f"its channel {subscription.channel_id} in {server.name} no longer exists (deleted)"
            " or the bot can't see that it does",
            f"{unsubscribe} with another channel",
        )
    where = f"#{channel.name} in {server.name}"
    if server.me is None:
        return Finding(name, False, f"{where}: the bot is not a member of {server.name}")
    permissions = channel.permissions_for(server.me)
    kind = _kind(channel)
    missing = [
        n.label_in(kind) for n in needs_in(needs, kind) if not getattr(permissions, n.permission)
    ]
    if missing:
        return Finding(
            name,
            False,
            f"{where}: the bot lacks {', '.join(missing)} there",
            f"in {where}: Edit Channel, Permissions, add the bot's role and allow"
            f" {', '.join(missing)} (or allow them to the bot's role in Server Settings, Roles)"
            + (f"; then {unsubscribe}" if subscription.broken_at else ""),
        )
    done = f"{where} ({kind}): the bot can post there"
    if subscription.role_id:
        role = server.guild.get_role(int(subscription.role_id))
        if role is None:
            return Finding(
                name,
                False,
                f"{where}: the role it pings ({subscription.role_id}) no longer exists",
                f"{unsubscribe} with another role (or none)",
            )
        lacking = [
            n.label for n in needs_in(needs, "role") if not getattr(permissions, n.permission)
        ]
        if not role.mentionable and lacking:
            return Finding(
                name,
                False,
                f"{where}: can't ping @{role.name}: the role is not mentionable and the bot"
                f" lacks {', '.join(lacking)} there",
                f"Server Settings, Roles, {role.name}: allow anyone to @mention this role;"
                f" or give the bot {', '.join(lacking)} in {where}",
            )
        done += f" and ping @{role.name}"
    if subscription.broken_at:
        return Finding(
            name,
            False,
            f"{where}: marked broken since {subscription.broken_at[:16]}"
            f" ({subscription.broken_reason}); it can post there now",
            unsubscribe,
        )
    return Finding(name, True, done)


def _check_home_server(settings: Settings, servers: dict[int, _Server]) -> Finding:
    """The server whose moderators manage feeds and get the feeds' notices."""
    configured = settings.home_guild_id
    if configured is not None:
        server = servers.get(configured)
        if server is None:
            return Finding(
                "home server",
                False,
                f"BANWATCH_HOME_GUILD is {configured}, a server the bot is not in",
                "invite the bot there (banwatch invite --guild ID), or correct BANWATCH_HOME_GUILD",
            )
        return Finding("home server", True, f"{server.name} (BANWATCH_HOME_GUILD) manages feeds")
    if len(servers) == 1:
        (server,) = servers.values()
        return Finding("home server", True, f"{server.name} (the one server) manages feeds")
    return Finding(
        "home server",
        False,
        f"the bot is in {len(servers)} servers and BANWATCH_HOME_GUILD is not set: no server"
        " can manage feeds, and feed notices have nowhere to go",
        f"put BANWATCH_HOME_GUILD=SERVER_ID in {settings.env_file or env_file_location()}"
        " and restart the bot",
    )


async def _log_channel_checks(
    bot: BanwatchBot, servers: dict[int, _Server]
) -> AsyncIterator[Finding]:
    """Each log channel a server set: it exists, and the bot can post notices there."""
    needs = needs_in(declared_needs(), "log")
    for server in servers.values():
        channel_id = await bot.app.config.log_channel(server.id)
        if channel_id is None:
            continue
        name = f"log channel of {server.name}"
        channel = server.channels.get(int(channel_id))
        if channel is None:
            yield Finding(
                name,
                False,
                f"channel {channel_id} no longer exists (deleted)",
                "choose another with /config log-channel",
            )
            continue
        where = f"#{channel.name} in {server.name}"
        permissions = channel.permissions_for(server.me) if server.me else None
        missing = [
            n.label for n in needs if permissions is None or not getattr(permissions, n.permission)
        ]
        if missing:
            yield Finding(
                name,
                False,
                f"{where}: the bot lacks {', '.join(missing)} there",
                f"in {where}: Edit Channel, Permissions, add the bot's role and allow"
                f" {', '.join(missing)}",
            )
            continue
        yield Finding(name, True, f"{where}: the bot can post notices there")


async def _petition_post_checks(
    bot: BanwatchBot, servers: dict[int, _Server]
) -> AsyncIterator[Finding]:
    """Each channel an open petition is posted in: it exists, and the bot can keep the post's
    count and Sign button current there (a post it can't reach loses signers silently)."""
    # Editing its own post needs no Send Messages (that is only for posting a new one).
    needs = [
        need
        for need in declared_needs().get("cogs.petitions", ())
        if need.permission in ("view_channel", "embed_links")
    ]
    for server in servers.values():
        for petition in await bot.app.petitions.list(guild_id=str(server.id)):
            if petition.status != "open":
                continue
            _, posts = await bot.app.petitions.posted(petition.id)
            name = f"petition #{petition.id}"
            for channel_id in dict.fromkeys(channel for channel, _ in posts):
                channel = server.channels.get(int(channel_id))
                if channel is None:
                    yield Finding(
                        name,
                        False,
                        f"its post's channel {channel_id} in {server.name} no longer exists"
                        " (deleted)",
                        f"post it again in another channel with /petition post {petition.id}",
                    )
                    continue
                where = f"#{channel.name} in {server.name}"
                permissions = channel.permissions_for(server.me) if server.me else None
                missing = [
                    n.label
                    for n in needs
                    if permissions is None or not getattr(permissions, n.permission)
                ]
                if missing:
                    yield Finding(
                        name,
                        False,
                        f"{where}: the bot lacks {', '.join(missing)} there, so the post's"
                        " count and Sign button can't be kept current",
                        f"in {where}: Edit Channel, Permissions, add the bot's role and allow"
                        f" {', '.join(missing)}",
                    )
                    continue
                yield Finding(name, True, f"{where}: the bot keeps the post current there")


def _shape(command: dict[str, Any]) -> tuple[Any, ...]:
    """A command's name, type and options (recursively): what decides whether Discord's
    copy matches what a sync would send."""
    options = command.get("options") or []
    return (
        command["name"],
        int(command.get("type") or 1),
        tuple(sorted(_shape(option) for option in options)),
    )


async def _command_checks(bot: BanwatchBot, servers: Iterable[_Server]) -> AsyncIterator[Finding]:
    local = {c.name: _shape(c.to_dict(bot.tree)) for c in bot.tree.get_commands()}
    remote_global = {c.name: _shape(c.to_dict()) for c in await bot.tree.fetch_commands()}
    servers = list(servers)
    if not servers:
        synced = remote_global == local
        yield Finding(
            "commands",
            synced,
            f"{len(remote_global)} of {len(local)} synced globally",
            None if synced else SYNC_FIX.format(guild="SERVER_ID"),
        )
        return
    for server in servers:
        guild_commands = await bot.tree.fetch_commands(guild=discord.Object(server.id))
        remote = {**remote_global, **{c.name: _shape(c.to_dict()) for c in guild_commands}}
        scope = "to this server" if guild_commands else "globally"
        name = f"commands in {server.name}"
        fix = SYNC_FIX.format(guild=server.id)
        if not remote:
            yield Finding(name, False, "no slash commands are synced there", fix)
            continue
        missing = sorted(n for n in local if n not in remote)
        changed = sorted(n for n in local if n in remote and remote[n] != local[n])
        stale = sorted(n for n in remote if n not in local)
        if missing or changed or stale:
            parts = [
                f"{label} /{', /'.join(names)}"
                for label, names in (("missing", missing), ("changed", changed), ("gone", stale))
                if names
            ]
            yield Finding(
                name, False, "the slash commands are out of date: " + "; ".join(parts), fix
            )
            continue
        yield Finding(name, True, f"all {len(local)} slash commands synced ({scope})")
