"""ATTR: can an engine tell who wrote each article and why they are worth citing? AT001 to
AT007 of RULES.md. They read every author candidate with its source (analyzers/bylines.py)
and the site's author matrix."""

from __future__ import annotations

import functools
import re

from aeo.facts.entities import EntityNode, Ref
from aeo.facts.page_types import post_signals
from aeo.facts.reading import brand_key, name_key, page_author_nodes
from aeo.facts.records import (
    RECORDS,
    Attribution,
    AuthorCandidate,
    AuthorEntry,
    Block,
    Identity,
    PageFacts,
    SectionTally,
    SiteFacts,
    peers_show,
)
from aeo.governance import Governance
from aeo.rules.base import (
    NOT_APPLICABLE,
    PASSED,
    Example,
    Hit,
    Pages,
    Verdict,
    failed,
    rule,
)

ALL = ("all",)


@functools.lru_cache(maxsize=256)   # (the terms a page has: a site repeats few sets)
def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern:
    """One pass over the text for the sensitive terms given (plural 's' allowed)."""
    alternatives = "|".join(re.escape(t.lower()) for t in sorted(terms, key=len, reverse=True))
    return re.compile(r"\b(" + alternatives + r")s?\b")


def _named(page) -> list[AuthorCandidate]:
    return [a for a in page.attribution.authors if a.name]


def _resolved_names(page, site) -> list[str]:
    names = [a.name for a in _named(page)]
    for a in page.attribution.authors:
        target = site.entities_by_id.get(a.ref) if a.ref else None
        if target:
            names += target.strings("name")
    return list(dict.fromkeys(names))


def _cand(name: str, source: str, url: str = "", same_as=(), kind: str = "person"
          ) -> AuthorCandidate:
    return AuthorCandidate(name, source, url, tuple(same_as), kind)


@rule(id="AT001", name="Article without an identifiable author", pillar="ATTR", scope="page",
      severity="high", engines=ALL, page_types=("article",),
      why="Answer engines weigh who stands behind a claim. An article with no byline, no "
          "author markup and no author meta tag is anonymous, and is cited less than a named "
          "expert's page on the same subject. Judged on posts (dated, marked up as articles, "
          "in a blog or news folder, or in a section whose other articles name authors); a "
          "manual whose pages name "
          "nobody, release notes and advisories are written by the project, not a person.",
      fix="Show a byline linked to the author's profile page, and name the author in the "
          "article's markup (author: Person with name and url).",
      before="<h1>Month-end close in five days</h1><p>...</p>",
      after="<h1>Month-end close in five days</h1><p class=\"byline\">By <a href=\"/authors/"
            "maria\" rel=\"author\">Maria Okafor</a></p>",
      references=("https://developers.google.com/search/docs/fundamentals/creating-helpful-content",),
      examples=(
          Example("nobody named on a dated post", True, page={
              "date_published": "2026-03-02", "attribution": Attribution(authors=())}),
          Example("an undated manual page among anonymous ones", None, page={
              "url": "https://example.com/docs/setup", "attribution": Attribution(authors=())},
              site={"dated_sections": {"/docs/": SectionTally(30, 0, 0)}}),
          Example("a byline", False, page={"attribution": Attribution(authors=(
              _cand("Maria Okafor", "byline", "/authors/maria"),))}),
      ))
def at001(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    if _resolved_names(page, site):
        return PASSED
    if page.dated_kind in RECORDS or not (
            post_signals(page.url, page.schema_types, published=page.date_published)
            or peers_show(site, page.url, "authored")):
        return NOT_APPLICABLE     # a project's changelog, or a manual whose pages name nobody
    return failed(Hit(evidence="no byline, no author in markup (author), no author meta tag, no "
                               "rel=author link",
                      detail="The article names no author anywhere engines look."))


@rule(id="AT002", name="Author not linked to a profile", pillar="ATTR", scope="page",
      severity="medium", engines=ALL, page_types=("article",),
      why="A name alone cannot be checked. A link to an author page, or markup url/sameAs "
          "pointing at the author's profiles, lets engines tie the article to a known expert.",
      fix="Link the byline to the author's page on the site (rel=author) and give the markup "
          "author a url and sameAs links.",
      before="<p>By Maria Okafor</p>",
      after="<p>By <a href=\"/authors/maria-okafor\" rel=\"author\">Maria Okafor</a></p>",
      references=("https://schema.org/author",),
      examples=(
          Example("plain-text byline", True, page={"attribution": Attribution(authors=(
              _cand("Maria Okafor", "byline"),))}),
          Example("linked byline", False, page={"attribution": Attribution(authors=(
              _cand("Maria Okafor", "byline", "/authors/maria-okafor"),))}),
      ))
def at002(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    named = _named(page)
    if not named:
        return NOT_APPLICABLE
    if any(a.url or a.same_as for a in named) or any(
            a.ref for a in page.attribution.authors):
        return PASSED
    names = list(dict.fromkeys(a.name for a in named))
    return failed(Hit(evidence=f"{', '.join(names)} named by {', '.join(sorted({a.source for a in named}))}"
                               "; no author page link, no url or sameAs in markup",
                      detail="The author is named but not linked to any profile."))


@rule(id="AT003", name="Author's Person markup is thin", pillar="ATTR", scope="page",
      severity="low", engines=ALL, page_types=("article",),
      why="Person markup with a job title, description, areas of expertise, employer and "
          "profile links is how engines learn why this author is worth citing on this subject.",
      fix="Give each author's Person item the missing properties, ideally once on the author "
          "page with an @id the articles reference.",
      before='"author": {"@type": "Person", "name": "Priya Natarajan"}',
      after='"author": {"@type": "Person", "name": "Priya Natarajan", "jobTitle": "Product '
            'Manager", "sameAs": ["https://www.linkedin.com/in/priya"], "knowsAbout": '
            '["invoicing"], "worksFor": {"@id": "https://example.com/#org"}, "description": '
            '"..."}',
      references=("https://schema.org/Person",),
      examples=(
          Example("name only", True, page={"entities": (
              EntityNode(0, "json-ld", ("BlogPosting",), props={"author": (Ref(node=1),)}),
              EntityNode(1, "json-ld", ("Person",), parent=0, prop="author",
                         props={"name": ("Priya",)}))}),
          Example("complete person", False, page={"entities": (
              EntityNode(0, "json-ld", ("BlogPosting",), props={"author": (Ref(node=1),)}),
              EntityNode(1, "json-ld", ("Person",), parent=0, prop="author", props={
                  "name": ("Priya",), "jobTitle": ("PM",), "description": ("...",),
                  "sameAs": ("https://www.linkedin.com/in/p",), "knowsAbout": ("invoicing",),
                  "worksFor": (Ref("https://example.com/#org"),)}))}),
      ))
def at003(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    people = [n for n in page_author_nodes(page, site.entities_by_id) if "Person" in n.types]
    if not people:
        return NOT_APPLICABLE
    hits = []
    for node in people:
        missing = [p for p in gov["person_props"] if not node.props.get(p)]
        if missing:
            name = next((v for v in node.props.get("name", ()) if isinstance(v, str)), "?")
            hits.append(Hit(evidence=f"{name}: Person markup lacks {', '.join(missing)}",
                            detail=f"{name}'s Person markup lacks {len(missing)} of the "
                                   "properties that establish expertise."))
    return failed(*hits)


@rule(id="AT004", name="Byline and markup name different authors", pillar="ATTR",
      scope="page", severity="medium", engines=ALL, page_types=("article",),
      why="When the visible byline and the markup disagree, engines cannot tell who wrote the "
          "article, and a mismatch between what users see and what markup claims is a spam "
          "signal.",
      fix="Make the byline and the markup author the same person (or the same list of people).",
      before="<p>By Admin</p> ... \"author\": {\"name\": \"Daniel Reyes\"}",
      after="<p>By Daniel Reyes</p> ... \"author\": {\"name\": \"Daniel Reyes\"}",
      references=("https://developers.google.com/search/docs/appearance/structured-data/sd-policies",),
      examples=(
          Example("Admin vs a person", True, page={"attribution": Attribution(authors=(
              _cand("Daniel Reyes", "markup"), _cand("Admin", "byline")))}),
          Example("same person", False, page={"attribution": Attribution(authors=(
              _cand("Daniel Reyes", "markup"), _cand("Daniel Reyes", "byline")))}),
      ))
def at004(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    named = _named(page)
    markup = {name_key(a.name): a.name for a in named if a.source.startswith("markup")}
    visible = {name_key(a.name): a.name for a in named
               if a.source in ("byline", "rel=author", "itemprop=author")}
    if not markup or not visible:
        return NOT_APPLICABLE
    if set(markup) == set(visible):
        return PASSED
    return failed(Hit(evidence=f"byline: {', '.join(visible.values())}; markup: "
                               f"{', '.join(markup.values())}",
                      detail="The visible byline and the markup name different authors."))


@rule(id="AT005", name="Author pages give no credentials", pillar="ATTR", scope="site",
      severity="medium", engines=ALL,
      why="Experience and expertise are what make an author worth citing. An author page "
          "without a role, qualifications or areas of expertise gives engines nothing to weigh.",
      fix="On each author page, state the role, qualifications and experience, and what the "
          "person writes about; mirror them in Person markup (jobTitle, hasCredential, "
          "knowsAbout).",
      before="<h1>Sam Lee</h1><p>Sam writes for the blog.</p>",
      after="<h1>Sam Lee</h1><p>Sam Lee is a chartered accountant (ACA) with ten years of "
            "experience in small-business lending.</p>",
      references=("https://developers.google.com/search/docs/fundamentals/creating-helpful-content",),
      examples=(
          Example("bare author page", True, site={"authors": {"sam lee": AuthorEntry(
              "Sam Lee", pages=("https://example.com/blog/a",),
              profile="https://example.com/authors/sam",
              profile_page="https://example.com/authors/sam", sources={"byline": 1})}}),
          Example("credentials shown", False, site={"authors": {"maria okafor": AuthorEntry(
              "Maria Okafor", pages=("https://example.com/blog/a",),
              profile="https://example.com/authors/maria",
              profile_page="https://example.com/authors/maria", props=("jobTitle",),
              credentials=("CPA",), sources={"markup": 1})}}),
      ))
def at005(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    judged = [a for a in site.authors.values() if a.profile_page and a.kind == "person"]
    if not judged:
        return NOT_APPLICABLE
    bare = [a for a in judged if not a.credentials and not {"jobTitle", "hasCredential",
                                                           "knowsAbout"} & set(a.props)]
    if not bare:
        return PASSED
    return failed(Hit(evidence="; ".join(f"{a.name} ({a.profile_page}): no job title, "
                                         "qualifications, experience or expertise" for a in bare[:5]),
                      detail=f"{len(bare)} of {len(judged)} author page(s) give no credentials.",
                      url=bare[0].profile_page, urls=tuple(a.profile_page for a in bare),
                      page_type="author"))


@rule(id="AT006", name="Generic author instead of a person", pillar="ATTR", scope="page",
      severity="high", engines=ALL, page_types=("article",),
      why="'Admin', 'Staff' or the company's own name is not an author engines can weigh. It "
          "reads as content nobody wanted to sign.",
      fix="Credit the person who wrote (or reviewed) the article.",
      before="<p>By Admin</p>", after="<p>By <a href=\"/authors/daniel\">Daniel Reyes</a>, "
                                       "payroll specialist</p>",
      references=("https://developers.google.com/search/docs/fundamentals/creating-helpful-content",),
      examples=(
          Example("admin byline", True, page={"attribution": Attribution(authors=(
              _cand("Admin", "byline"),))}),
          Example("the brand as author", True, site={"identity": Identity("Acme Analytics")},
                  page={"attribution": Attribution(authors=(_cand("Acme Analytics", "markup",
                                                          kind="organization"),))}),
          Example("a person", False, page={"attribution": Attribution(authors=(
              _cand("Maria Okafor", "byline"),))}),
      ))
def at006(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    named = _named(page)
    if not named:
        return NOT_APPLICABLE
    generic = {g.lower() for g in gov["generic_authors"]}
    brand = brand_key(site.identity.name) if site.identity.name else ""
    found = []
    for a in named:
        words = set(re.findall(r"[a-z]+", a.name.lower()))
        if a.name.lower() in generic or (words and words <= generic | {"the", "our", "team"}
                                            and words & generic) or \
                (brand and brand_key(a.name) == brand):
            found.append(f"'{a.name}' ({a.source})")
    if not found:
        return PASSED
    return failed(Hit(evidence="generic author: " + ", ".join(dict.fromkeys(found)),
                      detail="The article is credited to a generic name, not a person."))


@rule(id="AT007", name="Sensitive topic without a reviewer", pillar="ATTR", scope="page",
      severity="medium", engines=ALL, page_types=("article",),
      why="On health, money and legal topics, engines look for expert review before they "
          "repeat advice. An article on loans or diagnoses with no named reviewer is held to "
          "a higher bar and often not cited.",
      fix="Have a qualified expert review the article and show it: 'Reviewed by <name>, "
          "<credential>' on the page and reviewedBy in the markup.",
      before="<p>By Sam Lee</p>",
      after="<p>By Sam Lee · Reviewed by Maria Okafor, CPA</p>",
      references=("https://developers.google.com/search/docs/fundamentals/creating-helpful-content",
                  "https://schema.org/reviewedBy"),
      examples=(
          Example("loan advice, no reviewer", True, page={
              "main_blocks": (Block("p", "Your credit score sets the interest rate on a "
                                              "loan."),),
              "attribution": Attribution(reviewers=())}),
          Example("reviewed", False, page={
              "main_blocks": (Block("p", "Your credit score sets the interest rate on a "
                                              "loan."),),
              "attribution": Attribution(reviewers=("Maria Okafor",))}),
      ))
def at007(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    text = " ".join(b.text for b in page.main_blocks).lower()
    # a term that is nowhere in the text cannot match: the pattern runs (and is needed) only
    # when enough of them are (a substring test is a fast scan; the pattern, with every term
    # as an alternative, is tried at each position)
    present = tuple(t for t in gov["ymyl_terms"] if t.lower() in text)
    if len(present) < gov["ymyl_min_terms"]:
        return NOT_APPLICABLE
    found = {m.group(1) for m in _terms_pattern(present).finditer(text)}
    terms = [t for t in present if t.lower() in found]
    if len(terms) < gov["ymyl_min_terms"]:
        return NOT_APPLICABLE
    if page.attribution.reviewers:
        return PASSED
    return failed(Hit(evidence=f"sensitive terms: {', '.join(terms[:8])}; no reviewedBy in markup and "
                               "no visible 'Reviewed by'",
                      detail=f"An article on a sensitive topic ({len(terms)} terms) names no "
                             "reviewer."))
