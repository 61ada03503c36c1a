"""The errors a command answers with: their message is safe to show the user."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.models import Jurisdiction


class BanwatchError(Exception):
    """A command can't be answered as asked; the message is safe to show the user."""


class PlaceNotFound(BanwatchError):
    """No jurisdiction matches what the user typed."""

    def __init__(self, query: str, suggestions: list[Jurisdiction]) -> None:
        hint = ""
        if suggestions:
            hint = " Did you mean: " + "; ".join(j.display for j in suggestions[:5]) + "?"
        super().__init__(f"No tracked place matches {_echo(query)}.{hint}")
        self.query = query
        self.suggestions = suggestions


class AmbiguousPlace(BanwatchError):
    """Several jurisdictions match; the user must say which."""

    def __init__(
        self, query: str, candidates: list[Jurisdiction], *, tracked: bool | None = None
    ) -> None:
        names = "; ".join(j.display for j in candidates[:10])
        # ``tracked``: all of them have news tracked (True), none has (False), or some.
        note = ""
        if tracked is not None:
            note = (
                " All of them have news tracked."
                if tracked
                else " None of them has any news tracked yet."
            )
        super().__init__(f"{_echo(query)} could mean several places: {names}. Which one?{note}")
        self.query = query
        self.candidates = candidates
        self.note = note.strip()


def _echo(text: str, limit: int = 60) -> str:
    """What the user typed, quoted and kept short when repeated back to them."""
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


class CorpusDirectoryMissing(FileNotFoundError):
    """The corpus directory to ingest is not there (or not a directory)."""
