"""Crawl coverage on loopback fixtures: a copy whose links use its real name, the www and bare
variants of one site, pagination deeper than the depth limit, sitemaps as a second source of
URLs (their folder, redirects, orphans) and the bounds on hostile sitemaps."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from conftest import ROOT
from fixtures.server import FixtureServer, Req, html, page, raw, redirect, text
from fixtures.static_site import StaticSite

ALLOW = text("User-agent: *\nAllow: /\n")


def site(routes: dict) -> FixtureServer:
    return FixtureServer({"/robots.txt": ALLOW, **routes})


def urlset(urls) -> bytes:
    return ("<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
            + "".join(f"<url><loc>{u}</loc></url>" for u in urls) + "</urlset>").encode()


# -- a copy whose links are absolute to its real name ------------------------------------------
REAL = "https://blog.example"


def absolute_blog(folder: Path) -> Path:
    """A built blog whose links and canonicals all use its real name."""
    posts = [f"posts/{i}/" for i in range(12)] + ["about/"]
    head = '<link rel="canonical" href="{}">'
    folder.mkdir()
    (folder / "index.html").write_text(page("Blog", [f"{REAL}/{p}" for p in posts],
                                            extra=head.format(REAL + "/")))
    for p in posts:
        (folder / p).mkdir(parents=True)
        (folder / p / "index.html").write_text(page(f"Post {p}", [REAL + "/"],
                                                    extra=head.format(f"{REAL}/{p}")))
    return folder


def test_a_copy_on_a_bare_port_is_not_a_complete_audit(aeo, tmp_path):
    with StaticSite(absolute_blog(tmp_path / "www")) as copy:
        r = aeo(copy.url)
    assert r.code == 4
    assert r.stderr.count("\n") == 1 and "incomplete audit" in r.stderr
    assert f"aeo audit {REAL}/ --connect-to blog.example:443:127.0.0.1:{copy.port}" in r.stderr
    run = r.findings["run"]
    assert run["complete"] is False and run["pages_analyzed"] == 1
    assert "13 pages on https://blog.example" in run["coverage"]["warnings"][0]
    html = (r.out / "audit.html").read_text()
    assert html.index("Incomplete audit") < html.index('class="summary"')   # at the top


def test_the_same_copy_under_its_real_name_is_the_whole_site(aeo, tmp_path):
    with StaticSite(absolute_blog(tmp_path / "www"), tls_names=("blog.example",)) as copy:
        r = aeo(REAL + "/", "--connect-to", f"blog.example:443:127.0.0.1:{copy.port}")
        log = list(copy.log)
    assert r.code == 0, r.stderr
    assert {e["host"] for e in log} == {"blog.example"} and {e["sni"] for e in log} == \
        {"blog.example"}
    run = r.findings["run"]
    assert run["complete"] is True and run["pages_analyzed"] == 14
    assert run["coverage"]["warnings"] == []


def test_connect_to_maps_exactly_and_keeps_names(aeo):
    routes = {"/": html(page("home", ["/a", "http://other.example/x"])), "/a": html(page("a"))}
    with site(routes) as fs:
        port = fs.server_address[1]
        r = aeo("http://shop.example/", "--connect-to", f"shop.example:80:127.0.0.1:{port}")
        log = list(fs.log)
    assert r.code == 0, r.stderr
    assert {e["host"] for e in log} == {"shop.example"}          # the Host header is the name
    assert {e["path"] for e in log} >= {"/", "/a", "/robots.txt"}
    assert r.manifest["settings"]["connect_to"] == [f"shop.example:80:127.0.0.1:{port}"]


@pytest.mark.parametrize("value", ["nonsense", "a:b:c:d", "a:80:b:99999", "a:80:[::1:80"])
def test_a_malformed_connect_to_is_one_line_and_exit_2(aeo, value):
    r = aeo("http://shop.example/", "--connect-to", value)
    assert r.code == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "--connect-to" in r.stderr and "Traceback" not in r.stderr


def test_connect_to_opens_the_ssrf_guard_for_its_address_only(aeo):
    """--connect-to names 127.0.0.1: a name that resolves to 127.0.0.2 is still refused."""
    play = {"PYTHONPATH": str(Path(__file__).parent),
            "AEO_SCRAPY_SETTINGS": json.dumps({"DNS_RESOLVER": "fixtures.dnsplay.PlayResolver",
                                               "DNSCACHE_ENABLED": False})}
    with FixtureServer({"__default__": html(page("INTERNAL"))}, host="127.0.0.2") as inner:
        port = inner.server_address[1]
        r = aeo(f"http://public.test:{port}/", "--connect-to",
                f"other.test:80:127.0.0.1:{port}", env=play)
        # an entry that changes only the port names no address: the host is checked as usual
        same_host = aeo(f"http://public.test:{port}/", "--connect-to",
                        f"public.test:{port}::{port}", env=play)
        assert inner.log == []
    assert r.code == 3 and "non-public address 127.0.0.2" in r.stderr
    assert same_host.code == 3 and "non-public address 127.0.0.2" in same_host.stderr


def test_connect_to_opens_its_address_for_its_host_and_port_only(aeo):
    with site({"/": html(page("LOCAL"))}) as fs:
        port = fs.server_address[1]
        r = aeo(f"http://localhost:{port}/", "--connect-to", "unrelated.test:443:127.0.0.1:9")
        assert fs.log == []
    assert r.code == 3 and "non-public address 127.0.0.1" in r.stderr


def test_make_audit_passes_connect_to(tmp_path):
    routes = {"/": html(page("home", ["/a"])), "/a": html(page("a"))}
    with site(routes) as fs:
        port = fs.server_address[1]
        proc = subprocess.run(
            ["make", "-s", "audit", "URL=http://shop.example/",
             f"CONNECT_TO=shop.example:80:127.0.0.1:{port}", f"WORKSPACE={tmp_path / 'ws'}",
             f"OUT={tmp_path / 'out'}", "AS_OF=2026-11-22"],
            cwd=ROOT, capture_output=True, text=True, timeout=300)
        hosts = {e["host"] for e in fs.log}
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().endswith("audit.html") and hosts == {"shop.example"}


# -- one site across its www and bare variants --------------------------------------------------
def test_links_to_the_bare_host_are_internal_and_grouped_by_acc115(aeo):
    pages = [f"/p{i}" for i in range(20)]

    def by_host(req: Req):
        host = req.headers.get("Host", "")
        path = req.path
        if host.startswith("example.test"):        # the bare host redirects to www
            req.send(301, b"", headers={"Location": f"http://www.{host}{path}"})
        elif path == "/robots.txt":
            req.send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        elif path == "/" or path in pages or path == "/pricing/":
            nav = [f"http://example.test:{port}/pricing/"] + pages   # the nav's bare-host link
            req.send(200, page(path, nav).encode())
        else:
            req.send(404, b"<html><body>no</body></html>")

    with FixtureServer({"__default__": by_host}) as fs:
        port = fs.server_address[1]
        r = aeo(f"http://www.example.test:{port}/", "--resolve", "www.example.test:127.0.0.1",
                "--resolve", "example.test:127.0.0.1")
    assert r.code == 0, r.stderr
    acc115 = [f for f in r.rules("ACC115")]
    assert len(acc115) == 1                                      # one fix, not 21 findings
    f = acc115[0]
    assert f["url"] == f"http://example.test:{port}/pricing/"
    assert "bare host to www" in f["evidence"] and f["detail"].startswith("22 page(s)")
    assert not r.rules("ACC009")


# -- depth is a safety net; pagination is not depth ---------------------------------------------
@pytest.mark.parametrize("style", ["/blog/page/{}/", "/blog/{}/", "/blog/?page={}"])
def test_a_paginated_archive_deeper_than_the_depth_limit_is_read_whole(aeo, style):
    """45 archive pages, each linking only to the next ('Older posts') and to its posts."""
    routes = {"/": html(page("home", ["/blog/"]))}
    n = 45
    for i in range(1, n + 1):
        links = [f"/posts/{i}-{j}" for j in range(3)]
        older = f'<a href="{style.format(i + 1)}">Older posts</a>' if i < n else ""
        routes["/blog/" if i == 1 else style.format(i)] = html(page(f"Archive {i}", links,
                                                                    extra=older))
        for j in range(3):
            routes[f"/posts/{i}-{j}"] = html(page(f"post {i}-{j}"))
    with site(routes) as fs:
        r = aeo(fs.url + "/")
        asked = {e["path"] for e in fs.log}
    assert r.code == 0, r.stderr
    assert {f"/posts/{n}-{j}" for j in range(3)} <= asked and style.format(n) in asked
    assert r.findings["run"]["complete"] is True


def test_pagination_links_are_told_from_ordinary_ones():
    from aeo.facts.reading import is_pagination

    series = {is_pagination(u, rel, label) for u, rel, label in (
        ("https://x.test/blog/page/3/", "", ""), ("https://x.test/blog/page/4/", "", ""))}
    assert len(series) == 1 and "" not in series          # one series, one budget
    for url, rel, label in (("https://x.test/blog?page=3", "", ""),
                            ("https://x.test/blog/page3", "", ""),
                            ("https://x.test/blog/3/", "", "Older posts"),
                            ("https://x.test/blog/3/", "", "Next »"),
                            ("https://x.test/blog/3/", "", "»"),
                            ("https://x.test/list/2/", "next", "")):
        assert is_pagination(url, rel, label), url
    for url, rel, label in (("https://x.test/news/2017/12/12/release-1.4.0.html", "", "1.4.0"),
                            ("https://x.test/?p=123", "", ""),            # a WordPress post id
                            ("https://x.test/shop/p/12345", "", ""),      # a product id
                            ("https://x.test/docs/v1/", "", "1"),
                            ("https://x.test/2023/", "", "2023"),
                            ("https://x.test/blog/3/", "", "Read more"),
                            ("https://x.test/blog/3/", "", "More posts"),
                            ("https://x.test/events/2027-01/", "", "Next month »"),
                            ("https://x.test/docs/intro/", "next", ""),   # no number: a chain
                            ("https://x.test/a?page=2&sort=x", "", ""),
                            ("https://x.test/docs/intro/", "", "Next")):
        assert not is_pagination(url, rel, label), url


def test_a_link_chain_past_the_depth_limit_says_which_option(aeo):
    routes = {"/": html(page("home", ["/c/1"]))}
    for i in range(1, 31):
        routes[f"/c/{i}"] = html(page(f"chain {i}", [f"/c/{i + 1}"]))
    with site(routes) as fs:
        r = aeo(fs.url + "/")
    assert r.code == 4
    warnings = r.findings["run"]["coverage"]["warnings"]
    assert any("--max-depth 20" in w for w in warnings), warnings
    assert "depth_limit" in r.stderr


# -- sitemaps as a second source of URLs ------------------------------------------------------
def test_sitemap_pages_and_orphans(aeo):
    with site({}) as fs:
        base = fs.url
        fs.routes.update({
            "/": html(page("home", ["/a"])), "/a": html(page("a")),
            "/orphan": html(page("orphan")), "/moved": redirect("/a", 301),
            "/gone": html("gone", status=404),
            "/sitemap.xml": redirect("/maps/sitemap.xml", 301),      # followed
            "/maps/sitemap.xml": raw(urlset([f"{base}/", f"{base}/a", f"{base}/orphan",
                                             f"{base}/moved", f"{base}/gone",
                                             "https://elsewhere.example/x"]),
                                     ctype="application/xml")})
        r = aeo(base + "/")
        asked = {e["path"] for e in fs.log}
    assert r.code == 0, r.stderr
    assert "/maps/sitemap.xml" in asked and "/orphan" in asked
    cov = r.findings["run"]["coverage"]
    assert cov["sitemap_urls"] == 6 and cov["sitemap_urls_crawled"] == 5
    assert cov["orphans"] == 1 and cov["orphan_urls"] == [f"{base}/orphan"]
    assert {p["url"]: p["orphan"] for p in r.pages}[f"{base}/orphan"] == "yes"
    assert "Orphan pages" in (r.out / "audit.html").read_text()
    acc116 = r.rules("ACC116")[0]
    for part in ("1 redirect", "1 fail", "1 another host or scheme"):
        assert part in acc116["evidence"]
    assert not r.rules("ACC006")


def test_a_sitemap_index_of_50000_sitemaps_names_those_left_unread(aeo):
    with site({}) as fs:
        index = ("<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/"
                 "sitemap/0.9'>" + "".join(f"<sitemap><loc>{fs.url}/s/{i}.xml</loc></sitemap>"
                                           for i in range(50_000)) + "</sitemapindex>").encode()
        fs.routes.update({"/": html(page("home", ["/a"])), "/a": html(page("a")),
                          "/sitemap.xml": raw(index, ctype="application/xml"),
                          "/s/*": lambda req: req.send(200, urlset([fs.url + "/a"]),
                                                       "application/xml")})
        r = aeo(fs.url + "/", timeout=300)
        read = [e for e in fs.log if e["path"].startswith("/s/")]
    # the cap is a limit the run hit: exit 4, one line naming the first sitemaps not read
    assert r.code == 4, r.stderr
    assert 0 < len(read) <= 50
    line = r.stderr.strip().splitlines()[-1]
    skipped = re.search(r"\(sitemap_limit\).* The sitemap indexes list ([\d,]+) more sitemaps "
                        r"than the 50 the crawl reads; their URLs were not read: (\S+), ", line)
    assert skipped and int(skipped.group(1).replace(",", "")) + len(read) == 50_000, line
    first_unread = skipped.group(2)
    assert first_unread.startswith(fs.url + "/s/")
    assert first_unread.removeprefix(fs.url) not in {e["path"] for e in read}
    assert "sitemap_limit" in (r.out / "audit.html").read_text()   # under "Limits hit"
    assert not r.findings["run"]["complete"]
    assert not r.rules("ACC007")          # a sitemap not read whole says nothing of a page


def test_a_sitemap_of_10_million_urls_is_cut_at_the_size_limit(aeo):
    entry = b"<url><loc>https://example.com/p/0000000000</loc></url>"

    def endless(req: Req):       # 10 million entries, about 550 MB, streamed
        req.send_response(200)
        req.send_header("Content-Type", "application/xml")
        req.send_header("Content-Length", str(len(entry) * 10_000_000 + 40))
        req.end_headers()
        req.write(b"<?xml version='1.0'?><urlset>")
        chunk = entry * 20_000
        for _ in range(500):
            req.write(chunk)

    with site({"/": html(page("home", ["/a"])), "/a": html(page("a")),
               "/sitemap.xml": endless}) as fs:
        r = aeo(fs.url + "/", "--max-page-mb", "8", timeout=300)
    assert r.code == 0, r.stderr
    acc107 = r.rules("ACC107")
    assert acc107 and "larger than the 50 MB a sitemap may be read to" in acc107[0]["evidence"]


def test_a_gzip_sitemap_of_10_million_urls_is_read_in_bounded_memory(aeo):
    """About 3 MB compressed, 550 MB inflated: read as a stream up to the 50 MB a sitemap may
    be, its first 50,000 entries kept, the rest counted, and said so. (Its URLs are on
    another host, which the coverage warning names.)"""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)      # gzip, fed in chunks
    parts = [packer.compress(b"<?xml version='1.0'?><urlset>" + b"".join(
        f"<url><loc>https://example.com/p/{i:010d}</loc></url>".encode() for i in range(60_000)))]
    chunk = b"<url><loc>https://example.com/p/0000000000</loc></url>" * 100_000
    parts += [packer.compress(chunk) for _ in range(99)]
    body = b"".join(parts) + packer.compress(b"</urlset>") + packer.flush()
    with site({"/": html(page("home", ["/a"])), "/a": html(page("a")),
               "/sitemap.xml": raw(body, ctype="application/gzip")}) as fs:
        r = aeo(fs.url + "/", timeout=300)
    assert r.code == 4 and "50000 of them are on https://example.com" in r.stderr
    assert "not read past its limit" in r.rules("ACC107")[0]["evidence"]
    notes = " ".join(r.findings["run"]["coverage"]["notes"])
    assert "sitemap entries were not read" in notes, notes
    assert r.findings["run"]["coverage"]["sitemap_urls"] == 50_000


def test_a_sitemap_past_50000_entries_is_read_to_the_protocol_limit(aeo):
    with site({}) as fs:
        urls = [f"{fs.url}/p/{i}" for i in range(60_000)]
        fs.routes.update({"/": html(page("home", ["/a"])), "/a": html(page("a")),
                          "/sitemap.xml.gz": raw(gzip.compress(urlset(urls)),
                                                 ctype="application/gzip"),
                          "/robots.txt": text(f"User-agent: *\nAllow: /\nSitemap: "
                                              f"{fs.url}/sitemap.xml.gz\n")})
        r = aeo(fs.url + "/", "--max-pages", "30", timeout=300)
    assert r.code == 4                     # the page budget stops the crawl, and says so
    cov = r.findings["run"]["coverage"]
    assert cov["sitemap_urls"] == 50_000
    assert any("10,000 sitemap entries were not read" in n for n in cov["notes"])
    assert any("--max-pages 30" in w for w in cov["warnings"])


def test_connect_to_syntax_units():
    sys.path.insert(0, str(ROOT))
    from aeo.crawler.resolver import ConnectTo, ConnectToError, connect_target

    e = ConnectTo.parse("Example.COM:443:127.0.0.1:8443")
    assert connect_target([e], "example.com", 443) == ("127.0.0.1", 8443)
    assert connect_target([e], "example.com", 80) is None
    any_host = ConnectTo.parse("::[::1]:")
    assert connect_target([any_host], "x.test", 80) == ("::1", 80)
    assert str(ConnectTo.parse("a.test::b.test:")) == "a.test::b.test:"
    with pytest.raises(ConnectToError):
        ConnectTo.parse("a.test:http:b:1")


def test_a_malformed_canonical_is_no_internal_error(aeo):
    bad = '<link rel="canonical" href="https://example.com:PORT/">'
    with site({"/": html(page("home", ["/a"], extra=bad)),
               "/a": html(page("a", extra='<link rel="canonical" href="http://[::1">'))}) as fs:
        r = aeo(fs.url + "/")
    assert r.code == 0, r.stderr
    assert "internal error" not in r.stderr


def test_a_numbered_pager_of_many_links_a_page_is_read_whole(aeo):
    """A WordPress-style pager (nine links on every page) over 80 pages: the pagination
    budget counts the series' pages, not its links."""
    n = 80
    routes = {"/": html(page("home", ["/blog/"]))}
    for i in range(1, n + 1):
        pager = [f"/blog/page/{k}/" for k in range(max(2, i - 4), min(n, i + 4) + 1)]
        routes["/blog/" if i == 1 else f"/blog/page/{i}/"] = html(
            page(f"Archive {i}", [f"/posts/{i}"] + pager))
        routes[f"/posts/{i}"] = html(page(f"post {i}"))
    with site(routes) as fs:
        r = aeo(fs.url + "/", timeout=300)
        asked = {e["path"] for e in fs.log}
    assert r.code == 0, r.stderr
    assert {f"/posts/{i}" for i in range(1, n + 1)} <= asked


def test_sitemap_urls_with_queries_are_pages_not_a_trap(aeo):
    with site({}) as fs:
        urls = [f"{fs.url}/product.html?id={i}" for i in range(120)]
        fs.routes.update({"/": html(page("home", ["/a"])), "/a": html(page("a")),
                          "/product.html": html(page("product")),
                          "/sitemap.xml": raw(urlset(urls), ctype="application/xml")})
        r = aeo(fs.url + "/", timeout=300)
        asked = [e["path"] for e in fs.log if e["path"].startswith("/product.html")]
    assert r.code == 0, r.stderr
    assert len(asked) == 120 and r.findings["run"]["coverage"]["warnings"] == []


def test_a_probed_sitemap_path_answering_html_is_no_sitemap_problem(aeo):
    """/sitemap_index.xml redirects to the home page, as many sites do with unknown paths:
    that is no sitemap there, not an unreadable one, and the real sitemap still counts."""
    with site({}) as fs:
        fs.routes.update({"/": html(page("home", ["/a"])), "/a": html(page("a")),
                          "/b": html(page("b")),
                          "/sitemap_index.xml": redirect("/", 302),
                          "/sitemap.xml": raw(urlset([fs.url + "/", fs.url + "/b"]),
                                              ctype="application/xml")})
        r = aeo(fs.url + "/")
    assert r.code == 0, r.stderr
    assert not r.rules("ACC107")
    acc007 = next(o for o in r.findings["rules"] if o["rule"] == "ACC007")
    assert acc007["applicable"] >= 1                                     # still judged


def test_starting_at_the_bare_host_of_a_www_site_is_no_copy(aeo):
    def by_host(req: Req):
        host = req.headers.get("Host", "")
        if host.startswith("example.test"):
            req.send(301, b"", headers={"Location": f"http://www.{host}{req.path}"})
        elif req.path == "/robots.txt":
            req.send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        else:
            canon = f'<link rel="canonical" href="http://{host}{req.path}">'
            req.send(200, page(req.path, [f"/p{i}" for i in range(8)], extra=canon).encode())

    with FixtureServer({"__default__": by_host}) as fs:
        port = fs.server_address[1]
        r = aeo(f"http://example.test:{port}/", "--resolve", "www.example.test:127.0.0.1",
                "--resolve", "example.test:127.0.0.1")
    assert r.code == 0, r.stderr
    cov = r.findings["run"]["coverage"]
    assert cov["warnings"] == [] and cov["notes"] == [] and cov["pages_analyzed"] == 9
