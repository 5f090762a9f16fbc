"""The monthly schedule: one crontab line per audited site, marked so it can be listed and
removed without touching the user's other entries.

The line runs the same `aeo audit` a person would, quietly, with the workspace it was set up
with, and writes each month's report into its own folder (OUT/YYYY-MM). The crontab is read and
written with the `crontab` command, or, when AEO_CRONTAB_FILE is set (the tests do), from and to
that file instead, so a test never touches a real crontab.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

MARK = "# aeo-audit schedule:"


class ScheduleError(Exception):
    pass


def _file() -> Path | None:
    path = os.environ.get("AEO_CRONTAB_FILE")
    return Path(path) if path else None


def read_crontab() -> list[str]:
    path = _file()
    if path is not None:
        return path.read_text("utf-8").splitlines() if path.exists() else []
    if shutil.which("crontab") is None:
        raise ScheduleError("no `crontab` command on this machine: schedule with a systemd "
                            "timer instead (aeo schedule URL --monthly --systemd), or install "
                            "cron (Debian: apt-get install cron)")
    proc = subprocess.run(["crontab", "-l"], capture_output=True, text=True)
    if proc.returncode != 0:
        if "no crontab" in proc.stderr.lower():
            return []
        raise ScheduleError(f"cannot read the crontab: {proc.stderr.strip()}")
    return proc.stdout.splitlines()


def write_crontab(lines: list[str]) -> None:
    text = "\n".join(lines).rstrip("\n") + "\n" if lines else ""
    path = _file()
    if path is not None:
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, "utf-8")
        tmp.replace(path)
        return
    proc = subprocess.run(["crontab", "-"], input=text, capture_output=True, text=True)
    if proc.returncode != 0:
        raise ScheduleError(f"cannot write the crontab: {proc.stderr.strip()}")


def commands(url: str, out: Path, workspace: Path, governance: str | None,
             portfolio: Path | None) -> tuple[str, str | None]:
    """The shell commands a scheduled run executes (cron and systemd alike): the audit into
    OUT/YYYY-MM, and the portfolio's refresh (None without --portfolio)."""
    ws = str(workspace.resolve())
    audit = [sys.executable, "-m", "aeo", "audit", url, "--quiet", "--workspace", ws]
    if governance:
        audit += ["--governance", str(Path(governance).resolve())]
    line = (" ".join(shlex.quote(c) for c in audit) + " --out "
            + shlex.quote(str(out.resolve())) + '/"$(date +%Y-%m)"')
    if portfolio is None:
        return line, None
    refresh = [sys.executable, "-m", "aeo", "portfolio", "--quiet", "--workspace", ws,
               "--out", str(portfolio.resolve())]
    return line, " ".join(shlex.quote(c) for c in refresh)


def entry(url: str, day: int, hour: int, out: Path, workspace: Path,
          governance: str | None, portfolio: Path | None = None) -> str:
    line, refresh = commands(url, out, workspace, governance, portfolio)
    log = shlex.quote(str(workspace.resolve() / "schedule.log"))
    if refresh is not None:     # the portfolio after the audit, whatever its exit code
        line = f"{{ {line}; {refresh}; }}"
    return cron_escaped(f"0 {hour} {day} * * {line} >> {log} 2>&1 {MARK} {url}")


def cron_escaped(text: str) -> str:
    """cron turns every unescaped % of a command into a newline: a percent-encoded URL, a
    path or the month's date format would cut the command short."""
    return text.replace("%", "\\%")


def _marker(url: str) -> str:
    return cron_escaped(f"{MARK} {url}")


def install(url: str, day: int, hour: int, out: Path, workspace: Path,
            governance: str | None, portfolio: Path | None = None) -> str:
    if not 1 <= day <= 28:
        raise ScheduleError("--day must be between 1 and 28 (every month has those days)")
    workspace.mkdir(parents=True, exist_ok=True)   # the log lives there; cron has no cwd
    lines = [ln for ln in read_crontab() if not ln.endswith(_marker(url))]
    new = entry(url, day, hour, out, workspace, governance, portfolio)
    write_crontab(lines + [new])
    return new


def listed() -> list[tuple[str, str]]:
    """(url, crontab line) of every aeo schedule."""
    return [(ln.split(MARK, 1)[1].strip().replace("\\%", "%"), ln) for ln in read_crontab()
            if MARK in ln]


def remove(url: str) -> bool:
    lines = read_crontab()
    kept = [ln for ln in lines if not ln.endswith(_marker(url))]
    if len(kept) == len(lines):
        return False
    write_crontab(kept)
    return True
