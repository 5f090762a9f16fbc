from __future__ import annotations

import pytest

from aeo.analyzers.site import read_llms, robots_evidence
from aeo.crawler.middleware import retry_after_seconds
from aeo.crawler.robots import ALLOW_ALL, PARSE, UNREACHABLE, parse_robots, status_policy
from aeo.crawler.scope import InvalidURL, Scope, normalize_url, validate_start_url
from aeo.rules.access import llms_problems


def test_scope_host_forms():
    s = Scope.from_url("http://ExAmple.COM./")
    assert s.host == "example.com"
    assert s.contains("http://WWW.example.com/x") and s.contains("https://example.com/y")
    assert not s.contains("http://example.com:8080/") and not s.contains("http://other.com/")
    assert Scope.from_url("http://bücher.test:81/").host == "xn--bcher-kva.test"
    assert Scope.from_url("http://127.0.0.1:81/").hosts == {"127.0.0.1"}


def test_normalize_url():
    assert normalize_url("HTTP://Example.com:80/a?b=2&a=1#frag") == "http://example.com/a?a=1&b=2"
    assert normalize_url("https://example.com") == "https://example.com/"


@pytest.mark.parametrize("bad", ["file:///etc/passwd", "ftp://x/", "javascript:alert(1)", "",
                                 "http:/x", "-x", "http://exa mple.com/", "http://h:99999/"])
def test_validate_start_url_rejects(bad):
    with pytest.raises(InvalidURL):
        validate_start_url(bad)


def test_a_start_url_over_the_crawlers_length_limit_is_refused_saying_so(tmp_path):
    """Scrapy drops a request over URLLENGTH_LIMIT with a log line; a start URL that long is
    exit 2 with its length and the limit, before anything starts."""
    import subprocess
    import sys

    url = "http://example.com/" + "a" * 3000
    with pytest.raises(InvalidURL, match="3,019 characters long"):
        validate_start_url(url)
    assert validate_start_url("http://example.com/" + "a" * 2000)
    r = subprocess.run([sys.executable, "-m", "aeo", "audit", url, "--workspace",
                        str(tmp_path / "ws")], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "past the 2,083" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and not (tmp_path / "ws").exists()


def test_status_policy():
    assert status_policy(200) == PARSE and status_policy(404) == ALLOW_ALL
    assert status_policy(503) == UNREACHABLE and status_policy(None) == UNREACHABLE


def test_parse_robots_and_evidence():
    text = "User-agent: *\nAllow: /\n\nUser-agent: GPTBot\nUser-agent: CCBot\nDisallow: /\n"
    pol = parse_robots(200, text.encode(), "text/plain")
    assert not pol.can_fetch("https://e.com/a", "GPTBot") and pol.can_fetch("https://e.com/a", "x")
    group, line = robots_evidence(text, "CCBot", "https://e.com/a")
    assert group == "User-agent: CCBot" and line.line_no == 6 and line.text == "Disallow: /"


@pytest.mark.parametrize("status,body,ctype,words", [
    (404, b"", "", "no robots.txt (HTTP 404): every crawler may fetch every page"),
    (301, b"", "", "robots.txt still redirects after 5 hops (HTTP 301); treated as absent"),
    (200, b"\x89PNG\r\n", "image/png", "robots.txt is binary data, not text; treated as allow-all"),
    (200, b"<!doctype html><p>hi", "text/html",
     "robots.txt is an HTML or XML document, not plain text; treated as allow-all"),
    (200, b"User-agent: *\nAllow: /\n", "application/octet-stream",
     "robots.txt is served as application/octet-stream, not text/plain"),
    (200, b"User-agent: *\n" + b"Disallow: /x\n" * 60_000, "text/plain",
     "robots.txt is 761 KiB; rules after the first 500 KiB are ignored"),
])
def test_robots_problems_are_observed_by_the_crawler_and_worded_by_the_rule(status, body, ctype, words):
    """The crawler records a code and its numbers; ACC101 says what it means."""
    from aeo.rules.crawl import ROBOTS_SAYS, say

    problems = parse_robots(status, body, ctype).problems
    assert [p.code for p in problems] == [p.code for p in problems if p.code in ROBOTS_SAYS]
    assert "; ".join(say(p, ROBOTS_SAYS) for p in problems) == words


def test_every_problem_code_the_crawler_records_has_the_rules_words():
    from aeo.facts.events import LINK_CODES, ROBOTS_CODES, SITEMAP_CODES
    from aeo.rules.crawl import LINK_SAYS, ROBOTS_SAYS, SITEMAP_SAYS

    assert set(ROBOTS_SAYS) == set(ROBOTS_CODES)
    assert set(SITEMAP_SAYS) == set(SITEMAP_CODES)
    assert set(LINK_SAYS) == set(LINK_CODES)


def test_events_of_a_run_recorded_before_problem_codes_keep_their_words():
    from aeo.facts.events import CrawlEvent, Problem, stored
    from aeo.rules.crawl import SITEMAP_SAYS, say

    old = CrawlEvent.from_row("sitemap_problem", "https://e.com/s.xml",
                              {"problem": "not an XML sitemap", "gone_key": 1})
    assert say(old.problem, SITEMAP_SAYS) == "not an XML sitemap"
    new = CrawlEvent.from_row("sitemap_problem", "https://e.com/s.xml",
                              stored({"problem": Problem("root_element", value="html")}))
    assert say(new.problem, SITEMAP_SAYS) == "not an XML sitemap (root element 'html')"
    loop = CrawlEvent.from_row("redirect_loop", "https://e.com/a", {"chain": ["a", "b", "a"]})
    assert loop.chain == ("a", "b", "a") and loop.problem is None


def test_retry_after_forms():
    assert retry_after_seconds(b"3") == 3
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds("soon") is None


def test_llms_format():
    good = b"# Acme\n> Analytics.\n\n## Docs\n- [Guide](https://a.example/g): setup\n"
    assert llms_problems(read_llms(200, good, "text/markdown")) == []
    assert "missing" in llms_problems(read_llms(404, b"", ""))[0]
    assert any("H1" in p for p in llms_problems(read_llms(200, b"Acme\n- [a](b)\n", "text/plain")))
    assert llms_problems(read_llms(200, b"<!doctype html><p>hi", "text/html")) == [
        "/llms.txt answers with an HTML page, not markdown"]
