"""Crawler cases of RELIABILITY.md against real servers on loopback: exit code, run manifest,
findings and the fixture server's access log."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
import zlib
from pathlib import Path
from types import SimpleNamespace

import brotli
import pytest
import zstandard
from fixtures.measure import max_rss_of
from fixtures.server import FixtureServer, html, page, raw, redirect, text

ALLOW = text("User-agent: *\nAllow: /\n")


def site(routes: dict, robots=ALLOW, host="127.0.0.1") -> FixtureServer:
    return FixtureServer({"/robots.txt": robots, **routes}, host=host)


# -- T01, T02: input and invocation --------------------------------------------------------
@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/", "data:text/html,x",
                                 "javascript:alert(1)", "gopher://127.0.0.1/", "http:/missing-slash",
                                 "", "--output=/etc/x"])
def test_t01_invalid_start_urls_exit_2_before_crawling(aeo, tmp_path, url):
    if url.startswith("-"):   # as make passes it: options first, then -- and the URL
        proc = subprocess.run([sys.executable, "-m", "aeo", "audit", "--workspace",
                               str(tmp_path / "ws"), "--quiet", "--", url],
                              capture_output=True, text=True, timeout=60)
        r = SimpleNamespace(code=proc.returncode, stderr=proc.stderr, manifest={})
        assert not (tmp_path / "ws").exists()
    else:
        r = aeo(url)
    assert r.code == 2, r.stderr
    assert "unsupported or invalid URL" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert not r.manifest  # no run was started


@pytest.mark.parametrize("suffix", [";touch {m}", "$(touch {m})", "`touch {m}`", "\ntouch {m}"])
def test_t02_make_url_injection_never_runs_shell(tmp_path, suffix):
    marker = tmp_path / "MARKER"
    with site({"/": html(page("home"))}) as fs:
        url = fs.url + "/" + suffix.format(m=marker)
        subprocess.run(["make", "-s", "audit", f"URL={url}", f"WORKSPACE={tmp_path / 'ws'}",
                        f"OUT={tmp_path / 'out'}"], cwd=Path(__file__).parents[1],
                       capture_output=True, timeout=180, stdin=subprocess.DEVNULL)
    assert not marker.exists()


def test_t02_leading_dash_url_is_not_an_option(tmp_path):
    r = subprocess.run(["make", "-s", "audit", "URL=--out=/etc/x", f"WORKSPACE={tmp_path}"],
                       cwd=Path(__file__).parents[1], capture_output=True, text=True, timeout=180)
    assert r.returncode != 0 and "invalid URL" in r.stderr
    assert not Path("/etc/x").exists()


# -- T03: host normalization ----------------------------------------------------------------
@pytest.mark.parametrize("host,resolve", [("ExAmple.LOCALHOST", "example.localhost"),
                                          ("example.localhost.", "example.localhost"),
                                          ("bücher.test", "xn--bcher-kva.test")])
def test_t03_host_normalization_keeps_internal_links(aeo, host, resolve):
    links = [f"/p{i}" for i in range(5)]
    routes = {"/": html(page("home", links))}
    routes.update({p: html(page(p)) for p in links})
    with site(routes) as fs:
        port = fs.server_address[1]
        r = aeo(f"http://{host}:{port}/", "--resolve", f"{resolve}:127.0.0.1")
        paths = {e["path"] for e in fs.log}
    assert r.code == 0, r.stderr
    assert set(links) <= paths
    assert len(r.pages) >= 6


# -- T04, T05, T06, T07: robots.txt ---------------------------------------------------------
def test_t04_disallow_honoured_and_reported(aeo):
    robots = text("User-agent: *\nDisallow: /\n\nUser-agent: aeo-audit\nDisallow: /private\n")
    with site({"/": html(page("home", ["/private/a", "/open"])), "/open": html(page("open")),
               "/private/a": html(page("secret"))}, robots=robots) as fs:
        r = aeo(fs.url + "/")
        assert fs.requests("/private") == []
        assert fs.requests("/open")           # our own group overrides '*'
    assert r.code == 0
    blocked = r.rules("ACC106")
    assert blocked and any("/private/a" in u for u in blocked[0]["urls"])


@pytest.mark.parametrize("status", [404, 410, 401, 403])
def test_t05_robots_4xx_means_allow_all(aeo, status):
    with site({"/": html(page("home", ["/a"])), "/a": html(page("a"))},
              robots=text("nope", status)) as fs:
        r = aeo(fs.url + "/")
        assert fs.requests("/a")
    assert r.code == 0
    assert r.rules("ACC101")  # "no robots.txt" is reported


@pytest.mark.parametrize("status", [500, 503])
def test_t05_robots_5xx_stops_the_crawl(aeo, status):
    with site({"/": html(page("home"))},
              robots=html("down", status, headers={"Retry-After": "1"})) as fs:
        r = aeo(fs.url + "/")
        assert [e for e in fs.log if e["path"] != "/robots.txt"] == []
    assert r.code == 3
    assert r.manifest["status"] == "failed" and r.manifest["reason"] == "robots_unreachable"
    assert "robots.txt" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (r.out / "findings.json").exists()


def test_t05_robots_transient_503_then_200_applies_rules(aeo):
    state = {"n": 0}

    def robots(req):
        state["n"] += 1
        if state["n"] <= 2:
            req.send(503, b"busy")
        else:
            req.send(200, b"User-agent: *\nDisallow: /private\n", "text/plain")

    with site({"/": html(page("home", ["/private/x"]))}, robots=robots) as fs:
        r = aeo(fs.url + "/", "--retries", "2")
        assert fs.requests("/private") == []
    assert r.code == 0 and state["n"] == 3


def test_t05_robots_timeout_and_reset_stop_the_crawl(aeo):
    def hang(req):
        time.sleep(6)

    def reset(req):
        import socket
        import struct
        req.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        req.connection.close()

    for handler in (hang, reset):
        with site({"/": html(page("home"))}, robots=handler) as fs:
            r = aeo(fs.url + "/", "--timeout", "1", "--retries", "0")
            assert [e for e in fs.log if e["path"] != "/robots.txt"] == []
        assert r.code == 3 and r.manifest["reason"] == "robots_unreachable"


@pytest.mark.parametrize("body,blocked,finding", [
    (b"<html><body>Error</body></html>", False, True),
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", False, True),
    (b"\xef\xbb\xbfUser-agent: *\nDisallow: /private\n", True, False),
    (b"User-agent: *\r\nDisallow: /private\r\n", True, False),
    (b"Disallow: /x\nUser-agent: *\nDisallow: /private\n", True, False),
    (b"User-agent: *\n" + b"# padding\n" * 56000 + b"Disallow: /private\n", False, True),
])
def test_t06_robots_content_oddities(aeo, body, blocked, finding):
    with site({"/": html(page("home", ["/private/x"])), "/private/x": html(page("x"))},
              robots=raw(body, ctype="text/plain")) as fs:
        r = aeo(fs.url + "/")
        assert bool(fs.requests("/private")) is (not blocked)
    assert r.code == 0
    assert bool(r.rules("ACC101")) is finding


def test_t06_robots_cross_host_redirect_uses_target_rules(aeo):
    with FixtureServer({"/robots.txt": text("User-agent: *\nDisallow: /private\n")},
                       host="127.0.0.2") as other:
        with site({"/": html(page("home", ["/private/x"])), "/private/x": html(page("x"))},
                  robots=redirect(other.url + "/robots.txt", 301)) as fs:
            # 127.0.0.2 plays another public host: the SSRF guard must be told so
            r = aeo(fs.url + "/", "--allow-private", "127.0.0.2/32")
            assert fs.requests("/private") == []
            assert other.requests("/robots.txt")
    assert r.code == 0


def test_t06_robots_redirect_chain_over_five_hops_is_allow_all(aeo):
    routes = {f"/r{i}": redirect(f"/r{i + 1}", 301) for i in range(7)}
    routes["/r7"] = text("User-agent: *\nDisallow: /private\n")
    with site({"/": html(page("home", ["/private/x"])), "/private/x": html(page("x")), **routes},
              robots=redirect("/r0", 301)) as fs:
        r = aeo(fs.url + "/")
        assert fs.requests("/private/x")
    assert r.code == 0 and r.rules("ACC101")


def test_t07_crawl_delay_and_ai_crawler_groups(aeo):
    robots = text("User-agent: *\nCrawl-delay: 0.5\n\nUser-agent: GPTBot\nDisallow: /\n\n"
                  "User-agent: PerplexityBot\nDisallow: /blog\n\n"
                  "User-agent: Google-Extended\nDisallow: /\n")
    with site({"/": html(page("home", ["/blog/a", "/b"])), "/blog/a": html(page("a")),
               "/b": html(page("b"))}, robots=robots) as fs:
        r = aeo(fs.url + "/", "--concurrency", "2")
        times = sorted(e["t"] for e in fs.log if e["path"] in ("/", "/blog/a", "/b"))
    assert r.code == 0
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert gaps and min(gaps) >= 0.45, gaps    # every request waits the half second
    acc001 = r.rules("ACC001")
    assert acc001 and "PerplexityBot" in acc001[0]["evidence"] and "Disallow: /blog" in acc001[0]["evidence"]
    acc002 = r.rules("ACC002")[0]["evidence"]
    assert "GPTBot" in acc002 and "Google-Extended" in acc002 and "PerplexityBot" not in acc002


# -- T08 to T12: size, compression, time ----------------------------------------------------
def test_t08_declared_size_over_limit_aborted_fast(aeo):
    def big(req):
        req.send_response(200)
        req.send_header("Content-Type", "text/html")
        req.send_header("Content-Length", "200000000")
        req.end_headers()
        for _ in range(100):
            req.write(b"x" * 65536)
            time.sleep(0.1)

    with site({"/": html(page("home", ["/big", "/ok"])), "/big": big,
               "/ok": html(page("ok"))}) as fs:
        t0 = time.time()
        r = aeo(fs.url + "/", "--max-page-mb", "1")
        sent = sum(e["bytes_sent"] for e in fs.requests("/big"))
        assert fs.requests("/ok")
    assert r.code == 0 and time.time() - t0 < 30
    assert sent < 2 * 2**20 * 2
    f = [x for x in r.rules("ACC103") if x["url"].endswith("/big")]
    assert f and "too_large" in f[0]["evidence"]


def test_t09_chunked_body_over_limit_cut_and_memory_bounded(tmp_path):
    def stream(req):
        req.send_response(200)
        req.send_header("Content-Type", "text/html")
        req.send_header("Transfer-Encoding", "chunked")
        req.end_headers()
        chunk = b"<p>x</p>" * 8192
        for _ in range(3200):  # 200 MiB
            req.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        req.write(b"0\r\n\r\n")

    base = [sys.executable, "-m", "aeo", "audit", "--quiet", "--max-page-mb", "4",
            "--timeout", "20", "--retries", "0"]
    with site({"/": html(page("home", ["/stream"])), "/stream": stream}) as fs:
        code, rss = max_rss_of(base + ["--workspace", str(tmp_path / "a"), "--out",
                                       str(tmp_path / "oa"), fs.url + "/"], tmp_path)
        sent = sum(e["bytes_sent"] for e in fs.requests("/stream"))
    with site({"/": html(page("home"))}) as fs:
        _, baseline = max_rss_of(base + ["--workspace", str(tmp_path / "b"), "--out",
                                         str(tmp_path / "ob"), fs.url + "/"], tmp_path)
    assert code == 0
    assert sent < 100 * 2**20
    assert (rss - baseline) < 4 * 4 * 1024  # KiB: under 4x the 4 MiB cap over the baseline
    import json
    findings = json.loads((tmp_path / "oa" / "findings.json").read_text())["findings"]
    assert any(f["rule"] == "ACC103" and f["url"].endswith("/stream") for f in findings)


def _bomb(encoding: str, size: int = 64 * 2**20) -> bytes:
    zeros = b"\0" * 2**20
    if encoding == "gzip":
        c = zlib.compressobj(9, zlib.DEFLATED, 31)
    elif encoding == "deflate":
        c = zlib.compressobj(9, zlib.DEFLATED, 15)
    elif encoding == "rawdeflate":
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
    elif encoding == "br":
        return brotli.compress(b"\0" * size, quality=5)
    elif encoding == "zstd":
        return zstandard.ZstdCompressor().compress(b"\0" * size)
    return b"".join(c.compress(zeros) for _ in range(size // len(zeros))) + c.flush()


def test_t10_decompression_bombs_dropped_with_finding(aeo):
    """A bomb of every encoding (64 MB of zeros in about 64 KB) on one site: each is cut at
    the size cap with a finding, and the page beside them is read."""
    encodings = ("gzip", "deflate", "rawdeflate", "br", "zstd")
    routes = {"/": html(page("home", [f"/bomb-{e}" for e in encodings] + ["/ok"])),
              "/ok": html(page("ok"))}
    for enc in encodings:
        routes[f"/bomb-{enc}"] = raw(_bomb(enc), headers={
            "Content-Encoding": "deflate" if enc == "rawdeflate" else enc})
    with site(routes) as fs:
        r = aeo(fs.url + "/", "--max-page-mb", "2")
        assert fs.requests("/ok")
    assert r.code == 0, r.stderr
    too_large = {f["url"].rsplit("/", 1)[-1] for f in r.rules("ACC103")
                 if "too_large" in f["evidence"]}
    assert too_large == {f"bomb-{e}" for e in encodings}


def test_t10_bogus_encodings_and_sitemap_bomb(aeo):
    plain = page("plain").encode()
    whole = page("t", extra="".join(f"<p>Paragraph {i} of {i * 7919 % 10007}.</p>"
                                    for i in range(400))).encode()
    truncated = gzip.compress(whole)[:len(gzip.compress(whole)) // 2]
    truncated_br = brotli.compress(whole)[:len(brotli.compress(whole)) // 2]
    # good bodies the cut-off check must pass: raw deflate of more than 1 MiB, two gzip
    # members, gzip then br
    big = page("big", extra="".join(f"<p>Line {i} of {i * 7919 % 10007}.</p>"
                                    for i in range(60_000))).encode()
    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    raw_deflate = raw_deflate.compress(big) + raw_deflate.flush()
    two_members = gzip.compress(plain[:40]) + gzip.compress(plain[40:])
    # past the 50 MB a sitemap may be (the protocol's limit), whatever --max-page-mb says
    sitemap_bomb = gzip.compress(b"<?xml version='1.0'?><urlset>" + b" " * (60 * 2**20) + b"</urlset>")
    with site({"/": html(page("home", ["/plain", "/trunc", "/trunc-br", "/double", "/ok",
                                       "/big-deflate", "/members", "/gzip-br"])),
               "/plain": raw(plain, headers={"Content-Encoding": "gzip"}),
               "/trunc": raw(truncated, headers={"Content-Encoding": "gzip"}),
               "/trunc-br": raw(truncated_br, headers={"Content-Encoding": "br"}),
               "/big-deflate": raw(raw_deflate, headers={"Content-Encoding": "deflate"}),
               "/members": raw(two_members, headers={"Content-Encoding": "gzip"}),
               "/gzip-br": raw(brotli.compress(gzip.compress(plain)),
                               headers={"Content-Encoding": "gzip, br"}),
               "/double": raw(gzip.compress(gzip.compress(plain)), headers={"Content-Encoding": "gzip, gzip"}),
               "/ok": html(page("ok")),
               "/sitemap.xml": raw(sitemap_bomb, ctype="application/gzip")}) as fs:
        r = aeo(fs.url + "/", "--max-page-mb", "2")
        assert fs.requests("/ok")
    assert r.code == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert r.rules("ACC107")  # the sitemap bomb was cut by our own capped gunzip
    # a compressed body cut off in transit is an incomplete response, not a short page
    failed = {f["url"].rsplit("/", 1)[-1]: f["evidence"] for f in r.rules("ACC103")}
    rows = {p["url"].rsplit("/", 1)[-1]: p for p in r.pages}
    for name, encoding in (("trunc", "gzip"), ("trunc-br", "br")):
        assert "incomplete_response" in failed[name] and f"the {encoding} body" in failed[name]
        assert rows[name]["word_count"] == "0" and rows[name]["status"] == ""
    for name in ("double", "big-deflate", "members", "gzip-br"):   # whole bodies are read
        assert name not in failed and rows[name]["status"] == "200", (name, failed.get(name))
    assert rows["big-deflate"]["title"] == "big" and rows["gzip-br"]["title"] == "plain"


def test_libxml2_limits_lose_nothing_silently(aeo):
    """Past libxml2's default limits (a text of 10 MB, nesting of 256 levels) the parser stops
    and the rest of the page is gone. Both are lifted within the page-size cap (the 10 MB text
    here is the JSON-LD block's: parsing goes on past it to the links after it); nesting past
    2,048 levels still stops it, and then the page is reported cut short and its links after
    the cut are still followed. A JSON-LD block over its size limit says so."""
    big = "word " * (11 * 2**20 // 5)
    deep = "<div>" * 3000 + "<p>Buried</p>" + "</div>" * 3000
    ld = json.dumps({"@context": "https://schema.org", "@type": "Article", "text": big})
    long_link = "/" + "x" * 3000
    routes = {
        "/": html(page("home", ["/deep", "/big-ld", "/long-link"])),
        "/deep": html("<html><head><title>Deep</title></head><body>\n<p>Before.</p>\n"
                      f"<a href='/ok'>ok</a>\n{deep}\n<p>After the cut.</p>\n"
                      "<a href='/after-deep'>on</a></body></html>"),
        "/big-ld": html("<html><head><title>Markup</title><script type='application/ld+json'>"
                        f"{ld}</script></head><body><main><h1>Markup</h1><p>"
                        + "The page's own words. " * 50 + "</p><a href='/after-ld'>on</a>"
                        "</main></body></html>"),
        "/long-link": html(page("long", [long_link, "/ok"])),
        "/ok": html(page("ok")),
    }
    routes.update({p: html(page(p)) for p in ("/after-deep", "/after-ld")})
    with site(routes) as fs:
        r = aeo(fs.url + "/", timeout=300)
        asked = {e["path"] for e in fs.log}
    assert r.code == 0, r.stderr
    assert {"/after-deep", "/after-ld", "/ok"} <= asked
    rows = {p["url"].removeprefix(fs.url): p for p in r.pages}
    failed = {f["url"].removeprefix(fs.url): f for f in r.rules("ACC103")}
    assert "cut_short" in failed["/deep"]["evidence"]
    assert "nested more than 2,048 levels deep at line 4" in failed["/deep"]["evidence"]
    assert failed["/deep"]["detail"] == "The page could not be read to its end."
    assert "/big-ld" not in failed
    ld_findings = [f for f in r.findings["findings"] if f["url"] == fs.url + "/big-ld"
                   and f["rule"].startswith("SD")]
    assert any("over the 1,000,000 limit" in f["evidence"] for f in ld_findings), ld_findings
    assert not any("empty" in f["evidence"] for f in ld_findings)
    # the text and the link after an 11 MB text node (the block) are read
    assert int(rows["/big-ld"]["word_count"]) >= 200
    malformed = [f for f in r.rules("ACC104") if f["url"] == fs.url + "/long-link"]
    length = len(fs.url) + len(long_link)
    assert malformed and f"{length:,} characters long, past the 2,083" in malformed[0]["evidence"]
    assert long_link not in asked


def test_t11_slow_loris_variants_time_out_without_blocking_others(aeo):
    def wait(req):
        time.sleep(8)

    def hang_after_headers(req):
        req.send_response(200)
        req.send_header("Content-Type", "text/html")
        req.send_header("Content-Length", "1000")
        req.end_headers()
        time.sleep(8)

    def drip(req):
        req.send_response(200)
        req.send_header("Content-Type", "text/html")
        req.end_headers()
        for _ in range(8):
            req.write(b"x")
            time.sleep(1)

    def slow_ok(req):
        time.sleep(1)
        req.send(200, page("slow").encode())

    fast = [f"/f{i}" for i in range(10)]
    routes = {"/": html(page("home", ["/wait", "/hang", "/drip", "/slow-ok", *fast])),
              "/wait": wait, "/hang": hang_after_headers, "/drip": drip, "/slow-ok": slow_ok}
    routes.update({p: html(page(p)) for p in fast})
    with site(routes) as fs:
        t0 = time.time()
        r = aeo(fs.url + "/", "--timeout", "3", "--retries", "1", "--concurrency", "4")
        elapsed = time.time() - t0
        fast_done = max(e["t"] for e in fs.log if e["path"] in fast)
        first_slow = min(e["t"] for e in fs.log if e["path"] == "/wait")
    assert r.code == 0, r.stderr
    assert elapsed < 60
    assert fast_done < first_slow + 3 * 2 + 1
    failed = {f["url"].rsplit("/", 1)[-1]: f["evidence"] for f in r.rules("ACC103")}
    for name in ("wait", "hang", "drip"):
        assert name in failed and "timeout" in failed[name]
    assert "slow-ok" not in failed


def test_t12_truncated_bodies_are_incomplete_not_short_pages(aeo):
    def partial(req):
        req.send(200, b"<html><p>sixteen bytes", length=1024)

    def broken_chunked(req):
        req.send_response(200)
        req.send_header("Content-Type", "text/html")
        req.send_header("Transfer-Encoding", "chunked")
        req.end_headers()
        req.write(b"10\r\n<html><p>abcdefg\r\n")

    with site({"/": html(page("home", ["/partial", "/chunked", "/ok"])), "/partial": partial,
               "/chunked": broken_chunked, "/ok": html(page("ok"))}) as fs:
        r = aeo(fs.url + "/")
    assert r.code == 0
    failed = {f["url"].rsplit("/", 1)[-1]: f["evidence"] for f in r.rules("ACC103")}
    assert "incomplete_response" in failed["partial"]
    assert "incomplete_response" in failed["chunked"]
    rows = {p["url"].rsplit("/", 1)[-1]: p for p in r.pages}
    assert rows["partial"]["word_count"] == "0" and rows["partial"]["status"] == ""


# -- T13: site down --------------------------------------------------------------------------
def test_t13_closed_port_exits_3_with_no_report(aeo):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    r = aeo(f"http://127.0.0.1:{port}/")
    assert r.code == 3
    assert r.manifest["status"] == "failed" and r.manifest["reason"] == "site_unreachable"
    assert "could not be reached (connection_refused" in r.stderr
    assert not (r.out / "findings.json").exists() and not (r.out / "audit.html").exists()
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_t13_nxdomain_exits_3_with_no_report(aeo):
    env = {"PYTHONPATH": str(Path(__file__).parent),
           "AEO_SCRAPY_SETTINGS": '{"DNS_RESOLVER": "fixtures.dnsplay.PlayResolver"}'}
    r = aeo("http://no-such-site.nx/", env=env)
    assert r.code == 3, r.stderr
    assert r.manifest["status"] == "failed" and r.manifest["reason"] == "site_unreachable"
    assert "could not be reached (dns" in r.stderr and "Traceback" not in r.stderr
    assert not (r.out / "findings.json").exists()


def test_bad_scrapy_settings_env_is_a_usage_error(aeo):
    r = aeo("http://127.0.0.1:9/", env={"AEO_SCRAPY_SETTINGS": "{nope"})
    assert r.code == 2 and "AEO_SCRAPY_SETTINGS" in r.stderr and not r.manifest


def test_t13_start_page_connection_reset_exits_3(aeo):
    def reset(req):
        import socket
        import struct
        req.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        req.connection.close()

    with site({"/": reset}) as fs:
        r = aeo(fs.url + "/")
    assert r.code == 3 and r.manifest["reason"] == "site_unreachable"


# -- T14 to T16: retries, rate limits, circuit breaker ----------------------------------------
def test_t14_retry_after_is_honoured_and_capped(aeo):
    from email.utils import formatdate

    def limited(req, key, header):
        if req.server.count(key) <= 2:
            req.send(429, b"slow down", headers={"Retry-After": header()})
        else:
            req.send(200, page(key).encode())

    routes = {"/": html(page("home", ["/limited", "/limited-date", "/limited-huge", "/ok"])),
              "/limited": lambda req: limited(req, "limited", lambda: "2"),
              "/limited-date": lambda req: limited(req, "date", lambda: formatdate(time.time() + 2, usegmt=True)),
              "/limited-huge": lambda req: req.send(429, b"no", headers={"Retry-After": "86400"}),
              "/ok": html(page("ok"))}
    with site(routes) as fs:
        r = aeo(fs.url + "/", "--retries", "2")
        hits = [e["t"] for e in fs.requests("/limited") if e["path"] == "/limited"]
        date_hits = [e["t"] for e in fs.requests("/limited-date")]
        assert len(fs.requests("/limited-huge")) == 1
    assert r.code == 0
    assert len(hits) == 3 and hits[1] - hits[0] >= 1.9 and hits[2] - hits[1] >= 1.9
    assert len(date_hits) == 3 and date_hits[1] - date_hits[0] >= 0.9
    assert any(f["url"].endswith("/limited-huge") for f in r.rules("ACC103"))


def test_t15_5xx_matrix_recorded(aeo):
    def flaky(req):
        if req.server.count("flaky") <= 2:
            req.send(503, b"busy")
        else:
            req.send(200, page("flaky").encode())

    routes = {"/": html(page("home", ["/flaky", "/dead", "/gone", "/teapot"])), "/flaky": flaky,
              "/dead": html("err", 500), "/gone": html("gone", 410), "/teapot": html("tea", 418)}
    with site(routes) as fs:
        r = aeo(fs.url + "/", "--retries", "2")
    assert r.code == 0
    status = {p["url"].rsplit("/", 1)[-1]: p["status"] for p in r.pages}
    assert status["flaky"] == "200" and status["dead"] == "500"
    assert status["gone"] == "410" and status["teapot"] == "418"
    broken = {f["url"].rsplit("/", 1)[-1]: f["evidence"] for f in r.rules("ACC009")}
    assert set(broken) == {"dead", "gone", "teapot"}
    assert "HTTP 500" in broken["dead"]


def test_t16_error_rate_circuit_breaker(aeo):
    pages = [f"/p{i}" for i in range(500)]

    def handler(req):
        if req.server.count("all") > 20:
            req.send(503, b"down")
        else:
            req.send(200, page(req.path, pages[:60]).encode())

    with site({"__default__": handler}) as fs:
        r = aeo(fs.url + "/", "--retries", "1", "--concurrency", "2")
        n = len(fs.log)
    assert r.code == 4
    assert r.manifest["complete"] is False and "error_rate" in r.manifest["reason"]
    assert n < 150  # 480 pages x 2 attempts would be 960 requests


# -- T17: redirects ------------------------------------------------------------------------
def test_t17_redirect_loops_and_long_chains(aeo):
    def self_chain(req):
        n = int(req.path.split("x=")[1]) if "x=" in req.path else 0
        req.send(302, b"", headers={"Location": f"/self?x={n + 1}"})

    routes = {"/": html(page("home", ["/a", "/self", "/r/1", "/rel", "/nolocation", "/latin"])),
              "/a": redirect("/b"), "/b": redirect("/a"), "/self": self_chain,
              "/rel": redirect("target"), "/target": html(page("target")),
              "/nolocation": redirect(None), "/latin": redirect("/caf\xe9"),
              "/r/*": lambda req: req.send(302, b"", headers={
                  "Location": f"/r/{int(req.path.rsplit('/', 1)[1]) + 1}"})}
    with site(routes) as fs:
        r = aeo(fs.url + "/")
        assert fs.requests("/target")
        assert len(fs.requests("/r/")) <= 12
    assert r.code == 0, r.stderr
    ev = " ".join(f["evidence"] for f in r.rules("ACC102"))
    assert "redirect loop" in ev and "/a → " in ev
    assert "too long" in ev
    assert "without a Location" in ev


# -- T27, T28: links ------------------------------------------------------------------------
def test_t27_malformed_hrefs_do_not_kill_other_links(aeo):
    bad = ["javascript:void(0)", "mailto:a@b.c", "tel:+1", "http://[::1", "http://h:99999/",
           "http://exa mple.com/", "http://%zz/"]
    good = [f"/ok{i}" for i in range(10)]
    routes = {"/": html(page("home", bad + good))}
    routes.update({p: html(page(p)) for p in good})
    with site(routes) as fs:
        r = aeo(fs.url + "/")
        assert {e["path"] for e in fs.log} >= set(good)
    assert r.code == 0
    ev = r.rules("ACC104")[0]["evidence"]
    assert "[::1" in ev and "99999" in ev


def test_t28_local_and_non_network_schemes_never_fetched(aeo, tmp_path):
    secret = tmp_path / "secret.txt"
    token = "TOKEN-" + os.urandom(6).hex()
    secret.write_text(token)
    links = [f"file://{secret}", "data:text/html,hello", "ftp://127.0.0.1/x", "s3://bucket/key"]
    with site({"/": html(page("home", links))}) as fs:
        r = aeo(fs.url + "/")
    assert r.code == 0
    assert token not in r.all_output_text()


# -- T41: redirects to internal hosts ---------------------------------------------------------
def test_t41_start_redirect_to_other_host_not_followed(aeo):
    with FixtureServer({"/internal-secret": html("INTERNAL ADMIN"),
                        "/latest/meta-data/": html("INTERNAL ADMIN")}, host="127.0.0.2") as inner:
        with site({"/start-redirect": redirect(inner.url + "/internal-secret")}) as fs:
            r = aeo(fs.url + "/start-redirect")
        with site({"/": html(page("home", ["/meta"])),
                   "/meta": redirect(inner.url + "/latest/meta-data/")}) as fs:
            r2 = aeo(fs.url + "/")
        assert inner.log == []
    assert r.code == 3 and "redirects to" in r.stderr
    assert r2.code == 0 and any(f["url"].endswith("/meta") for f in r2.rules("ACC105"))
    assert "INTERNAL ADMIN" not in r.all_output_text() + r2.all_output_text()
