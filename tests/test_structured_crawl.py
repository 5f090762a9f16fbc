"""Structured data through the whole pipeline: real crawls of fixture sites on 127.0.0.1, the
findings and entities.csv a user reads, and parsing that never touches the network (T35)."""

from __future__ import annotations

import csv

from fixtures.server import FixtureServer, html, raw, text

ALLOW = text("User-agent: *\nAllow: /\n")


def site(routes: dict, host: str = "127.0.0.1") -> FixtureServer:
    return FixtureServer({"/robots.txt": ALLOW, **routes}, host=host)


def doc(head: str = "", body: str = "") -> str:
    return (f"<!doctype html><html lang=en><head><title>Acme</title>{head}</head><body><main>"
            f"<h1>Acme</h1><p>{'Acme makes ledgers. ' * 20}</p>{body}</main></body></html>")


def test_t35_parsing_never_fetches_contexts_vocabularies_or_profiles(aeo):
    with FixtureServer({"__default__": html("nope")}, host="127.0.0.2") as inner:
        far = inner.url
        head = (f'<link rel="profile" href="{far}/profile">'
                f'<script type="application/ld+json">{{"@context": "{far}/ctx", '
                f'"@type": "Thing", "name": "x"}}</script>')
        body = (f'<div vocab="{far}/v#" typeof="Thing"><span property="name">Acme</span></div>'
                f'<div itemscope itemtype="{far}/Type"><span itemprop="name">A</span></div>')
        with site({"/": html(doc(head, body))}) as fs:
            r = aeo(fs.url + "/")
        assert inner.log == []
    assert r.code == 0
    syntaxes = {row["syntax"] for row in csv.DictReader(open(r.out / "entities.csv"))}
    assert syntaxes == {"json-ld", "rdfa", "microdata"}


def test_a_broken_block_is_reported_and_its_neighbours_still_count(aeo):
    head = ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": '
            '"Organization", "@id": "/#org", "name": "Acme", "url": "/", "logo": "/l.png"}'
            '</script>'
            '<script type="application/ld+json; charset=utf-8">{"@context": "https://schema.org",'
            ' "@type": "WebSite", "name": "Acme", "publisher": {"@id": "/#org"},}</script>')
    with site({"/": html(doc(head))}) as fs:
        r = aeo(fs.url + "/")
    assert r.code == 0
    sd001 = r.rules("SD001")
    assert len(sd001) == 1 and sd001[0]["url"] == fs.url + "/"
    assert "block 2" in sd001[0]["evidence"] and "trailing_commas" in sd001[0]["evidence"]
    assert r.rules("SD005") == []     # the home page has its Organization and WebSite
    rows = list(csv.DictReader(open(r.out / "entities.csv")))
    assert [row["types"] for row in rows if row["syntax"] == "json-ld"] == [
        "Organization", "WebSite"]
    website = [row for row in rows if row["types"] == "WebSite"][0]
    assert website["references"] == f"{fs.url}/#org -> #0"
    page = [p for p in r.pages if p["url"] == fs.url + "/"][0]
    assert page["schema_types"] == "Organization WebSite"


def test_xhtml_served_as_xml_keeps_its_jsonld(aeo):
    body = ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n<html xmlns="http://www.w3'
            '.org/1999/xhtml" lang="en"><head><title>Café Acme</title><script type="application'
            '/ld+json">{"@context": "https://schema.org", "@type": "Organization", "name": '
            '"Café Acme", "url": "/", "logo": "/l.png"}</script></head><body><main><h1>Café '
            'Acme</h1><p>' + "Café Acme roasts coffee. " * 20 + '</p></main></body></html>')
    with site({"/": raw(body.encode("utf-8"), ctype="application/xhtml+xml")}) as fs:
        r = aeo(fs.url + "/")
    assert r.code == 0
    rows = list(csv.DictReader(open(r.out / "entities.csv", encoding="utf-8")))
    assert [(row["types"], row["name"]) for row in rows] == [("Organization", "Café Acme")]


def test_markup_that_is_not_on_the_page_and_inconsistent_organizations(aeo):
    faq = ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": '
           '"FAQPage", "mainEntity": [{"@type": "Question", "name": "Is Acme free?", '
           '"acceptedAnswer": {"@type": "Answer", "text": "Only for the first month."}}]}'
           '</script>')
    org = ('<script type="application/ld+json">{{"@context": "https://schema.org", "@type": '
           '"Organization", "name": "{0}", "url": "/", "logo": "/l.png"}}</script>')
    with site({"/": html(doc(org.format("Acme"), '<a href="/faq">FAQ</a> <a href="/about">A</a>')),
               "/faq": html(doc(faq, "<h2>Is Acme free?</h2><p>Yes, always.</p>")),
               "/about": html(doc(org.format("Acme Holdings")))}) as fs:
        r = aeo(fs.url + "/")
    assert r.code == 0
    sd006 = r.rules("SD006")
    assert [f["url"] for f in sd006] == [fs.url + "/faq"]
    assert "answer 'Only for the first month.'" in sd006[0]["evidence"]
    assert "Is Acme free" not in sd006[0]["evidence"]
    sd007 = r.rules("SD007")
    assert len(sd007) == 1 and "'Acme' on" in sd007[0]["evidence"]
    assert "'Acme Holdings' on" in sd007[0]["evidence"]
    assert set(sd007[0]["urls"]) == {fs.url + "/", fs.url + "/about"}


def test_a_theme_that_marks_every_page_as_blogposting_is_reported_once_as_its_cause(aeo):
    """Item 5 of the precision issue: BlogPosting on the privacy, pricing and contact pages is
    one template setting (SD101, once), not a missing byline, date and image on each page;
    those pages are typed from their URL and content, the posts stay articles."""
    def page(title: str, words: str) -> str:
        posting = ('<script type="application/ld+json">{"@context": "https://schema.org", '
                   f'"@type": "BlogPosting", "headline": "{title}"}}</script>')
        return (f"<!doctype html><html lang=en><head><title>{title} | Acme</title>{posting}"
                f"</head><body><main><h1>{title}</h1><p>{words * 30}</p></main></body></html>")
    routes = {"/": html(page("Acme ledgers", "Acme makes ledgers for small firms. ")),
              "/privacy": html(page("Privacy policy", "We keep your data in the EU. ")),
              "/pricing": html(page("Pricing", "The team plan costs 20 euros a month. ")),
              "/contact": html(page("Contact us", "Write to hello at acme dot example. "))}
    for n in range(5):
        routes[f"/blog/post-{n}"] = html(page(f"Closing the books, part {n}",
                                              "Reconcile the bank account every week. "))
    home = "".join(f'<a href="{u}">{u}</a> ' for u in routes if u != "/")
    routes["/"] = html(page("Acme ledgers", "Acme makes ledgers for small firms. ")
                       .replace("</main>", f"<p>{home}</p></main>"))
    with site(routes) as fs:
        r = aeo(fs.url + "/")
    assert r.code == 0
    sd101 = r.rules("SD101")
    assert len(sd101) == 1, sd101
    assert "BlogPosting on 9 of 9 pages" in sd101[0]["evidence"]
    assert "/privacy" in sd101[0]["evidence"] and "/pricing" in sd101[0]["evidence"]
    types = {p["url"][len(fs.url):]: p["page_type"] for p in r.pages}
    assert types["/privacy"] == "legal" and types["/pricing"] == "product"
    assert types["/contact"] == "contact" and types["/blog/post-0"] == "article"
    on_privacy = {f["rule"] for f in r.findings["findings"] if f["url"] == fs.url + "/privacy"}
    assert not on_privacy & {"SD004", "AT001", "FR001", "SD005"}, on_privacy
    # the posts' own BlogPosting still answers for them: their missing author is reported
    assert any(f["url"].endswith("/blog/post-0") for f in r.rules("SD004"))
