"""Stage 1: fetch the site into the run store (Scrapy, run in-process)."""
