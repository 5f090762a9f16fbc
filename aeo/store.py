"""The run store: a workspace folder of runs, each with its manifest and its own SQLite
database, plus one workspace index (SQLite) of runs and findings for history queries.

Layout::

    WORKSPACE/index.sqlite                      runs, findings, pages of every run
    WORKSPACE/<host>/<UTC timestamp>/run.json   the manifest (written atomically)
    WORKSPACE/<host>/<UTC timestamp>/crawl.sqlite   fetched documents (bodies zlib-compressed),
                                                    crawl events, sitemap URLs, facts

A run folder is only ever written by its own run, and every file that a reader relies on is
replaced atomically, so a killed run never damages an earlier one: it leaves a manifest whose
status is ``running`` (or none at all), which history ignores.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import sqlite3
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aeo.facts.records import KIND_PAGE, Fetch

SCHEMA_VERSION = 1


# what a full disk, a file-size limit, a quota or a folder made read-only raise
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS, errno.EACCES,
                          errno.EPERM, errno.EIO})


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@contextlib.contextmanager
def atomic_file(path: Path, mode: str = "w"):
    """A file handle whose content replaces path only when the block ends without an error."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **({"encoding": "utf-8", "newline": ""} if "b" not in mode
                                     else {})) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write a file so that readers see the old content or the new, never a half."""
    with atomic_file(path, "wb") as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)


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


_CRAWL_SCHEMA = """
CREATE TABLE IF NOT EXISTS fetches (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL, kind TEXT NOT NULL, status INTEGER, final_url TEXT,
    content_type TEXT, depth INTEGER, referrer TEXT, headers TEXT, elapsed_ms INTEGER,
    size INTEGER, error TEXT, error_detail TEXT, encoding TEXT, user_agent TEXT,
    body BLOB, fetched_at TEXT
);
CREATE INDEX IF NOT EXISTS fetches_url ON fetches(url);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, url TEXT, detail TEXT
);
CREATE TABLE IF NOT EXISTS sitemap_urls (url TEXT PRIMARY KEY, sitemap TEXT);
CREATE TABLE IF NOT EXISTS facts (url TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS site (key TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS slim (url TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS findings (
    seq INTEGER PRIMARY KEY, rule_order INTEGER NOT NULL, rule TEXT NOT NULL, url TEXT,
    severity TEXT, data TEXT NOT NULL
);
"""


_FETCH_COLS = ("url, kind, status, final_url, content_type, depth, referrer, headers,"
               " elapsed_ms, size, error, error_detail, encoding, user_agent, fetched_at")


def _fetch(row) -> Fetch:
    (url, kind, status, final_url, ctype, depth, referrer, headers, elapsed, size,
     error, detail, enc, ua, fetched_at, body) = row
    return Fetch(url=url, kind=kind, status=status, final_url=final_url,
                 content_type=ctype or "", depth=depth or 0, referrer=referrer,
                 headers=json.loads(headers or "{}"), elapsed_ms=elapsed or 0,
                 size=size or 0, error=error, error_detail=detail or "", encoding=enc or "",
                 user_agent=ua or "", fetched_at=fetched_at or "",
                 body=zlib.decompress(body) if body is not None else None)


class CrawlDB:
    """One run's documents, written as they arrive and read back in order."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.executescript(_CRAWL_SCHEMA)
        except sqlite3.Error as exc:
            raise WorkspaceError(database_problem(self.path, exc, RUN_FIX)) from None
        self._pending = 0
        self.conn.execute("BEGIN")

    # -- writing -------------------------------------------------------------------------
    def add_fetch(self, f: Fetch) -> None:
        body = zlib.compress(f.body, 6) if f.body is not None else None
        self.conn.execute(
            "INSERT INTO fetches (url, kind, status, final_url, content_type, depth, referrer,"
            " headers, elapsed_ms, size, error, error_detail, encoding, user_agent, body,"
            " fetched_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (f.url, f.kind, f.status, f.final_url, f.content_type, f.depth, f.referrer,
             json.dumps(f.headers), f.elapsed_ms, f.size, f.error, f.error_detail, f.encoding,
             f.user_agent, body, f.fetched_at or utc_now()),
        )
        self._tick()

    def add_event(self, kind: str, url: str | None, **detail: Any) -> None:
        self.conn.execute("INSERT INTO events (kind, url, detail) VALUES (?,?,?)",
                          (kind, url, json.dumps(detail)))
        self._tick()

    def drop_events(self, *kinds: str) -> None:
        self.conn.execute(f"DELETE FROM events WHERE kind IN ({','.join('?' * len(kinds))})",
                          kinds)

    def add_sitemap_url(self, url: str, sitemap: str) -> None:
        self.conn.execute("INSERT OR IGNORE INTO sitemap_urls VALUES (?,?)", (url, sitemap))
        self._tick()

    def put_facts(self, url: str, data: dict) -> None:
        self.conn.execute("INSERT OR REPLACE INTO facts VALUES (?,?)", (url, json.dumps(data)))
        self._tick()

    def put_site(self, key: str, data: Any) -> None:
        self.conn.execute("INSERT OR REPLACE INTO site VALUES (?,?)", (key, json.dumps(data)))
        self._tick()

    def clear_analysis(self) -> None:
        self.conn.execute("DELETE FROM facts")
        self.conn.execute("DELETE FROM site")
        self.clear_slim()
        self.clear_findings()

    # -- the report stage's working tables (aeo/pageset.py, reports/build.py) -------------
    def clear_slim(self) -> None:
        self.conn.execute("DELETE FROM slim")

    def put_slim(self, url: str, data: dict) -> None:
        self.conn.execute("INSERT OR REPLACE INTO slim VALUES (?,?)", (url, json.dumps(data)))
        self._tick()

    def slim_facts(self, urls: list[str] | None = None) -> Iterator[dict]:
        """The slim facts in crawl order: all of them, or those of urls (at most 30,000)."""
        if urls is None:
            sql, args = "SELECT data FROM slim ORDER BY rowid", ()
        else:
            sql = f"SELECT data FROM slim WHERE url IN ({','.join('?' * len(urls))}) ORDER BY rowid"
            args = tuple(urls)
        for (data,) in self.conn.cursor().execute(sql, args):
            yield json.loads(data)

    def count_slim(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM slim").fetchone()[0]

    def clear_findings(self) -> None:
        self.conn.execute("DELETE FROM findings")

    def add_finding(self, rule_order: int, data: dict) -> None:
        self.conn.execute("INSERT INTO findings (rule_order, rule, url, severity, data) "
                          "VALUES (?,?,?,?,?)", (rule_order, data["rule"], data["url"],
                                                 data["severity"], json.dumps(data)))
        self._tick()

    def drop_findings(self, rule: str) -> None:
        self.conn.execute("DELETE FROM findings WHERE rule = ?", (rule,))

    def findings(self, urls: list[str] | None = None) -> Iterator[dict]:
        """The stored findings in report order (rule by rule, then as found); of those URLs
        only, when given."""
        where, args = "", ()
        if urls is not None:
            where, args = f"WHERE url IN ({','.join('?' * len(urls))})", tuple(urls)
        sql = "SELECT data FROM findings " + where + " ORDER BY rule_order, seq"
        for (data,) in self.conn.cursor().execute(sql, args):
            yield json.loads(data)

    def compare_with(self, before: Iterable[tuple[str, str, str]], rechecked: Iterable[str],
                     previous_run: str, complete: bool, config_changed: bool,
                     known_rules: Iterable[str]):
        """This run's findings against an earlier run's (rule, url, severity) keys, classified
        in this database's temporary tables (aeo/comparison.py)."""
        from aeo.comparison import classify

        return classify(self.conn, self.finding_keys(), before, rechecked, previous_run,
                        complete=complete, config_changed=config_changed,
                        known_rules=known_rules)

    def finding_keys(self) -> Iterator[tuple[str, str, str]]:
        yield from self.conn.cursor().execute(
            "SELECT rule, url, severity FROM findings ORDER BY rule_order, seq")

    def _tick(self) -> None:
        self._pending += 1
        if self._pending >= 200:
            self.commit()

    def commit(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")
        self._pending = 0
        self.conn.execute("BEGIN")

    def close(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")
        self.conn.close()

    # -- reading -------------------------------------------------------------------------
    @staticmethod
    def pages_after(conn: sqlite3.Connection, last_id: int, limit: int
                    ) -> list[tuple[int, Fetch]]:
        """(id, page fetch) stored after last_id, committed ones only: for a reader with its
        own connection (the analysis alongside the crawl)."""
        rows = conn.execute(f"SELECT id, {_FETCH_COLS}, body FROM fetches WHERE kind = ? AND "
                            "id > ? ORDER BY id LIMIT ?", (KIND_PAGE, last_id, limit))
        return [(row[0], _fetch(row[1:])) for row in rows.fetchall()]

    def fetches(self, kind: str | None = None, with_body: bool = True) -> Iterator[Fetch]:
        cols = _FETCH_COLS + (", body" if with_body else ", NULL")
        sql = f"SELECT {cols} FROM fetches"
        args: tuple = ()
        if kind:
            sql += " WHERE kind = ?"
            args = (kind,)
        cur = self.conn.cursor()
        for row in cur.execute(sql + " ORDER BY id", args):
            yield _fetch(row)

    def events(self, kind: str | None = None) -> list[dict]:
        sql, args = "SELECT kind, url, detail FROM events", ()
        if kind:
            sql, args = sql + " WHERE kind = ?", (kind,)
        return [{"kind": k, "url": u, **json.loads(d or "{}")}
                for k, u, d in self.conn.execute(sql + " ORDER BY id", args)]

    def sitemap_urls(self) -> set[str]:
        return {u for (u,) in self.conn.execute("SELECT url FROM sitemap_urls")}

    def facts(self) -> Iterator[dict]:
        for (data,) in self.conn.cursor().execute("SELECT data FROM facts ORDER BY rowid"):
            yield json.loads(data)

    def fact(self, url: str) -> dict | None:
        row = self.conn.execute("SELECT data FROM facts WHERE url = ?", (url,)).fetchone()
        return json.loads(row[0]) if row else None

    def site(self, key: str) -> Any:
        row = self.conn.execute("SELECT data FROM site WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def count(self, kind: str) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM fetches WHERE kind = ?", (kind,)).fetchone()[0]


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


class WorkspaceError(Exception):
    """A workspace this version cannot safely use (locked, or written by a newer version)."""


INDEX_FIX = "move it aside and run again (a new one is started; run folders are kept)"
RUN_FIX = "this run cannot be read: audit the site again (other runs are kept)"


def database_problem(path: Path, exc: BaseException, fix: str = INDEX_FIX) -> str:
    """One line for a database file that cannot be used, and what to do."""
    text = str(exc)
    low = text.lower()
    if "not a database" in low or "malformed" in low or "encrypted" in low:
        return (f"{path} is not a usable database ({text}): it is damaged, truncated or another "
                f"program's file; {fix}")
    if "readonly" in low or "read-only" in low or "unable to open" in low:
        return f"cannot write {path} ({text}): give aeo a writable workspace (--workspace)"
    if "full" in low or "too big" in low or "file size" in low:
        return f"cannot write {path} ({text}): free some disk space, or raise the file-size limit"
    return f"cannot use {path}: {text}"


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
                    "pages_crawled", "overall_score"]
            rows = [dict(zip(cols, r, strict=True)) for r in conn.execute(
                "SELECT run_id, site, start_url, started, finished, status, complete,"
                " pages_crawled, overall_score FROM runs ORDER BY started")]
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

    def run_pages(self, run_id: str) -> dict[str, dict]:
        """url -> {status, main_text_hash, date_modified} of a recorded run."""
        conn = self._index()
        try:
            return {r[0]: {"status": r[1], "main_text_hash": r[2], "date_modified": r[3]}
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
