"""make precision: the audit's findings on real sites written by others, against judgements
made by reading the pages.

Each site of ../shared/corpora/ is served on 127.0.0.1 by a static host under its real name
(TLS on 443, a redirect to https on 80, both through --connect-to) and audited with default
options as of a fixed date. Its findings and page types are compared with
tests/fixtures/judged/SITE.jsonl:
- a finding: {"site", "rule", "url", "verdict": TP|FP|DEB|SNAPSHOT, "reason"}
- a page type: {"site", "kind": "page_type", "url", "truth"}
Precision is strict: TP / (TP + FP + DEB); SNAPSHOT (caused only by the local copy) is left
out. The findings nobody judged yet are written to OUT/unjudged-SITE.jsonl and counted.

Then bylines and dates on the human-labelled pages (tests/attribution_eval.py): the audit's
pages.csv beside trafilatura's and htmldate's reading of the same pages.

Usage: python tests/precision.py [--out DIR] [--site NAME ...] [--write] [--no-attribution]
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fixtures.server import FixtureServer  # noqa: E402
from fixtures.static_site import StaticSite  # noqa: E402

ROOT = HERE.parent
CORPORA = ROOT.parent / "shared" / "corpora"
JUDGED = HERE / "fixtures" / "judged"
AS_OF = "2026-11-22"
VERDICTS = ("TP", "FP", "DEB", "SNAPSHOT")


@dataclass(frozen=True)
class RealSite:
    name: str
    folder: str           # inside ../shared/corpora
    url: str              # its real start URL
    prefix: str = "/"     # where the files live on the real host

    @property
    def host(self) -> str:
        return self.url.split("/")[2]


SITES = (
    RealSite("flink-site", "flink-site/www", "https://flink.apache.org/"),
    RealSite("erudika-site", "erudika-site/www", "https://erudika.com/"),
    RealSite("rstudio-ai-blog", "rstudio-ai-blog/www", "https://blogs.rstudio.com/ai/", "/ai/"),
    RealSite("django-docs", "django-docs/html", "https://docs.djangoproject.com/en/3.2/",
             "/en/3.2/"),
)


def audit(site: RealSite, out: Path) -> dict:
    """Serve the site under its real name and audit it; the outputs go into out. Returns the
    exit code, stderr, findings.json, pages.csv rows and the servers' request logs."""
    host = site.host
    names = (host, f"www.{host}") if not host.startswith("www.") else (host,)

    def to_https(req):   # what the real host's port 80 does
        req.send(301, b"", headers={"Location": f"https://{host}{req.path}"})

    with StaticSite(CORPORA / site.folder, site.prefix, tls_names=names) as tls, \
            FixtureServer({"__default__": to_https}) as plain:
        cmd = [sys.executable, "-m", "aeo", "audit", site.url, "--quiet", "--as-of", AS_OF,
               "--workspace", str(out / "ws"), "--out", str(out),
               "--connect-to", f"{host}:443:127.0.0.1:{tls.port}",
               "--connect-to", f"{host}:80:127.0.0.1:{plain.server_address[1]}"]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, cwd=ROOT,
                              stdin=subprocess.DEVNULL)
        logs = {"tls": list(tls.log), "http": list(plain.log)}
    if proc.returncode not in (0, 4) or not (out / "findings.json").exists():
        raise SystemExit(f"precision: the audit of {site.name} failed (exit "
                         f"{proc.returncode}): {proc.stderr.strip()[-500:]}")
    with open(out / "pages.csv", newline="", encoding="utf-8") as fh:
        pages = list(csv.DictReader(fh))
    report = json.loads((out / "findings.json").read_text())
    errored = {r["rule"]: r["error"] for r in report["rules"] if r.get("error")}
    if errored:   # a rule that crashed has no findings: never read that as precision
        raise SystemExit(f"precision: rules errored on {site.name}: {errored}")
    return {"findings": report["findings"], "report": report, "pages": pages, "out": out,
            "exit": proc.returncode, "stderr": proc.stderr, "logs": logs}


def reread(out: Path) -> dict:
    """An audit made before (audit's outputs in out), read back."""
    if not (out / "findings.json").exists():
        raise SystemExit(f"precision: no audit in {out} to reuse")
    with open(out / "pages.csv", newline="", encoding="utf-8") as fh:
        pages = list(csv.DictReader(fh))
    report = json.loads((out / "findings.json").read_text())
    return {"findings": report["findings"], "report": report, "pages": pages, "out": out,
            "exit": 0, "stderr": "", "logs": {}}


def load_judged(site: str) -> tuple[dict, dict]:
    """(rule, url) -> judgement, url -> true page type."""
    findings, types = {}, {}
    path = JUDGED / f"{site}.jsonl"
    if not path.exists():
        return findings, types
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        j = json.loads(line)
        if j.get("kind") == "page_type":
            types[j["url"]] = j["truth"]
        else:
            if j["verdict"] not in VERDICTS:
                raise SystemExit(f"{path}:{n}: verdict {j['verdict']!r} is not one of "
                                 f"{', '.join(VERDICTS)}")
            findings[(j["rule"], j["url"])] = j
    return findings, types


def strict(c: Counter) -> float | None:
    judged = c["TP"] + c["FP"] + c["DEB"]
    return c["TP"] / judged if judged else None


def fmt(p: float | None) -> str:
    return "  -  " if p is None else f"{p:5.2f}"


def evaluate(site: RealSite, result: dict, out: Path) -> dict:
    judged, types = load_judged(site.name)
    by_rule: dict[str, Counter] = defaultdict(Counter)
    unjudged = []
    for f in result["findings"]:
        j = judged.get((f["rule"], f["url"]))
        if j is None:
            unjudged.append(f)
            by_rule[f["rule"]]["unjudged"] += 1
        else:
            by_rule[f["rule"]][j["verdict"]] += 1
    fired = {(f["rule"], f["url"]) for f in result["findings"]}
    gone = [j for k, j in judged.items() if k not in fired and j["verdict"] == "TP"]
    tool_type = {p["url"]: p["page_type"] for p in result["pages"]}
    typed = [(u, t, tool_type.get(u)) for u, t in types.items()]
    right = sum(1 for _, t, got in typed if got == t)
    with open(out / f"unjudged-{site.name}.jsonl", "w", encoding="utf-8") as fh:
        for f in unjudged:
            fh.write(json.dumps({k: f[k] for k in ("rule", "url", "page_type", "evidence")},
                                ensure_ascii=False) + "\n")
    return {"by_rule": by_rule, "unjudged": len(unjudged), "gone": gone,
            "types": (right, len(typed)),
            "type_misses": [(u, t, got) for u, t, got in typed if got != t]}


PRECISION_TOML = ROOT / "rules" / "data" / "precision.toml"


def measured(by_rule: dict[str, Counter]) -> dict[str, tuple[float, int, int]]:
    """rule -> (strict precision, findings judged TP, FP or DEB, of them FP), for rules
    judged at all."""
    out = {}
    for rule, c in sorted(by_rule.items()):
        n = c["TP"] + c["FP"] + c["DEB"]
        if n:
            out[rule] = (round(c["TP"] / n, 3), n, c["FP"])
    return out


def write_precision(by_rule: dict[str, Counter], type_acc: float | None) -> None:
    import datetime

    lines = ["# Each rule's precision measured on the shared real sites (make precision: the",
             "# findings judged by reading the pages, tests/fixtures/judged/). Written by",
             "# `python tests/precision.py --write`; a rule under 0.9 is advisory.",
             f'measured = "{datetime.date.today().isoformat()}"',
             f"page_types = {round(type_acc, 3) if type_acc is not None else 0}", ""]
    for rule, (p, n, fp) in measured(by_rule).items():
        lines += [f"[rules.{rule}]", f"precision = {p}", f"judged = {n}",
                  f"false = {fp}      # judged false and still found: fix them, never add", ""]
    PRECISION_TOML.write_text("\n".join(lines), encoding="utf-8")
    # docs/rules.md shows each rule's precision: written again from the new figures
    page = subprocess.run([sys.executable, "-m", "aeo", "rules", "--markdown"], check=True,
                          capture_output=True, text=True, cwd=ROOT).stdout
    (ROOT / "docs" / "rules.md").write_text(page, encoding="utf-8")


def _precision_bar() -> float:
    from aeo.governance import load_governance
    from aeo.reports.scoring import precision_bar

    return precision_bar(load_governance())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, help="where each site's audit and the unjudged "
                                             "findings go (default: a temporary folder)")
    ap.add_argument("--site", action="append", choices=[s.name for s in SITES])
    ap.add_argument("--reuse", action="store_true",
                    help="compare the audits already in --out with the judged files again, "
                         "without auditing (after judging more findings)")
    ap.add_argument("--no-attribution", action="store_true",
                    help="leave out the byline and date measurement on the labelled pages")
    ap.add_argument("--write", action="store_true",
                    help="record each rule's measured precision in rules/data/precision.toml "
                         "(what `aeo explain` shows, and what makes a rule advisory)")
    args = ap.parse_args(argv)
    if not CORPORA.exists():
        print(f"precision: {CORPORA} is missing: the shared corpora sit beside the repo",
              file=sys.stderr)
        return 2
    if args.reuse and not args.out:
        raise SystemExit("precision: --reuse reads the audits in --out DIR: give it")
    out = args.out or Path(tempfile.mkdtemp(prefix="aeo-precision-"))
    sites = [s for s in SITES if not args.site or s.name in args.site]
    total, by_rule_all = Counter(), defaultdict(Counter)
    types_right = types_all = unjudged = 0
    for site in sites:
        print(f"auditing {site.name} as {site.url} ...", file=sys.stderr, flush=True)
        result = reread(out / site.name) if args.reuse else audit(site, out / site.name)
        ev = evaluate(site, result, out / site.name)
        print(f"\n{site.name} ({site.url}; {len(result['findings'])} findings, exit "
              f"{result['exit']})")
        print(f"  {'rule':8} {'TP':>4} {'FP':>4} {'DEB':>4} {'SNAP':>4} {'new':>4}  precision")
        site_c = Counter()
        for rule in sorted(ev["by_rule"]):
            c = ev["by_rule"][rule]
            site_c.update(c)
            by_rule_all[rule].update(c)
            print(f"  {rule:8} {c['TP']:4} {c['FP']:4} {c['DEB']:4} {c['SNAPSHOT']:4} "
                  f"{c['unjudged']:4}  {fmt(strict(c))}")
        total.update(site_c)
        right, n = ev["types"]
        types_right, types_all, unjudged = types_right + right, types_all + n, \
            unjudged + ev["unjudged"]
        print(f"  site precision {fmt(strict(site_c))} · page types {right}/{n} · "
              f"{ev['unjudged']} findings not judged yet "
              f"({out / site.name / ('unjudged-' + site.name + '.jsonl')})")
        for u, t, got in ev["type_misses"][:10]:
            print(f"    page type of {u}: {got or 'not crawled'}, judged {t}")
        for j in ev["gone"][:10]:
            print(f"    judged true, no longer found: {j['rule']} {j['url']}")
    print("\nprecision by rule, all sites")
    for rule in sorted(by_rule_all):
        c = by_rule_all[rule]
        print(f"  {rule:8} TP {c['TP']:4}  FP {c['FP']:4}  DEB {c['DEB']:4}  "
              f"precision {fmt(strict(c))}")
    overall = strict(total)
    # the rules at or over the bar are the scored ones (the report's advisory rules are not)
    bar = _precision_bar()
    scored = Counter()
    for c in by_rule_all.values():
        p = strict(c)
        if p is not None and p >= bar:
            scored.update(c)
    type_acc = types_right / types_all if types_all else None
    if args.write:
        if args.site:
            raise SystemExit("precision: --write measures every site; leave out --site")
        write_precision(by_rule_all, type_acc)
        print(f"wrote {PRECISION_TOML.relative_to(ROOT)}", file=sys.stderr)
    last = (f"precision overall={fmt(overall).strip()} judged={total['TP'] + total['FP'] + total['DEB']} "
            f"scored_rules={fmt(strict(scored)).strip()} "
            f"({scored['TP'] + scored['FP'] + scored['DEB']} judged) "
            f"unjudged={unjudged} page_types={fmt(type_acc).strip()} ({types_right}/{types_all})")
    if not args.no_attribution and not args.site:
        import attribution_eval as ae

        results = []
        for corpus in ae.CORPUS_NAMES:
            print(f"auditing {corpus} ...", file=sys.stderr, flush=True)
            results.append(ae.evaluate(corpus, out / corpus))
        t = ae.report(results)
        a, tr, hd = t["aeo"], t["trafilatura"], t["htmldate"]
        last += (f" byline_f1={ae.fmt(a.f1)} (trafilatura {ae.fmt(tr.f1)}) "
                 f"date_accuracy={ae.fmt(a.accuracy)} (htmldate {ae.fmt(hd.accuracy)})")
    print(last)
    return 0


if __name__ == "__main__":
    sys.exit(main())
