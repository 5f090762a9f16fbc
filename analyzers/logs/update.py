"""aeo bots update: fetch each operator's published address ranges again, check them, and keep
them (with the day they were fetched) where verification reads them first (verify.updated_dir).
A file that cannot be fetched or holds no ranges keeps its earlier copy, and says so."""

from __future__ import annotations

import json
import shutil
import urllib.request
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from aeo import __version__
from aeo.analyzers.logs.verify import Source, active, networks_of, updated_dir
from aeo.durable import atomic_write

MAX_BYTES = 20 * 1024 * 1024


class UpdateError(Exception):
    """The update cannot start (an unknown file named, a folder that cannot be written)."""


@dataclass
class UpdateReport:
    folder: Path
    updated: int = 0
    lines: list[str] = field(default_factory=list)


def fetch(url: str, timeout: float) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"not an http(s) URL: {url}")
    req = urllib.request.Request(url, headers={"User-Agent": f"aeo-audit/{__version__}"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:   # noqa: S310 (http(s) only)
        body = resp.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        raise ValueError(f"larger than {MAX_BYTES // 1024 // 1024} MB")
    return body


def update(overrides: dict[str, str] | None = None, timeout: float = 30.0,
           today: date | None = None) -> UpdateReport:
    """Fetch every published file (or, with overrides {file: url}, only those, from those
    URLs) into updated_dir()."""
    current = active()
    overrides = overrides or {}
    known = {s.file for s in current.sources}
    unknown = set(overrides) - known
    if unknown:
        raise UpdateError(f"no published file named {', '.join(sorted(unknown))} (known: "
                          f"{', '.join(sorted(known))})")
    dest = updated_dir()
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UpdateError(f"cannot write the ranges into {dest}: {exc.strerror or exc}") from None
    report = UpdateReport(dest)
    day = (today or date.today()).isoformat()
    sources: list[Source] = []
    for s in current.sources:
        old = current.folder / s.file
        if overrides and s.file not in overrides:
            _keep(old, dest / s.file)
            sources.append(s)
            continue
        url = overrides.get(s.file, s.url)
        try:
            body = fetch(url, timeout)
            payload = json.loads(body)
            nets = networks_of(payload)
        except Exception as exc:   # noqa: BLE001 (any failure keeps the earlier copy)
            _keep(old, dest / s.file)
            sources.append(s)
            report.lines.append(f"{s.file}: kept the copy of {s.retrieved} ({url}: "
                                f"{type(exc).__name__}: {exc})")
            continue
        atomic_write(dest / s.file, body.decode("utf-8"))
        created = payload.get("creationTime", "") if isinstance(payload, dict) else ""
        sources.append(replace(s, retrieved=day, created=str(created)))
        report.updated += 1
        report.lines.append(f"{s.file}: {len(nets)} ranges from {url}")
    atomic_write(dest / "sources.toml", _toml(sources, current.dns, current.documented))
    active.cache_clear()
    return report


def _keep(old: Path, new: Path) -> None:
    if old.resolve() != new.resolve():
        shutil.copyfile(old, new)


def _toml(sources: list[Source], dns, documented) -> str:
    q = json.dumps    # a JSON string is a TOML basic string
    lines = ["# The address ranges AI crawler operators publish, as fetched by `aeo bots update`.",
             ""]
    for s in sources:
        lines += ["[[source]]", f"file = {q(s.file)}", f"url = {q(s.url)}",
                  f"operator = {q(s.operator)}",
                  f"bots = [{', '.join(q(b) for b in s.bots)}]",
                  f"retrieved = {q(s.retrieved)}", f"created = {q(s.created)}", ""]
    for d in documented:
        lines += ["[[documented]]", f"operator = {q(d['operator'])}",
                  f"ranges = [{', '.join(q(r) for r in d['ranges'])}]", f"url = {q(d['url'])}",
                  f"words = {q(d.get('words', ''))}", ""]
    for d in dns.values():
        lines += ["[[dns]]", f"operator = {q(d.operator)}",
                  f"suffixes = [{', '.join(q(x) for x in d.suffixes)}]", f"url = {q(d.url)}", ""]
    return "\n".join(lines)
