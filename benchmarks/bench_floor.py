"""The crawl floor for `make bench`: a bare Scrapy crawl of a site that only follows links
(lxml XPath over the parsed page, no storage, no analysis), run as its own process because
Twisted's reactor runs once per process. Prints the seconds and the pages fetched."""

from __future__ import annotations

import logging
import sys
import time
from urllib.parse import urljoin, urlsplit

import lxml.html
import scrapy
from scrapy.crawler import CrawlerProcess


class FloorSpider(scrapy.Spider):
    name = "floor"

    def __init__(self, start_url: str, **kw):
        super().__init__(**kw)
        self.start_url = start_url
        self.host = urlsplit(start_url).netloc
        self.pages = 0

    async def start(self):
        yield scrapy.Request(self.start_url)

    def parse(self, response):
        self.pages += 1
        root = lxml.html.document_fromstring(response.body)
        for href in root.xpath("//a/@href"):
            url = urljoin(response.url, href).split("#")[0]
            if urlsplit(url).netloc == self.host:
                yield scrapy.Request(url)


def main(url: str, concurrency: int) -> None:
    logging.getLogger("scrapy").setLevel(logging.ERROR)
    process = CrawlerProcess({"LOG_ENABLED": False, "TELNETCONSOLE_ENABLED": False,
                              "REMOTE_CONTROL_ENABLED": False,
                              "ROBOTSTXT_OBEY": False, "COOKIES_ENABLED": False,
                              "CONCURRENT_REQUESTS": concurrency,
                              "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
                              "DOWNLOAD_DELAY": 0, "RETRY_ENABLED": False})
    crawler = process.create_crawler(FloorSpider)
    t = time.monotonic()
    process.crawl(crawler, start_url=url)
    process.start()
    print(f"{time.monotonic() - t:.3f} {crawler.spider.pages}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
