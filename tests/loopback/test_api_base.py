"""bot.discord.api_base: pointing discord.py at another server, and back."""

from __future__ import annotations

import discord
import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.discord.api_base import DISCORD_API_BASE, DISCORD_GATEWAY, api_base, configure_api_base
from tests.loopback.fixtures import running_bot
from tests.loopback.server import LoopbackDiscord


def test_none_restores_discord_com_and_calling_twice_is_harmless() -> None:
    configure_api_base("http://127.0.0.1:1/api/v10/", "ws://127.0.0.1:1/gateway")
    configure_api_base("http://127.0.0.1:2/api/v10")
    assert Route.BASE == "http://127.0.0.1:2/api/v10"
    assert DiscordWebSocket.DEFAULT_GATEWAY == DISCORD_GATEWAY
    configure_api_base(None)
    configure_api_base(None)
    assert Route.BASE == DISCORD_API_BASE == "https://discord.com/api/v10"
    assert "from_client" in DiscordWebSocket.__dict__
    assert DiscordWebSocket.from_client.__func__.__module__ == "discord.gateway"


def test_context_manager_restores_previous_settings() -> None:
    with api_base("http://127.0.0.1:3/api/v10"):
        assert Route("GET", "/users/@me").url == "http://127.0.0.1:3/api/v10/users/@me"
    assert Route.BASE == DISCORD_API_BASE


@pytest.mark.parametrize(
    ("base", "gateway"),
    [("discord.example", None), ("http://127.0.0.1/api/v10", "http://127.0.0.1/gateway")],
)
def test_rejects_urls_of_the_wrong_kind(base: str, gateway: str | None) -> None:
    with pytest.raises(ValueError):
        configure_api_base(base, gateway)
    assert Route.BASE == DISCORD_API_BASE


async def test_explicit_gateway_url_skips_discovery() -> None:
    async with LoopbackDiscord() as server:
        server.add_guild()
        client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        try:
            async with running_bot(client, server, gateway_url=server.gateway_url):
                assert client.get_guild(server.guild.id) is not None
        finally:
            configure_api_base(None)
        assert not server.requests_matching(r"^/gateway/bot$")
        assert server.gateway_paths == ["/gateway"]
