"""Who wrote a page and when: bylines and dates as cascades over data tables, every candidate
kept with where it came from, so the rules can compare sources and the report can show them.

Authors, in order of trust: structured data (an item's `author`, its @id resolved later
across the site), meta tags, rel=author links, itemprop=author elements, visible bylines
('By ...', byline classes), and spaCy PERSON names right under the headline as a last resort.
Dates: structured data, meta tags, <time datetime>, visible 'Published / Updated' text (read
with dateparser), the URL, and htmldate as the last resort.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from itertools import islice
from urllib.parse import urlsplit

from lxml import etree

from aeo.facts.reading import (
    day,
    is_org,
    is_placeholder,
    main_items,
    name_key,
    page_author_nodes,
)

AUTHOR_META = ("author", "article:author", "citation_author", "dc.creator", "dc.creator.author",
               "dcterms.creator", "parsely-author", "sailthru.author", "byl", "cxenseparse:author",
               "twitter:data1")
PUBLISHED_META = ("article:published_time", "article:published", "citation_publication_date",
                  "citation_date", "citation_online_date", "dc.date", "dc.date.issued",
                  "dcterms.created", "dcterms.issued", "date", "pubdate", "publish-date",
                  "publish_date", "parsely-pub-date", "sailthru.date", "og:published_time")
MODIFIED_META = ("article:modified_time", "og:updated_time", "dc.date.modified",
                 "dcterms.modified", "last-modified", "lastmod", "article:modified")
BYLINE_HINT = re.compile(r"(^|[\s_-])(byline|by-line|author|authors|writer|contributor|"
                         r"posted-by|meta-author)([\s_-]|$)", re.I)
# 'By Jane Doe', 'Von Jane Doe', 'Par Jane Doe', 'Por Jane Doe', 'Door Jane Doe', 'Av Jane Doe',
# 'Written by ...', 'Author: ...', 'Autor/in: ...': the byline words of the languages the
# real pages use; what follows must read as a name (plausible_name)
BY_WORDS = (r"(?:(?:written|posted|words|reported|story|article|text|published|veröffentlicht|"
            r"geschrieben|verfasst|escrito|publicado|écrit|publié|scritto|pubblicato|"
            r"geschreven)\s+)?(?:by|von|par|por|door|av|di|da)")
LABEL_WORDS = (r"(?:author|authors|writer|written by|autor|autorin|autor/in|autor\*in|"
               r"autoren|auteur|auteurs|autore|autora|text|texto|redakteur|redakteurin)")
BYLINE_TEXT = re.compile(rf"^\s*{BY_WORDS}\s*[:\-]?\s+(.{{2,200}})$|^\s*{LABEL_WORDS}\s*[:\-]"
                         rf"\s*(.{{2,200}})$", re.I)
REVIEWER_TEXT = re.compile(   # 'Reviewed by Maria Okafor, CPA'; the name must be capitalized
    r"(?i:\b(?:medically |legally |financially |expert[- ])?(?:reviewed|fact[- ]checked|"
    r"verified)\s+by)\s*:?\s+([A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|de|van|von|da|del|la|le))"
    r"{0,4}(?:,\s*[A-Z][\w.]{1,6})?)")
DATE_LABEL = re.compile(r"\b(published|posted|written|created|updated|last updated|last update|"
                        r"modified|last modified|revised|reviewed|datum|veröffentlicht|"
                        r"aktualisiert|publié|mis à jour|publicado|actualizado|pubblicato|"
                        r"aggiornato)\s*(?:on|am|le|el|il|:)?\s*[:\-–—]?\s*", re.I)
UPDATED_LABELS = ("updated", "last updated", "last update", "modified", "last modified",
                  "revised", "aktualisiert", "mis à jour", "actualizado", "aggiornato")
MONTH_NAME = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s",
                        re.I)
# a version number (3.2.25, 1.8.15) that a date guesser reads as a day, month and year
VERSION = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{1,4})(?![\d.])")
_ROLE_ONLY = re.compile(   # a part of a byline that is a role or credential, not a name
    r"^(?:[A-Z]{2,6}\.?|Ph\.?D\.?|M\.?D\.?|(?i:esq\.?|jr\.?|sr\.?|(?:senior |lead |chief |"
    r"staff |contributing |guest |managing |deputy )?(?:editor|writer|reporter|correspondent|"
    r"author|analyst|accountant|engineer|director|manager|founder|ceo|cto|cfo|contributor|"
    r"columnist)s?(?: at [\w .&-]+)?))$")
_SPLIT = re.compile(r"\s*(?:,\s*and\s+|\s+(?:and|und|et|og|och|y|e)\s+|\s*&\s*|;\s*|\s*\|\s*|"
                    r",\s+(?=[A-Z]))\s*")
_DATE_IN_NAME = re.compile(r"\s*(?:[|·•—–-]|\bon\b|\bpublished\b|\bupdated\b).*?\d{1,4}.*$",
                           re.I)
URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])(?:[/-](0?[1-9]|[12]\d|3[01]))?"
                      r"(?=[/-]|$)")


# -- names ----------------------------------------------------------------------------------------
def clean_name(raw: str) -> str:
    name = " ".join(raw.split()).strip(" .,;:|-–—\"'“”")
    name = re.sub(r"^[^\W\d_]+(?:/in)?:\s+(?=\w)", "", name)   # 'Interview: Julia Lauter'
    name = re.sub(rf"^(?:(?:reviewed|edited|medically reviewed|fact[- ]checked)\s+by|{BY_WORDS}|"
                  rf"{LABEL_WORDS})\s*[:\-–—]?\s+", "", name, flags=re.I)
    name = _DATE_IN_NAME.sub("", name)
    # 'Die Redaktion Veröffentlicht am ...', 'Publiziert am': a date label ends the name
    name = re.sub(r"(?i)(?:^|\s+)(?:veröffentlicht|publiziert|published|updated|aktualisiert|"
                  r"publicado|publié|pubblicato|erstellt|posted|am|le|el)\b.*$", "", name)
    name = re.sub(r"\s*\(.*?\)\s*", " ", name)
    # 'Emily Burack 8 January 2020, 3:51 pm', 'Janic Cathomen, 01.12.2021', 'lupa am 26/10/13':
    # the name ends where a date or time starts
    name = re.sub(r"(?<=\w)[\s,]+(?:(?:am|on|le|el|il|den|vom|at|um|the)\s+)?\d[\d./:-]*\b.*$",
                  "", name, flags=re.I)
    return " ".join(name.split()).strip(" .,;:|-–—")


# words that make a 'name' a form label, a placeholder account, a comment or a credit
_NOT_A_NAME = re.compile(
    r"^(?:name|your name|ihr name|nom|nombre|nome|e-?mail|website|webseite|author|autor|"
    r"autorin|please .*|bitte .*|\d.*|.*\b(?:copyright|all rights reserved|alle rechte)\b.*|"
    r".*[©=:\[\]<>{}].*)$", re.I)
# a CMS account or a stand-in: a byline (AT006 reports it), but nobody's name
PLACEHOLDER = re.compile(r"^(?:admin|administrator|administrador|webmaster|wordpressadmin|"
                         r"super ?user|user|guest|gast|publisher|editor|anonymous|anonym|"
                         r"anónimo|anonimo)$", re.I)
# words that make a name an organization's: the publisher standing in as author
_ORG_WORDS = re.compile(
    r"(?i:\b(?:gmbh|ag|se|e\.\s?v|ev|inc|ltd|llc|plc|corp|co\. kg|kg|sa|s\.a|srl|bv|"
    r"magazin|magazine|zeitung|zeitschrift|presse|press|verlag|news|media|medien|stiftung|"
    r"verband|verein|amt|ministerium|ministry|department|departement|partei|institut|"
    r"institute|university|universität|kitchens|online|tv|radio|rundfunk|group|gruppe|"
    r"foundation|association|agency|agentur|noticias|periódico|diario|journal|times|post|"
    r"illustrierte|kurier|blatt|volksblatt|rundschau|nachrichten)\b)")
_COMMENT_SUFFIX = re.compile(r"\s(?:said|says|wrote|writes|sagt|schreibt|meint|dice|disse|"
                             r"escribió|a dit|écrit|kommentierte|antwortete|replied)\W*$", re.I)
_CREDIT = re.compile(r"^(?:photo|photograph|photos|foto|fotos|bild|image|images|illustration|"
                     r"credit|credits|quelle|source|video|grafik|karte)\b", re.I)
_PARTICLES = {"von", "van", "der", "den", "de", "da", "del", "della", "di", "du", "dos", "das",
              "la", "le", "ter", "ten", "zu", "y", "e", "bin", "ibn", "al", "el", "mc", "st"}
_AND = {"and", "und", "et", "y", "e", "&", "og", "och"}
_DOMAIN = re.compile(r"^(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.(?:[a-z]{2}|com|net|org|"
                     r"info|biz|online|world|media|news|blog|eu|io)/?$", re.I)


def plausible_name(name: str, prose: bool = False) -> bool:
    """Can this be a person's or a team's byline name? Form labels ('Name *'), placeholder
    accounts ('admin'), comment headers ('Anna says'), photo credits, dates and domain names
    are not (a domain name is the publisher's, see add). prose: it came from running text ('By default, ...', "By Bayes' rule, we
    have"), so every word must be capitalized (or a particle such as 'von') and there are at
    most five."""
    text = name.strip(" *:")
    if not text or len(text) > 60 or _NOT_A_NAME.match(text) or _COMMENT_SUFFIX.search(f" {text}") \
            or _CREDIT.match(text) or "@" in text:
        return False
    words = text.split()
    if len(words) > 6 or not re.search(r"[^\W\d_]", text) or max(map(len, words)) > 24:
        return False   # (a word that long is text run together: 'Hingstonfacebooktwitter')
    if prose:
        return len(words) <= 5 and all(
            w[:1].isupper() or w.lower() in _PARTICLES or w[:1] in "'’" for w in words)
    return True


_LAST_FIRST = re.compile(r"^([A-Z][\w'’-]+),\s+([A-Z][\w.'’-]+(?:\s+[A-Z]\.)?)$")


def split_names(raw: str) -> list[str]:
    """'By Jane Doe and John Smith, CPA' -> ['Jane Doe', 'John Smith']; 'Doe, Jane' ->
    ['Jane Doe']. Roles and credentials after a comma are dropped, not taken for names."""
    text = clean_name(raw)
    m = _LAST_FIRST.match(text)
    if m and not _ROLE_ONLY.match(m.group(2)):
        return [f"{m.group(2)} {m.group(1)}"]
    names = []
    for part in _SPLIT.split(text):
        part = part.strip(" .,;:|-–—")
        if not part or _ROLE_ONLY.match(part):
            continue
        if len(part) <= 80 and not part.lower().startswith(("http", "@")) and \
                re.search(r"[^\W\d_]", part):
            names.append(part)
    return list(dict.fromkeys(names))


# -- dates ----------------------------------------------------------------------------------------
def iso_date(value: str) -> str:
    """An ISO 8601 string for a machine-readable date ('' when it is not one). The page's own
    day is kept: '2026-01-01T23:30:00-05:00' is 1 January, not 2 January in UTC."""
    v = value.strip().replace("/", "-") if re.match(r"^\d{4}/\d{1,2}/\d{1,2}", value.strip()) \
        else value.strip()
    m = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})", v)
    if m:
        try:
            d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return ""
        try:
            dt = datetime.fromisoformat(v.replace("Z", "+00:00").replace(" ", "T", 1))
            return dt.isoformat() if (dt.hour or dt.minute or dt.tzinfo) else d.isoformat()
        except ValueError:
            return d.isoformat()
    m = re.match(r"^(\d{4})-(\d{2})$", v)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{m.group(1)}-{m.group(2)}"
    return ""


def parse_human_date(text: str) -> str:
    """'March 3, 2025', '3rd March 2025', 'Tue, 4 Nov 2025 10:15 GMT', '2025-03-03' -> ISO.
    Relative dates ('2 days ago') and dates without a year are not read."""
    text = " ".join(text.split())[:80]
    iso = iso_date(text)
    if iso:
        return iso
    m = re.match(r"^(\d{1,2})[.-](\d{1,2})[.-]((?:19|20)\d\d)\b", text)
    if m:   # '10.12.2022', '01-11-2023 10:29': dots and dashes put the day first
        try:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1))).isoformat()
        except ValueError:
            return ""
    if not re.search(r"\b(1[89]|20)\d\d\b", text):
        return ""
    import dateparser

    text = re.sub(r"\b(\d{1,2})(st|nd|rd|th)\b", r"\1", text)
    text = re.sub(r"\s+at\s+", " ", text)
    parsed = dateparser.parse(text, languages=["en"], settings={
        "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
        "REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DAY_OF_MONTH": "first",
        "RETURN_AS_TIMEZONE_AWARE": False})
    return parsed.date().isoformat() if parsed else ""


# -- extraction -----------------------------------------------------------------------------------
def _meta(root: etree._Element, names: tuple[str, ...]) -> list[tuple[str, str]]:
    wanted = set(names)
    out = []
    for m in root.iter("meta"):
        key = (m.get("name") or m.get("property") or m.get("itemprop") or "").strip().lower()
        if key in wanted and (m.get("content") or "").strip():
            out.append((key, m.get("content").strip()))
    return out


def _node_name(nodes: list[dict], value) -> tuple[str, str, list[str], str]:
    """(name, url, sameAs, kind) of an author value; kind is person|organization|text|ref."""
    if isinstance(value, str):
        return value, "", [], "text"
    if isinstance(value, dict) and "ref" in value:
        node = nodes[value["ref"]]
        name = next((v for v in node["props"].get("name", []) if isinstance(v, str)), "")
        url = next((v for v in node["props"].get("url", []) if isinstance(v, str)), "")
        same = [v for v in node["props"].get("sameAs", []) if isinstance(v, str)]
        kind = "organization" if is_org(node) else "person"
        return name, url, same, kind
    if isinstance(value, dict) and "id" in value:
        return "", "", [], "ref:" + value["id"]
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


def author_candidates(root: etree._Element, nodes: list[dict], blocks: list[dict]) -> list[dict]:
    out: list[dict] = []

    def add(name: str, source: str, url: str = "", same_as=(), kind: str = "",
            visible: bool = False, prose: bool = False, group: int = 0) -> int:
        if visible and _CREDIT.match(name.strip()):
            return 0   # 'Foto: Jane Doe' credits the picture, not the text
        if prose and not all(w[:1].isupper() or w.lower() in _PARTICLES | _AND for w in
                             clean_name(name).replace(",", " ").split()):
            return 0   # 'By default, ModelChoiceField and ...' is a sentence, not a byline
        names = split_names(name) if kind != "organization" else [clean_name(name)]
        names = [n for n in names if plausible_name(n, prose)] if visible else \
            [n for n in names if n and not _NOT_A_NAME.match(n)]
        # a domain name ('tagesschau.de, Frankfurt, Germany') makes the value the publisher's
        publisher = any(_DOMAIN.match(n) for n in names)
        for n in names:
            org = publisher or kind == "organization" or bool(_ORG_WORDS.search(n))
            out.append({"name": n, "source": source, "url": url, "sameAs": list(same_as),
                        "kind": "placeholder" if PLACEHOLDER.match(n) else
                        "organization" if org else kind or "person",
                        "group": group})
        return len(names)

    for item in main_items(nodes):
        for value in item["props"].get("author", []) + item["props"].get("creator", []):
            name, url, same, kind = _node_name(nodes, value)
            if kind.startswith("ref:"):
                out.append({"name": "", "source": "markup", "url": "", "sameAs": [],
                            "kind": "ref", "id": kind[4:]})
            elif name:
                add(name, "markup" if kind != "text" else "markup (text)", url, same,
                    "organization" if kind == "organization" else "person")
    for key, value in _meta(root, AUTHOR_META):
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
    for el in root.xpath("//body//*[self::p or self::span or self::div or self::a or self::address"
                         " or self::li][string-length(normalize-space()) < 400]"):
        if found >= MAX_BYLINE_ELEMENTS:
            break   # the page's byline comes first; later ones are teasers and comments
        text = " ".join(el.text_content().split())
        hinted = BYLINE_HINT.search(f"{el.get('class') or ''} {el.get('id') or ''}")
        if hinted:
            # 'Matt Dancho https://github.com/mdancho84 (Business Science), Sigrid Keydana ...':
            # links that spell out their URL, and affiliations, are not names
            text = " ".join(_URL_OR_AFFILIATION.sub(" , ", text).split()).strip(" ,")
        if len(text) >= 160:
            continue
        m = BYLINE_TEXT.match(text)
        url_links = sum(1 for a in el.iter("a") if _URL_OR_AFFILIATION.fullmatch(
            " ".join(a.text_content().split())))
        if not (m or hinted and text and len(el) - url_links <= 3 and not any(
                BYLINE_HINT.search(f"{c.get('class') or ''}") for c in el.iterdescendants())):
            continue
        if in_chrome(el):
            continue
        link = next((a.get("href") for a in el.iter("a") if a.get("href")), "")
        before = {name_key(c["name"]) for c in out if c["source"] == "byline"}
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
        found += bool({name_key(c["name"]) for c in out if c["source"] == "byline"} - before)
    if not any(c["source"] == "byline" for c in out):
        for name, link in _dated_bylines(root):
            add(name, "byline", link, visible=True, prose=True, group=found)   # one byline
    publisher = _publisher_names(root, nodes)
    for c in out:
        if c["name"] and name_key(c["name"]) in publisher:
            c["kind"] = "organization"    # the site's own name given as author
    return _dedupe(out)


def _publisher_names(root: etree._Element, nodes: list[dict]) -> set[str]:
    """Name keys of the site or publisher: og:site_name, application-name, the markup's
    publisher, and the last part of the <title> ('... | Die Furche')."""
    names = [v for _, v in _meta(root, ("og:site_name", "application-name",
                                        "apple-mobile-web-app-title"))]
    for node in nodes:
        if node.get("prop") == "publisher" or (node["parent"] is None and any(
                t in ("Organization", "NewsMediaOrganization", "WebSite") for t in node["types"])):
            names += [v for v in node["props"].get("name", []) if isinstance(v, str)]
    title = " ".join(root.xpath("string(//head/title)").split())
    parts = re.split(r"\s+[|–—:-]\s+|\s+[·•]\s+", title)
    if len(parts) > 1:
        names.append(parts[-1])
    return {name_key(n) for n in names if n.strip()}


_MONTHS = (r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*")
DATE_IN_TEXT = re.compile(
    rf"(?i:\b(?:\d{{1,2}}(?:st|nd|rd|th)?\.?\s+{_MONTHS}\.?,?\s+\d{{4}}|{_MONTHS}\.?\s+"
    rf"\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}[./]\d{{1,2}}[./]"
    rf"\d{{4}})\b)")


NUMERIC_DATE = re.compile(r"(?<![\d.])\d{1,2}\.\d{1,2}\.(?:19|20)\d\d(?![\d.])")


HEADLINE_DATE = "visible text under the headline"
AMBIGUOUS_SLASHES = re.compile(r"(0?[1-9]|1[0-2])/(0?[1-9]|1[0-2])/\d{4}")


def _time_kind(t: etree._Element) -> str:
    """'modified' when a <time>'s class, itemprop or the words before it say so."""
    prev = t.getprevious()
    before = (prev.tail if prev is not None else (t.getparent().text
                                                 if t.getparent() is not None else ""))
    context = f"{t.get('class') or ''} {t.get('itemprop') or ''} {(before or '')[-30:]}"
    return "modified" if re.search(r"updat|modif|revis", context, re.I) else "published"


def _texts_after(el: etree._Element):
    """(element the text belongs to, text) after el in document order, read lazily."""
    node = el
    while node is not None and node.tag != "body":
        parent = node.getparent()
        if node.tail and parent is not None:
            yield parent, node.tail
        for sib in node.itersiblings():
            for event, inner in etree.iterwalk(sib, events=("start", "end")):
                if event == "start":
                    if isinstance(inner.tag, str) and inner.text:
                        yield inner, inner.text
                elif inner is not sib and inner.tail and inner.getparent() is not None:
                    yield inner.getparent(), inner.tail
            if sib.tail and parent is not None:
                yield parent, sib.tail
        node = parent


def _date_under(h1: etree._Element) -> tuple[str, str, str] | None:
    """A date on its own among the first short texts after the headline ('Drucken',
    '03.04.2019', 'Von Olaf Kempin'): (date, 'visible text', kind), or None. A date inside a
    sentence (an event the lead paragraph names) is not the page's."""
    seen = 0
    for owner, text in islice(_texts_after(h1), 40):
        if not isinstance(owner.tag, str) or owner.tag in ("script", "style", "noscript",
                                                          "template"):
            continue
        t = " ".join(text.split())
        if not t:
            continue
        stamp = owner if owner.tag == "time" else next(
            (a for a in owner.iterancestors() if a.tag == "time"), None)
        if stamp is not None:   # a <time> under the headline: its class says which date
            if _time_kind(stamp) == "modified":
                seen += len(t)
                continue
            value = stamp.get("datetime") or t
            return value[:60], HEADLINE_DATE, "published"
        seen += len(t)
        if seen > 400:
            return None
        if len(t) > 40:
            continue
        found = NUMERIC_DATE.search(t) or DATE_IN_TEXT.search(t)
        if found and AMBIGUOUS_SLASHES.fullmatch(found.group(0)):
            return None     # '02/10/2020': 2 October or 10 February, by the reader's country
        if found:
            kind = "modified" if re.search(r"(?i)updat|aktualisiert|modif|mis à jour|actualiz",
                                           t) else "published"
            return found.group(0), HEADLINE_DATE, kind
    return None


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
    label = dict(_meta(root, ("twitter:label1",))).get("twitter:label1", "")
    return bool(re.match(r"(?i)(written by|author|verfasst von|geschrieben von|autor|écrit par|"
                         r"escrito por)", label))


def _dedupe(cands: list[dict]) -> list[dict]:
    seen, out = set(), []
    for c in cands:
        k = (name_key(c["name"]), c["source"]) if c["name"] else ("", c.get("id"))
        if k not in seen:
            seen.add(k)
            out.append(c)
    return out


HTMLDATE_BYTES = 2 * 2**20   # real pages are a few hundred KB at most; their dates lead
NER_LINE_WORDS = 12   # a byline-like line under the headline, not a sentence that cites someone
# 'Dedicated to Malcolm Tredinnick.', 'See ... by Tim Berners-Lee', 'Thanks to ...'
NOT_A_BYLINE_LINE = re.compile(r"(?i)^\s*(?:dedicated to|in memory of|in memoriam|thanks to|"
                               r"see|cf\.|photo|image|via)\b")


def ner_authors(blocks: list[dict], nlp_model, brand_words: frozenset[str] = frozenset()
                ) -> list[dict]:
    """Last resort: PERSON names in the two short lines right under the H1, where the name is
    a good part of the line (a byline without a label). A name with a word of
    the site's own name in it ('Deploying Django', 'Django Admin' on Django's documentation)
    is the product, not a person."""
    texts = []
    seen_h1 = False
    for b in blocks:
        if b["k"] == "h1":
            seen_h1 = True
            continue
        if seen_h1 and b["k"] == "p" and len(b["t"].split()) <= NER_LINE_WORDS and \
                not NOT_A_BYLINE_LINE.match(b["t"]):
            texts.append(b["t"])
        if len(texts) >= 2 or (seen_h1 and b["k"].startswith("h")):
            break
    out = []
    for doc in nlp_model.pipe(texts):
        out += [{"name": e.text, "source": "name near the headline", "url": "", "sameAs": [],
                 "kind": "person"} for e in doc.ents
                if e.label_ == "PERSON" and len(e.text.split()) >= 2 and
                3 * len(e.text.split()) >= len(doc.text.split()) and
                not set(name_key(e.text).split()) & brand_words and
                not re.search(r"['’]s?$", e.text) and plausible_name(e.text, prose=True)]
    # (one capitalized word, 'Flink' or 'Flink’s', is a product as often as a person)
    return _dedupe(out)


def date_candidates(root: etree._Element, nodes: list[dict], url: str) -> list[dict]:
    out: list[dict] = []

    def add(raw: str, source: str, kind: str, machine: bool = True) -> None:
        iso = iso_date(raw) if machine else parse_human_date(raw)
        if not iso and machine:
            iso = parse_human_date(raw)
        if iso:
            out.append({"value": iso, "raw": raw.strip()[:60], "source": source, "kind": kind})

    for item in main_items(nodes):
        for prop, kind in (("datePublished", "published"), ("dateCreated", "created"),
                           ("dateModified", "modified")):
            for v in item["props"].get(prop, []):
                if isinstance(v, str):
                    add(v, f"markup {prop}", "published" if kind == "created" else kind)
    for key, value in _meta(root, PUBLISHED_META):
        add(value, f"meta {key}", "published")
    for key, value in _meta(root, MODIFIED_META):
        add(value, f"meta {key}", "modified")
    for t in islice(root.iter("time"), 40):
        # its datetime attribute, or else its text ('<time>31.03.2020</time>')
        value = t.get("datetime") or " ".join(t.text_content().split())[:60]
        if value:
            add(value, "time element", _time_kind(t), machine=bool(t.get("datetime")))
    for el in root.xpath("//body//*[self::p or self::span or self::div or self::li or self::time "
                         "or self::small or self::dt or self::h3 or self::h4 or self::h5 or "
                         "self::h6 or self::strong or self::b]"
                         "[string-length(normalize-space()) < 200]"):
        if len(el) > 6:
            continue
        text = " ".join(el.text_content().split())
        label_only = DATE_LABEL.fullmatch(text)
        if label_only is not None and el.getnext() is not None:
            # <h3>Last update:</h3><p>Nov 11, 2026</p>: the value is the next element
            text += " " + " ".join(el.getnext().text_content().split())[:60]
        for m in DATE_LABEL.finditer(text):
            label = m.group(1).lower()
            rest = text[m.end():]
            rest = re.split(r"\s+(?:[·|•]|and|by)\s+|\s+(?=updated|modified|published)", rest,
                            flags=re.I)[0]
            kind = "modified" if label in UPDATED_LABELS else (
                "reviewed" if label == "reviewed" else "published")
            add(rest[:60], "visible text", kind, machine=False)
    headlines = [h for h in root.xpath("//body//h1")[:3]
                 if not h.xpath("ancestor::header[not(ancestor::article or ancestor::main)] "
                                "or ancestor::nav or .//a[@href='/' or @href='./']")]
    for h in headlines:
        # a date on its own line right under the title ('Django 3.2.13 release notes' then
        # '<p><em>April 11, 2022</em></p>'): what the page says is its date. Not under a
        # logo set as H1 in the header, where the date is today's
        for sib in list(h.itersiblings())[:2]:
            text = " ".join(sib.text_content().split())
            if 0 < len(text) <= 40 and MONTH_NAME.search(text):
                add(text, HEADLINE_DATE, "published", machine=False)
                break
            numeric = NUMERIC_DATE.search(text) if 0 < len(text) <= 40 else None
            if numeric:     # 'Stand: 28.04.2020 18:00 Uhr'
                add(numeric.group(0), HEADLINE_DATE, "published", machine=False)
                break
    if headlines and not any(c["source"] == "visible text" for c in out):
        under = _date_under(headlines[0])
        if under:
            add(*under, machine=False)
    m = URL_DATE.search(urlsplit(url).path)
    if m and m.group(3):
        out.append({"value": f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}",
                    "raw": m.group(0), "source": "URL", "kind": "published"})
    seen, uniq = set(), []
    for c in out:
        k = (c["value"], c["source"], c["kind"])
        if k not in seen:
            seen.add(k)
            uniq.append(c)
    return uniq


def settle(cands: list[dict], kind: str, guess: str = "") -> str:
    """The value of the most trusted source of a kind (markup, meta, time, visible, URL).
    When the page's sources disagree on the publication day, the one htmldate's reading of
    the whole page (guess) confirms wins: a template's stale markup date or a sidebar's
    <time> loses to the day the article itself shows. <time> elements that name several
    days are a list (related posts, comments), not the page's date: the date under the
    headline wins over them, else htmldate's day. The same instant given in UTC and in the site's own offset is read in the
    site's offset, the day its readers saw. A day that more kinds of source give (markup,
    meta and <time> agreeing) is not overruled by fewer (a URL's day that htmldate read)."""
    order = ("markup", "meta", "time element", "visible text", "URL", "htmldate")
    best = sorted((c for c in cands if c["kind"] == kind and not is_placeholder(c["value"])),
                  key=lambda c: _rank(c["source"], order))
    if not best:
        return ""
    chosen = best[0]
    if kind == "published" and chosen["source"] == "time element" and len(
            {day(c["value"]) for c in best if c["source"] == "time element"}) > 1:
        headline = next((c for c in best if c["source"] == HEADLINE_DATE), None)
        if headline is not None:
            return headline["value"]
    if guess and kind == "published" and day(chosen["value"]) != guess:
        # the page's own sources confirm htmldate's day; its URL alone does not (htmldate
        # reads the URL and the bare meta date first: its day and theirs are one witness)
        confirmed = next((c for c in best if day(c["value"]) == guess and
                          c["source"] not in ("URL", "meta date")), None)
        if chosen["source"] == "time element" and len(
                {day(c["value"]) for c in best if c["source"] == "time element"}) > 1:
            # the <time>s are a list (teasers, comments): the headline's date, else htmldate's
            headline = next((c for c in best if c["source"] == HEADLINE_DATE), None)
            return headline["value"] if headline else (confirmed or {"value": guess})["value"]
        elif confirmed is not None and not _same_instant(confirmed["value"], chosen["value"]) \
                and _support(best, guess) >= _support(best, day(chosen["value"])):
            chosen = confirmed
        elif confirmed is None and _in_reach(chosen["value"], guess) and not any(
                day(c["value"]) == guess for c in cands if c["kind"] != "published"):
            return guess    # unless htmldate's day is that of a modification
    return _local(chosen, best)["value"]


def _in_reach(iso: str, guess: str) -> bool:
    """A time given in UTC (or without offset) near midnight that is the guessed day where
    most readers live: '2020-02-18T02:18Z' is 17 February in New York, '2023-11-01T23:01Z'
    2 November in Rome, the day the page shows (htmldate read it from the page). Offsets
    from -8 to +10 hours, within 3 hours for a time without offset."""
    moment = _parsed(iso)
    if moment is None or "T" not in iso or (moment.utcoffset() or timedelta()) != timedelta():
        return False
    back, ahead = (8, 10) if moment.tzinfo is not None else (3, 3)
    return guess in {(moment - timedelta(hours=back)).date().isoformat(),
                     (moment + timedelta(hours=ahead)).date().isoformat()} - {moment.date()
                                                                              .isoformat()}


def _parsed(iso: str):
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        return None


def _rank(source: str, order: tuple[str, ...]) -> float:
    """A source's place in order; a bare <meta name="date">, which many systems fill with
    the day the page was last generated, comes after a date the page shows."""
    if source == "meta date":
        return order.index("visible text") + 0.5
    return next((i for i, o in enumerate(order) if source.startswith(o)), len(order))


_FAMILIES = ("markup", "meta", "time element", "visible text", "URL", "htmldate")


def _support(cands: list[dict], which: str) -> int:
    """How many kinds of source give the day."""
    return len({next((f for f in _FAMILIES if c["source"].startswith(f)), c["source"])
                for c in cands if day(c["value"]) == which})


def _same_instant(a: str, b: str) -> bool:
    ia, ib = _instant(a), _instant(b)
    return ia is not None and ib is not None and ia == ib


def _instant(iso: str):
    """The moment a timestamp with an offset names (None for a bare day or a naive time)."""
    moment = _parsed(iso)
    return moment if moment is not None and moment.tzinfo is not None else None


def _local(chosen: dict, cands: list[dict]) -> dict:
    """The candidate that gives chosen's instant in a non-UTC offset, or chosen itself."""
    moment = _instant(chosen["value"])
    if moment is None or moment.utcoffset():
        return chosen
    return next((c for c in cands if (m := _instant(c["value"])) is not None and m.utcoffset()
                 and m == moment), chosen)


AUTHOR_ORDER = ("markup", "meta", "rel=author", "itemprop=author", "byline",
                "name near the headline")


def settled_authors(cands: list[dict]) -> list[str]:
    """The people the most trusted source that names a person names (pages.csv's author).
    An organization (often the publisher standing in for everyone), a domain name or a CMS
    account ('admin') is nobody's byline: it is left out here, and a person in a later
    source (a visible byline) wins; AT006 still reports the stand-in from the candidates."""
    for prefix in AUTHOR_ORDER:
        found = [c for c in cands if c["name"] and c["source"].startswith(prefix)]
        if found and prefix == "byline":   # the first byline on the page, not later teasers
            first = min(c.get("group", 0) for c in found)
            found = [c for c in found if c.get("group", 0) == first]
        people = [c["name"] for c in found if c["kind"] not in ("organization", "placeholder")]
        if people:
            return list(dict.fromkeys(people))
    return []


def reviewers(root: etree._Element, nodes: list[dict], body_text: str) -> list[str]:
    out = []
    for node in nodes:
        for v in node["props"].get("reviewedBy", []):
            name, *_ = _node_name(nodes, v)
            out.append(name or "a reviewer in markup")
    for m in REVIEWER_TEXT.finditer(body_text[:20000]):
        out += split_names(m.group(1))[:3]
    return list(dict.fromkeys(out))[:5]


def attribution_facts(root: etree._Element, nodes: list[dict], blocks: list[dict], url: str,
                      body_text: str, nlp_model, is_article: bool, html: bytes = b"") -> dict:
    authors = author_candidates(root, nodes, blocks)
    if not [a for a in authors if a["name"]] and is_article and nlp_model is not None and \
            _english(root, blocks):
        brand = frozenset(w for key in _publisher_names(root, nodes) for w in key.split()
                          if len(w) > 2 and not w.isdigit())
        authors += ner_authors(blocks, nlp_model, brand)
    dates = date_candidates(root, nodes, url)
    guess = htmldate_guess(root, url, dates, html)
    if guess and not any(d["kind"] == "published" for d in dates):
        dates.append({"value": guess, "raw": guess, "source": "htmldate", "kind": "published"})
    return {"authors": authors[:20], "dates": dates[:20], "htmldate": guess,
            "reviewers": reviewers(root, nodes, body_text)}


def htmldate_guess(root: etree._Element, url: str, dates: list[dict], html: bytes = b"") -> str:
    """htmldate's reading of the publication day (its extensive search included), or ''.
    It reads the page as served (html) with its URL: from the bytes it sees the scripts and
    comments our tree has no use for, and it is four times faster than on a parsed tree
    (measured: 3 ms a page against 13 on htmldate-eval).
    Two of its guesses are refused: a version number of the title read as a date ('Django
    3.2.25'), and a bare 1 January, which is what it makes of a lone year ('© 2026') unless
    the page states that day somewhere else. Of a page of megabytes it reads the first
    HTMLDATE_BYTES: its own tree of the whole would cost as much memory as ours again."""
    try:
        from htmldate import find_date

        found = find_date(html[:HTMLDATE_BYTES] or root, url=url or None, original_date=True,
                          outputformat="%Y-%m-%d") or ""
    except Exception:  # noqa: BLE001 - a third-party heuristic on hostile input
        return ""
    if not found or _version_read_as_date(found, root):
        return ""
    if found.endswith("-01-01") and not any(day(d["value"]) == found for d in dates):
        return ""
    return found


_EN_WORDS = frozenset("the and of to in is that for with on as are was this by it be".split())


def _english(root: etree._Element, blocks: list[dict]) -> bool:
    """The name finder is an English model: on a page in another language it takes common
    nouns for people. The page's lang attribute decides; without one, English function
    words must be common in the text."""
    lang = (root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or
            "").strip().lower()
    if lang:
        return lang.startswith("en")
    tokens = " ".join(b["t"] for b in blocks[:30]).lower().split()[:600]
    return bool(tokens) and sum(t in _EN_WORDS for t in tokens) / len(tokens) > 0.08


def _version_read_as_date(iso: str, root: etree._Element) -> bool:
    """htmldate's date is a version number of the page's title or headings ('Django 3.2.25
    documentation' read as 3 February 2025), not a date the page states."""
    year, month, day = (int(x) for x in iso.split("-"))
    text = " ".join(root.xpath("//title//text() | //h1//text()"))[:2000]
    for m in VERSION.finditer(text):
        if len(m.group(3)) > 2 or m.group(0).startswith("0"):
            continue   # '08.11.2021' is a date, not a version
        a, b, c = (int(x) for x in m.groups())
        full = c if c >= 100 else 2000 + c
        if (full, b, a) == (year, month, day) or (full, a, b) == (year, month, day) or \
                (2000 + a if a < 100 else a, b, c) == (year, month, day):
            return True
    return False


CREDENTIALS = re.compile(
    r"\b(CPA|ACCA|ACA|CIMA|CFA|CFP|EA|PhD|Ph\.D\.?|MD|M\.D\.|JD|MBA|RN|LLB|LLM|FCA|MSc|BSc|"
    r"chartered|certified|licensed|registered|qualified|accredited|fellow|professor|lecturer|"
    r"\d+\+? years|years of experience|specialis\w*|specializ\w*|expert in|head of|director|"
    r"manager|lead|senior|engineer|accountant|lawyer|attorney|physician|doctor|nurse|editor|"
    r"economist|analyst|advisor|adviser|consultant|founder|researcher|scientist)\b")
PERSON_PROPS = ("jobTitle", "description", "sameAs", "knowsAbout", "worksFor", "hasCredential",
                "alumniOf", "award", "image", "url")


def author_matrix(pages, lookup=None) -> dict:
    """Author x what their chain has: pages, the sources that name them, a profile link, the
    profile page if crawled, the Person markup properties found for them anywhere, and the
    credentials their profile page shows. pages is read as a stream; lookup(url) gives a
    page's full facts (its main text), by default from pages."""
    from urllib.parse import urljoin

    from aeo.analyzers.site import entity_index

    index = entity_index(pages)
    if lookup is None:
        by_url = {p.url: p for p in pages}
        lookup = by_url.get
    matrix: dict[str, dict] = {}
    for page in pages:
        if page.page_type != "article":
            continue
        # the people pages.csv names, by every source that names them; never a stand-in
        # (the publisher, 'admin') or a teaser's byline further down the page
        cands = page.attribution.get("authors", [])
        people = {name_key(n) for n in settled_authors(cands)}
        for cand in cands:
            if not cand["name"] or name_key(cand["name"]) not in people:
                continue
            k = name_key(cand["name"])
            entry = matrix.setdefault(k, {"name": cand["name"], "pages": [], "sources": {},
                                          "profile": "", "profile_page": "", "props": [],
                                          "sameAs": [], "credentials": [], "kind": cand["kind"]})
            if page.url not in entry["pages"]:
                entry["pages"].append(page.url)
            entry["sources"][cand["source"]] = entry["sources"].get(cand["source"], 0) + 1
            if cand["url"] and not entry["profile"]:
                entry["profile"] = urljoin(page.url, cand["url"])
            entry["sameAs"] = list(dict.fromkeys(entry["sameAs"] + cand["sameAs"]))
        for node in page_author_nodes(page, index):
            names = [v for v in node["props"].get("name", []) if isinstance(v, str)]
            if names and name_key(names[0]) in matrix:
                entry = matrix[name_key(names[0])]
                entry["props"] = sorted(set(entry["props"]) | {
                    p for p in PERSON_PROPS if node["props"].get(p)})
    for entry in matrix.values():
        profile = lookup(entry["profile"].split("#")[0])
        if profile is None:
            continue
        entry["profile_page"] = profile.url
        for node in profile.entities:
            names = [v for v in node["props"].get("name", []) if isinstance(v, str)]
            if "Person" in node["types"] and names and name_key(names[0]) == name_key(
                    entry["name"]):
                entry["props"] = sorted(set(entry["props"]) | {
                    p for p in PERSON_PROPS if node["props"].get(p)})
        bio = " ".join(b["t"] for b in profile.main_blocks)[:5000]
        entry["credentials"] = list(dict.fromkeys(m.group(0) for m in CREDENTIALS.finditer(bio)))[:8]
    return matrix
