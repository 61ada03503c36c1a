"""Checking what people type into a petition: ids, text lengths, ZIP/ward, public name, deadline."""

from __future__ import annotations

import datetime as dt
import re

from dateutil import parser as date_parser

from bot.errors import BanwatchError

MAX_TITLE = 100
MAX_TARGET = 100
MAX_DEMAND = 2000
MAX_PUBLIC_NAME = 64
MAX_REASON = 500
MAX_GOAL = 10_000_000
MAX_ZIP = 20
ZIP_PLUS_FOUR = re.compile(r"^(\d{5})-?\d{4}$")
WARD_TEXT = re.compile(r"^[\w .#-]+$")
ZIP_HELP = "ZIP/ward: a five-digit ZIP code like `60614` or a ward like `Ward 32`."


def parse_petition_id(value: int | str) -> int:
    """``12`` or ``#12`` as an id; BanwatchError otherwise."""
    text = str(value).strip().lstrip("#")
    # ASCII digits only: "²".isdigit() is true, and int() reads other scripts' digits.
    if not (text.isascii() and text.isdigit()) or len(text) > 12 or int(text) < 1:
        raise BanwatchError(f"{str(value)[:20]!r} is not a petition number, e.g. `12`.")
    return int(text)


def clean_text(text: str | None, limit: int, what: str, *, required: bool = False) -> str | None:
    cleaned = " ".join((text or "").split()) if what != "demand" else (text or "").strip()
    if not cleaned:
        if required:
            raise BanwatchError(f"The petition needs a {what}.")
        return None
    if len(cleaned) > limit:
        raise BanwatchError(f"The {what} is too long ({len(cleaned)} characters; at most {limit}).")
    return cleaned


def clean_zip(text: str | None) -> str | None:
    """A ZIP code (ZIP+4 cut to five digits: no more precise than needed) or a short ward name."""
    value = " ".join((text or "").split())
    if not value:
        return None
    match = ZIP_PLUS_FOUR.match(value)
    if match:
        return match.group(1)
    is_zip = value.isascii() and value.isdigit()
    if is_zip and (len(value) != 5 or value == "00000"):
        raise BanwatchError(ZIP_HELP)
    has_letter = any(ch.isalpha() for ch in value)
    if not is_zip and (len(value) > MAX_ZIP or not WARD_TEXT.match(value) or not has_letter):
        raise BanwatchError(ZIP_HELP)
    return value


def clean_public_name(text: str | None) -> str | None:
    """A name to list publicly; mentions and markup are neutralised."""
    value = clean_text(text, MAX_PUBLIC_NAME, "public name")
    if value is None:
        return None
    value = value.replace("@", "").replace("`", "").replace("*", "").replace("_", " ").strip()
    return value or None


def parse_deadline(text: str | None, now: dt.datetime) -> str | None:
    """An ISO date (end of that day, UTC) or date-time; must be in the future."""
    value = (text or "").strip()
    if not value:
        return None
    try:
        parsed = date_parser.isoparse(value)
    except (ValueError, OverflowError):
        raise BanwatchError(
            f"Deadline {value[:30]!r}: write it as a date like `2025-12-31`."
        ) from None
    if len(value) <= 10:  # a plain date: signable through that whole day
        parsed = parsed.replace(hour=23, minute=59, second=59)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    parsed = parsed.astimezone(dt.UTC)
    if parsed <= now:
        raise BanwatchError("The deadline must be in the future.")
    return parsed.isoformat(timespec="seconds")
