"""The page types' vocabulary: the schema.org types and the URL shapes that name a page type,
and the reading of them that says a page is a post. Data that the classifier
(analyzers/page_type.py) applies in its own order, and that rules read."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# schema.org types that name a page type outright.
SCHEMA_TYPES: tuple[tuple[str, frozenset[str]], ...] = (
    ("faq", frozenset({"FAQPage", "QAPage"})),
    ("author", frozenset({"ProfilePage"})),
    ("about", frozenset({"AboutPage"})),
    ("contact", frozenset({"ContactPage"})),
    ("listing", frozenset({"CollectionPage", "SearchResultsPage"})),
    ("article", frozenset({"Article", "BlogPosting", "NewsArticle", "TechArticle",
                           "ScholarlyArticle", "Report", "HowTo"})),
    ("product", frozenset({"Product", "Service", "SoftwareApplication", "WebApplication",
                           "Offer", "ProductGroup"})),
)

# URL path patterns (matched against the lowercased path).
URL_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("legal", re.compile(r"/(privacy|terms|tos|cookies?|legal|imprint|impressum|gdpr|"
                         r"disclaimer|accessibility-statement)([-_/.]|$)")),
    ("contact", re.compile(r"/(contact|contact-us|get-in-touch|support/contact)([-_/.]|$)")),
    ("listing", re.compile(r"/(tags?|categor(y|ies)|topics?|archives?|search|page/\d+)(/|$)|"
                           r"/(blog|news|articles|resources|insights|posts)/?$")),
    ("author", re.compile(r"/(authors?|people|team|contributors?|experts?|profiles?)/[^/]+/?$")),
    ("faq", re.compile(r"/(faqs?|frequently-asked-questions|help/faq)([-_/.]|$)")),
    # pages about the project rather than content of it: its downloads, contributor guide,
    # acknowledgements, brand material
    ("other", re.compile(r"/(downloads?|contributing|contribute|how-to-contribute|"
                         r"(special-)?thanks|acknowledge?ments?|credits|press-kit|media-kit|"
                         r"brand-assets|brand|logos?|materials?)(\.html?)?/?$")),
    ("about", re.compile(r"/(about|about-us|company|who-we-are|our-story|mission)([-_/.]|$)")),
    ("product", re.compile(r"/(products?|services?|solutions?|features?|pricing|platform|"
                           r"plans?|integrations?|shop|store|use-cases?)(/|$|\.)")),
    ("article", re.compile(r"/(blog|news|articles?|posts?|guides?|resources|insights|learn|"
                           r"stories|press)/[^/]+")),
    ("article", re.compile(r"/\d{4}/\d{2}/")),
)

ARTICLE_MARKUP = dict(SCHEMA_TYPES)["article"]
POST_URLS = tuple(pattern for kind, pattern in URL_PATTERNS if kind == "article")


def post_signals(url: str, schema_types, author: str = "", published: str = "") -> bool:
    """Does the page say it is a post (a dated, signed piece): article markup, a byline, a
    publication date, or a URL in a blog, news or dated folder?"""
    path = urlsplit(url).path.lower()
    return bool(author or published or set(schema_types) & ARTICLE_MARKUP or
                any(p.search(path) for p in POST_URLS))
