"""ENTITY: can an answer engine tell who the organization is and what each page is about?
EN001 to EN006 of RULES.md. They read the entity graph (STRUCT), the site's identity
(analyzers/identity.py) and what spaCy found in each page's text (analyzers/nlp.py)."""

from __future__ import annotations

import csv
import functools
import re
from pathlib import Path
from urllib.parse import urlsplit

from aeo.facts.entities import EntityNode, Ref
from aeo.facts.reading import brand_key, is_org, own_organizations
from aeo.facts.records import AboutFacts, Identity, Language, PageFacts, SiteFacts
from aeo.governance import Governance
from aeo.rules.base import NOT_APPLICABLE, PASSED, Example, Hit, Pages, Verdict, failed, rule
from aeo.rules.evidence import first_words, shortlist

ALL = ("all",)
MAIN_LABELS = ("ORG", "PRODUCT", "PERSON", "WORK_OF_ART")   # what a page is "about"
PROFILE_FILE = Path(__file__).parent / "data" / "profile_domains.csv"


@functools.lru_cache(maxsize=1)
def profile_domains() -> dict[str, str]:
    with open(PROFILE_FILE, newline="", encoding="utf-8") as fh:
        return {row["domain"]: row["profile"] for row in csv.DictReader(fh)}


def profile_of(url: str) -> str:
    host = (urlsplit(url.strip()).hostname or "").lower()
    for domain, name in profile_domains().items():
        if host == domain or host.endswith("." + domain):
            return name
    return ""


def _org(name: str, url: str = "https://acme.example/", logo: str = "/logo.png",
         same_as: tuple[str, ...] = ()) -> EntityNode:
    props = {"name": [name]}
    if url:
        props["url"] = [url]
    if logo:
        props["logo"] = [logo]
    if same_as:
        props["sameAs"] = list(same_as)
    return EntityNode.from_json({"n": 0, "syntax": "json-ld", "block": 0,
                                 "types": ["Organization"], "props": props})


def _has(node: EntityNode, prop: str) -> bool:
    return any((isinstance(v, str) and v.strip()) or isinstance(v, Ref)
               for v in node.props.get(prop, ()))


@rule(id="EN001", name="No complete Organization markup", pillar="ENTITY", scope="site",
      severity="high", engines=ALL,
      why="Answer engines anchor a brand to one entity: a name, a home URL and a logo they can "
          "show. Without an Organization item carrying all three, the engine has to guess "
          "which of several similar names is you.",
      fix="Add one Organization (or subtype) JSON-LD item to the home page with name, url and "
          "logo, and give it an @id the other pages reference.",
      before='{"@type": "Organization", "name": "Acme"}',
      after='{"@type": "Organization", "@id": "https://acme.example/#org", "name": "Acme", '
            '"url": "https://acme.example/", "logo": "https://acme.example/logo.png"}',
      references=("https://developers.google.com/search/docs/appearance/structured-data/organization",),
      examples=(
          Example("organization without a logo", True, pages=(
              {"url": "https://example.com/", "page_type": "home",
               "entities": (_org("Acme", logo=""),)},)),
          Example("complete organization", False, pages=(
              {"url": "https://example.com/", "page_type": "home",
               "entities": (_org("Acme"),)},)),
      ))
def en001(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    found = [(p, n) for p in pages for n in p.entities
             if n.syntax != "opengraph" and is_org(n)]
    if any(all(_has(n, prop) for prop in ("name", "url", "logo")) for _, n in found):
        return PASSED
    if found:
        missing = sorted({prop for _, n in found for prop in ("name", "url", "logo")
                          if not _has(n, prop)})
        evidence = (f"{len(found)} Organization item(s), none with name, url and logo together "
                    f"(missing: {', '.join(missing)}); e.g. on {found[0][0].url}")
    else:
        evidence = "no Organization item (of any subtype) on any crawled page"
    return failed(Hit(evidence=evidence,
                      detail="No Organization markup gives engines the brand's name, home URL and "
                             "logo together.", page_type="home"))


@rule(id="EN002", name="Organization not linked to authoritative profiles", pillar="ENTITY",
      scope="site", severity="medium", engines=ALL,
      why="sameAs links to profiles engines already trust (Wikipedia, Wikidata, LinkedIn, "
          "Crunchbase...) are how they confirm that the site and the entity in their knowledge "
          "graph are the same organization.",
      fix="List the organization's official profiles in the Organization item's sameAs.",
      before='"sameAs": ["https://www.linkedin.com/company/acme"]',
      after='"sameAs": ["https://www.linkedin.com/company/acme", '
            '"https://www.wikidata.org/wiki/Q42", "https://github.com/acme"]',
      references=("https://developers.google.com/search/docs/appearance/structured-data/organization",
                  "https://schema.org/sameAs"),
      examples=(
          Example("one profile", True, pages=(
              {"url": "https://example.com/", "page_type": "home", "entities": (
                  _org("Acme", same_as=("https://www.linkedin.com/company/acme",)),)},)),
          Example("two profiles", False, pages=(
              {"url": "https://example.com/", "page_type": "home", "entities": (
                  _org("Acme", same_as=("https://www.linkedin.com/company/acme",
                                        "https://en.wikipedia.org/wiki/Acme")),)},)),
      ))
def en002(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    orgs = own_organizations(pages, site.root)
    if not orgs:
        return NOT_APPLICABLE   # no Organization at all: EN001 says so
    links = {v.strip() for _, n in orgs for v in n.props.get("sameAs", ())
             if isinstance(v, str) and v.strip()}
    profiles = {profile_of(u) for u in links} - {""}
    if len(profiles) >= gov["min_sameas"]:
        return PASSED
    others = sorted(u for u in links if not profile_of(u))
    evidence = (f"sameAs names {len(profiles)} authoritative profile(s)"
                + (f" ({', '.join(sorted(profiles))})" if profiles else "")
                + f"; at least {gov['min_sameas']} expected"
                + (f"; other links: {shortlist(others)}" if others else ""))
    return failed(Hit(evidence=evidence,
                      detail="The organization's markup does not link to enough profiles "
                             "that engines trust to confirm who it is.",
                      urls=tuple(dict.fromkeys(p.url for p, _ in orgs)),
                      page_type="home"))


@rule(id="EN003", name="The brand is named inconsistently", pillar="ENTITY", scope="site",
      severity="medium", engines=ALL,
      why="Engines match a brand by its name. 'Acme Analytics', 'AcmeAnalytics' and 'Acme Inc' "
          "can become three entities, or be merged with someone else's, and citations are split "
          "between them.",
      fix="Use one form of the name in titles, og:site_name, markup and copy. List any other "
          "legitimate forms as alternateName in the Organization markup, or as "
          "allowed_brand_names in the governance file.",
      before="<title>Pricing | AcmeAnalytics</title> ... Acme Inc was founded in 2014",
      after="<title>Pricing | Acme Analytics</title> ... Acme Analytics was founded in 2014",
      references=("https://schema.org/alternateName",),
      examples=(
          Example("joined and legal-suffix variants", True, site={"identity": Identity(
              "Acme Analytics", "og:site_name", ("Acme Analytics",),
              {"Acme Analytics": {"titles": 9}, "AcmeAnalytics": {"body text": 2},
               "Acme Inc": {"markup": 1}},
              {"AcmeAnalytics": ["https://example.com/"],
               "Acme Inc": ["https://example.com/about"]})}),
          Example("one name", False, site={"identity": Identity(
              "Acme Analytics", "og:site_name", ("Acme Analytics",),
              {"Acme Analytics": {"titles": 9, "body text": 4}})}),
          Example("a variant the governance allows", False, settings={
              "allowed_brand_names": ["Acme"]}, site={"identity": Identity(
                  "Acme Analytics", "markup", ("Acme Analytics",),
                  {"Acme Analytics": {"titles": 3}, "ACME": {"body text": 1}})}),
      ))
def en003(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    ident = site.identity
    if not ident.name:
        return NOT_APPLICABLE
    allowed = {brand_key(n) for n in [*ident.allowed, *gov["allowed_brand_names"]]}
    extra = {form: sources for form, sources in ident.variants.items()
             if brand_key(form) not in allowed}
    if not extra:
        return PASSED
    parts = []
    urls: list[str] = []
    for form, sources in sorted(extra.items(), key=lambda kv: -sum(kv[1].values())):
        where = ", ".join(f"{src} ×{n}" for src, n in sources.items())
        pages_of = ident.pages.get(form, [])
        urls += pages_of
        parts.append(f"'{form}' ({where}; on {shortlist(pages_of, 2)})")
    return failed(Hit(
      evidence=f"the name is '{ident.name}' (from {ident.source}); other forms: "
               + "; ".join(parts[:8]),
      detail=f"The brand appears under {len(extra) + 1} different names across the site.",
      urls=tuple(dict.fromkeys(urls)), page_type="home"))


@rule(id="EN004", name="Opening paragraph does not name its subject", pillar="ENTITY",
      scope="page", severity="medium", engines=ALL,
      why="Answer engines lift the first sentences of a page as the answer and judge relevance "
          "from them. An opening of pronouns and filler ('In today's fast-paced world...') "
          "names nothing, so it is neither quoted nor matched to the question.",
      fix="Start with the subject and the answer: name the thing the page is about (or the "
          "organization) in the first sentence.",
      before="In today's fast-paced world, it's more important than ever to stay on top of "
             "things.",
      after="Federal payroll taxes for 2026 are due semiweekly or monthly, depending on how "
            "much you withheld in the lookback period.",
      references=("https://developers.google.com/search/docs/fundamentals/creating-helpful-content",),
      examples=(
          Example("filler opening", True, page={
              "opening": "In today's world it is more important than ever to keep up.",
              "language": Language(analysed=True)}),
          Example("names the subject late", True, settings={"intro_words": 10}, page={
              "opening": "It is hard. " * 6 + "Payroll taxes are due monthly.",
              "language": Language(analysed=True, opening_subjects=((18, "Payroll", "H1 noun"),),
                                   opening_pronoun_led=True)}),
          Example("names the subject", False, page={
              "opening": "Payroll taxes for 2026 are due monthly.",
              "language": Language(analysed=True,
                                   opening_subjects=((0, "Payroll", "H1 noun"),))}),
      ))
def en004(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    if not page.opening or not page.language.analysed:
        return NOT_APPLICABLE
    letters = re.findall(r"[^\W\d_]", page.opening)
    if sum(c < "\u0250" for c in letters) < 0.6 * len(letters):
        return NOT_APPLICABLE   # not in a Latin script: the English language model cannot read it
    n = gov["intro_words"]
    if any(s[0] < n for s in page.language.opening_subjects):
        return PASSED
    brand = site.identity.name
    if brand and re.search(rf"(?i)\b{re.escape(brand)}\b", " ".join(page.opening.split()[:n])):
        return PASSED   # it names the organization
    quote = first_words(page.opening, 40)
    how = "opens with a pronoun and " if page.language.opening_pronoun_led else ""
    return failed(Hit(evidence=f"opening: \"{quote}\"",
                      detail=f"The opening paragraph {how}names no subject (no named entity, proper "
                             f"noun or the H1's subject) in its first {n} words."))


def _about_page(site, pages):
    """The about page: one classified so, or else a page an internal link calls 'about'."""
    about = next((p for p in pages if p.page_type == "about" and p.status == 200), None)
    if about is None and site.about_links:
        about = next((p for p in pages if p.url in site.about_links and p.status == 200), None)
    return about


@rule(id="EN005", name="No about page, or one that says nothing concrete", pillar="ENTITY",
      scope="site", severity="medium", engines=ALL,
      why="The about page is where engines (and the people checking a citation) confirm that an "
          "organization is real: when it was founded, where it is, who runs it and what it "
          "does. Mission statements alone confirm nothing.",
      fix="Publish an about page that states the founding year, the location, the people "
          "behind the organization and, in one plain sentence, what it does.",
      before="We believe in doing things differently. We are passionate about what we do.",
      after="Acme Analytics was founded in Berlin in 2014 by Lena Vogt and Omar Haddad. We "
            "build product analytics software for 3,000 software companies.",
      references=("https://developers.google.com/search/docs/fundamentals/creating-helpful-content",),
      examples=(
          Example("no about page", True, pages=(
              {"url": "https://example.com/", "page_type": "home"},)),
          Example("about page with nothing concrete", True, pages=(
              {"url": "https://example.com/about", "page_type": "about",
               "language": Language(analysed=True, about=AboutFacts())},)),
          Example("about page with facts", False, pages=(
              {"url": "https://example.com/about", "page_type": "about",
               "language": Language(analysed=True, about=AboutFacts(dates=("2014",),
                                                                    places=("Berlin",)))},)),
      ))
def en005(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    about = _about_page(site, pages)
    if about is None:
        return failed(Hit(evidence="no page classified as an about page and no internal link whose "
                                   "text says 'about'",
                          detail="The site has no about page engines can find.", page_type="about"))
    if about.language.about:     # a date, a place, a person or what it does
        return PASSED
    return failed(Hit(evidence="no founding date, location, people or sentence saying what the "
                               f"organization does in {about.main_word_count} words",
                      detail="The about page says nothing concrete about the organization.",
                      url=about.url, page_type=about.page_type))


def _markup_names(page, site) -> list[str]:
    names: list[str] = []
    for node in page.entities:
        if node.syntax == "opengraph":
            names += [v for k, vs in node.props.items() if k in ("og:site_name", "og:title")
                      for v in vs if isinstance(v, str)]
            continue
        for prop in ("name", "headline", "alternateName", "legalName"):
            names += [v for v in node.props.get(prop, ()) if isinstance(v, str)]
        for prop in ("about", "mentions", "author", "publisher", "brand", "manufacturer"):
            for v in node.props.get(prop, ()):
                if isinstance(v, str):
                    names.append(v)
                elif isinstance(v, Ref) and v.id in site.entities_by_id:
                    target = site.entities_by_id[v.id]
                    names += [x for x in target.props.get("name", ()) if isinstance(x, str)]
    return names


@functools.lru_cache(maxsize=1)
def technical_terms() -> tuple[frozenset[str], frozenset[str]]:
    """(languages, acronyms): programming, data and markup languages, and computing acronyms
    (rules/data/technical_terms.toml, with its sources): things, not the organizations,
    products and people a page's markup should name."""
    import tomllib

    data = tomllib.loads((Path(__file__).parent / "data" / "technical_terms.toml")
                         .read_text(encoding="utf-8"))
    return frozenset(data["languages"]), frozenset(data["acronyms"])


_SOFTWARE = re.compile(r"\b(?:programming|programmer|developers?|source code|library|"
                       r"libraries|framework|SDKs?|APIs?|compiler|repository|open source|"
                       r"backend|frontend|runtime)\b", re.I)


def _about_software(page) -> bool:
    """A page that shows code or talks about building software."""
    return any(b.kind == "code" for b in page.main_blocks) or bool(_SOFTWARE.search(
        " ".join(b.text for b in page.main_blocks[:40])))


def _technical(name: str, page) -> bool:
    """'Java', 'JWT', 'POST', 'Java & PHP', or an acronym the page defines from common words
    ('global secondary indexes (GSI)')."""
    # (language names only where the page is about software: 'Ruby', 'Julia', 'Sage' and
    # 'Mercury' are also people and companies)
    terms = set(technical_terms()[1]) | set(page.language.abbreviations)
    if _about_software(page):
        terms |= technical_terms()[0]
    parts = [p for p in re.split(r"\s*[&+,/]\s*|\s+and\s+", name) if p]
    return bool(parts) and all(p in terms for p in parts)


@rule(id="EN006", name="The page's main entities are not in its markup", pillar="ENTITY",
      scope="page", severity="low", engines=ALL,
      why="Markup that names what the page is about (about, mentions, author, publisher, the "
          "item's name) lets engines connect the page to those entities without guessing from "
          "the prose.",
      fix="Name the organizations, products and people the page is about in its markup: the "
          "item's name, about, mentions, author or publisher.",
      before='{"@type": "BlogPosting", "headline": "Our year"}  (text about Stripe and Xero)',
      after='{"@type": "BlogPosting", "headline": "Our year", "mentions": [{"@type": '
            '"Organization", "name": "Stripe"}, {"@type": "Organization", "name": "Xero"}]}',
      references=("https://schema.org/about", "https://schema.org/mentions"),
      examples=(
          Example("no markup at all: SD005's concern, not this rule's", None, page={
              "language": Language(analysed=True, main_entities=(("Stripe", "ORG", 4),)), "entities": ()}),
          Example("main entity missing from markup", True, page={
              "language": Language(analysed=True, main_entities=(("Stripe", "ORG", 4),
                                                                ("Xero", "ORG", 3))),
              "entities": (_org("Acme"),)}),
          Example("main entity named in markup", False, page={
              "language": Language(analysed=True, main_entities=(("Acme", "ORG", 4),)),
              "entities": (_org("Acme"),)}),
      ))
def en006(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    if not any(n.syntax in ("json-ld", "microdata", "rdfa") for n in page.entities):
        return NOT_APPLICABLE   # no markup to compare with: SD005 reports the missing markup
    main = [e for e in page.language.main_entities
            if e[2] >= 2 and e[1] in MAIN_LABELS and not _technical(e[0], page)][:3]
    if not main:
        return NOT_APPLICABLE
    names = [brand_key(n) for n in _markup_names(page, site)]
    missing = []
    for text, label, count in main:
        k = brand_key(text)
        if not any(k in n or (n and n in k) for n in names):
            missing.append(f"{text} ({label}, {count}×)")
    if not missing:
        return PASSED
    return failed(Hit(evidence=f"named in the text but not in the markup: {', '.join(missing)}",
                      detail=f"{len(missing)} of the page's main entities are not named in its "
                             "structured data."))
