"""Small corpora and helpers shared by the ingest tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path


def numbered_corpus(directory: Path, files: int) -> None:
    """``files`` documents of 4 articles each, weeks apart so no headlines merge."""
    directory.mkdir()
    for number in range(files):
        day = f"2021-{number + 1:02d}-01T12:00:00Z"
        related = "".join(
            f'  - title: "Related story {number}-{item}"\n'
            f"    publishedDateTime: {day}\n"
            f'    webUrl: "https://paper{item}.example.com/{number}/{item}/"\n'
            for item in range(3)
        )
        (directory / f"{number:02d}.md").write_text(
            f'---\ntitle: "Story number {number}"\npublishedDateTime: {day}\n'
            f'webUrl: "https://example.com/{number}/"\nrelated:\n{related}---\nBody.\n'
        )


def cancel_at(stop_at: int) -> Callable[[int, int, str], None]:
    """An ingest progress callback that cancels the ingest (as Ctrl-C does) at file ``stop_at``."""

    def progress(number: int, total: int, name: str) -> None:
        if number == stop_at:
            task = asyncio.current_task()
            assert task is not None
            task.cancel()

    return progress
