"""Fuzzing the parsers and analyzers with random and mutated bytes (hypothesis), for a bounded
time: no exception escapes, nothing hangs, memory stays bounded, and what is stored is JSON
without NaN. Seeds are real documents: the demo site's pages, JSON-LD blocks, robots.txt and
sitemap."""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aeo.analyzers.jsonld import jsonld_scripts, read_block
from aeo.analyzers.page import analyze_page
from aeo.analyzers.site import read_llms
from aeo.crawler.links import parse_html
from aeo.crawler.robots import parse_robots
from aeo.crawler.scope import Scope
from aeo.crawler.sitemaps import read_sitemap
from aeo.facts.records import Fetch
from aeo.rules.access import llms_problems

SITE = Path(__file__).resolve().parents[1] / "demo" / "site"
SEEDS = [p.read_bytes() for p in sorted(SITE.rglob("*.html"))[:12]]
ROBOTS = (SITE / "robots.txt").read_bytes()
SITEMAP = (SITE / "sitemap.xml").read_bytes()
SCOPE = Scope.from_url("http://demo.northwind.test/")
FUZZ = settings(max_examples=60, deadline=5000, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SLOWEST_S = 5.0       # no single input may take longer than this (no hang)
MAX_GROWTH_MB = 400   # nor grow the process's resident memory by more than this


def mutate(seed: bytes, cuts: list[int], junk: bytes) -> bytes:
    """Splice junk into a real document at a few places and cut it short at one."""
    data = bytearray(seed)
    for c in cuts:
        pos = c % (len(data) + 1)
        data[pos:pos] = junk
    return bytes(data[: max(1, (cuts[0] * 7919) % (len(data) + 1))]) if cuts and cuts[0] % 3 \
        == 0 else bytes(data)


JUNK = st.sampled_from([b"<script", b"</script>", b"<", b"\x00", b"\xff\xfe", b"{", b"]]>",
                        b'"', b"&#x", b"<!--", b"<svg onload=", b"\xc3\x28", b"\r\n" * 50,
                        b"<div>" * 300, b'<script type="application/ld+json">{"@type":',
                        b"NaN", b"1e999", b"\\u0000"]) | st.binary(max_size=64)
def rss_mb() -> float:
    """The process's resident memory now (not its lifetime peak: earlier tests raise that)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def _timed(fn, *args):
    before, t = rss_mb(), time.monotonic()
    result = fn(*args)
    assert time.monotonic() - t < SLOWEST_S
    assert rss_mb() - before < MAX_GROWTH_MB
    return result


@FUZZ
@given(seed=st.sampled_from(SEEDS), cuts=st.lists(st.integers(0, 10**6), max_size=4),
       junk=JUNK, encoding=st.sampled_from(["utf-8", "latin-1", "", "utf-16", "foobar"]))
def test_mutated_pages_never_crash_the_page_analyzer(seed, cuts, junk, encoding):
    body = mutate(seed, cuts, junk)
    facts = _timed(analyze_page, Fetch(url="http://demo.northwind.test/p", status=200,
                                       content_type="text/html", body=body,
                                       encoding=encoding), SCOPE, "http://demo.northwind.test/")
    json.dumps(facts.to_dict(), allow_nan=False)


@FUZZ
@given(body=st.binary(max_size=4096))
def test_random_bytes_never_crash_the_page_analyzer(body):
    facts = _timed(analyze_page, Fetch(url="http://demo.northwind.test/p", status=200,
                                       content_type="text/html", body=body), SCOPE,
                   "http://demo.northwind.test/")
    json.dumps(facts.to_dict(), allow_nan=False)


@FUZZ
@given(text=st.text(max_size=2000) | st.builds(
    lambda s, j: s[: len(s) // 2] + j + s[len(s) // 2:],
    st.sampled_from(['{"@context": "https://schema.org", "@type": "Article", "headline": "x"}',
                     '[{"@type": "Person"}, {"@type": "Thing", "name": [1, 2, {"a": null}]}]']),
    st.sampled_from([",", "}", "NaN", "//", "/*", "\n", "\x00", "{" * 100, "]" * 5, "'"])))
def test_jsonld_blocks_are_parsed_repaired_or_invalid(text):
    root = parse_html(b"<html><body><script type='application/ld+json'>"
                      + text.encode("utf-8", "surrogatepass") + b"</script></body></html>")
    scripts = jsonld_scripts(root) if root is not None else []
    if not scripts:
        return
    info, values = _timed(read_block, 0, scripts[0])
    assert info.status in ("parsed", "repaired", "invalid")
    assert info.status == "parsed" or info.error     # every failure says why
    if info.status == "invalid":
        assert values == []
    json.dumps([info.to_json(), values], allow_nan=False)


@FUZZ
@given(cuts=st.lists(st.integers(0, 10**5), max_size=4), junk=JUNK,
       status=st.sampled_from([200, 404, 500, 503, None]))
def test_robots_txt_never_crashes(cuts, junk, status):
    policy = _timed(parse_robots, status, mutate(ROBOTS, cuts, junk), "text/plain")
    policy.can_fetch("http://demo.northwind.test/blog/x", "Claude-SearchBot")


@FUZZ
@given(cuts=st.lists(st.integers(0, 10**5), max_size=4), junk=JUNK)
def test_sitemaps_never_crash(cuts, junk):
    parsed = _timed(read_sitemap, mutate(SITEMAP, cuts, junk), 1_000_000)
    assert isinstance(parsed.locs, list) and parsed.kind in ("urlset", "sitemapindex", "")


@FUZZ
@given(text=st.text(max_size=3000))
def test_llms_txt_never_crashes(text):
    llms = _timed(read_llms, 200, text.encode("utf-8", "surrogatepass"), "text/plain")
    assert isinstance(llms_problems(llms), list)
