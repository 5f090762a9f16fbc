"""Page-type classification: one of the ten types of RULES.md for every HTML page.

Signals, strongest first: the page's own markup types, then its URL, then its content. The
patterns are data; the order of the checks is the policy.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from aeo.facts.page_types import ARTICLE_MARKUP, SCHEMA_TYPES, URL_PATTERNS
from aeo.facts.records import ThemeMarkup

LISTING_URL = dict(URL_PATTERNS)["listing"]

FAQ_HEADING = re.compile(r"\b(faqs?|frequently asked questions)\b", re.I)


REDIRECT_STUB_WORDS = 50    # a page that redirects at once and says little is a redirect
LINK_LIST = (8, 0.6)        # links, and the share of the main text inside them: a list of links
DENSE_LINKS = (0.45, 10)    # or a share this high with a link every 10 words: a table of contents
SECTION_INDEX = (3, 40)     # links to pages below its own folder, and at most these words per
                            # link: a section's index of cards ('/projects/': one card a product)
ARTICLE_WORDS = 150         # running text long enough to be a guide, post or reference page
OG_ARTICLE_WORDS = 50       # og:type=article, which themes put on every page, needs some text
CODE_PAGE = 0.7             # a page whose main text is this much code is a listing of source
LANGUAGE_HOME = re.compile(r"^/[a-z]{2}(?:[-_][a-z]{2,4})?/?(?:index\.html?)?$")


def classify(url: str, *, is_home: bool, schema_types: tuple[str, ...] = (),
             og_type: str = "", h1: tuple[str, ...] = (), main_words: int = 0,
             article_elements: int = 0, redirects: bool = False, link_share: float = 0.0,
             main_links: int = 0, child_links: int = 0, code_share: float = 0.0) -> str:
    """redirects: the page sends browsers on at once (a meta refresh of 5 s or less);
    link_share: the share of the main text's words inside links; main_links: its links;
    child_links: the pages below this page's own folder that its main text links to;
    code_share: the share inside <pre> blocks (a source listing is not running text)."""
    if is_home:
        return "home"
    path = urlsplit(url).path.lower() or "/"
    if path in ("", "/") or LANGUAGE_HOME.match(path):
        return "home"          # the site's root, or the root of one of its languages (/zh/)
    if redirects and main_words < REDIRECT_STUB_WORDS:
        # an old URL kept as a redirect page (a static site's alias): not content, whatever
        # its markup or URL says (its canonical and refresh name the page that is)
        return "other"
    types = set(schema_types)
    for page_type, names in SCHEMA_TYPES:
        if types & names:
            # An article schema on a listing URL is the list's items, not the page.
            if page_type == "article" and LISTING_URL.search(path):
                return "listing"
            return page_type
    if main_links >= LINK_LIST[0] and (link_share >= LINK_LIST[1] or (
            link_share >= DENSE_LINKS[0] and 100 * main_links >= DENSE_LINKS[1] * main_words)):
        return "listing"       # a table of contents, an index, an archive: mostly links
    if child_links >= SECTION_INDEX[0] and main_words <= SECTION_INDEX[1] * child_links:
        return "listing"       # the index of a section: a card for each page under it
    if code_share >= CODE_PAGE:
        return "other"         # a source-code listing
    for page_type, pattern in URL_PATTERNS:
        if pattern.search(path):
            if page_type == "listing" and main_words >= 2 * ARTICLE_WORDS and \
                    link_share < 0.3 and article_elements <= 1:
                return "article"   # /topics/x of a documentation site: running text
            return page_type
    if any(FAQ_HEADING.search(h) for h in h1):
        return "faq"
    if og_type.lower() == "article" and main_words >= OG_ARTICLE_WORDS:
        return "article"
    if article_elements >= 3 and main_words < 40 * article_elements:
        return "listing"
    if main_words >= ARTICLE_WORDS and link_share < 0.5:
        return "article"       # a guide or reference page without article markup
    return "other"


# A theme that marks every page as an article (BlogPosting on the pricing, legal and contact
# pages): its type says nothing about any page. Decided over the whole site, after analysis.
THEME_SHARE = 0.8            # of the site's pages carry the type ...
THEME_MIN_PAGES = 5
THEME_EVIDENCE_TYPES = 2     # ... on pages of at least two kinds that are no articles
NOT_ARTICLES = ("home", "legal", "contact", "product", "about", "author", "faq", "listing")


def article_markup(page_types: tuple[str, ...] | list[str]) -> str:
    """The first article type among a page's top-level markup types, or ''."""
    return next((t for t in page_types if t in ARTICLE_MARKUP), "")


def theme_markup(carrying: dict[str, int], pages: int,
                 unmarked: dict[str, dict[str, list[str]]]) -> dict[str, ThemeMarkup]:
    """The article types the site's theme puts on (nearly) every page.

    carrying: article type -> pages whose top-level markup has it; pages: the site's pages
    with content; unmarked: article type -> the type those pages' URL and content give (when
    it is no article) -> their URLs. A type is the theme's when at least THEME_SHARE of the
    pages carry it and it sits on pages of THEME_EVIDENCE_TYPES kinds that are no articles.
    Returns type -> its ThemeMarkup."""
    found = {}
    for name, n in carrying.items():
        kinds = {k: urls for k, urls in unmarked.get(name, {}).items() if k in NOT_ARTICLES}
        if n >= THEME_MIN_PAGES and n >= THEME_SHARE * pages and \
                len(kinds) >= THEME_EVIDENCE_TYPES:
            found[name] = ThemeMarkup(n, pages, {k: tuple(urls) for k, urls in kinds.items()})
    return found


# Pages that are records of a moment, dated by nature: a release announcement, a security
# advisory, an event recap, a case study, a news item. Their age is no reason to rewrite them.
DATED_KINDS: tuple[tuple[str, re.Pattern], ...] = (
    ("advisory", re.compile(r"(?i)\bcve-\d{4}-\d+|\bsecurity (?:advisory|advisories|bulletin|"
                            r"release|fix(?:es)?)\b|\bzero-day\b")),
    # 'Flink 1.6.3 Released', 'Release notes', 'Sparklyr 1.4 is now available', 'Announcing the
    # Release of Apache Flink 1.18'; not 'How to release a package'
    ("release", re.compile(r"(?i)\brelease notes?\b|\bchange ?log\b|\breleased\b|"
                           r"\brelease announcement\b|\bwhat'?s new in\b|"
                           r"\bannounc\w*\s+the\s+release\s+of\b|"
                           r"^\W*(?:the\s+)?release\s+of\b[^|:]{0,40}?\bv?\d+\.\d+|"
                           r"\bannounc\w*\s+(?:the\s+)?(?-i:[A-Z])[\w-]*(?:\s+(?-i:[A-Z])[\w-]*)"
                           r"{0,2}\s+v?\d+\.\d+|"
                           r"\bv?\d+\.\d+(?:\.\d+)*"
                           r"\s+(?:is\s+)?(?:now\s+)?(?:out|available|here)\b|\bnow available\b")),
    ("announcement", re.compile(r"(?i)\bannounc(?:e|es|ed|ing|ement)\b|\bintroducing\b|"
                                r"\bhello,? world\b")),
    ("event", re.compile(r"(?i)\b(?:recap|round-?up|wrap-?up)\b|\bhighlights (?:from|of)\b|"
                         r"\b(?:year|month|week) in review\b|"
                         r"\b(?:conference|summit|meetup|forward|webinar)\s+(?:19|20)\d\d\b|"
                         r"\b(?:19|20)\d\d\s+(?:conference|summit|meetup)\b|"
                         r"\b(?:last|this) week (?:was|at)\b")),
    ("case study", re.compile(r"(?i)\bcase stud(?:y|ies)\b|\bcustomer stor(?:y|ies)\b|"
                              r"\bsuccess stor(?:y|ies)\b")),
)
DATED_OPENING = re.compile(r"(?i)\bwe(?:'re| are)\s+(?:very\s+)?(?:happy|pleased|excited|proud|"
                           r"thrilled|glad)\s+to\s+(?:announce|release|share the release)\b|"
                           r"^\s*last week (?:was|we)\b")
DATED_URL = re.compile(r"/(?:news|press|press-releases?|releases?|release-notes|changelog|"
                       r"advisories|security-advisories|case-studies|customer-stories|"
                       r"events?)/[^/]+")


def dated_kind(url: str, title: str, h1: tuple[str, ...] | list[str],
               schema_types: tuple[str, ...] | list[str], opening: str = "") -> str:
    """What makes the page a dated record ('release', 'advisory', 'announcement', 'event',
    'case study', 'news'), from its headline, title, opening sentence, URL and markup, or ''."""
    text = " ".join([*(h1 or ())[:1], title or ""])    # the headline, not section headings
    for kind, pattern in DATED_KINDS:
        if pattern.search(text):
            return kind
    if DATED_OPENING.search((opening or "")[:200]):
        return "announcement"
    if "NewsArticle" in schema_types or DATED_URL.search(urlsplit(url).path.lower()):
        return "news"
    return ""
