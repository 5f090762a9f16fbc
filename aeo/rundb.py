"""A run's own database, crawl.sqlite: every fetched document (bodies zstd-compressed), the
crawl's events, the sitemap URLs, the page and site facts, the slim pages and the findings of
the report stage. One writer at a time: the crawl's thread, then the analysis, then the
judge; a reader of its own (Run.page_reader) follows the crawl.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import zstandard

from aeo.durable import RUN_FIX, WorkspaceError, database_problem, utc_now
from aeo.facts.events import CrawlEvent, stored
from aeo.facts.records import KIND_PAGE, Fetch

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
CREATE TABLE IF NOT EXISTS result (id INTEGER PRIMARY KEY CHECK (id = 1), data BLOB NOT NULL);
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
                 body=unpack_body(body) if body is not None else None)


# Bodies are stored as zstd frames at level 3, each with its checksum: a quarter of zlib's
# time to write and of its time to read, for a smaller file. Runs recorded before kept zlib
# streams, told apart by zstd's frame magic (a zlib stream opens with 0x78).
# A zstd context serves one thread at a time (the crawl's thread writes, the analysis's
# reader thread reads): one per thread.
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
MAX_BODY = 1 << 30     # far above any body the crawl keeps (pages and sitemaps are capped)
_contexts = threading.local()


class DamagedBody(WorkspaceError):
    """A stored body that does not read back: the run's database is damaged."""


def pack_body(body: bytes) -> bytes:
    pack = getattr(_contexts, "pack", None)
    if pack is None:
        pack = _contexts.pack = zstandard.ZstdCompressor(level=3, write_checksum=True)
    return pack.compress(body)


def unpack_body(data: bytes) -> bytes:
    """A body as pack_body (or, in runs recorded before, zlib) stored it."""
    try:
        if data[:4] != ZSTD_MAGIC:
            return zlib.decompress(data)
        # the frame says how large the body is: a damaged header must not decide an allocation
        if not 0 <= zstandard.frame_content_size(data) <= MAX_BODY:
            raise DamagedBody("a page stored in the run says it is larger than any the crawl "
                              f"keeps; {RUN_FIX}")
        unpack = getattr(_contexts, "unpack", None)
        if unpack is None:
            unpack = _contexts.unpack = zstandard.ZstdDecompressor()
        return unpack.decompress(data)
    except (zlib.error, zstandard.ZstdError) as exc:
        raise DamagedBody(f"a page stored in the run does not read back ({exc}); {RUN_FIX}"
                          ) from None


class CrawlDB:
    """One run's documents, written as they arrive and read back in order."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._connect()

    def _connect(self) -> None:
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
        body = pack_body(f.body) if f.body is not None else None
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
                          (kind, url, json.dumps(stored(detail))))
        self._tick()

    def drop_events(self, *kinds: str) -> None:
        self.conn.execute(f"DELETE FROM events WHERE kind IN ({','.join('?' * len(kinds))})",
                          kinds)

    def add_sitemap_url(self, url: str, sitemap: str) -> None:
        self.conn.execute("INSERT OR IGNORE INTO sitemap_urls VALUES (?,?)", (url, sitemap))
        self._tick()

    def put_facts(self, url: str, data: dict) -> None:
        self.put_facts_json(url, json.dumps(data))

    def put_facts_json(self, url: str, text: str) -> None:
        """A page's facts already encoded (by the analysis worker that made them)."""
        self.conn.execute("INSERT OR REPLACE INTO facts VALUES (?,?)", (url, text))
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
        self.conn.execute("DELETE FROM result")      # it was judged from them

    def put_result(self, data: dict) -> None:
        """The judged result (aeo.judge.save), compressed: one per run."""
        self.conn.execute("INSERT OR REPLACE INTO result VALUES (1, ?)",
                          (zlib.compress(json.dumps(data).encode(), 6),))

    def result(self) -> Any:
        """The saved result as save() wrote it, None when there is none; ValueError when it
        cannot be read back (damaged)."""
        row = self.conn.execute("SELECT data FROM result WHERE id = 1").fetchone()
        try:
            return json.loads(zlib.decompress(row[0])) if row else None
        except (zlib.error, TypeError, UnicodeDecodeError) as exc:   # (JSON's are ValueErrors)
            raise ValueError(f"not a saved result: {exc}") from None

    def comparison(self, previous_run: str, config_changed: bool):
        """The comparison the judge classified (its table), for a saved result read again;
        ValueError when the table is gone."""
        from aeo.comparison import Comparison

        try:
            return Comparison(self.conn, previous_run, config_changed)
        except sqlite3.Error as exc:
            raise ValueError(f"the classified comparison is gone: {exc}") from None

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

    def reopen(self) -> None:
        """A new connection after close() (around a fork: connections must not cross one)."""
        self._connect()

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

    def events(self, kind: str | None = None) -> list[CrawlEvent]:
        sql, args = "SELECT kind, url, detail FROM events", ()
        if kind:
            sql, args = sql + " WHERE kind = ?", (kind,)
        return [CrawlEvent.from_row(k, u, json.loads(d or "{}"))
                for k, u, d in self.conn.execute(sql + " ORDER BY id", args)]

    def sitemap_urls(self) -> set[str]:
        return {u for (u,) in self.conn.execute("SELECT url FROM sitemap_urls")}

    def facts(self) -> Iterator[dict]:
        for (data,) in self.conn.cursor().execute("SELECT data FROM facts ORDER BY rowid"):
            yield json.loads(data)

    def fact_ranges(self, size: int) -> list[tuple[int, int]]:
        """The facts table in consecutive (first rowid, last rowid) ranges of size pages."""
        ids = [r for (r,) in self.conn.execute("SELECT rowid FROM facts ORDER BY rowid")]
        return [(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]

    @staticmethod
    def facts_between(path: Path, first: int, last: int) -> list[dict]:
        """The facts of rowids first..last, read through a connection of their own (from
        another process)."""
        conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        try:
            return [json.loads(data) for (data,) in conn.execute(
                "SELECT data FROM facts WHERE rowid BETWEEN ? AND ? ORDER BY rowid",
                (first, last))]
        finally:
            conn.close()

    def fact(self, url: str) -> dict | None:
        row = self.conn.execute("SELECT data FROM facts WHERE url = ?", (url,)).fetchone()
        return json.loads(row[0]) if row else None

    def count(self, kind: str) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM fetches WHERE kind = ?", (kind,)).fetchone()[0]
