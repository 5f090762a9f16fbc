"""Governance: the defaults shipped with the tool, overridden by a client's TOML file.

An unknown key or a value of the wrong kind is an error that names the key, so a typo never
silently leaves a default in force."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from aeo.facts.records import PILLARS, SEVERITIES


class GovernanceError(ValueError):
    pass


@dataclass(frozen=True)
class Governance:
    settings: dict[str, Any]
    pillar_weights: dict[str, float]
    rule_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: str = "defaults"
    report: dict[str, Any] = field(default_factory=dict)   # [report]: the consultant's brand

    def __getitem__(self, key: str) -> Any:
        return self.settings[key]

    def enabled(self, rule_id: str) -> bool:
        return bool(self.rule_overrides.get(rule_id, {}).get("enabled", True))

    def severity(self, rule_id: str, default: str) -> str:
        return self.rule_overrides.get(rule_id, {}).get("severity", default)

    def to_dict(self) -> dict[str, Any]:
        data = {"source": self.source, "settings": self.settings,
                "pillars": self.pillar_weights, "rules": self.rule_overrides}
        if self.report:
            data["report"] = self.report
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Governance:
        """The governance a run recorded (to_dict's form), as it was then."""
        return cls(settings=data["settings"], pillar_weights=data.get("pillars") or {},
                   rule_overrides=data.get("rules") or {}, source=data.get("source", ""),
                   report=data.get("report") or {})


def _defaults() -> dict[str, Any]:
    text = resources.files("aeo").joinpath("governance.toml").read_text("utf-8")
    return tomllib.loads(text)


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
    if isinstance(default, list):
        return isinstance(value, list) and all(isinstance(x, str) for x in value)
    if isinstance(default, dict):
        return isinstance(value, dict) and all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in value.values())
    return isinstance(value, type(default))


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def load_governance(path: str | Path | None = None, known_rules: set[str] | None = None
                    ) -> Governance:
    base = _defaults()
    settings = dict(base["settings"])
    pillars = {k: float(v) for k, v in base["pillars"].items()}
    rules: dict[str, dict[str, Any]] = {}
    source = "defaults"
    if path is not None:
        p = Path(path)
        try:
            client = tomllib.loads(p.read_text("utf-8"))
        except FileNotFoundError:
            raise GovernanceError(f"governance file not found: {p}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise GovernanceError(f"governance file unreadable: {p}: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise GovernanceError(f"governance file {p} is not valid TOML: {exc}") from None
        source = str(p)
        for section, table in client.items():
            if section not in ("settings", "pillars", "rules", "report"):
                raise GovernanceError(f"unknown section [{section}] in {p} "
                                      "(expected settings, pillars, rules, report)")
            if not isinstance(table, dict):   # 'settings = "strict"', 'rules = [1, 2]'
                raise GovernanceError(f"{section} in {p} must be a table ([{section}] with "
                                      f"keys under it), not {_shown(table)}")
        for key, value in client.get("settings", {}).items():
            if key not in settings:
                raise GovernanceError(f"unknown governance key settings.{key} in {p}")
            if not _same_kind(settings[key], value):
                raise GovernanceError(
                    f"bad value for settings.{key} in {p}: {value!r} "
                    f"(expected {type(settings[key]).__name__} like {settings[key]!r})")
            settings[key] = value
        for key, value in client.get("pillars", {}).items():
            if key not in PILLARS:
                raise GovernanceError(f"unknown pillar pillars.{key} in {p} "
                                      f"(pillars: {', '.join(PILLARS)})")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise GovernanceError(f"bad value for pillars.{key} in {p}: {value!r} "
                                      "(expected a number >= 0)")
            pillars[key] = float(value)
        for rule_id, override in client.get("rules", {}).items():
            if known_rules is not None and rule_id not in known_rules:
                raise GovernanceError(f"unknown rule rules.{rule_id} in {p}")
            if not isinstance(override, dict):
                raise GovernanceError(f"rules.{rule_id} in {p} must be a table")
            for key, value in override.items():
                if key == "enabled" and isinstance(value, bool):
                    continue
                if key == "severity" and value in SEVERITIES:
                    continue
                if key not in ("enabled", "severity"):
                    raise GovernanceError(f"unknown governance key rules.{rule_id}.{key} in {p}")
                raise GovernanceError(f"bad value for rules.{rule_id}.{key} in {p}: {value!r}")
            rules[rule_id] = dict(override)
        report = _report(client.get("report", {}), p)
    else:
        report = {}
    return Governance(settings=settings, pillar_weights=pillars, rule_overrides=rules,
                      source=source, report=report)


def _report(table: dict[str, Any], path: Path) -> dict[str, Any]:
    """[report], checked now (a missing or hostile logo stops the audit before the crawl),
    with the logo's path made absolute (read again when the report is written)."""
    from aeo.branding import BrandingError, branding_of

    try:
        branding_of(table, path.parent)
    except BrandingError as exc:
        raise GovernanceError(f"{exc} (in {path})") from None
    report = dict(table)
    if report.get("logo"):
        logo = Path(str(report["logo"])).expanduser()   # (checked above: it expands)
        report["logo"] = str(logo if logo.is_absolute() else (path.parent / logo).resolve())
    return report
