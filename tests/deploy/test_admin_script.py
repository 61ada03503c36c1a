"""deploy/banwatch-admin runs a command as the service does: same user, settings, data folder."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SCRIPT = DEPLOY / "banwatch-admin"


def unit_setting(name: str) -> list[str]:
    text = (DEPLOY / "banwatch.service").read_text(encoding="utf-8")
    return re.findall(rf"^{name}=(.*)$", text, flags=re.MULTILINE)


def script_setting(name: str) -> str:
    match = re.search(rf"^{name}=(.*)$", SCRIPT.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert match, name
    return match.group(1)


def test_the_script_is_executable_shell() -> None:
    assert os.access(SCRIPT, os.X_OK)
    assert subprocess.run(["sh", "-n", str(SCRIPT)], check=False).returncode == 0


def test_the_script_uses_what_the_unit_uses() -> None:
    assert unit_setting("User") == [script_setting("SERVICE_USER")]
    assert unit_setting("EnvironmentFile") == [script_setting("ENV_FILE")]
    assert unit_setting("WorkingDirectory") == [script_setting("DATA")]
    assert unit_setting("ExecStart") == [script_setting("PROGRAM") + " run"]
    database = script_setting("BANWATCH_DB").replace("$DATA", script_setting("DATA"))
    assert unit_setting("Environment") == [f"BANWATCH_DB={database}"]


def test_the_script_refuses_without_root() -> None:
    if os.geteuid() == 0:
        return  # as root it would go on to read /etc/banwatch
    result = subprocess.run([str(SCRIPT), "doctor"], capture_output=True, text=True, check=False)
    assert result.returncode == 2 and "sudo" in result.stderr
