"""People's names as bylines write them: what a byline's words are (By, Written by, Von, Par,
...), cleaning a name of prefixes, dates, roles and credentials, splitting several authors,
reading 'Doe, Jane' as Jane Doe, and telling a name from a sentence, a credit line, an
organization or a CMS account.
"""

from __future__ import annotations

import re

# 'By Jane Doe', 'Von Jane Doe', 'Par Jane Doe', 'Por Jane Doe', 'Door Jane Doe', 'Av Jane Doe',
# 'Written by ...', 'Author: ...', 'Autor/in: ...': the byline words of the languages the
# real pages use; what follows must read as a name (plausible_name)
BY_WORDS = (r"(?:(?:written|posted|words|reported|story|article|text|published|veröffentlicht|"
            r"geschrieben|verfasst|escrito|publicado|écrit|publié|scritto|pubblicato|"
            r"geschreven)\s+)?(?:by|von|par|por|door|av|di|da)")

LABEL_WORDS = (r"(?:author|authors|writer|written by|autor|autorin|autor/in|autor\*in|"
               r"autoren|auteur|auteurs|autore|autora|text|texto|redakteur|redakteurin)")

ROLE_ONLY = re.compile(   # a part of a byline that is a role or credential, not a name
    r"^(?:[A-Z]{2,6}\.?|Ph\.?D\.?|M\.?D\.?|(?i:esq\.?|jr\.?|sr\.?|(?:senior |lead |chief |"
    r"staff |contributing |guest |managing |deputy )?(?:editor|writer|reporter|correspondent|"
    r"author|analyst|accountant|engineer|director|manager|founder|ceo|cto|cfo|contributor|"
    r"columnist)s?(?: at [\w .&-]+)?))$")

NAME_SPLIT = re.compile(r"\s*(?:,\s*and\s+|\s+(?:and|und|et|og|och|y|e)\s+|\s*&\s*|;\s*|\s*\|\s*|"
                    r",\s+(?=[A-Z]))\s*")

DATE_IN_NAME = re.compile(r"\s*(?:[|·•—–-]|\bon\b|\bpublished\b|\bupdated\b).*?\d{1,4}.*$",
                           re.I)


def clean_name(raw: str) -> str:
    name = " ".join(raw.split()).strip(" .,;:|-–—\"'“”")
    name = re.sub(r"^[^\W\d_]+(?:/in)?:\s+(?=\w)", "", name)   # 'Interview: Julia Lauter'
    name = re.sub(rf"^(?:(?:reviewed|edited|medically reviewed|fact[- ]checked)\s+by|{BY_WORDS}|"
                  rf"{LABEL_WORDS})\s*[:\-–—]?\s+", "", name, flags=re.I)
    name = DATE_IN_NAME.sub("", name)
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
NOT_A_NAME = re.compile(
    r"^(?:name|your name|ihr name|nom|nombre|nome|e-?mail|website|webseite|author|autor|"
    r"autorin|please .*|bitte .*|\d.*|.*\b(?:copyright|all rights reserved|alle rechte)\b.*|"
    r".*[©=:\[\]<>{}].*)$", re.I)

# a CMS account or a stand-in: a byline (AT006 reports it), but nobody's name
PLACEHOLDER = re.compile(r"^(?:admin|administrator|administrador|webmaster|wordpressadmin|"
                         r"super ?user|user|guest|gast|publisher|editor|anonymous|anonym|"
                         r"anónimo|anonimo)$", re.I)

# words that make a name an organization's: the publisher standing in as author
ORG_WORDS = re.compile(
    r"(?i:\b(?:gmbh|ag|se|e\.\s?v|ev|inc|ltd|llc|plc|corp|co\. kg|kg|sa|s\.a|srl|bv|"
    r"magazin|magazine|zeitung|zeitschrift|presse|press|verlag|news|media|medien|stiftung|"
    r"verband|verein|amt|ministerium|ministry|department|departement|partei|institut|"
    r"institute|university|universität|kitchens|online|tv|radio|rundfunk|group|gruppe|"
    r"foundation|association|agency|agentur|noticias|periódico|diario|journal|times|post|"
    r"illustrierte|kurier|blatt|volksblatt|rundschau|nachrichten)\b)")

COMMENT_SUFFIX = re.compile(r"\s(?:said|says|wrote|writes|sagt|schreibt|meint|dice|disse|"
                             r"escribió|a dit|écrit|kommentierte|antwortete|replied)\W*$", re.I)

CREDIT = re.compile(r"^(?:photo|photograph|photos|foto|fotos|bild|image|images|illustration|"
                     r"credit|credits|quelle|source|video|grafik|karte)\b", re.I)

PARTICLES = {"von", "van", "der", "den", "de", "da", "del", "della", "di", "du", "dos", "das",
              "la", "le", "ter", "ten", "zu", "y", "e", "bin", "ibn", "al", "el", "mc", "st"}

AND_WORDS = {"and", "und", "et", "y", "e", "&", "og", "och"}

DOMAIN = re.compile(r"^(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.(?:[a-z]{2}|com|net|org|"
                     r"info|biz|online|world|media|news|blog|eu|io)/?$", re.I)


def plausible_name(name: str, prose: bool = False) -> bool:
    """Can this be a person's or a team's byline name? Form labels ('Name *'), placeholder
    accounts ('admin'), comment headers ('Anna says'), photo credits, dates and domain names
    are not (a domain name is the publisher's, see add). prose: it came from running text ('By default, ...', "By Bayes' rule, we
    have"), so every word must be capitalized (or a particle such as 'von') and there are at
    most five."""
    text = name.strip(" *:")
    if not text or len(text) > 60 or NOT_A_NAME.match(text) or COMMENT_SUFFIX.search(f" {text}") \
            or CREDIT.match(text) or "@" in text:
        return False
    words = text.split()
    if len(words) > 6 or not re.search(r"[^\W\d_]", text) or max(map(len, words)) > 24:
        return False   # (a word that long is text run together: 'Hingstonfacebooktwitter')
    if prose:
        return len(words) <= 5 and all(
            w[:1].isupper() or w.lower() in PARTICLES or w[:1] in "'’" for w in words)
    return True


LAST_FIRST = re.compile(r"^([A-Z][\w'’-]+),\s+([A-Z][\w.'’-]+(?:\s+[A-Z]\.)?)$")


def split_names(raw: str) -> list[str]:
    """'By Jane Doe and John Smith, CPA' -> ['Jane Doe', 'John Smith']; 'Doe, Jane' ->
    ['Jane Doe']. Roles and credentials after a comma are dropped, not taken for names."""
    text = clean_name(raw)
    m = LAST_FIRST.match(text)
    if m and not ROLE_ONLY.match(m.group(2)):
        return [f"{m.group(2)} {m.group(1)}"]
    names = []
    for part in NAME_SPLIT.split(text):
        part = part.strip(" .,;:|-–—")
        if not part or ROLE_ONLY.match(part):
            continue
        if len(part) <= 80 and not part.lower().startswith(("http", "@")) and \
                re.search(r"[^\W\d_]", part):
            names.append(part)
    return list(dict.fromkeys(names))
