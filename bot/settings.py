"""Settings read once from the environment and an optional ``.env`` file.

Where things are found, so that starting banwatch from another directory never silently
uses another database:

- ``.env``: in ``$BANWATCH_HOME`` when that is set in the environment, else in the working
  directory. Variables already in the environment win over the file.
- the database: ``$BANWATCH_DB``; a relative path is taken from ``$BANWATCH_HOME`` when set,
  else from the working directory; unset, ``banwatch.db`` there.
- the corpus: ``$BANWATCH_CORPUS`` (relative: as for the database), else the project's
  ``seeds/``.

Every path is made absolute once, here, and the bot logs them at start-up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = PROJECT_ROOT / "seeds"


# Discord's global limit on a bot's requests per second: alerts paced faster only earn 429s.
DISCORD_GLOBAL_RATE = 50


class SettingsError(Exception):
    """A setting has a value banwatch can't use."""


def _int(
    name: str,
    default: int | None,
    *,
    minimum: int = 0,
    maximum: int | None = None,
    why_maximum: str = "",
) -> int | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise SettingsError(f"{name} must be at most {maximum}{why_maximum}, got {value}")
    return value


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not 0 <= value <= 60:
        raise SettingsError(f"{name} must be between 0 and 60 seconds, got {raw}")
    return value


_ON = ("1", "on", "yes", "true")
_OFF = ("0", "off", "no", "false")


def _switch(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _ON or raw in _OFF:
        return raw in _ON
    raise SettingsError(f"{name} must be on or off, got {raw!r}")


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything banwatch can be told from outside. The token is never shown."""

    db_path: Path
    corpus_dir: Path
    # The .env file read, if one was found (absolute), and BANWATCH_HOME if set.
    env_file: Path | None = None
    home: Path | None = None
    discord_token: str | None = field(default=None, repr=False)
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    dev_guild_id: int | None = None
    # How long discord.py waits after the last server arrives before the bot is ready (its
    # guild_ready_timeout): Discord sends a bot's servers one by one after connecting.
    guild_ready_seconds: float = 2.0
    rescan_seconds: int = 300
    # A command-line look-up re-reads the corpus first only if no ingest began this recently.
    refresh_seconds: int = 60
    alerts_rate: int = 48
    log_level: str = "INFO"
    signer_retention_days: int = 180
    # The home server: its moderators manage feeds and review readings (None: the one server
    # the bot is in).
    home_guild_id: int | None = None
    # Whether the corpus bundled inside the package is loaded beside ``corpus_dir``: on unless
    # BANWATCH_BUNDLED_CORPUS=off (load_settings); settings built by hand (tests) leave it off.
    bundled_corpus: bool = False
    feeds_interval_seconds: int = 900
    # Networks (CIDR, comma-separated, or "loopback") feeds may be fetched from although
    # they are not public: tests, and a feed hosted on the same machine or network.
    feeds_allow_networks: str = ""
    feeds_max_age_days: int = 7

    def with_db(self, db_path: str | Path | None) -> Settings:
        """These settings with another database file (the ``--db`` flag)."""
        return replace(self, db_path=Path(db_path).resolve()) if db_path else self

    def with_corpus(self, corpus_dir: str | Path | None) -> Settings:
        """These settings with another corpus directory."""
        return replace(self, corpus_dir=Path(corpus_dir).resolve()) if corpus_dir else self


def _home() -> Path | None:
    raw = os.environ.get("BANWATCH_HOME", "").strip()
    return Path(raw).expanduser().resolve() if raw else None


def env_file_location() -> Path:
    """Where ``.env`` is looked for: ``$BANWATCH_HOME/.env``, else ``./.env`` (absolute)."""
    return (_home() or Path.cwd().resolve()) / ".env"


def load_settings(env_file: str | Path | None = None) -> Settings:
    """Read settings from ``.env`` (if any) and the environment; the environment wins."""
    env_path = Path(env_file).resolve() if env_file else env_file_location()
    found = env_path if env_path.is_file() else None
    if found is not None:
        # Imported only when there is a file to read: every command starts here.
        from dotenv import load_dotenv

        load_dotenv(found, override=False)
    # BANWATCH_HOME may come from the .env itself: the database follows it either way.
    home = _home()
    base = home or Path.cwd()
    db_path = Path(os.environ.get("BANWATCH_DB", "").strip() or "banwatch.db").expanduser()
    corpus = Path(os.environ.get("BANWATCH_CORPUS", "").strip() or DEFAULT_CORPUS).expanduser()
    token = os.environ.get("DISCORD_TOKEN", "").strip() or None
    return Settings(
        db_path=(base / db_path).resolve(),
        corpus_dir=(base / corpus).resolve(),
        env_file=found,
        home=home,
        discord_token=token,
        discord_api_base=os.environ.get("DISCORD_API_BASE", "").strip().rstrip("/") or None,
        discord_gateway_url=os.environ.get("DISCORD_GATEWAY_URL", "").strip() or None,
        dev_guild_id=_int("DEV_GUILD_ID", None, minimum=1),
        guild_ready_seconds=_seconds("DISCORD_GUILD_READY_SECONDS", 2.0),
        rescan_seconds=_int("BANWATCH_RESCAN_SECONDS", 300, minimum=1) or 300,
        refresh_seconds=_int("BANWATCH_REFRESH_SECONDS", 60, minimum=0) or 0,
        alerts_rate=_int(
            "BANWATCH_ALERTS_RATE",
            48,
            minimum=1,
            maximum=DISCORD_GLOBAL_RATE,
            why_maximum=(
                f" (Discord allows a bot {DISCORD_GLOBAL_RATE} requests a second in all;"
                " faster alerts only earn 429s)"
            ),
        )
        or 48,
        log_level=os.environ.get("BANWATCH_LOG_LEVEL", "INFO").strip().upper() or "INFO",
        signer_retention_days=_int("BANWATCH_SIGNER_RETENTION_DAYS", 180, minimum=0) or 0,
        home_guild_id=_int("BANWATCH_HOME_GUILD", None, minimum=1),
        bundled_corpus=_switch("BANWATCH_BUNDLED_CORPUS", True),
        feeds_interval_seconds=_int("BANWATCH_FEEDS_INTERVAL_SECONDS", 900, minimum=1) or 900,
        feeds_allow_networks=os.environ.get("BANWATCH_FEEDS_ALLOW_NETWORKS", "").strip(),
        feeds_max_age_days=_int("BANWATCH_FEEDS_MAX_AGE_DAYS", 7, minimum=0) or 0,
    )


def locations(settings: Settings) -> list[tuple[str, str]]:
    """Where this process reads its settings, database and corpus, as absolute paths."""
    env = str(
        settings.env_file
        or f"none (looked for {env_file_location()}; settings from the environment only)"
    )
    return [
        (".env", env),
        ("database", str(settings.db_path)),
        ("corpus", str(settings.corpus_dir)),
    ]
