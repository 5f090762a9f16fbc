"""T18 and T26: redirects to other schemes are never followed (also from the start URL), and
non-HTML or mislabeled responses are recorded as resources, never parsed, with a finding."""

from __future__ import annotations

from fixtures.server import FixtureServer, html, page, raw, redirect, text

ALLOW = text("User-agent: *\nAllow: /\n")
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
HTML = b"<html><head><title>Octet</title></head><body><h1>Octet</h1><p>" + b"word " * 50 + \
    b"</p></body></html>"


def test_t18_redirects_to_other_schemes_are_findings_not_fetches(aeo, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN-T18-do-not-read")
    targets = {"/r1": f"file://{secret}", "/r2": "ftp://127.0.0.1/", "/r3": "javascript:alert(1)",
               "/r4": "data:text/html,hi"}
    with FixtureServer({}, host="127.0.0.2") as other:
        targets["/r5"] = other.url + "/internal"
        routes = {"/robots.txt": ALLOW, "/": html(page("home", list(targets)))}
        routes.update({k: redirect(v) for k, v in targets.items()})
        with FixtureServer(routes) as fs:
            r = aeo(fs.url + "/")
            start = aeo(fs.url + "/r1")
        assert other.log == []
    assert r.code == 0
    flagged = {f["url"].rsplit("/", 1)[-1]: f["evidence"] for f in r.rules("ACC105")}
    assert set(flagged) == {"r1", "r2", "r3", "r4", "r5"}
    assert "not followed" in flagged["r3"]
    assert start.code == 3 and "TOKEN-T18" not in r.all_output_text() + start.all_output_text()


def test_t26_binaries_are_resources_and_mislabels_are_findings(aeo):
    routes = {"/robots.txt": ALLOW,
              "/": html(page("home", ["/pdf", "/png", "/octet", "/fakehtml", "/empty",
                                      "/nocontent", "/emptycs"])),
              "/pdf": raw(PDF, ctype="application/pdf"),
              "/png": raw(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, ctype="image/png"),
              "/octet": raw(HTML, ctype="application/octet-stream"),
              "/fakehtml": raw(PDF + b"\x00\x01" * 200, ctype="text/html"),
              "/empty": raw(b"", ctype="text/html"),
              "/nocontent": lambda req: req.send(204, b"", ""),
              "/emptycs": raw(b"<html><head><title>cs</title></head><body><p>hello there</p>"
                              b"</body></html>", ctype="text/html; charset=")}
    with FixtureServer(routes) as fs:
        r = aeo(fs.url + "/")
    assert r.code == 0
    rows = {row["url"].rsplit("/", 1)[-1]: row for row in r.pages}
    assert rows["pdf"]["status"] == "200" and rows["pdf"]["word_count"] == "0"
    assert rows["png"]["content_type"] == "image/png" and rows["png"]["word_count"] == "0"
    assert rows["fakehtml"]["word_count"] == "0"               # never handed to lxml
    assert rows["octet"]["title"] == "Octet"                    # sniffed and read
    assert rows["emptycs"]["title"] == "cs"
    assert rows["nocontent"]["status"] == "204"
    found = {f["url"].rsplit("/", 1)[-1]: f["evidence"] for f in r.rules("ACC109")}
    assert set(found) == {"octet", "fakehtml", "empty"}
    assert found["fakehtml"].startswith("PDF bytes served as text/html")
    assert "Traceback" not in r.stderr


def test_t29_declared_charset_that_does_not_match_the_bytes(aeo):
    doc = "<html><head>{meta}<title>Café</title></head><body><h1>Café crème</h1></body></html>"
    routes = {"/robots.txt": ALLOW, "/": html(page("home", ["/cp", "/utf8-as-latin", "/ok"])),
              "/cp": raw(doc.format(meta="").encode("cp1252"),
                         ctype="text/html; charset=utf-8"),
              "/utf8-as-latin": raw(doc.format(meta='<meta charset="iso-8859-1">').encode(),
                                    ctype="text/html"),
              "/ok": raw(doc.format(meta="").encode(), ctype="text/html; charset=utf-8")}
    with FixtureServer(routes) as fs:
        r = aeo(fs.url + "/")
    found = {f["url"].rsplit("/", 1)[-1]: f["evidence"] for f in r.rules("ACC110")}
    assert set(found) == {"cp", "utf8-as-latin"}
    assert "is not utf-8" in found["cp"] and "the bytes are UTF-8" in found["utf8-as-latin"]
    rows = {row["url"].rsplit("/", 1)[-1]: row for row in r.pages}
    assert rows["ok"]["title"] == "Café"
