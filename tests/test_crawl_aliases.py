"""T22 and T24: session ids and tracking parameters in links do not multiply pages; the access
log shows each real page fetched once, and the finding lists the aliases."""

from __future__ import annotations

import uuid

from fixtures.server import FixtureServer, html, page, text

ALLOW = text("User-agent: *\nAllow: /\n")


def test_t22_session_ids_collapse_to_the_real_pages(aeo):
    def linking(title):
        def handler(req):
            links = [f"/a;jsessionid={uuid.uuid4().hex}", f"/b?PHPSESSID={uuid.uuid4().hex}",
                     f"/c?sid={uuid.uuid4()}&lang=en"]
            html(page(title, links))(req)
        return handler
    routes = {"/robots.txt": ALLOW, "/": linking("home"), "/a": linking("a"),
              "/b": linking("b"), "/c": linking("c")}
    with FixtureServer(routes) as fs:
        r = aeo(fs.url + "/")
        ours = [e["path"] for e in fs.log if "aeo-audit" in e["ua"]]   # not the UA probes
    assert r.code == 0
    pages = sorted(p for p in ours if p not in ("/robots.txt", "/llms.txt")
                   and not p.startswith(("/sitemap", "/aeo-audit-missing-")))
    assert pages == ["/", "/a", "/b", "/c?lang=en"]   # each real page once, its own query kept
    ev = r.rules("ACC108")[0]["evidence"]
    assert "session ids:" in ev and "jsessionid=" in ev


def test_t24_tracking_parameters_fragments_and_default_port_are_one_page(aeo):
    with FixtureServer({"/robots.txt": ALLOW, "/p": html(page("p")), "/": None}) as fs:
        port = fs.server_address[1]
        links = ["/p?id=1&utm_source=a", "/p?utm_medium=b&id=1", "/p?id=1#top",
                 f"http://127.0.0.1:{port}/p?id=1", "/p?gclid=z&id=1"]
        fs.routes["/"] = html(page("home", links))
        r = aeo(fs.url + "/")
        fetched = [e["path"] for e in fs.log if e["path"].startswith("/p")]
    assert r.code == 0
    assert fetched == ["/p?id=1"]
    assert "tracking parameters:" in r.rules("ACC108")[0]["evidence"]
    assert sum(1 for row in r.pages if "/p" in row["url"]) == 1
