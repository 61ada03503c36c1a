"""The one module that owns the SQLite database: schema, migrations and every query.

Feature parts (``_articles``, ...) are mixins over :class:`BaseStore`; callers use
:class:`Store` and get plain dataclasses back, never rows or SQL.
"""

from __future__ import annotations

from bot.store._alerts import AlertStore
from bot.store._articles import REMOVED_FROM_CORPUS, ArticleStore, FileOutcome, SourceFile
from bot.store._base import DatabaseHealth, StoreError, inspect_database, utcnow
from bot.store._events import EventStore
from bot.store._feeds import FeedStore
from bot.store._guilds import GuildStore
from bot.store._petitions import PetitionStore
from bot.store._reviews import ReviewCandidate, ReviewRecord, ReviewReport, ReviewStore

__all__ = [
    "REMOVED_FROM_CORPUS",
    "DatabaseHealth",
    "FileOutcome",
    "ReviewCandidate",
    "ReviewRecord",
    "ReviewReport",
    "SourceFile",
    "Store",
    "StoreError",
    "inspect_database",
    "utcnow",
]


class Store(
    FeedStore, ArticleStore, EventStore, GuildStore, PetitionStore, AlertStore, ReviewStore
):
    """The banwatch database."""
