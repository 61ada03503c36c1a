"""Petition buttons and forms: the persistent Sign button, the consent modal and view, the
create form."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.discord.client import report_error
from bot.discord.embeds import clip
from bot.discord.replies import OwnerView, SafeModal
from bot.errors import BanwatchError
from bot.petitions import Petition
from bot.privacy import CONSENT_SHORT
from cogs.petitions._embeds import petition_embed

if TYPE_CHECKING:
    from cogs.petitions import PetitionsCog

# Persistent: posted Sign buttons carry these ids, so they must never change.
SIGN_BUTTON_ID = "petition:sign:{petition_id}"
SIGN_BUTTON_PATTERN = r"petition:sign:(?P<petition_id>[0-9]{1,12})"


class SignButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=SIGN_BUTTON_PATTERN):
    """The Sign button on a posted petition; its custom_id carries the petition id, so it keeps
    working after a restart."""

    def __init__(self, petition_id: int, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="Sign",
                style=discord.ButtonStyle.success,
                custom_id=SIGN_BUTTON_ID.format(petition_id=petition_id),
                disabled=disabled,
            )
        )
        self.petition_id = petition_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> SignButton:
        return cls(int(match["petition_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Open the consent modal (answered with the notice and optional fields)."""
        cog = interaction.client.get_cog("Petitions")  # type: ignore[attr-defined]
        try:
            petition = await cog.petitions.get(self.petition_id, guild_id=str(interaction.guild_id))
            if petition.status != "open":
                raise BanwatchError(
                    f"Petition #{petition.id} is closed and no longer takes signatures."
                )
        except Exception as error:
            await report_error(interaction, error)
            return
        await interaction.response.send_modal(SignModal(cog, petition))


def sign_view(petition: Petition) -> discord.ui.View:
    """The view under a posted petition: one Sign button."""
    view = discord.ui.View(timeout=None)
    view.add_item(SignButton(petition.id, disabled=petition.status != "open"))
    return view


class SignModal(SafeModal):
    """The short consent form: what is kept and why, then the optional details."""

    notice = discord.ui.TextDisplay(CONSENT_SHORT)
    public_name: discord.ui.TextInput[SignModal] = discord.ui.TextInput(
        custom_id="public_name",
        label="Public name (blank = listed anonymously)",
        required=False,
        max_length=64,
    )
    zip_code: discord.ui.TextInput[SignModal] = discord.ui.TextInput(
        custom_id="zip_code", label="ZIP code or ward (optional)", required=False, max_length=20
    )
    reason: discord.ui.TextInput[SignModal] = discord.ui.TextInput(
        custom_id="reason",
        label="Why you sign (optional, shared with target)",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=500,
    )

    def __init__(self, cog: PetitionsCog, petition: Petition) -> None:
        super().__init__(title=clip(f"Sign petition #{petition.id}", 45))
        self.cog = cog
        self.petition = petition

    async def on_submit(self, interaction: discord.Interaction) -> None:
        receipt = await self.cog.petitions.sign(
            self.petition.id,
            str(interaction.user.id),
            guild_id=str(interaction.guild_id),
            public_name=self.public_name.value,
            zip_code=self.zip_code.value,
            reason=self.reason.value,
            consent=True,  # submitting this form, which shows the notice, is the consent
        )
        await interaction.response.send_message(signed_text(receipt), ephemeral=True)
        await self.cog.refresh_posts(receipt.petition.id)


class ConsentView(OwnerView):
    """A first-time signer's "I agree, sign" button under the full privacy notice."""

    def __init__(self, cog: PetitionsCog, owner_id: int, sign_args: dict[str, Any]) -> None:
        super().__init__(owner_id, timeout=600)
        self.cog = cog
        self.sign_args = sign_args

    @discord.ui.button(label="I agree, sign", style=discord.ButtonStyle.success)
    async def agree(
        self, interaction: discord.Interaction, button: discord.ui.Button[ConsentView]
    ) -> None:
        """Record consent and the signature."""
        receipt = await self.cog.petitions.sign(**self.sign_args, consent=True)
        await interaction.response.edit_message(content=signed_text(receipt), view=None)
        self.stop()
        await self.cog.refresh_posts(receipt.petition.id)


def signed_text(receipt: Any) -> str:
    """What the signer is told: the new count, or that they had signed already."""
    petition = receipt.petition
    if receipt.already_signed:
        return f"You have already signed petition #{petition.id}. Thank you!"
    return (
        f"Signed petition #{petition.id}: {receipt.count:,} of {petition.goal:,} signatures."
        " Withdraw with `/petition unsign`; `/privacy mydata` shows what is kept."
    )


class CreatePetitionModal(SafeModal, title="New petition"):
    """The petition's text, target, goal and optional deadline."""

    petition_title: discord.ui.TextInput[CreatePetitionModal] = discord.ui.TextInput(
        custom_id="petition_title", label="Title", max_length=100
    )
    demand: discord.ui.TextInput[CreatePetitionModal] = discord.ui.TextInput(
        custom_id="demand", label="The demand", style=discord.TextStyle.paragraph, max_length=2000
    )
    target: discord.ui.TextInput[CreatePetitionModal] = discord.ui.TextInput(
        custom_id="target",
        label="Target (who receives it)",
        placeholder="Mayor of Chicago",
        max_length=100,
    )
    goal: discord.ui.TextInput[CreatePetitionModal] = discord.ui.TextInput(
        custom_id="goal", label="Signature goal", placeholder="500", max_length=9
    )
    deadline: discord.ui.TextInput[CreatePetitionModal] = discord.ui.TextInput(
        custom_id="deadline", label="Deadline (optional, YYYY-MM-DD)", required=False, max_length=25
    )

    def __init__(self, cog: PetitionsCog, place: str | None) -> None:
        super().__init__()
        self.cog = cog
        self.place = place

    async def on_submit(self, interaction: discord.Interaction) -> None:
        petition = await self.cog.petitions.create(
            guild_id=str(interaction.guild_id),
            created_by=str(interaction.user.id),
            title=self.petition_title.value,
            demand=self.demand.value,
            target=self.target.value,
            goal=self.goal.value,
            place=self.place,
            deadline=self.deadline.value,
        )
        await interaction.response.send_message(
            f"Created petition #{petition.id}. Post it with `/petition post {petition.id}`.",
            embed=petition_embed(petition),
            ephemeral=True,
        )
