"""The corpus re-scan: the corpus directory read again every few minutes while the bot runs.

Owned by the runner, as the corpus is, not by a feature: unloading a cog no longer stops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.service import Banwatch

log = logging.getLogger(__name__)


class CorpusRescans:
    """Re-reads the corpus every ``seconds`` so a dropped file is picked up without a restart.

    The first re-scan comes one interval after :meth:`start`: the corpus was ingested just
    before, and read again at once it would be read alongside the start-up's heavier work
    (the alerts' first scan, the statuses worked out ahead), which left the bot 20 MB larger
    at rest. A failure is logged and the next interval tries again.
    """

    def __init__(self, app: Banwatch, seconds: float) -> None:
        self.app = app
        self.seconds = seconds
        # Re-scans begun since the start (the loop's progress, for logs and tests).
        self.runs = 0
        self._task: asyncio.Task[None] | None = None
        self._interval_changed = asyncio.Event()

    def start(self) -> None:
        """Start re-scanning in the background."""
        if self.is_running():
            raise RuntimeError("the corpus re-scans already run")
        self._task = asyncio.create_task(self._loop(), name="banwatch-rescan")

    def is_running(self) -> bool:
        """Whether the background re-scans run."""
        return self._task is not None and not self._task.done()

    def change_interval(self, seconds: float) -> None:
        """Re-scan every ``seconds`` from now on; the wait under way starts again with it."""
        self.seconds = seconds
        self._interval_changed.set()

    async def stop(self) -> None:
        """Stop re-scanning, waiting for the task to end."""
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _loop(self) -> None:
        while True:
            self._interval_changed.clear()
            try:
                await asyncio.wait_for(self._interval_changed.wait(), self.seconds)
            except TimeoutError:
                await self.run_once()

    async def run_once(self) -> None:
        """Re-read the corpus; then work out again the statuses of the places it moved."""
        self.runs += 1
        try:
            summary = await self.app.ingest()
        except Exception:
            log.exception("corpus re-scan failed")
            return
        if not (summary.new or summary.updated or summary.retracted):
            return
        log.info(
            "re-scan: %d new, %d updated, %d removed",
            len(summary.new),
            len(summary.updated),
            len(summary.retracted),
        )
        # The places the change moved are worked out again now, not when someone next asks
        # about one (from the disk).
        try:
            await self.app.keep_statuses()
        except Exception:
            # What was stored stays stored; a status not kept is worked out when asked.
            log.exception("re-scan stored its items, but their places' statuses failed")
