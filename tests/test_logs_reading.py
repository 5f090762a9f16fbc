"""Access logs read as servers and CDNs write them: every format, gzip, several files, standard
input, hostile input; crawlers identified by user agent and verified against the shipped
address ranges (and by DNS with a test resolver)."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys

import pytest

from aeo.analyzers.logs.formats import LogFormatError
from aeo.analyzers.logs.join import log_facts
from aeo.analyzers.logs.reader import BLOCK, crawler_of, read_logs
from aeo.analyzers.logs.verify import Verifier, active, address
from aeo.crawler.bots import known_bots

UA = {b.token: b.user_agent for b in known_bots().values() if b.user_agent}


def _inside(operator: str, version: int = 4) -> str:
    """An address inside the operator's shipped ranges."""
    net = next(n for n in active().networks[operator] if n.version == version)
    return str(net.network_address + (1 if net.num_addresses > 1 else 0))


OPENAI = _inside("OpenAI")
OUTSIDE = "198.51.100.23"          # documentation range: no operator's


def combined(ip, when, path, status, ua, vhost="", extra=""):
    return (f"{vhost + ' ' if vhost else ''}{ip} - - [{when}] \"GET {path} HTTP/1.1\" "
            f"{status} 512 \"-\" \"{ua}\"{extra}\n")


def read(tmp_path, text: str | bytes, name="access.log", **kw):
    p = tmp_path / name
    p.write_bytes(text.encode() if isinstance(text, str) else text)
    return read_logs([str(p)], **kw)


def hits(reading) -> dict:
    return {(k[0], k[1], k[3]): v[0] for k, v in reading.tally.hits.items()}


# -- formats ---------------------------------------------------------------------------------
def test_combined_with_time_zones_out_of_order_and_a_browser_left_out(tmp_path):
    log = (combined(OPENAI, "02/Nov/2026:10:00:00 +0100", "/b", 200, UA["OAI-SearchBot"])
           + combined(OPENAI, "01/Nov/2026:23:30:00 -0500", "/a", 503, UA["OAI-SearchBot"])
           + combined("10.0.0.1", "02/Nov/2026:11:00:00 +0000", "/a", 200,
                      "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"))
    r = read(tmp_path, log)
    assert r.formats == {str(tmp_path / "access.log"): "NCSA combined"}
    assert (r.tally.lines, r.tally.skipped) == (3, 0)
    assert hits(r) == {("OAI-SearchBot", "yes", "/b"): 1, ("OAI-SearchBot", "yes", "/a"): 1}
    facts = log_facts(r)
    # 23:30 at -0500 is 04:30 UTC the next day: after 09:00 UTC? no, before 11:00 UTC
    assert facts.first == "2026-11-02T04:30:00Z" and facts.last == "2026-11-02T11:00:00Z"
    row = next(x for x in facts.rows if x.url.endswith("/a") or x.url == "/a")
    assert row.statuses == ((503, 1),) and row.first_seen == "2026-11-02T04:30:00Z"


def test_common_vhost_and_nginx_request_time(tmp_path):
    common = f'{OPENAI} - - [02/Nov/2026:10:00:00 +0000] "GET /c HTTP/1.1" 200 12\n'
    r = read(tmp_path, common)
    assert r.tally.lines == 1 and not r.tally.hits      # no user agent: no crawler to name
    vhost = "".join(combined(OPENAI, f"02/Nov/2026:10:0{i}:00 +0000", f"/v{i}", 200, UA["GPTBot"],
                             vhost="www.example.com:443") for i in range(3))
    r = read(tmp_path, vhost, name="vhost.log")
    assert "virtual host" in next(iter(r.formats.values()))
    assert {k[2] for k in r.tally.hits} == {"www.example.com"}
    nginx = combined(OPENAI, "02/Nov/2026:10:00:00 +0000", "/n", 200, UA["ChatGPT-User"],
                     extra=" 0.012 0.010 .")
    r = read(tmp_path, nginx, name="nginx.log")
    assert hits(r) == {("ChatGPT-User", "yes", "/n"): 1}


def test_w3c_iis_and_cloudfront(tmp_path):
    iis = ("#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n"
           "#Date: 2026-11-02 10:00:00\n"
           "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
           "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n"
           f"2026-11-02 10:00:01 10.1.1.1 GET /pricing plan=pro 443 - {OPENAI} "
           f"{UA['OAI-SearchBot'].replace(' ', '+')} - 403 0 0 15\n"
           "2026-11-02 10:00:02 10.1.1.1 GET / - 443 - 10.9.9.9 Mozilla/5.0+Firefox - 200 0 0 3\n")
    r = read(tmp_path, iis, name="u_ex261102.log")
    assert r.formats[str(tmp_path / "u_ex261102.log")] == "W3C extended"
    assert r.tally.lines == 2
    assert hits(r) == {("OAI-SearchBot", "yes", "/pricing?plan=pro"): 1}
    cf_fields = ("date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem "
                 "sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) "
                 "x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes "
                 "time-taken").split()
    ua = UA["PerplexityBot"].replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    line = ["2026-11-03", "08:15:00", "FRA56-P1", "5120", _inside("Perplexity"), "GET",
            "d111111abcdef8.cloudfront.net", "/guide", "200", "-", ua, "-", "-", "Hit",
            "abc==", "www.example.com", "https", "300", "0.002"]
    cf = "#Version: 1.0\n#Fields: " + " ".join(cf_fields) + "\n" + "\t".join(line) + "\n"
    r = read(tmp_path, cf, name="cf.log")
    assert hits(r) == {("PerplexityBot", "yes", "/guide"): 1}
    assert {k[2] for k in r.tally.hits} == {"www.example.com"}   # the viewer's Host header


def test_json_lines_cloudflare_nested_and_mapped_fields(tmp_path):
    lines = [
        {"ClientIP": OPENAI, "ClientRequestHost": "example.com", "ClientRequestMethod": "GET",
         "ClientRequestURI": "/cf", "EdgeResponseStatus": 200, "EdgeStartTimestamp":
         1793700000000000000, "ClientRequestUserAgent": UA["GPTBot"]},
        {"@timestamp": "2026-11-03T10:00:00.123+01:00", "source": {"ip": OPENAI},
         "url": {"path": "/ecs", "query": "a=1"}, "http": {"response": {"status_code": 404}},
         "user_agent": {"original": UA["OAI-SearchBot"]}},
        {"when": "2026-11-04T00:00:00Z", "addr": OUTSIDE, "req": {"line": "GET /mapped HTTP/1.1"},
         "code": "200", "agent": UA["GPTBot"]},
    ]
    text = "\n".join(json.dumps(x) for x in lines) + "\n"
    r = read(tmp_path, text, name="cdn.jsonl",
             json_keys=(("time", "when"), ("ip", "addr"), ("path", "req.line"),
                        ("status", "code")))
    assert r.formats[str(tmp_path / "cdn.jsonl")] == "JSON lines"
    assert hits(r) == {("GPTBot", "yes", "/cf"): 1, ("OAI-SearchBot", "yes", "/ecs?a=1"): 1,
                       ("GPTBot", "no", "/mapped"): 1}
    assert log_facts(r).first == "2026-11-03T09:00:00Z"     # nanoseconds and a +01:00 zone


def test_gzip_several_files_and_standard_input(tmp_path):
    a = combined(OPENAI, "02/Nov/2026:10:00:00 +0000", "/gz", 200, UA["GPTBot"])
    (tmp_path / "a.log.gz").write_bytes(gzip.compress(a.encode()))
    (tmp_path / "b.log").write_text(combined(OUTSIDE, "03/Nov/2026:10:00:00 +0000", "/plain",
                                             200, UA["GPTBot"]))
    r = read_logs([str(tmp_path / "a.log.gz"), str(tmp_path / "b.log")])
    assert hits(r) == {("GPTBot", "yes", "/gz"): 1, ("GPTBot", "no", "/plain"): 1}
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "aeo", "logs", "-", "--out", str(out),
                           "--quiet"], input=gzip.compress(a.encode()), capture_output=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads((out / "findings.json").read_text())
    assert data["logs"]["files"] == ["(standard input)"] and data["logs"]["lines"] == 1
    assert data["logs"]["bots"][0]["bot"] == "GPTBot"


# -- hostile input ----------------------------------------------------------------------------
def test_truncated_gzip_keeps_the_lines_before_the_break(tmp_path):
    text = "".join(combined(OPENAI, "02/Nov/2026:10:00:00 +0000", f"/p{i}", 200, UA["GPTBot"])
                   for i in range(5000))
    data = gzip.compress(text.encode())
    r = read(tmp_path, data[: len(data) * 2 // 3], name="cut.log.gz")
    assert 1000 < r.tally.lines < 5000
    assert any("before the break" in w for w in r.warnings)


def test_a_gigabyte_line_binary_garbage_and_mixed_formats(tmp_path):
    p = tmp_path / "huge.log"
    head = combined(OPENAI, "02/Nov/2026:10:00:00 +0000", "/before", 200, UA["GPTBot"])
    tail = combined(OPENAI, "02/Nov/2026:10:00:01 +0000", "/after", 200, UA["GPTBot"])
    with open(p, "wb") as fh:
        fh.write(head.encode())
        fh.truncate(len(head) + 1024 ** 3)       # a 1 GB line of NUL bytes (sparse on disk)
        fh.seek(0, 2)
        fh.write(b"\n" + tail.encode()
                 + b"\x00\xff\xfe garbage \x01\x02\n"
                 + json.dumps({"time": "2026-11-02T10:00:02Z", "ip": OPENAI, "path": "/json",
                               "status": 200, "user_agent": UA["GPTBot"]}).encode() + b"\n")
    r = read_logs([str(p)], workers=2)
    assert hits(r) == {("GPTBot", "yes", "/before"): 1, ("GPTBot", "yes", "/after"): 1,
                       ("GPTBot", "yes", "/json"): 1}
    assert (r.tally.lines, r.tally.skipped) == (5, 2)   # the huge line and the garbage


def test_a_file_that_is_no_log_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "random.bin").write_bytes(os.urandom(200_000))
    with pytest.raises(LogFormatError, match="not an access log"):
        read_logs([str(tmp_path / "random.bin")])
    (tmp_path / "notes.txt").write_text("Dear team,\nthe launch is on Monday.\n")
    for name in ("random.bin", "notes.txt", "missing.log"):
        proc = subprocess.run([sys.executable, "-m", "aeo", "logs", str(tmp_path / name),
                               "--out", str(tmp_path / "o")], capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 2, (name, proc.stderr)
        assert proc.stderr.count("\n") <= 2 and "Traceback" not in proc.stderr
        assert "aeo: error:" in proc.stderr and name in proc.stderr


def test_forged_user_agents_with_payloads_are_escaped_and_neutralized(tmp_path):
    evil = "<script>alert(1)</script>"
    lines = [combined(OUTSIDE, "02/Nov/2026:10:00:00 +0000", "/x?q=" + evil, 200,
                      UA["GPTBot"] + ' "><img src=x onerror=alert(2)>'),
             json.dumps({"time": "2026-11-02T10:00:00Z", "ip": OUTSIDE,
                         "path": "=HYPERLINK(\"http://evil.example\")", "status": 200,
                         "user_agent": "GPTBot " + evil}) + "\n"]
    (tmp_path / "evil.log").write_text("".join(lines))
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "aeo", "logs", str(tmp_path / "evil.log"),
                           "--out", str(out), "--quiet"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    csv_text = (out / "bot_hits.csv").read_text()
    assert "'=HYPERLINK" in csv_text and "\n=HYPERLINK" not in csv_text.replace(",", "\n")


# -- crawlers and verification ----------------------------------------------------------------
def test_every_crawler_of_the_table_is_recognised_by_its_user_agent():
    for token, ua in UA.items():
        assert crawler_of(ua).token == token, token
    assert crawler_of("Mozilla/5.0 (compatible; Googlebot-Image/1.0)").token == "Googlebot"
    assert crawler_of("Mozilla/5.0 Firefox/133.0") is None


def test_verification_ipv4_ipv6_mapped_and_operators_without_ranges():
    v = Verifier()
    assert v("OpenAI", OPENAI) == "yes"
    assert v("OpenAI", "::ffff:" + OPENAI) == "yes"            # IPv4-mapped
    assert v("OpenAI", OUTSIDE) == "no"
    assert v("OpenAI", "2001:db8::1") == "no"
    assert v("OpenAI", "crawler.example.net") == "unknown"      # a host name, not an address
    google6 = _inside("Google", 6)
    assert v("Google", google6) == "yes" and v("Google", f"[{google6}]") == "yes"
    no_ranges = {b.operator for b in known_bots().values()} - set(active().networks)
    assert no_ranges, "some operators publish no ranges"
    for operator in no_ranges:
        assert v(operator, OUTSIDE) == "unknown", operator
    assert address("::ffff:192.0.2.1").version == 4


def test_dns_verification_with_a_test_resolver():
    names = {"198.51.100.77": (["crawl-198-51-100-77.googlebot.com"], ["198.51.100.77"]),
             "198.51.100.78": (["78.crawl.amazonbot.amazon"], ["198.51.100.78"]),
             "203.0.113.5": (["crawl.googlebot.com.evil.example"], ["203.0.113.5"]),
             "203.0.113.6": (["fake.googlebot.com"], ["203.0.113.99"])}

    def resolver(ip):
        return names.get(ip, ([], []))

    data = active()
    if "Google" not in data.dns:
        pytest.skip("no DNS check documented for Google in the shipped data")
    assert Verifier()("Google", "198.51.100.77") == "no"      # outside the published ranges
    assert Verifier()("Amazon", "198.51.100.78") == "unknown"  # Amazon publishes no file
    v = Verifier(resolver=resolver)
    assert v("Google", "198.51.100.77") == "yes"      # the DNS check says it is Google's
    assert v("Amazon", "198.51.100.78") == "yes"
    assert v("Google", "203.0.113.5") == "no"       # the name does not end in googlebot.com
    assert v("Google", "203.0.113.6") == "no"       # the forward lookup does not come back


def test_parallel_reading_equals_one_process(tmp_path):
    line = combined(OPENAI, "02/Nov/2026:10:00:00 +0000", "/p{}", 200, UA["GPTBot"])
    filler = combined("10.0.0.1", "02/Nov/2026:10:00:00 +0000", "/f", 200, "Mozilla/5.0 Firefox")
    parts = []
    size = 0
    i = 0
    while size < BLOCK * 3:
        chunk = line.format(i % 97) + filler * 20
        parts.append(chunk)
        size += len(chunk)
        i += 1
    p = tmp_path / "big.log"
    p.write_text("".join(parts))
    one, two = read_logs([str(p)], workers=1), read_logs([str(p)], workers=2)
    assert one.tally.lines == two.tally.lines == i * 21
    assert hits(one) == hits(two) and sum(hits(one).values()) == i


# -- the shipped ranges and their update -----------------------------------------------------
def test_shipped_ranges_are_dated_with_their_sources():
    data = active()
    assert data.sources and all(s.url.startswith("https://") and s.retrieved for s in data.sources)
    for s in data.sources:
        assert (data.folder / s.file).is_file(), s.file
    covered = {b for s in data.sources for b in s.bots}
    assert {"OAI-SearchBot", "GPTBot", "ChatGPT-User", "PerplexityBot", "Googlebot",
            "Bingbot", "ClaudeBot", "Claude-SearchBot"} <= covered


def test_bots_update_fetches_checks_and_keeps_the_ranges(tmp_path):
    from fixtures.server import FixtureServer, raw

    good = {"creationTime": "2026-11-29T10:00:00.000000",
            "prefixes": [{"ipv4Prefix": "203.0.113.0/24"}, {"ipv6Prefix": "2001:db8:77::/48"}]}
    routes = {"/gptbot.json": raw(json.dumps(good).encode(), ctype="application/json"),
              "/searchbot.json": raw(b"<html>moved</html>")}
    env = {**os.environ, "AEO_RANGES_DIR": str(tmp_path / "ranges")}
    with FixtureServer(routes) as server:
        base = server.url
        proc = subprocess.run(
            [sys.executable, "-m", "aeo", "bots", "update",
             "--source", f"gptbot.json={base}/gptbot.json",
             "--source", f"searchbot.json={base}/searchbot.json"],
            capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "gptbot.json: 2 ranges" in proc.stderr
    assert "searchbot.json: kept the copy of" in proc.stderr      # not JSON: the old one stays
    sources = (tmp_path / "ranges" / "sources.toml").read_text()
    assert "2026-11-29T10:00:00.000000" in sources
    # the updated ranges are the ones verification reads from now on
    log = combined("203.0.113.9", "02/Nov/2026:10:00:00 +0000", "/a", 200, UA["GPTBot"])
    (tmp_path / "a.log").write_text(log)
    proc = subprocess.run([sys.executable, "-m", "aeo", "logs", str(tmp_path / "a.log"),
                           "--out", str(tmp_path / "out"), "--quiet"],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    assert ",GPTBot,OpenAI,training,yes," in "," + (tmp_path / "out" / "bot_hits.csv"
                                                      ).read_text().splitlines()[1]
    listing = subprocess.run([sys.executable, "-m", "aeo", "bots"], capture_output=True,
                             text=True, timeout=120, env=env)
    assert "OAI-SearchBot" in listing.stdout and "days ago" in listing.stdout


def test_page_importance_weighs_pages_answer_engines_fetch():
    from dataclasses import replace

    from aeo.facts.logs import BotHits, LogFacts
    from aeo.reports.scoring import page_importance
    from aeo.rules.base import make_page, make_site

    site = make_site()
    a, b = make_page(url="https://example.com/a"), make_page(url="https://example.com/b")
    assert page_importance(a, site) == page_importance(b, site)
    logs = LogFacts(files=(), formats=(), lines=9, lines_skipped=0, first="", last="",
                    rows=(BotHits("OAI-SearchBot", "OpenAI", "search", "yes", a.url, a.url, 9,
                                  "", "", ((200, 9),)),), daily=(), spoofers=())
    site = replace(site, logs=logs)
    assert page_importance(a, site) > 2 * page_importance(b, site)


def test_a_log_that_records_a_proxy_address_judges_no_crawler_spoofed(tmp_path):
    edges = [f"172.68.10.{i}" for i in range(1, 6)] + [f"162.158.1.{i}" for i in range(1, 4)]
    lines = [combined(edges[(d + i) % len(edges)], f"0{d}/Nov/2026:10:00:00 +0000", "/a", 200,
                      UA[bot])          # CDN edges in front of the server, public
             for d in range(1, 4) for i, bot in enumerate(("Googlebot", "GPTBot", "Bingbot"))]
    lines.append(combined("10.0.3.7", "04/Nov/2026:10:00:00 +0000", "/b", 200, UA["GPTBot"]))
    r = read(tmp_path, "".join(lines))
    facts = log_facts(r)
    assert {row.verified for row in facts.rows} == {"unknown"}
    assert any("proxy" in w for w in facts.warnings) and not facts.spoofers
    # one spoofer beside verified crawlers is still a spoofer
    lines.append(combined(OPENAI, "05/Nov/2026:10:00:00 +0000", "/c", 200, UA["GPTBot"]))
    facts = log_facts(read(tmp_path, "".join(lines), name="b.log"))
    assert {row.verified for row in facts.rows if row.url.endswith("/a")} == {"no"}
    assert {row.verified for row in facts.rows if row.url.endswith("/b")} == {"unknown"}


def test_milliseconds_and_times_no_server_wrote(tmp_path):
    lines = [combined(OPENAI, "02/Nov/2026:10:00:00.250 +0100", "/ms", 200, UA["GPTBot"]),
             combined(OPENAI, "99/Nov/2026:10:00:00 +0000", "/bad-day", 200, UA["GPTBot"]),
             json.dumps({"time": 1e30, "ip": OPENAI, "path": "/far", "status": 200,
                         "user_agent": UA["GPTBot"]}) + "\n",
             json.dumps({"time": "9999-12-31T23:59:59Z", "ip": OPENAI, "path": "/far2",
                         "status": 200, "user_agent": UA["GPTBot"]}) + "\n",
             json.dumps([1, 2, 3]) + "\n", json.dumps("a string") + "\n",
             "{" * 5000 + "\n"]
    r = read(tmp_path, "".join(lines))
    assert hits(r) == {("GPTBot", "yes", "/ms"): 1}
    assert (r.tally.lines, r.tally.skipped) == (7, 6)
    assert log_facts(r).first == "2026-11-02T09:00:00Z"


def test_what_a_review_of_real_logs_found(tmp_path):
    """Real-world variants: a NaN time, a digit that is no digit, HEAD requests, a raw UTF-8
    path, an absolute-form request for another host, a virtual host with its port, a client
    address with its port."""
    lines = [
        json.dumps({"time": float("nan"), "ip": OPENAI, "path": "/nan",
                    "user_agent": UA["GPTBot"]}).replace("NaN", "NaN") + "\n",
        json.dumps({"time": "\u00b2", "ip": OPENAI, "path": "/sq", "user_agent": UA["GPTBot"]})
        + "\n",
        json.dumps({"time": "2026-11-02T10:00:00Z", "ip": OPENAI + ":5678", "path": "/port",
                    "status": 200, "user_agent": UA["GPTBot"]}) + "\n",
    ]
    r = read(tmp_path, "".join(lines), name="odd.jsonl")
    assert hits(r) == {("GPTBot", "yes", "/port"): 1} and r.tally.skipped == 2
    head = f'{OPENAI} - - [02/Nov/2026:10:00:00 +0000] "HEAD /a HTTP/1.1" 405 0 "-" "{UA["GPTBot"]}"\n'
    utf8 = (f'{OPENAI} - - [02/Nov/2026:10:00:01 +0000] "GET /caf\\xC3\\xA9 HTTP/1.1" 200 1 '
            f'"-" "{UA["GPTBot"]}"\n')
    absolute = combined(OPENAI, "02/Nov/2026:10:00:02 +0000", "http://evil.example/login", 404,
                        UA["GPTBot"])
    r = read(tmp_path, head + utf8 + absolute, name="mixed.log")
    facts = log_facts(r, "https://example.com/")
    assert {row.url for row in facts.rows} == {"https://example.com/caf%C3%A9"}
    assert facts.other_hosts == 1
    vhost = "".join(combined(OPENAI, f"02/Nov/2026:10:0{i}:00 +0000", "/v", 200, UA["GPTBot"],
                             vhost="cafe.de:443") for i in range(3))
    r = read(tmp_path, vhost, name="vhost.log")
    assert {k[2] for k in r.tally.hits} == {"cafe.de"} and hits(r) == {("GPTBot", "yes", "/v"): 3}


def test_w3c_without_a_date_column_and_columns_in_another_order(tmp_path):
    iis = ("#Software: Microsoft Internet Information Services 10.0\n#Date: 2026-11-02 00:00:00\n"
           "#Fields: time c-ip cs-method cs-uri-stem sc-status cs(User-Agent) cs-host\n"
           f"10:00:01 {OPENAI} GET /a 200 {UA['GPTBot'].replace(' ', '+')} www.example.com\n"
           "#Date: 2026-11-03 00:00:00\n"
           f"10:00:01 {OPENAI} GET /b 200 {UA['GPTBot'].replace(' ', '+')} www.example.com\n")
    r = read(tmp_path, iis, name="u_ex.log")
    assert hits(r) == {("GPTBot", "yes", "/a"): 1, ("GPTBot", "yes", "/b"): 1}
    assert log_facts(r).last == "2026-11-03T10:00:01Z"
    assert {k[2] for k in r.tally.hits} == {"www.example.com"}


def test_a_fields_directive_inside_a_user_agent_changes_nothing_in_parallel(tmp_path):
    import aeo.analyzers.logs.inputs as inputs
    import aeo.analyzers.logs.reader as reader

    header = ("#Fields: date time c-ip cs-method cs-uri-stem sc-status cs(User-Agent)\n")
    line = (f"2026-11-02 10:00:00 {OPENAI} GET /p 200 {UA['GPTBot'].replace(' ', '+')}\n"
            f"2026-11-02 10:00:00 10.0.0.1 GET /q 200 Mozilla/5.0+#Fields:+foo+bar\n")
    p = tmp_path / "w3c.log"
    p.write_text(header + line * 400)
    old = inputs.BLOCK, reader.BLOCK
    inputs.BLOCK = reader.BLOCK = 4096
    try:
        one, two = read_logs([str(p)], workers=1), read_logs([str(p)], workers=2)
    finally:
        inputs.BLOCK, reader.BLOCK = old
    assert one.tally.skipped == two.tally.skipped == 0
    assert hits(one) == hits(two) == {("GPTBot", "yes", "/p"): 400}


def test_the_join_keeps_a_pages_own_url_apart_from_its_twins(tmp_path):
    lines = [combined(OPENAI, f"0{d}/Nov/2026:10:00:00 +0000", path, status, UA["OAI-SearchBot"])
             for d in range(1, 4) for path, status in (("/pricing", 200), ("/pricing/", 404))]
    facts = log_facts(read(tmp_path, "".join(lines)), "https://example.com/",
                      crawled={"https://example.com/pricing"}.__contains__)
    own = next(r for r in facts.rows if r.url == "https://example.com/pricing")
    twin = next(r for r in facts.rows if r.url == "https://example.com/pricing/")
    assert own.exact and own.error_hits == 0
    assert twin.page == own.page and not twin.exact and twin.error_hits == 3


def test_another_sites_log_is_not_judged_for_unfetched_pages(tmp_path):
    lines = [combined(OPENAI, f"{d:02d}/Nov/2026:10:00:00 +0000", path, 200, UA["OAI-SearchBot"])
             for d in range(1, 21)
             for path in ("/", "/shop/a", "/shop/b", "/shop/c", "/shop/d", "/shop/e")]
    facts = log_facts(read(tmp_path, "".join(lines)), "https://example.com/",
                      crawled={"https://example.com/", "https://example.com/a"}.__contains__)
    assert not facts.joined and any("another site" in w for w in facts.warnings)
    assert facts.days_covered == 20
