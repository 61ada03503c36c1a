"""The articles' console page: /search, /news and the moderators' /article commands."""

from __future__ import annotations

from pathlib import Path

from bot import render
from bot.articles import Actor, ArticleDraft, Published, reading_fields
from bot.console import YES, Console
from bot.errors import BanwatchError
from bot.models import Extraction


async def _search(console: Console, named: dict[str, str], words: list[str]) -> str:
    query = named.get("query") or " ".join(words)
    return render.render_articles(await console.app.search(query))


async def _news(console: Console, named: dict[str, str], words: list[str]) -> str:
    days_text = named.get("days")
    if days_text is None and words and words[-1].isdigit():
        days_text = words.pop()
    try:
        days = int(days_text) if days_text else None
    except ValueError:
        raise BanwatchError("`days` must be a whole number.") from None
    place = named.get("place") or " ".join(words) or None
    articles = await console.app.news(place, days)
    return render.render_articles(articles, empty="No policy news in that window.")


def _reading_text(reading: Extraction | None) -> str:
    return "\n".join(f"  {label}: {value}" for label, value in reading_fields(reading))


async def _console_add(console: Console, named: dict[str, str], words: list[str]) -> str:
    """Like the Discord form: a preview kept as a draft until ``/article publish`` or
    ``cancel``; ``confirm:yes`` publishes at once (for pipes and scripts)."""
    moderation = console.app.articles
    draft = ArticleDraft(
        title=named.get("title") or " ".join(words),
        url=named.get("url", ""),
        date=named.get("date", ""),
        provider=named.get("provider", ""),
        text=named.get("text", ""),
    )
    actor = Actor(console.user_id)
    if named.get("confirm", "").lower() in YES:
        published = await moderation.publish_article(
            await moderation.preview_article(draft), actor
        )
        return _published_text(published)
    draft_id, preview = await moderation.save_draft(draft, actor)
    return (
        f"Preview (nothing is published yet):\n{render.article_line(preview.article)}\n"
        f"{_reading_text(preview.reading)}\n"
        f"Publish it with `/article publish {draft_id}`, or drop it with"
        f" `/article cancel {draft_id}`. (`confirm:yes` publishes at once.)"
    )


def _published_text(published: Published) -> str:
    return (
        f"Published ({published.outcome}):\n{render.article_line(published.article)}\n"
        + _reading_text(published.article.extraction)
    )


def _draft_id(named: dict[str, str], words: list[str]) -> str:
    draft_id = named.get("draft") or (words[0] if words else "")
    if not draft_id:
        raise BanwatchError("Which draft? `/article add` shows its number.")
    return draft_id


async def _console_publish(console: Console, named: dict[str, str], words: list[str]) -> str:
    published = await console.app.articles.publish_draft(
        _draft_id(named, words), Actor(console.user_id)
    )
    return _published_text(published)


async def _console_cancel(console: Console, named: dict[str, str], words: list[str]) -> str:
    await console.app.articles.cancel_draft(_draft_id(named, words), Actor(console.user_id))
    return "Cancelled: nothing was published."


async def _console_import(console: Console, named: dict[str, str], words: list[str]) -> str:
    name = named.get("file") or " ".join(words)
    if not name:
        raise BanwatchError("Give the file to import, e.g. `/article import file:story.md`.")
    path = Path(name).expanduser()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BanwatchError(f"Can't read {name}: {exc.strerror or exc}.") from exc
    result = await console.app.articles.import_file(data, path.name, Actor(console.user_id))
    return result.render()


def _yes_no(value: str | None) -> bool | None:
    if value is None:
        return None
    folded = value.strip().lower()
    if folded in ("yes", "true", "1", "y"):
        return True
    if folded in ("no", "false", "0", "n"):
        return False
    raise BanwatchError("`is_policy` must be yes or no.")


async def _console_correct(console: Console, named: dict[str, str], words: list[str]) -> str:
    article_id = named.get("id") or (words[0] if words else "")
    result = await console.app.articles.correct_article(
        article_id,
        Actor(console.user_id),
        place=named.get("place"),
        action=named.get("action"),
        scope=named.get("scope"),
        is_policy=_yes_no(named.get("is_policy")),
        event_date=named.get("event_date"),
    )
    return (
        f"Corrected {result.article.id}: {result.article.title}\n"
        f"Before:\n{_reading_text(result.before)}\nNow:\n{_reading_text(result.after)}"
    )


async def _console_remove(console: Console, named: dict[str, str], words: list[str]) -> str:
    article_id = named.get("id") or (words[0] if words else "")
    reason = named.get("reason") or " ".join(words[1:])
    article = await console.app.articles.remove_article(article_id, Actor(console.user_id), reason)
    return f"Removed {article.id}: {article.title}"


def register_console(console: Console) -> None:
    """Add /search, /news and ``/article add|import|correct|remove`` to a console."""
    from bot.console import ConsoleCommand

    for command in (
        ConsoleCommand("search", _search, ("query",), "full-text search"),
        ConsoleCommand("news", _news, ("place", "days"), "latest policy items"),
        ConsoleCommand(
            "article add",
            _console_add,
            ("title", "url", "date", "provider", "text", "confirm"),
            "preview an article to add (moderators)",
        ),
        ConsoleCommand("article publish", _console_publish, ("draft",), "publish a draft"),
        ConsoleCommand("article cancel", _console_cancel, ("draft",), "drop a draft"),
        ConsoleCommand("article import", _console_import, ("file",), "import a corpus file"),
        ConsoleCommand(
            "article correct",
            _console_correct,
            ("id", "place", "action", "scope", "is_policy", "event_date"),
            "correct an article's reading",
        ),
        ConsoleCommand("article remove", _console_remove, ("id", "reason"), "retract an article"),
    ):
        console.register(command)
