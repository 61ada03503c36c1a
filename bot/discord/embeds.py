"""Safe embeds: escaped markdown and mentions, text cut at word boundaries to Discord's limits."""

from __future__ import annotations

from collections.abc import Iterable

import discord

from bot import render
from bot.articles import ImportResult, reading_fields
from bot.models import DEFAULT_CONFIDENCE_THRESHOLD, Article, Event, Extraction, ReviewState
from bot.taxonomy import ACTION_LABELS
from bot.tracker import JurisdictionStatus

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELD_COUNT_LIMIT = 25
FOOTER_LIMIT = 2048
TOTAL_LIMIT = 6000
CONTENT_LIMIT = 2000
ELLIPSIS = "…"

STATUS_COLOURS = {
    "ban": discord.Colour.green(),
    "moratorium": discord.Colour.teal(),
    "restricted": discord.Colour.blue(),
    "repealed": discord.Colour.red(),
    "pending": discord.Colour.gold(),
    "in_use": discord.Colour.dark_red(),
    "no_action": discord.Colour.light_grey(),
}


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word boundary, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    boundary = max(cut.rfind(" "), cut.rfind("\n"))
    if boundary >= len(cut) * 2 // 3:
        cut = cut[:boundary]
    # Never leave a dangling escape backslash that would swallow the ellipsis.
    while cut.endswith("\\"):
        cut = cut[:-1]
    return cut.rstrip() + ELLIPSIS


def escape(text: str | None) -> str:
    """Text from articles or users, shown literally: no markdown, no mentions, one line."""
    flat = " ".join((text or "").split())
    return discord.utils.escape_mentions(discord.utils.escape_markdown(flat))


def safe_url(url: str | None) -> str | None:
    """An http(s) URL usable inside ``[text](url)``, or None."""
    if not url or not url.startswith(("http://", "https://")):
        return None
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")[:1000]


def link(title: str | None, url: str | None, limit: int = 300) -> str:
    """``[escaped title](url)``, or the escaped title alone without a usable URL."""
    text = clip(escape(title) or "untitled", limit).replace("]", "\\]")
    target = safe_url(url)
    return f"[{text}]({target})" if target else text


class SafeEmbed:
    """Builds a ``discord.Embed`` that Discord will accept, whatever the text."""

    def __init__(
        self,
        title: str,
        description: str = "",
        *,
        colour: discord.Colour | None = None,
        url: str | None = None,
    ) -> None:
        self.embed = discord.Embed(
            title=clip(title, TITLE_LIMIT),
            description=clip(description, DESCRIPTION_LIMIT) or None,
            colour=colour,
            url=safe_url(url),
        )
        self.dropped = 0

    def _used(self) -> int:
        return len(self.embed)

    def field(self, name: str, value: str, *, inline: bool = False) -> bool:
        """Add a field if it fits the count and total budgets; False (and counted) if not."""
        name = clip(name, FIELD_NAME_LIMIT) or "\u200b"
        value = clip(value, FIELD_VALUE_LIMIT) or "\u200b"
        # Keep room for the footer that reports dropped fields.
        budget = TOTAL_LIMIT - 100 - self._used()
        if len(self.embed.fields) >= FIELD_COUNT_LIMIT - 1 or len(name) + len(value) > budget:
            if len(name) + 50 <= budget and len(self.embed.fields) < FIELD_COUNT_LIMIT - 1:
                value = clip(value, budget - len(name))
            else:
                self.dropped += 1
                return False
        self.embed.add_field(name=name, value=value, inline=inline)
        return True

    def build(self, footer: str | None = None) -> discord.Embed:
        """The finished embed, with a note of anything left out."""
        notes = [footer] if footer else []
        if self.dropped:
            notes.append(f"{self.dropped} more not shown")
        if notes:
            text = clip(" · ".join(notes), min(FOOTER_LIMIT, TOTAL_LIMIT - self._used()))
            self.embed.set_footer(text=text)
        return self.embed


def event_line(
    event: Event,
    review: ReviewState | None = None,
    threshold: float = DEFAULT_CONFIDENCE_THRESHOLD,
) -> str:
    """``2020-02-04 · Campaign or petition · [headline](url) (provider)``, marked
    (corrected) or (unconfirmed) when its review state says so."""
    label = render.action_label(event)
    mark = render.review_mark(review, threshold, event.corrected) if review else ""
    if not review and event.corrected:
        mark = "corrected"
    corrected = f" ({mark})" if mark else ""
    provider = f" — {escape(event.provider)}" if event.provider else ""
    return (
        f"`{render.date_text(event)}` · {label}{corrected} · "
        f"{link(event.title, event.url, 250)}{provider}"
    )


def _lines_within(lines: Iterable[str], limit: int) -> str:
    """As many whole lines as fit in ``limit``, with a count of the rest."""
    kept: list[str] = []
    items = list(lines)
    used = 0
    for index, line in enumerate(items):
        line = clip(line, limit - 40)
        if used + len(line) + 1 > limit - 40:
            kept.append(f"… and {len(items) - index} more")
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept)


def status_embed(
    result: JurisdictionStatus,
    *,
    latest: int = 5,
    threshold: float = DEFAULT_CONFIDENCE_THRESHOLD,
) -> discord.Embed:
    """Status, scope, since when, what is pending, the latest events with dated source links;
    marked unconfirmed where it rests only on uncertain automatic readings."""
    label = render.status_label(result)
    unconfirmed = result.unconfirmed(threshold)

    def line(event: Event) -> str:
        return event_line(event, result.review_of(event), threshold)

    # What the sources say, newest first: the lead, and what officials did or will do.
    summaries = [
        f"**{escape(clip(event.title, 150))}**\n{escape(clip(result.notes[event.article_id], 500))}"
        for event in reversed(result.basis[-3:])
        if result.notes.get(event.article_id)
    ]
    if unconfirmed:
        summaries.insert(0, f"⚠️ {render.UNCONFIRMED_STATUS}")
    builder = SafeEmbed(
        f"{escape(result.jurisdiction.display)}: {label}"
        + (" (unconfirmed)" if unconfirmed else ""),
        "\n\n".join(summaries),
        colour=STATUS_COLOURS.get(result.status),
    )
    builder.field("Status", result.status, inline=True)
    builder.field("Scope", result.scope, inline=True)
    builder.field("Since", result.since.isoformat() if result.since else "—", inline=True)
    if result.ends:
        builder.field("Until", f"{result.ends.isoformat()} (its stated term)", inline=True)
    if result.pending and result.status != "pending":
        pending = result.pending[-latest:]
        builder.field("Pending", _lines_within(map(line, pending), FIELD_VALUE_LIMIT))
    if result.basis:
        basis = result.basis[-latest:]
        builder.field("Rests on", _lines_within(map(line, basis), FIELD_VALUE_LIMIT))
    others = result.others(latest)
    if others:
        builder.field("Other recent events", _lines_within(map(line, others), FIELD_VALUE_LIMIT))
    if not result.events:
        builder.embed.description = escape(render.no_events_text(result))
    return builder.build(f"{result.event_count} events · /timeline for all")


def timeline_embed(
    result: JurisdictionStatus, *, threshold: float = DEFAULT_CONFIDENCE_THRESHOLD
) -> discord.Embed:
    """Every dated event of one place, oldest first, cut to fit; uncertain ones marked."""
    label = render.status_label(result)
    if result.unconfirmed(threshold):
        label += ", unconfirmed"
    lines = [event_line(event, result.review_of(event), threshold) for event in result.events]
    description = _lines_within(lines, DESCRIPTION_LIMIT) if lines else "No policy events recorded."
    builder = SafeEmbed(
        f"Timeline: {escape(result.jurisdiction.display)} (now: {label})",
        description,
        colour=STATUS_COLOURS.get(result.status),
    )
    return builder.build("Dates are event dates: when each thing happened")


def article_field(article: Article) -> tuple[str, str]:
    """(name, value) describing one article: headline; date, provider, reading, id, link."""
    date = article.published_at.date().isoformat() if article.published_at else "unknown"
    parts = [f"published `{date}`"]
    if article.provider_name:
        parts.append(escape(article.provider_name))
    reading = article.extraction
    if reading is not None:
        if reading.is_policy:
            place = f" · {escape(reading.place.display)}" if reading.place else ""
            parts.append(f"{ACTION_LABELS.get(reading.action, reading.action)}{place}")
        else:
            parts.append("not policy news")
    parts.append(f"id `{article.id}`")
    value = " · ".join(parts)
    target = safe_url(article.url)
    if target:
        value += f"\n{target}"
    return escape(article.title) or "untitled", value


def articles_embed(title: str, articles: list[Article], empty: str) -> discord.Embed:
    """A list of articles, each with its source link."""
    builder = SafeEmbed(title, "" if articles else empty, colour=discord.Colour.blurple())
    for article in articles:
        builder.field(*article_field(article))
    return builder.build()


def cities_page(
    results: list[JurisdictionStatus],
    page: int,
    page_size: int,
    heading: str,
    threshold: float = DEFAULT_CONFIDENCE_THRESHOLD,
) -> discord.Embed:
    """One page of the /cities list; a status resting only on uncertain automatic readings
    (``threshold``) is marked ⚠️, and the footer says what the mark means."""
    pages = max(1, -(-len(results) // page_size))
    chunk = results[page * page_size : (page + 1) * page_size]
    lines = [
        f"**{escape(r.jurisdiction.display)}**: {render.status_label(r)}"
        + (f" ({r.scope})" if r.scope != "unknown" else "")
        + render.status_dates(r)
        + (" ⚠️ unconfirmed" if r.unconfirmed(threshold) else "")
        for r in chunk
    ]
    builder = SafeEmbed(heading, _lines_within(lines, DESCRIPTION_LIMIT) or "No places match.")
    footer = f"Page {page + 1} of {pages} · {render.plural(len(results), 'place')}"
    if any(r.unconfirmed(threshold) for r in chunk):
        footer += " · ⚠️ unconfirmed: read automatically, not yet checked by a moderator"
    return builder.build(footer)


def preview_embed(
    article: Article, heading: str, first: Iterable[tuple[str, str]] = ()
) -> discord.Embed:
    """What the extractor read from a draft or stored article (after ``first`` fields, given
    as ready markdown)."""
    builder = SafeEmbed(
        f"{heading}: {escape(article.title)}", url=article.url, colour=discord.Colour.orange()
    )
    for name, value in first:
        builder.field(name, value)
    for label, value in reading_fields(article.extraction):
        builder.field(label, escape(value), inline=label != "Place")
    if article.provider_name:
        builder.field("Provider", escape(article.provider_name), inline=True)
    if article.url:
        builder.field("Link", safe_url(article.url) or escape(article.url))
    excerpt = article.excerpt or article.body
    if excerpt:
        builder.field("Text", escape(excerpt))
    return builder.build(f"id {article.id}")


def correction_embed(article: Article, before: Extraction | None) -> discord.Embed:
    """A corrected article's reading, with what the correction changed (before → now)."""
    old = dict(reading_fields(before))
    changes = [
        f"**{label}**: {escape(old.get(label, '?'))} → {escape(value)}"
        for label, value in reading_fields(article.extraction)
        if old.get(label) != value
    ]
    changed = _lines_within(changes, FIELD_VALUE_LIMIT) or "nothing: it already read that way"
    return preview_embed(article, "Corrected", [("Changed", changed)])


def import_embed(result: ImportResult) -> discord.Embed:
    """What importing a file did: counts, then the articles it added, updated or merged."""
    title = f"Imported {escape(result.filename)}"
    builder = SafeEmbed(title, escape(result.summary()), colour=discord.Colour.green())
    for label, ids in (("New", result.new), ("Updated", result.updated), ("Merged", result.merged)):
        if ids:
            lines = [f"`{i}` {escape(result.titles.get(i, ''))}" for i in ids]
            builder.field(label, _lines_within(lines, FIELD_VALUE_LIMIT))
    if result.problems:
        lines = [escape(problem) for problem in result.problems]
        builder.field("Rejected", _lines_within(lines, FIELD_VALUE_LIMIT))
    return builder.build()


def help_embed(extra: Iterable[tuple[str, str]] = ()) -> discord.Embed:
    """What the bot does and its commands, on one screen."""
    builder = SafeEmbed(
        "banwatch", f"```\n{render.HELP_TEXT}\n```", colour=discord.Colour.blurple()
    )
    # One field per command group (/article, /alerts, /petition ...), so none is cut off.
    groups: dict[str, list[str]] = {}
    for name, summary in extra:
        groups.setdefault(name.split()[0], []).append(f"`/{name}` — {summary}")
    for group, lines in groups.items():
        builder.field(f"/{group}", _lines_within(lines, FIELD_VALUE_LIMIT))
    return builder.build()
