"""Channel alerts on Discord: /alerts commands and the outbox sender."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.alerts.models import DEFAULT_REVIEW_MODE, Subscription
from bot.alerts.service import subscription_line
from bot.discord.checks import moderator_only
from bot.discord.client import BanwatchBot
from bot.discord.embeds import clip, escape
from bot.discord.replies import NO_MENTIONS
from bot.models import CONSOLE_GUILD
from bot.taxonomy import ACTIONS
from cogs.alerts._delivery import PERMISSIONS, DiscordPoster, alert_embed

__all__ = ["PERMISSIONS", "AlertsCog", "DiscordPoster", "alert_embed", "setup"]

log = logging.getLogger(__name__)

SEND_INTERVAL_SECONDS = 1.0
# A pass of the sender starts no new post after this long, so the loop comes round to match
# new items even while a busy channel works through a backlog at Discord's 5 posts per 5 s.
SEND_PASS_SECONDS = 5.0
# How often broken subscriptions are checked again (and at once on /alerts check and resume).
RECHECK_INTERVAL_SECONDS = 3600.0

CHANNEL_KINDS = {
    discord.ChannelType.text: "text",
    discord.ChannelType.news: "announcement",
    discord.ChannelType.forum: "forum",
}


def _channel_kind(channel: discord.abc.GuildChannel) -> str | None:
    return CHANNEL_KINDS.get(channel.type)


async def action_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Taxonomy actions for the ``actions`` option (the last comma-separated word)."""
    head, _, last = current.rpartition(",")
    prefix = f"{head}," if head else ""
    return [
        app_commands.Choice(name=f"{prefix}{a}"[:100], value=f"{prefix}{a}"[:100])
        for a in ACTIONS[:-1]
        if a.startswith(last.strip().lower())
    ][:25]


REVIEW_CHOICES = [
    app_commands.Choice(name="hold uncertain items for review", value="hold"),
    app_commands.Choice(name="post everything at once", value="all"),
    app_commands.Choice(name="reviewed items only", value="confirmed"),
]


class AlertsCog(
    commands.GroupCog, group_name="alerts", group_description="News alerts in your channels"
):
    """Subscriptions (moderators only), and the sender loop draining the outbox."""

    def __init__(self, bot: BanwatchBot) -> None:
        self.bot = bot
        self.alerts = bot.app.alerts
        self.sender = self.alerts.sender(
            DiscordPoster(bot),
            rate=bot.settings.alerts_rate,
            pass_seconds=SEND_PASS_SECONDS,
            except_guild=CONSOLE_GUILD,
        )
        super().__init__()

    async def cog_load(self) -> None:
        self.send_loop.start()
        self.recheck_loop.start()

    async def cog_unload(self) -> None:
        self.send_loop.cancel()
        self.recheck_loop.cancel()

    # -- background work ------------------------------------------------------------------

    @tasks.loop(seconds=SEND_INTERVAL_SECONDS)
    async def send_loop(self) -> None:
        """Match new items and drain the outbox; an exception is logged, the loop goes on."""
        try:
            await self.alerts.scan()
            await self.sender.run_once()
        except Exception:
            log.exception("alerts: the sender failed; trying again shortly")

    @send_loop.before_loop
    async def _before_send(self) -> None:
        await self.bot.wait_until_ready()

    @tasks.loop(seconds=RECHECK_INTERVAL_SECONDS)
    async def recheck_loop(self) -> None:
        """Clear the broken subscriptions whose channel works again; errors are logged."""
        try:
            await self.alerts.recheck(self.sender)
        except Exception:
            log.exception("alerts: re-checking broken subscriptions failed; trying next hour")

    @recheck_loop.before_loop
    async def _before_recheck(self) -> None:
        await self.bot.wait_until_ready()

    # -- commands -----------------------------------------------------------------------------

    async def _reply(self, interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message(
            clip(text, 2000), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @app_commands.command(name="subscribe")
    @app_commands.describe(
        channel="Where to post (text, announcement or forum channel)",
        place="Only this place, e.g. Springfield, MA",
        state="Only places in this state, e.g. MA",
        country="Only places in this country (ISO code, e.g. US)",
        actions="Only these actions, comma-separated, e.g. ban_enacted,ban_proposed",
        keywords="Only items mentioning one of these words, comma-separated",
        mode="One post per item, status changes only, or a daily digest",
        digest_hour="For a digest: the hour (UTC, 0-23) to post it",
        role="A role to mention with each alert (the only mention the bot sends)",
        backfill="Also post the N latest matching items now (0-25)",
        review="Post everything at once, hold uncertain items for review (default), or "
        "reviewed items only",
    )
    @app_commands.choices(
        mode=[
            app_commands.Choice(name="one post per item", value="item"),
            app_commands.Choice(name="status changes only", value="status"),
            app_commands.Choice(name="daily digest", value="digest"),
        ],
        review=REVIEW_CHOICES,
    )
    @app_commands.autocomplete(actions=action_choices)
    @moderator_only()
    async def alerts_subscribe(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel | discord.ForumChannel,
        place: str | None = None,
        state: str | None = None,
        country: str | None = None,
        actions: str | None = None,
        keywords: str | None = None,
        mode: str = "item",
        digest_hour: app_commands.Range[int, 0, 23] | None = None,
        role: discord.Role | None = None,
        backfill: app_commands.Range[int, 0, 25] = 0,
        review: str = DEFAULT_REVIEW_MODE,
    ) -> None:
        """Post news matching these filters into a channel, from now on."""
        kind = _channel_kind(channel) or "text"
        subscription, queued = await self.alerts.subscribe(
            guild_id=str(interaction.guild_id),
            channel_id=str(channel.id),
            actor_id=str(interaction.user.id),
            channel_kind=kind,
            place=place,
            state=state,
            country=country,
            actions=actions,
            keywords=keywords,
            mode=mode,
            digest_hour=digest_hour,
            role_id=str(role.id) if role else None,
            backfill=backfill,
            review=review,
            created_in=str(interaction.channel_id) if interaction.channel_id else None,
        )
        text = f"Subscribed: {escape(subscription_line(subscription))}. It starts from now"
        text += f"; {queued} earlier item(s) will be posted." if queued else "."
        await self._reply(interaction, text)

    @app_commands.command(name="review")
    @app_commands.describe(
        id="The subscription number shown by /alerts list",
        mode="Post everything at once, hold uncertain items for review, or reviewed items only",
    )
    @app_commands.choices(mode=REVIEW_CHOICES)
    @moderator_only()
    async def alerts_review(self, interaction: discord.Interaction, id: int, mode: str) -> None:
        """Choose whether a subscription waits for moderators to confirm uncertain items."""
        subscription = await self.alerts.set_review_mode(
            str(interaction.guild_id), id, mode, str(interaction.user.id)
        )
        await self._reply(
            interaction, f"Subscription #{subscription.id} now {subscription.describe_review()}."
        )

    @app_commands.command(name="list")
    @moderator_only()
    async def alerts_list(self, interaction: discord.Interaction) -> None:
        """This server's alert subscriptions (broken ones say why)."""
        guild_id = str(interaction.guild_id)
        subscriptions = await self.alerts.subscriptions(guild_id)
        lines = []
        if await self.alerts.paused(guild_id):
            lines.append("Alerts are **paused**; `/alerts resume` starts them again.")
        lines += [
            escape(subscription_line(s)).replace(" BROKEN", " ⚠️ BROKEN") for s in subscriptions
        ]
        await self._reply(interaction, "\n".join(lines) or "No alert subscriptions yet.")

    @app_commands.command(name="unsubscribe")
    @app_commands.describe(id="The subscription number shown by /alerts list")
    @moderator_only()
    async def alerts_unsubscribe(self, interaction: discord.Interaction, id: int) -> None:
        """Stop a subscription."""
        subscription = await self.alerts.unsubscribe(
            str(interaction.guild_id), id, str(interaction.user.id)
        )
        await self._reply(interaction, f"Removed subscription #{subscription.id}.")

    @app_commands.command(name="preview")
    @app_commands.describe(id="The subscription number shown by /alerts list")
    @moderator_only()
    async def alerts_preview(self, interaction: discord.Interaction, id: int) -> None:
        """What the last few matching items would have looked like (nothing is posted)."""
        messages = await self.alerts.preview(str(interaction.guild_id), id)
        if not messages:
            await self._reply(interaction, "No item matches this subscription yet.")
            return
        await interaction.response.send_message(
            embeds=[alert_embed(m) for m in messages],
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="pause")
    @moderator_only()
    async def alerts_pause(self, interaction: discord.Interaction) -> None:
        """Pause every alert in this server."""
        changed = await self.alerts.set_paused(
            str(interaction.guild_id), True, str(interaction.user.id)
        )
        await self._reply(interaction, "Alerts paused." if changed else "Already paused.")

    @app_commands.command(name="resume")
    @moderator_only()
    async def alerts_resume(self, interaction: discord.Interaction) -> None:
        """Resume alerts in this server."""
        guild_id = str(interaction.guild_id)
        changed = await self.alerts.set_paused(guild_id, False, str(interaction.user.id))
        text = "Alerts resumed." if changed else "Alerts were not paused."
        recovered = await self.alerts.recheck(self.sender, guild_id=guild_id)
        await self._reply(interaction, text + _recovered_text(recovered))

    @app_commands.command(name="check")
    @moderator_only()
    async def alerts_check(self, interaction: discord.Interaction) -> None:
        """Check this server's broken subscriptions now; those whose channel works resume."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild_id = str(interaction.guild_id)
        recovered = await self.alerts.recheck(self.sender, guild_id=guild_id)
        still = [s for s in await self.alerts.subscriptions(guild_id) if s.broken_at]
        lines = [_recovered_text(recovered).strip() or "No subscription was broken and now works."]
        lines += [f"Still broken: #{s.id} → <#{s.channel_id}>: {escape(s.broken_reason or '')}"
                  for s in still]  # fmt: skip
        await interaction.followup.send(
            clip("\n".join(lines), 2000), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @app_commands.command(name="why")
    @app_commands.describe(item="The article id (shown by /news and /search)")
    @moderator_only()
    async def alerts_why(self, interaction: discord.Interaction, item: str) -> None:
        """Why an item was or wasn't posted in each of this server's subscriptions."""
        answers = await self.alerts.why(str(interaction.guild_id), item)
        lines = [f"#{s.id} → <#{s.channel_id}>: {escape(text)}" for s, text in answers]
        await self._reply(interaction, "\n".join(lines))


def _recovered_text(recovered: list[Subscription]) -> str:
    if not recovered:
        return ""
    names = ", ".join(f"#{s.id} → <#{s.channel_id}>" for s in recovered)
    return f" Working again: {names}."


async def setup(bot: BanwatchBot) -> None:
    """Load the alerts commands and loops."""
    await bot.add_cog(AlertsCog(bot))
