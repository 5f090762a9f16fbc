"""The readers rules and analyzers share over the facts: comparison keys for names and
brands, days of ISO dates, the page's main and author items, the site's own organizations,
paginated series. They read facts; they decide nothing."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from aeo.facts.entities import EntityNode, Ref
from aeo.facts.records import PageFacts
from aeo.facts.schemaorg import vocabulary


# -- names ------------------------------------------------------------------------------------
def name_key(name: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", name.casefold()).split())


def brand_key(name: str) -> str:
    """The comparison form: case, punctuation and repeated spaces do not make a variant; a
    missing space does ('NorthwindLedger' is not 'Northwind Ledger')."""
    return " ".join(re.sub(r"[^\w\s]+|_", " ", name.casefold()).split())


# -- dates ------------------------------------------------------------------------------------
def day(iso: str) -> str:
    return iso[:10]


def is_placeholder(iso: str) -> bool:
    """A date a template fills in when it has none: year 1 ('0001-01-01', .NET and Go zero
    values), the Unix epoch, SQL and spreadsheet zero days, any year before 1900. Never a
    page's real date, so it is reported (FR005), not used."""
    d = day(iso)
    return bool(d) and (d[:4] < "1900" or d in ("1970-01-01", "1900-01-01"))


# -- entity nodes -----------------------------------------------------------------------------
CREATIVE = ("Article", "BlogPosting", "NewsArticle", "TechArticle", "Report", "ScholarlyArticle",
            "WebPage", "FAQPage", "HowTo", "Recipe", "CreativeWork", "Review", "AnalysisNewsArticle",
            "OpinionNewsArticle", "LiveBlogPosting", "MedicalWebPage", "ProfilePage", "AboutPage")


def main_items(nodes: Iterable[EntityNode]) -> list[EntityNode]:
    """The page's main items: its top-level creative works (an article, a page), else every
    top-level item but Open Graph's."""
    nodes = list(nodes)
    items = [n for n in nodes if n.syntax != "opengraph" and any(
        t in CREATIVE for t in n.types) and n.parent is None]
    return items or [n for n in nodes if n.syntax != "opengraph" and n.parent is None]


def resolve_node(page, value, index: dict[str, EntityNode]) -> EntityNode | None:
    """The item a property value points at: on the page, else anywhere on the site by @id."""
    if isinstance(value, Ref) and value.node is not None:
        return page.entities[value.node]
    if isinstance(value, Ref):
        return index.get(value.id)
    return None


def page_author_nodes(page, index: dict[str, EntityNode]) -> list[EntityNode]:
    """The Person/Organization items the page's main items name as author, resolved."""
    out = []
    for item in main_items(page.entities):
        for v in item.values("author"):
            node = resolve_node(page, v, index)
            if node is not None:
                out.append(node)
    return out


def is_org(node: EntityNode) -> bool:
    vocab = vocabulary()
    return any(vocab.is_type(t) and vocab.is_a(t, "Organization") for t in node.types)


def own_organizations(pages: list[PageFacts], root: str) -> list[tuple[PageFacts, EntityNode]]:
    """The site's own Organization items: top-level ones, or any whose @id or url is on the
    site's host (an article's publisher); not third parties mentioned in passing."""
    bare = (urlsplit(root).hostname or "").removeprefix("www.")
    out = []
    for page in pages:
        for node in page.entities:
            if node.syntax == "opengraph" or not is_org(node):
                continue
            urls = [node.id] + node.strings("url")
            on_site = any((urlsplit(u).hostname or "").removeprefix("www.") == bare
                          for u in urls if u)
            if node.parent is None or on_site:
                out.append((page, node))
    return out


# -- URLs -------------------------------------------------------------------------------------
PAGE_PARAMS = ("page", "paged", "pg", "pagenum", "page_num", "pagenumber", "start", "offset")
_PAGE_SEGMENT = re.compile(r"/(?:page|seite|pagina|strona)[/=_-]?(\d{1,5})(?=/|$)", re.I)
_PAGER_TEXT = re.compile(
    r"^[\s«‹←»›→]*(?:next|older|newer|prev|previous|next page|previous page|older posts|"
    r"newer posts|older entries|newer entries|older articles|newer articles|weiter|suivant|"
    r"siguiente|precedent|précédent|zurück)?[\s«‹←»›→]*$", re.I)


def is_pagination(url: str, rel: str = "", text: str = "") -> str:
    """The series a link to the next or an earlier page of a paginated list belongs to (the
    URL with its page number taken out), or '' when the link is not one: a /page/3/ segment, a
    query of only a page number (?page=3), or a link to a URL with a number in it that says
    it is a pager's (rel=next/prev, or the text 'Next', 'Older posts', '»' and the like)."""
    parts = urlsplit(url)
    pairs = [q.split("=", 1) for q in parts.query.split("&") if q]
    if len(pairs) == 1 and len(pairs[0]) == 2 and pairs[0][0].lower() in PAGE_PARAMS and \
            pairs[0][1].isdigit():
        return f"{parts.netloc}{parts.path}?{pairs[0][0].lower()}="
    found = _PAGE_SEGMENT.search(parts.path)
    if found:
        return f"{parts.netloc}{parts.path[:found.start()]}/page/#{parts.path[found.end():]}"
    numbered = re.sub(r"[0-9]+", "#", f"{parts.netloc}{parts.path}?{parts.query}")
    if "#" not in numbered:
        return ""
    label = " ".join(text.split())
    if {"next", "prev", "previous"} & set(rel.split()) or (label and _PAGER_TEXT.match(label)):
        return numbered
    return ""


def entity_index(pages: Iterable[PageFacts]) -> dict[str, EntityNode]:
    """@id -> the first node on the site that describes it (not a bare reference), with the
    URL of its page: how a reference on one page is resolved to an item on another."""
    index: dict[str, EntityNode] = {}
    for page in pages:
        for node in page.entities:
            if node.id and node.id not in index and (node.types or node.props):
                index[node.id] = node.at(page.url)
    return index
