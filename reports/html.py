"""audit.html: one self-contained, autoescaped page (inline CSS and SVG, no request leaves it)."""

from __future__ import annotations

import json

from jinja2 import Environment, PackageLoader, StrictUndefined

from aeo.facts.records import PILLARS
from aeo.reports.scoring import expected_overall, fix_first, precision_bar

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


SCREEN_ROWS, PRINT_ROWS = 200, 20    # the URLs shown under each rule (the CSVs list every one)
BOT_COLORS = ("#2f5bea", "#c4480b", "#157f3b", "#7a3fe4", "#b42318", "#0f8b8d", "#a15c07")


def crawler_log(site, outcomes, templates=()) -> dict | None:
    """The report's "What AI crawlers fetched": per crawler, hits per day (for the chart),
    the pages answer engines got errors on, the important content pages no search crawler
    fetched, and the paths crawlers asked for that the crawl never found."""
    logs = site.logs
    if logs is None:
        return None
    from aeo.facts.logs import ANSWER_PURPOSES

    bots = logs.bots()
    days = sorted({d for d, _, _, _ in logs.daily})
    shown = [b.bot for b in bots if b.hits > b.unverified_hits][:len(BOT_COLORS)]
    per = {b: dict.fromkeys(days, 0) for b in shown}
    for d, b, verified, n in logs.daily:
        if b in per and verified != "no":
            per[b][d] += n
    top = max((n for counts in per.values() for n in counts.values()), default=0) or 1
    step = 480 / max(1, len(days) - 1)
    lines = [{"bot": b, "color": BOT_COLORS[i], "points": " ".join(
        f"{40 + j * step:.1f},{130 - per[b][d] * 110 / top:.1f}" for j, d in enumerate(days))}
        for i, b in enumerate(shown)]
    robots = {a.token.lower(): a for a in site.bots}
    acc012 = next((o for o in outcomes if o.rule == "ACC012"), None)
    judged = bool(acc012 and acc012.applicable)     # (a window too short is not judged)
    unfetched = sorted(acc012.finding_urls if judged else (),
                       key=lambda u: (-site.inlink_counts.get(u, 0), u))
    errors = sorted((r for r in logs.rows if r.error_hits and r.verified != "no" and
                     r.purpose in ANSWER_PURPOSES), key=lambda r: (-r.error_hits, r.url))
    weeks = max(logs.window_days, 1.0) / 7
    answer = logs.answer_hits
    fetched = logs.fetched_by_answer_crawlers
    per_template = [{"name": t.name, "pages": len(t.urls),
                     "fetched": sum(u in fetched for u in t.urls),
                     "per_page_week": sum(answer.get(u, 0) for u in t.urls) / len(t.urls) / weeks}
                    for t in list(templates)[:12] if t.urls]
    strays: dict[str, list] = {}
    for r in logs.rows:
        if not r.crawled and r.verified != "no":
            s = strays.setdefault(r.url, [0, set(), r.statuses_text])
            s[0] += r.hits
            s[1].add(r.bot)
    return {
        "facts": logs, "bots": bots, "days": days, "lines": lines, "top": top,
        "robots": {b.bot: _robots_against_hits(robots.get(b.bot.lower()), logs, b.bot)
                   for b in bots},
        "absent": [(a.token, a.purpose, f"blocked on {len(a.blocked_urls)}" if a.blocked_urls
                    else "allowed")
                   for a in site.bots if a.purpose in ANSWER_PURPOSES
                   and a.token.lower() not in {b.bot.lower() for b in bots}],
        "errors": errors[:30], "unfetched": unfetched[:20], "unfetched_count": len(unfetched),
        "judged": judged, "templates": per_template,
        "strays": sorted(((u, n, sorted(b), st) for u, (n, b, st) in strays.items()),
                         key=lambda x: (-x[1], x[0]))[:20],
        "stray_count": len(strays), "spoofers": list(logs.spoofers[:10]),
        "window": logs.window_days,
    }


def _robots_against_hits(access, logs, bot: str) -> str:
    """What robots.txt says of a crawler, against what the crawler did."""
    if access is None:
        return "–"
    if not access.blocked_urls:
        return "allowed"
    blocked = set(access.blocked_urls)
    taken = {r.page for r in logs.rows if r.bot == bot and r.verified != "no" and r.page in blocked}
    return f"blocked on {len(blocked)}" + (f"; fetched {len(taken)} of them anyway" if taken
                                           else "; kept to it")


def report_context(*, tool, run, site, scores, priorities, leave, outcomes, rules, survey,
                   governance, limits, comparison=None, trend=(), templates=(), drill=(),
                   coverage=(), branding=None, print_mode=False) -> dict:
    """Everything the template shows. Page-level facts come from survey (aeo.pageset), the
    findings of each rule from its outcome's sample (the first findings) and counts.
    print_mode: laid out for paper (audit.pdf): a cover, page numbers, the first
    PRINT_ROWS URLs of each rule (the CSVs list all), no per-page drill-down."""
    from aeo.branding import Branding
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
    shown_templates = list(templates)[:12]
    template_sets = [set(t.urls) for t in shown_templates]
    tpl_of: dict[str, list[int]] = {}
    order = {pr.rule: pr.rank for pr in priorities}
    ids = sorted(o.rule for o in outcomes)
    all_types: set[str] = set()
    severities: set[str] = set()
    advisory = []
    for o in sorted(outcomes, key=lambda o: order.get(o.rule, 10**6)):
        if not o.total:
            continue
        r = rules[o.rule]
        if r.advisory_at(precision_bar(governance)):   # shown apart, with what was measured
            advisory.append({"rule": r, "count": o.total, "findings": list(o.findings),
                             "precision": r.precision})
            continue
        urls = set(o.finding_urls)
        types = {survey.rows[u].page_type for u in urls if u in survey.rows}
        types |= {f.page_type for f in o.findings}
        all_types |= types
        severities.add(o.findings[0].severity)
        for f in o.findings[:200]:
            if f.url not in tpl_of:
                tpl_of[f.url] = [i + 1 for i, urls_of in enumerate(template_sets)
                                 if f.url in urls_of]
        groups_by_pillar[o.pillar].append({
            "rule": r, "severity": o.findings[0].severity, "findings": list(o.findings),
            "count": o.total, "types": sorted(types),
            "tpls": [i + 1 for i, urls_of in enumerate(template_sets) if urls & urls_of],
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
        errored=[o for o in outcomes if o.error], advisory=advisory, bots=site.bots,
        probe_for=probe_for,
        by_status=sorted(survey.by_status.items()),
        by_type=sorted(survey.by_type.items()),
        limits=limits, governance=governance.to_dict(),
        governance_text=json.dumps(governance.to_dict(), indent=2, ensure_ascii=False),
        rules_run=len(outcomes),
        comparison=comparison, trend=_trend_points([dict(t) for t in trend]),
        coverage=list(coverage), authors=sorted(
            site.authors.values(), key=lambda a: (-len(a.pages), a.name)),
        templates=shown_templates, tpl_of=tpl_of,
        page_types=sorted(all_types),
        severities=[s for s in ("critical", "high", "medium", "low") if s in severities],
        template_of={p.rule: p.template for p in priorities if p.template},
        drill=list(drill), crawler_log=crawler_log(site, outcomes, shown_templates),
        branding=branding or Branding(), print_mode=print_mode,
        rows_per_rule=PRINT_ROWS if print_mode else SCREEN_ROWS,
    )
