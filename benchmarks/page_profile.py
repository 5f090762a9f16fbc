"""The page profile of real sites: what a page of the shared corpora weighs (HTML size, words
in the main text and around it, links, structured data, headings), median and 90th percentile.

`python benchmarks/page_profile.py` reads ../shared/corpora (the real sites written by others that
the precision measurement also reads) and prints the profile; `make bench` generates its pages
at that profile (BENCH_PROFILE=median|heavy). Without ../shared, the profile measured on
PROFILE_MEASURED below is used."""

from __future__ import annotations

import gzip
import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
# (folder, the pages under it); a site's redirect stubs (a meta refresh and nothing else)
# are not pages anyone reads and are left out
SITES = (("erudika-site", "www"), ("flink-site", "www"), ("rstudio-ai-blog", "www"),
         ("django-docs", "html"), ("trafilatura-eval-half", "html"),
         ("htmldate-eval", "html"))
PER_SITE = 150      # pages read per site; every site weighs the same in the profile
FIELDS = ("html_kb", "main_words", "other_words", "links", "jsonld_blocks",
          "microdata_items", "rdfa_attrs", "headings")


@dataclass(frozen=True)
class Profile:
    html_kb: float
    main_words: int
    other_words: int     # visible words outside the main text: navigation, sidebars, footer
    links: int
    jsonld_blocks: int
    microdata_items: int
    rdfa_attrs: int      # elements with RDFa attributes (typeof, vocab; property off <meta>)
    headings: int


# Measured by this script on ../shared/corpora (2026-11-30; 702 pages of six real sites, up to 150 each):
# the fallback where the corpora are not beside the repo.
PROFILE_MEASURED = {
    "median": Profile(html_kb=49.3, main_words=577, other_words=171, links=57, jsonld_blocks=0,
                      microdata_items=0, rdfa_attrs=0, headings=9),
    "heavy": Profile(html_kb=172.4, main_words=2861, other_words=1038, links=210,
                     jsonld_blocks=2, microdata_items=1, rdfa_attrs=0, headings=24),
}

def page_files(site: str, under: str):
    """Up to PER_SITE of the site's pages, spread evenly over its sorted paths."""
    paths = [p for p in sorted((CORPORA / site / under).rglob("*"))
             if p.name.endswith((".html", ".htm", ".html.gz", ".htm.gz"))]
    step = max(1, len(paths) // PER_SITE)
    for path in paths[::step][:PER_SITE]:
        if path.suffix in (".html", ".htm"):
            yield path.read_bytes()
        elif path.name.endswith((".html.gz", ".htm.gz")):
            yield gzip.decompress(path.read_bytes())


def measure(body: bytes) -> dict | None:
    from aeo.analyzers.maintext import main_blocks
    from aeo.analyzers.page import main_element, visible_text
    from aeo.crawler.links import parse_html
    from aeo.facts.text import n_words

    root = parse_html(body, None)
    if root is None:
        return None
    refresh = root.xpath("//meta[translate(@http-equiv,'REFRESH','refresh')='refresh']")
    b = root.find("body")
    all_words = n_words(visible_text(b)) if b is not None else 0
    if refresh and all_words < 50:
        return None    # a redirect stub
    blocks, _ = main_blocks(root, main_element(root))
    main_words = sum(n_words(x.text) for x in blocks)
    return {"html_kb": len(body) / 1024, "main_words": main_words,
            "other_words": max(0, all_words - main_words),
            "links": len(root.xpath("//a[@href]")),
            "jsonld_blocks": len(root.xpath(
                "//script[translate(@type,'JSONLD','jsonld')='application/ld+json']")),
            "microdata_items": len(root.xpath("//*[@itemscope]")),
            "rdfa_attrs": len(root.xpath("//*[@typeof or @vocab or (@property and "
                                         "not(self::meta))]")),
            "headings": len(root.xpath("//h1|//h2|//h3|//h4|//h5|//h6"))}


def quantile(pairs: list[tuple[float, float]], q: float) -> float:
    """The weighted quantile of (value, weight) pairs: the smallest value with at least q of
    the weight at or below it."""
    pairs = sorted(pairs)
    total = sum(w for _, w in pairs)
    seen = 0.0
    for value, weight in pairs:
        seen += weight
        if seen >= q * total - 1e-9:
            return value
    return pairs[-1][0] if pairs else 0.0


def measured() -> tuple[dict[str, Profile], dict[str, int]]:
    """(median and heavy profile, pages per site) from the corpora."""
    rows, counts = [], {}
    for site, under in SITES:
        found = [r for r in map(measure, page_files(site, under)) if r is not None]
        rows += [(r, 1 / len(found)) for r in found]
        counts[site] = len(found)
    out = {}
    # (each field's percentile on its own: the heavy profile is heavier than the page at the
    # 90th percentile of any one measure, as a worst case should be)
    for name, q in (("median", 0.5), ("heavy", 0.9)):
        values = {f: quantile([(r[f], w) for r, w in rows], q) for f in FIELDS}
        out[name] = Profile(html_kb=round(values["html_kb"], 1),
                            **{f: round(values[f]) for f in FIELDS if f != "html_kb"})
    return out, counts


def profiles() -> tuple[dict[str, Profile], str]:
    """The profiles and where they come from."""
    if (CORPORA / "README.md").exists():
        found, counts = measured()
        return found, (f"measured on {sum(counts.values())} pages of ../shared/corpora ("
                       + ", ".join(f"{s} {n}" for s, n in counts.items()) + ")")
    return PROFILE_MEASURED, "as measured on 2026-11-30 (../shared/corpora is not here)"


def chosen() -> tuple[str, Profile, dict[str, Profile], str]:
    """The profile BENCH_PROFILE names (heavy by default): (its name, it, every profile, where
    they come from); SystemExit with one line for another name."""
    which = os.environ.get("BENCH_PROFILE") or "heavy"
    found, source = profiles()
    if which not in found:
        raise SystemExit(f"BENCH_PROFILE is median or heavy, not {which!r}")
    return which, found[which], found, source


def table(found: dict[str, Profile]) -> str:
    lines = ["| | " + " | ".join(FIELDS) + " |", "|---|" + "---|" * len(FIELDS)]
    for name, p in found.items():
        lines.append(f"| {name} | " + " | ".join(str(v) for v in asdict(p).values()) + " |")
    return "\n".join(lines)


def main() -> int:
    found, source = profiles()
    print(f"page profile, {source}")
    print(table(found))
    if "--json" in sys.argv:
        print(json.dumps({k: asdict(v) for k, v in found.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
