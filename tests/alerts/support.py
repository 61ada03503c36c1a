"""Helpers for alert tests: news files to drop into a corpus, and a poster that remembers."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.alerts.models import AlertMessage, OutboxEntry
from bot.alerts.sender import DeliveryBroken, DeliveryRetry


def write_news(
    corpus: Path,
    name: str,
    *,
    title: str,
    excerpt: str,
    published: str = "2024-03-05T12:00:00Z",
    provider: str = "Springfield Gazette",
    domain: str = "gazette.example",
) -> Path:
    """Write one front-matter article file into ``corpus``."""
    slug = hashlib.sha1(title.encode()).hexdigest()[:10]
    path = corpus / name
    path.write_text(
        "---\n"
        "category: news\n"
        f'title: "{title}"\n'
        f'excerpt: "{excerpt}"\n'
        f"publishedDateTime: {published}\n"
        f'webUrl: "https://{domain}/news/{slug}"\n'
        "type: article\n"
        "provider:\n"
        f"  name: {provider}\n"
        f"  domain: {domain}\n"
        "---\n\n"
        f"{excerpt}\n",
        encoding="utf-8",
    )
    return path


SPRINGFIELD_BAN = {
    "title": "Springfield City Council votes to ban police use of facial recognition",
    "excerpt": (
        "SPRINGFIELD, Mass. (AP) — The Springfield City Council voted 10-3 on Monday to ban"
        " police use of facial recognition technology. The ordinance takes effect in 30 days."
        " The mayor has said he will not veto it."
    ),
}
SPRINGFIELD_BAN_OTHER_OUTLET = {
    "title": "Springfield, Massachusetts council approves ban on facial recognition for police",
    "excerpt": (
        "The Springfield City Council in Massachusetts voted Monday to ban police use of"
        " facial recognition technology. Civil liberties groups welcomed the vote."
    ),
}
PORTLAND_BAN = {
    "title": "Portland, Oregon city council votes to ban facial recognition technology",
    "excerpt": (
        "The Portland City Council in Oregon voted on Wednesday to ban the use of facial"
        " recognition technology by city agencies and private businesses."
    ),
}


class SimulatedKill(Exception):
    """Stands for the process dying right after Discord accepted a post."""


class MemoryPoster:
    """A poster that keeps posts per channel and, like Discord with enforce_nonce, dedupes.

    Like Discord, a forum post (a new thread) has no nonce: each one creates a post, and only
    :meth:`find_post` (which reads the marker each forum post keeps) can tell it was made.
    """

    def __init__(self) -> None:
        self.posts: dict[str, list[tuple[str, AlertMessage]]] = {}
        self.by_nonce: dict[tuple[str, str], str] = {}
        self.edits: list[tuple[str, AlertMessage]] = []
        self.failures: list[Exception] = []
        self.crash_after_post = False
        self.calls = 0
        self.markers: dict[str, str] = {}  # forum post's message id -> the row's nonce
        self.lookups: list[str] = []  # nonces find_post was asked about
        self.lookup_failures: list[Exception] = []

    async def post(self, entry: OutboxEntry, message: AlertMessage) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        if entry.channel_kind == "forum":
            message_id = f"t{len(self.markers) + 1}"
            self.markers[message_id] = entry.nonce
            self.posts.setdefault(entry.channel_id, []).append((message_id, message))
        else:
            key = (entry.channel_id, entry.nonce)
            if key not in self.by_nonce:
                self.by_nonce[key] = f"m{len(self.by_nonce) + 1}"
                self.posts.setdefault(entry.channel_id, []).append((self.by_nonce[key], message))
            message_id = self.by_nonce[key]
        if self.crash_after_post:
            self.crash_after_post = False
            raise SimulatedKill("killed between sending and recording")
        return message_id

    async def find_post(
        self, entry: OutboxEntry, pace: Callable[[], Awaitable[None]]
    ) -> str | None:
        self.lookups.append(entry.nonce)
        await pace()
        if self.lookup_failures:
            raise self.lookup_failures.pop(0)
        for message_id, _ in self.posts.get(entry.channel_id, []):
            if self.markers.get(message_id) == entry.nonce:
                return message_id
        return None

    async def edit(self, entry: OutboxEntry, message: AlertMessage) -> None:
        self.edits.append((entry.message_id or "", message))

    async def reachable(self, channel_id: str) -> bool:
        return True

    def titles(self, channel: str) -> list[str]:
        return [message.title for _, message in self.posts.get(channel, [])]


__all__ = [
    "PORTLAND_BAN",
    "SPRINGFIELD_BAN",
    "SPRINGFIELD_BAN_OTHER_OUTLET",
    "DeliveryBroken",
    "DeliveryRetry",
    "MemoryPoster",
    "SimulatedKill",
    "write_news",
]
