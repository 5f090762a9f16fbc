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
from datetime import date, datetime
from urllib.parse import urlsplit

from lxml import etree

from aeo.analyzers.identity import is_org

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
BYLINE_TEXT = re.compile(r"^\s*(?:written |posted |words |reported |story |article )?by\s*[:\-]?"
                         r"\s+(.{2,200})$|^\s*(?:author|authors|writer|written by)\s*[:\-]\s*"
                         r"(.{2,200})$", re.I)
REVIEWER_TEXT = re.compile(   # 'Reviewed by Maria Okafor, CPA'; the name must be capitalized
    r"(?i:\b(?:medically |legally |financially |expert[- ])?(?:reviewed|fact[- ]checked|"
    r"verified)\s+by)\s*:?\s+([A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|de|van|von|da|del|la|le))"
    r"{0,4}(?:,\s*[A-Z][\w.]{1,6})?)")
DATE_LABEL = re.compile(r"\b(published|posted|written|created|updated|last updated|last update|"
                        r"modified|last modified|revised|reviewed)\s*(?:on|:)?\s*[:\-–—]?\s*",
                        re.I)
MONTH_NAME = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s",
                        re.I)
# a version number (3.2.25, 1.8.15) that a date guesser reads as a day, month and year
VERSION = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{1,4})(?![\d.])")
_ROLE_ONLY = re.compile(   # a part of a byline that is a role or credential, not a name
    r"^(?:[A-Z]{2,6}\.?|Ph\.?D\.?|M\.?D\.?|(?i:esq\.?|jr\.?|sr\.?|(?:senior |lead |chief |"
    r"staff |contributing |guest |managing |deputy )?(?:editor|writer|reporter|correspondent|"
    r"author|analyst|accountant|engineer|director|manager|founder|ceo|cto|cfo|contributor|"
    r"columnist)s?(?: at [\w .&-]+)?))$")
_SPLIT = re.compile(r"\s*(?:,\s*and\s+|\s+and\s+|\s*&\s*|;\s*|\s*\|\s*|,\s+(?=[A-Z]))\s*")
_DATE_IN_NAME = re.compile(r"\s*(?:[|·•—–-]|\bon\b|\bpublished\b|\bupdated\b).*?\d{1,4}.*$",
                           re.I)
URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])(?:[/-](0?[1-9]|[12]\d|3[01]))?"
                      r"(?=[/-]|$)")


# -- names ----------------------------------------------------------------------------------------
def clean_name(raw: str) -> str:
    name = " ".join(raw.split()).strip(" .,;:|-–—\"'“”")
    name = re.sub(r"^(?:(?:written|posted|words|story|reported|article|reviewed|edited|"
                  r"medically reviewed|fact[- ]checked)\s+)?(?:by|author|authors)\s*[:\-–—]?\s+",
                  "", name, flags=re.I)
    name = _DATE_IN_NAME.sub("", name)
    name = re.sub(r"\s*\(.*?\)\s*", " ", name)
    return " ".join(name.split()).strip(" .,;:|-–—")


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


def name_key(name: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", name.casefold()).split())


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


def day(iso: str) -> str:
    return iso[:10]


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


CREATIVE = ("Article", "BlogPosting", "NewsArticle", "TechArticle", "Report", "ScholarlyArticle",
            "WebPage", "FAQPage", "HowTo", "Recipe", "CreativeWork", "Review", "AnalysisNewsArticle",
            "OpinionNewsArticle", "LiveBlogPosting", "MedicalWebPage", "ProfilePage", "AboutPage")


def _main_items(nodes: list[dict]) -> list[dict]:
    items = [n for n in nodes if n["syntax"] != "opengraph" and any(
        t in CREATIVE for t in n["types"]) and n["parent"] is None]
    return items or [n for n in nodes if n["syntax"] != "opengraph" and n["parent"] is None]


def author_candidates(root: etree._Element, nodes: list[dict], blocks: list[dict]) -> list[dict]:
    out: list[dict] = []

    def add(name: str, source: str, url: str = "", same_as=(), kind: str = "") -> None:
        for n in split_names(name) if kind != "organization" else [clean_name(name)]:
            out.append({"name": n, "source": source, "url": url, "sameAs": list(same_as),
                        "kind": kind or "person"})

    for item in _main_items(nodes):
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
        add(value, f"meta {key}")
    for a in root.xpath("//a[contains(concat(' ', normalize-space(@rel), ' '), ' author ')]"):
        text = " ".join(a.text_content().split())
        if text:
            add(text, "rel=author", a.get("href") or "")
    for el in root.xpath("//*[@itemprop='author'][not(@itemscope)]"):
        text = " ".join(el.text_content().split())
        if text and len(text) < 120:
            add(text, "itemprop=author")
    for el in root.xpath("//body//*[self::p or self::span or self::div or self::a or self::address"
                         " or self::li][string-length(normalize-space()) < 160]"):
        text = " ".join(el.text_content().split())
        m = BYLINE_TEXT.match(text)
        hinted = BYLINE_HINT.search(f"{el.get('class') or ''} {el.get('id') or ''}")
        if m:
            link = next((a.get("href") for a in el.iter("a") if a.get("href")), "")
            add(m.group(1) or m.group(2), "byline", link)
        elif hinted and text and len(el) <= 3 and not any(
                BYLINE_HINT.search(f"{c.get('class') or ''}") for c in el.iterdescendants()):
            link = next((a.get("href") for a in el.iter("a") if a.get("href")), "")
            add(text, "byline", link)
    return _dedupe(out)


def _dedupe(cands: list[dict]) -> list[dict]:
    seen, out = set(), []
    for c in cands:
        k = (name_key(c["name"]), c["source"]) if c["name"] else ("", c.get("id"))
        if k not in seen:
            seen.add(k)
            out.append(c)
    return out


def ner_authors(blocks: list[dict], nlp_model) -> list[dict]:
    """Last resort: PERSON names in the two blocks right under the H1."""
    texts = []
    seen_h1 = False
    for b in blocks:
        if b["k"] == "h1":
            seen_h1 = True
            continue
        if seen_h1 and b["k"] == "p" and len(b["t"].split()) <= 25:
            texts.append(b["t"])
        if len(texts) >= 2 or (seen_h1 and b["k"].startswith("h")):
            break
    out = []
    for doc in nlp_model.pipe(texts):
        out += [{"name": e.text, "source": "name near the headline", "url": "", "sameAs": [],
                 "kind": "person"} for e in doc.ents if e.label_ == "PERSON"]
    return _dedupe(out)


def date_candidates(root: etree._Element, nodes: list[dict], url: str) -> list[dict]:
    out: list[dict] = []

    def add(raw: str, source: str, kind: str, machine: bool = True) -> None:
        iso = iso_date(raw) if machine else parse_human_date(raw)
        if not iso and machine:
            iso = parse_human_date(raw)
        if iso:
            out.append({"value": iso, "raw": raw.strip()[:60], "source": source, "kind": kind})

    for item in _main_items(nodes):
        for prop, kind in (("datePublished", "published"), ("dateCreated", "created"),
                           ("dateModified", "modified")):
            for v in item["props"].get(prop, []):
                if isinstance(v, str):
                    add(v, f"markup {prop}", "published" if kind == "created" else kind)
    for key, value in _meta(root, PUBLISHED_META):
        add(value, f"meta {key}", "published")
    for key, value in _meta(root, MODIFIED_META):
        add(value, f"meta {key}", "modified")
    for t in root.iter("time"):
        if t.get("datetime"):
            prev = t.getprevious()
            before = (prev.tail if prev is not None else (t.getparent().text
                                                         if t.getparent() is not None else ""))
            context = f"{t.get('class') or ''} {t.get('itemprop') or ''} {(before or '')[-30:]}"
            kind = "modified" if re.search(r"updat|modif|revis", context, re.I) else "published"
            add(t.get("datetime"), "time element", kind)
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
            kind = "modified" if label in ("updated", "last updated", "last update", "modified",
                                           "last modified", "revised") else (
                "reviewed" if label == "reviewed" else "published")
            add(rest[:60], "visible text", kind, machine=False)
    for h in root.xpath("//body//h1")[:3]:
        # a date on its own line right under the title ('Django 3.2.13 release notes' then
        # '<p><em>April 11, 2022</em></p>'): what the page says is its date
        for sib in list(h.itersiblings())[:2]:
            text = " ".join(sib.text_content().split())
            if 0 < len(text) <= 40 and MONTH_NAME.search(text):
                add(text, "visible text", "published", machine=False)
                break
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


def settle(cands: list[dict], kind: str) -> str:
    """The value of the most trusted source of a kind (markup, meta, time, visible, URL)."""
    order = ("markup", "meta", "time element", "visible text", "URL", "htmldate")
    best = sorted((c for c in cands if c["kind"] == kind),
                  key=lambda c: next((i for i, o in enumerate(order) if c["source"].startswith(o)),
                                     len(order)))
    return best[0]["value"] if best else ""


AUTHOR_ORDER = ("markup", "meta", "rel=author", "itemprop=author", "byline",
                "name near the headline")


def settled_authors(cands: list[dict]) -> list[str]:
    """The names of the most trusted source that names anyone."""
    for prefix in AUTHOR_ORDER:
        names = [c["name"] for c in cands if c["name"] and c["source"].startswith(prefix)]
        if names:
            return list(dict.fromkeys(names))
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
                      body_text: str, nlp_model, is_article: bool) -> dict:
    authors = author_candidates(root, nodes, blocks)
    if not [a for a in authors if a["name"]] and is_article and nlp_model is not None:
        authors += ner_authors(blocks, nlp_model)
    dates = date_candidates(root, nodes, url)
    if is_article and not any(d["kind"] == "published" for d in dates):
        try:
            from htmldate import find_date

            # without extensive search: its guesses from bare years ('© 2026' -> 1 January)
            # are worse than no date
            found = find_date(root, original_date=True, extensive_search=False,
                              outputformat="%Y-%m-%d")
        except Exception:  # noqa: BLE001 - a third-party heuristic on hostile input
            found = None
        if found and not _version_read_as_date(found, root):
            dates.append({"value": found, "raw": found, "source": "htmldate",
                          "kind": "published"})
    return {"authors": authors[:20], "dates": dates[:20],
            "reviewers": reviewers(root, nodes, body_text)}


def _version_read_as_date(iso: str, root: etree._Element) -> bool:
    """htmldate's date is a version number of the page's title or headings ('Django 3.2.25
    documentation' read as 3 February 2025), not a date the page states."""
    year, month, day = (int(x) for x in iso.split("-"))
    text = " ".join(root.xpath("//title//text() | //h1//text()"))[:2000]
    for m in VERSION.finditer(text):
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


def _resolve_person(page, value, index) -> dict | None:
    if isinstance(value, dict) and "ref" in value:
        return page.entities[value["ref"]]
    if isinstance(value, dict) and "id" in value:
        return index.get(value["id"])
    return None


def page_author_nodes(page, index: dict) -> list[dict]:
    """The Person/Organization items the page's main items name as author, resolved."""
    out = []
    for item in _main_items(list(page.entities)):
        for v in item["props"].get("author", []):
            node = _resolve_person(page, v, index)
            if node is not None:
                out.append(node)
    return out


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
        for cand in page.attribution.get("authors", []):
            if not cand["name"]:
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
