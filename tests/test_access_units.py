"""ACCESS rules on literal facts, beyond each rule's own examples."""

from __future__ import annotations

from aeo.facts.records import BotAccess, Probe, RobotsGroupLine
from aeo.governance import load_governance
from aeo.rules.base import all_rules, make_page, make_site, run_rule
from aeo.rules.served import canonical_issues

R = all_rules()
GOV = load_governance()


def outcome(rid, pages=None, **site):
    o = run_rule(R[rid], pages or [make_page()], make_site(**site), GOV)
    assert o.error is None, o.error     # a crash must not read as "passed"
    return o


def test_acc001_names_bot_group_and_line():
    b = BotAccess("OAI-SearchBot", "OpenAI", "search", ("https://example.com/",),
                  "User-agent: *", RobotsGroupLine(2, "Disallow: /"))
    o = outcome("ACC001", bots=(b,))
    (f,) = o.findings
    assert "OAI-SearchBot" in f.evidence and "line 2: Disallow: /" in f.evidence
    assert f.url.endswith("/robots.txt") and f.severity == "critical"


def test_acc002_ignores_required_bots():
    b = BotAccess("PerplexityBot", "Perplexity", "search", ("https://example.com/",), "x")
    assert outcome("ACC002", bots=(b,)).findings == ()


def test_acc004_needs_both_little_text_and_an_app_shell():
    thin = make_page(word_count=40, app_shell=False)
    shell = make_page(word_count=40, app_shell=True)
    rich_shell = make_page(word_count=600, app_shell=True)
    assert outcome("ACC004", [thin]).failed == 0
    assert outcome("ACC004", [shell]).failed == 1
    assert outcome("ACC004", [rich_shell]).failed == 0


def test_acc004_only_content_pages():
    legal = make_page(page_type="legal", word_count=5, app_shell=True)
    assert outcome("ACC004", [legal]).applicable == 0


def test_acc005_variants():
    for directives in (("none",), ("nosnippet",), ("max-snippet: 0",)):
        assert outcome("ACC005", [make_page(robots_directives=directives)]).failed == 1
    assert outcome("ACC005", [make_page(robots_directives=("max-snippet:50",))]).failed == 0


def test_acc007_not_applicable_without_sitemap_or_for_noindex():
    assert outcome("ACC007", sitemaps_found=()).applicable == 0
    noindex = make_page(robots_directives=("noindex",))
    o = outcome("ACC007", [noindex], sitemaps_found=("s",), sitemap_urls=frozenset())
    assert o.applicable == 0


def test_acc008_duplicate_pointing_at_its_original_passes():
    dup = make_page(url="https://example.com/a?ref=x", canonicals=("https://example.com/a",),
                    main_text_hash="h1")
    o = outcome("ACC008", [dup], status_by_url={"https://example.com/a": 200},
                main_hash_by_url={"https://example.com/a": "h1"})
    assert o.failed == 0
    other = make_page(url="https://example.com/b", canonicals=("https://example.com/a",),
                      main_text_hash="h2")
    o = outcome("ACC008", [other], status_by_url={"https://example.com/a": 200},
                main_hash_by_url={"https://example.com/a": "h1"})
    assert o.failed == 1 and "different content" in o.findings[0].evidence


def test_acc008_canonical_through_redirect_to_404():
    p = make_page(url="https://example.com/a", canonicals=("https://example.com/old",))
    o = outcome("ACC008", [p], status_by_url={"https://example.com/old": 301,
                                              "https://example.com/new": 404},
                redirects={"https://example.com/old": "https://example.com/new"})
    assert "HTTP 404" in o.findings[0].evidence


def test_acc009_one_finding_per_target_listing_sources():
    o = outcome("ACC009", status_by_url={"https://example.com/x": 404,
                                         "https://example.com/y": 200},
                inlinks={"https://example.com/x": ("https://example.com/a", "https://example.com/b"),
                         "https://example.com/y": ("https://example.com/a",)})
    (f,) = o.findings
    assert f.url == "https://example.com/x" and set(f.urls) == {"https://example.com/a",
                                                                 "https://example.com/b"}
    assert o.applicable == 2 and o.failed == 1


def test_acc010_challenge_page_and_not_applicable_without_browser_200():
    browser = Probe("browser", 200, False)
    o = outcome("ACC010", browser_probe=browser,
                bot_probes=(Probe("OAI-SearchBot", 200, True),))
    assert o.failed == 1 and "challenge" in o.findings[0].evidence
    o = outcome("ACC010", browser_probe=Probe("browser", 503, False),
                bot_probes=(Probe("OAI-SearchBot", 403, False),))
    assert o.applicable == 0
    o = outcome("ACC010", browser_probe=browser, bot_probes=(Probe("GPTBot", 403, False),))
    assert o.failed == 0  # not a required bot


def test_acc008_reads_the_canonical_engines_honour_in_head():
    """A second canonical inside <body> (a cross-post's 'originally appeared on') is ignored
    by engines: the page's own canonical in <head> stands, ACC114 reports the body one."""
    from conftest import analyze_html

    url = "https://example.com/blog/post"
    html = ("<html><head><title>Post</title><link rel='canonical' href='/blog/post'></head>"
            "<body><main><h1>Post</h1><p>Originally published elsewhere.</p>"
            "<link rel='canonical' href='https://partner.example/post'></main></body></html>")
    page = analyze_html(url, html)
    assert page.body_canonicals == ("https://partner.example/post",)
    assert any("inside <body>" in issue for issue in canonical_issues(page))
    assert outcome("ACC008", [page]).findings == ()
    only_body = analyze_html(url, html.replace("<link rel='canonical' href='/blog/post'>", ""))
    (f,) = outcome("ACC008", [only_body]).findings
    assert "the one inside <body> is ignored" in f.evidence
