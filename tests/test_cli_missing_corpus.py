"""A missing corpus directory: one clear line and exit 2, never a traceback (in-process)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.console.cli import main


@pytest.mark.parametrize(
    ("argv", "env"),
    [
        (["--corpus", "{missing}", "status", "Chicago"], {}),
        (["console"], {"BANWATCH_CORPUS": "{missing}"}),
        (["run"], {"BANWATCH_CORPUS": "{missing}", "DISCORD_TOKEN": "not-a-real-token"}),
    ],
    ids=["status", "console", "run"],
)
def test_a_missing_corpus_gives_one_line_and_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    env: dict[str, str],
) -> None:
    missing = str(tmp_path / "missing")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BANWATCH_DB", str(tmp_path / "b.db"))
    for name in ("BANWATCH_CORPUS", "DISCORD_TOKEN", "DISCORD_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value.format(missing=missing))
    code = main([part.format(missing=missing) for part in argv])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines == [f"banwatch: corpus directory {missing} does not exist"], err
