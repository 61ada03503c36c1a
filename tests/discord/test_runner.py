"""``banwatch run`` as a process against the loopback server: ingest, sync, serve, SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from bot.discord.runner import PAGE_CACHE_LOG, PAGE_CACHE_MIB, STATUSES_KEPT
from bot.store import Store
from tests.conftest import subprocess_env
from tests.discord.harness import bot_process_env
from tests.loopback.server import LoopbackDiscord


async def run_once(
    server: LoopbackDiscord, tmp_path: Path, corpus_dir: Path, *, log_line: str = ""
) -> tuple[int, str]:
    """Start ``banwatch run``, wait until it serves (and its log says ``log_line``, if given),
    stop it with SIGTERM; its exit code and its log."""
    env = bot_process_env(server, tmp_path, corpus_dir)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE
    )
    assert process.stderr is not None
    lines: list[str] = []
    try:
        while log_line and not any(log_line in line for line in lines):
            line = await asyncio.wait_for(process.stderr.readline(), 30)
            assert line, f"the bot stopped before logging {log_line!r}:\n" + "".join(lines)
            lines.append(line.decode())
        await server.wait_for_session(timeout=20)
        await server.wait_for(lambda: server.commands_for(server.guild), 10, "a command sync")
        process.send_signal(signal.SIGTERM)
        _, rest = await asyncio.wait_for(process.communicate(), 15)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    return process.returncode or 0, "".join(lines) + rest.decode()


async def test_run_serves_and_stops_cleanly(
    loopback_discord: LoopbackDiscord, tmp_path: Path, corpus_dir: Path
) -> None:
    # Every place's status is worked out while it serves: logged, and it still stops cleanly.
    code, log = await run_once(loopback_discord, tmp_path, corpus_dir, log_line=STATUSES_KEPT)
    assert code == 0, log
    async with await Store.open(tmp_path / "run.db") as store:
        with_events = len(await store.place_versions(busiest=10_000))
    assert with_events >= 3 and f"{STATUSES_KEPT} {with_events} places" in log
    # With the page cache the searches are sized for (bot.discord.runner.PAGE_CACHE_MIB).
    assert f"{PAGE_CACHE_LOG} {PAGE_CACHE_MIB} MiB" in log
    assert loopback_discord.token not in log
    assert "synced" in log and "shutting down" in log
    # Which files it uses, as absolute paths (no .env in the working directory here).
    assert f"using database {(tmp_path / 'run.db').resolve()}" in log
    assert f"using corpus {corpus_dir.resolve()}" in log
    assert f"using .env none (looked for {tmp_path.resolve() / '.env'};" in log
    puts = len(loopback_discord.requests_matching(r"/commands$", "PUT"))
    assert puts == 1
    # A second start with the same commands does not sync again.
    loopback_discord.invalidate_sessions()
    code, log = await run_once(loopback_discord, tmp_path, corpus_dir)
    assert code == 0, log
    assert "unchanged since the last sync" in log
    assert len(loopback_discord.requests_matching(r"/commands$", "PUT")) == puts


def test_run_against_an_unreachable_server_says_so(tmp_path: Path) -> None:
    import socket
    import subprocess

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = subprocess_env(
        DISCORD_TOKEN="not.a.token",
        DISCORD_API_BASE=f"http://127.0.0.1:{port}/api/v10",
        BANWATCH_DB=str(tmp_path / "run.db"),
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "can't reach" in result.stderr and "Traceback" not in result.stderr
    assert "not.a.token" not in result.stderr
    assert "voice will NOT be supported" not in result.stderr
