"""The console's dispatcher: errors, options and ids as a newcomer types them."""

from __future__ import annotations

import io
import logging
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.console import Console, ConsoleCommand
from bot.service import Banwatch
from bot.store import Store

USER = "499999999999999999"


@pytest.fixture
async def console(db_path: Path, migrated_db: Path, tmp_path: Path) -> AsyncIterator[Console]:
    shutil.copyfile(migrated_db, db_path)  # migrated once per session
    async with await Store.open(db_path) as store:
        yield Console(Banwatch(store, tmp_path), user_id=USER)


async def test_a_failing_command_is_logged_by_name_and_error_never_with_its_arguments(
    console: Console, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(console: Console, named: dict[str, str], words: list[str]) -> str:
        raise RuntimeError("the disk is gone")

    console.register(ConsoleCommand("petition broken", broken, ("public_name", "zip"), "x"))
    with caplog.at_level(logging.ERROR, logger="bot.console"):
        answer = await console.handle('/petition broken public_name:"Sam Signer" zip:02118 why')
    assert "went wrong" in answer
    logged = "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    assert "petition broken" in logged and "the disk is gone" in logged
    assert "Sam Signer" not in logged and "02118" not in logged and "why" not in logged


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/petition show ²", "is not a petition number"),
        ("/petition show ١٢", "is not a petition number"),
        ("/search clear\x00view", "Nothing found"),
        ("/alerts unsubscribe 99999999999999999999999", "no alert subscription"),
        ("/alerts preview -3", "subscription number"),
    ],
)
async def test_odd_ids_and_text_get_a_clear_message(
    console: Console, line: str, expected: str
) -> None:
    answer = await console.handle(line)
    assert expected in answer
    assert "went wrong" not in answer


async def test_config_is_in_the_console(console: Console) -> None:
    shown = await console.handle("/config")
    assert "Moderator role: none" in shown and "Log channel: none" in shown
    assert "Members with the role 42" in await console.handle("/config moderator-role 42")
    assert "#mod-log" in await console.handle("/config log-channel #mod-log")
    shown = await console.handle("/config")
    assert "Moderator role: 42" in shown and "Log channel: #mod-log" in shown
    assert "/config log-channel" in await console.handle("/help")


async def test_unknown_options_are_errors_that_name_the_valid_ones(console: Console) -> None:
    answer = await console.handle("/cities colour:blue")
    assert "Unknown option `colour:`" in answer and "status" in answer and "state" in answer
    # Text that only looks like an option stays text: a web address, a time.
    assert "Unknown option" not in await console.handle("/search https://example.org/x 10:30")


async def test_digest_hour_is_honoured_in_the_console_and_needs_a_digest(console: Console) -> None:
    answer = await console.handle("/alerts subscribe channel:news mode:digest digest_hour:17")
    assert answer.startswith("Subscribed") and "17:00" in answer
    refused = await console.handle("/alerts subscribe channel:other digest_hour:17")
    assert "mode:digest" in refused and not refused.startswith("Subscribed")


async def test_a_place_key_is_a_place_not_an_unknown_option(console: Console) -> None:
    answer = await console.handle('/status "state:US:WA"')
    assert "Unknown option" not in answer and "Washington" in answer


class _ScriptedPrompt:
    """Stands in for the terminal prompt: hands out the lines given, then Ctrl-D (None)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = list(lines)

    def __enter__(self) -> _ScriptedPrompt:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def read_line(self, prompt: str) -> str | None:
        return self.lines.pop(0) if self.lines else None


class _InterruptedOnce(io.StringIO):
    """A terminal whose first answer is cut by Ctrl-C as it is printed."""

    interrupted = False

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not self.interrupted and "Status:" in text:
            self.interrupted = True
            raise KeyboardInterrupt
        return super().write(text)


async def test_ctrl_c_while_an_answer_is_printed_drops_it_and_the_session_goes_on(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.console as console_module

    terminal = _InterruptedOnce()
    monkeypatch.setattr(console_module, "Prompt", lambda: _ScriptedPrompt(
        ["/status Springfield MA", "/status Springfield MA"]
    ))  # fmt: skip
    monkeypatch.setattr(console_module, "_load_history", lambda: None)
    monkeypatch.setattr(console_module, "_save_history", lambda: None)
    monkeypatch.setattr(sys, "stdin", terminal)
    monkeypatch.setattr(sys, "stdout", terminal)
    await console.run(sys.stdin, sys.stdout)
    shown = terminal.getvalue()
    assert terminal.interrupted and shown.count("Status:") == 1  # the second answer
