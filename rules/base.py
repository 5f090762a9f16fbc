"""The rule unit and the engine that runs rules over facts.

A rule is its metadata (ID, name, pillar, scope, page types, default severity, engines, why it
matters, how to fix with a before/after example, references, examples) plus one pure check.
Page rules are called once per page of their page types; site rules once per audit. A check
returns a list of Hits (empty: passed) or None (not applicable). A rule that raises becomes an
error outcome; the audit goes on.
"""

from __future__ import annotations

import dataclasses
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aeo.governance import Governance
from aeo.records import (
    CONTENT_TYPES,
    PILLARS,
    SEVERITIES,
    Finding,
    PageFacts,
    RuleOutcome,
    SiteFacts,
)


@dataclass(frozen=True)
class Hit:
    evidence: str
    detail: str
    url: str | None = None          # defaults to the page (page rules) or the site root
    urls: tuple[str, ...] = ()       # affected URLs of a site rule
    page_type: str | None = None


@dataclass(frozen=True)
class Judged:
    """What a site-wide check over many targets returns: how many it judged, what failed."""

    applicable: int
    hits: list[Hit]


@dataclass(frozen=True)
class Example:
    """Literal facts a rule must fail (fails=True), pass (False) or find not applicable
    (None); the test suite runs every one."""

    name: str
    fails: bool | None
    page: dict[str, Any] = field(default_factory=dict)
    site: dict[str, Any] = field(default_factory=dict)
    pages: tuple[dict[str, Any], ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    pillar: str
    scope: str                       # "page" or "site"
    severity: str
    engines: tuple[str, ...]
    why: str
    fix: str
    before: str
    after: str
    references: tuple[str, ...]
    check: Callable[..., Any]
    page_types: tuple[str, ...] = CONTENT_TYPES
    examples: tuple[Example, ...] = ()
    site_level: bool = False         # a page rule judged over the whole site (e.g. ACC009)
    title: str = ""                  # the finding title; defaults to name

    @property
    def heading(self) -> str:
        return self.title or self.name


REGISTRY: dict[str, Rule] = {}


def rule(**meta: Any) -> Callable[[Callable], Callable]:
    """Register a check function with its metadata."""

    def wrap(fn: Callable) -> Callable:
        r = Rule(check=fn, **meta)
        assert r.id not in REGISTRY, f"duplicate rule id {r.id}"
        assert r.pillar in PILLARS and r.severity in SEVERITIES and r.scope in ("page", "site")
        REGISTRY[r.id] = r
        return fn

    return wrap


def all_rules() -> dict[str, Rule]:
    from aeo.rules import access, attr, cite, entity, fresh, qa, structured  # noqa: F401

    return dict(sorted(REGISTRY.items(), key=lambda kv: (PILLARS.index(kv[1].pillar), kv[0])))


# -- building literal facts for examples and tests ----------------------------------------------
def make_page(**overrides: Any) -> PageFacts:
    base = dict(url="https://example.com/blog/post", status=200, page_type="article",
                content_type="text/html", title="A post", word_count=800, main_word_count=700,
                h1=("A post",), canonicals=("https://example.com/blog/post",))
    base.update(overrides)
    return PageFacts(**base)


def make_site(**overrides: Any) -> SiteFacts:
    base = dict(root="https://example.com/", host="example.com", robots_status=200,
                robots_found=True, llms_status=200)
    base.update(overrides)
    return SiteFacts(**base)


# -- the engine ----------------------------------------------------------------------------
def _finding(r: Rule, gov: Governance, hit: Hit, url: str, page_type: str) -> Finding:
    return Finding(rule=r.id, pillar=r.pillar, severity=gov.severity(r.id, r.severity),
                   engines=r.engines, url=hit.url or url, page_type=hit.page_type or page_type,
                   evidence=hit.evidence[:1000], detail=hit.detail, urls=tuple(hit.urls))


def run_rule(r: Rule, pages: list[PageFacts], site: SiteFacts, gov: Governance) -> RuleOutcome:
    by_url = {p.url: p for p in pages}
    try:
        if r.scope == "page" and not r.site_level:
            applicable = failed = 0
            findings: list[Finding] = []
            for page in pages:
                if page.page_type not in r.page_types or page.status is None or \
                        not 200 <= page.status < 300:
                    continue
                hits = r.check(page, site, gov)
                if hits is None:
                    continue
                applicable += 1
                if hits:
                    failed += 1
                    findings += [_finding(r, gov, h, page.url, page.page_type) for h in hits]
            return RuleOutcome(r.id, r.pillar, applicable, failed, tuple(findings))
        result = r.check(site, pages, gov)
        if result is None:
            return RuleOutcome(r.id, r.pillar, 0, 0)
        if isinstance(result, Judged):
            applicable, hits = result.applicable, result.hits
        else:
            applicable, hits = 1, result
        findings = []
        for h in hits:
            url = h.url or site.root
            ptype = h.page_type or (by_url[url].page_type if url in by_url else "other")
            findings.append(_finding(r, gov, h, url, ptype))
        failed = len(hits) if isinstance(result, Judged) else int(bool(hits))
        return RuleOutcome(r.id, r.pillar, applicable, failed, tuple(findings))
    except Exception as exc:  # a broken rule must not stop the audit: it is shown as errored
        tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return RuleOutcome(r.id, r.pillar, 0, 0, (), error=tb)


def run_rules(pages: list[PageFacts], site: SiteFacts, gov: Governance,
              rules: dict[str, Rule] | None = None) -> list[RuleOutcome]:
    rules = rules or all_rules()
    return [run_rule(r, pages, site, gov) for r in rules.values() if gov.enabled(r.id)]


def run_example(r: Rule, ex: Example, gov: Governance) -> list[Hit] | None:
    """Run one example through a rule's check; returns its hits (None: not applicable)."""
    if ex.settings:
        gov = dataclasses.replace(gov, settings={**gov.settings, **ex.settings})
    site = make_site(**ex.site)
    if r.scope == "page" and not r.site_level:
        return r.check(make_page(**ex.page), site, gov)
    pages = [make_page(**p) for p in ex.pages]
    result = r.check(site, pages, gov)
    return result.hits if isinstance(result, Judged) else result
