"""The rule unit and the engine that runs rules over facts.

A rule is its metadata (ID, name, pillar, catalogue scope, page types, default severity,
engines, why it matters, how to fix with a before/after example, references, examples) plus
one pure check of one of two kinds, told apart by its typed signature:

    page rule   check(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict
                called once per page of its page types (2xx pages only)
    site rule   check(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict
                called once per audit (also for a catalogue "page" rule judged over the
                whole site, such as ACC009's broken links)

Every check returns a Verdict: NOT_APPLICABLE, PASSED or failed(*hits) for one target,
over(n, hits) for n targets of which each hit is one that failed. A rule that raises
(or returns anything else) becomes an error outcome; the audit goes on.
"""

from __future__ import annotations

import dataclasses
import functools
import tomllib
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aeo.facts.records import (
    CONTENT_TYPES,
    PILLARS,
    SEVERITIES,
    Finding,
    PageFacts,
    RuleOutcome,
    SiteFacts,
)
from aeo.governance import Governance


@dataclass(frozen=True)
class Hit:
    evidence: str
    detail: str
    url: str | None = None          # defaults to the page (page rules) or the site root
    urls: tuple[str, ...] = ()       # affected URLs of a site rule
    page_type: str | None = None


Pages = Iterable[PageFacts]   # the pages a site rule reads (re-iterable, slim facts)


@dataclass(frozen=True)
class Verdict:
    """What every check returns: how many targets it judged (0: the rule does not apply),
    the hits, and how many of the targets failed."""

    applicable: int
    hits: tuple[Hit, ...] = ()
    failed: int = 0

    def __post_init__(self):
        if not 0 <= self.failed <= self.applicable:
            raise ValueError(f"a verdict of {self.failed} failed out of {self.applicable} "
                             "judged")


NOT_APPLICABLE = Verdict(0)
PASSED = Verdict(1)


def failed(*hits: Hit) -> Verdict:
    """One target (the page, or the site) judged: failed with these hits, passed without."""
    return Verdict(1, hits, int(bool(hits)))


def over(applicable: int, hits: Iterable[Hit]) -> Verdict:
    """A site rule over many targets (links, sitemaps, redirects): each hit is one target
    that failed."""
    hits = tuple(hits)
    return Verdict(applicable, hits, len(hits))


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
    title: str = ""                  # the finding title; defaults to name
    kind: str = ""                   # "page" or "site": which check signature (see above)

    def __post_init__(self):
        if not self.kind:
            object.__setattr__(self, "kind", self.scope)

    @property
    def site_level(self) -> bool:
        """A catalogue page rule judged over the whole site (a site check)."""
        return self.scope == "page" and self.kind == "site"

    @property
    def heading(self) -> str:
        return self.title or self.name

    @property
    def inputs(self):
        """The page and site facts and the governance settings the check reads (read from its
        code: rules/inputs.py)."""
        from aeo.rules.inputs import inputs_of
        return inputs_of(self.check)

    @property
    def precision(self) -> dict | None:
        """What `make precision` measured for this rule on the shared real sites:
        {"precision": TP / (TP + FP + DEB), "judged": n, "measured": date}, or None when the
        rule fired on none of them."""
        return measured_precision().get(self.id)

    def advisory_at(self, bar: float) -> bool:
        """Below the precision bar (governance precision_bar): shown apart in the report,
        never scored, never in Fix first, until it is fixed."""
        m = self.precision
        return bool(m and m["judged"] and m["precision"] < bar)

    @property
    def advisory(self) -> bool:
        """Advisory at the default bar."""
        return self.advisory_at(PRECISION_BAR)


PRECISION_BAR = 0.9     # the default of governance precision_bar
PRECISION_FILE = Path(__file__).parent / "data" / "precision.toml"


@functools.cache
def measured_precision() -> dict[str, dict]:
    """rule id -> its measured precision, from rules/data/precision.toml (written by
    `python tests/precision.py --write` from the judged findings)."""
    try:
        data = tomllib.loads(PRECISION_FILE.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    when = data.get("measured", "")
    return {rid: {"precision": float(v["precision"]), "judged": int(v["judged"]),
                  "false": int(v.get("false", 0)), "measured": when}
            for rid, v in data.get("rules", {}).items()}


REGISTRY: dict[str, Rule] = {}


CHECK_KINDS = {("PageFacts", "SiteFacts", "Governance"): "page",
               ("SiteFacts", "Pages", "Governance"): "site"}


def check_kind(fn: Callable) -> str:
    """A check's kind, from its typed signature (one of CHECK_KINDS)."""
    import inspect

    types = tuple(str(p.annotation) for p in inspect.signature(fn).parameters.values())
    ret = str(inspect.signature(fn).return_annotation)
    assert types in CHECK_KINDS and ret == "Verdict", \
        f"{fn.__name__}{types} -> {ret}: a check is a page or a site check returning a Verdict"
    return CHECK_KINDS[types]


def rule(**meta: Any) -> Callable[[Callable], Callable]:
    """Register a check function with its metadata."""

    def wrap(fn: Callable) -> Callable:
        r = Rule(check=fn, kind=check_kind(fn), **meta)
        assert r.id not in REGISTRY, f"duplicate rule id {r.id}"
        assert r.pillar in PILLARS and r.severity in SEVERITIES and r.scope in ("page", "site")
        assert r.kind == "site" or r.scope == "page", f"{r.id}: a site rule has a site check"
        REGISTRY[r.id] = r
        return fn

    return wrap


def all_rules() -> dict[str, Rule]:
    from aeo.rules import (  # noqa: F401
        access,
        attr,
        cite,
        crawl,
        entity,
        fresh,
        logs,
        qa,
        redirects,
        served,
        structured,
        titles,
        vocabulary,
    )

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
                robots_found=True)
    base.update(overrides)
    return SiteFacts(**base)


# -- the engine ----------------------------------------------------------------------------
def _finding(r: Rule, gov: Governance, hit: Hit, url: str, page_type: str) -> Finding:
    return Finding(rule=r.id, pillar=r.pillar, severity=gov.severity(r.id, r.severity),
                   engines=r.engines, url=hit.url or url, page_type=hit.page_type or page_type,
                   evidence=hit.evidence[:1000], detail=hit.detail, urls=tuple(hit.urls))


INDEX_FILES = frozenset(("index.html", "index.htm", "index.php", "index.shtml", "default.htm",
                         "default.html", "default.aspx"))


_INDEX_ENDINGS = tuple(INDEX_FILES)


def index_twin(url: str, site: SiteFacts) -> bool:
    """Is url a folder's index file ('/ai/index.html') whose folder URL ('/ai/') was crawled
    with the same main text? Then it is one page under two URLs, judged once, as the folder."""
    from urllib.parse import urljoin, urlsplit

    if not url.lower().rstrip("/").split("?")[0].endswith(_INDEX_ENDINGS):
        return False   # (asked of every page for every rule: the cheap test first)
    name = urlsplit(url).path.rsplit("/", 1)[-1].lower()
    if name not in INDEX_FILES:
        return False
    mine = site.main_hash_by_url.get(url)
    return bool(mine) and site.main_hash_by_url.get(urljoin(url, "./")) == mine


def _verdict(r: Rule, result: Any) -> Verdict:
    if not isinstance(result, Verdict):
        raise TypeError(f"{r.id} returned {type(result).__name__}, not a Verdict")
    return result


def _judge_page(r: Rule, page: PageFacts, site: SiteFacts, gov: Governance
                ) -> list[Finding] | None:
    """A page rule on one page: its findings, or None where the rule does not apply (another
    page type, a page not fetched with 2xx, the index-file twin of a folder URL, or the
    rule's own verdict)."""
    if page.page_type not in r.page_types or page.status is None or \
            not 200 <= page.status < 300 or index_twin(page.url, site):
        return None
    v = _verdict(r, r.check(page, site, gov))
    if not v.applicable:
        return None
    return [_finding(r, gov, h, page.url, page.page_type) for h in v.hits]


def run_rule(r: Rule, pages: list[PageFacts], site: SiteFacts, gov: Governance,
             page_type_of: dict[str, str] | None = None) -> RuleOutcome:
    """One rule over the pages (a list, or a re-iterable stream when page_type_of, URL ->
    page type, is given for the site rules' findings)."""
    if page_type_of is None:
        page_type_of = {p.url: p.page_type for p in pages}
    try:
        if r.kind == "page":
            applicable = failed_pages = 0
            findings: list[Finding] = []
            for page in pages:
                found = _judge_page(r, page, site, gov)
                if found is None:
                    continue
                applicable += 1
                if found:
                    failed_pages += 1
                    findings += found
            return RuleOutcome(r.id, r.pillar, applicable, failed_pages, tuple(findings))
        v = _verdict(r, r.check(site, pages, gov))
        findings = []
        for h in v.hits:
            url = h.url or site.root
            ptype = h.page_type or page_type_of.get(url, "other")
            findings.append(_finding(r, gov, h, url, ptype))
        return RuleOutcome(r.id, r.pillar, v.applicable, v.failed if v.applicable else 0,
                           tuple(findings))
    except Exception as exc:  # a broken rule must not stop the audit: it is shown as errored
        tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return RuleOutcome(r.id, r.pillar, 0, 0, (), error=tb)


SAMPLE = 200   # findings of one rule kept in memory for the report; all of them are stored


@dataclass(frozen=True)
class Errored:
    message: str   # a page rule raised on a page: the line that says why


def judge_page_all(page: PageFacts, site: SiteFacts, gov: Governance, rules: list[Rule]
                   ) -> list[list[Finding] | None | Errored]:
    """Each page rule on one page, in order: its findings, None where it does not apply, or
    Errored. A pure function of its arguments, so pages can be judged in several processes."""
    out: list[list[Finding] | None | Errored] = []
    for r in rules:
        try:
            out.append(_judge_page(r, page, site, gov))
        except Exception as exc:  # a broken rule must not stop the audit
            out.append(Errored(traceback.format_exception_only(type(exc), exc)[-1].strip()))
    return out


def run_rules_stream(full_pages, slim_pages, site: SiteFacts, gov: Governance,
                     rules: dict[str, Rule], store, page_type_of: dict[str, str],
                     intern=lambda url: url, judged_pages=None) -> list[RuleOutcome]:
    """Every enabled rule, with memory that does not grow with the pages' text: the page rules
    judge full_pages one page at a time, the site rules read slim_pages (re-iterable, no bulky
    text). Every finding goes to store.add_finding(rule order, finding dict) as it is made;
    an outcome keeps the first SAMPLE findings, the count and every finding's URL (interned).
    A rule that raises is reported as errored and its stored findings are dropped.

    judged_pages(page rules), when given, yields judge_page_all's result for every page in
    crawl order (computed elsewhere: several processes); full_pages is not read then."""
    order = {rid: i for i, rid in enumerate(rules)}
    enabled = [r for r in rules.values() if gov.enabled(r.id)]
    streamed = [r for r in enabled if r.kind == "page"]
    acc = {r.id: {"applicable": 0, "failed": 0, "sample": [], "urls": [], "error": None}
           for r in streamed}
    results = judged_pages(streamed) if judged_pages is not None else (
        judge_page_all(page, site, gov, streamed) for page in full_pages)
    try:
        for page_results in results:
            for r, found in zip(streamed, page_results, strict=True):
                a = acc[r.id]
                if a["error"]:
                    continue
                if isinstance(found, Errored):
                    a["error"] = found.message
                    store.drop_findings(r.id)
                    continue
                if found is None:
                    continue
                a["applicable"] += 1
                if found:
                    a["failed"] += 1
                    for f in found:
                        store.add_finding(order[r.id], f.to_dict())
                        a["urls"].append(intern(f.url))
                        if len(a["sample"]) < SAMPLE:
                            a["sample"].append(f)
    finally:   # (worker processes stop when the judging does)
        getattr(results, "close", lambda: None)()
    outcomes: dict[str, RuleOutcome] = {}
    for r in streamed:
        a = acc[r.id]
        outcomes[r.id] = (RuleOutcome(r.id, r.pillar, 0, 0, (), error=a["error"]) if a["error"]
                          else RuleOutcome(r.id, r.pillar, a["applicable"], a["failed"],
                                           tuple(a["sample"]), count=len(a["urls"]),
                                           urls=tuple(a["urls"])))
    for r in enabled:
        if r.id in outcomes:
            continue
        o = run_rule(r, slim_pages, site, gov, page_type_of)
        for f in o.findings:
            store.add_finding(order[r.id], f.to_dict())
        outcomes[r.id] = o
    return [outcomes[r.id] for r in enabled]


def run_rules(pages: list[PageFacts], site: SiteFacts, gov: Governance,
              rules: dict[str, Rule] | None = None) -> list[RuleOutcome]:
    rules = rules or all_rules()
    return [run_rule(r, pages, site, gov) for r in rules.values() if gov.enabled(r.id)]


def run_example(r: Rule, ex: Example, gov: Governance) -> list[Hit] | None:
    """Run one example through a rule's check; returns its hits (None: not applicable)."""
    if ex.settings:
        gov = dataclasses.replace(gov, settings={**gov.settings, **ex.settings})
    site = make_site(**ex.site)
    if r.kind == "page":
        return hits(r.check(make_page(**ex.page), site, gov))
    return hits(r.check(site, [make_page(**p) for p in ex.pages], gov))


def hits(v: Verdict) -> list[Hit] | None:
    """A verdict's hits as a list, or None where the rule did not apply (for the tests)."""
    if not isinstance(v, Verdict):
        raise TypeError(f"a check returned {type(v).__name__}, not a Verdict")
    return list(v.hits) if v.applicable else None
