"""``banwatch invite``: the link that adds the bot to a server, with the scopes and the
permissions its features declare (:mod:`bot.discord.permissions`), each with why."""

from __future__ import annotations

import argparse
import sys

import discord

from bot.console.cli import command
from bot.discord.api_base import configure_api_base
from bot.discord.client import bot_intents, log_in
from bot.discord.permissions import (
    SCOPE_REASONS,
    SCOPES,
    application_id_from_token,
    declared_needs,
    invite_url,
    reasons,
    required_permissions,
)
from bot.settings import Settings, env_file_location

PORTAL = "https://discord.com/developers/applications"


@command("invite")
async def cmd_invite(args: argparse.Namespace, settings: Settings) -> int:
    """Print the invite link with the scopes and the permissions the features need."""
    token = settings.discord_token
    application_id = args.application_id
    source = "given"
    if application_id is None and token:
        application_id = application_id_from_token(token)
        source = "read from the token"
    if application_id is None and token:
        configure_api_base(settings.discord_api_base, settings.discord_gateway_url)
        async with discord.Client(intents=bot_intents()) as client:
            problem = await log_in(client, token, settings)
            if problem:
                print(f"banwatch: {problem}.", file=sys.stderr)
                return 2
            application_id = client.application_id
        source = "asked of Discord"
    if application_id is None:
        print(
            "banwatch: the invite link needs the application's id. Put the bot's token in"
            f" {env_file_location()} as DISCORD_TOKEN=..., or give --application-id ID"
            f" (at {PORTAL}: your application, General Information, Application ID).",
            file=sys.stderr,
        )
        return 2
    needs = declared_needs()
    permissions = required_permissions(needs)
    print("Open this link, pick your server and press Authorise (you need Manage Server there):")
    print()
    print(invite_url(application_id, permissions, args.guild))
    print()
    print(f"Application id {application_id} ({source}).")
    print("Scopes:")
    for scope in SCOPES:
        print(f"  {scope}: {SCOPE_REASONS[scope]}")
    print(f"Permissions (integer {permissions.value}):")
    for label, _bit, why in reasons(needs):
        print(f"  {label}: {'; '.join(why)}")
    print(
        "No privileged gateway intents are needed (leave Presence, Server Members and Message"
        " Content off)."
    )
    return 0
