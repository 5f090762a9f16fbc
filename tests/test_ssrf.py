"""T39 to T41: the crawler connects only to the audited site's addresses. Non-public addresses
(loopback, private, link-local/metadata, carrier-grade NAT, unspecified) are refused unless the
start URL is that address literally, --resolve maps a name to it, or --allow-private names its
range; the check runs at connect time, so DNS rebinding is caught. No request leaves loopback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixtures.server import FixtureServer, html, page, text

ALLOW = text("User-agent: *\nAllow: /\n")
PLAY = {"PYTHONPATH": str(Path(__file__).parent),
        "AEO_SCRAPY_SETTINGS": json.dumps({"DNS_RESOLVER": "fixtures.dnsplay.PlayResolver",
                                           "DNSCACHE_ENABLED": False})}


@pytest.mark.parametrize("url", ["http://127.1:9/", "http://2130706433:9/",
                                 "http://0x7f000001:9/", "http://0177.0.0.1:9/"])
def test_t39_obfuscated_loopback_literals_are_refused(aeo, url):
    r = aeo(url)
    assert r.code == 2 and "target resolves to non-public address 127.0.0.1" in r.stderr
    assert r.manifest == {}


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/",
                                 "http://0.0.0.0:9/", "http://100.64.0.1:9/",
                                 "http://[::ffff:127.0.0.1]:9/"])
def test_t39_metadata_unspecified_and_mapped_addresses_are_refused(aeo, url):
    r = aeo(url)
    assert r.code in (2, 3)
    assert "non-public address" in r.stderr or "invalid host" in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    if "169.254" in url:   # where clouds serve credentials: no advice to allow it
        assert "never audited" in r.stderr and "--allow-private" not in r.stderr


@pytest.mark.parametrize("url", ["http://100.100.100.200/latest/meta-data/"])
def test_the_refusal_never_suggests_opening_the_metadata_range(aeo, url):
    """A private address gets 'pass --allow-private ...'; where clouds serve credentials gets
    no such advice."""
    r = aeo(url)
    assert r.code == 3 and "never audited" in r.stderr and "--allow-private" not in r.stderr


def test_t39_localhost_needs_allow_private(aeo):
    with FixtureServer({"/robots.txt": ALLOW, "/": html(page("home", ["/a"])),
                        "/a": html(page("a"))}) as fs:
        port = fs.server_address[1]
        refused = aeo(f"http://localhost:{port}/")
        assert refused.code == 3
        assert "refused: target resolves to non-public address 127.0.0.1" in refused.stderr
        assert fs.log == []
        allowed = aeo(f"http://localhost:{port}/", "--allow-private", "127.0.0.0/8")
        assert allowed.code == 0 and {e["path"] for e in fs.log} >= {"/", "/a"}


def test_t40_a_public_name_resolving_to_an_internal_address_is_blocked(aeo):
    with FixtureServer({"/robots.txt": ALLOW, "/": html(page("INTERNAL ADMIN"))},
                       host="127.0.0.2") as inner:
        r = aeo(f"http://public.test:{inner.server_address[1]}/", env=PLAY)
        assert inner.log == []
    assert r.code == 3 and "non-public address 127.0.0.2" in r.stderr
    assert "INTERNAL ADMIN" not in r.all_output_text()


def test_t40_dns_rebinding_is_caught_at_connect_time(aeo):
    PAGES = {"/robots.txt": ALLOW, "/": html(page("home", [f"/p{i}" for i in range(5)]))}
    PAGES.update({f"/p{i}": html(page(f"p{i}")) for i in range(5)})
    with FixtureServer(PAGES) as outer:
        port = outer.server_address[1]
        with FixtureServer({"__default__": html(page("INTERNAL ADMIN"))}, host="127.0.0.2",
                           port=port) as inner:
            r = aeo(f"http://rebind.test:{port}/", "--allow-private", "127.0.0.1/32", env=PLAY)
            assert inner.log == []            # nothing ever reached the internal address
        assert outer.log                      # the first answer was used while it was allowed
    assert "INTERNAL ADMIN" not in r.all_output_text()
    text_out = r.all_output_text()
    assert "non-public address 127.0.0.2" in text_out
