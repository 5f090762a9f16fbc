"""STRUCT: is the structured data readable, valid schema.org, complete for Google, and true to
the page? SD001 to SD008 of RULES.md, plus SD009 (property outside its type's domain) and SD010
(superseded term).

The rules read the entity nodes the structured-data analyzer stored per page (see
analyzers/structured.py for their shape) and the schema.org vocabulary.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from aeo.facts.reading import own_organizations
from aeo.facts.records import PAGE_TYPES, PageFacts, SiteFacts
from aeo.facts.schemaorg import DATA_TYPES, DATE_TYPES, NUMBER_TYPES, vocabulary
from aeo.rules.base import Example, Hit, Judged, rule

ALL = ("all",)
SCHEMA_SYNTAXES = ("json-ld", "microdata", "rdfa")
REQUIREMENTS_FILE = Path(__file__).parent / "data" / "google_requirements.toml"
ISO_DATE = re.compile(
    r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?)?)?$")
ISO_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$")
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
TEXTUAL = DATA_TYPES - NUMBER_TYPES - DATE_TYPES - {"URL", "Time", "Boolean", "True", "False",
                                                    "DataType"}


# -- reading the graph --------------------------------------------------------------------------
def schema_nodes(page: PageFacts) -> list[dict]:
    return [n for n in page.entities if n["syntax"] in SCHEMA_SYNTAXES]


def where(node: dict) -> str:
    if node["syntax"] == "json-ld":
        return f"JSON-LD block {node['block'] + 1}"
    return node["syntax"]


def label(page: PageFacts, node: dict) -> str:
    """'FAQPage > mainEntity > Question' style path of a node, for evidence."""
    parts, seen = [], set()
    while node is not None and node["n"] not in seen:
        seen.add(node["n"])
        parts.append("/".join(node["types"]) or "(untyped item)")
        if node["parent"] is None:
            break
        parts.append(node["prop"])
        node = page.entities[node["parent"]]
    return " > ".join(reversed(parts))


def resolve(page: PageFacts, site: SiteFacts, value) -> dict | None:
    """The node a value points at: on the page, else anywhere on the site by @id."""
    if not isinstance(value, dict):
        return None
    if "ref" in value:
        return page.entities[value["ref"]]
    return site.entities_by_id.get(value.get("id", ""))


def present(values) -> bool:
    return any(not (isinstance(v, str) and not v.strip()) for v in values)


def has_path(page: PageFacts, site: SiteFacts, node: dict, path: str) -> bool:
    head, _, rest = path.partition(".")
    values = node["props"].get(head, [])
    if not rest:
        return present(values)
    for v in values:
        if isinstance(v, str) and rest == "name" and v.strip():
            return True   # a bare-string author is named (SD008 reports the bare string)
        target = resolve(page, site, v)
        if target is None and isinstance(v, dict) and "id" in v:
            return True   # a reference we cannot see (another site): not reported as missing
        if target is not None and has_path(page, site, target, rest):
            return True
    return False


def ancestors(page: PageFacts, node: dict):
    seen = {node["n"]}
    while node["parent"] is not None and node["parent"] not in seen:
        node = page.entities[node["parent"]]
        seen.add(node["n"])
        yield node


def _snippet(value, n: int = 80) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= n else text[:n - 1] + "…"


def _join(items: list[str], n: int = 6) -> str:
    more = f"; and {len(items) - n} more" if len(items) > n else ""
    return "; ".join(items[:n]) + more


# -- Google's requirements as data --------------------------------------------------------------
@dataclass(frozen=True)
class Requirement:
    types: tuple[str, ...]
    doc: str
    checked: str
    within: str = ""
    standalone_only: bool = False
    required: tuple[str, ...] = ()
    required_except_last: tuple[str, ...] = ()
    recommended: tuple[str, ...] = ()
    note: str = ""


@functools.lru_cache(maxsize=1)
def requirements() -> tuple[Requirement, ...]:
    data = tomllib.loads(REQUIREMENTS_FILE.read_text(encoding="utf-8"))
    return tuple(Requirement(**{k: tuple(v) if isinstance(v, list) else v
                                for k, v in item.items()}) for item in data["item"])


def _is_last_crumb(page: PageFacts, node: dict) -> bool:
    if node["parent"] is None:
        return False
    parent = page.entities[node["parent"]]
    siblings = [v["ref"] for v in parent["props"].get(node["prop"], [])
                if isinstance(v, dict) and "ref" in v]
    positions = {}
    for n in siblings:
        pos = [p for p in page.entities[n]["props"].get("position", [])
               if isinstance(p, (int, float)) or (isinstance(p, str) and NUMBER.match(p))]
        if pos:
            positions[n] = float(pos[0])
    if len(positions) == len(siblings) and positions:
        return node["n"] == max(positions, key=positions.get)
    return bool(siblings) and siblings[-1] == node["n"]


def missing_properties(page: PageFacts, site: SiteFacts, which: str) -> list[str]:
    """'Type > path lacks a, b (doc)' for every item missing what Google requires/recommends."""
    out = []
    for node in schema_nodes(page):
        if page.theme_markup and page.theme_markup in node["types"]:
            continue    # the theme's type on a page that is no article: SD101 reports it once
        for req in requirements():
            if not set(node["types"]) & set(req.types):
                continue
            if req.within and not any(req.within in a["types"] for a in ancestors(page, node)):
                continue
            if req.standalone_only and node["parent"] is not None:
                continue
            wanted = list(req.required if which == "required" else req.recommended)
            if which == "required" and req.required_except_last and \
                    not _is_last_crumb(page, node):
                wanted += req.required_except_last
            lacking = [p for p in wanted if not any(has_path(page, site, node, alt)
                                                    for alt in p.split("|"))]
            heads = {p for p in lacking if "." not in p}
            lacking = [p for p in lacking   # 'author' missing says all of 'author.name'
                       if not any(alt.split(".")[0] in heads for alt in p.split("|") if "." in alt)]
            if lacking:
                name = next((v for v in node["props"].get("name", []) if isinstance(v, str)), "")
                named = f" '{_snippet(name, 50)}'" if name else ""
                out.append(f"{label(page, node)}{named} ({where(node)}) lacks "
                           f"{', '.join(p.replace('|', ' or ') for p in lacking)}")
    return out


# -- value kinds (SD008) ------------------------------------------------------------------------
def looks_like_url(value: str) -> bool:
    """An absolute URL or a relative reference: no spaces (relative ones resolve to the page)."""
    v = value.strip()
    return bool(v) and not any(c.isspace() for c in v)


def wrong_kind(prop: str, value, syntax: str) -> str:
    """Why a value is the wrong kind for a property ('' when fine)."""
    if prop == "author":
        if isinstance(value, str) and value.strip():
            return f"author is the bare string '{_snippet(value, 40)}', not a Person or Organization"
        return ""
    if not isinstance(value, str) or not value.strip():
        return ""   # an empty value is a missing one (SD003/SD004), not a wrong kind
    ranges = set(vocabulary().ranges.get(prop, ()))
    if not ranges or ranges & TEXTUAL:
        return ""   # the property takes text (or anything): any string is fine
    v = value.strip()
    if ranges & DATE_TYPES or "Time" in ranges:
        if syntax == "rdfa":
            return ""   # extruct's RDFa reader gives <time>'s text, not its datetime attribute
        if ISO_DATE.match(v) or ("Time" in ranges and ISO_TIME.match(v)):
            return ""
        if ranges <= DATE_TYPES | {"Time"}:
            return f"{prop} '{_snippet(v, 40)}' is not an ISO 8601 date"
        return ""
    if ranges == {"URL"} and not looks_like_url(v):
        return f"{prop} '{_snippet(v, 40)}' is not a URL"
    if syntax == "json-ld" and ranges <= NUMBER_TYPES:
        if NUMBER.match(v.replace(",", "")) is None:
            return f"{prop} '{_snippet(v, 40)}' is text where a number is required"
    return ""


# -- the rules ----------------------------------------------------------------------------------
def _node(n: int, types: list[str], props: dict, parent: int | None = None,
          prop: str = "") -> dict:
    """An entity node as the analyzer stores it, for the rules' examples."""
    return {"n": n, "syntax": "json-ld", "block": 0, "types": types, "id": "", "parent": parent,
            "prop": prop, "props": props, "ext": []}


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
          Example("trailing comma", True, page={"jsonld_blocks": (
              {"index": 0, "line": 12, "status": "repaired", "error": "Expecting property name",
               "error_line": '"name": "x",}', "error_at": 14, "repairs": ["trailing_commas"],
               "reason": ""},)}),
          Example("valid block", False, page={"jsonld_blocks": (
              {"index": 0, "line": 12, "status": "parsed", "error": "", "error_line": "",
               "error_at": 12, "repairs": [], "reason": ""},)}),
      ))
def sd001(page, site, gov):
    if not page.jsonld_blocks:
        return None
    bad = [b for b in page.jsonld_blocks if b["status"] != "parsed"]
    if not bad:
        return []
    parts = []
    for b in bad:
        fate = (f"recovered by a lenient repair ({', '.join(b['repairs'])})"
                if b["status"] == "repaired" else
                f"not recoverable ({b['reason'] or 'not JSON'}): its data is lost")
        offending = f" at page line {b['error_at']}: {b['error_line']}" if b["error_line"] else ""
        parts.append(f"block {b['index'] + 1} (line {b['line']}): {b['error']}{offending}; "
                     f"{fate}")
    return [Hit(evidence=_join(parts, 4),
                detail=f"{len(bad)} of {len(page.jsonld_blocks)} JSON-LD block(s) on this page "
                       "are not valid JSON, so engines ignore what they say.")]


@rule(id="SD002", name="Term not in the schema.org vocabulary", pillar="STRUCT", scope="page",
      severity="high", engines=ALL,
      page_types=PAGE_TYPES,
      why="schema.org terms are case-sensitive. A misspelled type or property ('datepublished', "
          "'Autor', 'FAQpage') is silently ignored: the page loses the fact it meant to declare.",
      fix="Use the exact schema.org spelling; the evidence names the closest valid term.",
      before='"@type": "FAQpage", "datepublished": "2026-03-01"',
      after='"@type": "FAQPage", "datePublished": "2026-03-01"',
      references=("https://schema.org/docs/full.html",),
      examples=(
          Example("misspelled property", True, page={"entities": (
              _node(0, ["BlogPosting"], {"datepublished": ["2026-01-01"]}),)}),
          Example("valid terms", False, page={"entities": (
              _node(0, ["BlogPosting"], {"datePublished": ["2026-01-01"]}),)}),
      ))
def sd002(page, site, gov):
    nodes = schema_nodes(page)
    if not nodes:
        return None
    vocab = vocabulary()
    problems: list[str] = []
    for node in nodes:
        for t in node["types"]:
            if t not in node["ext"] and not vocab.is_type(t):
                close = vocab.closest(t, "type")
                problems.append(f"type '{t}' ({where(node)})"
                                + (f": did you mean '{close}'?" if close else ""))
        for prop in node["props"]:
            if prop not in node["ext"] and not vocab.is_property(prop):
                close = vocab.closest(prop, "property")
                problems.append(f"property '{prop}' on {label(page, node)} ({where(node)})"
                                + (f": did you mean '{close}'?" if close else ""))
    problems = list(dict.fromkeys(problems))
    if not problems:
        return []
    return [Hit(evidence=_join(problems),
                detail=f"{len(problems)} term(s) are not schema.org terms, so engines ignore "
                       "them.")]


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
              _node(0, ["FAQPage"], {"mainEntity": [{"ref": 1}]}),
              _node(1, ["Question"], {"name": ["Is it safe?"]}, parent=0, prop="mainEntity"))}),
          Example("complete question", False, page={"entities": (
              _node(0, ["FAQPage"], {"mainEntity": [{"ref": 1}]}),
              _node(1, ["Question"], {"name": ["Is it safe?"], "acceptedAnswer": [{"ref": 2}]},
                    parent=0, prop="mainEntity"),
              _node(2, ["Answer"], {"text": ["Yes."]}, parent=1, prop="acceptedAnswer"))}),
      ))
def sd003(page, site, gov):
    if not schema_nodes(page):
        return None
    missing = missing_properties(page, site, "required")
    if not missing:
        return []
    return [Hit(evidence=_join(missing),
                detail=f"{len(missing)} item(s) lack properties Google requires, so Google "
                       "ignores them.")]


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
              _node(0, ["BlogPosting"], {"headline": ["A"], "datePublished": ["2026-01-01"],
                                         "dateModified": ["2026-01-02"], "author": [{"ref": 1}]}),
              _node(1, ["Person"], {"name": ["Ann"], "url": ["/ann"]}, parent=0, prop="author"))}),
          Example("complete posting", False, page={"entities": (
              _node(0, ["BlogPosting"], {"headline": ["A"], "datePublished": ["2026-01-01"],
                                         "image": ["/a.png"], "dateModified": ["2026-01-02"],
                                         "author": [{"ref": 1}]}),
              _node(1, ["Person"], {"name": ["Ann"], "url": ["/ann"]}, parent=0, prop="author"))}),
      ))
def sd004(page, site, gov):
    if not schema_nodes(page):
        return None
    missing = missing_properties(page, site, "recommended")
    if not missing:
        return []
    return [Hit(evidence=_join(missing),
                detail=f"{len(missing)} item(s) lack properties Google recommends.")]


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
                  _node(0, ["BreadcrumbList"], {}),)}),
          Example("article page with a subtype of Article", False, page={
              "page_type": "article", "entities": (
                  _node(0, ["Report"], {}),)}),
      ))
def sd005(page, site, gov):
    expected = gov["expected_types"].get(page.page_type)
    if not expected:
        return None
    vocab = vocabulary()
    types = {t for n in schema_nodes(page) for t in n["types"]}
    if any(vocab.is_a(t, e) for t in types for e in expected):
        return []
    failed = {s: v for s, v in page.sd_status.items() if v.startswith("failed")}
    if failed:
        found = "structured data present but unreadable: " + "; ".join(
            f"{s} {v}" for s, v in failed.items())
    elif types:
        found = "found only " + ", ".join(sorted(types))
    else:
        found = "no structured data on the page"
    return [Hit(evidence=f"{page.page_type} page expects one of {', '.join(expected)}; {found}",
                detail=f"This {page.page_type} page has none of the markup that describes a "
                       f"{page.page_type} ({', '.join(expected)}).")]


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
              {"kind": "headline", "node": 0, "text": "10 ways to get paid faster"},)}),
          Example("everything visible", False, page={"markup_checked": 3, "markup_unseen": ()}),
      ))
def sd006(page, site, gov):
    if not page.markup_checked:
        return None
    if not page.markup_unseen:
        return []
    parts = [f"{m['kind']} '{_snippet(m['text'])}'" for m in page.markup_unseen]
    return [Hit(evidence="not in the visible text: " + _join(parts),
                detail=f"{len(parts)} of {page.markup_checked} marked-up texts (FAQ questions "
                       "and answers, authors, headlines) do not appear on the page.")]


def _org_value(page, site, node, prop) -> str:
    for v in node["props"].get(prop, []):
        if isinstance(v, str) and v.strip():
            return v.strip()
        target = resolve(page, site, v)
        if target is not None:
            for key in ("url", "contentUrl", "@id"):
                for x in target["props"].get(key, []):
                    if isinstance(x, str) and x.strip():
                        return x.strip()
            if target.get("id"):
                return target["id"]
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
                  _node(0, ["Organization"], {"name": ["Acme"]}),)},
              {"url": "https://example.com/about", "entities": (
                  _node(0, ["Organization"], {"name": ["Acme Inc"]}),)})),
          Example("one organization", False, pages=(
              {"url": "https://example.com/", "entities": (
                  _node(0, ["Organization"], {"name": ["Acme"]}),)},
              {"url": "https://example.com/about", "entities": (
                  _node(0, ["Organization"], {"name": [" acme "]}),)})),
      ))
def sd007(site, pages, gov):
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
            variants = [f"'{_snippet(v, 60)}' on {_snippet(', '.join(dict.fromkeys(ps)), 120)}"
                        for v, ps in seen.values()]
            problems.append(f"{prop}: " + " vs ".join(variants))
            urls += [u for _, ps in seen.values() for u in ps]
    vocab = vocabulary()
    by_id: dict[str, list[tuple[PageFacts, dict]]] = {}
    for page in pages:
        for node in schema_nodes(page):
            if node["id"] and node["types"]:
                by_id.setdefault(node["id"], []).append((page, node))
    for iri, uses in by_id.items():
        kinds = {tuple(sorted(n["types"])) for _, n in uses}
        if len(kinds) < 2:
            continue
        related = all(any(vocab.is_a(a, b) or vocab.is_a(b, a) for a in k1 for b in k2)
                      for k1 in kinds for k2 in kinds)
        if not related:
            where_used = [f"{'/'.join(k)} on {p.url}" for (p, n), k in
                          ((u, tuple(sorted(u[1]["types"]))) for u in uses)]
            problems.append(f"@id {iri} is used for different things: "
                            + _snippet("; ".join(dict.fromkeys(where_used)), 240))
            urls += [p.url for p, _ in uses]
    if not problems:
        return Judged(1 if orgs or by_id else 0, [])
    return Judged(1, [Hit(evidence=_join(problems, 4),
                          detail="Pages disagree about who the organization is, so engines may "
                                 "not treat them as one entity.",
                          urls=tuple(dict.fromkeys(urls)), page_type="other")])


@rule(id="SD008", name="Structured-data value of the wrong kind", pillar="STRUCT",
      scope="page", severity="medium", engines=ALL,
      page_types=PAGE_TYPES,
      why="A bare-string author cannot be tied to a person with a profile; a date like "
          "'March 3rd, 2026' is not read as a date; a URL property holding a name points "
          "nowhere. Engines drop or misread such values.",
      fix="Use the kind schema.org expects: author as a Person or Organization with a name and "
          "url, dates in ISO 8601 (2026-03-03), absolute URLs, numbers as numbers.",
      before='"author": "Dana Whitfield", "datePublished": "March 3rd, 2026"',
      after='"author": {"@type": "Person", "name": "Dana Whitfield", "url": '
            '"https://example.com/team/dana"}, "datePublished": "2026-03-03"',
      references=("https://schema.org/docs/datamodel.html",
                  "https://developers.google.com/search/docs/appearance/structured-data/article"),
      examples=(
          Example("bare-string author and a spelled-out date", True, page={"entities": (
              _node(0, ["BlogPosting"], {"author": ["Dana"],
                                         "datePublished": ["March 3rd, 2026"]}),)}),
          Example("typed author and an ISO date", False, page={"entities": (
              _node(0, ["BlogPosting"], {"author": [{"ref": 1}],
                                         "datePublished": ["2026-03-03"]}),
              _node(1, ["Person"], {"name": ["Dana"]}, parent=0, prop="author"))}),
      ))
def sd008(page, site, gov):
    nodes = schema_nodes(page)
    if not nodes:
        return None
    vocab = vocabulary()
    problems = []
    for node in nodes:
        if node["types"] and all(t in node["ext"] or not vocab.is_type(t)
                                 for t in node["types"]):
            continue   # not a schema.org item (or an unknown type: SD002 reports it)
        for prop, values in node["props"].items():
            if prop in node["ext"]:
                continue
            for v in values:
                why = wrong_kind(prop, v, node["syntax"])
                if why:
                    problems.append(f"{label(page, node)} ({where(node)}): {why}")
    problems = list(dict.fromkeys(problems))
    if not problems:
        return []
    return [Hit(evidence=_join(problems),
                detail=f"{len(problems)} value(s) are of the wrong kind, so engines drop or "
                       "misread them.")]


@rule(id="SD009", name="Property used on a type it does not belong to", pillar="STRUCT",
      scope="page", severity="low", engines=ALL,
      page_types=PAGE_TYPES,
      why="schema.org defines which types each property describes. A property on a type outside "
          "its domain (counting inheritance) is usually a nesting mistake, and engines ignore it.",
      fix="Move the property to the item it describes (often a nested Offer, Person or "
          "Organization), or use the property that type does have.",
      before='{"@type": "Person", "headline": "Dana Whitfield"}',
      after='{"@type": "Person", "name": "Dana Whitfield"}',
      references=("https://schema.org/docs/datamodel.html",),
      examples=(
          Example("headline on a Person", True, page={"entities": (
              _node(0, ["Person"], {"headline": ["Dana"]}),)}),
          Example("name on a Person", False, page={"entities": (
              _node(0, ["Person"], {"name": ["Dana"]}),)}),
      ))
def sd009(page, site, gov):
    nodes = schema_nodes(page)
    if not nodes:
        return None
    vocab = vocabulary()
    problems = []
    for node in nodes:
        types = [t for t in node["types"] if t not in node["ext"] and vocab.is_type(t)]
        if not types:
            continue
        role = any(vocab.is_a(t, "Role") for t in types)
        for prop in node["props"]:
            if prop in node["ext"] or not vocab.is_property(prop):
                continue
            if role and prop == node["prop"]:
                continue   # the Role pattern repeats its parent's property
            if not vocab.in_domain(prop, types):
                problems.append(f"'{prop}' on {'/'.join(types)} ({where(node)}); it belongs to "
                                f"{', '.join(vocab.domains[prop][:4])}")
    problems = list(dict.fromkeys(problems))
    if not problems:
        return []
    return [Hit(evidence=_join(problems),
                detail=f"{len(problems)} propert(ies) are used on a type they do not describe.")]


@rule(id="SD010", name="Superseded schema.org term", pillar="STRUCT", scope="page",
      severity="low", engines=ALL,
      page_types=PAGE_TYPES,
      why="schema.org keeps superseded terms for compatibility, but engines follow the "
          "replacement; new markup should use it.",
      fix="Replace the term with the one schema.org names as its successor.",
      before='"@type": "Organization", "members": {...}',
      after='"@type": "Organization", "member": {...}',
      references=("https://schema.org/docs/full.html",),
      examples=(
          Example("superseded property", True, page={"entities": (
              _node(0, ["Organization"], {"members": [{"id": "x"}]}),)}),
          Example("current property", False, page={"entities": (
              _node(0, ["Organization"], {"member": [{"id": "x"}]}),)}),
      ))
def sd010(page, site, gov):
    nodes = schema_nodes(page)
    if not nodes:
        return None
    vocab = vocabulary()
    found = []
    for node in nodes:
        for term in list(node["types"]) + list(node["props"]):
            if term not in node["ext"] and term in vocab.superseded:
                found.append(f"'{term}' ({where(node)}): use '{vocab.superseded[term]}'")
    found = list(dict.fromkeys(found))
    if not found:
        return []
    return [Hit(evidence=_join(found), detail=f"{len(found)} superseded term(s) in the markup.")]


def _theme_evidence(name: str, seen: dict) -> str:
    kinds = "; ".join(f"{kind}: {', '.join(urls[:3])}" + (f" (+{len(urls) - 3})" if len(urls) > 3
                                                          else "")
                      for kind, urls in sorted(seen["kinds"].items()))
    return (f"{name} on {seen['pages']} of {seen['of']} pages, pages that are no articles "
            f"among them ({_snippet(kinds, 400)})")


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
          Example("BlogPosting everywhere", True, site={"theme_markup": {"BlogPosting": {
              "pages": 40, "of": 42, "kinds": {"legal": ["https://example.com/privacy"],
                                                "product": ["https://example.com/pricing"]}}}}),
          Example("on posts only", False, site={"theme_markup": {}}),
      ))
def sd101(site, pages, gov):
    if not site.theme_markup:
        return Judged(1, [])
    hits = []
    for name, seen in sorted(site.theme_markup.items()):
        urls = tuple(u for urls in seen["kinds"].values() for u in urls)
        hits.append(Hit(evidence=_theme_evidence(name, seen),
                        detail=f"The theme marks {seen['pages']} of {seen['of']} pages as "
                               f"{name}, pages that are no articles included.",
                        urls=urls[:200], page_type="other"))
    return Judged(1, hits)
