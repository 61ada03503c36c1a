"""Moderator actions on the corpus: add, import, correct and remove articles, all audited.

Articles a moderator adds live in the store (``origin = 'moderator'``) under the same stable id
an ingest would give them (a hash of the canonical URL, else of provider and headline). Each is
recorded against a pseudo source path ``moderator:...`` that no corpus directory contains, so a
re-ingest never retracts it, and the same story arriving later in the corpus merges into it
instead of duplicating it. The cogs and the console are both faces over :class:`Moderation`.
"""

from __future__ import annotations

# The extractor and the ingest are imported where an article is read: a command-line look-up
# builds this service but never reads an article, and importing them is a tenth of its time.
import datetime as dt
import hashlib
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot.corpus import CorpusError, ParsedArticle, parse_date, parse_document
from bot.errors import BanwatchError
from bot.models import Article, Correction, Extraction
from bot.store import utcnow
from bot.taxonomy import ACTION_LABELS, ACTIONS, SCOPES

if TYPE_CHECKING:
    from bot.service import Banwatch

MAX_TITLE_CHARS = 500
MAX_TEXT_CHARS = 4_000
MAX_PROVIDER_CHARS = 200
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_REASON_CHARS = 300
MODERATOR_SOURCE = "moderator:"
DRAFT_GONE = "This draft was already published or cancelled; nothing more to do."
NOT_DRAFT_OWNER = "Only the moderator who wrote this draft can publish or cancel it."
UNKNOWN_ID_HINT = " Article ids are shown by /search and /news."


@dataclass(frozen=True, slots=True)
class Actor:
    """Who performs a moderator action, and in which guild (None for the console)."""

    user_id: str
    guild_id: str | None = None


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    """What a moderator typed for a new article (the ``/article add`` modal's fields)."""

    title: str
    url: str = ""
    date: str = ""
    provider: str = ""
    text: str = ""


@dataclass(frozen=True, slots=True)
class ArticlePreview:
    """A draft as it would be stored, with the extractor's reading, before publishing."""

    parsed: ParsedArticle
    article: Article

    @property
    def reading(self) -> Extraction:
        """The automatic reading of the draft."""
        assert self.article.extraction is not None
        return self.article.extraction


@dataclass(frozen=True, slots=True)
class Published:
    """What publishing did: the stored article and whether it was new, updated or known."""

    article: Article
    outcome: str


@dataclass(slots=True)
class ImportResult:
    """What importing one file did."""

    filename: str
    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # Titles of the new, updated and merged articles, by id, to show what changed.
    titles: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        """One line of counts."""
        return (
            f"{len(self.new)} new, {len(self.updated)} updated, {len(self.unchanged)} unchanged,"
            f" {len(self.merged)} duplicates merged into existing articles,"
            f" {len(self.problems)} rejected."
        )

    def render(self) -> str:
        """The counts, then each changed article and each problem."""
        lines = [f"Imported {self.filename}: {self.summary()}"]
        for label, ids in (("new", self.new), ("updated", self.updated), ("merged", self.merged)):
            lines.extend(f"  {label}: {i} {self.titles.get(i, '')}".rstrip() for i in ids[:20])
        lines.extend(f"  rejected: {problem}" for problem in self.problems[:10])
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class CorrectionResult:
    """An article's reading before and after a moderator's correction."""

    article: Article
    before: Extraction | None
    after: Extraction | None


def reading_fields(reading: Extraction | None) -> list[tuple[str, str]]:
    """(label, value) pairs describing a reading: policy or not, place, action, scope, date."""
    if reading is None:
        return [("Reading", "not read yet")]
    place = ", ".join(p.display for p in reading.places) or "none found"
    return [
        ("Policy news", "yes" if reading.is_policy else "no"),
        ("Place", place),
        ("Action", f"{ACTION_LABELS.get(reading.action, reading.action)} ({reading.action})"),
        ("Scope", reading.scope),
        ("Date", reading.event_date.isoformat() if reading.event_date else "unknown"),
    ]


def _text(value: str | None, limit: int) -> str:
    return " ".join((value or "").split())[:limit]


def _provider_domain(url: str | None) -> str | None:
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or None


def _event_date(value: str) -> dt.date:
    """A moderator's event date (e.g. 2020-02-04), validated."""
    text = value.strip()
    if not text:
        raise BanwatchError("The event date is empty; give it like 2020-02-04.")
    try:
        parsed = parse_date(text, path="event_date", field_name="event_date")
    except CorpusError as exc:
        raise BanwatchError(
            f"The event date is not usable ({exc.reason}); give it like 2020-02-04."
        ) from exc
    assert parsed is not None
    return parsed.date()


def _check_url(url: str) -> str | None:
    url = url.strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in url:
        raise BanwatchError("The URL must be a web address starting with http:// or https://.")
    return url[:2000]


class Moderation:
    """Moderator actions over one :class:`Banwatch`; every change is written to the audit log."""

    def __init__(self, app: Banwatch) -> None:
        self.app = app
        self.store = app.store

    async def _article(self, article_id: str) -> Article:
        try:
            return await self.app.article(article_id)
        except BanwatchError as exc:
            raise BanwatchError(str(exc) + UNKNOWN_ID_HINT) from exc

    async def drop_stale_drafts(self, older_than: dt.datetime) -> int:
        """Forget drafts saved before ``older_than`` (never published nor cancelled)."""
        return await self.app.store.drop_stale_drafts(older_than.isoformat(timespec="seconds"))

    async def save_draft(self, draft: ArticleDraft, actor: Actor) -> tuple[str, ArticlePreview]:
        """Validate and read a draft, and keep it (in the store, so a restart keeps it) until
        its author publishes or cancels it; returns the draft's id and the preview."""
        preview = await self.preview_article(draft)
        assert preview.parsed.published_at is not None
        # Keep the date the preview showed, not "now" at publishing time.
        fields = asdict(draft) | {"date": preview.parsed.published_at.isoformat()}
        draft_id = await self.store.save_draft(actor.user_id, actor.guild_id, fields)
        return draft_id, preview

    async def _own_draft(self, draft_id: str, actor: Actor) -> ArticleDraft:
        stored = await self.store.get_draft(draft_id)
        if stored is None:
            raise BanwatchError(DRAFT_GONE)
        if stored.owner_id != actor.user_id:
            raise BanwatchError(NOT_DRAFT_OWNER)
        # Of two clicks arriving together only one takes the draft; the other is told so.
        taken = await self.store.take_draft(draft_id)
        if taken is None:
            raise BanwatchError(DRAFT_GONE)
        return ArticleDraft(**taken.fields)

    async def publish_draft(self, draft_id: str, actor: Actor) -> Published:
        """Publish a stored draft (once; a second click is refused politely)."""
        draft = await self._own_draft(draft_id, actor)
        return await self.publish_article(await self.preview_article(draft), actor)

    async def cancel_draft(self, draft_id: str, actor: Actor) -> None:
        """Drop a stored draft; nothing is published."""
        await self._own_draft(draft_id, actor)

    async def preview_article(self, draft: ArticleDraft) -> ArticlePreview:
        """Validate a draft and read it with the extractor; nothing is stored yet."""
        title = _text(draft.title, MAX_TITLE_CHARS)
        if not title:
            raise BanwatchError("An article needs a title.")
        url = _check_url(draft.url or "")
        try:
            published = parse_date(draft.date.strip() or None, path="article", field_name="date")
        except CorpusError as exc:
            raise BanwatchError(f"The date is not usable: {exc.reason}.") from exc
        text = (draft.text or "").strip()[:MAX_TEXT_CHARS]
        excerpt = _text(text.split("\n\n", 1)[0], 500)
        parsed = ParsedArticle(
            title=title,
            excerpt=excerpt,
            body=text if text != excerpt else "",
            url=url,
            published_at=published or dt.datetime.now(dt.UTC).replace(microsecond=0),
            provider_name=_text(draft.provider, MAX_PROVIDER_CHARS) or None,
            provider_domain=_provider_domain(url),
        )
        from bot.extraction import extract
        from bot.ingest import to_article

        article = to_article(parsed)
        article.origin = "moderator"
        article.extraction = extract(article)
        return ArticlePreview(parsed=parsed, article=article)

    async def publish_article(self, preview: ArticlePreview, actor: Actor) -> Published:
        """Store a previewed article; it survives restarts and re-ingests."""
        from bot.extraction import EXTRACTOR_VERSION

        parsed = preview.parsed
        data = parsed.content_hash().encode()
        outcome = await self.store.record_file(
            MODERATOR_SOURCE + parsed.stable_id(),
            len(data),
            0,
            hashlib.sha256(data).hexdigest(),
            [(parsed, preview.reading)],
            EXTRACTOR_VERSION,
            origin="moderator",
        )
        state, article_id = next(
            (name, ids[0])
            for name in ("new", "updated", "unchanged", "merged")
            if (ids := getattr(outcome, name))
        )
        await self.store.record_audit(
            actor_id=actor.user_id,
            guild_id=actor.guild_id,
            action="article.add",
            target=article_id,
            detail={"outcome": state, "title": parsed.title, "url": parsed.url},
        )
        return Published(article=await self.app.article(article_id), outcome=state)

    async def import_file(self, data: bytes, filename: str, actor: Actor) -> ImportResult:
        """Import one file in either corpus format (front matter or plain text)."""
        from bot.extraction import EXTRACTOR_VERSION
        from bot.ingest import read_parsed

        name = _text(filename, 200) or "upload"
        if len(data) > MAX_IMPORT_BYTES:
            raise BanwatchError(f"{name} is over {MAX_IMPORT_BYTES // (1024 * 1024)} MiB.")
        try:
            parsed = parse_document(data, path=name)
        except CorpusError as exc:
            raise BanwatchError(f"Can't import {name}: {exc.reason}.") from exc
        result = ImportResult(filename=name, problems=list(parsed.problems))
        if not parsed.articles:
            raise BanwatchError(f"{name} holds no readable article.")
        sha256 = hashlib.sha256(data).hexdigest()
        outcome = await self.store.record_file(
            f"{MODERATOR_SOURCE}import:{sha256[:16]}",
            len(data),
            0,
            sha256,
            read_parsed(parsed.articles),
            EXTRACTOR_VERSION,
            origin="moderator",
        )
        result.new, result.updated = outcome.new, outcome.updated
        result.unchanged, result.merged = outcome.unchanged, outcome.merged
        touched = [*result.new, *result.updated, *result.merged][:50]
        result.titles = await self.store.titles_of(touched)
        await self.store.record_audit(
            actor_id=actor.user_id,
            guild_id=actor.guild_id,
            action="article.import",
            target=name,
            detail={
                "new": result.new,
                "updated": result.updated,
                "unchanged": len(result.unchanged),
                "merged": len(result.merged),
                "rejected": len(result.problems),
            },
        )
        return result

    async def correct_article(
        self,
        article_id: str,
        actor: Actor,
        *,
        place: str | None = None,
        action: str | None = None,
        scope: str | None = None,
        is_policy: bool | None = None,
        event_date: str | None = None,
    ) -> CorrectionResult:
        """Store a moderator's reading of an article; it wins over the extractor from now on."""
        before = await self._article(article_id)
        when = _event_date(event_date) if event_date is not None else None
        if action is not None:
            action = action.strip().lower()
            if action not in ACTIONS:
                raise BanwatchError(
                    f"Unknown action {action!r}. Choose one of: {', '.join(ACTIONS)}."
                )
        if scope is not None:
            scope = scope.strip().lower()
            if scope not in SCOPES:
                raise BanwatchError(f"Unknown scope {scope!r}. Choose one of: {', '.join(SCOPES)}.")
        jurisdiction = await self.app.resolve_place(place) if place else None
        if all(value is None for value in (jurisdiction, action, scope, is_policy, when)):
            raise BanwatchError(
                "Say what to correct: place, action, scope, is_policy or event_date."
            )
        if action is not None and is_policy is None:
            is_policy = action != "none"
        correction = Correction(
            article_id=before.id,
            corrected_by=actor.user_id,
            corrected_at=utcnow(),
            is_policy=is_policy,
            action=action,
            scope=scope,
            event_date=when,
            place_key=jurisdiction.key if jurisdiction else None,
        )
        await self.store.save_review(
            correction, "corrected", extra_place=jurisdiction.place if jurisdiction else None
        )
        after = await self.app.article(before.id)
        await self.store.record_audit(
            actor_id=actor.user_id,
            guild_id=actor.guild_id,
            action="article.correct",
            target=before.id,
            detail={
                "place": jurisdiction.key if jurisdiction else None,
                "action": action,
                "scope": scope,
                "is_policy": is_policy,
                "event_date": when.isoformat() if when else None,
            },
        )
        await self.app.alerts.reviewed(before.id)
        return CorrectionResult(article=after, before=before.extraction, after=after.extraction)

    async def remove_article(self, article_id: str, actor: Actor, reason: str = "") -> Article:
        """Retract an article from every answer; it stays in the database for the audit trail."""
        article = await self._article(article_id)
        reason = _text(reason, MAX_REASON_CHARS) or "removed by a moderator"
        if not await self.store.retract_article(article.id, reason):
            raise BanwatchError(f"Article {article.id} was already removed.")
        await self.store.record_audit(
            actor_id=actor.user_id,
            guild_id=actor.guild_id,
            action="article.remove",
            target=article.id,
            detail={"title": article.title, "reason": reason},
        )
        return article
