"""Who wrote a page: every author candidate with its source, in order of trust (an item's
`author` in structured data, meta tags, rel=author links, itemprop=author elements, visible
bylines, and spaCy PERSON names right under the headline as a last resort), the names read
out of them, and the reviewers a page credits.
"""

from __future__ import annotations

import dataclasses
import re

from lxml import etree

from aeo.analyzers.dates import DATE_IN_TEXT, meta_values
from aeo.analyzers.names import (
    AND_WORDS,
    BY_WORDS,
    CREDIT,
    DOMAIN,
    LABEL_WORDS,
    NOT_A_NAME,
    ORG_WORDS,
    PARTICLES,
    PLACEHOLDER,
    clean_name,
    plausible_name,
    split_names,
)
from aeo.analyzers.nlp import names_only
from aeo.analyzers.short_texts import BYLINE_TAGS, ShortText
from aeo.facts.entities import EntityNode, Ref
from aeo.facts.reading import is_org, main_items, name_key
from aeo.facts.records import AuthorCandidate, Block

AUTHOR_META = ("author", "article:author", "citation_author", "dc.creator", "dc.creator.author",
               "dcterms.creator", "parsely-author", "sailthru.author", "byl", "cxenseparse:author",
               "twitter:data1")

BYLINE_HINT = re.compile(r"(^|[\s_-])(byline|by-line|author|authors|writer|contributor|"
                         r"posted-by|meta-author)([\s_-]|$)", re.I)

BYLINE_TEXT = re.compile(rf"^\s*{BY_WORDS}\s*[:\-]?\s+(.{{2,200}})$|^\s*{LABEL_WORDS}\s*[:\-]"
                         rf"\s*(.{{2,200}})$", re.I)

REVIEWER_TEXT = re.compile(   # 'Reviewed by Maria Okafor, CPA'; the name must be capitalized
    r"(?i:\b(?:medically |legally |financially |expert[- ])?(?:reviewed|fact[- ]checked|"
    r"verified)\s+by)\s*:?\s+([A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|de|van|von|da|del|la|le))"
    r"{0,4}(?:,\s*[A-Z][\w.]{1,6})?)")


def _node_name(nodes: list[EntityNode], value) -> tuple[str, str, list[str], str]:
    """(name, url, sameAs, kind) of an author value; kind is person|organization|text|ref."""
    if isinstance(value, str):
        return value, "", [], "text"
    if isinstance(value, Ref) and value.node is not None:
        node = nodes[value.node]
        name = next(iter(node.strings("name")), "")
        url = next(iter(node.strings("url")), "")
        same = node.strings("sameAs")
        kind = "organization" if is_org(node) else "person"
        return name, url, same, kind
    if isinstance(value, Ref):
        return "", "", [], "ref:" + value.id
    return "", "", [], "text"


# containers whose names are comments, forms, cookie banners, widgets and related-post
# teasers: their 'By ...' and author classes are not the page's byline
# class or id names (their start: 'comments-area', 'cookie-notice', 'related-posts') of
# containers for comments, forms, banners and teasers: their 'By ...' and author classes
# are not the page's byline
_CHROME = re.compile(r"(?:comment|respond|reply|replies|discussion|kommentar|commentaire|"
                     r"comentario|cookie|consent|gdpr|newsletter|related|teaser|recommend|"
                     r"popular|share|social|breadcrumb|nav$|navbar|navigation|menu|footer$|"
                     r"site-footer|page-footer)", re.I)

MAX_BYLINE_ELEMENTS = 3

_URL_OR_AFFILIATION = re.compile(r"https?://\S+|\([^)]{0,80}\)|\b(?:19|20)\d\d-\d\d-\d\d\b")


def in_chrome(el: etree._Element) -> bool:
    """Is el inside a form, the site's navigation or footer, or a container named for
    comments, banners, widgets or related posts? (An <article>'s own <footer> is its own;
    the climb stops at the article or main element, whose own names are checked.)"""
    node = el
    while node is not None and isinstance(node.tag, str) and node.tag != "body":
        tag = node.tag
        if tag in ("form", "nav", "select", "button", "label"):
            return True
        if tag == "footer" and not any(a.tag == "article" for a in node.iterancestors()):
            return True
        for token in f"{node.get('class') or ''} {node.get('id') or ''}".split():
            if _CHROME.match(token):
                return True
        if tag in ("article", "main"):
            return False
        node = node.getparent()
    return False


def _url_links(el: etree._Element) -> int:
    """The links in el whose text is a URL or an affiliation, not a name."""
    return sum(1 for a in el.iter("a") if _URL_OR_AFFILIATION.fullmatch(
        " ".join(a.text_content().split())))


def author_candidates(root: etree._Element, nodes: list[EntityNode], blocks: list[Block],
                      short: list[ShortText]) -> list[AuthorCandidate]:
    """short: short_texts(root), which the date search reads too."""
    out: list[AuthorCandidate] = []

    def add(name: str, source: str, url: str = "", same_as=(), kind: str = "",
            visible: bool = False, prose: bool = False, group: int = 0) -> int:
        if visible and CREDIT.match(name.strip()):
            return 0   # 'Foto: Jane Doe' credits the picture, not the text
        if prose and not all(w[:1].isupper() or w.lower() in PARTICLES | AND_WORDS for w in
                             clean_name(name).replace(",", " ").split()):
            return 0   # 'By default, ModelChoiceField and ...' is a sentence, not a byline
        names = split_names(name) if kind != "organization" else [clean_name(name)]
        names = [n for n in names if plausible_name(n, prose)] if visible else \
            [n for n in names if n and not NOT_A_NAME.match(n)]
        # a domain name ('tagesschau.de, Frankfurt, Germany') makes the value the publisher's
        publisher = any(DOMAIN.match(n) for n in names)
        for n in names:
            org = publisher or kind == "organization" or bool(ORG_WORDS.search(n))
            out.append(AuthorCandidate(n, source, url, tuple(same_as),
                                       "placeholder" if PLACEHOLDER.match(n) else
                                       "organization" if org else kind or "person",
                                       group=group))
        return len(names)

    for item in main_items(nodes):
        for value in item.values("author") + item.values("creator"):
            name, url, same, kind = _node_name(nodes, value)
            if kind.startswith("ref:"):
                out.append(AuthorCandidate("", "markup", kind="ref", ref=kind[4:]))
            elif name:
                add(name, "markup" if kind != "text" else "markup (text)", url, same,
                    "organization" if kind == "organization" else "person")
    for key, value in meta_values(root, AUTHOR_META):
        if value.startswith(("http://", "https://")):
            continue   # article:author is often a profile URL, not a name
        if key == "twitter:data1" and not _meta_labels_author(root):
            continue   # Twitter's data1 is 'Written by' only when label1 says so
        add(value, f"meta {key}")
    for a in root.xpath("//a[contains(concat(' ', normalize-space(@rel), ' '), ' author ')]"):
        text = " ".join(a.text_content().split())
        if text and not in_chrome(a):
            add(text, "rel=author", a.get("href") or "", visible=True)
    for el in root.xpath("//*[@itemprop='author'][not(@itemscope)]"):
        text = " ".join(el.text_content().split())
        if text and len(text) < 120 and not in_chrome(el):
            add(text, "itemprop=author", visible=True)
    found = 0
    for el, text, _ in short:
        if el.tag not in BYLINE_TAGS:
            continue
        if found >= MAX_BYLINE_ELEMENTS:
            break   # the page's byline comes first; later ones are teasers and comments
        hinted = BYLINE_HINT.search(f"{el.get('class') or ''} {el.get('id') or ''}")
        if hinted:
            # 'Matt Dancho https://github.com/mdancho84 (Business Science), Sigrid Keydana ...':
            # links that spell out their URL, and affiliations, are not names
            text = " ".join(_URL_OR_AFFILIATION.sub(" , ", text).split()).strip(" ,")
        if len(text) >= 160:
            continue
        m = BYLINE_TEXT.match(text)
        if not m and not (hinted and text and len(el) - _url_links(el) <= 3 and not any(
                BYLINE_HINT.search(f"{c.get('class') or ''}") for c in el.iterdescendants())):
            continue
        if in_chrome(el):
            continue
        link = next((a.get("href") for a in el.iter("a") if a.get("href")), "")
        before = {name_key(c.name) for c in out if c.source == "byline"}
        if m:
            # a name in a link ('By <a>jdoe</a>') is a byline whatever its case; bare words
            # must look like one ('By default, <a>ModelChoiceField</a> ...' is prose)
            said = (m.group(1) or m.group(2)).strip()
            linked = any(t and said.startswith(t) for t in (
                " ".join(a.text_content().split()) for a in el.iter("a")))
            add(m.group(1) or m.group(2), "byline", link, visible=True,
                prose=not linked and not hinted, group=found)
        else:
            add(text, "byline", link, visible=True, group=found)
        found += bool({name_key(c.name) for c in out if c.source == "byline"} - before)
    if not any(c.source == "byline" for c in out):
        for name, link in _dated_bylines(root):
            add(name, "byline", link, visible=True, prose=True, group=found)   # one byline
    publisher = publisher_names(root, nodes)
    out = [dataclasses.replace(c, kind="organization")    # the site's own name as author
           if c.name and name_key(c.name) in publisher else c for c in out]
    return _dedupe(out)


def publisher_names(root: etree._Element, nodes: list[EntityNode]) -> set[str]:
    """Name keys of the site or publisher: og:site_name, application-name, the markup's
    publisher, and the last part of the <title> ('... | Die Furche')."""
    names = [v for _, v in meta_values(root, ("og:site_name", "application-name",
                                        "apple-mobile-web-app-title"))]
    for node in nodes:
        if node.prop == "publisher" or (node.parent is None and any(
                t in ("Organization", "NewsMediaOrganization", "WebSite") for t in node.types)):
            names += node.strings("name")
    title = " ".join(root.xpath("string(//head/title)").split())
    parts = re.split(r"\s+[|–—:-]\s+|\s+[·•]\s+", title)
    if len(parts) > 1:
        names.append(parts[-1])
    return {name_key(n) for n in names if n.strip()}


_INLINE = frozenset(("a", "span", "em", "strong", "b", "i", "small", "time", "br", "abbr"))


def _dated_bylines(root: etree._Element) -> list[tuple[str, str]]:
    """(name, profile link) of the names beside a date right under the headline, with no
    'By': 'March 15, 2023 - Danny Cranmer', 'July 2, 2024 - Gyula Fora (@GyulaFora) Mate
    Czagany' (one name a line, a handle linking the name before it), 'Jane Doe | 3 May 2024'.
    Read from the inline text after the H1 up to the next block (or from its first sibling
    element); with the date, separators, handles and nicknames gone, every line left must
    read as a name."""
    for h in root.xpath("//body//h1")[:2]:
        pieces: list[tuple[str, str]] = [(h.tail or "", "")]
        for sib in h.itersiblings():
            if not isinstance(sib.tag, str) or sib.tag not in _INLINE:
                break
            pieces += [("\n" + sib.text_content() + "\n",
                        sib.get("href") or "" if sib.tag == "a" else ""), (sib.tail or "", "")]
        nxt = h.getnext()
        runs = [pieces]
        if nxt is not None and isinstance(nxt.tag, str) and nxt.tag not in _INLINE and \
                len(nxt) <= 3:
            runs.append([(nxt.text_content(), "")])
        for run in runs:
            text = "".join(t for t, _ in run)
            if len(" ".join(text.split())) > 160 or not DATE_IN_TEXT.search(text):
                continue
            handle = bool(re.search(r"@[\w.]+", text))
            names: list[list[str]] = []   # [name, link]
            for piece, href in run:
                if href and re.fullmatch(r"\s*\(?@[\w.]+\)?\s*", piece) and names:
                    names[-1][1] = names[-1][1] or href   # the handle links the name before
                    continue
                for line in DATE_IN_TEXT.sub("\n", piece).split("\n"):
                    for part in re.split(r"\s[-–—|·•]\s|\|", line):
                        part = re.sub(r"\(?@[\w.]+\)?|\([^)]{0,40}\)", " ", part)
                        part = " ".join(part.split()).strip(" -–—|·•,")
                        if part:
                            names.append([part, href])
            # one word is a name only beside a handle ('Hong (@hlteoh2)')
            if names and all(1 <= len(n.split()) <= 4 and plausible_name(n, prose=True)
                             for n, _ in names) and (handle or any(len(n.split()) >= 2
                                                                   for n, _ in names)):
                return [(n, link) for n, link in names]
    return []


def _meta_labels_author(root: etree._Element) -> bool:
    label = dict(meta_values(root, ("twitter:label1",))).get("twitter:label1", "")
    return bool(re.match(r"(?i)(written by|author|verfasst von|geschrieben von|autor|écrit par|"
                         r"escrito por)", label))


def _dedupe(cands: list[AuthorCandidate]) -> list[AuthorCandidate]:
    seen, out = set(), []
    for c in cands:
        k = (name_key(c.name), c.source) if c.name else ("", c.ref)
        if k not in seen:
            seen.add(k)
            out.append(c)
    return out


NER_LINE_WORDS = 12   # a byline-like line under the headline, not a sentence that cites someone

# 'Dedicated to Malcolm Tredinnick.', 'See ... by Tim Berners-Lee', 'Thanks to ...'
NOT_A_BYLINE_LINE = re.compile(r"(?i)^\s*(?:dedicated to|in memory of|in memoriam|thanks to|"
                               r"see|cf\.|photo|image|via)\b")


def ner_authors(blocks: list[Block], nlp_model, brand_words: frozenset[str] = frozenset()
                ) -> list[AuthorCandidate]:
    """Last resort: PERSON names in the two short lines right under the H1, where the name is
    a good part of the line (a byline without a label). A name with a word of
    the site's own name in it ('Deploying Django', 'Django Admin' on Django's documentation)
    is the product, not a person."""
    texts = []
    seen_h1 = False
    for b in blocks:
        if b.kind == "h1":
            seen_h1 = True
            continue
        if seen_h1 and b.kind == "p" and len(b.text.split()) <= NER_LINE_WORDS and \
                not NOT_A_BYLINE_LINE.match(b.text):
            texts.append(b.text)
        if len(texts) >= 2 or (seen_h1 and b.kind.startswith("h")):
            break
    out = []
    with names_only(nlp_model):
        docs = list(nlp_model.pipe(texts))
    for doc in docs:
        out += [AuthorCandidate(e.text, "name near the headline") for e in doc.ents
                if e.label_ == "PERSON" and len(e.text.split()) >= 2 and
                3 * len(e.text.split()) >= len(doc.text.split()) and
                not set(name_key(e.text).split()) & brand_words and
                not re.search(r"['’]s?$", e.text) and plausible_name(e.text, prose=True)]
    # (one capitalized word, 'Flink' or 'Flink’s', is a product as often as a person)
    return _dedupe(out)


AUTHOR_ORDER = ("markup", "meta", "rel=author", "itemprop=author", "byline",
                "name near the headline")


def settled_authors(cands: list[AuthorCandidate]) -> list[str]:
    """The people the most trusted source that names a person names (pages.csv's author).
    An organization (often the publisher standing in for everyone), a domain name or a CMS
    account ('admin') is nobody's byline: it is left out here, and a person in a later
    source (a visible byline) wins; AT006 still reports the stand-in from the candidates."""
    for prefix in AUTHOR_ORDER:
        found = [c for c in cands if c.name and c.source.startswith(prefix)]
        if found and prefix == "byline":   # the first byline on the page, not later teasers
            first = min(c.group for c in found)
            found = [c for c in found if c.group == first]
        people = [c.name for c in found if c.kind not in ("organization", "placeholder")]
        if people:
            return list(dict.fromkeys(people))
    return []


def reviewers(root: etree._Element, nodes: list[EntityNode], body_text: str) -> list[str]:
    out = []
    for node in nodes:
        for v in node.values("reviewedBy"):
            name, *_ = _node_name(nodes, v)
            out.append(name or "a reviewer in markup")
    for m in REVIEWER_TEXT.finditer(body_text[:20000]):
        out += split_names(m.group(1))[:3]
    return list(dict.fromkeys(out))[:5]
