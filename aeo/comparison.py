"""This run against the previous complete run of the site, finding by finding, in SQL: new,
fixed, persisting, or not comparable. The findings of both runs stay on disk, so a comparison of
two 100,000-page runs costs no more memory than one of two small ones.

A finding of the previous run counts as fixed only where the page was fetched again with a 2xx
answer (or it is about a site file), the crawl is complete, the governance is the same and the
rule still exists; elsewhere it was not re-checked the same way: not comparable.

Part of the store: the judge reaches it through CrawlDB.compare_with (the run database's
temporary tables); `aeo compare` classifies findings held in memory in a database of its own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator

KINDS = ("new", "fixed", "persisting", "not_comparable")
SITE_FILES = ("/robots.txt", "/llms.txt", "/sitemap.xml")
SHOWN = 10     # of each kind, in memory for the report; findings.json lists them all

_SETUP = """
DROP TABLE IF EXISTS temp.cmp_now;
DROP TABLE IF EXISTS temp.cmp_before;
DROP TABLE IF EXISTS temp.cmp_pages;
DROP TABLE IF EXISTS temp.cmp_rules;
DROP TABLE IF EXISTS temp.cmp;
DROP TABLE IF EXISTS cmp;
CREATE TEMP TABLE cmp_now (rule TEXT, url TEXT, severity TEXT, PRIMARY KEY (rule, url));
CREATE TEMP TABLE cmp_before (rule TEXT, url TEXT, severity TEXT, PRIMARY KEY (rule, url));
CREATE TEMP TABLE cmp_pages (url TEXT PRIMARY KEY);
CREATE TEMP TABLE cmp_rules (rule TEXT PRIMARY KEY);
CREATE TABLE cmp (seq INTEGER PRIMARY KEY, kind TEXT, rule TEXT, url TEXT, severity TEXT);
"""


class Comparison:
    """The classified findings, kept in the cmp table of conn (the run database's: a saved
    result reads them again)."""

    def __init__(self, conn: sqlite3.Connection, previous_run: str, config_changed: bool):
        self.conn = conn
        self.previous_run = previous_run
        self.config_changed = config_changed
        self.counts = dict.fromkeys(KINDS, 0)
        for kind, n in conn.execute("SELECT kind, COUNT(*) FROM cmp GROUP BY kind"):
            self.counts[kind] = n
        self.shown = {k: list(self.iter(k, limit=SHOWN)) for k in KINDS}

    def iter(self, kind: str, limit: int = -1) -> Iterator[dict]:
        for rule, url, severity in self.conn.execute(
                "SELECT rule, url, severity FROM cmp WHERE kind = ? ORDER BY seq LIMIT ?",
                (kind, limit)):
            yield {"rule": rule, "url": url, "severity": severity}

    def to_dict(self) -> dict:
        """Every finding of every kind (in memory: for small runs and the tests)."""
        return {"previous_run": self.previous_run,
                **{k: list(self.iter(k)) for k in KINDS},
                "config_changed": self.config_changed}


def classify(conn: sqlite3.Connection, now: Iterable[tuple[str, str, str]],
             before: Iterable[tuple[str, str, str]], rechecked: Iterable[str],
             previous_run: str, complete: bool = True, config_changed: bool = False,
             known_rules: Iterable[str] | None = None) -> Comparison:
    """now, before: (rule, url, severity) of each finding (the last one wins for a repeated
    (rule, url)); rechecked: the URLs this run fetched with a 2xx answer."""
    conn.executescript(_SETUP)
    conn.executemany("INSERT OR REPLACE INTO temp.cmp_now VALUES (?,?,?)", now)
    conn.executemany("INSERT OR REPLACE INTO temp.cmp_before VALUES (?,?,?)", before)
    conn.executemany("INSERT OR IGNORE INTO temp.cmp_pages VALUES (?)", ((u,) for u in rechecked))
    any_rule = known_rules is None
    conn.executemany("INSERT OR IGNORE INTO temp.cmp_rules VALUES (?)",
                     ((r,) for r in (known_rules or ())))
    conn.execute("INSERT INTO cmp (kind, rule, url, severity) "
                 "SELECT CASE WHEN b.rule IS NULL THEN 'new' ELSE 'persisting' END, "
                 "n.rule, n.url, n.severity FROM temp.cmp_now n "
                 "LEFT JOIN temp.cmp_before b ON b.rule = n.rule AND b.url = n.url "
                 "ORDER BY n.rowid")
    site_file = " OR ".join(f"substr(b.url, -{len(f)}) = '{f}'" for f in SITE_FILES)
    comparable = (f"({int(complete and not config_changed)} AND "
                  f"({int(any_rule)} OR b.rule IN (SELECT rule FROM temp.cmp_rules)) AND "
                  f"(b.url IN (SELECT url FROM temp.cmp_pages) OR {site_file}))")
    conn.execute("INSERT INTO cmp (kind, rule, url, severity) "
                 f"SELECT CASE WHEN {comparable} THEN 'fixed' ELSE 'not_comparable' END, "
                 "b.rule, b.url, b.severity FROM temp.cmp_before b "
                 "LEFT JOIN temp.cmp_now n ON n.rule = b.rule AND n.url = b.url "
                 "WHERE n.rule IS NULL ORDER BY b.rowid")
    return Comparison(conn, previous_run, config_changed)


def compare(current: list[dict], pages_now: dict[str, int | None], previous: dict | None,
            workspace, complete: bool = True, config_changed: bool = False,
            known_rules: set[str] | None = None) -> dict | None:
    """The comparison of findings held in memory (`aeo compare` and the tests): the same
    classification, in an in-memory database."""
    if previous is None:
        return None
    before = workspace.run_findings(previous["run_id"])
    conn = sqlite3.connect(":memory:")
    try:
        result = classify(
            conn, ((f["rule"], f["url"], f["severity"]) for f in current),
            ((f["rule"], f["url"], f["severity"]) for f in before),
            (u for u, s in pages_now.items() if s is not None and 200 <= s < 300),
            previous["run_id"], complete, config_changed, known_rules)
        return result.to_dict()
    finally:
        conn.close()
