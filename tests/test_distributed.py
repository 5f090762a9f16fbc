"""A crawl shared by several crawler processes through a real Redis server (Debian's
redis-server on 127.0.0.1): every page is fetched exactly once, by one process or the other,
and the audit is the one a single process makes."""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from fixtures.linked_site import page_paths, routes
from fixtures.server import FixtureServer

N = 40


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    if shutil.which("redis-server") is None and os.geteuid() == 0:
        subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "-q", "redis-server"], capture_output=True,
                       timeout=600)
        if shutil.which("redis-server") is None:
            subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=600", "update", "-q"], capture_output=True, timeout=600)
            subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "-q", "redis-server"],
                           capture_output=True, timeout=600)
    assert shutil.which("redis-server"), \
        "Debian's redis-server package is needed for the shared-crawl tests"
    proc, port = _redis_server(tmp_path_factory.mktemp("redis"))
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


def _redis_server(workdir: Path, *options: str) -> tuple[subprocess.Popen, int]:
    """A redis-server on 127.0.0.1 that keeps nothing on disk, once it accepts connections."""
    port = _free_port()
    proc = subprocess.Popen([shutil.which("redis-server"), "--port", str(port), "--bind",
                             "127.0.0.1", "--save", "", "--appendonly", "no", "--dir",
                             str(workdir), *options],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    return proc, port


def _start_leader(srv: FixtureServer, ws: Path, redis_url: str, cwd: Path,
                  **popen) -> subprocess.Popen:
    """`aeo crawl URL --redis` in the background, once its crawl is open for others to join."""
    import redis

    leader = subprocess.Popen(
        [sys.executable, "-m", "aeo", "crawl", srv.url + "/", "--workspace", str(ws), "--quiet",
         "--redis", redis_url, "--concurrency", "2"], cwd=cwd, stdin=subprocess.DEVNULL,
        **popen)
    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + 60
    while not client.smembers("aeo:active") and time.monotonic() < deadline:
        time.sleep(0.05)
    return leader


def _aeo(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aeo", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, stdin=subprocess.DEVNULL)


def _outputs(out: Path) -> tuple[set, list]:
    data = json.loads((out / "findings.json").read_text())
    findings = {(f["rule"], f["url"], f["severity"], f["evidence"]) for f in data["findings"]}
    with open(out / "pages.csv", newline="", encoding="utf-8") as fh:
        pages = sorted((r["url"], r["status"], r.get("page_type", "")) for r in csv.DictReader(fh))
    return findings, pages


def _fetches(srv: FixtureServer) -> Counter:
    """(path, user agent) -> times asked."""
    return Counter((e["path"], e["ua"]) for e in srv.log)


def test_two_processes_fetch_every_page_once_and_audit_the_same(tmp_path, redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    with FixtureServer(routes(N, delay=0.05)) as srv:
        single = _aeo("audit", srv.url + "/", "--workspace", str(tmp_path / "ws1"), "--quiet",
                      "--out", str(tmp_path / "single"), cwd=tmp_path)
        assert single.returncode == 0, single.stderr
        srv.log.clear()
        srv.routes = routes(N, delay=0.25)     # slower, so that the second process has work

        leader = _start_leader(srv, tmp_path / "ws2", redis_url, tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        helper = _aeo("crawl", "--redis", redis_url, "--join", "--quiet", cwd=tmp_path)
        out, err = leader.communicate(timeout=300)
        assert leader.returncode == 0, err
        assert helper.returncode == 0, helper.stderr
        helped = int(helper.stdout.split("fetched ")[1].split()[0])
        assert helped > 0, "the second process fetched nothing"

        asked = _fetches(srv)
        twice = {k: n for k, n in asked.items() if n > 1}
        assert not twice, f"asked more than once: {twice}"
        assert {p for p, _ in asked} >= page_paths(N)
        run_dir = Path(out.strip())
        manifest = json.loads((run_dir / "run.json").read_text())
        assert manifest["crawl_status"] == "complete"
        assert manifest["pages_crawled"] == len(page_paths(N))
        assert not client.keys("aeo:*"), "the crawl's keys were left in Redis"

        rep = _aeo("report", str(run_dir), "--workspace", str(tmp_path / "ws2"), "--quiet",
                   "--out", str(tmp_path / "shared"), cwd=tmp_path)
        assert rep.returncode == 0, rep.stderr
    single_findings, single_pages = _outputs(tmp_path / "single")
    shared_findings, shared_pages = _outputs(tmp_path / "shared")
    assert shared_pages == single_pages
    assert shared_findings == single_findings
    assert len({f[0] for f in single_findings}) >= 3


def test_audit_with_local_processes(tmp_path, redis_url):
    with FixtureServer(routes(12, delay=0.1)) as srv:
        r = _aeo("audit", srv.url + "/", "--workspace", str(tmp_path / "ws"), "--quiet",
                 "--out", str(tmp_path / "out"), "--redis", redis_url, "--processes", "2",
                 cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        asked = _fetches(srv)
        assert max(asked.values()) == 1
        assert {p for p, _ in asked} >= page_paths(12)
    helper_log = next((tmp_path / "ws").glob("*/*/helper-1.log")).read_text()
    assert "this process fetched" in helper_log and "Traceback" not in helper_log
    assert (tmp_path / "out" / "audit.html").is_file()


def test_redis_problems_are_one_line(tmp_path, redis_url):
    port = _free_port()     # nothing listens there
    r = _aeo("audit", "http://127.0.0.1:9/", "--workspace", str(tmp_path / "ws"),
             "--redis", f"redis://127.0.0.1:{port}/0", cwd=tmp_path)
    assert r.returncode == 2 and "cannot reach Redis" in r.stderr and "Traceback" not in r.stderr
    assert not list((tmp_path / "ws").glob("*/*/run.json"))   # no run folder made
    r = _aeo("crawl", "--redis", redis_url, "--join", cwd=tmp_path)
    assert r.returncode == 2 and "0 crawls are running" in r.stderr
    r = _aeo("crawl", "http://127.0.0.1:9/", "--processes", "2", cwd=tmp_path)
    assert r.returncode == 2 and "--processes needs --redis" in r.stderr
    r = _aeo("crawl", "--redis", "nonsense://x", "--join", cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_a_password_stays_out_of_messages_and_command_lines(tmp_path):
    proc, port = _redis_server(tmp_path, "--requirepass", "s3cret-pw")
    try:
        wrong = _aeo("crawl", "http://127.0.0.1:9/", "--workspace", str(tmp_path / "ws"),
                     "--redis", f"redis://:nope-pw@127.0.0.1:{port}/0", cwd=tmp_path)
        assert wrong.returncode == 2 and "cannot reach Redis" in wrong.stderr
        assert "nope-pw" not in wrong.stderr and ":***@" in wrong.stderr
        with FixtureServer(routes(8, delay=0.05)) as srv:
            r = subprocess.run(
                [sys.executable, "-m", "aeo", "audit", srv.url + "/", "--workspace",
                 str(tmp_path / "ws"), "--out", str(tmp_path / "out"), "--processes", "2"],
                capture_output=True, text=True, timeout=300, cwd=tmp_path,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "AEO_REDIS": f"redis://:s3cret-pw@127.0.0.1:{port}/0"})
            assert r.returncode == 0, r.stderr
            assert "s3cret-pw" not in r.stderr + r.stdout
            assert "Sharing the crawl through redis://:***@" in r.stderr
            run_dir = next((tmp_path / "ws").glob("*/*/run.json")).parent
            assert "s3cret-pw" not in (run_dir / "helper-1.log").read_text()
            assert "s3cret-pw" not in (run_dir / "run.json").read_text()
            assert max(_fetches(srv).values()) == 1
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_others_stop_when_the_leader_dies(tmp_path, redis_url):
    env = {**os.environ, "AEO_REDIS_LEADER_TTL": "2"}
    import redis

    client = redis.Redis.from_url(redis_url)
    with FixtureServer(routes(N, delay=0.3)) as srv:
        leader = _start_leader(srv, tmp_path / "ws", redis_url, tmp_path, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        helper = subprocess.Popen([sys.executable, "-m", "aeo", "crawl", "--redis", redis_url,
                                   "--join", "--quiet"], cwd=tmp_path, env=env,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        while len(srv.requests("/p/")) < 8 and time.monotonic() < deadline:
            time.sleep(0.05)
        leader.kill()          # kill -9: no goodbye
        leader.wait()
        t0 = time.monotonic()
        out, err = helper.communicate(timeout=60)
        assert helper.returncode == 0, err
        assert "Traceback" not in err
        assert time.monotonic() - t0 < 30     # the lapsed leader key, not --max-time
    for key in client.scan_iter(match="aeo:*"):
        client.delete(key)                    # what the dead leader left
