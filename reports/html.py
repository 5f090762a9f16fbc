"""audit.html: one self-contained, autoescaped page (inline CSS and SVG, no request leaves it)."""

from __future__ import annotations

import json
from collections import Counter

from jinja2 import Environment, PackageLoader, StrictUndefined

from aeo.records import PILLARS
from aeo.reports.scoring import expected_overall, fix_first

PILLAR_COLORS = {"ACCESS": "#2f5bea", "STRUCT": "#7a3fe4", "ENTITY": "#0f8b8d", "QA": "#c4480b",
                 "ATTR": "#a15c07", "FRESH": "#157f3b", "CITE": "#b42318"}


def _trunc(value, n: int = 200) -> str:
    s = "" if value is None else str(value)
    return s if len(s) <= n else s[: n - 1] + "…"


def _http_url(value) -> bool:
    s = str(value or "").strip().lower()
    return s.startswith(("http://", "https://"))


def _score(value) -> str:
    return "–" if value is None else f"{value:.0f}"


def environment() -> Environment:
    env = Environment(loader=PackageLoader("aeo.reports", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(trunc=_trunc, http_url=_http_url, score=_score)
    return env


def render_report(ctx: dict) -> str:
    return environment().get_template("audit.html.j2").render(**ctx)


def _coverage(pages, governance) -> list[dict]:
    """Structured data by page type: pages, pages with any markup, with the expected type,
    and the types seen most."""
    expected = governance.settings.get("expected_types", {})
    rows = []
    for ptype in sorted({p.page_type for p in pages if p.status == 200}):
        group = [p for p in pages if p.page_type == ptype and p.status == 200]
        marked = [p for p in group if any(n["syntax"] != "opengraph" for n in p.entities)]
        want = set(expected.get(ptype, []))
        with_expected = [p for p in group if want & set(p.schema_types)] if want else []
        seen = Counter(t for p in group for t in dict.fromkeys(p.schema_types))
        rows.append({"type": ptype, "pages": len(group), "marked": len(marked),
                     "expected": ", ".join(sorted(want)) if want else "",
                     "with_expected": len(with_expected) if want else None,
                     "seen": ", ".join(f"{t} ({n})" for t, n in seen.most_common(5))})
    return rows


def _trend_points(trend: list[dict]) -> list[dict]:
    pts = [t for t in trend if t["score"] is not None]
    n = len(pts)
    for i, t in enumerate(pts):
        r = t["run"]
        if len(r) >= 13 and r[8] == "T":   # 20261122T153238Z -> 11-22 15:32
            t["run"] = f"{r[4:6]}-{r[6:8]} {r[9:11]}:{r[11:13]}"
        t["x"] = round(40 + (i * 480 / max(1, n - 1) if n > 1 else 240), 1)
        t["y"] = round(130 - t["score"] * 1.1, 1)
    return pts


def report_context(*, tool, run, site, scores, priorities, leave, outcomes, rules, pages,
                   governance, limits, comparison=None, trend=(), templates=()) -> dict:
    groups_by_pillar: dict[str, list] = {p: [] for p in PILLARS}
    pillar_state: dict[str, str] = {}
    for p in PILLARS:
        ran = [o for o in outcomes if o.pillar == p]
        if not ran:
            pillar_state[p] = "No rules of this pillar are implemented yet in this version."
        elif all(o.applicable == 0 for o in ran):
            pillar_state[p] = "No rule of this pillar applied to the pages crawled."
        else:
            pillar_state[p] = "Every applicable rule passed."
    order = {pr.rule: pr.rank for pr in priorities}
    ids = sorted(o.rule for o in outcomes)
    for o in sorted(outcomes, key=lambda o: order.get(o.rule, 10**6)):
        if o.findings:
            r = rules[o.rule]
            groups_by_pillar[o.pillar].append({
                "rule": r, "severity": o.findings[0].severity, "findings": list(o.findings),
                "rule_order": ids.index(o.rule)})
    evidence_for = {o.rule: o.findings[0].evidence for o in outcomes if o.findings}
    first = fix_first(priorities)
    effect_for = {}
    for pr in first:
        after = expected_overall(outcomes, pr.rule, governance, rules)
        what = f"{pr.pages} {'page' if pr.pages == 1 else 'pages'}"
        gain = (after or 0) - (scores.overall or 0)
        effect_for[pr.rule] = (f"fixes it on {what}; overall score {scores.overall:.1f} → "
                               f"{after:.1f} (+{gain:.1f})" if after is not None else
                               f"fixes it on {what}")
    probe_for = {}
    for p in site.bot_probes:
        probe_for[p.token] = (f"HTTP {p.status}" if p.status else (p.error or "no answer")) + \
            (" (challenge page)" if p.challenge else "")
    unscored = [p for p in PILLARS if scores.pillars.get(p) is None]
    return dict(
        tool=tool, run=run, site=site, scores=scores, pillars=PILLARS,
        pillar_rows=[{"name": p, "score": scores.pillars.get(p), "color": PILLAR_COLORS[p]}
                     for p in PILLARS],
        unscored_note=("unscored: " + ", ".join(unscored)) if unscored else "",
        fix_first=first, leave_alone=leave, groups_by_pillar=groups_by_pillar,
        pillar_state=pillar_state, evidence_for=evidence_for, effect_for=effect_for,
        errored=[o for o in outcomes if o.error], bots=site.bots, probe_for=probe_for,
        by_status=sorted(Counter(str(p.status) for p in pages).items()),
        by_type=sorted(Counter(p.page_type for p in pages if p.status == 200).items()),
        limits=limits, governance=governance.to_dict(),
        governance_text=json.dumps(governance.to_dict(), indent=2, ensure_ascii=False),
        rules_run=len(outcomes),
        comparison=comparison, trend=_trend_points([dict(t) for t in trend]),
        coverage=_coverage(pages, governance), authors=sorted(
            site.authors.values(), key=lambda a: (-len(a["pages"]), a["name"])),
        templates=list(templates)[:12],
        page_types=sorted({f.page_type for o in outcomes for f in o.findings}),
        severities=[s for s in ("critical", "high", "medium", "low")
                    if any(f.severity == s for o in outcomes for f in o.findings)],
        template_of={p.rule: p.template for p in priorities if p.template},
        drill=_drill(pages, outcomes),
    )


def _drill(pages, outcomes) -> list[dict]:
    """Per page: its facts and every finding on it, pages with the most findings first."""
    by_url: dict[str, list] = {}
    for o in outcomes:
        for f in o.findings:
            by_url.setdefault(f.url, []).append(f)
    rows = []
    for p in pages:
        fs = by_url.get(p.url, [])
        if not fs:
            continue
        rows.append({"url": p.url, "type": p.page_type, "status": p.status,
                     "words": p.main_word_count, "author": p.author,
                     "published": p.date_published, "modified": p.date_modified,
                     "schema": " ".join(p.schema_types[:6]), "findings": fs})
    rows.sort(key=lambda r: (-len(r["findings"]), r["url"]))
    return rows[:300]
