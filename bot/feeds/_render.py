"""A feed's health and a poll's result as text: the same in Discord, the console and the CLI."""

from __future__ import annotations

import datetime as dt

from bot.store._feeds import Feed


def iso(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment, dt.UTC).isoformat(timespec="seconds")


def when(iso: str | None) -> str:
    """An ISO time as people read it: 2026-12-06 21:40 UTC."""
    if not iso:
        return "never"
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def every(seconds: int) -> str:
    if seconds % 3600 == 0:
        return f"every {seconds // 3600} h"
    if seconds % 60 == 0:
        return f"every {seconds // 60} min"
    return f"every {seconds} s"


def describe_result(result: dict[str, object]) -> str:
    """A poll's result as one line: "20 entries, 2 new: 1 taken, 1 skipped (...)"."""
    if not result:
        return "not polled yet"
    if result.get("status") == 304:
        moved = f"; moved permanently to {result['moved']}" if result.get("moved") else ""
        return f"not modified since the last poll (304){moved}"
    if "error" in result:
        return f"failed: {result['error']}"
    entries = result.get("entries", 0)
    new = result.get("new", 0)
    text = f"{entries} entries, {new} new"
    skipped = result.get("skipped") or {}
    assert isinstance(skipped, dict)
    if new:
        text += f": {result.get('taken', 0)} taken"
        if skipped:
            reasons = ", ".join(f"{count} {reason}" for reason, count in skipped.items())
            text += f", {sum(skipped.values())} skipped ({reasons})"
    notes = result.get("notes") or {}
    assert isinstance(notes, dict)
    for note, count in notes.items():
        text += f"; {count} {note}"
    if result.get("empty"):
        text += f"; {result['empty']} entries without title or text ignored"
    if result.get("warning"):
        text += f"; {result['warning']}"
    if result.get("moved"):
        text += f"; moved permanently to {result['moved']} (its address is updated)"
    return text


def feed_state(feed: Feed) -> str:
    """ok, failing (since when, why), retrying, or not polled yet."""
    if feed.failing_since:
        return f"FAILING since {when(feed.failing_since)}: {feed.last_error}"
    if feed.failures:
        return f"retrying ({feed.failures} failure{'s' if feed.failures > 1 else ''} in a row)"
    if not feed.last_polled_at:
        return "not polled yet"
    return "ok"


def render_feed(feed: Feed, skipped_reasons: dict[str, int]) -> str:
    """A feed's health in a few lines, the same in Discord, the console and the CLI."""
    name = f" — {feed.title}" if feed.title else ""
    lines = [
        f"#{feed.id} {feed.url}{name}",
        f"  {feed_state(feed)} · {every(feed.interval_seconds)} · next poll"
        f" {when(iso(feed.next_poll_at))}",
    ]
    error = ""
    if feed.last_error_at:
        error = f" · last error {when(feed.last_error_at)}: {feed.last_error}"
    lines.append(f"  last success {when(feed.last_success_at)}{error}")
    taken_skipped = f"  items taken {feed.items_taken} · skipped {feed.items_skipped}"
    if skipped_reasons:
        taken_skipped += (
            " (last 30 days: "
            + ", ".join(f"{count} {reason}" for reason, count in skipped_reasons.items())
            + ")"
        )
    lines.append(taken_skipped)
    lines.append(f"  last poll: {describe_result(feed.last_result)}")
    return "\n".join(lines)


def duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.0f} h"
    if seconds >= 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"
