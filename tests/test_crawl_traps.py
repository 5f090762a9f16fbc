"""T21 and T23: endless calendars, ever-growing relative paths and faceted navigation end
within budget, never starve the real pages, and are reported as crawl traps."""

from __future__ import annotations

import itertools

from fixtures.server import FixtureServer, html, page, text

ALLOW = text("User-agent: *\nAllow: /\n")
REAL = [f"/real/{i}" for i in range(20)]


def test_t21_calendar_and_growing_paths_terminate_and_real_pages_are_crawled(aeo):
    def calendar(req):
        m = int(req.path.split("m=")[1]) if "m=" in req.path else 0
        html(page(f"month {m}", [f"/cal?m={m + 1}"]))(req)

    def grow(req):
        html(page("a", ["a/"]))(req)     # /a/ -> /a/a/ -> /a/a/a/ ...
    routes = {"/robots.txt": ALLOW, "/": html(page("home", ["/cal?m=0", "/a/"] + REAL)),
              "/cal": calendar, "/a/*": grow}
    routes.update({p: html(page(p)) for p in REAL})
    with FixtureServer(routes) as fs:
        r = aeo(fs.url + "/", "--max-depth", "500", "--max-pages", "400")
        fetched = {e["path"] for e in fs.log}
    assert r.code == 0, r.stderr
    assert set(REAL) <= fetched
    assert sum(1 for p in fetched if p.startswith("/cal")) <= 51
    assert max(len(p) for p in fetched) < 200
    ev = r.rules("ACC111")[0]["evidence"]
    assert "endless parameter: /cal?*" in ev and "repeating path" in ev
    assert r.manifest["complete"] is True


def test_t23_faceted_navigation_budget(aeo):
    facets = [f"/shop?color={c}&size={s}&sort={o}"
              for c, s, o in itertools.product("abcdefghij", range(1, 11), "xyz")]
    routes = {"/robots.txt": ALLOW, "/": html(page("home", facets[:400] + REAL)),
              "/shop": lambda req: html(page("shop", facets[::7]))(req)}
    routes.update({p: html(page(p)) for p in REAL})
    with FixtureServer(routes) as fs:
        r = aeo(fs.url + "/", "--max-pages", "2000")
        fetched = [e["path"] for e in fs.log]
    assert r.code == 0, r.stderr
    assert set(REAL) <= set(fetched)
    assert sum(1 for p in fetched if p.startswith("/shop")) <= 50
    assert "faceted navigation: /shop?*" in r.rules("ACC111")[0]["evidence"]
