"""Serve the bundled demo site on 127.0.0.1, as a small company's web server would, including
one planted server-side problem: a CDN-style 403 for PerplexityBot's user agent (ACC010).

`month=2` serves the site a month later, after the team's first fixes and one new mistake
(see MONTH_2): what the month-over-month comparison should report as fixed and new."""

from __future__ import annotations

import argparse
import json
import re
import threading
from functools import partial
from html import unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from aeo.demo.build import BASE, SITE

TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/xml", ".txt": "text/plain; charset=utf-8",
         ".png": "image/png", ".js": "application/javascript"}
BLOCKED_AGENTS = ("perplexitybot",)
DEFAULT_PORT = 8765    # a fixed port keeps the demo's URLs, and so its history, comparable

def _with_faq_markup(body: bytes) -> bytes:
    """The page's own <details> questions and answers, described as FAQPage."""
    html = body.decode("utf-8")
    pairs = re.findall(r"<details><summary>(.*?)</summary><p>(.*?)</p></details>", html)
    data = {"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": [
        {"@type": "Question", "name": unescape(q),
         "acceptedAnswer": {"@type": "Answer", "text": unescape(a)}} for q, a in pairs]}
    script = f'<script type="application/ld+json">{json.dumps(data)}</script></head>'
    return html.replace("</head>", script, 1).encode("utf-8")


# path -> (what changes, function of the file's bytes)
MONTH_2 = {
    "/robots.txt": ("fixed: Claude-SearchBot may read the blog again (ACC001)",
                    lambda b: b.replace(b"User-agent: Claude-SearchBot\nDisallow: /blog/\n",
                                        b"")),
    "/support/common-questions": ("fixed: the support FAQ gets FAQPage markup (QA003)",
                                  _with_faq_markup),
    "/pricing": ("new: the pricing page is set to noindex by mistake (ACC005)",
                 lambda b: b.replace(b"</head>", b'<meta name="robots" content="noindex">'
                                                 b"</head>", 1)),
}


def resolve(root: Path, path: str) -> Path | None:
    rel = unquote(urlsplit(path).path).lstrip("/")
    if ".." in rel.split("/"):
        return None
    candidates = [root / rel / "index.html"] if rel.endswith("/") or not rel else []
    candidates += [root / rel, root / f"{rel}.html"]
    # ('..' is refused above, so the path stays under root as written: a root reached through
    # a symbolic link, or a linked folder inside it, is served)
    for c in candidates:
        if c.is_file():
            return c
    return None


class DemoHandler(BaseHTTPRequestHandler):
    server_version = "demo"

    def __init__(self, *args, root: Path, month: int = 1, **kw):
        self.root = root
        self.month = month
        super().__init__(*args, **kw)

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        ua = (self.headers.get("User-Agent") or "").lower()
        if any(b in ua for b in BLOCKED_AGENTS):
            return self._send(403, b"<html><head><title>Access denied</title></head><body>"
                                   b"<h1>Access denied</h1><p>Request unsuccessful.</p></body></html>",
                              "text/html; charset=utf-8")
        target = resolve(self.root, self.path)
        if target is None:
            return self._send(404, b"<html><head><title>Not found</title></head><body><h1>Page not "
                                   b"found</h1></body></html>", "text/html; charset=utf-8")
        body = target.read_bytes()
        change = MONTH_2.get(urlsplit(self.path).path) if self.month >= 2 else None
        if change:
            body = change[1](body)
        ctype = TYPES.get(target.suffix, "application/octet-stream")
        if ctype.startswith(("text/", "application/xml")):
            origin = f"http://{self.headers.get('Host') or '127.0.0.1'}"
            body = body.replace(BASE.encode(), origin.encode())
        self._send(200, body, ctype)

    def _send(self, status: int, body: bytes, ctype: str):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def start(port: int = 0, root: Path = SITE, month: int = 1) -> tuple[ThreadingHTTPServer, str]:
    """Start the demo server in a daemon thread; returns (server, base URL)."""
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(DemoHandler, root=root,
                                                               month=month))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def main() -> None:
    ap = argparse.ArgumentParser(description="Serve the bundled demo site on 127.0.0.1")
    ap.add_argument("--port", type=int, default=8800)
    args = ap.parse_args()
    server, url = start(args.port)
    print(f"demo site at {url} (Ctrl-C to stop)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main()
