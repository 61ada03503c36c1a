"""Petitions in Discord: the /petition commands; the Sign button and forms are in ``_views``."""

from __future__ import annotations

import asyncio
import io
import logging
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.discord.checks import moderator_only
from bot.discord.client import BanwatchBot
from bot.discord.embeds import clip, escape
from bot.discord.permissions import Need
from bot.discord.replies import NO_MENTIONS
from bot.errors import BanwatchError
from bot.petitions import render_petition_list, revision_line
from bot.privacy import CONSENT_TEXT, ConsentRequired
from cogs.petitions._embeds import escape_lines, petition_embed
from cogs.petitions._views import (
    ConsentView,
    CreatePetitionModal,
    SignButton,
    sign_view,
    signed_text,
)

log = logging.getLogger(__name__)

# Signatures within this window share one edit of each posted copy (edits are rate-limited).
REFRESH_DELAY_SECONDS = 1.0

# /petition post with a channel posts there, and the post's live count is edited after.
PERMISSIONS = (
    Need("view_channel", "see the channel a petition is posted in"),
    Need("send_messages", "post a petition (with its Sign button) in another channel"),
    Need("embed_links", "a posted petition is an embed with a live count"),
)


@app_commands.guild_only()
class PetitionsCog(commands.GroupCog, name="Petitions", group_name="petition"):
    """Petitions: moderators create, post, edit, close and export; everyone signs."""

    def __init__(self, bot: BanwatchBot) -> None:
        self.bot = bot
        self.petitions = bot.app.petitions
        # One refresh task per petition; signatures arriving meanwhile mark it stale again.
        self._refreshes: dict[int, asyncio.Task[None]] = {}
        self._stale: set[int] = set()
        self.refresh_delay = REFRESH_DELAY_SECONDS
        super().__init__()

    async def cog_load(self) -> None:
        self.housekeeping.start()

    async def cog_unload(self) -> None:
        self.housekeeping.cancel()
        for task in self._refreshes.values():
            task.cancel()

    @tasks.loop(minutes=15)
    async def housekeeping(self) -> None:
        """Deadline warnings, closing expired petitions, dropping old signer details."""
        try:
            for done in await self.petitions.tick():
                log.info("petitions: %s", done)
        except Exception:
            log.exception("petition housekeeping failed")

    @housekeeping.before_loop
    async def _wait_ready(self) -> None:
        await self.bot.wait_until_ready()

    async def refresh_posts(self, petition_id: int) -> None:
        """Bring the count on every posted copy of the petition up to date, in the background.

        A burst of signatures becomes a few edits, not one per signer (Discord rate-limits
        message edits), and the signer's answer never waits for them.
        """
        self._stale.add(petition_id)
        running = self._refreshes.get(petition_id)
        if running is None or running.done():
            task = asyncio.create_task(
                self._refresh_until_current(petition_id), name=f"petition-refresh-{petition_id}"
            )
            self._refreshes[petition_id] = task
            task.add_done_callback(self._refresh_finished)

    async def _refresh_until_current(self, petition_id: int) -> None:
        while petition_id in self._stale:
            await asyncio.sleep(self.refresh_delay)
            self._stale.discard(petition_id)
            await self._edit_posts(petition_id)
        self._refreshes.pop(petition_id, None)

    def _refresh_finished(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("refreshing petition posts failed", exc_info=task.exception())
        for petition_id, running in list(self._refreshes.items()):
            if running is task:
                del self._refreshes[petition_id]

    async def _edit_posts(self, petition_id: int) -> None:
        petition, posts = await self.petitions.posted(petition_id)
        if petition is None:
            return
        embed = petition_embed(petition)
        for channel_id, message_id in posts:
            channel = self.bot.get_partial_messageable(int(channel_id))
            try:
                await channel.get_partial_message(int(message_id)).edit(
                    embed=embed, view=sign_view(petition)
                )
            except (discord.HTTPException, aiohttp.ClientError, OSError) as error:
                log.warning("could not refresh petition %s post: %s", petition_id, error)

    async def place_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        choices = await self.bot.app.place_choices(current)
        return [app_commands.Choice(name=c.label, value=c.value) for c in choices]

    def _guild(self, interaction: discord.Interaction) -> str:
        return str(interaction.guild_id)

    # -- moderators ---------------------------------------------------------------------------

    @app_commands.command(name="create")
    @app_commands.describe(place="The place the petition concerns (from the tracker)")
    @moderator_only()
    async def petition_create(
        self, interaction: discord.Interaction, place: str | None = None
    ) -> None:
        """Start a petition: a form asks for its title, demand, target, goal and deadline."""
        if place:
            await self.bot.app.resolve_place(place)  # refuse an unknown place before the form
        await interaction.response.send_modal(CreatePetitionModal(self, place))

    @app_commands.command(name="post")
    @app_commands.describe(
        petition="Petition number", channel="Where to post it (default: this channel)"
    )
    @moderator_only()
    async def petition_post(
        self,
        interaction: discord.Interaction,
        petition: int,
        channel: discord.TextChannel | None = None,
    ) -> None:
        """Post a petition to a channel with a Sign button and a live count."""
        found = await self.petitions.get(petition, guild_id=self._guild(interaction))
        if channel is None or channel.id == interaction.channel_id:
            # Here: the answer itself is the post (no Send Messages permission needed).
            await interaction.response.send_message(
                embed=petition_embed(found), view=sign_view(found), allowed_mentions=NO_MENTIONS
            )
            message = await interaction.original_response()
            await self.petitions.record_post(found.id, str(message.channel.id), str(message.id))
            await interaction.followup.send(
                f"Posted petition #{found.id} in <#{message.channel.id}>.", ephemeral=True
            )
            return
        try:
            message = await channel.send(
                embed=petition_embed(found), view=sign_view(found), allowed_mentions=NO_MENTIONS
            )
        except discord.Forbidden:
            raise BanwatchError(
                f"I can't post in {channel.mention}: I need to see it and send messages there."
            ) from None
        await self.petitions.record_post(found.id, str(channel.id), str(message.id))
        await interaction.response.send_message(
            f"Posted petition #{found.id} in {channel.mention}: {message.jump_url}", ephemeral=True
        )

    @app_commands.command(name="close")
    @app_commands.describe(petition="Petition number")
    @moderator_only()
    async def petition_close(self, interaction: discord.Interaction, petition: int) -> None:
        """Close a petition to new signatures."""
        closed = await self.petitions.close(
            petition, guild_id=self._guild(interaction), closed_by=str(interaction.user.id)
        )
        await interaction.response.send_message(
            f"Closed petition #{closed.id} with {closed.signature_count:,} signatures.",
            ephemeral=True,
        )
        await self.refresh_posts(closed.id)

    @app_commands.command(name="edit")
    @app_commands.describe(
        petition="Petition number",
        title="New title",
        demand="New demand text",
        target="New target (who receives it)",
    )
    @moderator_only()
    async def petition_edit(
        self,
        interaction: discord.Interaction,
        petition: int,
        title: str | None = None,
        demand: str | None = None,
        target: str | None = None,
    ) -> None:
        """Change a petition's text; changes are kept as its revision history."""
        edited, revisions = await self.petitions.edit(
            petition,
            guild_id=self._guild(interaction),
            edited_by=str(interaction.user.id),
            title=title,
            demand=demand,
            target=target,
        )
        changed = ", ".join(r.field for r in revisions) or "nothing (same text)"
        await interaction.response.send_message(
            f"Changed {changed}.", embed=petition_embed(edited), ephemeral=True
        )
        await self.refresh_posts(edited.id)

    @app_commands.command(name="export")
    @app_commands.describe(petition="Petition number")
    @moderator_only()
    async def petition_export(self, interaction: discord.Interaction, petition: int) -> None:
        """CSV and OSDI JSON for delivering the petition (only to you)."""
        export = await self.petitions.export(petition, guild_id=self._guild(interaction))
        files = [
            discord.File(io.BytesIO(content), filename=name)
            for name, content in export.files.items()
        ]
        await interaction.response.send_message(
            f"Petition #{export.petition.id}: {export.petition.signature_count:,} signatures."
            " Names appear only for signers who chose to be listed.",
            files=files,
            ephemeral=True,
        )

    # -- everyone -----------------------------------------------------------------------------

    @app_commands.command(name="list")
    @app_commands.describe(place="Only petitions about this place")
    async def petition_list(
        self, interaction: discord.Interaction, place: str | None = None
    ) -> None:
        """This server's petitions."""
        found = await self.petitions.list(guild_id=self._guild(interaction), place=place)
        await interaction.response.send_message(
            clip(escape_lines(render_petition_list(found)), 2000), ephemeral=True
        )

    @app_commands.command(name="show")
    @app_commands.describe(petition="Petition number")
    async def petition_show(self, interaction: discord.Interaction, petition: int) -> None:
        """A petition: demand, target, progress, deadline, status and revisions."""
        found = await self.petitions.get(petition, guild_id=self._guild(interaction))
        revisions = await self.petitions.revisions(found)
        embed = petition_embed(found, history=len(revisions))
        if revisions:
            embed.add_field(
                name="Revision history",
                value=clip("\n".join(revision_line(r, escape=escape) for r in revisions), 1024),
                inline=False,
            )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="sign")
    @app_commands.describe(
        petition="Petition number",
        public_name="A name to list publicly (leave out to sign anonymously)",
        zip="ZIP code or ward (optional)",
        reason="Why you sign (optional, shared with the target)",
    )
    async def petition_sign(
        self,
        interaction: discord.Interaction,
        petition: int,
        public_name: str | None = None,
        zip: str | None = None,
        reason: str | None = None,
    ) -> None:
        """Sign a petition (once)."""
        arguments: dict[str, Any] = {
            "petition_id": petition,
            "user_id": str(interaction.user.id),
            "guild_id": self._guild(interaction),
            "public_name": public_name,
            "zip_code": zip,
            "reason": reason,
        }
        try:
            receipt = await self.petitions.sign(**arguments)
        except ConsentRequired:
            view = ConsentView(self, interaction.user.id, arguments)
            await interaction.response.send_message(CONSENT_TEXT, view=view, ephemeral=True)
            return
        await interaction.response.send_message(signed_text(receipt), ephemeral=True)
        await self.refresh_posts(receipt.petition.id)

    @app_commands.command(name="unsign")
    @app_commands.describe(petition="Petition number")
    async def petition_unsign(self, interaction: discord.Interaction, petition: int) -> None:
        """Withdraw your signature."""
        receipt = await self.petitions.unsign(
            petition, str(interaction.user.id), guild_id=self._guild(interaction)
        )
        await interaction.response.send_message(
            f"Your signature on petition #{receipt.petition.id} is withdrawn.", ephemeral=True
        )
        await self.refresh_posts(receipt.petition.id)

    petition_create.autocomplete("place")(place_autocomplete)
    petition_list.autocomplete("place")(place_autocomplete)


async def setup(bot: BanwatchBot) -> None:
    """Load the cog; the Sign button is registered so posted petitions work after a restart."""
    bot.add_dynamic_items(SignButton)
    await bot.add_cog(PetitionsCog(bot))
