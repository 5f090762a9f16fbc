"""AEO content audit: crawl a site and report what keeps answer engines from citing it."""

__version__ = "0.1.0"
