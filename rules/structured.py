"""STRUCT: is the structured data readable, complete for Google, and true to the page? SD001
(JSON-LD that is not JSON), SD003 and SD004 (Google's required and recommended properties),
SD005 (the type a page of its kind should carry), SD006 (markup the page does not show), SD007
(the organization told the same everywhere) and SD101 (a theme marking every page an article).
Whether the markup is valid schema.org (SD002, SD008, SD009, SD010) is rules/vocabulary.py.

The rules read the entity nodes the structured-data analyzer stored per page (see
analyzers/structured.py for their shape) through rules/markup.py.
"""

from __future__ import annotations

from urllib.parse import urljoin

from aeo.facts.entities import EntityNode
from aeo.facts.reading import own_organizations
from aeo.facts.records import PAGE_TYPES, JsonLdBlock, PageFacts, SiteFacts, ThemeMarkup, Unseen
from aeo.facts.schemaorg import vocabulary
from aeo.governance import Governance
from aeo.rules.base import NOT_APPLICABLE, PASSED, Example, Hit, Pages, Verdict, failed, over, rule
from aeo.rules.evidence import join_evidence, snippet
from aeo.rules.markup import ALL, example_node, missing_properties, resolve, schema_nodes


@rule(id="SD001", name="JSON-LD block is not valid JSON", pillar="STRUCT", scope="page",
      severity="high", engines=ALL, page_types=PAGE_TYPES,
      why="Google and answer engines parse JSON-LD strictly: one stray comma or comment and the "
          "whole block is ignored, so everything it declares (author, dates, FAQ, organization) "
          "is lost, even where a lenient reader could have recovered it.",
      fix="Make the block strict JSON: no comments, no trailing commas, no raw line breaks "
          "inside strings, one object or array per script tag. Validate it after every template "
          "change.",
      before='{"@type": "Article", "headline": "Late invoices",}',
      after='{"@type": "Article", "headline": "Late invoices"}',
      references=("https://developers.google.com/search/docs/appearance/structured-data/intro-structured-data",
                  "https://www.rfc-editor.org/rfc/rfc8259"),
      examples=(
          Example("trailing comma", True, page={"jsonld_blocks": (JsonLdBlock(
              0, 12, "repaired", "Expecting property name", '"name": "x",}', 14,
              ("trailing_commas",)),)}),
          Example("valid block", False, page={"jsonld_blocks": (JsonLdBlock(0, 12, error_at=12),)}),
      ))
def sd001(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    if not page.jsonld_blocks:
        return NOT_APPLICABLE
    bad = [b for b in page.jsonld_blocks if b.status != "parsed"]
    if not bad:
        return PASSED
    parts = []
    for b in bad:
        fate = (f"recovered by a lenient repair ({', '.join(b.repairs)})"
                if b.status == "repaired" else
                f"not recoverable ({b.reason or 'not JSON'}): its data is lost")
        offending = f" at page line {b.error_at}: {b.error_line}" if b.error_line else ""
        parts.append(f"block {b.index + 1} (line {b.line}): {b.error}{offending}; {fate}")
    return failed(Hit(evidence=join_evidence(parts, 4),
                      detail=f"{len(bad)} of {len(page.jsonld_blocks)} JSON-LD block(s) on this page "
                             "are not valid JSON, so engines ignore what they say."))


@rule(id="SD003", name="Item lacks a property Google requires", pillar="STRUCT", scope="page",
      severity="high", engines=("google",),
      page_types=PAGE_TYPES,
      why="Google does not use an item that lacks a required property: the FAQ, breadcrumb, "
          "product or profile markup is ignored as a whole. The same gaps make the markup less "
          "useful to every other engine.",
      fix="Add the missing properties named in the evidence (Google's structured-data "
          "documentation lists them per type).",
      before='{"@type": "Question", "name": "Is my data secure?"}',
      after='{"@type": "Question", "name": "Is my data secure?", "acceptedAnswer": '
            '{"@type": "Answer", "text": "Yes: encrypted at rest and in transit."}}',
      references=("https://developers.google.com/search/docs/appearance/structured-data/search-gallery",),
      examples=(
          Example("question without an answer", True, page={"entities": (
              example_node(0, ["FAQPage"], {"mainEntity": [{"ref": 1}]}),
              example_node(1, ["Question"], {"name": ["Is it safe?"]}, parent=0, prop="mainEntity"))}),
          Example("complete question", False, page={"entities": (
              example_node(0, ["FAQPage"], {"mainEntity": [{"ref": 1}]}),
              example_node(1, ["Question"], {"name": ["Is it safe?"], "acceptedAnswer": [{"ref": 2}]},
                    parent=0, prop="mainEntity"),
              example_node(2, ["Answer"], {"text": ["Yes."]}, parent=1, prop="acceptedAnswer"))}),
      ))
def sd003(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    if not schema_nodes(page):
        return NOT_APPLICABLE
    missing = missing_properties(page, site, "required")
    if not missing:
        return PASSED
    return failed(Hit(evidence=join_evidence(missing),
                      detail=f"{len(missing)} item(s) lack properties Google requires, so Google "
                             "ignores them."))


@rule(id="SD004", name="Item lacks a property Google recommends", pillar="STRUCT",
      scope="page", severity="low", engines=("google",),
      page_types=PAGE_TYPES,
      why="Recommended properties (an article's author, dates and image; an organization's logo "
          "and profiles) are what engines use to attribute and date content. Without them the "
          "item is valid but says less.",
      fix="Add the recommended properties named in the evidence.",
      before='{"@type": "BlogPosting", "headline": "Bank reconciliation"}',
      after='{"@type": "BlogPosting", "headline": "Bank reconciliation", "image": '
            '"https://example.com/rec.png", "dateModified": "2026-05-02"}',
      references=("https://developers.google.com/search/docs/appearance/structured-data/article",),
      examples=(
          Example("posting without image", True, page={"entities": (
              example_node(0, ["BlogPosting"], {"headline": ["A"], "datePublished": ["2026-01-01"],
                                         "dateModified": ["2026-01-02"], "author": [{"ref": 1}]}),
              example_node(1, ["Person"], {"name": ["Ann"], "url": ["/ann"]}, parent=0, prop="author"))}),
          Example("complete posting", False, page={"entities": (
              example_node(0, ["BlogPosting"], {"headline": ["A"], "datePublished": ["2026-01-01"],
                                         "image": ["/a.png"], "dateModified": ["2026-01-02"],
                                         "author": [{"ref": 1}]}),
              example_node(1, ["Person"], {"name": ["Ann"], "url": ["/ann"]}, parent=0, prop="author"))}),
      ))
def sd004(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    if not schema_nodes(page):
        return NOT_APPLICABLE
    missing = missing_properties(page, site, "recommended")
    if not missing:
        return PASSED
    return failed(Hit(evidence=join_evidence(missing),
                      detail=f"{len(missing)} item(s) lack properties Google recommends."))


@rule(id="SD005", name="Page lacks the markup its type needs", pillar="STRUCT", scope="page",
      severity="medium", engines=ALL,
      page_types=PAGE_TYPES,
      why="Markup tells engines what a page is: an article with an author and dates, a product, "
          "an FAQ, the organization itself. A page without it leaves the engine to guess, and "
          "guesses are cited less.",
      fix="Add JSON-LD of the type the page is (the evidence lists the expected types).",
      before="<!-- no structured data -->",
      after='<script type="application/ld+json">{"@context": "https://schema.org", '
            '"@type": "Product", "name": "Payroll", "offers": {...}}</script>',
      references=("https://developers.google.com/search/docs/appearance/structured-data/intro-structured-data",),
      examples=(
          Example("product page with only a breadcrumb", True, page={
              "page_type": "product", "entities": (
                  example_node(0, ["BreadcrumbList"], {}),)}),
          Example("article page with a subtype of Article", False, page={
              "page_type": "article", "entities": (
                  example_node(0, ["Report"], {}),)}),
      ))
def sd005(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    expected = gov["expected_types"].get(page.page_type)
    if not expected:
        return NOT_APPLICABLE
    vocab = vocabulary()
    types = {t for n in schema_nodes(page) for t in n.types}
    if any(vocab.is_a(t, e) for t in types for e in expected):
        return PASSED
    unread = {s: v for s, v in page.sd_status.items() if v.startswith("failed")}
    if unread:
        found = "structured data present but unreadable: " + "; ".join(
            f"{s} {v}" for s, v in unread.items())
    elif types:
        found = "found only " + ", ".join(sorted(types))
    else:
        found = "no structured data on the page"
    return failed(Hit(evidence=f"{page.page_type} page expects one of {', '.join(expected)}; {found}",
                      detail=f"This {page.page_type} page has none of the markup that describes a "
                             f"{page.page_type} ({', '.join(expected)})."))


@rule(id="SD006", name="Marked-up content is not on the page", pillar="STRUCT", scope="page",
      severity="high", engines=ALL,
      page_types=PAGE_TYPES,
      why="Markup must describe what a reader sees. Google treats FAQ answers, authors or "
          "headlines that appear only in the markup as spam and can drop the page's rich "
          "results; answer engines that cross-check lose trust in the page.",
      fix="Show the marked-up text on the page, or change the markup to match what is shown.",
      before='"headline": "10 ways to get paid faster"  (the page\'s H1: "Chasing late invoices")',
      after='"headline": "Chasing late invoices"',
      references=("https://developers.google.com/search/docs/appearance/structured-data/sd-policies",),
      examples=(
          Example("headline not visible", True, page={"markup_checked": 3, "markup_unseen": (
              Unseen("headline", 0, "10 ways to get paid faster"),)}),
          Example("everything visible", False, page={"markup_checked": 3, "markup_unseen": ()}),
      ))
def sd006(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    if not page.markup_checked:
        return NOT_APPLICABLE
    if not page.markup_unseen:
        return PASSED
    parts = [f"{m.kind} '{snippet(m.text)}'" for m in page.markup_unseen]
    return failed(Hit(evidence="not in the visible text: " + join_evidence(parts),
                      detail=f"{len(parts)} of {page.markup_checked} marked-up texts (FAQ questions "
                             "and answers, authors, headlines) do not appear on the page."))


def _org_value(page, site, node, prop) -> str:
    for v in node.props.get(prop, ()):
        if isinstance(v, str) and v.strip():
            return v.strip()
        target = resolve(page, site, v)
        if target is not None:
            for key in ("url", "contentUrl", "@id"):
                for x in target.props.get(key, ()):
                    if isinstance(x, str) and x.strip():
                        return x.strip()
            if target.id:
                return target.id
    return ""


def _norm(prop: str, value: str, base: str) -> str:
    if prop == "name":
        return " ".join(value.casefold().split())
    try:
        return urljoin(base, value).rstrip("/").lower()
    except ValueError:
        return value


@rule(id="SD007", name="The site describes its organization inconsistently", pillar="STRUCT",
      scope="site", severity="medium", engines=ALL,
      why="Engines build one entity for the brand from every page's markup. Two names, two "
          "logos or two home URLs split it, and one @id used for different things merges "
          "unrelated entities.",
      fix="Define the Organization once (one @id, one name, url and logo) and reference that "
          "@id from every page.",
      before='/: {"@type": "Organization", "name": "Northwind Ledger"}  '
             '/about: {"@type": "Organization", "name": "Northwind Inc."}',
      after='every page: {"@id": "https://example.com/#org"} pointing at one full Organization',
      references=("https://developers.google.com/search/docs/appearance/structured-data/organization",),
      examples=(
          Example("two names", True, pages=(
              {"url": "https://example.com/", "entities": (
                  example_node(0, ["Organization"], {"name": ["Acme"]}),)},
              {"url": "https://example.com/about", "entities": (
                  example_node(0, ["Organization"], {"name": ["Acme Inc"]}),)})),
          Example("one organization", False, pages=(
              {"url": "https://example.com/", "entities": (
                  example_node(0, ["Organization"], {"name": ["Acme"]}),)},
              {"url": "https://example.com/about", "entities": (
                  example_node(0, ["Organization"], {"name": [" acme "]}),)})),
      ))
def sd007(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    orgs = own_organizations(pages, site.root)
    problems: list[str] = []
    urls: list[str] = []
    for prop in ("name", "url", "logo"):
        seen: dict[str, tuple[str, list[str]]] = {}
        for page, node in orgs:
            value = _org_value(page, site, node, prop)
            if value:
                key = _norm(prop, value, page.url)
                seen.setdefault(key, (value, []))[1].append(page.url)
        if len(seen) > 1:
            variants = [f"'{snippet(v, 60)}' on {snippet(', '.join(dict.fromkeys(ps)), 120)}"
                        for v, ps in seen.values()]
            problems.append(f"{prop}: " + " vs ".join(variants))
            urls += [u for _, ps in seen.values() for u in ps]
    vocab = vocabulary()
    by_id: dict[str, list[tuple[PageFacts, EntityNode]]] = {}
    for page in pages:
        for node in schema_nodes(page):
            if node.id and node.types:
                by_id.setdefault(node.id, []).append((page, node))
    for iri, uses in by_id.items():
        kinds = {tuple(sorted(n.types)) for _, n in uses}
        if len(kinds) < 2:
            continue
        related = all(any(vocab.is_a(a, b) or vocab.is_a(b, a) for a in k1 for b in k2)
                      for k1 in kinds for k2 in kinds)
        if not related:
            where_used = [f"{'/'.join(k)} on {p.url}" for (p, n), k in
                          ((u, tuple(sorted(u[1].types))) for u in uses)]
            problems.append(f"@id {iri} is used for different things: "
                            + snippet("; ".join(dict.fromkeys(where_used)), 240))
            urls += [p.url for p, _ in uses]
    if not problems:
        return over(1 if orgs or by_id else 0, [])
    return over(1, [Hit(evidence=join_evidence(problems, 4),
                        detail="Pages disagree about who the organization is, so engines may "
                               "not treat them as one entity.",
                        urls=tuple(dict.fromkeys(urls)), page_type="other")])


def _theme_evidence(name: str, seen: ThemeMarkup) -> str:
    kinds = "; ".join(f"{kind}: {', '.join(urls[:3])}" + (f" (+{len(urls) - 3})" if len(urls) > 3
                                                          else "")
                      for kind, urls in sorted(seen.kinds.items()))
    return (f"{name} on {seen.pages} of {seen.of} pages, pages that are no articles "
            f"among them ({snippet(kinds, 400)})")


@rule(id="SD101", name="The theme marks every page as an article", pillar="STRUCT",
      scope="site", severity="medium", engines=ALL,
      why="A theme or plugin that puts the same article type (BlogPosting, Article) on every "
          "page tells engines that the pricing, legal and contact pages are blog posts "
          "without authors or dates. The type then says nothing about any page, the posts' "
          "own markup included. One template setting causes it, so it is reported once here "
          "and not on each page (those pages are typed from their URL and content instead).",
      fix="Set the markup type per template: BlogPosting on posts only, WebPage or a more "
          "specific page type (AboutPage, ContactPage, CollectionPage, Product) elsewhere.",
      before='/privacy: {"@type": "BlogPosting", "headline": "Privacy policy"}',
      after='/privacy: {"@type": "WebPage", "name": "Privacy policy"}',
      references=("https://developers.google.com/search/docs/appearance/structured-data/article",
                  "https://schema.org/WebPage"),
      examples=(
          Example("BlogPosting everywhere", True, site={"theme_markup": {"BlogPosting": ThemeMarkup(
              40, 42, {"legal": ("https://example.com/privacy",),
                       "product": ("https://example.com/pricing",)})}}),
          Example("on posts only", False, site={"theme_markup": {}}),
      ))
def sd101(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    if not site.theme_markup:
        return over(1, [])
    hits = []
    for name, seen in sorted(site.theme_markup.items()):
        urls = tuple(u for urls in seen.kinds.values() for u in urls)
        hits.append(Hit(evidence=_theme_evidence(name, seen),
                        detail=f"The theme marks {seen.pages} of {seen.of} pages as "
                               f"{name}, pages that are no articles included.",
                        urls=urls[:200], page_type="other"))
    return over(len(hits), hits)   # (one target per type the theme marks)
