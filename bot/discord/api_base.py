"""Point discord.py at a Discord-compatible server other than discord.com.

discord.py 2.7 has no option for another API host, so this module is the one place that
rewires the few class attributes it reads. ``configure_api_base(api_base, gateway_url)``
changes, process-wide:

``discord.http.Route.BASE``
    Every REST call builds its URL from this. ``discord.webhook.async_`` and
    ``discord.webhook.sync`` import the same ``Route`` class, so interaction callbacks,
    follow-ups, ``@original`` edits and webhooks follow it too.

``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``
    A plain ``Client`` never asks ``GET /gateway/bot``; it dials ``wss://gateway.discord.gg``
    directly, and falls back to it again after an invalidated session. It is set to
    ``gateway_url`` when one is given.

``discord.gateway.DiscordWebSocket.from_client``
    Wrapped so that a connection that would go to discord.gg (no gateway chosen yet, or the
    default after an invalidated session) first asks the configured server's
    ``GET /gateway/bot`` for its websocket URL, as ``AutoShardedClient`` already does.
    Skipped when ``gateway_url`` is given.

Resumes need nothing: discord.py dials the ``resume_gateway_url`` the server sent in READY.
Left alone on purpose: display-only URLs (``jump_url``, ``Webhook.url``, invite and CDN
asset URLs), ``Webhook.from_url`` (expects a discord.com URL) and voice endpoints (the
server sends those). ``discord.http._set_api_version`` resets ``Route.BASE``; call
``configure_api_base`` after it.

The settings are global to the process, so every client in it talks to the same server.
Calling again replaces the previous settings; ``None`` restores discord.com.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

log = logging.getLogger(__name__)

API_BASE_ENV = "DISCORD_API_BASE"
GATEWAY_URL_ENV = "DISCORD_GATEWAY_URL"

DISCORD_API_BASE: str = Route.BASE
DISCORD_GATEWAY: yarl.URL = DiscordWebSocket.DEFAULT_GATEWAY
_ORIGINAL_FROM_CLIENT: classmethod = DiscordWebSocket.__dict__["from_client"]

# Whether a connection asks the configured server's /gateway/bot for its websocket URL.
_discover_gateway: bool = False


def configure_api_base(api_base: str | None, gateway_url: str | None = None) -> None:
    """Send discord.py's REST, webhook and gateway traffic to ``api_base`` (None: discord.com)."""
    global _discover_gateway

    if api_base is None:
        Route.BASE = DISCORD_API_BASE
        DiscordWebSocket.DEFAULT_GATEWAY = DISCORD_GATEWAY
        DiscordWebSocket.from_client = _ORIGINAL_FROM_CLIENT
        _discover_gateway = False
        return

    api_url = yarl.URL(api_base)
    if api_url.scheme not in ("http", "https") or not api_url.host:
        raise ValueError(f"{API_BASE_ENV} must be an http(s) URL, got {api_base!r}")
    if gateway_url is not None:
        gateway = yarl.URL(gateway_url)
        if gateway.scheme not in ("ws", "wss") or not gateway.host:
            raise ValueError(f"{GATEWAY_URL_ENV} must be a ws(s) URL, got {gateway_url!r}")
        DiscordWebSocket.DEFAULT_GATEWAY = gateway
    else:
        DiscordWebSocket.DEFAULT_GATEWAY = DISCORD_GATEWAY

    Route.BASE = api_base.rstrip("/")
    _discover_gateway = gateway_url is None
    DiscordWebSocket.from_client = classmethod(_from_client_via_configured_server)
    log.info(
        "Discord API base set to %s (gateway %s)", Route.BASE, gateway_url or "from /gateway/bot"
    )


@contextmanager
def api_base(api_base: str | None, gateway_url: str | None = None) -> Iterator[None]:
    """``configure_api_base`` for the length of a ``with`` block; the previous settings return."""
    saved = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY, DiscordWebSocket.__dict__["from_client"])
    saved_discover = _discover_gateway
    configure_api_base(api_base, gateway_url)
    try:
        yield
    finally:
        _restore(*saved, discover=saved_discover)


def _restore(base: str, gateway: yarl.URL, from_client: classmethod, *, discover: bool) -> None:
    global _discover_gateway
    Route.BASE = base
    DiscordWebSocket.DEFAULT_GATEWAY = gateway
    DiscordWebSocket.from_client = from_client
    _discover_gateway = discover


async def _from_client_via_configured_server(
    cls: type[DiscordWebSocket], client: Any, *, gateway: yarl.URL | None = None, **kwargs: Any
) -> DiscordWebSocket:
    """``DiscordWebSocket.from_client`` that never dials discord.gg while another server is set."""
    if gateway is None or gateway == DISCORD_GATEWAY:
        if _discover_gateway:
            _shards, url, _limits = await client.http.get_bot_gateway()
            gateway = yarl.URL(url)
        else:
            gateway = cls.DEFAULT_GATEWAY
    return await _ORIGINAL_FROM_CLIENT.__func__(cls, client, gateway=gateway, **kwargs)
