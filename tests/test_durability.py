"""T43: a run killed with SIGKILL never damages an earlier run and never claims completeness."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fixtures.server import FixtureServer, page, text

FAULTS = Path(__file__).parent / "fixtures" / "faults.py"


def _hashes(folder):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _site(n_pages: int, delay: float = 0.0):
    links = [f"/p{i}" for i in range(n_pages)]

    def handler(req):
        if delay:
            time.sleep(delay)
        req.send(200, page(req.path, links[:n_pages]).encode())

    return FixtureServer({"/robots.txt": text("User-agent: *\nAllow: /\n"), "__default__": handler})


def _cmd(url, ws, out=None):
    cmd = [sys.executable, "-m", "aeo", "audit", url, "--workspace", str(ws), "--quiet",
           "--timeout", "5", "--retries", "0", "--concurrency", "2"]
    return cmd + (["--out", str(out)] if out else [])


def _no_process_left(ws: Path) -> None:
    """No process of a killed audit (its analysis workers) is left behind."""
    deadline = time.time() + 10
    while True:
        left = [p for p in Path("/proc").iterdir() if p.name.isdigit() and
                str(ws) in _cmdline(p)]
        if not left or time.time() > deadline:
            break
        time.sleep(0.2)
    assert not left, f"processes left behind: {[_cmdline(p) for p in left]}"


def _cmdline(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def test_t43_kill_mid_crawl_and_before_publish(tmp_path):
    ws = tmp_path / "ws"
    with _site(120, delay=0.02) as fs:
        first = subprocess.run(_cmd(fs.url + "/", ws), capture_output=True, text=True,
                               timeout=300, stdin=subprocess.DEVNULL)
        assert first.returncode == 0, first.stderr
        (run1,) = [p.parent for p in ws.glob("*/*/run.json")]
        before = _hashes(run1)

        # kill -9 at about half way through the second crawl
        proc = subprocess.Popen(_cmd(fs.url + "/", ws), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        start = len(fs.log)
        deadline = time.time() + 120
        while len(fs.log) - start < 60 and time.time() < deadline:
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        _no_process_left(ws)

        # kill -9 just before the report is published
        killed = subprocess.run([sys.executable, str(FAULTS), "kill_before_publish",
                                 *_cmd(fs.url + "/", ws)[3:]], capture_output=True,
                                timeout=300, stdin=subprocess.DEVNULL)
        assert killed.returncode == -signal.SIGKILL
        _no_process_left(ws)

        assert _hashes(run1) == before
        runs = sorted(p.parent for p in ws.glob("*/*/run.json"))
        assert len(runs) == 3
        import json
        for run in runs[1:]:
            m = json.loads((run / "run.json").read_text())
            assert m.get("status") != "complete"
            assert not (run / "findings.json").exists()
            assert not list(run.glob("*.tmp"))

        # the next run starts fresh and completes
        again = subprocess.run(_cmd(fs.url + "/", ws), capture_output=True, text=True,
                               timeout=300, stdin=subprocess.DEVNULL)
        assert again.returncode == 0, again.stderr
    hist = subprocess.run([sys.executable, "-m", "aeo", "history", "--workspace", str(ws)],
                          capture_output=True, text=True)
    assert hist.stdout.count("complete") == 2
    data = json.loads((sorted(p.parent for p in ws.glob("*/*/run.json"))[-1] /
                       "findings.json").read_text())
    assert data["comparison"]["previous_run"].endswith(run1.name)


def test_interrupt_writes_an_incomplete_audit_and_exits_4(tmp_path):
    ws, out = tmp_path / "ws", tmp_path / "out"
    with _site(300, delay=0.02) as fs:
        proc = subprocess.Popen(_cmd(fs.url + "/", ws, out), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
        deadline = time.time() + 60
        while len(fs.log) < 60 and time.time() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
        fetched = len(fs.log)
    assert proc.returncode == 4, stderr
    assert "incomplete crawl" in stderr and "Traceback" not in stderr
    assert stdout.strip().endswith("audit.html")
    import json
    data = json.loads((out / "findings.json").read_text())
    assert data["run"]["complete"] is False and "interrupted" in data["run"]["reason"]
    assert data["run"]["pages_crawled"] < 300 and fetched < 300
    (manifest,) = ws.glob("*/*/run.json")
    assert json.loads(manifest.read_text())["status"] == "incomplete"


def _stderr_on_a_terminal(cmd) -> str:
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:   # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_shows_on_a_terminal_and_not_with_quiet_or_a_pipe(tmp_path):
    with _site(12, delay=0.1) as fs:   # a crawl of 2 s: the progress line shows every second
        loud = [c for c in _cmd(fs.url + "/", tmp_path / "a") if c != "--quiet"]
        shown = _stderr_on_a_terminal(loud)
        quiet = _stderr_on_a_terminal(_cmd(fs.url + "/", tmp_path / "b"))
        piped = subprocess.run([c for c in _cmd(fs.url + "/", tmp_path / "c") if c != "--quiet"],
                               capture_output=True, text=True, timeout=120)
    assert "crawl: " in shown and "queued" in shown and "pages/s" in shown and "errors" in shown
    assert "pages/s" not in quiet and "Crawling" not in quiet
    assert piped.returncode == 0 and "pages/s" not in piped.stderr


@pytest.mark.parametrize("presses, answer_after", [(1, 2), (2, 30)])
def test_ctrl_c_to_the_process_group_before_the_first_answer(tmp_path, presses, answer_after):
    """A terminal's Ctrl-C reaches every process of the group (the analysis workers too):
    exit 4, one line that says 'interrupted', not 'site unreachable', no traceback from any
    worker, and an incomplete run in the history. A second Ctrl-C ends at once."""
    ws, out = tmp_path / "ws", tmp_path / "out"

    def slow(req):
        time.sleep(answer_after)
        req.send(200, page("home", []).encode())

    with FixtureServer({"/robots.txt": text("User-agent: *\nAllow: /\n"),
                        "__default__": slow}) as fs:
        proc = subprocess.Popen(_cmd(fs.url + "/", ws, out), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        deadline = time.time() + 60
        while not [e for e in fs.log if e["path"] == "/"] and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        pressed = time.time()
        for _ in range(presses):
            os.killpg(proc.pid, signal.SIGINT)
            time.sleep(0.5)
        stdout, stderr = proc.communicate(timeout=120)
        took = time.time() - pressed
    assert proc.returncode == 4, stderr
    assert presses == 1 or took < 15, took     # the second press does not wait for the site
    assert "interrupted" in stderr and "unreachable" not in stderr and "could not" not in stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    hist = subprocess.run([sys.executable, "-m", "aeo", "history", "--workspace", str(ws)],
                          capture_output=True, text=True, timeout=60)
    assert "incomplete" in hist.stdout
    _no_process_left(ws)
