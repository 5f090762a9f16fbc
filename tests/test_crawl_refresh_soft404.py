"""T19 and T25: meta refresh (loops, delays, unsafe targets, malformed tags, noscript) and soft
404s (a catch-all 200 for unknown paths, redirects of old URLs to the home page)."""

from __future__ import annotations

from fixtures.server import FixtureServer, html, page, redirect, text

ALLOW = text("User-agent: *\nAllow: /\n")


def refresh(content: str, title: str, in_noscript: bool = False) -> str:
    tag = f'<meta http-equiv="refresh" content="{content}">'
    if in_noscript:
        tag = f"<noscript>{tag}</noscript>"
    return (f"<html><head><title>{title}</title>{tag}</head><body><main><h1>{title}</h1>"
            f"<p>{' '.join(['words'] * 40)}</p></main></body></html>")


def test_t19_meta_refresh_variants(aeo):
    routes = {"/robots.txt": ALLOW,
              "/": html(page("home", ["/a", "/ns", "/slow", "/js", "/bad"])),
              "/a": html(refresh("0;url=/b", "A")), "/b": html(refresh("0; URL=/a", "B")),
              "/ns": html(refresh("0;url=/elsewhere", "NS", in_noscript=True)),
              "/slow": html(refresh("300;url=/x", "Slow")),
              "/js": html(refresh("0; URL='javascript:alert(1)'", "JS")),
              "/bad": html(refresh("abc", "Bad")), "/x": html(page("x"))}
    with FixtureServer(routes) as fs:
        r = aeo(fs.url + "/")
        fetched = {e["path"] for e in fs.log}
    assert r.code == 0, r.stderr
    assert "/b" in fetched                      # a quick refresh is followed like a redirect
    assert "/x" not in fetched and "/elsewhere" not in fetched
    found = {f["url"].rsplit("/", 1)[-1]: f["evidence"] for f in r.rules("ACC112")}
    assert set(found) == {"a", "b", "slow", "js", "bad"}
    assert "loop" in found["a"] and "300 s" in found["slow"]
    assert "javascript:" in found["js"] and "not followed" in found["js"]
    assert "malformed" in found["bad"]
    rows = {row["url"].rsplit("/", 1)[-1]: row for row in r.pages}
    assert rows["ns"]["title"] == "NS"          # analysed; the noscript refresh ignored


def test_t25_soft_404s(aeo):
    missing = ("<html><head><title>Page not found | Shop</title></head><body><main><h1>Sorry"
               "</h1><p>We could not find that page. Try the search.</p></main></body></html>")
    routes = {"/robots.txt": ALLOW,
              "/": html(page("home", ["/real", "/thin", "/gone", "/old-product"])),
              "/real": html(page("real", words=200)),
              "/thin": html(page("thin but real", words=12)),
              "/old-product": redirect("/"),
              "__default__": html(missing)}
    with FixtureServer(routes) as fs:
        r = aeo(fs.url + "/")
    assert r.code == 0, r.stderr
    hit = r.rules("ACC113")[0]
    assert "catch-all 200" in hit["evidence"]
    flagged = {u.rsplit("/", 1)[-1] for u in hit["urls"]}
    assert flagged == {"gone", "old-product"}
