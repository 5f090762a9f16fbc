"""The diagnose report: templates and priorities on literal facts, the month-over-month
comparison on the demo's two months, backlog.csv, history, the monthly schedule, and the HTML
in a real browser (Debian's chromium driven by Playwright): filters, no network, no console
errors, and no foreign script from a page full of injection payloads."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from dataclasses import replace

import pytest
from conftest import open_page
from fixtures.server import FixtureServer, html, text

from aeo.comparison import compare
from aeo.facts.records import Finding, RuleOutcome
from aeo.governance import load_governance
from aeo.reports.layouts import detect_templates, rollup, url_pattern
from aeo.reports.scoring import prioritize
from aeo.rules.base import all_rules, make_page, make_site

# the mechanics of scoring and priorities, every rule scored (the precision bar is tested
# on its own below / in test_scoring)
GOV = replace(load_governance(), settings={**load_governance().settings, "precision_bar": 0.0})
RULES = all_rules()


def run(*args, env=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "aeo", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})},
                          stdin=subprocess.DEVNULL)


# -- templates and priorities ---------------------------------------------------------------
def test_url_patterns():
    assert url_pattern("https://a.example/") == "/"
    assert url_pattern("https://a.example/blog/late-invoices") == "/blog/*"
    assert url_pattern("https://a.example/posts/2017-08-17-tf-released/") == "/posts/*"
    assert url_pattern("https://a.example/shop/123/red-shoes") == "/shop/*/*"
    assert url_pattern("https://a.example/about") == "/*"


def _pages():
    blog = [make_page(url=f"https://example.com/blog/post-{c}", skeleton="frameA")
            for c in "abcdef"]
    other = [make_page(url="https://example.com/blog/special", skeleton="frameB"),
             make_page(url="https://example.com/pricing", skeleton="frameA",
                       page_type="product")]
    return blog, other


def test_templates_group_by_url_pattern_and_skeleton():
    blog, other = _pages()
    templates = detect_templates(blog + other)
    assert [(t.name, len(t.urls)) for t in templates] == [("/blog/*", 6)]
    covered, loose = rollup([p.url for p in blog[:5]] + [other[0].url], templates)
    assert [(t.name, n) for t, n in covered] == [("/blog/*", 5)]   # 5 of 6: nearly all
    assert loose == [other[0].url]
    covered, loose = rollup([p.url for p in blog[:3]], templates)
    assert covered == [] and len(loose) == 3                     # half is not the template


def test_a_problem_in_a_template_is_one_fix():
    blog, other = _pages()
    pages = blog + other
    findings = tuple(Finding("AT002", "ATTR", "medium", ("all",), p.url, "article", "x", "y")
                     for p in blog)
    one = (Finding("AT001", "ATTR", "high", ("all",), blog[0].url, "article", "x", "y"),)
    outcomes = [RuleOutcome("AT002", "ATTR", 7, 6, findings),
                RuleOutcome("AT001", "ATTR", 7, 1, one)]
    ranked = prioritize(outcomes, pages, make_site(), GOV, RULES, detect_templates(pages))
    at002 = next(p for p in ranked if p.rule == "AT002")
    assert at002.template == "in the /blog/* template: 6 of its 6 pages"
    assert at002.effort == 1.0 and "one fix in the template" in at002.why
    without = prioritize(outcomes, pages, make_site(), GOV, RULES, [])
    assert next(p for p in without if p.rule == "AT002").effort > 1.5


def test_an_incomplete_crawl_never_fixes_a_finding(tmp_path):
    class Store:
        def run_findings(self, run_id):
            return [{"rule": "QA001", "url": "https://e.com/a", "severity": "medium"},
                    {"rule": "QA001", "url": "https://e.com/b", "severity": "medium"}]
    now = [{"rule": "QA001", "url": "https://e.com/a", "severity": "medium"}]
    pages = {"https://e.com/a": 200, "https://e.com/b": 200}
    done = compare(now, pages, {"run_id": "r1"}, Store(), complete=True)
    assert [f["url"] for f in done["fixed"]] == ["https://e.com/b"]
    partial = compare(now, pages, {"run_id": "r1"}, Store(), complete=False)
    assert partial["fixed"] == [] and [f["url"] for f in partial["not_comparable"]] == \
        ["https://e.com/b"]
    unseen = compare(now, {"https://e.com/a": 200}, {"run_id": "r1"}, Store())
    assert unseen["fixed"] == [] and len(unseen["not_comparable"]) == 1
    # T44 (f) the governance changed; T47 a rule that no longer exists
    changed = compare(now, pages, {"run_id": "r1"}, Store(), config_changed=True)
    assert changed["fixed"] == [] and changed["config_changed"] is True
    renamed = compare([], pages, {"run_id": "r1"}, Store(), known_rules={"QA002"})
    assert renamed["fixed"] == [] and len(renamed["not_comparable"]) == 2


# -- two months of the demo -----------------------------------------------------------------
@pytest.fixture(scope="module")
def months(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("months")
    ws = tmp / "ws"
    for month in (1, 2):
        # its own port: another test may run the demo on the default one meanwhile
        proc = run("demo", "--workspace", str(ws), "--out", str(tmp / f"m{month}"),
                   "--as-of", "2026-11-22", "--month", str(month), "--quiet",
                   env={"AEO_DEMO_PORT": "8766"})
        assert proc.returncode == 0, proc.stderr
        time.sleep(1.1)   # run ids are per second
    return tmp


def test_second_month_shows_what_was_fixed_and_what_is_new(months):
    first = json.loads((months / "m1" / "findings.json").read_text())
    second = json.loads((months / "m2" / "findings.json").read_text())
    assert first["comparison"] is None
    assert [p["rule"] for p in first["priorities"][:3]] == ["ACC010", "ACC001", "ACC004"]
    cmp = second["comparison"]
    fixed = {(f["rule"], f["url"].rsplit(":8766", 1)[-1]) for f in cmp["fixed"]}
    new = {(f["rule"], f["url"].rsplit(":8766", 1)[-1]) for f in cmp["new"]}
    assert {("ACC001", "/robots.txt"), ("QA003", "/support/common-questions")} <= fixed
    assert ("ACC005", "/pricing") in new
    assert cmp["not_comparable"] == []
    report = (months / "m2" / "audit.html").read_text()
    assert "Since the last audit" in report and 'class="trend"' in report


def test_history_and_compare_commands(months):
    ws = str(months / "ws")
    hist = run("history", "--workspace", ws)
    lines = [ln for ln in hist.stdout.splitlines()[1:] if ln.strip()]
    assert hist.returncode == 0 and len(lines) == 2 and all("complete" in ln for ln in lines)
    cmp = run("compare", "--workspace", ws)
    assert cmp.returncode == 0
    assert "2 fixed" in cmp.stdout.splitlines()[0]
    assert any(ln.split()[:2] == ["new", "ACC005"] for ln in cmp.stdout.splitlines())


def test_backlog_csv_one_row_per_priority(months):
    data = json.loads((months / "m1" / "findings.json").read_text())
    rows = list(csv.DictReader(open(months / "m1" / "backlog.csv", encoding="utf-8")))
    assert [r["rule"] for r in rows] == [p["rule"] for p in data["priorities"]]
    assert set(rows[0]) >= {"title", "rule", "pages", "template", "effort", "impact", "owner"}
    assert all(r["owner"] == "" for r in rows) and float(rows[0]["impact"]) > 0


# -- the monthly schedule --------------------------------------------------------------------
def test_schedule_install_list_remove_in_a_crontab_file_of_our_own(tmp_path):
    crontab = tmp_path / "crontab"
    crontab.write_text("# the user's own line\n15 3 * * * /usr/bin/backup\n")
    env = {"AEO_CRONTAB_FILE": str(crontab)}
    out = run("schedule", "https://example.com/", "--monthly", "--day", "3", "--out",
              str(tmp_path / "reports"), "--workspace", str(tmp_path / "ws"), env=env)
    assert out.returncode == 0, out.stderr
    lines = crontab.read_text().splitlines()
    assert lines[:2] == ["# the user's own line", "15 3 * * * /usr/bin/backup"]
    entry = lines[2]
    assert entry.startswith("0 6 3 * * ") and "-m aeo audit https://example.com/ --quiet" in entry
    assert str(tmp_path / "reports") + '/"$(date +\\%Y-\\%m)"' in entry
    assert "https://example.com/" in run("schedule", "--list", env=env).stdout
    assert run("schedule", "https://example.com/", "--monthly", "--day", "31", "--out", "x",
               env=env).returncode == 2
    removed = run("schedule", "https://example.com/", "--remove", env=env)
    assert removed.returncode == 0
    assert crontab.read_text().splitlines() == lines[:2]
    assert run("schedule", "https://example.com/", "--remove", env=env).returncode == 2


# -- the HTML in a real browser -------------------------------------------------------------
def test_demo_report_in_a_browser(browser, months, tmp_path):
    page, events = open_page(browser, months / "m1" / "audit.html")
    cards = lambda: page.locator("#findings .card:visible").count()  # noqa: E731
    everything = cards()
    assert everything >= 15
    # the rules under the precision bar are listed apart, each with what was measured
    assert page.locator("#advisory details").count() >= 5
    assert "measured precision" in page.locator("#advisory").inner_text()
    page.click("label[for=f-sev-critical]")
    critical = cards()
    assert 0 < critical < everything
    page.click("label[for=f-pillar-ACCESS]")
    assert cards() == critical                  # every critical finding is an ACCESS one
    page.click("label[for=f-sev-all]")
    page.click("label[for=f-pillar-all]")
    assert cards() == everything
    page.click("label[for=f-pt-faq]")
    assert 0 < cards() < everything
    page.click("label[for=f-pt-all]")
    order = """() => [...document.querySelectorAll('#findings .cards')[0].children]
        .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
        .map(c => c.id)"""
    by_priority = page.evaluate(order)
    page.click("label[for=sort-rule]")
    by_rule = page.evaluate(order)
    assert by_rule == sorted(by_priority) and by_rule != by_priority
    page.click("label[for=sort-pages]")
    most = page.evaluate(order)[0]
    counts = {c: page.locator(f"#{c} tr.f").count() for c in by_priority}
    assert counts[most] == max(counts.values())
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    assert events["console"] == []
    assert events["requests"] == [(months / "m1" / "audit.html").resolve().as_uri()]
    page.close()


PAYLOADS = ['<script>alert("t")</script>', '"><img src=x onerror=alert(1)>',
            "javascript:alert(2)", "<svg onload=alert(3)>", "{{7*7}}", "=HYPERLINK(\"x\")"]


def test_injected_page_yields_no_foreign_script(browser, tmp_path):
    p = PAYLOADS
    ld = json.dumps({"@context": "https://schema.org", "@type": "Organization",
                     "name": p[0], "url": p[2], "logo": p[1]})
    body = (f"<!doctype html><html><head><title>{p[0]} | {p[1]}</title>"
            f"<meta name='description' content='{p[1]}'><link rel='canonical' href='{p[2]}'>"
            f"<script type='application/ld+json'>{ld}</script></head><body><main>"
            f"<h1>{p[3]}</h1><p class='byline'>By {p[1]}</p><a href='{p[2]}'>{p[0]}</a> "
            f"<a href='/x?q={p[1]}'>{p[4]}</a><p>{' '.join(['lorem'] * 80)}</p>"
            f"<h2>Is it safe? {p[3]}</h2><p>{p[5]}</p><img src='/i.png' alt='{p[1]}'>"
            f"<a href='/{p[0]}'>path</a></main></body></html>").replace(
        "</head>", f"<meta property='og:image' content='{p[2]}'></head>")
    headers = {"Server": p[0], "X-Powered-By": p[1]}
    routes = {"/robots.txt": text("User-agent: *\nAllow: /\n"), "/": html(body, headers=headers),
              "/x": html(body), "__default__": html(body)}
    with FixtureServer(routes) as fs:
        proc = run("audit", fs.url + "/", "--workspace", str(tmp_path / "ws"), "--out",
                   str(tmp_path / "out"), "--quiet")
    assert proc.returncode == 0, proc.stderr
    page, events = open_page(browser, tmp_path / "out" / "audit.html")
    assert page.locator("script").count() == 0
    handlers = page.evaluate("""() => [...document.querySelectorAll('*')].flatMap(
        el => [...el.attributes].filter(a => a.name.startsWith('on')).map(a => a.name))""")
    assert handlers == []
    hrefs = page.evaluate("() => [...document.querySelectorAll('[href]')].map(a => a.getAttribute('href'))")
    assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")]
    assert all(h.startswith(("http://", "https://", "#")) for h in hrefs)
    assert "<script>alert(" in page.text_content("body")   # shown as text, never run
    assert events["console"] == [] and len(events["requests"]) == 1
    for name in ("findings.csv", "pages.csv", "entities.csv", "backlog.csv"):
        for row in csv.reader(open(tmp_path / "out" / name, encoding="utf-8")):
            assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in row), name
    page.close()
