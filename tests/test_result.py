"""The judged result is saved with the run and read back: `aeo render RUN` writes every output
again from it, without judging (a lost output folder, a PDF asked for later), and what it
writes is what the audit wrote, byte for byte."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

OUTPUTS = ("audit.html", "findings.json", "findings.csv", "pages.csv", "entities.csv",
           "backlog.csv", "bot_hits.csv")


def _aeo(tmp: Path, *args: str, port: str = "8795") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aeo", *args], capture_output=True, text=True,
                          timeout=600, cwd=tmp, stdin=subprocess.DEVNULL,
                          env={**os.environ, "AEO_DEMO_PORT": port})


def test_render_writes_the_audit_again_from_the_saved_result(tmp_path):
    ws = str(tmp_path / "ws")
    first = _aeo(tmp_path, "demo", "--workspace", ws, "--out", str(tmp_path / "m1"),
                 "--as-of", "2026-10-30", "--quiet")
    assert first.returncode == 0, first.stderr
    # the second month: a comparison with the first, new and fixed findings, a trend
    second = _aeo(tmp_path, "demo", "--month", "2", "--workspace", ws,
                  "--out", str(tmp_path / "m2"), "--as-of", "2026-11-30", "--quiet")
    assert second.returncode == 0, second.stderr
    again = _aeo(tmp_path, "render", "latest", "--workspace", ws, "--out", str(tmp_path / "r2"))
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip().endswith("audit.html")
    for name in OUTPUTS:
        assert (tmp_path / "r2" / name).read_bytes() == (tmp_path / "m2" / name).read_bytes(), name
    html = (tmp_path / "r2" / "audit.html").read_text(encoding="utf-8")
    assert "Since the audit of 2026-10-30: 1 new, 2 fixed" in html   # the comparison, read back

    # rendering judges nothing and records nothing: the history still holds two runs
    history = _aeo(tmp_path, "history", "--workspace", ws)
    assert history.returncode == 0 and history.stdout.count("complete") >= 2, history.stdout


def _damage(how: str):
    import json
    import zlib

    from aeo.judge import RESULT_VERSION

    def blob(data) -> bytes:
        return zlib.compress(json.dumps(data).encode())

    return {
        "missing": ("DELETE FROM result", ()),              # judged before results were saved
        "not zlib": ("UPDATE result SET data = ?", (b"\x00\x11garbage",)),
        "not json": ("UPDATE result SET data = ?", (zlib.compress(b"{nope"),)),
        "a list": ("UPDATE result SET data = ?", (blob([1, 2]),)),
        "older shape": ("UPDATE result SET data = ?", (blob({"version": "0ld"}),)),
        "cut short": ("UPDATE result SET data = ?", (blob({"version": RESULT_VERSION}),)),
    }[how]


@pytest.mark.parametrize("how", ["missing", "not zlib", "not json", "a list", "older shape",
                                 "cut short"])
def test_a_run_without_a_readable_saved_result_is_one_line(tmp_path, how):
    ws = tmp_path / "ws"
    first = _aeo(tmp_path, "demo", "--workspace", str(ws), "--out", str(tmp_path / "m1"),
                 "--quiet", port="8796")
    assert first.returncode == 0, first.stderr
    db = next(ws.rglob("crawl.sqlite"))
    conn = sqlite3.connect(db)
    conn.execute(*_damage(how))
    conn.commit()
    conn.close()
    again = _aeo(tmp_path, "render", "latest", "--workspace", str(ws), "--out",
                 str(tmp_path / "r1"), port="8796")
    assert again.returncode == 2, again.stderr
    assert len(again.stderr.strip().splitlines()) == 1 and "aeo report" in again.stderr
    assert "Traceback" not in again.stderr and not (tmp_path / "r1" / "audit.html").exists()
    assert not list(tmp_path.glob("aeo-crash-*.log"))


def test_site_facts_come_back_as_they_were_saved():
    """Every kind of value the site facts hold, through JSON and back: records in records,
    sets, tuples of tuples, optional records, integer statuses, entity references, crawl
    events with their problems, a log summary."""
    import json

    from aeo.facts.codec import decode, encode
    from aeo.facts.entities import EntityNode, Ref
    from aeo.facts.events import CrawlEvent, Problem
    from aeo.facts.logs import BotHits, LogFacts
    from aeo.facts.records import (
        AuthorEntry,
        BotAccess,
        Identity,
        MissingPage,
        PreviousPage,
        Probe,
        RobotsGroupLine,
        SectionTally,
        ThemeMarkup,
    )
    from aeo.rules.base import make_site

    logs = LogFacts(files=("a.log",), formats=(("a.log", "combined"),), lines=10,
                    lines_skipped=1, first="2026-11-01T00:00:00Z", last="2026-11-20T00:00:00Z",
                    rows=(BotHits("GPTBot", "OpenAI", "training", "yes", "https://e.com/a",
                                  "https://e.com/a", 3, "2026-11-01", "2026-11-02",
                                  ((200, 2), (404, 1)), 404),),
                    daily=(("2026-11-01", "GPTBot", "yes", 3),), spoofers=(("GPTBot", "1.2.3.4", 2),),
                    days_covered=14, joined=True)
    site = make_site(
        robots_problems=(Problem("too_large", size=600_000, limit=512_000),),
        bots=(BotAccess("GPTBot", "OpenAI", "training", ("https://e.com/",), "User-agent: *",
                        RobotsGroupLine(3, "Disallow: /")),),
        bot_probes=(Probe("GPTBot", 403, True, None),), browser_probe=Probe("browser", 200, False),
        sitemap_urls=frozenset({"https://e.com/a", "https://e.com/b"}),
        status_by_url={"https://e.com/a": 200, "https://e.com/x": None},
        inlinks={"https://e.com/a": ("https://e.com/",)}, inlink_counts={"https://e.com/a": 7},
        crawl_events=(CrawlEvent("redirect_loop", "https://e.com/l", chain=("a", "b", "a")),
                      CrawlEvent("sitemap_problem", "https://e.com/s.xml",
                                 problem=Problem("root_element", value="html"))),
        entities_by_id={"https://e.com/#org": EntityNode(
            0, "json-ld", ("Organization",), "https://e.com/#org",
            props={"name": ("Acme",), "logo": (Ref(node=1),), "parentOrganization": (Ref("x"),),
                   "foundingYear": (1999,)}, url="https://e.com/")},
        identity=Identity("Acme", "markup", ("Acme",), {"ACME": {"title": 2}}, {"ACME": ["/"]}),
        authors={"ann": AuthorEntry("Ann", pages=("https://e.com/a",), sources={"markup": 1})},
        logs=logs, missing_page=MissingPage("https://e.com/x-404", 404), as_of="2026-11-30",
        theme_markup={"BlogPosting": ThemeMarkup(9, 10, {"legal": ("https://e.com/p",)})},
        dated_sections={"/blog/": SectionTally(3, 2, 1)},
        previous_pages={"https://e.com/a": PreviousPage(200, "abc", None)})
    from aeo.facts.records import SiteFacts

    again = decode(SiteFacts, json.loads(json.dumps(encode(site))))
    assert again == site
    assert again.logs.answer_hits == site.logs.answer_hits
    assert isinstance(again.sitemap_urls, frozenset) and isinstance(again.bots[0].line,
                                                                    RobotsGroupLine)


def test_the_survey_reads_every_field_it_needs(tmp_path):
    """The survey builds each page without the fields it never reads (SURVEY_SKIPS): the
    same survey as from every page's whole facts, on the demo site's run."""
    from aeo.analyzers.identity import TEXT_FIELDS, page_texts
    from aeo.governance import load_governance
    from aeo.pageset import FullPages, survey
    from aeo.store import Workspace

    ws = tmp_path / "ws"
    done = _aeo(tmp_path, "demo", "--workspace", str(ws), "--out", str(tmp_path / "o"),
                "--quiet", port="8798")
    assert done.returncode == 0, done.stderr
    run = Workspace(ws).find_run("latest")
    expected = load_governance().settings.get("expected_types", {})
    db = run.open_db()
    try:
        light, whole = survey(db, expected), survey(db, expected, skips=())
        full = FullPages(db)    # the brand-name pass reads only TEXT_FIELDS of each page
        texts = list(page_texts(full.reading(*TEXT_FIELDS)))
        assert texts and texts == list(page_texts(full))
    finally:
        db.close()
    assert light.rows and light == whole


def test_a_run_stored_with_zlib_bodies_is_analyzed_as_before(tmp_path):
    """Bodies are stored as zstd frames now; a run recorded before kept zlib streams. Both
    read back the same: the run, its bodies turned into zlib streams, analyzed again gives
    the facts it gave."""
    import zlib

    from aeo.rundb import ZSTD_MAGIC, unpack_body

    ws = tmp_path / "ws"
    done = _aeo(tmp_path, "demo", "--workspace", str(ws), "--out", str(tmp_path / "out"),
                "--as-of", "2026-11-30", "--quiet", port="8796")
    assert done.returncode == 0, done.stderr
    (db_path,) = ws.glob("*/*/crawl.sqlite")
    conn = sqlite3.connect(db_path)
    try:
        before = dict(conn.execute("SELECT url, data FROM facts"))
        bodies = conn.execute("SELECT id, body FROM fetches WHERE body IS NOT NULL").fetchall()
        assert bodies and all(b[:4] == ZSTD_MAGIC for _, b in bodies)
        with conn:
            conn.executemany("UPDATE fetches SET body = ? WHERE id = ?",
                             [(zlib.compress(unpack_body(b), 3), i) for i, b in bodies])
            conn.execute("DELETE FROM facts")
    finally:
        conn.close()
    again = _aeo(tmp_path, "analyze", "latest", "--workspace", str(ws), "--quiet")
    assert again.returncode == 0, again.stderr
    conn = sqlite3.connect(db_path)
    try:
        after = dict(conn.execute("SELECT url, data FROM facts"))
    finally:
        conn.close()
    assert len(before) > 10
    assert after == before

    # a damaged body: one line and the usage exit, not a traceback
    conn = sqlite3.connect(db_path)
    try:
        with conn:
            conn.execute("UPDATE fetches SET body = ? WHERE id = (SELECT max(id) FROM fetches "
                         "WHERE kind = 'page' AND body IS NOT NULL)", (ZSTD_MAGIC + b"!",))
    finally:
        conn.close()
    damaged = _aeo(tmp_path, "analyze", "latest", "--workspace", str(ws), "--quiet")
    assert damaged.returncode == 2, damaged.stderr
    assert "Traceback" not in damaged.stderr and len(damaged.stderr.strip().splitlines()) == 1
    assert "does not read back" in damaged.stderr and "audit the site again" in damaged.stderr


def test_stored_bodies_read_back_or_say_they_are_damaged():
    """A body reads back as it was stored, empty or large, zstd or (an older run's) zlib; a
    damaged one (a flipped bit, a header that claims terabytes, a cut frame, no frame at all)
    is one DamagedBody, not silently wrong bytes or an allocation of what the header says."""
    import zlib

    from aeo.rundb import DamagedBody, pack_body, unpack_body

    page = ("<p>" + "ledger invoice payroll " * 4000 + "</p>").encode()
    for body in (b"", b"x", page):
        assert unpack_body(pack_body(body)) == body
        assert unpack_body(zlib.compress(body, 3)) == body
    packed = pack_body(page)
    flipped = bytearray(packed)
    flipped[len(flipped) // 2] ^= 0x10
    huge = bytearray(packed)
    assert huge[4] & 0xC0 == 0x80          # (the frame gives its size in 4 bytes, after the magic)
    huge[5:9] = (2**32 - 1).to_bytes(4, "little")   # 4 GiB
    for damaged in (bytes(flipped), bytes(huge), packed[:len(packed) // 2], b"garbage",
                    zlib.compress(page)[:-9]):
        with pytest.raises(DamagedBody):
            unpack_body(damaged)
