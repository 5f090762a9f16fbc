"""When a page was published and updated: every date candidate with its source, in order of
trust (structured data, meta tags, <time datetime>, visible 'Published / Updated' text read
with dateparser, the URL, htmldate as the last resort), and the rules that settle on one day.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from itertools import islice
from urllib.parse import urlsplit

from lxml import etree

from aeo.analyzers.short_texts import DATE_LIMIT, DATE_TAGS, ShortText
from aeo.facts.entities import EntityNode
from aeo.facts.reading import day, is_placeholder, main_items
from aeo.facts.records import DateCandidate

PUBLISHED_META = ("article:published_time", "article:published", "citation_publication_date",
                  "citation_date", "citation_online_date", "dc.date", "dc.date.issued",
                  "dcterms.created", "dcterms.issued", "date", "pubdate", "publish-date",
                  "publish_date", "parsely-pub-date", "sailthru.date", "og:published_time")

MODIFIED_META = ("article:modified_time", "og:updated_time", "dc.date.modified",
                 "dcterms.modified", "last-modified", "lastmod", "article:modified")

DATE_LABEL = re.compile(r"\b(published|posted|written|created|updated|last updated|last update|"
                        r"modified|last modified|revised|reviewed|datum|veröffentlicht|"
                        r"aktualisiert|publié|mis à jour|publicado|actualizado|pubblicato|"
                        r"aggiornato)\s*(?:on|am|le|el|il|:)?\s*[:\-–—]?\s*", re.I)

UPDATED_LABELS = ("updated", "last updated", "last update", "modified", "last modified",
                  "revised", "aktualisiert", "mis à jour", "actualizado", "aggiornato")

MONTH_NAME = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s",
                        re.I)

URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])(?:[/-](0?[1-9]|[12]\d|3[01]))?"
                      r"(?=[/-]|$)")


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
def meta_values(root: etree._Element, names: tuple[str, ...]) -> list[tuple[str, str]]:
    wanted = set(names)
    out = []
    for m in root.iter("meta"):
        key = (m.get("name") or m.get("property") or m.get("itemprop") or "").strip().lower()
        if key in wanted and (m.get("content") or "").strip():
            out.append((key, m.get("content").strip()))
    return out


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


def date_candidates(root: etree._Element, nodes: list[EntityNode], url: str,
                    short: list[ShortText]) -> list[DateCandidate]:
    """short: short_texts(root), which the byline search reads too."""
    out: list[DateCandidate] = []

    def add(raw: str, source: str, kind: str, machine: bool = True) -> None:
        iso = iso_date(raw) if machine else parse_human_date(raw)
        if not iso and machine:
            iso = parse_human_date(raw)
        if iso:
            out.append(DateCandidate(iso, raw.strip()[:60], source, kind))

    for item in main_items(nodes):
        for prop, kind in (("datePublished", "published"), ("dateCreated", "created"),
                           ("dateModified", "modified")):
            for v in item.strings(prop):
                add(v, f"markup {prop}", "published" if kind == "created" else kind)
    for key, value in meta_values(root, PUBLISHED_META):
        add(value, f"meta {key}", "published")
    for key, value in meta_values(root, MODIFIED_META):
        add(value, f"meta {key}", "modified")
    for t in islice(root.iter("time"), 40):
        # its datetime attribute, or else its text ('<time>31.03.2020</time>')
        value = t.get("datetime") or " ".join(t.text_content().split())[:60]
        if value:
            add(value, "time element", _time_kind(t), machine=bool(t.get("datetime")))
    for el, text, length in short:
        if length >= DATE_LIMIT or el.tag not in DATE_TAGS or len(el) > 6:
            continue
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
    if headlines and not any(c.source == "visible text" for c in out):
        under = _date_under(headlines[0])
        if under:
            add(*under, machine=False)
    m = URL_DATE.search(urlsplit(url).path)
    if m and m.group(3):
        out.append(DateCandidate(f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}",
                                 m.group(0), "URL", "published"))
    seen, uniq = set(), []
    for c in out:
        k = (c.value, c.source, c.kind)
        if k not in seen:
            seen.add(k)
            uniq.append(c)
    return uniq


def settle(cands: list[DateCandidate], kind: str, guess: str = "") -> str:
    """The value of the most trusted source of a kind (markup, meta, time, visible, URL).
    When the page's sources disagree on the publication day, the one htmldate's reading of
    the whole page (guess) confirms wins: a template's stale markup date or a sidebar's
    <time> loses to the day the article itself shows. <time> elements that name several
    days are a list (related posts, comments), not the page's date: the date under the
    headline wins over them, else htmldate's day. The same instant given in UTC and in the site's own offset is read in the
    site's offset, the day its readers saw. A day that more kinds of source give (markup,
    meta and <time> agreeing) is not overruled by fewer (a URL's day that htmldate read)."""
    order = ("markup", "meta", "time element", "visible text", "URL", "htmldate")
    best = sorted((c for c in cands if c.kind == kind and not is_placeholder(c.value)),
                  key=lambda c: _rank(c.source, order))
    if not best:
        return ""
    chosen = best[0]
    if kind == "published" and chosen.source == "time element" and len(
            {day(c.value) for c in best if c.source == "time element"}) > 1:
        headline = next((c for c in best if c.source == HEADLINE_DATE), None)
        if headline is not None:
            return headline.value
    if guess and kind == "published" and day(chosen.value) != guess:
        # the page's own sources confirm htmldate's day; its URL alone does not (htmldate
        # reads the URL and the bare meta date first: its day and theirs are one witness)
        confirmed = next((c for c in best if day(c.value) == guess and
                          c.source not in ("URL", "meta date")), None)
        if chosen.source == "time element" and len(
                {day(c.value) for c in best if c.source == "time element"}) > 1:
            # the <time>s are a list (teasers, comments): the headline's date, else htmldate's
            headline = next((c for c in best if c.source == HEADLINE_DATE), None)
            return headline.value if headline else (confirmed.value if confirmed else guess)
        elif confirmed is not None and not _same_instant(confirmed.value, chosen.value) \
                and _support(best, guess) >= _support(best, day(chosen.value)):
            chosen = confirmed
        elif confirmed is None and _in_reach(chosen.value, guess) and not any(
                day(c.value) == guess for c in cands if c.kind != "published"):
            return guess    # unless htmldate's day is that of a modification
    return _local(chosen, best).value


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


def _support(cands: list[DateCandidate], which: str) -> int:
    """How many kinds of source give the day."""
    return len({next((f for f in _FAMILIES if c.source.startswith(f)), c.source)
                for c in cands if day(c.value) == which})


def _same_instant(a: str, b: str) -> bool:
    ia, ib = _instant(a), _instant(b)
    return ia is not None and ib is not None and ia == ib


def _instant(iso: str):
    """The moment a timestamp with an offset names (None for a bare day or a naive time)."""
    moment = _parsed(iso)
    return moment if moment is not None and moment.tzinfo is not None else None


def _local(chosen: DateCandidate, cands: list[DateCandidate]) -> DateCandidate:
    """The candidate that gives chosen's instant in a non-UTC offset, or chosen itself."""
    moment = _instant(chosen.value)
    if moment is None or moment.utcoffset():
        return chosen
    return next((c for c in cands if (m := _instant(c.value)) is not None and m.utcoffset()
                 and m == moment), chosen)


def guess_matters(dates: list[DateCandidate]) -> bool:
    """Can htmldate's day change what settle() picks for the publication date? Only when the
    page gives none, its sources disagree on the day, or one gives a UTC (or zoneless) time
    that another offset puts on another day (_in_reach). Elsewhere its reading of the whole
    page is skipped: the costliest step of the dates, for a day that would not be used."""
    published = [d for d in dates if d.kind == "published" and not is_placeholder(d.value)]
    if len({day(d.value) for d in published}) != 1:
        return True
    for d in published:
        moment = _parsed(d.value)
        if "T" in d.value and moment is not None and \
                (moment.utcoffset() or timedelta()) == timedelta():
            return True
    return False
