"""Links out of an HTML page, resolved one at a time so that one bad href loses nothing else."""

from __future__ import annotations

import codecs
import functools
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import lxml.html
from extruct.xmldom import XmlDomHTMLParser
from lxml import etree

from aeo.crawler.scope import ALLOWED_SCHEMES, MAX_URL_LENGTH, InvalidURL, normalize_url
from aeo.facts.events import Problem
from aeo.facts.parts import Refresh

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_LIMIT_MESSAGE = re.compile(r"Excessive depth|XML_PARSE_HUGE|huge input|limit exceeded", re.I)


@dataclass(frozen=True)
class RawLink:
    href: str
    url: str | None      # absolute normalized http(s) URL, None when invalid or non-web
    text: str
    rel: str
    problem: Problem | None = None    # why the href is not usable, for invalid ones


def _parser(encoding: str | None) -> XmlDomHTMLParser:
    # huge_tree lifts libxml2's limits on one text node (10 MB) and on nesting (256 levels,
    # then 2,048): the body is already under the page-size cap, and the HTML parser expands
    # no entities, so the limits guard nothing here and only drop the rest of the page
    return XmlDomHTMLParser(encoding=encoding or None, huge_tree=True, remove_comments=True)


def _cut(parser: XmlDomHTMLParser) -> str:
    """Why libxml2 stopped before the end of the document ('' when it read it all)."""
    for e in parser.error_log:
        # the type libxml2 2.14 gives; older versions report an internal error that says so
        if e.type_name != "ERR_RESOURCE_LIMIT" and not _LIMIT_MESSAGE.search(e.message):
            continue
        depth = re.search(r"depth in document: (\d+)", e.message)
        what = (f"elements nested more than {int(depth.group(1)):,} levels deep" if depth
                else "a text too long for the parser")
        return f"{what} at line {e.line}: the parser stopped there"
    return ""


def parse_document(body: bytes, encoding: str | None = None
                   ) -> tuple[etree._Element | None, str]:
    """One lxml parse of a page: (root, cut). root is None for a body lxml cannot make a
    document of; cut says why the parser stopped early ('' when it read the whole page).

    The tree's elements also speak the xml.dom API, so extruct's RDFa reader can use this same
    tree: the page is parsed once for every analyzer. libxml2 does not know every name Python
    gives an encoding ('latin-1'): those are tried under Python's canonical name, then decoded
    by Python."""
    if not body or not body.strip():
        return None, ""
    attempts: list[tuple[str | None, bytes | str]] = [(encoding, body)]
    if encoding:
        try:
            canonical = codecs.lookup(encoding).name
        except LookupError:
            canonical = None
        if canonical and canonical != encoding:
            attempts.append((canonical, body))
        if canonical:
            text = body.decode(canonical, errors="replace")
            attempts.append((None, _XML_DECL.sub("", text, count=1)))
    attempts.append((None, body))
    for enc, data in attempts:
        try:
            parser = _parser(enc)
            root = lxml.html.document_fromstring(data, parser=parser)
        except (etree.ParserError, ValueError, LookupError, TypeError):
            continue
        return root, _cut(parser)
    return None, ""


def parse_html(body: bytes, encoding: str | None = None) -> etree._Element | None:
    """The root of parse_document, for callers that need no word about a cut."""
    return parse_document(body, encoding)[0]


class _Hrefs(HTMLParser):
    """Every <a href> and <area href> of a source, with the link's text: the standard
    library's tokenizer keeps no tree, so no nesting limit applies."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str, list[str]]] = []   # tag, href, rel, text
        self._text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag not in ("a", "area"):
            return
        values = dict(attrs)
        if values.get("href") is None:
            return
        text: list[str] = [values.get("alt") or ""] if tag == "area" else []
        self.found.append((tag, values["href"], (values.get("rel") or "").lower(), text))
        self._text = text if tag == "a" else None

    def handle_endtag(self, tag):
        if tag == "a":
            self._text = None

    def handle_data(self, data):
        if self._text is not None and sum(map(len, self._text)) < 400:
            self._text.append(data)


def links_in_source(body: bytes, encoding: str | None, page_url: str, base: str | None = None,
                    from_line: int = 1) -> list[RawLink]:
    """The links of a page read from its source from line from_line on, without a tree: for
    the part of a page the parser did not reach (see parse_document's cut)."""
    try:
        text = body.decode(codecs.lookup(encoding).name if encoding else "utf-8", "replace")
    except LookupError:
        text = body.decode("utf-8", "replace")
    if from_line > 1:
        at = 0
        for _ in range(from_line - 1):
            at = text.find("\n", at) + 1
            if at == 0:
                return []
        text = text[at:]
    reader = _Hrefs()
    try:
        reader.feed(text)
        reader.close()
    except Exception:  # noqa: BLE001 - the standard tokenizer gives up on some markup
        pass           # ('<![foo['): the links read before it are kept
    out = []
    for _tag, href, rel, words in reader.found:
        url, problem = resolve_href(href, base or page_url)
        out.append(RawLink(href=href[:500], url=url, text=" ".join("".join(words).split())[:200],
                           rel=rel, problem=problem))
    return out


def cut_line(cut: str) -> int:
    """The line a parse_document cut names (1 when it names none)."""
    found = re.search(r"at line (\d+)", cut)
    return int(found.group(1)) if found else 1


def base_url(root: etree._Element, page_url: str) -> str:
    for href in root.xpath("//head/base/@href"):
        href = str(href).strip()
        if href:
            try:
                return urljoin(page_url, href)
            except ValueError:
                break
    return page_url


def resolve_href(href: str, base: str) -> tuple[str | None, Problem | None]:
    """(normalized absolute URL or None, problem: 'too_long' or 'unparseable'). Links to
    anything but http(s) pages
    (javascript:, mailto:, tel:, file:, data:, ...) give (None, None): skipped, not invalid.
    The fragment plays no part in the URL, so 'guide#setup' and 'guide#faq' are resolved
    once: a site's navigation and a page's table of contents repeat the same few targets."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None, None
    href = href.partition("#")[0]
    if len(href) > 2 * MAX_URL_LENGTH:   # never a page's URL: not worth a place in the cache
        return _resolve.__wrapped__(href, base)
    return _resolve(href, resolution_base(href, base))


_WITH_HOST = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#\\\s]")
_HOST_NEXT = re.compile(r"//[^/?#\\\s]")


def resolution_base(href: str, base: str) -> str:
    """The part of base the link's resolution depends on, so that the cache serves every
    page: nothing for 'https://host/...', the scheme for '//host/...', the origin for
    '/path' (a site's navigation, the same on every page), all of it for 'page.html'."""
    if ";" in href or any(c in href for c in "\t\r\n"):
        return base                      # (parameters and stray controls: the full join)
    if _WITH_HOST.match(href):
        return ""
    scheme, sep, rest = base.partition("://")
    if not sep:
        return base
    if href.startswith("//"):
        return scheme + ":" if _HOST_NEXT.match(href) else base
    if href.startswith("/") and not href.startswith("/\\"):
        return scheme + "://" + rest.partition("/")[0].partition("?")[0].partition("#")[0]
    return base


@functools.lru_cache(maxsize=16384)
def _resolve(href: str, base: str) -> tuple[str | None, Problem | None]:
    try:
        absolute = urljoin(base, href)
        if urlsplit(absolute).scheme.lower() not in ALLOWED_SCHEMES:
            return None, None
        url = normalize_url(absolute)
        if len(url) > MAX_URL_LENGTH:
            return None, Problem("too_long", size=len(url), limit=MAX_URL_LENGTH)
        return url, None
    except (InvalidURL, ValueError) as exc:
        why = str(exc)[:200]
        return None, Problem("unparseable", value=why) if why else None


def extract_links(root: etree._Element | None, page_url: str) -> list[RawLink]:
    if root is None:
        return []
    base = base_url(root, page_url)
    out = []
    for el in root.iter("a", "area"):
        href = el.get("href")
        if href is None:
            continue
        url, problem = resolve_href(href, base)
        text = " ".join(el.text_content().split())[:200] if el.tag == "a" else el.get("alt", "")
        out.append(RawLink(href=href[:500], url=url, text=text, rel=(el.get("rel") or "").lower(),
                           problem=problem))
    return out


def page_links(root: etree._Element | None, cut: str, body: bytes, encoding: str | None,
               page_url: str) -> list[RawLink]:
    """The page's links: those of its tree and, when the parser stopped early (cut), those
    its source holds from the line of the cut on that the tree does not have."""
    links = extract_links(root, page_url)
    if not cut:
        return links
    have = {link.href[:500] for link in links}
    base = base_url(root, page_url) if root is not None else page_url
    if not encoding and root is not None:
        encoding = root.getroottree().docinfo.encoding   # what libxml2 found in the page
    for link in links_in_source(body, encoding, page_url, base, cut_line(cut)):
        if link.href not in have:
            have.add(link.href)
            links.append(link)
    return links


_REFRESH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:[;,]\s*(?:url\s*=\s*)?(.*?))?\s*;?\s*$",
                      re.I | re.S)


def meta_refresh(root: etree._Element | None, page_url: str) -> Refresh:
    """The page's <meta http-equiv=refresh> (one inside <noscript> is ignored)."""
    if root is None:
        return Refresh()
    for m in root.iter("meta"):
        if (m.get("http-equiv") or "").strip().lower() != "refresh":
            continue
        if any(a.tag == "noscript" for a in m.iterancestors()):
            continue
        content = " ".join((m.get("content") or "").split())[:300]
        found = _REFRESH.match(content)
        if not found:
            return Refresh(True, content)
        delay = float(found.group(1))
        raw = (found.group(2) or "").strip().strip("'\"").strip()
        if not raw:
            return Refresh(True, content, delay)
        target, _problem = resolve_href(raw, base_url(root, page_url))
        if target is None:
            return Refresh(True, content, delay, bad_target=raw[:120])
        return Refresh(True, content, delay, target)
    return Refresh()


def canonical_link(root: etree._Element | None, page_url: str) -> str:
    """The page's one rel=canonical target as an absolute normalized URL ('' when there is
    none, or several that disagree)."""
    if root is None:
        return ""
    found = set()
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            url, _ = resolve_href(link.get("href"), base_url(root, page_url))
            if url:
                found.add(url)
    return found.pop() if len(found) == 1 else ""


def looks_like_html(content_type: str, body: bytes) -> bool:
    """Is a fetched body an HTML page to follow links in (its type says html, or it starts
    like one)?"""
    return "html" in (content_type or "").lower() or body.lstrip()[:15].lower().startswith(
        (b"<!doctype html", b"<html"))
