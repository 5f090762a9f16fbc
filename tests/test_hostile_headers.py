"""T42: hostile response headers, local control surfaces and proxies. A header that older
Scrapy would have executed writes no sentinel; malformed, huge and duplicated headers are
recorded or rejected cleanly; no telnet or remote-control port listens during a run; an
http_proxy in the environment is not used (the SSRF checks could not apply through it)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

from fixtures.server import FixtureServer, html, page, raw_response, text

ALLOW = text("User-agent: *\nAllow: /\n")
BODY = b"<html><head><title>ok</title></head><body><h1>ok</h1><p>fine</p></body></html>"


def response(headers: list[bytes], body: bytes = BODY) -> bytes:
    return b"HTTP/1.1 200 OK\r\n" + b"".join(h + b"\r\n" for h in headers) + \
        b"Connection: close\r\n\r\n" + body


def test_t42_hostile_headers_are_recorded_or_rejected_cleanly(aeo, tmp_path):
    sentinel = tmp_path / "sentinel"
    routes = {
        "/robots.txt": ALLOW,
        "/": html(page("home", ["/policy", "/huge", "/nocolon", "/dupcl", "/cookies"])),
        "/policy": html(page("policy"), headers={
            "Referrer-Policy": "tests.sentinel.touch", "X-Sentinel": str(sentinel)}),
        "/huge": raw_response(response([b"X-Big-%d: " % i + b"a" * 8000 for i in range(100)]
                                       + [b"Content-Type: text/html",
                                          b"Content-Length: %d" % len(BODY)])),
        "/nocolon": raw_response(response([b"Content-Type: text/html", b"this line has none",
                                           b"Content-Length: %d" % len(BODY)])),
        "/dupcl": raw_response(response([b"Content-Type: text/html",
                                         b"Content-Length: %d" % len(BODY),
                                         b"Content-Length: %d" % (len(BODY) + 7)])),
        "/cookies": raw_response(response([b"Content-Type: text/html"]
                                          + [b"Set-Cookie: c%d=%s" % (i, b"v" * 100)
                                             for i in range(1000)]
                                          + [b"Content-Length: %d" % len(BODY)])),
    }
    with FixtureServer(routes) as fs:
        r = aeo(fs.url + "/")
    assert r.code in (0, 4) and "Traceback" not in r.stderr
    assert not sentinel.exists()
    rows = {row["url"].rsplit("/", 1)[-1]: row for row in r.pages}
    assert set(rows) >= {"policy", "huge", "nocolon", "dupcl", "cookies"}
    assert rows["policy"]["status"] == "200" and rows["cookies"]["status"] == "200"
    for name in ("huge", "nocolon", "dupcl"):
        assert rows[name]["status"] == "200" or rows[name]["error"], name


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_t42_no_control_port_and_no_proxy_during_a_run(tmp_path):
    def slow(req):
        time.sleep(0.4)
        html(page("slow"))(req)
    routes = {"/robots.txt": ALLOW, "/": html(page("home", [f"/s{i}" for i in range(8)])),
              "__default__": slow}
    with FixtureServer({"__default__": html("PROXIED")}, host="127.0.0.2") as proxy:
        with FixtureServer(routes) as fs:
            env = {"http_proxy": proxy.url, "HTTP_PROXY": proxy.url}
            proc = subprocess.Popen([sys.executable, "-m", "aeo", "audit", fs.url + "/",
                                     "--workspace", str(tmp_path / "ws"), "--quiet", "--out",
                                     str(tmp_path / "out")], env={**__import__("os").environ,
                                                                  **env},
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            deadline = time.monotonic() + 60
            while not [e for e in fs.log if e["path"].startswith("/s")] and \
                    time.monotonic() < deadline:
                time.sleep(0.1)
            open_ports = [p for p in range(6023, 6074) if _listening(p)]
            assert proc.wait(timeout=300) == 0, proc.stderr.read()
        assert proxy.log == []
    assert open_ports == []
