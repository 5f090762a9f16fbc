"""Scores and priorities: the one place where weights live.

Severity weights (how much one rule counts inside its pillar, and how urgent its fix is):

| severity | weight | reasoning |
|---|---|---|
| critical | 10 | blocks engines outright (robots, CDN, JavaScript-only text): failing it fails the pillar |
| high     | 6  | removes a page or a trust signal from answers |
| medium   | 3  | weakens how a page is understood or chosen |
| low      | 1  | polish, or informational |

Pillar score (0-100) = weighted mean of its applicable rules' pass rates, where a page rule's
pass rate is the share of the pages it judged that passed and a site rule's is 1 or 0. A rule
that judged nothing counts for nothing; a rule that raised is shown and not scored; an advisory
rule (measured precision on the judged real sites under 0.9: rules/base.py) is shown apart and
neither scored nor prioritized. The overall
score is the mean of the pillar scores weighted by the governance pillar weights, over the
pillars that have a score.

Priority of a finding group (one rule, all its pages) = severity weight x sqrt(reach) x pillar
weight / effort, where reach is the affected share of the pages of the types the rule is about, each page
weighted by its importance (1 + log(1 + internal inlinks), halved per level of depth), and
effort is 1 for a one-place fix (a site file), 1 per template the finding covers (it is on at
least 80% of the template's pages: reports/layouts.py), plus 1 + log10(n) for n pages outside
any template. The square root gives breadth diminishing returns: a critical problem on one page in
twenty-five still outranks an informational one on every page.

"Fix first" is the top three groups that are not of low severity (low means informational or
polish); "leave alone for now" is what is left of low severity, or medium on under a tenth of
the pages. Each fix-first group carries its expected effect: the overall score if that rule
passed everywhere, everything else unchanged.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from aeo.facts.records import CONTENT_TYPES, PILLARS, Finding, PageFacts, RuleOutcome, SiteFacts
from aeo.governance import Governance

SEVERITY_WEIGHTS = {"critical": 10.0, "high": 6.0, "medium": 3.0, "low": 1.0}


def precision_bar(gov: Governance) -> float:
    """The measured precision a rule needs to be scored and prioritized (governance)."""
    return float(gov.settings.get("precision_bar", 0.9))


@dataclass(frozen=True)
class Scores:
    overall: float | None
    pillars: dict[str, float | None]
    rules: dict[str, float | None]      # pass rate per rule, None when not applicable/errored


def compute_scores(outcomes: list[RuleOutcome], gov: Governance, rules: dict) -> Scores:
    by_pillar: dict[str, list[tuple[float, float]]] = defaultdict(list)
    rule_rates: dict[str, float | None] = {}
    bar = precision_bar(gov)
    for o in outcomes:
        if o.error or o.applicable == 0 or rules[o.rule].advisory_at(bar):
            rule_rates[o.rule] = None     # not applicable, broken, or below the precision bar
            continue
        rate = 1.0 - min(o.failed, o.applicable) / o.applicable
        rule_rates[o.rule] = rate
        sev = gov.severity(o.rule, rules[o.rule].severity)
        by_pillar[o.pillar].append((SEVERITY_WEIGHTS[sev], rate))
    pillars: dict[str, float | None] = {}
    for p in PILLARS:
        items = by_pillar.get(p)
        if not items:
            pillars[p] = None
            continue
        total = sum(w for w, _ in items)
        pillars[p] = round(100 * sum(w * r for w, r in items) / total, 1)
    weighted = [(gov.pillar_weights.get(p, 1.0), s) for p, s in pillars.items() if s is not None]
    wsum = sum(w for w, _ in weighted)
    overall = round(sum(w * s for w, s in weighted) / wsum, 1) if wsum else None
    return Scores(overall, pillars, rule_rates)


def page_importance(page: PageFacts | None, site: SiteFacts) -> float:
    """How much a page counts in a finding's reach: its inlinks, its depth and, with access
    logs, the hits answer engines' crawlers made on it. page: anything with url and depth
    (PageFacts, or the report's PageRow)."""
    if page is None:
        return 1.0
    inlinks = site.inlink_counts.get(page.url, len(site.inlinks.get(page.url, ())))
    weight = (1.0 + math.log1p(inlinks)) / (2 ** min(page.depth, 10))
    if site.logs is not None:     # the pages answer engines actually fetch weigh more
        weight *= 1.0 + math.log1p(site.logs.answer_hits.get(page.url, 0))
    return weight


@dataclass(frozen=True)
class Priority:
    rank: int
    rule: str
    title: str
    pillar: str
    severity: str
    pages: int
    template: str | None
    score: float
    reach: float
    why: str
    urls: tuple[str, ...]
    effort: float = 1.0

    def to_dict(self) -> dict:
        return {"rank": self.rank, "rule": self.rule, "title": self.title, "pages": self.pages,
                "template": self.template, "score": self.score, "why": self.why,
                "pillar": self.pillar, "severity": self.severity, "reach": self.reach,
                "effort": self.effort}


def effort_of(urls, templates) -> tuple[float, str | None]:
    """(effort, template label): one unit per template the finding covers (one fix there),
    and log-growing effort for the pages outside any template."""
    from aeo.reports.layouts import rollup

    covered, loose = rollup(list(urls), templates or [])
    effort = float(len(covered)) + ((1.0 + math.log10(len(loose))) if loose else 0.0)
    label = None
    if covered:
        label = "; ".join(f"in the {t.name} template: {n} of its {len(t.urls)} pages"
                          for t, n in covered[:3])
    return max(effort, 1.0), label


def prioritize(outcomes: list[RuleOutcome], pages, site: SiteFacts,
               gov: Governance, rules: dict, templates: list | None = None) -> list[Priority]:
    """pages: anything with url, page_type, status and depth (PageFacts, or PageRows), or a
    dict of them by URL."""
    by_url = pages if isinstance(pages, dict) else {p.url: p for p in pages}
    pages = list(by_url.values())
    importance_of_type: dict[tuple[str, ...], tuple[int, float]] = {}
    groups = []
    bar = precision_bar(gov)
    for o in outcomes:
        if not o.total or rules[o.rule].advisory_at(bar):   # advisory: shown apart
            continue
        r = rules[o.rule]
        sev = gov.severity(o.rule, r.severity)
        urls = tuple(dict.fromkeys(o.finding_urls))
        if r.scope == "site" and not r.site_level:
            affected = tuple(dict.fromkeys(u for f in o.findings for u in f.urls))
            content = [p for p in pages if p.page_type in CONTENT_TYPES]
            reach = (min(1.0, len([u for u in affected if u in by_url]) / len(content))
                     if affected and content else 1.0)
            effort = 1.0
            template = None
            npages = len(affected) or 1
        else:
            hit_weight = sum(page_importance(by_url.get(u), site) for u in urls)
            # the pages of the types the rule is about, not only those it could judge: a rule
            # on one sensitive article out of sixteen reaches a sixteenth of the articles
            if r.page_types not in importance_of_type:
                of_type = [p for p in pages if p.page_type in r.page_types and p.status
                           and 200 <= p.status < 300]
                importance_of_type[r.page_types] = (
                    len(of_type), (sum(page_importance(p, site) for p in of_type) / len(of_type)
                                   if of_type else 1.0) or 1.0)
            n_of_type, avg = importance_of_type[r.page_types]
            judged = max(n_of_type, o.applicable, len(urls))
            reach = min(1.0, hit_weight / (judged * avg)) if judged else 1.0
            effort, template = effort_of(urls, templates)
            npages = len(urls)
        score = (SEVERITY_WEIGHTS[sev] * math.sqrt(reach) * gov.pillar_weights.get(r.pillar, 1.0)
                 / effort)
        why = (f"{sev.capitalize()} {r.pillar} problem on {npages} "
               f"{'page' if npages == 1 else 'pages'}"
               f"{'' if r.scope == 'site' and not r.site_level else f' ({round(100 * reach)}% of the weighted pages it applies to)'}"
               f"{'; one fix in the template' if template else ''}"
               f": {r.why.split('. ')[0].rstrip('.')}.")
        groups.append((score, r, sev, npages, reach, why, urls, template, effort))
    groups.sort(key=lambda g: (-g[0], g[1].id))
    return [Priority(rank=i + 1, rule=r.id, title=r.heading, pillar=r.pillar, severity=sev,
                     pages=n, template=tpl, score=round(s, 3), reach=round(reach, 3), why=why,
                     urls=urls, effort=round(effort, 2))
            for i, (s, r, sev, n, reach, why, urls, tpl, effort) in enumerate(groups)]


def fix_first(priorities: list[Priority]) -> list[Priority]:
    """The three groups that come first: the highest priorities that are not low severity."""
    return [p for p in priorities if p.severity != "low"][:3]


def leave_alone(priorities: list[Priority]) -> list[Priority]:
    """Real but not worth doing yet: low severity, or a small share of a medium problem,
    and never one of the fix-first groups."""
    first = {p.rule for p in fix_first(priorities)}
    return [p for p in priorities if p.rule not in first
            and (p.severity == "low" or (p.severity == "medium" and p.reach < 0.1))]


def expected_overall(outcomes: list[RuleOutcome], rule_id: str, gov: Governance,
                     rules: dict) -> float | None:
    """The overall score if rule_id passed on every page it judged."""
    fixed = [RuleOutcome(o.rule, o.pillar, o.applicable, 0) if o.rule == rule_id else o
             for o in outcomes]
    return compute_scores(fixed, gov, rules).overall


def findings_of(outcomes: list[RuleOutcome]) -> list[Finding]:
    return [f for o in outcomes for f in o.findings]
