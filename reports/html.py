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


def report_context(*, tool, run, site, scores, priorities, leave, outcomes, rules, pages,
                   governance, limits) -> dict:
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
    for o in sorted(outcomes, key=lambda o: order.get(o.rule, 10**6)):
        if o.findings:
            r = rules[o.rule]
            groups_by_pillar[o.pillar].append({
                "rule": r, "severity": o.findings[0].severity, "findings": list(o.findings)})
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
    )
