"""The console's ``>`` prompt on a terminal: readline's line editing, and a Ctrl-C that
cancels the line every time.

``input()`` on a terminal runs readline's callback loop in CPython (Modules/readline.c,
``readline_until_enter_or_signal``): it sleeps in ``select()`` on stdin and looks at signals
only when that ``select()`` fails with EINTR. A Ctrl-C whose handler runs anywhere else, in
the main thread just before it goes back into ``select()`` (right after echoing the last
key) or in any other thread, only sets the interpreter's flag, and the prompt sleeps on
until the next key: Enter then runs the half-typed line before the KeyboardInterrupt comes
(the same race as python/cpython#112585).

So while the prompt waits, the signal module's wakeup fd tells a watcher thread of every
Ctrl-C, whichever thread took it, and the watcher interrupts the main thread's ``select()``
with :data:`NUDGE`, whose handler does nothing, again and again until the read has ended:
readline then looks at the flag, and the Ctrl-C cancels the line.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import threading
from types import FrameType, TracebackType

# Interrupts the prompt's select(). Nothing else sends SIGURG to this process (it is for
# out-of-band socket data, which banwatch never asks for), and its default action is to be
# ignored, so a stray one is harmless.
NUDGE = signal.SIGURG
# A nudge can itself land just before select(), as the Ctrl-C did: the watcher repeats it,
# at growing intervals, until the read has ended.
FIRST_NUDGE_SECONDS = 0.001
LAST_NUDGE_SECONDS = 0.25
# Written into the wakeup pipe by close() to stop the watcher (signal numbers start at 1).
STOP = 0


def _do_nothing(signum: int, frame: FrameType | None) -> None:
    """The nudge's handler: interrupting select() is all it is for."""


class Prompt:
    """Reads lines typed at a terminal; a Ctrl-C cancels the line, whichever thread took it.

    Made and used in the main thread, for the length of an interactive session.
    """

    def __init__(self) -> None:
        self._main_thread_id = threading.main_thread().ident
        self._read_fd, self._write_fd = os.pipe()
        os.set_blocking(self._read_fd, False)
        os.set_blocking(self._write_fd, False)
        self._condition = threading.Condition()
        self._reads = 0  # how many reads have begun, so a nudge never outlives its read
        self._reading = False
        self._previous_wakeup_fd = -1
        # Left in place when the session ends: a nudge may still be on its way, and with no
        # handler Python would report it as "ignored due to race condition".
        signal.signal(NUDGE, _do_nothing)
        self._watcher = threading.Thread(
            target=self._watch, name="banwatch-console-ctrl-c", daemon=True
        )
        self._watcher.start()

    def __enter__(self) -> Prompt:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the watcher and close the pipe."""
        os.write(self._write_fd, bytes([STOP]))
        self._watcher.join()
        os.close(self._read_fd)
        os.close(self._write_fd)

    def read_line(self, prompt: str) -> str | None:
        """One line typed at ``prompt`` ("" after Ctrl-C, None after Ctrl-D)."""
        # Ctrl-C must interrupt the read itself (asyncio's handler would only cancel the
        # console once the next line arrived, swallowing it). The order matters. The watcher
        # is armed before the wakeup fd is ours, so no Ctrl-C taken from then on goes unseen;
        # the handler is replaced last, and Python first runs any Ctrl-C already taken with
        # the handler it replaces. Python runs handlers between bytecodes, so a Ctrl-C may
        # also be handled just before input() or just after it: the handler raises only while
        # _reading, which the try sets and the finally clears, each before any call.
        previous_handler = signal.getsignal(signal.SIGINT)
        previous_wakeup_fd: int | None = None
        line: str | None = ""
        ended_on_prompt_line = False  # by Ctrl-C or Ctrl-D: the cursor is still after the line
        try:
            with self._condition:
                self._reads += 1
                self._reading = True
            previous_wakeup_fd = signal.set_wakeup_fd(self._write_fd, warn_on_full_buffer=False)
            self._previous_wakeup_fd = previous_wakeup_fd
            signal.signal(signal.SIGINT, self._interrupt)
            line = input(prompt)
        except KeyboardInterrupt:
            line, ended_on_prompt_line = "", True
        except EOFError:
            line, ended_on_prompt_line = None, True
        finally:
            self._reading = False
            if ended_on_prompt_line:
                # As shells do: after Ctrl-C a fresh prompt on the next line, after Ctrl-D
                # the shell's prompt on a line of its own.
                print()
            if previous_wakeup_fd is not None:
                signal.set_wakeup_fd(previous_wakeup_fd)
            with self._condition:
                # What the watcher has not read belongs to the read that ended (its Ctrl-C
                # was taken by it), not to the next one.
                self._forward(self._drain())
                self._condition.notify_all()
            signal.signal(signal.SIGINT, previous_handler)
        return line

    def _interrupt(self, signum: int, frame: FrameType | None) -> None:
        if self._reading:
            raise KeyboardInterrupt

    def _drain(self) -> bytes:
        data = b""
        while True:
            try:
                chunk = os.read(self._read_fd, 512)
            except BlockingIOError:
                return data
            if not chunk:
                return data
            data += chunk

    def _forward(self, data: bytes) -> None:
        """Pass other signals' bytes to the wakeup fd the prompt replaced (asyncio's)."""
        others = bytes(byte for byte in data if byte not in (signal.SIGINT, NUDGE, STOP))
        if others and self._previous_wakeup_fd >= 0:
            # Dropped if that fd is full or closed, as the signal module drops them.
            with contextlib.suppress(OSError):
                os.write(self._previous_wakeup_fd, others)

    def _watch(self) -> None:
        """In the watcher thread: after each Ctrl-C during a read, nudge until it ends."""
        while True:
            select.select([self._read_fd], [], [])
            with self._condition:
                data = self._drain()
                if STOP in data:
                    return
                self._forward(data)
                if signal.SIGINT not in data or not self._reading:
                    continue
                read = self._reads
                interval = FIRST_NUDGE_SECONDS
                while self._reading and self._reads == read:
                    signal.pthread_kill(self._main_thread_id, NUDGE)
                    self._condition.wait(interval)
                    interval = min(interval * 2, LAST_NUDGE_SECONDS)
