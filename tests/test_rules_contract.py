"""Every rule is complete, its examples fail and pass as labelled, and the catalogue's IDs exist."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from aeo.facts.records import PILLARS, SEVERITIES, PageFacts
from aeo.governance import GovernanceError, load_governance
from aeo.rules.base import Rule, all_rules, run_example, run_rule

RULES = all_rules()
GOV = load_governance()
RULES_MD = Path(__file__).resolve().parents[2] / "shared" / "RULES.md"


@pytest.mark.parametrize("rid", sorted(RULES))
def test_rule_is_complete(rid):
    r: Rule = RULES[rid]
    assert re.fullmatch(r"[A-Z]{2,3}\d{3}", r.id)
    assert r.pillar in PILLARS and r.severity in SEVERITIES and r.scope in ("page", "site")
    for text in (r.name, r.why, r.fix, r.before, r.after):
        assert text and len(text.strip()) > 3
    assert r.references and all(u.startswith("https://") for u in r.references)
    assert r.engines
    assert any(e.fails for e in r.examples) and any(e.fails is False for e in r.examples)


@pytest.mark.parametrize("rid,ex", [(rid, ex) for rid in sorted(RULES) for ex in RULES[rid].examples],
                         ids=lambda v: v if isinstance(v, str) else v.name)
def test_rule_examples(rid, ex):
    hits = run_example(RULES[rid], ex, GOV)
    if ex.fails is None:   # an example of where the rule does not apply
        assert hits is None, hits
    else:
        assert bool(hits) is ex.fails, hits


# second-round catalogue rules whose issue has not landed yet: each must still be missing, so
# that the rule's arrival takes it off this list (and then the test below holds it to exist)
NOT_YET_BUILT: dict[str, str] = {}


def catalogue() -> dict[str, tuple[str, str]]:
    """Every rule of ../shared/RULES.md: ID -> (scope, default severity), from its tables."""
    assert RULES_MD.exists(), f"{RULES_MD} is the contract; the tests run with ../shared beside"
    rows = re.findall(r"^\| ([A-Z]{2,3}\d{3}) \| (page|site) \|.*\| (\w+) \|\s*$",
                      RULES_MD.read_text(encoding="utf-8"), flags=re.M)
    return {rid: (scope, severity) for rid, scope, severity in rows}


def test_every_rule_of_the_catalogue_exists_with_its_scope_and_severity():
    cat = catalogue()
    assert {"ACC001", "QA001", "SD001", "EN001", "AT001", "FR001", "CI001"} <= set(cat)
    assert len(cat) >= 51 and len(cat) == len(
        set(re.findall(r"\| ([A-Z]{2,3}\d{3}) \|", RULES_MD.read_text(encoding="utf-8"))))
    missing = set(cat) - set(RULES) - set(NOT_YET_BUILT)
    assert not missing, f"in RULES.md, not built: {sorted(missing)}"
    assert not set(NOT_YET_BUILT) & set(RULES), "built: take it off NOT_YET_BUILT"
    for rid, (scope, severity) in cat.items():
        if rid in RULES:
            r = RULES[rid]
            assert (r.scope, r.severity) == (scope, severity), (rid, r.scope, r.severity)


def test_a_rule_that_raises_is_an_error_result_not_a_crash():
    def boom(page, site, gov):
        raise RuntimeError("broken rule")

    bad = Rule(id="ZZ001", name="x", pillar="ACCESS", scope="page", severity="low",
               engines=("all",), why="w", fix="f", before="b", after="a", references=(),
               check=boom)
    from aeo.rules.base import make_page, make_site
    out = run_rule(bad, [make_page()], make_site(), GOV)
    assert out.error and "broken rule" in out.error and out.applicable == 0


def test_a_check_that_returns_no_verdict_is_an_error_not_a_pass():
    from aeo.rules.base import make_page, make_site

    for scope in ("page", "site"):
        bad = Rule(id="ZZ002", name="x", pillar="ACCESS", scope=scope, severity="low",
                   engines=("all",), why="w", fix="f", before="b", after="a", references=(),
                   check=lambda *args: [])
        out = run_rule(bad, [make_page()], make_site(), GOV)
        assert out.error and "not a Verdict" in out.error, (scope, out)


# catalogue page rules whose check reads the whole site (broken links, redirect chains, ...)
SITE_WIDE_PAGE_RULES = {"ACC009", "ACC102", "ACC103", "ACC104", "ACC105", "ACC112", "ACC114",
                        "ACC115"}


def test_every_check_is_typed_as_a_page_or_a_site_check():
    from aeo.rules.base import check_kind

    for rid, r in RULES.items():
        assert check_kind(r.check) == r.kind, rid
    assert {rid for rid, r in RULES.items() if r.site_level} == SITE_WIDE_PAGE_RULES


def test_governance_errors_name_the_key(tmp_path):
    cases = {
        "[settings]\nmin_raw_text_wordz = 3\n": "settings.min_raw_text_wordz",
        "[settings]\nmin_raw_text_words = \"many\"\n": "settings.min_raw_text_words",
        "[pillars]\nSPEED = 2\n": "pillars.SPEED",
        "[rules.ACC001]\nseverity = \"urgent\"\n": "rules.ACC001.severity",
        "[rules.XYZ999]\nenabled = false\n": "rules.XYZ999",
        "[weights]\nx = 1\n": "[weights]",
        "not toml at all = = =\n": "not valid TOML",
        # tables of the wrong shape
        "settings = \"strict\"\n": "settings in",
        "rules = [1, 2]\n": "rules in",
        "pillars = 3\n": "pillars in",
        "[rules]\nQA001 = \"off\"\n": "rules.QA001",
    }
    for text, key in cases.items():
        f = tmp_path / "g.toml"
        f.write_text(text)
        with pytest.raises(GovernanceError, match=re.escape(key)):
            load_governance(f, known_rules=set(RULES))


def test_governance_overrides_apply(tmp_path):
    f = tmp_path / "g.toml"
    f.write_text("[settings]\nmin_raw_text_words = 50\n[pillars]\nACCESS = 5\n"
                 "[rules.ACC002]\nenabled = false\nseverity = \"medium\"\n")
    gov = load_governance(f, known_rules=set(RULES))
    assert gov["min_raw_text_words"] == 50 and gov.pillar_weights["ACCESS"] == 5
    assert not gov.enabled("ACC002") and gov.severity("ACC002", "low") == "medium"
    assert gov["intro_words"] == 60  # untouched defaults stay


@pytest.mark.parametrize("text, key", [("[settings]\nbogus = 1\n", "settings.bogus"),
                                       ("settings = \"strict\"\n", "settings in"),
                                       ("rules = [1, 2]\n", "rules in")])
def test_bad_governance_file_exits_2_with_one_line(tmp_path, text, key):
    f = tmp_path / "g.toml"
    f.write_text(text)
    r = subprocess.run([sys.executable, "-m", "aeo", "audit", "http://127.0.0.1:9/",
                        "--governance", str(f), "--workspace", str(tmp_path / "ws")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and key in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "ws").exists() or not list((tmp_path / "ws").rglob("run.json"))


def test_each_internal_error_keeps_its_own_crash_log(tmp_path):
    """One line on stderr, exit 1, and the traceback in a file of its own: a second crash does
    not overwrite the first one's details."""
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    faults = Path(__file__).parent / "fixtures" / "faults.py"
    for _ in range(2):
        r = subprocess.run([sys.executable, str(faults), "crash", "rules"], capture_output=True,
                           text=True, timeout=60, env=env)
        assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1
        assert "internal error" in r.stderr and "Traceback" not in r.stderr
    logs = sorted(tmp_path.glob("aeo-crash-*.log"))
    assert len(logs) == 2 and all("RuntimeError" in p.read_text() for p in logs)


def test_cli_rules_and_explain():
    r = subprocess.run([sys.executable, "-m", "aeo", "rules"], capture_output=True, text=True)
    assert r.returncode == 0 and all(f"ACC{i:03d}" in r.stdout for i in range(1, 11))
    r = subprocess.run([sys.executable, "-m", "aeo", "explain", "acc004"], capture_output=True,
                       text=True)
    assert r.returncode == 0 and "Why it matters" in r.stdout and "Before" in r.stdout
    r = subprocess.run([sys.executable, "-m", "aeo", "explain", "NOPE1"], capture_output=True,
                       text=True)
    assert r.returncode == 2 and "no rule" in r.stderr


def test_page_facts_round_trip():
    from aeo.facts.records import Link
    p = PageFacts(url="https://e.com/", status=200, links=(Link("https://e.com/a", "A"),),
                  headings=((1, "T"),), h1=("T",))
    assert PageFacts.from_dict(p.to_dict()) == p


def test_a_folder_and_its_index_file_are_one_page_judged_once():
    """/ai/ and /ai/index.html with the same main text: the page rules judge the folder URL
    only; an index file whose text differs from its folder's is a page of its own."""
    from aeo.rules.base import make_page, make_site

    def page(url):
        return make_page(url=url, status=200, page_type="article", title="", h1=("Post",),
                         word_count=300, main_text_hash="abc")

    folder, index = "https://example.com/ai/", "https://example.com/ai/index.html"
    site = make_site(main_hash_by_url={folder: "abc", index: "abc"}, titled_pages=2,
                     title_counts={"": 2}, description_counts={"": 2})
    outcome = run_rule(RULES["ACC117"], [page(folder), page(index)], site, GOV)
    assert outcome.error is None, outcome.error
    assert [f.url for f in outcome.findings] == [folder]
    site = make_site(main_hash_by_url={folder: "abc", index: "def"}, titled_pages=2,
                     title_counts={"": 2}, description_counts={"": 2})
    outcome = run_rule(RULES["ACC117"], [page(folder), page(index)], site, GOV)
    assert outcome.error is None, outcome.error
    assert sorted(f.url for f in outcome.findings) == [folder, index]


def test_docs_rules_md_is_generated_from_the_registry():
    """docs/rules.md is what `make docs` writes from the code; a rule changed without
    regenerating it fails here."""
    from aeo.rules.catalogue import markdown

    page = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
    assert page.read_text(encoding="utf-8") == markdown(RULES, GOV), \
        "docs/rules.md is stale: run `make docs`"


def test_every_rule_says_what_it_reads_and_every_setting_is_read():
    defaults = set(GOV.settings)
    read = set()
    for rid, r in RULES.items():
        i = r.inputs
        assert i.page or i.site, f"{rid} reads no facts?"
        assert set(i.settings) <= defaults, (rid, set(i.settings) - defaults)
        read |= set(i.settings)
    # precision_bar is the report's, not a rule's
    assert defaults - read == {"precision_bar"}, defaults - read
    assert RULES["QA001"].inputs.settings == ("qa_min_words",)
    assert "main_word_count" in RULES["QA001"].inputs.page
    assert "bots" in RULES["ACC001"].inputs.site


def test_explain_shows_what_a_rule_reads_with_the_thresholds_in_force(tmp_path):
    f = tmp_path / "client.toml"
    f.write_text("[settings]\nqa_min_words = 250\n")
    r = subprocess.run([sys.executable, "-m", "aeo", "explain", "QA001"], capture_output=True,
                       text=True)
    assert r.returncode == 0 and "What it reads (settings: defaults)" in r.stdout
    assert "setting qa_min_words = 400" in r.stdout and "main_word_count" in r.stdout
    r = subprocess.run([sys.executable, "-m", "aeo", "explain", "QA001", "--governance", str(f)],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "setting qa_min_words = 250" in r.stdout
    assert str(f) in r.stdout
