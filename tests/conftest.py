from __future__ import annotations

import csv
import glob
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(ROOT / "benchmarks"))   # the benchmark's site generator (bench.py)


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    workspace: Path
    out: Path

    @property
    def manifest(self) -> dict:
        paths = sorted(glob.glob(str(self.workspace / "*" / "*" / "run.json")))
        return json.loads(Path(paths[-1]).read_text()) if paths else {}

    @property
    def findings(self) -> dict:
        """findings.json, read only when no rule errored: a rule that crashed has no findings,
        and a test that asserts a finding is absent must not pass on a crash."""
        p = self.out / "findings.json"
        data = json.loads(p.read_text()) if p.exists() else {}
        assert_no_rule_errored(data)
        return data

    def rules(self, rule: str) -> list[dict]:
        return [f for f in self.findings.get("findings", []) if f["rule"] == rule]

    @property
    def pages(self) -> list[dict]:
        with open(self.out / "pages.csv", newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))

    def all_output_text(self) -> str:
        chunks = []
        for p in list(self.workspace.rglob("*")) + list(self.out.rglob("*")):
            if p.is_file():
                data = p.read_bytes()
                if p.name == "crawl.sqlite":
                    import sqlite3
                    import zlib

                    from aeo.rundb import unpack_body

                    conn = sqlite3.connect(p)
                    try:
                        for (body,) in conn.execute("SELECT body FROM fetches WHERE body IS NOT NULL"):
                            data += unpack_body(body)
                        for row in conn.execute("SELECT kind, url, detail FROM events"):
                            data += repr(row).encode()
                        for (blob,) in conn.execute("SELECT data FROM result"):
                            data += zlib.decompress(blob)
                    finally:
                        conn.close()
                chunks.append(data.decode("utf-8", "replace"))
        return "\n".join(chunks)


def assert_no_rule_errored(findings_json: dict) -> None:
    errored = {r["rule"]: r["error"] for r in findings_json.get("rules", []) if r.get("error")}
    assert not errored, f"rules errored (a crash is not a pass): {errored}"


def run_aeo(url: str, tmp: Path, *args: str, timeout: float = 120, env: dict | None = None,
            command: str = "audit") -> Result:
    ws, out = tmp / "ws", tmp / "out"
    cmd = [sys.executable, "-m", "aeo", command, url, "--workspace", str(ws), "--quiet",
           "--timeout", "3", "--retries", "1", *args]
    if command == "audit" and "--out" not in args:
        cmd += ["--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, cwd=tmp, stdin=subprocess.DEVNULL)
    return Result(proc.returncode, proc.stdout, proc.stderr, ws, out)


@pytest.fixture
def aeo(tmp_path):
    def go(url, *args, **kw):
        return run_aeo(url, tmp_path, *args, **kw)
    return go


def analyze_html(url: str, html: str, root: str | None = None):
    """One page's facts, analyzed exactly as a crawl would (the real model included)."""
    from aeo.analyzers.page import analyze_page
    from aeo.crawler.scope import Scope
    from aeo.facts.records import Fetch

    root = root or url.split("/", 3)[0] + "//" + url.split("/", 3)[2] + "/"
    return analyze_page(Fetch(url=url, status=200, content_type="text/html; charset=utf-8",
                              body=html.encode(), encoding="utf-8"), Scope.from_url(root), root)


@pytest.fixture(scope="session")
def real_site(tmp_path_factory):
    """real_site(name): the audit of a shared real site served under its real name, as
    `make precision` runs it (tests/precision.py), once per test session."""
    from precision import SITES, audit

    cache: dict[str, dict] = {}

    def get(name: str) -> dict:
        if name not in cache:
            site = next(s for s in SITES if s.name == name)
            cache[name] = audit(site, tmp_path_factory.mktemp(name))
        return cache[name]
    return get



# `make test` runs the suite on two workers (pytest-xdist, --dist loadfile): a file's tests
# stay on one worker, as their module fixtures are built once. The demo's fixed port is the one
# thing two files would share: test_report runs its two months on AEO_DEMO_PORT=8766.


# -- the report in a real browser ------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by Playwright (installed when missing and run as root)."""
    if shutil.which("chromium") is None and os.geteuid() == 0:
        subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "-q", "chromium"], capture_output=True,
                       timeout=900)
    path = shutil.which("chromium")
    assert path, "Debian's chromium package is needed for the browser tests"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=["--no-sandbox"])
        yield b
        b.close()


def open_page(browser, file: Path):
    """file in the browser; the console messages and every request it made."""
    page = browser.new_page()
    events = {"console": [], "requests": []}
    page.on("console", lambda m: events["console"].append((m.type, m.text)))
    page.on("request", lambda r: events["requests"].append(r.url))
    page.goto(file.resolve().as_uri())
    return page, events
