"""The nightly backup units in deploy/: the same settings as the bot's, and systemd accepts them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def lines(name: str) -> list[str]:
    return (DEPLOY / name).read_text(encoding="utf-8").splitlines()


def test_the_backup_runs_as_the_bot_with_its_settings_and_keeps_two_weeks() -> None:
    bot, backup = lines("banwatch.service"), lines("banwatch-backup.service")
    for key in ("User=", "Group=", "WorkingDirectory=", "Environment=", "EnvironmentFile="):
        assert [x for x in bot if x.startswith(key)] == [x for x in backup if x.startswith(key)]
    assert (
        "ExecStart=/opt/banwatch/.venv/bin/banwatch backup /var/lib/banwatch/backups --keep 14"
        in backup
    )
    assert "Type=oneshot" in backup and "PrivateNetwork=true" in backup
    assert "Persistent=true" in lines("banwatch-backup.timer")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not here")
def test_systemd_analyze_verify_accepts_the_backup_units(tmp_path: Path) -> None:
    banwatch = Path(sys.executable).with_name("banwatch")
    assert banwatch.exists(), "install the project (pip install -e .) first"
    for name in ("banwatch-backup.service", "banwatch-backup.timer"):
        text = (DEPLOY / name).read_text(encoding="utf-8")
        text = text.replace("/opt/banwatch/.venv/bin/banwatch", str(banwatch))
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / "banwatch-backup.timer")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "banwatch-backup" not in result.stderr, result.stderr
