"""The answer-engine and AI crawlers the audit knows, as a data table (ai_crawlers.csv):
token (as robots.txt names it), operator, purpose (search, user fetch, training), the answer
engines it feeds, and the user agent it sends (empty for robots.txt-only tokens)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


@dataclass(frozen=True)
class Bot:
    token: str
    operator: str
    purpose: str
    engines: tuple[str, ...]
    user_agent: str


@cache
def known_bots() -> dict[str, Bot]:
    text = resources.files("aeo.crawler").joinpath("ai_crawlers.csv").read_text("utf-8")
    bots = {}
    for row in csv.DictReader(text.splitlines()):
        bots[row["token"].lower()] = Bot(
            token=row["token"], operator=row["operator"], purpose=row["purpose"],
            engines=tuple(e for e in row["engines"].split() if e),
            user_agent=row["user_agent"],
        )
    return bots


def bot(token: str) -> Bot:
    """The table's entry for a token, or a plain entry for a token the table does not list."""
    return known_bots().get(token.lower()) or Bot(token, "unknown", "unknown", (), "")
