"""`make bench`: generate a site of BENCH_PAGES pages, serve it on 127.0.0.1, run the whole
audit in this process and print pages per second per stage and peak memory."""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("ledger invoice payroll account balance reconcile revenue expense forecast customer "
         "supplier quarter annual report audit budget margin growth cash tax deduction filing "
         "deadline employee contractor policy receipt statement transaction category").split()


NAMES = ("Stripe", "PayPal", "Xero", "Intuit", "Maria Okafor", "Daniel Reyes", "HMRC",
         "the IRS", "Barclays", "Sage", "FreshBooks", "Deloitte", "London", "Texas")


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(12, 24))]
    if rng.random() < 0.3:   # about one sentence in three names someone
        words.insert(rng.randrange(1, len(words)), rng.choice(NAMES))
    return " ".join(words).capitalize() + "."


def generate(root: Path, n: int, profile, seed: int = 7) -> None:
    """n article pages at a page profile (benchmarks/page_profile.py): its main words in paragraphs
    under its headings, its other words in navigation, sidebar and footer, its links spread
    over them, its JSON-LD blocks and microdata items, and the rest of its HTML weight as the
    inline styles and scripts real themes carry."""
    rng = random.Random(seed)
    target = int(profile.html_kb * 1024)
    for i in range(n):
        link = lambda j: f'<a href="/p/{rng.randrange(n)}">Related {j}</a>'  # noqa: E731
        nav_links = max(1, profile.links // 2)
        main_links = max(0, profile.links - nav_links - 1)
        nav_words = words(rng, profile.other_words - 2 * nav_links)
        nav = ("<header><nav><ul>" + "".join(f"<li>{link(j)}</li>" for j in range(nav_links))
               + "</ul></nav></header><aside><p>" + " ".join(nav_words[:len(nav_words) // 2])
               + "</p></aside>")
        footer = "<footer><p>" + " ".join(nav_words[len(nav_words) // 2:]) + " Bench Co</p></footer>"
        body_words = words(rng, profile.main_words)
        sections = max(1, profile.headings - 1)
        per = max(1, len(body_words) // sections)
        parts, placed = [], 0
        for s in range(sections):
            chunk = body_words[s * per:(s + 1) * per] if s < sections - 1 else body_words[s * per:]
            question = s % 3 == 1
            parts.append(f"<h2>{'What is ' if question else ''}Section {s} of post {i}"
                         f"{'?' if question else ''}</h2>")
            for k in range(0, len(chunk), 80):
                text = " ".join(chunk[k:k + 80])
                if placed < main_links:
                    text += " " + link(placed)
                    placed += 1
                parts.append(f"<p>{text.capitalize()}.</p>")
        extra = "".join(f"<li>{link(j)}</li>" for j in range(placed, main_links))
        lds = [{"@context": "https://schema.org", "@type": "BlogPosting",
                "headline": f"Post {i}", "datePublished": "2026-01-01",
                "author": {"@type": "Person", "name": "A. Writer"},
                "publisher": {"@id": "/#org"}},
               {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
                   {"@type": "ListItem", "position": 1, "name": "Home", "item": "/"},
                   {"@type": "ListItem", "position": 2, "name": f"Post {i}"}]},
               {"@context": "https://schema.org", "@type": "Organization", "@id": "/#org",
                "name": "Bench Co", "url": "/"}]
        ld = "".join(f'<script type="application/ld+json">{json.dumps(x)}</script>'
                     for x in lds[:profile.jsonld_blocks])
        micro = "".join(
            f'<div itemscope itemtype="https://schema.org/Thing"><span itemprop="name">Thing '
            f'{k}</span></div>' for k in range(profile.microdata_items))
        html = (f"<!doctype html><html lang=en><head><title>Post {i} | Bench Co</title>"
                f'<link rel="canonical" href="/p/{i}"><meta name="description" content="Post {i}">'
                f'<meta property="og:title" content="Post {i}"><meta property="og:type" '
                f'content="article"><meta property="og:site_name" content="Bench Co">'
                f"{ld}@@PAD@@</head><body>{nav}"
                f"<main><article><h1>Post {i}</h1><p class=byline>By A. Writer</p>"
                f"{''.join(parts)}{micro}<ul>{extra}</ul></article></main>{footer}</body></html>")
        pad = max(0, target - len(html.encode()) + 7)
        html = html.replace("@@PAD@@", theme_weight(rng, pad))
        d = root / "p"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"{i}.html").write_text(html, "utf-8")
    home = "".join(f'<a href="/p/{i}">{i}</a> ' for i in range(0, n, max(1, n // 200)))
    (root / "index.html").write_text(
        f"<!doctype html><html><head><title>Bench Co</title></head><body><main><h1>Bench Co</h1>"
        f"<p>{home}</p></main></body></html>", "utf-8")
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", "utf-8")


def words(rng: random.Random, n: int) -> list[str]:
    """n words of prose; about one sentence in three names someone."""
    out: list[str] = []
    while len(out) < n:
        out += sentence(rng).split()
    return out[:max(0, n)]


def theme_weight(rng: random.Random, size: int) -> str:
    """size bytes of what a theme puts in <head>: a stylesheet and a configuration script."""
    if size <= 0:
        return ""
    rules, length = [], 0
    while length < size // 2:
        rules.append(f".c{rng.randrange(10**6)}{{margin:{rng.randrange(40)}px;color:#"
                     f"{rng.randrange(16**6):06x}}}")
        length += len(rules[-1])
    style = "<style>" + "".join(rules) + "</style>"
    left = max(0, size - len(style) - 17)
    script = "<script>" + ("var cfg=" + json.dumps({"k": "x" * max(0, left - 30)}) + ";")[:left] \
        + "</script>"
    return style + script


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024.0


def stage_peak_mb(reset: bool = True) -> float:
    """This process's peak RSS since the last reset (Linux: VmHWM, reset through clear_refs);
    0 where /proc does not tell."""
    try:
        with open("/proc/self/status") as fh:
            peak = next((int(line.split()[1]) for line in fh if line.startswith("VmHWM")), 0)
        if reset:
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")
        return peak / 1024.0
    except OSError:
        return 0.0


def workers_peak_mb() -> float:
    """The largest peak RSS of the finished child processes (the analysis workers)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0


def time_structured(run, limit: int = 1000) -> tuple[int, float, float, float]:
    """The structured-data stage on its own, over stored pages: (pages, parse ms/page,
    extraction ms/page, STRUCT rules ms/page). Extraction runs inside analyze; this isolates
    its share."""
    from itertools import islice

    from aeo.analyzers.marked_up import unseen_markup
    from aeo.analyzers.structured import extract
    from aeo.crawler.links import parse_html
    from aeo.facts.records import KIND_PAGE
    from aeo.governance import load_governance
    from aeo.rules.base import all_rules, make_page, make_site, run_rules

    db = run.open_db()
    try:
        fetches = [f for f in islice(db.fetches(kind=KIND_PAGE), limit) if f.body]
    finally:
        db.close()
    parse_s = extract_s = 0.0
    pages = []
    for f in fetches:
        t = time.perf_counter()
        root = parse_html(f.body, f.encoding or None)
        t1 = time.perf_counter()
        sd = extract(root, f.url)
        checked, unseen = unseen_markup(sd["nodes"], "")
        t2 = time.perf_counter()
        parse_s += t1 - t
        extract_s += t2 - t1
        pages.append(make_page(url=f.url, entities=tuple(sd["nodes"]),
                               jsonld_blocks=tuple(sd["blocks"]), sd_status=sd["status"]))
    struct = {k: r for k, r in all_rules().items() if r.pillar == "STRUCT"}
    t = time.perf_counter()
    run_rules(pages, make_site(), load_governance(), struct)
    rules_s = time.perf_counter() - t
    n = max(1, len(fetches))
    return len(fetches), 1000 * parse_s / n, 1000 * extract_s / n, 1000 * rules_s / n


def time_language(run, limit: int = 300) -> tuple[int, float, float, str]:
    """The spaCy stage on its own over stored content pages, one process:
    (pages, ms/page for main text, ms/page for spaCy, the components loaded)."""
    from itertools import islice

    from aeo.analyzers import nlp
    from aeo.analyzers.maintext import main_blocks, opening_paragraph
    from aeo.analyzers.page import language_facts, main_element
    from aeo.crawler.links import parse_html
    from aeo.facts.records import KIND_PAGE

    db = run.open_db()
    try:
        fetches = [f for f in islice(db.fetches(kind=KIND_PAGE), limit) if f.body]
    finally:
        db.close()
    model = nlp.load()
    main_s = lang_s = 0.0
    for f in fetches:
        root = parse_html(f.body, f.encoding or None)
        t = time.perf_counter()
        blocks, _ = main_blocks(root, main_element(root))
        opening = opening_paragraph(blocks)
        t1 = time.perf_counter()
        h1 = tuple(b.text for b in blocks if b.kind == "h1")
        language_facts(blocks, opening, h1, "article", f.url)   # what analyze_page runs
        t2 = time.perf_counter()
        main_s += t1 - t
        lang_s += t2 - t1
    n = max(1, len(fetches))
    return len(fetches), 1000 * main_s / n, 1000 * lang_s / n, ", ".join(model.pipe_names)


def time_real_site(tmp: Path, name: str = "flink-site") -> str:
    """The audit of the largest shared real site, served under its real name as `make
    precision` serves it (tests/precision.py), timed from the command's start to its end."""
    tests = Path(__file__).resolve().parents[1] / "tests"
    sys.path.insert(0, str(tests))
    try:
        from precision import CORPORA, SITES, audit
    finally:
        sys.path.remove(str(tests))
    site = next(s for s in SITES if s.name == name)
    if not (CORPORA / site.folder).exists():
        return f"{name}: not timed (../shared/corpora is not beside the repo)"
    t = time.monotonic()
    try:
        done = audit(site, tmp / name)
    except SystemExit as exc:      # (the bench's own numbers still get their last line)
        return f"{name}: not timed, the audit failed: {exc}"
    seconds = time.monotonic() - t
    pages = done["report"]["run"]["pages_crawled"]
    return (f"{name} (the largest shared real site, served as {site.url}): {pages} pages "
            f"audited in {seconds:.1f}s ({pages / seconds:.1f} pages/s, end to end)")


def cost_table(manifest: dict, *stages) -> str:
    """Milliseconds per page for each step of the analysis (summed in the worker processes,
    aeo.analyzers.costs), then the rules and the report."""
    pages = max(1, manifest.get("analysis_ms_pages") or 0)
    spent = sorted((manifest.get("analysis_ms") or {}).items(), key=lambda kv: -kv[1])
    rows = [(k, v / pages) for k, v in spent]
    total = sum(ms for _, ms in rows)
    lines = [f"analysis, CPU milliseconds a page in a worker ({pages} pages):"]
    lines += [f"  {name:34} {ms:8.2f} ms  {100 * ms / max(total, 1e-9):5.1f}%"
              for name, ms in rows]
    lines.append(f"  {'analysis in all':34} {total:8.2f} ms")
    lines.append("then, wall-clock milliseconds a page (the page rules in worker processes "
                 "from 400 pages on):")
    lines += [f"  {s.name:34} {1000 * s.seconds / max(1, s.items):8.2f} ms" for s in stages]
    return "\n".join(lines)


def main() -> int:
    """Run the bench in a temporary folder, removed afterwards unless BENCH_KEEP=1. The pages
    and the run take room: about 0.2 GB a 1,000 pages at the heavy profile, a third of it at the
    median one (BENCH_PROFILE=median for the 100,000-page memory runs)."""
    import shutil

    tmp = Path(tempfile.mkdtemp(prefix="aeo-bench-"))
    try:
        return _bench(tmp)
    finally:
        if os.environ.get("BENCH_KEEP") == "1":
            print(f"kept {tmp} (BENCH_KEEP=1)", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _bench(tmp: Path) -> int:
    from page_profile import chosen, table

    from aeo.analyzers.workers import analysis_workers
    from aeo.crawler.config import CrawlConfig
    from aeo.demo.serve import start
    from aeo.governance import load_governance
    from aeo.pipeline import (
        Stage,
        analyze,
        crawl,
        report,
        require_language_model,
        today,
    )
    from aeo.store import Workspace

    n = int(os.environ.get("BENCH_PAGES") or 2000)
    which, profile, found, source = chosen()
    print(f"page profile, {source}:\n{table(found)}")
    print(f"generating {n} pages at the {which} profile")
    # BENCH_QUICK=1: the pipeline and its memory only (no floors, no single-process re-runs),
    # for the 10,000- and 100,000-page memory runs
    quick = os.environ.get("BENCH_QUICK") == "1"
    site = tmp / "site"
    t = time.monotonic()
    generate(site, n, profile)
    print(f"generated {n} pages in {time.monotonic() - t:.1f}s under {site}", file=sys.stderr)
    server, url = start(0, root=site)
    try:
        gov = load_governance()
        ws = Workspace(tmp / "ws")
        cfg = CrawlConfig(start_url=url, max_pages=n + 10, max_depth=50, concurrency=16,
                          quiet=True, probe_bots=False)
        require_language_model()   # as `aeo audit` does: loaded before the workers fork
        stage_peak_mb()
        t0 = time.monotonic()
        run, s_crawl = crawl(cfg, ws, gov, today(), quiet=True, analyze_alongside=True)
        mem_crawl = stage_peak_mb()
        manifest = run.manifest()
        if manifest.get("analyzed_alongside"):
            # analysis ran alongside the crawl: its span, from the crawl's start to its end
            s_an = Stage("analyze", manifest["analysis_seconds"], manifest["pages_analyzed"])
        else:
            s_an = analyze(run, quiet=True)
        mem_analyze, mem_workers = stage_peak_mb(), workers_peak_mb()
        s_rules, s_rep = report(run, tmp / "out", gov, ws)
        mem_report = stage_peak_mb()
        total = time.monotonic() - t0
    finally:
        server.shutdown()
    pages = s_crawl.items
    for s in (s_crawl, s_an, s_rules, s_rep):
        print(f"{s.name:8} {s.items:6d} pages {s.seconds:8.2f}s {s.rate:9.1f} pages/s")
    tail = run.manifest().get("analysis_after_crawl_seconds")
    print("the analysis ran after the crawl" if tail is None else
          f"the analysis ran alongside the crawl (both rows are the same span) and ended "
          f"{tail:.1f}s after the last page was fetched")
    print(cost_table(run.manifest(), s_rules, s_rep))
    html_mb = (tmp / "out" / "audit.html").stat().st_size / 1e6
    print(f"peak memory by stage: crawl {mem_crawl:.0f} MB, analyze {mem_analyze:.0f} MB "
          f"(each worker at most {mem_workers:.0f} MB), rules and report {mem_report:.0f} MB; "
          f"audit.html {html_mb:.1f} MB")
    if quick:
        print(f"bench pages={pages} end_to_end_pps={pages / total:.1f} "
              f"crawl_pps={s_crawl.rate:.1f} analyze_pps={s_an.rate:.1f} "
              f"peak_rss_mb={peak_rss_mb():.0f}")
        return 0
    n_sd, parse_ms, sd_ms, sd_rules_ms = time_structured(run)
    n_lang, main_ms, lang_ms, components = time_language(run)
    t = time.monotonic()
    pool = analyze(run, quiet=True)                 # the stored run, after the crawl
    one = analyze(run, quiet=True, workers=1)
    print(f"main text ({n_lang} pages, one process): {main_ms:.1f} ms/page "
          f"({1000 / max(main_ms, 1e-9):.0f} pages/s)")
    print(f"spaCy ({n_lang} pages, one process, components: {components}): "
          f"{lang_ms:.1f} ms/page ({1000 / max(lang_ms, 1e-9):.0f} pages/s)")
    print(f"analyze a stored run in one process: {one.rate:.1f} pages/s; with the pool of "
          f"{analysis_workers()} workers: {pool.rate:.1f} pages/s "
          f"(speed-up x{pool.rate / max(one.rate, 1e-9):.2f}; {time.monotonic() - t:.0f}s)")
    print(f"structured data ({n_sd} pages, one process): parse {parse_ms:.2f} ms/page, "
          f"extraction {sd_ms:.2f} ms/page ({1000 / max(sd_ms, 1e-9):.0f} pages/s), "
          f"STRUCT rules {sd_rules_ms:.2f} ms/page")
    # The floors: what the machine can do at best, measured in this same run.
    server, url = start(0, root=site)
    try:
        floor = subprocess.run([sys.executable, str(Path(__file__).with_name("bench_floor.py")), url, "16"],
                               capture_output=True, text=True, timeout=3600)
    finally:
        server.shutdown()
    crawl_floor_s, floor_pages = (float(floor.stdout.split()[0]), int(floor.stdout.split()[1])
                                  ) if floor.returncode == 0 and floor.stdout.split() else (0, 0)
    workers = analysis_workers()
    floor_ms = parse_ms + sd_ms + lang_ms        # the per-page steps the rules need
    analysis_floor_s = pages * floor_ms / 1000 / workers
    floor_total = crawl_floor_s + analysis_floor_s
    print(f"crawl floor: bare Scrapy following links: {floor_pages} pages in "
          f"{crawl_floor_s:.1f}s ({floor_pages / max(crawl_floor_s, 1e-9):.0f} pages/s)")
    print(f"analysis floor: parse {parse_ms:.2f} + structured data {sd_ms:.2f} + spaCy "
          f"{lang_ms:.1f} ms/page over {workers} workers: {analysis_floor_s:.1f}s "
          f"({pages / max(analysis_floor_s, 1e-9):.0f} pages/s)")
    print(f"end to end {total:.1f}s against a floor of {floor_total:.1f}s: "
          f"x{total / max(floor_total, 1e-9):.2f} of the floor")
    peak = peak_rss_mb()             # (before the real site's audit, a process of its own)
    print(time_real_site(tmp))
    print(f"peak RSS {peak:.0f} MB")
    print(f"bench pages={pages} end_to_end_pps={pages / total:.1f} crawl_pps={s_crawl.rate:.1f} "
          f"analyze_pps={s_an.rate:.1f} peak_rss_mb={peak:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
