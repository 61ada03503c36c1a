"""``banwatch console`` on a terminal (a pseudo-terminal): line editing and history, Ctrl-C
cancels the line as shells do, Ctrl-D leaves the shell's prompt on a new line, and Discord
markdown is shown as plain text."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import subprocess
import sys
import termios
import time
from pathlib import Path

from tests.subprocess_env import subprocess_env

PROMPT = b"> "


def test_discord_markdown_becomes_plain_terminal_text() -> None:
    from bot.render import terminal_text

    assert terminal_text("**Bold** and __under__") == "Bold and under"
    assert terminal_text("[the story](<https://x.example/a>)") == "the story (https://x.example/a)"
    assert terminal_text("[the story](https://x.example/a)") == "the story (https://x.example/a)"
    assert terminal_text(r"\*not bold\* a\_b `agree:yes`") == "*not bold* a_b agree:yes"


def _controlling_terminal() -> None:
    """In the child: a session of its own whose controlling terminal is the pty (stdin), so
    Ctrl-C typed there is a SIGINT, as in a real terminal; and SIGINT as a shell leaves it
    (a blocked mask or an ignored SIGINT would pass from the test process to the child)."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Terminal:
    """A banwatch console (or ``command``) on a pseudo-terminal, read until a marker appears."""

    def __init__(self, tmp_path: Path, command: tuple[str, ...] = ("-m", "bot", "console")) -> None:
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        env = subprocess_env(
            BANWATCH_DB=str(tmp_path / "b.db"), BANWATCH_CORPUS=str(corpus), HOME=str(tmp_path)
        )
        env["TERM"] = "xterm"
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            [sys.executable, *command],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=tmp_path,
            preexec_fn=_controlling_terminal,  # a test's child: no threads to upset
        )
        os.close(slave)
        self.seen = b""
        self.log = b""

    def read_until(self, marker: bytes, timeout: float = 30.0) -> bytes:
        deadline = time.monotonic() + timeout
        while marker not in self.seen:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no {marker!r} in {self.seen[-400:]!r}; {self.log!r}"
            ready, _, _ = select.select([self.master], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    break
                self.seen += chunk
        self.log += self.seen
        found, _, self.seen = self.seen.partition(marker)
        return found + marker

    def type(self, data: bytes) -> None:
        os.write(self.master, data)


def test_ctrl_c_cancels_the_line_history_recalls_it_and_ctrl_d_ends_on_a_new_line(
    tmp_path: Path,
) -> None:
    terminal = Terminal(tmp_path)
    try:
        terminal.read_until(PROMPT)
        terminal.type(b"/status Chica")
        terminal.read_until(b"Chica")  # echoed: the line editor has it
        terminal.type(b"\x03")  # Ctrl-C: the half-typed line is dropped
        terminal.read_until(PROMPT)
        terminal.type(b"/cities state:ZZZZ\r")
        first = terminal.read_until(PROMPT)
        assert b"Chica" not in first.split(b"/cities")[-1]
        terminal.type(b"\x1b[A\r")  # arrow up: the last command again, not "^[[A"
        again = terminal.read_until(PROMPT)
        assert b"^[[A" not in again and b"/cities state:ZZZZ" in again
        terminal.type(b"\x04")  # Ctrl-D
        assert terminal.process.wait(timeout=20) == 0
        ready, _, _ = select.select([terminal.master], [], [], 1)
        rest = os.read(terminal.master, 4096) if ready else b""
        assert rest.endswith(b"\n"), rest  # the shell's prompt starts on a new line
    finally:
        if terminal.process.poll() is None:
            terminal.process.kill()
            terminal.process.wait()
        os.close(terminal.master)


# The prompt's read where only another thread can take the Ctrl-C: the main thread blocks
# SIGINT, and a thread it started before that does not. A Ctrl-C taken by the main thread
# just before readline goes back to waiting for a key is the same case, only rarer: the
# signal's flag is set, and readline's select() is not woken by it.
READ_WITH_CTRL_C_ELSEWHERE = """
import readline, signal, sys, threading, time
from bot.console._prompt import Prompt
threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
with Prompt() as prompt:
    print("read", repr(prompt.read_line("> ")))
    print("read", repr(prompt.read_line("> ")))
"""


def test_ctrl_c_taken_by_another_thread_still_cancels_the_line(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path, ("-c", READ_WITH_CTRL_C_ELSEWHERE))
    try:
        terminal.read_until(PROMPT)
        terminal.type(b"/status Chica")
        terminal.read_until(b"Chica")
        terminal.type(b"\x03")
        assert b"read ''" in terminal.read_until(PROMPT, timeout=10)
        terminal.type(b"/help\r")  # the next line is read whole, not swallowed
        assert b"read '/help'" in terminal.read_until(b"'/help'", timeout=10)
        assert terminal.process.wait(timeout=20) == 0
    finally:
        if terminal.process.poll() is None:
            terminal.process.kill()
            terminal.process.wait()
        os.close(terminal.master)
