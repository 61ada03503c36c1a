"""``banwatch doctor``: is this installation healthy, and if not, what to do about it.

The checks that need no Discord live here (the configuration, the database, the corpus);
``bot.discord.doctor`` adds the token, the servers, each alert subscription's channel and
role, and the slash commands. Each check is one :class:`Finding`: one line, with the fix.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bot.feeds import Feeds
from bot.settings import Settings, env_file_location
from bot.store import inspect_database


@dataclass(frozen=True, slots=True)
class Finding:
    """The outcome of one check: ``ok`` True (healthy), False (wrong) or None (skipped)."""

    check: str
    ok: bool | None
    detail: str
    fix: str | None = None

    def line(self) -> str:
        """``ok   database: ...`` or ``FAIL database: ... (fix: ...)``."""
        mark = {True: "ok  ", False: "FAIL", None: "--  "}[self.ok]
        text = f"{mark} {self.check}: {self.detail}"
        return f"{text}\n       fix: {self.fix}" if self.fix else text


def healthy(findings: list[Finding]) -> bool:
    """Whether nothing failed."""
    return all(finding.ok is not False for finding in findings)


def megabytes(size: int) -> str:
    """``2.3 MB``."""
    return f"{size / 1_000_000:.1f} MB"


def check_config(settings: Settings) -> Finding:
    """Where the settings, database and corpus were found (absolute paths)."""
    env = (
        f".env {settings.env_file}"
        if settings.env_file
        else f"no .env (looked for {env_file_location()}; settings from the environment only)"
    )
    home = f"BANWATCH_HOME {settings.home}; " if settings.home else ""
    return Finding(
        "config",
        True,
        f"{home}{env}; database {settings.db_path}; corpus {settings.corpus_dir}",
    )


def check_database(db_path: Path) -> Finding:
    """Integrity, migrations and size, read without changing anything."""
    health = inspect_database(db_path)
    if not health.exists:
        return Finding(
            "database",
            False,
            f"there is no database at {db_path}",
            "banwatch creates it when it first runs (banwatch run or banwatch ingest); if yours"
            " is elsewhere, set BANWATCH_DB (or BANWATCH_HOME) to point at it",
        )
    if health.problem is not None:
        return Finding(
            "database",
            False,
            f"{db_path} is corrupt: {health.problem}",
            "stop the bot, then put back the latest backup: banwatch restore PATH"
            " (the damaged file is kept beside it)",
        )
    size = megabytes(health.size)
    if health.schema_version > health.latest_version:
        return Finding(
            "database",
            False,
            f"{db_path} is at schema version {health.schema_version}, newer than this"
            f" banwatch knows ({health.latest_version})",
            "run the banwatch release that made it (upgrade this installation)",
        )
    if health.schema_version < health.latest_version:
        return Finding(
            "database",
            True,
            f"{db_path}: integrity ok, schema version {health.schema_version} of"
            f" {health.latest_version} (the next banwatch run migrates it), {size}",
        )
    return Finding(
        "database",
        True,
        f"{db_path}: integrity ok, migrations at the latest version"
        f" ({health.latest_version}), {size}",
    )


def check_corpus(corpus_dir: Path) -> Finding:
    """The corpus folder exists and holds files."""
    if not corpus_dir.is_dir():
        return Finding(
            "corpus",
            False,
            f"there is no folder {corpus_dir}",
            "create it, or set BANWATCH_CORPUS to the folder that holds your coverage files",
        )
    count = 0
    for _, _, files in os.walk(corpus_dir):
        count += sum(1 for name in files if not name.startswith("."))
    if count == 0:
        return Finding(
            "corpus",
            True,
            f"{corpus_dir} is empty (nothing to track until files arrive)",
        )
    return Finding("corpus", True, f"{corpus_dir}: {count} file{'' if count == 1 else 's'}")


def local_checks(settings: Settings) -> list[Finding]:
    """The checks that need no Discord."""
    return [
        check_config(settings),
        check_database(settings.db_path),
        check_corpus(settings.corpus_dir),
    ]


async def check_feeds(feeds: Feeds) -> list[Finding]:
    """Each followed feed: polled fine, retrying, or failing since when and why."""
    health = await feeds.health()
    if not health:
        return [
            Finding(
                "feeds",
                True,
                "none followed (the home server's moderators add them with /feeds add)",
            )
        ]
    findings = []
    for feed, _skipped in health:
        name = f"feed #{feed.id}"
        if feed.failing_since:
            findings.append(
                Finding(
                    name,
                    False,
                    f"{feed.url}: failing since {feed.failing_since[:16]} UTC: {feed.last_error}",
                    f"open the address in a browser; if it moved, /feeds remove {feed.id} and"
                    f" /feeds add the new one; banwatch feeds check {feed.id} polls it now",
                )
            )
        elif feed.failures:
            findings.append(
                Finding(
                    name,
                    True,
                    f"{feed.url}: retrying after {feed.failures} failure(s): {feed.last_error}",
                )
            )
        elif not feed.last_success_at:
            findings.append(
                Finding(name, True, f"{feed.url}: not polled yet (the running bot polls it)")
            )
        else:
            findings.append(
                Finding(name, True, f"{feed.url}: ok, last success {feed.last_success_at[:16]} UTC")
            )
    return findings
