"""Access logs joined with a real audit: the demo site crawled over HTTP on 127.0.0.1, with a
log of verified, spoofed and unknown crawlers, read by `aeo audit --logs` and `aeo logs --run`;
the three log rules, bot_hits.csv, findings.json's "logs" and the report's section checked."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from aeo.analyzers.logs.verify import active
from aeo.crawler.bots import known_bots
from aeo.demo.serve import start

UA = {b.token: b.user_agent for b in known_bots().values() if b.user_agent}
SPOOFER = "198.51.100.23"


def _inside(operator: str) -> str:
    net = next(n for n in active().networks[operator] if n.version == 4)
    return str(net.network_address + (1 if net.num_addresses > 1 else 0))


def _line(ip, day, path, status, ua, minute=0):
    return (f'{ip} - - [{day:02d}/Nov/2026:10:{minute:02d}:00 +0000] "GET {path} HTTP/1.1" '
            f'{status} 2048 "-" "{ua}"\n')


def write_log(path: Path, days: int = 21) -> None:
    openai, google, anthropic = _inside("OpenAI"), _inside("Google"), _inside("Anthropic")
    lines = []
    for d in range(1, days + 1):
        lines += [_line(openai, d, "/", 200, UA["OAI-SearchBot"]),
                  _line(openai, d, "/blog/quarterly-tax-guide", 200, UA["OAI-SearchBot"], 1),
                  _line(openai, d, "/blog/bank-reconciliation", 503 if d % 4 else 200,
                        UA["OAI-SearchBot"], 2),
                  _line(google, d, "/pricing/", 200, UA["Googlebot"], 3),
                  _line(SPOOFER, d, "/wp-login.php", 404, UA["GPTBot"], 4),
                  _line(anthropic, d, "/about", 200, UA["ClaudeBot"], 5),
                  _line("10.1.2.3", d, "/", 200, "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", 6)]
    lines.append(_line(_inside("Perplexity"), 3, "/faq?utm_source=chatgpt.com", 200,
                       UA["PerplexityBot"], 7))
    lines.append("\x00garbage that is no log line\n")
    lines.append(_line(SPOOFER, 5, "/x?<script>alert(1)</script>", 404,
                       UA["GPTBot"] + ' "><img src=x onerror=alert(2)>', 8))
    path.write_text("".join(lines), encoding="utf-8")


def aeo(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "aeo", *args], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("logs")
    write_log(tmp / "access.log")
    server, url = start(0)
    try:
        proc = aeo("audit", url, "--workspace", str(tmp / "ws"), "--out", str(tmp / "out"),
                   "--logs", str(tmp / "access.log"), "--as-of", "2026-11-22", "--quiet")
    finally:
        server.shutdown()
    assert proc.returncode == 0, proc.stderr
    data = json.loads((tmp / "out" / "findings.json").read_text())
    errored = {r["rule"]: r["error"] for r in data["rules"] if r["error"]}
    assert not errored, errored
    return tmp, url, data


def _paths(data, rule):
    root = data["run"]["start_url"].rstrip("/")
    return {f["url"][len(root):] or "/" for f in data["findings"] if f["rule"] == rule}


def test_findings_json_logs_counts_lines_and_each_crawler(audited):
    _, _, data = audited
    logs = data["logs"]
    assert logs["lines"] == 21 * 7 + 3 and logs["lines_skipped"] == 1
    assert logs["from"] == "2026-11-01T10:00:00Z" and logs["to"] == "2026-11-21T10:06:00Z"
    bots = {b["bot"]: b for b in logs["bots"]}
    assert set(bots) == {"OAI-SearchBot", "Googlebot", "GPTBot", "ClaudeBot", "PerplexityBot"}
    assert bots["OAI-SearchBot"] == {"bot": "OAI-SearchBot", "operator": "OpenAI",
                                     "purpose": "search", "hits": 63, "verified_hits": 63,
                                     "unverified_hits": 0, "unknown_hits": 0, "pages": 3,
                                     "error_hits": 16}
    assert bots["GPTBot"]["unverified_hits"] == 22 and bots["GPTBot"]["verified_hits"] == 0
    assert bots["ClaudeBot"]["verified_hits"] == 21


def test_bot_hits_csv_rows_map_paths_to_crawled_urls(audited):
    tmp, url, _ = audited
    with open(tmp / "out" / "bot_hits.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    by = {(r["bot"], r["url"].replace(url.rstrip("/"), "")): r for r in rows}
    pricing = by[("Googlebot", "/pricing/")]         # the crawled /pricing, slash aside
    assert pricing["crawled"] == "yes" and pricing["verified"] == "yes" and pricing["hits"] == "21"
    assert pricing["page"] == url + "pricing" and pricing["page_type"]
    faq = by[("PerplexityBot", "/faq")]              # the tracking parameter dropped
    assert faq["crawled"] == "yes"
    login = by[("GPTBot", "/wp-login.php")]
    assert (login["verified"], login["crawled"], login["statuses"]) == ("no", "no", "404:21")
    recon = by[("OAI-SearchBot", "/blog/bank-reconciliation")]
    assert recon["statuses"] == "200:5;503:16" and recon["error_hits"] == "16"
    assert recon["first_seen"] == "2026-11-01T10:02:00Z"
    assert recon["last_seen"] == "2026-11-21T10:02:00Z"
    for r in rows:
        for value in r.values():
            assert not value.startswith(("=", "+", "@")), r


def test_acc011_names_the_page_a_verified_search_crawler_gets_errors_on(audited):
    _, _, data = audited
    found = [f for f in data["findings"] if f["rule"] == "ACC011"]
    assert len(found) == 1
    assert "OAI-SearchBot" in found[0]["evidence"] and "bank-reconciliation" in found[0]["evidence"]
    assert [u.rsplit("/", 1)[-1] for u in found[0]["urls"]] == ["bank-reconciliation"]


def test_acc012_fires_only_on_content_pages_no_search_crawler_fetched(audited):
    _, _, data = audited
    unfetched = _paths(data, "ACC012")
    fetched = {"/", "/blog/quarterly-tax-guide", "/blog/bank-reconciliation", "/pricing", "/faq"}
    assert unfetched and not unfetched & fetched
    assert "/about" in unfetched          # only ClaudeBot, a training crawler, fetched it
    assert "/blog/2019-tax-checklist" not in unfetched     # noindex: not meant to be found


def test_acc013_names_the_spoofed_crawler_and_its_address(audited):
    _, _, data = audited
    found = [f for f in data["findings"] if f["rule"] == "ACC013"]
    assert len(found) == 1 and "GPTBot" in found[0]["evidence"]
    assert SPOOFER in found[0]["evidence"]


def test_the_report_shows_what_crawlers_fetched_escaped(audited):
    tmp, _, _ = audited
    html = (tmp / "out" / "audit.html").read_text(encoding="utf-8")
    assert "What AI crawlers fetched" in html and "OAI-SearchBot" in html
    assert "<script>alert" not in html and "onerror=alert(2)>" not in html
    assert "<svg class=\"trend\"" in html and "Content pages no search crawler fetched" in html


def test_aeo_logs_joins_a_new_log_with_the_stored_run(audited, tmp_path):
    tmp, _, _ = audited
    short = tmp_path / "week.log"
    write_log(short, days=6)
    proc = aeo("logs", str(short), "--run", "latest", "--workspace", str(tmp / "ws"),
               "--out", str(tmp_path / "out"), "--quiet")
    assert proc.returncode == 0, proc.stderr
    data = json.loads((tmp_path / "out" / "findings.json").read_text())
    assert data["logs"]["to"].startswith("2026-11-06")
    acc012 = next(r for r in data["rules"] if r["rule"] == "ACC012")
    assert acc012["applicable"] == 0 and not acc012["error"]   # 6 days: too short to judge
    assert any(f["rule"] == "ACC013" for f in data["findings"])


def test_a_file_that_is_no_log_stops_the_audit_before_the_crawl(tmp_path):
    (tmp_path / "notes.txt").write_text("Quarterly plan\n\n- hire\n- ship\n")
    server, url = start(0)
    try:
        proc = aeo("audit", url, "--workspace", str(tmp_path / "ws"), "--out",
                   str(tmp_path / "out"), "--logs", str(tmp_path / "notes.txt"), "--quiet")
    finally:
        server.shutdown()
    assert proc.returncode == 2 and "not an access log" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not list((tmp_path / "ws").glob("*/*/run.json"))    # nothing crawled, no run


def test_without_logs_the_log_rules_do_not_apply(tmp_path):
    server, url = start(0)
    try:
        proc = aeo("audit", url, "--workspace", str(tmp_path / "ws"), "--out",
                   str(tmp_path / "out"), "--quiet", "--max-pages", "5")
    finally:
        server.shutdown()
    assert proc.returncode in (0, 4), proc.stderr
    data = json.loads((tmp_path / "out" / "findings.json").read_text())
    assert data["logs"] is None
    for rid in ("ACC011", "ACC012", "ACC013"):
        r = next(r for r in data["rules"] if r["rule"] == rid)
        assert r["applicable"] == 0 and not r["error"], r
    assert (tmp_path / "out" / "bot_hits.csv").read_text().startswith("bot,operator,purpose")


def test_make_audit_passes_several_logs(tmp_path):
    import gzip

    write_log(tmp_path / "a.log", days=3)
    (tmp_path / "b.log.gz").write_bytes(gzip.compress((tmp_path / "a.log").read_bytes()))
    server, url = start(0)
    try:
        proc = subprocess.run(
            ["make", "-s", "audit", f"URL={url}", f"LOGS={tmp_path / 'a.log'} "
             f"{tmp_path / 'b.log.gz'}", f"WORKSPACE={tmp_path / 'ws'}",
             f"OUT={tmp_path / 'out'}", "MAX_PAGES=10"],
            cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True,
            timeout=300)
    finally:
        server.shutdown()
    assert proc.returncode in (0, 2), proc.stderr[-2000:]   # make's own 2: the audit's 4
    logs = json.loads((tmp_path / "out" / "findings.json").read_text())["logs"]
    assert [Path(f).name for f in logs["files"]] == ["a.log", "b.log.gz"]
    assert logs["lines"] == 2 * (3 * 7 + 3)
