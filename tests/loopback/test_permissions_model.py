"""The loopback server's permission model and the reads ``banwatch doctor`` makes, checked
against discord.py's own reading of the same payloads."""

from __future__ import annotations

import discord

from tests.loopback.model import ChannelType, Permission
from tests.loopback.server import LoopbackDiscord


async def test_overwrites_apply_as_discord_applies_them(loopback_discord: LoopbackDiscord) -> None:
    server, guild = loopback_discord, loopback_discord.guild
    bot = guild.members[server.bot_user.id]
    general = guild.channel_named("general")
    watchers = server.add_role("watchers")
    bot.role_ids.append(watchers.id)
    # @everyone denied, a role of the bot's allowed back: the role wins.
    server.set_overwrite(general, guild.everyone, deny=[Permission.send_messages])
    server.set_overwrite(general, watchers, allow=[Permission.send_messages])
    assert guild.permissions_in(bot, general) & Permission.send_messages
    # The member's own overwrite wins over its roles'.
    server.set_overwrite(general, bot, deny=[Permission.send_messages])
    assert not guild.permissions_in(bot, general) & Permission.send_messages
    # Without View Channel nothing else is left; a thread has its forum's.
    forum = guild.channel_named("forum")
    server.set_overwrite(forum, server.bot_role(), deny=[Permission.view_channel])
    thread = server.add_channel(guild, "post", ChannelType.public_thread, parent_id=forum.id)
    assert guild.permissions_in(bot, forum) == 0 == guild.permissions_in(bot, thread)


async def test_discord_py_reads_guilds_roles_and_overwrites_as_the_server_means(
    loopback_discord: LoopbackDiscord,
) -> None:
    server, guild = loopback_discord, loopback_discord.guild
    other = server.add_guild("Second")
    general = guild.channel_named("general")
    server.set_overwrite(general, server.bot_role(), deny=[Permission.embed_links])
    client = discord.Client(intents=discord.Intents(guilds=True))
    async with client:
        await client.login(server.token)
        listed = [g.id async for g in client.fetch_guilds(limit=None)]
        assert sorted(listed) == sorted([guild.id, other.id])
        fetched = await client.fetch_guild(guild.id)
        assert {role.id for role in fetched.roles} == set(guild.roles)
        assert {role.id for role in await fetched.fetch_roles()} == set(guild.roles)
        me = await fetched.fetch_member(server.bot_user.id)
        channel = next(c for c in await fetched.fetch_channels() if c.id == general.id)
        permissions = channel.permissions_for(me)
        expected = guild.permissions_in(guild.members[server.bot_user.id], general)
        assert permissions.value == expected
        assert permissions.send_messages and not permissions.embed_links
    assert not server.unknown_requests
