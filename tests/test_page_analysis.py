"""Page facts and page types on real pages: the bundled demo and pages written by others."""

from __future__ import annotations

from pathlib import Path

import pytest

from aeo.analyzers.page import analyze_page
from aeo.crawler.scope import Scope
from aeo.facts.records import Fetch

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpora"
SCOPE = Scope.from_url("http://site.test/")


def facts(url, body: bytes, **kw):
    f = Fetch(url=url, status=200, content_type="text/html; charset=utf-8", body=body, **kw)
    return analyze_page(f, SCOPE, "http://site.test/")


def test_robots_meta_header_nosnippet_and_canonical():
    body = (b'<html><head><meta name="robots" content="NoIndex, Follow">'
            b'<link rel="canonical" href="/a"></head><body><main data-nosnippet>'
            b'<h1>T</h1><p>words here</p></main></body></html>')
    p = facts("http://site.test/a?x=1", body, headers={"x-robots-tag": "googlebot: nosnippet"})
    assert "noindex" in p.robots_directives and "nosnippet" in p.robots_directives
    assert p.canonicals == ("http://site.test/a",) and p.main_in_nosnippet


def test_app_shell_detected():
    body = b'<html><body><div id="root"></div><script src="/a.js"></script></body></html>'
    assert facts("http://site.test/app", body).app_shell
    body2 = b'<html><body><div id="root"><p>Rendered text</p></div><script src="/a.js"></script></body></html>'
    assert not facts("http://site.test/app", body2).app_shell


@pytest.mark.skipif(not (SHARED / "rstudio-ai-blog").exists(), reason="shared corpora absent")
def test_rstudio_blog_posts_are_articles_and_listing_is_not():
    www = SHARED / "rstudio-ai-blog" / "www"
    posts = sorted(www.glob("posts/*/index.html"))[:15]
    assert posts
    for path in posts:
        rel = path.relative_to(www).parent.as_posix()
        p = facts(f"http://site.test/{rel}/", path.read_bytes())
        assert p.page_type == "article", (rel, p.schema_types, p.og_type)
        assert p.word_count > 100 and p.title
    home = facts("http://site.test/", (www / "index.html").read_bytes())
    assert home.page_type == "home"


@pytest.mark.skipif(not (SHARED / "django-docs").exists(), reason="shared corpora absent")
def test_django_faq_pages_count_question_headings():
    import json
    truth = [json.loads(x) for x in (SHARED / "django-docs" / "question_headings.jsonl").read_text().splitlines() if x.strip()]
    by_path = {}
    for t in truth:
        if t["level"] > 1:
            by_path[t["path"]] = by_path.get(t["path"], 0) + 1
    html_root = SHARED / "django-docs" / "html"
    checked = 0
    for path, n in sorted(by_path.items())[:5]:
        file = html_root / path if (html_root / path).exists() else html_root / path.lstrip("/")
        if not file.exists():
            continue
        p = facts(f"http://site.test/{path}", file.read_bytes())
        assert p.question_headings >= n
        checked += 1
    assert checked


def test_encodings_libxml2_does_not_name_are_decoded_by_python():
    """Scrapy reports 'latin-1' for ISO-8859-1 pages; libxml2 knows no such name (the fuzz
    tests found this: the page's analysis failed)."""
    from aeo.analyzers.page import analyze_page
    from aeo.crawler.scope import Scope
    from aeo.facts.records import Fetch

    body = "<html><head><title>Café crème</title></head><body><h1>Café</h1></body></html>"
    for enc in ("latin-1", "cp1252", "iso-8859-1", "L1"):
        facts = analyze_page(Fetch(url="http://x.test/", status=200, content_type="text/html",
                                   body=body.encode("latin-1"), encoding=enc),
                             Scope.from_url("http://x.test/"), "http://x.test/")
        assert facts.title == "Café crème" and facts.fetch_error is None, enc


CORPORA_PAGES = [
    # (corpus file, URL it is served at, page type): classes of pages real sites have
    ("flink-site/www/2022/05/06/async-sink-base.html",
     "http://site.test/2022/05/06/async-sink-base.html", "other"),      # an alias redirect page
    ("flink-site/www/zh/index.html", "http://site.test/zh/", "home"),    # a language's home
    ("rstudio-ai-blog/www/index.html", "http://site.test/index.html", "home"),  # home by its file
    ("rstudio-ai-blog/www/gallery.html", "http://site.test/gallery.html", "listing"),
    ("django-docs/html/contents.html", "http://site.test/contents.html", "listing"),  # a TOC
    ("django-docs/html/faq/index.html", "http://site.test/faq/index.html", "listing"),
    ("django-docs/html/topics/db/models.html", "http://site.test/topics/db/models.html",
     "article"),                                                        # /topics/ of a docs site
    ("django-docs/html/intro/tutorial01.html", "http://site.test/intro/tutorial01.html",
     "article"),                                                        # a guide, no markup
    ("django-docs/html/releases/3.2.25.html", "http://site.test/releases/3.2.25.html", "article"),
    ("flink-site/www/documentation/flink-stable/index.html",
     "http://site.test/documentation/flink-stable/", "other"),          # og:type article, a link
    ("django-docs/html/_modules/django/db/transaction.html",
     "http://site.test/_modules/django/db/transaction.html", "other"),  # a source listing
]


@pytest.mark.skipif(not SHARED.exists(), reason="shared corpora absent")
@pytest.mark.parametrize("path,url,expected", CORPORA_PAGES, ids=[c[0] for c in CORPORA_PAGES])
def test_page_types_of_real_pages(path, url, expected):
    p = facts(url, (SHARED / path).read_bytes())
    assert p.page_type == expected, (p.page_type, p.main_word_count, p.og_type)
