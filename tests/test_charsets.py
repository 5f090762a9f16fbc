"""T30: the charset matrix through a real crawl. Titles come out right, or the page is
flagged (ACC110); nothing crashes."""

from __future__ import annotations

from fixtures.server import FixtureServer, html, page, raw, text

ALLOW = text("User-agent: *\nAllow: /\n")
TITLE = "Café crème"


def doc(head: str = "", pad: int = 0) -> str:
    return (f"<!doctype html><html><head><!--{' ' * pad}-->{head}<title>{TITLE}</title></head>"
            f"<body><main><h1>{TITLE}</h1><p>Le café est prêt.</p></main></body></html>")


CASES = {
    "cp1252-nocharset": (doc().encode("cp1252"), "text/html"),
    "utf16-bom": (b"\xff\xfe" + doc('<meta charset="utf-16">').encode("utf-16-le"), "text/html"),
    "foobar": (doc().encode("utf-8"), "text/html; charset=foobar"),
    "commented-meta": (doc("<!-- <meta charset=iso-8859-1> -->").encode("utf-8"), "text/html"),
    "late-meta": (doc('<meta charset="iso-8859-1">', pad=1500).encode("latin-1"), "text/html"),
    "mixed": (doc().encode("utf-8").replace("prêt".encode(), "prêt".encode("latin-1")),
              "text/html; charset=utf-8"),
}


def test_t30_charset_matrix(aeo):
    routes = {"/robots.txt": ALLOW, "/": html(page("home", [f"/{k}" for k in CASES]))}
    routes.update({f"/{k}": raw(body, ctype=ctype) for k, (body, ctype) in CASES.items()})
    with FixtureServer(routes) as fs:
        r = aeo(fs.url + "/")
    assert r.code == 0 and "Traceback" not in r.stderr
    rows = {row["url"].rsplit("/", 1)[-1]: row for row in r.pages}
    flagged = {f["url"].rsplit("/", 1)[-1] for f in r.rules("ACC110")}
    for name in CASES:
        assert rows[name]["title"] == TITLE or name in flagged, (name, rows[name]["title"])
    assert "mixed" in flagged and "foobar" in flagged
