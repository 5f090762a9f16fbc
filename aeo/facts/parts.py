"""The parts page and site facts are made of: typed records for what the analyzers observe
(a page's main-text blocks and sections, its author and date candidates, its bytes beside
their declared type and charset, its canonical tags, /llms.txt as read). Each is stored as
JSON inside the page facts (aeo/facts/records.py) and read back from it.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import Any


@functools.cache
def _names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def plain(record) -> dict[str, Any]:
    """A flat record's fields as a dict, shallow (tuples stay tuples: JSON writes them as
    lists); dataclasses.asdict would deep-copy every value of every page."""
    return {n: getattr(record, n) for n in _names(type(record))}


REFRESH_REDIRECT_S = 5      # a meta refresh this quick is a redirect to crawlers and browsers


@dataclass(frozen=True, slots=True)
class Block:
    """One block of a page's main content, in reading order (analyzers/maintext.py). Stored
    compact, as {"k": kind, "t": text, "a": [[target, anchor], ...], "dd": true}."""

    kind: str                                 # h1..h6, p, li, quote, table or code
    text: str
    anchors: tuple[tuple[str, str], ...] = ()  # its links: (target, anchor text)
    dd: bool = False                          # a definition in a glossary (<dd>), not prose

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"k": self.kind, "t": self.text, "a": [list(x) for x in self.anchors]}
        if self.dd:
            d["dd"] = True
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Block:
        return cls(d["k"], d["t"], tuple(tuple(x) for x in d.get("a", ())), bool(d.get("dd")))


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and the main-text blocks it owns, up to the next heading of the same or a
    higher level (analyzers/sections.py): an answer is never taken from another question's
    section. Section 0 is what precedes the first heading."""

    level: int                    # 0 before the first heading, else 1-6
    heading: str = ""
    question: bool = False        # the heading asks a question (analyzers/questions.py)
    parent: int | None = None     # the section it sits in
    blocks: tuple[int, ...] = ()  # the main-text blocks it owns, by index, in order

    def to_json(self) -> dict[str, Any]:
        return {"level": self.level, "heading": self.heading, "question": self.question,
                "parent": self.parent, "blocks": list(self.blocks)}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Section:
        return cls(d["level"], d["heading"], d["question"], d["parent"], tuple(d["blocks"]))


@dataclass(frozen=True, slots=True)
class AuthorCandidate:
    """One name a page gives as its author, with where it came from (analyzers/bylines.py).
    AT001 to AT006 compare the sources; pages.csv names the most trusted person."""

    name: str                       # '' for a markup reference to an item elsewhere
    source: str                     # markup, meta <name>, rel=author, itemprop=author, byline, ...
    url: str = ""                   # the profile the name links to
    same_as: tuple[str, ...] = ()   # its sameAs profiles in markup
    kind: str = "person"            # person, organization, placeholder ('admin'), ref
    ref: str = ""                   # the @id a markup reference points at (kind ref)
    group: int = 0                  # which visible byline of the page (the first one counts)


@dataclass(frozen=True, slots=True)
class DateCandidate:
    """One date a page gives, with where it came from (analyzers/dates.py)."""

    value: str                      # ISO 8601, the page's own day and offset
    raw: str                        # as written (its first 60 characters)
    source: str                     # markup datePublished, meta <name>, time element, URL, ...
    kind: str                       # published or modified


@dataclass(frozen=True)
class Attribution:
    """Who wrote a page and when, every candidate kept (analyzers/attribution.py)."""

    authors: tuple[AuthorCandidate, ...] = ()
    dates: tuple[DateCandidate, ...] = ()
    htmldate: str = ""              # htmldate's reading of the publication day ('' none)
    reviewers: tuple[str, ...] = ()   # 'Reviewed by ...', markup reviewedBy

    def to_json(self) -> dict[str, Any]:
        return {"authors": [plain(a) for a in self.authors],
                "dates": [plain(d) for d in self.dates],
                "htmldate": self.htmldate, "reviewers": list(self.reviewers)}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Attribution:
        return cls(tuple(AuthorCandidate(**{**a, "same_as": tuple(a.get("same_as", ()))})
                         for a in d.get("authors", ())),
                   tuple(DateCandidate(**x) for x in d.get("dates", ())),
                   d.get("htmldate", ""), tuple(d.get("reviewers", ())))


@dataclass(frozen=True)
class Body:
    """What a page's bytes are, beside what the server declared: observed by the analysis,
    judged by ACC109 (content type) and ACC110 (charset)."""

    declared_type: str = ""      # the declared media type, lower case ('' when none)
    empty: bool = False          # nothing but whitespace
    signature: str = ""          # the binary format its first bytes announce ('PDF', 'PNG image')
    binary: bool = False         # NUL bytes in the first 2 KB, and no UTF-16 byte order mark
    looks_html: bool = False     # HTML by its declared type or by how it starts
    charset: str = ""            # the declared charset: the Content-Type header, else a <meta>
    charset_known: bool = True   # Python knows that charset
    bad_byte: str = ""           # the first byte the declared charset cannot decode (repr) ...
    bad_offset: int = -1         # ... and where it is
    utf8_in_single_byte: bool = False   # UTF-8 bytes under a single-byte charset


@dataclass(frozen=True)
class CanonicalTag:
    """One <link rel=canonical> as the page has it (ACC114 judges them)."""

    href: str                    # as written (its first 300 characters)
    in_body: bool = False        # inside <body>, where engines ignore it
    web: bool = True             # an http(s) URL once resolved against the page


@dataclass(frozen=True)
class LlmsTxt:
    """/llms.txt as read: observed by the analysis, judged by ACC003 against the format."""

    status: int | None = None    # HTTP status; None when it did not answer
    empty: bool = False
    html: bool = False           # an HTML page, not markdown
    first_line: str = ""         # its first non-blank line (the first 200 characters)
    h1: int = 0                  # lines that are H1 titles ('# Name')
    h2: int = 0                  # lines that are H2 sections ('## Docs')
    links: int = 0               # markdown list links ('- [name](url): notes')


@dataclass(frozen=True, slots=True)
class AboutFacts:
    """What an about page states (analyzers/nlp.py, EN005 reads it): dates with a year,
    places, people, and sentences in which the organization does something."""

    dates: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    does: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.dates or self.places or self.people or self.does)


@dataclass(frozen=True)
class Language:
    """What spaCy read on a content or an about page (analyzers/nlp.py); the ENTITY rules
    and the organization's identity read it. Stored as before: {} when not analysed."""

    analysed: bool = False
    # the H1's subject, a name or a proper noun in the opening: (word position, text, why)
    opening_subjects: tuple[tuple[int, str, str], ...] = ()
    opening_pronoun_led: bool = False         # the opening starts with 'It', 'This', ...
    main_entities: tuple[tuple[str, str, int], ...] = ()   # (name, label, mentions)
    abbreviations: tuple[str, ...] = ()       # acronyms the text defines
    org_mentions: tuple[tuple[str, str, int], ...] = ()    # organizations it names
    about: AboutFacts | None = None           # on an about page

    def to_json(self) -> dict[str, Any]:
        if not self.analysed:
            return {}
        return {"opening_subjects": [list(x) for x in self.opening_subjects],
                "opening_pronoun_led": self.opening_pronoun_led,
                "main_entities": [list(x) for x in self.main_entities],
                "abbreviations": list(self.abbreviations),
                "org_mentions": [list(x) for x in self.org_mentions],
                "about_facts": {k: list(v) for k, v in plain(self.about).items()}
                if self.about is not None else {}}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Language:
        if not d:
            return cls()
        about = d.get("about_facts") or {}
        return cls(True, tuple(tuple(x) for x in d.get("opening_subjects", ())),
                   bool(d.get("opening_pronoun_led")),
                   tuple(tuple(x) for x in d.get("main_entities", ())),
                   tuple(d.get("abbreviations", ())),
                   tuple(tuple(x) for x in d.get("org_mentions", ())),
                   AboutFacts(**{k: tuple(v) for k, v in about.items()}) if about else None)


@dataclass(frozen=True, slots=True)
class FaqDom:
    """Question-and-answer pairs a reader sees outside headings (analyzers/sections.py)."""

    details: int = 0       # <details> whose <summary> is a question
    dl: int = 0            # <dt> questions with their <dd>
    accordion: int = 0     # toggles (aria-expanded, buttons, accordion or FAQ classes)
    qa: int = 0            # 'Q: ... A: ...' written as paragraphs


@dataclass(frozen=True, slots=True)
class Statistic:
    """A sentence that states a figure, and how (or whether) its source is given."""

    sentence: str
    kind: str              # percentage, multiple, ratio, average, count, money
    source: str = ""       # 'link', 'names PwC', 'the product's own setting', '' (none)


@dataclass(frozen=True, slots=True)
class Quote:
    """A quotation in the main text, and whom it credits ('' nobody)."""

    text: str
    words: int
    credited: str = ""


@dataclass(frozen=True)
class Answers:
    """What the QA and CITE rules read beyond the sections (analyzers/answers.py)."""

    faq_dom: FaqDom = FaqDom()
    external_links: tuple[str, ...] = ()     # links in the main content to other hosts
    stats: tuple[Statistic, ...] = ()
    quotes: tuple[Quote, ...] = ()

    def to_json(self) -> dict[str, Any]:
        if self == Answers():
            return {}
        return {"faq_dom": plain(self.faq_dom),
                "external_links": list(self.external_links),
                "stats": [plain(x) for x in self.stats],
                "quotes": [plain(x) for x in self.quotes]}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Answers:
        return cls(FaqDom(**d.get("faq_dom", {})), tuple(d.get("external_links", ())),
                   tuple(Statistic(**x) for x in d.get("stats", ())),
                   tuple(Quote(**x) for x in d.get("quotes", ())))


@dataclass(frozen=True, slots=True)
class Refresh:
    """A page's <meta http-equiv=refresh> as written (crawler/links.py); false when the page
    has none. ACC112 judges it; a quick one with a target is followed like a redirect."""

    found: bool = False
    content: str = ""              # the content attribute (its first 300 characters)
    delay: float | None = None     # seconds; None when the content cannot be read
    target: str = ""               # the absolute http(s) URL it sends to ('' none)
    bad_target: str = ""           # a target that is not a safe web URL, as written

    def __bool__(self) -> bool:
        return self.found

    @property
    def redirects(self) -> bool:
        """Quick enough (REFRESH_REDIRECT_S) and with a target: a redirect to crawlers."""
        return bool(self.target) and (self.delay or 0) <= REFRESH_REDIRECT_S

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in plain(self).items() if k != "found"} \
            if self.found else {}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Refresh:
        return cls(True, **d) if d else cls()


@dataclass(frozen=True, slots=True)
class JsonLdBlock:
    """What happened to one JSON-LD block when it was read (analyzers/jsonld.py); SD001
    reports the blocks that are not strict JSON."""

    index: int                     # its place among the page's JSON-LD blocks, from 0
    line: int = 0                  # the page line its <script> starts on
    status: str = "parsed"         # parsed, repaired (a lenient reading recovered it), invalid
    error: str = ""                # the strict parser's message
    error_line: str = ""           # the offending line of the block
    error_at: int = 0              # the page line of the error
    repairs: tuple[str, ...] = ()  # the repairs that recovered it
    reason: str = ""               # why an invalid block was not read (too_large, empty, ...)
    inside: str = ""               # template or noscript when it sits in one
    chars: int = 0

    def to_json(self) -> dict[str, Any]:
        return {**plain(self), "repairs": list(self.repairs)}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> JsonLdBlock:
        return cls(**{**d, "repairs": tuple(d.get("repairs", ()))})


@dataclass(frozen=True, slots=True)
class Unseen:
    """A text the markup states that the page does not show (analyzers/marked_up.py)."""

    kind: str                      # question, answer, author, headline
    node: int                      # the entity node it comes from
    text: str


@dataclass(frozen=True)
class Identity:
    """The organization's name across the site (analyzers/identity.py): where the name was
    taken from, the forms it may take, and every other form with its count per source and
    the pages it appears on. EN003 reads it; findings.json carries it as is."""

    name: str = ""
    source: str = ""                             # where the name was taken from
    allowed: tuple[str, ...] = ()                # the name, alternateName, legalName
    variants: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)
    pages: dict[str, list[str]] = dataclasses.field(default_factory=dict)   # form -> pages

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "source": self.source, "allowed": list(self.allowed),
                "variants": self.variants, "pages": self.pages}


@dataclass(frozen=True)
class AuthorEntry:
    """One person the site's articles name as their author, and what their chain shows
    (analyzers/authors.py): the report's author table, findings.json, AT005."""

    name: str
    kind: str = "person"
    pages: tuple[str, ...] = ()                  # the articles that name them
    sources: dict[str, int] = dataclasses.field(default_factory=dict)   # source -> pages
    profile: str = ""                            # the profile link
    profile_page: str = ""                       # the profile page, when it was crawled
    props: tuple[str, ...] = ()                  # Person properties found for them
    same_as: tuple[str, ...] = ()
    credentials: tuple[str, ...] = ()            # what their profile page states

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "pages": list(self.pages), "sources": self.sources,
                "profile": self.profile, "profile_page": self.profile_page,
                "props": list(self.props), "sameAs": list(self.same_as),
                "credentials": list(self.credentials), "kind": self.kind}


# -- site-wide tallies ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SectionTally:
    """The articles of one first folder of the site, and how many show a date and an author."""

    articles: int = 0
    dated: int = 0
    authored: int = 0


@dataclass(frozen=True, slots=True)
class ThemeMarkup:
    """An article type the site's theme puts on (nearly) every page: on how many of the pages
    with content, and the pages of other kinds (legal, product, ...) it sits on, by kind."""

    pages: int
    of: int
    kinds: dict[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class MissingPage:
    """What a URL that cannot exist answered; its title, main text and words when a 2xx page."""

    url: str
    status: int | None
    title: str = ""
    main_text_hash: str = ""
    words: int = 0


@dataclass(frozen=True, slots=True)
class PreviousPage:
    """A page as the site's previous complete run recorded it."""

    status: int | None = None
    main_text_hash: str | None = None
    date_modified: str | None = None
