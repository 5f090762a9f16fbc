"""`aeo crawl --resume RUN`: a crawl interrupted (Ctrl-C) goes on in its own run folder without
fetching again anything it stored, and ends with the same audit as an uninterrupted crawl."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from fixtures.linked_site import page_paths, routes
from fixtures.server import FixtureServer

N = 40


def _aeo(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aeo", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, stdin=subprocess.DEVNULL)


def _stored(run_dir: Path) -> Counter:
    conn = sqlite3.connect(run_dir / "crawl.sqlite")
    try:
        return Counter(u for (u,) in conn.execute("SELECT url FROM fetches WHERE kind='page'"))
    finally:
        conn.close()


def _findings(out: Path) -> set[tuple]:
    data = json.loads((out / "findings.json").read_text())
    return {(f["rule"], f["url"], f["severity"]) for f in data["findings"]}


def test_interrupted_crawl_resumes_without_refetching(tmp_path):
    ws = tmp_path / "ws"
    with FixtureServer(routes(N, delay=0.15)) as srv:
        proc = subprocess.Popen(
            [sys.executable, "-m", "aeo", "crawl", srv.url + "/", "--workspace", str(ws),
             "--quiet", "--concurrency", "2"], cwd=tmp_path, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while len(srv.requests("/p/")) < 12 and time.monotonic() < deadline \
                and proc.poll() is None:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)   # Ctrl-C
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 4, err
        assert "interrupted" in err and "aeo crawl --resume" in err, err
        assert "Traceback" not in err
        run_dir = next(ws.glob("*/*/run.json")).parent
        manifest = json.loads((run_dir / "run.json").read_text())
        assert manifest["crawl_status"] == "incomplete" and "interrupted" in manifest["reason"]
        first = _stored(run_dir)
        assert 0 < len(first) < len(page_paths(N)), "the interrupt came too late to test resume"
        first_log = len(srv.log)

        done = _aeo("crawl", "--resume", "latest", "--workspace", str(ws), "--quiet",
                    cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == str(run_dir)
        resumed_paths = [e["path"] for e in srv.log[first_log:]]

        stored_paths = {u.split(str(srv.server_address[1]), 1)[1] for u in first}
        again = [p for p in resumed_paths if p in stored_paths]
        assert not again, f"fetched again after resume: {again}"
        assert "/robots.txt" not in resumed_paths   # the stored robots.txt is the policy
        final = _stored(run_dir)
        assert max(final.values()) == 1             # no page stored twice
        assert {u.split(str(srv.server_address[1]), 1)[1] for u in final} == page_paths(N)
        manifest = json.loads((run_dir / "run.json").read_text())
        assert manifest["crawl_status"] == "complete" and manifest["status"] == "crawled"
        assert manifest["pages_crawled"] == len(page_paths(N))
        assert len(manifest["resumed"]) == 1

        rep = _aeo("report", "latest", "--workspace", str(ws), "--quiet", "--out",
                   str(tmp_path / "resumed"), cwd=tmp_path)
        assert rep.returncode == 0, rep.stderr
        whole = _aeo("audit", srv.url + "/", "--workspace", str(tmp_path / "ws2"), "--quiet",
                     "--out", str(tmp_path / "whole"), cwd=tmp_path)
        assert whole.returncode == 0, whole.stderr
    resumed, single = _findings(tmp_path / "resumed"), _findings(tmp_path / "whole")
    assert resumed == single
    assert len({r for r, _, _ in single}) >= 3      # an audit with something in it


def test_resume_refuses_what_cannot_be_resumed(tmp_path):
    ws = tmp_path / "ws"
    with FixtureServer(routes(6)) as srv:
        full = _aeo("crawl", srv.url + "/", "--workspace", str(ws), "--quiet", cwd=tmp_path)
        assert full.returncode == 0, full.stderr
        r = _aeo("crawl", "--resume", "latest", "--workspace", str(ws), cwd=tmp_path)
        assert r.returncode == 2 and "nothing to resume" in r.stderr
        r = _aeo("crawl", "--resume", "nope/none", "--workspace", str(ws), cwd=tmp_path)
        assert r.returncode == 2 and "no run 'nope/none'" in r.stderr
        r = _aeo("crawl", srv.url + "/", "--resume", "latest", "--workspace", str(ws),
                 cwd=tmp_path)
        assert r.returncode == 2 and "give no URL" in r.stderr
        r = _aeo("crawl", "--workspace", str(ws), cwd=tmp_path)
        assert r.returncode == 2 and "needs a URL" in r.stderr


def test_page_limit_run_resumes_with_a_larger_budget(tmp_path):
    """A crawl stopped by --max-pages goes on, with a larger budget, from where it stopped."""
    ws = tmp_path / "ws"
    with FixtureServer(routes(12)) as srv:
        first = _aeo("crawl", srv.url + "/", "--workspace", str(ws), "--quiet",
                     "--max-pages", "5", cwd=tmp_path)
        assert first.returncode == 4, first.stderr
        run_dir = Path(first.stdout.strip())
        assert sum(_stored(run_dir).values()) <= 6
        n_before = len(srv.log)
        more = _aeo("crawl", "--resume", str(run_dir), "--workspace", str(ws), "--quiet",
                    "--max-pages", "100", cwd=tmp_path)
        assert more.returncode == 0, more.stderr
        final = _stored(run_dir)
        assert max(final.values()) == 1
        assert len(final) == len(page_paths(12))
        assert not [e for e in srv.log[n_before:] if e["path"] == "/robots.txt"]
        events = sqlite3.connect(run_dir / "crawl.sqlite").execute(
            "SELECT kind, detail FROM events WHERE kind IN ('limit', 'resumed')").fetchall()
        assert [k for k, _ in events] == ["resumed"]   # the old page_limit no longer holds
