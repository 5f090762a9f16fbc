"""T20: canonical anomalies, each its own finding; a canonical target is fetched once (a canonical
stub leads to its page), never into a loop, and a canonical to another domain is never fetched."""

from __future__ import annotations

from fixtures.server import FixtureServer, html, page, redirect, text

ALLOW = text("User-agent: *\nAllow: /\n")


def doc(title: str, head: str = "", body: str = "") -> str:
    return (f"<html><head><title>{title}</title><meta property='og:type' content='article'>"
            f"{head}</head><body><main><h1>{title}</h1>"
            f"<p>{' '.join(['words'] * 60)}</p>{body}</main></body></html>")


def canon(href: str) -> str:
    return f'<link rel="canonical" href="{href}">'


def test_t20_canonical_anomalies(aeo):
    with FixtureServer({"__default__": html("OTHER")}, host="127.0.0.2") as other:
        routes = {
            "/robots.txt": ALLOW,
            "/": html(page("home", ["/a", "/b", "/to404", "/toredirect", "/elsewhere",
                                    "/relative", "/two", "/inbody", "/js"])),
            "/a": html(doc("A", canon("/b"))), "/b": html(doc("B", canon("/a"))),
            "/to404": html(doc("to404", canon("/missing"))),
            "/toredirect": html(doc("toredirect", canon("/moved"))),
            "/moved": redirect("/relative"),
            "/elsewhere": html(doc("elsewhere", canon(other.url + "/page"))),
            "/relative": html(doc("relative", canon("relative"))),
            "/two": html(doc("two", canon("/two") + canon("/a"))),
            "/inbody": html(doc("inbody", "", canon("/inbody"))),
            "/js": html(doc("js", canon("javascript:alert(1)")))}
        with FixtureServer(routes) as fs:
            r = aeo(fs.url + "/")
            fetched = [e["path"] for e in fs.log]
        assert other.log == []                      # another domain's canonical: never fetched
    assert r.code == 0
    assert fetched.count("/missing") == 1           # a canonical target is fetched, once
    assert fetched.count("/a") == 1 and fetched.count("/b") == 1   # a canonical cycle: once each
    anomalies = {f["url"].rsplit("/", 1)[-1]: f["evidence"] for f in r.rules("ACC114")}
    assert "canonical cycle" in anomalies["a"] and "canonical cycle" in anomalies["b"]
    assert "disagree" in anomalies["two"]
    assert "inside <body>" in anomalies["inbody"]
    assert "not an http(s) URL" in anomalies["js"]
    acc008 = {f["url"].rsplit("/", 1)[-1] for f in r.rules("ACC008")}
    assert {"to404", "toredirect", "elsewhere"} <= acc008
    assert "HTTP 404" in next(f["evidence"] for f in r.rules("ACC008") if f["url"].endswith("to404"))
    assert "relative" not in acc008 and "relative" not in anomalies   # resolves to itself
