"""The review console page: /review and its answers, and /report, as the review cog does.

The console's user acts as a moderator of the home server (it is the operator's terminal).
Buttons become commands that name the item; ``seen:<token>`` (shown with each item) makes an
answer to a reading someone else changed meanwhile be refused and shown again, as in Discord.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from bot.articles import Actor, reading_fields
from bot.console import cli
from bot.errors import AmbiguousPlace, BanwatchError
from bot.models import CONSOLE_GUILD
from bot.review import QUEUE_EMPTY, ReviewItem, ReviewOutcome

if TYPE_CHECKING:
    from bot.console import Console
    from bot.settings import Settings


def render_item(item: ReviewItem) -> str:
    """One item as text, with the commands that answer it."""
    article = item.article
    date = article.published_at.date().isoformat() if article.published_at else "undated"
    lines = [
        f"Review {article.id} (seen:{item.token}): {item.headline}",
        f"  {article.provider_name or article.provider_domain or 'unknown'} · {date}",
    ]
    if article.url:
        lines.append(f"  {article.url}")
    lines += [f"  {label}: {value}" for label, value in reading_fields(article.extraction)]
    lines.append(f"  Confidence: {item.state.describe()}")
    if item.changes_status:
        lines.append("  Answering it can change a place's status.")
    for report in item.reports[:5]:
        lines.append(f"  Reported: {report.reason or 'no reason given'}")
    if item.waiting:
        lines.append(f"  {item.waiting} waiting for review.")
    lines.append(
        f"  Answer: /review confirm {article.id} · /review reject {article.id} ·"
        f" /review action {article.id} action:NAME · /review place {article.id} place:NAME ·"
        f" /review skip {article.id}"
    )
    return "\n".join(lines)


def _actor(console: Console) -> Actor:
    return Actor(console.user_id, CONSOLE_GUILD)


def _target(named: dict[str, str], words: list[str]) -> str:
    article_id = named.get("item") or (words[0] if words else "")
    if not article_id:
        raise BanwatchError("Which item? Give its id, e.g. `/review confirm a1b2c3d4e5`.")
    return article_id


async def _token(console: Console, named: dict[str, str], article_id: str) -> str:
    return named.get("seen") or (await console.app.review.item(article_id)).token


async def _outcome(console: Console, outcome: ReviewOutcome) -> str:
    if not outcome.applied:
        return (
            "Another moderator changed this reading meanwhile; nothing was stored. Here it is"
            " now:\n" + render_item(outcome.item)
        )
    answer = f"{outcome.what}: {outcome.item.article.id} {outcome.item.headline}"
    following = await console.app.review.next_item()
    return answer + "\n\n" + (render_item(following) if following else QUEUE_EMPTY)


async def _next(console: Console, named: dict[str, str], words: list[str]) -> str:
    article_id = named.get("item") or (words[0] if words else "")
    item = (
        await console.app.review.item(article_id)
        if article_id
        else await console.app.review.next_item()
    )
    return render_item(item) if item else QUEUE_EMPTY


async def _skip(console: Console, named: dict[str, str], words: list[str]) -> str:
    item = await console.app.review.next_item(after=_target(named, words))
    return render_item(item) if item else QUEUE_EMPTY


async def _confirm(console: Console, named: dict[str, str], words: list[str]) -> str:
    article_id = _target(named, words)
    token = await _token(console, named, article_id)
    return await _outcome(
        console, await console.app.review.confirm(article_id, token, _actor(console))
    )


async def _reject(console: Console, named: dict[str, str], words: list[str]) -> str:
    article_id = _target(named, words)
    token = await _token(console, named, article_id)
    outcome = await console.app.review.not_policy(article_id, token, _actor(console))
    return await _outcome(console, outcome)


async def _action(console: Console, named: dict[str, str], words: list[str]) -> str:
    article_id = _target(named, words)
    action = named.get("action") or (words[1] if len(words) > 1 else "")
    token = await _token(console, named, article_id)
    outcome = await console.app.review.change_action(article_id, token, action, _actor(console))
    return await _outcome(console, outcome)


async def _place(console: Console, named: dict[str, str], words: list[str]) -> str:
    article_id = _target(named, words)
    place = named.get("place") or " ".join(words[1:])
    if not place:
        raise BanwatchError('Which place? e.g. `/review place a1b2c3d4e5 place:"Portland, OR"`.')
    token = await _token(console, named, article_id)
    try:
        outcome = await console.app.review.change_place(article_id, token, place, _actor(console))
    except AmbiguousPlace as exc:
        keys = "\n".join(f"  {j.key}  ({j.display})" for j in exc.candidates[:25])
        return f"{exc}\nGive one of these as place:KEY:\n{keys}"
    return await _outcome(console, outcome)


async def _report(console: Console, named: dict[str, str], words: list[str]) -> str:
    article_id = _target(named, words)
    reason = named.get("reason") or " ".join(words[1:])
    item = await console.app.review.report(article_id, _actor(console), reason)
    return f"Reported {item.article.id} to the reviewers; it is in their queue now."


def register_console(console: Console) -> None:
    """Add /review, its answers and /report to a console."""
    from bot.console import ConsoleCommand

    for command in (
        ConsoleCommand("review", _next, ("item",), "the next reading waiting for review"),
        ConsoleCommand("review confirm", _confirm, ("item", "seen"), "the reading is right"),
        ConsoleCommand("review reject", _reject, ("item", "seen"), "the item is not policy"),
        ConsoleCommand("review action", _action, ("item", "action", "seen"), "correct the action"),
        ConsoleCommand("review place", _place, ("item", "place", "seen"), "correct the place"),
        ConsoleCommand("review skip", _skip, ("item",), "the next item after this one"),
        ConsoleCommand("report", _report, ("item", "reason"), "ask reviewers to check an item"),
    ):
        console.register(command)


@cli.command("labels")
async def cmd_labels(args: argparse.Namespace, settings: Settings) -> int:
    """``banwatch labels corpus`` (the bundled corpus from the labelled sets) and ``banwatch
    labels export`` (the readings moderators reviewed, as a labelled set)."""
    if args.what == "corpus":
        from bot import bundled

        return bundled.main(["--check"] if args.check else [])
    async with cli.open_app(settings) as app:
        items = await app.review.export_labels()
    text = export_text(items)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {len(items)} reviewed item(s) to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def export_text(items: list[dict[str, Any]]) -> str:
    """A labelled-set YAML document holding ``items``."""
    document = {
        "schema_version": 1,
        "description": (
            "Readings confirmed or corrected by banwatch moderators (banwatch labels export):"
            " each item's labels are the reviewed reading, and source says where the article"
            " came from and who reviewed it. Titles and excerpts are as the corpus held them."
        ),
        "items": items,
    }
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
