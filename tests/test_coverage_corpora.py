"""Crawl coverage on real sites written by others (../shared/corpora), served by a static host on
127.0.0.1: under their real names with --connect-to (over TLS where the real site is HTTPS), and
as they are. The truth is worked out from the files (fixtures/reachable.py): the HTML pages a
reader reaches from the home page and the sitemaps. The audit must analyse at least 95% of them,
and a copy audited under a name its links do not use must say so instead of looking complete."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from conftest import SHARED, run_aeo
from fixtures.reachable import reachable_pages, served_file
from fixtures.static_site import StaticSite

CORPORA = SHARED / "corpora"
pytestmark = pytest.mark.skipif(not CORPORA.exists(), reason="../shared/corpora absent")
AS_OF = ("--as-of", "2026-11-22")


def analysed_files(result, root: Path, prefix: str = "/") -> set[Path]:
    """The corpus files behind the pages the audit analysed (pages.csv: 200, HTML)."""
    with open(result.out / "pages.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    files = set()
    for row in rows:
        if row["status"] == "200" and "html" in row["content_type"]:
            f = served_file(root, prefix, urlsplit(row["url"]).path)
            if f is not None:
                files.add(f)
    return files


def assert_covers(result, root: Path, hosts: set[str], prefix: str = "/") -> None:
    truth = reachable_pages(root, hosts, prefix)
    got = analysed_files(result, root, prefix)
    missed = sorted(str(p.relative_to(root)) for p in truth - got)
    assert len(truth & got) >= 0.95 * len(truth), (len(truth & got), len(truth), missed[:20])


def as_run(audit: dict) -> SimpleNamespace:
    """The shared real-site audit (conftest.real_site) in the shape of run_aeo's result."""
    return SimpleNamespace(code=audit["exit"], findings=audit["report"], out=audit["out"],
                           stderr=audit["stderr"])


def findings(result, rule: str) -> list[dict]:
    return [f for f in result.findings["findings"] if f["rule"] == rule]


JUDGED = Path(__file__).parent / "fixtures" / "judged"
COVERAGE_RULES = ("ACC115", "ACC116")


def assert_judged(result, site: str, rules=COVERAGE_RULES) -> None:
    """Every finding of these rules on a real site is judged (tests/fixtures/judged/SITE.jsonl,
    read from the pages), and none that was judged false comes back."""
    verdicts = {}
    for line in (JUDGED / f"{site}.jsonl").read_text().splitlines():
        j = json.loads(line)
        if "rule" in j:                 # (page-type judgements have none)
            verdicts[(j["rule"], j["url"])] = j["verdict"]
    found = [(f["rule"], f["url"]) for f in result.findings["findings"] if f["rule"] in rules]
    assert found, f"no {rules} findings on {site}: the judged file no longer applies"
    unjudged = [k for k in found if k not in verdicts]
    false = [k for k in found if verdicts.get(k) == "FP"]
    assert not false and not unjudged, {"judged false": false, "not judged yet": unjudged}


def linking_pages(finding: dict) -> int:
    return int(re.match(r"(\d+) page", finding["detail"]).group(1))


# -- flink.apache.org under its real name, both schemes mapped -------------------------------
FLINK = CORPORA / "flink-site" / "www"
FLINK_HOSTS = {"flink.apache.org", "www.flink.apache.org"}


@pytest.fixture(scope="module")
def flink_real(real_site):
    """flink.apache.org under its real name: 443 over TLS and 80 redirecting to https, both
    through --connect-to (tests/precision.py serves it so, as make precision does)."""
    audit = real_site("flink-site")
    return as_run(audit), audit["logs"]["tls"], audit["logs"]["http"]


def test_flink_audited_under_its_real_name_over_tls_covers_the_site(flink_real):
    r, tls_log, plain_log = flink_real
    assert r.code == 0, r.stderr
    assert tls_log and all(e["host"] == "flink.apache.org" for e in tls_log)
    assert {e["sni"] for e in tls_log} == {"flink.apache.org"}    # the TLS name is the real one
    assert plain_log and all(e["host"] == "flink.apache.org" for e in plain_log)
    run = r.findings["run"]
    assert run["complete"] is True and run["start_url"] == "https://flink.apache.org/"
    cov = run["coverage"]
    assert cov["warnings"] == [] and cov["sitemap_urls"] == cov["sitemap_urls_crawled"] > 300
    assert cov["known_urls"] >= cov["pages_analyzed"] > 400
    assert all(f["url"].startswith(("https://flink.apache.org", "http://flink.apache.org"))
               for f in r.findings["findings"])
    assert_covers(r, FLINK, FLINK_HOSTS)
    assert_judged(r, "flink-site")


def test_acc115_groups_a_site_wide_link_and_names_the_redirect(flink_real):
    r, _, _ = flink_real
    acc115 = findings(r, "ACC115")
    urls = [f["url"] for f in acc115]
    assert len(urls) == len(set(urls))                   # one finding per redirecting link
    nav = max(acc115, key=linking_pages)                 # the navigation's /posts link
    assert linking_pages(nav) > 100 and "trailing slash added" in nav["evidence"]
    assert len(nav["urls"]) >= 3
    # old http:// links go through http → https and the alias page's meta refresh
    old = [f for f in acc115 if f["url"].startswith("http://flink.apache.org/news/")]
    assert old and all("http to https" in f["evidence"] for f in old)
    assert any("meta refresh" in f["evidence"] for f in old)
    # a link whose redirect ends on a missing page is ACC009's, not ACC115's
    assert "http://flink.apache.org/downloads.html" not in urls


# -- the same copy on a bare local port: a clear warning, not a complete-looking audit ---------
@pytest.fixture(scope="module")
def flink_bare(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("flink-bare")
    with StaticSite(FLINK) as site:
        # 80 of its 379 pages say as much as all of them: they all name the real host
        return run_aeo(site.url, tmp, *AS_OF, "--max-pages", "80", timeout=400), site.port


def test_flink_copy_on_a_bare_port_says_to_audit_it_under_its_real_name(flink_bare):
    r, port = flink_bare
    assert r.code == 4
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("aeo: incomplete ")
    assert f"--connect-to flink.apache.org:443:127.0.0.1:{port}" in lines[0]
    run = r.findings["run"]
    assert run["complete"] is False
    warning = run["coverage"]["warnings"][0]
    assert "https://flink.apache.org" in warning and "never fetched" in warning
    html = (r.out / "audit.html").read_text()
    assert html.index("Incomplete crawl") < html.index('class="summary"')   # at the top
    assert "https://flink.apache.org" in html[:html.index('class="summary"')]
    assert r.manifest["status"] == "incomplete" and r.manifest["complete"] is False


# -- erudika.com under its real name ----------------------------------------------------------
ERUDIKA = CORPORA / "erudika-site" / "www"


def test_erudika_under_its_real_name_covers_the_site(real_site):
    hosts = {"erudika.com", "www.erudika.com"}
    r = as_run(real_site("erudika-site"))
    assert r.code == 0, r.stderr
    cov = r.findings["run"]["coverage"]
    assert cov["warnings"] == [] and cov["sitemap_urls"] == cov["sitemap_urls_crawled"] == 81
    assert not findings(r, "ACC006")             # the sitemap robots.txt names is found
    assert_covers(r, ERUDIKA, hosts)
    about = next(f for f in findings(r, "ACC115") if f["url"] == "https://erudika.com/about")
    assert "https://erudika.com/about/" in about["evidence"] and linking_pages(about) > 50
    assert_judged(r, "erudika-site")


# -- the RStudio AI blog, as it is and in its folder under its real name ----------------------
RSTUDIO = CORPORA / "rstudio-ai-blog" / "www"


def test_rstudio_blog_served_as_it_is_covers_the_site(tmp_path):
    with StaticSite(RSTUDIO) as site:
        r = run_aeo(site.url, tmp_path, *AS_OF, timeout=300)
    assert r.code == 0, r.stderr
    assert_covers(r, RSTUDIO, {"127.0.0.1"})
    cov = r.findings["run"]["coverage"]
    # its canonicals and sitemap name the real host: said, but the pages were all crawled
    assert cov["warnings"] == [] and any("https://blogs.rstudio.com" in n for n in cov["notes"])
    acc116 = findings(r, "ACC116")
    assert acc116 and "91 another host or scheme" in acc116[0]["evidence"]


def test_a_site_in_a_folder_has_its_sitemap_found_there(real_site):
    host = "blogs.rstudio.com"
    audit = real_site("rstudio-ai-blog")     # served at https://blogs.rstudio.com/ai/
    r, asked = as_run(audit), {urlsplit(e["path"]).path for e in audit["logs"]["tls"]}
    assert r.code == 0, r.stderr
    assert "/ai/sitemap.xml" in asked
    assert not findings(r, "ACC006")
    assert r.findings["run"]["coverage"]["sitemap_urls"] == 91
    assert_covers(r, RSTUDIO, {host}, prefix="/ai/")
    assert_judged(r, "rstudio-ai-blog")


# -- Django's documentation, its files as they are, in its folder under its real name ----------
def test_django_docs_cover_the_site(real_site):
    """The Debian build, served under https://docs.djangoproject.com/en/3.2/ (the run that
    make precision and the precision tests share)."""
    root = CORPORA / "django-docs" / "html"
    r = as_run(real_site("django-docs"))
    assert r.code == 0, r.stderr
    assert_covers(r, root, {"docs.djangoproject.com"}, prefix="/en/3.2/")
    assert json.dumps(r.findings["run"]["coverage"]["warnings"]) == "[]"


def test_servers_serve_a_folder_reached_through_a_symbolic_link(tmp_path):
    """A checkout whose ../shared is a symbolic link: the test server, the reachability walk
    and the demo server serve what the link reaches, and still refuse '..'."""
    import urllib.request

    from fixtures.reachable import reachable_pages

    from aeo.demo.serve import resolve

    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    (real / "index.html").write_text("<a href='/sub/'>sub</a>")
    (real / "sub" / "index.html").write_text("<p>sub</p>")
    (tmp_path / "secret.txt").write_text("secret")
    link = tmp_path / "linked"
    link.symlink_to(real, target_is_directory=True)
    with StaticSite(link) as site:
        for path, status in (("/", 200), ("/sub/", 200), ("/../secret.txt", 404),
                             ("/%2e%2e/secret.txt", 404)):
            try:
                code = urllib.request.urlopen(f"http://127.0.0.1:{site.port}{path}",
                                              timeout=10).status
            except urllib.error.HTTPError as exc:
                code = exc.code
            assert code == status, path
    assert {p.name for p in reachable_pages(link, {"linked.test"})} == {"index.html"} and \
        len(reachable_pages(link, {"linked.test"})) == 2
    assert resolve(link, "/sub/") == link / "sub" / "index.html"
    assert resolve(link, "/../secret.txt") is None
