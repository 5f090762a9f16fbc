"""The monthly schedule as a systemd timer, for machines without cron (many servers and
containers): a oneshot service that runs the same `aeo audit` a crontab line would, and a timer
(OnCalendar, Persistent: a month missed while the machine was off runs at the next boot).

User units (~/.config/systemd/user, `systemctl --user`) or system units (/etc/systemd/system,
for root). Each unit carries a marker line naming its URL, so `--list` and `--remove` find
them. AEO_SYSTEMD_DIR (the unit folder) and AEO_SYSTEMCTL (the command) let the tests run
against a folder and a stand-in systemctl, never the machine's own.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

from aeo.schedule import MARK, ScheduleError, commands

PREFIX = "aeo-audit-"


def scope_default() -> str:
    return "system" if os.geteuid() == 0 else "user"


def unit_dir(scope: str) -> Path:
    if os.environ.get("AEO_SYSTEMD_DIR"):
        return Path(os.environ["AEO_SYSTEMD_DIR"]) / scope
    if scope == "system":
        return Path("/etc/systemd/system")
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


def _systemctl(scope: str, *args: str) -> None:
    command = shlex.split(os.environ.get("AEO_SYSTEMCTL", "systemctl"))
    if shutil.which(command[0]) is None:
        raise ScheduleError("no `systemctl` on this machine: use cron (aeo schedule URL "
                            "--monthly without --systemd)")
    full = [*command, *(["--user"] if scope == "user" else []), *args]
    proc = subprocess.run(full, capture_output=True, text=True)
    if proc.returncode != 0:
        why = (proc.stderr or proc.stdout).strip().splitlines()
        raise ScheduleError(f"`{' '.join(full[len(command) - 1:])}` failed: "
                            f"{why[-1] if why else 'exit ' + str(proc.returncode)}")


def unit_name(url: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", url.lower().split("://", 1)[-1]).strip("-")[:40]
    return f"{PREFIX}{slug}-{hashlib.sha1(url.encode()).hexdigest()[:8]}"


def script(url: str, out: Path, workspace: Path, governance: str | None,
           portfolio: Path | None) -> str:
    """The shell script the service runs: the audit into OUT/YYYY-MM, then the portfolio."""
    audit, refresh = commands(url, out, workspace, governance, portfolio)
    lines = ["#!/bin/sh", f"{MARK} {url}", audit, "status=$?"]
    if refresh is not None:
        lines.append(refresh)
    lines.append("exit $status")
    return "\n".join(lines) + "\n"


def _unit_escaped(text: str) -> str:
    """A value on a unit's command line: systemd expands % specifiers and $VARIABLES."""
    return text.replace("%", "%%").replace("$", "$$")


def _unit_unescaped(text: str) -> str:
    text = text.replace("$$", "$").replace("%%", "%")
    return re.sub(r"\\(.)", r"\1", text)


def units(url: str, day: int, hour: int, script_path: Path, log: Path) -> tuple[str, str]:
    """(service, timer) unit texts."""
    quoted = '"' + _unit_escaped(str(script_path).replace("\\", "\\\\").replace('"', '\\"')) + '"'
    service = "\n".join([
        f"{MARK} {url}",
        "[Unit]",
        f"Description=Monthly AEO content audit of {url.replace('%', '%%')}",
        "Wants=network-online.target",
        "After=network-online.target",
        "",
        "[Service]",
        "Type=oneshot",
        f"ExecStart=/bin/sh {quoted}",
        f"StandardOutput=append:{_unit_escaped(str(log))}",
        f"StandardError=append:{_unit_escaped(str(log))}",
        "SuccessExitStatus=4",       # an incomplete crawl still writes its report
        ""])
    timer = "\n".join([
        f"{MARK} {url}",
        "[Unit]",
        f"Description=Monthly AEO content audit of {url.replace('%', '%%')}",
        "",
        "[Timer]",
        f"OnCalendar=*-*-{day:02d} {hour:02d}:00:00",
        "Persistent=true",
        "",
        "[Install]",
        "WantedBy=timers.target",
        ""])
    return service, timer


def install(url: str, day: int, hour: int, out: Path, workspace: Path, governance: str | None,
            portfolio: Path | None, scope: str) -> Path:
    """Write the units and enable the timer; the timer's path. A failure leaves nothing."""
    if not 1 <= day <= 28:
        raise ScheduleError("--day must be between 1 and 28 (every month has those days)")
    folder = unit_dir(scope)
    name = unit_name(url)
    script_path = workspace.resolve() / "schedules" / f"{name}.sh"
    service, timer = units(url, day, hour, script_path, workspace.resolve() / "schedule.log")
    written = [script_path, folder / f"{name}.service", folder / f"{name}.timer"]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        script_path.parent.mkdir(parents=True, exist_ok=True)
        script_path.write_text(script(url, out, workspace, governance, portfolio), "utf-8")
        script_path.chmod(0o755)
        written[1].write_text(service, "utf-8")
        written[2].write_text(timer, "utf-8")
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        raise ScheduleError(f"cannot write the units into {folder}: "
                            f"{exc.strerror or exc}") from None
    try:
        _systemctl(scope, "daemon-reload")
        _systemctl(scope, "enable", "--now", f"{name}.timer")
    except ScheduleError:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written[2]


def listed() -> list[tuple[str, str, Path]]:
    """(url, scope, timer path) of every aeo timer, user and system."""
    found = []
    for scope in ("user", "system"):
        folder = unit_dir(scope)
        try:
            timers = sorted(folder.glob(f"{PREFIX}*.timer"))
        except OSError:
            continue
        for path in timers:
            try:
                first = path.read_text("utf-8").splitlines()[0]
            except (OSError, IndexError, UnicodeDecodeError):
                continue
            if first.startswith(MARK):
                found.append((first[len(MARK):].strip(), scope, path))
    return found


def remove(url: str) -> list[Path]:
    """Disable and delete the timers of url (both scopes); the timer files removed."""
    gone = []
    for found_url, scope, path in listed():
        if found_url != url:
            continue
        try:
            _systemctl(scope, "disable", "--now", path.name)
        except ScheduleError:
            pass      # not enabled (or no systemd running): the files still go
        service = path.with_suffix(".service")
        try:
            line = next((ln for ln in service.read_text("utf-8").splitlines()
                         if ln.startswith("ExecStart=/bin/sh ")), "")
        except OSError:
            line = ""
        target = _unit_unescaped(line[len("ExecStart=/bin/sh "):].strip()[1:-1])
        if target.endswith(".sh") and Path(target).name.startswith(PREFIX):
            Path(target).unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        service.unlink(missing_ok=True)
        gone.append(path)
        try:
            _systemctl(scope, "daemon-reload")
        except ScheduleError:
            pass
    return gone
