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
