"""The dataclasses of channel alerts: subscriptions, outbox entries and the message to post."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.models import Place

CHANNEL_KINDS: tuple[str, ...] = ("text", "announcement", "forum")
MODES: tuple[str, ...] = ("item", "status", "digest")
KINDS: tuple[str, ...] = ("item", "status", "digest", "notice")

# Outbox states: the first five are final answers to "why wasn't this posted here?".
FILTERED = "filtered"
BEFORE_SUBSCRIPTION = "before_subscription"
DUPLICATE = "duplicate"
PAUSED = "paused"
HELD = "held"  # waiting for the subscription's daily digest
DIGESTED = "digested"  # went out inside a digest
QUEUED = "queued"
DELIVERED = "delivered"
FAILED = "failed"
REVIEW = "review"  # waiting for a moderator to confirm the item's reading

# What a subscription posts before review: everything at once; confident items at once and
# the others once a moderator confirms them (the default for new subscriptions); reviewed
# items only. Subscriptions made before review existed post everything.
REVIEW_MODES: tuple[str, ...] = ("all", "hold", "confirmed")
DEFAULT_REVIEW_MODE = "hold"
REVIEW_MODE_LABELS: dict[str, str] = {
    "all": "posts every item at once",
    "hold": "holds uncertain items for review",
    "confirmed": "posts reviewed items only",
}

STATE_LABELS: dict[str, str] = {
    FILTERED: "filtered out",
    BEFORE_SUBSCRIPTION: "older than the subscription",
    DUPLICATE: "duplicate of an earlier post",
    PAUSED: "alerts were paused",
    HELD: "held for the daily digest",
    DIGESTED: "posted in a daily digest",
    QUEUED: "queued",
    DELIVERED: "delivered",
    FAILED: "failed",
    REVIEW: "held for review",
}


def make_nonce(subscription_id: int, kind: str, subject: str) -> str:
    """A stable nonce (Discord allows 25 characters) so a resend after a crash is deduplicated."""
    digest = hashlib.sha256(f"{subscription_id}|{kind}|{subject}".encode()).hexdigest()
    return "bw" + digest[:23]


@dataclass(frozen=True, slots=True)
class Subscription:
    """A moderator's request to post matching news into one channel."""

    id: int
    guild_id: str
    channel_id: str
    channel_kind: str
    created_by: str
    created_at: str
    last_article_rowid: int = 0
    place_key: str | None = None
    state: str | None = None
    country: str | None = None
    actions: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    mode: str = "item"
    digest_hour: int | None = None
    role_id: str | None = None
    broken_at: str | None = None
    broken_reason: str | None = None
    removed_at: str | None = None
    review: str = "all"
    # The channel the subscription was made in: its moderators are told there when it breaks
    # or recovers, if the server has no log channel.
    created_in: str | None = None

    @property
    def active(self) -> bool:
        """Not removed and not broken."""
        return self.removed_at is None and self.broken_at is None

    def describe_filters(self) -> str:
        """ "place Springfield, MA; actions ban_enacted" or "every policy item"."""
        parts = []
        if self.place_key:
            parts.append(f"place {Place.from_key(self.place_key).display}")
        if self.state:
            parts.append(f"state {self.state}")
        if self.country:
            parts.append(f"country {self.country}")
        if self.actions:
            parts.append("actions " + ", ".join(self.actions))
        if self.keywords:
            parts.append("keywords " + ", ".join(self.keywords))
        return "; ".join(parts) or "every policy item"

    def describe_mode(self) -> str:
        """ "one post per item", "status changes only" or "daily digest at 09:00 UTC"."""
        if self.mode == "status":
            return "status changes only"
        if self.mode == "digest":
            return f"daily digest at {self.digest_hour or 0:02d}:00 UTC"
        return "one post per item"

    def describe_review(self) -> str:
        """ "holds uncertain items for review" and the like."""
        return REVIEW_MODE_LABELS.get(self.review, self.review)


@dataclass(slots=True)
class AlertMessage:
    """What one alert says, independent of Discord: the cog builds an embed, the console text."""

    kind: str
    title: str
    description: str = ""
    url: str | None = None
    provider: str | None = None
    date: str | None = None
    place: str | None = None
    place_key: str | None = None
    action: str | None = None
    status_change: str | None = None
    also_covered: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # digest entries
    # Read automatically and less sure than the server's threshold; nobody checked it yet.
    unconfirmed: bool = False
    # A moderator found after posting that the item is not policy news.
    withdrawn: bool = False

    def to_json(self) -> str:
        """The payload stored in the outbox."""
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> AlertMessage:
        """Rebuild a stored payload."""
        data: dict[str, Any] = json.loads(text)
        return cls(**{key: value for key, value in data.items() if key in cls.__slots__})


@dataclass(frozen=True, slots=True)
class NewOutboxRow:
    """A row the matcher wants written; (subscription_id, kind, subject) makes it idempotent."""

    subscription_id: int
    kind: str
    subject: str
    state: str
    detail: str = ""
    article_id: str | None = None
    payload: AlertMessage | None = None

    @property
    def nonce(self) -> str:
        """The Discord nonce for this row."""
        return make_nonce(self.subscription_id, self.kind, self.subject)


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One stored outbox row with the channel it goes to."""

    id: int
    subscription_id: int
    guild_id: str
    channel_id: str
    channel_kind: str
    role_id: str | None
    kind: str
    subject: str
    article_id: str | None
    state: str
    detail: str
    payload: AlertMessage | None
    nonce: str
    attempts: int
    next_attempt_at: str | None
    message_id: str | None
    folded_into: int | None
    needs_edit: bool
    created_at: str
    updated_at: str
    # The first attempt that may have reached Discord without being confirmed (see 007).
    attempted_at: str | None = None

    @property
    def unconfirmed(self) -> bool:
        """Queued after an attempt whose outcome is unknown (it may have been posted)."""
        return self.state == QUEUED and self.attempted_at is not None

    def describe(self) -> str:
        """ "delivered (message 123)" / "filtered out: not policy news"."""
        label = STATE_LABELS.get(self.state, self.state)
        if self.state == DELIVERED and self.message_id:
            label += f" (message {self.message_id})"
        return f"{label}: {self.detail}" if self.detail else label
