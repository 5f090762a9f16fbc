"""`make bench-peer`: the full audit against a peer's crawl alone, on the same local server in
the same run. The peer is advertools (its `crawl`, a Scrapy spider that fetches pages and
extracts their SEO elements); the audit is `aeo audit` as a user runs it (crawl, analysis,
rules, report). Both are timed from the start of the command to its end, in their own
processes, against one server process serving the pages generated at a real-site profile
(BENCH_PROFILE=median|heavy, BENCH_PAGES pages; see benchmarks/page_profile.py).

Last line: `peer pages=<n> aeo_pps=<x> advertools_pps=<x> ratio=<x>`."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def serve(root: Path) -> tuple[subprocess.Popen, str]:
    """The generated site, served by the demo's small threaded server in a process of its own."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = ("import sys, time; from pathlib import Path; from aeo.demo.serve import start; "
            f"start({port}, root=Path(sys.argv[1])); time.sleep(10**6)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(root)])
    url = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("bench-peer: the local server did not start")


def run_advertools(url: str, out: Path) -> tuple[int, float]:
    """advertools' crawl of the site, in its own virtualenv (AEO_PEER_PYTHON, made by `make
    bench-peer`); (pages, seconds). advertools runs the `scrapy` command, so that
    virtualenv's bin goes first on PATH; Scrapy's offsite filter needs the host without its
    port in allowed_domains."""
    python = Path(os.environ.get("AEO_PEER_PYTHON") or sys.executable)
    code = ("import sys, advertools as adv; adv.crawl(sys.argv[1], sys.argv[2], "
            "follow_links=True, allowed_domains=['127.0.0.1'], "
            "custom_settings={'LOG_LEVEL': 'ERROR'})")
    env = dict(os.environ, PATH=f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    t = time.monotonic()
    proc = subprocess.run([str(python), "-c", code, url, str(out)], env=env,
                          capture_output=True, text=True, timeout=7200)
    seconds = time.monotonic() - t
    if proc.returncode != 0 or not out.exists():
        raise SystemExit(f"bench-peer: advertools failed: {proc.stderr.strip()[-500:]}")
    with open(out, encoding="utf-8") as fh:
        pages = sum(1 for line in fh if line.strip())
    return pages, seconds


def run_aeo(url: str, tmp: Path) -> tuple[int, float]:
    """`aeo audit` of the site with its defaults; (pages, seconds)."""
    t = time.monotonic()
    proc = subprocess.run([str(BIN / "aeo"), "audit", url, "--quiet", "--out", str(tmp / "out"),
                           "--workspace", str(tmp / "ws"), "--max-pages", "1000000"],
                          capture_output=True, text=True, timeout=7200)
    seconds = time.monotonic() - t
    if proc.returncode not in (0, 4):
        raise SystemExit(f"bench-peer: aeo audit failed (exit {proc.returncode}): "
                         f"{proc.stderr.strip()[-500:]}")
    run = json.loads((tmp / "out" / "findings.json").read_text())["run"]
    return int(run["pages_crawled"]), seconds


def main() -> int:
    sys.path.insert(0, str(HERE))
    from bench import generate
    from page_profile import chosen

    n = int(os.environ.get("BENCH_PAGES") or 2000)
    which, profile, _, source = chosen()
    tmp = Path(tempfile.mkdtemp(prefix="aeo-peer-"))
    try:
        generate(tmp / "site", n, profile)
        print(f"{n} pages at the {which} profile ({source}): {profile}")
        server, url = serve(tmp / "site")
        try:
            peer_pages, peer_s = run_advertools(url, tmp / "advertools.jsonl")
            aeo_pages, aeo_s = run_aeo(url, tmp)
        finally:
            server.kill()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    peer_pps, aeo_pps = peer_pages / peer_s, aeo_pages / aeo_s
    print(f"advertools crawl only: {peer_pages} pages in {peer_s:.1f}s ({peer_pps:.1f} pages/s)")
    print(f"aeo audit, end to end: {aeo_pages} pages in {aeo_s:.1f}s ({aeo_pps:.1f} pages/s)")
    print(f"peer pages={aeo_pages} aeo_pps={aeo_pps:.1f} advertools_pps={peer_pps:.1f} "
          f"ratio={aeo_pps / max(peer_pps, 1e-9):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
