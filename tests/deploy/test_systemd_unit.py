"""The systemd unit in deploy/ is one systemd accepts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parents[2] / "deploy" / "banwatch.service"


def test_the_unit_runs_banwatch_as_its_own_user_with_hardening():
    text = UNIT.read_text(encoding="utf-8")
    for line in (
        "User=banwatch",
        "Restart=on-failure",
        "ProtectSystem=strict",
        "NoNewPrivileges=true",
        "ReadWritePaths=/var/lib/banwatch",
        "ExecStart=/opt/banwatch/.venv/bin/banwatch run",
    ):
        assert line in text.splitlines()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not here")
def test_systemd_analyze_verify_accepts_the_unit(tmp_path):
    # verify checks that ExecStart exists: point it at this environment's banwatch.
    banwatch = Path(sys.executable).with_name("banwatch")
    assert banwatch.exists(), "install the project (pip install -e .) first"
    unit = tmp_path / "banwatch.service"
    unit.write_text(
        UNIT.read_text(encoding="utf-8").replace("/opt/banwatch/.venv/bin/banwatch", str(banwatch)),
        encoding="utf-8",
    )
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "banwatch.service" not in result.stderr, result.stderr
