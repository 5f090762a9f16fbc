"""A page's structured data as entity nodes: one node per item of every syntax (JSON-LD,
microdata, RDFa, OpenGraph), nested items pointing at their parent, property values that are
text, numbers or references to other items. analyzers/structured.py builds them; rules and the
entity export read them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class Ref:
    """A property value that is another item: named by its @id, nested in place, or both.
    node is that item's place in the page's entities when it is on the page."""

    id: str = ""
    node: int | None = None

    def to_json(self) -> dict[str, Any]:
        if self.node is None:
            return {"id": self.id}
        return {"id": self.id, "ref": self.node} if self.id else {"ref": self.node}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Ref:
        return cls(d.get("id", ""), d.get("ref"))


Value = str | int | float | bool | Ref


@dataclass(frozen=True, slots=True)
class EntityNode:
    """One item. n: its place in the page's entities; parent/prop: the item and property it
    is nested under (None and '' at the top); ext: the types and properties that are not
    schema.org's (another vocabulary, OpenGraph keys); url: the page it is on, set in the
    site's @id index only."""

    n: int
    syntax: str                        # json-ld, microdata, rdfa, opengraph
    types: tuple[str, ...] = ()
    id: str = ""                       # its @id, absolute ('' for blank nodes)
    parent: int | None = None
    prop: str = ""
    props: Mapping[str, tuple[Value, ...]] = field(default_factory=dict)
    ext: tuple[str, ...] = ()
    block: int | None = None           # the JSON-LD block it came from
    url: str = ""

    def values(self, prop: str) -> tuple[Value, ...]:
        return self.props.get(prop, ())

    def strings(self, prop: str) -> list[str]:
        """The property's text values (references and numbers left out)."""
        return [v for v in self.props.get(prop, ()) if isinstance(v, str)]

    def refs(self, prop: str) -> list[Ref]:
        return [v for v in self.props.get(prop, ()) if isinstance(v, Ref)]

    def at(self, url: str) -> EntityNode:
        return replace(self, url=url)

    def to_json(self) -> dict[str, Any]:
        d = {"n": self.n, "syntax": self.syntax, "block": self.block, "types": list(self.types),
             "id": self.id, "parent": self.parent, "prop": self.prop,
             "props": props_json(self.props), "ext": list(self.ext)}
        if self.url:
            d["url"] = self.url
        return d

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> EntityNode:
        return cls(n=d["n"], syntax=d["syntax"], types=tuple(d.get("types", ())),
                   id=d.get("id", ""), parent=d.get("parent"), prop=d.get("prop", ""),
                   props={k: tuple([Ref.from_json(v) if type(v) is dict else v for v in vs])
                          for k, vs in d.get("props", {}).items()},
                   ext=tuple(d.get("ext", ())), block=d.get("block"), url=d.get("url", ""))


def props_json(props: Mapping[str, tuple[Value, ...]]) -> dict[str, list]:
    return {k: [v.to_json() if isinstance(v, Ref) else v for v in vs] for k, vs in props.items()}
