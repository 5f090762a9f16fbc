"""A page's main content as a list of blocks in reading order, without navigation, header,
footer, cookie banners or sidebars. trafilatura finds the content on the tree the page was
already parsed into; a plain walk of the page's main element is the fallback when it finds
nothing. The QA, ATTR, ENTITY and CITE pillars all read these blocks.

trafilatura's result is not used when it has no heading although the page's main element has
some: on short pages it falls back to the flat text of the whole body.

A block is a Block (aeo/facts/parts.py): its kind (h1..h6, p, li, quote, table or code), its
text and the links in it.
"""

from __future__ import annotations

import itertools
import re

from lxml import etree

from aeo.facts.records import Block
from aeo.facts.text import words

MAX_BLOCKS = 2000
MAX_BLOCK_CHARS = 5000
MAX_EXTRACT_ELEMENTS = 50_000   # the largest real pages seen hold about 12,000
_BYLINE = re.compile(r"^(by|written by|posted by|published|updated|last updated|posted|"
                     r"reviewed by|tags?:|filed under)\b", re.I)
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
BOILERPLATE_HINT = re.compile(r"cookie|consent|gdpr|banner|newsletter|subscribe|share|social|"
                              r"related|breadcrumb|sidebar|popup|modal|promo|advert", re.I)
_ANCHOR = re.compile(r"\s*[¶#§🔗]+\s*$")   # permalink marks after headings ('Why?¶')
_KINDS = {"p": "p", "item": "li", "quote": "quote", "table": "table", "code": "code"}


def _text(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


def _links(el: etree._Element) -> tuple[tuple[str, str], ...]:
    return tuple((r.get("target"), " ".join("".join(r.itertext()).split())[:200])
                 for r in el.iter("ref") if r.get("target"))[:50]


def _from_trafilatura(xml: str) -> list[Block]:
    # trafilatura's own serialisation of a page under the size cap: no DTD, no entities,
    # so huge_tree only keeps a long paragraph from ending the parse
    doc = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(huge_tree=True,
                                                                 resolve_entities=False))
    main = doc.find("main")
    if main is None:
        return []
    blocks: list[Block] = []

    def add(kind: str, el: etree._Element) -> None:
        text = _text(el)
        if kind in HEADINGS:
            text = _ANCHOR.sub("", text)
        if text and len(blocks) < MAX_BLOCKS:
            blocks.append(Block(kind, text[:MAX_BLOCK_CHARS], _links(el)))

    for el in main:
        if el.tag == "head":
            rend = (el.get("rend") or "h2").lower()
            add(rend if re.fullmatch(r"h[1-6]", rend) else "h2", el)
        elif el.tag == "list":
            for item in el.iter("item"):
                add("li", item)
        elif el.tag in _KINDS:
            add(_KINDS[el.tag], el)
        else:
            add("p", el)
    return blocks


def _from_dom(main: etree._Element) -> list[Block]:
    """Fallback: headings, paragraphs, list items, quotes and tables under the main element."""
    blocks: list[Block] = []
    tags = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "table", "pre"}
    skip = {"nav", "header", "footer", "aside", "form", "script", "style", "noscript",
            "template"}
    for el in main.iter(*tags):
        ancestors = [el, *el.iterancestors()]
        if any(a.tag in skip or BOILERPLATE_HINT.search(
                f"{a.get('class') or ''} {a.get('id') or ''}") for a in ancestors) or \
                any(a.tag in tags - {"blockquote"} for a in ancestors[1:]):
            continue
        kind = {"blockquote": "quote", "pre": "code"}.get(el.tag, el.tag)
        text = " ".join(el.text_content().split())
        if kind in HEADINGS:
            text = _ANCHOR.sub("", text)
        if text and len(blocks) < MAX_BLOCKS:
            links = tuple((a.get("href"), " ".join(a.text_content().split())[:200])
                          for a in el.iter("a") if a.get("href"))[:50]
            # in a <dd>: a definition in a glossary, not prose of its own
            blocks.append(Block(kind, text[:MAX_BLOCK_CHARS], links,
                                dd=any(a.tag == "dd" for a in ancestors[1:])))
    return blocks


def _elements_over(root: etree._Element, limit: int) -> bool:
    return next(itertools.islice(root.iter(), limit, None), None) is not None


def _trafilatura_xml(root: etree._Element) -> str | None:
    """What trafilatura.extract(root, output_format="xml", include_tables=True,
    include_links=True, include_comments=False, fast=True) returns, less the content
    fingerprint extract() computes for XML output whether or not it is asked for (a third of
    its time on a long page; the audit has its own main-text hash)."""
    from trafilatura import bare_extraction
    from trafilatura.core import determine_returnstring
    from trafilatura.settings import Extractor

    options = Extractor(output_format="xml", fast=True, comments=False, links=True,
                        tables=True, dedup=False, with_metadata=False)
    document = bare_extraction(root, options=options, as_dict=False)
    if document is None:
        return None
    return determine_returnstring(document, options)


def main_blocks(root: etree._Element, main: etree._Element | None) -> tuple[list[Block], str]:
    """(blocks, how they were found: 'trafilatura' | 'dom' | 'none'). A page of more than
    MAX_EXTRACT_ELEMENTS elements (a list of 200,000 links) is walked, not given to
    trafilatura, whose copies of the tree would take half a gigabyte for it."""
    if _elements_over(root, MAX_EXTRACT_ELEMENTS):
        blocks = _from_dom(main) if main is not None else []
        return blocks, "dom" if blocks else "none"
    try:
        xml = _trafilatura_xml(root)
    except Exception:  # noqa: BLE001 - a third-party extractor on hostile input: fall back
        xml = None
    blocks = _from_trafilatura(xml) if xml else []
    structured_page = main is not None and next(main.iter(*HEADINGS), None) is not None
    if blocks and (any(b.kind in HEADINGS for b in blocks) or not structured_page):
        return blocks, "trafilatura"
    # trafilatura found nothing, or fell back to the flat text of the whole page (it does on
    # short pages): the page's own main element, walked, keeps the structure
    blocks = _from_dom(main) if main is not None else []
    return blocks, "dom" if blocks else "none"


def _after_h1(blocks: list[Block]):
    """The blocks after the first H1, H1s left out (all of them when the page has none)."""
    seen = not any(b.kind == "h1" for b in blocks)
    for b in blocks:
        if b.kind == "h1":
            seen = True
        elif seen:
            yield b


def opening_text(blocks: list[Block], at_least: int = 30) -> str:
    """The paragraph that opens the page, read as a reader reads it: when the first lines
    after the H1 are short ('Let’s learn by example.', a one-line tagline, 'Django officially
    supports the following databases:'), they and what follows them (paragraphs, the list
    they introduce) until at_least words or the first subheading. '' when the page opens
    straight into a section or a list of definitions. Bylines and dates are skipped."""
    taken: list[str] = []
    n = 0
    for b in _after_h1(blocks):
        if b.kind in ("h2", "h3", "h4", "h5", "h6") or b.dd:
            break
        if (b.kind in ("li", "quote") and taken) or (
                b.kind == "p" and len(words(b.text)) >= 3 and not _BYLINE.match(b.text)):
            taken.append(b.text)
            n += len(words(b.text))
            if n >= at_least:
                break
    if not any(len(words(t)) >= 8 for t in taken):
        return ""
    return " ".join(taken)


def opening_paragraph(blocks: list[Block]) -> str:
    """The paragraph that opens the page: the first real paragraph after the H1 and before
    the first subheading ('' when the page opens straight into a section, as FAQs do).
    Bylines, dates and one-line labels are not the opening."""
    for b in _after_h1(blocks):
        if b.kind in ("h2", "h3", "h4", "h5", "h6"):
            return ""
        if b.kind == "p" and len(words(b.text)) >= 8 and not _BYLINE.match(b.text):
            return b.text
    return ""
