"""T34: heavy pages (megabytes of text, 50,000 nested elements) are analysed within bounds or
given up on alone, with a finding; the other pages are analysed either way."""

from __future__ import annotations

import csv
import sys

from fixtures.measure import max_rss_of
from fixtures.server import FixtureServer, html, page, text

ALLOW = text("User-agent: *\nAllow: /\n")
HUGE_TEXT = "<html><head><title>huge</title></head><body><main><h1>Huge</h1>" + \
    "".join(f"<p>Paragraph {i} about Acme Analytics and churn. " + "word " * 60 + "</p>"
            for i in range(8000)) + "</main></body></html>"
DEEP = "<html><head><title>deep</title></head><body>" + "<div>" * 50_000 + "deep" + \
    "</div>" * 50_000 + "</body></html>"
NORMAL = [f"/n{i}" for i in range(10)]


def routes():
    r = {"/robots.txt": ALLOW, "/": html(page("home", ["/huge", "/deep"] + NORMAL)),
         "/huge": html(HUGE_TEXT), "/deep": html(DEEP)}
    r.update({p: html(page(p)) for p in NORMAL})
    return r


def test_t34_heavy_pages_are_bounded_and_do_not_stop_the_others(aeo):
    with FixtureServer(routes()) as fs:
        r = aeo(fs.url + "/", timeout=600)
    assert r.code == 0 and "Traceback" not in r.stderr
    rows = {row["url"].rsplit("/", 1)[-1]: row for row in r.pages}
    assert rows["huge"]["title"] == "huge" and int(rows["huge"]["word_count"]) > 400_000
    assert all(rows[p.lstrip("/")]["title"] == p for p in NORMAL)


def test_t34_a_page_over_the_time_budget_is_given_up_on_alone(aeo):
    with FixtureServer(routes()) as fs:
        r = aeo(fs.url + "/", env={"AEO_PAGE_SECONDS": "0.5"}, timeout=600)
    assert r.code == 0, r.stderr
    rows = {row["url"].rsplit("/", 1)[-1]: row for row in r.pages}
    assert rows["huge"]["error"].startswith("analysis_timed_out")
    assert all(rows[p.lstrip("/")]["title"] == p for p in NORMAL)
    assert any("analysis_timed_out" in f["evidence"] for f in r.rules("ACC103"))


def test_t34_a_page_over_the_memory_budget_is_given_up_on_alone(aeo):
    with FixtureServer(routes()) as fs:
        r = aeo(fs.url + "/", env={"AEO_PAGE_MEMORY_MB": "8"}, timeout=600)
    assert r.code == 0, r.stderr
    rows = {row["url"].rsplit("/", 1)[-1]: row for row in r.pages}
    assert rows["huge"]["error"].startswith("analysis_failed: MemoryError")
    assert all(rows[p.lstrip("/")]["title"] == p for p in NORMAL)


def test_a_page_of_200000_links_is_analysed_in_bounded_memory(tmp_path):
    """5 MB and 200,000 links: no process of the audit passes 700 MB (the analysis of this
    one page took about 1.1 GB when trafilatura and htmldate read it whole)."""
    many = "<html><head><title>many</title></head><body><main><h1>Many</h1><p>" + \
        "".join(f'<a href="/n{i % 10}#{i}">{i}</a> ' for i in range(200_000)) + \
        "</p></main></body></html>"
    routes = {"/robots.txt": ALLOW, "/": html(page("home", ["/many"])), "/many": html(many)}
    routes.update({p: html(page(p)) for p in NORMAL})
    with FixtureServer(routes) as fs:
        code, rss_kib = max_rss_of([sys.executable, "-m", "aeo", "audit", fs.url + "/",
                                    "--quiet", "--workspace", str(tmp_path / "ws"),
                                    "--out", str(tmp_path / "out")], tmp_path, timeout=600)
    assert code == 0
    assert rss_kib < 700 * 1024, f"{rss_kib // 1024} MB"
    with open(tmp_path / "out" / "pages.csv", newline="", encoding="utf-8") as fh:
        rows = {row["url"].rsplit("/", 1)[-1]: row for row in csv.DictReader(fh)}
    assert rows["many"]["error"] == "" and rows["many"]["title"] == "many"
    assert all(rows[p.lstrip("/")]["title"] == p for p in NORMAL)   # reached through it


def test_a_page_whose_facts_cannot_be_written_fails_alone(monkeypatch):
    """The worker encodes a page's facts itself (what it hands back is the JSON the run
    stores): a page whose facts do not encode is that page's analysis_failed, with its
    reason, not an error that stops the analysis of the others."""
    import json

    from aeo.analyzers import page as page_analysis
    from aeo.analyzers.workers import analyze_one, init_worker
    from aeo.facts.records import Fetch

    class Unwritable:
        def to_dict(self):
            return {"url": "http://127.0.0.1:9/a", "odd": {1, 2}}   # a set: not JSON

    init_worker("http://127.0.0.1:9/")
    monkeypatch.setattr(page_analysis, "analyze_page", lambda *a: Unwritable())
    done = analyze_one(Fetch(url="http://127.0.0.1:9/a", kind="page", status=200,
                             content_type="text/html", body=b"<p>a</p>"))
    facts = json.loads(done.facts_json)
    assert done.url == facts["url"] == "http://127.0.0.1:9/a" and done.ms is None
    assert facts["fetch_error"].startswith("analysis_failed: TypeError")
    assert facts["status"] == 200
