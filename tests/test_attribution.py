"""ATTR and FRESH: bylines and dates in the formats real sites use, a real multi-author blog
crawled from a local server and checked against its front matter, every rule on pages that
fail and pages that pass, and artificial freshening across two runs."""

from __future__ import annotations

import csv
import dataclasses
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from conftest import SHARED, analyze_html
from fixtures.server import FixtureServer, html, text

from aeo.analyzers.authors import author_matrix
from aeo.analyzers.dates import parse_human_date
from aeo.analyzers.names import split_names
from aeo.demo.serve import start
from aeo.facts.reading import entity_index
from aeo.facts.records import Identity, SectionTally
from aeo.governance import load_governance
from aeo.rules.base import all_rules, hits, make_site

FIXTURES = Path(__file__).parent / "fixtures"
BLOG = SHARED / "corpora" / "rstudio-ai-blog"
RULES = all_rules()
GOV = load_governance()
ROOT = "https://acme.example/"


def page(path: str, body: str, head: str = ""):
    return analyze_html(ROOT + path.lstrip("/"), (
        f"<!doctype html><html lang=en><head><title>Acme</title>{head}</head><body><header>"
        f"<nav><a href='/'>Home</a></nav></header><main><article>{body}</article></main>"
        "<footer><p>© Acme Analytics</p></footer></body></html>"))


def article(byline: str = "", extra: str = "", head: str = "", words: int = 220) -> str:
    text = " ".join(["Churn analysis shows which customers are about to cancel and why."]
                    * (words // 11))
    return f"<h1>Churn analysis</h1>{byline}<p>{text}</p>{extra}", head


def check(rule_id, facts, site=None, **settings):
    gov = dataclasses.replace(GOV, settings={**GOV.settings, **settings})
    return hits(RULES[rule_id].check(facts, site or make_site(root=ROOT, as_of="2026-11-22"), gov))


def ld(data: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


# -- labelled bylines and dates -------------------------------------------------------------------
def test_labelled_bylines():
    rows = [json.loads(x) for x in (FIXTURES / "bylines.jsonl").read_text().splitlines()]
    assert len(rows) >= 40
    wrong = [(r["raw"], split_names(r["raw"]), r["names"]) for r in rows
             if split_names(r["raw"]) != r["names"]]
    assert wrong == []


def test_labelled_date_strings():
    rows = [json.loads(x) for x in (FIXTURES / "dates.jsonl").read_text().splitlines()]
    assert sum(1 for r in rows if r["iso"]) >= 40
    wrong = [(r["raw"], parse_human_date(r["raw"]), r["iso"]) for r in rows
             if parse_human_date(r["raw"])[:10] != r["iso"]]
    assert wrong == []


# -- a real blog, crawled ---------------------------------------------------------------------
def test_rstudio_blog_authors_and_dates_from_pages_csv(tmp_path):
    """87 posts with authors and dates in meta tags and a visible byline, no JSON-LD."""
    server, url = start(0, root=BLOG / "www")
    try:
        proc = subprocess.run([sys.executable, "-m", "aeo", "audit", url, "--workspace",
                               str(tmp_path / "ws"), "--out", str(tmp_path / "out"), "--quiet",
                               "--max-pages", "500"], capture_output=True, text=True,
                              timeout=600, stdin=subprocess.DEVNULL)
    finally:
        server.shutdown()
    assert proc.returncode == 0, proc.stderr
    rows = {r["url"][len(url):]: r for r in
            csv.DictReader(open(tmp_path / "out" / "pages.csv", encoding="utf-8"))}
    truth = [json.loads(x) for x in (BLOG / "truth.jsonl").read_text().splitlines()]
    key = lambda n: " ".join(n.lower().replace(".", " ").split())  # noqa: E731
    f1s, dated, right = [], 0, 0
    for t in truth:
        if not t["authors"]:
            continue
        row = rows.get(t["path"]) or rows[t["path"].removesuffix("index.html")]
        got = {key(a) for a in row["author"].split("; ") if a}
        want = {key(a) for a in t["authors"]}
        tp = len(got & want)
        f1s.append(2 * tp / (len(got) + len(want)))
        if t["date"]:
            dated += 1
            right += row["date_published"][:10] == t["date"]
    assert len(f1s) == 87 and dated == 87
    assert sum(f1s) / len(f1s) >= 0.95
    assert right / dated >= 0.95


# -- ATTR on real pages ---------------------------------------------------------------------
def test_at001_and_at002():
    body, _ = article("<p>Published <time datetime='2026-03-02'>2 March 2026</time></p>")
    assert "no byline" in check("AT001", page("/blog/a", body))[0].evidence
    # an undated page of a manual whose pages name nobody is not an anonymous post
    manual, _ = article()
    anonymous = make_site(root=ROOT, dated_sections={"/docs/": SectionTally(40, 0, 0)})
    assert check("AT001", page("/docs/setup", manual), anonymous) is None
    release = body.replace("<h1>Churn analysis</h1>", "<h1>Ledger 4.2 released</h1>")
    assert check("AT001", page("/blog/ledger-4-2", release)) is None
    plain, _ = article("<p class='byline'>By Maria Okafor</p>")
    facts = page("/blog/a", plain)
    assert facts.author == "Maria Okafor" and check("AT001", facts) == []
    assert "Maria Okafor named by byline" in check("AT002", facts)[0].evidence
    linked, _ = article("<p>By <a href='/authors/maria' rel='author'>Maria Okafor</a></p>")
    assert check("AT002", page("/blog/a", linked)) == []


def test_at003_and_at004_read_the_markup():
    body, _ = article("<p class='byline'>By Admin</p>")
    facts = page("/blog/a", body, ld({"@context": "https://schema.org", "@type": "BlogPosting",
                                      "headline": "Churn analysis", "author": {
                                          "@type": "Person", "name": "Daniel Reyes",
                                          "url": "/authors/daniel"}}))
    assert "Daniel Reyes: Person markup lacks jobTitle, description, sameAs, knowsAbout, " \
           "worksFor" in check("AT003", facts)[0].evidence
    assert check("AT004", facts)[0].evidence == "byline: Admin; markup: Daniel Reyes"
    assert facts.author == "Daniel Reyes"      # markup outranks the visible byline
    assert "'Admin' (byline)" in check("AT006", facts)[0].evidence


def test_at003_resolves_an_author_id_across_the_site():
    person = {"@context": "https://schema.org", "@type": "ProfilePage", "mainEntity": {
        "@type": "Person", "@id": ROOT + "authors/maria#person", "name": "Maria Okafor",
        "jobTitle": "Head of Accounting Content", "description": "CPA.",
        "sameAs": ["https://www.linkedin.com/in/m"], "knowsAbout": ["tax"],
        "worksFor": {"@id": ROOT + "#org"}}}
    profile = page("/authors/maria", "<h1>Maria Okafor</h1><p>Maria is a CPA with twelve "
                   "years of experience.</p>", ld(person))
    body, _ = article("<p>By <a href='/authors/maria' rel='author'>Maria Okafor</a></p>")
    post = page("/blog/a", body, ld({"@context": "https://schema.org", "@type": "BlogPosting",
                                     "headline": "Churn", "author": {
                                         "@id": ROOT + "authors/maria#person"}}))
    site = make_site(root=ROOT, entities_by_id=entity_index([profile, post]))
    assert check("AT003", post, site) == []
    assert check("AT001", post, site) == []


def test_at005_author_matrix_and_credentials():
    body, _ = article("<p>By <a href='/authors/sam' rel='author'>Sam Lee</a></p>")
    post = dataclasses.replace(page("/blog/a", body), page_type="article")
    bare = page("/authors/sam", "<h1>Sam Lee</h1><p>Sam writes for the blog about all "
                "sorts of things, most weeks.</p>")
    matrix = author_matrix([post, bare])
    entry = matrix["sam lee"]
    assert entry.profile_page == ROOT + "authors/sam" and entry.pages == (post.url,)
    assert entry.credentials == ()
    hit = hits(RULES["AT005"].check(make_site(root=ROOT, authors=matrix), [post, bare], GOV))[0]
    assert hit.url == ROOT + "authors/sam"
    rich = page("/authors/sam", "<h1>Sam Lee</h1><p>Sam Lee is a chartered accountant with "
                "ten years of experience in small-business lending.</p>")
    matrix = author_matrix([post, rich])
    assert "chartered" in matrix["sam lee"].credentials
    assert hits(RULES["AT005"].check(make_site(root=ROOT, authors=matrix), [post, rich], GOV)) == []


def test_at006_brand_as_author_and_at007_reviewer():
    body, _ = article("<p class='byline'>By Acme Analytics</p>")
    facts = page("/blog/a", body)
    site = make_site(root=ROOT, identity=Identity("Acme Analytics"))
    assert "'Acme Analytics'" in check("AT006", facts, site)[0].evidence
    loans = ("<p>Before you apply for a loan, check your credit score: lenders use it to set "
             "the interest rate, and a tax return is required.</p>")
    body, _ = article("<p class='byline'>By Sam Lee</p>", loans)
    hit = check("AT007", page("/blog/a", body))[0]
    assert "loan, interest rate, credit score, tax return" in hit.evidence
    body, _ = article("<p class='byline'>By Sam Lee · Reviewed by Maria Okafor, CPA</p>", loans)
    reviewed = page("/blog/a", body)
    assert reviewed.attribution.reviewers == ("Maria Okafor",)
    assert check("AT007", reviewed) == []


# -- FRESH on real pages ----------------------------------------------------------------------
def test_fr001_fr002_fr003():
    body, _ = article()
    undated = page("/docs/close", body)
    # an undated page among undated ones (a manual) is not an undated post ...
    assert check("FR001", undated) is None
    # ... a post among dated posts, in a blog folder, or with a byline, is
    peers = make_site(root=ROOT, as_of="2026-11-22", dated_sections={"/docs/": SectionTally(12, 11, 0)})
    assert "no datePublished" in check("FR001", undated, peers)[0].evidence
    assert "no datePublished" in check("FR001", page("/blog/a", body))[0].evidence
    signed, _ = article("<p class='byline'>By Sam Lee</p>")
    assert "no datePublished" in check("FR001", page("/blog/a", signed))[0].evidence
    release, _ = article()
    release = release.replace("<h1>Churn analysis</h1>", "<h1>Ledger 4.2 released</h1>")
    old_release = page("/blog/ledger-4-2", release.replace(
        "<h1>", "<p>Published <time datetime='2019-11-20'>20 November 2019</time></p><h1>"))
    assert old_release.dated_kind == "release" and check("FR002", old_release) is None
    dated, _ = article("<p>Published <time datetime='2019-11-20'>20 November 2019</time></p>")
    facts = page("/blog/a", dated)
    assert facts.date_published == "2019-11-20" and check("FR001", facts) == []
    assert "84 months before the audit date 2026-11-22" in check("FR002", facts)[0].evidence
    assert check("FR002", facts, stale_months=120) == []
    clash, _ = article("<p>Published 3 March 2025 · Updated 1 February 2025</p>")
    facts = page("/blog/a", clash, ld({"@context": "https://schema.org", "@type":
                                      "BlogPosting", "headline": "Churn", "datePublished":
                                      "2026-06-02", "dateModified": "2027-01-01"}))
    ev = check("FR003", facts)[0].evidence
    assert "published: markup datePublished 2026-06-02 vs visible text 2025-03-03" in ev
    assert "is before published" in ev and "after the audit date 2026-11-22" in ev


def test_fr004_needs_a_previous_run_and_flags_a_bumped_date(tmp_path):
    def post(modified: str, words: str) -> str:
        return (f"<!doctype html><html><head><title>Churn | Acme</title>"
                f"{ld({'@context': 'https://schema.org', '@type': 'BlogPosting', 'headline': 'Churn', 'datePublished': '2026-01-05', 'dateModified': modified})}"
                f"</head><body><main><article><h1>Churn analysis</h1><p>By Sam Lee</p><p>"
                f"{words}</p></article></main></body></html>")
    text_a = "Churn analysis shows which customers are about to cancel and why. " * 30
    state = {"modified": "2026-09-15", "a": text_a, "b": text_a}
    routes = {"/robots.txt": text("User-agent: *\nAllow: /\n"),
              "/": lambda req: html("<html><head><title>Acme</title></head><body><h1>Acme</h1>"
                                    "<a href='/blog/a'>a</a> <a href='/blog/b'>b</a></body>"
                                    "</html>")(req),
              "/blog/a": lambda req: html(post(state["modified"], state["a"]))(req),
              "/blog/b": lambda req: html(post(state["modified"], state["b"]))(req)}
    ws, outs = tmp_path / "ws", []
    with FixtureServer(routes) as fs:
        for i in range(2):
            out = tmp_path / f"out{i}"
            proc = subprocess.run([sys.executable, "-m", "aeo", "audit", fs.url + "/",
                                   "--workspace", str(ws), "--out", str(out), "--quiet"],
                                  capture_output=True, text=True, timeout=300)
            assert proc.returncode == 0, proc.stderr
            outs.append(json.loads((out / "findings.json").read_text()))
            state.update(modified="2026-10-15", b=text_a + " A new section on win-back emails.")
            time.sleep(1.1)   # run ids are per second
    first, second = outs
    assert not [f for f in first["findings"] if f["rule"] == "FR004"]
    assert next(r for r in first["rules"] if r["rule"] == "FR004")["applicable"] == 0
    fr004 = [f for f in second["findings"] if f["rule"] == "FR004"]
    assert [f["url"] for f in fr004] == [fs.url + "/blog/a"]
    assert "moved from 2026-09-15 to 2026-10-15" in fr004[0]["evidence"]
    runs = sqlite3.connect(ws / "index.sqlite").execute("SELECT COUNT(*) FROM runs").fetchone()
    assert runs == (2,)


def test_author_table_holds_only_who_passed_the_pages_csv_bar():
    """Item 6 of the precision issue: the report's author table (author_matrix) and the rules
    that read it see the people pages.csv names, never the publisher standing in as author in
    markup, a CMS account, or the byline of a related-post teaser further down."""
    body, _ = article(
        "<p>By <a href='/authors/anna' rel='author'>Anna Berg</a></p>",
        extra="<aside class='related-posts'><h2>Read next</h2><article><h3>Churn in SaaS</h3>"
              "<p class='byline'>By Carl Doe</p></article></aside>")
    post = dataclasses.replace(page("/blog/churn", body, ld({
        "@context": "https://schema.org", "@type": "BlogPosting", "headline": "Churn analysis",
        "author": {"@type": "Organization", "name": "Acme Analytics"}})), page_type="article")
    admin = dataclasses.replace(page("/blog/admin-post", article(
        "<p class='byline'>By admin</p>")[0]), page_type="article")
    assert post.author == "Anna Berg" and admin.author == ""
    assert set(author_matrix([post, admin])) == {"anna berg"}


def test_htmldate_is_asked_only_where_its_day_can_change_the_date():
    """guess_matters: no published date, dates that disagree, or a UTC (or zoneless) time
    near a day's edge need htmldate's reading; one agreed day given as a date, or with its
    own offset, does not (the step is skipped; the date settled is the same)."""
    from aeo.analyzers.dates import guess_matters, settle
    from aeo.facts.records import DateCandidate as D

    one_day = [D("2024-03-05", "5 March 2024", "visible text", "published"),
               D("2024-03-05T10:00:00+01:00", "x", "markup", "published")]
    assert not guess_matters(one_day)
    for guess in ("2024-03-04", "2024-03-06", "2023-01-01", ""):
        assert settle(one_day, "published", guess) == settle(one_day, "published", "")
    assert guess_matters([])
    assert guess_matters([D("0001-01-01", "x", "markup", "published")])   # a placeholder only
    assert guess_matters([D("2024-03-05", "x", "markup", "published"),
                          D("2024-03-07", "x", "time element", "published")])
    utc = [D("2020-02-18T02:18:00Z", "x", "markup", "published")]
    assert guess_matters(utc) and settle(utc, "published", "2020-02-17") == "2020-02-17"
    assert guess_matters([D("2020-02-18T02:18:00", "x", "meta", "published")])


def test_the_short_elements_are_measured_as_xpath_measures_them():
    """The byline and date searches share one list of the body's short elements
    (analyzers/short_texts.py); the date search's own limit is on XPath's normalize-space() length,
    which collapses only XML's four spaces: a no-break space or a form feed is a character
    there (and a space to Python's split). The list's lengths are XPath's, on the cases that
    differ and at the limits."""
    from aeo.analyzers.short_texts import DATE_LIMIT, SHORT_LIMIT, SHORT_TAGS, short_texts
    from aeo.crawler.links import parse_document

    odd = ["\xa0", "\x0b", "\x0c", "\u2028", "\u3000", "\x85", " \t\r\n ", "é", "𝒜"]
    parts = []
    for i, space in enumerate(odd):
        for n in (DATE_LIMIT - 2, DATE_LIMIT - 1, DATE_LIMIT, SHORT_LIMIT - 1, SHORT_LIMIT):
            text = ("By" + space + "x" * n)[:n]
            tag = SHORT_TAGS[(i + n) % len(SHORT_TAGS)]
            parts.append(f"<{tag}> {text}{space}</{tag}><div><em>{space}{text}</em>{space}</div>")
    root, _ = parse_document(("<html><body>" + "".join(parts) + "</body></html>").encode(),
                             "utf-8")
    got = [(s.el, s.length, s.text) for s in short_texts(root)]
    want = [(el, int(el.xpath("string-length(normalize-space())")),
             " ".join(el.text_content().split()))
            for el in root.iter(*SHORT_TAGS)
            if el.xpath("string-length(normalize-space())") < SHORT_LIMIT]
    assert len(got) > 40 and got == want
    assert {n for _, n, _ in got} >= {DATE_LIMIT - 1, DATE_LIMIT}   # both sides of the limit


def test_htmldate_reads_the_page_without_its_style_sheets():
    """A library's banner in an inline sheet ('jQuery UI - v1.11.2 - 2015-01-02', as on a
    real shop page) is no date of the page: htmldate's full-text search no longer reads CSS.
    A date the page's own script carries is still found, and so is one in its text."""
    banner = "<style>/*! jQuery UI - v1.11.2 - 2015-01-02 */ .ui{margin:2px}</style>"
    undated = page("/blog/undated", article()[0], head=banner)
    assert undated.date_published == ""
    scripted = page("/blog/scripted", article()[0],
                    head=banner + "<script>var post={\"released\": \"2021-04-09\"}</script>")
    assert scripted.date_published == "2021-04-09"
    stated = page("/blog/stated", article(extra="<p>Revenue rose 4% in the quarter ended "
                                                "2023-06-30.</p>")[0], head=banner)
    assert stated.date_published == "2023-06-30"


def test_style_sheets_are_left_out_and_nothing_else():
    """without_style_sheets removes the text of the page's <style> elements as the parser read
    them, and nothing else: not a '<style>' in a title, a script or an attribute, not a sheet
    whose opening tag holds a '>' in quotes; on real pages an HTML parser reads the same
    elements and the same text but the sheets'. A page of thousands of sheets stays linear."""
    import gzip

    from lxml import html as lxml_html

    from aeo.analyzers.htmldate_reading import MAX_SHEETS
    from aeo.analyzers.htmldate_reading import without_style_sheets as strip
    from aeo.crawler.links import parse_document

    def stripped(raw: bytes) -> bytes:
        return strip(raw, parse_document(raw, None)[0])

    css = b".entry-title{margin:0 0 12px;color:#1997ab}"
    assert stripped(b"<html><head><STYLE media=x>" + css + b"</Style ></head><body><p>d</p>") \
        == b"<html><head><STYLE media=x></Style ></head><body><p>d</p>"
    quoted = b'<html><head><style media="(width >= 600px)">' + css + \
        b"</style></head><body><p>Published on 2020-05-06</p></body></html>"
    assert stripped(quoted) == quoted.replace(css, b"")
    for inner in (b"<title>A <style>" + css + b"</style> B</title>",
                 b"<script>x = '<style>" + css + b"</style>';</script>",
                 b"<!-- <style>" + css + b"</style> -->",
                 b'<img alt="<style>' + css + b'</style>">'):
        doc = b"<html><head>" + inner + b"</head><body><p>Published 2015</p></body></html>"
        assert stripped(doc) == doc, inner
    many = b"<html><head>" + (b"<style>" + css + b"</style>") * 20_000 + b"</head></html>"
    assert stripped(many).count(css) == 20_000 - MAX_SHEETS

    parser = lxml_html.HTMLParser(encoding="utf-8")   # a sheet gone moves a <meta charset> up

    def read(raw: bytes):
        tree = lxml_html.document_fromstring(raw, parser=parser)
        styles = [el.text or "" for el in tree.iter("style")]
        for el in tree.iter("style"):
            el.text = None
        return [el.tag for el in tree.iter()], tree.text_content(), styles

    changed = 0
    files = sorted((SHARED / "corpora").glob("*/**/*.htm*"))[::4]
    assert len(files) > 500
    for f in files:
        raw = gzip.decompress(f.read_bytes()) if f.suffix == ".gz" else f.read_bytes()
        before, after = read(raw), read(stripped(raw))
        assert before[:2] == after[:2], f
        assert all(a in ("", b) for a, b in zip(after[2], before[2], strict=True)), f   # emptied or whole
        changed += before[2] != after[2]
    assert changed > 100
