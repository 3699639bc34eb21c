"""Shared test fixtures: the PostgreSQL plugin, the replica server, CLI helpers."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = ["tests.pg", "tests.wordpress"]

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture
def replica() -> Iterator[object]:
    """A fresh replica server (portal.example + news.example) on a free local port."""
    from crawler.replica import ReplicaServer

    with ReplicaServer() as server:
        yield server


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``provnews ARGS`` in a child process (Scrapy's reactor runs once per process)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PROVNEWS_")}
    full_env.update({"PYTHONUNBUFFERED": "1", "PROVNEWS_ENV": "test", **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        capture_output=True, text=True, timeout=timeout, env=full_env, cwd=cwd or ROOT, check=False,
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A run in which tests were collected but none passed has failed (e.g. all skipped)."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or exitstatus != 0 or session.testscollected == 0:
        return
    if not reporter.stats.get("passed"):
        session.exitstatus = 1
