"""The page rules judged in several processes (aeo.judge, runs of PARALLEL_PAGES pages and
more) give the audit one process gives: the same findings in the same order, the same
outcomes, the same errors."""

from __future__ import annotations

import json
from pathlib import Path

import aeo.judge as judge
from aeo.governance import load_governance
from aeo.pipeline import report
from aeo.rules.base import (
    Errored,
    Hit,
    Rule,
    Verdict,
    _finding,
    failed,
    make_page,
    make_site,
    run_rules_stream,
)
from aeo.store import Workspace


def _report(run, ws, out: Path, parallel: bool, monkeypatch) -> dict:
    monkeypatch.setattr(judge, "PARALLEL_PAGES", 0 if parallel else 10**9)
    monkeypatch.setattr(judge, "RANGE_PAGES", 7)          # many ranges, out of step with pages
    monkeypatch.setattr(judge, "analysis_workers", lambda: 2)
    report(run, out, load_governance(), ws)
    return json.loads((out / "findings.json").read_text())


def test_processes_judge_a_real_site_as_one_process_does(real_site, tmp_path, monkeypatch):
    audited = real_site("erudika-site")
    ws = Workspace(audited["out"] / "ws")
    run = ws.find_run(next(p for p in (audited["out"] / "ws").glob("*/*") if p.is_dir())
                      .relative_to(audited["out"] / "ws").as_posix())
    one = _report(run, ws, tmp_path / "one", False, monkeypatch)
    many = _report(run, ws, tmp_path / "many", True, monkeypatch)
    assert len(one["findings"]) > 50
    assert many["findings"] == one["findings"]            # same findings, same order
    assert many["rules"] == one["rules"]
    assert (tmp_path / "many" / "findings.csv").read_bytes() == \
        (tmp_path / "one" / "findings.csv").read_bytes()


class _Store:
    """What run_rules_stream writes to: the findings in the order they are stored."""

    def __init__(self):
        self.rows = []

    def add_finding(self, order, data):
        self.rows.append((order, data["rule"], data["url"]))

    def drop_findings(self, rule):
        self.rows = [r for r in self.rows if r[1] != rule]


def test_a_rule_that_raises_on_a_later_page_is_errored_and_loses_its_findings():
    def flaky(page, site, gov) -> Verdict:
        if page.url.endswith("/3"):
            raise RuntimeError("broken on page 3")
        return failed(Hit(evidence="e", detail="d"))

    rule = Rule(id="ZZ003", name="x", pillar="ACCESS", scope="page", severity="low",
                engines=("all",), why="w", fix="f", before="b", after="a", references=(),
                check=flaky)
    pages = [make_page(url=f"https://example.com/{i}", page_type="article") for i in range(5)]
    gov, site = load_governance(), make_site()
    serial, given = _Store(), _Store()
    a = run_rules_stream(pages, [], site, gov, {"ZZ003": rule}, serial, {})

    def judged(rules):    # what the processes hand back: found, found, found, the error, found
        for p in pages:
            yield [Errored("RuntimeError: broken on page 3")] if p.url.endswith("/3") else \
                [[_finding(rule, gov, Hit(evidence="e", detail="d"), p.url, p.page_type)]]

    b = run_rules_stream([], [], site, gov, {"ZZ003": rule}, given, {}, judged_pages=judged)
    assert a[0].error == b[0].error == "RuntimeError: broken on page 3"
    assert serial.rows == given.rows == []


def test_judging_processes_end_after_a_crawl_left_its_signal_handlers(real_site, tmp_path):
    """After a crawl, Scrapy's SIGTERM handler (a graceful stop) is still installed; forked
    judging processes inherit it. They must still end when the judging is over, or the audit
    waits for them forever."""
    import subprocess
    import sys

    audited = real_site("erudika-site")
    script = f"""
import signal
from pathlib import Path
import aeo.judge as judge
from aeo.governance import load_governance
from aeo.pipeline import report
from aeo.store import Workspace
signal.signal(signal.SIGTERM, lambda *a: None)     # what a crawl leaves behind
judge.PARALLEL_PAGES, judge.RANGE_PAGES = 0, 7
judge.analysis_workers = lambda: 2
ws = Workspace(Path({str(audited["out"] / "ws")!r}))
run = ws.find_run(next(p for p in Path({str(audited["out"] / "ws")!r}).glob("*/*")
                       if p.is_dir()).relative_to({str(audited["out"] / "ws")!r}).as_posix())
report(run, Path({str(tmp_path / "out")!r}), load_governance(), ws)
print("judged")
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=180)
    assert proc.returncode == 0 and "judged" in proc.stdout, proc.stderr[-2000:]


def test_a_judging_process_that_dies_ends_the_audit_with_an_error_not_a_wait(real_site,
                                                                          tmp_path):
    import subprocess
    import sys

    audited = real_site("erudika-site")
    ws = str(audited["out"] / "ws")
    script = f"""
import os
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
import aeo.judge as judge
from aeo.governance import load_governance
from aeo.pipeline import report
from aeo.store import Workspace
judge.PARALLEL_PAGES, judge.RANGE_PAGES = 0, 7
judge.analysis_workers = lambda: 2
def die(bounds):
    os._exit(9)                                      # killed, as the OOM killer would
judge._judge_range = die
ws = Workspace(Path({ws!r}))
run = ws.find_run(next(p for p in Path({ws!r}).glob("*/*") if p.is_dir())
                  .relative_to({ws!r}).as_posix())
try:
    report(run, Path({str(tmp_path / "out")!r}), load_governance(), ws)
except BrokenProcessPool:
    print("broken")
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=180)
    assert "broken" in proc.stdout, proc.stderr[-2000:]
