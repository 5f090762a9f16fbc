"""What a page's bytes are, beside what the server declared: HTML or not, a binary format's
signature, NUL bytes, the declared charset (header, else <meta>) and how the bytes decode in
it. Recorded as the page's Body; ACC109 and ACC110 judge it.
"""

from __future__ import annotations

import codecs
import dataclasses
import re

from aeo.facts.records import HTML_TYPES, Body, Fetch


def is_html(fetch: Fetch) -> bool:
    """HTML by its declared type, or, declared as text or bytes, by how it starts."""
    ctype = fetch.content_type.split(";")[0].strip().lower()
    if ctype in HTML_TYPES:
        return True
    if ctype and ctype not in ("text/plain", "application/octet-stream"):
        return False
    head = (fetch.body or b"")[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


SIGNATURES = ((b"%PDF-", "PDF"), (b"\x89PNG", "PNG image"), (b"\xff\xd8\xff", "JPEG image"),
              (b"GIF8", "GIF image"), (b"PK\x03\x04", "ZIP archive"), (b"\x1f\x8b", "gzip data"))


def sniff_body(fetch: Fetch) -> Body:
    """The bytes beside their declared type (ACC109 judges them); the charset is read for the
    pages that are parsed (read_charset)."""
    body = fetch.body or b""
    head = body[:512].lstrip()
    return Body(
        declared_type=fetch.content_type.split(";")[0].strip().lower(),
        empty=not body.strip(),
        signature=next((name for sig, name in SIGNATURES if head.startswith(sig)), ""),
        binary=body[:2048].count(b"\x00") > 8 and not body.startswith((b"\xff\xfe", b"\xfe\xff")),
        looks_html=is_html(fetch))


def read_charset(fetch: Fetch, body: Body) -> Body:
    """body with the declared charset and how the bytes read in it (ACC110 judges it)."""
    data = fetch.body or b""
    charset = declared_charset(fetch) if data else ""
    if not charset:
        return body
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        return dataclasses.replace(body, charset=charset, charset_known=False)
    try:
        data.decode(name)
    except UnicodeDecodeError as exc:
        return dataclasses.replace(body, charset=charset, bad_offset=exc.start,
                                   bad_byte=repr(data[exc.start:exc.start + 1]))
    utf8 = False
    if name in ("latin-1", "iso8859-1", "cp1252", "iso8859-15", "ascii") and \
            re.search(rb"[\xc2-\xf4][\x80-\xbf]", data):
        try:
            data.decode("utf-8")
            utf8 = True
        except UnicodeDecodeError:
            pass
    return dataclasses.replace(body, charset=charset, utf8_in_single_byte=utf8)


def binary_as_html(fetch: Fetch, body: Body) -> bool:
    """Binary bytes served as an HTML page: recorded as a resource, never parsed."""
    return fetch.status is not None and 200 <= fetch.status < 300 and fetch.status != 204 and \
        body.declared_type in HTML_TYPES and not body.empty and bool(body.signature or body.binary)


_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)


def declared_charset(fetch: Fetch) -> str:
    """The charset the page declares: the Content-Type header, else a <meta> in its head."""
    m = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", fetch.content_type, re.I)
    if m:
        return m.group(1)
    m = _META_CHARSET.search((fetch.body or b"")[:4096])
    return m.group(1).decode("ascii", "ignore") if m else ""
