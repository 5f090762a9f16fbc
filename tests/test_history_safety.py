"""T38 and T44 to T48: output paths, partial crawls that must never "fix" findings, one run per
site at a time, a full disk, a workspace from a newer version, and the HTTP cache."""

from __future__ import annotations

import hashlib
import json
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from fixtures.server import FixtureServer, html, page, text

from aeo.store import host_slug

ALLOW = text("User-agent: *\nAllow: /\n")


def tree_hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.name.endswith(
                ("-wal", "-shm", ".lock"))}


def site(n: int = 6, slow: float = 0.0) -> dict:
    def slow_page(title, links=()):
        body = html(page(title, links))

        def handler(req):
            time.sleep(slow)
            body(req)
        return handler
    routes = {"/robots.txt": ALLOW, "/": slow_page("home", [f"/p{i}" for i in range(n)])}
    routes.update({f"/p{i}": slow_page(f"p{i}") for i in range(n)})
    return routes


def test_t38_site_folder_names_are_slugged_and_bounded():
    for host, port in (("../../../../escape", None), ("a/b", 80), ("CON", None),
                       ("x" * 300, 8080), ("bücher.example", None)):
        slug = host_slug(host, port)
        assert "/" not in slug and ".." not in slug.split("_") and not slug.startswith(".")
        assert slug == Path(slug).name


def article_site(n: int) -> dict:
    """n articles with no author (AT001 on each)."""
    words = " ".join(["Invoices are paid faster with payment links."] * 60)
    routes = {"/robots.txt": ALLOW,
              "/": html(page("home", [f"/blog/post-{i}" for i in range(n)]))}
    for i in range(n):
        routes[f"/blog/post-{i}"] = html(
            f"<html><head><title>Post {i}</title><meta property='og:type' content='article'>"
            f"</head><body><main><article><h1>Post {i}</h1><p>{words}</p></article></main>"
            "</body></html>")
    return routes


def test_t44_a_partial_month_never_fixes_findings(aeo, tmp_path):
    with FixtureServer(article_site(8)) as fs:
        first = aeo(fs.url + "/", "--out", str(tmp_path / "m1"))
        time.sleep(1.1)
        second = aeo(fs.url + "/", "--out", str(tmp_path / "m2"), "--max-pages", "3")
    assert first.code == 0 and second.code == 4
    before = json.loads((tmp_path / "m1" / "findings.json").read_text())
    cmp = json.loads((tmp_path / "m2" / "findings.json").read_text())["comparison"]
    assert cmp is not None and cmp["fixed"] == []
    unseen = {f["url"] for f in before["findings"] if f["rule"] == "AT001"} - \
        {f["url"] for f in cmp["persisting"]}
    assert len(unseen) >= 5               # articles the short crawl did not re-check...
    assert unseen <= {f["url"] for f in cmp["not_comparable"]}   # ...are said to be so


def test_t44_a_governance_change_is_not_comparable(aeo, tmp_path):
    gov = tmp_path / "client.toml"
    gov.write_text('[rules.AT001]\nenabled = false\n')
    with FixtureServer(article_site(4)) as fs:
        first = aeo(fs.url + "/", "--out", str(tmp_path / "m1"))
        time.sleep(1.1)
        second = aeo(fs.url + "/", "--out", str(tmp_path / "m2"), "--governance", str(gov))
    assert first.code == 0 and second.code == 0
    cmp = json.loads((tmp_path / "m2" / "findings.json").read_text())["comparison"]
    assert cmp["config_changed"] is True and cmp["fixed"] == []
    assert {f["rule"] for f in cmp["not_comparable"]} >= {"AT001"}


def test_t45_one_run_per_site_at_a_time_and_stale_locks_recovered(tmp_path):
    ws = tmp_path / "ws"
    with FixtureServer(site(10, slow=0.3)) as fs:
        cmd = [sys.executable, "-m", "aeo", "audit", fs.url + "/", "--workspace", str(ws),
               "--quiet", "--out", str(tmp_path / "a")]
        first = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lock = next(iter(ws.glob("*/.lock")), None)
        deadline = time.monotonic() + 60
        while lock is None and time.monotonic() < deadline:
            time.sleep(0.1)
            lock = next(iter(ws.glob("*/.lock")), None)
        assert lock is not None
        second = subprocess.run(cmd[:-1] + [str(tmp_path / "b")], capture_output=True,
                                text=True, timeout=120)
        assert second.returncode == 2
        assert f"locked by PID {first.pid}" in second.stderr
        assert first.wait(timeout=300) == 0
        assert not lock.exists()               # released
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True).stdout.strip()
        lock.write_text(dead)                  # a stale lock from a process that is gone
        third = subprocess.run(cmd[:-1] + [str(tmp_path / "c")], capture_output=True,
                               text=True, timeout=300)
        assert third.returncode == 0, third.stderr


def test_t46_full_disk_and_bad_out_keep_earlier_runs_intact(aeo, tmp_path):
    ws = tmp_path / "ws"
    with FixtureServer(site(6)) as fs:
        good = aeo(fs.url + "/", "--workspace", str(ws), "--out", str(tmp_path / "good"))
        assert good.code == 0
        before = tree_hashes(ws)
        target = tmp_path / "a-file"
        target.write_text("not a folder")
        time.sleep(1.1)
        fetched = len(fs.log)
        bad_out = aeo(fs.url + "/", "--workspace", str(ws), "--out", str(target))
        assert bad_out.code == 2 and len(bad_out.stderr.strip().splitlines()) == 1
        assert "Traceback" not in bad_out.stderr and "is not a folder" in bad_out.stderr
        assert len(fs.log) == fetched      # refused before the crawl, not after it
        under_file = aeo(fs.url + "/", "--workspace", str(ws), "--out", str(target / "x"))
        assert under_file.code == 2 and len(fs.log) == fetched
        time.sleep(1.1)

        def small_disk():
            resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))
        full = subprocess.run([sys.executable, "-m", "aeo", "audit", fs.url + "/",
                               "--workspace", str(ws), "--out", str(tmp_path / "full"),
                               "--quiet"], capture_output=True, text=True, timeout=300,
                              preexec_fn=small_disk)
    assert full.returncode != 0
    assert len(full.stderr.strip().splitlines()) == 1 and "Traceback" not in full.stderr
    after = tree_hashes(ws)
    assert {k: v for k, v in after.items() if k in before} == before   # earlier run intact
    assert not (tmp_path / "full" / "findings.json").exists()
    assert not list(ws.rglob("*.tmp"))
    # the run that could not be written is failed, never left "running" or "crawled"
    new = [json.loads(m.read_text()) for m in ws.rglob("run.json")
           if str(m.relative_to(ws)) not in before]
    assert new and all(m["status"] == "failed" and m["reason"] == "write_error" for m in new)


def test_t47_a_workspace_from_a_newer_version_is_refused(aeo, tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    conn = sqlite3.connect(ws / "index.sqlite")
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    r = subprocess.run([sys.executable, "-m", "aeo", "history", "--workspace", str(ws)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "written by a newer aeo (schema 99" in r.stderr
    assert "Traceback" not in r.stderr


def test_a_damaged_workspace_index_is_refused_before_the_crawl(aeo, tmp_path):
    """An index.sqlite that is text, or a real one cut in half: exit 2 and one line naming
    the file and what to do, before a single request; the file is left as it was."""
    with FixtureServer(site(3)) as fs:
        good = tmp_path / "good"
        assert aeo(fs.url + "/", "--workspace", str(good), "--quiet").code == 0
        whole = (good / "index.sqlite").read_bytes()
        for name, data in (("text", b"this is not sqlite, just a file\n" * 40),
                           ("cut", whole[: len(whole) // 2])):
            ws = tmp_path / name
            ws.mkdir()
            (ws / "index.sqlite").write_bytes(data)
            before = len(fs.log)
            r = aeo(fs.url + "/", "--workspace", str(ws), "--quiet")
            assert r.code == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
            assert "index.sqlite" in r.stderr and "move it aside" in r.stderr, r.stderr
            assert "Traceback" not in r.stderr and len(fs.log) == before
            assert (ws / "index.sqlite").read_bytes() == data
            assert not list(ws.rglob("run.json"))
            hist = subprocess.run([sys.executable, "-m", "aeo", "history", "--workspace",
                                   str(ws)], capture_output=True, text=True, timeout=60)
            assert hist.returncode == 2 and "Traceback" not in hist.stderr
    # a run whose own database is damaged: its report says so, other runs stay
    (run,) = [p.parent for p in good.glob("*/*/run.json")]
    (run / "crawl.sqlite").write_bytes(b"garbage " * 100)
    r = subprocess.run([sys.executable, "-m", "aeo", "report", str(run), "--out",
                        str(tmp_path / "again")], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "crawl.sqlite" in r.stderr and "audit the site again" in \
        r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_t48_http_cache_and_control_ports_are_refused(aeo):
    for key in ("HTTPCACHE_ENABLED", "TELNETCONSOLE_ENABLED", "REMOTE_CONTROL_ENABLED"):
        r = aeo("http://127.0.0.1:9/", env={"AEO_SCRAPY_SETTINGS": json.dumps({key: True})})
        assert r.code == 2 and key in r.stderr and "refuses" in r.stderr
        assert r.manifest.get("status") in (None, "failed")


def test_a_run_whose_writing_failed_after_its_crawl_can_be_reported_again(aeo, tmp_path):
    """A full disk while the report is written leaves the run 'failed' (write_error) with
    its crawl intact: once there is room, `aeo report RUN` writes it; a run that failed
    for its site stays refused."""
    with FixtureServer(site(3)) as fs:
        r = aeo(fs.url + "/")
    assert r.code == 0
    manifest_path = sorted(r.workspace.glob("*/*/run.json"))[-1]
    run_id = "/".join(manifest_path.parent.parts[-2:])
    manifest = json.loads(manifest_path.read_text())

    def report_with(**changes):
        manifest_path.write_text(json.dumps({**manifest, **changes}))
        return subprocess.run([sys.executable, "-m", "aeo", "report", run_id, "--workspace",
                               str(r.workspace), "--out", str(tmp_path / "again")],
                              capture_output=True, text=True, timeout=120)

    again = report_with(status="failed", reason="write_error",
                        message="the run could not be written: database or disk is full")
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "again" / "audit.html").exists()
    refused = report_with(status="failed", reason="site_unreachable")
    assert refused.returncode == 3 and "has status failed" in refused.stderr


def test_a_run_analysed_with_other_facts_is_analysed_again_before_its_report(aeo, tmp_path):
    """The shape of the stored facts changes between versions (FACTS_VERSION): `aeo report`
    on a run analysed with another shape analyses it again instead of judging facts it would
    misread; a run analysed with this version's shape is not analysed again."""
    from aeo.facts.records import FACTS_VERSION

    with FixtureServer(site()) as fs:
        first = aeo(fs.url + "/")
    assert first.code == 0, first.stderr
    (manifest,) = list(first.workspace.glob("*/*/run.json"))
    data = json.loads(manifest.read_text())
    assert data["facts_version"] == FACTS_VERSION

    def report():
        r = subprocess.run([sys.executable, "-m", "aeo", "report", "latest", "--workspace",
                            str(first.workspace), "--out", str(tmp_path / "again"), "--quiet"],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        return json.loads(manifest.read_text())

    assert report()["analyzed"] == data["analyzed"]          # the same shape: reused
    manifest.write_text(json.dumps({**data, "facts_version": FACTS_VERSION - 1,
                                    "analyzed": "2000-01-01T00:00:00+00:00"}))
    again = report()
    assert again["facts_version"] == FACTS_VERSION and again["analyzed"] != "2000-01-01T00:00:00+00:00"
    assert (tmp_path / "again" / "findings.json").exists()
