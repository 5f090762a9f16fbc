"""T34: heavy pages (megabytes of text, 50,000 nested elements) are analysed within bounds or
given up on alone, with a finding; the other pages are analysed either way."""

from __future__ import annotations

import contextlib
import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
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


def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _killing_a_worker(tmp_path: Path, args: list[str], after: float = 0.0):
    """`aeo ARGS` while its first worker process is killed with SIGKILL (as the system's
    out-of-memory killer does), after seconds from when it is first seen.
    (exit code, stderr, the pid killed or None)."""
    err_file = tmp_path / f"stderr-{time.monotonic_ns()}.txt"
    with open(err_file, "w") as err_fh:
        proc = subprocess.Popen([sys.executable, "-m", "aeo", *args], cwd=tmp_path,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=err_fh)
    killed, seen = None, None
    deadline = time.monotonic() + 600
    while proc.poll() is None and time.monotonic() < deadline:
        children = _children(proc.pid)
        if killed is None and children:
            seen = seen or time.monotonic()
            if time.monotonic() - seen >= after:
                with contextlib.suppress(ProcessLookupError):   # reaped since it was listed
                    os.kill(children[0], signal.SIGKILL)
                killed = children[0]
        time.sleep(0.01)
    proc.wait(timeout=60)
    return proc.returncode, err_file.read_text(), killed


def _all_analysed(out: Path) -> bool:
    """Every page of routes() analysed, by pages.csv (the huge one too)."""
    with open(out / "pages.csv", newline="", encoding="utf-8") as fh:
        rows = {row["url"].rsplit("/", 1)[-1]: row for row in csv.DictReader(fh)}
    return all(rows[path.lstrip("/")]["error"] == "" and rows[path.lstrip("/")]["title"] == title
               for path, title in [("huge", "huge"), *((p, p) for p in NORMAL)])


ONE_CORE = pytest.mark.skipif(
    (os.cpu_count() or 1) < 2 or not Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
    .exists(), reason="one core (the pages are analysed in the audit's own process), or no "
    "/proc list of a process's children to find its workers by")


@ONE_CORE
def test_a_worker_that_dies_loses_no_page(tmp_path):
    """An analysis worker killed in the middle of `aeo analyze` (as the out-of-memory killer
    does): the pages it had are analysed again, one at a time, every page is analysed, and the
    run says so in one warning line (exit 0, no traceback)."""
    ws = tmp_path / "ws"
    with FixtureServer(routes()) as fs:
        crawl = subprocess.run([sys.executable, "-m", "aeo", "crawl", fs.url + "/", "--workspace",
                                str(ws), "--quiet"], cwd=tmp_path, capture_output=True,
                               text=True, timeout=600)
    assert crawl.returncode == 0, crawl.stderr

    code, err, killed = _killing_a_worker(tmp_path, ["analyze", "latest", "--workspace",
                                                     str(ws)])
    assert code == 0 and killed is not None and "Traceback" not in err, err
    assert "analysis worker process(es) died" in err
    report = subprocess.run([sys.executable, "-m", "aeo", "report", "latest", "--workspace",
                             str(ws), "--out", str(tmp_path / "out"), "--quiet"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=600)
    assert report.returncode == 0, report.stderr
    assert _all_analysed(tmp_path / "out")


def test_a_page_that_kills_its_worker_fails_alone(monkeypatch):
    """A page whose analysis kills its worker process, twice: that page fails alone with the
    reason, the others are analysed, in the batch's order; when page after page kills its
    worker, the run stops (WorkersKeepDying: the machine, not the pages)."""
    import json

    from aeo.analyzers import page as page_analysis
    from aeo.analyzers.workers import WORKER_DIED, RecoveringPool, WorkersKeepDying
    from aeo.facts.records import Fetch

    real = page_analysis.analyze_page

    def deadly(fetch, scope, start):
        if "/kill" in fetch.url:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(fetch, scope, start)

    monkeypatch.setattr(page_analysis, "analyze_page", deadly)   # the workers fork with it

    def fetch(name: str) -> Fetch:
        return Fetch(url=f"http://127.0.0.1:9/{name}", kind="page", status=200,
                     content_type="text/html", encoding="utf-8",
                     body=f"<html><head><title>{name}</title></head><body><p>{name}</p>"
                          "</body></html>".encode())

    batch = [fetch(n) for n in ("a", "kill1", "b", "c", "d")]
    pool = RecoveringPool("http://127.0.0.1:9/", 2)
    try:
        done = list(pool.map(batch))
        assert [d.url for d in done] == [f.url for f in batch]
        facts = [json.loads(d.facts_json) for d in done]
        assert WORKER_DIED in done[1].facts_json and done[1].ms is None
        assert [f["title"] for i, f in enumerate(facts) if i != 1] == ["a", "b", "c", "d"]
        assert pool.died >= 3          # the pool's worker, then the page's two
        assert [json.loads(d.facts_json)["title"] for d in pool.map([fetch("e")])] == ["e"]
        with pytest.raises(WorkersKeepDying):
            list(pool.map([fetch(f"kill{i}") for i in range(5)]))
    finally:
        pool.close()


@ONE_CORE
@pytest.mark.parametrize("after", [0.0, 1.0])
def test_a_worker_killed_during_the_crawl_loses_no_page(tmp_path, after):
    """During `aeo audit` the pages are analysed alongside the crawl; a worker killed there (as
    it starts, or a second into its work) leaves the run to be analysed after the crawl, and
    every page is."""
    with FixtureServer(routes()) as fs:
        code, err, killed = _killing_a_worker(tmp_path, [
            "audit", fs.url + "/", "--workspace", str(tmp_path / "ws"), "--out",
            str(tmp_path / "out"), "--quiet"], after=after)
    assert code == 0 and killed is not None and "Traceback" not in err, err
    assert _all_analysed(tmp_path / "out")
