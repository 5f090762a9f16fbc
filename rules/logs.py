"""What the access logs say answer engines did on the site: ACC011 to ACC013 of RULES.md. Not
applicable (never passed) when the audit was given no logs."""

from __future__ import annotations

from aeo.facts.logs import ANSWER_PURPOSES, BotHits, LogFacts
from aeo.facts.records import CONTENT_TYPES, PageFacts, SiteFacts
from aeo.governance import Governance
from aeo.rules.access import SEARCH_ENGINES, indexable
from aeo.rules.base import NOT_APPLICABLE, PASSED, Example, Hit, Pages, Verdict, failed, rule
from aeo.rules.evidence import shortlist


def _row(bot="OAI-SearchBot", purpose="search", verified="yes", url="https://example.com/a",
         hits=4, statuses=((200, 4),), crawled=True, operator="OpenAI", last=None) -> BotHits:
    return BotHits(bot, operator, purpose, verified, url, url if crawled else "", hits,
                   "2026-11-01T00:00:00Z", "2026-11-20T00:00:00Z", statuses,
                   statuses[-1][0] if last is None else last)


def _logs(*rows: BotHits, days: int = 20, spoofers=(), joined=True) -> LogFacts:
    return LogFacts(files=("access.log",), formats=(), lines=1000, lines_skipped=0,
                    first="2026-11-01T00:00:00Z", last=f"2026-11-{1 + days:02d}T00:00:00Z",
                    rows=rows, daily=(), spoofers=spoofers, days_covered=days + 1,
                    joined=joined)


def _failing(r: BotHits) -> bool:
    """A crawler kept from a page: most of its hits on it were errors, at least two of them,
    and the last one too (one error is a blip; an outage since fixed is history)."""
    return r.error_hits >= 2 and r.error_hits * 2 >= r.hits and r.last_status >= 400


def _path(url: str, root: str) -> str:
    return url[len(root.rstrip("/")):] or "/" if url.startswith(root.rstrip("/")) else url


@rule(id="ACC011", name="Answer-engine crawler gets errors on content pages", pillar="ACCESS",
      scope="site", severity="critical", engines=SEARCH_ENGINES,
      title="Answer-engine crawlers got errors on content pages (access logs)",
      why="A page that answers an answer engine's crawler with an error, a block or a "
          "challenge is dropped from that engine's index or answered from a stale copy, "
          "whatever the page says when a person opens it.",
      fix="Find the rule that answers the crawler differently (a WAF or bot-management rule, "
          "rate limiting, a geo block, an origin timing out under crawl load) and let the "
          "verified crawler's addresses through.",
      before="OAI-SearchBot 20.171.207.3 \"GET /pricing\" 403 (bot protection)",
      after="OAI-SearchBot 20.171.207.3 \"GET /pricing\" 200",
      references=("https://platform.openai.com/docs/bots",
                  "https://developers.cloudflare.com/bots/concepts/bot/verified-bots/"),
      examples=(
          Example("OAI-SearchBot gets 503 on most hits of a content page", True,
                  site={"logs": _logs(_row(hits=4, statuses=((200, 1), (503, 3))))},
                  pages=({"url": "https://example.com/a", "page_type": "article"},)),
          Example("one error among many hits is a blip", False,
                  site={"logs": _logs(_row(hits=20, statuses=((200, 19), (503, 1))))},
                  pages=({"url": "https://example.com/a", "page_type": "article"},)),
          Example("a single hit that erred is a blip too", False,
                  site={"logs": _logs(_row(hits=1, statuses=((503, 1),)))},
                  pages=({"url": "https://example.com/a", "page_type": "article"},)),
          Example("errors that stopped: the last hit was answered", False,
                  site={"logs": _logs(_row(hits=4, statuses=((200, 1), (503, 3)), last=200))},
                  pages=({"url": "https://example.com/a", "page_type": "article"},)),
          Example("errors from a spoofed crawler say nothing of the real one", False,
                  site={"logs": _logs(_row(statuses=((403, 4),), verified="no"),
                                      _row(hits=3, statuses=((200, 3),)))},
                  pages=({"url": "https://example.com/a", "page_type": "article"},)),
          Example("a training crawler's errors are not an answer engine's", None,
                  site={"logs": _logs(_row(bot="GPTBot", purpose="training",
                                           statuses=((403, 4),)))},
                  pages=({"url": "https://example.com/a", "page_type": "article"},)),
          Example("no logs given", None, pages=({"url": "https://example.com/a",
                                                   "page_type": "article"},)),
      ))
def acc011(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    if site.logs is None:
        return NOT_APPLICABLE
    content = {p.url for p in pages if p.page_type in CONTENT_TYPES}
    # the page's own URL only: its trailing-slash twin may answer 404 or 301 by design
    judged = [r for r in site.logs.rows if r.verified == "yes" and r.exact
              and r.purpose in ANSWER_PURPOSES and r.page in content]
    if not judged:
        return NOT_APPLICABLE
    pages_judged = {r.url for r in judged}
    failing = [r for r in judged if _failing(r)]
    if not failing:
        return Verdict(len(pages_judged))
    hits = []
    for bot in sorted({r.bot for r in failing}):
        mine = [r for r in judged if r.bot == bot]
        bad = sorted((r for r in failing if r.bot == bot), key=lambda r: (-r.error_hits, r.url))
        total, errors = sum(r.hits for r in mine), sum(r.error_hits for r in mine)
        examples = [f"{_path(r.url, site.root)} ("
                    + ", ".join(f"{s} x{n}" for s, n in r.statuses if s >= 400) + ")"
                    for r in bad]
        hits.append(Hit(
            evidence=f"{bot} ({mine[0].operator}, {mine[0].purpose}, verified): {errors} of its "
                     f"{total} hits on content pages ({errors / total:.0%}) answered 4xx/5xx; "
                     f"errors on most of its hits on {len(bad)} page"
                     f"{'s' * (len(bad) != 1)}: {shortlist(examples, 3)}",
            detail=f"{bot} is kept from {len(bad)} content page{'s' * (len(bad) != 1)}: "
                   "those pages drop out of its engine's answers.",
            url=site.root, urls=tuple(r.url for r in bad), page_type="other"))
    return Verdict(len(pages_judged), tuple(hits), len({r.url for r in failing}))


@rule(id="ACC012", name="No answer-engine search crawler fetched this page", pillar="ACCESS",
      scope="page", severity="medium", engines=("google", "copilot", "chatgpt", "perplexity",
                                                "claude"),
      title="Content page no answer-engine search crawler fetched (access logs)",
      why="An answer engine can only cite what its search crawler has fetched. A content page "
          "none of them fetched over weeks is, for now, invisible to every answer engine, "
          "whatever its quality.",
      fix="Link the page from pages crawlers already visit (navigation, hubs, related links), "
          "list it in the XML sitemap with its lastmod, and check that robots.txt and the CDN "
          "let the search crawlers through.",
      before="/guides/pricing-models: no hit from OAI-SearchBot, PerplexityBot, Googlebot or "
             "Bingbot in 30 days",
      after="/guides/pricing-models linked from /guides/ and listed in sitemap.xml with lastmod",
      references=("https://platform.openai.com/docs/bots",
                  "https://developers.google.com/search/docs/crawling-indexing/overview-google-crawlers"),
      examples=(
          Example("never fetched in 20 days", True, page={"url": "https://example.com/b", "canonicals": ()},
                  site={"logs": _logs(_row(url="https://example.com/a"))}),
          Example("fetched by Googlebot", False, page={"url": "https://example.com/a", "canonicals": ()},
                  site={"logs": _logs(_row(bot="Googlebot", operator="Google"))}),
          Example("only a spoofed crawler fetched it", True, page={"url": "https://example.com/a", "canonicals": ()},
                  site={"logs": _logs(_row(verified="no"),
                                      _row(url="https://example.com/c"))}),
          Example("a window under 14 days says nothing", None,
                  page={"url": "https://example.com/b", "canonicals": ()},
                  site={"logs": _logs(_row(url="https://example.com/a"), days=6)}),
          Example("a log whose paths are mostly not crawled pages is another site's", None,
                  page={"url": "https://example.com/b", "canonicals": ()},
                  site={"logs": _logs(_row(url="https://example.com/a"), joined=False)}),
          Example("no logs given", None, page={"url": "https://example.com/b", "canonicals": ()}),
      ))
def acc012(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    logs = site.logs
    # (joined: some of what crawlers asked for is pages the crawl found)
    if logs is None or logs.days_covered < gov["log_min_days"] or not indexable(page) or \
            not logs.joined:
        return NOT_APPLICABLE
    if page.url in logs.fetched_by_answer_crawlers:
        return PASSED
    seen = logs.search_crawlers_seen
    return failed(Hit(
        evidence=f"no hit from an answer-engine search crawler in {logs.days_covered} days "
                 f"of logs ({logs.first[:10]} to {logs.last[:10]}); "
                 + (f"they fetched other pages: {shortlist(seen, 5)}" if seen else
                    "no search crawler fetched any page of the site in that window"),
        detail="No answer engine has fetched this page lately, so none can cite it (if a CDN "
               "caches the site's HTML, judge from the CDN's logs: the origin's miss the hits "
               "the cache answered)."))


@rule(id="ACC013", name="Spoofed AI crawlers in the access logs", pillar="ACCESS", scope="site",
      severity="low", engines=("all",),
      title="Requests claim an AI crawler's name from outside its published addresses",
      why="Scrapers borrow GPTBot's or Googlebot's user agent to get past blocks. Counting "
          "them as the real crawler skews what the logs say answer engines do, and letting "
          "them through on the name alone lets scrapers in.",
      fix="Allow AI crawlers by their operator's published address ranges (or verified-bot "
          "lists at the CDN), not by user agent; blocking the spoofed requests is safe.",
      before="if ($http_user_agent ~* \"GPTBot\") { allow; }",
      after="allow 20.171.206.0/24;  # from https://openai.com/gptbot.json\n"
            "deny spoofed GPTBot user agents",
      references=("https://platform.openai.com/docs/bots",
                  "https://developers.google.com/search/docs/crawling-indexing/verifying-googlebot"),
      examples=(
          Example("GPTBot from outside OpenAI's ranges", True,
                  site={"logs": _logs(_row(bot="GPTBot", purpose="training", verified="no"),
                                      spoofers=(("GPTBot", "198.51.100.23", 4),))}),
          Example("every GPTBot hit verified", False,
                  site={"logs": _logs(_row(bot="GPTBot", purpose="training"))}),
          Example("an operator without published ranges cannot be judged", None,
                  site={"logs": _logs(_row(bot="ClaudeBot", purpose="training",
                                           verified="unknown", operator="Anthropic"))}),
      ))
def acc013(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    if site.logs is None:
        return NOT_APPLICABLE
    judged = sorted({r.bot for r in site.logs.rows if r.verified in ("yes", "no")})
    if not judged:
        return NOT_APPLICABLE
    spoofed: dict[str, int] = {}
    for r in site.logs.rows:
        if r.verified == "no":
            spoofed[r.bot] = spoofed.get(r.bot, 0) + r.hits
    if not spoofed:
        return Verdict(len(judged))
    parts = []
    for bot, n in sorted(spoofed.items(), key=lambda kv: (-kv[1], kv[0])):
        total = sum(r.hits for r in site.logs.rows if r.bot == bot)
        addresses = [f"{ip} ({hits})" for b, ip, hits in site.logs.spoofers if b == bot]
        parts.append(f"{bot}: {n} of {total} hits from outside its operator's published "
                     f"ranges" + (f", e.g. {shortlist(addresses, 3)}" if addresses else ""))
    return Verdict(len(judged), (Hit(
        evidence="; ".join(parts),
        detail=f"{sum(spoofed.values())} requests use an AI crawler's name without being it: "
               "read them out of the crawler statistics; blocking them is safe"
               + (f" (the published ranges checked against were retrieved "
                  f"{site.logs.ranges_retrieved}; `aeo bots update` refreshes them)."
                  if site.logs.ranges_retrieved else "."),
        url=site.root, page_type="other"),), len(spoofed))
