"""The consultant's brand on the report (governance [report]): client, prepared_by, logo (a
local PNG or SVG file, checked and embedded as a data URI), accent (a CSS colour) and paper
(A4 or Letter). Every value is checked here: a missing, oversized or hostile logo and a colour
that is not a colour are errors naming the key and the file, never a broken report."""

from __future__ import annotations

import base64
import re
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path

MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_LOGO_PIXELS = 8000            # per side
MAX_TEXT = 200
PAPERS = {"a4": "A4", "letter": "Letter"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_COLOUR = re.compile(
    r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})"
    r"|(?:rgb|rgba|hsl|hsla)\(\s*[0-9.]+%?\s*(?:,\s*[0-9.]+%?\s*){2}(?:,\s*[0-9.]+%?\s*)?\)"
    r"|[a-zA-Z]{3,20}")
_NAMED = frozenset("""black white red green blue navy teal maroon purple olive gray grey silver
orange gold crimson indigo darkblue darkgreen darkred darkslategray darkslategrey midnightblue
royalblue steelblue seagreen forestgreen firebrick tomato coral chocolate sienna slateblue
slategray slategrey dimgray dimgrey teal darkcyan darkmagenta darkorange""".split())


class BrandingError(ValueError):
    """A [report] value that cannot be used: the message names the key (and the file)."""


@dataclass(frozen=True)
class Branding:
    client: str = ""
    prepared_by: str = ""
    logo: str = ""          # a data: URI, or '' for none
    logo_file: str = ""
    accent: str = ""        # a checked CSS colour, or '' for the report's own
    paper: str = "A4"

    def to_dict(self) -> dict:
        return {"client": self.client, "prepared_by": self.prepared_by,
                "logo": self.logo_file, "accent": self.accent, "paper": self.paper}


def _text(value, key: str) -> str:
    if not isinstance(value, str):
        raise BrandingError(f"report.{key} must be text")
    # control characters (tabs, newlines) become spaces; joiners and no-break spaces stay
    # text (a Persian ZWNJ, an emoji's ZWJ)
    text = " ".join("".join(" " if unicodedata.category(c) == "Cc" else c
                            for c in value).split())
    if len(text) > MAX_TEXT:
        raise BrandingError(f"report.{key} is {len(text)} characters long: at most {MAX_TEXT}")
    return text


def accent_colour(value) -> str:
    """A CSS colour, checked: #hex, rgb()/hsl() with numbers, or a plain colour name."""
    if not isinstance(value, str) or not _COLOUR.fullmatch(value.strip()):
        raise BrandingError(f"report.accent {value!r} is not a CSS colour (e.g. #0b5cad)")
    value = value.strip()
    if value[0].isalpha() and not value.lower().startswith(("rgb", "hsl")) and \
            value.lower() not in _NAMED:
        raise BrandingError(f"report.accent {value!r} is not a colour name this report knows; "
                            "give it as #rrggbb")
    return value


def _png_size(data: bytes, name: str) -> tuple[int, int]:
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise BrandingError(f"report.logo {name}: a damaged PNG (no image header)")
    return struct.unpack(">II", data[16:24])


def _decodes(data: bytes, name: str) -> None:
    """The PNG decodes whole (a valid header over garbage would vanish from the PDF)."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise BrandingError(f"report.logo {name}: a PNG that does not decode ({exc})") from None


def _checked_svg(data: bytes, name: str) -> None:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             load_dtd=False, remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise BrandingError(f"report.logo {name}: not a readable SVG ({exc})") from None
    if etree.QName(root).localname != "svg":
        raise BrandingError(f"report.logo {name}: not an SVG (its root is "
                            f"<{etree.QName(root).localname}>)")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = etree.QName(el).localname.lower()
        if tag in ("script", "foreignobject", "iframe", "embed", "object"):
            raise BrandingError(f"report.logo {name}: an SVG with <{tag}> is not embedded")
        for attr, value in el.attrib.items():
            local = etree.QName(attr).localname.lower()
            if local.startswith("on"):
                raise BrandingError(f"report.logo {name}: an SVG with an event handler "
                                    f"({local}) is not embedded")
            if local == "href" and not value.strip().startswith(("#", "data:image/")):
                raise BrandingError(f"report.logo {name}: an SVG that loads {value[:60]!r} is "
                                    "not embedded (a logo must stand on its own)")


def logo_uri(value, base: Path | None) -> tuple[str, str]:
    """(data URI, file name) of a logo file, checked."""
    if not isinstance(value, str) or not value.strip():
        raise BrandingError("report.logo must be the path of a PNG or SVG file")
    try:
        path = Path(value.strip()).expanduser()
    except RuntimeError as exc:          # ~nosuchuser/logo.png
        raise BrandingError(f"report.logo {value.strip()}: {exc}") from None
    if not path.is_absolute() and base is not None:
        path = base / path
    name = str(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise BrandingError(f"report.logo {name}: not a file")
        if size > MAX_LOGO_BYTES:
            raise BrandingError(f"report.logo {name}: {size / 1e6:.1f} MB, larger than "
                                f"{MAX_LOGO_BYTES // 1024 // 1024} MB")
        data = path.read_bytes()
    except (OSError, ValueError) as exc:    # ValueError: a NUL in the path
        raise BrandingError(f"report.logo {name!r}: cannot read it "
                            f"({getattr(exc, 'strerror', None) or exc})") from None
    if data.startswith(PNG_MAGIC):
        width, height = _png_size(data, name)
        _decodes(data, name)
        if not (0 < width <= MAX_LOGO_PIXELS and 0 < height <= MAX_LOGO_PIXELS):
            raise BrandingError(f"report.logo {name}: {width}x{height} pixels, past "
                                f"{MAX_LOGO_PIXELS} a side")
        mime = "image/png"
    elif b"<svg" in data[:4096].lower():
        _checked_svg(data, name)
        mime = "image/svg+xml"
    else:
        raise BrandingError(f"report.logo {name}: neither a PNG nor an SVG file")
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}", path.name


def branding_of(table: dict | None, base: Path | None = None) -> Branding:
    """The [report] table as a Branding (base: the governance file's folder, which a
    relative logo path is read from)."""
    table = table or {}
    unknown = set(table) - {"client", "prepared_by", "logo", "accent", "paper"}
    if unknown:
        raise BrandingError(f"report.{sorted(unknown)[0]} is not a [report] key (client, "
                            "prepared_by, logo, accent, paper)")
    logo, logo_file = logo_uri(table["logo"], base) if table.get("logo") else ("", "")
    paper = table.get("paper", "A4")
    if not isinstance(paper, str) or paper.strip().lower() not in PAPERS:
        raise BrandingError(f"report.paper {paper!r} is not A4 or Letter")
    return Branding(client=_text(table.get("client", ""), "client"),
                    prepared_by=_text(table.get("prepared_by", ""), "prepared_by"),
                    logo=logo, logo_file=logo_file,
                    accent=accent_colour(table["accent"]) if table.get("accent") else "",
                    paper=PAPERS[paper.strip().lower()])
