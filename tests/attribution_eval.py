"""Bylines and dates on diverse real pages: the audit's pages.csv beside trafilatura's and
htmldate's own extraction of the same pages, against human labels.

Each corpus (../shared/corpora/trafilatura-eval-half: bylines and dates; htmldate-eval: dates)
is served on 127.0.0.1 with every page under its original URL path and query (so dates in
URLs stay visible; pages whose path is '/' get a query of their own, the start page being '/'),
and audited as one site: a start page links to every page (--max-depth 1). In the same run
trafilatura.extract_metadata and htmldate.find_date read the same bytes with the original URL.

Scores, the same for all three:
- byline: names are compared as word sets (case, accents and punctuation aside; one name's
  words inside the other's is a match). A named author that matches is a true positive; a
  name given that matches none (including on a page whose label says no author) a false
  positive; a labelled name not given a false negative. F1 = 2TP / (2TP + FP + FN).
- date: the publication day given equals the labelled one, over the pages with a labelled
  date (no date given is a miss; 'nan' and days that do not exist are no label).

Usage: python tests/attribution_eval.py [--out DIR] [--corpus NAME] [--misses N]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import subprocess
import sys
import tempfile
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fixtures.server import FixtureServer  # noqa: E402

ROOT = HERE.parent
CORPORA = ROOT.parent / "shared" / "corpora"
AS_OF = "2026-11-22"
CORPUS_NAMES = ("trafilatura-eval-half", "htmldate-eval")


@dataclass
class EvalPage:
    id: str
    url: str                 # the original URL
    file: Path
    path: str                # where it is served (path and query, percent-encoded)
    author: str | None       # None: not labelled; '': labelled as naming nobody
    date: str                # '' when not labelled


def served_path(url: str) -> str:
    from w3lib.url import safe_url_string

    parts = urlsplit(safe_url_string(url.strip()))
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def load(corpus: str) -> list[EvalPage]:
    folder = CORPORA / corpus
    pages, taken = [], set()
    for line in (folder / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        t = json.loads(line)
        labelled = t.get("has_metadata_annotation", "author" in t)
        path = served_path(t["url"]) if t["url"].startswith(("http://", "https://")) \
            else f"/aeo-eval/{t['id']}"     # an id, not a URL: no path to keep
        if path == "/" or path in taken:
            path = (path + ("&" if "?" in path else "?") + f"aeo-eval={t['id']}")
        taken.add(path)
        pages.append(EvalPage(t["id"], t["url"].strip(), folder / t["path"], path,
                              t.get("author") if labelled and "author" in t else None,
                              labelled_day(t.get("date"))))
    return pages


def labelled_day(value) -> str:
    """The labelled day, or '' when there is none: 'nan', and days that do not exist
    ('2022-29-11', a label with month and day swapped) are no label a tool can meet."""
    from datetime import date

    try:
        return date.fromisoformat(str(value or "")[:10]).isoformat()
    except ValueError:
        return ""


def read_html(page: EvalPage) -> bytes:
    data = page.file.read_bytes()
    return gzip.decompress(data) if page.file.suffix == ".gz" else data


# -- scoring --------------------------------------------------------------------------------------
def name_words(name: str) -> frozenset[str]:
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return frozenset(w for w in re.split(r"[^\w]+", text) if w)


def split_authors(value) -> list[frozenset[str]]:
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    parts = re.split(r"\s*(?:;|,|&|\||\band\b|\bund\b|\s/\s)\s*", value or "")
    return [w for w in (name_words(p) for p in parts) if w]


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    right: int = 0
    dated: int = 0
    misses: list = field(default_factory=list)

    def byline(self, got: str, truth: str | None, page: EvalPage) -> None:
        if truth is None:
            return
        want, have = split_authors(truth), split_authors(got)
        matched = 0
        left = list(want)
        for h in have:
            hit = next((w for w in left if h <= w or w <= h), None)
            if hit is not None:
                left.remove(hit)
                matched += 1
        self.tp += matched
        self.fp += len(have) - matched
        self.fn += len(left)
        if len(have) != matched or left:
            self.misses.append(("author", page.id, page.url, truth, got))

    def date(self, got: str, page: EvalPage) -> None:
        if not page.date:
            return
        self.dated += 1
        if (got or "")[:10] == page.date:
            self.right += 1
        else:
            self.misses.append(("date", page.id, page.url, page.date, got))

    @property
    def f1(self) -> float | None:
        d = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / d if d else None

    @property
    def accuracy(self) -> float | None:
        return self.right / self.dated if self.dated else None


# -- the libraries, on the same bytes -------------------------------------------------------------
def library_reading(html: bytes, url: str) -> tuple[str, str, str]:
    """(trafilatura's author, trafilatura's date, htmldate's date)."""
    import trafilatura
    from htmldate import find_date

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            meta = trafilatura.extract_metadata(html, default_url=url)
        except Exception:  # noqa: BLE001 - a library on hostile input; a miss, not a crash
            meta = None
        try:
            hd = find_date(html, url=url, original_date=True) or ""
        except Exception:  # noqa: BLE001
            hd = ""
    return ((meta.author or "") if meta else "", (meta.date or "") if meta else "", hd)


# -- the audit ------------------------------------------------------------------------------------
def audit(pages: list[EvalPage], out: Path) -> dict[str, dict]:
    """Serve the pages, audit them as one site, and return pages.csv rows by page id."""
    from aeo.crawler.scope import normalize_url

    by_path = {p.path: p for p in pages}
    # http.server hands '//x' over as '/x' (CPython's guard against open redirects)
    by_path.update({"/" + p.path.lstrip("/"): p for p in pages if p.path.startswith("//")})
    by_url: dict[str, EvalPage] = {}     # as the crawler writes them (session ids dropped)

    def serve(req):
        if req.path == "/":
            return index(req)
        if req.path == "/robots.txt":
            return req.send(200, b"User-agent: *\nAllow: /\n", ctype="text/plain")
        page = by_path.get(req.path) or by_url.get(normalize_url(prefix + req.path))
        if page is None:
            req.send(404, b"<h1>Not here</h1>")
            return
        req.send(200, read_html(page), ctype="text/html")

    def index(req):
        # absolute links: a path that starts with '//' is a host to a relative reference
        links = "\n".join(f'<li><a href="{prefix}{p.path.replace("&", "&amp;")}">{p.id}</a></li>'
                          for p in pages)
        req.send(200, f"<!doctype html><title>Pages</title><ul>{links}</ul>".encode())

    routes = {"__default__": serve}   # dispatched here: '/?x' is a page, not the start
    with FixtureServer(routes) as server:
        start = server.url + "/"
        prefix = server.url
        by_url.update((normalize_url(prefix + p.path), p) for p in pages)
        cmd = [sys.executable, "-m", "aeo", "audit", start, "--quiet", "--as-of", AS_OF,
               "--max-depth", "1", "--max-pages", str(len(pages) + 10),
               "--workspace", str(out / "ws"), "--out", str(out)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600, cwd=ROOT,
                              stdin=subprocess.DEVNULL)
    if proc.returncode not in (0, 4) or not (out / "pages.csv").exists():
        raise SystemExit(f"attribution eval: the audit failed (exit {proc.returncode}): "
                         f"{proc.stderr.strip()[-500:]}")
    rows = {}
    with open(out / "pages.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            page = by_url.get(normalize_url(row["url"]))
            if page is not None:
                rows[page.id] = row
    return rows


def evaluate(corpus: str, out: Path) -> dict:
    pages = load(corpus)
    out.mkdir(parents=True, exist_ok=True)
    rows = audit(pages, out)
    tool, traf, htmld = Score(), Score(), Score()
    unread = 0
    lines = []
    for page in pages:
        row = rows.get(page.id)
        if row is None:
            unread += 1
        t_author, t_date, h_date = library_reading(read_html(page), page.url)
        got_author = (row or {}).get("author", "")
        got_date = (row or {}).get("date_published", "")
        tool.byline(got_author, page.author, page)
        traf.byline(t_author, page.author, page)
        tool.date(got_date, page)
        traf.date(t_date, page)
        htmld.date(h_date, page)
        lines.append({"id": page.id, "url": page.url, "truth_author": page.author,
                      "truth_date": page.date, "page_type": (row or {}).get("page_type"),
                      "aeo_author": got_author, "aeo_date": got_date,
                      "trafilatura_author": t_author, "trafilatura_date": t_date,
                      "htmldate": h_date})
    with open(out / f"attribution-{corpus}.jsonl", "w", encoding="utf-8") as fh:
        for line in lines:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    return {"corpus": corpus, "pages": len(pages), "unread": unread, "aeo": tool,
            "trafilatura": traf, "htmldate": htmld}


def fmt(p: float | None) -> str:
    return "-" if p is None else f"{p:.3f}"


def report(results: list[dict]) -> dict:
    """Print the tables; return the totals over every corpus."""
    total = {k: Score() for k in ("aeo", "trafilatura", "htmldate")}
    for r in results:
        print(f"\n{r['corpus']} ({r['pages']} pages, {r['unread']} not in pages.csv)")
        for who in ("aeo", "trafilatura", "htmldate"):
            s = r[who]
            t = total[who]
            t.tp, t.fp, t.fn = t.tp + s.tp, t.fp + s.fp, t.fn + s.fn
            t.right, t.dated = t.right + s.right, t.dated + s.dated
            by = f"byline F1 {fmt(s.f1)} (TP {s.tp} FP {s.fp} FN {s.fn})" \
                if who != "htmldate" and (s.tp + s.fp + s.fn) else ""
            print(f"  {who:12} {by:40} date accuracy {fmt(s.accuracy)} ({s.right}/{s.dated})")
    return total


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path)
    ap.add_argument("--corpus", action="append", choices=CORPUS_NAMES)
    ap.add_argument("--misses", type=int, default=0, help="print this many misses of the tool")
    args = ap.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="aeo-attribution-"))
    results = []
    for corpus in args.corpus or CORPUS_NAMES:
        print(f"auditing {corpus} ...", file=sys.stderr, flush=True)
        results.append(evaluate(corpus, out / corpus))
    total = report(results)
    for r in results:
        for m in r["aeo"].misses[:args.misses]:
            print("   ", *m)
    a, t, h = total["aeo"], total["trafilatura"], total["htmldate"]
    print(f"attribution byline_f1={fmt(a.f1)} (trafilatura {fmt(t.f1)}) "
          f"date_accuracy={fmt(a.accuracy)} (htmldate {fmt(h.accuracy)}, "
          f"trafilatura {fmt(t.accuracy)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
