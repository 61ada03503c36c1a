"""The /config console page: the console's one local server chooses its moderator role."""

from __future__ import annotations

from pathlib import Path

from bot.console import Console
from bot.models import CONSOLE_GUILD
from bot.service import Banwatch
from bot.store import Store

USER = "499999999999999999"


async def test_config_moderator_role_is_set_audited_and_cleared(
    db_path: Path, tmp_path: Path
) -> None:
    async with await Store.open(db_path) as store:
        console = Console(Banwatch(store, tmp_path), user_id=USER)
        answer = await console.handle("/config moderator-role role:1234")
        assert answer == "Members with the role 1234 are now banwatch moderators."
        assert await store.moderator_role(CONSOLE_GUILD) == 1234
        (entry, *_) = await store.audit_entries(CONSOLE_GUILD)
        assert (entry.actor_id, entry.action) == (USER, "config.moderator_role")
        assert entry.target == "1234"
        assert "Give the role's id" in await console.handle("/config moderator-role role:mods")
        assert "cleared" in await console.handle("/config moderator-role")
        assert await store.moderator_role(CONSOLE_GUILD) is None
        assert "/config moderator-role" in await console.handle("/help")
