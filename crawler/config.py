"""Crawl settings: one typed record, turned into Scrapy settings in one place."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from aeo import __version__

USER_AGENT_TOKEN = "aeo-audit"
USER_AGENT = f"Mozilla/5.0 (compatible; {USER_AGENT_TOKEN}/{__version__}; +https://aeo-audit.invalid/bot)"


@dataclass(frozen=True)
class CrawlConfig:
    start_url: str
    max_pages: int = 5000
    max_depth: int = 20                # links from the start page; pagination adds none
    max_query_variants: int = 50      # distinct query strings per path before it is a trap
    max_page_bytes: int = 16 * 1024 * 1024      # decompressed
    timeout: float = 30.0                         # per request, seconds
    total_time: float = 4 * 3600.0                # whole crawl, seconds
    concurrency: int = 8
    delay: float = 0.0                            # raised to robots.txt Crawl-delay
    retry_times: int = 2
    retry_after_cap: float = 60.0                 # a longer Retry-After means "give up"
    max_redirects: int = 10
    error_streak: int = 10                        # consecutive failed pages that stop the crawl
    obey_robots: bool = True
    probe_bots: bool = True
    # crawlers whose user agent fetches the home page for ACC010 (governance: required_bots)
    probe_tokens: tuple[str, ...] = ("OAI-SearchBot", "ChatGPT-User", "PerplexityBot",
                                     "Claude-SearchBot", "Claude-User")
    quiet: bool = False
    user_agent: str = USER_AGENT
    resolve: dict[str, str] = field(default_factory=dict)   # host -> IP, like curl --resolve
    # HOST1:PORT1:HOST2:PORT2, like curl --connect-to: connections elsewhere, names unchanged
    connect_to: tuple[str, ...] = ()
    allow_private: list[str] = field(default_factory=list)  # CIDRs the SSRF guard lets through
    robots_max_bytes: int = 500 * 1024                       # RFC 9309: at least 500 KiB


def config_from_dict(data: dict) -> CrawlConfig:
    """A CrawlConfig from its stored form (a run manifest, or Redis for a joined process);
    TypeError when data has no start_url."""
    from dataclasses import fields

    known = {f.name for f in fields(CrawlConfig)}
    data = {k: v for k, v in data.items() if k in known}
    for name in ("probe_tokens", "connect_to"):
        if name in data:
            data[name] = tuple(data[name])
    return CrawlConfig(**data)


from aeo.crawler.resolver import allowed_networks  # noqa: E402
from aeo.crawler.scope import MAX_URL_LENGTH  # noqa: E402


def scrapy_settings(cfg: CrawlConfig) -> dict:
    """The Scrapy settings for a crawl. Anything Scrapy would do silently on its own
    (drop 4xx/5xx, follow redirects, allow-all on robots errors) is turned off here and done
    by the spider, so that each case is recorded as data."""
    return {
        "BOT_NAME": USER_AGENT_TOKEN,
        "USER_AGENT": cfg.user_agent,
        "ROBOTSTXT_OBEY": False,           # robots.txt is handled by the spider (RFC 9309 policy)
        "HTTPERROR_ALLOW_ALL": True,       # keep 4xx/5xx as data
        "REDIRECT_ENABLED": False,         # the spider follows redirects itself, hop by hop
        "METAREFRESH_ENABLED": False,
        "COOKIES_ENABLED": False,
        "DOWNLOAD_MAXSIZE": cfg.max_page_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "DOWNLOAD_TIMEOUT": cfg.timeout,
        "DNS_TIMEOUT": min(10.0, cfg.timeout),
        "DNS_RESOLVER": "aeo.crawler.resolver.MappedResolver",
        "AEO_RESOLVE": dict(cfg.resolve),
        "AEO_CONNECT_TO": list(cfg.connect_to),
        "AEO_ALLOWED_NETWORKS": allowed_networks(urlsplit(cfg.start_url).hostname or "",
                                                 cfg.resolve, cfg.allow_private),
        "RETRY_ENABLED": True,
        "RETRY_TIMES": cfg.retry_times,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "AEO_RETRY_AFTER_CAP": cfg.retry_after_cap,
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "aeo.crawler.middleware.RetryAfterMiddleware": 550,
            "aeo.crawler.middleware.WaitMiddleware": 50,
            # before HttpCompressionMiddleware (590) sees the response
            "aeo.crawler.middleware.TruncatedBodyMiddleware": 595,
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
        },
        "SPIDER_MIDDLEWARES": {
            "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
        },
        "DOWNLOAD_HANDLERS": {"file": None, "data": None, "ftp": None, "s3": None},
        "CONCURRENT_REQUESTS": max(cfg.concurrency, 2),
        "CONCURRENT_REQUESTS_PER_DOMAIN": cfg.concurrency,
        "WARN_ON_GENERATOR_RETURN_VALUE": False,   # (reads the callbacks' source on each page)
        "DOWNLOAD_DELAY": cfg.delay,
        "DOWNLOAD_DELAY_JITTER": 0.0,
        "RANDOMIZE_DOWNLOAD_DELAY": False,
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        # breadth first: the spider gives each request priority -depth, and within one depth
        # the queue is FIFO, so traps deep in the site cannot starve real pages
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        "CLOSESPIDER_TIMEOUT": cfg.total_time,
        "MEMUSAGE_ENABLED": True,
        "MEMUSAGE_LIMIT_MB": 2048,
        "URLLENGTH_LIMIT": MAX_URL_LENGTH,
        "TELNETCONSOLE_ENABLED": False,
        # the progress line and the analysis taken in alongside the crawl
        "EXTENSIONS": {"aeo.crawler.extensions.Progress": 500,
                       "aeo.crawler.extensions.AnalysisAlongside": 500},
        # http_proxy/https_proxy in the environment are not used: a proxy resolves names
        # itself, so the SSRF address checks could not apply to what it fetches
        "HTTPPROXY_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "HTTPCACHE_ENABLED": False,
        "LOG_ENABLED": False,
        "ITEM_PIPELINES": {},
    }
