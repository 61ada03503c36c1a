"""Settings read once from the environment and an optional ``.env`` file."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = PROJECT_ROOT / "seeds"


class SettingsError(Exception):
    """A setting has a value banwatch can't use."""


def _int(name: str, default: int | None, *, minimum: int = 0) -> int | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything banwatch can be told from outside. The token is never shown."""

    db_path: Path
    corpus_dir: Path
    discord_token: str | None = field(default=None, repr=False)
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    dev_guild_id: int | None = None
    rescan_seconds: int = 300
    alerts_rate: int = 48
    log_level: str = "INFO"
    signer_retention_days: int = 180

    def with_db(self, db_path: str | Path | None) -> Settings:
        """These settings with another database file (the ``--db`` flag)."""
        return replace(self, db_path=Path(db_path)) if db_path else self

    def with_corpus(self, corpus_dir: str | Path | None) -> Settings:
        """These settings with another corpus directory."""
        return replace(self, corpus_dir=Path(corpus_dir)) if corpus_dir else self


def load_settings(env_file: str | Path | None = None) -> Settings:
    """Read settings from ``.env`` (if any) and the environment; the environment wins."""
    load_dotenv(env_file or Path.cwd() / ".env", override=False)
    token = os.environ.get("DISCORD_TOKEN", "").strip() or None
    return Settings(
        db_path=Path(os.environ.get("BANWATCH_DB", "").strip() or "banwatch.db"),
        corpus_dir=Path(os.environ.get("BANWATCH_CORPUS", "").strip() or DEFAULT_CORPUS),
        discord_token=token,
        discord_api_base=os.environ.get("DISCORD_API_BASE", "").strip().rstrip("/") or None,
        discord_gateway_url=os.environ.get("DISCORD_GATEWAY_URL", "").strip() or None,
        dev_guild_id=_int("DEV_GUILD_ID", None, minimum=1),
        rescan_seconds=_int("BANWATCH_RESCAN_SECONDS", 300, minimum=1) or 300,
        alerts_rate=_int("BANWATCH_ALERTS_RATE", 48, minimum=1) or 48,
        log_level=os.environ.get("BANWATCH_LOG_LEVEL", "INFO").strip().upper() or "INFO",
        signer_retention_days=_int("BANWATCH_SIGNER_RETENTION_DAYS", 180, minimum=0) or 0,
    )
