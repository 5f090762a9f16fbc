"""The run store: a workspace folder of runs, each with its manifest and its own SQLite
database, plus one workspace index (SQLite) of runs and findings for history queries.

Layout::

    WORKSPACE/index.sqlite                      runs, findings, pages of every run
    WORKSPACE/<host>/<UTC timestamp>/run.json   the manifest (written atomically)
    WORKSPACE/<host>/<UTC timestamp>/crawl.sqlite   fetched documents (bodies zstd-compressed),
                                                    crawl events, sitemap URLs, facts

A run folder is only ever written by its own run, and every file that a reader relies on is
replaced atomically, so a killed run never damages an earlier one: it leaves a manifest whose
status is ``running`` (or none at all), which history ignores.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aeo.durable import (
    SCHEMA_VERSION,
    WRITE_ERRNOS,
    WorkspaceError,
    atomic_write,
    database_problem,
    utc_now,
)
from aeo.facts.records import PreviousPage
from aeo.rundb import CrawlDB


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def host_slug(host: str, port: int | None) -> str:
    slug = re.sub(r"[^a-z0-9.-]+", "_", host.lower()).strip("._") or "site"
    return f"{slug}_{port}" if port else slug


class Run:
    """One run folder: its manifest and its crawl database."""

    def __init__(self, path: Path):
        self.path = Path(path)

    @property
    def manifest_path(self) -> Path:
        return self.path / "run.json"

    @property
    def db_path(self) -> Path:
        return self.path / "crawl.sqlite"

    @property
    def run_id(self) -> str:
        return f"{self.path.parent.name}/{self.path.name}"

    def manifest(self) -> dict:
        try:
            return json.loads(self.manifest_path.read_text("utf-8"))
        except (OSError, ValueError):
            return {}

    def write_manifest(self, data: dict) -> None:
        data = {"schema_version": SCHEMA_VERSION, **data}
        atomic_write(self.manifest_path, json.dumps(data, indent=2, sort_keys=True))

    def update_manifest(self, **changes: Any) -> dict:
        data = self.manifest()
        data.update(changes)
        self.write_manifest(data)
        return data

    def open_db(self) -> CrawlDB:
        return CrawlDB(self.db_path)

    @contextlib.contextmanager
    def page_reader(self) -> Iterator[Any]:
        """For a thread that reads the stored pages while the crawl writes them: a connection
        of its own, and read(after_id, limit) -> [(id, Fetch)] of the pages committed since."""
        conn = sqlite3.connect(self.db_path, timeout=60, isolation_level=None)
        try:
            yield lambda last, limit: CrawlDB.pages_after(conn, last, limit)
        finally:
            conn.close()

    @contextlib.contextmanager
    def failing_on_write(self) -> Iterator[None]:
        """A write that fails inside (a full disk, a file-size limit, a folder made read-only)
        ends the run as failed, said in its manifest while that small file can still be
        written: never a run left "running" or "crawled" for good. Such a run can be resumed
        (aeo crawl --resume) or, when its crawl ended, reported once there is room again."""
        try:
            yield
        except (OSError, sqlite3.Error, WorkspaceError) as exc:
            if isinstance(exc, OSError) and exc.errno not in WRITE_ERRNOS:
                raise       # a broken pipe, a fork that failed: not the run's storage
            with contextlib.suppress(OSError, ValueError):
                self.update_manifest(status="failed", complete=False, reason="write_error",
                                     message=f"the run could not be written: {exc}",
                                     finished=utc_now())
            raise


_INDEX_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, site TEXT NOT NULL, start_url TEXT, dir TEXT, started TEXT,
    finished TEXT, status TEXT, complete INTEGER, pages_crawled INTEGER, as_of TEXT,
    overall_score REAL
);
CREATE TABLE IF NOT EXISTS findings (
    run_id TEXT NOT NULL, rule TEXT NOT NULL, pillar TEXT, severity TEXT, url TEXT,
    evidence TEXT
);
CREATE INDEX IF NOT EXISTS findings_run ON findings(run_id);
CREATE TABLE IF NOT EXISTS pages (
    run_id TEXT NOT NULL, url TEXT NOT NULL, status INTEGER, page_type TEXT,
    main_text_hash TEXT, date_modified TEXT, PRIMARY KEY (run_id, url)
);
"""


class Workspace:
    """The folder where runs and their history live."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def _index(self) -> sqlite3.Connection:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / "index.sqlite"
        conn = None
        try:
            conn = sqlite3.connect(path, timeout=30)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise WorkspaceError(
                    f"{path} was written by a newer aeo (schema {version}; this version reads "
                    f"{SCHEMA_VERSION}): upgrade aeo, or use another workspace")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_INDEX_SCHEMA)
            if version < SCHEMA_VERSION:
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            return conn
        except (WorkspaceError, sqlite3.Error) as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, WorkspaceError):
                raise
            raise WorkspaceError(database_problem(path, exc)) from None

    def check(self) -> None:
        """Before a crawl: the workspace's index opens, is a database of ours, and takes a
        write, so that a run never fails at its end for a reason known at its start."""
        conn = self._index()
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
        except sqlite3.Error as exc:
            raise WorkspaceError(database_problem(self.root / "index.sqlite", exc)) from None
        finally:
            conn.close()

    @contextlib.contextmanager
    def lock(self, site: str):
        """One run per site at a time. A lock left by a process that no longer exists is
        taken over."""
        base = self.root / site
        base.mkdir(parents=True, exist_ok=True)
        path = base / ".lock"
        for _ in range(2):
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                try:
                    pid = int(path.read_text().strip() or 0)
                except (OSError, ValueError):
                    pid = 0
                if pid and _alive(pid):
                    raise WorkspaceError(f"{site} is being audited right now (locked by PID "
                                         f"{pid}); wait for it to finish") from None
                path.unlink(missing_ok=True)   # stale: its process is gone
                continue
            with os.fdopen(fd, "w") as fh:
                fh.write(str(os.getpid()))
            break
        else:
            raise WorkspaceError(f"cannot lock {path}")
        try:
            yield
        finally:
            try:
                if path.read_text().strip() == str(os.getpid()):
                    path.unlink()
            except OSError:
                pass

    def new_run(self, site: str) -> Run:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        base = self.root / site
        base.mkdir(parents=True, exist_ok=True)
        path, n = base / stamp, 1
        while True:
            try:
                path.mkdir()
                break
            except FileExistsError:
                n += 1
                path = base / f"{stamp}-{n}"
        return Run(path)

    def find_run(self, ref: str) -> Run | None:
        """A run by folder path, by 'site/timestamp', or 'latest' for the newest run."""
        candidates = [Path(ref), self.root / ref]
        for c in candidates:
            if (c / "run.json").is_file():
                return Run(c)
        if ref == "latest":
            runs = sorted(self.root.glob("*/*/run.json"), key=lambda p: p.parent.name)
            return Run(runs[-1].parent) if runs else None
        return None

    def record_run(self, run: Run, manifest: dict, findings: Iterable[dict],
                   pages: Iterable[dict], overall: float | None) -> None:
        """Index a finished run (one transaction: all of it or none of it). findings and pages
        may be streams."""
        conn = self._index()
        try:
            with conn:
                conn.execute("DELETE FROM runs WHERE run_id = ?", (run.run_id,))
                conn.execute("DELETE FROM findings WHERE run_id = ?", (run.run_id,))
                conn.execute("DELETE FROM pages WHERE run_id = ?", (run.run_id,))
                conn.execute(
                    "INSERT INTO runs VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (run.run_id, run.path.parent.name, manifest.get("start_url"),
                     str(run.path), manifest.get("started"), manifest.get("finished"),
                     manifest.get("status"), int(bool(manifest.get("complete"))),
                     manifest.get("pages_crawled"), manifest.get("as_of"), overall))
                conn.executemany(
                    "INSERT INTO findings VALUES (?,?,?,?,?,?)",
                    ((run.run_id, f["rule"], f["pillar"], f["severity"], f["url"],
                      f["evidence"]) for f in findings))
                conn.executemany(
                    "INSERT OR REPLACE INTO pages VALUES (?,?,?,?,?,?)",
                    ((run.run_id, p["url"], p.get("status"), p.get("page_type"),
                      p.get("main_text_hash"), p.get("date_modified")) for p in pages))
        finally:
            conn.close()

    def history(self, site: str | None = None, exact: bool = False) -> list[dict]:
        """Runs, oldest first. site is the site folder ('example.com_8080'), or, unless exact,
        a host: 'example.com' also lists example.com on any port."""
        conn = self._index()
        try:
            cols = ["run_id", "site", "start_url", "started", "finished", "status", "complete",
                    "pages_crawled", "overall_score", "as_of"]
            rows = [dict(zip(cols, r, strict=True)) for r in conn.execute(
                "SELECT run_id, site, start_url, started, finished, status, complete,"
                " pages_crawled, overall_score, as_of FROM runs ORDER BY started")]
        finally:
            conn.close()
        if not site:
            return rows
        host = site.lower()
        return [r for r in rows if r["site"] == site or (not exact and (
            (urlsplit(r["start_url"] or "").hostname or "") == host))]

    def previous_complete(self, site: str, before_run_id: str) -> dict | None:
        runs = [r for r in self.history(site, exact=True)
                if r["complete"] and r["run_id"] < before_run_id]
        return runs[-1] if runs else None

    def run_pages(self, run_id: str) -> dict[str, PreviousPage]:
        """url -> its status, main text hash and dateModified, as a recorded run saw them."""
        conn = self._index()
        try:
            return {r[0]: PreviousPage(r[1], r[2], r[3])
                    for r in conn.execute("SELECT url, status, main_text_hash, date_modified "
                                          "FROM pages WHERE run_id = ?", (run_id,))}
        finally:
            conn.close()

    def finding_keys(self, run_id: str) -> Iterator[tuple[str, str, str]]:
        """(rule, url, severity) of a recorded run's findings, streamed."""
        conn = self._index()
        try:
            yield from conn.execute("SELECT rule, url, severity FROM findings WHERE run_id = ?"
                                    " ORDER BY rowid", (run_id,))
        finally:
            conn.close()

    def run_findings(self, run_id: str) -> list[dict]:
        conn = self._index()
        try:
            cols = ["rule", "pillar", "severity", "url", "evidence"]
            return [dict(zip(cols, r, strict=True)) for r in conn.execute(
                "SELECT rule, pillar, severity, url, evidence FROM findings WHERE run_id = ?",
                (run_id,))]
        finally:
            conn.close()
