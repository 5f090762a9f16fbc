"""One stored page in, its facts out: one lxml parse, no judgement.

This is a pure function of the page and the site's scope, so it can run in a process pool.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from urllib.parse import urljoin, urlsplit

from lxml import etree

from aeo.analyzers import costs, nlp
from aeo.analyzers.answers import answer_facts
from aeo.analyzers.attribution import attribution_facts
from aeo.analyzers.body import binary_as_html, read_charset, sniff_body
from aeo.analyzers.bylines import settled_authors
from aeo.analyzers.dates import settle
from aeo.analyzers.maintext import main_blocks, opening_paragraph, opening_text
from aeo.analyzers.marked_up import unseen_markup
from aeo.analyzers.page_type import article_markup, classify, dated_kind
from aeo.analyzers.structured import extract
from aeo.crawler.links import meta_refresh, page_links, parse_document, resolution_base
from aeo.crawler.scope import InvalidURL, Scope, normalize_url, url_aliases
from aeo.facts.records import (
    CONTENT_TYPES,
    Block,
    CanonicalTag,
    Fetch,
    Language,
    Link,
    PageFacts,
)
from aeo.facts.text import n_words

NON_VISIBLE = ("script", "style", "noscript", "template", "svg", "head", "iframe", "object")

BOILERPLATE = ("nav", "header", "footer", "aside", "form")

MAIN_XPATHS = ("//main", "//*[@role='main']", "//article", "//*[@id='content' or @id='main']")

MOUNT_IDS = {"root", "app", "__next", "__nuxt", "svelte", "___gatsby", "main-app", "react-root"}

ROBOTS_META = ("robots", "googlebot", "bingbot")

VALUE_DIRECTIVES = ("max-snippet", "max-image-preview", "max-video-preview", "unavailable_after")


def visible_text(el: etree._Element, skip: tuple[str, ...] = NON_VISIBLE) -> str:
    """The text a reader sees under el: no scripts, styles, hidden or skipped elements."""
    parts: list[str] = []
    hidden_depth = 0
    skipped = frozenset(skip)
    for event, node in etree.iterwalk(el, events=("start", "end", "comment", "pi")):
        if event == "start":
            if hidden_depth or node.tag in skipped or node.get("hidden") is not None:
                hidden_depth += 1
            elif node.text:
                parts.append(node.text)
        elif event == "end":
            if hidden_depth:
                hidden_depth -= 1
            if node is not el and node.tail and not hidden_depth:
                parts.append(node.tail)
        elif node.tail and not hidden_depth:   # a comment or pi: no "end", only its tail is text
            parts.append(node.tail)
    return " ".join(" ".join(parts).split())


def main_element(root: etree._Element) -> etree._Element | None:
    for xp in MAIN_XPATHS:
        found = root.xpath(xp)
        if found:
            return found[0]
    bodies = root.xpath("//body")
    return bodies[0] if bodies else None


def meta_content(root: etree._Element, *names: str) -> str:
    wanted = {n.lower() for n in names}
    for m in root.iter("meta"):
        key = (m.get("name") or m.get("property") or "").strip().lower()
        if key in wanted and m.get("content"):
            return m.get("content").strip()
    return ""


def skeleton(body: etree._Element | None, main: etree._Element | None) -> str:
    """A fingerprint of the page's frame: the tags and classes of everything outside its main
    content, three levels deep. Pages built from one template share it."""
    if body is None:
        return ""
    parts: list[str] = []
    holds_main = set(main.iterancestors()) if main is not None else set()

    def walk(el: etree._Element, depth: int) -> None:
        for child in el:
            if not isinstance(child.tag, str) or child is main or child.tag in (
                    "script", "style", "noscript", "template", "svg"):
                continue
            classes = " ".join(sorted((child.get("class") or "").split())[:2])
            parts.append(f"{depth}{child.tag}.{classes}")
            if depth < 3 and child not in holds_main:
                walk(child, depth + 1)
            elif depth < 3:
                parts.append(f"{depth + 1}[main]")
    walk(body, 0)
    return hashlib.sha1("|".join(parts[:400]).encode()).hexdigest()[:10]


def language_facts(blocks: list[Block], opening: str, h1: tuple[str, ...], page_type: str,
                   url: str) -> Language:
    """spaCy over the text the ENTITY rules read (content pages and about pages only)."""
    is_about = page_type == "about" or "about" in url.rsplit("/", 2)[-1].lower() or \
        "about" in url.lower().split("/")[3:4]
    if page_type not in CONTENT_TYPES and not is_about:
        return Language()
    # prose only: a name in a code sample is an identifier ('ParaClient pc = new ...')
    text = " ".join(b.text for b in blocks if not b.kind.startswith("h") and b.kind != "code")
    headings = [b.text for b in blocks if b.kind.startswith("h")][:20]
    # the H1 over the opening, not a theme's site-title H1 ('Django 3.2.25 documentation'),
    # without the permalink marks themes append ('Models¶')
    main_h1 = h1[0] if h1 else ""
    for b in blocks:   # the last H1 before the text starts
        if b.kind == "h1":
            main_h1 = b.text
        elif b.kind == "p":
            break
    main_h1 = main_h1.replace("¶", " ").strip(" #")
    return nlp.page_language({"h1": main_h1, "opening": opening,
                              "headings": headings, "main_text": text, "is_about": is_about})


INDEX_FILES = ("index.html", "index.htm", "index.php", "default.aspx")

_OUTLINE_CHROME = re.compile(r"^(?:toc|table-?of-?contents|d-appendix|appendix|sidebar|"
                             r"sphinxsidebar|book-toc)$", re.I)


def _in_outline_chrome(h: etree._Element) -> bool:
    """A heading of the theme's chrome, not of the page's outline: inside <nav> or <aside>
    (a table of contents' 'On This Page', 'Contents'), or a container named toc, appendix or
    sidebar (distill's 'Reuse' and 'Citation')."""
    for a in h.iterancestors():
        if a.tag in ("nav", "aside"):
            return True
        if any(_OUTLINE_CHROME.match(t) for t in
               f"{a.get('id') or ''} {a.get('class') or ''}".split()):
            return True
    return False


def _site_title(h: etree._Element, url: str) -> bool:
    """An H1 that is wholly a link to another page: the site's name in the header, linking
    home ('<h1><a href="../index.html">Django 3.2.25 documentation</a></h1>'), not the page's
    headline (which, when linked, links to the page itself)."""
    if h.tag != "h1":
        return False
    links = h.findall(".//a[@href]")
    if len(links) != 1:
        return False
    href = (links[0].get("href") or "").strip()
    if not href or href.startswith("#") or \
            " ".join(links[0].text_content().split()) != " ".join(h.text_content().split()):
        return False
    try:
        target = urlsplit(urljoin(url, href))
    except ValueError:
        return False
    own = urlsplit(url)
    # a link to one of the page's own folders ('/', '../index.html'), not to the page itself
    # under another spelling ('/post/' for /post, www.example.com for example.com)
    path, here = target.path or "/", own.path or "/"
    folder = path[:-len("index.html")] if path.endswith("/index.html") else path
    return folder.endswith("/") and here.startswith(folder) and \
        here.rstrip("/") != path.rstrip("/")


def _same_page(url: str, other: str) -> bool:
    """The same page, /x/ and /x/index.html being one."""
    def folder(u: str) -> str:
        head, _, last = u.partition("?")[0].rpartition("/")
        return head + "/" if last.lower() in INDEX_FILES else u
    return url == other or folder(url) == folder(other)


@functools.lru_cache(maxsize=8192)
def _joined(href: str, base: str):
    """urlsplit(urljoin(base, href)), cached on the part of the page's URL the link's
    resolution depends on (a navigation link resolves once for the whole site)."""
    return urlsplit(urljoin(base, href))


def _link_text(main: etree._Element | None, page_url: str) -> tuple[int, int, int]:
    """(words inside links, links, pages below this page's folder linked) in the main content,
    outside its navigation and footers."""
    if main is None:
        return 0, 0, 0
    n_text = n_links = 0
    own_parts = urlsplit(page_url)
    own = own_parts.path or "/"
    # a section's page is its folder ('/projects/', '/intro/index.html'); '/x.html' has none
    last = own.rsplit("/", 1)[-1]
    stem = last.rsplit(".", 1)[0] if re.search(r"\.[a-z]{2,5}$", last, re.I) else last
    folder = own if own.endswith("/") else (
        own[:-len(last)] if last in ("index.html", "index.htm") else own[:-len(last)] + stem + "/")
    children: set[str] = set()
    for a in main.iter("a"):
        href = a.get("href")
        if href is None or href.startswith("#"):
            continue
        chrome = False
        for anc in a.iterancestors():
            if anc is main:
                break
            if anc.tag in BOILERPLATE:
                chrome = True
                break
        if not chrome:
            n_links += 1
            n_text += n_words(a.text_content())
            try:
                target = _joined(href, resolution_base(href, page_url))
            except ValueError:      # 'http://[oops/': not a URL, not a child
                continue
            if target.netloc == own_parts.netloc and target.path.startswith(folder) and \
                    target.path not in (folder, folder + "index.html", own):
                children.add(target.path)
    return n_text, n_links, len(children)


def analyze_page(fetch: Fetch, scope: Scope, start_url: str) -> PageFacts:
    lap = costs.Laps()
    sniffed = sniff_body(fetch)
    base = PageFacts(url=fetch.url, status=fetch.status, content_type=fetch.content_type,
                     depth=fetch.depth, fetch_error=fetch.error, body=sniffed)
    if fetch.status is None or not (200 <= fetch.status < 300) or not sniffed.looks_html or \
            binary_as_html(fetch, sniffed):
        return base   # binaries are recorded as resources, never parsed
    root, cut = parse_document(fetch.body or b"", fetch.encoding or None)
    lap("parse")
    if root is None:
        return dataclasses.replace(base, fetch_error=fetch.error or "empty_or_unparseable",
                                   sd_status=extract(None, fetch.url)["status"])

    title = " ".join("".join(root.xpath("//title[1]//text()")).split())[:500]
    directives: list[str] = []
    for m in root.iter("meta"):
        if (m.get("name") or "").strip().lower() in ROBOTS_META:
            directives += [d.strip().lower() for d in (m.get("content") or "").split(",")]
    for value in (fetch.headers.get("x-robots-tag") or "").split(","):
        value = value.strip().lower()
        name, colon, rest = value.partition(":")
        if colon and name.strip() not in VALUE_DIRECTIVES:
            value = rest.strip()   # the "googlebot: noindex" form names a crawler first
        if value:
            directives.append(value)
    directives = [" ".join(d.split()) for d in directives if d]

    canonicals: list[str] = []        # every canonical link, where the site says it lives
    body_canonicals: list[str] = []   # those inside <body>, which engines ignore
    head_canonicals: list[str] = []
    canonical_tags: list[CanonicalTag] = []
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href") is not None:
            href = link.get("href").strip()
            in_body = any(a.tag == "body" for a in link.iterancestors())
            scheme = urlsplit(urljoin(fetch.url, href)).scheme.lower()
            canonical_tags.append(CanonicalTag(href=href[:300], in_body=in_body,
                                               web=scheme in ("http", "https")))
            try:
                value = normalize_url(urljoin(fetch.url, href))
            except (InvalidURL, ValueError):
                value = href[:300]
            canonicals.append(value)
            (body_canonicals if in_body else head_canonicals).append(value)

    headings = tuple((int(h.tag[1]), " ".join(h.text_content().split())[:300])
                     for h in root.iter("h1", "h2", "h3", "h4", "h5", "h6")
                     if not _in_outline_chrome(h) and not _site_title(h, fetch.url))
    h1 = tuple(t for level, t in headings if level == 1)

    lap("head")
    body = root.find("body")
    full_text = visible_text(body) if body is not None else ""
    main = main_element(root)
    main_text = visible_text(main, NON_VISIBLE + BOILERPLATE) if main is not None else ""
    in_nosnippet = False
    if main is not None:
        node = main
        while node is not None:
            if node.get("data-nosnippet") is not None:
                in_nosnippet = True
                break
            node = node.getparent()

    scripts = [s for s in root.iter("script")
               if (s.get("type") or "text/javascript").lower() in
               ("text/javascript", "module", "application/javascript", "")]
    mount_empty = any(
        (el.get("id") or "").lower() in MOUNT_IDS and not visible_text(el).strip()
        for el in root.iter("div", "main", "section", "app-root")
    ) or bool(root.xpath("//app-root[not(node())]"))
    app_shell = mount_empty and any(s.get("src") for s in scripts)

    lap("visible text")
    links: list[Link] = []
    invalid: list[str] = []
    aliases: dict[str, list[str]] = {"session": [], "tracking": []}
    for raw in page_links(root, cut, fetch.body or b"", fetch.encoding or None, fetch.url):
        if raw.problem:
            invalid.append(raw.href)
        elif raw.url:
            internal = scope.contains(raw.url)
            links.append(Link(url=raw.url, text=raw.text, internal=internal,
                              nofollow="nofollow" in raw.rel.split()))
            if internal:
                tracking, session = url_aliases(raw.href)
                for kind, flag in (("session", session), ("tracking", tracking)):
                    if flag and len(aliases[kind]) < 5:
                        aliases[kind].append(raw.href[:200])

    lap("links")
    sd = extract(root, fetch.url)          # books each syntax itself
    lap.skip()
    markup_checked, markup_unseen = unseen_markup(sd["nodes"], full_text)
    types: list[str] = []
    page_types: list[str] = []   # of top-level items: what the page says it is
    for node in sd["nodes"]:
        for t in node.types:
            if t not in types:
                types.append(t)
            if node.parent is None:
                page_types.append(t)

    lap("markup on the page")
    blocks, main_source = main_blocks(root, main)
    opening = opening_text(blocks)   # what a reader reads first, for EN004
    lap("main text")
    sections, answers = answer_facts(blocks, body, fetch.url, with_citations=True)
    lap.skip()                           # (booked by answer_facts itself)
    is_home = _same_page(fetch.url, start_url) or _same_page(fetch.url, scope.root)
    main_words = n_words(main_text)
    link_words, link_count, child_links = _link_text(main, fetch.url)
    code_words = sum(n_words(pre.text_content()) for pre in main.iter("pre")) \
        if main is not None else 0
    og_type = meta_content(root, "og:type")
    refresh = meta_refresh(root, fetch.url)
    typing = dict(is_home=is_home, h1=h1, main_words=main_words,
                  article_elements=len(root.xpath("//article")),
                  link_share=min(1.0, link_words / main_words) if main_words else 0.0,
                  main_links=link_count, child_links=child_links,
                  code_share=min(1.0, code_words / main_words) if main_words else 0.0,
                  redirects=refresh.redirects)
    page_type = classify(fetch.url, schema_types=tuple(page_types), og_type=og_type, **typing)
    marked_article = article_markup(page_types)
    # what the page is without its markup's word, for the site to set aside a theme's type
    type_unmarked = classify(fetch.url, **typing) if marked_article else page_type

    lap("page type")
    language = language_facts(blocks, opening, h1, page_type, fetch.url)
    lap("language (spaCy)")
    attribution = attribution_facts(root, sd["nodes"], blocks, fetch.url, full_text,
                                    nlp.load() if page_type == "article" else None,
                                    is_article=page_type == "article", html=fetch.body or b"")
    authors = settled_authors(attribution.authors)
    lap("authors and dates")
    facts = PageFacts(
        url=fetch.url, status=fetch.status, page_type=page_type, type_unmarked=type_unmarked,
        article_markup=marked_article, content_type=fetch.content_type,
        depth=fetch.depth, title=title, meta_description=meta_content(root, "description")[:500],
        lang=(root.get("lang") or "").strip(), h1=h1, headings=headings,
        word_count=n_words(full_text), main_word_count=main_words,
        main_text_hash=hashlib.sha256(main_text.encode()).hexdigest()[:16],
        robots_directives=tuple(directives), main_in_nosnippet=in_nosnippet,
        canonicals=tuple(canonicals), links=tuple(links), invalid_links=tuple(invalid),
        script_count=len(scripts), app_shell=app_shell, schema_types=tuple(types),
        og_site_name=meta_content(root, "og:site_name"), og_type=og_type,
        author="; ".join(authors)[:200],
        date_published=settle(attribution.dates, "published", attribution.htmldate),
        date_modified=settle(attribution.dates, "modified"),
        question_headings=sum(1 for sec in sections if sec.question),
        dated_kind=dated_kind(fetch.url, title, h1, types, opening_paragraph(blocks))
        if page_type == "article" else "",
        fetch_error=fetch.error or (f"cut_short: {cut}; the text after it was not read (its "
                                    "links were still followed)" if cut else None),
        sd_status=sd["status"], jsonld_blocks=tuple(sd["blocks"]), entities=tuple(sd["nodes"]),
        entities_truncated=sd["truncated"], markup_checked=markup_checked,
        markup_unseen=tuple(markup_unseen),
        main_blocks=tuple(blocks), main_source=main_source, opening=opening[:2000],
        sections=tuple(sections), answers=answers,
        language=language, attribution=attribution, skeleton=skeleton(body, main),
        alias_links={k: v for k, v in aliases.items() if v}, body=read_charset(fetch, sniffed),
        refresh=refresh,
        canonical_tags=tuple(canonical_tags),
        body_canonicals=tuple(c for c in body_canonicals if c not in head_canonicals),
    )
    lap("the rest")
    return facts
